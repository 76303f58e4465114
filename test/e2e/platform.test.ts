/**
 * "OpenStack Powered Platform" 2020.06 on the compute cloud, as a user would run it with an accounts file
 * (`--target platform`): compute + object storage, the run's Swift bed registered in the compute bed's
 * Keystone, with member and reseller-admin accounts. The run takes a few capabilities of each kind: the
 * account quotas (they need the reseller admins tcup must find), the Swift info and a Keystone token, one
 * compute capability that passes and one that needs guest login. The whole compute side runs in
 * compute.test.ts (SCS-0128 and the compute target) and the whole object target in storage.test.ts: a
 * full platform run here would repeat both for half an hour of CI. With --cleanup-cloud: afterwards nothing
 * is left on the engine nor in the test projects (checked as admin through the APIs).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type ProjectResources } from '../support/compute-testbed.js';
import { expectCleanedUp, readSummary, type GuidelineSummary } from '../support/summary.js';
import { launcherInEmptyDir, trackedLaunches, type LauncherRun } from '../support/launcher.js';
import { accountsYaml, describeDocker, openrcEnv, requireDocker } from '../support/testbed.js';
import { type ComputeTenant, type SwiftTenant, useCompute, useSwift } from '../support/beds.js';

const PASSWORD = `c0mpute "pw" #x: %(y)s $z % ü`;
/**
 * Six members: three Tempest workers. With eight, tcup's look at each account's compute view (in parallel)
 * timed out on the loaded 2-core bed ("cannot reach the compute API ... as <8th account>: timed out").
 */
const MEMBERS = ['demo', 'alt_demo', 'demo2', 'alt_demo2', 'demo3', 'alt_demo3'];
/** Two reseller admins (the platform run then has two workers: one reseller admin each). */
const RESELLERS = ['reseller', 'reseller2'];
/** The platform run's capabilities: of object storage, identity and compute (one passes, one needs guest login). */
const PLATFORM_CAPABILITIES = [
  'objectstore-account-quotas',
  'objectstore-info-request',
  'objectstore-container-create',
  'identity-v3-tokens-create',
  'compute-flavors-list',
  'compute-servers-host',
];
const RUN_MS = 40 * 60_000;
/** This file's launchers: its "nothing left" check counts their containers alone (the engine is shared). */
const { launch, containers: tcupContainers } = trackedLaunches();

describeDocker('OpenStack Powered Platform 2020.06 against the compute test bed and Swift', () => {
  let bed: ComputeTenant;
  let swift: SwiftTenant;
  let projects: string[];
  let before: ProjectResources;
  let platform: LauncherRun;
  let platformDir: string;

  beforeAll(async () => {
    await requireDocker();
    bed = await useCompute({ members: MEMBERS, memberPassword: PASSWORD });
    // Swift beside it, registered in the compute bed's Keystone; its reseller admins get a project
    // network like the members (Tempest may give them any test).
    swift = await useSwift(bed, { resellers: RESELLERS, resellerPassword: PASSWORD });
    await bed.addNetworks(swift.resellers);
    projects = [...bed.members, ...swift.resellers].map((u) => u.project);
    before = await bed.projectResources(projects);

    const { dir, launcher } = launcherInEmptyDir();
    writeFileSync(join(dir, 'platform.yaml'), accountsYaml([...bed.members, ...swift.resellers]));
    const env = openrcEnv(bed, bed.members[0]!);
    platformDir = join(dir, 'platform');
    platform = await launch(
      launcher,
      [
        '--guideline',
        '2020.06',
        '--target',
        'platform',
        ...PLATFORM_CAPABILITIES.flatMap((c) => ['--capability', c]),
        '--accounts',
        'platform.yaml',
        '--cleanup-cloud',
        '-o',
        platformDir,
      ],
      { cwd: dir, env, timeoutMs: RUN_MS },
    );
  }, RUN_MS + 900_000);

  afterAll(async () => {
    await swift?.dispose();
    await bed?.dispose();
  });

  it('OpenStack Powered Platform 2020.06 on compute + Swift: the verdict with its reasons', () => {
    const out = platform.stderr;
    const summary = readSummary<GuidelineSummary>(platformDir, platform);
    expect(summary.totalCapabilities, out).toBe(PLATFORM_CAPABILITIES.length);
    const n = summary.totalCapabilities;
    // The reseller admins are found, so the object-storage quota tests run and pass; the one capability
    // that needs guest login is the only one that does not pass.
    expect(out).toMatch(/reseller admin role ResellerAdmin/);
    expect(summary.failing, out).toEqual(['compute-servers-host']);
    expect(out).toContain(`2020.06 platform required: ${n - 1} of ${n} capabilities pass, NOT compliant`);
    expect(platform.code, out).toBe(9);
    // Every capability that does not pass is named with its tests and Tempest's reason.
    const explained = summary.compute.explained;
    for (const id of summary.failing) {
      expect(explained.map((e) => e.capability)).toContain(id);
      expect(out).toMatch(new RegExp(`${id} does not pass: `));
    }
    for (const e of explained) expect(e.reason, JSON.stringify(e)).toBeDefined();
    expectCleanedUp(out, summary.compute);
  });

  it('leaves nothing on the engine nor in the test projects, and never shows the password', async () => {
    expect(tcupContainers()).toEqual([]);
    expect(await bed.projectResources(projects)).toEqual(before);
    for (const run of [platform]) {
      expect(run.stdout + run.stderr).not.toContain(PASSWORD);
      expect(run.argvSeen.join('\n')).not.toContain(PASSWORD);
    }
    for (const dir of [platformDir])
      for (const f of ['tempest.conf', 'summary.json', 'tcup.log'])
        expect(readFileSync(join(dir, f), 'utf8'), f).not.toContain(PASSWORD);
  });
});
