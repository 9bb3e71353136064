// Where a grant applies when an Allow is already scoped, and when several Denies with NotResource
// apply (session 40, src/checks/scope.ts `grantScope`, src/iam/arn-intersect.ts): the action is
// left where the Allows grant it *and* inside every decidable Deny's NotResource. Session 38 kept
// an already-scoped Allow's own patterns and read only the first such Deny (overstated). Each
// positive case beside controls the rule does not decide (a Condition, NotAction, a wide
// NotResource pattern, a Deny of another action): those keep what they had. When nothing is left
// (`table/prod-orders` beside a Deny on everything but `table/kiro-scratch-*`), session 40 kept the
// finding one step lower ("denied wherever allowed"); since session 42 the effective stage drops
// the action (iam/layer-intersect.ts), so no check counts it, and grantScope asked anyway still says
// why. Through the real analysis; properties against the evaluator.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { defaultConfig } from '../../src/pipeline/scan.js';
import { analyzePrincipals } from '../../src/checks/analyze.js';
import { grantScope, leftWithin } from '../../src/checks/scope.js';
import { evaluate } from '../../src/iam/evaluate.js';
import { ActionExpander } from '../../src/iam/pattern.js';
import { arnMatches } from '../../src/iam/pattern.js';
import { catalog } from '../../src/iam/catalog.js';
import { severityRank } from '../../src/model/finding.js';
import { allow, doc, snapshot, type AccountSpec, type Doc } from '../graph/accounts.js';
import { AGENT, account, deleteTable, table } from '../support/tier-scope.js';
import { SCRATCH_ONLY, agent, denyNot, destructive, findings, nowhereOf, scopeAnyway, secret } from '../support/deny-scope.js';

const NOW = new Date('2026-12-01T12:00:00Z');
const NOWHERE = 'denied wherever allowed (a Deny with NotResource)';
/** Severity and the title's tail after "without approval". */
const verdict = (spec: AccountSpec) => destructive(spec).map((f) => [f.severity, f.title.replace(/^.*without approval,? ?/, '')]);

// Forms the rule does not decide, or that do not narrow this action: each must leave what was there.
const UNDECIDED: [string, (notResource: string | string[]) => unknown][] = [
  ['a Condition on the Deny', (nr) => denyNot('dynamodb:DeleteTable', nr, { Condition: { StringEquals: { 'aws:RequestedRegion': 'us-east-1' } } })],
  ['NotAction with NotResource', (nr) => ({ Effect: 'Deny', NotAction: 'dynamodb:DescribeTable', NotResource: nr })],
  ['a wide pattern beside it (table/*)', (nr) => denyNot('dynamodb:DeleteTable', [...[nr].flat(), 'arn:aws:dynamodb:*:*:table/*'])],
  ['a Deny of another action', (nr) => denyNot('dynamodb:DeleteBackup', nr)],
];

