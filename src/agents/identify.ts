// Which principals AI agents act through, and why we think so. Each signal is evidence with a
// confidence; a principal counts as an agent on any high/medium signal, or on two weak ones.
import type { AgentDecision, AgentEvidence, AgentKind, Confidence } from '../model/agent.js';
import type { Principal, Role, Snapshot } from '../model/snapshot.js';
import type { LeashConfig } from '../config/config.js';
import { globMatches, linearRegex } from '../config/patterns.js';
import data from '../data/agents/principals.json' with { type: 'json' };

// `on: "words"` patterns see the name as lower-case words joined by "-", so they can ask for a
// word boundary inside CamelCase (MyClineRole → my-cline-role, DeclinedPayments → declined-payments).
const namePatterns = data.namePatterns.map((p) => ({ ...p, words: (p as { on?: string }).on === 'words', givenName: (p as { givenName?: boolean }).givenName === true, re: new RegExp(p.pattern, 'i') }));
const pathPatterns = data.pathPatterns.map((p) => ({ ...p, re: new RegExp(p.pattern, 'i') }));
const humanRoles = data.humanSessionRoles.map((p) => new RegExp(p.pattern));
const noAgentNames = data.noAgentRoleNames.map((p) => new RegExp(p.pattern));
const serviceLinkedPath = new RegExp(data.serviceLinkedPath.pattern);
const toolWords = new Set(data.toolWords.words);
/** A `leash:agent` value that says no: not a tool's name, so no declaration. */
const NO_VALUES = new Set(['', 'false', 'no', 'none', '0', 'off']);

/** An AWS service-linked role: the service defines its permissions, so no agent acts through it with rights a customer chose. */
export function isServiceLinkedRole(p: Principal): boolean {
  return p.kind === 'role' && serviceLinkedPath.test(p.path);
}
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
      // Without one, a name the console gives a service role of no agent says the same.
      if (sourceArns.length === 0 && noAgentNames.some((re) => re.test(role.name))) continue;
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
        // A name that reads like a person's (claude.dupont, a role named claude.martin@corp.com), a
        // user whose whole name is the word (a user called Kiro or Cline), any principal whose whole
        // name is a word that is also a given name (a role called Claude), or a user whose other
        // words name no tool (kiro-tanaka, amazonq-admin): weak, needing a second signal. A
        // tool-style name (kiro-agent, claude-code-ci) keeps the pattern's confidence, user or role.
        const wordList = words.split('-');
        const single = wordList.length === 1;
        const person = looksLikePerson(p.name) ? 'reads like a person\'s name'
          : single && (p.kind === 'user' || np.givenName) ? 'the whole name is the word, which people are called too'
          : p.kind === 'user' && np.confidence === 'medium' && !wordList.some((w) => toolWords.has(w)) ? 'an IAM user whose other words name no tool or automation, as a person\'s user name may'
          : undefined;
        if (person && np.confidence !== 'low') ev.push({ kind: 'name-pattern', detail: `${detail}, but ${person}`, confidence: 'low', tool: np.tool });
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
    if (v !== undefined && (t.value === '*' ? !NO_VALUES.has(v.trim().toLowerCase()) : v.toLowerCase() === t.value.toLowerCase())) {
      ev.push({ kind: 'tag', detail: `tag ${t.key}=${v}`, confidence: 'high', tool: t.value === '*' ? v : t.tool });
    }
  }
  for (const d of config.agents.declared) {
    if (matchesDeclared(p, d.match)) ev.push({ kind: 'declared', detail: `declared in leash.config.yaml (${d.match})${d.note ? `: ${d.note}` : ''}`, confidence: 'high', tool: d.tool });
  }
  ev.push(...external);
  return ev;
}

const NAME_FAMILY = 'principal name or path';
const SESSION_FAMILY = 'session name or sourceIdentity';

/**
 * Which independent source a weak signal comes from. A principal's name and path are chosen by
 * one hand, as are a session's name and its sourceIdentity (whoever called AssumeRole): each pair
 * is one signal, however many of its pieces matched.
 */
function family(e: AgentEvidence): string {
  if (e.kind === 'name-pattern' || e.kind === 'path-pattern') return NAME_FAMILY;
  if (e.kind === 'cloudtrail-session-name' || e.kind === 'cloudtrail-source-identity') return SESSION_FAMILY;
  return e.kind;
}

/**
 * Weak evidence that counts toward the two-signal rule: unrecognised agent tooling is a marker to
 * look at (a word such as `genai` in an app id), never a vote.
 */
function weakVotes(evidence: readonly AgentEvidence[]): AgentEvidence[] {
  return evidence.filter((e) => e.confidence === 'low' && e.kind !== 'unrecognised-agent-tooling');
}

/**
 * The independent sources among weak evidence. A session name or sourceIdentity naming the tool the
 * principal's own name names is that name echoed (a role `cursor-payments` whose sessions are
 * `cursor-payments-1234`, a Lambda function's session named after it), not a second source.
 */
function weakFamilies(evidence: readonly AgentEvidence[]): string[] {
  const votes = weakVotes(evidence);
  const nameTools = new Set(votes.filter((e) => family(e) === NAME_FAMILY).map((e) => e.tool));
  const echo = (e: AgentEvidence) => family(e) === SESSION_FAMILY && e.tool !== undefined && nameTools.has(e.tool);
  return [...new Set(votes.map((e) => (echo(e) ? NAME_FAMILY : family(e))))];
}

export function isAgent(evidence: readonly AgentEvidence[]): boolean {
  const strong = evidence.some((e) => e.confidence === 'high' || e.confidence === 'medium');
  return strong || weakFamilies(evidence).length >= 2;
}

