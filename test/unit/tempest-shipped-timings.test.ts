/** Each Tempest variant ships class times of its own runs (src/tempest/data): 47's compute classes are its own. */
import { describe, expect, it } from 'vitest';
import { shippedTimings } from '../../src/tempest/data/timings.js';
import { VARIANTS } from '../../src/tempest/variant.js';

describe('shipped class times', () => {
  it('every variant has some, each a Tempest class id with a positive time', () => {
    for (const v of VARIANTS) {
      const { classes } = shippedTimings(v.id);
      expect(classes.size).toBeGreaterThan(10);
      for (const [cls, ms] of classes) {
        expect(cls).toMatch(/^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)+\.[A-Z][A-Za-z0-9_]*$/);
        expect(ms).toBeGreaterThan(0);
      }
    }
  });

  it("Tempest 47's compute classes are measured on Tempest 47, and it says which are not", () => {
    const t47 = shippedTimings('47');
    const t43 = shippedTimings('43');
    expect(t47.about).toMatch(
      /Tempest 47\.0\.0: \d+ compute, network, volume and image classes measured .*still Tempest 43's/,
    );
    const compute = [...t47.classes.keys()].filter((c) => c.startsWith('tempest.api.compute.'));
    expect(compute.length).toBeGreaterThan(10);
    expect(compute.filter((c) => t47.classes.get(c) !== t43.classes.get(c)).length).toBeGreaterThan(
      compute.length / 2,
    );
  });

  it("a Tempest without its own gets 43's", () =>
    expect(shippedTimings('99').classes).toBe(shippedTimings('43').classes));
});
