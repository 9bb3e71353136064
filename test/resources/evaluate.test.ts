// Resource-side evaluation against IAM's documented rules: each rule a positive case and a
// negative control (Policy evaluation logic; Cross-account policy evaluation logic; Permissions
// boundaries; KMS key policies; Resource control policies).
import { describe, expect, it } from 'vitest';
import { decideOnResource, type RcpLevels } from '../../src/resources/evaluate.js';
import type { Resource } from '../../src/model/inventory.js';
import type { ResourceCaller } from '../../src/resources/evaluate.js';
import { DEV, PROD, allow, bucket, callerOf, deny, doc, grant, parsed, resource } from './world.js';

const OBJ = (b: Resource) => `${b.arn}/data.csv`;
const decision = (rc: ResourceCaller, action: string, r: Resource, rcps?: RcpLevels, at?: string) => decideOnResource(rc, action, at ?? (action === 's3:GetObject' ? OBJ(r) : r.arn), r, rcps).decision;
const userArn = (name: string, account = DEV) => `arn:aws:iam::${account}:user/${name}`;
const roleArn = (name: string, account = DEV) => `arn:aws:iam::${account}:role/${name}`;
const NOTHING = [doc(allow('sts:GetCallerIdentity'))];

describe('same account: identity policy OR resource policy', () => {
  it('an identity Allow with no resource policy allows (negative: without it, implicitly denied)', () => {
    const b = bucket('data', DEV);
    expect(decision(callerOf({ kind: 'user', name: 'u', identity: [doc(allow('s3:GetObject'))] }), 's3:GetObject', b)).toBe('Allowed');
    expect(decision(callerOf({ kind: 'user', name: 'u' }), 's3:GetObject', b)).toBe('ImplicitlyDenied');
  });

  it('a bucket policy naming the user allows with no identity policy at all (negative: naming another user)', () => {
    expect(decision(callerOf({ kind: 'user', name: 'u' }), 's3:GetObject', bucket('data', DEV, doc(grant({ AWS: userArn('u') }, 's3:GetObject', 'arn:aws:s3:::data/*'))))).toBe('Allowed');
    expect(decision(callerOf({ kind: 'user', name: 'u' }), 's3:GetObject', bucket('data', DEV, doc(grant({ AWS: userArn('v') }, 's3:GetObject', 'arn:aws:s3:::data/*'))))).toBe('ImplicitlyDenied');
  });

  it('naming the user ARN is not limited by its boundary; naming the account is (it only delegates to IAM policies)', () => {
    const u = callerOf({ kind: 'user', name: 'u', identity: [doc(allow('s3:*'))], boundary: NOTHING });
    expect(decision(u, 's3:GetObject', bucket('data', DEV, doc(grant({ AWS: userArn('u') }, 's3:GetObject', 'arn:aws:s3:::data/*'))))).toBe('Allowed');
    expect(decision(u, 's3:GetObject', bucket('data', DEV, doc(grant({ AWS: `arn:aws:iam::${DEV}:root` }, 's3:GetObject', 'arn:aws:s3:::data/*'))))).toBe('ImplicitlyDenied');
  });

  it('naming the role ARN is limited by the role\'s boundary (negative control: no boundary, allowed)', () => {
    const b = bucket('data', DEV, doc(grant({ AWS: roleArn('r') }, 's3:GetObject', 'arn:aws:s3:::data/*')));
    expect(decision(callerOf({ kind: 'role', name: 'r', boundary: NOTHING }), 's3:GetObject', b)).toBe('ImplicitlyDenied');
    expect(decision(callerOf({ kind: 'role', name: 'r' }), 's3:GetObject', b)).toBe('Allowed');
  });

  it('naming a session of the role allows only that session (conditional: the session name is unknown); another role\'s session does not', () => {
    const session = (role: string) => bucket('data', DEV, doc(grant({ AWS: `arn:aws:sts::${DEV}:assumed-role/${role}/alice` }, 's3:GetObject', 'arn:aws:s3:::data/*')));
    expect(decision(callerOf({ kind: 'role', name: 'r', boundary: NOTHING }), 's3:GetObject', session('r'))).toBe('Conditional');
    expect(decision(callerOf({ kind: 'role', name: 'r' }), 's3:GetObject', session('other'))).toBe('ImplicitlyDenied');
  });

  it('Principal "*" in the same account allows without an identity policy (negative: a Deny for "*" beside it)', () => {
    expect(decision(callerOf({ kind: 'user', name: 'u' }), 's3:GetObject', bucket('data', DEV, doc(grant('*', 's3:GetObject', 'arn:aws:s3:::data/*'))))).toBe('Allowed');
    expect(decision(callerOf({ kind: 'user', name: 'u' }), 's3:GetObject', bucket('data', DEV, doc(grant('*', 's3:GetObject', 'arn:aws:s3:::data/*'), grant('*', 's3:GetObject', 'arn:aws:s3:::data/*', undefined, 'Deny'))))).toBe('ExplicitlyDenied');
  });
});

