// escalatesOver(gainFacts(target), source) is the graph's per (caller, group) form of
// escalates(gain(target, source)): the same answer, from the target's ranked ids prepared once.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ActionSet } from '../../src/iam/action-set.js';
import { ActionExpander } from '../../src/iam/pattern.js';
import { catalog } from '../../src/iam/catalog.js';
import { escalates, escalatesOver, gain, gainFacts, tierSets, type PowerSets } from '../../src/graph/power.js';

const expander = new ActionExpander(catalog());
const size = expander.size;
const tiers = tierSets(expander);
const id = (action: string) => expander.catalog.lookup(action)!.id;

// Ids from each tier (so that targets and sources overlap often) and from anywhere in the catalog.
const tierIds = [tiers.iamWrite, tiers.destructive, tiers.credentialAccess, tiers.dataRead].map((t) => t.toArray().slice(0, 40));
const idArb = fc.oneof(...tierIds.map((ids) => fc.constantFrom(...ids)), fc.integer({ min: 0, max: size - 1 }));
// Up to 80 ids stay sparse; `dense` adds a run past the sparse limit so both forms are compared.
const setArb = fc.record({ ids: fc.array(idArb, { maxLength: 80 }), dense: fc.boolean() })
  .map(({ ids, dense }) => ActionSet.of(size, dense ? [...ids, ...Array.from({ length: 1200 }, (_, i) => i * 7 % size)] : ids));
const powerArb: fc.Arbitrary<PowerSets> = fc.record({ unconditional: setArb, allResources: setArb, admin: fc.boolean() });
const power = (unconditional: number[], allResources: number[] = [], admin = false): PowerSets =>
  ({ unconditional: ActionSet.of(size, unconditional), allResources: ActionSet.of(size, allResources), admin });

describe('escalatesOver', () => {
  it('answers as escalates(gain(target, source)) on random powers (sparse and dense, admin either side)', () => {
    let escalating = 0;
    fc.assert(
      fc.property(powerArb, powerArb, (target, source) => {
        const expected = escalates(gain(target, source, expander));
        if (expected) escalating++;
        expect(escalatesOver(gainFacts(target, expander), source)).toBe(expected);
      }),
      { numRuns: 2000, seed: 20261206 },
    );
    // Both answers are exercised, not only one.
    expect(escalating).toBeGreaterThan(100);
    expect(escalating).toBeLessThan(1900);
  });

  it('says a destructive action the source lacks escalates, and the same action held by the source does not', () => {
    const target = gainFacts(power([id('s3:DeleteBucket')]), expander);
    expect(escalatesOver(target, power([id('s3:GetObject')]))).toBe(true);
    expect(escalatesOver(target, power([id('s3:DeleteBucket')]))).toBe(false);
  });

  it('does not count a gain below the ranked tiers ("other") as escalation', () => {
    const other = power([id('logs:CreateLogStream')]);
    expect(gain(other, power([]), expander)).toBe('other');
    expect(escalatesOver(gainFacts(other, expander), power([]))).toBe(false);
  });

  it('counts data reads only on every resource, and nothing over an admin source', () => {
    const read = id('s3:GetObject');
    expect(escalatesOver(gainFacts(power([read], [read]), expander), power([read]))).toBe(true);
    expect(escalatesOver(gainFacts(power([read], [read]), expander), power([read], [read]))).toBe(false);
    expect(escalatesOver(gainFacts(power([id('iam:PutRolePolicy')], [], true), expander), power([], [], true))).toBe(false);
  });
});
