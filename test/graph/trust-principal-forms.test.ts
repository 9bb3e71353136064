// Session 29's live-account suspicions, settled against AWS's evaluation docs: within one account
// a role trust policy must allow the caller, and then what else the caller needs depends on the
// principal it names. "Resource-based policies that grant permissions to an IAM role ARN are
// limited by an implicit deny in a permissions boundary or session policy"; a grant to a role
// *session* ARN is "not limited by an implicit deny in an identity-based policy, a permissions
// boundary, or session policy"; one to a user ARN is "not limited by an implicit deny in an
// identity-based policy or permissions boundary"
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html).
// `{"AWS": "*"}`: "For IAM user and role principals within your account, no other permissions
// are required. For principals in other accounts, they must also have identity-based
// permissions" (reference_policies_elements_principal.html, All principals). Naming the account
// delegates to the account's own policies (identity and boundary must allow). Explicit denies
// and SCPs apply every time.
import { describe, expect, it } from 'vitest';
import { analyzeSnapshots, defaultConfig } from '../../src/pipeline/scan.js';
import { DEV, PROD, allow, arn, deny, doc, snapshot, trust, type AccountSpec, type Doc } from './accounts.js';

const NOW = new Date('2026-12-01T12:00:00Z');
const opts = { scanId: 't', startedAt: NOW.toISOString(), now: NOW, fixes: false };
const ADMIN_ROLE = (account = DEV) => arn(account, 'role', 'admin');
const SESSION = (role: string, account = DEV) => `arn:aws:sts::${account}:assumed-role/${role}/s1`;
const ROOT = (account: string) => `arn:aws:iam::${account}:root`;
const NO_STS = doc(allow('s3:GetObject'));
const STS = doc(allow('sts:AssumeRole', ADMIN_ROLE()), allow('s3:GetObject'));

/** reaches-admin findings of `principal` (severity each), over the accounts given. */
function reaches(specs: AccountSpec[], principal: string): string[] {
  const results = analyzeSnapshots(specs.map(snapshot), defaultConfig(), opts);
  return results.flatMap((r) => r.report.findings).filter((f) => f.principalArn === principal && f.checkId === 'reaches-admin').map((f) => f.severity);
}

/** DEV: a caller `agent` (`kind`) with identity policy `identity` and boundary `fence`, and `admin` trusting `principal`. */
function world(kind: 'user' | 'role', principal: unknown, identity: Doc, fence: Doc, more: { scps?: Doc[]; condition?: unknown } = {}): AccountSpec {
  const admin = { name: 'admin', trust: trust(principal, more.condition), inline: [doc(allow('*'))] };
  return {
    policies: { fence },
    ...(kind === 'user'
      ? { users: [{ name: 'agent', inline: [identity], boundary: 'fence' }], roles: [admin] }
      : { roles: [{ name: 'agent', trust: trust({ Service: 'ec2.amazonaws.com' }), inline: [identity], boundary: 'fence' }, admin] }),
    ...(more.scps ? { scps: more.scps } : {}),
  };
}

