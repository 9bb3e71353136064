// The access graph against IAM's rules, each positive case beside a negative control.
import { describe, expect, it } from 'vitest';
import { analyzeSnapshots, defaultConfig } from '../../src/pipeline/scan.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import { ADMIN, DEV, PROD, allow, arn, deny, doc, snapshot, trust, type AccountSpec } from './accounts.js';

const NOW = new Date('2026-12-01T12:00:00Z');
const opts = { scanId: 't', startedAt: NOW.toISOString(), now: NOW, fixes: false };

function findings(snaps: Snapshot[]) {
  return analyzeSnapshots(snaps, defaultConfig(), opts).flatMap((a) => a.report.findings);
}
function flagged(specs: AccountSpec[], principal: string, checks = ['reaches-admin', 'privilege-escalation']) {
  return findings(specs.map(snapshot)).filter((f) => f.principalArn === principal && checks.includes(f.checkId));
}
const attacker = arn(DEV, 'user', 'attacker');

describe('role chains in one account', () => {
  it('a user with no policies, named in role A, which admin role B names, becomes admin in two hops', () => {
    const spec: AccountSpec = {
      users: [{ name: 'attacker' }],
      roles: [
        { name: 'a', trust: trust({ AWS: attacker }) },
        { name: 'b', trust: trust({ AWS: arn(DEV, 'role', 'a') }), inline: [ADMIN] },
      ],
    };
    // Session 43: privilege-escalation says so too (the trust names it: no Allow of its own needed).
    const all = flagged([spec], attacker);
    expect(all.map((x) => x.checkId).sort()).toEqual(['privilege-escalation', 'reaches-admin']);
    expect(all.map((x) => x.severity)).toEqual(['critical', 'critical']);
    const f = all.filter((x) => x.checkId === 'reaches-admin');
    expect(f[0]!.evidence.map((e) => (e.kind === 'attribute' ? e.value : ''))).toEqual([
      expect.stringMatching(/^attacker assumes a .*trust AssumeRolePolicyDocument statement 0/),
      expect.stringMatching(/^a assumes b/),
    ]);
  });

  it('negative: B trusts the account (not A by ARN) and A has no identity grant, so the chain breaks at A → B', () => {
    const spec: AccountSpec = {
      users: [{ name: 'attacker' }],
      roles: [
        { name: 'a', trust: trust({ AWS: attacker }) },
        { name: 'b', trust: trust({ AWS: `arn:aws:iam::${DEV}:root` }), inline: [ADMIN] },
      ],
    };
    expect(flagged([spec], attacker)).toEqual([]);
  });

  it('trusting the account needs an identity Allow on the role (positive), scoped to another role it does not (negative)', () => {
    const roles = [{ name: 'admin', trust: trust({ AWS: DEV }), inline: [ADMIN] }, { name: 'other', trust: trust({ AWS: DEV }) }];
    expect(flagged([{ users: [{ name: 'attacker', inline: [doc(allow('sts:AssumeRole', arn(DEV, 'role', 'admin')))] }], roles }], attacker).map((f) => f.checkId).sort()).toEqual(['privilege-escalation', 'reaches-admin']);
    expect(flagged([{ users: [{ name: 'attacker', inline: [doc(allow('sts:AssumeRole', arn(DEV, 'role', 'other')))] }], roles }], attacker)).toEqual([]);
  });

  it('an explicit deny in the caller\'s own policy stops a trust that names it', () => {
    const roles = [{ name: 'admin', trust: trust({ AWS: attacker }), inline: [ADMIN] }];
    expect(flagged([{ users: [{ name: 'attacker' }], roles }], attacker).map((f) => f.checkId).sort()).toEqual(['privilege-escalation', 'reaches-admin']);
    expect(flagged([{ users: [{ name: 'attacker', inline: [doc(deny('sts:AssumeRole'))] }], roles }], attacker)).toEqual([]);
  });

  it('a role named by ARN is held by its boundary; a user named by ARN is not (IAM\'s documented asymmetry)', () => {
    const caller = arn(DEV, 'role', 'caller');
    const policies = { 'no-sts': doc(allow('s3:GetObject')) };
    const world = (boundary?: string): AccountSpec => ({
      policies,
      roles: [
        { name: 'caller', trust: trust({ Service: 'ec2.amazonaws.com' }), ...(boundary ? { boundary } : {}) },
        { name: 'admin', trust: trust({ AWS: caller }), inline: [ADMIN] },
      ],
    });
    expect(flagged([world()], caller)).toHaveLength(2); // reaches-admin and privilege-escalation (session 43)
    expect(flagged([world('no-sts')], caller)).toEqual([]);
    // The same boundary on a user named by ARN does not stop it.
    const user: AccountSpec = { policies, users: [{ name: 'attacker', boundary: 'no-sts' }], roles: [{ name: 'admin', trust: trust({ AWS: attacker }), inline: [ADMIN] }] };
    expect(flagged([user], attacker)).toHaveLength(2);
  });

  it('an SCP that denies sts:AssumeRole stops every hop', () => {
    const spec: AccountSpec = { users: [{ name: 'attacker' }], roles: [{ name: 'admin', trust: trust({ AWS: attacker }), inline: [ADMIN] }] };
    expect(flagged([spec], attacker)).toHaveLength(2);
    expect(flagged([{ ...spec, scps: [doc(allow('*'), deny('sts:AssumeRole'))] }], attacker)).toEqual([]);
  });

  it('a four-hop chain is found and each hop is listed', () => {
    const spec: AccountSpec = {
      users: [{ name: 'attacker' }],
      roles: [
        { name: 'r1', trust: trust({ AWS: attacker }) },
        { name: 'r2', trust: trust({ AWS: arn(DEV, 'role', 'r1') }) },
        { name: 'r3', trust: trust({ AWS: arn(DEV, 'role', 'r2') }) },
        { name: 'r4', trust: trust({ AWS: arn(DEV, 'role', 'r3') }), inline: [ADMIN] },
      ],
    };
    const [f] = flagged([spec], attacker, ['reaches-admin']);
    expect(f!.title).toMatch(/in 4 hops/);
  });
});

