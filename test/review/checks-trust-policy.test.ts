// Review (R1): trust-policy-too-broad read only which condition keys a statement names, never the
// operator or the value. `StringNotEquals aws:PrincipalOrgID` (everyone outside the organization),
// `…IfExists` (true when the key is absent), `StringLike sts:ExternalId "*"`, a GitHub subject
// `repo:*` or `repo:octo*` all passed as "restricted". It also ignored web-identity federation
// without an IAM OIDC provider (Google, Cognito) and flagged statements that grant no assume action.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyzePrincipals } from '../../src/checks/analyze.js';
import { runChecks } from '../../src/checks/run.js';
import { defaultConfig } from '../../src/config/config.js';
import { catalog } from '../../src/iam/catalog.js';
import { evaluateCondition } from '../../src/iam/conditions.js';
import { ActionExpander } from '../../src/iam/pattern.js';
import { ACCOUNT, doc, snapshotOf } from '../support/snapshot.js';

const expander = new ActionExpander(catalog());
const OTHER = '444455556666';
const GH = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
const EKS = 'oidc.eks.us-east-1.amazonaws.com/id/ABCDEF0123456789';

function trustFindings(statement: unknown) {
  const snapshot = snapshotOf([{ name: 'deploy', trust: doc(statement) }]);
  const config = defaultConfig();
  const principals = analyzePrincipals(snapshot, config, expander);
  return runChecks({ snapshot, principals, config, expander, now: new Date('2026-11-24T12:00:00Z') }).findings.filter((f) => f.checkId === 'trust-policy-too-broad');
}