describe('an Allow already scoped, intersected with a Deny\'s NotResource', () => {
  it('table/kiro-* beside a Deny on everything but kiro-scratch-*: only kiro-scratch-* is left', () => {
    expect(verdict(agent([doc(deleteTable(table('kiro-*')), SCRATCH_ONLY)]))).toEqual([['high', 'only on table/kiro-scratch-*']]);
    // An Allow inside the NotResource stays itself; one across regions and accounts is cut to the Deny's.
    expect(verdict(agent([doc(deleteTable(table('kiro-scratch-1')), SCRATCH_ONLY)]))).toEqual([['high', 'only on table/kiro-scratch-1']]);
    expect(verdict(agent([doc(deleteTable('arn:aws:dynamodb:*:*:table/kiro-*'), SCRATCH_ONLY)]))).toEqual([['high', 'only on table/kiro-scratch-*']]);
  });

  it.each(UNDECIDED)('control — %s: the Allow\'s own patterns, as before', (_n, make) => {
    expect(verdict(agent([doc(deleteTable(table('kiro-*')), make(table('kiro-scratch-*')))]))).toEqual([['high', 'only on table/kiro-*']]);
  });

  it('a named production grant the Deny denies no longer holds the severity (prod-orders beside kiro-* and a Deny on everything but kiro-*)', () => {
    const [f] = destructive(agent([doc(deleteTable([table('prod-orders'), table('kiro-*')]), denyNot('dynamodb:DeleteTable', table('kiro-*')))]));
    expect([f!.severity, f!.title]).toEqual(['high', 'kiro-agent can run 1 destructive action without approval, only on table/kiro-*']);
    // Controls: the same grants without the Deny, and with an undecidable one, name production.
    expect(verdict(agent([doc(deleteTable([table('prod-orders'), table('kiro-*')]))]))[0]![0]).toBe('critical');
    for (const [, make] of UNDECIDED) expect(verdict(agent([doc(deleteTable([table('prod-orders'), table('kiro-*')]), make(table('kiro-*')))]))[0]![0]).toBe('critical');
  });

  it('an Allow inside one of the Deny\'s patterns is left whole, not split by the others', () => {
    expect(verdict(agent([doc(deleteTable(table('kiro-*')), denyNot('dynamodb:DeleteTable', [table('kiro-*'), table('kiro-scratch-*')]))]))).toEqual([['high', 'only on table/kiro-*']]);
  });

  it('an Allow on another service\'s pattern beside the Deny: nothing left there either (dropped by the effective stage, session 42)', () => {
    const spec = agent([doc(deleteTable('arn:aws:s3:::kiro-bucket'), SCRATCH_ONLY)]);
    expect(verdict(spec)).toEqual([]);
    expect(nowhereOf(spec)).toEqual([{ action: 'dynamodb:DeleteTable', layer: 'deny', allows: [table('kiro-scratch-*')] }]);
    expect(scopeAnyway(spec, ['dynamodb:DeleteTable']).verdict.only).toBe(NOWHERE);
    // Control: without the Deny, the s3 pattern is kept (it proves nothing on its own), one step lower.
    expect(verdict(agent([doc(deleteTable('arn:aws:s3:::kiro-bucket'))]))[0]![0]).toBe('high');
  });
});

