// The principal screen's "Can become" tab, on the real demo scan: kiro-agent reaches the deploy
// role that can delete what it cannot; a boundary-held agent reaches nobody.
import { beforeAll, describe, expect, it } from 'vitest';
import { PrincipalDetail } from '../../../src/tui/screens/PrincipalDetail.js';
import { runScan } from '../../../src/pipeline/scan.js';
import type { Report } from '../../../src/model/report.js';
import { renderTui } from '../../support/render-tui.js';

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
