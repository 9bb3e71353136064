// AI-agent evidence from observed CloudTrail activity: user agents of AI tools and MCP servers
// (the registry in src/data/agents/ai-tools.json, applied by ./user-agent.ts), and words in
// session names / sourceIdentity that name a tool. Evidence composes: a tool's own marker in the
// user agent is strong; a word in a session name is weak, and none at all when the name is a
// person's (an e-mail, given.family) or the role is federated from people (Identity Center, SAML),
// where the identity provider, not a tool, chose the name.
import registry from '../data/agents/ai-tools.json' with { type: 'json' };
import type { AgentEvidence, Confidence } from '../model/agent.js';
import type { UsageData } from '../model/usage.js';
import { isHumanSessionRoleArn, looksLikePerson, nameWords } from './identify.js';
import { clip, matchUserAgent, REGISTRY_SIGNATURES, sanitise, unrecognisedMarker, type Signature, type UserAgentMatch } from './user-agent.js';

export { businessMetrics, matchUserAgent, REGISTRY_SIGNATURES, unrecognisedMarker } from './user-agent.js';

export interface NameRule {
  readonly id: string;
  readonly tool: string;
  readonly confidence: Confidence;
  readonly source: string;
  /** Words (a `-` joins consecutive words) any of which names the tool. */
  readonly words: readonly (readonly string[])[];
  /** The tool's word is also a person's given name: a name that is that word alone is a person's. */
  readonly givenName: boolean;
}

const sessionData = registry.sessionNames as { rules: { id: string; tool: string; words: string[]; givenName?: boolean }[]; source: string };

export const SESSION_NAME_RULES: readonly NameRule[] = sessionData.rules.map((r) => ({
  id: r.id,
  tool: r.tool,
  // No tool publishes a session-name convention: a word alone is weak.
  confidence: 'low' as const,
  source: sessionData.source,
  words: r.words.map((w) => w.toLowerCase().split('-')),
  givenName: r.givenName === true,
}));

/** Rules whose words appear (as whole, consecutive words) in a session name or sourceIdentity. */
export function matchName(name: string, rules: readonly NameRule[] = SESSION_NAME_RULES): NameRule[] {
  const words = nameWords(name.slice(0, 256)).split('-').filter(Boolean);
  const has = (seq: readonly string[]) => words.some((_, i) => seq.every((w, j) => words[i + j] === w));
  // "claude" alone (a session named after the person who assumed the role) is no tool's name.
  const alone = (r: NameRule) => r.givenName && words.length === 1 && r.words.some((seq) => seq.length === 1 && seq[0] === words[0]);
  return rules.filter((r) => r.words.some(has) && !alone(r));
}

/** Why a session name says nothing about a tool, or undefined when it may. */
export function personNamed(name: string, federatedFromPeople: boolean): string | undefined {
  if (federatedFromPeople) return 'the role is federated from people (IAM Identity Center or SAML), whose identity provider names the session after the person';
  if (looksLikePerson(name)) return name.includes('@') ? 'the name is an e-mail address' : 'the name reads like a person\'s (given.family)';
  return undefined;
}

export interface UsageEvidenceOptions {
  /** Role ARNs whose sessions are people's (SAML-federated roles); AWSReservedSSO_* roles always are. */
  readonly peopleFederatedRoles?: ReadonlySet<string>;
  /** Registry signatures plus leash.config.yaml `agents.signatures`. */
  readonly signatures?: readonly Signature[];
}

const rank: Record<Confidence, number> = { high: 3, medium: 2, low: 1 };
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
const quote = (s: string, n = 120): string => `"${clip(sanitise(s), n)}"`;

