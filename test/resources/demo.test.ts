// Issue 15's "done when" on the demo (demo/inventory.json beside the demo account): kiro-agent's
// findings name the stacks and tables it can delete and the path; a bucket readable from another
// account through its policy is found. Negative controls: the same scan without the inventory
// keeps today's wording, and buckets without a policy are not "exposed".
import { describe, expect, it } from 'vitest';
import { analyzeSnapshots, collectSnapshot } from '../../src/pipeline/scan.js';
import type { Finding } from '../../src/model/finding.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import { resourceView } from '../../src/resources/blast.js';

const NOW = new Date('2026-12-03T00:00:00Z');
const KIRO = 'arn:aws:iam::111122223333:role/kiro-agent';
const collected = await collectSnapshot({ demo: true });

function analyse(snapshot: Snapshot) {
  return analyzeSnapshots([snapshot], collected.config, { scanId: 't', startedAt: NOW.toISOString(), now: NOW, fixes: false })[0]!;
}
const withInventory = analyse(collected.snapshot);
const { inventory: _dropped, ...bare } = collected.snapshot;
const without = analyse(bare as Snapshot);
const find = (fs: readonly Finding[], check: string, principal: string) => fs.find((f) => f.checkId === check && f.principalArn === principal);

describe('the demo with its inventory', () => {
  it('reads the inventory', () => expect(collected.snapshot.inventory?.resources.length).toBeGreaterThan(5));

  it('kiro-agent\'s destructive finding names the production stacks and table it can delete, and the granting statement', () => {
    const f = find(withInventory.report.findings, 'destructive-actions', KIRO)!;
    expect(f.title).toMatch(/^kiro-agent can delete 4 production stacks, .*1 production table/);
    expect(f.description).toMatch(/production stacks: api-prod, .*web-prod/);
    expect(f.description).toContain('1 production table: orders-prod');
    expect(f.description).toMatch(/through its policy platform-deploy \(Deploy\)/);
    const names = f.resources!.map((r) => r.name);
    expect(names).toEqual(expect.arrayContaining(['api-prod', 'web-prod', 'orders-prod']));
    // The staging stack is named in the resources but not counted as production.
    expect(f.resources!.find((r) => r.name === 'api-staging')!.environment).toBe('non-production');
    expect(f.resources!.find((r) => r.name === 'api-prod')!.actions).toContain('cloudformation:DeleteStack');
  });

  it('what kiro-agent can delete only as prod-stack-deployer is named with the path', () => {
    const f = find(withInventory.report.findings, 'agent-reaches-destructive', KIRO)!;
    expect(f.title).toMatch(/\(via prod-stack-deployer\)$/);
    expect(f.description).toContain('path: kiro-agent → prod-stack-deployer');
    expect(f.resources!.every((r) => r.through === 'arn:aws:iam::111122223333:role/prod-stack-deployer')).toBe(true);
  });

  it('kiro-agent can read secret prod/db', () => {
    const f = find(withInventory.report.findings, 'data-exfiltration', KIRO)!;
    expect(f.description).toContain('1 production secret: prod/db');
  });

  it('the bucket readable from account 444455556666 through its bucket policy is found (negative: the bucket without a policy is not)', () => {
    const exposed = withInventory.report.findings.filter((f) => f.checkId === 'resource-exposed');
    const f = exposed.find((x) => x.principalArn === 'arn:aws:s3:::acme-prod-data')!;
    expect(f.title).toBe('bucket acme-prod-data is readable by account 444455556666 through its bucket policy');
    expect(f.severity).toBe('high');
    expect(f.resources![0]!.grantee).toBe('444455556666');
    expect(exposed.some((x) => x.principalArn === 'arn:aws:s3:::cursor-scratch')).toBe(false);
  });

  it('who-can from the resource side: who can delete api-prod, agents first, with the path for those that need one', () => {
    const view = resourceView(collected.snapshot, withInventory.graph, collected.config)!;
    const stack = collected.snapshot.inventory!.resources.find((r) => r.name === 'api-prod')!;
    const who = view.whoCan(stack.arn, 'cloudformation:DeleteStack');
    expect(who[0]!.isAgent).toBe(true);
    expect(who.map((w) => w.name)).toEqual(expect.arrayContaining(['kiro-agent', 'github-deploy']));
    // Negative control: a principal with no CloudFormation grant and no path to one is not listed.
    expect(who.map((w) => w.name)).not.toContain('mcp-cost-explorer-readonly');
  });
});

describe('negative control: the same demo without an inventory', () => {
  it('keeps the action-level wording and names nothing', () => {
    const f = find(without.report.findings, 'destructive-actions', KIRO)!;
    expect(f.title).toMatch(/^kiro-agent can run \d+ destructive actions without approval$/);
    expect(without.report.findings.some((x) => x.resources !== undefined)).toBe(false);
    expect(without.report.findings.some((x) => x.checkId === 'resource-exposed')).toBe(false);
  });
});

describe('summaries agree with the full listing', () => {
  it('for every demo principal, kind and side, the counted resources are exactly the listed ones', async () => {
    const { unapproved } = await import('../../src/checks/resource-names.js');
    const view = resourceView(collected.snapshot, withInventory.graph, collected.config)!;
    let nonEmpty = 0;
    for (const p of collected.snapshot.principals) {
      for (const kinds of [['delete'], ['read'], ['delete', 'destructive', 'read']] as const) {
        for (const which of ['own', 'through', 'any'] as const) {
          const listed = view.blast(p.arn, kinds).entries.filter((e) => unapproved(e, kinds, which).length > 0 && (which !== 'through' || e.grants.some((g) => g.through && kinds.includes(g.kind as never) && g.condition !== 'approval' && !e.grants.some((o) => !o.through && o.action === g.action && o.condition !== 'approval'))));
          const sum = view.summary(p.arn, { kinds, which, limit: 1000 });
          expect(sum.count, `${p.name} ${kinds.join()} ${which}`).toBe(listed.length);
          expect(sum.production).toBe(listed.filter((e) => e.environment === 'production').length);
          expect(new Set(sum.sample.map((e) => e.resource.arn))).toEqual(new Set(listed.map((e) => e.resource.arn)));
          if (sum.count > 0) nonEmpty++;
        }
      }
    }
    expect(nonEmpty).toBeGreaterThan(10);
  });
});
