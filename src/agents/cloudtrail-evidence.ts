// AI-agent evidence from observed CloudTrail activity: user agents of AI tools and MCP servers,
// and session names / sourceIdentity that name them. The patterns are data
// (src/data/agents/user-agents.json), each with its source; this module only applies them.
import userAgentData from '../data/agents/user-agents.json' with { type: 'json' };
import type { AgentEvidence, Confidence } from '../model/agent.js';
import type { UsageData } from '../model/usage.js';
import { isHumanSessionRoleArn } from './identify.js';

export interface UserAgentRule {
  readonly id: string;
  readonly tool: string;
  readonly confidence: Confidence;
  readonly source: string;
  /** AWS CLI/SDK business-metric code, matched as an element of the `m/` list (case-sensitive). */
  readonly businessMetric?: string;
  /** Case-insensitive regex; a first capture group, if any, names the server or client. */
  readonly pattern?: RegExp;
}

export interface NameRule {
  readonly id: string;
  readonly tool: string;
  readonly confidence: Confidence;
  readonly source: string;
  readonly pattern: RegExp;
}

export interface UserAgentMatch {
  readonly rule: UserAgentRule;
  /** What matched: `m/…AN`, or the matched text. */
  readonly matched: string;
}

function confidenceOf(v: string): Confidence {
  if (v === 'high' || v === 'medium' || v === 'low') return v;
  throw new Error(`user-agents.json: confidence "${v}" is not high|medium|low`);
}

export const USER_AGENT_RULES: readonly UserAgentRule[] = userAgentData.userAgents.map((u) => {
  const m = u.match as { businessMetric?: string; pattern?: string };
  return {
    id: u.id,
    tool: u.tool,
    confidence: confidenceOf(u.confidence),
    source: u.source,
    ...(m.businessMetric !== undefined ? { businessMetric: m.businessMetric } : {}),
    ...(m.pattern !== undefined ? { pattern: new RegExp(m.pattern, 'i') } : {}),
  };
});

export const SESSION_NAME_RULES: readonly NameRule[] = userAgentData.sessionNames.map((s) => ({
  id: s.id,
  tool: s.tool,
  confidence: confidenceOf(s.confidence),
  source: s.source,
  pattern: new RegExp(s.pattern, 'i'),
}));

/**
 * The AWS CLI/SDK business-metric codes of a user agent. The `m/` component is one
 * space-delimited token holding a comma-separated list (`m/E,AN,b`); a code matches only as a
 * whole element, so `AN` is not found in `m/ANX` or in `ANSIBLE`.
 */
export function businessMetrics(userAgent: string): string[] {
  const codes: string[] = [];
  for (const token of userAgent.split(/\s+/)) {
    if (token.startsWith('m/')) codes.push(...token.slice(2).split(',').filter(Boolean));
  }
  return codes;
}

/** Every rule a user agent matches, in data-file order (most specific first). */
export function matchUserAgent(userAgent: string, rules: readonly UserAgentRule[] = USER_AGENT_RULES): UserAgentMatch[] {
  const out: UserAgentMatch[] = [];
  let metrics: string[] | undefined;
  for (const rule of rules) {
    if (rule.businessMetric !== undefined) {
      metrics ??= businessMetrics(userAgent);
      if (metrics.includes(rule.businessMetric)) out.push({ rule, matched: `m/…${rule.businessMetric}` });
    } else if (rule.pattern) {
      const m = rule.pattern.exec(userAgent);
      if (m) out.push({ rule, matched: m[0] });
    }
  }
  return out;
}

export function matchName(name: string, rules: readonly NameRule[] = SESSION_NAME_RULES): NameRule[] {
  return rules.filter((r) => r.pattern.test(name));
}

