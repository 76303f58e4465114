/**
 * The fault matrix: for Ctrl-C and SIGTERM at each stage, a missing Docker engine, an unreachable or
 * refusing Keystone, a test container killed from outside, an unwritable results folder and a RefStack
 * server that refuses or never answers: the documented exit code, one `✖` sentence (and a hint where one
 * helps), no stack trace, nothing labelled by tcup left on the engine, and the results that existed on disk.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedPort, runOnTerminal, startSilentServer, tcupLeftovers, when } from '../support/faults.js';
import { launcherWithImageFault } from '../support/image-faults.js';
import {
  launcherInEmptyDir,
  trackedLaunches,
  type LauncherOptions,
  type LauncherRun,
} from '../support/launcher.js';
import { startRefstackServer } from '../support/refstack-server.js';
import { buildTempestImage, describeDocker, openrcEnv, requireDocker } from '../support/testbed.js';
import { type KeystoneTenant, useKeystone } from '../support/beds.js';

const PASSWORD = 'fault "matrix" pw ✓';
const IDENTITY = ['--guideline', '2020.06', '--capability', 'identity-*'];
/** A progress line with at least one result. */
const PROGRESS = /\[\s*[1-9]\d*\/\s*\d+\] \d+ passed/;
/** This file's launchers: its leftover checks and the container it kills are theirs alone. */
const launches = trackedLaunches();

/** The documented code, one `✖` line, no stack frame. */
function expectFailure(r: { code: number | null; stderr: string }, code: number, message: RegExp): void {
  expect(r.code, r.stderr).toBe(code);
  // eslint-disable-next-line no-control-regex
  const plain = r.stderr.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '');
  const errors = plain.split('\n').filter((l) => l.startsWith('✖'));
  expect(errors, r.stderr).toHaveLength(1);
  expect(errors[0]).toMatch(message);
  expect(errors[0]!.length, 'one sentence, not a dump').toBeLessThan(300);
  expect(r.stderr, 'no stack trace').not.toMatch(/^\s+at .+\(.*:\d+:\d+\)$|^\s+at [\w.<>]+ \(/m);
}

