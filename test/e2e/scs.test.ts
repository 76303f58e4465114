/**
 * SCS-0128 as a user would run it, against the identity/storage test bed (Keystone + Swift, no compute,
 * network, volume or image service): the verdict must be honest (no compute: a TENTATIVE pass at best,
 * never a plain "compliant") and say why; no RefStack upload is offered. And the usage around it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { renderAccountsYaml } from '../../src/cloud/accounts.js';
import { launcherInEmptyDir, runLauncher, type LauncherRun } from '../support/launcher.js';
import { type ListedCounts } from '../support/summary.js';
import { describeDocker, openrcEnv, requireDocker } from '../support/testbed.js';
import { type KeystoneTenant, type SwiftTenant, useKeystone, useSwift } from '../support/beds.js';

const PASSWORD = `scs "pw" #0128: %(x)s $y ü`;
/** The containers (running or not) that the launcher with this pid made: others may run beside it. */
const containersOf = (pid: number | undefined) =>
  execFileSync(
    'docker',
    ['ps', '-a', '--filter', 'label=tcup.session', '--format', '{{.Label "tcup.session"}}'],
    {
      encoding: 'utf8',
    },
  )
    .split('\n')
    .filter((s) => pid !== undefined && s.startsWith(`${hostname()}/${pid}/`));

interface Named {
  name: string;
  reason?: string;
}
interface ScsSummary {
  target: string;
  standard: { name: string; version: string; source: { commit: string }; licence: { name: string } };
  rule: { id: string; text: string; applied: string; result: string };
  result: 'compliant' | 'tentative' | 'not-compliant';
  compliant: boolean;
  tentative: boolean;
  listed: ListedCounts;
  failedTests: Named[];
  skippedTests: Named[];
  notRunTests: Named[];
  notInstalled: string[];
}

describe('--target scs-0128: usage (no cloud needed)', () => {
  let dir: string;
  let launcher: string;
  beforeEach(() => {
    ({ dir, launcher } = launcherInEmptyDir());
  });

  it('tcup guidelines lists it with its source, licence and rule, and says what became of the programme', async () => {
    const r = await runLauncher(launcher, ['guidelines'], { cwd: dir, env: {} });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^scs-0128 +SCS-0128 v1 "SCS end-to-end testing" \(Draft\), 258 Tempest tests$/m,
    );
    expect(r.stdout).toMatch(/rule: +Tempest MUST NOT report any failed test case/);
    expect(r.stdout).toMatch(/source: +https:\/\/github\.com\/SovereignCloudStack\/standards/);
    expect(r.stdout).toMatch(/@ ab4be81c7eb9 \(2026-08-06\)/);
    expect(r.stdout).toMatch(/licence: +CC BY-SA 4\.0/);
    expect(r.stdout).toMatch(/retired in September 2025/);
    expect(r.stdout).toMatch(/2022\.11, is not bundled and no longer served: .*--guideline FILE/);
  });

  it.each([
    [['--target', 'scs-0128', '--guideline', '2020.06'], /--guideline does not apply to --target scs-0128/],
    [
      ['--target', 'scs-0128', '--upload'],
      /--upload is not offered for --target scs-0128: RefStack knows no such guideline/,
    ],
    [['--target', 'scs-0128', '--yes'], /--yes is not offered for --target scs-0128: nothing is uploaded/],
  ])('%j is a usage error before anything else (exit 2)', async (args, message) => {
    const r = await runLauncher(launcher, args, { cwd: dir, env: {} });
    expect(r.stderr).toMatch(message);
    expect(r.code).toBe(2);
  });
});

