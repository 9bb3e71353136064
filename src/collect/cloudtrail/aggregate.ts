// Folds CloudTrail records, one at a time, into per-principal usage. Nothing here holds records:
// state grows with distinct principals × actions × sessions (each bounded), not with corpus size.
import type { ActionUsage, PrincipalUsage, SessionUsage, UnmappedEvent, UsageData } from '../../model/usage.js';
import { EventMapper } from './event-map.js';
import { setOwn } from './set-own.js';
import { attribute, type Attribution, eventTimeOf, isDataEvent, isDenied, resourcesOf, type CloudTrailRecord } from './record.js';

export interface AggregatorLimits {
  /** Resource ARNs kept per action per principal. */
  readonly resourcesPerAction: number;
  /** Sessions kept per principal; later ones still count towards actions and user agents. */
  readonly sessionsPerPrincipal: number;
  /** Distinct user agents kept per principal and per session. */
  readonly userAgentsPerPrincipal: number;
  readonly userAgentsPerSession: number;
  /** Actions kept per session and per session user agent. */
  readonly actionsPerSession: number;
  readonly sourceIpsPerPrincipal: number;
  readonly sourceIpsPerSession: number;
  /** Distinct unmapped (eventSource, eventName) pairs kept; the rest are summed into one entry. */
  readonly unmappedPairs: number;
}

export const DEFAULT_LIMITS: AggregatorLimits = {
  resourcesPerAction: 50,
  sessionsPerPrincipal: 500,
  userAgentsPerPrincipal: 100,
  userAgentsPerSession: 20,
  actionsPerSession: 200,
  sourceIpsPerPrincipal: 100,
  sourceIpsPerSession: 20,
  unmappedPairs: 5_000,
};

/**
 * Limits for an aggregator whose state another will absorb: per-key lists (sessions, user agents,
 * unmapped events) kept whole, so the absorbing side can apply its own limits in record order.
 */
export const UNBOUNDED_BY_KEY: Partial<AggregatorLimits> = {
  sessionsPerPrincipal: Infinity,
  userAgentsPerPrincipal: Infinity,
  userAgentsPerSession: Infinity,
  unmappedPairs: Infinity,
};

export type AddOutcome = 'counted' | 'unmapped' | 'unattributed' | 'outside-window';

export interface ActionState {
  count: number;
  denied: number;
  first: string;
  last: string;
  readonly resources: Set<string>;
  truncated: boolean;
}

export interface AgentActivity {
  events: number;
  readonly actions: Set<string>;
}

export interface SessionState {
  /** Creation order within the principal: which sessions a full principal keeps depends on it. */
  readonly seq: number;
  readonly sessionName: string | undefined;
  readonly sourceIdentity: string | undefined;
  readonly userAgents: Map<string, AgentActivity>;
  readonly ips: Set<string>;
  readonly actions: Set<string>;
  first: string;
  last: string;
  events: number;
  /** Some user agent went to the shared "(other user agents)" entry. */
  userAgentsLumped: boolean;
}

export interface PrincipalState {
  readonly arn: string;
  readonly actions: Map<string, ActionState>;
  /** sessionName ('' for none) → sourceIdentity ('' for none) → session; nested so no key is built per record. */
  readonly sessions: Map<string, Map<string, SessionState>>;
  sessionCount: number;
  sessionsDropped: number;
  /** Events per user agent (a mutable count, so a caller's memo can hold it). */
  readonly userAgents: Map<string, UserAgentCount>;
  /** Some user agent was counted under "(other user agents)". */
  userAgentsLumped: boolean;
  readonly ips: Set<string>;
  first: string;
  last: string;
}

export interface UserAgentCount {
  n: number;
}

interface UnmappedState {
  readonly eventSource: string;
  readonly eventName: string;
  count: number;
  readonly reason: string;
}