/** Evidence that an AI tool drives a principal's sessions: what it did (CloudTrail) or where it runs (a local config). */
function isDriving(e: AgentEvidence): boolean {
  return (e.kind.startsWith('cloudtrail-') || e.kind === 'local-config') && e.kind !== 'unrecognised-agent-tooling';
}

/**
 * The evidence that an AI tool drives an engineer's own session, when it is enough to say so: a
 * high or medium signal, or weak ones from two independent sources. One weak signal (an unverified
 * user-agent code, an LLM library's marker) never makes a person's session an agent's.
 */
export function aiDrivingEvidence(evidence: readonly AgentEvidence[]): AgentEvidence[] {
  const driving = evidence.filter(isDriving);
  return isAgent(driving) ? driving : [];
}

/** Weak driving evidence of an engineer's session that is not enough alone (shown, not counted). */
export function weakDrivingEvidence(evidence: readonly AgentEvidence[]): AgentEvidence[] {
  const driving = evidence.filter(isDriving);
  return isAgent(driving) ? [] : driving;
}

const rankOf: Record<Confidence, number> = { high: 3, medium: 2, low: 1 };

/**
 * Which evidence decided, and why, in words for the report. `isAgentVerdict` and `humanSession`
 * are what the analysis concluded (an engineer's own session role is an agent principal only
 * when an AI tool is seen driving it, or declared or tagged); `serviceLinked`: the principal is an
 * AWS service-linked role.
 */
export function explainAgentDecision(evidence: readonly AgentEvidence[], isAgentVerdict: boolean, humanSession: boolean, serviceLinked = false): AgentDecision {
  const idx = evidence.map((e, i) => ({ e, i }));
  const best = (xs: typeof idx) => [...xs].sort((a, b) => rankOf[b.e.confidence] - rankOf[a.e.confidence] || a.i - b.i);
  if (humanSession && !isAgentVerdict) {
    const ai = idx.filter(({ e }) => isDriving(e));
    return {
      verdict: 'human-session',
      decidedBy: best(ai).slice(0, 3).map((x) => x.i),
      reason: ai.length > 0
        ? `an engineer's own session role; ${ai.length} weak piece(s) of evidence that an AI tool drives it, from one source (${[...new Set(ai.map(({ e }) => family(e)))].join(', ')}): not enough alone to say so`
        : 'an engineer\'s own session role; only a declaration or tag makes it an agent principal',
    };
  }
  if (humanSession && isAgentVerdict) {
    const ai = idx.filter(({ e }) => isDriving(e) || e.kind === 'declared' || e.kind === 'tag');
    const top = best(ai)[0];
    return {
      verdict: 'agent',
      decidedBy: best(ai).slice(0, 3).map((x) => x.i),
      reason: top && top.e.confidence !== 'low'
        ? `an engineer's own session role driven by an AI tool: ${top.e.confidence} confidence ${top.e.kind}${top.e.tool ? ` (${top.e.tool})` : ''}${top.e.why ? `: ${top.e.why}` : ''}`
        : `an engineer's own session role driven by an AI tool: weak signals from ${weakFamilies(ai.map((x) => x.e)).length} independent sources agree`,
    };
  }
  if (!isAgentVerdict) {
    const lows = idx.filter(({ e }) => e.confidence === 'low');
    const families = weakFamilies(lows.map((x) => x.e));
    return {
      verdict: 'not-agent',
      decidedBy: serviceLinked ? best(idx).slice(0, 3).map((x) => x.i) : lows.map((x) => x.i),
      reason: serviceLinked
        ? 'an AWS service-linked role: the service defines its permissions, so no agent acts through it with rights a customer chose'
        : lows.length === 0 ? 'no evidence of an AI tool'
        : families.length === 0 ? 'only unrecognised agent tooling, a marker to look at, not evidence of an agent'
        : `weak evidence from one source only (${families[0]}); weak evidence needs a second, independent signal`,
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
  const lows = idx.filter(({ e }) => e.confidence === 'low' && e.kind !== 'unrecognised-agent-tooling');
  const families = weakFamilies(lows.map((x) => x.e));
  return {
    verdict: 'agent',
    decidedBy: lows.map((x) => x.i),
    reason: `weak signals from ${families.length} independent sources (${families.join('; ')}) agree`,
  };
}

/**
 * Which kind of agent principal this is, or undefined for none. An engineer's session role counts
 * when an AI tool is seen driving it (CloudTrail, a local tool config: aiDrivingEvidence) or it is
 * declared/tagged; its name never makes it one (Identity Center names are the permission set's).
 * A service-linked role never does unless declared or tagged.
 */
export function agentKindOf(p: Principal, evidence: readonly AgentEvidence[]): AgentKind | undefined {
  if (isHumanSessionRole(p)) {
    const declared = evidence.some((e) => e.kind === 'declared' || e.kind === 'tag');
    return declared || aiDrivingEvidence(evidence).length > 0 ? 'ai-driven-human-session' : undefined;
  }
  // Declared or tagged by the account's own people, even a service-linked role is what they say.
  if (isServiceLinkedRole(p) && !evidence.some((e) => e.kind === 'declared' || e.kind === 'tag')) return undefined;
  return isAgent(evidence) ? 'agent-principal' : undefined;
}

export function identifyAgents(snapshot: Snapshot, config: LeashConfig): Map<string, AgentEvidence[]> {
  const out = new Map<string, AgentEvidence[]>();
  for (const p of snapshot.principals) out.set(p.arn, agentEvidenceFor(p, config, snapshot.externalEvidence?.[p.arn] ?? []));
  return out;
}
