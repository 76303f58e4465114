import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  classOf,
  classTimes,
  ESTIMATE_MS_PER_TEST,
  scheduleClasses,
  type TimedTest,
} from '../../src/tempest/schedule.js';
import { loadTimings, mergeTimings, saveTimings, timingsFile } from '../../src/tempest/timings.js';

const t = (cls: string, name: string) => `tempest.api.${cls}.${name}[id-0,smoke]`;

/** Recorded from the storage run on the test bed (class → ms): one long object-expiry class. */
const STORAGE: [string, number][] = [
  ['tempest.api.object_storage.test_object_expiry.ObjectExpiryTest', 12_800],
  ['tempest.api.object_storage.test_object_services.ObjectTest', 6_100],
  ['tempest.api.object_storage.test_container_services.ContainerTest', 3_900],
  ['tempest.api.object_storage.test_account_services.AccountTest', 2_600],
  ['tempest.api.object_storage.test_container_acl.ObjectTestACLs', 2_400],
  ['tempest.api.object_storage.test_object_temp_url.ObjectTempUrlTest', 2_200],
  ['tempest.api.object_storage.test_container_quotas.ContainerQuotasTest', 1_900],
  ['tempest.api.object_storage.test_object_slo.ObjectSloTest', 1_300],
  ['tempest.api.object_storage.test_account_quotas.AccountQuotasTest', 500],
];

describe('classOf', () => {
  it.each([
    [
      'tempest.api.compute.servers.test_x.ServersTest.test_a[id-1,smoke]',
      'tempest.api.compute.servers.test_x.ServersTest',
    ],
    ['tempest.api.identity.v3.test_t.TokensTest.test_b', 'tempest.api.identity.v3.test_t.TokensTest'],
    [
      'setUpClass (tempest.api.object_storage.test_q.QuotasTest)',
      'tempest.api.object_storage.test_q.QuotasTest',
    ],
    ['tearDownClass (tempest.api.a.B)', 'tempest.api.a.B'],
    ['plain', 'plain'],
  ])('%s → %s', (id, cls) => expect(classOf(id)).toBe(cls));
});

describe('scheduleClasses', () => {
  const ids = STORAGE.flatMap(([cls]) => [`${cls}.test_one[id-a]`, `${cls}.test_two[id-b]`]);
  const measured = new Map(STORAGE);

  it('keeps every class whole, on exactly one worker', () => {
    const s = scheduleClasses(ids, 2, measured);
    const all = s.workers.flatMap((w) => w.classes);
    expect(all.sort()).toEqual(STORAGE.map(([c]) => c).sort());
    expect(new Set(all).size).toBe(all.length);
  });

  it('hands out the longest class first and balances the rest against it', () => {
    const s = scheduleClasses(ids, 2, measured);
    const [a, b] = s.workers;
    expect(a!.classes[0]).toBe(STORAGE[0]![0]);
    const total = STORAGE.reduce((sum, [, ms]) => sum + ms, 0);
    expect(a!.expectedMs + b!.expectedMs).toBe(total);
    // Greedy longest-first is within 4/3 of the optimum in general; on these times within 1 %.
    expect(s.expectedMs).toBeLessThanOrEqual(s.idealMs * 1.01);
    expect(s.expectedMs).toBeGreaterThanOrEqual(s.idealMs);
    expect(s.idealMs).toBe(Math.max(12_800, total / 2));
  });

  it.each([
    [1, 1],
    [2, 2],
    [4, 4],
    [50, STORAGE.length],
  ])('with %i workers it plans %i', (workers, planned) => {
    expect(scheduleClasses(ids, workers, measured).workers).toHaveLength(planned);
  });

  it('prefers measured times, then shipped defaults, then an estimate from the test count', () => {
    const [c1, c2, c3] = ['a.B', 'c.D', 'e.F'];
    const s = scheduleClasses(
      [`${c1}.test_1`, `${c2}.test_1`, `${c3}.test_1`, `${c3}.test_2`],
      1,
      new Map([[c1, 100]]),
      new Map([
        [c1, 999],
        [c2, 200],
      ]),
    );
    expect(s.sources).toEqual({ measured: 1, default: 1, estimate: 1 });
    expect(s.expectedMs).toBe(100 + 200 + 2 * ESTIMATE_MS_PER_TEST);
  });

  it('an empty list plans one idle worker', () => {
    const s = scheduleClasses([], 3, new Map());
    expect(s.workers).toEqual([{ classes: [], expectedMs: 0 }]);
  });
});