/**
 * Everything an aggregator has folded in, as structured-cloneable Maps and Sets (insertion order =
 * order of first occurrence, which the bounded lists depend on). It crosses worker threads.
 */
export interface AggregateState {
  readonly principals: Map<string, PrincipalState>;
  readonly unmapped: Map<string, UnmappedState>;
  readonly unmappedLumped: boolean;
  readonly unattributed: Map<string, number>;
  readonly daysSeen: Set<string>;
  readonly recordsRead: number;
  readonly dataEventsRead: number;
  readonly outsideWindow: number;
  readonly earliest: string | undefined;
  readonly latest: string | undefined;
}

export interface AggregatorOptions {
  /** Records outside [windowStart, windowEnd] (ISO, inclusive) are skipped and counted. */
  readonly windowStart?: string;
  readonly windowEnd?: string;
  readonly limits?: Partial<AggregatorLimits>;
  readonly mapper?: EventMapper;
}

/**
 * A caller ARN's attribution (valid while the fields it was computed from compare equal), and the
 * principal and session it leads to once they exist: those three Map lookups happen once per
 * caller instead of once per record. Principals and sessions are never removed, so they stay valid.
 */
interface CallerMemo {
  readonly type: unknown;
  readonly issuer: unknown;
  readonly sourceIdentity: unknown;
  /** Read by attribute() only for a record without a type (a service event or not). */
  readonly eventType: unknown;
  readonly who: Attribution;
  p: PrincipalState | undefined;
  /** Unset while the principal's session list is full (the record is then counted as dropped). */
  s: SessionState | undefined;
  /** The caller's last IP, and last user agent with its entry in session `s`. */
  ip: string | undefined;
  ua: string | undefined;
  agent: AgentActivity | undefined;
  /**
   * The caller's last user agent and the count it went to in principal `p` (its own, or the
   * "other" entry of a full list, which it would go to again: lists only grow).
   */
  pua: string | undefined;
  puaCount: UserAgentCount | undefined;
}

const OTHER_UA = '(other user agents)';
const OTHER_EVENTS = '(other events)';

export class UsageAggregator {
  private readonly limits: AggregatorLimits;
  private readonly mapper: EventMapper;
  private readonly principals = new Map<string, PrincipalState>();
  private readonly unmapped = new Map<string, UnmappedState>();
  private unmappedLumped = false;
  private readonly unattributedCounts = new Map<string, number>();
  /** UTC days (YYYY-MM-DD) with at least one in-window record: the basis of the coverage rule. */
  readonly daysSeen = new Set<string>();
  recordsRead = 0;
  /** In-window data events: without any, data-plane actions are unknown rather than unused. */
  dataEventsRead = 0;
  outsideWindow = 0;
  earliest: string | undefined;
  latest: string | undefined;
  private lastDay = '\u0000';
  private readonly attributions = new Map<string, CallerMemo>();

  constructor(private readonly opts: AggregatorOptions = {}) {
    this.limits = { ...DEFAULT_LIMITS, ...opts.limits };
    this.mapper = opts.mapper ?? new EventMapper();
  }

