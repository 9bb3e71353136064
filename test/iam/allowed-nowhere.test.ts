// An action its policy layers leave on no resource is not allowed (session 42, src/iam/nowhere.ts,
// read by src/iam/effective.ts): identity `dynamodb:DeleteTable` on `table/prod-orders` beside a
// boundary allowing it only on `table/dev-*` is allowed by the request evaluator on no table, so
// the effective permissions drop it (and say so: `nowhere`, the report's
// `permissions.allowedNowhere`), and no check counts it. Only when provable: a policy variable, a
// layer that also grants it on `*`, a conditional or NotAction Deny, or a pattern the boundary
// shares keep it. Through the real analysis (analyzeSnapshots / analyzePrincipals).
import { describe, expect, it } from 'vitest';
import { analyzeSnapshots, defaultConfig } from '../../src/pipeline/scan.js';
import { analyzePrincipals } from '../../src/checks/analyze.js';
import { ActionExpander } from '../../src/iam/pattern.js';
import { catalog } from '../../src/iam/catalog.js';
import { evaluate } from '../../src/iam/evaluate.js';
import { ADMIN, DEV, allow, arn, doc, snapshot, trust, type AccountSpec, type Doc } from '../graph/accounts.js';
import { AGENT, deleteTable, table } from '../support/tier-scope.js';
import { agent, denyNot } from '../support/deny-scope.js';

const NOW = new Date('2026-12-01T12:00:00Z');
const opts = { scanId: 't', startedAt: NOW.toISOString(), now: NOW, fixes: false };
const expander = new ActionExpander(catalog());
const DELETE = 'dynamodb:DeleteTable';
const cap = (...statements: unknown[]) => doc(...statements);

function run(spec: AccountSpec) {
  const [a] = analyzeSnapshots([snapshot(spec)], defaultConfig(), opts);
  return a!;
}
function effectiveOf(spec: AccountSpec) {
  return analyzePrincipals(snapshot(spec), defaultConfig(), expander, NOW).find((x) => x.principal.arn === AGENT)!;
}
const agentFindings = (spec: AccountSpec) => run(spec).report.findings.filter((f) => f.principalArn === AGENT);
const holds = (spec: AccountSpec, action = DELETE) => {
  const e = effectiveOf(spec).effective;
  const id = expander.idOf(action);
  return [e.allowed.has(id), e.unconditional.has(id)];
};

const PROD = [doc(deleteTable(table('prod-orders')))];
const DEV_ONLY = { boundary: cap(allow(DELETE, table('dev-*')), allow('s3:*')) };

describe('identity on prod-orders, a boundary allowing DeleteTable only on dev-* tables', () => {
  it('the effective permissions drop it, and say why', () => {
    const a = effectiveOf(agent(PROD, DEV_ONLY));
    const id = expander.idOf(DELETE);
    expect([a.effective.allowed.has(id), a.effective.unconditional.has(id), a.effective.allResources.has(id)]).toEqual([false, false, false]);
    expect(a.effective.nowhere).toEqual([{ action: DELETE, layer: 'boundary', allows: [table('dev-*')] }]);
    expect(a.destructive.unconditional).toEqual([]);
    expect(a.destructive.conditional).toEqual([]);
  });

  it('no check counts it: no destructive-actions finding; the report lists it as allowed nowhere', () => {
    const a = run(agent(PROD, DEV_ONLY));
    expect(a.report.findings.filter((f) => f.principalArn === AGENT && /destructive/.test(f.checkId))).toEqual([]);
    const p = a.report.principals.find((x) => x.arn === AGENT)!;
    expect(p.permissions.destructiveActions).toEqual([]);
    expect(p.permissions.byService['dynamodb']).toBeUndefined();
    expect(p.permissions.allowedNowhere).toEqual([{ action: DELETE, why: 'the permissions boundary allows it only on table/dev-*, where the identity policies do not' }]);
  });

  it('agrees with the request evaluator: prod-orders and dev-1 both denied', () => {
    const s = snapshot(agent(PROD, DEV_ONLY));
    const p = s.principals.find((x) => x.arn === AGENT)!;
    const set = { identity: p.policies.map((x) => x.document), boundary: [p.boundary!.document] };
    for (const t of ['prod-orders', 'dev-1']) expect(evaluate({ action: DELETE, resource: table(t) }, set).decision).toBe('ImplicitlyDenied');
  });

  it('controls: a boundary that shares a table keeps it (critical, by production)', () => {
    for (const boundary of [cap(allow(DELETE, [table('dev-*'), table('prod-*')])), cap(allow(DELETE, '*')), cap(allow(DELETE, 'arn:aws:dynamodb:*:*:table/*'))]) {
      expect(holds(agent(PROD, { boundary }))).toEqual([true, true]);
      expect(effectiveOf(agent(PROD, { boundary })).effective.nowhere).toBeUndefined();
      const f = agentFindings(agent(PROD, { boundary })).find((x) => x.checkId === 'destructive-actions')!;
      expect(f.severity).toBe('critical');
    }
  });

  it('controls that prove nothing keep it: a policy variable on either side, the identity also on *', () => {
    expect(holds(agent([doc(deleteTable(table('${aws:username}')))], { boundary: cap(allow(DELETE, 'arn:aws:dynamodb:eu-west-1:*:table/kiro-*')) }))).toEqual([true, true]);
    expect(holds(agent(PROD, { boundary: cap(allow(DELETE, table('${aws:username}-*'))) }))).toEqual([true, true]);
    expect(holds(agent([doc(deleteTable([table('prod-orders'), '*']))], DEV_ONLY))).toEqual([true, true]);
  });

  it('an intersection arn-intersect gives up on (inexact) keeps it: *a*b*c*d* and *d*c*b*a* share dcbabcd', () => {
    const spec = agent([doc(deleteTable(table('*a*b*c*d*')))], { boundary: cap(allow(DELETE, table('*d*c*b*a*'))) });
    expect(holds(spec)).toEqual([true, true]);
    const p = snapshot(spec).principals.find((x) => x.arn === AGENT)!;
    expect(evaluate({ action: DELETE, resource: table('dcbabcd') }, { identity: p.policies.map((x) => x.document), boundary: [p.boundary!.document] }).decision).toBe('Allowed');
  });
});

