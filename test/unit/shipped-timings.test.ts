/**
 * The shipped default class times (src/tempest/data/timings.json) and the script that makes them
 * (scripts/ship-timings.mjs): only Tempest classes of the bundled lists, positive times, nothing else.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BUNDLED, STANDARDS } from '../../src/guidelines/data/index.js';
import { SHIPPED_TIMINGS } from '../../src/pipeline/steps/schedule.js';
import shipped from '../../src/tempest/data/timings.json' with { type: 'json' };
import { classOf } from '../../src/tempest/schedule.js';

const SCRIPT = fileURLToPath(new URL('../../scripts/ship-timings.mjs', import.meta.url));

/** Every class of every bundled guideline (all capabilities, flagged or not) and standard. */
function bundledClasses(): Set<string> {
  const classes = new Set<string>();
  for (const guideline of Object.values(BUNDLED))
    for (const capability of Object.values(guideline.capabilities))
      for (const test of capability.tests) classes.add(classOf(test.name));
  for (const standard of Object.values(STANDARDS)) for (const id of standard.tests) classes.add(classOf(id));
  return classes;
}

describe('shipped default timings', () => {
  const known = bundledClasses();
  const entries = Object.entries(shipped.classes as Record<string, unknown>);

  it('holds class times for the bundled targets', () => {
    expect(entries.length).toBeGreaterThan(0);
    expect(SHIPPED_TIMINGS.size).toBe(entries.length);
  });

  it.each(entries)('%s is a class of a bundled list, with a positive whole number of ms', (cls, ms) => {
    expect(known.has(cls), `${cls} is in no bundled guideline or standard`).toBe(true);
    expect(typeof ms).toBe('number');
    expect(Number.isInteger(ms) && (ms as number) > 0).toBe(true);
  });

  it('has only an about text and the classes: no URLs, no names of clouds or users', () => {
    expect(Object.keys(shipped).sort()).toEqual(['about', 'classes']);
    expect(JSON.stringify(shipped)).not.toMatch(/https?:\/\/|\d+\.\d+\.\d+\.\d+|@/);
  });
});

describe('scripts/ship-timings.mjs', () => {
  const A = 'tempest.api.object_storage.test_object_expiry.ObjectExpiryTest';
  const B = 'tempest.api.identity.v3.test_tokens.TokensV3Test';
  const C = 'tempest.api.compute.servers.test_servers.ServersTestJSON';

  function run(
    before: unknown,
    caches: Record<string, unknown>[],
    extra: string[] = [],
  ): { about: string; classes: Record<string, number> } {
    const dir = mkdtempSync(join(tmpdir(), 'tcup-ship-'));
    const out = join(dir, 'timings.json');
    if (before !== undefined) writeFileSync(out, JSON.stringify(before));
    const files = caches.map((classes, i) => {
      const file = join(dir, `43.0.0-${i}.json`);
      writeFileSync(file, JSON.stringify({ version: 1, classes }));
      return file;
    });
    execFileSync(process.execPath, [SCRIPT, ...files, '--out', out, ...extra], { stdio: 'pipe' });
    return JSON.parse(readFileSync(out, 'utf8')) as { about: string; classes: Record<string, number> };
  }

  it.each([
    {
      what: 'the median of the inputs replaces a shipped class; other shipped classes stay',
      before: { about: 'kept', classes: { [A]: 1, [C]: 500 } },
      caches: [{ [A]: 12_000 }, { [A]: 14_000 }, { [A]: 13_100.4, [B]: 400 }],
      want: { [A]: 13_100, [B]: 400, [C]: 500 },
    },
    {
      what: 'fixture ids, URLs, zero and negative times are dropped',
      before: undefined,
      caches: [
        {
          [B]: 300,
          'setUpClass (tempest.api.object_storage.test_account_quotas': 70,
          'http://10.0.0.1:5000/v3': 5,
          [A]: 0,
          [C]: -3,
        },
      ],
      want: { [B]: 300 },
    },
  ])('$what', ({ before, caches, want }) => {
    const got = run(before, caches);
    expect(got.classes).toEqual(want);
    expect(Object.keys(got.classes)).toEqual(Object.keys(want).sort());
  });

  it('keeps the about text unless --note says where the inputs ran', () => {
    expect(run({ about: 'kept', classes: {} }, [{ [B]: 1 }]).about).toBe('kept');
    expect(run({ about: 'old', classes: {} }, [{ [B]: 1 }], ['--note', 'Identity bed.']).about).toMatch(
      /^Class times .* Identity bed\.$/,
    );
  });

  it("--scale: a slower machine's input takes the file's scale by the classes both have", () => {
    // The input ran 4x slower (A and B shared: ratios 0.25 and 0.25): C, new, comes in at a quarter.
    const before = { about: 'x', classes: { [A]: 100, [B]: 50 } };
    const cache = { [A]: 400, [B]: 200, [C]: 1000 };
    expect(run(before, [cache], ['--scale']).classes).toEqual({ [A]: 100, [B]: 50, [C]: 250 });
    expect(run(before, [cache]).classes).toEqual({ [A]: 400, [B]: 200, [C]: 1000 });
  });

  it('refuses a file that is not a timings file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tcup-ship-'));
    writeFileSync(join(dir, 'x.json'), '{"tests": []}');
    expect(() =>
      execFileSync(process.execPath, [SCRIPT, join(dir, 'x.json'), '--out', join(dir, 'o.json')], {
        stdio: 'pipe',
      }),
    ).toThrow(/not a tcup timings file/);
  });
});
