// Reasons per action, sensitive reads in balanced mode, the approval condition per principal and
// the one-sentence verification summary — each positive case with its negative control.
import { describe, expect, it } from 'vitest';
import { analyzePrincipals } from '../../src/checks/analyze.js';
import { defaultConfig, type LeashConfig } from '../../src/config/config.js';
import { computeNeeded } from '../../src/baseline/needed.js';
import { planFixes } from '../../src/fix/plan.js';
import { approvalFor } from '../../src/fix/approval.js';
import { verificationSummary } from '../../src/fix/verify.js';
import { flattenReasons } from '../../src/fix/reasons.js';
import { permissionSetName } from '../../src/fix/identity-center.js';
import { renderCliScript } from '../../src/fix/render/index.js';
import { catalog } from '../../src/iam/catalog.js';
import { ActionExpander } from '../../src/iam/pattern.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import type { PolicyDocument } from '../../src/model/policy.js';
import type { ActionUsage, UsageData } from '../../src/model/usage.js';
import { ACCOUNT, doc, snapshotOf } from '../support/snapshot.js';

const expander = new ActionExpander(catalog());
const use = (action: string, count = 3): ActionUsage => ({ action, count, firstSeen: '2026-11-01T00:00:00Z', lastSeen: '2026-11-20T09:00:00Z', resources: [] });
function usageFor(arn: string, actions: ActionUsage[]): UsageData {
  return {
    window: { start: '2026-08-26T00:00:00Z', end: '2026-11-24T00:00:00Z' }, coveredPrincipals: 'all', recordsRead: 100, dataEventsRead: 40, unmapped: [],
    byPrincipal: { [arn]: { principalArn: arn, actions, sessions: [], userAgents: {}, sourceIps: [], firstSeen: '2026-11-01T00:00:00Z', lastSeen: '2026-11-20T00:00:00Z' } },
  };
}
const agentTag = { 'ai-agent': 'true' };
function analyzed(snapshot: Snapshot, name: string, config: LeashConfig = defaultConfig()) {
  const a = analyzePrincipals(snapshot, config, expander).find((x) => x.principal.name === name)!;
  return { a, needed: computeNeeded(a, snapshot.usage, config, expander) };
}
const keysOf = (s: { ids(): Iterable<number> }) => [...s.ids()].map((id) => expander.catalog.actions[id]!.key);