  /** The record must have passed `recordProblem` (shape checked by the caller). */
  add(r: CloudTrailRecord): AddOutcome {
    this.recordsRead++;
    const time = eventTimeOf(r);
    if ((this.opts.windowStart !== undefined && time < this.opts.windowStart) || (this.opts.windowEnd !== undefined && time > this.opts.windowEnd)) {
      this.outsideWindow++;
      return 'outside-window';
    }
    if (this.earliest === undefined || time < this.earliest) this.earliest = time;
    if (this.latest === undefined || time > this.latest) this.latest = time;
    if (isDataEvent(r)) this.dataEventsRead++;
    // Records arrive in time order within a file: skip the slice while the day is unchanged.
    if (!time.startsWith(this.lastDay)) {
      this.lastDay = time.slice(0, 10);
      this.daysSeen.add(this.lastDay);
    }

    const memo = this.attribution(r);
    const who = memo.who;
    if ('skip' in who) {
      this.unattributedCounts.set(who.skip, (this.unattributedCounts.get(who.skip) ?? 0) + 1);
      return 'unattributed';
    }
    let p = memo.p;
    // first ≤ last always (both start at the first record's time), so a later time is never a new
    // first: records mostly arrive in time order, and one string comparison then does.
    if (p === undefined) p = memo.p = this.principal(who.principalArn, time);
    else {
      if (time > p.last) p.last = time;
      else if (time < p.first) p.first = time;
    }
    const ua = typeof r.userAgent === 'string' ? r.userAgent : '';
    const ip = typeof r.sourceIPAddress === 'string' ? r.sourceIPAddress : '';
    if (ua) {
      if (ua === memo.pua) memo.puaCount!.n++;
      else {
        memo.puaCount = this.countUserAgent(p, ua, 1);
        memo.pua = ua;
      }
    }
    // The IP of this caller's previous record is already in both IP lists, or was left out of a
    // full one (lists only grow): the two Set lookups are skipped.
    const newIp = ip !== '' && ip !== memo.ip;
    if (newIp && p.ips.size < this.limits.sourceIpsPerPrincipal) p.ips.add(ip);
    let session = memo.s;
    if (session === undefined) memo.s = session = this.session(p, who.sessionName, who.sourceIdentity, time);
    else {
      if (time > session.last) session.last = time;
      else if (time < session.first) session.first = time;
    }

    const mapping = this.mapper.map(r.eventSource, r.eventName);
    if (session) {
      session.events++;
      if (newIp && session.ips.size < this.limits.sourceIpsPerSession) session.ips.add(ip);
    }
    if (newIp) memo.ip = ip;
    let agent: AgentActivity | undefined;
    if (session && ua) {
      // Same caller, same session, same user agent as last time: the same entry (or "other").
      if (ua === memo.ua && memo.agent !== undefined) agent = memo.agent;
      else {
        agent = this.agentActivity(session, ua);
        memo.ua = ua;
        memo.agent = agent;
      }
    }
    if (agent) agent.events++;
    if (!mapping.ok) {
      this.noteUnmapped(r.eventSource, r.eventName, mapping.reason);
      return 'unmapped';
    }
    const denied = isDenied(r);
    // Resource ARNs are built only while some action still has room for them: once an action's
    // list is full and marked truncated, more ARNs change nothing.
    let resources: string[] | undefined;
    for (const action of mapping.actions) {
      let a = p.actions.get(action);
      if (!a) {
        a = { count: 0, denied: 0, first: time, last: time, resources: new Set(), truncated: false };
        p.actions.set(action, a);
      } else {
        if (time > a.last) a.last = time;
        else if (time < a.first) a.first = time;
      }
      if (denied) a.denied++;
      else a.count++;
      if (session && session.actions.size < this.limits.actionsPerSession) session.actions.add(action);
      if (agent && agent.actions.size < this.limits.actionsPerSession) agent.actions.add(action);
      if (denied || a.truncated) continue;
      resources ??= resourcesOf(r);
      for (const arn of resources) {
        if (a.resources.has(arn)) continue;
        if (a.resources.size < this.limits.resourcesPerAction) a.resources.add(arn);
        else a.truncated = true;
      }
    }
    return 'counted';
  }