describeDocker('SCS-0128 against Keystone + Swift (no compute service)', () => {
  let keystone: KeystoneTenant;
  let swift: SwiftTenant;
  let run: LauncherRun;
  let resultsDir: string;
  let summary: ScsSummary;
  let pid: number | undefined;

  beforeAll(async () => {
    await requireDocker();
    keystone = await useKeystone({ memberPassword: PASSWORD, swift: true });
    swift = await useSwift(keystone, { resellerPassword: PASSWORD });
    const { dir, launcher } = launcherInEmptyDir();
    const accounts = [...keystone.members, ...swift.resellers].map((u) => ({
      username: u.username,
      password: u.password,
      projectName: u.project,
      domainName: 'Default',
    }));
    writeFileSync(join(dir, 'accounts.yaml'), renderAccountsYaml(accounts));
    resultsDir = join(dir, 'scs');
    run = await runLauncher(
      launcher,
      ['--target', 'scs-0128', '--accounts', 'accounts.yaml', '-o', resultsDir],
      { cwd: dir, env: openrcEnv(keystone, keystone.members[0]!), onSpawn: (child) => (pid = child.pid) },
    );
    const file = join(resultsDir, 'summary.json');
    if (!existsSync(file)) throw new Error(`no summary.json (exit ${run.code}):\n${run.stderr}`);
    summary = JSON.parse(readFileSync(file, 'utf8')) as ScsSummary;
  });

  afterAll(async () => {
    await swift?.dispose();
    await keystone?.dispose();
  });

  it('says which standard and rule it applies, and where the list comes from', () => {
    expect(run.stderr).toMatch(
      /SCS-0128 v1 "SCS end-to-end testing" \(Draft\): 258 tests; rule: Tempest MUST NOT/,
    );
    expect(run.stderr).toMatch(
      /list from https:\/\/github\.com\/SovereignCloudStack\/standards .*CC BY-SA 4\.0/,
    );
    expect(summary.target).toBe('scs-0128');
    expect(summary.rule).toMatchObject({ id: 'no-failed-tests', result: summary.result });
    expect(summary.standard).toMatchObject({
      name: 'SCS-0128',
      version: 'v1',
      source: { commit: 'ab4be81c7eb99b152f585c5b4e6b2d7ecf8d4fa7' },
      licence: { name: 'CC BY-SA 4.0' },
    });
  });

  it('no compute: never a plain "compliant"; the compute, network, volume and image tests did not run, and why', () => {
    expect(summary.result).not.toBe('compliant');
    expect(summary.listed.listed).toBe(258);
    const nonIdentity = summary.notRunTests.filter((t) => !t.name.startsWith('tempest.api.identity.'));
    // Every compute, network, volume and image test of the list (242) has no result of its own.
    expect(nonIdentity).toHaveLength(242);
    for (const t of nonIdentity) expect(t.reason).toMatch(/its class was skipped in setUpClass: /);
    // One line per missing service, not one per class: a vendor sees at once what the cloud lacks.
    const notRunLines = run.stderr.split('\n').filter((l) => /^! not run: /.test(l));
    const services = ['compute', 'network', 'volume', 'image'];
    expect(notRunLines).toHaveLength(services.length);
    for (const service of services) {
      const count = nonIdentity.filter((t) => t.name.startsWith(`tempest.api.${service}.`)).length;
      const reasons = new Set(
        nonIdentity.filter((t) => t.name.startsWith(`tempest.api.${service}.`)).map((t) => t.reason),
      );
      expect(reasons.size, service).toBe(1);
      const line = notRunLines.find((l) => l.includes(`— ${[...reasons][0]!}`));
      expect(line, service).toMatch(new RegExp(`^! not run: ${count} listed tests in \\d+ classes \\(`));
    }
    expect(run.stderr).toMatch(/— its class was skipped in setUpClass: Nova is not available$/m);
    // The identity tests ran against the real Keystone.
    expect(summary.listed.passed).toBeGreaterThan(0);
  });

  it('the answer line, the exit code and summary.json agree', () => {
    const c = summary.listed;
    if (summary.result === 'tentative') {
      expect(run.stderr).toMatch(
        new RegExp(
          `SCS-0128 v1: TENTATIVE pass: no listed test failed, but ${c.notRun + c.notInstalled} of 258 have no result`,
        ),
      );
      expect(summary).toMatchObject({ compliant: true, tentative: true });
      expect(run.code, run.stderr).toBe(0);
    } else {
      expect(run.stderr).toMatch(
        new RegExp(`SCS-0128 v1: NOT compliant: ${c.failed} of 258 listed tests failed`),
      );
      for (const t of summary.failedTests) expect(run.stderr).toContain(`failed: ${t.name}`);
      expect(summary).toMatchObject({ compliant: false, tentative: false });
      expect(run.code, run.stderr).toBe(9);
    }
    for (const t of summary.skippedTests) expect(t.reason, t.name).toBeTruthy();
  });

  it('offers no RefStack upload (--yes is refused above) and writes no refstack.json', () => {
    expect(run.stderr).toMatch(/not uploaded: RefStack knows no SCS-0128 guideline/);
    expect(run.stderr).not.toMatch(/Upload these results\?|uploaded: https?:/);
    expect(existsSync(join(resultsDir, 'refstack.json'))).toBe(false);
    expect(existsSync(join(resultsDir, 'tests.json'))).toBe(true);
  });

  it('leaves no tcup container, and never shows the password', () => {
    expect(pid).toBeGreaterThan(0);
    expect(containersOf(pid)).toEqual([]);
    expect(run.stdout + run.stderr).not.toContain(PASSWORD);
    for (const f of ['tempest.log', 'tempest.conf', 'tests.json', 'summary.json', 'tcup.log'])
      expect(readFileSync(join(resultsDir, f), 'utf8'), f).not.toContain(PASSWORD);
  });
});
