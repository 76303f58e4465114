/**
 * Benchmarks 1-3: tcup and a bare `docker run` of the same image, alternated against a Keystone test bed
 * the bench starts (and always removes). One untimed warm-up of each first: the image exists, caches are hot,
 * and the warm-up's results folder gives the exact test ids tcup sent (load-list.txt).
 */
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildLauncher } from '../test/support/launcher.js';
import { LABEL_SESSION, LABEL_TEST, openrcEnv, testbedSession } from '../test/support/testbed.js';
import { bareRequest, runBare, tokenRoles, type BareOutcome } from './bare-run.js';
import { idealMs, runTimes, writeCacheFile } from './class-times.js';
import { runTcupTimed, tail, type TcupOutcome } from './tcup-run.js';
import { type KeystoneTenant, useKeystone } from '../test/support/beds.js';

/** t = tcup, b = bare: each kind runs first, middle and last as often as the other. */
export const ORDER = ['t', 'b', 'b', 't', 't', 'b', 'b', 't', 't', 'b'] as const;
const RUN_TIMEOUT_MS = 8 * 60_000;
const PASSWORD = 'bench-Passw0rd-4e1a';

export interface WarmRuns {
  image: string;
  tests: string[];
  roles: string[];
  launcher: string;
  tcup: TcupOutcome[];
  bare: BareOutcome[];
  /** Runs in the order they happened, with wall times. */
  sequence: { kind: 't' | 'b'; wallMs: number }[];
  /** Per timed tcup run: its run phase (first test start → last test end) and the ideal schedule of its class times. */
  runPhase: { spanMs: number; idealMs: number }[];
}

export async function measureWarmRuns(
  work: string,
  signal: AbortSignal,
  onKeystone: (k: KeystoneTenant) => void,
  keepDir?: string,
): Promise<WarmRuns> {
  const launcher = join(work, 'tcup.cjs');
  copyFileSync(buildLauncher(), launcher);
  const keystone = await useKeystone({ memberPassword: PASSWORD });
  onKeystone(keystone);
  const user = keystone.members[0]!;
  const env = openrcEnv(keystone, user);
  const labels = { [LABEL_TEST]: '1', [LABEL_SESSION]: testbedSession };
  let n = 0;
  const tcup = async () => {
    const resultsDir = join(work, `results-${++n}`);
    const out = await runTcupTimed(launcher, {
      cwd: work,
      env,
      resultsDir,
      timeoutMs: RUN_TIMEOUT_MS,
      signal,
    });
    if (out.run.code !== 0) throw new Error(`tcup run ${n} exited with ${out.run.code}:\n${tail(out.run)}`);
    const times = runTimes(resultsDir);
    if (keepDir) writeCacheFile(join(keepDir, `identity-run-${n}.json`), times.classes);
    return { out, resultsDir, times };
  };

  log('warm-up: tcup (untimed)');
  const warm = await tcup();
  const tests = readFileSync(join(warm.resultsDir, 'load-list.txt'), 'utf8').split('\n').filter(Boolean);
  const image = warm.out.reusedTag ?? builtTag(warm.out);
  const roles = await tokenRoles(keystone, user);
  const request = bareRequest(keystone, user, roles, tests);
  const bare = async () => {
    const out = await runBare(image, `tcup-bench-${testbedSession.slice(0, 8)}-${++n}`, labels, request, {
      cwd: work,
      timeoutMs: RUN_TIMEOUT_MS,
      signal,
    });
    const reported = Object.values(out.statuses).reduce((a, b) => a + b, 0);
    if (out.run.code !== 0 || out.doneCode !== 0 || reported !== tests.length)
      throw new Error(
        `bare run ${n}: exit ${out.run.code}, done ${out.doneCode}, ${reported} of ${tests.length} results:\n` +
          out.run.stderr
            .slice(-15)
            .map((l) => l.text)
            .join('\n'),
      );
    return out;
  };
  log('warm-up: bare docker run (untimed)');
  await bare();

  const result: WarmRuns = { image, tests, roles, launcher, tcup: [], bare: [], sequence: [], runPhase: [] };
  for (const [i, kind] of ORDER.entries()) {
    log(`timed run ${i + 1}/${ORDER.length}: ${kind === 't' ? 'tcup' : 'bare docker run'}`);
    if (kind === 't') {
      const { out, times } = await tcup();
      result.tcup.push(out);
      result.runPhase.push({ spanMs: times.spanMs, idealMs: idealMs(times.classes, times.workers) });
      result.sequence.push({ kind, wallMs: out.run.wallMs });
    } else {
      const out = await bare();
      result.bare.push(out);
      result.sequence.push({ kind, wallMs: out.run.wallMs });
    }
  }
  return result;
}

function builtTag(out: TcupOutcome): string {
  const line = out.run.stderr.find((l) => /^\s*built tcup-tempest:/.test(l.text));
  const tag = line && /built (tcup-tempest:\S+)/.exec(line.text)?.[1];
  if (!tag) throw new Error(`tcup named no image:\n${tail(out.run)}`);
  return tag;
}

export function log(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}
