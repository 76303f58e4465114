/**
 * The flagship run: "OpenStack Powered Storage" 2020.06 against a real Keystone + Swift of the newest
 * release (Debian unstable: Keystone 30, Swift 2.38 = OpenStack 2026.2), from one command, as a user
 * would with an accounts file: tcup picks Tempest 47 by itself (Swift's /info says 2026.2: the newest
 * Tempest that supports it) and says why; and
 * the same cloud with only the OS_* user, which must say why it is not compliant.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { renderAccountsYaml } from '../../src/cloud/accounts.js';
import { launcherInEmptyDir, trackedLaunches, type LauncherRun } from '../support/launcher.js';
import { describeDocker, openrcEnv, requireDocker } from '../support/testbed.js';
import { type KeystoneTenant, type SwiftTenant, useKeystone, useSwift } from '../support/beds.js';

const PASSWORD = `st0r@ge "pw" #not-a-comment: %(x)s $y % ü`;
/** The launchers this file started, and their containers (the engine is shared). */
const { launch, containers: tcupContainers } = trackedLaunches();

interface Summary {
  compliant: boolean;
  passedCapabilities: number;
  totalCapabilities: number;
  counts: { tests: number; passed: number; failed: number; skipped: number; notRun: number };
  failing: string[];
}

describeDocker('OpenStack Powered Storage 2020.06 against Keystone + Swift', () => {
  let keystone: KeystoneTenant;
  let swift: SwiftTenant;
  let full: LauncherRun;
  let single: LauncherRun;
  let fullDir: string;
  let singleDir: string;
  let dir: string;

  beforeAll(async () => {
    await requireDocker();
    keystone = await useKeystone({ release: '2026.2', memberPassword: PASSWORD, swift: true });
    swift = await useSwift(keystone, { resellerPassword: PASSWORD });
    const made = launcherInEmptyDir();
    dir = made.dir;
    const launcher = made.launcher;
    const accounts = [...keystone.members, ...swift.resellers].map((u) => ({
      username: u.username,
      password: u.password,
      projectName: u.project,
      domainName: 'Default',
    }));
    writeFileSync(join(dir, 'accounts.yaml'), renderAccountsYaml(accounts));
    const env = openrcEnv(keystone, keystone.members[0]!);
    fullDir = join(dir, 'full');
    full = await launch(
      launcher,
      ['--guideline', '2020.06', '--target', 'object', '--accounts', 'accounts.yaml', '-o', fullDir],
      { cwd: dir, env },
    );
    singleDir = join(dir, 'single');
    single = await launch(launcher, ['--guideline', '2020.06', '--target', 'object', '-o', singleDir], {
      cwd: dir,
      env,
    });
  });

  afterAll(async () => {
    await swift?.dispose();
    await keystone?.dispose();
  });

  it('picks Tempest 47 without being asked, and says why in one line', () => {
    for (const run of [full, single])
      expect(run.stderr).toMatch(
        /› Tempest 47 \(Debian testing\), Tempest 47\.0\.0 and python-tempestconf 3\.5\.3: Swift is 2\.38\.\d+ \(2026\.2\): it supports 2025\.1-2026\.2\n/,
      );
  });

  it("with an accounts file: all 20 capabilities pass, exit 0 (the marker test runs: tcup's patch)", () => {
    // Tempest 47 skips AccountTest.test_list_containers_with_marker whenever the accounts are
    // pre-provisioned (bug 2147232: accounts of one project share a Swift account); tcup's patch keeps
    // the skip only where two operator accounts share a project. Here each has its own: the test runs.
    expect(full.stderr).not.toMatch(/bug#2147232/);
    expect(full.stderr).toMatch(
      /marker-test-own-projects \(tcup's own, https:\/\/bugs\.launchpad\.net\/tempest\/\+bug\/2147232\)/,
    );
    expect(full.stderr).toMatch(/Storage 2020\.06: 20 of 20 required capabilities pass\n/);
    expect(full.stderr).toMatch(/reseller admin role ResellerAdmin; concurrency 2/);
    const summary = JSON.parse(readFileSync(join(fullDir, 'summary.json'), 'utf8')) as Summary & {
      run: { patches: string[] };
    };
    expect(summary.counts).toMatchObject({ tests: 58, passed: 58, failed: 0, skipped: 0, notRun: 0 });
    expect(summary.failing).toEqual([]);
    expect(summary.compliant).toBe(true);
    expect(summary.run.patches).toEqual(['marker-test-own-projects']);
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

  it('schedules whole classes by time, keeps the times, and the second run plans with them', () => {
    // First run on this machine (HOME is the test's folder): no measured times yet.
    expect(full.stderr).toMatch(
      /› schedule: 2 worker\(s\), expected [\d.]+ s, ideal [\d.]+ s \(class times: 0 measured here/,
    );
    const log = readFileSync(join(fullDir, 'tcup.log'), 'utf8');
    const planned = [...log.matchAll(/worker (\d): [\d.]+ s, \d+ class\(es\): (.*)/g)].map((m) =>
      m[2]!.split(', '),
    );
    expect(planned).toHaveLength(2);
    // The container ran exactly that plan: each class on the worker the plan gave it, and no other.
    const tests = JSON.parse(readFileSync(join(fullDir, 'tests.json'), 'utf8')) as {
      id: string;
      worker?: string;
    }[];
    const ran = new Map<string, Set<string>>();
    for (const t of tests) {
      const cls = t.id.split('[')[0]!.split('.').slice(0, -1).join('.');
      ran.set(cls, (ran.get(cls) ?? new Set()).add(t.worker ?? '?'));
    }
    expect([...ran.keys()].sort()).toEqual(planned.flat().sort());
    for (const [cls, workers] of ran) expect(workers.size, cls).toBe(1);
    const workerOf = (cls: string) => [...ran.get(cls)!][0];
    for (const classes of planned) expect(new Set(classes.map(workerOf)).size).toBe(1);
    expect(workerOf(planned[0]![0]!)).not.toBe(workerOf(planned[1]![0]!));
    // The times are kept under the XDG cache, keyed without the URL; the second run uses them.
    const cache = join(dir, '.cache', 'tcup', 'timings');
    const [file] = readdirSync(cache);
    expect(file).toMatch(/^47(\.\d+)*-[0-9a-f]{16}\.json$/);
    const kept = JSON.parse(readFileSync(join(cache, file!), 'utf8')) as { classes: Record<string, number> };
    expect(Object.keys(kept.classes).sort()).toEqual(planned.flat().sort());
    expect(JSON.stringify(kept)).not.toMatch(/127\.0\.0\.1|http|member/);
    expect(single.stderr).toMatch(
      new RegExp(`› schedule: 1 worker\\(s\\).*class times: ${ran.size} measured here`),
    );
  });

  it('leaves no tcup container, and never shows the password', () => {
    expect(tcupContainers()).toEqual([]);
    for (const run of [full, single]) {
      expect(run.stdout + run.stderr).not.toContain(PASSWORD);
      expect(run.argvSeen.join('\n')).not.toContain(PASSWORD);
    }
    for (const dir of [fullDir, singleDir])
      for (const f of ['tempest.log', 'tempest.conf', 'tests.json', 'summary.json', 'tcup.log', 'junit.xml'])
        expect(readFileSync(join(dir, f), 'utf8'), f).not.toContain(PASSWORD);
  });
});
