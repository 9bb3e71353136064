// Where a grant applies when more than one Allow layer decides (session 41, src/checks/scope.ts
// `grantScope`): the request evaluator allows an action only where the identity policies, the
// permissions boundary and every SCP level each allow it, so what leash says is the intersection
// of their patterns (iam/arn-intersect.ts), not the first scoped layer's. Session 40 showed the
// identity's `table/prod-orders` beside a boundary allowing only `table/dev-*` (allowed nowhere)
// as production, and `table/kiro-*` beside a boundary on `table/*-scratch` as all of kiro-*.
// Controls: a wide layer, an SCP `*`, a conditional (tag-scoped) statement and a policy variable
// narrow nothing. Since session 42 an action the layers leave nowhere is dropped by the effective
// stage (no finding); grantScope, asked directly, still words it. Through the real analysis.
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/pipeline/scan.js';
import { analyzePrincipals } from '../../src/checks/analyze.js';
import { grantScope, wideByType, withinLayer } from '../../src/checks/scope.js';
import { ActionExpander } from '../../src/iam/pattern.js';
import { catalog } from '../../src/iam/catalog.js';
import { snapshot } from '../graph/accounts.js';
import { allow, doc, type AccountSpec, type Doc } from '../graph/accounts.js';
import { AGENT, TYPE_WIDE, account, deleteTable, table } from '../support/tier-scope.js';
import { agent, denyNot, destructive, findings, nowhereOf, scopeAnyway } from '../support/deny-scope.js';

/** Severity and the title's tail after "without approval". */
const verdict = (spec: AccountSpec) => destructive(spec).map((f) => [f.severity, f.title.replace(/^.*without approval,? ?/, '')]);
const cap = (...statements: unknown[]) => doc(...statements);
const TAGGED = { StringEquals: { 'aws:ResourceTag/env': 'dev' } };

describe('identity ∩ boundary', () => {
  // Session 42: the effective stage drops an action its layers provably leave nowhere, so no
  // finding; what the scope would say (still said where the effective stage cannot prove it, e.g.
  // a policy variable: below) is asked of grantScope directly.
  it('prod-orders in the identity, a boundary allowing only dev-* tables: allowed nowhere, dropped by the effective stage; the scope says why', () => {
    const spec = agent([doc(deleteTable(table('prod-orders')))], { boundary: cap(allow('dynamodb:DeleteTable', table('dev-*'))) });
    expect(destructive(spec)).toEqual([]);
    expect(nowhereOf(spec)).toEqual([{ action: 'dynamodb:DeleteTable', layer: 'boundary', allows: [table('dev-*')] }]);
    const { verdict: v } = scopeAnyway(spec, ['dynamodb:DeleteTable']);
    expect([v.lower, v.only]).toEqual([true, 'allowed nowhere (the Allow layers share no resource)']);
    expect(v.text).toContain('dynamodb:DeleteTable is allowed nowhere: the permissions boundary allows it only on table/dev-*, where the identity policies do not grant it');
    expect(v.text).not.toContain('NotResource');
    expect(v.text).not.toContain('names production');
  });

  it('kiro-* in the identity, *-scratch in the boundary: only where both match', () => {
    expect(verdict(agent([doc(deleteTable(table('kiro-*')))], { boundary: cap(allow('dynamodb:DeleteTable', table('*-scratch'))) })))
      .toEqual([['high', 'only on table/kiro-scratch, table/kiro-*-scratch']]);
  });
});

