/**
 * Class times of one run, from its results folder (tests.json: each test's worker, start and duration),
 * by the same rule tcup keeps them with (src/tempest/schedule.ts classTimes: fixtures included). Also
 * writes them as a timings cache file, the input of scripts/ship-timings.mjs.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { classTimes } from '../src/tempest/schedule.js';

interface RecordedTest {
  id: string;
  status: string;
  worker?: string;
  startMs?: number;
  durationMs?: number;
}

export interface RunTimes {
  classes: Map<string, number>;
  /** First test start to last test end (epoch ms difference): the run phase as the tests saw it. */
  spanMs: number;
  workers: number;
}

export function runTimes(resultsDir: string): RunTimes {
  const tests = JSON.parse(readFileSync(join(resultsDir, 'tests.json'), 'utf8')) as RecordedTest[];
  const timed = tests
    .filter((t) => t.startMs !== undefined && t.durationMs !== undefined)
    .map((t) => ({ id: t.id, worker: t.worker, startMs: t.startMs!, stopMs: t.startMs! + t.durationMs! }));
  if (timed.length === 0) throw new Error(`${resultsDir}/tests.json has no timed tests`);
  const start = Math.min(...timed.map((t) => t.startMs));
  const stop = Math.max(...timed.map((t) => t.stopMs));
  return {
    classes: classTimes(timed),
    spanMs: stop - start,
    workers: new Set(timed.map((t) => t.worker ?? '')).size,
  };
}

/** max(longest class, total / workers): no schedule of whole classes is faster. */
export function idealMs(classes: ReadonlyMap<string, number>, workers: number): number {
  const values = [...classes.values()];
  const total = values.reduce((a, b) => a + b, 0);
  return Math.max(0, ...values, total / Math.max(1, workers));
}

/** The class times in the timings cache's format (class ids and ms only). */
export function writeCacheFile(file: string, classes: ReadonlyMap<string, number>): void {
  const sorted = [...classes].sort(([a], [b]) => (a < b ? -1 : 1));
  const body = { version: 1, classes: Object.fromEntries(sorted.map(([c, ms]) => [c, Math.round(ms)])) };
  writeFileSync(file, `${JSON.stringify(body, null, 1)}\n`);
}
