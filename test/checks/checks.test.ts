import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checks } from '../../src/checks/index.js';
import { analyzePrincipals } from '../../src/checks/analyze.js';
import { runChecks, findingId } from '../../src/checks/run.js';
import { defaultConfig, type LeashConfig } from '../../src/config/config.js';
import { catalog } from '../../src/iam/catalog.js';
import { ActionExpander } from '../../src/iam/pattern.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import { repoRoot } from '../support/fixtures.js';
import { ACCOUNT, doc, snapshotOf } from '../support/snapshot.js';

const expander = new ActionExpander(catalog());
const NOW = new Date('2026-11-24T12:00:00Z');

function findings(snapshot: Snapshot, config: LeashConfig = defaultConfig()) {
  const principals = analyzePrincipals(snapshot, config, expander);
  return runChecks({ snapshot, principals, config, expander, now: NOW }).findings;
}
const of = (fs: ReturnType<typeof findings>, checkId: string, name?: string) => fs.filter((f) => f.checkId === checkId && (!name || f.principalArn.endsWith(`/${name}`)));

describe('check registry', () => {
  it('has one file per check whose id is its file name, ids unique and kebab-case, each with a reference', () => {
    const files = readdirSync(`${repoRoot}/src/checks`).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3));
    const ids = checks.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const c of checks) {
      expect(c.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(files).toContain(c.id);
      expect(c.references.length).toBeGreaterThan(0);
      expect(c.rationale.length).toBeGreaterThan(40);
    }
  });

  it('gives findings stable ids: same check, principal and subject → same id', () => {
    expect(findingId('admin-access', 'arn:a', 'admin')).toBe(findingId('admin-access', 'arn:a', 'admin'));
    expect(findingId('admin-access', 'arn:a', 'admin')).not.toBe(findingId('admin-access', 'arn:b', 'admin'));
  });
});

describe('runChecks', () => {
  it('gives equal action lists as one array, and different lists as their own', () => {
    const destroy = doc({ Effect: 'Allow', Action: ['ec2:TerminateInstances', 'rds:DeleteDBCluster'], Resource: '*' });
    const other = doc({ Effect: 'Allow', Action: ['s3:DeleteBucket'], Resource: '*' });
    const fs = findings(snapshotOf([{ name: 'kiro-a', inline: [destroy] }, { name: 'kiro-b', inline: [destroy] }, { name: 'kiro-c', inline: [other] }]));
    const byName = (name: string) => fs.filter((f) => f.principalArn.endsWith(`/${name}`));
    const a = byName('kiro-a'), b = byName('kiro-b'), c = byName('kiro-c');
    expect(a.length).toBeGreaterThan(0);
    for (const fa of a) {
      const fb = b.find((f) => f.checkId === fa.checkId && f.subject === fa.subject)!;
      expect(fb.actions).toEqual(fa.actions);
      expect(fb.actions).toBe(fa.actions);
    }
    // Control: a finding with another list keeps its own.
    for (const fc of c) for (const fa of a) if (JSON.stringify(fc.actions) !== JSON.stringify(fa.actions)) expect(fc.actions).not.toBe(fa.actions);
  });
});

describe('admin-access', () => {
  it.each([
    ['Action "*"', doc({ Effect: 'Allow', Action: '*', Resource: '*' })],
    ['Action "*:*"', doc({ Effect: 'Allow', Action: '*:*', Resource: '*' })],
    ['NotAction on a made-up action', doc({ Effect: 'Allow', NotAction: 'nosuch:Thing', Resource: '*' })],
    ['every service by name', doc({ Effect: 'Allow', Action: catalog().services.map((s) => `${s}:*`), Resource: '*' })],
  ])('finds full admin however it is written: %s', (_n, d) => {
    const fs = findings(snapshotOf([{ name: 'kiro-agent', inline: [d] }]));
    expect(of(fs, 'admin-access')).toHaveLength(1);
    expect(of(fs, 'admin-access')[0]!.severity).toBe('critical');
  });

  it('does not call PowerUser-style NotAction iam:* admin, and a boundary removes admin', () => {
    const power = doc({ Effect: 'Allow', NotAction: ['iam:*', 'organizations:*', 'account:*'], Resource: '*' });
    expect(of(findings(snapshotOf([{ name: 'app', inline: [power] }])), 'admin-access')).toHaveLength(0);
    const admin = doc({ Effect: 'Allow', Action: '*', Resource: '*' });
    const fs = findings(snapshotOf([{ name: 'app', inline: [admin], boundary: 'cap' }], { cap: doc({ Effect: 'Allow', Action: 's3:*', Resource: '*' }) }));
    expect(of(fs, 'admin-access')).toHaveLength(0);
    expect(of(fs, 'service-wildcard')[0]!.actions).toEqual(['s3:*']);
  });
});

