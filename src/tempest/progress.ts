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
  record(status: ProgressStatus): void;
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

export function createProgress(total: number, now: () => number = Date.now): Progress {
  const counts = { passed: 0, failed: 0, skipped: 0 };
  let startedAt = now();
  let lastAt = startedAt;
  return {
    start() {
      startedAt = now();
      lastAt = startedAt;
    },
    record(status) {
      counts[KIND[status]] += 1;
      lastAt = now();
    },
    snapshot() {
      const done = counts.passed + counts.failed + counts.skipped;
      const snapshot: ProgressSnapshot = { done, total, ...counts };
      const left = total - done;
      if (done >= MIN_RESULTS_FOR_ETA && left > 0) {
        // Average time per result up to the last one, less the time since: counts down between results.
        const average = (lastAt - startedAt) / done;
        snapshot.etaMs = Math.max(0, Math.round(average * left - (now() - lastAt)));
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
