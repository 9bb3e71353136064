// Aggregate rows (usage-sql.ts, from Athena or DuckDB) → UsageData. Attribution and the
// event → IAM action mapping are the local reader's own functions (record.ts, event-map.ts); the
// rows become the aggregator state the local reader would have built, which a fresh aggregator
// absorbs (its limits applied) and finishes, so both routes end in the same code.
//
// Equal to the local reader exactly while no bounded list overflows. Past a bound (more than 50
// resources for an action, 200 actions in a session, …) the local reader keeps the first items in
// file order, which an aggregate cannot know: there the SQL route keeps the lexicographically
// first resources and the actions of the earliest rows. Counts, times and sets within bounds stay exact.
import type { UsageData } from '../../model/usage.js';
import { DEFAULT_LIMITS, UsageAggregator, type AggregateState, type AggregatorLimits, type PrincipalState, type SessionState } from './aggregate.js';
import { coverageFor, missingDays, reportedWindow } from './coverage.js';
import { EventMapper } from './event-map.js';
import { attribute, type CloudTrailRecord } from './record.js';

/** One aggregate row, values as the engine returned them (strings, JSON text, numbers or null). */
export type UsageRow = Readonly<Record<string, unknown>>;

export class RowError extends Error {
  constructor(
    readonly row: number,
    readonly column: string,
    readonly expected: string,
  ) {
    super(`aggregate row ${row}, column ${column}: expected ${expected}`);
    this.name = 'RowError';
  }
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function count(row: UsageRow, i: number, col: string): number {
  const v = row[col];
  const n = typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n) || n < 0) throw new RowError(i, col, 'a whole number ≥ 0');
  return n;
}

function json<T>(row: UsageRow, i: number, col: string, check: (v: unknown) => v is T, empty: T): T {
  const v = row[col];
  if (v === null || v === undefined || v === '') return empty;
  let parsed: unknown = v;
  if (typeof v === 'string') {
    try {
      parsed = JSON.parse(v);
    } catch {
      throw new RowError(i, col, 'JSON text');
    }
  }
  if (parsed === null) return empty;
  if (!check(parsed)) throw new RowError(i, col, 'the JSON shape the query produces');
  return parsed;
}

const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
const isCountMap = (v: unknown): v is Record<string, number> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0);

const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

export interface RowsToUsageOptions {
  readonly windowStart?: string;
  readonly windowEnd?: string;
  readonly limits?: Partial<AggregatorLimits>;
}

export interface RowsUsage {
  readonly usage: UsageData;
  readonly missingDays: string[];
  readonly events: number;
}

