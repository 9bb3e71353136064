// The principal screen's "Can become" tab, on the real demo scan: kiro-agent reaches the deploy
// role that can delete what it cannot; a boundary-held agent reaches nobody.
import { beforeAll, describe, expect, it } from 'vitest';
import { PrincipalDetail } from '../../../src/tui/screens/PrincipalDetail.js';
import { runScan } from '../../../src/pipeline/scan.js';
import type { Report } from '../../../src/model/report.js';
import { renderTui } from '../../support/render-tui.js';
import { analyzeSnapshots, defaultConfig } from '../../../src/pipeline/scan.js';
import { snapshot } from '../../graph/accounts.js';
import { account, deleteTable, table } from '../../support/tier-scope.js';

let report: Report;
beforeAll(async () => {
  report = await runScan({ demo: true, now: new Date('2026-11-24T00:00:00Z') });
});

async function reach(name: string) {
  const principal = report.principals.find((p) => p.name === name)!;
  return renderTui(<PrincipalDetail report={report} principal={principal} state={{ tab: 'reach', selected: 0, scroll: 0 }} width={120} height={40} />);
}

describe('Can become tab', () => {
  it('kiro-agent: what it reaches, what that adds, and the trust statement that allows it', async () => {
    const t = await reach('kiro-agent');
    const f = t.frame();
    expect(f).toContain('[Can become]');
    expect(f).toContain('Can become 2 principals · gains destructive actions');
    expect(f).toContain('1. kiro-agent assumes prod-stack-deployer (sts:AssumeRole) — adds destructive actions');
    expect(f).toContain('trust: prod-stack-deployer AssumeRolePolicyDocument (KiroDeploys) statement 0');
    expect(f).toMatch(/prod-stack-deployer\s+1 hop · sts-assume-permissive-role/);
    expect(f).toMatch(/dr-restore-admin\s+1 hop · sts-assume-permissive-role · never assumed/);
    expect(f).not.toMatch(/prod-stack-deployer\s+1 hop · sts-assume-permissive-role · never assumed/);
    t.unmount();
  });
  it('negative: an agent held by its permissions boundary can act as no other principal', async () => {
    const t = await reach('mcp-cost-explorer-readonly');
    expect(t.frame()).toContain('mcp-cost-explorer-readonly can act as no other principal.');
    t.unmount();
  });
});

describe('Can become: a gain by where (schema 1.11.0 `widened`)', () => {
  const NOW = new Date('2026-12-01T12:00:00Z');
  const tab = async (deploy: unknown[]) => {
    const [a] = analyzeSnapshots([snapshot(account([deleteTable(table('kiro-scratch-*'))], { deploy }))], defaultConfig(), { scanId: 't', startedAt: NOW.toISOString(), now: NOW, fixes: false });
    const r = a!.report;
    const principal = r.principals.find((p) => p.name === 'kiro-agent')!;
    const t = await renderTui(<PrincipalDetail report={r} principal={principal} state={{ tab: 'reach', selected: 0, scroll: 0 }} width={100} height={40} />);
    const f = t.frame();
    t.unmount();
    return f;
  };
  it('deploy deletes every table, kiro-agent only kiro-scratch-*: gains destructive actions, says which by where, and the path', async () => {
    const f = await tab([deleteTable('*')]);
    expect(f).toContain('Can become 1 principal · gains destructive actions');
    expect(f).toMatch(/by where: +dynamodb:DeleteTable: itself only on named resources, on every resource\s+through\s+others/);
    expect(f).toContain('1. kiro-agent assumes deploy (sts:AssumeRole)');
  });
  it('control: deploy only on other named tables: nothing gained, no such row', async () => {
    const f = await tab([deleteTable(table('kiro-tmp-*'))]);
    expect(f).toContain('gains nothing that ranks above its own power');
    expect(f).not.toContain('by where:');
  });
  it('hostile: a crafted report.json\'s widened text reaches the terminal escaped', async () => {
    const [a] = analyzeSnapshots([snapshot(account([deleteTable(table('kiro-scratch-*'))], { deploy: [deleteTable('*')] }))], defaultConfig(), { scanId: 't', startedAt: NOW.toISOString(), now: NOW, fixes: false });
    const r = a!.report;
    const g = r.graph!;
    const crafted = { ...r, graph: { ...g, reach: g.reach.map((x) => (x.widened ? { ...x, widened: ['dynamodb:Delete\u001b[2J\u001b]0;pwned\u0007Table'] } : x)) } };
    const principal = r.principals.find((p) => p.name === 'kiro-agent')!;
    const t = await renderTui(<PrincipalDetail report={crafted} principal={principal} state={{ tab: 'reach', selected: 0, scroll: 0 }} width={100} height={40} />);
    const f = t.frame();
    t.unmount();
    expect(f).toContain('by where:');
    expect(f).not.toContain('\u001b]0;');
    expect(f).not.toContain('\u001b[2J');
  });
});
