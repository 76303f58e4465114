/**
 * tcup on Podman, rootful and rootless, as a user of each would run it: the identity run (image built
 * by content hash on rootful Podman; on rootless Podman loaded with `tcup image load` from a file `tcup
 * image save` wrote on Docker), Ctrl-C mid-run, the debug shell, a killed launcher's container removed
 * by `tcup cleanup`; and the leak check: the password nowhere in the output, the results, `podman inspect`
 * of the containers while they lived, the images (inspect, history, file system) or the host disk
 * (temp files, Podman's state outside the image layers). Nothing of tcup's is left on Podman afterwards.
 * Rootless runs the launcher as the rootless user with only XDG_RUNTIME_DIR: tcup finds the socket.
 */
import { chmodSync, chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  filesChangedSince,
  findLeaks,
  folderHaystacks,
  imageFilesMatching,
  imageHaystacks,
  secretForms,
  tcupImages,
  watchTcupContainers,
  type Haystack,
} from '../support/leaks.js';
import {
  engineCli,
  launcherInEmptyDir,
  trackedLaunches,
  type LauncherRun,
  type TrackedLaunches,
} from '../support/launcher.js';
import {
  copyImageFromDocker,
  podmanMissing,
  startPodman,
  tcupResourcesOn,
  type PodmanMode,
  type PodmanService,
} from '../support/podman.js';
import { describeDocker, openrcEnv, requireDocker } from '../support/testbed.js';
import { type KeystoneTenant, useKeystone } from '../support/beds.js';

// Quotes, spaces, a backslash, regex metacharacters, interpolation syntax, unicode.
const PASSWORD = `Pödman "pw" 'q' \\ & *.+ $HOME \${x} %20 ✓ end`;
const IDENTITY = ['--guideline', '2020.06', '--capability', 'identity-*'];
/** Tempest 47's base (the choice for a Keystone-only cloud), for the rootful build. */
const TEMPEST_BASE = 'debian:forky-slim';
const missing = podmanMissing();