  /**
   * attribute(r), remembered per caller ARN: a corpus repeats few identities many times, and the
   * answer depends only on the fields compared here (all those attribute() reads), so a hit gives
   * the same object attribute() would build. Bounded; past the bound every record is attributed anew.
   */
  private attribution(r: CloudTrailRecord): CallerMemo {
    const id = r.userIdentity;
    const arn = id.arn;
    if (typeof arn !== 'string') return { type: undefined, issuer: undefined, sourceIdentity: undefined, eventType: undefined, who: attribute(r), p: undefined, s: undefined, ip: undefined, ua: undefined, agent: undefined, pua: undefined, puaCount: undefined };
    const ctx = id.sessionContext;
    const issuer = ctx?.sessionIssuer?.arn;
    const si = ctx?.sourceIdentity;
    const hit = this.attributions.get(arn);
    // With an ARN, attribute() reads neither accountId (only a Root record without an ARN needs
    // it) nor eventType unless the type is missing: comparing them made a caller whose records
    // differ there (an account's sign-ins and API calls) build its memo anew on every change.
    if (hit !== undefined && hit.type === id.type && hit.issuer === issuer && hit.sourceIdentity === si && (id.type !== undefined || hit.eventType === r.eventType)) return hit;
    const memo: CallerMemo = { type: id.type, issuer, sourceIdentity: si, eventType: r.eventType, who: attribute(r), p: undefined, s: undefined, ip: undefined, ua: undefined, agent: undefined, pua: undefined, puaCount: undefined };
    if (hit !== undefined || this.attributions.size < 10_000) this.attributions.set(arn, memo);
    return memo;
  }

  private principal(arn: string, time: string): PrincipalState {
    let p = this.principals.get(arn);
    if (!p) {
      p = { arn, actions: new Map(), sessions: new Map(), sessionCount: 0, sessionsDropped: 0, userAgents: new Map(), userAgentsLumped: false, ips: new Set(), first: time, last: time };
      this.principals.set(arn, p);
    } else {
      if (time > p.last) p.last = time;
      else if (time < p.first) p.first = time;
    }
    return p;
  }

  // Calls with neither a session name nor a sourceIdentity (IAM users' long-term keys) share one
  // session entry, so their user agents and actions are still kept per agent.
  private session(p: PrincipalState, sessionName: string | undefined, sourceIdentity: string | undefined, time: string): SessionState | undefined {
    let byName = p.sessions.get(sessionName ?? '');
    let s = byName?.get(sourceIdentity ?? '');
    if (!s) {
      if (p.sessionCount >= this.limits.sessionsPerPrincipal) {
        p.sessionsDropped++;
        return undefined;
      }
      s = { seq: p.sessionCount, sessionName, sourceIdentity, userAgents: new Map(), ips: new Set(), actions: new Set(), first: time, last: time, events: 0, userAgentsLumped: false };
      if (!byName) {
        byName = new Map();
        p.sessions.set(sessionName ?? '', byName);
      }
      byName.set(sourceIdentity ?? '', s);
      p.sessionCount++;
    } else {
      if (time > s.last) s.last = time;
      else if (time < s.first) s.first = time;
    }
    return s;
  }

  private agentActivity(s: SessionState, ua: string): AgentActivity {
    let a = s.userAgents.get(ua);
    if (!a) {
      const key = s.userAgents.size < this.limits.userAgentsPerSession ? ua : OTHER_UA;
      if (key !== ua) s.userAgentsLumped = true;
      a = s.userAgents.get(key);
      if (!a) {
        a = { events: 0, actions: new Set() };
        s.userAgents.set(key, a);
      }
    }
    return a;
  }

  private noteUnmapped(eventSource: string, eventName: string, reason: string): void {
    this.countUnmapped(`${eventSource} ${eventName}`, eventSource, eventName, reason, 1);
  }

  // Every occurrence of a key lands where its first one did, so counting n at once (absorb) and
  // n times one (add) agree.
  private countUnmapped(key: string, eventSource: string, eventName: string, reason: string, n: number): void {
    let u = this.unmapped.get(key);
    if (!u) {
      if (this.unmapped.size >= this.limits.unmappedPairs) {
        this.unmappedLumped = true;
        u = this.unmapped.get(OTHER_EVENTS) ?? { eventSource: OTHER_EVENTS, eventName: OTHER_EVENTS, count: 0, reason: `more than ${this.limits.unmappedPairs} distinct unmapped events` };
        this.unmapped.set(OTHER_EVENTS, u);
      } else {
        u = { eventSource, eventName, count: 0, reason };
        this.unmapped.set(key, u);
      }
    }
    u.count += n;
  }