describe('explicit deny anywhere wins', () => {
  const u = callerOf({ kind: 'user', name: 'u', identity: [doc(allow('s3:*'))] });
  it('a bucket policy Deny naming the caller beats its identity Allow (negative: the Deny names someone else)', () => {
    expect(decision(u, 's3:GetObject', bucket('data', DEV, doc(grant({ AWS: userArn('u') }, 's3:*', '*', undefined, 'Deny'))))).toBe('ExplicitlyDenied');
    expect(decision(u, 's3:GetObject', bucket('data', DEV, doc(grant({ AWS: userArn('v') }, 's3:*', '*', undefined, 'Deny'))))).toBe('Allowed');
  });
  it('an identity Deny beats a bucket policy that names the user (negative: Deny on another action)', () => {
    const b = bucket('data', DEV, doc(grant({ AWS: userArn('w') }, 's3:GetObject', 'arn:aws:s3:::data/*')));
    expect(decision(callerOf({ kind: 'user', name: 'w', identity: [doc(deny('s3:GetObject'))] }), 's3:GetObject', b)).toBe('ExplicitlyDenied');
    expect(decision(callerOf({ kind: 'user', name: 'w', identity: [doc(deny('s3:PutObject'))] }), 's3:GetObject', b)).toBe('Allowed');
  });
  it('an SCP applies even when the resource policy names the user (negative: an SCP allowing everything)', () => {
    const b = bucket('data', DEV, doc(grant({ AWS: userArn('w') }, 's3:GetObject', 'arn:aws:s3:::data/*')));
    expect(decision(callerOf({ kind: 'user', name: 'w', scps: [[doc(allow('ec2:*'))]] }), 's3:GetObject', b)).toBe('ImplicitlyDenied');
    expect(decision(callerOf({ kind: 'user', name: 'w', scps: [[doc(allow('*'))]] }), 's3:GetObject', b)).toBe('Allowed');
  });
  it('NotPrincipal Deny always denies a principal with a boundary, even one it lists (documented); without a boundary, listing exempts', () => {
    const b = bucket('data', DEV, doc(grant('*', 's3:*', '*'), { Effect: 'Deny', NotPrincipal: { AWS: userArn('u') }, Action: 's3:*', Resource: '*' }));
    expect(decision(callerOf({ kind: 'user', name: 'u', boundary: [doc(allow('*'))] }), 's3:GetObject', b)).toBe('ExplicitlyDenied');
    expect(decision(callerOf({ kind: 'user', name: 'u' }), 's3:GetObject', b)).toBe('Allowed');
  });
});