describe('controls: a layer that narrows nothing leaves the others as they are', () => {
  const PROD = [doc(deleteTable(table('prod-orders')))];
  const KIRO = [doc(deleteTable(table('kiro-*')))];
  it.each([
    ['a boundary of Allow *', { boundary: cap(allow('*')) }],
    ['a boundary on every table (table/*)', { boundary: cap(allow('dynamodb:*', 'arn:aws:dynamodb:*:*:table/*')) }],
    ['an SCP of Allow * (FullAWSAccess)', { scps: [cap(allow('*'))] }],
    ['a boundary whose only DeleteTable Allow is `*` limited by a tag Condition', { boundary: cap(allow('dynamodb:DeleteTable', '*', TAGGED)) }],
    ['a boundary with dev-* beside a tag-conditioned `*`', { boundary: cap(allow('dynamodb:DeleteTable', table('dev-*')), allow('dynamodb:DeleteTable', '*', TAGGED)) }],
    ['a boundary on ${aws:username}-* tables (a variable narrows nothing)', { boundary: cap(allow('dynamodb:DeleteTable', table('${aws:username}-*'))) }],
  ] as [string, { boundary?: Doc; scps?: Doc[] }][])('%s', (_n, extra) => {
    expect(verdict(agent(PROD, extra))).toEqual([['critical', 'only on table/prod-orders, which names production']]);
    expect(verdict(agent(KIRO, extra))).toEqual([['high', 'only on table/kiro-*']]);
  });

  it('the positive counterparts: the same boundaries without the wide or variable statement do narrow', () => {
    // Allowed nowhere: dropped by the effective stage (session 42), no finding.
    expect(verdict(agent(PROD, { boundary: cap(allow('dynamodb:DeleteTable', table('dev-*'))) }))).toEqual([]);
    expect(nowhereOf(agent(PROD, { boundary: cap(allow('dynamodb:DeleteTable', table('dev-*'))) }))?.map((x) => x.action)).toEqual(['dynamodb:DeleteTable']);
    expect(verdict(agent(KIRO, { boundary: cap(allow('dynamodb:DeleteTable', table('kiro-scratch-*'))) }))).toEqual([['high', 'only on table/kiro-scratch-*']]);
    // A Condition on a named Allow narrows it further, never wider than its Resource: prod-orders is still outside dev-*.
    expect(verdict(agent(PROD, { boundary: cap(allow('dynamodb:DeleteTable', table('dev-*'), TAGGED)) }))).toEqual([]);
    expect(nowhereOf(agent(PROD, { boundary: cap(allow('dynamodb:DeleteTable', table('dev-*'), TAGGED)) }))?.map((x) => x.action)).toEqual(['dynamodb:DeleteTable']);
  });

  it('a policy variable still proves two patterns disjoint (another region): allowed nowhere; control in the same region', () => {
    const mine = [doc(deleteTable(table('${aws:username}')))];
    expect(verdict(agent(mine, { boundary: cap(allow('dynamodb:DeleteTable', 'arn:aws:dynamodb:eu-west-1:*:table/kiro-*')) }))).toEqual([['high', 'allowed nowhere (the Allow layers share no resource)']]);
    expect(verdict(agent(mine, { boundary: cap(allow('dynamodb:DeleteTable', table('kiro-*'))) }))).toEqual([['high', 'only on table/${aws:username}']]);
  });
});