describe('nothing left: the Deny denies every resource the Allows name', () => {
  const NAMED_PROD = [doc(deleteTable(table('prod-orders')), SCRATCH_ONLY)];

  // Session 42: the effective stage drops what is provably left on no resource, so no finding;
  // grantScope, asked anyway, still says why (its text stays for what the effective stage cannot prove).
  it('prod-orders beside a Deny on everything but kiro-scratch-*: dropped by the effective stage, no finding; the scope says why', () => {
    expect(destructive(agent(NAMED_PROD))).toEqual([]);
    expect(nowhereOf(agent(NAMED_PROD))).toEqual([{ action: 'dynamodb:DeleteTable', layer: 'deny', allows: [table('kiro-scratch-*')] }]);
    const { verdict: v } = scopeAnyway(agent(NAMED_PROD), ['dynamodb:DeleteTable']);
    expect([v.lower, v.only]).toEqual([true, NOWHERE]);
    expect(v.text).toContain('dynamodb:DeleteTable is denied wherever it is allowed');
    expect(v.text).not.toContain('only on');
  });

  it.each(UNDECIDED)('control — %s: prod-orders stays, critical', (_n, make) => {
    expect(verdict(agent([doc(deleteTable(table('prod-orders')), make(table('kiro-scratch-*')))]))).toEqual([['critical', 'only on table/prod-orders, which names production']]);
  });

  it('agrees with the engine: the effective stage no longer holds the action (session 42), the evaluator denies the named table', () => {
    const expander = new ActionExpander(catalog());
    const a = analyzePrincipals(snapshot(agent(NAMED_PROD)), defaultConfig(), expander, NOW).find((x) => x.principal.arn === AGENT)!;
    const id = expander.idOf('dynamodb:DeleteTable');
    expect([a.effective.allowed.has(id), a.effective.unconditional.has(id), a.effective.allResources.has(id)]).toEqual([false, false, false]);
    const identity = a.principal.policies.map((x) => x.document);
    expect(evaluate({ action: 'dynamodb:DeleteTable', resource: table('prod-orders') }, { identity }).decision).toBe('ExplicitlyDenied');
    expect(grantScope(expander, a.principal, ['dynamodb:DeleteTable'], { effective: a.effective })).toMatchObject({ everywhere: [], scoped: [{ action: 'dynamodb:DeleteTable', patterns: [] }], patterns: [], nowhere: ['dynamodb:DeleteTable'] });
    // Control: without the Deny, allowed on it.
    const b = analyzePrincipals(snapshot(agent([doc(deleteTable(table('prod-orders')))])), defaultConfig(), expander, NOW).find((x) => x.principal.arn === AGENT)!;
    expect(evaluate({ action: 'dynamodb:DeleteTable', resource: table('prod-orders') }, { identity: b.principal.policies.map((x) => x.document) }).decision).toBe('Allowed');
    expect(b.effective.unconditional.has(id)).toBe(true);
  });

  it('beside an action on every resource: the severity stands; the action left nowhere is no longer among the finding\'s', () => {
    const [f] = destructive(agent([doc(deleteTable(table('prod-orders')), SCRATCH_ONLY, allow('s3:DeleteBucket'))]));
    expect(f!.severity).toBe('critical');
    expect(f!.actions).toEqual(['s3:DeleteBucket']);
    expect(f!.description).not.toContain('dynamodb:DeleteTable');
  });

  it('a credential read (GetSecretValue on prod/* secrets, a Deny on everything but kiro/*): one step lower; control with a Condition stays critical', () => {
    const reads = (inline: Doc[]) => findings(agent(inline)).filter((f) => f.checkId === 'privilege-escalation' && f.technique === 'secretsmanager-read-secrets').map((f) => [f.severity, f.title.endsWith(NOWHERE)]);
    // Left nowhere: dropped by the effective stage (session 42), so no credential-read hit at all.
    expect(reads([doc(allow('secretsmanager:GetSecretValue', secret('prod/*')), denyNot('secretsmanager:GetSecretValue', secret('kiro/*')))])).toEqual([]);
    expect(reads([doc(allow('secretsmanager:GetSecretValue', secret('prod/*')), denyNot('secretsmanager:GetSecretValue', secret('kiro/*'), { Condition: { Bool: { 'aws:SecureTransport': 'true' } } }))])).toEqual([['critical', false]]);
  });

  it('a caller left with nothing does not hold the action (session 42): the role that holds it adds it; control: its own prod-orders grant is named', () => {
    const esc = (own: unknown[]) => findings(account(own, { deploy: [deleteTable('*')] })).filter((f) => f.checkId === 'privilege-escalation' && f.technique === 'sts-assume-permissive-role');
    const [f] = esc([deleteTable(table('prod-orders')), SCRATCH_ONLY]);
    expect(f!.description).toContain('It reaches deploy, which adds destructive actions.');
    expect(f!.description).not.toContain('itself');
    const [g] = esc([deleteTable(table('prod-orders')), denyNot('dynamodb:DeleteTable', table('kiro-scratch-*'), { Condition: { Bool: { 'aws:ViaAWSService': 'false' } } })]);
    expect(g!.description).toContain('It holds dynamodb:DeleteTable itself only on table/prod-orders');
  });
});

