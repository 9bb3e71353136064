import type { Fix } from '../../model/fix.js';
import type { Report } from '../../model/report.js';
import { fixDocumentText, plural } from '../format.js';
import { diffLines, diffPrefix, diffStats } from '../line-diff.js';
import type { DiffLine } from '../line-diff.js';
import { Rows, seg } from '../components/Rows.js';
import type { Row } from '../components/Rows.js';
import { FIX_MODES } from '../view.js';
import type { FixMode, FixState } from '../view.js';

export interface FixViewProps {
  readonly report: Report;
  readonly fix: Fix;
  readonly state: FixState;
  readonly width: number;
  readonly height: number;
}

const MODE_LABEL: Record<FixMode, string> = { diff: 'Diff', json: 'JSON', terraform: 'Terraform', cli: 'CLI' };

// Scrolling re-renders the view on every key; a policy's diff is computed once per fix.
const diffCache = new WeakMap<Fix, DiffLine[]>();

export function fixDiff(fix: Fix): DiffLine[] {
  let d = diffCache.get(fix);
  if (!d) {
    const before = fix.before === undefined ? [] : fixDocumentText(fix.before, fix.kind).split('\n');
    d = diffLines(before, fixDocumentText(fix.after, fix.kind).split('\n'));
    diffCache.set(fix, d);
  }
  return d;
}

export function fixBodyRows(fix: Fix, mode: FixMode): Row[] {
  if (mode === 'diff') {
    return fixDiff(fix).map((l) => [seg(`${diffPrefix(l.op)}${l.text}`, { color: l.op === 'add' ? 'green' : l.op === 'remove' ? 'red' : undefined, dim: l.op === 'same' })]);
  }
  const text = mode === 'json' ? fix.renderings.json : mode === 'terraform' ? fix.renderings.terraform : fix.renderings.cli;
  return text.replace(/\n$/, '').split('\n');
}

function countSegs(label: string, before: number | undefined, after: number | undefined) {
  const better = before !== undefined && after !== undefined && after < before;
  return [seg(`${label} `, { dim: true }), seg(`${before ?? '?'} → `), seg(String(after ?? '?'), { color: better ? 'green' : undefined, bold: better }), seg('   ')];
}

function headRows(report: Report, fix: Fix, mode: FixMode): Row[] {
  const principal = report.principals.find((p) => p.arn === fix.principalArn)?.name ?? fix.principalArn;
  const v = fix.verification;
  const b = fix.countsBefore;
  const a = fix.countsAfter;
  const rows: Row[] = [
    [seg('Fix ', { dim: true }), seg(fix.title, { bold: true }), seg(`  ${fix.kind} for ${principal}`, { dim: true })],
    [...countSegs('allowed', b?.allowedActions, a?.allowedActions), ...countSegs('destructive', b?.destructiveActions, a?.destructiveActions), ...countSegs('escalation', b?.escalationTechniques, a?.escalationTechniques)],
  ];
  if (v.safe) {
    rows.push([seg('✔ verified safe', { color: 'green', bold: true }), seg(`: ${plural(v.observedCallsChecked, 'observed call')} still allowed; nothing destructive left without approval`)]);
  } else {
    const reasons = [
      ...v.observedCallsDenied.map((c) => `would deny ${c}`),
      ...v.forbiddenStillAllowed.map((x) => `still allows ${x}`),
      ...v.notes,
    ];
    rows.push([seg('✘ NOT safe', { color: 'red', bold: true }), seg(`: ${reasons.join('; ') || 'verification failed'}`)]);
  }
  const stats = diffStats(fixDiff(fix));
  rows.push(FIX_MODES.flatMap((m, i) => {
    const label = m === 'diff' ? `${MODE_LABEL[m]} +${stats.added} -${stats.removed}` : MODE_LABEL[m];
    return [seg(i === 0 ? '' : ' │ ', { dim: true }), seg(m === mode ? `[${label}]` : ` ${label} `, { bold: m === mode, color: m === mode ? 'cyan' : undefined })];
  }));
  return rows;
}

export function fixViewRows({ report, fix, state, width, height }: FixViewProps): Row[] {
  const head = headRows(report, fix, state.mode);
  head.push([seg('─'.repeat(Math.max(0, width)), { dim: true })]);
  const body = fixBodyRows(fix, state.mode);
  const room = Math.max(1, height - head.length);
  const start = Math.min(state.scroll, Math.max(0, body.length - room));
  return [...head, ...body.slice(start, start + room)];
}

export function FixView(props: FixViewProps) {
  return <Rows rows={fixViewRows(props)} width={props.width} />;
}
