/** The built single-file launcher, run as a user would: its own process, a plain environment, a temp dir. */
import { spawn, execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
let built: string | undefined;

/** Builds dist/tcup.cjs once per test process. */
export function buildLauncher(): string {
  if (!built) {
    execFileSync(process.execPath, [join(ROOT, 'scripts/build.mjs')], { cwd: ROOT, stdio: 'pipe' });
    built = join(ROOT, 'dist/tcup.cjs');
  }
  return built;
}

/** A new empty directory holding only a copy of the launcher: what a user who downloaded it has. */
export function launcherInEmptyDir(): { dir: string; launcher: string } {
  const dir = mkdtempSync(join(tmpdir(), 'tcup-e2e-'));
  const launcher = join(dir, 'tcup.cjs');
  copyFileSync(buildLauncher(), launcher);
  return { dir, launcher };
}

export interface LauncherRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Command lines of every process seen while it ran (for leak checks). */
  argvSeen: string[];
}

export interface LauncherOptions {
  cwd: string;
  env: Record<string, string>;
  input?: string;
  timeoutMs?: number;
  /** Called with the child once it runs (e.g. to send it a signal). */
  onSpawn?: (child: import('node:child_process').ChildProcess, output: () => string) => void;
  /** Runs the launcher as this user (a rootless Podman user), not as the test's. */
  user?: { uid: number; gid: number };
}

/**
 * What every launcher of the e2e gets in its environment: this machine's mirror is a dated snapshot whose
 * Debian testing Release files have expired, so the Tempest 47 image builds only with apt's Valid-Until
 * check off (tcup never turns it off itself).
 */
export const TESTBED_ENV = { TCUP_TESTBED_APT_VALID_UNTIL: 'ignore' } as const;

/** Runs `node LAUNCHER ARGS` with only the given environment (plus PATH, HOME and the test bed's apt switch). */
export function runLauncher(
  launcher: string,
  args: string[],
  options: LauncherOptions,
): Promise<LauncherRun> {
  return new Promise((resolve, reject) => {
    const env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: options.cwd,
      ...TESTBED_ENV,
      ...options.env,
    };
    const child = spawn(process.execPath, [launcher, ...args], {
      cwd: options.cwd,
      env,
      stdio: 'pipe',
      ...(options.user ? { uid: options.user.uid, gid: options.user.gid } : {}),
    });
    let stdout = '';
    let stderr = '';
    const argvSeen = new Set<string>();
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const sampler = setInterval(() => {
      try {
        for (const line of execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).split('\n'))
          argvSeen.add(line);
      } catch {
        /* ps may be missing */
      }
    }, 500);
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 600_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearInterval(sampler);
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, argvSeen: [...argvSeen] });
    });
    if (options.input !== undefined) child.stdin.end(options.input);
    else child.stdin.end();
    options.onSpawn?.(child, () => stdout + stderr);
  });
}

/** An engine's command line: `docker`, or `podman` (as the rootless user: `runuser -u USER -- podman`). */
export interface EngineCli {
  kind: 'docker' | 'podman';
  argv: readonly string[];
  env?: Readonly<Record<string, string>>;
}

export const DOCKER_CLI: EngineCli = { kind: 'docker', argv: ['docker'] };

/** Runs the engine's command line; its stdout. */
export function engineCli(cli: EngineCli, args: readonly string[]): string {
  const [command, ...prefix] = cli.argv;
  return execFileSync(command!, [...prefix, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
    maxBuffer: 50_000_000,
    env: { ...process.env, ...cli.env },
  });
}