describe('cross account: identity side AND resource policy', () => {
  const outsider = (identity = [doc(allow('s3:*'))], boundary?: ReturnType<typeof doc>[]) => callerOf({ kind: 'role', name: 'r', account: DEV, identity, ...(boundary ? { boundary } : {}) });
  const shared = bucket('prod-data', PROD, doc(grant({ AWS: DEV }, 's3:GetObject', 'arn:aws:s3:::prod-data/*')));
  it('allowed when both allow', () => expect(decision(outsider(), 's3:GetObject', shared)).toBe('Allowed'));
  it('negative: the bucket policy names the account but the identity policy does not allow', () => expect(decision(outsider([]), 's3:GetObject', shared)).toBe('ImplicitlyDenied'));
  it('negative: the identity policy allows but there is no bucket policy', () => expect(decision(outsider(), 's3:GetObject', bucket('prod-data', PROD))).toBe('ImplicitlyDenied'));
  it('negative: the caller\'s boundary limits it even when the bucket policy names its role ARN', () => {
    const byRole = bucket('prod-data', PROD, doc(grant({ AWS: roleArn('r', DEV) }, 's3:GetObject', 'arn:aws:s3:::prod-data/*')));
    expect(decision(outsider(undefined, NOTHING), 's3:GetObject', byRole)).toBe('ImplicitlyDenied');
    expect(decision(outsider(), 's3:GetObject', byRole)).toBe('Allowed');
  });
  it('aws:PrincipalAccount settles "*" grants: the named account is in (positive), another is out (negative)', () => {
    const b = bucket('prod-data', PROD, doc(grant('*', 's3:GetObject', 'arn:aws:s3:::prod-data/*', { StringEquals: { 'aws:PrincipalAccount': DEV } })));
    expect(decision(outsider(), 's3:GetObject', b)).toBe('Allowed');
    expect(decision(callerOf({ kind: 'role', name: 'r', account: '333333333333', identity: [doc(allow('s3:*'))] }), 's3:GetObject', b)).toBe('ImplicitlyDenied');
  });
  it('aws:PrincipalOrgID: unknown organization → conditional; known and equal → allowed; known and different → denied', () => {
    const b = bucket('prod-data', PROD, doc(grant('*', 's3:GetObject', 'arn:aws:s3:::prod-data/*', { StringEquals: { 'aws:PrincipalOrgID': 'o-abc1234567' } })));
    const withOrg = (orgId?: string) => callerOf({ kind: 'role', name: 'r', identity: [doc(allow('s3:*'))], ...(orgId ? { orgId } : {}) });
    expect(decision(withOrg(), 's3:GetObject', b)).toBe('Conditional');
    expect(decision(withOrg('o-abc1234567'), 's3:GetObject', b)).toBe('Allowed');
    expect(decision(withOrg('o-other00000'), 's3:GetObject', b)).toBe('ImplicitlyDenied');
  });
  it('aws:SourceAccount is absent from an IAM principal\'s own call: a grant that needs it grants the principal nothing (negative: no condition)', () => {
    const cond = { StringEquals: { 'aws:SourceAccount': DEV } };
    expect(decision(outsider(), 's3:GetObject', bucket('prod-data', PROD, doc(grant('*', 's3:GetObject', 'arn:aws:s3:::prod-data/*', cond))))).toBe('ImplicitlyDenied');
    expect(decision(outsider(), 's3:GetObject', bucket('prod-data', PROD, doc(grant('*', 's3:GetObject', 'arn:aws:s3:::prod-data/*'))))).toBe('Allowed');
  });
});

describe('KMS: the key policy must allow', () => {
  const keyWith = (...statements: unknown[]) => resource('kms:key', 'k1', DEV, { policy: doc(...statements) });
  const u = callerOf({ kind: 'user', name: 'u', identity: [doc(allow('kms:Decrypt'))] });
  it('a key policy that names the account lets the identity Allow count (positive)', () => {
    expect(decision(u, 'kms:Decrypt', keyWith(grant({ AWS: `arn:aws:iam::${DEV}:root` }, 'kms:*')))).toBe('Allowed');
  });
  it('negative: an identity Allow alone is not enough when the key policy names only someone else', () => {
    expect(decision(u, 'kms:Decrypt', keyWith(grant({ AWS: roleArn('key-admin') }, 'kms:*')))).toBe('ImplicitlyDenied');
  });
  it('a key policy naming the user allows without any identity policy (negative: delegating to the account without one)', () => {
    const bare = callerOf({ kind: 'user', name: 'u' });
    expect(decision(bare, 'kms:Decrypt', keyWith(grant({ AWS: userArn('u') }, 'kms:Decrypt')))).toBe('Allowed');
    expect(decision(bare, 'kms:Decrypt', keyWith(grant({ AWS: `arn:aws:iam::${DEV}:root` }, 'kms:*')))).toBe('ImplicitlyDenied');
  });
  it('a key whose policy was not read is unknown, not allowed (identity Allow) — and still denied without one', () => {
    const unread: Resource = { ...resource('kms:key', 'k2', DEV), policyUnknown: 'AccessDenied' };
    expect(decision(u, 'kms:Decrypt', unread)).toBe('Conditional');
    expect(decision(callerOf({ kind: 'user', name: 'u' }), 'kms:Decrypt', unread)).toBe('ImplicitlyDenied');
  });
});