describe('same account, a bounded role caller whose identity and boundary do not allow sts:AssumeRole', () => {
  const me = arn(DEV, 'role', 'agent');

  it('trust names its role session ARN → it may assume (a session grant is not limited by its boundary or identity policy)', () => {
    expect(reaches([world('role', { AWS: SESSION('agent') }, NO_STS, NO_STS)], me)).toEqual(['critical']);
  });

  it('trust names its role ARN → it may not (a role-ARN grant is limited by the boundary); control: the boundary allows sts:AssumeRole → it may, with no identity Allow', () => {
    expect(reaches([world('role', { AWS: arn(DEV, 'role', 'agent') }, NO_STS, NO_STS)], me)).toEqual([]);
    expect(reaches([world('role', { AWS: arn(DEV, 'role', 'agent') }, NO_STS, STS)], me)).toEqual(['critical']);
  });

  it('trust names the account → it may not; control: identity and boundary both allow sts:AssumeRole → it may', () => {
    expect(reaches([world('role', { AWS: ROOT(DEV) }, NO_STS, NO_STS)], me)).toEqual([]);
    expect(reaches([world('role', { AWS: ROOT(DEV) }, STS, NO_STS)], me)).toEqual([]);
    expect(reaches([world('role', { AWS: ROOT(DEV) }, STS, STS)], me)).toEqual(['critical']);
  });

  it('trust allows {"AWS": "*"} or "*" → it may (no other permission needed within the account)', () => {
    expect(reaches([world('role', { AWS: '*' }, NO_STS, NO_STS)], me)).toEqual(['critical']);
    expect(reaches([world('role', '*', NO_STS, NO_STS)], me)).toEqual(['critical']);
  });

  it('negative: an explicit Deny of sts:AssumeRole (identity, boundary or SCP) stops the session grant', () => {
    const denyAll = doc(allow('s3:GetObject'), deny('sts:AssumeRole'));
    expect(reaches([world('role', { AWS: SESSION('agent') }, denyAll, NO_STS)], me)).toEqual([]);
    expect(reaches([world('role', { AWS: SESSION('agent') }, NO_STS, denyAll)], me)).toEqual([]);
    expect(reaches([world('role', { AWS: SESSION('agent') }, NO_STS, NO_STS, { scps: [doc(allow('*'), deny('sts:AssumeRole'))] })], me)).toEqual([]);
    expect(reaches([world('role', { AWS: SESSION('agent') }, NO_STS, NO_STS, { scps: [doc(allow('*'))] })], me)).toEqual(['critical']);
  });

  it('negative: a session of another role named → not this caller', () => {
    expect(reaches([world('role', { AWS: SESSION('someone-else') }, NO_STS, NO_STS)], me)).toEqual([]);
  });
});

describe('same account, a bounded user caller whose identity and boundary do not allow sts:AssumeRole', () => {
  const me = arn(DEV, 'user', 'agent');

  it('trust names its user ARN → it may; the account → it may not; "*" → it may', () => {
    expect(reaches([world('user', { AWS: me }, NO_STS, NO_STS)], me)).toEqual(['critical']);
    expect(reaches([world('user', { AWS: ROOT(DEV) }, NO_STS, NO_STS)], me)).toEqual([]);
    expect(reaches([world('user', { AWS: '*' }, NO_STS, NO_STS)], me)).toEqual(['critical']);
  });
});

describe('another account: the caller needs its own Allow whatever the trust names', () => {
  const me = arn(DEV, 'role', 'agent');
  const prod = (principal: unknown): AccountSpec => ({ id: PROD, roles: [{ name: 'admin', trust: trust(principal), inline: [doc(allow('*'))] }] });
  const caller = (identity: Doc, fence: Doc): AccountSpec => ({ policies: { fence }, roles: [{ name: 'agent', trust: trust({ Service: 'ec2.amazonaws.com' }), inline: [identity], boundary: 'fence' }] });
  const sts = doc(allow('sts:AssumeRole', ADMIN_ROLE(PROD)));

  it.each([['its session ARN', { AWS: SESSION('agent') }], ['its role ARN', { AWS: me }], ['"*"', { AWS: '*' }]] as const)('trust in PROD names %s: no Allow of its own → no; identity and boundary allow → yes', (_what, principal) => {
    expect(reaches([caller(NO_STS, NO_STS), prod(principal)], me)).toEqual([]);
    expect(reaches([caller(sts, NO_STS), prod(principal)], me)).toEqual([]);
    expect(reaches([caller(sts, sts), prod(principal)], me)).toEqual(['critical']);
  });
});