describe('target-aware escalation', () => {
  it('CreateAccessKey counts only on a user that gives more', () => {
    const mk = (victimPolicy?: ReturnType<typeof doc>): AccountSpec => ({
      users: [{ name: 'attacker', inline: [doc(allow('iam:CreateAccessKey', arn(DEV, 'user', 'victim')))] }, { name: 'victim', ...(victimPolicy ? { inline: [victimPolicy] } : {}) }],
    });
    expect(flagged([mk(ADMIN)], attacker).map((f) => f.checkId).sort()).toEqual(['privilege-escalation', 'reaches-admin']);
    expect(flagged([mk()], attacker)).toEqual([]);
    // A victim that can only read logs adds "other" power: lateral movement, not escalation.
    expect(flagged([mk(doc(allow(['logs:PutLogEvents', 'logs:CreateLogStream', 'ecr:BatchCheckLayerAvailability'])))], attacker)).toEqual([]);
  });

  it('CreatePolicyVersion on AWS-owned policies reaches nothing; on a customer policy attached to itself it is self-escalation', () => {
    const own = { name: 'attacker', managed: ['mine'] };
    const spec = (resource: string): AccountSpec => ({ policies: { mine: doc(allow('iam:CreatePolicyVersion', resource)) }, users: [own] });
    expect(flagged([spec(arn(DEV, 'policy', 'mine'))], attacker).map((f) => f.checkId).sort()).toEqual(['privilege-escalation', 'reaches-admin']);
    expect(flagged([spec('arn:aws:iam::aws:policy/*')], attacker)).toEqual([]);
  });

  it('a statement whose date condition cannot hold any more grants nothing', () => {
    const spec = (date: string): AccountSpec => ({
      users: [{ name: 'attacker', inline: [doc(allow('iam:PutUserPolicy', arn(DEV, 'user', 'attacker'), { DateLessThan: { 'aws:TokenIssueTime': date } }))] }],
    });
    expect(flagged([spec('2019-01-01T00:00:00Z')], attacker)).toEqual([]);
    expect(flagged([spec('2030-01-01T00:00:00Z')], attacker).length).toBeGreaterThan(0);
    const current = (date: string): AccountSpec => ({ users: [{ name: 'attacker', inline: [doc(allow('iam:PutUserPolicy', arn(DEV, 'user', 'attacker'), { DateLessThan: { 'aws:CurrentTime': date } }))] }] });
    expect(flagged([current('2020-06-01T00:00:00Z')], attacker)).toEqual([]);
    expect(flagged([current('2031-06-01T00:00:00Z')], attacker).length).toBeGreaterThan(0);
  });

  it('ssm:SendCommand reaches an instance-profile role only when that role gives more', () => {
    const mk = (rolePolicy: ReturnType<typeof doc> | undefined, instanceProfile = true): AccountSpec => ({
      users: [{ name: 'attacker', inline: [doc(allow('ssm:SendCommand'))] }],
      roles: [{ name: 'box', trust: trust({ Service: 'ec2.amazonaws.com' }), instanceProfile, ...(rolePolicy ? { inline: [rolePolicy] } : {}) }],
    });
    expect(flagged([mk(ADMIN)], attacker).map((f) => f.checkId).sort()).toEqual(['privilege-escalation', 'reaches-admin']);
    expect(flagged([mk(undefined)], attacker)).toEqual([]);
    expect(flagged([mk(ADMIN, false)], attacker)).toEqual([]);
  });

  it('PassRole counts only for a role it may pass to that service', () => {
    const mk = (passed: string): AccountSpec => ({
      users: [{ name: 'attacker', inline: [doc(allow(['lambda:CreateFunction', 'lambda:InvokeFunction']), allow('iam:PassRole', '*', { StringEquals: { 'iam:PassedToService': passed } }))] }],
      roles: [{ name: 'fn', trust: trust({ Service: 'lambda.amazonaws.com' }), inline: [ADMIN] }],
    });
    expect(flagged([mk('lambda.amazonaws.com')], attacker).length).toBeGreaterThan(0);
    expect(flagged([mk('glue.amazonaws.com')], attacker)).toEqual([]);
  });
});

