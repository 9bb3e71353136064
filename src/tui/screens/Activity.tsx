// What a principal (or one of its sessions) did: `leash activity`'s timeline, scrollable. The
// lines are render.ts's (one way to turn a call into a line, escaped there); this screen only
// says where they came from, what was not read here and why, and colours the marks.
import type { PrincipalReport, Report } from '../../model/report.js';
import type { ActivityPlan } from '../../activity/sources.js';
import { timelineLines, type TimelineRead } from '../../activity/render.js';
import type { Timeline } from '../../activity/timeline.js';
import { Rows, seg } from '../components/Rows.js';
import type { Row } from '../components/Rows.js';

export interface ActivityResult {
  readonly timeline: Timeline;
  readonly read: TimelineRead;
}

/** The read of the screen: under way, done, failed, or not started (no local trail file to read). */
export type ActivityRead =
  | { readonly kind: 'reading' }
  | { readonly kind: 'done'; readonly result: ActivityResult }
  | { readonly kind: 'failed'; readonly message: string }
  | { readonly kind: 'not-read' };

export interface ActivityProps {
  readonly report: Report;
  readonly principal: PrincipalReport;
  readonly plan: ActivityPlan;
  /** The session shown (index into the principal's recent sessions), or undefined for all its calls. */
  readonly session: number | undefined;
  readonly read: ActivityRead;
  readonly scroll: number;
  readonly width: number;
  readonly height: number;
}

/** A long line cut at a space where it can be, the rest indented under it. */
function wrapLine(text: string, width: number): string[] {
  const out: string[] = [];
  let rest = text;
  let indent = '';
  while ((indent + rest).length > width && width > 20) {
    const room = width - indent.length;
    const cut = rest.lastIndexOf(' ', room);
    const at = cut > room / 2 ? cut : room;
    out.push(indent + rest.slice(0, at).trimEnd());
    rest = rest.slice(at).trimStart();
    indent = '      ';
  }
  out.push(indent + rest);
  return out;
}

/** A command too long for the screen, continued with a backslash so a pasted copy is still one command. */
function wrapCommand(command: string, width: number): string[] {
  const lines = wrapLine(command, width - 2);
  return lines.map((l, i) => (i < lines.length - 1 ? `${l} \\` : l));
}

/** Marks the timeline puts on a line, coloured as the rest of the TUI colours severity (the whole call, wrapped or not). */
function styleOf(line: string): Parameters<typeof seg>[1] | undefined {
  if (/^LOGGING TAMPERED WITH|^\s+\S+\s+\S+\s+\S+\s+(DESTRUCTIVE\(|LOGGING)/.test(line)) return { color: 'red' };
  if (/^\s+\S+\s+\S+\s+\S+\s+(ESCALATION\(|REFUSED)/.test(line)) return { color: 'yellow' };
  if (/^(partial|unavailable|skipped|error): /.test(line)) return { color: 'red' };
  if (/^\S.*:$/.test(line)) return { bold: true };
  return undefined;
}

/** Everything under the title, scrolled as one. */
export function activityBodyRows({ principal, plan, read, width }: Pick<ActivityProps, 'principal' | 'plan' | 'read' | 'width'>): Row[] {
  const rows: Row[] = [];
  const text = (line: string, style?: Parameters<typeof seg>[1]) => {
    for (const l of wrapLine(line, width)) rows.push(style ? [seg(l, style)] : l);
  };
  text(`Window: ${plan.windowNote}.`, { dim: true });
  if (plan.files.length > 0) text(`Read again here: the report's CloudTrail files (${plan.files.join(', ')}).`, { dim: true });
  if (plan.commands.length > 0) {
    rows.push(' ');
    text('Not read here: these sources need AWS credentials, and the TUI never calls AWS. Run (add --profile):', { bold: true });
    for (const c of plan.commands) for (const l of wrapCommand(`  ${c.command}`, width)) rows.push([seg(l, { color: 'cyan' })]);
  }
  rows.push(' ');
  if (read.kind === 'not-read') text(`No CloudTrail file among the report's sources: nothing was read for ${principal.name} here.`);
  else if (read.kind === 'reading') text('Reading the trail files…', { color: 'cyan' });
  else if (read.kind === 'failed') text(`Could not read the activity: ${read.message}`, { color: 'red' });
  else for (const line of timelineLines(read.result.timeline, read.result.read)) text(line, styleOf(line));
  return rows;
}

export function activityRows(props: ActivityProps): Row[] {
  const sessions = props.principal.usage?.sessions ?? [];
  const s = props.session !== undefined ? sessions[props.session] : undefined;
  const scope = s ? `session ${s.name ?? '(no session name)'}${s.sourceIdentity !== undefined ? `, source identity ${s.sourceIdentity}` : ''}` : 'all its calls';
  const head: Row[] = [
    [seg(`What ${props.principal.name} did`, { bold: true }), seg(` · ${scope}`), seg(sessions.length > 0 ? `  (tab: ${sessions.length} recent session${sessions.length === 1 ? '' : 's'} one by one)` : '', { dim: true })],
    [seg('─'.repeat(Math.max(0, props.width)), { dim: true })],
  ];
  const body = activityBodyRows(props);
  const room = Math.max(1, props.height - head.length);
  const start = Math.min(props.scroll, Math.max(0, body.length - room));
  return [...head, ...body.slice(start, start + room)];
}

export function Activity(props: ActivityProps) {
  return <Rows rows={activityRows(props)} width={props.width} />;
}
