// What a principal (or one of its sessions) did, call by call: the incident timeline that goes
// with `leash contain`. Pure: CloudTrail records in (hostile: shape-checked one by one, bad ones
// counted), a bounded timeline out. Each call says which IAM action it used (the event map), how
// IAM classes it (the catalog's access level), whether it was refused, whether leash's judgement
// lists call it destructive, part of an escalation technique, a blow to logging or something
// that outlives the session (persistence), and which AI tool its user agent names.
import { mapEvent } from '../collect/cloudtrail/event-map.js';
import { attribute, eventTimeOf, isDenied, recordProblem, resourcesOf, type CloudTrailRecord } from '../collect/cloudtrail/record.js';
import { destructiveActions, escalationTechniques, type DestructiveCategory } from '../checks/data.js';
import { loggingTamperingActions, persistenceActions, type PersistenceKind } from '../checks/action-lists.js';
import { catalog } from '../iam/catalog.js';
import { REGISTRY_SIGNATURES, toolsNamedBy, type Signature } from '../agents/user-agent.js';

/** Whose calls: a principal, optionally one of its sessions (by name or source identity). */
export interface ActivityTarget {
  /** The IAM principal whose permissions authorised the calls (a role's or a user's ARN, path included). */
  readonly principalArn: string;
  readonly sessionName?: string;
  readonly sourceIdentity?: string;
}

export interface ActivityOptions {
  /** Calls at or after this instant (ISO 8601 UTC). */
  readonly since?: string;
  /** Calls before this instant. */
  readonly until?: string;
  /** Most recent calls kept (the counts cover all). Default 500. */
  readonly limit?: number;
  readonly signatures?: readonly Signature[];
}

export interface ActivityEvent {
  readonly time: string;
  readonly eventSource: string;
  readonly eventName: string;
  /** IAM actions the call used (empty when the event map does not know it). */
  readonly actions: readonly string[];
  /** The catalog's access levels of those actions (Write, Permissions management, …). */
  readonly accessLevels: readonly string[];
  readonly region?: string;
  readonly session?: string;
  readonly sourceIdentity?: string;
  readonly sourceIp?: string;
  /** AI tools the user agent names (strongest first): high or medium signatures only, a weak match labels no call. */
  readonly tools: readonly string[];
  readonly errorCode?: string;
  /** IAM refused it: attempted, not done. */
  readonly denied: boolean;
  /** leash's destructive-actions list, by category. */
  readonly destructive?: DestructiveCategory;
  /** Escalation techniques that need one of its actions. */
  readonly escalation: readonly string[];
  /** It blinds the audit trail or detection (leash's logging-tampering list): why. */
  readonly logging?: string;
  /** What it may leave behind that outlives the session (leash's persistence list). */
  readonly persistence?: PersistenceKind;
  /** Resource ARNs the record names (first 5). */
  readonly resources: readonly string[];
}

export interface ActivitySession {
  readonly name?: string;
  readonly sourceIdentity?: string;
  readonly firstSeen: string;
  readonly lastSeen: string;
  readonly calls: number;
  readonly tools: readonly string[];
}

export interface Timeline {
  readonly target: ActivityTarget;
  /** Calls that matched, oldest first: the `limit` most recent. */
  readonly events: readonly ActivityEvent[];
  /** Destructive and escalation-relevant calls that succeeded, oldest first: the 50 most recent, whatever the limit. */
  readonly notable: readonly ActivityEvent[];
  /** Calls that succeeded and may have left something behind (persistence), oldest first: the 100 most recent. */
  readonly leftBehind: readonly ActivityEvent[];
  /** Calls that succeeded in blinding logging, oldest first: the 50 most recent (calls after them may be missing). */
  readonly loggingTampered: readonly ActivityEvent[];
  readonly counts: {
    readonly records: number;
    readonly badRecords: number;
    readonly matched: number;
    /** Matched calls left out for the limit (the oldest). */
    readonly omitted: number;
    readonly denied: number;
    readonly destructive: number;
    readonly changes: number;
    readonly escalation: number;
    /** Succeeded calls that are destructive, escalation-relevant or both (what `notable` samples). */
    readonly notable: number;
    /** Succeeded calls that may have left something behind (what `leftBehind` samples). */
    readonly persistence: number;
    /** Succeeded calls that blind logging (what `loggingTampered` samples). */
    readonly loggingTampered: number;
  };
  readonly sessions: readonly ActivitySession[];
  /** First problems of records that could not be read (at most 5): what and where. */
  readonly problems: readonly string[];
}

export const DEFAULT_ACTIVITY_LIMIT = 500;
const MAX_RESOURCES = 5;
const MAX_PROBLEMS = 5;
const MAX_NOTABLE = 50;
const MAX_LEFT_BEHIND = 100;