describe('SCP levels', () => {
  it('an SCP allowing DeleteTable only on ops-* tables, the identity on kiro-*: allowed nowhere, and the SCPs named', () => {
    const spec = agent([doc(deleteTable(table('kiro-*')))], { scps: [cap(allow('dynamodb:DeleteTable', table('ops-*')), allow('s3:*'))] });
    expect(destructive(spec)).toEqual([]);
    expect(nowhereOf(spec)).toEqual([{ action: 'dynamodb:DeleteTable', layer: 'scp', allows: [table('ops-*')] }]);
    const { verdict: v } = scopeAnyway(spec, ['dynamodb:DeleteTable']);
    expect(v.only).toBe('allowed nowhere (the Allow layers share no resource)');
    expect(v.text).toContain('dynamodb:DeleteTable is allowed nowhere: the SCPs allow it only on table/ops-*, where the identity policies do not grant it.');
  });

  it('identity `*`, a boundary on *-scratch (wide by itself), an SCP on kiro-*: where all three allow', () => {
    expect(verdict(agent([doc(deleteTable('*'))], { boundary: cap(allow('dynamodb:DeleteTable', table('*-scratch'))), scps: [cap(allow('dynamodb:DeleteTable', table('kiro-*')))] })))
      .toEqual([['high', 'only on table/kiro-scratch, table/kiro-*-scratch']]);
    // Control: the wide boundary and identity alone are every table.
    expect(verdict(agent([doc(deleteTable('*'))], { boundary: cap(allow('dynamodb:DeleteTable', table('*-scratch'))) }))).toEqual([['critical', '']]);
  });

  it('two SCP levels that share no table, the identity wide: allowed nowhere; the boundary and identity named when they decided', () => {
    const two = agent([doc(deleteTable('*'))], { scps: [cap(allow('dynamodb:DeleteTable', table('kiro-*'))), cap(allow('dynamodb:DeleteTable', table('ops-*')))] });
    expect(destructive(two)).toEqual([]);
    expect(scopeAnyway(two, ['dynamodb:DeleteTable']).verdict.text).toContain('the SCPs allow it only on table/ops-*, where another SCP level does not grant it.');
    const three = agent([doc(deleteTable(table('prod-orders')))], { boundary: cap(allow('dynamodb:DeleteTable', table('prod-*'))), scps: [cap(allow('dynamodb:DeleteTable', table('dev-*')))] });
    expect(destructive(three)).toEqual([]);
    expect(nowhereOf(three)).toEqual([{ action: 'dynamodb:DeleteTable', layer: 'scp', allows: [table('dev-*')] }]);
    expect(scopeAnyway(three, ['dynamodb:DeleteTable']).verdict.text).toContain('the SCPs allow it only on table/dev-*, where the identity policies and the permissions boundary do not both grant it.');
    // Control: an SCP level that allows prod-* keeps production named.
    expect(verdict(agent([doc(deleteTable(table('prod-orders')))], { boundary: cap(allow('dynamodb:DeleteTable', table('prod-*'))), scps: [cap(allow('dynamodb:DeleteTable', table('p*')))] }))[0]![0]).toBe('critical');
  });
});

describe('with a Deny with NotResource after the layers', () => {
  it('the layers leave kiro-scratch and kiro-*-scratch, a Deny on everything but kiro-scratch-*: only kiro-scratch-scratch and kiro-scratch-*-scratch; the Deny\'s wording when it leaves nothing', () => {
    const boundary = cap(allow('dynamodb:DeleteTable', table('*-scratch')));
    expect(verdict(agent([doc(deleteTable(table('kiro-*')), denyNot('dynamodb:DeleteTable', table('kiro-scratch-*')))], { boundary }))).toEqual([['high', 'only on table/kiro-scratch-scratch, table/kiro-scratch-*-scratch']]);
    const gone = agent([doc(deleteTable(table('kiro-*')), denyNot('dynamodb:DeleteTable', table('kiro-x')))], { boundary });
    expect(destructive(gone)).toEqual([]);
    expect(nowhereOf(gone)).toEqual([{ action: 'dynamodb:DeleteTable', layer: 'deny', allows: [table('kiro-x')] }]);
    const { verdict: v } = scopeAnyway(gone, ['dynamodb:DeleteTable']);
    expect(v.only).toBe('denied wherever allowed (a Deny with NotResource)');
    expect(v.text).not.toContain('allowed nowhere');
  });
});

describe('a wide identity pattern (not `*`) before a Deny with NotResource, as `*` was in session 40', () => {
  it('beside a policy variable it does not contain: the Deny\'s pattern; past 16 pieces: still the Deny\'s patterns, never kept wide', () => {
    expect(verdict(agent([doc(deleteTable(table('*-scratch')), denyNot('dynamodb:DeleteTable', table('${aws:username}')))]))).toEqual([['high', 'only on table/${aws:username}']]);
    const seventeen = Array.from({ length: 17 }, (_, i) => table(`t${i}`));
    expect(verdict(agent([doc(deleteTable(table('*')), denyNot('dynamodb:DeleteTable', seventeen))]))).toEqual([['high', 'only on table/t0, table/t1, table/t2 and 14 more']]);
    // Control: without the Deny, every table.
    expect(verdict(agent([doc(deleteTable(table('*-scratch')))]))).toEqual([['critical', '']]);
  });
});

