// A timeline as the on-call engineer reads it in a terminal: what was done, worst first in the
// summary, then call by call. Every value from CloudTrail goes through safeText (event names,
// session names, user agents' tools, resource ARNs and error codes are all caller-controlled).
import type { ScanError, SourceInfo } from '../model/errors.js';
import { safeText } from '../safe/text.js';
import type { ActivityEvent, Timeline } from './timeline.js';

/** What stands out about a call, in a few letters: refused, destructive, logging, escalation, left behind, change. */
export function marks(e: ActivityEvent): string {
  if (e.errorCode) return e.denied ? 'REFUSED' : 'failed';
  if (e.destructive) return `DESTRUCTIVE(${e.destructive})`;
  if (e.logging) return 'LOGGING';
  if (e.escalation.length > 0) return `ESCALATION(${e.escalation[0]}${e.escalation.length > 1 ? ', …' : ''})`;
  if (e.persistence) return `PERSISTS(${e.persistence})`;
  if (e.accessLevels.some((l) => l === 'Write' || l === 'Permissions management' || l === 'Tagging')) return 'change';
  return '';
}

/** One call on one line (time, region, action, marks, error, session, tool, first resource), escaped: the CLI's and the TUI's. */
export function eventLine(e: ActivityEvent, label = marks(e)): string {
  const action = e.actions[0] ?? `${e.eventSource.replace(/\.amazonaws\.com$/, '')}:${e.eventName}`;
  const who = [e.session, e.sourceIdentity !== undefined && e.sourceIdentity !== e.session ? `source ${e.sourceIdentity}` : undefined].filter((x) => x !== undefined).join(', ');
  const parts = [
    e.time,
    (e.region ?? '-').padEnd(14),
    action.padEnd(40),
    label.padEnd(12),
    e.errorCode ? `[${e.errorCode}]` : '',
    who,
    e.tools.length > 0 ? `(${e.tools.join(', ')})` : '',
    e.resources[0] ?? '',
  ];
  return safeText(parts.filter((p) => p.trim() !== '').join('  ').trimEnd());
}

export interface TimelineRead {
  readonly window: { readonly since?: string; readonly until?: string };
  readonly sources: readonly SourceInfo[];
  readonly errors: readonly ScanError[];
  /** What the read could not see (activity/read.ts), each said on its own line. */
  readonly notes?: readonly string[];
}

/** The timeline as lines, each escaped: printed by `leash activity`, scrolled by the TUI's Activity screen. */
export function timelineLines(t: Timeline, read: TimelineRead): string[] {
  const c = t.counts;
  const target = [t.target.principalArn, t.target.sessionName ? `session ${t.target.sessionName}` : '', t.target.sourceIdentity ? `source identity ${t.target.sourceIdentity}` : ''].filter((x) => x).join(', ');
  const out = [
    `Activity of ${safeText(target)}`,
    `window ${read.window.since ?? 'start'} .. ${read.window.until ?? 'now'}; ${c.records} records read from ${read.sources.map((s) => safeText(s.location)).join(', ') || 'nothing'}`,
    `${c.matched} calls: ${c.destructive} destructive, ${c.escalation} escalation-relevant, ${c.persistence > 0 ? `${c.persistence} that may outlive the session, ` : ''}${c.loggingTampered > 0 ? `${c.loggingTampered} against logging, ` : ''}${c.changes} changes, ${c.denied} refused${c.omitted > 0 ? `; the ${c.omitted} oldest not shown (--limit)` : ''}`,
  ];
  // Said first: after such a call the trail itself may be missing what came next.
  const blind = t.loggingTampered[0];
  if (blind) out.push(safeText(`LOGGING TAMPERED WITH at ${blind.time} (${blind.actions[0] ?? blind.eventName}${blind.resources[0] ? ` on ${blind.resources[0]}` : ''}): calls after it may be missing from this trail; read another trail or source for them`));
  // A source read in part (LookupEvents stopped at its bound, a listing failed): the timeline is a lower bound.
  for (const src of read.sources) if (src.status !== 'ok') out.push(`${src.status}: ${safeText(src.location)}${src.detail ? `: ${safeText(src.detail)}` : ''}`);
  for (const n of read.notes ?? []) out.push(`note: ${safeText(n)}`);
  if (c.badRecords > 0) out.push(`${c.badRecords} records could not be read: ${t.problems.map(safeText).join('; ')}`);
  for (const e of read.errors.slice(0, 5)) out.push(`error: ${safeText(e.message)}`);
  if (read.errors.length > 5) out.push(`… ${read.errors.length - 5} more errors (--json lists them)`);
  if (t.sessions.length > 0) {
    out.push('', 'sessions (latest first):');
    for (const s of t.sessions.slice(0, 10)) {
      const name = [s.name, s.sourceIdentity !== undefined ? `source ${s.sourceIdentity}` : undefined].filter((x) => x !== undefined).join(', ') || '(no session: long-term keys)';
      out.push(safeText(`  ${name}: ${s.calls} calls, ${s.firstSeen} .. ${s.lastSeen}${s.tools.length > 0 ? `, ${s.tools.join(', ')}` : ''}`));
    }
    if (t.sessions.length > 10) out.push(`  … ${t.sessions.length - 10} more`);
  }
  if (t.notable.length > 0) {
    const shown = t.notable.slice(-20);
    out.push('', `destructive and escalation-relevant calls that succeeded${c.notable > shown.length ? ` (the ${shown.length} most recent of ${c.notable})` : ''}:`);
    for (const e of shown) out.push(`  ${eventLine(e)}`);
  }
  if (t.leftBehind.length > 0) {
    out.push('', `what it may have left behind, to check and remove if it is the agent's (leash contain does not undo these)${c.persistence > t.leftBehind.length ? ` (the ${t.leftBehind.length} most recent of ${c.persistence})` : ''}:`);
    for (const e of t.leftBehind) out.push(`  ${eventLine(e, e.persistence ?? '')}`);
  }
  if (t.loggingTampered.length > 1) {
    out.push('', 'calls against logging that succeeded:');
    for (const e of t.loggingTampered) out.push(`  ${eventLine(e)}`);
  }
  if (t.events.length > 0) {
    out.push('', 'calls, oldest first:');
    for (const e of t.events) out.push(`  ${eventLine(e)}`);
  } else out.push('', 'No call by it in this window.');
  return out;
}

export function renderTimeline(t: Timeline, read: TimelineRead): string {
  return `${timelineLines(t, read).join('\n')}\n`;
}
