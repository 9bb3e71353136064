// ActionSet's two forms (bitset and compact sorted id list) against a Set<number> model: every
// operation, with each operand in either form, and conversions back and forth in between.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ActionSet } from '../../src/iam/action-set.js';

// Sizes where the compact limit (one id per word) is small, so random sets land on both sides of it.
const sizeArb = fc.oneof(fc.constantFrom(1, 31, 32, 33, 64, 95, 160), fc.integer({ min: 1, max: 400 }));
const caseArb = sizeArb.chain((size) => {
  const ids = fc.uniqueArray(fc.oneof(fc.integer({ min: 0, max: size - 1 }), fc.constantFrom(...[0, 31, 32, 63, size - 1].filter((n) => n < size))), { maxLength: Math.min(size, 40) });
  return fc.record({ size: fc.constant(size), a: ids, b: ids, c: ids, ca: fc.boolean(), cb: fc.boolean(), cc: fc.boolean() });
});

const sorted = (xs: Iterable<number>) => [...xs].sort((x, y) => x - y);
const make = (size: number, ids: number[], compact: boolean) => {
  const s = ActionSet.of(size, ids);
  return compact ? s.compact() : s;
};

describe('ActionSet dense and compact forms agree with a Set<number> model', () => {
  it('compact keeps contents, and is an id list exactly when that is no larger than the bitset', () => {
    fc.assert(
      fc.property(caseArb, ({ size, a }) => {
        const s = ActionSet.of(size, a).compact();
        expect(s.isSparse()).toBe(a.length <= (size + 31) >>> 5);
        expect(s.toArray()).toEqual(sorted(a));
        const copy = ActionSet.of(size, a);
        const cc = copy.compactCopy();
        expect(copy.isSparse()).toBe(false);
        expect(cc.equals(copy)).toBe(true);
      }),
      { numRuns: 400, seed: 14 },
    );
  });

  it('readers: has / count / isEmpty / ids / toArray / toWords / wordRange / equals', () => {
    fc.assert(
      fc.property(caseArb, ({ size, a, b, ca, cb }) => {
        const A = new Set(a);
        const s = make(size, a, ca);
        expect(s.toArray()).toEqual(sorted(A));
        expect([...s.ids()]).toEqual(sorted(A));
        expect(s.count()).toBe(A.size);
        expect(s.isEmpty()).toBe(A.size === 0);
        for (let id = 0; id < size; id++) expect(s.has(id)).toBe(A.has(id));
        expect(s.toWords()).toEqual(ActionSet.of(size, a).toWords());
        const words = sorted(A).map((id) => id >>> 5);
        const r = s.wordRange();
        if (A.size === 0) expect(r.lo > r.hi).toBe(true);
        else expect(r).toEqual({ lo: words[0], hi: words[words.length - 1] });
        const B = new Set(b);
        const same = A.size === B.size && [...A].every((x) => B.has(x));
        expect(s.equals(make(size, b, cb))).toBe(same);
        expect(s.equals(make(size, a, !ca))).toBe(true);
      }),
      { numRuns: 400, seed: 15 },
    );
  });

  it('pairwise: intersectionIds / intersectionCount / differenceCount / gainsIn in every form mix', () => {
    fc.assert(
      fc.property(caseArb, ({ size, a, b, c, ca, cb, cc }) => {
        const A = new Set(a), B = new Set(b), C = new Set(c);
        const sa = make(size, a, ca), sb = make(size, b, cb), sc = make(size, c, cc);
        const inter = sorted([...A].filter((x) => B.has(x)));
        expect(sa.intersectionIds(sb)).toEqual(inter);
        expect(sa.intersectionIds(sb, 2)).toEqual(inter.slice(0, 2));
        expect(sa.intersectionCount(sb)).toBe(inter.length);
        expect(sa.differenceCount(sb)).toBe([...A].filter((x) => !B.has(x)).length);
        expect(sa.gainsIn(sb, sc)).toBe([...A].some((x) => C.has(x) && !B.has(x)));
        // Readers never convert.
        expect(sa.isSparse()).toBe(ca && a.length <= (size + 31) >>> 5);
      }),
      { numRuns: 400, seed: 16 },
    );
  });

  it('mutators: or / orWords / and / andNot / invert / add / addAll / clear / clone in every form mix', () => {
    fc.assert(
      fc.property(caseArb, ({ size, a, b, c, ca, cb }) => {
        const A = new Set(a), B = new Set(b);
        const sa = () => make(size, a, ca);
        const sb = make(size, b, cb);
        expect(sa().or(sb).toArray()).toEqual(sorted(new Set([...A, ...B])));
        expect(sa().orWords({ set: sb, ...sb.wordRange() }).toArray()).toEqual(sorted(new Set([...A, ...B])));
        expect(sa().and(sb).toArray()).toEqual(sorted([...A].filter((x) => B.has(x))));
        expect(sa().andNot(sb).toArray()).toEqual(sorted([...A].filter((x) => !B.has(x))));
        const all = Array.from({ length: size }, (_, i) => i);
        expect(sa().invert().toArray()).toEqual(all.filter((x) => !A.has(x)));
        const added = sa();
        for (const id of c) added.add(id);
        expect(added.toArray()).toEqual(sorted(new Set([...A, ...c])));
        expect(sa().addAll(c).toArray()).toEqual(sorted(new Set([...A, ...c])));
        expect(sa().clear().isEmpty()).toBe(true);
        expect(sa().clear().or(sb).toArray()).toEqual(sorted(B));
        // A clone is independent of its original, in either form.
        const orig = sa(), copy = orig.clone();
        copy.add(0);
        copy.andNot(sb);
        expect(orig.toArray()).toEqual(sorted(A));
        // Chains that convert back and forth keep the model.
        const chain = sa().compact().or(sb).compact().andNot(sb).compact();
        expect(chain.toArray()).toEqual(sorted([...A].filter((x) => !B.has(x))));
      }),
      { numRuns: 400, seed: 17 },
    );
  });

  it('full-size catalog sets: compact at the 691-id limit and one past it', () => {
    const size = 22091, words = (size + 31) >>> 5;
    const ids = Array.from({ length: words + 1 }, (_, i) => i * 31);
    expect(ActionSet.of(size, ids.slice(0, words)).compact().isSparse()).toBe(true);
    const big = ActionSet.of(size, ids).compact();
    expect(big.isSparse()).toBe(false);
    expect(big.toArray()).toEqual(ids);
    expect(ActionSet.full(size).compact().count()).toBe(size);
  });
});
