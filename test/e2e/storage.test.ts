/**
 * The flagship run: "OpenStack Powered Storage" 2020.06 against a real Keystone + Swift of today's
 * release (Debian 13: Keystone 27, Swift 2.35 = OpenStack 2025.1), from one command, as a user would
 * with an accounts file: tcup picks Tempest 43 by itself (Swift's /info says 2025.1) and says why; and
 * the same cloud with only the OS_* user, which must say why it is not compliant.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { renderAccountsYaml } from '../../src/cloud/accounts.js';
import { launcherInEmptyDir, runLauncher, type LauncherRun } from '../support/launcher.js';
import {
  buildTestbedImages,
  describeDocker,
  openrcEnv,
  requireDocker,
  startKeystone,
  startSwift,
  type StartedKeystone,
  type StartedSwift,
} from '../support/testbed.js';

const PASSWORD = `st0r@ge "pw" #not-a-comment: %(x)s $y % ü`;
const tcupContainers = () =>
  execFileSync('docker', ['ps', '-aq', '--filter', 'label=tcup=1'], { encoding: 'utf8' }).trim();

interface Summary {
  compliant: boolean;
  passedCapabilities: number;
  totalCapabilities: number;
  counts: { tests: number; passed: number; failed: number; skipped: number; notRun: number };
  failing: string[];
}

describeDocker('OpenStack Powered Storage 2020.06 against Keystone + Swift', () => {
  let keystone: StartedKeystone;
  let swift: StartedSwift;
  let full: LauncherRun;
  let single: LauncherRun;
  let fullDir: string;
  let singleDir: string;

  beforeAll(async () => {
    await requireDocker();
    await buildTestbedImages('2025.1');
    keystone = await startKeystone({ release: '2025.1', memberPassword: PASSWORD });
    swift = await startSwift(keystone, { resellerPassword: PASSWORD });
    const { dir, launcher } = launcherInEmptyDir();
    const accounts = [...keystone.members, ...swift.resellers].map((u) => ({
      username: u.username,
      password: u.password,
      projectName: u.project,
      domainName: 'Default',
    }));
    writeFileSync(join(dir, 'accounts.yaml'), renderAccountsYaml(accounts));
    const env = openrcEnv(keystone, keystone.members[0]!);
    fullDir = join(dir, 'full');
    full = await runLauncher(
      launcher,
      ['--guideline', '2020.06', '--target', 'object', '--accounts', 'accounts.yaml', '-o', fullDir],
      { cwd: dir, env },
    );
    singleDir = join(dir, 'single');
    single = await runLauncher(launcher, ['--guideline', '2020.06', '--target', 'object', '-o', singleDir], {
      cwd: dir,
      env,
    });
  });

  afterAll(async () => {
    await swift?.stop();
    await keystone?.stop();
  });

  it('picks Tempest 43 without being asked, and says why in one line', () => {
    for (const run of [full, single])
      expect(run.stderr).toMatch(
        /› Tempest 43 \(Debian 13\), Tempest 43\.0\.0 and python-tempestconf 3\.5\.1: Swift is 2\.35\.\d+ \(2025\.1\): it supports 2023\.2-2025\.1\n/,
      );
  });

  it('with an accounts file: 58 of 58 pass, compliant, exit 0', () => {
    expect(full.stderr).toMatch(/OpenStack Powered Storage 2020\.06: 20 of 20 required capabilities pass/);
    expect(full.stderr).toMatch(/reseller admin role ResellerAdmin; concurrency 2/);
    const summary = JSON.parse(readFileSync(join(fullDir, 'summary.json'), 'utf8')) as Summary;
    expect(summary.counts).toMatchObject({ tests: 58, passed: 58, failed: 0, skipped: 0, notRun: 0 });
    expect(summary.compliant).toBe(true);
    const doc = JSON.parse(readFileSync(join(fullDir, 'refstack.json'), 'utf8')) as { results: unknown[] };
    expect(doc.results).toHaveLength(58);
    expect(full.code, full.stderr).toBe(0);
  });

  it('with only the OS_* user: not compliant, and it says why', () => {
    expect(single.stderr).toMatch(/only 1 non-admin account/);
    expect(single.stderr).toMatch(/no account has a reseller admin role/);
    expect(single.stderr).toMatch(/not run: .*AccountQuotasTest .*ResellerAdmin/);
    expect(single.stderr).toMatch(/NOT compliant: .*objectstore-account-quotas/);
    const summary = JSON.parse(readFileSync(join(singleDir, 'summary.json'), 'utf8')) as Summary;
    expect(summary.compliant).toBe(false);
    expect(summary.counts.notRun).toBeGreaterThan(0);
    expect(summary.failing).toContain('objectstore-account-quotas');
    expect(single.code).toBe(9);
  });

  it('leaves no tcup container, and never shows the password', () => {
    expect(tcupContainers()).toBe('');
    for (const run of [full, single]) {
      expect(run.stdout + run.stderr).not.toContain(PASSWORD);
      expect(run.argvSeen.join('\n')).not.toContain(PASSWORD);
    }
    for (const dir of [fullDir, singleDir])
      for (const f of ['tempest.log', 'tempest.conf', 'tests.json', 'summary.json', 'tcup.log', 'junit.xml'])
        expect(readFileSync(join(dir, f), 'utf8'), f).not.toContain(PASSWORD);
  });
});
