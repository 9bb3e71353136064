import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { normalizeAuthorizationDetails, readAuthorizationDetailsFile } from '../../../src/collect/iam/authorization-details-file.js';
import { InputError } from '../../../src/model/errors.js';
import { sharedFixture, sharedFixturesPresent, SKIP_REASON } from '../../support/fixtures.js';

const tmp = mkdtempSync(join(tmpdir(), 'leash-auth-'));
function file(name: string, content: string): string {
  const p = join(tmp, name);
  writeFileSync(p, content);
  return p;
}

const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
const s3read = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:GetObject'], Resource: 'arn:aws:s3:::b/*' }] };

describe('authorization-details normaliser', () => {
  it('accepts URL-encoded policy documents, as the IAM API returns them', () => {
    const r = normalizeAuthorizationDetails({
      RoleDetailList: [{ RoleName: 'fn', Arn: 'arn:aws:iam::111122223333:role/fn', AssumeRolePolicyDocument: encodeURIComponent(JSON.stringify(trust)), RolePolicyList: [{ PolicyName: 'p', PolicyDocument: encodeURIComponent(JSON.stringify(s3read)) }] }],
    }, 'x.json');
    const role = r.principals[0]!;
    expect(r.errors).toEqual([]);
    expect(role.kind).toBe('role');
    expect(role.policies[0]!.document.statements[0]!.action).toEqual(['s3:GetObject']);
    expect(role.kind === 'role' && role.trustPolicy.statements[0]!.principal).toEqual({ Service: ['lambda.amazonaws.com'] });
    expect(r.accountId).toBe('111122223333');
  });

  it('gives users their groups\' inline and managed policies, and resolves the default managed version', () => {
    const r = normalizeAuthorizationDetails({
      UserDetailList: [{ UserName: 'u', Arn: 'arn:aws:iam::111122223333:user/u', GroupList: ['g'] }],
      GroupDetailList: [{ GroupName: 'g', Arn: 'arn:aws:iam::111122223333:group/g', GroupPolicyList: [{ PolicyName: 'gi', PolicyDocument: s3read }], AttachedManagedPolicies: [{ PolicyName: 'm', PolicyArn: 'arn:aws:iam::111122223333:policy/m' }] }],
      Policies: [{ PolicyName: 'm', Arn: 'arn:aws:iam::111122223333:policy/m', DefaultVersionId: 'v2', PolicyVersionList: [
        { VersionId: 'v1', IsDefaultVersion: false, Document: { Version: '2012-10-17', Statement: { Effect: 'Allow', Action: '*', Resource: '*' } } },
        { VersionId: 'v2', IsDefaultVersion: true, Document: { Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'ec2:Describe*', Resource: '*' } } },
      ] }],
    }, 'x.json');
    const u = r.principals[0]!;
    expect(u.policies.map((p) => [p.origin.kind, p.origin.name])).toEqual([['group-inline', 'gi'], ['group-managed', 'm']]);
    expect(u.policies[1]!.document.statements[0]!.action).toEqual(['ec2:Describe*']);
  });

  it('records a policy missing from the export as unresolved, not as empty', () => {
    const r = normalizeAuthorizationDetails({ RoleDetailList: [{ RoleName: 'r', Arn: 'arn:aws:iam::111122223333:role/r', AssumeRolePolicyDocument: trust, AttachedManagedPolicies: [{ PolicyArn: 'arn:aws:iam::aws:policy/Gone' }] }] }, 'x.json');
    expect(r.principals[0]!.unresolvedPolicyArns).toEqual(['arn:aws:iam::aws:policy/Gone']);
  });

  it('reports a malformed policy document with its JSON path and keeps the rest', () => {
    const r = normalizeAuthorizationDetails({
      RoleDetailList: [
        { RoleName: 'ok', Arn: 'arn:aws:iam::111122223333:role/ok', AssumeRolePolicyDocument: trust },
        { RoleName: 'bad', Arn: 'arn:aws:iam::111122223333:role/bad', AssumeRolePolicyDocument: trust, RolePolicyList: [{ PolicyName: 'p', PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Permit', Action: '*', Resource: '*' }] } }] },
      ],
    }, 'acct.json');
    expect(r.principals).toHaveLength(2);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]!.path).toBe('$.RoleDetailList[1].RolePolicyList[0].PolicyDocument.Statement[0].Effect');
    expect(r.errors[0]!.message).toContain('acct.json');
    expect(r.principals[1]!.unresolvedPolicyArns).toEqual(['inline:p']);
  });

  it.each([
    ['[]', '$', 'an array'],
    ['{"Foo": 1}', '$', 'keys Foo'],
    ['{"RoleDetailList": [{"RoleName": 5}]}', '$.RoleDetailList[0].RoleName', undefined],
  ])('rejects %s with an InputError at %s', (content, path, got) => {
    const f = file(`bad-${Math.random()}.json`, content);
    try {
      readAuthorizationDetailsFile(f);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      expect((e as InputError).file).toBe(f);
      expect((e as InputError).path).toBe(path);
      if (got) expect((e as InputError).message).toContain(got);
    }
  });

  it('names the line and column of invalid JSON', () => {
    const f = file('broken.json', '{\n  "RoleDetailList": [\n    {,}\n  ]\n}');
    expect(() => readAuthorizationDetailsFile(f)).toThrow(/line 3, column \d+: expected valid JSON/);
  });
});

describe('which account an export belongs to', () => {
  const readOnly = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:Get*', Resource: '*' }] };
  const awsManaged = (name: string) => ({ PolicyName: name, Arn: `arn:aws:iam::aws:policy/${name}`, DefaultVersionId: 'v1', PolicyVersionList: [{ VersionId: 'v1', IsDefaultVersion: true, Document: readOnly }] });

  it('comes from a group ARN when there are no users or roles', () => {
    const r = normalizeAuthorizationDetails({ GroupDetailList: [{ GroupName: 'devs', Arn: 'arn:aws:iam::210987654321:group/devs', AttachedManagedPolicies: [{ PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }] }], Policies: [awsManaged('ReadOnlyAccess')] }, 'groups.json');
    expect(r.principals).toEqual([]);
    expect(r.accountId).toBe('210987654321');
    expect(r.accounts).toEqual([{ id: '210987654321', count: 1, example: { arn: 'arn:aws:iam::210987654321:group/devs', path: '$.GroupDetailList[0].Arn' } }]);
    expect(r.errors).toEqual([]);
  });

  it('comes from a customer-managed policy ARN, even one whose document is malformed, never from an AWS-managed one', () => {
    const r = normalizeAuthorizationDetails({ Policies: [
      awsManaged('ReadOnlyAccess'),
      { PolicyName: 'broken', Arn: 'arn:aws:iam::210987654321:policy/team/broken', DefaultVersionId: 'v1', PolicyVersionList: [{ VersionId: 'v1', IsDefaultVersion: true, Document: { Statement: 'nope' } }] },
    ] }, 'policies.json');
    expect(r.managedPolicies.map((p) => p.name)).toEqual(['ReadOnlyAccess']);
    expect(r.accountId).toBe('210987654321');
    expect(r.accounts[0]!.example.path).toBe('$.Policies[1].Arn');
  });

  it('is absent when only AWS-managed policies are present (the pipeline then says so)', () => {
    const r = normalizeAuthorizationDetails({ Policies: [awsManaged('ReadOnlyAccess'), awsManaged('AdministratorAccess')] }, 'aws-only.json');
    expect(r.accountId).toBeUndefined();
    expect(r.accounts).toEqual([]);
  });

  it('counts role, instance-profile, attached customer-managed and boundary ARNs (4), not AWS-managed ones or accounts inside policy documents', () => {
    const crossAccountTrust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::444455556666:root' }, Action: 'sts:AssumeRole' }] };
    const r = normalizeAuthorizationDetails({
      RoleDetailList: [{
        RoleName: 'app', Arn: 'arn:aws:iam::111122223333:role/app', AssumeRolePolicyDocument: crossAccountTrust,
        InstanceProfileList: [{ InstanceProfileName: 'app', Arn: 'arn:aws:iam::111122223333:instance-profile/app' }],
        AttachedManagedPolicies: [{ PolicyArn: 'arn:aws:iam::111122223333:policy/app' }, { PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }],
        PermissionsBoundary: { PermissionsBoundaryArn: 'arn:aws:iam::111122223333:policy/boundary' },
        RolePolicyList: [{ PolicyName: 'to-other', PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::other-444455556666/*' }] } }],
      }],
    }, 'role.json');
    expect(r.accounts).toEqual([{ id: '111122223333', count: 4, example: { arn: 'arn:aws:iam::111122223333:role/app', path: '$.RoleDetailList[0].Arn' } }]);
    expect(r.errors).toEqual([]);
  });

  it('an export mixing accounts is bad input naming the odd one out, scanned as the most-named account', () => {
    const r = normalizeAuthorizationDetails({
      RoleDetailList: [
        { RoleName: 'a', Arn: 'arn:aws:iam::111122223333:role/a', AssumeRolePolicyDocument: trust },
        { RoleName: 'b', Arn: 'arn:aws:iam::111122223333:role/b', AssumeRolePolicyDocument: trust },
      ],
      GroupDetailList: [{ GroupName: 'g', Arn: 'arn:aws:iam::999988887777:group/g' }],
    }, 'merged.json');
    expect(r.accountId).toBe('111122223333');
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ code: 'invalid-input', location: 'merged.json', path: '$.GroupDetailList[0].Arn' });
    expect(r.errors[0]!.message).toBe('merged.json at $.GroupDetailList[0].Arn: expected ARNs of one account, got 111122223333 (2), 999988887777 (1), e.g. arn:aws:iam::999988887777:group/g; scanned as 111122223333');
  });
});

describe.skipIf(!sharedFixturesPresent)(`real exports${sharedFixturesPresent ? '' : ` — skipped: ${SKIP_REASON}`}`, () => {
  it('reads the cloudsplaining export: users with groups, roles with instance profiles', () => {
    const r = readAuthorizationDetailsFile(sharedFixture('authorization-details/cloudsplaining-example-authz-details.json'));
    expect(r.errors).toEqual([]);
    expect(r.accountId).toBe('012345678901');
    expect(r.counts).toMatchObject({ users: 3, groups: 2, roles: 3 });
    const ec2 = r.principals.find((p) => p.name === 'OverprivilegedEC2');
    expect(ec2?.kind === 'role' && ec2.instanceProfiles.length).toBeGreaterThan(0);
    const biden = r.principals.find((p) => p.name === 'biden')!;
    expect(biden.policies.some((p) => p.origin.kind === 'group-inline')).toBe(true);
  });

  it('reads the cloudmapper export including a NotAction deny with policy variables', () => {
    const r = readAuthorizationDetailsFile(sharedFixture('authorization-details/cloudmapper-demo-authorization-details.json'));
    expect(r.errors).toEqual([]);
    const mfa = r.managedPolicies.find((p) => p.name === 'BAD_MFA_POLICY')!;
    expect(mfa.document.statements.some((s) => s.effect === 'Deny' && s.notAction)).toBe(true);
  });
});
