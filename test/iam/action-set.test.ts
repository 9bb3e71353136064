// ActionSet against a Set<number> model: every operation, on sizes that do and do not fill the
// last 32-bit word, including ids in the top bit of a word (where signed shifts go wrong).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ActionSet, ActionSetGatherer, wordMask } from '../../src/iam/action-set.js';

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

// The two forms (sorted ids when small, bitset when large) must be invisible: any sequence of
// operations on sets in any mix of forms gives what a Set<number> gives.
type Form = 'sparse' | 'dense' | 'auto';
// Plain comparison: sets of 22k ids are too big for toEqual's diffing inside a property.
const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((x, i) => x === b[i]);
const formArb = fc.constantFrom<Form>('sparse', 'dense', 'auto');
function inForm(size: number, ids: readonly number[], form: Form): ActionSet {
  const s = ActionSet.of(size, ids);
  if (form === 'dense') s.toDense();
  if (form === 'sparse') s.compact();
  return s;
}
const mixedArb = fc.constantFrom(1, 33, 300, 2000, 22091).chain((size) => {
  const id = fc.integer({ min: 0, max: size - 1 });
  // up to 1,200 ids: across the ~691-id point where a 22,091-action set turns dense
  const ids = fc.oneof(fc.uniqueArray(id, { maxLength: 40 }), fc.uniqueArray(id, { minLength: Math.min(600, size), maxLength: Math.min(1200, size) }));
  const op = fc.oneof(
    fc.record({ op: fc.constant('add' as const), id }),
    fc.record({ op: fc.constantFrom('or' as const, 'and' as const, 'andNot' as const), ids, form: formArb }),
    fc.record({ op: fc.constantFrom('invert' as const, 'compact' as const, 'toDense' as const, 'clear' as const, 'clone' as const) }),
  );
  return fc.record({ size: fc.constant(size), start: ids, form: formArb, ops: fc.array(op, { maxLength: 8 }), probe: ids, probeForm: formArb, tier: ids, tierForm: formArb });
});

describe('ActionSet in either form (sorted ids or bitset)', () => {
  it('every operation, in any mix of forms, matches the Set<number> model', () => {
    fc.assert(
      fc.property(mixedArb, ({ size, start, form, ops, probe, probeForm, tier, tierForm }) => {
        let s = inForm(size, start, form);
        let model = new Set(start);
        for (const o of ops) {
          if (o.op === 'add') { s.add(o.id); model.add(o.id); }
          else if (o.op === 'invert') { s.invert(); model = new Set(full(size).filter((x) => !model.has(x))); }
          else if (o.op === 'compact') s.compact();
          else if (o.op === 'toDense') s.toDense();
          else if (o.op === 'clear') { s.clear(); model = new Set(); }
          else if (o.op === 'clone') { const c = s.clone(); c.add(0); c.clear(); s = s.clone(); }
          else if ('ids' in o) {
            const other = inForm(size, o.ids, o.form);
            const O = new Set<number>(o.ids);
            if (o.op === 'or') { s.or(other); model = new Set([...model, ...O]); }
            else if (o.op === 'and') { s.and(other); model = new Set([...model].filter((x) => O.has(x))); }
            else { s.andNot(other); model = new Set([...model].filter((x) => !O.has(x))); }
            if (!same(other.toArray(), sorted(O))) return false; // the operand is never written
          }
          if (!same(s.toArray(), sorted(model))) return false;
        }
        const want = sorted(model);
        expect(same([...s.ids()], want)).toBe(true);
        expect(same(Array.from(s.toIds()), want)).toBe(true);
        expect(s.count()).toBe(model.size);
        expect(s.isEmpty()).toBe(model.size === 0);
        const fromWords: number[] = [];
        s.forEachWord((w, bits) => { for (let b = 0; b < 32; b++) if ((bits >>> b) & 1) fromWords.push(w * 32 + b); });
        expect(same(fromWords, want)).toBe(true);

        const p = inForm(size, probe, probeForm), P = new Set(probe);
        const both = want.filter((x) => P.has(x));
        for (const id of [0, size - 1, ...probe.slice(0, 20)]) expect(s.has(id)).toBe(model.has(id));
        expect(same(s.intersectionIds(p), both)).toBe(true);
        expect(s.intersectionIds(p, 3)).toEqual(both.slice(0, 3));
        expect(s.intersectionCount(p)).toBe(both.length);
        expect(s.holdsMask(wordMask(probe))).toBe(probe.every((x) => model.has(x)));
        expect(s.holdsMask(wordMask(want.slice(0, 50)))).toBe(true);
        // Either operand first: the walk takes the shorter sparse list, the answer is the same.
        expect(same(p.intersectionIds(s), both)).toBe(true);
        expect(p.intersectionIds(s, 3)).toEqual(both.slice(0, 3));
        expect(p.intersectionCount(s)).toBe(both.length);
        expect(s.differenceCount(p)).toBe(want.filter((x) => !P.has(x)).length);
        expect(s.equals(p)).toBe(want.length === P.size && both.length === P.size);
        expect(s.equals(inForm(size, want, probeForm))).toBe(true);
        const t = inForm(size, tier, tierForm), T = new Set(tier);
        expect(s.gainsIn(p, t)).toBe(want.some((x) => T.has(x) && !P.has(x)));
      }),
      { numRuns: 300, seed: 64 },
    );
  });

  it('small sets stay sorted ids and large ones turn into a bitset; compact returns the smaller form', () => {
    const size = 22091, words = Math.ceil(size / 32);
    const s = new ActionSet(size);
    for (let i = 0; i < words; i++) s.add(i * 7);
    expect(s.isSparse()).toBe(true);
    s.add(1);
    expect(s.isSparse()).toBe(false);
    s.andNot(ActionSet.of(size, Array.from({ length: 600 }, (_, i) => i * 7)));
    expect(s.isSparse()).toBe(false); // a dense result stays dense until compacted
    expect(s.compact().isSparse()).toBe(true);
    expect(ActionSet.full(size).compact().isSparse()).toBe(false);
    expect(new ActionSet(size).isSparse()).toBe(true); // an empty set holds no bitset at all
  });
});

