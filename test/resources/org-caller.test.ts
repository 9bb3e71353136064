// The caller's organization on the resource side (session 33): one source, the account's values as
// every stage takes them (src/iam/organization.ts: an --org scan's discovery, else config
// `resources.organizationId`), carried by the graph's caller context. There was a second one
// (`ResourceCaller.orgId`, from config only), which overrode what an --org scan had read.
import { describe, expect, it } from 'vitest';
import { analyzeSnapshots, defaultConfig } from '../../src/pipeline/scan.js';
import { resourceView } from '../../src/resources/blast.js';
import type { OrganizationFacts } from '../../src/model/organization.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import { snapshot } from '../graph/accounts.js';
import { bucket, doc, grant, DEV } from './world.js';

const NOW = new Date('2026-12-01T12:00:00Z');
const ORG = 'o-aaaaaaaaaa';
const OTHER_ORG = 'o-bbbbbbbbbb';
const AGENT = `arn:aws:iam::${DEV}:user/agent`;
const member = (org: string): OrganizationFacts => ({ id: org, members: { [DEV]: {} } });

// A bucket of the account whose policy lets anyone of the organization read it; the user has no
// identity policy of its own (the bucket policy alone grants it, same account).
const data = bucket('org-data', DEV, doc(grant('*', 's3:GetObject', 'arn:aws:s3:::org-data/*', { StringEquals: { 'aws:PrincipalOrgID': ORG } })));

/** The condition the agent's read of the bucket is under (none, approval, unknown); 'no read' when the view lists none. */
function readOf(how: { organizationId?: string; organization?: OrganizationFacts }): string {
  const base = snapshot({ users: [{ name: 'agent' }] });
  const s: Snapshot = { ...base, inventory: { resources: [data], sources: [], errors: [] }, ...(how.organization ? { organization: how.organization } : {}) };
  const config = defaultConfig();
  const cfg = how.organizationId ? { ...config, resources: { ...config.resources, organizationId: how.organizationId } } : config;
  const [a] = analyzeSnapshots([s], cfg, { scanId: 't', startedAt: NOW.toISOString(), now: NOW, fixes: false });
  const entry = resourceView(s, a!.graph, cfg)!.blast(AGENT, ['read']).entries.find((e) => e.resource.arn === data.arn);
  return entry ? entry.condition : 'no read';
}

describe('aws:PrincipalOrgID of a resource policy, for a scanned principal', () => {
  it('config: the organization named → read with no condition; another → no read; not known → under an unknown condition', () => {
    expect(readOf({ organizationId: ORG })).toBe('none');
    expect(readOf({ organizationId: OTHER_ORG })).toBe('no read');
    expect(readOf({})).toBe('unknown');
  });

  it('an --org scan\'s facts decide it, and come before the configured organization (as in effective and the graph)', () => {
    expect(readOf({ organization: member(ORG) })).toBe('none');
    expect(readOf({ organization: member(OTHER_ORG) })).toBe('no read');
    expect(readOf({ organization: member(OTHER_ORG), organizationId: ORG })).toBe('no read');
    expect(readOf({ organization: member(ORG), organizationId: OTHER_ORG })).toBe('none');
  });
});
