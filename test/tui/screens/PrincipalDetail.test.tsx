import { describe, expect, it } from 'vitest';
import { PrincipalDetail } from '../../../src/tui/screens/PrincipalDetail.js';
import type { DetailState } from '../../../src/tui/view.js';
import { renderTui } from '../../support/render-tui.js';
import { buildReport, FID, KIRO_ARN } from '../support.js';

async function show(state: Partial<DetailState>, opts: { withUsage?: boolean; name?: string; height?: number } = {}) {
  const report = buildReport({ withUsage: opts.withUsage ?? true });
  const principal = report.principals.find((p) => p.name === (opts.name ?? 'kiro-agent'))!;
  return renderTui(<PrincipalDetail report={report} principal={principal} state={{ tab: 'findings', selected: 0, scroll: 0, ...state }} width={100} height={opts.height ?? 26} />);
}

describe('PrincipalDetail', () => {
  it('findings tab: the finding, the statement that grants it, and the way to its fix', async () => {
    const t = await show({});
    const f = t.frame();
    expect(f).toContain('kiro-agent  role  AGENT (kiro)  risk 92');
    expect(f).toContain(KIRO_ARN);
    expect(f).toContain('allowed 16840 actions · 4 destructive · 0 escalation techniques');
    expect(f).toContain('❯ CRITICAL kiro-agent can run 4 destructive actions without approval');
    expect(f).toContain('Granted by Statement[0] of AWS managed policy PowerUserAccess');
    expect(f).toContain('"NotAction": ["iam:*", "organizations:*", "account:*"],');
    expect(f).toContain('Fix: Replace PowerUserAccess with observed-use policy — press enter');
    t.unmount();
  });

  it('the header counts actions dropped as allowed nowhere (schema 1.13.0); control: none, no such words', async () => {
    const report = buildReport();
    const p = report.principals.find((x) => x.name === 'kiro-agent')!;
    const nowhere = { ...p, permissions: { ...p.permissions, allowedNowhere: [{ action: 'dynamodb:DeleteTable', why: 'the permissions boundary allows it only on table/dev-*, where the identity policies do not' }] } };
    const t = await renderTui(<PrincipalDetail report={report} principal={nowhere} state={{ tab: 'findings', selected: 0, scroll: 0 }} width={140} height={26} />);
    expect(t.frame()).toContain('allowed 16840 actions · 4 destructive · 0 escalation techniques · 1 allowed nowhere');
    t.unmount();
    const c = await renderTui(<PrincipalDetail report={report} principal={p} state={{ tab: 'findings', selected: 0, scroll: 0 }} width={140} height={26} />);
    expect(c.frame()).not.toContain('allowed nowhere');
    c.unmount();
  });

    it('findings tab: a suppressed finding shows its reason and expiry', async () => {
    const report = buildReport();
    const findings = report.findings.map((x) => (x.id === FID('f-kiro-destructive') ? { ...x, suppressed: { reason: 'sandbox', by: 'alice', until: '2026-12-31' } } : x));
    const r = { ...report, findings };
    const t = await renderTui(<PrincipalDetail report={r} principal={r.principals[0]!} state={{ tab: 'findings', selected: 1, scroll: 0 }} width={100} height={26} />);
    expect(t.frame()).toContain('kiro-agent can run 4 destructive actions without approval  (suppressed)');
    expect(t.frame()).toContain('Suppressed: sandbox (by alice) until 2026-12-31');
    t.unmount();
  });

  it('granted vs used tab: bars per service, used from CloudTrail', async () => {
    const t = await show({ tab: 'access' });
    const f = t.frame();
    expect(f).toContain('[Granted vs used]');
    expect(f).toContain('Baseline observed: needs 7 of 16840 granted, 99% excess');
    expect(f).toMatch(/ec2\s+712 █+·*\s+0 ·+/);
    expect(f).toMatch(/ce\s+61 █+·*\s+3 █·+/);
    t.unmount();
  });

  it('granted vs used tab: without usage data, used is unknown (?) not zero', async () => {
    const t = await show({ tab: 'access' }, { withUsage: false });
    expect(t.frame()).toContain('No usage data for this principal: "used" is unknown, not zero.');
    expect(t.frame()).toMatch(/ec2\s+712 █+·*\s+\?/);
    t.unmount();
  });

  it('policies tab: attached policies, boundary and the trust policy', async () => {
    const t = await show({ tab: 'policies' });
    const f = t.frame();
    expect(f).toContain('managed        PowerUserAccess  arn:aws:iam::aws:policy/PowerUserAccess');
    expect(f).toContain('Permissions boundary: none');
    expect(f).toContain('"Action": "sts:AssumeRole"');
    t.unmount();
  });

  it('why-agent tab: each piece of evidence with its confidence and tool', async () => {
    const t = await show({ tab: 'agent' });
    const f = t.frame();
    expect(f).toMatch(/HIGH\s+local-config\s+~\/\.kiro\/settings\/mcp\.json/);
    expect(f).toMatch(/MEDIUM\s+cloudtrail-user-agent\s+userAgent "aws-cli\/2\.35\.24/);
    expect(f).toContain('aws-cli/2.35.24 md/OS#linux m/AQ');
    t.unmount();
  });

  it('why-agent tab: recent sessions with the AI tool their user agent names (schema 1.9); none listed without them', async () => {
    const report = buildReport({ withUsage: true });
    const kiro = report.principals.find((p) => p.name === 'kiro-agent')!;
    const sessions = [
      { name: 'kiro-dana-030', sourceIdentity: 'dana', firstSeen: '2026-11-20T16:00:00Z', lastSeen: '2026-11-20T16:02:11Z', events: 12, tools: ['kiro'] },
      { name: 'ops-\u001b]52;c;x\u0007', firstSeen: '2026-11-19T09:00:00Z', lastSeen: '2026-11-19T09:05:00Z', events: 3 },
    ];
    const withSessions = { ...report, principals: report.principals.map((p) => (p === kiro ? { ...p, usage: { ...p.usage!, sessions } } : p)) };
    const t = await renderTui(<PrincipalDetail report={withSessions} principal={withSessions.principals.find((p) => p.name === 'kiro-agent')!} state={{ tab: 'agent', selected: 0, scroll: 0 }} width={120} height={30} />);
    const f = t.frame();
    expect(f).toContain('Recent sessions (latest first)');
    expect(f).toMatch(/2026-11-20T16:02:11Z\s+kiro-dana-030\s+source identity dana 12 events\s+\(kiro\)/);
    // A hostile session name reaches the terminal escaped.
    expect(f).toContain('ops-\\x1b]52;c;x\\x07');
    expect(f).not.toMatch(/\u001b\]52/);
    t.unmount();
    const plain = await show({ tab: 'agent' });
    expect(plain.frame()).not.toContain('Recent sessions');
    plain.unmount();
  });

  it('scrolls a long tab and never exceeds its height', async () => {
    const t = await show({ tab: 'access', scroll: 3 }, { height: 8 });
    const lines = t.frame().split('\n');
    expect(lines.length).toBeLessThanOrEqual(8);
    expect(t.frame()).not.toContain('Baseline observed');
    t.unmount();
  });
});
