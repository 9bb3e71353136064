// `leash contain --aws`: the principal's recent sessions read live, so the plan names the agent's
// session (and the command that stops it alone) without a report that read CloudTrail. The read is
// `leash activity --live`'s (readActivityLiveFrom: a role's sessions found through the AssumeRole*
// events that name it, in the account's enabled regions, each read by name); here its timeline
// becomes the report's SessionSummary shape, so the plan renders it as it renders a report's.
// Optional: whatever the read could not do is said in the plan, never an exit code.
import type { SessionSummary } from '../model/report.js';
import type { ActivityRead, AssumedSession } from '../activity/read.js';
import type { Timeline } from '../activity/timeline.js';
import type { AwsClients } from '../collect/aws/client-factory.js';
import type { Signature } from '../agents/user-agent.js';
import type { LiveSessions, SessionsRead } from './plan.js';

/** Sessions kept, most recent first: as many as a report keeps per principal (report/build.ts). */
export const SESSIONS_KEPT = 10;
/** Events read at most per LookupEvents read and region: an incident cannot wait for 10,000 (the newest come first). */
export const CONTAIN_MAX_EVENTS = 2_000;
/** Lines of `unread` at most, and characters of each (AWS's error text is in them). */
const MAX_UNREAD = 10;
const MAX_UNREAD_CHARS = 400;

/**
 * A timeline's sessions as a report's usage names them: latest first, the tools only when there
 * are some. A session known only from its AssumeRole* event (`assumed`: no call of it read) is
 * listed too, with 0 events, seen when it was assumed: it can act, and can be contained by name.
 */
export function sessionSummaries(t: Timeline, assumed: readonly AssumedSession[] = [], kept = SESSIONS_KEPT): SessionSummary[] {
  const withCalls: SessionSummary[] = t.sessions.map((s) => ({
    ...(s.name !== undefined ? { name: s.name } : {}),
    ...(s.sourceIdentity !== undefined ? { sourceIdentity: s.sourceIdentity } : {}),
    firstSeen: s.firstSeen,
    lastSeen: s.lastSeen,
    events: s.calls,
    ...(s.tools.length > 0 ? { tools: [...s.tools] } : {}),
  }));
  const quiet = quietSessions(t, assumed).map((a) => ({ name: a.name, firstSeen: a.at, lastSeen: a.at, events: 0 }));
  // Stable: sessions of the same second keep the timeline's order, then the assumed ones'.
  return [...withCalls, ...quiet].sort((a, b) => (a.lastSeen < b.lastSeen ? 1 : a.lastSeen > b.lastSeen ? -1 : 0)).slice(0, kept);
}

/** Sessions an AssumeRole* event named of which no call was read. */
function quietSessions(t: Timeline, assumed: readonly AssumedSession[]): readonly AssumedSession[] {
  const named = new Set(t.sessions.map((s) => s.name));
  return assumed.filter((a) => !named.has(a.name));
}

const clip = (s: string) => (s.length > MAX_UNREAD_CHARS ? `${s.slice(0, MAX_UNREAD_CHARS - 1)}…` : s);

/**
 * What a read covered: the window, counts of what it found, the reader's notes, and every source
 * that did not answer whole (refused, throttled past its retries, unreachable, stopped at its
 * bound), records it could not use. Text from AWS stays as it came: the renderers escape it.
 */
export function sessionsRead(window: { readonly since: string; readonly until: string }, t: Timeline, read: ActivityRead, notes: readonly string[] = []): SessionsRead {
  const lines = read.sources.filter((s) => s.status !== 'ok').map((s) => clip(`${s.location}: ${s.status === 'partial' ? 'read in part' : 'not read'}${s.detail ? ` (${s.detail})` : ''}`));
  const unparsed = read.errors.filter((e) => e.code === 'invalid-input').length + t.counts.badRecords;
  if (unparsed > 0) lines.push(`${unparsed} event(s) could not be read as CloudTrail records: skipped`);
  const unread = lines.length > MAX_UNREAD ? [...lines.slice(0, MAX_UNREAD), `and ${lines.length - MAX_UNREAD} more`] : lines;
  const tools = [...new Set(t.sessions.flatMap((s) => s.tools))].sort();
  return {
    ...window,
    calls: t.counts.matched,
    sessions: t.sessions.length,
    assumedOnly: quietSessions(t, read.assumed ?? []).length,
    tools,
    ...(t.sessions.length > 0 ? { lastSeen: t.sessions[0]!.lastSeen } : {}),
    notes: [...(read.notes ?? []), ...notes],
    unread,
  };
}

/** What a user's read covers, beside what the reader says of its regions. */
const USER_NOTE = "a user's own calls, looked up by its user name (LookupEvents Username), and its federated users' (GetFederationToken) by the names it gave them: sessions of roles it assumed are those roles' (contain each by its ARN).";

/**
 * The principal's calls in the window, read live through the read-only factory's clients, as
 * sessions and what the read covered. Never throws for AWS's answers (a refused or failed read is
 * in `unread`); a read-only violation is a bug and is thrown.
 */
export async function readSessionsLive(clients: AwsClients, principal: { readonly arn: string; readonly kind: 'role' | 'user' }, window: { readonly since: string; readonly until: string }, opts: { readonly maxEvents?: number; readonly signatures?: readonly Signature[] } = {}): Promise<LiveSessions> {
  const { TimelineBuilder } = await import('../activity/timeline.js');
  const { readActivityLiveFrom } = await import('../activity/read.js');
  const { ReadOnlyViolationError } = await import('../collect/aws/allowlist.js');
  const { errorMessage } = await import('../collect/aws/errors.js');
  // Only the sessions and counts are used: one event kept is enough.
  const builder = new TimelineBuilder({ principalArn: principal.arn }, { ...window, limit: 1, ...(opts.signatures ? { signatures: opts.signatures } : {}) });
  const notes = principal.kind === 'user' ? [USER_NOTE] : [];
  let read: ActivityRead;
  try {
    read = await readActivityLiveFrom(clients, [], builder, { principalArn: principal.arn }, window, opts.maxEvents ?? CONTAIN_MAX_EVENTS);
  } catch (e) {
    if (e instanceof ReadOnlyViolationError) throw e;
    return { sessions: [], read: { ...sessionsRead(window, builder.finish(), { sources: [], errors: [] }, notes), unread: [clip(`CloudTrail could not be read: ${errorMessage(e)}`)] } };
  }
  const t = builder.finish();
  return { sessions: sessionSummaries(t, read.assumed), read: sessionsRead(window, t, read, notes) };
}