  /** Adds n events of `ua` to the principal; returns the count they went to. */
  private countUserAgent(p: PrincipalState, ua: string, n: number): UserAgentCount {
    const m = p.userAgents;
    let c = m.get(ua);
    if (c === undefined) {
      if (m.size < this.limits.userAgentsPerPrincipal) m.set(ua, (c = { n: 0 }));
      else {
        p.userAgentsLumped = true;
        c = m.get(OTHER_UA);
        if (c === undefined) m.set(OTHER_UA, (c = { n: 0 }));
      }
    }
    c.n += n;
    return c;
  }

  /**
   * This aggregator's state, to hand to another aggregator's `absorb`. Not a copy: the aggregator
   * must not be used afterwards (posting it to another thread clones it).
   */
  state(): AggregateState {
    return {
      principals: this.principals,
      unmapped: this.unmapped,
      unmappedLumped: this.unmappedLumped,
      unattributed: this.unattributedCounts,
      daysSeen: this.daysSeen,
      recordsRead: this.recordsRead,
      dataEventsRead: this.dataEventsRead,
      outsideWindow: this.outsideWindow,
      earliest: this.earliest,
      latest: this.latest,
    };
  }

  /**
   * Folds in the state of an aggregator that read the records which come right after this one's,
   * leaving exactly the state `add` would have left for those records one by one. Bounded lists
   * keep first occurrences, so that holds as long as the other side kept every item that could
   * matter here: give it the same limits but `UNBOUNDED_BY_KEY` (its records are few, so its
   * state stays small). When it did not (it dropped sessions, or lumped user agents or unmapped
   * events into an "other" entry, that this side may already know by name), or when two of its
   * user agents land in one full session's "other" entry with more actions than fit (which of
   * them came first is lost), nothing is changed and false is returned: the caller then re-reads
   * those records with `add`. Takes ownership of `s`.
   */
  absorb(s: AggregateState): boolean {
    if (!this.canAbsorb(s)) return false;
    this.recordsRead += s.recordsRead;
    this.dataEventsRead += s.dataEventsRead;
    this.outsideWindow += s.outsideWindow;
    if (s.earliest !== undefined && (this.earliest === undefined || s.earliest < this.earliest)) this.earliest = s.earliest;
    if (s.latest !== undefined && (this.latest === undefined || s.latest > this.latest)) this.latest = s.latest;
    for (const d of s.daysSeen) this.daysSeen.add(d);
    for (const [reason, n] of s.unattributed) this.unattributedCounts.set(reason, (this.unattributedCounts.get(reason) ?? 0) + n);
    for (const [key, u] of s.unmapped) this.countUnmapped(key, u.eventSource, u.eventName, u.reason, u.count);
    for (const [arn, b] of s.principals) {
      let a = this.principals.get(arn);
      if (!a) {
        a = { arn, actions: new Map(), sessions: new Map(), sessionCount: 0, sessionsDropped: 0, userAgents: new Map(), userAgentsLumped: false, ips: new Set(), first: b.first, last: b.last };
        this.principals.set(arn, a);
      }
      this.absorbPrincipal(a, b);
    }
    return true;
  }

  private canAbsorb(s: AggregateState): boolean {
    if (s.unmappedLumped && this.unmapped.size > 0) return false;
    for (const [arn, b] of s.principals) {
      const a = this.principals.get(arn);
      if (a && (b.sessionsDropped > 0 || b.userAgentsLumped)) return false;
      for (const bs of sessionsInOrder(b)) {
        const as = a?.sessions.get(bs.sessionName ?? '')?.get(bs.sourceIdentity ?? '');
        if ((as && bs.userAgentsLumped) || !this.agentsMergeExactly(as, bs)) return false;
      }
    }
    return true;
  }

