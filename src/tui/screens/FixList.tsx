// A list of fixes: every fix of a principal (its Fixes tab), or those that resolve one finding.
// Enter opens the selected fix. Pure rows from the Report; no analysis here.
import type { Fix } from '../../model/fix.js';
import type { Report } from '../../model/report.js';
import { plural, windowStart, wrapText } from '../format.js';
import { Rows, seg } from '../components/Rows.js';
import type { Row } from '../components/Rows.js';
import { verificationStatus } from './FixView.js';

const KIND_ORDER = ['replace-policy', 'permissions-boundary', 'trust-policy', 'session-policy', 'max-session-duration'];

/** A principal's fixes in a stable order (right-sized policy first). */
export function fixesOf(report: Report, arn: string): Fix[] {
  return report.fixes.filter((f) => f.principalArn === arn).sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind));
}

/**
 * The fixes a finding links to, in the same order; given the finding's id, those that close it
 * first. A finding also links fixes that close none of it (a principal's trust-policy fix is
 * opened from its worst finding though it resolves nothing: fix/plan.ts linkFindings).
 */
export function fixesForFinding(report: Report, fixIds: readonly string[], findingId?: string): Fix[] {
  const closes = (f: Fix) => (findingId !== undefined && closesFinding(f, findingId) ? 0 : 1);
  return fixIds
    .map((id) => report.fixes.find((x) => x.id === id))
    .filter((x): x is Fix => x !== undefined)
    .sort((a, b) => closes(a) - closes(b) || KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind));
}

/** Does applying this fix close the finding (is it among the findings the fix resolves)? */
export function closesFinding(fix: Fix, findingId: string): boolean {
  return fix.resolves.includes(findingId);
}

const STATUS_COLOR = { verified: 'green', unverified: 'yellow', 'not-safe': 'red' } as const;

/** With `findingId` (a finding's list of fixes), each row says whether that fix closes the finding. */
export function fixListRows(fixes: readonly Fix[], selected: number, width: number, height: number, findingId?: string): Row[] {
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
      ...(findingId !== undefined ? [closesFinding(f, findingId) ? seg('closes it   ', { color: 'green' }) : seg('not this one', { color: 'yellow' }), seg(' ')] : []),
      seg(f.title, { bold: sel, inverse: sel }),
      seg(f.actionReasons ? `  +${t.kept} ~${t.gated} -${t.removed}` : '', { dim: true }),
    ];
  });
  rows.push([seg('─'.repeat(Math.max(0, width)), { dim: true })]);
  const f = fixes[Math.min(selected, fixes.length - 1)];
  if (f) {
    if (findingId !== undefined && !closesFinding(f, findingId)) {
      const other = f.resolves.length;
      rows.push([seg(`Applying this fix does not close this finding: it ${other === 0 ? 'resolves no finding (offered here as a related change)' : `resolves ${plural(other, 'other finding')}`}.`, { color: 'yellow' })]);
    }
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
  /** The finding these fixes were linked from, if any: rows then say whether each closes it. */
  readonly findingId?: string | undefined;
}

export function FixList({ fixes, heading, selected, width, height, findingId }: FixListProps) {
  return <Rows rows={[[seg(heading, { bold: true })], ...fixListRows(fixes, selected, width, height - 1, findingId)]} width={width} />;
}