describe('an editor and its target on separate branches', () => {
  // attacker may assume `editor` (which may rewrite policies of role `target` only) and, on
  // another branch, `target` itself; `editor` cannot reach `target`. Acting as editor, the
  // attacker gives target any policy, then acts as target.
  const world = (targetTrusts: string, editorMay = arn(DEV, 'role', 'target')): AccountSpec => ({
    users: [{ name: 'attacker' }],
    roles: [
      { name: 'editor', trust: trust({ AWS: attacker }), inline: [doc(allow('iam:PutRolePolicy', editorMay))] },
      { name: 'target', trust: trust({ AWS: targetTrusts }) },
    ],
  });

  it('the attacker reaches administrator through the combination', () => {
    const f = flagged([world(attacker)], attacker, ['reaches-admin']);
    expect(f).toHaveLength(1);
    expect(f[0]!.severity).toBe('critical');
    expect(f[0]!.evidence.map((e) => (e.kind === 'attribute' ? e.value : '')).join('\n')).toMatch(/^attacker via iam-put-role-policy .* — identity r0 statement 0 of editor$/);
  });

  it('negative: the attacker cannot reach target itself, so the edit gives it nothing', () => {
    expect(flagged([world(arn(DEV, 'user', 'someone-else'))], attacker, ['reaches-admin'])).toEqual([]);
  });

  it('negative: the editor may edit another role, not target', () => {
    expect(flagged([world(attacker, arn(DEV, 'role', 'unrelated'))], attacker, ['reaches-admin'])).toEqual([]);
  });

  it('negative: the editor alone gains nothing from a target it cannot reach', () => {
    expect(flagged([world(attacker)], arn(DEV, 'role', 'editor'), ['reaches-admin', 'privilege-escalation'])).toEqual([]);
  });

  it('a conditional hop to the target makes the combination conditional (not critical)', () => {
    const spec = world(attacker);
    spec.roles![1] = { name: 'target', trust: trust({ AWS: attacker }, { Bool: { 'aws:MultiFactorAuthPresent': 'true' } }) };
    const f = flagged([spec], attacker, ['reaches-admin']);
    expect(f).toHaveLength(1);
    expect(f[0]!.severity).not.toBe('critical');
  });
});