describe('resource control policies', () => {
  const rcp = (d: ReturnType<typeof doc>): RcpLevels => [[{ name: 'rcp', arn: 'arn:aws:organizations::999999999999:policy/o-x/resource_control_policy/p-1', document: parsed(d) }]];
  const full = { Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' };
  const denyOutside = { Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: '*', Condition: { StringNotEqualsIfExists: { 'aws:PrincipalAccount': PROD } } };
  const b = bucket('prod-data', PROD, doc(grant({ AWS: DEV }, 's3:GetObject', 'arn:aws:s3:::prod-data/*')));
  const outsider = callerOf({ kind: 'role', name: 'r', account: DEV, identity: [doc(allow('s3:*'))] });
  it('an RCP denying principals outside the account stops a bucket policy grant (negative: the RCP allows everything)', () => {
    expect(decision(outsider, 's3:GetObject', b, rcp(doc(full, denyOutside)))).toBe('ExplicitlyDenied');
    expect(decision(outsider, 's3:GetObject', b, rcp(doc(full)))).toBe('Allowed');
  });
  it('every RCP level must allow: a level without an Allow for S3 denies (negative: the same level for a service RCPs do not cover)', () => {
    const onlyKms = rcp(doc({ Effect: 'Allow', Principal: '*', Action: 'kms:*', Resource: '*' }));
    expect(decision(outsider, 's3:GetObject', b, onlyKms)).toBe('ImplicitlyDenied');
    const stack = resource('cloudformation:stack', 'api-prod', DEV);
    expect(decision(callerOf({ kind: 'role', name: 'r', identity: [doc(allow('cloudformation:*'))] }), 'cloudformation:DeleteStack', stack, onlyKms)).toBe('Allowed');
  });
  it('RCPs do not apply to service-linked roles (negative: an ordinary role of the same account)', () => {
    const denyAll = rcp(doc(full, { Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: '*' }));
    const own = bucket('own', DEV);
    expect(decision(callerOf({ kind: 'role', name: 'AWSServiceRoleForX', path: '/aws-service-role/x.amazonaws.com/', identity: [doc(allow('s3:*'))] }), 's3:GetObject', own, denyAll)).toBe('Allowed');
    expect(decision(callerOf({ kind: 'role', name: 'r', identity: [doc(allow('s3:*'))] }), 's3:GetObject', own, denyAll)).toBe('ExplicitlyDenied');
  });
});

describe('resource tags are known', () => {
  it('an ABAC Allow on aws:ResourceTag grants on the tagged table (positive) and not on another (negative), never "unknown"', () => {
    const u = callerOf({ kind: 'role', name: 'r', identity: [doc(allow('dynamodb:DeleteTable', '*', { StringEquals: { 'aws:ResourceTag/env': 'dev' } }))] });
    expect(decision(u, 'dynamodb:DeleteTable', resource('dynamodb:table', 'orders-dev', DEV, { tags: { env: 'dev' } }))).toBe('Allowed');
    expect(decision(u, 'dynamodb:DeleteTable', resource('dynamodb:table', 'orders-prod', DEV, { tags: { env: 'prod' } }))).toBe('ImplicitlyDenied');
    expect(decision(u, 'dynamodb:DeleteTable', resource('dynamodb:table', 'untagged', DEV))).toBe('ImplicitlyDenied');
  });
});
