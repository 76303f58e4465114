/** mapLimit (src/core/limit.ts): order kept, never more than the limit in flight, no new start after a failure. */
import { describe, expect, it } from 'vitest';
import { mapLimit } from '../../src/core/limit.js';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('mapLimit', () => {
  it.each([
    { items: 8, limit: 3, most: 3 },
    { items: 2, limit: 5, most: 2 },
    { items: 5, limit: 1, most: 1 },
    { items: 4, limit: 0, most: 1 },
    { items: 0, limit: 3, most: 0 },
  ])(
    '$items items, limit $limit: at most $most at once, results in order',
    async ({ items, limit, most }) => {
      let inFlight = 0;
      let peak = 0;
      const out = await mapLimit(
        Array.from({ length: items }, (_, i) => i),
        limit,
        async (n) => {
          peak = Math.max(peak, ++inFlight);
          await tick(5 * ((n * 7) % 3)); // finishing out of order
          inFlight--;
          return n * 10;
        },
      );
      expect(out).toEqual(Array.from({ length: items }, (_, i) => i * 10));
      expect(peak).toBe(most);
    },
  );

  it('rejects with the first failure and starts nothing after it', async () => {
    const started: number[] = [];
    await expect(
      mapLimit([0, 1, 2, 3, 4, 5], 2, async (n) => {
        started.push(n);
        await tick(1);
        if (n === 1) throw new Error('cannot reach the compute API: timed out');
        return n;
      }),
    ).rejects.toThrow(/timed out/);
    await tick(20);
    expect(started).toEqual([0, 1, 2]);
  });
});
