// ActionSet against a Set<number> model: every operation, on sizes that do and do not fill the
// last 32-bit word, including ids in the top bit of a word (where signed shifts go wrong).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ActionSet } from '../../src/iam/action-set.js';

const sizeArb = fc.oneof(fc.constantFrom(1, 31, 32, 33, 64, 95, 22091), fc.integer({ min: 1, max: 300 }));
const setsArb = sizeArb.chain((size) => {
  const ids = fc.uniqueArray(fc.oneof(fc.integer({ min: 0, max: size - 1 }), fc.constantFrom(...[0, 31, 32, 63, size - 1].filter((n) => n < size))), { maxLength: 60 });
  return fc.record({ size: fc.constant(size), a: ids, b: ids });
});

const sorted = (xs: Iterable<number>) => [...xs].sort((x, y) => x - y);
const full = (size: number) => Array.from({ length: size }, (_, i) => i);

describe('ActionSet behaves like a Set<number> within [0, size)', () => {
  it('of / has / ids / toArray / count / isEmpty', () => {
    fc.assert(
      fc.property(setsArb, ({ size, a }) => {
        const s = ActionSet.of(size, a);
        const model = new Set(a);
        expect(s.toArray()).toEqual(sorted(model));
        expect(s.count()).toBe(model.size);
        expect(s.isEmpty()).toBe(model.size === 0);
        for (const id of [0, size - 1, ...a]) expect(s.has(id)).toBe(model.has(id));
      }),
      { numRuns: 500, seed: 61 },
    );
  });

  it('or / and / andNot / invert match union, intersection, difference and complement', () => {
    fc.assert(
      fc.property(setsArb, ({ size, a, b }) => {
        const A = new Set(a), B = new Set(b);
        const sa = () => ActionSet.of(size, a);
        const sb = ActionSet.of(size, b);
        expect(sa().or(sb).toArray()).toEqual(sorted(new Set([...A, ...B])));
        expect(sa().and(sb).toArray()).toEqual(sorted([...A].filter((x) => B.has(x))));
        expect(sa().andNot(sb).toArray()).toEqual(sorted([...A].filter((x) => !B.has(x))));
        const inv = sa().invert();
        expect(inv.toArray()).toEqual(full(size).filter((x) => !A.has(x)));
        expect(inv.count()).toBe(size - A.size);
      }),
      { numRuns: 500, seed: 62 },
    );
  });

  it('full(size) has exactly size members and invert twice is the identity', () => {
    fc.assert(
      fc.property(setsArb, ({ size, a }) => {
        expect(ActionSet.full(size).count()).toBe(size);
        expect(ActionSet.full(size).toArray()).toEqual(full(size));
        expect(ActionSet.full(size).invert().isEmpty()).toBe(true);
        expect(ActionSet.of(size, a).invert().invert().toArray()).toEqual(sorted(new Set(a)));
      }),
      { numRuns: 200, seed: 63 },
    );
  });

  it('clone is independent; in-place ops return the receiver; addAll takes typed arrays', () => {
    const s = ActionSet.of(40, [1, 39]);
    const c = s.clone();
    c.add(5);
    expect([s.has(5), c.has(5)]).toEqual([false, true]);
    expect(s.or(c)).toBe(s);
    expect(new ActionSet(40).addAll(Int32Array.from([3, 31, 32])).toArray()).toEqual([3, 31, 32]);
  });
});
