// A finding links fixes that close it and fixes that do not (a principal's trust-policy fix is
// opened from its worst finding though it resolves nothing). The TUI must say which is which: at
// 2 a.m. "Fixes that resolve: kiro-agent can delete production" listing a trust-policy change
// read as if the trust fix stopped the deletes.
import { describe, expect, it } from 'vitest';
import type { Fix, Report } from '../../../src/model/index.js';
import { App } from '../../../src/tui/App.js';
import { defaultCallbacks } from '../../../src/tui/run.js';
import { fixesForFinding } from '../../../src/tui/screens/FixList.js';
import { PrincipalDetail } from '../../../src/tui/screens/PrincipalDetail.js';
import { KEYS, renderTui } from '../../support/render-tui.js';
import { buildReport, FID, KIRO_ARN } from '../support.js';

const DESTRUCTIVE = FID('f-kiro-destructive');

/** The test report with a trust-policy fix for kiro-agent that resolves nothing, linked from its worst finding. */
function withTrustFix(): Report {
  const report = buildReport();
  const replace = report.fixes.find((f) => f.id === 'fix-kiro-replace')!;
  const trust: Fix = { ...replace, id: 'fix-kiro-trust', kind: 'trust-policy', title: 'Tighter trust policy for kiro-agent', resolves: [] };
  const findings = report.findings.map((f) => (f.id === DESTRUCTIVE ? { ...f, fixIds: ['fix-kiro-trust', 'fix-kiro-replace'] } : f));
  return { ...report, findings, fixes: [...report.fixes, trust] };
}

describe('fixes linked to a finding: which close it', () => {
  it('orders the fixes that close the finding first, before the kind order', () => {
    const base = buildReport();
    const replace = base.fixes.find((f) => f.id === 'fix-kiro-replace')!;
    const open: Fix = { ...replace, id: 'fix-a-replace', kind: 'replace-policy', resolves: [] };
    const closing: Fix = { ...replace, id: 'fix-b-session', kind: 'session-policy', resolves: [DESTRUCTIVE] };
    const report: Report = { ...base, fixes: [open, closing] };
    expect(fixesForFinding(report, ['fix-a-replace', 'fix-b-session'], DESTRUCTIVE).map((f) => f.id)).toEqual(['fix-b-session', 'fix-a-replace']);
    // Control: without the finding, the kind order alone (right-sized policy first).
    expect(fixesForFinding(report, ['fix-b-session', 'fix-a-replace']).map((f) => f.id)).toEqual(['fix-a-replace', 'fix-b-session']);
  });

  it('the finding says which fixes close it, and the chooser marks the one that does not', async () => {
    const report = withTrustFix();
    const cwd = '/nonexistent-leash-test';
    const t = await renderTui(<App report={report} {...defaultCallbacks(cwd)} colors={false} />, { columns: 120, rows: 30 });
    await t.press(KEYS.enter);
    expect(t.frame()).toContain('Closed by: replace-policy (+1 related) — press enter to choose');
    expect(t.frame()).not.toContain('trust-policy, ');
    await t.press(KEYS.enter);
    const list = t.frame();
    expect(list).toContain('Fixes for: kiro-agent can run 4 destructive actions without approval');
    expect(list).not.toContain('Fixes that resolve');
    expect(list).toMatch(/❯ replace-policy\s+verified\s+closes it\s+Replace PowerUserAccess/);
    expect(list).toMatch(/ {2}trust-policy\s+verified\s+not this one Tighter trust policy for kiro-agent/);
    expect(list).not.toContain('does not close this finding');
    await t.press('j');
    expect(t.frame()).toContain('Applying this fix does not close this finding: it resolves no finding (offered here as a related change).');
    t.unmount();
  });

  it('control: a finding whose every fix closes it says nothing of the kind', async () => {
    const report = buildReport();
    const kiro = report.principals.find((p) => p.arn === KIRO_ARN)!;
    const t = await renderTui(<PrincipalDetail report={report} principal={kiro} state={{ tab: 'findings', selected: 0, scroll: 0 }} width={100} height={26} />);
    expect(t.frame()).toContain('Fix: Replace PowerUserAccess with observed-use policy — press enter');
    expect(t.frame()).not.toContain('does not close');
    expect(t.frame()).not.toContain('related');
    t.unmount();
  });

  it('a single linked fix that does not close the finding says so', async () => {
    const base = buildReport();
    const findings = base.findings.map((f) => (f.id === DESTRUCTIVE ? { ...f, fixIds: ['fix-kiro-trust'] } : f));
    const replace = base.fixes.find((f) => f.id === 'fix-kiro-replace')!;
    const report: Report = { ...base, findings, fixes: [...base.fixes, { ...replace, id: 'fix-kiro-trust', kind: 'trust-policy', title: 'Tighter trust policy for kiro-agent', resolves: [] }] };
    const kiro = report.principals.find((p) => p.arn === KIRO_ARN)!;
    const t = await renderTui(<PrincipalDetail report={report} principal={kiro} state={{ tab: 'findings', selected: 0, scroll: 0 }} width={100} height={26} />);
    expect(t.frame()).toContain('Fix (does not close this finding): Tighter trust policy for kiro-agent — press enter');
    t.unmount();
  });
});
