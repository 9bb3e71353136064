// firstK gives what sorting the whole list (stably) and taking the first k gives.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { firstK } from '../../src/report/first-k.js';

describe('firstK', () => {
  it('equals a stable sort then slice, ties in list order, for any k (property)', () => {
    // Few distinct keys, so ties are common; each item is its own object, so order is checkable.
    const item = fc.record({ key: fc.integer({ min: 0, max: 6 }), tag: fc.nat() });
    const byKey = (a: { key: number }, b: { key: number }): number => a.key - b.key;
    fc.assert(fc.property(fc.array(item, { maxLength: 120 }), fc.integer({ min: -2, max: 140 }), (items, k) => {
      const got = firstK(items, k, byKey);
      const want = [...items].sort(byKey).slice(0, Math.max(0, k));
      expect(got.length).toBe(want.length);
      got.forEach((x, i) => expect(x).toBe(want[i]));
    }), { seed: 5, numRuns: 500 });
  });

  it('negative control: a reversed comparator gives another answer on the same list', () => {
    const items = [3, 1, 2, 5, 4].map((key) => ({ key }));
    expect(firstK(items, 2, (a, b) => a.key - b.key).map((x) => x.key)).toEqual([1, 2]);
    expect(firstK(items, 2, (a, b) => b.key - a.key).map((x) => x.key)).toEqual([5, 4]);
  });
});
