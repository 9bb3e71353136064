// Folds CloudTrail records, one at a time, into per-principal usage. Nothing here holds records:
// state grows with distinct principals × actions × sessions (each bounded), not with corpus size.
import type { ActionUsage, PrincipalUsage, SessionUsage, UnmappedEvent, UsageData } from '../../model/usage.js';
import { EventMapper } from './event-map.js';
import { attribute, eventTimeOf, isDenied, resourcesOf, type CloudTrailRecord } from './record.js';

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

export type AddOutcome = 'counted' | 'unmapped' | 'unattributed' | 'outside-window';

interface ActionState {
  count: number;
  denied: number;
  first: string;
  last: string;
  readonly resources: Set<string>;
  truncated: boolean;
}

interface AgentActivity {
  events: number;
  readonly actions: Set<string>;
}

interface SessionState {
  readonly sessionName: string | undefined;
  readonly sourceIdentity: string | undefined;
  readonly userAgents: Map<string, AgentActivity>;
  readonly ips: Set<string>;
  readonly actions: Set<string>;
  first: string;
  last: string;
  events: number;
}

interface PrincipalState {
  readonly arn: string;
  readonly actions: Map<string, ActionState>;
  /** sessionName ('' for none) → sourceIdentity ('' for none) → session; nested so no key is built per record. */
  readonly sessions: Map<string, Map<string, SessionState>>;
  sessionCount: number;
  sessionsDropped: number;
  readonly userAgents: Map<string, number>;
  readonly ips: Set<string>;
  first: string;
  last: string;
}

export interface AggregatorOptions {
  /** Records outside [windowStart, windowEnd] (ISO, inclusive) are skipped and counted. */
  readonly windowStart?: string;
  readonly windowEnd?: string;
  readonly limits?: Partial<AggregatorLimits>;
  readonly mapper?: EventMapper;
}

const OTHER_UA = '(other user agents)';

export class UsageAggregator {
  private readonly limits: AggregatorLimits;
  private readonly mapper: EventMapper;
  private readonly principals = new Map<string, PrincipalState>();
  private readonly unmapped = new Map<string, { eventSource: string; eventName: string; count: number; reason: string }>();
  private readonly unattributedCounts = new Map<string, number>();
  /** UTC days (YYYY-MM-DD) with at least one in-window record: the basis of the coverage rule. */
  readonly daysSeen = new Set<string>();
  recordsRead = 0;
  outsideWindow = 0;
  earliest: string | undefined;
  latest: string | undefined;
  private lastDay = '\u0000';

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
    // Records arrive in time order within a file: skip the slice while the day is unchanged.
    if (!time.startsWith(this.lastDay)) {
      this.lastDay = time.slice(0, 10);
      this.daysSeen.add(this.lastDay);
    }

    const who = attribute(r);
    if ('skip' in who) {
      this.unattributedCounts.set(who.skip, (this.unattributedCounts.get(who.skip) ?? 0) + 1);
      return 'unattributed';
    }
    const p = this.principal(who.principalArn, time);
    const ua = typeof r.userAgent === 'string' ? r.userAgent : '';
    const ip = typeof r.sourceIPAddress === 'string' ? r.sourceIPAddress : '';
    if (ua) bump(p.userAgents, ua, this.limits.userAgentsPerPrincipal);
    if (ip && p.ips.size < this.limits.sourceIpsPerPrincipal) p.ips.add(ip);
    const session = this.session(p, who.sessionName, who.sourceIdentity, time);

    const mapping = this.mapper.map(r.eventSource, r.eventName);
    if (session) {
      session.events++;
      if (ip && session.ips.size < this.limits.sourceIpsPerSession) session.ips.add(ip);
    }
    const agent = session && ua ? this.agentActivity(session, ua) : undefined;
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
        if (time < a.first) a.first = time;
        if (time > a.last) a.last = time;
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

  private principal(arn: string, time: string): PrincipalState {
    let p = this.principals.get(arn);
    if (!p) {
      p = { arn, actions: new Map(), sessions: new Map(), sessionCount: 0, sessionsDropped: 0, userAgents: new Map(), ips: new Set(), first: time, last: time };
      this.principals.set(arn, p);
    } else {
      if (time < p.first) p.first = time;
      if (time > p.last) p.last = time;
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
      s = { sessionName, sourceIdentity, userAgents: new Map(), ips: new Set(), actions: new Set(), first: time, last: time, events: 0 };
      if (!byName) {
        byName = new Map();
        p.sessions.set(sessionName ?? '', byName);
      }
      byName.set(sourceIdentity ?? '', s);
      p.sessionCount++;
    } else {
      if (time < s.first) s.first = time;
      if (time > s.last) s.last = time;
    }
    return s;
  }

  private agentActivity(s: SessionState, ua: string): AgentActivity {
    let a = s.userAgents.get(ua);
    if (!a) {
      const key = s.userAgents.size < this.limits.userAgentsPerSession ? ua : OTHER_UA;
      a = s.userAgents.get(key);
      if (!a) {
        a = { events: 0, actions: new Set() };
        s.userAgents.set(key, a);
      }
    }
    return a;
  }

  private noteUnmapped(eventSource: string, eventName: string, reason: string): void {
    const key = `${eventSource} ${eventName}`;
    let u = this.unmapped.get(key);
    if (!u) {
      if (this.unmapped.size >= this.limits.unmappedPairs) {
        const other = '(other events)';
        u = this.unmapped.get(other) ?? { eventSource: other, eventName: other, count: 0, reason: `more than ${this.limits.unmappedPairs} distinct unmapped events` };
        this.unmapped.set(other, u);
      } else {
        u = { eventSource, eventName, count: 0, reason };
        this.unmapped.set(key, u);
      }
    }
    u.count++;
  }

  /** Per-principal usage, sorted for stable output. `coveredPrincipals` is decided by the caller. */
  finish(window: { start: string; end: string }, coveredPrincipals: UsageData['coveredPrincipals']): UsageData {
    const byPrincipal: Record<string, PrincipalUsage> = {};
    for (const arn of [...this.principals.keys()].sort()) {
      const p = this.principals.get(arn)!;
      byPrincipal[arn] = principalUsage(p);
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
      unmapped,
      ...(unattributed.length > 0 ? { unattributed } : {}),
    };
  }
}

function bump(m: Map<string, number>, key: string, limit: number): void {
  const n = m.get(key);
  if (n !== undefined) m.set(key, n + 1);
  else if (m.size < limit) m.set(key, 1);
  else m.set(OTHER_UA, (m.get(OTHER_UA) ?? 0) + 1);
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
  for (const ua of [...p.userAgents.keys()].sort()) userAgents[ua] = p.userAgents.get(ua)!;
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
