/** tcup's single file run as a user would (openrc environment, own process, non-TTY stderr), timed. */
import { firstLineAt, runTimed, type TimedRun } from './timed-process.js';

export const IDENTITY_ARGS = ['--guideline', '2020.06', '--capability', 'identity-*'];

export interface TcupOutcome {
  run: TimedRun;
  /** From the spawn to the first `[ 1/N]` progress line. */
  firstResultMs: number | undefined;
  /** From "preparing the Tempest image" to the "reusing"/"built" line. */
  imageWorkMs: number | undefined;
  /** The image tag of the "reusing" line; undefined when the image was built (or the line is missing). */
  reusedTag: string | undefined;
  built: boolean;
  /** From the "reusing" line to the next line: reading the installed test list out of the image. */
  listingMs: number | undefined;
}

const PREPARING = /preparing the Tempest .*image/;
const REUSING = /^\s*reusing (tcup-tempest:\S+)/;
const BUILT = /^\s*built tcup-tempest:/;
const FIRST_RESULT = /^\[\s*1\/\d+\]/;

export async function runTcupTimed(
  launcher: string,
  options: {
    cwd: string;
    env: Record<string, string>;
    resultsDir: string;
    timeoutMs: number;
    signal: AbortSignal;
  },
): Promise<TcupOutcome> {
  const run = await runTimed(process.execPath, [launcher, ...IDENTITY_ARGS, '-o', options.resultsDir], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: options.cwd, ...options.env },
    timeoutMs: options.timeoutMs,
    signal: options.signal,
  });
  const preparing = firstLineAt(run, PREPARING);
  const reusing = run.stderr.find((line) => REUSING.test(line.text));
  const built = run.stderr.find((line) => BUILT.test(line.text));
  const ready = reusing ?? built;
  const next = ready ? run.stderr[run.stderr.indexOf(ready) + 1] : undefined;
  return {
    run,
    firstResultMs: firstLineAt(run, FIRST_RESULT),
    imageWorkMs: preparing !== undefined && ready ? ready.atMs - preparing : undefined,
    reusedTag: reusing ? REUSING.exec(reusing.text)?.[1] : undefined,
    built: built !== undefined,
    listingMs: ready && next ? next.atMs - ready.atMs : undefined,
  };
}

/** The last lines of a run's stderr, for an error message. */
export function tail(run: TimedRun, lines = 15): string {
  return run.stderr
    .slice(-lines)
    .map((l) => l.text)
    .join('\n');
}