const rank: Record<Confidence, number> = { high: 3, medium: 2, low: 1 };
const clip = (s: string, n = 120): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Per principal ARN: what in its CloudTrail activity points at an AI tool. Principals with none are absent. */
export function agentEvidenceFromUsage(usage: UsageData): Record<string, AgentEvidence[]> {
  const out: Record<string, AgentEvidence[]> = {};
  for (const [arn, p] of Object.entries(usage.byPrincipal)) {
    // Kept with their event counts so the strongest, most frequent evidence comes first.
    const evidence: { e: AgentEvidence; events: number }[] = [];

    const byUaRule = new Map<string, { match: UserAgentMatch; events: number; example: string; agents: number }>();
    for (const [ua, events] of Object.entries(p.userAgents)) {
      for (const match of matchUserAgent(ua)) {
        const prev = byUaRule.get(match.rule.id);
        if (prev) {
          prev.events += events;
          prev.agents++;
        } else byUaRule.set(match.rule.id, { match, events, example: ua, agents: 1 });
      }
    }
    for (const { match, events, example, agents } of byUaRule.values()) {
      evidence.push({
        events,
        e: {
          kind: 'cloudtrail-user-agent',
          tool: match.rule.tool,
          confidence: match.rule.confidence,
          detail: `user agent matched ${match.rule.id} (${match.matched}) on ${plural(events, 'event')} from ${plural(agents, 'user agent')}, e.g. "${clip(example)}"`,
        },
      });
    }

    // IAM Identity Center names an AWSReservedSSO_* session after the engineer's user name, which
    // no tool can choose: "claude.martin@example.com" is a person, not Claude Code.
    const nameFields = isHumanSessionRoleArn(arn)
      ? ([['sourceIdentity', 'cloudtrail-source-identity']] as const)
      : ([['sessionName', 'cloudtrail-session-name'], ['sourceIdentity', 'cloudtrail-source-identity']] as const);
    for (const [field, kind] of nameFields) {
      const byRule = new Map<string, { rule: NameRule; events: number; names: Set<string> }>();
      for (const s of p.sessions) {
        const name = s[field];
        if (!name) continue;
        for (const rule of matchName(name)) {
          const prev = byRule.get(rule.id) ?? { rule, events: 0, names: new Set<string>() };
          prev.events += s.eventCount;
          prev.names.add(name);
          byRule.set(rule.id, prev);
        }
      }
      for (const { rule, events, names } of byRule.values()) {
        const shown = [...names].slice(0, 3).map((n) => `"${clip(n, 64)}"`).join(', ');
        evidence.push({
          events,
          e: {
            kind,
            tool: rule.tool,
            confidence: rule.confidence,
            detail: `${field === 'sessionName' ? 'session name' : 'sourceIdentity'} matched ${rule.id}: ${shown}${names.size > 3 ? ` and ${names.size - 3} more` : ''} (${plural(names.size, 'session')}, ${plural(events, 'event')})`,
          },
        });
      }
    }
    if (evidence.length > 0) {
      out[arn] = evidence
        .sort((a, b) => rank[b.e.confidence] - rank[a.e.confidence] || b.events - a.events || a.e.kind.localeCompare(b.e.kind) || (a.e.tool ?? '').localeCompare(b.e.tool ?? ''))
        .map((x) => x.e);
    }
  }
  return out;
}

export interface AiDrivenSession {
  readonly principalArn: string;
  /** The tool of the first (most specific) matching rule. */
  readonly tool: string;
  readonly confidence: Confidence;
  /** What identified the calls as agent-driven. */
  readonly matchedBy: 'user-agent' | 'session-name' | 'source-identity';
  /** Every rule that matched (ids from user-agents.json). */
  readonly rules: readonly string[];
  readonly sessionName?: string;
  readonly sourceIdentity?: string;
  readonly userAgent: string;
  readonly events: number;
  /** Actions attempted with this user agent in this session (granted or denied). */
  readonly actions: readonly string[];
}

/**
 * Calls made by AI tools, per (principal, session, user agent). A human's own session (e.g. an
 * AWSReservedSSO_* role whose session name is the engineer's e-mail) shows up here when some of
 * its calls carry an AI tool's user agent; only those calls' actions are listed. Sessions whose
 * name or sourceIdentity names a tool are listed with all their user agents (session names of
 * AWSReservedSSO_* roles are Identity Center user names, so they are not read).
 */
export function aiDrivenSessions(usage: UsageData): AiDrivenSession[] {
  const out: AiDrivenSession[] = [];
  for (const [arn, p] of Object.entries(usage.byPrincipal)) {
    const namesChosenByIdentityCenter = isHumanSessionRoleArn(arn);
    for (const s of p.sessions) {
      const activity = s.userAgentActivity ?? s.userAgents.map((userAgent) => ({ userAgent, events: 0, actions: s.actions ?? [] }));
      const byName = s.sessionName && !namesChosenByIdentityCenter ? matchName(s.sessionName) : [];
      const bySource = s.sourceIdentity ? matchName(s.sourceIdentity) : [];
      for (const act of activity) {
        const uaMatches = matchUserAgent(act.userAgent);
        const first = uaMatches[0];
        const base = {
          principalArn: arn,
          ...(s.sessionName !== undefined ? { sessionName: s.sessionName } : {}),
          ...(s.sourceIdentity !== undefined ? { sourceIdentity: s.sourceIdentity } : {}),
          userAgent: act.userAgent,
          events: act.events,
          actions: act.actions,
        };
        if (first) {
          out.push({ ...base, tool: first.rule.tool, confidence: best(uaMatches.map((m) => m.rule.confidence)), matchedBy: 'user-agent', rules: uaMatches.map((m) => m.rule.id) });
        } else if (bySource[0]) {
          out.push({ ...base, tool: bySource[0].tool, confidence: best(bySource.map((r) => r.confidence)), matchedBy: 'source-identity', rules: bySource.map((r) => r.id) });
        } else if (byName[0]) {
          out.push({ ...base, tool: byName[0].tool, confidence: best(byName.map((r) => r.confidence)), matchedBy: 'session-name', rules: byName.map((r) => r.id) });
        }
      }
    }
  }
  return out;
}

function best(cs: readonly Confidence[]): Confidence {
  return cs.reduce<Confidence>((a, c) => (rank[c] > rank[a] ? c : a), 'low');
}
