/**
 * Several clouds in one command, as a user runs it with the single file: one clouds.yaml naming two
 * clouds of the test bed (a Keystone + Swift one, and a Keystone-only one whose password is in
 * secure.yaml), an accounts file for each, `tcup --all-clouds --guideline 2020.06 --target object`. Both
 * run at once; the storage cloud passes, the other is not compliant and says why; one comparison shows
 * the object-storage capabilities passing on one and not on the other; the exit code is the worst (9);
 * nothing of the run is left on the engine.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { renderAccountsYaml } from '../../src/cloud/accounts.js';
import { launcherInEmptyDir, runLauncher, type LauncherRun } from '../support/launcher.js';
import { describeDocker, requireDocker, type TestbedUser } from '../support/testbed.js';
import { type KeystoneTenant, type SwiftTenant, useKeystone, useSwift } from '../support/beds.js';

const STORAGE_PASSWORD = `st0r@ge "pw" #one: %(x)s $y ü`;
const IDENTITY_PASSWORD = `1dent 'pw' & <two> \\ %`;

/** The tcup.session labels of every container (running or not) whose launcher had this pid. */
function sessionsOf(pid: number): string[] {
  const out = execFileSync(
    'docker',
    ['ps', '-a', '--filter', 'label=tcup.session', '--format', '{{.Label "tcup.session"}}'],
    { encoding: 'utf8' },
  );
  return out.split('\n').filter((s) => s.startsWith(`${hostname()}/${pid}/`));
}

const accountsOf = (users: TestbedUser[]) =>
  renderAccountsYaml(
    users.map((u) => ({
      username: u.username,
      password: u.password,
      projectName: u.project,
      domainName: 'Default',
    })),
  );

interface Summary {
  compliant: boolean;
  capabilities: { id: string; status: string }[];
}

