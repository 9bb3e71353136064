// A session policy on the resource side (session 32). AWS: a resource policy that names the role's
// or the user's ARN grants "before the session is created", so "the session policy limits" it;
// one that names the session ARN grants after, "not limited by the session policy"
// (IAM User Guide, access_policies.html#policies_session; and
// reference_policies_evaluation-logic_policy-eval-denyallow.html). Principal "*" names whoever
// calls, the session itself. Each case is decided with and without the session layer.
import { describe, expect, it } from 'vitest';
import { decideOnResource, type ResourceCaller } from '../../src/resources/evaluate.js';
import { allow, bucket, callerOf, deny, DEV, doc, grant, parsed, PROD, resource } from './world.js';

const ROLE = `arn:aws:iam::${DEV}:role/agent`;
const SESSION = `arn:aws:sts::${DEV}:assumed-role/agent/tool-session`;
const USER = `arn:aws:iam::${DEV}:user/bot`;
const OBJECT = 'arn:aws:s3:::data/report.csv';
// The session may list buckets, not read objects.
const listOnly = parsed(doc(allow('s3:ListBucket')));
const withSession = (rc: ResourceCaller, ...docs: ReturnType<typeof parsed>[]): ResourceCaller => ({ ...rc, session: docs });
const getObject = (rc: ResourceCaller, b = bucket('data', DEV, doc(grant({ AWS: ROLE }, 's3:GetObject', 'arn:aws:s3:::data/*')))) => decideOnResource(rc, 's3:GetObject', OBJECT, b);

describe('a session policy on the resource side', () => {
  const role = callerOf({ kind: 'role', name: 'agent' });

  it('caps a bucket policy that names the role ARN; control: without the session policy it grants', () => {
    expect(getObject(role)).toMatchObject({ decision: 'Allowed', via: 'resource-policy' });
    expect(getObject(withSession(role, listOnly)).decision).toBe('ImplicitlyDenied');
    // Control: a session policy that allows the read caps nothing (the cap is what it says, not that it exists).
    expect(getObject(withSession(role, parsed(doc(allow('s3:GetObject'))))).decision).toBe('Allowed');
  });

  it('does not cap one that names the session ARN, nor Principal "*"', () => {
    const bySession = bucket('data', DEV, doc(grant({ AWS: SESSION }, 's3:GetObject', 'arn:aws:s3:::data/*')));
    const without = getObject(role, bySession);
    // leash cannot know the session name: the grant holds under that unknown (the caller of
    // AssumeRole picks the name: not an approval), with or without a session policy.
    expect(without).toMatchObject({ decision: 'Conditional', condition: 'unknown' });
    expect(getObject(withSession(role, listOnly), bySession)).toEqual(without);
    const anyone = bucket('data', DEV, doc(grant('*', 's3:GetObject', 'arn:aws:s3:::data/*')));
    expect(getObject(withSession(role, listOnly), anyone)).toMatchObject({ decision: 'Allowed', via: 'resource-policy' });
    expect(getObject(role, anyone).decision).toBe('Allowed');
  });

  it("caps the identity side; control: the same identity Allow with no session policy", () => {
    const reader = callerOf({ kind: 'role', name: 'agent', identity: [doc(allow('s3:GetObject'))] });
    const plain = bucket('data', DEV);
    expect(getObject(reader, plain)).toMatchObject({ decision: 'Allowed', via: 'identity' });
    expect(getObject(withSession(reader, listOnly), plain).decision).toBe('ImplicitlyDenied');
  });

  it('a Deny in the session policy denies even what Principal "*" grants', () => {
    const anyone = bucket('data', DEV, doc(grant('*', 's3:GetObject', 'arn:aws:s3:::data/*')));
    expect(getObject(withSession(role, parsed(doc(allow('*'), deny('s3:GetObject')))), anyone).decision).toBe('ExplicitlyDenied');
  });

  it("caps one that names the IAM user's ARN (a federated session of the user); control: no session policy, and the user's boundary does not cap it", () => {
    const user = callerOf({ kind: 'user', name: 'bot', boundary: [doc(allow('s3:ListBucket'))] });
    const byUser = bucket('data', DEV, doc(grant({ AWS: USER }, 's3:GetObject', 'arn:aws:s3:::data/*')));
    expect(getObject(user, byUser)).toMatchObject({ decision: 'Allowed', via: 'resource-policy' });
    expect(getObject(withSession(user, listOnly), byUser).decision).toBe('ImplicitlyDenied');
  });

  it('caps a key policy naming the role ARN in its own account; control: without the session policy it grants', () => {
    const key = resource('kms:key', 'k1', DEV, { policy: doc(grant({ AWS: ROLE }, 'kms:Decrypt')) });
    const decrypt = (rc: ResourceCaller) => decideOnResource(rc, 'kms:Decrypt', key.arn, key).decision;
    expect(decrypt(role)).toBe('Allowed');
    expect(decrypt(withSession(role, listOnly))).toBe('ImplicitlyDenied');
  });

  it('cross account: the identity side must allow, and the session policy caps it; control: without it both allow', () => {
    const reader = callerOf({ kind: 'role', name: 'agent', identity: [doc(allow('s3:GetObject'))] });
    const theirs = bucket('data', PROD, doc(grant({ AWS: ROLE }, 's3:GetObject', 'arn:aws:s3:::data/*')));
    expect(getObject(reader, theirs).decision).toBe('Allowed');
    expect(getObject(withSession(reader, listOnly), theirs).decision).toBe('ImplicitlyDenied');
  });
});
