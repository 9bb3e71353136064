import type { Fix } from '../../model/fix.js';
import type { Report } from '../../model/report.js';
import { fixDocumentText, plural } from '../format.js';
import { diffLines, diffPrefix, diffStats } from '../line-diff.js';
import type { DiffLine } from '../line-diff.js';
import { Rows, seg } from '../components/Rows.js';
import type { Row } from '../components/Rows.js';
import { FIX_MODES } from '../view.js';
import { notSafeToApply } from '../../fix/not-safe.js';
import { renderSourceOf } from '../../fix/render/lazy.js';
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

const MARK = { kept: '+', gated: '~', removed: '-' } as const;
const MARK_COLOR = { kept: 'green', gated: 'yellow', removed: 'red' } as const;

/**
 * The change as a reviewer reads it: per service, every action kept (+), gated behind approval (~)
 * or removed (-), with why. A reason repeated on consecutive lines is shown once.
 */
export function reasonRows(fix: Fix): Row[] {
  const rows: Row[] = [];
  for (const svc of fix.actionReasons ?? []) {
    rows.push([seg(svc.service, { bold: true }), seg(`  kept ${svc.kept} · gated ${svc.gated} · removed ${svc.removed}`, { dim: true })]);
    for (const g of svc.groups ?? []) {
      const why = `${g.reason}${g.detail ? `: ${g.detail}` : ''}`;
      g.actions.forEach((action, i) => rows.push([
        seg(`  ${MARK[g.decision]} `, { color: MARK_COLOR[g.decision], bold: true }),
        seg(action.padEnd(44), { color: MARK_COLOR[g.decision] }),
        seg(i === 0 ? `  ${why}` : '  〃', { dim: i > 0 }),
      ]));
    }
    if (svc.rest) rows.push([seg(`  ${MARK[svc.rest.decision]} `, { color: MARK_COLOR[svc.rest.decision], bold: true }), seg(`${svc.rest.count} other ${svc.service} actions`.padEnd(44)), seg(`  ${svc.rest.reason}: ${svc.rest.detail}`, { dim: true })]);
  }
  return rows;
}

export function fixBodyRows(fix: Fix, mode: FixMode): Row[] {
  if (mode === 'diff' && fix.actionReasons && fix.actionReasons.length > 0) return reasonRows(fix);
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

function reasonTotals(fix: Fix): { kept: number; gated: number; removed: number } {
  return (fix.actionReasons ?? []).reduce((t, s) => ({ kept: t.kept + s.kept, gated: t.gated + s.gated, removed: t.removed + s.removed }), { kept: 0, gated: 0, removed: 0 });
}

/** Status of a fix's verification (reports before schema 1.2 have only `safe`). */
export function verificationStatus(fix: Fix): 'verified' | 'unverified' | 'not-safe' {
  const v = fix.verification;
  return v.status ?? (!v.safe ? 'not-safe' : v.observedCallsChecked === 0 ? 'unverified' : 'verified');
}

/** One row that says exactly what verification checked. */
export function verificationRow(fix: Fix): Row {
  const v = fix.verification;
  const status = verificationStatus(fix);
  if (status === 'not-safe') {
    const reasons = [...(v.summary ? [v.summary] : []), ...v.observedCallsDenied.map((c) => `would deny ${c}`), ...v.forbiddenStillAllowed.map((x) => `still allows ${x}`), ...v.notes];
    return [seg('✘ NOT safe', { color: 'red', bold: true }), seg(`: ${reasons.join('; ') || 'verification failed'}`)];
  }
  const text = v.summary ?? `${plural(v.observedCallsChecked, 'observed call')} still allowed; nothing destructive left without approval`;
  return status === 'verified'
    ? [seg('✔ verified', { color: 'green', bold: true }), seg(`: ${text}`)]
    : [seg('? unverified', { color: 'yellow', bold: true }), seg(`: ${text}`)];
}

// What the shown rendering does with a fix leash calls not safe (the renderings carry it: lazy.ts).
const NOT_SAFE_WHAT: Record<FixMode, string> = {
  diff: 'its apply.sh refuses --apply without --accept-not-safe, and its main.tf says NOT SAFE',
  json: 'do not apply these documents until you have checked why',
  terraform: 'main.tf says so in a comment, but nothing in Terraform stops it: do not apply it until you have checked why',
  cli: 'this apply.sh stops at --apply unless --accept-not-safe is given too, after you have checked why',
};

/**
 * Why leash calls the change this fix applies not safe, or undefined (a held-back trust policy is
 * not applied; a fix from a report without its render target, whose renderings are the text written
 * then, counts as its verification says).
 */
export function fixNotSafe(fix: Fix): string | undefined {
  return notSafeToApply([fix], renderSourceOf(fix.renderings) ?? { policies: [] });
}

/** The marker above every rendering of a not-safe fix: a reviewer copying from the TUI is told before the text. */
export function notSafeRow(fix: Fix, mode: FixMode): Row | undefined {
  if (fixNotSafe(fix) === undefined) return undefined;
  return [seg('⚠ NOT SAFE to apply as it stands', { color: 'red', bold: true, inverse: true }), seg(` ${NOT_SAFE_WHAT[mode]}.`, { color: 'red', bold: true })];
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
  rows.push(verificationRow(fix));
  const marker = notSafeRow(fix, mode);
  if (marker) rows.push(marker);
  const byAction = fix.actionReasons && fix.actionReasons.length > 0;
  const stats = byAction ? reasonTotals(fix) : (() => { const d = diffStats(fixDiff(fix)); return { kept: 0, gated: 0, added: d.added, removed: d.removed }; })();
  rows.push(FIX_MODES.flatMap((m, i) => {
    const label = m === 'diff' ? (byAction ? `Diff by action +${stats.kept} ~${stats.gated} -${stats.removed}` : `${MODE_LABEL[m]} +${'added' in stats ? stats.added : 0} -${stats.removed}`) : MODE_LABEL[m];
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
