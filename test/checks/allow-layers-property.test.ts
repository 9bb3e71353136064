// Properties of the Allow layers' intersection (session 41, src/checks/scope.ts `grantScope`)
// against leash's request evaluator (src/iam/evaluate.ts): generated identity, boundary and SCP
// layers of DeleteTable statements (named, wide, another region, another service, a policy
// variable, tag-conditioned), a Deny with NotResource sometimes, and table ARNs. Every ARN the
// evaluator does not deny (Allowed, or Conditional on a tag it cannot know) matches some reported
// pattern (never understated); adding an Allow to a layer never narrows; adding a layer never widens.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { defaultConfig } from '../../src/pipeline/scan.js';
import { analyzePrincipals } from '../../src/checks/analyze.js';
import { grantScope, type GrantScope } from '../../src/checks/scope.js';
import { evaluate } from '../../src/iam/evaluate.js';
import { ActionExpander, arnMatches } from '../../src/iam/pattern.js';
import { catalog } from '../../src/iam/catalog.js';
import { severityRank } from '../../src/model/finding.js';
import { allow, doc, snapshot, type AccountSpec } from '../graph/accounts.js';
import { AGENT, table } from '../support/tier-scope.js';
import { agent, denyNot, destructive } from '../support/deny-scope.js';

const NOW = new Date('2026-12-01T12:00:00Z');
const ACTION = 'dynamodb:DeleteTable';
const expander = new ActionExpander(catalog());
const TAGGED = { StringEquals: { 'aws:ResourceTag/env': 'dev' } };
const del = (resource: string | string[], condition?: unknown) => allow(ACTION, resource, condition);

// Statements any layer may hold (each one Allow on DeleteTable).
const ALLOWS: unknown[] = [
  del('*'), del(table('kiro-*')), del(table('prod-orders')), del(table('kiro-scratch-1')), del(table('*-scratch')),
  del('arn:aws:dynamodb:*:*:table/ops-*'), del('arn:aws:dynamodb:*:*:table/*'), del([table('prod-orders'), table('kiro-*')]),
  del(table('${aws:username}-*')), del(table('dev-*'), TAGGED), del('*', TAGGED), del('arn:aws:dynamodb:eu-west-1:*:table/kiro-*'),
  del('arn:aws:s3:::kiro-bucket'), del(table('k?ro-a')), del(table('*o*')), del(table('x-*')), del(table('*-prod')),
];
const DENIES: unknown[] = [denyNot(ACTION, table('kiro-scratch-*')), denyNot('dynamodb:*', [table('kiro-*'), table('ops-*')])];
const TABLES = [
  ...['kiro-scratch-1', 'kiro-a', 'kiro-a-scratch', 'kiro-scratch', 'ops-1', 'prod-orders', 'dev-1', 'x-scratch', 'alice-1', 'kiro-agent', 'other', 'x-1-prod'].map((n) => table(n)),
  'arn:aws:dynamodb:eu-west-1:222222222222:table/kiro-x', 'arn:aws:dynamodb:eu-west-1:222222222222:table/ops-1',
];
const USERS = ['alice', 'kiro', 'ops'];

interface World { identity: unknown[]; boundary?: unknown[] | undefined; scps: unknown[][]; deny?: unknown }
const stmts = (min: number) => fc.array(fc.constantFrom(...ALLOWS), { minLength: min, maxLength: 2 });
const worldArb: fc.Arbitrary<World> = fc.record({
  identity: fc.array(fc.constantFrom(...ALLOWS), { minLength: 1, maxLength: 3 }),
  boundary: fc.option(stmts(1), { nil: undefined }),
  scps: fc.array(stmts(1), { maxLength: 2 }),
  deny: fc.option(fc.constantFrom(...DENIES), { nil: undefined, freq: 4 }),
}, { requiredKeys: ['identity', 'scps'] });

// Other layers also allow sts and s3, so DeleteTable is the only thing they decide.
const spec = (w: World): AccountSpec => agent([doc(...w.identity, ...(w.deny ? [w.deny] : []))], {
  ...(w.boundary ? { boundary: doc(...w.boundary, allow('s3:*')) } : {}),
  ...(w.scps.length > 0 ? { scps: w.scps.map((l) => doc(...l, allow('s3:*'))) } : {}),
});

/** The agent's DeleteTable scope, or undefined when the effective stage does not hold it without a condition. */
function scopeOf(w: World): { scope: GrantScope; allowedBy: (resource: string, user: string) => boolean } | undefined {
  const snap = snapshot(spec(w));
  const a = analyzePrincipals(snap, defaultConfig(), expander, NOW).find((x) => x.principal.arn === AGENT)!;
  if (!a.effective.unconditional.has(expander.idOf(ACTION))) return undefined;
  const scope = grantScope(expander, a.principal, [ACTION], { effective: a.effective, ...(snap.scps ? { scps: snap.scps } : {}) });
  const identity = a.principal.policies.map((x) => x.document);
  const boundary = a.principal.boundary ? [a.principal.boundary.document] : undefined;
  const scps = snap.scps?.map((level) => level.map((x) => x.document));
  const allowedBy = (resource: string, user: string) => {
    const d = evaluate({ action: ACTION, resource, context: { values: { 'aws:username': [user] } } }, { identity, ...(boundary ? { boundary } : {}), ...(scps ? { scps } : {}) }).decision;
    return d === 'Allowed' || d === 'Conditional';
  };
  return { scope, allowedBy };
}
/** The sample tables (for a user) the scope reports: all when everywhere. */
const reported = (s: GrantScope, user: string) => {
  if (s.everywhere.includes(ACTION)) return new Set(TABLES);
  const pts = s.scoped.find((x) => x.action === ACTION)?.patterns ?? [];
  return new Set(TABLES.filter((t) => pts.some((p) => arnMatches(p.replaceAll('${aws:username}', user), t))));
};
const worst = (w: World) => Math.max(-1, ...destructive(spec(w)).map((f) => severityRank[f.severity]));

