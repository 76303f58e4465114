/**
 * Tempest 47 (the variant for 2025.2-2026.2 clouds) against the compute bed, as a user would with an
 * accounts file of member users, one per project: its compute classes take a project reader from the
 * primary's project, which tcup gives them by listing each member again with the role reader
 * (src/tempest/readers.ts). Without that, every class ended "Insufficient number of users provided".
 * A few capabilities: flavors, server metadata, an image, key pairs, and the guest-login one.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type ComputeTenant, useCompute } from '../support/beds.js';
import { launcherInEmptyDir, trackedLaunches, type LauncherRun } from '../support/launcher.js';
import { accountsYaml, describeDocker, openrcEnv, requireDocker } from '../support/testbed.js';

const PASSWORD = `t47 "pw" #x: %(y)s $z ü`;
/** This file's launchers: its "nothing left" check counts their containers alone (the engine is shared). */
const { launch, containers: tcupContainers } = trackedLaunches();
const CAPABILITIES = [
  'compute-flavors-list',
  'compute-servers-metadata-*',
  'images-v2-get',
  'compute-keypairs-create',
  'compute-servers-host',
];

interface Summary {
  failing: string[];
  counts: { tests: number; passed: number; failed: number; skipped: number; notRun: number };
  run: { tempestVersion: string };
}

describeDocker('Tempest 47 on the compute bed with member accounts', () => {
  let bed: ComputeTenant;
  let run: LauncherRun;
  let out: string;

  beforeAll(async () => {
    await requireDocker();
    bed = await useCompute({ members: ['r47', 'alt_r47', 'r47b', 'alt_r47b'], memberPassword: PASSWORD });
    const { dir, launcher } = launcherInEmptyDir();
    writeFileSync(join(dir, 'accounts.yaml'), accountsYaml(bed.members));
    const m = bed.members[0]!;
    out = join(dir, 'out');
    run = await launch(
      launcher,
      [
        '--tempest',
        '47',
        '--guideline',
        '2020.06',
        '--target',
        'compute',
        ...CAPABILITIES.flatMap((c) => ['--capability', c]),
        '--accounts',
        'accounts.yaml',
        '--cleanup-cloud',
        '-o',
        out,
      ],
      {
        cwd: dir,
        env: openrcEnv(bed, m),
        timeoutMs: 20 * 60_000,
      },
    );
  }, 25 * 60_000);

  afterAll(async () => {
    await bed?.dispose();
  });

  it('lists each member again as its project reader, and says so', () => {
    expect(run.stderr).toMatch(
      /accounts file: 4 member account\(s\) listed again with the role reader .*Tempest 47\.\d+\.\d+ takes each class's project reader from its primary's project/,
    );
  });

  it('runs the compute classes: every test but the guest-login one passes', () => {
    const file = join(out, 'summary.json');
    if (!existsSync(file)) throw new Error(`no summary.json (exit ${run.code}):\n${run.stderr}`);
    const summary = JSON.parse(readFileSync(file, 'utf8')) as Summary;
    expect(run.stderr).not.toMatch(/Insufficient number of users/);
    expect(summary.run.tempestVersion).toMatch(/^47\./);
    expect(summary.counts, run.stderr).toMatchObject({ failed: 0, skipped: 1, notRun: 0 });
    expect(summary.counts.passed).toBe(summary.counts.tests - 1);
    expect(summary.failing).toEqual(['compute-servers-host']);
    expect(run.code, run.stderr).toBe(9);
  });

  it('leaves no tcup container and never shows the password', () => {
    expect(tcupContainers()).toEqual([]);
    expect(run.stdout + run.stderr).not.toContain(PASSWORD);
    expect(run.argvSeen.join('\n')).not.toContain(PASSWORD);
  });
});
