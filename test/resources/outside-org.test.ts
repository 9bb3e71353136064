// `leash who-can`'s outside grantees and the organization (session 34). Anyone, and a named
// account that an --org scan does not list, were strangers outside every organization, so a grant
// under aws:PrincipalOrgID never showed for them. Now their organization is unknown (the grant is
// conditional) unless discovery lists the account, and each other organization the policy names is
// evaluated as "anyone in it", as resource-exposed does (session 33). AWS
// (reference_policies_condition-keys.html): aws:PrincipalOrgID "is included in the request context
// only if the principal is a member of an organization".
import { describe, expect, it } from 'vitest';
import { outsideGrantees } from '../../src/resources/exposure.js';
import { bucket, DEV, doc, grant } from './world.js';

const ORG = 'o-aaaaaaaaaa';
const OTHER_ORG = 'o-bbbbbbbbbb';
const PARTNER = '444455556666';
const OBJECTS = 'arn:aws:s3:::shared-data/*';
const inOrg = (org: string) => ({ StringEquals: { 'aws:PrincipalOrgID': org } });
const rows = (policy: ReturnType<typeof doc>, org: Parameters<typeof outsideGrantees>[3] = {}) =>
  outsideGrantees(bucket('shared-data', DEV, policy), new Set([DEV]), undefined, org)
    .map((e) => `${e.organization ? `org ${e.organization}` : e.grantee} ${[...e.read, ...e.delete, ...e.other].join(',')}${e.conditional ? ' conditional' : ''}`);

describe('"*" under aws:PrincipalOrgID of another organization', () => {
  const policy = doc(grant('*', 's3:GetObject', OBJECTS, inOrg(OTHER_ORG)));
  it('anyone in that organization is allowed; anyone else, organization unknown, only under the condition', () => {
    expect(rows(policy)).toEqual(['* s3:GetObject conditional', `org ${OTHER_ORG} s3:GetObject`]);
    expect(rows(policy, { own: ORG })).toEqual(['* s3:GetObject conditional', `org ${OTHER_ORG} s3:GetObject`]);
  });
  it("the account's own organization is not listed as another (its members are anyone's conditional row)", () => {
    expect(rows(policy, { own: OTHER_ORG })).toEqual(['* s3:GetObject conditional']);
  });
  it('control: no org condition, anyone unconditionally and no organization row (as before)', () => {
    expect(rows(doc(grant('*', 's3:GetObject', OBJECTS)))).toEqual(['* s3:GetObject']);
  });
  it('control: an organization named only by a Deny of a named account is not "anyone in it" (the policy is not open to anyone)', () => {
    expect(rows(doc(grant({ AWS: PARTNER }, 's3:GetObject', OBJECTS), grant('*', 's3:GetObject', OBJECTS, { StringNotEquals: { 'aws:PrincipalOrgID': OTHER_ORG } }, 'Deny'))))
      .toEqual([`${PARTNER} s3:GetObject conditional`]);
  });
});

describe('a named account under aws:PrincipalOrgID', () => {
  const policy = doc(grant({ AWS: `arn:aws:iam::${PARTNER}:root` }, 's3:GetObject', OBJECTS, inOrg(ORG)));
  it('not listed by discovery: its organization is unknown, so the grant is conditional (was: not listed at all)', () => {
    expect(rows(policy)).toEqual([`${PARTNER} s3:GetObject conditional`]);
    expect(rows(policy, { own: ORG, discovered: { id: ORG, members: { [DEV]: {} } } })).toEqual([`${PARTNER} s3:GetObject conditional`]);
  });
  it('listed as a member of the organization the test names: allowed; of another: not listed', () => {
    expect(rows(policy, { discovered: { id: ORG, members: { [DEV]: {}, [PARTNER]: {} } } })).toEqual([`${PARTNER} s3:GetObject`]);
    expect(rows(policy, { discovered: { id: OTHER_ORG, members: { [PARTNER]: {} } } })).toEqual([]);
  });
  it('control: without an org test the account is allowed whatever is known of it', () => {
    expect(rows(doc(grant({ AWS: PARTNER }, 's3:GetObject', OBJECTS)))).toEqual([`${PARTNER} s3:GetObject`]);
  });
});
