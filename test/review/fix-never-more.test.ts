// "A fix never grants more than today", as a property over generated accounts: a role or a user
// (with a group's policies), identity policies with conditions, NotAction and NotResource, several
// statements, an optional current boundary, and observed calls. Every fix leash plans is decided
// again with the repo's own evaluator on a pool of real requests in concrete request contexts:
// what the fix's documents allow was allowed before, and what was observed and allowed before is
// still allowed (actions put behind approval aside).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REQUEST_POOL } from '../support/arbitraries.js';
import { afterStates, build, caseArb, decide, valuesOf } from '../support/fix-property.js';

describe('fixes never grant more than today (property)', () => {
  it('every request a fix allows was allowed before; every observed call allowed before stays allowed unless gated', () => {
    let allowedAfter = 0;
    let observedKept = 0;
    fc.assert(
      fc.property(caseArb, (c) => {
        const { snapshot, arn } = build(c);
        const { today, states, needed } = afterStates(c, snapshot, arn);
        const gated = new Set(needed.gated.map((g) => g.toLowerCase()));
        for (const ctx of c.contexts) {
          const values = valuesOf(ctx, c, arn);
          for (const r of REQUEST_POOL) {
            const before = decide(r, values, today);
            for (const s of states) {
              const after = decide(r, values, s.set);
              if (after === 'Allowed') allowedAfter++;
              if (after === 'Allowed') expect(before, `${s.kind}: ${r.action} on ${r.resource} allowed after, not before (${JSON.stringify(ctx)})`).toBe('Allowed');
            }
          }
          for (const i of c.observed) {
            const r = REQUEST_POOL[i]!;
            if (gated.has(r.action.toLowerCase()) || decide(r, values, today) !== 'Allowed') continue;
            observedKept++;
            for (const s of states) expect(decide(r, values, s.set), `${s.kind}: observed ${r.action} on ${r.resource} denied after (${JSON.stringify(ctx)})`).toBe('Allowed');
          }
        }
      }),
      { numRuns: Number(process.env.RUNS ?? 120), seed: Number(process.env.SEED ?? 33), endOnFailure: true },
    );
    // Not vacuous: fixes allow requests (each compared with today) and observed calls were re-decided.
    expect(allowedAfter).toBeGreaterThan(100);
    expect(observedKept).toBeGreaterThan(20);
  }, 120_000);
});
