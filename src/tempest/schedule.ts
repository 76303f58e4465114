/**
 * Which Tempest classes each worker runs (pure). Classes stay whole (their fixtures are per class);
 * they are handed out longest first to the worker that is free soonest, by measured class times (this
 * machine's history of the cloud, else the shipped defaults, else an estimate from the test count).
 */
import { FIXTURE, splitTestId } from '../results/tests.js';

/** Where a class's expected time came from. */
export type TimingSource = 'measured' | 'default' | 'estimate';

export interface ClassTiming {
  ms: number;
  source: TimingSource;
}

export interface WorkerPlan {
  /** Class ids (`tempest.api.x.test_y.ClassName`), longest first. */
  classes: string[];
  /** The sum of the classes' expected times. */
  expectedMs: number;
}

export interface Schedule {
  workers: WorkerPlan[];
  /** max(longest class, total / workers): no schedule of whole classes can be faster. */
  idealMs: number;
  /** The slowest worker's expected time. */
  expectedMs: number;
  /** How many classes had each kind of timing. */
  sources: Record<TimingSource, number>;
  /** Each test's expected time: its class's over the class's test count (for the ETA). */
  perTest: Map<string, number>;
}

/** Expected time of a test of a class that no timing knows (seconds a Tempest API test typically takes). */
export const ESTIMATE_MS_PER_TEST = 3_000;

/** `a.b.C.test_x[id-…]` → `a.b.C`; `setUpClass (a.b.C)` → `a.b.C`; an undotted id is its own class. */
export function classOf(testId: string): string {
  // A fixture that failed is reported as `setUpClass (a.b.C)`: it belongs to that class.
  const fixture = FIXTURE.exec(testId);
  if (fixture) return fixture[2]!;
  const { name } = splitTestId(testId);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
}

/** The tests grouped by class, in first-seen order. */
export function groupByClass(testIds: readonly string[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const id of testIds) {
    const cls = classOf(id);
    const list = groups.get(cls);
    if (list) list.push(id);
    else groups.set(cls, [id]);
  }
  return groups;
}

/**
 * Longest-processing-time-first over `workers` workers. `measured` wins over `defaults`; a class
 * neither knows is estimated from its test count. Ties go to the lower worker, so a plan is stable.
 */
export function scheduleClasses(
  testIds: readonly string[],
  workers: number,
  measured: ReadonlyMap<string, number>,
  defaults: ReadonlyMap<string, number> = new Map(),
): Schedule {
  const groups = groupByClass(testIds);
  const sources: Record<TimingSource, number> = { measured: 0, default: 0, estimate: 0 };
  const perTest = new Map<string, number>();
  const timed = [...groups].map(([cls, tests]) => {
    const timing = timingOf(cls, tests.length, measured, defaults);
    sources[timing.source] += 1;
    for (const id of tests) perTest.set(id, timing.ms / tests.length);
    return { cls, ms: timing.ms };
  });
  timed.sort((a, b) => b.ms - a.ms || (a.cls < b.cls ? -1 : 1));
  const n = Math.max(1, Math.min(Math.floor(workers), timed.length || 1));
  const plans: WorkerPlan[] = Array.from({ length: n }, () => ({ classes: [], expectedMs: 0 }));
  for (const { cls, ms } of timed) {
    let best = plans[0]!;
    for (const p of plans) if (p.expectedMs < best.expectedMs) best = p;
    best.classes.push(cls);
    best.expectedMs += ms;
  }
  const total = timed.reduce((sum, t) => sum + t.ms, 0);
  const longest = timed[0]?.ms ?? 0;
  return {
    workers: plans,
    idealMs: Math.max(longest, total / n),
    expectedMs: Math.max(0, ...plans.map((p) => p.expectedMs)),
    sources,
    perTest,
  };
}

function timingOf(
  cls: string,
  tests: number,
  measured: ReadonlyMap<string, number>,
  defaults: ReadonlyMap<string, number>,
): ClassTiming {
  const m = measured.get(cls);
  if (m !== undefined) return { ms: m, source: 'measured' };
  const d = defaults.get(cls);
  if (d !== undefined) return { ms: d, source: 'default' };
  return { ms: tests * ESTIMATE_MS_PER_TEST, source: 'estimate' };
}

/** One timed test as a run reports it: which worker ran it, and when. */
export interface TimedTest {
  id: string;
  worker?: string | undefined;
  /** Epoch ms. */
  startMs?: number | undefined;
  stopMs?: number | undefined;
}

/**
 * Class times from one run, fixtures included: on each worker the tests run one class after the
 * other, so a class lasts from the end of the worker's previous class (or the worker's first start)
 * to the end of its own last test; set-up and tear-down fall inside that span. Tests without a worker
 * or timestamps count their own duration only.
 */
export function classTimes(tests: readonly TimedTest[]): Map<string, number> {
  const times = new Map<string, number>();
  const add = (cls: string, ms: number) => times.set(cls, (times.get(cls) ?? 0) + Math.max(0, ms));
  const byWorker = new Map<string, (TimedTest & { startMs: number; stopMs: number })[]>();
  for (const t of tests) {
    if (t.startMs === undefined || t.stopMs === undefined) continue;
    if (t.worker === undefined) {
      add(classOf(t.id), t.stopMs - t.startMs);
      continue;
    }
    const list = byWorker.get(t.worker) ?? [];
    list.push({ ...t, startMs: t.startMs, stopMs: t.stopMs });
    byWorker.set(t.worker, list);
  }
  for (const list of byWorker.values()) {
    list.sort((a, b) => a.startMs - b.startMs);
    let since = list[0]!.startMs;
    let i = 0;
    while (i < list.length) {
      const cls = classOf(list[i]!.id);
      let end = list[i]!.stopMs;
      while (i < list.length && classOf(list[i]!.id) === cls) end = Math.max(end, list[i++]!.stopMs);
      add(cls, end - since);
      since = end;
    }
  }
  return times;
}

/** The plan as log lines: one per worker with its expected time and classes. */
export function describeSchedule(schedule: Schedule): string[] {
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const { measured, default: shipped, estimate } = schedule.sources;
  return [
    `schedule: ${schedule.workers.length} worker(s), expected ${s(schedule.expectedMs)}, ideal ${s(schedule.idealMs)}` +
      ` (class times: ${measured} measured here, ${shipped} shipped defaults, ${estimate} estimated)`,
    ...schedule.workers.map(
      (w, i) => `  worker ${i}: ${s(w.expectedMs)}, ${w.classes.length} class(es): ${w.classes.join(', ')}`,
    ),
  ];
}
