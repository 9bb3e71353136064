// Agents a role's trust policy names that never assumed it while CloudTrail watched them: the
// trust side of "what it may do vs what it needs". The agent side (a boundary's reach guard)
// caps what the agent may become; this one removes the door from the role's side, where one
// reviewer can see and close it.
import type { AnalyzedPrincipal } from '../checks/types.js';
import type { Statement } from '../model/policy.js';
import type { Role } from '../model/snapshot.js';
import type { UsageData } from '../model/usage.js';

export interface UnusedAgentTrust {
  readonly agentArn: string;
  readonly agentName: string;
  /** Trust statements (by index) whose Principal names the agent's ARN. */
  readonly statements: readonly number[];
  /** Events of the agent the window holds: proof the trail saw it act, just not assume this role. */
  readonly agentEvents: number;
}

const ASSUME = /^sts:(?:\*|AssumeRole\*?|Assume\*)$/i;

function grantsAssumeRole(s: Statement): boolean {
  return s.effect === 'Allow' && (s.action ?? []).some((a) => ASSUME.test(a) || a === '*');
}

function awsPrincipals(s: Statement): readonly string[] {
  return s.principal !== undefined && s.principal !== '*' ? s.principal.AWS ?? [] : [];
}

function covered(usage: UsageData, arn: string): boolean {
  return usage.coveredPrincipals === 'all' || usage.coveredPrincipals.includes(arn);
}

/**
 * Every role ARN some principal was seen assuming (sts:AssumeRole resources); a list cut short
 * still proves the ones it holds.
 */
export function observedAssumeTargets(usage: UsageData): ReadonlySet<string> {
  const targets = new Set<string>();
  for (const p of Object.values(usage.byPrincipal)) {
    for (const a of p.actions) if (a.action.toLowerCase() === 'sts:assumerole') for (const r of a.resources) targets.add(r);
  }
  return targets;
}

/** What the agent's own record says about assuming `roleArn`: seen, not seen, or unknown (list cut short). */
function agentAssumed(usage: UsageData, agentArn: string, roleArn: string): 'seen' | 'not-seen' | 'unknown' {
  const a = usage.byPrincipal[agentArn]?.actions.find((x) => x.action.toLowerCase() === 'sts:assumerole');
  if (!a) return 'not-seen';
  if (a.resources.includes(roleArn)) return 'seen';
  return a.truncated ? 'unknown' : 'not-seen';
}

/**
 * Agents named (by exact ARN) in an Allow of sts:AssumeRole in `role`'s trust policy that, with
 * usage covering them for the whole window, never assumed it. Unknown is not unused, so nothing
 * is claimed when:
 * - the agent's usage is not covered, or its AssumeRole resources were cut short;
 * - the role was active in the window (CloudTrail events or RoleLastUsed) yet nobody was seen
 *   assuming it: the trail misses assumptions (AssumeRole through a regional STS endpoint is
 *   logged in that region only), so the agent may be the one who did.
 */
export function unusedAgentTrust(role: Role, agents: ReadonlyMap<string, AnalyzedPrincipal>, usage: UsageData | undefined, seen: ReadonlySet<string>): UnusedAgentTrust[] {
  if (!usage) return [];
  const start = Date.parse(usage.window.start);
  const roleActive = (usage.byPrincipal[role.arn]?.actions.length ?? 0) > 0
    || (usage.byPrincipal[role.arn]?.sessions.length ?? 0) > 0
    || (role.lastUsed?.date !== undefined && Date.parse(role.lastUsed.date) >= start);
  if (roleActive && !seen.has(role.arn)) return [];
  const byAgent = new Map<string, number[]>();
  for (const s of role.trustPolicy.statements) {
    if (!grantsAssumeRole(s) || s.notPrincipal) continue;
    for (const arn of awsPrincipals(s)) {
      if (arn === role.arn || !agents.has(arn)) continue;
      const list = byAgent.get(arn) ?? [];
      if (!list.includes(s.index)) list.push(s.index);
      byAgent.set(arn, list);
    }
  }
  const out: UnusedAgentTrust[] = [];
  for (const [arn, statements] of byAgent) {
    if (!covered(usage, arn) || agentAssumed(usage, arn, role.arn) !== 'not-seen') continue;
    const u = usage.byPrincipal[arn];
    const events = u ? Object.values(u.userAgents).reduce((n, c) => n + c, 0) : 0;
    out.push({ agentArn: arn, agentName: agents.get(arn)!.principal.name, statements, agentEvents: events });
  }
  return out.sort((a, b) => (a.agentArn < b.agentArn ? -1 : a.agentArn > b.agentArn ? 1 : 0));
}

/** unusedAgentTrust for every role of the account, by role ARN (roles with none are absent). */
export function unusedAgentTrustByRole(principals: readonly AnalyzedPrincipal[], usage: UsageData | undefined): ReadonlyMap<string, readonly UnusedAgentTrust[]> {
  const out = new Map<string, UnusedAgentTrust[]>();
  if (!usage) return out;
  const agents = new Map(principals.filter((a) => a.isAgent).map((a) => [a.principal.arn, a] as const));
  if (agents.size === 0) return out;
  const seen = observedAssumeTargets(usage);
  for (const a of principals) {
    if (a.principal.kind !== 'role') continue;
    const list = unusedAgentTrust(a.principal, agents, usage, seen);
    if (list.length > 0) out.set(a.principal.arn, list);
  }
  return out;
}