describe('the other readers of grantScope', () => {
  const DEV_ONLY = cap(allow('dynamodb:DeleteTable', table('dev-*')), allow('sts:AssumeRole'));
  it('agent-reaches-destructive: a reached role\'s prod-orders grant outside its boundary is allowed nowhere: the role holds nothing destructive (session 42), no finding; control without the boundary names production', () => {
    const reach = (spec: AccountSpec) => findings(spec).filter((f) => f.checkId === 'agent-reaches-destructive').map((f) => [f.severity, f.title.replace(/^.*through deploy,? ?/, ''), f.description]);
    expect(reach(account([], { deploy: [deleteTable(table('prod-orders'))] }, { roleOpts: { deploy: { boundary: 'cap' } }, policies: { cap: DEV_ONLY } }))).toEqual([]);
    expect(reach(account([], { deploy: [deleteTable(table('prod-orders'))] })).map((x) => x.slice(0, 2))).toEqual([['high', 'only on table/prod-orders, which names production']]);
  });

  it('privilege-escalation: a caller whose own grant is outside its boundary does not hold it (session 42): deploy adds the action, not a widening; control without the boundary', () => {
    const esc = (spec: AccountSpec) => findings(spec).filter((f) => f.checkId === 'privilege-escalation' && f.technique === 'sts-assume-permissive-role');
    const bounded = (spec: AccountSpec): AccountSpec => ({ ...spec, roles: spec.roles!.map((r) => (r.name === 'kiro-agent' ? { ...r, boundary: 'cap' } : r)), policies: { cap: DEV_ONLY } });
    const world = bounded(account([deleteTable(table('prod-orders'))], { deploy: [deleteTable('*')] }));
    const [f] = esc(world);
    expect(f!.description).toContain('It reaches deploy, which adds destructive actions.');
    expect(f!.description).not.toContain('itself');
    expect(findings(world).find((x) => x.checkId === 'agent-reaches-destructive')!.description).toContain('This agent cannot do these itself, but it can act as deploy');
    const [g] = esc(account([deleteTable(table('prod-orders'))], { deploy: [deleteTable('*')] }));
    expect(g!.description).toContain('It holds dynamodb:DeleteTable itself only on table/prod-orders; it reaches deploy');
  });
});

