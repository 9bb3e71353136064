// byService (actions allowed per service in report.json) against the plain definition: walk the
// ids in ascending order and count each under its catalog service. Same counts and same key
// order (the report is compared byte for byte), for sets in either ActionSet form.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { byService } from '../../src/report/build.js';
import { ActionSet } from '../../src/iam/action-set.js';
import { ActionExpander } from '../../src/iam/pattern.js';
import { catalog } from '../../src/iam/catalog.js';

const expander = new ActionExpander(catalog());
const n = expander.size;
const actions = expander.catalog.actions;

function model(ids: readonly number[]): [string, number][] {
  const out: Record<string, number> = {};
  for (const id of [...new Set(ids)].sort((a, b) => a - b)) out[actions[id]!.service] = (out[actions[id]!.service] ?? 0) + 1;
  return Object.entries(out);
}

// Ids clustered in a few runs (services are contiguous id ranges) plus scattered singles, so
// sets are both below and above the sparse/dense switch and hit shared and single-service words.
const idsArb = fc.tuple(
  fc.array(fc.tuple(fc.integer({ min: 0, max: n - 1 }), fc.integer({ min: 1, max: 600 })), { maxLength: 4 }),
  fc.array(fc.integer({ min: 0, max: n - 1 }), { maxLength: 80 }),
).map(([runs, singles]) => [...runs.flatMap(([start, len]) => Array.from({ length: Math.min(len, n - start) }, (_, i) => start + i)), ...singles]);

describe('byService', () => {
  it('counts per service in first-id order, whatever the set form, and leaves no state behind (property)', () => {
    fc.assert(
      fc.property(idsArb, fc.boolean(), (ids, compact) => {
        const set = ActionSet.of(n, ids);
        if (compact) set.compact(); else set.toDense();
        const got = byService(set, expander);
        expect(Object.entries(got)).toEqual(model(ids));
        // The same text in report.json as a plain object of those entries.
        expect(JSON.stringify(got)).toBe(JSON.stringify(Object.fromEntries(model(ids))));
        // Negative control: the text comparison sees key order.
        if (model(ids).length > 1) expect(JSON.stringify(got)).not.toBe(JSON.stringify(Object.fromEntries(model(ids).reverse())));
        // The same set again: the same record, shared and frozen (principals with the same
        // effective permissions share one set).
        expect(byService(set, expander)).toBe(got);
        expect(Object.isFrozen(got)).toBe(true);
        // An equal set of its own is counted afresh: the same answer (the scratch counts were reset).
        const again = byService(ActionSet.of(n, ids), expander);
        expect(again).not.toBe(got);
        expect(Object.entries(again)).toEqual(model(ids));
      }),
      { numRuns: 200, seed: 1414 },
    );
  });

  it('the full catalog: every service, totalling every action', () => {
    const got = byService(ActionSet.full(n), expander);
    expect(Object.entries(got)).toEqual(model(Array.from({ length: n }, (_, i) => i)));
    expect(Object.values(got).reduce((a, b) => a + b, 0)).toBe(n);
  });
});