const anyone = (Condition: unknown) => ({ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole', Condition });
const github = (Condition: unknown) => ({ Effect: 'Allow', Principal: { Federated: GH }, Action: 'sts:AssumeRoleWithWebIdentity', Condition });
const oidc = (provider: string, Condition: unknown) => ({ Effect: 'Allow', Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/${provider}` }, Action: 'sts:AssumeRoleWithWebIdentity', Condition });
const ghAud = { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' };

describe('trust-policy-too-broad: conditions that name a key but restrict nothing', () => {
  it.each([
    ['"*" unless in the organization (negated)', anyone({ StringNotEquals: { 'aws:PrincipalOrgID': 'o-abc123' } }), 'wildcard', 'critical'],
    ['"*" with PrincipalOrgID …IfExists (principals outside any organization lack the key)', anyone({ StringEqualsIfExists: { 'aws:PrincipalOrgID': 'o-abc123' } }), 'wildcard', 'critical'],
    ['"*" with ForAllValues on PrincipalOrgID (true when absent)', anyone({ 'ForAllValues:StringEquals': { 'aws:PrincipalOrgID': 'o-abc123' } }), 'wildcard', 'critical'],
    ['"*" with any ExternalId (StringLike "*")', anyone({ StringLike: { 'sts:ExternalId': '*' } }), 'wildcard', 'critical'],
    ['"*" with ExternalId merely present (Null false)', anyone({ Null: { 'sts:ExternalId': 'false' } }), 'wildcard', 'critical'],
    ['"*" with a role name in any account', anyone({ ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/deploy' } }), 'wildcard', 'critical'],
    ['"*" with an organization id pattern', anyone({ StringLike: { 'aws:PrincipalOrgID': 'o-*' } }), 'wildcard', 'critical'],
    ['"*" with aws:SecureTransport only', anyone({ Bool: { 'aws:SecureTransport': 'true' } }), 'wildcard', 'critical'],
    ['another account with ExternalId merely present', { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${OTHER}:root` }, Action: 'sts:AssumeRole', Condition: { Null: { 'sts:ExternalId': 'false' } } }, `cross-account:${OTHER}`, 'high'],
    ['another account with a source identity it chooses itself', { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${OTHER}:root` }, Action: 'sts:AssumeRole', Condition: { StringLike: { 'sts:SourceIdentity': 'ci-*' } } }, `cross-account:${OTHER}`, 'high'],
    ['GitHub subject repo:* (every repository on GitHub)', github({ StringEquals: ghAud, StringLike: { 'token.actions.githubusercontent.com:sub': 'repo:*' } }), 'oidc-sub:token.actions.githubusercontent.com', 'critical'],
    ['GitHub subject repo:octo* (also octo-evil/…)', github({ StringEquals: ghAud, StringLike: { 'token.actions.githubusercontent.com:sub': 'repo:octo*' } }), 'oidc-sub:token.actions.githubusercontent.com', 'critical'],
    ['GitHub subject "*"', github({ StringEquals: ghAud, StringLike: { 'token.actions.githubusercontent.com:sub': '*' } }), 'oidc:token.actions.githubusercontent.com', 'critical'],
    ['GitHub subject negated', github({ StringEquals: ghAud, StringNotLike: { 'token.actions.githubusercontent.com:sub': 'repo:octo-org/*' } }), 'oidc:token.actions.githubusercontent.com', 'critical'],
    ['GitLab.com without a subject (any project on gitlab.com)', oidc('gitlab.com', { StringEquals: { 'gitlab.com:aud': 'https://gitlab.com' } }), 'oidc:gitlab.com', 'critical'],
    ['Terraform Cloud with any organization', oidc('app.terraform.io', { StringEquals: { 'app.terraform.io:aud': 'aws.workload.identity' }, StringLike: { 'app.terraform.io:sub': 'organization:*:project:*:workspace:*:run_phase:*' } }), 'oidc-sub:app.terraform.io', 'critical'],
    ['EKS with any service account of the cluster', oidc(EKS, { StringEquals: { [`${EKS}:aud`]: 'sts.amazonaws.com' }, StringLike: { [`${EKS}:sub`]: 'system:serviceaccount:*' } }), `oidc-sub:${EKS}`, 'high'],
    ['Google without an audience (any Google OAuth client)', { Effect: 'Allow', Principal: { Federated: 'accounts.google.com' }, Action: 'sts:AssumeRoleWithWebIdentity' }, 'web-identity:accounts.google.com', 'critical'],
    ['Cognito without an identity pool (any pool in any account)', { Effect: 'Allow', Principal: { Federated: 'cognito-identity.amazonaws.com' }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { 'ForAnyValue:StringLike': { 'cognito-identity.amazonaws.com:amr': 'authenticated' } } }, 'web-identity:cognito-identity.amazonaws.com', 'critical'],
  ])('flags %s', (_n, statement, subject, severity) => {
    const fs = trustFindings(statement);
    expect(fs.map((f) => [f.subject, f.severity])).toEqual([[`${subject}#0`, severity]]);
  });

  it.each([
    ['"*" restricted to one role ARN', anyone({ ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${OTHER}:role/deploy-*` } })],
    ['"*" restricted to the organization with ForAnyValue', anyone({ 'ForAnyValue:StringEquals': { 'aws:PrincipalOrgID': 'o-abc123' } })],
    ['GitHub, one organization', github({ StringEquals: ghAud, StringLike: { 'token.actions.githubusercontent.com:sub': 'repo:octo-org/*' } })],
    ['GitHub, one branch of one repository', github({ StringEquals: { ...ghAud, 'token.actions.githubusercontent.com:sub': 'repo:octo-org/app:ref:refs/heads/main' } })],
    ['GitHub, a broad pattern ANDed with an exact subject', github({ StringEquals: { 'token.actions.githubusercontent.com:sub': 'repo:octo-org/app:environment:prod' }, StringLike: { 'token.actions.githubusercontent.com:sub': 'repo:*' } })],
    ['Terraform Cloud, one organization', oidc('app.terraform.io', { StringEquals: { 'app.terraform.io:aud': 'aws.workload.identity' }, StringLike: { 'app.terraform.io:sub': 'organization:acme:project:*:workspace:*:run_phase:*' } })],
    ['EKS, one namespace', oidc(EKS, { StringLike: { [`${EKS}:sub`]: 'system:serviceaccount:agents:*' } })],
    ['Cognito, one identity pool', { Effect: 'Allow', Principal: { Federated: 'cognito-identity.amazonaws.com' }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringEquals: { 'cognito-identity.amazonaws.com:aud': 'us-east-1:12345678-1234-1234-1234-123456789012' } } }],
    ['the organisation\'s own SAML IdP', { Effect: 'Allow', Principal: { Federated: `arn:aws:iam::${ACCOUNT}:saml-provider/Okta` }, Action: 'sts:AssumeRoleWithSAML', Condition: { StringEquals: { 'SAML:aud': 'https://signin.aws.amazon.com/saml' } } }],
    ['another account allowed only sts:TagSession (no assume action)', { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${OTHER}:root` }, Action: ['sts:TagSession', 'sts:SetSourceIdentity'] }],
  ])('accepts %s', (_n, statement) => {
    expect(trustFindings(statement)).toEqual([]);
  });

  it('still flags a statement that grants assume through a wildcard or NotAction', () => {
    expect(trustFindings({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${OTHER}:root` }, Action: 'sts:*' })).toHaveLength(1);
    expect(trustFindings({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${OTHER}:root` }, NotAction: 'sts:TagSession' })).toHaveLength(1);
  });
});