describeDocker('several clouds in one command: --all-clouds', () => {
  let storage: KeystoneTenant;
  let swift: SwiftTenant;
  let identity: KeystoneTenant;
  let run: LauncherRun;
  let dir: string;
  let pid = 0;
  let mostAtOnce = 0;
  const lines = () => run.stderr.split('\n');

  beforeAll(async () => {
    await requireDocker();
    [storage, identity] = await Promise.all([
      useKeystone({ memberPassword: STORAGE_PASSWORD, swift: true }),
      useKeystone({ memberPassword: IDENTITY_PASSWORD, members: ['demo', 'alt_demo'] }),
    ]);
    swift = await useSwift(storage, { resellerPassword: STORAGE_PASSWORD });
    let launcher: string;
    ({ dir, launcher } = launcherInEmptyDir());
    const auth = (k: KeystoneTenant, password?: string) =>
      `{auth_url: ${JSON.stringify(k.authUrl)}, username: ${k.members[0]!.username}, ` +
      `project_name: ${k.members[0]!.project}, ` +
      `user_domain_name: Default, project_domain_name: Default` +
      `${password === undefined ? '' : `, password: ${JSON.stringify(password)}`}}`;
    // The Keystone-only cloud's password is in secure.yaml, as openstackclient reads it.
    writeFileSync(
      join(dir, 'clouds.yaml'),
      `clouds:\n  storage:\n    auth: ${auth(storage, STORAGE_PASSWORD)}\n    region_name: RegionOne\n` +
        `    identity_api_version: 3\n  identity-only:\n    auth: ${auth(identity)}\n` +
        `    region_name: RegionOne\n    identity_api_version: 3\n`,
    );
    writeFileSync(
      join(dir, 'secure.yaml'),
      `clouds:\n  identity-only:\n    auth:\n      password: ${JSON.stringify(IDENTITY_PASSWORD)}\n`,
    );
    writeFileSync(join(dir, 'storage-accounts.yaml'), accountsOf([...storage.members, ...swift.resellers]));
    writeFileSync(join(dir, 'identity-accounts.yaml'), accountsOf(identity.members));
    let sampler: NodeJS.Timeout | undefined;
    run = await runLauncher(
      launcher,
      [
        '--all-clouds',
        '--guideline',
        '2020.06',
        '--target',
        'object',
        '--accounts',
        'storage=storage-accounts.yaml',
        '--accounts',
        'identity-only=identity-accounts.yaml',
        '-o',
        'runs',
      ],
      {
        cwd: dir,
        env: {},
        timeoutMs: 1_500_000,
        onSpawn: (child) => {
          pid = child.pid ?? 0;
          // How many of this launcher's runs have a container at the same moment.
          sampler = setInterval(() => {
            try {
              mostAtOnce = Math.max(mostAtOnce, new Set(sessionsOf(pid)).size);
            } catch {
              /* the engine was busy: the next sample */
            }
          }, 1_000);
          child.on('close', () => clearInterval(sampler));
        },
      },
    );
  }, 1_800_000);

  afterAll(async () => {
    await swift?.dispose();
    await Promise.all([storage?.dispose(), identity?.dispose()]);
  });

  it('exits with the worst of the two: 9 (NOT compliant beats compliant)', () => {
    expect(run.code, run.stderr).toBe(9);
    expect(run.stderr).toMatch(/^› 2 clouds: exit 9, the worst of theirs$/m);
    expect(run.stderr).toMatch(
      /^ {2}storage +exit 0 +OpenStack Powered Storage 2020\.06: 20 of 20 .*\(runs\/storage\)$/m,
    );
    expect(run.stderr).toMatch(/^ {2}identity-only +exit 9 +.*NOT compliant.*\(runs\/identity-only\)$/m);
    const clouds = JSON.parse(readFileSync(join(dir, 'runs', 'clouds.json'), 'utf8')) as {
      exitCode: number;
      clouds: { cloud: string; exitCode: number; folder?: string }[];
    };
    expect(clouds).toMatchObject({
      exitCode: 9,
      clouds: [
        { cloud: 'storage', exitCode: 0, folder: 'storage' },
        { cloud: 'identity-only', exitCode: 9, folder: 'identity-only' },
      ],
    });
  });

  it('ran both clouds at once, each line of the output prefixed with its cloud (no terminal)', () => {
    expect(mostAtOnce).toBe(2);
    const mine = (cloud: string) => lines().filter((l) => l.startsWith(`[${cloud}] `));
    for (const cloud of ['storage', 'identity-only']) {
      expect(
        mine(cloud).some((l) => l.includes(`from cloud "${cloud}" of ${join(dir, 'clouds.yaml')}`)),
      ).toBe(true);
      expect(mine(cloud).some((l) => /Keystone accepted all \d+ accounts/.test(l))).toBe(true);
    }
    // One image for both, made by the first cloud; the other is told it would have chosen another Tempest.
    expect(run.stderr).toMatch(
      /^\[identity-only\] › the image of cloud storage: tcup-tempest:\w+ \(Tempest 33 /m,
    );
    expect(run.stderr).toMatch(/^\[identity-only\] ! this cloud alone would get Tempest 47 /m);
    const facts = (cloud: string) =>
      (
        JSON.parse(readFileSync(join(dir, 'runs', cloud, 'summary.json'), 'utf8')) as {
          run: { image: string };
        }
      ).run;
    expect(facts('identity-only').image).toBe(facts('storage').image);
    // Nothing but prefixed lines, the header and the summary.
    for (const line of lines().filter(Boolean))
      expect(line, line).toMatch(/^(\[(storage|identity-only)\] |› | {2})/);
  });

  it('the storage cloud passes; the Keystone-only one is not compliant and says why', () => {
    expect(run.stderr).toMatch(
      /^\[storage\] .*OpenStack Powered Storage 2020\.06: 20 of 20 required capabilities pass/m,
    );
    expect(run.stderr).toMatch(/^\[identity-only\] .*NOT compliant: .*objectstore-/m);
    expect(run.stderr).toMatch(/^\[identity-only\] ! not run: .*AccountTest .*swift is not available/m);
    const summary = (cloud: string) =>
      JSON.parse(readFileSync(join(dir, 'runs', cloud, 'summary.json'), 'utf8')) as Summary;
    expect(summary('storage').compliant).toBe(true);
    expect(summary('identity-only').compliant).toBe(false);
    expect(readFileSync(join(dir, 'runs', 'identity-only', 'tcup.log'), 'utf8')).toMatch(/NOT compliant/);
    expect(readFileSync(join(dir, 'runs', 'storage', 'report.html'), 'utf8')).toContain('Compliant');
  });

  it('one comparison: object-storage capabilities pass on the storage cloud and not on the other', () => {
    const html = readFileSync(join(dir, 'runs', 'comparison.html'), 'utf8');
    expect(html).toContain('1: storage');
    expect(html).toContain('2: identity-only');
    const caps = html.slice(
      html.indexOf('<table class="capabilities">'),
      html.indexOf('<table class="tests">'),
    );
    const rows = [...caps.matchAll(/<tr[^>]*data-key="(objectstore-[^"]+)"[^>]*>([\s\S]*?)<\/tr>/g)];
    expect(rows.length).toBe(18);
    for (const [, id, cells] of rows) {
      const states = [...cells!.matchAll(/<span class="st st-([a-z-]+)">/g)].map((m) => m[1]);
      expect(states[0], id).toBe('pass');
      expect(states[1], id).toBe('not-run');
      expect(cells, id).toContain('newly failing');
    }
    // What both clouds offer passes on both.
    const identity =
      /<tr[^>]*data-key="identity-v3-tokens-create"[^>]*>([\s\S]*?)<\/tr>/.exec(caps)?.[1] ?? '';
    expect([...identity.matchAll(/<span class="st st-([a-z-]+)">/g)].map((m) => m[1])).toEqual([
      'pass',
      'pass',
    ]);
  });

  it('leaves nothing of the run on the engine and never shows a password', () => {
    expect(pid).toBeGreaterThan(0);
    expect(sessionsOf(pid)).toEqual([]);
    for (const pw of [STORAGE_PASSWORD, IDENTITY_PASSWORD]) {
      expect(run.stdout + run.stderr).not.toContain(pw);
      expect(run.argvSeen.join('\n')).not.toContain(pw);
      for (const cloud of ['storage', 'identity-only'])
        for (const f of ['tcup.log', 'tempest.conf', 'summary.json', 'report.html'])
          expect(readFileSync(join(dir, 'runs', cloud, f), 'utf8'), `${cloud}/${f}`).not.toContain(pw);
      expect(readFileSync(join(dir, 'runs', 'comparison.html'), 'utf8')).not.toContain(pw);
    }
  });
});

describeDocker('several clouds in one command: Ctrl-C', () => {
  let one: KeystoneTenant;
  let two: KeystoneTenant;
  let run: LauncherRun;
  let dir: string;
  let pid = 0;
  let seenBoth = false;

  beforeAll(async () => {
    await requireDocker();
    [one, two] = await Promise.all([
      useKeystone({ members: ['demo', 'alt_demo'] }),
      useKeystone({ members: ['demo', 'alt_demo'] }),
    ]);
    let launcher: string;
    ({ dir, launcher } = launcherInEmptyDir());
    const cloud = (k: KeystoneTenant) =>
      `    auth: {auth_url: ${JSON.stringify(k.authUrl)}, username: ${k.members[0]!.username}, ` +
      `password: demo, project_name: ${k.members[0]!.project}}\n`;
    writeFileSync(join(dir, 'clouds.yaml'), `clouds:\n  one:\n${cloud(one)}  two:\n${cloud(two)}`);
    run = await runLauncher(
      launcher,
      [
        '--os-cloud',
        'one',
        '--os-cloud',
        'two',
        '--guideline',
        '2020.06',
        '--target',
        'object',
        '-o',
        'runs',
      ],
      {
        cwd: dir,
        env: {},
        onSpawn: (child) => {
          pid = child.pid ?? 0;
          // Ctrl-C once both clouds have a container.
          const poll = setInterval(() => {
            try {
              if (new Set(sessionsOf(pid)).size < 2) return;
            } catch {
              return;
            }
            seenBoth = true;
            clearInterval(poll);
            child.kill('SIGINT');
          }, 300);
          child.on('close', () => clearInterval(poll));
        },
      },
    );
  }, 1_200_000);

  afterAll(async () => {
    await Promise.all([one?.dispose(), two?.dispose()]);
  });

  it('stops both clouds, removes every container of each, and exits 130', () => {
    expect(seenBoth, run.stderr).toBe(true);
    expect(run.code, run.stderr).toBe(130);
    expect(sessionsOf(pid)).toEqual([]);
    expect(run.stderr).toMatch(/^\[(one|two)\] ✖ interrupted by SIGINT$/m);
    expect(run.stderr).not.toMatch(/could not remove/);
    const clouds = JSON.parse(readFileSync(join(dir, 'runs', 'clouds.json'), 'utf8')) as { exitCode: number };
    expect(clouds.exitCode).toBe(130);
  });
});