describe('several Denies with NotResource: left only inside every one', () => {
  const first = denyNot('dynamodb:DeleteTable', [table('kiro-*'), table('ops-*')]);
  it('in one policy, a second policy, a boundary or an SCP: the intersection', () => {
    const second = denyNot('dynamodb:*', table('kiro-scratch-*'));
    const want = [['high', 'only on table/kiro-scratch-*']];
    expect(verdict(agent([doc(deleteTable('*'), first, second)]))).toEqual(want);
    expect(verdict(agent([doc(deleteTable('*'), first), doc(second)]))).toEqual(want);
    expect(verdict(agent([doc(deleteTable('*'), first)], { boundary: doc(allow('*'), second) }))).toEqual(want);
    expect(verdict(agent([doc(deleteTable('*'), first)], { scps: [doc(allow('*'), second)] }))).toEqual(want);
    // The order does not matter.
    expect(verdict(agent([doc(deleteTable('*'), second)], { scps: [doc(allow('*'), first)] }))).toEqual(want);
  });

  it.each(UNDECIDED)('control — the second Deny with %s: the first one\'s patterns, as before', (_n, make) => {
    expect(verdict(agent([doc(deleteTable('*'), first, make(table('kiro-scratch-*')))]))).toEqual([['high', 'only on table/kiro-*, table/ops-*']]);
  });

  it('a first Deny that spares prod-orders, a second that does not: no longer production', () => {
    const spares = denyNot('dynamodb:DeleteTable', [table('prod-orders'), table('kiro-*')]);
    expect(verdict(agent([doc(deleteTable('*'), spares)], { scps: [doc(allow('*'), denyNot('dynamodb:DeleteTable', table('kiro-*')))] }))).toEqual([['high', 'only on table/kiro-*']]);
    // Control: the first alone names production.
    expect(verdict(agent([doc(deleteTable('*'), spares)]))[0]![0]).toBe('critical');
  });

  it('two Denies that spare nothing in common: nothing left', () => {
    const spec = agent([doc(deleteTable('*'), denyNot('dynamodb:DeleteTable', table('kiro-*')), denyNot('dynamodb:DeleteTable', table('ops-*')))]);
    expect(verdict(spec)).toEqual([]);
    expect(nowhereOf(spec)).toEqual([{ action: 'dynamodb:DeleteTable', layer: 'deny', allows: [table('ops-*')] }]);
  });

  it('a scoped Allow in the boundary, the Deny in an SCP: the boundary\'s patterns intersected', () => {
    const boundary = doc(allow('dynamodb:DeleteTable', table('kiro-*')));
    expect(verdict(agent([doc(deleteTable('*'))], { boundary, scps: [doc(allow('*'), SCRATCH_ONLY)] }))).toEqual([['high', 'only on table/kiro-scratch-*']]);
    expect(verdict(agent([doc(deleteTable('*'))], { boundary, scps: [doc(allow('*'), UNDECIDED[0]![1](table('kiro-scratch-*')))] }))).toEqual([['high', 'only on table/kiro-*']]);
  });
});

describe('leftWithin: bounded', () => {
  const ends = (n: number) => Array.from({ length: n }, (_, j) => table(`k*x${j}`));
  const starts = (n: number) => Array.from({ length: n }, (_, i) => table(`k${i}*`));
  it('`*` is the Deny\'s own patterns, however many; a grant cut into more than 16 pieces is kept whole', () => {
    const many = Array.from({ length: 65 }, (_, i) => table(`kiro-${i}`));
    expect(leftWithin(['*'], [many])).toEqual(many);
    expect(leftWithin([table('kq*')], [ends(16)])).toEqual(ends(16).map((x) => x.replace('table/k*', 'table/kq*')));
    expect(leftWithin([table('kq*')], [ends(17)])).toEqual([table('kq*')]);
    // Nothing left is an answer, not a bound.
    expect(leftWithin([table('prod-orders')], [many])).toEqual([]);
  });

  it('a Deny that would leave more than 64 patterns beyond its own (16 here) is not read (what was left stays); the next one still is', () => {
    expect(leftWithin(starts(4), [ends(16)])).toHaveLength(64);
    expect(leftWithin(starts(5), [ends(16)])).toHaveLength(80);
    expect(leftWithin(starts(6), [ends(16)])).toEqual(starts(6));
    expect(leftWithin(starts(6), [ends(16), [table('k1*')]])).toEqual([table('k1*')]);
  });

  it('through the check: `*` beside such a Deny stays every table (critical), never a `*` pattern read as scoped; control under the bound', () => {
    const deny = denyNot('dynamodb:DeleteTable', ends(16));
    expect(verdict(agent([doc(deleteTable(['*', ...starts(5)]), deny)]))).toEqual([['critical', '']]);
    expect(verdict(agent([doc(deleteTable(['*', ...starts(4)]), deny)]))).toEqual([['high', 'only on table/k*x0, table/k*x1, table/k*x2 and 77 more']]);
  });
});

