// trust-policy-too-broad and the account's organization (session 33). A test of aws:PrincipalOrgID
// or aws:PrincipalOrgPaths restricts a trust to the organization it names
// (reference_policies_condition-keys.html: the key holds the caller's organization id; the path
// starts with it, `o-…/r-…/ou-…/`). When the scan knows the account's organization (config
// `resources.organizationId`, or an --org scan), a trust to another organization lets that
// organization's principals in: outsiders, as an account trusted without an ExternalId. When it does
// not know, the test counts as restricting, as before.
import { describe, expect, it } from 'vitest';
import { analyzePrincipals } from '../../src/checks/analyze.js';
import { runChecks } from '../../src/checks/run.js';
import { defaultConfig } from '../../src/config/config.js';
import { catalog } from '../../src/iam/catalog.js';
import { ActionExpander } from '../../src/iam/pattern.js';
import type { OrganizationFacts } from '../../src/model/organization.js';
import { ACCOUNT, doc, snapshotOf } from '../support/snapshot.js';

const expander = new ActionExpander(catalog());
const ORG = 'o-aaaaaaaaaa';
const OTHER_ORG = 'o-bbbbbbbbbb';
const THIRD_ORG = 'o-cccccccccc';
const OTHER_ACCOUNT = '444455556666';

/** The role's trust-policy-too-broad findings, with the organization known from config or from an --org scan's facts. */
function trustFindings(statements: unknown[], how: { organizationId?: string; organization?: OrganizationFacts; name?: string } = {}) {
  const snapshot = snapshotOf([{ name: how.name ?? 'deploy', trust: doc(...statements) }], {}, how.organization ? { organization: how.organization } : {});
  const base = defaultConfig();
  const config = how.organizationId ? { ...base, resources: { ...base.resources, organizationId: how.organizationId } } : base;
  const principals = analyzePrincipals(snapshot, config, expander);
  return runChecks({ snapshot, principals, config, expander, now: new Date('2026-11-24T12:00:00Z') }).findings.filter((f) => f.checkId === 'trust-policy-too-broad');
}
const subjects = (fs: ReturnType<typeof trustFindings>) => fs.map((f) => f.subject);

const anyone = (Condition: unknown) => ({ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole', Condition });
const orgId = (...ids: string[]) => ({ StringEquals: { 'aws:PrincipalOrgID': ids.length === 1 ? ids[0] : ids } });

describe('a trust to "*" restricted by aws:PrincipalOrgID', () => {
  it('to another organization than the account\'s: a finding naming it (high; critical for an agent role)', () => {
    const fs = trustFindings([anyone(orgId(OTHER_ORG))], { organizationId: ORG });
    expect(subjects(fs)).toEqual([`other-organization:${OTHER_ORG}#0`]);
    expect(fs[0]!.severity).toBe('high');
    expect(fs[0]!.title).toBe('deploy: trust policy trusts principals of another organization');
    expect(fs[0]!.description).toContain(`(${OTHER_ORG}; this account's is ${ORG})`);
    expect(trustFindings([anyone(orgId(OTHER_ORG))], { organizationId: ORG, name: 'kiro-agent' })[0]!.severity).toBe('critical');
  });

  it('negative controls: to its own organization; or the organization not known (as before)', () => {
    expect(trustFindings([anyone(orgId(ORG))], { organizationId: ORG })).toEqual([]);
    expect(trustFindings([anyone(orgId(OTHER_ORG))])).toEqual([]);
  });

  it('own and another organization listed: the other one is named', () => {
    expect(subjects(trustFindings([anyone(orgId(ORG, OTHER_ORG))], { organizationId: ORG }))).toEqual([`other-organization:${OTHER_ORG}#0`]);
    // Two tests that must both hold admit only what both name: ours.
    expect(trustFindings([anyone({ StringEquals: { 'aws:PrincipalOrgID': [ORG, OTHER_ORG] }, StringLike: { 'aws:PrincipalOrgID': ORG } })], { organizationId: ORG })).toEqual([]);
  });

  it('an --org scan\'s facts decide which organization is the account\'s (before config)', () => {
    expect(subjects(trustFindings([anyone(orgId(ORG))], { organization: { id: OTHER_ORG, members: { [ACCOUNT]: {} } } }))).toEqual([`other-organization:${ORG}#0`]);
    expect(trustFindings([anyone(orgId(ORG))], { organization: { id: ORG, members: { [ACCOUNT]: {} } }, organizationId: OTHER_ORG })).toEqual([]);
    // Control: facts that do not list the account leave it unknown: as before.
    expect(trustFindings([anyone(orgId(ORG))], { organization: { id: OTHER_ORG, members: { [OTHER_ACCOUNT]: {} } } })).toEqual([]);
  });

  it('a value leash cannot read as an organization (a policy variable) restricts as before', () => {
    expect(trustFindings([anyone({ StringEquals: { 'aws:PrincipalOrgID': '${aws:ResourceOrgID}' } })], { organizationId: ORG })).toEqual([]);
  });
});

describe('aws:PrincipalOrgPaths', () => {
  const paths = (...p: string[]) => anyone({ 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': p } });
  it('a path under another organization: a finding; under the account\'s own (any OU): none; unknown organization: none', () => {
    expect(subjects(trustFindings([paths(`${OTHER_ORG}/r-ab12/ou-ab12-11111111/*`)], { organizationId: ORG }))).toEqual([`other-organization:${OTHER_ORG}#0`]);
    expect(trustFindings([paths(`${ORG}/r-ab12/ou-ab12-11111111/*`)], { organizationId: ORG })).toEqual([]);
    expect(trustFindings([paths(`${OTHER_ORG}/r-ab12/*`)])).toEqual([]);
    // A wildcard in the organization part names no one organization: not judged.
    expect(trustFindings([paths('o-*/r-ab12/*')], { organizationId: ORG })).toEqual([]);
  });
});

describe('other principals', () => {
  const account = (aws: string, Condition: unknown) => ({ Effect: 'Allow', Principal: { AWS: aws }, Action: 'sts:AssumeRole', Condition });
  it('another account restricted to another organization: a finding; with an ExternalId too: none', () => {
    expect(subjects(trustFindings([account(`arn:aws:iam::${OTHER_ACCOUNT}:root`, orgId(THIRD_ORG))], { organizationId: ORG }))).toEqual([`other-organization:${THIRD_ORG}#0`]);
    expect(trustFindings([account(`arn:aws:iam::${OTHER_ACCOUNT}:root`, { ...orgId(THIRD_ORG), StringLike: { 'sts:ExternalId': 'vendor-7' } })], { organizationId: ORG })).toEqual([]);
  });

  it('only the account itself trusted: no outsider can pass, whatever organization the test names', () => {
    expect(trustFindings([account(`arn:aws:iam::${ACCOUNT}:root`, orgId(OTHER_ORG))], { organizationId: ORG })).toEqual([]);
  });

  it('a Deny of everyone outside another organization narrows "*" to it: a finding; outside ours: none', () => {
    const open = { Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' };
    const outside = (org: string) => ({ Effect: 'Deny', Principal: '*', Action: 'sts:AssumeRole', Condition: { StringNotEquals: { 'aws:PrincipalOrgID': org } } });
    expect(subjects(trustFindings([open, outside(OTHER_ORG)], { organizationId: ORG }))).toEqual([`other-organization:${OTHER_ORG}#0`]);
    expect(trustFindings([open, outside(ORG)], { organizationId: ORG })).toEqual([]);
  });
});