function lists(): { destructive: Map<string, DestructiveCategory>; escalation: Map<string, string[]>; logging: Map<string, string>; persistence: Map<string, PersistenceKind> } {
  const destructive = new Map(destructiveActions().map((d) => [d.action.toLowerCase(), d.category]));
  const logging = new Map(loggingTamperingActions.actions.map((a) => [a.action.toLowerCase(), a.why]));
  const persistence = new Map(persistenceActions.actions.map((a) => [a.action.toLowerCase(), a.kind]));
  const escalation = new Map<string, string[]>();
  for (const t of escalationTechniques()) {
    for (const a of new Set(t.requires.flat().map((x) => x.toLowerCase()))) escalation.set(a, [...(escalation.get(a) ?? []), t.id]);
  }
  return { destructive, escalation, logging, persistence };
}

/**
 * A principal by account, kind and name, its path left out: a record names a role by its session
 * issuer (path included) but a session ARN pasted from an alert does not carry the path, and IAM
 * names are unique within an account and kind whatever the path.
 */
export function principalKey(arn: string): string {
  const m = /^arn:([^:]*):iam::(\d{12}):(role|user)\/(?:.*\/)?([^/]+)$/.exec(arn);
  return m ? `${m[1]}|${m[2]}|${m[3]}|${m[4]}` : arn;
}

const cmp = (a: string | undefined, b: string | undefined): number => ((a ?? '') < (b ?? '') ? -1 : (a ?? '') > (b ?? '') ? 1 : 0);

/**
 * By time; calls of the same second by what they are, so that the list (and which calls a limit
 * keeps) is the same whatever order the records came in: trail files oldest first, LookupEvents
 * and Athena newest first.
 */
const byTime = (a: ActivityEvent, b: ActivityEvent): number =>
  cmp(a.time, b.time) || cmp(a.eventSource, b.eventSource) || cmp(a.eventName, b.eventName) || cmp(a.session, b.session) || cmp(a.region, b.region)
  || cmp(a.errorCode, b.errorCode) || cmp(a.sourceIp, b.sourceIp) || cmp(a.resources.join(' '), b.resources.join(' '));

/** Adds `e`, cutting the list back to its `n` most recent whenever it reaches twice that. */
function keepRecent(list: ActivityEvent[], e: ActivityEvent, n: number): void {
  list.push(e);
  if (list.length >= 2 * n) {
    list.sort(byTime);
    list.splice(0, list.length - n);
  }
}

function mostRecent(list: ActivityEvent[], n: number): ActivityEvent[] {
  list.sort(byTime);
  return list.slice(Math.max(0, list.length - n));
}

type SessionAcc = { name?: string; sourceIdentity?: string; firstSeen: string; lastSeen: string; calls: number; tools: Set<string> };

/**
 * Builds a timeline a record at a time, in bounded memory: the counts and sessions cover every
 * matched call, the events only the `limit` most recent (the list is cut back to them whenever
 * it doubles, so a role with millions of calls costs what `limit` does).
 */
export class TimelineBuilder {
  private readonly limit: number;
  private readonly signatures: readonly Signature[];
  private readonly cat = catalog();
  private readonly judged = lists();
  private readonly kept: ActivityEvent[] = [];
  private readonly notable: ActivityEvent[] = [];
  private readonly leftBehind: ActivityEvent[] = [];
  private readonly loggingTampered: ActivityEvent[] = [];
  private readonly sessions = new Map<string, SessionAcc>();
  private readonly problems: string[] = [];
  private records = 0;
  private badRecords = 0;
  private matched = 0;
  private denied = 0;
  private destructive = 0;
  private changes = 0;
  private escalation = 0;
  private notableCount = 0;
  private persistenceCount = 0;
  private loggingCount = 0;

  private readonly targetKey: string;

  constructor(private readonly target: ActivityTarget, private readonly opts: ActivityOptions = {}) {
    this.targetKey = principalKey(target.principalArn);
    this.limit = Math.max(1, opts.limit ?? DEFAULT_ACTIVITY_LIMIT);
    this.signatures = opts.signatures ?? REGISTRY_SIGNATURES;
  }

  /** One record as read (anything); `where` names it in a problem (file and index). */
  add(raw: unknown, where: string): void {
    this.records++;
    const problem = recordProblem(raw);
    if (problem) {
      this.badRecords++;
      if (this.problems.length < MAX_PROBLEMS) this.problems.push(`${where}: ${problem}`);
      return;
    }
    const r = raw as CloudTrailRecord;
    const who = attribute(r);
    const t = this.target;
    if ('skip' in who || (who.principalArn !== t.principalArn && principalKey(who.principalArn) !== this.targetKey)) return;
    if (t.sessionName !== undefined && who.sessionName !== t.sessionName) return;
    if (t.sourceIdentity !== undefined && who.sourceIdentity !== t.sourceIdentity) return;
    const time = eventTimeOf(r);
    if (this.opts.since !== undefined && time < this.opts.since) return;
    if (this.opts.until !== undefined && time >= this.opts.until) return;
    const e = this.event(r, who, time);
    this.count(e);
    keepRecent(this.kept, e, this.limit);
    if (!e.errorCode) {
      if (e.destructive || e.escalation.length > 0) keepRecent(this.notable, e, MAX_NOTABLE);
      if (e.persistence) keepRecent(this.leftBehind, e, MAX_LEFT_BEHIND);
      if (e.logging) keepRecent(this.loggingTampered, e, MAX_NOTABLE);
    }
  }