/** Per principal ARN: what in its CloudTrail activity points at an AI tool. Principals with none are absent. */
export function agentEvidenceFromUsage(usage: UsageData, opts: UsageEvidenceOptions = {}): Record<string, AgentEvidence[]> {
  const signatures = opts.signatures ?? REGISTRY_SIGNATURES;
  const out: Record<string, AgentEvidence[]> = {};
  for (const [arn, p] of Object.entries(usage.byPrincipal)) {
    // Kept with their event counts so the strongest, most frequent evidence comes first.
    const evidence: { e: AgentEvidence; events: number }[] = [];

    const byUaRule = new Map<string, { match: UserAgentMatch; events: number; example: string; agents: number }>();
    const unknown = new Map<string, { events: number; example: string }>();
    for (const [ua, events] of Object.entries(p.userAgents)) {
      const matches = matchUserAgent(ua, signatures);
      const tools = new Set<string>();
      for (const match of matches) {
        // One piece of evidence per tool and user agent: the strongest signature (they come first).
        if (tools.has(match.rule.tool)) continue;
        tools.add(match.rule.tool);
        const prev = byUaRule.get(match.rule.id);
        if (prev) {
          prev.events += events;
          prev.agents++;
        } else byUaRule.set(match.rule.id, { match, events, example: ua, agents: 1 });
      }
      if (matches.length === 0) {
        const marker = unrecognisedMarker(ua, signatures);
        if (marker !== undefined) {
          const prev = unknown.get(marker);
          if (prev) prev.events += events;
          else if (unknown.size < 5) unknown.set(marker, { events, example: ua });
        }
      }
    }
    for (const { match, events, example, agents } of byUaRule.values()) {
      const r = match.rule;
      evidence.push({
        events,
        e: {
          kind: 'cloudtrail-user-agent',
          tool: r.tool,
          confidence: r.confidence,
          signature: r.id,
          detail: `user agent matched ${r.id} (${match.matched}) on ${plural(events, 'event')} from ${plural(agents, 'user agent')}, e.g. ${quote(example)}`,
          why: `${r.toolName}: ${r.why}${r.verified ? '' : ' (unverified)'}`,
        },
      });
    }
    for (const [marker, { events, example }] of unknown) {
      evidence.push({
        events,
        e: {
          kind: 'unrecognised-agent-tooling',
          confidence: 'low',
          detail: `unrecognised agent tooling: user agent carries ${quote(marker, 80)} on ${plural(events, 'event')}, e.g. ${quote(example, 256)}`,
          why: 'an agent-framework or MCP marker no registry entry knows; add a signature in leash.config.yaml agents.signatures (or to the registry) to name the tool',
          userAgent: clip(sanitise(example), 256),
        },
      });
    }

    const federated = isHumanSessionRoleArn(arn) || (opts.peopleFederatedRoles?.has(arn) ?? false);
    for (const [field, kind] of [['sessionName', 'cloudtrail-session-name'], ['sourceIdentity', 'cloudtrail-source-identity']] as const) {
      const byRule = new Map<string, { rule: NameRule; events: number; names: Set<string> }>();
      for (const s of p.sessions) {
        const name = s[field];
        if (!name) continue;
        // A sourceIdentity is set by whoever assumed the role; in a people-federated role it is the
        // person's identity too.
        if (personNamed(name, federated) !== undefined) continue;
        for (const rule of matchName(name)) {
          const prev = byRule.get(rule.id) ?? { rule, events: 0, names: new Set<string>() };
          prev.events += s.eventCount;
          if (prev.names.size < 50) prev.names.add(name);
          byRule.set(rule.id, prev);
        }
      }
      for (const { rule, events, names } of byRule.values()) {
        const shown = [...names].slice(0, 3).map((n) => quote(n, 64)).join(', ');
        evidence.push({
          events,
          e: {
            kind,
            tool: rule.tool,
            confidence: rule.confidence,
            signature: rule.id,
            detail: `${field === 'sessionName' ? 'session name' : 'sourceIdentity'} matched ${rule.id}: ${shown}${names.size > 3 ? ` and ${names.size - 3} more` : ''} (${plural(names.size, 'session')}, ${plural(events, 'event')})`,
            why: 'a word naming the tool; no tool publishes such a convention, so it is weak evidence on its own',
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

export interface UnrecognisedTooling {
  readonly principalArn: string;
  /** The token carrying the marker (sanitised, bounded). */
  readonly marker: string;
  /** One user agent that carried it (sanitised, at most 256 characters). */
  readonly userAgent: string;
  readonly events: number;
}

/** Every (principal, marker) of unrecognised agent tooling, most events first (at most `limit`). */
export function unrecognisedAgentTooling(usage: UsageData, signatures: readonly Signature[] = REGISTRY_SIGNATURES, limit = 50): UnrecognisedTooling[] {
  const out: UnrecognisedTooling[] = [];
  for (const [arn, p] of Object.entries(usage.byPrincipal)) {
    const seen = new Map<string, UnrecognisedTooling>();
    for (const [ua, events] of Object.entries(p.userAgents)) {
      const marker = unrecognisedMarker(ua, signatures);
      if (marker === undefined) continue;
      const prev = seen.get(marker);
      seen.set(marker, prev ? { ...prev, events: prev.events + events } : { principalArn: arn, marker, userAgent: clip(sanitise(ua), 256), events });
    }
    out.push(...seen.values());
  }
  return out.sort((a, b) => b.events - a.events || a.principalArn.localeCompare(b.principalArn) || a.marker.localeCompare(b.marker)).slice(0, limit);
}

export interface AiDrivenSession {
  readonly principalArn: string;
  /** The tool of the strongest matching signature. */
  readonly tool: string;
  readonly confidence: Confidence;
  /** What identified the calls as agent-driven. */
  readonly matchedBy: 'user-agent' | 'session-name' | 'source-identity';
  /** Every signature or rule that matched (ids from ai-tools.json). */
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
 * name or sourceIdentity names a tool are listed with all their user agents, unless the name is a
 * person's or the role is federated from people.
 */
export function aiDrivenSessions(usage: UsageData, opts: UsageEvidenceOptions = {}): AiDrivenSession[] {
  const signatures = opts.signatures ?? REGISTRY_SIGNATURES;
  const out: AiDrivenSession[] = [];
  for (const [arn, p] of Object.entries(usage.byPrincipal)) {
    const federated = isHumanSessionRoleArn(arn) || (opts.peopleFederatedRoles?.has(arn) ?? false);
    for (const s of p.sessions) {
      const activity = s.userAgentActivity ?? s.userAgents.map((userAgent) => ({ userAgent, events: 0, actions: s.actions ?? [] }));
      const byName = s.sessionName && personNamed(s.sessionName, federated) === undefined ? matchName(s.sessionName) : [];
      const bySource = s.sourceIdentity && personNamed(s.sourceIdentity, federated) === undefined ? matchName(s.sourceIdentity) : [];
      for (const act of activity) {
        const uaMatches = matchUserAgent(act.userAgent, signatures);
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
          out.push({ ...base, tool: first.rule.tool, confidence: first.rule.confidence, matchedBy: 'user-agent', rules: uaMatches.map((m) => m.rule.id) });
        } else if (bySource[0]) {
          out.push({ ...base, tool: bySource[0].tool, confidence: 'low', matchedBy: 'source-identity', rules: bySource.map((r) => r.id) });
        } else if (byName[0]) {
          out.push({ ...base, tool: byName[0].tool, confidence: 'low', matchedBy: 'session-name', rules: byName.map((r) => r.id) });
        }
      }
    }
  }
  return out;
}
