import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { normalizeAuthorizationDetails, readAuthorizationDetailsFile } from '../../../src/collect/file/authorization-details.js';
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
