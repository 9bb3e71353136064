// A list of fixes: every fix of a principal (its Fixes tab), or those that resolve one finding.
// Enter opens the selected fix. Pure rows from the Report; no analysis here.
import type { Fix } from '../../model/fix.js';
import type { Report } from '../../model/report.js';
import { windowStart, wrapText } from '../format.js';
import { Rows, seg } from '../components/Rows.js';
import type { Row } from '../components/Rows.js';
import { verificationStatus } from './FixView.js';

const KIND_ORDER = ['replace-policy', 'permissions-boundary', 'trust-policy', 'session-policy', 'max-session-duration'];

/** A principal's fixes in a stable order (right-sized policy first). */
export function fixesOf(report: Report, arn: string): Fix[] {
  return report.fixes.filter((f) => f.principalArn === arn).sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind));
}

/** The fixes a finding links to, in the same order. */
export function fixesForFinding(report: Report, fixIds: readonly string[]): Fix[] {
  return fixIds.map((id) => report.fixes.find((x) => x.id === id)).filter((x): x is Fix => x !== undefined).sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind));
}

const STATUS_COLOR = { verified: 'green', unverified: 'yellow', 'not-safe': 'red' } as const;

export function fixListRows(fixes: readonly Fix[], selected: number, width: number, height: number): Row[] {
  if (fixes.length === 0) return ['No fixes were generated for this principal (run `leash scan --fixes`).'];
  const room = Math.max(2, Math.min(fixes.length, height - 5));
  const start = windowStart(fixes.length, selected, room);
  const rows: Row[] = fixes.slice(start, start + room).map((f, k) => {
    const sel = start + k === selected;
    const st = verificationStatus(f);
    const t = (f.actionReasons ?? []).reduce((n, s) => ({ kept: n.kept + s.kept, gated: n.gated + s.gated, removed: n.removed + s.removed }), { kept: 0, gated: 0, removed: 0 });
    return [
      seg(sel ? '❯ ' : '  ', { color: 'cyan' }),
      seg(f.kind.padEnd(21), { dim: !sel }),
      seg(st.padEnd(11), { color: STATUS_COLOR[st] }),
      seg(f.title, { bold: sel, inverse: sel }),
      seg(f.actionReasons ? `  +${t.kept} ~${t.gated} -${t.removed}` : '', { dim: true }),
    ];
  });
  rows.push([seg('─'.repeat(Math.max(0, width)), { dim: true })]);
  const f = fixes[Math.min(selected, fixes.length - 1)];
  if (f) {
    for (const line of wrapText(`${f.verification.summary ?? ''}`, width).slice(0, 3)) rows.push([seg(line, { dim: true })]);
    rows.push([seg('enter opens this fix', { color: 'cyan' })]);
  }
  return rows;
}

export interface FixListProps {
  readonly report: Report;
  readonly fixes: readonly Fix[];
  readonly heading: string;
  readonly selected: number;
  readonly width: number;
  readonly height: number;
}

export function FixList({ fixes, heading, selected, width, height }: FixListProps) {
  return <Rows rows={[[seg(heading, { bold: true })], ...fixListRows(fixes, selected, width, height - 1)]} width={width} />;
}
