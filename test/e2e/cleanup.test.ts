/**
 * What a launcher killed with SIGKILL leaves, found and removed by `tcup cleanup` (the built single file,
 * against the real Keystone test bed); and a run whose output reader goes away mid-run ends with exit
 * 141 and still removes its container.
 */
import { execFileSync } from 'node:child_process';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { tcupLeftovers } from '../support/faults.js';
import { launcherInEmptyDir, runLauncher, trackedLaunches } from '../support/launcher.js';
import { buildTempestImage, describeDocker, openrcEnv, requireDocker } from '../support/testbed.js';
import { type KeystoneTenant, useKeystone } from '../support/beds.js';

const PASSWORD = `cleanup "pw" ✓ $x`;

/** Containers (id, name, state) whose tcup.session names the launcher process `pid` on this host. */
function containersOf(pid: number | undefined): { id: string; name: string; state: string }[] {
  if (pid === undefined) return [];
  const format = '{{.ID}}\t{{.Names}}\t{{.State}}\t{{.Label "tcup.session"}}';
  const out = execFileSync(
    'docker',
    ['ps', '-a', '--no-trunc', '--filter', 'label=tcup=1', '--format', format],
    {
      encoding: 'utf8',
    },
  );
  return out
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split('\t'))
    .filter(([, , , session]) => session?.startsWith(`${hostname()}/${pid}/`))
    .map(([id, name, state]) => ({ id: id!, name: name!, state: state! }));
}

/** Calls `act` once the launcher's test container runs. */
function whenItsContainerRuns(act: (child: import('node:child_process').ChildProcess) => void) {
  return (child: import('node:child_process').ChildProcess) => {
    const poll = setInterval(() => {
      if (containersOf(child.pid).some((c) => c.state === 'running')) {
        clearInterval(poll);
        act(child);
      }
    }, 250);
    child.on('close', () => clearInterval(poll));
  };
}

describeDocker('tcup cleanup (single file, real Keystone)', () => {
  let keystone: KeystoneTenant;
  let dir: string;
  let launcher: string;
  let env: Record<string, string>;
  const pids: number[] = [];

  beforeAll(async () => {
    await requireDocker();
    await buildTempestImage();
    keystone = await useKeystone({ memberPassword: PASSWORD });
    ({ dir, launcher } = launcherInEmptyDir());
    env = openrcEnv(keystone, keystone.members[0]!);
  });

  afterAll(async () => {
    for (const c of pids.flatMap(containersOf))
      execFileSync('docker', ['rm', '-f', '-v', c.id], { stdio: 'ignore' });
    await keystone?.dispose();
  });

  it('--dry-run lists the container a killed launcher left; `tcup cleanup` removes it', async () => {
    let pid: number | undefined;
    const killed = await runLauncher(launcher, ['--capability', 'identity-*', '-o', join(dir, 'killed')], {
      cwd: dir,
      env,
      onSpawn: whenItsContainerRuns((child) => {
        pid = child.pid;
        pids.push(pid!);
        child.kill('SIGKILL');
      }),
    });
    expect(killed.signal).toBe('SIGKILL');
    const left = containersOf(pid);
    expect(left.length, 'the killed launcher left its container').toBeGreaterThan(0);

    const dry = await runLauncher(launcher, ['cleanup', '--dry-run'], { cwd: dir, env: {} });
    expect(dry.code, dry.stderr).toBe(0);
    for (const c of left)
      expect(dry.stdout).toContain(
        `would remove container ${c.name} (${c.state}, its tcup (pid ${pid}) is gone)`,
      );
    expect(dry.stdout).toMatch(/\(dry run: nothing removed\)$/m);
    expect(containersOf(pid).map((c) => c.id)).toEqual(left.map((c) => c.id));

    const real = await runLauncher(launcher, ['cleanup'], { cwd: dir, env: {} });
    expect(real.code, real.stderr).toBe(0);
    for (const c of left) expect(real.stdout).toContain(`removing container ${c.name} `);
    expect(real.stdout).toMatch(/^removed \d+ containers?/m);
    expect(containersOf(pid)).toEqual([]);
  });

  it('a run whose output reader goes away exits 141, quietly, and removes its container', async () => {
    const started = Date.now();
    const launches = trackedLaunches();
    const r = await launches.launch(launcher, ['--capability', 'identity-*', '-o', join(dir, 'closed')], {
      cwd: dir,
      env,
      onSpawn: whenItsContainerRuns((child) => {
        pids.push(child.pid!);
        child.stderr?.destroy();
      }),
    });
    expect([r.code, r.signal]).toEqual([141, null]);
    expect(r.stderr).not.toMatch(/EPIPE|Unhandled/);
    expect(await tcupLeftovers(launches, started)).toEqual([]);
  });
});