  /**
   * User agents new to a full session share its "other" entry. Its action list keeps the first
   * actions in record order; with two or more of the other side's agents landing there, their
   * interleaving is unknown, which matters only if the combined list would overflow.
   */
  private agentsMergeExactly(as: SessionState | undefined, bs: SessionState): boolean {
    let size = as?.userAgents.size ?? 0;
    const lumped: AgentActivity[] = [];
    for (const [ua, act] of bs.userAgents) {
      if (as?.userAgents.has(ua)) continue;
      if (size < this.limits.userAgentsPerSession) size++;
      else lumped.push(act);
    }
    if (lumped.length < 2) return true;
    const limit = this.limits.actionsPerSession;
    const other = as?.userAgents.get(OTHER_UA);
    if (other && other.actions.size >= limit) return true;
    const all = new Set(other?.actions);
    for (const act of lumped) {
      if (act.actions.size >= limit) return false;
      for (const x of act.actions) all.add(x);
    }
    return all.size <= limit;
  }

  private absorbPrincipal(a: PrincipalState, b: PrincipalState): void {
    if (b.first < a.first) a.first = b.first;
    if (b.last > a.last) a.last = b.last;
    // Only reached for a principal new here (canAbsorb): its first sessions were kept.
    a.sessionsDropped += b.sessionsDropped;
    for (const [ua, c] of b.userAgents) this.countUserAgent(a, ua, c.n);
    addFirst(a.ips, b.ips, this.limits.sourceIpsPerPrincipal);
    for (const [key, bx] of b.actions) {
      let ax = a.actions.get(key);
      if (!ax) {
        ax = { count: 0, denied: 0, first: bx.first, last: bx.last, resources: new Set(), truncated: false };
        a.actions.set(key, ax);
      }
      ax.count += bx.count;
      ax.denied += bx.denied;
      if (bx.first < ax.first) ax.first = bx.first;
      if (bx.last > ax.last) ax.last = bx.last;
      if (ax.truncated) continue;
      for (const arn of bx.resources) {
        if (ax.resources.has(arn)) continue;
        if (ax.resources.size < this.limits.resourcesPerAction) ax.resources.add(arn);
        else {
          ax.truncated = true;
          break;
        }
      }
      if (bx.truncated) ax.truncated = true;
    }
    for (const bs of sessionsInOrder(b)) {
      const name = bs.sessionName ?? '';
      const identity = bs.sourceIdentity ?? '';
      const as = a.sessions.get(name)?.get(identity);
      if (as) {
        this.absorbSession(as, bs);
        continue;
      }
      if (a.sessionCount >= this.limits.sessionsPerPrincipal) {
        a.sessionsDropped += bs.events;
        continue;
      }
      let byName = a.sessions.get(name);
      if (!byName) {
        byName = new Map();
        a.sessions.set(name, byName);
      }
      const fresh: SessionState = { seq: a.sessionCount++, sessionName: bs.sessionName, sourceIdentity: bs.sourceIdentity, userAgents: new Map(), ips: new Set(), actions: new Set(), first: bs.first, last: bs.last, events: 0, userAgentsLumped: false };
      byName.set(identity, fresh);
      this.absorbSession(fresh, bs);
    }
  }

  private absorbSession(as: SessionState, bs: SessionState): void {
    if (bs.first < as.first) as.first = bs.first;
    if (bs.last > as.last) as.last = bs.last;
    as.events += bs.events;
    addFirst(as.ips, bs.ips, this.limits.sourceIpsPerSession);
    addFirst(as.actions, bs.actions, this.limits.actionsPerSession);
    for (const [ua, act] of bs.userAgents) {
      let target = as.userAgents.get(ua);
      if (!target) {
        const key = as.userAgents.size < this.limits.userAgentsPerSession ? ua : OTHER_UA;
        if (key !== ua) as.userAgentsLumped = true;
        target = as.userAgents.get(key);
        if (!target) {
          target = { events: 0, actions: new Set() };
          as.userAgents.set(key, target);
        }
      }
      target.events += act.events;
      addFirst(target.actions, act.actions, this.limits.actionsPerSession);
    }
  }

