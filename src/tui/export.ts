// `e` exports what is on screen, as data (JSON) or as a Markdown note for a ticket.
import type { Fix } from '../model/fix.js';
import type { Report } from '../model/report.js';
import { SEVERITIES } from '../model/finding.js';
import { diffLines, diffPrefix } from './line-diff.js';
import { evidenceSummary, filterPrincipals, findingsFor, fixDocumentText, riskiestAgents, safeSegment, severityLabel, worstSeverity } from './format.js';
import type { PrincipalFilter } from './format.js';
import type { View } from './view.js';

export interface ViewExport {
  /** File name without extension. */
  readonly name: string;
  readonly json: unknown;
  readonly markdown: string;
}

export function liveCounts(report: Report): Record<(typeof SEVERITIES)[number], number> & { suppressed: number } {
  const counts = { critical: 0, high: 0, medium: 0, low: 0, info: 0, suppressed: 0 };
  for (const f of report.findings) {
    if (f.suppressed) counts.suppressed++;
    else counts[f.severity]++;
  }
  return counts;
}

function principalName(report: Report, arn: string): string {
  return report.principals.find((p) => p.arn === arn)?.name ?? arn;
}

export function exportView(report: Report, view: View, filter: PrincipalFilter): ViewExport {
  const scan = { id: report.scan.id, finishedAt: report.scan.finishedAt, account: report.scan.account };
  const stem = `leash-${safeSegment(report.scan.account.id)}`;
  switch (view.screen) {
    case 'overview': {
      const counts = liveCounts(report);
      const top = riskiestAgents(report, 5);
      const json = {
        view: 'overview',
        scan,
        findingsBySeverity: counts,
        coverage: report.scan.coverage,
        sources: report.scan.sources,
        errors: report.errors,
        riskiestAgents: top.map((t) => ({ name: t.principal.name, arn: t.principal.arn, riskScore: t.principal.riskScore, finding: t.finding ? { id: t.finding.id, severity: t.finding.severity, title: t.finding.title } : null })),
      };
      const md = [
        `# leash overview — account ${report.scan.account.id}`,
        '',
        `Scan ${report.scan.id}, finished ${report.scan.finishedAt}.`,
        '',
        '| severity | findings |',
        '| --- | --- |',
        ...SEVERITIES.map((s) => `| ${s} | ${counts[s]} |`),
        `| suppressed | ${counts.suppressed} |`,
        '',
        '## Riskiest agent principals',
        '',
        ...top.map((t) => `- **${t.principal.name}** (risk ${t.principal.riskScore})${t.finding ? ` — ${severityLabel(t.finding.severity)} ${t.finding.title}` : ''}`),
        '',
        '## What leash could not see',
        '',
        ...(report.scan.coverage.notes.length ? report.scan.coverage.notes.map((n) => `- ${n}`) : ['- nothing noted']),
        ...report.errors.map((e) => `- error (${e.source}): ${e.message}`),
      ];
      return { name: `${stem}-overview`, json, markdown: md.join('\n') };
    }
    case 'principals': {
      const rows = filterPrincipals(report, filter).map((p) => {
        const fs = findingsFor(report, p.arn);
        return { name: p.name, arn: p.arn, isAgent: p.isAgent, riskScore: p.riskScore, worstSeverity: worstSeverity(fs) ?? null, findings: fs.filter((f) => !f.suppressed).length };
      });
      const md = [
        `# leash principals — account ${report.scan.account.id}`,
        '',
        `Filter: ${filter.agentsOnly ? 'agents only' : 'all principals'}${filter.query ? `, name contains "${filter.query}"` : ''}${filter.minSeverity ? `, ${filter.minSeverity} and above` : ''}.`,
        '',
        '| principal | agent | risk | worst | findings |',
        '| --- | --- | --- | --- | --- |',
        ...rows.map((r) => `| ${r.name} | ${r.isAgent ? 'yes' : 'no'} | ${r.riskScore} | ${r.worstSeverity ?? '-'} | ${r.findings} |`),
      ];
      return { name: `${stem}-principals`, json: { view: 'principals', scan, filter, principals: rows }, markdown: md.join('\n') };
    }
    // The App offers no export of the Activity screen (`leash activity --json` writes the timeline).
    case 'activity':
    case 'principal': {
      const p = report.principals.find((x) => x.arn === view.arn);
      const fs = findingsFor(report, view.arn);
      const fixes = report.fixes.filter((f) => f.principalArn === view.arn);
      const name = p?.name ?? view.arn;
      const md = [
        `# ${name}`,
        '',
        `ARN: \`${view.arn}\``,
        ...(p ? [`Agent: ${p.isAgent ? 'yes' : 'no'}; risk score ${p.riskScore}; ${p.permissions.allowedActionCount} allowed actions.`] : []),
        ...(p?.agentEvidence.length ? ['', '## Why leash treats it as an agent', '', ...(p.agentDecision ? [`Decided: ${p.agentDecision.verdict} — ${p.agentDecision.reason}`, ''] : []), ...p.agentEvidence.map((e) => `- ${e.detail} (${e.kind}, ${e.confidence} confidence)`)] : []),
        '',
        '## Findings',
        '',
        ...fs.flatMap((f) => [
          `### ${severityLabel(f.severity)} ${f.title}${f.suppressed ? ` (suppressed: ${f.suppressed.reason})` : ''}`,
          '',
          f.description,
          '',
          ...f.evidence.map((e) => `- ${evidenceSummary(e)}`),
          '',
        ]),
        ...(fixes.length ? ['## Fixes', '', ...fixes.map((x) => `- ${x.title} (${x.kind}, ${x.verification.status ?? (x.verification.safe ? 'verified safe' : 'NOT verified safe')})`)] : []),
      ];
      return { name: `${stem}-${safeSegment(name)}`, json: { view: 'principal', scan, principal: p ?? null, findings: fs, fixes }, markdown: md.join('\n') };
    }
    case 'fixes': {
      const fixes = view.findingId
        ? report.fixes.filter((f) => f.resolves.includes(view.findingId!))
        : report.fixes.filter((f) => f.principalArn === view.arn);
      const name = principalName(report, view.arn);
      const md = [`# Fixes for ${name}`, '', ...fixes.map((x) => `- ${x.title} (${x.kind}; ${x.verification.status ?? (x.verification.safe ? 'verified' : 'not-safe')}: ${x.verification.summary ?? ''})`)];
      return { name: `${stem}-${safeSegment(name)}-fixes`, json: { view: 'fixes', scan, fixes }, markdown: md.join('\n') };
    }
    case 'fix': {
      const fix = report.fixes.find((f) => f.id === view.fixId);
      if (!fix) return { name: `${stem}-fix`, json: { view: 'fix', scan, fix: null }, markdown: `# Fix ${view.fixId}\n\nNot in this report.` };
      const name = principalName(report, fix.principalArn);
      return { name: `${stem}-${safeSegment(name)}-fix`, json: { view: 'fix', scan, fix }, markdown: fixMarkdown(fix, name) };
    }
  }
}