describe('an agent reaches destructive actions through another role', () => {
  const agent = arn(DEV, 'role', 'kiro-agent');
  const mk = (deployPolicy: ReturnType<typeof doc>): AccountSpec => ({
    roles: [
      { name: 'kiro-agent', trust: trust({ Service: 'ec2.amazonaws.com' }), tags: { 'ai-agent': 'true' }, inline: [doc(allow('sts:AssumeRole', arn(DEV, 'role', 'deploy')), allow('cloudformation:DescribeStacks'))] },
      { name: 'deploy', trust: trust({ AWS: DEV }), inline: [deployPolicy] },
    ],
  });
  it('positive: the deploy role can DeleteStack', () => {
    const f = flagged([mk(doc(allow(['cloudformation:DeleteStack', 'cloudformation:DescribeStacks'])))], agent, ['agent-reaches-destructive']);
    expect(f).toHaveLength(1);
    expect(f[0]!.actions).toContain('cloudformation:DeleteStack');
    expect(f[0]!.title).toMatch(/through deploy/);
  });
  it('negative: the deploy role can only read', () => {
    expect(flagged([mk(doc(allow(['cloudformation:DescribeStacks', 'cloudformation:ListStacks'])))], agent, ['agent-reaches-destructive'])).toEqual([]);
  });
});

describe('two accounts in one graph', () => {
  const devUser = (policy?: ReturnType<typeof doc>): AccountSpec => ({ id: DEV, users: [{ name: 'attacker', ...(policy ? { inline: [policy] } : {}) }] });
  const prod = (principal: unknown): AccountSpec => ({ id: PROD, roles: [{ name: 'prod-admin', trust: trust(principal), inline: [ADMIN] }] });

  it('a dev user reaches a prod admin role when both sides allow', () => {
    const f = flagged([devUser(doc(allow('sts:AssumeRole', arn(PROD, 'role', 'prod-admin')))), prod({ AWS: DEV })], attacker);
    expect(f.map((x) => x.checkId)).toContain('reaches-admin');
    expect(f.find((x) => x.checkId === 'reaches-admin')!.description).toContain('prod-admin');
  });
  it('negative: prod trusts dev, but the dev identity policy does not allow sts:AssumeRole', () => {
    expect(flagged([devUser(), prod({ AWS: DEV })], attacker)).toEqual([]);
  });
  it('negative: prod names the dev user by ARN, but cross-account the identity side must allow too', () => {
    expect(flagged([devUser(), prod({ AWS: attacker })], attacker)).toEqual([]);
    expect(flagged([devUser(doc(allow('sts:AssumeRole'))), prod({ AWS: attacker })], attacker)).toHaveLength(2);
  });
  it('negative: prod trusts another account', () => {
    expect(flagged([devUser(doc(allow('sts:AssumeRole'))), prod({ AWS: '333333333333' })], attacker)).toEqual([]);
  });
  it('each account keeps its own report; the graph names both accounts', () => {
    const [dev, prodA] = analyzeSnapshots([snapshot(devUser(doc(allow('sts:AssumeRole')))), snapshot(prod({ AWS: DEV }))], defaultConfig(), opts);
    expect(dev!.report.scan.account.id).toBe(DEV);
    expect(prodA!.report.scan.account.id).toBe(PROD);
    expect(dev!.report.graph!.accounts).toEqual([DEV, PROD]);
    expect(dev!.report.graph!.reach.find((r) => r.principalArn === attacker)!.gains).toBe('admin');
  });
});

describe('fixes see the graph', () => {
  it("the demo kiro-agent's boundary denies the role hop it never used; an agent with nothing to reach gets no such deny", async () => {
    const { runScanWithFixes } = await import('../../src/pipeline/scan.js');
    const { report } = await runScanWithFixes({ demo: true, fixes: true, now: new Date('2026-11-24T00:00:00Z') });
    const boundaryOf = (name: string) => {
      const arnOf = report.principals.find((p) => p.name === name)!.arn;
      const fx = report.fixes.find((f) => f.principalArn === arnOf && f.kind === 'permissions-boundary')!;
      return (fx.after as unknown as { statements: { sid?: string; effect: string; action?: string[]; resource?: string[] }[] }).statements;
    };
    const hop = boundaryOf('kiro-agent').find((s) => s.sid === 'NoUnusedRoleHops');
    // dr-restore-admin (its trust names kiro-agent) holds rds/dynamodb deletes kiro-agent has today
    // (rds:*, dynamodb:*) but never used: its right-sized fix drops them, so the role gives more (session 42).
    expect(hop).toMatchObject({ effect: 'Deny', action: ['sts:AssumeRole'], resource: ['arn:aws:iam::111122223333:role/dr-restore-admin', 'arn:aws:iam::111122223333:role/prod-stack-deployer'] });
    expect(boundaryOf('mcp-cost-explorer-readonly').find((s) => s.sid === 'NoUnusedRoleHops')).toBeUndefined();
  });
});