describe('destructive-actions', () => {
  const broad = doc({ Effect: 'Allow', Action: ['cloudformation:*', 'ec2:Describe*'], Resource: '*' });
  it('is critical for an agent principal without an approval condition, and cites the granting statement', () => {
    const fs = of(findings(snapshotOf([{ name: 'kiro-agent', inline: [broad] }])), 'destructive-actions');
    expect(fs).toHaveLength(1);
    expect(fs[0]!.severity).toBe('critical');
    expect(fs[0]!.actions).toContain('cloudformation:DeleteStack');
    expect(fs[0]!.evidence[0]).toMatchObject({ kind: 'statement', policy: { kind: 'inline', name: 'inline-0' }, statementIndex: 0 });
  });
  it('is high, not critical, for a non-agent principal', () => {
    expect(of(findings(snapshotOf([{ name: 'deployer', inline: [broad] }])), 'destructive-actions')[0]!.severity).toBe('high');
  });
  it('drops to info when a Deny unless MFA guards the destructive actions', () => {
    const guard = doc(
      { Effect: 'Allow', Action: 'cloudformation:*', Resource: '*' },
      { Effect: 'Deny', Action: 'cloudformation:Delete*', Resource: '*', Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } } },
    );
    const fs = of(findings(snapshotOf([{ name: 'kiro-agent', inline: [guard] }])), 'destructive-actions');
    expect(fs.every((f) => !f.actions.includes('cloudformation:DeleteStack') || f.severity === 'info')).toBe(true);
  });
});

