import type { Report } from '../../model/report.js';
import { SEVERITIES } from '../../model/finding.js';
import { liveCounts } from '../export.js';
import { plural, riskiestAgents, SEVERITY_COLOR, severityLabel, truncate } from '../format.js';
import { Rows, seg } from '../components/Rows.js';
import type { Row } from '../components/Rows.js';
import { severitySeg } from '../components/severity.js';

export interface OverviewProps {
  readonly report: Report;
  readonly selected: number;
  readonly width: number;
  readonly height: number;
}

export const OVERVIEW_AGENT_LIMIT = 5;

export function overviewRows({ report, selected, width, height }: OverviewProps): Row[] {
  const { scan } = report;
  const counts = liveCounts(report);
  const cov = scan.coverage;
  const rows: Row[] = [];
  const account = scan.account.alias ? `${scan.account.id} (${scan.account.alias})` : scan.account.id;
  rows.push([seg('Account ', { dim: true }), seg(account, { bold: true }), seg(`  scan ${scan.finishedAt}  ${plural(report.principals.length, 'principal')}, ${plural(report.principals.filter((p) => p.isAgent).length, 'agent')}`)]);
  rows.push([seg('Sources ', { dim: true }), seg(scan.sources.map((s) => `${s.kind} ${s.status}`).join(' · ') || 'none')]);
  const usage = cov.usage.status === 'none'
    ? 'no usage data (unused is unknown, not zero)'
    : `usage ${cov.usage.status}${cov.usage.window ? ` ${cov.usage.window.start.slice(0, 10)}..${cov.usage.window.end.slice(0, 10)}` : ''}, ${plural(cov.usage.coveredPrincipals, 'principal')} covered`;
  rows.push([seg('Coverage ', { dim: true }), seg(`IAM ${cov.iam} · ${usage} · SCPs ${cov.scps}`)]);

  // What leash could not see matters as much as what it found; show it before the findings.
  const blind = [...cov.notes, ...report.errors.map((e) => `error (${e.source}, ${e.code}): ${e.message}`)];
  const blindRoom = Math.max(1, Math.min(blind.length, height - 14));
  if (blind.length === 0) rows.push([seg('Not seen ', { dim: true }), seg('nothing noted')]);
  else {
    rows.push([seg('Not seen ', { dim: true }), seg(`${plural(blind.length, 'gap')}`, { color: 'yellow' })]);
    for (const note of blind.slice(0, blindRoom)) rows.push(`  - ${note}`);
    if (blind.length > blindRoom) rows.push(`  … ${blind.length - blindRoom} more (export with e to read all)`);
  }
  rows.push(' ');
  const countSegs = SEVERITIES.flatMap((s) => [seg(`${severityLabel(s)} `, { color: counts[s] > 0 ? SEVERITY_COLOR[s] : undefined, bold: counts[s] > 0 && (s === 'critical' || s === 'high') }), seg(`${counts[s]}  `)]);
  rows.push([seg('Findings ', { dim: true }), ...countSegs, seg(counts.suppressed ? `(suppressed ${counts.suppressed})` : '', { dim: true })]);
  rows.push(' ');

  const agents = riskiestAgents(report, OVERVIEW_AGENT_LIMIT);
  const top = agents[0];
  if (!top) {
    rows.push('No agent principals found. Press p to browse all principals.');
    return rows;
  }
  const pick = agents[Math.min(selected, agents.length - 1)] ?? top;
  rows.push([
    seg('Riskiest agent: ', { bold: true }),
    seg(top.principal.name, { bold: true }),
    ...(top.finding ? [seg(' — '), seg(severityLabel(top.finding.severity), { color: SEVERITY_COLOR[top.finding.severity], bold: true }), seg(` ${top.finding.title}`)] : [seg(' — no open findings')]),
  ]);
  rows.push([seg(`press enter to open ${pick.principal.name}`, { color: 'cyan' }), seg(' · p all principals · ? help')]);
  rows.push(' ');
  rows.push([seg('Principals AI agents act through, by risk', { dim: true })]);
  const room = Math.max(1, height - rows.length);
  agents.slice(0, room).forEach((a, i) => {
    const mark = i === selected ? '❯ ' : '  ';
    const name = truncate(a.principal.name, 28).padEnd(29);
    rows.push([
      seg(mark, { color: 'cyan' }),
      seg(name, { bold: i === selected, inverse: i === selected }),
      seg(`risk ${String(a.principal.riskScore).padStart(3)}  `),
      severitySeg(a.finding?.severity),
      seg(` ${a.finding?.title ?? 'no open findings'}`),
    ]);
  });
  return rows.slice(0, height);
}

export function Overview(props: OverviewProps) {
  return <Rows rows={overviewRows(props)} width={props.width} />;
}
