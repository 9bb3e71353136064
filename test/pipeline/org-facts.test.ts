// An --org scan's discovery as the graph takes it (session 32): every listed account a member of
// the organization; the OU path, read only with OU filters, from the root down, so that
// aws:PrincipalOrgPaths reads `o-…/r-…/ou-…/` as AWS writes it (reference_policies_condition-keys.html).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DescribeOrganizationCommand, ListAccountsCommand, ListParentsCommand, type OrganizationsClient } from '@aws-sdk/client-organizations';
import { discoverOrganization } from '../../src/collect/aws/organization.js';
import { organizationFacts } from '../../src/pipeline/org-scan.js';
import { organizationValues } from '../../src/iam/organization.js';
import { runScan } from '../../src/pipeline/scan.js';
import { exportOf, trust } from '../graph/accounts.js';

const ORG = 'o-aaaaaaaaaa';
const A = '111111111111', B = '222222222222', C = '333333333333';
const parents: Record<string, string> = { [A]: 'ou-ab12-22222222', 'ou-ab12-22222222': 'ou-ab12-11111111', 'ou-ab12-11111111': 'r-ab12', [B]: 'r-ab12', [C]: 'ou-ab12-33333333', 'ou-ab12-33333333': 'r-ab12' };

/** An Organizations client that answers from the tree above (no network). */
const fake = {
  send: async (cmd: unknown) => {
    if (cmd instanceof DescribeOrganizationCommand) return { Organization: { Id: ORG, MasterAccountId: B } };
    if (cmd instanceof ListAccountsCommand) return { Accounts: [A, B, C].map((Id) => ({ Id, Name: Id, Status: 'ACTIVE' })) };
    if (cmd instanceof ListParentsCommand) return { Parents: [{ Id: parents[cmd.input.ChildId!] }] };
    throw new Error('unexpected call');
  },
} as unknown as OrganizationsClient;

describe('organization facts from discovery', () => {
  it('with OU filters: each scanned account\'s aws:PrincipalOrgPaths is its path from the root; an excluded account is still a member', async () => {
    const d = await discoverOrganization(fake, { excludeOus: ['ou-ab12-33333333'] });
    const facts = organizationFacts(d)!;
    expect(organizationValues(A, facts)).toEqual({ 'aws:principalorgid': [ORG], 'aws:principalorgpaths': [`${ORG}/r-ab12/ou-ab12-11111111/ou-ab12-22222222/`] });
    expect(organizationValues(B, facts)).toEqual({ 'aws:principalorgid': [ORG], 'aws:principalorgpaths': [`${ORG}/r-ab12/`] });
    // Skipped (under an excluded OU): a member, its path not kept.
    expect(organizationValues(C, facts)).toEqual({ 'aws:principalorgid': [ORG] });
    // Control: an account the organization did not list is not known to be a member.
    expect(organizationValues('444444444444', facts)).toBeUndefined();
  });

  it('without OU filters: membership only (the tree was not read); no facts when the organization id is not one', async () => {
    const d = await discoverOrganization(fake);
    expect(organizationValues(A, organizationFacts(d))).toEqual({ 'aws:principalorgid': [ORG] });
    expect(organizationFacts({ ...d, organizationId: 'unknown' })).toBeUndefined();
  });

  it('an organization or management account id not of its documented shape is dropped at discovery (it names directories and the scan id)', async () => {
    const answering = (Organization: Record<string, string>) => ({ send: async (cmd: unknown) => (cmd instanceof DescribeOrganizationCommand ? { Organization } : fake.send(cmd as never)) }) as unknown as OrganizationsClient;
    for (const [Id, MasterAccountId] of [['o-aaaaaaaaaa/../../x', B], ['o-aaaaaaaaaa\u001b]52;c;x\u0007', B], [ORG, `${B}\n`], [ORG, '../etc']]) {
      const d = await discoverOrganization(answering({ Id: Id!, MasterAccountId: MasterAccountId! }));
      expect([d.organizationId, d.managementAccountId]).toContain('unknown');
      expect(JSON.stringify(d)).not.toMatch(/\.\.|\u001b|\\n/);
    }
    // Control: well-formed ids are kept.
    const ok = await discoverOrganization(answering({ Id: ORG, MasterAccountId: B }));
    expect([ok.organizationId, ok.managementAccountId]).toEqual([ORG, B]);
  });
});

// An --org scan's account scan as org-scan.ts runs it (scanAndWrite with the discovery's facts):
// the account's organization is then known to every stage, trust-policy-too-broad included
// (session 33). Account A is the graph test accounts' DEV (111111111111).
describe('an --org style scan: trust-policy-too-broad and the discovered organization', () => {
  const OTHER_ORG = 'o-bbbbbbbbbb';
  async function trustFindings(orgInTrust: string, discovered = true): Promise<string[]> {
    const d = await discoverOrganization(fake);
    const dir = mkdtempSync(join(tmpdir(), 'leash-org-facts-'));
    try {
      const file = join(dir, `${A}.json`);
      writeFileSync(file, JSON.stringify(exportOf({ roles: [{ name: 'partner-access', trust: trust({ AWS: '*' }, { StringEquals: { 'aws:PrincipalOrgID': orgInTrust } }) }] })));
      const report = await runScan({ input: file, ...(discovered ? { organization: organizationFacts(d)! } : {}), fixes: false, now: new Date('2026-12-01T00:00:00Z') });
      return report.findings.filter((f) => f.checkId === 'trust-policy-too-broad').map((f) => `${f.subject} ${f.severity}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('a role trusting another organization gets the finding; the same role trusting its own organization does not', async () => {
    expect(await trustFindings(OTHER_ORG)).toEqual([`other-organization:${OTHER_ORG}#0 high`]);
    expect(await trustFindings(ORG)).toEqual([]);
    // Control: the same export scanned without the organization known: as before, no finding.
    expect(await trustFindings(OTHER_ORG, false)).toEqual([]);
  });
});
