import type { PrincipalReport, Report } from '../../model/report.js';
import { findingsFor, hasPreviousScan, isNewPrincipal, SORT_LABEL, truncate, windowStart, worstSeverity } from '../format.js';
import { Rows, seg } from '../components/Rows.js';
import type { Row } from '../components/Rows.js';
import { severitySeg } from '../components/severity.js';
import type { ListState } from '../view.js';

export interface PrincipalListProps {
  readonly report: Report;
  /** Already filtered and sorted by the caller (format.filterPrincipals). */
  readonly principals: readonly PrincipalReport[];
  readonly state: ListState;
  readonly searching: boolean;
  readonly width: number;
  readonly height: number;
}

export function principalListRows({ report, principals, state, searching, width, height }: PrincipalListProps): Row[] {
  const rows: Row[] = [];
  const on = (b: boolean) => (b ? 'on' : 'off');
  rows.push([
    seg('[a] agents only: '), seg(on(state.agentsOnly), { bold: state.agentsOnly }),
    seg('  [v] severity: '), seg(state.minSeverity ? `${state.minSeverity}+` : 'all', { bold: state.minSeverity !== undefined }),
    seg('  [/] search: '), seg(state.query ? `"${state.query}"${searching ? '█' : ''}` : searching ? '█' : '-', { bold: state.query !== '' }),
    seg(`  ${principals.length} of ${report.principals.length}`, { dim: true }),
  ]);
  const previous = hasPreviousScan(report);
  rows.push([
    seg('[o] sort: '), seg(SORT_LABEL[state.sort], { bold: state.sort !== 'risk' }),
    seg('  [x] suppressed: '), seg(state.showSuppressed ? 'counted' : 'hidden', { bold: state.showSuppressed }),
    seg('  [n] new only: '), seg(on(state.newOnly), { bold: state.newOnly }),
    seg(previous ? '' : '  (no previous scan: nothing is new)', { dim: true }),
  ]);
  const nameWidth = Math.max(12, width - 48);
  rows.push([seg(`  ${'NAME'.padEnd(nameWidth)} KIND  AGENT  RISK  WORST     OPEN`, { dim: true })]);
  if (principals.length === 0) {
    rows.push('  No principal matches. Press a, v or / to change the filter.');
    return rows;
  }
  const room = Math.max(1, height - rows.length);
  const start = windowStart(principals.length, state.selected, room);
  principals.slice(start, start + room).forEach((p, k) => {
    const i = start + k;
    const fs = findingsFor(report, p.arn);
    const open = fs.filter((f) => !f.suppressed).length;
    const suppressed = fs.length - open;
    const sel = i === state.selected;
    rows.push([
      seg(sel ? '❯ ' : '  ', { color: 'cyan' }),
      seg(truncate(p.name, nameWidth).padEnd(nameWidth), { bold: sel, inverse: sel }),
      seg(` ${p.kind.padEnd(5)} `),
      // An engineer's session an AI tool drives is an agent principal too; "agent+" says which kind.
      seg((p.agentKind === 'ai-driven-human-session' ? 'agent+' : p.isAgent ? 'agent' : '').padEnd(6), { color: p.agentKind === 'ai-driven-human-session' ? 'red' : p.isAgent ? 'cyan' : undefined }),
      seg(` ${String(p.riskScore).padStart(4)}  `),
      severitySeg(worstSeverity(fs, state.showSuppressed), 9),
      seg(` ${String(open).padStart(4)}`),
      seg(isNewPrincipal(report, p.arn) ? '  NEW' : '', { color: 'green', bold: true }),
      seg(state.showSuppressed && suppressed > 0 ? ` +${suppressed} supp.` : '', { color: 'yellow' }),
    ]);
  });
  return rows;
}

export function PrincipalList(props: PrincipalListProps) {
  return <Rows rows={principalListRows(props)} width={props.width} />;
}
