// Combines usage from two sources (e.g. a CloudTrail read and service-last-accessed reports).
import type { ActionUsage, PrincipalUsage, SessionUsage, UnmappedEvent, UsageData } from '../../model/usage.js';
import { DEFAULT_LIMITS } from './aggregate.js';
import { setOwn } from './set-own.js';

const minTime = (a: string, b: string): string => (!a ? b : !b ? a : a < b ? a : b);
const maxTime = (a: string, b: string): string => (a > b ? a : b);
const union = (a: readonly string[], b: readonly string[]): string[] => [...new Set([...a, ...b])].sort();

/**
 * The merged window is the span of both. A source's coverage claim survives only when its own
 * window spans the merged one: a 90-day trail says nothing about day 91, so merging it with a
 * 400-day last-accessed report keeps only the report's principals covered. Conservative by design.
 */
export function mergeUsage(a: UsageData, b: UsageData): UsageData {
  const window = { start: minTime(a.window.start, b.window.start), end: maxTime(a.window.end, b.window.end) };
  const spans = (u: UsageData): boolean => u.window.start <= window.start && u.window.end >= window.end;
  const claims = [a, b].filter(spans).map((u) => u.coveredPrincipals);
  const coveredPrincipals: UsageData['coveredPrincipals'] = claims.includes('all')
    ? 'all'
    : [...new Set(claims.flatMap((c) => (c === 'all' ? [] : c)))].sort();

  const byPrincipal: Record<string, PrincipalUsage> = {};
  for (const arn of [...new Set([...Object.keys(a.byPrincipal), ...Object.keys(b.byPrincipal)])].sort()) {
    // Own entries only: an ARN such as "constructor" must not read Object.prototype's.
    const x = Object.hasOwn(a.byPrincipal, arn) ? a.byPrincipal[arn] : undefined;
    const y = Object.hasOwn(b.byPrincipal, arn) ? b.byPrincipal[arn] : undefined;
    setOwn(byPrincipal, arn, x && y ? mergePrincipal(x, y) : (x ?? y)!);
  }

  const unmapped = new Map<string, UnmappedEvent>();
  for (const u of [...a.unmapped, ...b.unmapped]) {
    const key = `${u.eventSource} ${u.eventName}`;
    const prev = unmapped.get(key);
    unmapped.set(key, prev ? { ...prev, count: prev.count + u.count } : u);
  }
  const unattributed = new Map<string, number>();
  for (const u of [...(a.unattributed ?? []), ...(b.unattributed ?? [])]) unattributed.set(u.reason, (unattributed.get(u.reason) ?? 0) + u.count);

  return {
    window,
    byPrincipal,
    coveredPrincipals,
    recordsRead: a.recordsRead + b.recordsRead,
    ...(a.dataEventsRead !== undefined || b.dataEventsRead !== undefined ? { dataEventsRead: (a.dataEventsRead ?? 0) + (b.dataEventsRead ?? 0) } : {}),
    unmapped: [...unmapped.values()].sort((p, q) => q.count - p.count || p.eventSource.localeCompare(q.eventSource) || p.eventName.localeCompare(q.eventName)),
    ...(unattributed.size > 0 ? { unattributed: [...unattributed].map(([reason, count]) => ({ reason, count })).sort((p, q) => q.count - p.count || p.reason.localeCompare(q.reason)) } : {}),
  };
}

export function mergePrincipal(x: PrincipalUsage, y: PrincipalUsage): PrincipalUsage {
  const actions = new Map<string, ActionUsage>();
  for (const act of [...x.actions, ...y.actions]) {
    const prev = actions.get(act.action);
    actions.set(act.action, prev ? mergeAction(prev, act) : act);
  }
  const sessions = new Map<string, SessionUsage>();
  for (const s of [...x.sessions, ...y.sessions]) {
    const key = `${s.sessionName ?? ''}\u0000${s.sourceIdentity ?? ''}`;
    const prev = sessions.get(key);
    sessions.set(key, prev ? mergeSession(prev, s) : s);
  }
  const userAgents: Record<string, number> = { ...x.userAgents };
  for (const [ua, n] of Object.entries(y.userAgents)) setOwn(userAgents, ua, (Object.hasOwn(userAgents, ua) ? userAgents[ua]! : 0) + n);
  const servicesOnly = union(x.servicesOnly ?? [], y.servicesOnly ?? []);
  const dropped = (x.sessionsDropped ?? 0) + (y.sessionsDropped ?? 0);
  return {
    principalArn: x.principalArn,
    actions: [...actions.values()].sort((p, q) => p.action.localeCompare(q.action)),
    sessions: [...sessions.values()].sort((p, q) => p.firstSeen.localeCompare(q.firstSeen)),
    userAgents,
    sourceIps: union(x.sourceIps, y.sourceIps),
    firstSeen: minTime(x.firstSeen, y.firstSeen),
    lastSeen: maxTime(x.lastSeen, y.lastSeen),
    ...(servicesOnly.length > 0 ? { servicesOnly } : {}),
    ...(dropped > 0 ? { sessionsDropped: dropped } : {}),
  };
}

function mergeAction(p: ActionUsage, q: ActionUsage): ActionUsage {
  const all = union(p.resources, q.resources);
  const limit = DEFAULT_LIMITS.resourcesPerAction;
  const denied = (p.deniedCount ?? 0) + (q.deniedCount ?? 0);
  return {
    action: p.action,
    count: p.count + q.count,
    firstSeen: minTime(p.firstSeen, q.firstSeen),
    lastSeen: maxTime(p.lastSeen, q.lastSeen),
    resources: all.slice(0, limit),
    ...(p.truncated || q.truncated || all.length > limit ? { truncated: true } : {}),
    ...(denied > 0 ? { deniedCount: denied } : {}),
  };
}

function mergeSession(p: SessionUsage, q: SessionUsage): SessionUsage {
  const activity = new Map<string, { userAgent: string; events: number; actions: readonly string[] }>();
  for (const a of [...(p.userAgentActivity ?? []), ...(q.userAgentActivity ?? [])]) {
    const prev = activity.get(a.userAgent);
    activity.set(a.userAgent, prev ? { userAgent: a.userAgent, events: prev.events + a.events, actions: union(prev.actions, a.actions) } : a);
  }
  const actions = union(p.actions ?? [], q.actions ?? []);
  return {
    ...(p.sessionName !== undefined ? { sessionName: p.sessionName } : {}),
    ...(p.sourceIdentity !== undefined ? { sourceIdentity: p.sourceIdentity } : {}),
    userAgents: union(p.userAgents, q.userAgents),
    sourceIps: union(p.sourceIps, q.sourceIps),
    firstSeen: minTime(p.firstSeen, q.firstSeen),
    lastSeen: maxTime(p.lastSeen, q.lastSeen),
    eventCount: p.eventCount + q.eventCount,
    ...(actions.length > 0 ? { actions } : {}),
    ...(activity.size > 0 ? { userAgentActivity: [...activity.values()].sort((m, n) => m.userAgent.localeCompare(n.userAgent)) } : {}),
  };
}
