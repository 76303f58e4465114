/** Live progress of a test run (pure): counts, an ETA from the average time per finished test, one line. */

/** A finished test's status; xfail counts as passed, uxsuccess as failed, not-run as skipped. */
export type ProgressStatus = 'success' | 'fail' | 'skip' | 'xfail' | 'uxsuccess' | 'not-run';

export interface ProgressSnapshot {
  done: number;
  total: number;
  passed: number;
  failed: number;
  skipped: number;
  /** Estimated time left; absent before MIN_RESULTS_FOR_ETA results and once all tests are done. */
  etaMs?: number;
}

export interface Progress {
  /** Restarts the clock (call when the tests start; creation time is used otherwise). */
  start(): void;
  /** A finished test; with expected times given, its id says how much of the run it was. */
  record(status: ProgressStatus, id?: string): void;
  snapshot(): ProgressSnapshot;
}

export const MIN_RESULTS_FOR_ETA = 2;

const KIND: Record<ProgressStatus, 'passed' | 'failed' | 'skipped'> = {
  success: 'passed',
  xfail: 'passed',
  fail: 'failed',
  uxsuccess: 'failed',
  skip: 'skipped',
  'not-run': 'skipped',
};

/**
 * `expectedMs` (test id → expected time, from the schedule's class times) makes the ETA follow the
 * work rather than the count: a run whose long classes come last no longer promises an early end. The
 * fraction done is the expected time of the finished tests over that of all; a test it does not know
 * weighs the average of those it knows (with none, every test weighs the same: the plain average).
 */
export function createProgress(
  total: number,
  now: () => number = Date.now,
  expectedMs: ReadonlyMap<string, number> = new Map(),
): Progress {
  const counts = { passed: 0, failed: 0, skipped: 0 };
  const known = [...expectedMs.values()].filter((ms) => ms > 0);
  const unit = known.length > 0 ? known.reduce((a, b) => a + b, 0) / known.length : 1;
  const weightOf = (id: string | undefined) => {
    const ms = id === undefined ? undefined : expectedMs.get(id);
    return ms !== undefined && ms > 0 ? ms : unit;
  };
  // The mean of the known weights stands in for the unknown ones, so the whole is that mean per test.
  const totalWeight = unit * total;
  let doneWeight = 0;
  let startedAt = now();
  let lastAt = startedAt;
  return {
    start() {
      startedAt = now();
      lastAt = startedAt;
    },
    record(status, id) {
      counts[KIND[status]] += 1;
      doneWeight += weightOf(id);
      lastAt = now();
    },
    snapshot() {
      const done = counts.passed + counts.failed + counts.skipped;
      const snapshot: ProgressSnapshot = { done, total, ...counts };
      const left = total - done;
      if (done >= MIN_RESULTS_FOR_ETA && left > 0 && doneWeight > 0) {
        // Time per unit of expected work up to the last result, less the time since: counts down.
        const fraction = Math.min(1, doneWeight / totalWeight);
        const perUnit = (lastAt - startedAt) / fraction;
        snapshot.etaMs = Math.max(0, Math.round(perUnit * (1 - fraction) - (now() - lastAt)));
      }
      return snapshot;
    },
  };
}

/** `[ 9/58] 8 passed, 1 failed, 0 skipped · ETA 0:34`: the counter is padded to the width of the total. */
export function formatProgress(snapshot: ProgressSnapshot): string {
  const width = String(snapshot.total).length;
  const counter = `[${String(snapshot.done).padStart(width)}/${snapshot.total}]`;
  const counts = `${snapshot.passed} passed, ${snapshot.failed} failed, ${snapshot.skipped} skipped`;
  const eta = snapshot.etaMs === undefined ? '' : ` · ETA ${formatDuration(snapshot.etaMs)}`;
  return `${counter} ${counts}${eta}`;
}

/** 0:34, 12:05, 1:02:09 (rounded up to the second, so a little time left never shows as 0:00). */
export function formatDuration(ms: number): string {
  const seconds = Math.ceil(Math.max(0, ms) / 1000);
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = String(seconds % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}
