/**
 * Step: the workers' schedule. Class times measured on this machine for this cloud and Tempest (the
 * timings cache), else the shipped defaults measured on tcup's test bed, decide which classes each
 * worker runs; after the run the new times are merged into the cache.
 */
import type { Reporter } from '../../core/log.js';
import type { TestResult } from '../../results/tests.js';
import shipped from '../../tempest/data/timings.json' with { type: 'json' };
import {
  classOf,
  classTimes,
  describeSchedule,
  scheduleClasses,
  type Schedule,
} from '../../tempest/schedule.js';
import { loadTimings, saveTimings, timingsFile } from '../../tempest/timings.js';

export interface PlannedWorkers {
  schedule: Schedule;
  /** For the container request: classes per worker; absent with one worker (nothing to balance). */
  workers?: string[][];
  /** Where this run's class times are kept. */
  cacheFile: string;
}

const RAN = new Set<TestResult['status']>(['success', 'fail', 'xfail', 'uxsuccess']);

export const SHIPPED_TIMINGS: ReadonlyMap<string, number> = new Map(Object.entries(shipped.classes));

export async function planWorkers(
  env: Readonly<Record<string, string | undefined>>,
  key: { tempest: string; authUrl: string },
  testIds: readonly string[],
  concurrency: number,
  reporter: Reporter,
): Promise<PlannedWorkers> {
  const cacheFile = timingsFile(env, key.tempest, key.authUrl);
  const measured = await loadTimings(cacheFile);
  const schedule = scheduleClasses(testIds, concurrency, measured, SHIPPED_TIMINGS);
  const [head, ...rest] = describeSchedule(schedule);
  reporter.step(head!);
  for (const line of rest) reporter.log(line);
  return {
    schedule,
    cacheFile,
    ...(schedule.workers.length > 1 ? { workers: schedule.workers.map((w) => w.classes) } : {}),
  };
}

/** Merges the run's class times into the cache; a cache that cannot be written only costs balance. */
export async function keepTimings(
  planned: PlannedWorkers,
  tests: readonly TestResult[],
  reporter: Reporter,
): Promise<void> {
  // A class whose tests were all skipped (too few accounts, a missing service) says nothing of its time.
  const ran = new Set(tests.filter((t) => RAN.has(t.status)).map((t) => classOf(t.id)));
  const times = classTimes(
    tests
      .filter((t) => t.startMs !== undefined && t.durationMs !== undefined && ran.has(classOf(t.id)))
      .map((t) => ({ id: t.id, worker: t.worker, startMs: t.startMs, stopMs: t.startMs! + t.durationMs! })),
  );
  await saveTimings(planned.cacheFile, times).catch((error: unknown) =>
    reporter.log(`class times not kept (${error instanceof Error ? error.message : String(error)})`),
  );
}
