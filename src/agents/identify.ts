// Which principals AI agents act through, and why we think so. Each signal is evidence with a
// confidence; a principal counts as an agent on any high/medium signal, or on two weak ones.
import type { AgentEvidence, AgentKind, Confidence } from '../model/agent.js';
import type { Principal, Role, Snapshot } from '../model/snapshot.js';
import type { LeashConfig } from '../config/config.js';
import { globRegex } from '../iam/pattern.js';
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

/** An e-mail address, or two alphabetic words joined by "." or "_" (given.family). */
export function looksLikePerson(name: string): boolean {
  return name.includes('@') || /^[a-z]{2,}[._][a-z]{2,}\d{0,3}$/i.test(name);
}

function matchesDeclared(p: Principal, match: string): boolean {
  return match.startsWith('arn:') ? globRegex(match).test(p.arn) : globRegex(match, 'i').test(p.name);
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
    for (const extra of config.agents.namePatterns) {
      if (new RegExp(extra, 'i').test(p.name)) { ev.push({ kind: 'name-pattern', detail: `name "${p.name}" matches configured /${extra}/`, confidence: 'medium' }); break; }
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