function fixMarkdown(fix: Fix, principal: string): string {
  const before = fixDocumentText(fix.before, fix.kind).split('\n');
  const after = fixDocumentText(fix.after, fix.kind).split('\n');
  const diff = diffLines(fix.before === undefined ? [] : before, after);
  const v = fix.verification;
  const counts = fix.countsBefore && fix.countsAfter
    ? [
        '| | before | after |',
        '| --- | --- | --- |',
        `| allowed actions | ${fix.countsBefore.allowedActions} | ${fix.countsAfter.allowedActions} |`,
        `| destructive actions | ${fix.countsBefore.destructiveActions} | ${fix.countsAfter.destructiveActions} |`,
        `| escalation techniques | ${fix.countsBefore.escalationTechniques} | ${fix.countsAfter.escalationTechniques} |`,
        '',
      ]
    : [];
  return [
    `# Fix for ${principal}: ${fix.title}`,
    '',
    fix.description,
    '',
    ...counts,
    `Verification: ${v.status ?? (v.safe ? 'safe' : 'NOT safe')} — ${v.summary ?? `${v.observedCallsChecked} observed calls checked.`}`,
    ...v.observedCallsDenied.map((c) => `- would deny observed call ${c}`),
    ...v.forbiddenStillAllowed.map((a) => `- still allows ${a} without approval`),
    ...v.notes.map((n) => `- ${n}`),
    '',
    '```diff',
    ...diff.map((l) => `${diffPrefix(l.op)[0]}${l.text}`),
    '```',
    '',
    '```hcl',
    fix.renderings.terraform.trimEnd(),
    '```',
  ].join('\n');
}
