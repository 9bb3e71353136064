// resource-exposed and the account's organization (session 33). A resource policy open to "*" under
// an aws:PrincipalOrgID / OrgPaths test lets in the organization it names. With the account's
// organization known (config `resources.organizationId`, or an --org scan), a test naming another
// organization exposes the resource to that organization's principals (outsiders); one naming the
// account's own does not. An account an --org scan lists is a member: its principals carry the
// organization's keys. Not known: as before (a stranger is outside every organization named).
import { describe, expect, it } from 'vitest';
import { analyzeSnapshots, defaultConfig } from '../../src/pipeline/scan.js';
import type { OrganizationFacts } from '../../src/model/organization.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import { snapshot } from '../graph/accounts.js';
import { bucket, doc, grant, DEV } from '../resources/world.js';

const NOW = new Date('2026-12-01T12:00:00Z');
const ORG = 'o-aaaaaaaaaa';
const OTHER_ORG = 'o-bbbbbbbbbb';
const PARTNER = '444455556666';

function exposed(policy: ReturnType<typeof doc>, how: { organizationId?: string; organization?: OrganizationFacts; noOrganization?: true } = {}, text = false): string[] {
  const s: Snapshot = { ...snapshot({ users: [{ name: 'agent' }] }), inventory: { resources: [bucket('shared-data', DEV, policy)], sources: [], errors: [] }, ...(how.organization ? { organization: how.organization } : {}), ...(how.noOrganization ? { noOrganization: true as const } : {}) };
  const config = defaultConfig();
  const cfg = how.organizationId ? { ...config, resources: { ...config.resources, organizationId: how.organizationId } } : config;
  const [a] = analyzeSnapshots([s], cfg, { scanId: 't', startedAt: NOW.toISOString(), now: NOW, fixes: false });
  return a!.report.findings.filter((f) => f.checkId === 'resource-exposed').map((f) => (text ? f.description : `${f.subject} ${f.severity}`));
}
const toOrg = (org: string) => doc(grant('*', 's3:GetObject', 'arn:aws:s3:::shared-data/*', { StringEquals: { 'aws:PrincipalOrgID': org } }));

describe('"*" under aws:PrincipalOrgID', () => {
  it('another organization than the account\'s: exposed to it; the account\'s own: not; unknown: not (as before)', () => {
    expect(exposed(toOrg(OTHER_ORG), { organizationId: ORG })).toEqual([`exposed:${OTHER_ORG} medium`]);
    expect(exposed(toOrg(ORG), { organizationId: ORG })).toEqual([]);
    expect(exposed(toOrg(OTHER_ORG))).toEqual([]);
  });

  it('an account in no organization (AWS said so): every organization a policy names is another', () => {
    expect(exposed(toOrg(OTHER_ORG), { noOrganization: true })).toEqual([`exposed:${OTHER_ORG} medium`]);
    expect(exposed(toOrg(ORG), { noOrganization: true })).toEqual([`exposed:${ORG} medium`]);
    expect(exposed(toOrg(ORG), { noOrganization: true }, true)[0]).toContain('(this account is in no organization)');
    // Config names the account's organization: config wins, its own organization is not outside.
    expect(exposed(toOrg(ORG), { noOrganization: true, organizationId: ORG })).toEqual([]);
  });

  it('an OU path under another organization: exposed under a condition leash cannot settle (the stranger\'s path is unknown)', () => {
    const byPath = doc(grant('*', 's3:GetObject', 'arn:aws:s3:::shared-data/*', { 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': `${OTHER_ORG}/r-ab12/*` } }));
    expect(exposed(byPath, { organizationId: ORG })).toEqual([`exposed:${OTHER_ORG} medium`]);
    expect(exposed(byPath)).toEqual([]);
  });

  it('the text names the organization and the account\'s', () => {
    const s: Snapshot = { ...snapshot({ users: [{ name: 'agent' }] }), inventory: { resources: [bucket('shared-data', DEV, toOrg(OTHER_ORG))], sources: [], errors: [] } };
    const config = defaultConfig();
    const [a] = analyzeSnapshots([s], { ...config, resources: { ...config.resources, organizationId: ORG } }, { scanId: 't', startedAt: NOW.toISOString(), now: NOW, fixes: false });
    const f = a!.report.findings.find((x) => x.checkId === 'resource-exposed')!;
    expect(f.title).toBe(`bucket shared-data is readable by principals of organization ${OTHER_ORG} through its bucket policy`);
    expect(f.description).toContain(`(not this account's organization, ${ORG})`);
  });
});

describe('a named account under aws:PrincipalOrgID of the account\'s organization', () => {
  const partner = doc(grant({ AWS: `arn:aws:iam::${PARTNER}:root` }, 's3:GetObject', 'arn:aws:s3:::shared-data/*', { StringEquals: { 'aws:PrincipalOrgID': ORG } }));
  it('listed as a member by an --org scan: its principals pass the test (exposed to it); not listed: as before', () => {
    expect(exposed(partner, { organization: { id: ORG, members: { [DEV]: {}, [PARTNER]: {} } } })).toEqual([`exposed:${PARTNER} medium`]);
    expect(exposed(partner, { organization: { id: ORG, members: { [DEV]: {} } } })).toEqual([]);
    expect(exposed(partner, { organizationId: ORG })).toEqual([]);
  });
});