describeDocker('fault matrix', () => {
  let keystone: KeystoneTenant;
  let dir: string;
  let launcher: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    await requireDocker();
    await buildTempestImage();
    keystone = await useKeystone({ memberPassword: PASSWORD });
    ({ dir, launcher } = launcherInEmptyDir());
    env = openrcEnv(keystone, keystone.members[0]!);
  });

  afterAll(async () => {
    await keystone?.dispose();
  });

  /** Runs the launcher; afterwards nothing of tcup's created meanwhile may be left on the engine. */
  async function launch(
    args: string[],
    options: { env?: Record<string, string>; onSpawn?: LauncherOptions['onSpawn'] } = {},
  ): Promise<LauncherRun & { ms: number }> {
    const started = Date.now();
    const r = await launches.launch(launcher, args, {
      cwd: dir,
      env: options.env ?? env,
      onSpawn: options.onSpawn,
    });
    const ms = Date.now() - started;
    expect(await tcupLeftovers(launches, started), `left behind by: tcup ${args.join(' ')}`).toEqual([]);
    return { ...r, ms };
  }

  describe('at the password prompt (on a terminal)', () => {
    const promptEnv = () => {
      const { OS_PASSWORD: _pw, ...rest } = env;
      return rest;
    };

    it('Ctrl-C typed at the prompt: exit 130, one sentence', async () => {
      const r = await runOnTerminal(launcher, [], {
        cwd: dir,
        env: promptEnv(),
        pattern: /OpenStack password for demo/,
        act: ({ type }) => type('\x03'),
      });
      expectFailure({ code: r.code, stderr: r.output }, 130, /✖ .*cancel/);
    });

    for (const [signal, code] of [
      ['SIGINT', 130],
      ['SIGTERM', 143],
    ] as const)
      it(`${signal} at the prompt: exit ${code}`, async () => {
        const r = await runOnTerminal(launcher, [], {
          cwd: dir,
          env: promptEnv(),
          pattern: /OpenStack password for demo/,
          act: ({ pid }) => process.kill(pid, signal),
        });
        expectFailure({ code: r.code, stderr: r.output }, code, new RegExp(`✖ interrupted by ${signal}`));
      });
  });

  describe('signals during the pipeline', () => {
    for (const [signal, code] of [
      ['SIGINT', 130],
      ['SIGTERM', 143],
    ] as const)
      it(`${signal} while Keystone does not answer the preflight: exit ${code} at once`, async () => {
        const silent = await startSilentServer();
        try {
          const trigger = when(/credentials: /, (child) => void child.kill(signal));
          const r = await launch([], {
            env: { ...env, OS_AUTH_URL: `http://127.0.0.1:${silent.port}/v3` },
            onSpawn: trigger.onSpawn,
          });
          expect(trigger.fired()).toBeDefined();
          expectFailure(r, code, new RegExp(`✖ interrupted by ${signal}`));
          expect(r.ms).toBeLessThan(10_000);
        } finally {
          await silent.close();
        }
      });

    it('SIGINT during an image build: exit 130, the build stopped, no image, no build container', async () => {
      // A recipe of its own (tcup's plus a slow last step), so the build is never cached.
      const marker = `tcup-fault-slow-build-${process.pid}-${Date.now()}`;
      const slow = launcherWithImageFault({ dockerfile: `RUN echo ${marker} && sleep 120`, files: {} });
      // Every tcup image on the engine, not only this file's: the other engine lane (the compute e2e,
      // scripts/test.mjs) makes none, it runs the images build-images.ts made before both lanes began.
      const images = () =>
        execFileSync('docker', ['images', '-q', '--filter', 'label=tcup=1', '--no-trunc'], {
          encoding: 'utf8',
        })
          .split('\n')
          .filter(Boolean);
      const before = new Set(images());
      const started = Date.now();
      const trigger = when(
        /› preparing the Tempest \d+ \([^)]*\) image/,
        (child) => void setTimeout(() => child.kill('SIGINT'), 3_000),
      );
      const r = await launches.launch(slow.launcher, [...IDENTITY, '-o', join(slow.dir, 'interrupted')], {
        cwd: slow.dir,
        env,
        onSpawn: trigger.onSpawn,
      });
      expect(trigger.fired()).toBeDefined();
      expectFailure(r, 130, /✖ interrupted by SIGINT/);
      expect(r.stderr).not.toMatch(/built tcup-tempest/);
      expect(
        images().filter((id) => !before.has(id)),
        'a new tcup image after an interrupted build',
      ).toEqual([]);
      expect(await tcupLeftovers(launches, started)).toEqual([]);
      // The legacy builder's intermediate container of the slow step (it carries no label) is gone too.
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      const builders = execFileSync(
        'docker',
        ['ps', '-a', '--no-trunc', '--format', '{{.ID}} {{.Command}}'],
        {
          encoding: 'utf8',
        },
      )
        .split('\n')
        .filter((l) => l.includes(marker));
      expect(builders).toEqual([]);
    });

    // One real run per fault class: an interrupt during the tests here; the other moments of the
    // pipeline (as the container is created, started, its results copied, released, the verdict, the
    // report) are cases of test/unit/pipeline-faults.test.ts, with the engine's journal checked in order.
    it('SIGTERM during the test run: exit 143, the container removed, the results so far on disk', async () => {
      const out = join(dir, 'sigterm-run');
      const trigger = when(PROGRESS, (child) => void child.kill('SIGTERM'));
      const r = await launch([...IDENTITY, '-o', out], { onSpawn: trigger.onSpawn });
      expect(trigger.fired()).toBeDefined();
      expectFailure(r, 143, /✖ interrupted/);
      const tests = JSON.parse(readFileSync(join(out, 'tests.json'), 'utf8')) as unknown[];
      expect(tests.length).toBeGreaterThan(0);
      expect(readFileSync(join(out, 'tcup.log'), 'utf8')).toMatch(PROGRESS);
    });
  });

  describe('environment faults', () => {
    it('Docker daemon unreachable: exit 5 with a hint', async () => {
      const r = await launch(IDENTITY, { env: { ...env, DOCKER_HOST: 'unix:///nonexistent.sock' } });
      expectFailure(r, 5, /✖ no container engine answers at DOCKER_HOST \(unix:\/\/\/nonexistent\.sock\)/);
      expect(r.stderr).toMatch(/hint: .*DOCKER_HOST/);
    });

    it('Keystone unreachable (closed port): exit 4 in seconds', async () => {
      const port = await closedPort();
      const r = await launch(IDENTITY, { env: { ...env, OS_AUTH_URL: `http://127.0.0.1:${port}/v3` } });
      expectFailure(r, 4, new RegExp(`✖ cannot reach Keystone at 127\\.0\\.0\\.1:${port}`));
      expect(r.stderr).toMatch(/hint: /);
      expect(r.ms).toBeLessThan(15_000);
    });

    it('wrong password: exit 4, before anything slow', async () => {
      const r = await launch(IDENTITY, { env: { ...env, OS_PASSWORD: 'wrong' } });
      expectFailure(r, 4, /✖ Keystone rejected the credentials for user demo/);
      expect(r.stderr).not.toMatch(/preparing the Tempest/);
    });

    it('results folder not writable (-o under a file): exit 8 before any test runs', async () => {
      const r = await launch([...IDENTITY, '-o', '/etc/passwd/results']);
      expectFailure(r, 8, /✖ cannot create the results folder \/etc\/passwd\/results: ENOTDIR/);
      expect(r.stderr).toMatch(/hint: .*--results-dir/);
      expect(r.stderr).not.toMatch(/running \d+ tests/);
    });

    it('test container killed from outside: exit 7, one sentence, the results so far on disk', async () => {
      const out = join(dir, 'killed');
      let armed = 0;
      const arm = when(/account\(s\); operator role/, () => void (armed = Date.now()));
      const kill = when(PROGRESS, () => {
        // This run's own test container: the other engine lane's run beside it must not be the one killed.
        const [id] = launches.containers({ running: true, since: armed - 1_000 });
        if (id) execFileSync('docker', ['kill', id], { stdio: 'ignore' });
      });
      const r = await launch([...IDENTITY, '-o', out], {
        onSpawn: (child, output) => {
          arm.onSpawn(child, output);
          kill.onSpawn(child, output);
        },
      });
      expect(kill.fired()).toBeDefined();
      expectFailure(r, 7, /✖ the test container ended before it reported its results/);
      const tests = JSON.parse(readFileSync(join(out, 'tests.json'), 'utf8')) as unknown[];
      expect(tests.length).toBeGreaterThan(0);
      expect(existsSync(join(out, 'tcup.log'))).toBe(true);
    });
  });

  describe('RefStack faults: exit 10, one sentence, refstack.json kept', () => {
    let results: string;

    it('500 on the upload after a run (--upload --yes --anonymous)', async () => {
      const server = await startRefstackServer({ failTimes: Infinity, failStatus: 500 });
      try {
        results = join(dir, 'upload-faults');
        const r = await launch([
          ...IDENTITY,
          '-o',
          results,
          '--upload',
          '--yes',
          '--anonymous',
          '--refstack-url',
          server.url,
        ]);
        expectFailure(r, 10, /✖ .*(RefStack|upload)/i);
        expect(server.received.length).toBeGreaterThan(0);
        expect(existsSync(join(results, 'refstack.json'))).toBe(true);
        expect(existsSync(join(results, 'upload.json'))).toBe(false);
      } finally {
        await server.close();
      }
    });

    const uploadAgain = async (url: string) =>
      launch(['upload', results, '--anonymous', '--yes', '--refstack-url', url]);

    it('400 (tcup upload DIR)', async () => {
      const server = await startRefstackServer({ failTimes: Infinity, failStatus: 400 });
      try {
        expectFailure(await uploadAgain(server.url), 10, /✖ .*(RefStack|upload)/i);
      } finally {
        await server.close();
      }
    });

    it('401: anonymous uploads refused (tcup upload DIR)', async () => {
      const server = await startRefstackServer({ anonymous: false });
      try {
        const r = await uploadAgain(server.url);
        expectFailure(r, 10, /✖ .*(RefStack|upload)/i);
        expect(r.stderr).toMatch(/hint: /);
      } finally {
        await server.close();
      }
    });

    it('not answering: a closed port (tcup upload DIR)', async () => {
      const r = await uploadAgain(`http://127.0.0.1:${await closedPort()}/api`);
      expectFailure(r, 10, /✖ .*(RefStack|upload)/i);
      expect(existsSync(join(results, 'refstack.json'))).toBe(true);
    });

    it('SIGINT while the server holds the upload: exit 130, refstack.json kept', async () => {
      const silent = await startSilentServer();
      try {
        const trigger = when(/Upload to /, async (child) => {
          await new Promise((resolve) => setTimeout(resolve, 500));
          child.kill('SIGINT');
        });
        const r = await launch(
          [
            'upload',
            results,
            '--anonymous',
            '--yes',
            '--refstack-url',
            `http://127.0.0.1:${silent.port}/api`,
          ],
          {
            onSpawn: trigger.onSpawn,
          },
        );
        expect(trigger.fired()).toBeDefined();
        expectFailure(r, 130, /✖ interrupted by SIGINT/);
        expect(r.ms).toBeLessThan(10_000);
        expect(existsSync(join(results, 'refstack.json'))).toBe(true);
      } finally {
        await silent.close();
      }
    });
  });
});
