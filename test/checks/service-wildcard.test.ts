// service-wildcard counts a small set's ids per service through per-id slots; the reference asks,
// for every service with something to write, whether the set holds each of its actions.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { serviceWildcard } from '../../src/checks/service-wildcard.js';
import type { AnalyzedPrincipal, CheckContext } from '../../src/checks/types.js';
import { ActionSet } from '../../src/iam/action-set.js';
import { catalog, isWriteLike } from '../../src/iam/catalog.js';
import { ActionExpander } from '../../src/iam/pattern.js';

const c = catalog();
const expander = new ActionExpander(c);
const services = [...c.byService.keys()];
/** Whole services (small ones, so the set may stay sparse), parts of services, and stray ids. */
const setArb = fc.record({
  whole: fc.subarray(services.filter((s) => c.byService.get(s)!.length <= 40), { maxLength: 6 }),
  partial: fc.subarray(services, { maxLength: 4 }),
  stray: fc.array(fc.nat(c.actions.length - 1), { maxLength: 40 }),
  dense: fc.boolean(),
}).map(({ whole, partial, stray, dense }) => {
  const ids = [...whole.flatMap((s) => c.byService.get(s)!.map((a) => a.id)), ...partial.flatMap((s) => c.byService.get(s)!.slice(1).map((a) => a.id)), ...stray];
  const set = ActionSet.of(c.actions.length, ids);
  return dense ? set.toDense() : set;
});

describe('service-wildcard', () => {
  it('names the same services, in catalog order, as asking each service action by action (sparse and dense sets)', () => {
    fc.assert(
      fc.property(fc.array(setArb, { minLength: 1, maxLength: 5 }), (sets) => {
        const principals = sets.map((allResources, i) => ({
          principal: { arn: `arn:aws:iam::111122223333:role/r${i}`, name: `r${i}`, policies: [] }, isAdmin: false, isAgent: i % 2 === 0,
          effective: { allowed: allResources, unconditional: allResources, allResources },
        })) as unknown as AnalyzedPrincipal[];
        const got = serviceWildcard.run({ principals, expander } as unknown as CheckContext);
        const expected = sets.flatMap((set, i) => {
          const whole = [...c.byService].filter(([, actions]) => actions.some(isWriteLike) && actions.every((a) => set.has(a.id))).map(([s]) => `${s}:*`);
          return whole.length === 0 ? [] : [{ arn: `arn:aws:iam::111122223333:role/r${i}`, actions: whole }];
        });
        expect(got.map((f) => ({ arn: f.principalArn, actions: f.actions }))).toEqual(expected);
      }),
      { numRuns: 300, seed: 16 },
    );
  });
});