describe('classTimes', () => {
  it('spans fixtures: from the end of the previous class on the worker to the end of the last test', () => {
    const tests: TimedTest[] = [
      { id: t('a.A', 'test_1'), worker: 'worker-0', startMs: 1_000, stopMs: 2_000 },
      { id: t('a.A', 'test_2'), worker: 'worker-0', startMs: 2_100, stopMs: 3_000 },
      // B's setUpClass ran 3.0 → 5.0 before its first test.
      { id: t('b.B', 'test_1'), worker: 'worker-0', startMs: 5_000, stopMs: 6_000 },
      { id: t('c.C', 'test_1'), worker: 'worker-1', startMs: 1_500, stopMs: 1_700 },
      { id: t('d.D', 'test_1'), startMs: 10, stopMs: 60 },
      { id: t('e.E', 'test_1') },
    ];
    expect(Object.fromEntries(classTimes(tests))).toEqual({
      'tempest.api.a.A': 2_000,
      'tempest.api.b.B': 3_000,
      'tempest.api.c.C': 200,
      'tempest.api.d.D': 50,
    });
  });
});

describe('timings cache', () => {
  it('is keyed by Tempest version and a hash of the auth URL, never the URL itself', () => {
    const env = { XDG_CACHE_HOME: '/c' };
    const a = timingsFile(env, '43.0.0', 'https://keystone.example.com:5000/v3');
    expect(a).toMatch(/^\/c\/tcup\/timings\/43\.0\.0-[0-9a-f]{16}\.json$/);
    expect(a).not.toContain('example');
    expect(timingsFile(env, '43.0.0', 'https://keystone.example.com:5000/v3/')).toBe(a);
    expect(timingsFile(env, '33.0.0', 'https://keystone.example.com:5000/v3')).not.toBe(a);
    expect(timingsFile({ HOME: '/h' }, '43', 'x')).toMatch(/^\/h\/\.cache\/tcup\/timings\//);
  });

  it('merges over runs (mean of old and new) and survives a missing or broken file', async () => {
    expect(
      Object.fromEntries(
        mergeTimings(
          new Map([
            ['a', 100],
            ['b', 50],
          ]),
          new Map([
            ['a', 300],
            ['c', 7],
          ]),
        ),
      ),
    ).toEqual({
      a: 200,
      b: 50,
      c: 7,
    });
    const file = join(mkdtempSync(join(tmpdir(), 'tcup-timings-')), 'sub', 'x.json');
    expect((await loadTimings(file)).size).toBe(0);
    await saveTimings(file, new Map([['k.C', 1000]]));
    await saveTimings(
      file,
      new Map([
        ['k.C', 3000],
        ['k.D', 10],
      ]),
    );
    expect(Object.fromEntries(await loadTimings(file))).toEqual({ 'k.C': 2000, 'k.D': 10 });
    expect(readFileSync(file, 'utf8')).not.toMatch(/password|http/);
  });
});

describe('keepTimings', () => {
  it('keeps the classes that ran, not those whose tests were all skipped', async () => {
    const { keepTimings } = await import('../../src/pipeline/steps/schedule.js');
    const cacheFile = join(mkdtempSync(join(tmpdir(), 'tcup-keep-')), 't.json');
    const schedule = scheduleClasses([], 1, new Map());
    const logged: string[] = [];
    const reporter = { log: (l: string) => logged.push(l) } as unknown as Parameters<typeof keepTimings>[2];
    await keepTimings(
      { schedule, cacheFile },
      [
        {
          id: 'a.A.test_1',
          name: 'a.A.test_1',
          status: 'success',
          worker: 'worker-0',
          startMs: 0,
          durationMs: 500,
        },
        {
          id: 'a.A.test_2',
          name: 'a.A.test_2',
          status: 'skip',
          worker: 'worker-0',
          startMs: 600,
          durationMs: 1,
        },
        {
          id: 'b.B.test_1',
          name: 'b.B.test_1',
          status: 'skip',
          worker: 'worker-1',
          startMs: 0,
          durationMs: 2,
        },
      ],
      reporter,
    );
    expect(Object.fromEntries(await loadTimings(cacheFile))).toEqual({ 'a.A': 601 });
    expect(logged).toEqual([]);
  });
});