describe('the other callers of grantScope', () => {
  it('agent-reaches-destructive: a reached role\'s kiro-* grant left on kiro-scratch-* by its Deny; control with a Condition', () => {
    const reach = (deploy: unknown[]) => findings(account([], { deploy })).filter((f) => f.checkId === 'agent-reaches-destructive').map((f) => [f.severity, f.title.replace(/^.*through deploy,? ?/, '')]);
    expect(reach([deleteTable(table('kiro-*')), SCRATCH_ONLY])).toEqual([['medium', 'only on table/kiro-scratch-*']]);
    expect(reach([deleteTable(table('kiro-*')), UNDECIDED[0]![1](table('kiro-scratch-*'))])).toEqual([['medium', 'only on table/kiro-*']]);
  });
});

describe('adding an Allow never lowers a severity, beside a boundary too', () => {
  // Session 40 kept prod-orders named here (critical both ways); since session 41 the Allow layers
  // intersect: the boundary allows kiro-* only, so prod-orders is allowed nowhere — since session 42
  // dropped, no finding — and `Allow *` beside it leaves kiro-* (one step lower): higher, never lower.
  it('identity prod-orders with a boundary on kiro-*: allowed nowhere (no finding); adding `Allow *` to the identity leaves kiro-*, no lower', () => {
    const boundary = doc(allow('dynamodb:DeleteTable', table('kiro-*')));
    expect(verdict(agent([doc(deleteTable(table('prod-orders')))], { boundary }))).toEqual([]);
    expect(verdict(agent([doc(deleteTable(table('prod-orders')), deleteTable('*'))], { boundary }))).toEqual([['high', 'only on table/kiro-*']]);
    // Control: a boundary that allows prod-orders too keeps production named, both ways.
    const both = doc(allow('dynamodb:DeleteTable', [table('kiro-*'), table('prod-*')]));
    expect(verdict(agent([doc(deleteTable(table('prod-orders')))], { boundary: both }))[0]![0]).toBe('critical');
    expect(verdict(agent([doc(deleteTable(table('prod-orders')), deleteTable('*'))], { boundary: both }))[0]![0]).toBe('critical');
  });
});