describe('privilege-escalation', () => {
  const ec2Trust = doc({ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' });
  const admin = doc({ Effect: 'Allow', Action: '*', Resource: '*' });
  const builder = (...inline: ReturnType<typeof doc>[]) => ({ name: 'builder', inline: [doc({ Effect: 'Allow', Action: 'ec2:RunInstances', Resource: '*' }), ...inline] });
  const passRole = (extra: Record<string, unknown> = {}) => doc({ Effect: 'Allow', Action: 'iam:PassRole', Resource: '*', ...extra });
  const runInstancesHit = (fs: ReturnType<typeof findings>) => of(fs, 'privilege-escalation').filter((f) => f.technique === 'ec2-passrole-run-instances');

  it('finds iam:PassRole + ec2:RunInstances across two policies, naming the privileged role it can pass', () => {
    const fs = runInstancesHit(findings(snapshotOf([builder(passRole()), { name: 'ops-admin', trust: ec2Trust, inline: [admin], instanceProfiles: ['ops-admin'] }])));
    expect(fs).toHaveLength(1);
    expect(fs[0]!.actions).toEqual(expect.arrayContaining(['iam:PassRole', 'ec2:RunInstances']));
    expect(fs[0]!.description).toContain('ops-admin');
  });
  it('PassRole + RunInstances is no escalation when every role it could pass can do no more than it can, or does not trust EC2', () => {
    const weak = { name: 'log-reader', trust: ec2Trust, inline: [doc({ Effect: 'Allow', Action: 'ec2:RunInstances', Resource: '*' })], instanceProfiles: ['log-reader'] };
    const lambdaAdmin = { name: 'lambda-admin', trust: doc({ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }), inline: [admin] };
    expect(runInstancesHit(findings(snapshotOf([builder(passRole()), weak, lambdaAdmin])))).toEqual([]);
  });
  it('PassRole scoped by Resource or iam:PassedToService only counts the roles and services it names', () => {
    const ops = { name: 'ops-admin', trust: ec2Trust, inline: [admin], instanceProfiles: ['ops-admin'] };
    const scoped = passRole({ Resource: `arn:aws:iam::${ACCOUNT}:role/app-*` });
    expect(runInstancesHit(findings(snapshotOf([builder(scoped), ops])))).toEqual([]);
    const toLambda = passRole({ Condition: { StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } } });
    expect(runInstancesHit(findings(snapshotOf([builder(toLambda), ops])))).toEqual([]);
    const toEc2 = passRole({ Condition: { StringLike: { 'iam:PassedToService': 'ec2.*' } } });
    expect(runInstancesHit(findings(snapshotOf([builder(toEc2), ops])))).toHaveLength(1);
  });
  it('a role whose managed policies are missing from the export may be privileged: still counted', () => {
    const unknown = { name: 'mystery', trust: ec2Trust, managed: ['NotInExport'], instanceProfiles: ['mystery'] };
    expect(runInstancesHit(findings(snapshotOf([builder(passRole()), unknown])))).toHaveLength(1);
  });
  it('when the IAM inventory was read with errors, PassRole techniques are counted as before', () => {
    const s = snapshotOf([builder(passRole())]);
    const partial = { ...s, errors: [{ source: 'authorization-details-file' as const, code: 'invalid-input' as const, message: 'bad policy' }] };
    expect(runInstancesHit(findings(snapshotOf([builder(passRole())])))).toEqual([]);
    expect(runInstancesHit(findings(partial))).toHaveLength(1);
  });
  it('does not find PassRole + RunInstances when RunInstances is missing', () => {
    const fs = of(findings(snapshotOf([{ name: 'builder', inline: [doc({ Effect: 'Allow', Action: 'iam:PassRole', Resource: '*' })] }])), 'privilege-escalation');
    expect(fs.some((f) => f.actions.includes('ec2:RunInstances'))).toBe(false);
  });
  it('finds iam:CreatePolicyVersion alone, and not when an explicit Deny removes it', () => {
    const allow = doc({ Effect: 'Allow', Action: 'iam:CreatePolicyVersion', Resource: '*' });
    expect(of(findings(snapshotOf([{ name: 'x', inline: [allow] }])), 'privilege-escalation').length).toBeGreaterThan(0);
    const denied = doc({ Effect: 'Allow', Action: 'iam:CreatePolicyVersion', Resource: '*' }, { Effect: 'Deny', Action: 'iam:*', Resource: '*' });
    expect(of(findings(snapshotOf([{ name: 'x', inline: [denied] }])), 'privilege-escalation')).toHaveLength(0);
  });
  it('ignores access-key creation scoped to the caller\'s own user', () => {
    const self = doc({ Effect: 'Allow', Action: ['iam:CreateAccessKey', 'iam:CreateLoginProfile', 'iam:UpdateLoginProfile'], Resource: 'arn:aws:iam::*:user/${aws:username}' });
    expect(of(findings(snapshotOf([{ name: 'x', inline: [self] }])), 'privilege-escalation')).toHaveLength(0);
  });
});

describe('trust-policy-too-broad', () => {
  it.each([
    ['"*" with no condition', { Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' }, 'critical'],
    ['another account without ExternalId', { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::444455556666:root' }, Action: 'sts:AssumeRole' }, 'high'],
    ['GitHub OIDC without sub', { Effect: 'Allow', Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com` }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' } } }, 'critical'],
  ])('flags %s', (_n, statement, severity) => {
    const fs = of(findings(snapshotOf([{ name: 'r', trust: doc(statement) }])), 'trust-policy-too-broad');
    expect(fs).toHaveLength(1);
    expect(fs[0]!.severity).toBe(severity);
  });
  it.each([
    ['another account with ExternalId', { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::444455556666:root' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:ExternalId': 'x' } } }],
    ['"*" restricted to the organization', { Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abc' } } }],
    ['own account', { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sts:AssumeRole' }],
  ])('accepts %s', (_n, statement) => {
    expect(of(findings(snapshotOf([{ name: 'r', trust: doc(statement) }])), 'trust-policy-too-broad')).toHaveLength(0);
  });
});

describe('trust-policy-too-broad weighs the trust policy\'s Deny statements', () => {
  const open = { Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' };
  const gh = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
  const flagged = (...statements: unknown[]) => of(findings(snapshotOf([{ name: 'r', trust: doc(...statements) }])), 'trust-policy-too-broad').map((f) => f.subject);

  // A common pattern: allow "*", then deny everyone outside the organization (a caller without
  // the key is denied too, since a negated test of a missing key is true).
  it.each([
    ['everyone outside the organization', { Effect: 'Deny', Principal: '*', Action: 'sts:AssumeRole', Condition: { StringNotEquals: { 'aws:PrincipalOrgID': 'o-abc123' } } }],
    ['everyone outside the organization (…IfExists)', { Effect: 'Deny', Principal: { AWS: '*' }, Action: 'sts:*', Condition: { StringNotEqualsIfExists: { 'aws:PrincipalOrgID': 'o-abc123' } } }],
    ['every principal but two ARNs (NotPrincipal)', { Effect: 'Deny', NotPrincipal: { AWS: [`arn:aws:iam::${ACCOUNT}:role/ci`, 'arn:aws:iam::444455556666:role/deployer'] }, Action: 'sts:AssumeRole' }],
    ['principals outside one account (ArnNotLike)', { Effect: 'Deny', Principal: '*', NotAction: 's3:*', Condition: { ArnNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::444455556666:role/*' } } }],
  ])('an Allow "*" narrowed by a Deny of %s is accepted', (_n, deny) => {
    expect(flagged(open, deny)).toEqual([]);
  });

  it('a Deny on the OIDC subject narrows a GitHub trust as a sub condition would', () => {
    const allow = { Effect: 'Allow', Principal: { Federated: gh }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' } } };
    expect(flagged(allow, { Effect: 'Deny', Principal: '*', Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringNotLike: { 'token.actions.githubusercontent.com:sub': 'repo:octo-org/*' } } })).toEqual([]);
    // Negative control: a subject pattern that names no owner narrows nothing.
    expect(flagged(allow, { Effect: 'Deny', Principal: '*', Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringNotLike: { 'token.actions.githubusercontent.com:sub': 'repo:*' } } })).toEqual([`oidc-sub:token.actions.githubusercontent.com#0`]);
    // Negative control: {"AWS": "*"} is not taken to cover web-identity callers.
    expect(flagged(allow, { Effect: 'Deny', Principal: { AWS: '*' }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringNotLike: { 'token.actions.githubusercontent.com:sub': 'repo:octo-org/*' } } })).toEqual([`oidc:token.actions.githubusercontent.com#0`]);
  });

  it.each([
    ['a Deny with two tests (it applies only when both hold)', { Effect: 'Deny', Principal: '*', Action: 'sts:AssumeRole', Condition: { StringNotEquals: { 'aws:PrincipalOrgID': 'o-abc123' }, Bool: { 'aws:SecureTransport': 'false' } } }],
    ['a Deny of a different action', { Effect: 'Deny', Principal: '*', Action: 'sts:TagSession', Condition: { StringNotEquals: { 'aws:PrincipalOrgID': 'o-abc123' } } }],
    ['a Deny of one principal only', { Effect: 'Deny', Principal: { AWS: 'arn:aws:iam::444455556666:root' }, Action: 'sts:AssumeRole', Condition: { StringNotEquals: { 'aws:PrincipalOrgID': 'o-abc123' } } }],
    ['a Deny whose test is not negated (denies members, allows the rest)', { Effect: 'Deny', Principal: '*', Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abc123' } } }],
    ['a Deny whose negated test matches anything', { Effect: 'Deny', Principal: '*', Action: 'sts:AssumeRole', Condition: { StringNotLike: { 'aws:PrincipalOrgID': '*' } } }],
    ['a Deny with a set operator', { Effect: 'Deny', Principal: '*', Action: 'sts:AssumeRole', Condition: { 'ForAnyValue:StringNotEquals': { 'aws:PrincipalOrgID': 'o-abc123' } } }],
    ['a Deny except an account root (the whole account stays in)', { Effect: 'Deny', NotPrincipal: { AWS: 'arn:aws:iam::444455556666:root' }, Action: 'sts:AssumeRole' }],
    ['a Deny with NotPrincipal that also has a condition', { Effect: 'Deny', NotPrincipal: { AWS: `arn:aws:iam::${ACCOUNT}:role/ci` }, Action: 'sts:AssumeRole', Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'false' } } }],
  ])('negative control: the Allow "*" is still flagged beside %s', (_n, deny) => {
    expect(flagged(open, deny)).toEqual(['wildcard#0']);
  });
});

describe('checks of "every resource" under attribute-based access control', () => {
  const abac = (cond: Record<string, unknown>) => [doc({ Effect: 'Allow', Action: ['ec2:TerminateInstances', 'secretsmanager:GetSecretValue'], Resource: '*', Condition: cond })];
  it('an Allow on "*" limited to resources tagged like the principal is not write-on-every-resource or exfiltration', () => {
    const fs = findings(snapshotOf([{ name: 'a', inline: abac({ StringEquals: { 'aws:ResourceTag/team': '${aws:PrincipalTag/team}' } }) }]));
    expect(of(fs, 'write-all-resources')).toHaveLength(0);
    expect(of(fs, 'data-exfiltration')).toHaveLength(0);
  });
  it.each([
    ['a negated tag test', { StringNotEquals: { 'aws:ResourceTag/team': 'x' } }],
    ['a request-tag test', { StringEquals: { 'aws:RequestTag/team': 'x' } }],
    ['…IfExists', { StringEqualsIfExists: { 'aws:ResourceTag/team': 'x' } }],
  ])('negative control: with %s both are still found', (_n, cond) => {
    const fs = findings(snapshotOf([{ name: 'a', inline: abac(cond) }]));
    expect(of(fs, 'write-all-resources')).toHaveLength(1);
    expect(of(fs, 'data-exfiltration')).toHaveLength(1);
  });
});

describe('agent identification feeding checks', () => {
  it('treats bedrock-trusted, tagged and kiro-named roles as agents; session duration and boundary checks follow', () => {
    const fs = findings(snapshotOf([
      { name: 'kiro-agent', maxSessionDuration: 43200, inline: [doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' })] },
      { name: 'orders', trust: doc({ Effect: 'Allow', Principal: { Service: 'bedrock.amazonaws.com' }, Action: 'sts:AssumeRole' }), maxSessionDuration: 7200 },
      { name: 'plain-app', maxSessionDuration: 43200 },
    ]));
    expect(of(fs, 'long-session-duration').map((f) => f.principalArn.split('/').pop()).sort()).toEqual(['kiro-agent', 'orders']);
    expect(of(fs, 'agent-without-boundary').map((f) => f.principalArn.split('/').pop()).sort()).toEqual(['kiro-agent', 'orders']);
  });

  it('a managed policy missing from the export does not hide a missing boundary; a boundary missing from it is still a boundary', () => {
    const fs = findings(snapshotOf([
      { name: 'kiro-agent', managed: ['NotInThisExport'] },
      { name: 'kiro-bounded', managed: ['NotInThisExport'], boundary: 'BoundaryNotInThisExport' },
    ]));
    expect(of(fs, 'agent-without-boundary').map((f) => f.principalArn.split('/').pop())).toEqual(['kiro-agent']);
  });
});

describe('unused-role', () => {
  it('flags never-used and long-unused roles, not unknown or recent ones', () => {
    const fs = of(findings(snapshotOf([
      { name: 'never', lastUsed: null },
      { name: 'old', lastUsed: '2025-01-01T00:00:00Z' },
      { name: 'recent', lastUsed: '2026-11-20T00:00:00Z' },
      { name: 'unknown' },
      { name: 'new-never', lastUsed: null, createDate: '2026-11-01T00:00:00Z' },
    ])), 'unused-role');
    expect(fs.map((f) => f.principalArn.split('/').pop()).sort()).toEqual(['never', 'old']);
  });
});

describe('list checks', () => {
  it('flags secrets read on every resource, not when scoped to one secret', () => {
    const star = findings(snapshotOf([{ name: 'a', inline: [doc({ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: '*' })] }]));
    expect(of(star, 'data-exfiltration')).toHaveLength(1);
    const scoped = findings(snapshotOf([{ name: 'a', inline: [doc({ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:db-*` })] }]));
    expect(of(scoped, 'data-exfiltration')).toHaveLength(0);
  });
  it('flags logging tampering and credential exposure', () => {
    const fs = findings(snapshotOf([{ name: 'a', inline: [doc({ Effect: 'Allow', Action: ['cloudtrail:StopLogging', 'ecr:GetAuthorizationToken'], Resource: '*' })] }]));
    expect(of(fs, 'logging-tampering')[0]!.actions).toEqual(['cloudtrail:StopLogging']);
    expect(of(fs, 'credential-exposure')[0]!.actions).toEqual(['ecr:GetAuthorizationToken']);
  });
  it('reports unknown action names instead of guessing', () => {
    const fs = findings(snapshotOf([{ name: 'a', inline: [doc({ Effect: 'Allow', Action: ['s3:GetObjekt', 's3:GetObject'], Resource: '*' })] }]));
    expect(of(fs, 'unknown-actions')[0]!.actions).toEqual(['s3:GetObjekt']);
  });
});

describe('counts in titles', () => {
  it('reads one destructive action in the singular and several in the plural', () => {
    const one = doc({ Effect: 'Allow', Action: ['s3:DeleteBucket'], Resource: '*' });
    const two = doc({ Effect: 'Allow', Action: ['s3:DeleteBucket', 'ec2:TerminateInstances'], Resource: '*' });
    const fs = findings(snapshotOf([{ name: 'kiro-one', inline: [one] }, { name: 'kiro-two', inline: [two] }]));
    expect(of(fs, 'destructive-actions', 'kiro-one')[0]!.title).toBe('kiro-one can run 1 destructive action without approval');
    // Control: two stay plural.
    expect(of(fs, 'destructive-actions', 'kiro-two')[0]!.title).toBe('kiro-two can run 2 destructive actions without approval');
    const boundary = of(fs, 'agent-without-boundary', 'kiro-one')[0]!.description;
    expect(boundary).toContain('1 destructive action and 0 escalation techniques');
  });
});
