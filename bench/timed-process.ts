/** A child process timed from just before its spawn: wall time, and each stderr line stamped as it arrives. */
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';

export interface TimedLine {
  /** Milliseconds since the spawn. */
  atMs: number;
  text: string;
}

export interface TimedRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  wallMs: number;
  stdout: string;
  stderr: TimedLine[];
  timedOut: boolean;
}

export interface TimedOptions {
  cwd: string;
  env: Record<string, string>;
  /** Written to stdin, which is then closed (closed at once without it). */
  input?: string;
  timeoutMs: number;
  /** On abort the child gets SIGTERM (its own cleanup), then SIGKILL 20 s later. */
  signal?: AbortSignal;
}

export function runTimed(command: string, args: string[], options: TimedOptions): Promise<TimedRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: 'pipe' });
    const stdout: Buffer[] = [];
    const stderr: TimedLine[] = [];
    let partial = '';
    let timedOut = false;
    child.stdout.on('data', (d: Buffer) => stdout.push(d));
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      const atMs = performance.now() - started;
      partial += chunk;
      for (let nl = partial.indexOf('\n'); nl >= 0; nl = partial.indexOf('\n')) {
        stderr.push({ atMs, text: partial.slice(0, nl) });
        partial = partial.slice(nl + 1);
      }
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    const stop = () => {
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 20_000).unref();
    };
    if (options.signal?.aborted) stop();
    options.signal?.addEventListener('abort', stop, { once: true });
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      const wallMs = performance.now() - started;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', stop);
      if (partial) stderr.push({ atMs: wallMs, text: partial });
      resolve({ code, signal, wallMs, stdout: Buffer.concat(stdout).toString('utf8'), stderr, timedOut });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input);
  });
}

/** The time of the first stderr line matching `pattern`, or undefined. */
export function firstLineAt(run: TimedRun, pattern: RegExp): number | undefined {
  return run.stderr.find((line) => pattern.test(line.text))?.atMs;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
