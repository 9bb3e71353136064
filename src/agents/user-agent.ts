// Which AI tool a CloudTrail userAgent names. The registry (src/data/agents/ai-tools.json) holds
// the tools and their signatures, each with its source; this module only tokenises user agents
// and applies them. Matching is token-based string comparison, so it is linear in the user agent
// and no signature can be fooled by a tool name inside another word (`cline` in `declined`).
import registry from '../data/agents/ai-tools.json' with { type: 'json' };
import type { Confidence } from '../model/agent.js';
import { linearRegex, type LinearPattern } from '../config/patterns.js';

/** How a registry signature is matched against a user agent's tokens. */
export type SignatureMatch =
  /**
   * An element of the comma-separated `m/` business-metric list (case-sensitive), in a user agent
   * of `sdk` (a token with that product name): each SDK has its own code table, so a code means
   * something only from the SDK that defines it.
   */
  | { readonly metric: string; readonly sdk: string }
  /** A `name/value` token (`app/…`, `exec-env/…`, `md/…`) whose value matches. */
  | { readonly component: string; readonly value: string; readonly how: 'equals' | 'prefix' | 'part' }
  /** A token whose product name (before the first `/`) matches, optionally ending in `suffix`. */
  | { readonly product: string; readonly how: 'equals' | 'prefix'; readonly suffix?: string }
  /** The whole token. */
  | { readonly token: string; readonly how: 'equals' | 'prefix' };

export interface Signature {
  readonly id: string;
  readonly tool: string;
  readonly toolName: string;
  readonly confidence: Confidence;
  readonly verified: boolean;
  readonly source: string;
  readonly why: string;
  readonly match?: SignatureMatch;
  /** A config signature: searched for in the whole user agent by the linear-time engine. */
  readonly pattern?: LinearPattern;
  readonly origin: 'registry' | 'config';
  readonly example?: string;
  readonly lookAlike?: string;
}

export interface ToolEntry {
  readonly id: string;
  readonly name: string;
  readonly kind: string;
  readonly signatures: readonly Signature[];
  /** Ids of the local-configs.json entries `leash agents --local` reads for this tool. */
  readonly localConfigs: readonly string[];
  readonly verified?: boolean;
  readonly why?: string;
  readonly notes?: string;
}

interface RawSignature { id: string; match: SignatureMatch; confidence: string; verified: boolean; source: string; why: string; example?: string; lookAlike?: string }
interface RawTool { id: string; name: string; kind: string; signatures: RawSignature[]; localConfigs?: string[]; verified?: boolean; why?: string; notes?: string }

function confidenceOf(v: string, where: string): Confidence {
  if (v === 'high' || v === 'medium' || v === 'low') return v;
  throw new Error(`ai-tools.json ${where}: confidence "${v}" is not high|medium|low`);
}

export const TOOLS: readonly ToolEntry[] = (registry.tools as RawTool[]).map((t) => ({
  id: t.id,
  name: t.name,
  kind: t.kind,
  localConfigs: t.localConfigs ?? [],
  ...(t.verified !== undefined ? { verified: t.verified } : {}),
  ...(t.why !== undefined ? { why: t.why } : {}),
  ...(t.notes !== undefined ? { notes: t.notes } : {}),
  signatures: t.signatures.map((s) => ({
    id: s.id, tool: t.id, toolName: t.name, confidence: confidenceOf(s.confidence, s.id), verified: s.verified, source: s.source, why: s.why,
    match: s.match, origin: 'registry' as const,
    ...(s.example !== undefined ? { example: s.example } : {}),
    ...(s.lookAlike !== undefined ? { lookAlike: s.lookAlike } : {}),
  })),
}));

export const REGISTRY_SIGNATURES: readonly Signature[] = TOOLS.flatMap((t) => t.signatures);

/** Config signatures (leash.config.yaml `agents.signatures`), compiled for the linear engine. */
export function configSignatures(extra: readonly { readonly userAgent: string; readonly tool: string; readonly confidence: Confidence; readonly note?: string | undefined }[]): Signature[] {
  return extra.map((e, i) => ({
    id: `config-signature-${i + 1}`, tool: e.tool, toolName: e.tool, confidence: e.confidence, verified: false,
    source: 'leash.config.yaml agents.signatures', why: e.note ?? `user agent matches /${e.userAgent}/`,
    pattern: linearRegex(e.userAgent), origin: 'config' as const,
  }));
}

// User agents are attacker-controlled: only so much of one is read.
const MAX_UA_CHARS = 4096;
const MAX_TOKENS = 128;

/**
 * The space-separated tokens of a user agent (bounded). CloudTrail writes some user agents inside
 * one pair of brackets (`[Boto3/1.26.165 … Botocore/1.29.165]`, S3 data events among them): the
 * pair is taken off first, so a signature anchored at a token's end still matches the last token.
 */
export function tokens(userAgent: string): string[] {
  let ua = userAgent.slice(0, MAX_UA_CHARS).trim();
  if (ua.length >= 2 && ua.startsWith('[') && ua.endsWith(']')) ua = ua.slice(1, -1);
  return ua.split(/\s+/).filter(Boolean).slice(0, MAX_TOKENS);
}

/**
 * The AWS CLI/SDK business-metric codes of a user agent. The `m/` component is one
 * space-delimited token holding a comma-separated list (`m/E,AN,b`); a code matches only as a
 * whole element, so `AN` is not found in `m/ANX` or in `ANSIBLE`.
 */
export function businessMetrics(userAgent: string): string[] {
  const codes: string[] = [];
  for (const token of tokens(userAgent)) {
    if (token.startsWith('m/')) codes.push(...token.slice(2).split(',').filter(Boolean));
  }
  return codes;
}

