// Which principals AI agents act through, and why we think so. Each signal is evidence with a
// confidence; a principal counts as an agent on any high/medium signal, or on two weak ones.
import type { AgentDecision, AgentEvidence, AgentKind, Confidence } from '../model/agent.js';
import type { Principal, Role, Snapshot } from '../model/snapshot.js';
import type { LeashConfig } from '../config/config.js';
import { globMatches, linearRegex } from '../config/patterns.js';
import data from '../data/agents/principals.json' with { type: 'json' };

// `on: "words"` patterns see the name as lower-case words joined by "-", so they can ask for a
// word boundary inside CamelCase (MyClineRole → my-cline-role, DeclinedPayments → declined-payments).
const namePatterns = data.namePatterns.map((p) => ({ ...p, words: (p as { on?: string }).on === 'words', re: new RegExp(p.pattern, 'i') }));
const pathPatterns = data.pathPatterns.map((p) => ({ ...p, re: new RegExp(p.pattern, 'i') }));
const humanRoles = data.humanSessionRoles.map((p) => new RegExp(p.pattern));
interface ServicePrincipalRule {
  readonly principal: string;
  readonly tool: string;
  readonly confidence: string;
  /** aws:SourceArn in the trust policy says which of the service's roles this is. */
  readonly bySourceArn?: readonly { readonly contains: string; readonly tool?: string; readonly confidence: string }[];
}
const servicePrincipals = new Map((data.servicePrincipals as readonly ServicePrincipalRule[]).map((s) => [s.principal.toLowerCase(), s]));