describe('SCP levels and Denies', () => {
  it('an SCP allowing DeleteTable only on ops-*: dropped, the SCPs named; control: an SCP on kiro-*', () => {
    const kiro = [doc(deleteTable(table('kiro-*')))];
    const a = effectiveOf(agent(kiro, { scps: [cap(allow(DELETE, table('ops-*')), allow('s3:*'))] }));
    expect(a.effective.allowed.has(expander.idOf(DELETE))).toBe(false);
    expect(a.effective.nowhere).toEqual([{ action: DELETE, layer: 'scp', allows: [table('ops-*')] }]);
    expect(holds(agent(kiro, { scps: [cap(allow(DELETE, table('kiro-x*')), allow('s3:*'))] }))).toEqual([true, true]);
  });

  it('two SCP levels each sharing a table with the identity, but not with each other: dropped', () => {
    const a = effectiveOf(agent([doc(deleteTable(table('*')))], { scps: [cap(allow(DELETE, table('a-*'))), cap(allow(DELETE, table('b-*')))] }));
    expect(a.effective.allowed.has(expander.idOf(DELETE))).toBe(false);
    expect(a.effective.nowhere?.[0]?.layer).toBe('scp');
  });

  it('a Deny with NotResource that excepts none of the tables the Allows name: dropped; a conditional or NotAction Deny keeps it', () => {
    const a = effectiveOf(agent([doc(deleteTable(table('prod-orders')), denyNot(DELETE, table('kiro-scratch-*')))]));
    expect(a.effective.allowed.has(expander.idOf(DELETE))).toBe(false);
    expect(a.effective.nowhere).toEqual([{ action: DELETE, layer: 'deny', allows: [table('kiro-scratch-*')] }]);
    expect(holds(agent([doc(deleteTable(table('prod-orders')), denyNot(DELETE, table('kiro-scratch-*'), { Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'false' } } }))]))).toEqual([true, true]);
    expect(holds(agent([doc(deleteTable(table('prod-orders')), { Effect: 'Deny', NotAction: 'dynamodb:DescribeTable', NotResource: table('kiro-scratch-*') })]))).toEqual([true, true]);
    expect(holds(agent([doc(deleteTable(table('kiro-*')), denyNot(DELETE, table('kiro-scratch-*')))]))).toEqual([true, true]);
  });

  it('two actions granted by the same statements, a Deny on one: only that one is dropped, either way round', () => {
    const both = (denied: string) => effectiveOf(agent([doc(allow(['dynamodb:DeleteTable', 'dynamodb:DescribeTable'], table('prod-orders')), denyNot(denied, table('kiro-scratch-*')))])).effective.nowhere?.map((x) => x.action);
    expect(both('dynamodb:DeleteTable')).toEqual(['dynamodb:DeleteTable']);
    expect(both('dynamodb:DescribeTable')).toEqual(['dynamodb:DescribeTable']);
  });

  it('two actions of the same Allows, one behind an MFA Deny on every resource: the other is still left nowhere without approval', () => {
    const MFA = { Bool: { 'aws:MultiFactorAuthPresent': 'true' } };
    const spec = agent([doc(allow(['dynamodb:DeleteTable', 'dynamodb:DescribeTable'], table('prod-orders')), allow(['dynamodb:DeleteTable', 'dynamodb:DescribeTable'], table('dev-1'), MFA),
      { Effect: 'Deny', Action: 'dynamodb:DeleteTable', Resource: '*', Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } } })],
      { boundary: cap(allow(['dynamodb:DeleteTable', 'dynamodb:DescribeTable'], table('dev-*'))) });
    expect(effectiveOf(spec).effective.nowhere?.map((x) => [x.action, x.approvalOnly])).toEqual([['dynamodb:DescribeTable', true]]);
    expect(holds(spec, 'dynamodb:DescribeTable')).toEqual([true, false]);
  });

    it('a boundary statement on prod-* that names another principal never applies to this one: dropped; control: naming the agent', () => {
    const only = (who: string) => ({ boundary: cap(allow(DELETE, table('dev-*')), allow(DELETE, table('prod-*'), { ArnEquals: { 'aws:PrincipalArn': who } }), allow('s3:*')) });
    const other = agent(PROD, only(arn(DEV, 'role', 'someone-else')));
    expect(holds(other)).toEqual([false, false]);
    expect(effectiveOf(other).effective.nowhere).toEqual([{ action: DELETE, layer: 'boundary', allows: [table('dev-*')] }]);
    expect(holds(agent(PROD, only(AGENT)))).toEqual([true, true]);
  });

  it('an approval-gated Allow on the shared table leaves it allowed only with approval', () => {
    const MFA = { Bool: { 'aws:MultiFactorAuthPresent': 'true' } };
    const spec = agent([doc(deleteTable(table('prod-orders')), deleteTable(table('dev-1'), MFA))], DEV_ONLY);
    expect(holds(spec)).toEqual([true, false]);
    expect(effectiveOf(spec).effective.nowhere).toEqual([{ action: DELETE, layer: 'boundary', allows: [table('dev-*')], approvalOnly: true }]);
  });
});