const isWordChar = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9]/.test(c);

/** `needle` inside `hay` at its start or after a separator, and not running on into a longer word. */
function containsPart(hay: string, needle: string): boolean {
  const endsInWord = isWordChar(needle[needle.length - 1]);
  for (let i = hay.indexOf(needle); i >= 0; i = hay.indexOf(needle, i + 1)) {
    const before = i === 0 || !isWordChar(hay[i - 1]);
    const after = !endsInWord || !isWordChar(hay[i + needle.length]);
    if (before && after) return true;
  }
  return false;
}

/**
 * `want` at the start of `have`, ending where a word ends: a prefix that ends in a letter or digit
 * may not run on into a longer word (`x-client-framework:langgraph` is not `…:langgraphql`).
 */
function startsAnchored(have: string, want: string): boolean {
  return have.startsWith(want) && !(isWordChar(want[want.length - 1]) && isWordChar(have[want.length]));
}

function compare(have: string, want: string, how: 'equals' | 'prefix' | 'part'): boolean {
  const h = have.toLowerCase(), w = want.toLowerCase();
  return how === 'equals' ? h === w : how === 'prefix' ? startsAnchored(h, w) : containsPart(h, w);
}

/** The token a signature matched in these tokens, or undefined. */
function matchTokens(m: SignatureMatch, toks: readonly string[]): string | undefined {
  if ('metric' in m) {
    const hit = toks.find((t) => t.startsWith('m/') && t.slice(2).split(',').includes(m.metric));
    if (hit === undefined) return undefined;
    const sdk = m.sdk.toLowerCase();
    return toks.some((t) => (t.indexOf('/') < 0 ? t : t.slice(0, t.indexOf('/'))).toLowerCase() === sdk) ? hit : undefined;
  }
  for (const t of toks) {
    const slash = t.indexOf('/');
    const name = slash < 0 ? t : t.slice(0, slash);
    if ('component' in m) {
      if (slash >= 0 && name.toLowerCase() === m.component.toLowerCase() && compare(t.slice(slash + 1), m.value, m.how)) return t;
    } else if ('product' in m) {
      if (compare(name, m.product, m.how) && (m.suffix === undefined || name.toLowerCase().endsWith(m.suffix.toLowerCase()))) return t;
    } else if (compare(t, m.token, m.how)) return t;
  }
  return undefined;
}

export interface UserAgentMatch {
  readonly rule: Signature;
  /** The token that matched (bounded). */
  readonly matched: string;
}

const rank: Record<Confidence, number> = { high: 3, medium: 2, low: 1 };

/**
 * Every signature a user agent matches, strongest first (then in registry order, then config
 * signatures). The first one names the tool of the call.
 */
export function matchUserAgent(userAgent: string, signatures: readonly Signature[] = REGISTRY_SIGNATURES): UserAgentMatch[] {
  const toks = tokens(userAgent);
  const out: UserAgentMatch[] = [];
  for (const rule of signatures) {
    if (rule.pattern) {
      if (rule.pattern.test(userAgent.slice(0, MAX_UA_CHARS))) out.push({ rule, matched: `/${clip(rule.pattern.source, 60)}/` });
    } else if (rule.match) {
      const t = matchTokens(rule.match, toks);
      if (t !== undefined) out.push({ rule, matched: clip(sanitise(t), 120) });
    }
  }
  return out.map((m, i) => ({ m, i })).sort((a, b) => rank[b.m.rule.confidence] - rank[a.m.rule.confidence] || a.i - b.i).map((x) => x.m);
}

/**
 * The AI tools a user agent names as a label on a call or a session (strongest first): its high
 * and medium matches only. A weak match (an unverified code such as Kiro IDE's proposed m/AX, an
 * LLM library) is evidence to weigh with a second signal, never a label that calls a person's
 * call or session an AI tool's; it stays in the principal's evidence, marked low.
 */
export function toolsNamedBy(userAgent: string, signatures: readonly Signature[] = REGISTRY_SIGNATURES): string[] {
  return [...new Set(matchUserAgent(userAgent, signatures).filter((m) => m.rule.confidence !== 'low').map((m) => m.rule.tool))];
}

const unrecognised = registry.unrecognised as { tokenPrefixes: string[]; words: string[] };
const markerWords = new Set(unrecognised.words.map((w) => w.toLowerCase()));
const markerPrefixes = unrecognised.tokenPrefixes.map((p) => p.toLowerCase());

/**
 * The token of a user agent that carries an agent-framework or MCP marker, when no known
 * signature matched it: "unrecognised agent tooling", reported so the registry can grow.
 */
export function unrecognisedMarker(userAgent: string, signatures: readonly Signature[] = REGISTRY_SIGNATURES): string | undefined {
  const toks = tokens(userAgent);
  let marker: string | undefined;
  for (const t of toks) {
    const lower = t.toLowerCase();
    if (markerPrefixes.some((p) => lower.startsWith(p))) { marker = t; break; }
    // Words of a token: runs of letters and digits, and hyphenated pairs (`ai-agent`, `pydantic-ai`).
    const words = lower.split(/[^a-z0-9-]+/).flatMap((w) => [w, ...w.split('-')]);
    const parts = lower.split(/[^a-z0-9]+/);
    const pairs = parts.slice(1).map((p, i) => `${parts[i]}-${p}`);
    if ([...words, ...pairs].some((w) => markerWords.has(w))) { marker = t; break; }
  }
  if (marker === undefined) return undefined;
  return matchUserAgent(userAgent, signatures).length > 0 ? undefined : clip(sanitise(marker), 120);
}

/** Control characters and other non-printing code points shown as `\u{…}`; data is hostile. */
export function sanitise(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]/g, (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`);
}

export function clip(s: string, n = 120): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}