// Soundness against leash's own evaluator: whenever some outsider (another account, another or no
// organization, any ExternalId guess or none) satisfies the condition of an Allow for "*", the
// check must report the statement. A condition that keeps every outsider out may or may not be
// reported (a wildcard on an account id is reported even when it happens to exclude this one).
describe('trust-policy-too-broad: no outsider gets in unreported (property)', () => {
  const keys = ['aws:PrincipalOrgID', 'aws:PrincipalAccount', 'aws:PrincipalArn', 'sts:ExternalId'] as const;
  const operators = ['StringEquals', 'StringNotEquals', 'StringEqualsIfExists', 'StringLike', 'StringNotLike', 'StringLikeIfExists', 'ForAllValues:StringEquals', 'ForAnyValue:StringEquals', 'ArnLike', 'ArnNotLike', 'Null'] as const;
  const values = ['o-good', 'o-*', '*', ACCOUNT, '1111*', `arn:aws:iam::${ACCOUNT}:role/*`, 'arn:aws:iam::*:role/deploy', 'shared-secret-7f3a', 'true', 'false'] as const;
  const outsiders: Record<string, string[]>[] = [];
  for (const org of [['o-evil'], undefined]) {
    for (const ext of [['guess'], undefined]) {
      outsiders.push({
        'aws:principalaccount': [OTHER], 'aws:principalarn': [`arn:aws:iam::${OTHER}:role/deploy`],
        ...(org ? { 'aws:principalorgid': org } : {}), ...(ext ? { 'sts:externalid': ext } : {}),
      });
    }
  }
  const entry = fc.record({ op: fc.constantFrom(...operators), key: fc.constantFrom(...keys), vals: fc.uniqueArray(fc.constantFrom(...values), { minLength: 1, maxLength: 2 }) });

  it('reports every "*" statement some outsider can satisfy', () => {
    fc.assert(fc.property(fc.array(entry, { minLength: 1, maxLength: 3 }), (entries) => {
      const condition: Record<string, Record<string, string[]>> = {};
      for (const e of entries) (condition[e.op] ??= {})[e.key] = e.vals;
      const outsiderGetsIn = outsiders.some((values) => evaluateCondition(condition, { values, closedWorld: true }) === true);
      if (!outsiderGetsIn) return;
      expect(trustFindings(anyone(condition)).map((f) => f.subject.split('#')[0])).toEqual(['wildcard']);
    }), { numRuns: 150 });
  });
});

describe('trust-policy-too-broad: issuer reach', () => {
  it('a GitHub Enterprise issuer without a subject reaches one enterprise: high, not critical, for a non-agent', () => {
    const fs = trustFindings(oidc('token.actions.githubusercontent.com/acme', { StringEquals: { 'token.actions.githubusercontent.com/acme:aud': 'sts.amazonaws.com' } }));
    expect(fs.map((f) => f.severity)).toEqual(['high']);
  });
});
