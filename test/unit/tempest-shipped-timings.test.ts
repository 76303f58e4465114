/** Each Tempest variant ships class times of its own runs (src/tempest/data): 47 starts from 43's and says so. */
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

  it("Tempest 47's start as 43's, and say so", () => {
    expect(shippedTimings('47').about).toMatch(/none measured on Tempest 47 yet.*Tempest 43's/);
    expect([...shippedTimings('47').classes]).toEqual([...shippedTimings('43').classes]);
  });

  it("a Tempest without its own gets 43's", () =>
    expect(shippedTimings('99').classes).toBe(shippedTimings('43').classes));
});