describe('ActionSet union of sorted id lists in place', () => {
  it('a set united with itself, and with a set sharing ids, over spare capacity left by add', () => {
    fc.assert(
      fc.property(setsArb, fc.array(fc.nat(), { maxLength: 20 }), ({ size, a, b }, extra) => {
        const s = new ActionSet(size);
        for (const id of a) s.add(id); // grows by doubling: capacity past the ids held
        s.or(s);
        expect(s.toArray()).toEqual(sorted(new Set(a)));
        const t = ActionSet.of(size, b);
        for (const x of extra) t.add(x % size);
        const want = sorted(new Set([...a, ...b, ...extra.map((x) => x % size)]));
        expect(s.or(t).toArray()).toEqual(want);
        expect(t.toArray()).toEqual(sorted(new Set([...b, ...extra.map((x) => x % size)])));
      }),
      { numRuns: 500, seed: 64 },
    );
  });
});

describe('ActionSet.compactCopy', () => {
  it('has the same members in the smaller form and shares nothing with the set it copies', () => {
    fc.assert(
      fc.property(mixedArb, ({ size, start, form, probe }) => {
        const s = inForm(size, start, form);
        const before = s.toArray();
        const c = s.compactCopy();
        expect(same(c.toArray(), before)).toBe(true);
        expect(c.isSparse()).toBe(before.length <= Math.ceil(size / 32));
        expect(s.isSparse()).toBe(form === 'dense' ? false : inForm(size, start, form).isSparse()); // the original keeps its form
        for (const id of probe) c.add(id);
        expect(same(s.toArray(), before)).toBe(true);
        s.clear();
        expect(same(c.toArray(), sorted(new Set([...before, ...probe])))).toBe(true);
      }),
      { numRuns: 300, seed: 65 },
    );
  });
});

describe('ActionSetGatherer', () => {
  it('each take is the union of the lists added since the last, in the smaller form, whatever came before', () => {
    // Lists of up to 800 ids over 22,091 actions cross the point (691 ids) where a bitset is smaller.
    const listArb = (size: number) => fc.oneof(fc.array(fc.integer({ min: 0, max: size - 1 }), { maxLength: 64 }), fc.array(fc.integer({ min: 0, max: size - 1 }), { maxLength: 800 }));
    const listsArb = (size: number) => fc.array(listArb(size), { maxLength: 4 });
    const arb = sizeArb.chain((size) => fc.record({ size: fc.constant(size), rounds: fc.array(listsArb(size), { minLength: 1, maxLength: 4 }) }));
    fc.assert(
      fc.property(arb, ({ size, rounds }) => {
        const g = new ActionSetGatherer(size);
        for (const lists of rounds) {
          for (const l of lists) g.addIds(Int32Array.from(l));
          const got = g.take();
          const model = new Set(lists.flat());
          expect(got.toArray()).toEqual(sorted(model));
          expect(got.count()).toBe(model.size);
          // Ids while they are no more than the bitset's words and no list was a wide pattern's (> 64).
          expect(got.isSparse()).toBe(model.size <= (size + 31) >>> 5 && lists.every((l) => l.length <= 64));
          expect(got.equals(ActionSet.of(size, model))).toBe(true);
        }
        expect(g.take().isEmpty()).toBe(true);
      }),
      { numRuns: 300, seed: 43 },
    );
  });

  it('at exactly as many ids as the bitset has words the set stays ids, one more and it is a bitset', () => {
    const g = new ActionSetGatherer(22091); // 691 words
    const list = (n: number, from: number) => Int32Array.from({ length: n }, (_, i) => (from + i) * 3);
    const inLists = (n: number) => { for (let i = 0; i < n; i += 64) g.addIds(list(Math.min(64, n - i), i)); return g.take(); };
    expect(inLists(691).isSparse()).toBe(true);
    expect(inLists(692).isSparse()).toBe(false);
    // One list of a whole service's actions (more than 64) makes a bitset however few they are.
    expect(g.addIds(list(65, 0)).take().isSparse()).toBe(false);
    expect(g.addIds(list(64, 0)).take().isSparse()).toBe(true);
  });

  it('a set it gave is not changed by later gathering (no shared words)', () => {
    const g = new ActionSetGatherer(22091);
    const dense = g.addIds(Int32Array.from({ length: 2000 }, (_, i) => i * 11)).take();
    const before = dense.toArray();
    g.addIds(Int32Array.from([1, 2, 3])).take();
    expect(dense.toArray()).toEqual(before);
    expect(dense.isSparse()).toBe(false);
  });
});