  /** Per-principal usage, sorted for stable output. `coveredPrincipals` is decided by the caller. */
  finish(window: { start: string; end: string }, coveredPrincipals: UsageData['coveredPrincipals']): UsageData {
    const byPrincipal: Record<string, PrincipalUsage> = {};
    for (const arn of [...this.principals.keys()].sort()) {
      const p = this.principals.get(arn)!;
      setOwn(byPrincipal, arn, principalUsage(p));
    }
    const unmapped: UnmappedEvent[] = [...this.unmapped.values()]
      .map((u) => ({ eventSource: u.eventSource, eventName: u.eventName, count: u.count, reason: u.reason }))
      .sort((a, b) => b.count - a.count || a.eventSource.localeCompare(b.eventSource) || a.eventName.localeCompare(b.eventName));
    const unattributed = [...this.unattributedCounts].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
    return {
      window,
      byPrincipal,
      coveredPrincipals,
      recordsRead: this.recordsRead,
      dataEventsRead: this.dataEventsRead,
      unmapped,
      ...(unattributed.length > 0 ? { unattributed } : {}),
    };
  }
}

/** Items of `from` not yet in `into`, in order, while `into` has room: first occurrences win. */
function addFirst(into: Set<string>, from: ReadonlySet<string>, limit: number): void {
  for (const x of from) {
    if (into.size >= limit) return;
    into.add(x);
  }
}

function sessionsInOrder(p: PrincipalState): SessionState[] {
  return [...p.sessions.values()].flatMap((byName) => [...byName.values()]).sort((a, b) => a.seq - b.seq);
}

function principalUsage(p: PrincipalState): PrincipalUsage {
  const actions: ActionUsage[] = [...p.actions.keys()].sort().map((key) => {
    const a = p.actions.get(key)!;
    return {
      action: key,
      count: a.count,
      firstSeen: a.first,
      lastSeen: a.last,
      resources: [...a.resources].sort(),
      ...(a.truncated ? { truncated: true } : {}),
      ...(a.denied > 0 ? { deniedCount: a.denied } : {}),
    };
  });
  const sessions: SessionUsage[] = [...p.sessions.values()]
    .flatMap((byName) => [...byName.values()])
    .sort((a, b) => a.first.localeCompare(b.first) || (a.sessionName ?? '').localeCompare(b.sessionName ?? '') || (a.sourceIdentity ?? '').localeCompare(b.sourceIdentity ?? ''))
    .map((s) => ({
      ...(s.sessionName !== undefined ? { sessionName: s.sessionName } : {}),
      ...(s.sourceIdentity !== undefined ? { sourceIdentity: s.sourceIdentity } : {}),
      userAgents: [...s.userAgents.keys()].sort(),
      sourceIps: [...s.ips].sort(),
      firstSeen: s.first,
      lastSeen: s.last,
      eventCount: s.events,
      actions: [...s.actions].sort(),
      userAgentActivity: [...s.userAgents]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([userAgent, act]) => ({ userAgent, events: act.events, actions: [...act.actions].sort() })),
    }));
  const userAgents: Record<string, number> = {};
  for (const ua of [...p.userAgents.keys()].sort()) setOwn(userAgents, ua, p.userAgents.get(ua)!.n);
  return {
    principalArn: p.arn,
    actions,
    sessions,
    userAgents,
    sourceIps: [...p.ips].sort(),
    firstSeen: p.first,
    lastSeen: p.last,
    ...(p.sessionsDropped > 0 ? { sessionsDropped: p.sessionsDropped } : {}),
  };
}