// Properties over one agent's statements on DeleteTable and GetSecretValue, Denies in any layer.
const expander = new ActionExpander(catalog());
const ACTIONS = ['dynamodb:DeleteTable', 'secretsmanager:GetSecretValue'];
const ALLOWS: unknown[] = [
  deleteTable('*'), deleteTable(table('kiro-*')), deleteTable(table('prod-orders')), deleteTable(table('kiro-scratch-1')), deleteTable('arn:aws:dynamodb:*:*:table/ops-*'),
  deleteTable([table('prod-orders'), table('kiro-*')]), deleteTable('arn:aws:dynamodb:*:*:table/*'), deleteTable(table('${aws:username}-*')),
  allow('secretsmanager:GetSecretValue'), allow('secretsmanager:GetSecretValue', secret('kiro/*')), allow('secretsmanager:GetSecretValue', secret('prod/*')),
];
const DENIES: unknown[] = [
  SCRATCH_ONLY, denyNot('dynamodb:*', [table('kiro-*'), table('ops-*')]), denyNot('dynamodb:DeleteTable', table('kiro-*')), denyNot('dynamodb:DeleteTable', table('p*')),
  denyNot('dynamodb:DeleteTable', 'arn:aws:dynamodb:*:*:table/ops-?'), denyNot('secretsmanager:GetSecretValue', secret('kiro/*')), denyNot('secretsmanager:*', [secret('kiro/*'), secret('prod/db*')]),
  denyNot('dynamodb:DeleteTable', table('${aws:username}')), denyNot('dynamodb:DeleteTable', 'arn:aws:s3:::kiro-bucket'),
  ...UNDECIDED.map(([, make]) => make(table('kiro-scratch-*'))), denyNot('dynamodb:DeleteTable', '*'), { Effect: 'Deny', Action: 'dynamodb:DeleteTable', Resource: table('prod-*') },
];
const RESOURCES: Record<string, string[]> = {
  'dynamodb:DeleteTable': [
    ...['kiro-scratch-1', 'kiro-a', 'ops-1', 'ops-12', 'prod-orders', 'pipeline', 'other', 'kiro-agent'].map((n) => table(n)),
    'arn:aws:dynamodb:eu-west-1:222222222222:table/ops-1', 'arn:aws:dynamodb:eu-west-1:222222222222:table/kiro-scratch-9',
  ],
  'secretsmanager:GetSecretValue': ['kiro/x', 'prod/db', 'prod/dbx', 'other'].map((n) => secret(n)),
};
type Layer = 0 | 1 | 2;
const denyArb = fc.tuple(fc.constantFrom(...DENIES), fc.constantFrom<Layer>(0, 1, 2));
function world(allows: unknown[], denies: (readonly [unknown, Layer])[]): AccountSpec {
  const at = (l: Layer) => denies.filter((d) => d[1] === l).map((d) => d[0]);
  const boundary = at(1), scp = at(2);
  return agent([doc(...allows, ...at(0))], { ...(boundary.length > 0 ? { boundary: doc(allow('*'), ...boundary) } : {}), ...(scp.length > 0 ? { scps: [doc(allow('*'), ...scp)] } : {}) });
}
function scopeOf(spec: AccountSpec) {
  const snap = snapshot(spec);
  const a = analyzePrincipals(snap, defaultConfig(), expander, NOW).find((x) => x.principal.arn === AGENT)!;
  const held = ACTIONS.filter((k) => a.effective.unconditional.has(expander.idOf(k)));
  return { a, scps: snap.scps, scope: grantScope(expander, a.principal, held, { effective: a.effective, ...(snap.scps ? { scps: snap.scps } : {}) }) };
}
const worst = (spec: AccountSpec) => Math.max(-1, ...destructive(spec).map((f) => severityRank[f.severity]));

