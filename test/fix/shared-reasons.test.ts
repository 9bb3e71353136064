// Fix planning keeps one object per distinct per-service reasons entry of a run (SharedReasons):
// report.json's texts table then finds repeats by identity. What it gives back must always be
// equal to what it was given (same JSON text), equal entries must be one object, and entries that
// differ in anything (order of groups or actions, a nested count, an escape, a separator inside a
// name) must stay apart.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SharedReasons, sharedReasonsOf } from '../../src/fix/reasons.js';
import type { ServiceReasons } from '../../src/model/fix.js';

const detailArb = fc.constantFrom(undefined, '', 'observed 3 times', 'a\u2028b', 'a\\u2028b');
const actionArb = fc.constantFrom('s3:GetObject', 's3:PutObject', 'a\u0000b', 'a', 'b');
const groupArb = fc.record({ decision: fc.constantFrom('kept', 'gated', 'removed'), reason: fc.constantFrom('observed', 'unused'), detail: detailArb, actions: fc.array(actionArb, { maxLength: 3 }) });
const entryArb = fc.record({
  service: fc.constantFrom('s3', 'ec2', 's3\u00000'),
  kept: fc.nat(2), gated: fc.nat(1), removed: fc.nat(1),
  groups: fc.array(groupArb, { maxLength: 2 }),
  rest: fc.option(fc.record({ detail: fc.constantFrom('no known need to cap to: kept as is', 'x'), count: fc.nat(2) }), { nil: undefined }),
});

type EntrySpec = typeof entryArb extends fc.Arbitrary<infer T> ? T : never;

/** A fresh entry as actionReasons builds it (its literal shapes and key order). */
function build(e: EntrySpec): ServiceReasons {
  return {
    service: e.service, kept: e.kept, gated: e.gated, removed: e.removed,
    groups: e.groups.map((g) => ({ decision: g.decision, reason: g.reason, ...(g.detail !== undefined ? { detail: g.detail } : {}), actions: [...g.actions] })) as ServiceReasons['groups'],
    ...(e.rest ? { rest: { decision: 'kept' as const, reason: 'not-restricted' as const, detail: e.rest.detail, count: e.rest.count } } : {}),
  };
}

describe('SharedReasons', () => {
  it('gives back an equal entry; equal entries are one frozen object, different ones are not shared (property)', () => {
    fc.assert(
      fc.property(fc.array(entryArb, { minLength: 1, maxLength: 40 }), (specs) => {
        const shared = new SharedReasons();
        const out = specs.map((s) => {
          const r = build(s);
          const text = JSON.stringify(r);
          const got = shared.of(r);
          expect(JSON.stringify(got)).toBe(text);
          return { text, got };
        });
        for (const a of out) {
          for (const b of out) {
            if (a.got === b.got) expect(a.text).toBe(b.text);
          }
        }
        // The first of each content is kept: every later equal one is that object.
        const first = new Map<string, ServiceReasons>();
        for (const { text, got } of out) {
          if (!first.has(text)) first.set(text, got);
          else if (Object.isFrozen(first.get(text))) expect(got).toBe(first.get(text));
        }
      }),
      { numRuns: 200, seed: 20261204 },
    );
  });

  it('negative controls: order, a nested field, an escape, a separator inside an action or a detail absent vs empty', () => {
    const shared = new SharedReasons();
    const base = (): ServiceReasons => ({ service: 's3', kept: 2, gated: 0, removed: 1, groups: [{ decision: 'kept', reason: 'observed', detail: 'a\u2028b', actions: ['s3:GetObject', 's3:PutObject'] }, { decision: 'removed', reason: 'unused', actions: ['a\u0000b'] }] });
    const kept = shared.of(base());
    expect(shared.of(base())).toBe(kept);
    expect(Object.isFrozen(kept) && Object.isFrozen(kept.groups[0]!.actions)).toBe(true);
    const variants: ServiceReasons[] = [
      { ...base(), groups: [...base().groups].reverse() },
      { ...base(), groups: [{ ...base().groups[0]!, actions: ['s3:PutObject', 's3:GetObject'] }, base().groups[1]!] },
      { ...base(), groups: [{ ...base().groups[0]!, detail: 'a\\u2028b' }, base().groups[1]!] },
      { ...base(), groups: [base().groups[0]!, { decision: 'removed', reason: 'unused', actions: ['a', 'b'] }] },
      { ...base(), groups: [base().groups[0]!, { decision: 'removed', reason: 'unused', detail: '', actions: ['a\u0000b'] }] },
      { ...base(), rest: { decision: 'kept', reason: 'not-restricted', detail: 'x', count: 1 } },
      { ...base(), removed: 2 },
    ];
    for (const v of variants) {
      const got = shared.of(v);
      expect(got).not.toBe(kept);
      expect(JSON.stringify(got)).toBe(JSON.stringify(v));
      expect(JSON.stringify(got)).not.toBe(JSON.stringify(kept));
    }
    // A nested count: two rests that differ only in count.
    const withRest = (count: number): ServiceReasons => ({ service: 'ec2', kept: 1, gated: 0, removed: 0, groups: [], rest: { decision: 'kept', reason: 'not-restricted', detail: 'x', count } });
    expect(shared.of(withRest(1))).not.toBe(shared.of(withRest(2)));
    expect(shared.of(withRest(1))).toBe(shared.of(withRest(1)));
  });

  it('one SharedReasons per run object', () => {
    const run = {};
    expect(sharedReasonsOf(run)).toBe(sharedReasonsOf(run));
    expect(sharedReasonsOf({})).not.toBe(sharedReasonsOf(run));
  });
});