describe('why a destructive or escalation action is removed, said as leash knows it', () => {
  // A service role (no MFA, no session tags from a person: the approval condition is out of reach)
  // and an agent role a person may approve for, each with and without usage data covering it.
  const grant = doc({ Effect: 'Allow', Action: ['iam:PassRole', 'dynamodb:DeleteTable', 'dynamodb:GetItem', 'iam:EnableMFADevice'], Resource: '*' });
  const serviceTrust = doc({ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' });
  const detail = (snapshot: Snapshot, name: string, action: string) => {
    const { a, needed } = analyzed(snapshot, name);
    const boundary = planFixes(a, needed, snapshot, defaultConfig(), expander, []).fixes.find((f) => f.kind === 'permissions-boundary')!;
    return flattenReasons(boundary.actionReasons!).find((r) => r.action === action);
  };
  const roles = [{ name: 'svc-agent', inline: [grant], tags: agentTag, trust: serviceTrust }, { name: 'dev-agent', inline: [grant], tags: agentTag }];

  it('without usage data: "whether it is used is unknown", not "never observed"; an approval it cannot meet is named', () => {
    const s = snapshotOf(roles);
    expect(detail(s, 'svc-agent', 'iam:PassRole')).toMatchObject({ decision: 'removed', reason: 'escalation', detail: 'no usage data covers this principal, so whether it is used is unknown; denied outright: this principal cannot meet the approval condition (mfa-present)' });
    // Control: a role a person assumes keeps the action behind approval, and says nothing of usage it does not have.
    expect(detail(s, 'dev-agent', 'iam:PassRole')).toMatchObject({ decision: 'gated' });
  });

  it('an MFA approval\'s own guards are denied always, and said so; a principal that can never meet it needs no guard', () => {
    const s = snapshotOf(roles);
    expect(detail(s, 'dev-agent', 'iam:EnableMFADevice')).toMatchObject({ decision: 'removed', reason: 'guardrail', detail: expect.stringMatching(/^denied always, approval or not: .*MFA devices the approval depends on$/) });
    // Control: the service role's boundary denies outright and has no guard: enrolling a device is an ordinary action there.
    expect(detail(s, 'svc-agent', 'iam:EnableMFADevice')?.reason).not.toBe('guardrail');
    const { a, needed } = analyzed(s, 'svc-agent');
    const boundary = planFixes(a, needed, s, defaultConfig(), expander, []).fixes.find((f) => f.kind === 'permissions-boundary')!.after as PolicyDocument;
    const enable = expander.catalog.lookup('iam:EnableMFADevice')!.id;
    expect(boundary.statements.filter((st) => st.effect === 'Deny').some((st) => expander.statementActions(st.action, st.notAction).has(enable))).toBe(false);
    // The boundary's description says it too, only where the guards are.
    const description = (name: string) => { const x = analyzed(s, name); return planFixes(x.a, x.needed, s, defaultConfig(), expander, []).fixes.find((f) => f.kind === 'permissions-boundary')!.description; };
    expect(description('dev-agent')).toMatch(/and the 4 actions that would let it approve itself \(mfa-present's guards\)\.$/);
    expect(description('svc-agent')).not.toMatch(/approve itself/);
  });

  it('a session-tag approval\'s conditional guards (NoApprovalBypass) are named in the boundary\'s notes, as its statements deny them; controls: an MFA approval, a principal that cannot meet it', () => {
    const cfg = { ...defaultConfig(), approval: { ...defaultConfig().approval, condition: 'approval-session-tag' } } as LeashConfig;
    const tagRoles = [{ name: 'dev-agent', inline: [doc({ Effect: 'Allow', Action: ['iam:TagRole', 'iam:TagUser', 'dynamodb:DeleteTable'], Resource: '*' })], tags: agentTag }, { ...roles[0]! }];
    const s = snapshotOf(tagRoles);
    const boundaryOf = (name: string, config: LeashConfig) => { const x = analyzed(s, name, config); return planFixes(x.a, x.needed, s, config, expander, []).fixes.find((f) => f.kind === 'permissions-boundary')!; };
    const fix = boundaryOf('dev-agent', cfg);
    const note = fix.notes.find((n) => n.includes('NoApprovalBypass'));
    expect(note).toBe('iam:TagRole, iam:UntagRole, iam:TagUser, iam:UntagUser stay as the boundary allows them, except to set or remove the tag key leash-approved: denied always, approval or not (NoApprovalBypass). The agent must not grant itself the approval as a principal tag.');
    // What the note says is what the boundary does: each action named is in a NoApprovalBypass Deny on that tag key.
    const bypass = (fix.after as PolicyDocument).statements.filter((st) => st.effect === 'Deny' && st.sid?.startsWith('NoApprovalBypass'));
    for (const action of ['iam:TagRole', 'iam:UntagRole', 'iam:TagUser', 'iam:UntagUser']) {
      const id = expander.catalog.lookup(action)!.id;
      expect(bypass.some((st) => expander.statementActions(st.action, st.notAction).has(id) && JSON.stringify(st.condition).includes('leash-approved')), action).toBe(true);
    }
    // Controls: the MFA approval has no conditional guard; a service role cannot meet the tag approval (denied outright, no guard to name).
    expect(boundaryOf('dev-agent', defaultConfig()).notes.some((n) => n.includes('NoApprovalBypass'))).toBe(false);
    expect(boundaryOf('svc-agent', cfg).notes.some((n) => n.includes('NoApprovalBypass'))).toBe(false);
  });

  it('with usage data covering it: "never observed", and the approval it cannot meet still named', () => {
    const arn = `arn:aws:iam::${ACCOUNT}:role/svc-agent`;
    const s = snapshotOf(roles, {}, { usage: usageFor(arn, [use('dynamodb:GetItem')]) });
    expect(detail(s, 'svc-agent', 'dynamodb:DeleteTable')).toMatchObject({ decision: 'removed', reason: 'destructive', detail: 'never observed; denied outright: this principal cannot meet the approval condition (mfa-present)' });
  });
});

describe('balanced mode and sensitive reads', () => {
  const arn = `arn:aws:iam::${ACCOUNT}:role/data-agent`;
  const grant = doc({ Effect: 'Allow', Action: ['dynamodb:*', 'logs:*'], Resource: '*' });

  it('widens to read siblings but withholds sensitive reads never observed', () => {
    const s = snapshotOf([{ name: 'data-agent', inline: [grant], tags: agentTag }], {}, { usage: usageFor(arn, [use('dynamodb:DescribeTable'), use('logs:DescribeLogGroups')]) });
    const { needed } = analyzed(s, 'data-agent');
    const has = (k: string) => needed.actions.has(expander.catalog.lookup(k)!.id);
    expect(has('dynamodb:ListTables')).toBe(true); // an ordinary read sibling
    for (const k of ['dynamodb:Scan', 'dynamodb:PartiQLSelect', 'logs:Unmask']) expect(has(k), k).toBe(false);
    expect(keysOf(needed.provenance.sensitiveWithheld)).toEqual(expect.arrayContaining(['dynamodb:Scan', 'dynamodb:PartiQLSelect', 'logs:Unmask']));
  });

  it('keeps a sensitive read that was observed (negative control), and says why', () => {
    const s = snapshotOf([{ name: 'data-agent', inline: [grant], tags: agentTag }], {}, { usage: usageFor(arn, [use('dynamodb:DescribeTable'), use('dynamodb:Scan', 7)]) });
    const { a, needed } = analyzed(s, 'data-agent');
    expect(needed.actions.has(expander.catalog.lookup('dynamodb:Scan')!.id)).toBe(true);
    expect(needed.actions.has(expander.catalog.lookup('dynamodb:PartiQLSelect')!.id)).toBe(false);
    const replace = planFixes(a, needed, s, defaultConfig(), expander, []).fixes.find((f) => f.kind === 'replace-policy')!;
    const reasons = flattenReasons(replace.actionReasons!);
    expect(reasons.find((r) => r.action === 'dynamodb:Scan')).toEqual({ action: 'dynamodb:Scan', decision: 'kept', reason: 'observed', detail: '7 times, last on 2026-11-20' });
    expect(reasons.find((r) => r.action === 'dynamodb:PartiQLSelect')).toMatchObject({ decision: 'removed', reason: 'sensitive-read' });
    expect(reasons.find((r) => r.action === 'dynamodb:ListTables')).toMatchObject({ decision: 'kept', reason: 'read-sibling' });
    expect(reasons.find((r) => r.action === 'dynamodb:PutItem')).toMatchObject({ decision: 'removed', reason: 'unused', detail: '2026-08-26 → 2026-11-24, the whole window' });
    expect(reasons.find((r) => r.action === 'dynamodb:DeleteTable')).toMatchObject({ decision: 'removed', reason: 'destructive', detail: 'never observed' });
  });

  it('strict mode adds no sibling at all, so nothing is withheld either', () => {
    const s = snapshotOf([{ name: 'data-agent', inline: [grant], tags: agentTag }], {}, { usage: usageFor(arn, [use('dynamodb:DescribeTable')]) });
    const config = { ...defaultConfig(), baseline: { ...defaultConfig().baseline, mode: 'strict' as const } };
    const { needed } = analyzed(s, 'data-agent', config);
    expect(needed.provenance.readSiblings.isEmpty()).toBe(true);
    expect(needed.provenance.sensitiveWithheld.isEmpty()).toBe(true);
    expect(keysOf(needed.actions)).toEqual(['dynamodb:DescribeTable']);
  });
});

describe('the approval condition, per principal', () => {
  const engineers = doc({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sts:AssumeRole' });
  const service = doc({ Effect: 'Allow', Principal: { Service: 'bedrock.amazonaws.com' }, Action: 'sts:AssumeRole' });
  const s = snapshotOf([
    { name: 'kiro-agent', trust: engineers, tags: agentTag },
    { name: 'bedrock-agent', trust: service, tags: agentTag },
    { name: 'AWSReservedSSO_Admin_0123456789abcdef', path: '/aws-reserved/sso.amazonaws.com/', tags: agentTag },
  ]);
  const all = analyzePrincipals(s, defaultConfig(), expander);
  const of = (n: string) => approvalFor(all.find((a) => a.principal.name === n)!, defaultConfig());

  it('MFA can be met by engineers assuming the role, not by a service or an Identity Center session', () => {
    expect(of('kiro-agent').meetable).toBe(true);
    expect(of('bedrock-agent')).toMatchObject({ meetable: false, why: expect.stringContaining('Only AWS services assume this role') });
    expect(of('AWSReservedSSO_Admin_0123456789abcdef')).toMatchObject({ meetable: false, why: expect.stringContaining('Identity Center sessions cannot meet it') });
  });

  it('a channel condition is not an approval and can always be met', () => {
    const cfg = { ...defaultConfig(), approval: { ...defaultConfig().approval, condition: 'not-via-aws-mcp' } } as LeashConfig;
    expect(approvalFor(all.find((a) => a.principal.name === 'bedrock-agent')!, cfg).meetable).toBe(true);
  });
});

describe('verification summary', () => {
  it('says unverified when nothing was checked, and lists gated and denied calls otherwise', () => {
    expect(verificationSummary({ checked: 0, allowed: 0, gated: [], byDesign: [], denied: [] })).toBe('no observed calls to check it against');
    expect(verificationSummary({ checked: 4, allowed: 2, gated: ['a:B on *'], byDesign: [], denied: ['c:D on * → ImplicitlyDenied'] }))
      .toBe('2 observed calls still allowed; 1 becomes approval-gated (a:B on *); 1 denied, so not safe to apply as is (c:D on * → ImplicitlyDenied)');
  });
});

describe('Identity Center names', () => {
  it('takes the permission set from the role name, underscores included; other roles have none', () => {
    expect(permissionSetName('AWSReservedSSO_AdministratorAccess_3f8a9c2d1e7b6a54')).toBe('AdministratorAccess');
    expect(permissionSetName('AWSReservedSSO_Data_Eng_RO_0123456789abcdef')).toBe('Data_Eng_RO');
    expect(permissionSetName('kiro-agent')).toBeUndefined();
  });

  it('puts collected ARNs into apply.sh, placeholders otherwise', () => {
    const base = { principalKind: 'role' as const, principalName: 'AWSReservedSSO_Admin_0123456789abcdef', accountId: ACCOUNT, policies: [] };
    const live = renderCliScript({ ...base, identityCenter: { permissionSetName: 'Admin', instanceArn: 'arn:aws:sso:::instance/ssoins-1', permissionSetArn: 'arn:aws:sso:::permissionSet/ssoins-1/ps-1' } });
    expect(live).toContain('INSTANCE_ARN="${INSTANCE_ARN:-arn:aws:sso:::instance/ssoins-1}"');
    expect(live).not.toContain('REPLACE-WITH-IDENTITY-CENTER-INSTANCE-ARN}');
    const blind = renderCliScript({ ...base, identityCenter: { permissionSetName: 'Admin' } });
    expect(blind).toContain('INSTANCE_ARN="${INSTANCE_ARN:-REPLACE-WITH-IDENTITY-CENTER-INSTANCE-ARN}"');
  });
});