describe('"*" with a condition on who calls', () => {
  const me = arn(DEV, 'role', 'agent');

  it('aws:PrincipalAccount = its account → it may; another account → it may not', () => {
    expect(reaches([world('role', { AWS: '*' }, NO_STS, NO_STS, { condition: { StringEquals: { 'aws:PrincipalAccount': DEV } } })], me)).toEqual(['critical']);
    expect(reaches([world('role', { AWS: '*' }, NO_STS, NO_STS, { condition: { StringEquals: { 'aws:PrincipalAccount': PROD } } })], me)).toEqual([]);
  });

  it('a caller in another account that the condition names, with its own Allow → it may; the condition naming DEV → it may not', () => {
    const other = arn(PROD, 'user', 'outsider');
    const spec = (account: string): AccountSpec[] => [
      world('role', { AWS: '*' }, NO_STS, NO_STS, { condition: { StringEquals: { 'aws:PrincipalAccount': account } } }),
      { id: PROD, users: [{ name: 'outsider', inline: [doc(allow('sts:AssumeRole', ADMIN_ROLE()))] }] },
    ];
    expect(reaches(spec(PROD), other)).toEqual(['critical']);
    expect(reaches(spec(DEV), other)).toEqual([]);
  });

  it('aws:PrincipalOrgID (the organization is not in the export) → the hop stays unknown: reported, not critical', () => {
    const found = reaches([world('role', { AWS: '*' }, NO_STS, NO_STS, { condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-example' } } })], me);
    expect(found).toHaveLength(1);
    expect(found[0]).not.toBe('critical');
  });
});

describe('rewriting a trust policy (iam:UpdateAssumeRolePolicy) as a bounded role', () => {
  // It names its own session in the new trust policy, which its boundary does not limit.
  const me = arn(DEV, 'role', 'agent');
  const update = doc(allow('iam:UpdateAssumeRolePolicy', ADMIN_ROLE()), allow('s3:GetObject'));
  const spec = (fence: Doc, scps?: Doc[]): AccountSpec => ({
    policies: { fence },
    roles: [
      { name: 'agent', trust: trust({ Service: 'ec2.amazonaws.com' }), inline: [update], boundary: 'fence' },
      { name: 'admin', trust: trust({ Service: 'lambda.amazonaws.com' }), inline: [doc(allow('*'))] },
    ],
    ...(scps ? { scps } : {}),
  });

  it('positive: the boundary allows the rewrite, not sts:AssumeRole → it takes the role over', () => {
    expect(reaches([spec(update)], me)).toEqual(['critical']);
  });

  it('negative: an SCP denies sts:AssumeRole → no; the boundary does not allow the rewrite → no', () => {
    expect(reaches([spec(update, [doc(allow('*'), deny('sts:AssumeRole'))])], me)).toEqual([]);
    expect(reaches([spec(NO_STS)], me)).toEqual([]);
  });
});

describe('a trust statement whose only action is a federation call', () => {
  // AssumeRoleWithWebIdentity / AssumeRoleWithSAML are made with an identity provider's token: an
  // AWS principal named for them cannot call sts:AssumeRole through that statement.
  const me = arn(DEV, 'user', 'agent');
  const spec = (action: string, principal: unknown): AccountSpec => ({
    users: [{ name: 'agent', inline: [doc(allow('sts:AssumeRole', ADMIN_ROLE()))] }],
    roles: [{ name: 'admin', trust: doc({ Effect: 'Allow', Principal: principal, Action: action }), inline: [doc(allow('*'))] }],
  });

  it.each(['sts:AssumeRoleWithWebIdentity', 'sts:AssumeRoleWithSAML'])('%s naming the user\'s ARN → no path; control: sts:AssumeRole → a path', (action) => {
    expect(reaches([spec(action, { AWS: me })], me)).toEqual([]);
    expect(reaches([spec('sts:AssumeRole', { AWS: me })], me)).toEqual(['critical']);
  });

  it('{"AWS": "*"} with sts:AssumeRoleWithWebIdentity only → no hop from "any AWS principal"; control: a Federated provider keeps its hop', () => {
    const hopsInto = (principal: unknown) => {
      const [a] = analyzeSnapshots([snapshot(spec('sts:AssumeRoleWithWebIdentity', principal))], defaultConfig(), opts);
      return a!.report.graph!.hops.filter((h) => h.to === ADMIN_ROLE()).map((h) => `${h.from} ${h.technique}`);
    };
    expect(hopsInto({ AWS: '*' })).toEqual([]);
    expect(hopsInto({ Federated: 'token.actions.githubusercontent.com' })).toEqual(['federated:token.actions.githubusercontent.com assume-role-with-web-identity']);
  });
});