/** tcup's containers on the engine (label tcup=1): full id, session label, creation time (ms). */
function tcupContainers(
  cli: EngineCli,
  running: boolean,
): { id: string; session: string; created: number }[] {
  const ps = (format: string) =>
    engineCli(cli, [
      'ps',
      ...(running ? [] : ['-a']),
      '--no-trunc',
      '--filter',
      'label=tcup=1',
      '--format',
      format,
    ])
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split(' '));
  if (cli.kind === 'podman')
    return ps('{{.ID}} {{index .Labels "tcup.session"}} {{.Created.UnixMilli}}').map(
      ([id, session, created]) => ({
        id: id!,
        session: session ?? '',
        created: Number(created),
      }),
    );
  const listed = ps('{{.ID}} {{.Label "tcup.session"}}').map(([id, session]) => ({
    id: id!,
    session: session ?? '',
  }));
  if (listed.length === 0) return [];
  let created: string;
  try {
    created = engineCli(cli, ['inspect', '--format', '{{.Id}} {{.Created}}', ...listed.map((c) => c.id)]);
  } catch (error) {
    created = (error as { stdout?: string }).stdout ?? ''; // one was removed meanwhile
  }
  const at = new Map(
    created
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split(' '))
      .map(([id, time]) => [id!, Date.parse(time!)] as const),
  );
  return listed.flatMap((c) => {
    const t = at.get(c.id);
    return t === undefined ? [] : [{ ...c, created: t }];
  });
}

/** One launcher a file started: its pid, from when, and until when (while it runs: none yet). */
interface Launch {
  pid: number;
  from: number;
  to?: number;
}

/** The engine's clock and ours are the same host's; this covers the whole seconds some listings round to. */
const CLOCK_SLACK_MS = 2_000;

export interface TrackedLaunches {
  /** runLauncher, remembering the launcher (its pid, while it ran). */
  launch: (launcher: string, args: string[], options: LauncherOptions) => Promise<LauncherRun>;
  /** Counts a launcher started another way (in a terminal: tmux, `script`) as this file's, from `from` on. */
  track: (pid: number, from?: number) => void;
  /**
   * Full ids of the tcup containers (running or not; only running ones with `running`; only those made
   * at or after `since`, ms) these launchers made, oldest first.
   */
  containers: (options?: { running?: boolean; since?: number }) => string[];
}

/**
 * A runner that remembers the launchers it started, and lists the tcup containers those launchers made:
 * the session label is `host/pid/random`, and the engine is shared with other runs (the other engine
 * lane of `npm test` runs the compute e2e at the same time, scripts/test.mjs), so only these count. A
 * container counts when its session names this host and one of these pids and it was made while that
 * launcher ran (pids come round again in a long run).
 */
export function trackedLaunches(cli: EngineCli = DOCKER_CLI): TrackedLaunches {
  const launches: Launch[] = [];
  const host = hostname();
  return {
    launch: async (launcher, args, options) => {
      const from = Date.now();
      let mine: Launch | undefined;
      try {
        return await runLauncher(launcher, args, {
          ...options,
          onSpawn: (child, output) => {
            if (child.pid) launches.push((mine = { pid: child.pid, from }));
            options.onSpawn?.(child, output);
          },
        });
      } finally {
        if (mine) mine.to = Date.now();
      }
    },
    track: (pid, from = Date.now()) => void launches.push({ pid, from }),
    containers: ({ running = false, since = 0 } = {}) => {
      const pids = new Set(launches.map((l) => l.pid));
      const listed = tcupContainers(cli, running).filter(({ session }) => {
        const [h, pid] = session.split('/');
        return h === host && pids.has(Number(pid));
      });
      const candidates = listed.map(({ id, session }) => ({ id, pid: Number(session.split('/')[1]) }));
      const at = new Map(listed.map(({ id, created }) => [id, created] as const));
      return candidates
        .filter(({ id, pid }) => {
          const t = at.get(id);
          return (
            t !== undefined &&
            t >= since &&
            launches.some(
              (l) =>
                l.pid === pid &&
                t >= l.from - CLOCK_SLACK_MS &&
                (l.to === undefined || t <= l.to + CLOCK_SLACK_MS),
            )
          );
        })
        .sort((a, b) => at.get(a.id)! - at.get(b.id)!)
        .map(({ id }) => id);
    },
  };
}