describe('properties', () => {
  it('never understated: every resource the evaluator allows (any layer\'s Deny) matches a scoped pattern; nothing left means none allowed', () => {
    let checked = 0, nowhere = 0, narrowedAllow = 0;
    fc.assert(fc.property(fc.array(fc.constantFrom(...ALLOWS), { minLength: 1, maxLength: 3 }), fc.array(denyArb, { maxLength: 3 }), fc.constantFrom('alice', 'kiro-a', 'ops-1'), (allows, denies, username) => {
      const spec = world(allows, denies);
      const { a, scope, scps: levels } = scopeOf(spec);
      const identity = a.principal.policies.map((x) => x.document);
      const boundary = a.principal.boundary ? [a.principal.boundary.document] : undefined;
      const scps = levels?.map((level) => level.map((x) => x.document));
      for (const { action, patterns } of scope.scoped) {
        if (patterns.length === 0) nowhere++;
        for (const resource of RESOURCES[action]!) {
          const context = { values: { 'aws:username': [username] } };
          if (evaluate({ action, resource, context }, { identity, ...(boundary ? { boundary } : {}), ...(scps ? { scps } : {}) }).decision !== 'Allowed') continue;
          checked++;
          // Variables in a pattern are the caller's value, as the evaluator substitutes them.
          expect(patterns.some((pt) => arnMatches(pt.replaceAll('${aws:username}', username), resource)), `${action} on ${resource} is allowed, scoped to ${patterns.join(', ') || 'nothing'}`).toBe(true);
        }
      }
      // Session 42: what the effective stage dropped as allowed nowhere, the evaluator allows nowhere.
      for (const { action } of a.effective.nowhere ?? []) {
        nowhere++;
        for (const resource of RESOURCES[action]!) {
          const d = evaluate({ action, resource, context: { values: { 'aws:username': [username] } } }, { identity, ...(boundary ? { boundary } : {}), ...(scps ? { scps } : {}) }).decision;
          expect(d === 'Allowed' || d === 'Conditional', `${action} dropped as allowed nowhere, but ${d} on ${resource}`).toBe(false);
        }
      }
      if (scope.scoped.some((x) => x.patterns.length > 0 && allows.some((al) => JSON.stringify(al).includes('kiro-*')) && x.patterns.every((p) => p.endsWith('kiro-scratch-*')))) narrowedAllow++;
    }), { numRuns: 120, examples: [[[deleteTable(table('prod-orders'))], [[SCRATCH_ONLY, 0]], 'alice'], [[deleteTable(table('kiro-*'))], [[SCRATCH_ONLY, 2]], 'alice']] });
    expect(checked).toBeGreaterThan(0);
    // Some draws were left nowhere (by the effective stage or the scope), some scoped Allows narrowed (the examples are such).
    expect(nowhere).toBeGreaterThan(0);
    expect(narrowedAllow).toBeGreaterThan(0);
  });

  it('adding an Allow never lowers the destructive-actions severity (Denies in any layer)', () => {
    fc.assert(fc.property(fc.array(fc.constantFrom(...ALLOWS), { minLength: 1, maxLength: 2 }), fc.array(denyArb, { maxLength: 2 }), fc.constantFrom(...ALLOWS), (some, denies, extra) => {
      expect(worst(world([...some, extra], denies))).toBeGreaterThanOrEqual(worst(world(some, denies)));
    }), { numRuns: 80, examples: [[[deleteTable(table('prod-orders'))], [[denyNot('dynamodb:DeleteTable', table('p*')), 0]], deleteTable('*')], [[deleteTable(table('kiro-*'))], [[SCRATCH_ONLY, 1]], deleteTable(table('prod-orders'))]] });
  });

  it('adding a Deny never widens a grant: what was scoped stays scoped (or is no longer held)', () => {
    let narrowed = 0;
    fc.assert(fc.property(fc.array(fc.constantFrom(...ALLOWS), { minLength: 1, maxLength: 3 }), fc.array(denyArb, { maxLength: 2 }), denyArb, (allows, denies, extra) => {
      const b = scopeOf(world(allows, denies)).scope, x = scopeOf(world(allows, [...denies, extra])).scope;
      const now = new Set(x.scoped.map((s) => s.action));
      for (const s of b.scoped) expect(now.has(s.action) || !x.everywhere.includes(s.action)).toBe(true);
      // Already scoped, and the added Deny narrowed where (session 38 never did).
      if (b.scoped.some((s) => { const y = x.scoped.find((z) => z.action === s.action); return y !== undefined && y.patterns.join() !== s.patterns.join(); })) narrowed++;
    }), { numRuns: 80, examples: [[[deleteTable(table('kiro-*'))], [], [SCRATCH_ONLY, 0]]] });
    expect(narrowed).toBeGreaterThan(0);
  });
});