/** Rows in any order; they are folded in order of first sighting (as records arrive in time). */
export function rowsToUsage(rows: readonly UsageRow[], opts: RowsToUsageOptions = {}): RowsUsage {
  const mapper = new EventMapper();
  const principals = new Map<string, PrincipalState>();
  const unmapped = new Map<string, { eventSource: string; eventName: string; count: number; reason: string }>();
  const unattributed = new Map<string, number>();
  const daysSeen = new Set<string>();
  let recordsRead = 0;
  let dataEventsRead = 0;
  let earliest: string | undefined;
  let latest: string | undefined;

  const parsed = rows.map((row, i) => {
    const first = str(row['first_seen']);
    const last = str(row['last_seen']);
    if (!first || !TIME.test(first)) throw new RowError(i, 'first_seen', 'a time like 2024-01-31T12:00:00Z');
    if (!last || !TIME.test(last)) throw new RowError(i, 'last_seen', 'a time like 2024-01-31T12:00:00Z');
    const eventSource = str(row['event_source']);
    const eventName = str(row['event_name']);
    if (eventSource === undefined) throw new RowError(i, 'event_source', 'a string');
    if (eventName === undefined) throw new RowError(i, 'event_name', 'a string');
    return { row, i, first, last, eventSource, eventName };
  });
  parsed.sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : a.i - b.i));

  for (const { row, i, first, last, eventSource, eventName } of parsed) {
    const calls = count(row, i, 'calls');
    const denied = count(row, i, 'denied');
    const total = calls + denied;
    recordsRead += total;
    dataEventsRead += count(row, i, 'data_events');
    for (const d of json(row, i, 'days', isStringArray, [])) daysSeen.add(d);
    if (earliest === undefined || first < earliest) earliest = first;
    if (latest === undefined || last > latest) latest = last;

    // The record attribute() would see: only the fields it reads.
    const record = {
      eventTime: first,
      eventSource,
      eventName,
      ...(str(row['event_type']) ? { eventType: str(row['event_type']) } : {}),
      userIdentity: {
        ...(str(row['id_type']) ? { type: str(row['id_type']) } : {}),
        ...(str(row['id_arn']) ? { arn: str(row['id_arn']) } : {}),
        ...(str(row['id_account']) ? { accountId: str(row['id_account']) } : {}),
        sessionContext: {
          ...(str(row['issuer_arn']) ? { sessionIssuer: { arn: str(row['issuer_arn']) } } : {}),
          ...(str(row['source_identity']) ? { sourceIdentity: str(row['source_identity']) } : {}),
        },
      },
    } as CloudTrailRecord;
    const who = attribute(record);
    if ('skip' in who) {
      unattributed.set(who.skip, (unattributed.get(who.skip) ?? 0) + total);
      continue;
    }
    let p = principals.get(who.principalArn);
    if (!p) {
      p = { arn: who.principalArn, actions: new Map(), sessions: new Map(), sessionCount: 0, sessionsDropped: 0, userAgents: new Map(), userAgentsLumped: false, ips: new Set(), first, last };
      principals.set(who.principalArn, p);
    }
    if (first < p.first) p.first = first;
    if (last > p.last) p.last = last;
    const agents = json(row, i, 'user_agents', isCountMap, {});
    const ips = json(row, i, 'source_ips', isStringArray, []);
    for (const [ua, n] of Object.entries(agents)) {
      const c = p.userAgents.get(ua);
      if (c) c.n += n;
      else p.userAgents.set(ua, { n });
    }
    for (const ip of ips) p.ips.add(ip);

    const name = who.sessionName ?? '';
    const identity = who.sourceIdentity ?? '';
    let byName = p.sessions.get(name);
    if (!byName) {
      byName = new Map();
      p.sessions.set(name, byName);
    }
    let s: SessionState | undefined = byName.get(identity);
    if (!s) {
      s = { seq: p.sessionCount++, sessionName: who.sessionName, sourceIdentity: who.sourceIdentity, userAgents: new Map(), ips: new Set(), actions: new Set(), first, last, events: 0, userAgentsLumped: false };
      byName.set(identity, s);
    }
    if (first < s.first) s.first = first;
    if (last > s.last) s.last = last;
    s.events += total;
    for (const ip of ips) s.ips.add(ip);

    const mapping = mapper.map(eventSource, eventName);
    for (const [ua, n] of Object.entries(agents)) {
      let act = s.userAgents.get(ua);
      if (!act) {
        act = { events: 0, actions: new Set() };
        s.userAgents.set(ua, act);
      }
      act.events += n;
      if (mapping.ok) for (const a of mapping.actions) act.actions.add(a);
    }
    if (!mapping.ok) {
      const k = `${eventSource} ${eventName}`;
      const u = unmapped.get(k) ?? { eventSource, eventName, count: 0, reason: mapping.reason };
      u.count += total;
      unmapped.set(k, u);
      continue;
    }
    const resources = json(row, i, 'resources', isStringArray, []);
    for (const action of mapping.actions) {
      s.actions.add(action);
      let a = p.actions.get(action);
      if (!a) {
        a = { count: 0, denied: 0, first, last, resources: new Set(), truncated: false };
        p.actions.set(action, a);
      }
      if (first < a.first) a.first = first;
      if (last > a.last) a.last = last;
      a.count += calls;
      a.denied += denied;
      for (const r of resources) a.resources.add(r);
    }
  }

  // Bounded lists: the engine returned one item past each bound to say "there were more".
  const limits = { ...DEFAULT_LIMITS, ...opts.limits };
  for (const p of principals.values()) {
    for (const a of p.actions.values()) {
      if (a.resources.size > limits.resourcesPerAction) {
        const kept = [...a.resources].sort().slice(0, limits.resourcesPerAction);
        a.resources.clear();
        for (const r of kept) a.resources.add(r);
        a.truncated = true;
      }
    }
  }
  const state: AggregateState = { principals, unmapped, unmappedLumped: false, unattributed, daysSeen, recordsRead, dataEventsRead, outsideWindow: 0, earliest, latest };
  const make = (l: Partial<AggregatorLimits> | undefined) =>
    new UsageAggregator({
      ...(opts.windowStart !== undefined ? { windowStart: opts.windowStart } : {}),
      ...(opts.windowEnd !== undefined ? { windowEnd: opts.windowEnd } : {}),
      ...(l ? { limits: l } : {}),
    });
  let agg = make(opts.limits);
  // absorb refuses only when two or more user agents beyond a session's bound would share its
  // "other" entry with more actions than fit (which came first is unknowable from aggregates):
  // then that session keeps every user agent rather than guess.
  if (!agg.absorb(state)) {
    agg = make({ ...opts.limits, userAgentsPerSession: Infinity });
    if (!agg.absorb(state)) throw new Error('internal: aggregate rows could not be absorbed');
  }
  const window = reportedWindow({ ...(opts.windowStart ? { start: opts.windowStart } : {}), ...(opts.windowEnd ? { end: opts.windowEnd } : {}) }, agg.earliest, agg.latest);
  return {
    usage: agg.finish(window, coverageFor(window, agg.daysSeen)),
    missingDays: agg.daysSeen.size === 0 ? [] : missingDays(window, agg.daysSeen),
    events: recordsRead,
  };
}
