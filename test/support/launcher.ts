/** The built single-file launcher, run as a user would: its own process, a plain environment, a temp dir. */
import { spawn, execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
    const child = spawn(process.execPath, [launcher, ...args], { cwd: options.cwd, env, stdio: 'pipe' });
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

/**
 * A runner that remembers the launchers it started, and lists the tcup containers (running or not)
 * those launchers made: the session label is `host/pid/random`, and the engine is shared with other
 * runs, so only these count.
 */
export function trackedLaunches(): {
  launch: (launcher: string, args: string[], options: LauncherOptions) => Promise<LauncherRun>;
  containers: () => string;
} {
  const pids = new Set<number>();
  return {
    launch: (launcher, args, options) =>
      runLauncher(launcher, args, {
        ...options,
        onSpawn: (child, output) => {
          if (child.pid) pids.add(child.pid);
          options.onSpawn?.(child, output);
        },
      }),
    containers: () =>
      execFileSync(
        'docker',
        ['ps', '-a', '--filter', 'label=tcup=1', '--format', '{{.ID}} {{.Label "tcup.session"}}'],
        { encoding: 'utf8' },
      )
        .split('\n')
        .filter((line) => pids.has(Number(line.split(' ')[1]?.split('/')[1])))
        .map((line) => line.split(' ')[0])
        .join('\n'),
  };
}
