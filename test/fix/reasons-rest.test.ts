// actionReasons counts the actions a boundary with no known need keeps as today by word and
// service instead of one by one: the same reasons as classifying every action (property), with
// every kind of evidence, gated, withheld and guardrail action mixed in. It sorts listed actions
// by their place in the catalog's localeCompare order: the order localeCompare gives.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { NeededSet } from '../../src/baseline/needed.js';
import { forbiddenActions } from '../../src/baseline/forbidden.js';
import { actionReasons, keyRanks, type ReasonInput } from '../../src/fix/reasons.js';
import { ActionSet } from '../../src/iam/action-set.js';
import { catalog } from '../../src/iam/catalog.js';
import type { EffectivePermissions } from '../../src/iam/effective.js';
import { ActionExpander } from '../../src/iam/pattern.js';

const expander = new ActionExpander(catalog());
const size = expander.size;
// Sets drawn from a few services' id ranges (runs share words and services) or anywhere.
const services = ['s3', 'ec2', 'iam', 'lambda', 'kms', 'dynamodb'];
const pool = services.flatMap((s) => (expander.catalog.byService.get(s) ?? []).map((a) => a.id));
const idArb = fc.oneof(fc.constantFrom(...pool), fc.integer({ min: 0, max: size - 1 }));
const setArb = (max: number) => fc.uniqueArray(idArb, { maxLength: max }).map((ids) => ActionSet.of(size, ids));
// A big set: everything but some ids (an allow-everything boundary's reach).
const bigArb = fc.oneof(setArb(300), fc.uniqueArray(idArb, { maxLength: 50 }).map((ids) => ActionSet.full(size).andNot(ActionSet.of(size, ids))));

const inputArb = fc.record({
  current: bigArb, allowed: bigArb, conditional: setArb(100),
  observed: setArb(20), declared: fc.array(setArb(40), { maxLength: 2 }), serviceEvidence: setArb(60), dataEventsUnknown: setArb(30), readSiblings: setArb(30), sensitiveWithheld: setArb(20),
  withheld: fc.option(setArb(40), { nil: undefined }), guardrail: fc.option(setArb(5), { nil: undefined }),
  covered: fc.boolean(), meetable: fc.boolean(), notRestricted: fc.option(fc.constantFrom('no known need to cap to: kept as is', "engineer's own role: kept as is"), { nil: undefined }),
});

describe('actionReasons, kept-as-today actions counted by word', () => {
  it('gives what classifying every action gives (property)', () => {
    fc.assert(fc.property(inputArb, (r) => {
      const allowed = r.allowed.clone().and(r.current.clone().or(r.allowed));
      const after = { allowed, unconditional: allowed.clone().andNot(r.conditional) } as unknown as EffectivePermissions;
      const keys = (s: ActionSet) => expander.keys(s).slice(0, 5);
      const needed = {
        covered: r.covered,
        provenance: { observed: r.observed, declared: r.declared.map((actions, i) => ({ label: `profile ${i}`, actions })), serviceEvidence: r.serviceEvidence, dataEventsUnknown: r.dataEventsUnknown, readSiblings: r.readSiblings, sensitiveWithheld: r.sensitiveWithheld },
      } as unknown as NeededSet;
      const input: ReasonInput = {
        current: r.current, after, needed, forbidden: forbiddenActions(expander),
        usage: { actions: keys(r.observed).map((action, i) => ({ action, count: i + 1, firstSeen: '2026-11-01T00:00:00Z', lastSeen: '2026-11-20T00:00:00Z', resources: [] })) } as unknown as NonNullable<ReasonInput['usage']>,
        window: { start: '2026-08-26T00:00:00Z', end: '2026-11-24T00:00:00Z' }, approval: { id: 'mfa', meetable: r.meetable },
        ...(r.guardrail ? { guardrail: r.guardrail } : {}),
        ...(r.withheld ? { withheld: { actions: r.withheld, detail: 'left out' } } : {}),
        ...(r.notRestricted ? { notRestricted: r.notRestricted } : {}),
      };
      expect(actionReasons(input, expander)).toEqual(actionReasons(input, expander, { perAction: true }));
    }), { numRuns: 60, seed: 20261204 });
  }, 120_000);
});

describe('keyRanks', () => {
  const actions = expander.catalog.actions;
  const place = keyRanks(expander);
  it('orders the whole catalog as localeCompare does', () => {
    const ids = actions.map((a) => a.id);
    const byPlace = [...ids].sort((x, y) => place[x]! - place[y]!).map((id) => actions[id]!.key);
    expect(byPlace).toEqual(ids.map((id) => actions[id]!.key).sort((x, y) => x.localeCompare(y)));
  });
  it('compares any two actions as localeCompare does, and sorts any list alike, ties kept in order (property)', () => {
    fc.assert(fc.property(fc.array(fc.record({ id: idArb, group: fc.nat(2) }), { maxLength: 200 }), (xs) => {
      for (let i = 1; i < xs.length; i++) expect(Math.sign(place[xs[i - 1]!.id]! - place[xs[i]!.id]!)).toBe(Math.sign(actions[xs[i - 1]!.id]!.key.localeCompare(actions[xs[i]!.id]!.key)));
      const byPlace = [...xs].sort((p, q) => p.group - q.group || place[p.id]! - place[q.id]!);
      const byLocale = [...xs].sort((p, q) => p.group - q.group || actions[p.id]!.key.localeCompare(actions[q.id]!.key));
      expect(byPlace).toEqual(byLocale);
    }), { numRuns: 200, seed: 20261204 });
  });
});
