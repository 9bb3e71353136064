// The principal screen's "Blast radius" tab, on the real demo scan with its inventory: kiro-agent's
// production resources by type, each with its actions and, for what it reaches as the deploy role,
// the hop. Negative controls: a read-only agent reaches nothing; a report without an inventory says how to get one.
import { beforeAll, describe, expect, it } from 'vitest';
import { PrincipalDetail } from '../../../src/tui/screens/PrincipalDetail.js';
import { analyzeSnapshots, collectSnapshot } from '../../../src/pipeline/scan.js';
import type { Report } from '../../../src/model/report.js';
import type { Snapshot } from '../../../src/model/snapshot.js';
import { renderTui } from '../../support/render-tui.js';

let report: Report;
let bare: Report;
beforeAll(async () => {
  const now = new Date('2026-11-24T00:00:00Z');
  const c = await collectSnapshot({ demo: true });
  const opts = { scanId: 't', startedAt: now.toISOString(), now, fixes: false };
  report = analyzeSnapshots([c.snapshot], c.config, opts)[0]!.report;
  const { inventory: _i, ...withoutInventory } = c.snapshot;
  bare = analyzeSnapshots([withoutInventory as Snapshot], c.config, opts)[0]!.report;
});

async function blast(r: Report, name: string) {
  const principal = r.principals.find((p) => p.name === name)!;
  return renderTui(<PrincipalDetail report={r} principal={principal} state={{ tab: 'blast', selected: 0, scroll: 0 }} width={100} height={60} />, { columns: 100, rows: 60 });
}

describe('Blast radius tab', () => {
  it('kiro-agent: production resources by type, the actions, and the hop to what it deletes as prod-stack-deployer', async () => {
    const t = await blast(report, 'kiro-agent');
    const f = t.frame();
    expect(f).toContain('[Blast radius]');
    expect(f).toMatch(/Can act on \d+ inventoried resources · \d+ production/);
    expect(f).toMatch(/stacks\s+4\s+1/);
    expect(f).toMatch(/api-prod\s+stack\s+delete, destructive/);
    expect(f).toMatch(/orders-api\s+ECS service\s+delete/);
    expect(f).toContain('as prod-stack-deployer: kiro-agent assumes prod-stack-deployer (sts:AssumeRole)');
    expect(f.indexOf('Production')).toBeLessThan(f.indexOf('Not production'));
    t.unmount();
  });
  it('negative: a read-only agent held by its boundary can act on no inventoried resource', async () => {
    const t = await blast(report, 'mcp-cost-explorer-readonly');
    expect(t.frame()).toMatch(/mcp-cost-explorer-readonly can delete, change or read none of the \d+ inventoried resources/);
    t.unmount();
  });
  it('negative: a report without an inventory says how to read one', async () => {
    const t = await blast(bare, 'kiro-agent');
    expect(t.frame()).toContain('This report has no resource inventory');
    t.unmount();
  });
});

describe('the tab strip in a narrow terminal', () => {
  it('keeps the selected last tab in view at 100 columns (tabs before it drop off, marked ‹)', async () => {
    const principal = report.principals.find((p) => p.name === 'kiro-agent')!;
    const t = await renderTui(<PrincipalDetail report={report} principal={principal} state={{ tab: 'blast', selected: 0, scroll: 0 }} width={100} height={40} />, { columns: 100, rows: 40 });
    const strip = t.frame().split('\n').find((l) => l.includes('│'))!;
    expect(strip).toContain('[Blast radius]');
    expect(strip.trimStart().startsWith('‹')).toBe(true);
    t.unmount();
  });
  it('control: the first tab selected shows the strip from its start', async () => {
    const principal = report.principals.find((p) => p.name === 'kiro-agent')!;
    const t = await renderTui(<PrincipalDetail report={report} principal={principal} state={{ tab: 'findings', selected: 0, scroll: 0 }} width={100} height={40} />, { columns: 100, rows: 40 });
    const strip = t.frame().split('\n').find((l) => l.includes('│'))!;
    expect(strip.trimStart().startsWith('[Findings')).toBe(true);
    t.unmount();
  });
});