/** `AmazonQLDBStreamRole` → `amazon-qldb-stream-role`: CamelCase, digits and separators split into words. */
export function nameWords(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** An engineer's own session role (e.g. IAM Identity Center `AWSReservedSSO_*`). */
export function isHumanSessionRole(p: Principal): boolean {
  return p.kind === 'role' && humanRoles.some((re) => re.test(p.name));
}

/** The same test on a role ARN (CloudTrail usage is keyed by ARN; the name is its last part). */
export function isHumanSessionRoleArn(arn: string): boolean {
  if (!/^arn:[^:]+:iam::\d{12}:role\//.test(arn)) return false;
  const name = arn.slice(arn.lastIndexOf('/') + 1);
  return humanRoles.some((re) => re.test(name));
}

function trustEvidence(role: Role): AgentEvidence[] {
  const out: AgentEvidence[] = [];
  for (const s of role.trustPolicy.statements) {
    if (s.effect !== 'Allow' || !s.principal || s.principal === '*') continue;
    for (const svc of s.principal.Service ?? []) {
      const hit = servicePrincipals.get(svc.toLowerCase());
      if (!hit) continue;
      const detail = `trust policy statement ${s.index} lets ${svc} assume the role`;
      const sourceArns = conditionValues(s.condition, ['aws:sourcearn']);
      const refined = hit.bySourceArn && sourceArns.length > 0 ? sourceArns.map((arn) => hit.bySourceArn!.find((r) => arn.includes(r.contains))) : [];
      // Every aws:SourceArn names a resource that is no agent (a knowledge base, a batch job): no evidence.
      if (refined.length > 0 && refined.every((r) => r?.confidence === 'none')) continue;
      const best = refined.find((r) => r && r.confidence !== 'none' && r.tool);
      if (best) out.push({ kind: 'trust-service-principal', detail: `${detail} for ${sourceArns.join(', ')}`, confidence: best.confidence as Confidence, tool: best.tool! });
      else out.push({ kind: 'trust-service-principal', detail, confidence: hit.confidence as Confidence, tool: hit.tool });
    }
  }
  return out;
}

/** Values of the given condition keys (lower case) under any operator. */
function conditionValues(condition: Role['trustPolicy']['statements'][number]['condition'], keys: readonly string[]): string[] {
  const out: string[] = [];
  for (const block of Object.values(condition ?? {})) {
    for (const [k, v] of Object.entries(block)) if (keys.includes(k.toLowerCase())) out.push(...v);
  }
  return out;
}

/**
 * An e-mail address, or two or three alphabetic names joined by "." or "_" (given.family,
 * given.middle.family), each possibly hyphenated (jean-claude.dupont), the last with up to three
 * digits (claude.martin2). No regex with nested repetition: the name is data.
 */
export function looksLikePerson(name: string): boolean {
  if (name.length > 256) return false;
  if (name.includes('@')) return true;
  const parts = name.split(/[._]/);
  if (parts.length < 2 || parts.length > 3) return false;
  const last = parts.length - 1;
  return parts.every((part, i) => {
    const body = i === last ? part.replace(/\d{1,3}$/, '') : part;
    return body.split('-').every((w) => /^[a-z]{2,}$/i.test(w));
  });
}

/**
 * A role people sign in to through a SAML identity provider: its sessions are named by the IdP
 * after the person (like an Identity Center role's), so a product word in them is a person's name.
 */
export function isPeopleFederatedRole(p: Principal): boolean {
  if (p.kind !== 'role') return false;
  if (humanRoles.some((re) => re.test(p.name))) return true;
  return p.trustPolicy.statements.some((s) => s.effect === 'Allow' && (
    (s.action ?? []).some((a) => a.toLowerCase() === 'sts:assumerolewithsaml') ||
    (s.principal && s.principal !== '*' ? (s.principal.Federated ?? []).some((f) => f.includes(':saml-provider/')) : false)
  ));
}

function matchesDeclared(p: Principal, match: string): boolean {
  // Config globs run without a regex (src/config/patterns.ts): no pattern can make them hang.
  return match.startsWith('arn:') ? globMatches(match, p.arn) : globMatches(match, p.name, true);
}

export function agentEvidenceFor(p: Principal, config: LeashConfig, external: readonly AgentEvidence[] = []): AgentEvidence[] {
  const ev: AgentEvidence[] = [];
  if (p.kind === 'role') ev.push(...trustEvidence(p));
  const human = isHumanSessionRole(p);
  // Name patterns say little about SSO permission-set roles (their names are the permission set's).
  if (!human) {
    const words = nameWords(p.name);
    for (const np of namePatterns) {
      if (np.re.test(np.words ? words : p.name)) {
        const detail = `name "${p.name}"${np.words ? ` (words "${words}")` : ''} matches /${np.pattern}/`;
        // claude.dupont or claude@example.com is a person called Claude more often than a tool:
        // a weak signal then, which needs a second one to make an agent.
        if (p.kind === 'user' && looksLikePerson(p.name)) ev.push({ kind: 'name-pattern', detail: `${detail}, but reads like a person's name`, confidence: 'low', tool: np.tool });
        else ev.push({ kind: 'name-pattern', detail, confidence: np.confidence as Confidence, tool: np.tool });
        break;
      }
    }
    // Configured patterns run on the linear-time engine (validated when the config was loaded).
    for (const extra of config.agents.namePatterns) {
      if (linearRegex(extra).test(p.name)) { ev.push({ kind: 'name-pattern', detail: `name "${p.name}" matches configured /${extra}/`, confidence: 'medium' }); break; }
    }
  }
  for (const pp of pathPatterns) {
    if (pp.re.test(p.path)) ev.push({ kind: 'path-pattern', detail: `path "${p.path}" matches /${pp.pattern}/`, confidence: pp.confidence as Confidence, tool: pp.tool });
  }
  const tagRules = [{ key: config.agents.tag.key, value: config.agents.tag.value, tool: 'ai-agent' }, ...data.tags.filter((t) => t.key !== config.agents.tag.key)];
  for (const t of tagRules) {
    const v = p.tags[t.key];
    if (v !== undefined && (t.value === '*' || v.toLowerCase() === t.value.toLowerCase())) {
      ev.push({ kind: 'tag', detail: `tag ${t.key}=${v}`, confidence: 'high', tool: t.value === '*' ? v : t.tool });
    }
  }
  for (const d of config.agents.declared) {
    if (matchesDeclared(p, d.match)) ev.push({ kind: 'declared', detail: `declared in leash.config.yaml (${d.match})${d.note ? `: ${d.note}` : ''}`, confidence: 'high', tool: d.tool });
  }
  ev.push(...external);
  return ev;
}

export function isAgent(evidence: readonly AgentEvidence[]): boolean {
  const strong = evidence.some((e) => e.confidence === 'high' || e.confidence === 'medium');
  return strong || evidence.filter((e) => e.confidence === 'low').length >= 2;
}

const rankOf: Record<Confidence, number> = { high: 3, medium: 2, low: 1 };

/**
 * Which evidence decided, and why, in words for the report. `isAgentVerdict` and `humanSession`
 * are what the analysis concluded (an engineer's own session role is an agent principal only
 * when declared or tagged).
 */
export function explainAgentDecision(evidence: readonly AgentEvidence[], isAgentVerdict: boolean, humanSession: boolean): AgentDecision {
  const idx = evidence.map((e, i) => ({ e, i }));
  const best = (xs: typeof idx) => [...xs].sort((a, b) => rankOf[b.e.confidence] - rankOf[a.e.confidence] || a.i - b.i);
  if (humanSession && !isAgentVerdict) {
    const ai = idx.filter(({ e }) => e.kind.startsWith('cloudtrail-') || e.kind === 'local-config');
    return {
      verdict: 'human-session',
      decidedBy: best(ai).slice(0, 3).map((x) => x.i),
      reason: ai.length > 0
        ? `an engineer's own session role (${ai.length} piece(s) of evidence that an AI tool drives it; that is the human-session-driven-by-agent finding, not an agent principal)`
        : 'an engineer\'s own session role; only a declaration or tag makes it an agent principal',
    };
  }
  if (!isAgentVerdict) {
    const lows = idx.filter(({ e }) => e.confidence === 'low');
    return {
      verdict: 'not-agent',
      decidedBy: lows.map((x) => x.i),
      reason: lows.length === 0 ? 'no evidence of an AI tool' : `only one weak signal (${lows[0]!.e.kind}); weak evidence needs a second signal`,
    };
  }
  const strong = idx.filter(({ e }) => e.confidence === 'high' || e.confidence === 'medium');
  if (strong.length > 0) {
    const top = best(strong)[0]!;
    return {
      verdict: 'agent',
      decidedBy: best(strong).slice(0, 3).map((x) => x.i),
      reason: `${top.e.confidence} confidence ${top.e.kind}${top.e.tool ? ` (${top.e.tool})` : ''}${top.e.why ? `: ${top.e.why}` : ''}`,
    };
  }
  const lows = idx.filter(({ e }) => e.confidence === 'low');
  return {
    verdict: 'agent',
    decidedBy: lows.map((x) => x.i),
    reason: `${lows.length} independent weak signals (${[...new Set(lows.map((x) => x.e.kind))].join(', ')}) agree`,
  };
}

/**
 * Which kind of agent principal this is, or undefined for none. An engineer's session role counts
 * when an AI tool is seen driving it (CloudTrail, a local tool config) or it is declared/tagged;
 * its name never makes it one (Identity Center names are the permission set's).
 */
export function agentKindOf(p: Principal, evidence: readonly AgentEvidence[]): AgentKind | undefined {
  if (isHumanSessionRole(p)) {
    const driven = evidence.some((e) => e.kind.startsWith('cloudtrail-') || e.kind === 'local-config' || e.kind === 'declared' || e.kind === 'tag');
    return driven ? 'ai-driven-human-session' : undefined;
  }
  return isAgent(evidence) ? 'agent-principal' : undefined;
}

export function identifyAgents(snapshot: Snapshot, config: LeashConfig): Map<string, AgentEvidence[]> {
  const out = new Map<string, AgentEvidence[]>();
  for (const p of snapshot.principals) out.set(p.arn, agentEvidenceFor(p, config, snapshot.externalEvidence?.[p.arn] ?? []));
  return out;
}