(missing === undefined ? describeDocker : describe.skip)('tcup on Podman', () => {
  let keystone: KeystoneTenant;

  beforeAll(async () => {
    await requireDocker();
    keystone = await useKeystone({ memberPassword: PASSWORD });
  });
  afterAll(async () => {
    await keystone?.dispose();
  });

  describe.each<PodmanMode>(['rootful', 'rootless'])('%s', (mode) => {
    let podman: PodmanService;
    let dir: string;
    let launcher: string;
    let env: Record<string, string>;
    const started = Date.now();
    /** This mode's launchers, whose containers are listed on this Podman. */
    let launches: TrackedLaunches;
    const seen: { what: string; run: LauncherRun; inspect: string; out?: string }[] = [];

    const run = async (
      what: string,
      args: string[],
      options: { input?: string; out?: string; onSpawn?: (child: ChildProcess) => void } = {},
    ) => {
      const watcher = watchTcupContainers(launches, podman.cli);
      const r = await launches.launch(launcher, args, {
        cwd: dir,
        env,
        ...(podman.user ? { user: podman.user } : {}),
        ...(options.input !== undefined ? { input: options.input } : {}),
        ...(options.onSpawn ? { onSpawn: options.onSpawn } : {}),
      });
      const { inspect } = await watcher.stop();
      seen.push({ what, run: r, inspect, ...(options.out ? { out: options.out } : {}) });
      return r;
    };

    beforeAll(async () => {
      podman = await startPodman(mode);
      launches = trackedLaunches(podman.cli);
      ({ dir, launcher } = launcherInEmptyDir());
      env = { ...openrcEnv(keystone, keystone.members[0]!), ...podman.launcherEnv };
      if (podman.user) {
        chmodSync(dir, 0o755);
        chownSync(dir, podman.user.uid, podman.user.gid);
        chownSync(launcher, podman.user.uid, podman.user.gid);
      }
      if (mode === 'rootful') copyImageFromDocker(podman, TEMPEST_BASE);
      else {
        // The image as one file: written by `tcup image save` on Docker (root's engine), loaded by the
        // rootless user with `tcup image load` (nothing built, nothing downloaded).
        // A user's first load: any tcup image this Podman holds from an earlier run goes first.
        for (const image of await tcupImages(podman.cli)) engineCli(podman.cli, ['rmi', image]);
        const archive = join(dir, 'tcup-tempest.tar');
        const save = await launches.launch(launcher, ['image', 'save', archive], { cwd: dir, env: {} });
        expect(save.code, save.stderr).toBe(0);
        chmodSync(archive, 0o644);
        const load = await run('image load', ['image', 'load', archive]);
        expect(load.code, load.stderr).toBe(0);
        expect(load.stderr).toMatch(/› loaded tcup-tempest:\w+: runs of this tcup use it/);
        rmSync(archive);
      }
    }, 900_000);

    afterAll(async () => {
      await podman?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('an identity run passes, and says which engine it used', async () => {
      const out = join(dir, 'run');
      const r = await run('identity run', [...IDENTITY, '-o', out], { out });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain(`engine: Podman `);
      expect(r.stderr).toMatch(
        new RegExp(`engine: Podman [\\d.]+ at ${podman.address.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\n`),
      );
      expect(r.stderr).toMatch(
        mode === 'rootful'
          ? /built tcup-tempest:\w+ in \d+ s|reusing tcup-tempest:/
          : /reusing tcup-tempest:/,
      );
      expect(r.stderr).toMatch(/6 of 6 required capabilities pass/);
      const tests = JSON.parse(readFileSync(join(out, 'tests.json'), 'utf8')) as unknown[];
      expect(tests.length).toBe(7);
    }, 900_000);

    it('Ctrl-C while its container runs: exit 130, the container removed', async () => {
      const out = join(dir, 'interrupted');
      const r = await run('interrupted run', [...IDENTITY, '-o', out], {
        out,
        onSpawn: (child) => {
          const poll = setInterval(() => {
            if (launches.containers({ running: true }).length > 0) {
              clearInterval(poll);
              setTimeout(() => child.kill('SIGINT'), 3_000);
            }
          }, 250);
          child.on('close', () => clearInterval(poll));
        },
      });
      expect(r.code, r.stderr).toBe(130);
      expect(r.stderr).toMatch(/✖ interrupted/);
      expect(launches.containers()).toEqual([]);
    }, 600_000);

    it('the debug shell opens in the container and closes with it', async () => {
      const r = await run('debug shell', ['--debug'], {
        input: 'cat /run/tcup/ws/etc/accounts.yaml; exit 0\n',
      });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/password: \[REDACTED\]/);
      expect(r.stderr).toMatch(/debug shell closed \(exit code 0\)/);
    }, 600_000);

    it("a killed launcher's container: `tcup cleanup` finds and removes it on Podman", async () => {
      let killed: number | undefined;
      const r = await run('killed run', [...IDENTITY, '-o', join(dir, 'killed')], {
        onSpawn: (child) => {
          const poll = setInterval(() => {
            if (launches.containers({ running: true }).length > 0) {
              clearInterval(poll);
              killed = child.pid;
              child.kill('SIGKILL');
            }
          }, 250);
          child.on('close', () => clearInterval(poll));
        },
      });
      expect(r.signal).toBe('SIGKILL');
      expect(killed).toBeDefined();
      const left = launches.containers();
      expect(left.length, 'the killed launcher left its container').toBe(1);
      const cleanup = await run('tcup cleanup', ['cleanup']);
      expect(cleanup.code, cleanup.stderr).toBe(0);
      expect(cleanup.stdout).toMatch(/^removed 1 container/m);
      expect(launches.containers()).toEqual([]);
    }, 600_000);

    it('no secret anywhere: output, results, podman inspect while the containers lived, the images, the host disk', async () => {
      const secrets = [{ name: 'the password', value: PASSWORD }];
      const lived = seen.filter((s) => s.inspect !== '');
      expect(lived.length, 'podman inspect taken while containers lived').toBeGreaterThanOrEqual(3);
      const haystacks: Haystack[] = seen.flatMap((s): Haystack[] => [
        [`${s.what}: stdout`, s.run.stdout],
        [`${s.what}: stderr`, s.run.stderr],
        [`${s.what}: process arguments`, s.run.argvSeen.join('\n')],
        [`${s.what}: podman inspect`, s.inspect],
        ...(s.out ? folderHaystacks(s.out).map(([p, c]): Haystack => [`${s.what}: ${p}`, c]) : []),
      ]);
      const images = await tcupImages(podman.cli);
      expect(images.length).toBeGreaterThan(0);
      haystacks.push(...(await imageHaystacks(images, podman.cli)));
      // The host disk: temp files, and Podman's own state (its database keeps every container's
      // configuration) outside the image layers, whose files are searched inside the images below.
      haystacks.push(...filesChangedSince(tmpdir(), started, [dir]));
      for (const state of podman.stateDirs)
        haystacks.push(...filesChangedSince(state, started, [join(state, 'overlay'), join(state, 'vfs')]));
      expect(findLeaks(haystacks, secrets)).toEqual([]);

      const patterns = mkdtempSync(join(tmpdir(), 'tcup-podman-patterns-'));
      try {
        chmodSync(patterns, 0o755);
        writeFileSync(join(patterns, 'patterns'), secretForms(PASSWORD).join('\n') + '\n', { mode: 0o644 });
        // The probe works: the patterns file itself is found the same way.
        expect(await imageFilesMatching(images[0]!, patterns, '/patterns', podman.cli)).toEqual([
          '/patterns/patterns',
        ]);
        for (const image of images)
          expect(await imageFilesMatching(image, patterns, undefined, podman.cli), image).toEqual([]);
      } finally {
        rmSync(patterns, { recursive: true, force: true });
      }
    }, 600_000);

    it('nothing of tcup is left on Podman', () => {
      expect(tcupResourcesOn(podman)).toEqual([]);
    });
  });
});

// A machine without Podman says why the file did nothing (in CI podmanMissing throws instead).
describe.skipIf(missing === undefined)('tcup on Podman (not here)', () => {
  it.skip(`skipped: ${missing ?? ''}`, () => undefined);
});