describe('the Allow layers\' intersection against the request evaluator', () => {
  it('never understated: every table the evaluator does not deny matches a reported pattern; allowed nowhere means none', () => {
    let checked = 0, disjoint = 0, narrower = 0;
    fc.assert(fc.property(worldArb, fc.constantFrom(...USERS), (w, user) => {
      const r = scopeOf(w);
      if (!r) return;
      if (r.scope.disjoint?.length) disjoint++;
      const shown = reported(r.scope, user);
      for (const t of TABLES) {
        if (!r.allowedBy(t, user)) continue;
        checked++;
        expect(shown.has(t), `${t} is allowed (user ${user}), reported ${JSON.stringify(r.scope)}`).toBe(true);
      }
      // Narrower than the identity alone: the layers decided something.
      const alone = scopeOf({ identity: w.identity, scps: [] });
      if (alone && [...shown].length < reported(alone.scope, user).size && (w.boundary || w.scps.length > 0)) narrower++;
    }), {
      numRuns: 250,
      examples: [
        [{ identity: [del(table('prod-orders'))], boundary: [del(table('dev-*'))], scps: [] }, 'alice'],
        [{ identity: [del(table('kiro-*'))], boundary: [del(table('*-scratch'))], scps: [] }, 'alice'],
        [{ identity: [del('*')], scps: [[del(table('kiro-*'))], [del(table('*-scratch'))]] }, 'kiro'],
      ],
    });
    expect(checked).toBeGreaterThan(100);
    expect(disjoint).toBeGreaterThan(0);
    expect(narrower).toBeGreaterThan(10);
  });

  it('adding an Allow to a layer never narrows (the reported tables only grow; the severity never drops)', () => {
    let grew = 0;
    const layerArb = fc.constantFrom<'identity' | 'boundary' | 'scp0' | 'scp1'>('identity', 'boundary', 'scp0', 'scp1');
    // The extra statement first or last in its layer: no answer may depend on where it is listed.
    fc.assert(fc.property(worldArb, layerArb, fc.constantFrom(...ALLOWS), fc.boolean(), fc.constantFrom(...USERS), (w, where, extra, first, user) => {
      const more: World = { ...w, scps: w.scps.map((l) => [...l]) };
      const add = (l: unknown[]) => (first ? [extra, ...l] : [...l, extra]);
      if (where === 'identity') more.identity = add(w.identity);
      else if (where === 'boundary') { if (!w.boundary) return; more.boundary = add(w.boundary); }
      else { const k = where === 'scp0' ? 0 : 1; if (!w.scps[k]) return; more.scps[k] = add(w.scps[k]!); }
      const b = scopeOf(w), x = scopeOf(more);
      if (!b || !x) return;
      const before = reported(b.scope, user), after = reported(x.scope, user);
      for (const t of before) expect(after.has(t), `${t} reported before adding ${JSON.stringify(extra)} to ${where}, not after`).toBe(true);
      if (after.size > before.size) grew++;
      expect(worst(more)).toBeGreaterThanOrEqual(worst(w));
    }), {
      numRuns: 200,
      examples: [
        [{ identity: [del(table('prod-orders'))], boundary: [del(table('kiro-*'))], scps: [] }, 'identity', del('*'), false, 'alice'],
        // `*` listed before *-prod in the boundary must not hide x-*'s x-*-prod piece (production).
        [{ identity: [del(table('x-*'))], boundary: [del(table('*-prod'))], scps: [] }, 'boundary', del('*'), true, 'alice'],
      ],
    });
    expect(grew).toBeGreaterThan(0);
  });

  it('adding a layer never widens (what is reported after was reported before; scoped stays scoped), policy variables apart', () => {
    let narrowed = 0, variables = 0;
    // Seeded, 400 runs (session 42): since the effective stage drops an action its layers leave on
    // no resource, such a world has no finding to compare (scopeOf is undefined); 200 unseeded runs
    // then narrowed 8–12 times, around the bound (this seed: 23).
    fc.assert(fc.property(worldArb, stmts(1), fc.boolean(), fc.constantFrom(...USERS), (w, layer, asBoundary, user) => {
      if (asBoundary && w.boundary) return;
      const more: World = asBoundary ? { ...w, boundary: layer } : { ...w, scps: [...w.scps, layer] };
      const b = scopeOf(w), x = scopeOf(more);
      if (!b || !x) return;
      const before = reported(b.scope, user), after = reported(x.scope, user);
      // With a policy variable the exact answer is not known (its value is not): either side is a
      // superset, of different shapes, so only "never understated" holds (the first property).
      if (JSON.stringify([w, layer]).includes('${')) { variables++; return; }
      for (const t of after) expect(before.has(t), `${t} reported after adding ${JSON.stringify(layer)}, not before`).toBe(true);
      if (b.scope.scoped.length > 0) expect(x.scope.everywhere).toEqual([]);
      if (after.size < before.size) narrowed++;
    }), { numRuns: 400, seed: 4242, examples: [[{ identity: [del(table('kiro-*'))], scps: [] }, [del(table('*-scratch'))], true, 'alice']] });
    expect(narrowed).toBeGreaterThan(10);
    expect(variables).toBeGreaterThan(0);
  });
});