  finish(): Timeline {
    const events = mostRecent(this.kept, this.limit);
    return {
      target: this.target,
      events,
      notable: mostRecent(this.notable, MAX_NOTABLE),
      leftBehind: mostRecent(this.leftBehind, MAX_LEFT_BEHIND),
      loggingTampered: mostRecent(this.loggingTampered, MAX_NOTABLE),
      counts: {
        records: this.records, badRecords: this.badRecords, matched: this.matched, omitted: this.matched - events.length, denied: this.denied, destructive: this.destructive,
        changes: this.changes, escalation: this.escalation, notable: this.notableCount, persistence: this.persistenceCount, loggingTampered: this.loggingCount,
      },
      sessions: [...this.sessions.values()].sort((a, b) => (a.lastSeen < b.lastSeen ? 1 : a.lastSeen > b.lastSeen ? -1 : 0)).map((s) => ({ ...s, tools: [...s.tools].sort() })),
      problems: [...this.problems],
    };
  }

  private event(r: CloudTrailRecord, who: { readonly sessionName?: string; readonly sourceIdentity?: string }, time: string): ActivityEvent {
    const mapped = mapEvent(r.eventSource, r.eventName);
    const actions = mapped.ok ? mapped.actions : [];
    const category = actions.map((a) => this.judged.destructive.get(a.toLowerCase())).find((c) => c !== undefined);
    const logging = actions.map((a) => this.judged.logging.get(a.toLowerCase())).find((c) => c !== undefined);
    const persistence = actions.map((a) => this.judged.persistence.get(a.toLowerCase())).find((c) => c !== undefined);
    const errorCode = typeof r.errorCode === 'string' && r.errorCode ? r.errorCode : undefined;
    return {
      time,
      eventSource: r.eventSource,
      eventName: r.eventName,
      actions,
      accessLevels: [...new Set(actions.flatMap((a) => this.cat.lookup(a)?.accessLevels ?? []))],
      ...(typeof r.awsRegion === 'string' ? { region: r.awsRegion } : {}),
      ...(who.sessionName !== undefined ? { session: who.sessionName } : {}),
      ...(who.sourceIdentity !== undefined ? { sourceIdentity: who.sourceIdentity } : {}),
      ...(typeof r.sourceIPAddress === 'string' ? { sourceIp: r.sourceIPAddress } : {}),
      tools: typeof r.userAgent === 'string' ? toolsNamedBy(r.userAgent, this.signatures) : [],
      ...(errorCode ? { errorCode } : {}),
      denied: isDenied(r),
      ...(category ? { destructive: category } : {}),
      escalation: [...new Set(actions.flatMap((a) => this.judged.escalation.get(a.toLowerCase()) ?? []))],
      ...(logging ? { logging } : {}),
      ...(persistence ? { persistence } : {}),
      resources: resourcesOf(r).slice(0, MAX_RESOURCES),
    };
  }

  private count(e: ActivityEvent): void {
    this.matched++;
    if (e.denied) this.denied++;
    // Done, not attempted: a call with an error code changed nothing.
    if (!e.errorCode) {
      if (e.destructive) this.destructive++;
      if (e.accessLevels.some((l) => l === 'Write' || l === 'Permissions management' || l === 'Tagging')) this.changes++;
      if (e.escalation.length > 0) this.escalation++;
      if (e.destructive || e.escalation.length > 0) this.notableCount++;
      if (e.persistence) this.persistenceCount++;
      if (e.logging) this.loggingCount++;
    }
    const key = JSON.stringify([e.session ?? null, e.sourceIdentity ?? null]);
    const s = this.sessions.get(key);
    if (!s) {
      this.sessions.set(key, { ...(e.session !== undefined ? { name: e.session } : {}), ...(e.sourceIdentity !== undefined ? { sourceIdentity: e.sourceIdentity } : {}), firstSeen: e.time, lastSeen: e.time, calls: 1, tools: new Set(e.tools) });
      return;
    }
    if (e.time < s.firstSeen) s.firstSeen = e.time;
    if (e.time > s.lastSeen) s.lastSeen = e.time;
    s.calls++;
    for (const t of e.tools) s.tools.add(t);
  }
}

/** The timeline of `target` in `records` (any order; several sources may be concatenated). */
export function activityTimeline(input: Iterable<unknown>, target: ActivityTarget, opts: ActivityOptions = {}): Timeline {
  const b = new TimelineBuilder(target, opts);
  let i = 0;
  for (const r of input) b.add(r, `record ${i++}`);
  return b.finish();
}