describe('the access graph: a role the layers leave out is no hop', () => {
  const R = (n: string) => arn(DEV, 'role', n);
  const world = (assume: string, boundary?: Doc): AccountSpec => ({
    roles: [
      { name: 'kiro-agent', trust: trust({ Service: 'ec2.amazonaws.com' }), tags: { 'ai-agent': 'true' }, inline: [doc(allow(['sts:AssumeRole', 'iam:PassRole'], assume), allow(['lambda:CreateFunction', 'lambda:InvokeFunction']))], ...(boundary ? { boundary: 'cap' } : {}) },
      { name: 'deploy', trust: trust({ AWS: DEV, Service: 'lambda.amazonaws.com' }), inline: [ADMIN] },
      { name: 'dev-x', trust: trust({ AWS: DEV }), inline: [doc(allow('s3:GetObject'))] },
    ],
    ...(boundary ? { policies: { cap: boundary } } : {}),
  });
  const DEV_ROLES = cap(allow(['sts:AssumeRole', 'iam:PassRole'], R('dev-*')), allow('lambda:*'));
  const hopsTo = (spec: AccountSpec, to: string) => (run(spec).report.graph?.hops ?? []).filter((h) => h.from === AGENT && h.to === to || h.to === to && h.from.includes('kiro-agent'));

  it('identity assume/pass on deploy, a boundary allowing them only on dev-* roles: no hop to deploy, no escalation, no reach to admin', () => {
    const spec = world(R('deploy'), DEV_ROLES);
    expect(hopsTo(spec, R('deploy'))).toEqual([]);
    expect(agentFindings(spec).filter((f) => f.checkId === 'privilege-escalation' || f.checkId === 'reaches-admin')).toEqual([]);
    expect(effectiveOf(spec).effective.nowhere?.map((x) => x.action).sort()).toEqual(['iam:PassRole', 'sts:AssumeRole']);
  });

  it('controls: without the boundary, or with one allowing role/*, the hop and the findings are there', () => {
    for (const spec of [world(R('deploy')), world(R('deploy'), cap(allow(['sts:AssumeRole', 'iam:PassRole'], R('*')), allow('lambda:*')))]) {
      expect(hopsTo(spec, R('deploy')).length).toBeGreaterThan(0);
      expect(agentFindings(spec).some((f) => f.checkId === 'reaches-admin')).toBe(true);
    }
  });

  it('identity on every role, the same boundary: a hop to dev-x only', () => {
    const spec = world('*', DEV_ROLES);
    expect(hopsTo(spec, R('deploy'))).toEqual([]);
    expect(hopsTo(spec, R('dev-x')).length).toBeGreaterThan(0);
    expect(effectiveOf(spec).effective.nowhere).toBeUndefined();
  });
});