describe('wide patterns and the bounds', () => {
  it('a wide identity pattern (table/*, table/*-scratch) beside a boundary with a policy variable: the boundary\'s pattern, never kept wide', () => {
    expect(verdict(agent([doc(deleteTable(TYPE_WIDE))], { boundary: cap(allow('dynamodb:DeleteTable', table('${aws:username}-*'))) }))).toEqual([['high', 'only on table/${aws:username}-*']]);
    // Overlapping, neither inside the other, the variable's value unknown: not decided, so the named side.
    expect(verdict(agent([doc(deleteTable(table('*-scratch')))], { boundary: cap(allow('dynamodb:DeleteTable', table('${aws:username}-*'))) }))).toEqual([['high', 'only on table/${aws:username}-*']]);
    // Control: a wide boundary too is every table.
    expect(verdict(agent([doc(deleteTable(TYPE_WIDE))], { boundary: cap(allow('dynamodb:DeleteTable', '*')) }))).toEqual([['critical', '']]);
  });

  it('every layer wide by the rule is every resource, as wideByType reads it, even where their intersection is narrower (ta* and ?able/kiro: table/kiro)', () => {
    const expander = new ActionExpander(catalog());
    const at = (r: string) => `arn:aws:dynamodb:us-east-1:111111111111:${r}`;
    const spec = agent([doc(deleteTable(at('ta*')))], { boundary: cap(allow('dynamodb:DeleteTable', at('?able/kiro'))) });
    const a = analyzePrincipals(snapshot(spec), defaultConfig(), expander).find((x) => x.principal.arn === AGENT)!;
    expect(grantScope(expander, a.principal, ['dynamodb:DeleteTable'], { effective: a.effective }).everywhere).toEqual(['dynamodb:DeleteTable']);
    expect(wideByType(expander, a.principal, ['dynamodb:DeleteTable'], {})).toEqual(['dynamodb:DeleteTable']);
    // Control: a boundary named by the rule is read as a layer, and agrees with wideByType.
    const named = agent([doc(deleteTable(at('ta*')))], { boundary: cap(allow('dynamodb:DeleteTable', at('table/x*'))) });
    const b = analyzePrincipals(snapshot(named), defaultConfig(), expander).find((x) => x.principal.arn === AGENT)!;
    expect(grantScope(expander, b.principal, ['dynamodb:DeleteTable'], { effective: b.effective }).scoped).toEqual([{ action: 'dynamodb:DeleteTable', patterns: [at('table/x*')] }]);
    expect(wideByType(expander, b.principal, ['dynamodb:DeleteTable'], {})).toEqual([]);
  });

  const many = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => table(f(i)));
  it('`*` becomes the layer\'s patterns, however many; a named pattern cut into more than 16 pieces is kept whole', () => {
    expect(withinLayer(['*'], many(70, (i) => `t${i}`))).toEqual(many(70, (i) => `t${i}`));
    expect(withinLayer([table('kq*')], many(16, (j) => `k*x${j}`))).toEqual(many(16, (j) => `kq*x${j}`));
    expect(withinLayer([table('kq*')], many(17, (j) => `k*x${j}`))).toEqual([table('kq*')]);
    // Nothing in common is an answer, not a bound.
    expect(withinLayer([table('prod-orders')], many(70, (i) => `t${i}`))).toEqual([]);
  });

  it('a long running list is read against a short layer (not over the 64-pattern bound: it does not grow); growth past it keeps named patterns whole, `*` still the layer\'s', () => {
    const ids = many(100, (i) => `svc-${i}`);
    expect(withinLayer(ids, [table('svc-1*')])).toEqual([table('svc-1'), ...many(10, (i) => `svc-1${i}`)]);
    // 100 patterns, each narrowed: read, though over 64 beyond the layer's one.
    expect(withinLayer(many(100, (i) => `svc-${i}*`), [table('*-x')])).toEqual(many(100, (i) => `svc-${i}*-x`));
    const starts = many(5, (i) => `k${i}*`), ends = many(16, (j) => `k*x${j}`);
    expect(withinLayer(starts, ends)).toHaveLength(80);
    expect(withinLayer([...many(6, (i) => `k${i}*`)], ends)).toEqual(many(6, (i) => `k${i}*`));
    expect(withinLayer(['*', ...many(6, (i) => `k${i}*`)], ends)).toEqual([...ends, ...many(6, (i) => `k${i}*`)]);
  });

  it('past 4,096 named pairs the named patterns are kept whole, `*` still the layer\'s; at the bound they are cut', () => {
    const layer = many(64, (i) => `z${i}-*`);
    expect(withinLayer(['*', ...many(65, (i) => `a${i}`)], layer)).toEqual([...layer, ...many(65, (i) => `a${i}`)]);
    expect(withinLayer(['*', ...many(64, (i) => `a${i}`)], layer)).toEqual(layer);
  });
});

describe('a layer where no Allow for the action is found', () => {
  it('counts as every resource (never understated): the identity\'s patterns stand; control: a boundary that names the action narrows', () => {
    const expander = new ActionExpander(catalog());
    const scopeWith = (boundary: ReturnType<typeof cap>) => {
      const a = analyzePrincipals(snapshot(agent([doc(deleteTable(table('kiro-*')))], { boundary })), defaultConfig(), expander).find((x) => x.principal.arn === AGENT)!;
      return grantScope(expander, a.principal, ['dynamodb:DeleteTable'], {}).scoped;
    };
    expect(scopeWith(cap(allow('s3:*')))).toEqual([{ action: 'dynamodb:DeleteTable', patterns: [table('kiro-*')] }]);
    expect(scopeWith(cap(allow('dynamodb:DeleteTable', table('ops-*'))))).toEqual([{ action: 'dynamodb:DeleteTable', patterns: [] }]);
  });
});
