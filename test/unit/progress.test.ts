import { describe, expect, it } from 'vitest';
import {
  createProgress,
  formatDuration,
  formatProgress,
  type ProgressSnapshot,
  type ProgressStatus,
} from '../../src/tempest/progress.js';

/** A clock the test moves by hand. */
function fakeClock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('createProgress', () => {
  const cases: {
    name: string;
    total: number;
    /** [ms since the previous result, status] */
    results: [number, ProgressStatus][];
    /** ms after the last result when the snapshot is taken */
    after?: number;
    expected: ProgressSnapshot;
  }[] = [
    {
      name: 'nothing yet',
      total: 58,
      results: [],
      expected: { done: 0, total: 58, passed: 0, failed: 0, skipped: 0 },
    },
    {
      name: 'one result: no ETA yet',
      total: 10,
      results: [[1000, 'success']],
      expected: { done: 1, total: 10, passed: 1, failed: 0, skipped: 0 },
    },
    {
      name: 'two results: ETA from the average',
      total: 10,
      results: [
        [1000, 'success'],
        [3000, 'fail'],
      ],
      expected: { done: 2, total: 10, passed: 1, failed: 1, skipped: 0, etaMs: 16_000 },
    },
    {
      name: 'ETA counts down between results',
      total: 10,
      results: [
        [1000, 'success'],
        [3000, 'skip'],
      ],
      after: 5000,
      expected: { done: 2, total: 10, passed: 1, failed: 0, skipped: 1, etaMs: 11_000 },
    },
    {
      name: 'ETA never negative',
      total: 4,
      results: [
        [1000, 'success'],
        [1000, 'success'],
      ],
      after: 60_000,
      expected: { done: 2, total: 4, passed: 2, failed: 0, skipped: 0, etaMs: 0 },
    },
    {
      name: 'xfail passes, uxsuccess fails, not-run is skipped',
      total: 5,
      results: [
        [0, 'xfail'],
        [0, 'uxsuccess'],
        [0, 'not-run'],
      ],
      expected: { done: 3, total: 5, passed: 1, failed: 1, skipped: 1, etaMs: 0 },
    },
    {
      name: 'done: no ETA',
      total: 2,
      results: [
        [1000, 'success'],
        [1000, 'fail'],
      ],
      expected: { done: 2, total: 2, passed: 1, failed: 1, skipped: 0 },
    },
    {
      name: 'more results than expected: no ETA',
      total: 1,
      results: [
        [1000, 'success'],
        [1000, 'success'],
      ],
      expected: { done: 2, total: 1, passed: 2, failed: 0, skipped: 0 },
    },
  ];

  it.each(cases)('$name', ({ total, results, after = 0, expected }) => {
    const clock = fakeClock();
    const progress = createProgress(total, clock.now);
    for (const [ms, status] of results) {
      clock.advance(ms);
      progress.record(status);
    }
    clock.advance(after);
    expect(progress.snapshot()).toEqual(expected);
  });

  it('measures from start() when it is called', () => {
    const clock = fakeClock();
    const progress = createProgress(4, clock.now);
    clock.advance(60_000); // building the image and tempest.conf: not test time
    progress.start();
    clock.advance(2000);
    progress.record('success');
    clock.advance(2000);
    progress.record('success');
    expect(progress.snapshot().etaMs).toBe(4000);
  });
});

describe('formatProgress', () => {
  it.each<[ProgressSnapshot, string]>([
    [
      { done: 12, total: 58, passed: 11, failed: 1, skipped: 0, etaMs: 34_000 },
      '[12/58] 11 passed, 1 failed, 0 skipped · ETA 0:34',
    ],
    [
      { done: 9, total: 58, passed: 8, failed: 1, skipped: 0, etaMs: 34_000 },
      '[ 9/58] 8 passed, 1 failed, 0 skipped · ETA 0:34',
    ],
    [{ done: 0, total: 58, passed: 0, failed: 0, skipped: 0 }, '[ 0/58] 0 passed, 0 failed, 0 skipped'],
    [{ done: 58, total: 58, passed: 50, failed: 2, skipped: 6 }, '[58/58] 50 passed, 2 failed, 6 skipped'],
    [{ done: 0, total: 0, passed: 0, failed: 0, skipped: 0 }, '[0/0] 0 passed, 0 failed, 0 skipped'],
    [
      { done: 7, total: 1200, passed: 7, failed: 0, skipped: 0, etaMs: 3_723_000 },
      '[   7/1200] 7 passed, 0 failed, 0 skipped · ETA 1:02:03',
    ],
  ])('%j', (snapshot, expected) => {
    expect(formatProgress(snapshot)).toBe(expected);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0:00'],
    [1, '0:01'],
    [999, '0:01'],
    [1000, '0:01'],
    [59_001, '1:00'],
    [754_000, '12:34'],
    [3_600_000, '1:00:00'],
    [-5, '0:00'],
  ])('%d ms is %s', (ms, expected) => {
    expect(formatDuration(ms)).toBe(expected);
  });
});

describe('ETA from expected times', () => {
  // Eight 1 s tests, then two of 20 s: the long ones come last, as router and volume classes do.
  const ids = Array.from({ length: 10 }, (_, i) => `t.C${i}.test`);
  const expected = new Map(ids.map((id, i) => [id, i < 8 ? 1_000 : 20_000]));
  it.each([
    ['the plain average promises an early end', new Map<string, number>(), 2_000],
    ['expected times see the long tests coming', expected, 40_000],
  ])('%s', (_name, weights, eta) => {
    let clock = 0;
    const progress = createProgress(ids.length, () => clock, weights);
    for (const id of ids.slice(0, 8)) {
      clock += 1_000;
      progress.record('success', id);
    }
    expect(progress.snapshot().etaMs).toBe(eta);
  });
  it('a test the times do not know weighs their average', () => {
    let clock = 0;
    const progress = createProgress(
      4,
      () => clock,
      new Map([
        ['a', 1_000],
        ['b', 3_000],
      ]),
    );
    clock = 2_000;
    progress.record('success', 'x');
    progress.record('skip', 'y');
    // 2 of 4 units of the mean done in 2 s: 2 s left.
    expect(progress.snapshot().etaMs).toBe(2_000);
  });
});
