// The terminal summary `leash scan` prints: what matters first, what leash could not see last.
import type { Report } from '../model/report.js';
import { SEVERITIES, type Severity } from '../model/finding.js';

export interface SummaryStyle { readonly color: boolean }

const CODES: Record<Severity, string> = { critical: '1;31', high: '31', medium: '33', low: '36', info: '2' };

export function renderSummary(report: Report, style: SummaryStyle = { color: false }, writtenTo?: string): string {
  const c = (code: string, s: string) => (style.color ? `\u001b[${code}m${s}\u001b[0m` : s);
  const sev = (s: Severity) => c(CODES[s], s.toUpperCase().padEnd(8));
  const lines: string[] = [];
  const { scan, summary } = report;
  lines.push(c('1', `leash ${report.tool.version} — account ${scan.account.id}`) + `  (scan ${scan.id})`);
  lines.push(`sources: ${scan.sources.map((s) => `${s.kind}${s.status !== 'ok' ? ` [${s.status}]` : ''}`).join(', ')}`);
  lines.push(`principals: ${summary.principals}, of which AI-agent principals: ${summary.agentPrincipals}`);
  lines.push('findings: ' + SEVERITIES.map((s) => `${summary.findingsBySeverity[s]} ${s}`).join(', ') + (summary.suppressedFindings ? ` (+${summary.suppressedFindings} suppressed)` : ''));
  lines.push('');
  const agents = report.principals.filter((p) => p.isAgent || p.agentEvidence.some((e) => e.kind.startsWith('cloudtrail') || e.kind === 'local-config'));
  if (agents.length > 0) {
    lines.push(c('1', 'Agent principals, riskiest first'));
    for (const p of agents.slice(0, 8)) {
      const fs = report.findings.filter((f) => f.principalArn === p.arn && !f.suppressed);
      const fixes = report.fixes.filter((f) => f.principalArn === p.arn);
      const tools = [...new Set(p.agentEvidence.map((e) => e.tool).filter(Boolean))].join(', ');
      lines.push(`  ${String(p.riskScore).padStart(3)}  ${p.name}  ${c('2', `(${p.kind}${tools ? `; ${tools}` : ''})`)}`);
      lines.push(`       ${p.permissions.allowedActionCount} actions allowed, ${p.permissions.destructiveActions.length} destructive, ${p.permissions.escalationTechniques.length} escalation techniques` + (p.baseline?.excessPercent !== undefined ? `, ${p.baseline.excessPercent}% beyond observed need` : ''));
      for (const f of fs.slice(0, 4)) lines.push(`       ${sev(f.severity)} ${f.title}`);
      if (fs.length > 4) lines.push(`       … ${fs.length - 4} more`);
      for (const fx of fixes.filter((x) => x.kind === 'replace-policy' || x.kind === 'permissions-boundary')) {
        const b = fx.countsBefore, a = fx.countsAfter;
        lines.push(`       fix: ${fx.title} — ${fx.verification.safe ? c('32', 'verified') : c('31', 'NOT verified')}` + (b && a ? ` (allowed ${b.allowedActions}→${a.allowedActions}, destructive ${b.destructiveActions}→${a.destructiveActions})` : ''));
      }
    }
    lines.push('');
  }
  // Everyone else: one line per principal, worst first, with what kind of problem it has.
  const others = report.findings.filter((f) => !f.suppressed && (f.severity === 'critical' || f.severity === 'high') && !agents.some((a) => a.arn === f.principalArn));
  if (others.length > 0) {
    lines.push(c('1', 'Other principals with critical/high findings'));
    const byPrincipal = new Map<string, typeof others>();
    for (const f of others) byPrincipal.set(f.principalArn, [...(byPrincipal.get(f.principalArn) ?? []), f]);
    const rows = [...byPrincipal].map(([arn, fs]) => ({ p: report.principals.find((x) => x.arn === arn), fs }))
      .sort((a, b) => (b.p?.riskScore ?? 0) - (a.p?.riskScore ?? 0));
    for (const { p, fs } of rows.slice(0, 8)) {
      const worst = fs.some((f) => f.severity === 'critical') ? 'critical' : 'high';
      const kinds = new Map<string, number>();
      for (const f of fs) kinds.set(f.checkId, (kinds.get(f.checkId) ?? 0) + 1);
      const what = [...kinds].map(([k, n]) => (n > 1 ? `${k} ×${n}` : k)).join(', ');
      lines.push(`  ${sev(worst)} ${p?.name ?? fs[0]!.principalArn}: ${what}`);
    }
    if (rows.length > 8) lines.push(`  … ${rows.length - 8} more principals`);
    lines.push('');
  }
  const cov = scan.coverage;
  lines.push(c('1', 'What leash could not see'));
  lines.push(`  IAM: ${cov.iam}; usage: ${cov.usage.status}${cov.usage.window ? ` (${cov.usage.window.start} → ${cov.usage.window.end}, ${cov.usage.recordsRead} records, ${cov.usage.unmappedEvents} unmapped)` : ''}; SCPs: ${cov.scps}`);
  for (const n of cov.notes) lines.push(`  - ${n}`);
  if (report.errors.length > 0) {
    lines.push(`  ${report.errors.length} error(s):`);
    for (const e of report.errors.slice(0, 5)) lines.push(`  ! ${e.message}`);
  }
  if (writtenTo) {
    lines.push('');
    lines.push(`report written to ${writtenTo}`);
  }
  return lines.join('\n');
}
