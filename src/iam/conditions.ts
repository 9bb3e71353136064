// Condition evaluation, three-valued: true, false, or unknown when the request context does not
// say what a key is (an offline scan rarely knows aws:MultiFactorAuthPresent). "unknown" is how a
// statement becomes "conditional": allowed only when its condition holds.
import { arnMatches, globRegex, LITERAL_QUESTION, LITERAL_STAR } from './pattern.js';
import approvalData from '../data/approval-conditions.json' with { type: 'json' };
import resourceTagData from '../data/resource-tag-keys.json' with { type: 'json' };
import type { ConditionBlock } from '../model/policy.js';

export type Tri = true | false | 'unknown';

/**
 * Request context: lower-cased condition key → values. With `closedWorld`, a key that is not
 * present is absent from the request (IAM's own semantics); otherwise it is unknown.
 */
export interface RequestContext {
  readonly values: Readonly<Record<string, readonly string[]>>;
  readonly closedWorld?: boolean;
  /**
   * Keys (lower case) known to be absent although the world is open: a principal's aws:PrincipalTag
   * keys it does not carry, aws:username for a role. Asked only for keys not in `values`.
   */
  readonly absent?: (lowerKey: string) => boolean;
}

const NO_VALUES: readonly string[] = [];

export const and3 = (a: Tri, b: Tri): Tri => (a === false || b === false ? false : a === 'unknown' || b === 'unknown' ? 'unknown' : true);
export const or3 = (a: Tri, b: Tri): Tri => (a === true || b === true ? true : a === 'unknown' || b === 'unknown' ? 'unknown' : false);
export const not3 = (a: Tri): Tri => (a === 'unknown' ? 'unknown' : !a);

type Matcher = (requestValue: string, policyValue: string) => boolean | undefined;

function parseIso(v: string): number | undefined {
  const n = /^\d+$/.test(v) ? Number(v) * 1000 : Date.parse(v);
  return Number.isNaN(n) ? undefined : n;
}

function num(v: string): number | undefined {
  if (v.trim() === '') return undefined;
  const n = Number(v);
  return Number.isNaN(n) ? undefined : n;
}

function cmp<T>(parse: (v: string) => T | undefined, test: (a: T, b: T) => boolean): Matcher {
  return (r, p) => {
    const a = parse(r), b = parse(p);
    return a === undefined || b === undefined ? false : test(a, b);
  };
}

function ipToBigInt(ip: string): { value: bigint; bits: number } | undefined {
  if (ip.includes(':')) {
    // IPv6, with :: expansion
    const [head, tail] = ip.split('::') as [string, string | undefined];
    const h = head ? head.split(':') : [];
    const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
    if (tail === undefined && h.length !== 8) return undefined;
    const groups = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
    if (groups.length !== 8 || groups.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
    return { value: groups.reduce((acc, g) => (acc << 16n) + BigInt(parseInt(g, 16)), 0n), bits: 128 };
  }
  const parts = ip.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return { value: parts.reduce((acc, p) => (acc << 8n) + BigInt(Number(p)), 0n), bits: 32 };
}

function ipInCidr(ip: string, cidr: string): boolean {
  const [net, lenText] = cidr.split('/');
  const a = ipToBigInt(ip), n = ipToBigInt(net ?? '');
  if (!a || !n || a.bits !== n.bits) return false;
  const len = lenText === undefined ? a.bits : Number(lenText);
  if (!Number.isInteger(len) || len < 0 || len > a.bits) return false;
  const shift = BigInt(a.bits - len);
  return a.value >> shift === n.value >> shift;
}

const base: Record<string, { match: Matcher; negated: boolean }> = {
  stringequals: { match: (r, p) => r === p, negated: false },
  stringnotequals: { match: (r, p) => r === p, negated: true },
  stringequalsignorecase: { match: (r, p) => r.toLowerCase() === p.toLowerCase(), negated: false },
  stringnotequalsignorecase: { match: (r, p) => r.toLowerCase() === p.toLowerCase(), negated: true },
  stringlike: { match: (r, p) => globRegex(p).test(r), negated: false },
  stringnotlike: { match: (r, p) => globRegex(p).test(r), negated: true },
  numericequals: { match: cmp(num, (a, b) => a === b), negated: false },
  numericnotequals: { match: cmp(num, (a, b) => a === b), negated: true },
  numericlessthan: { match: cmp(num, (a, b) => a < b), negated: false },
  numericlessthanequals: { match: cmp(num, (a, b) => a <= b), negated: false },
  numericgreaterthan: { match: cmp(num, (a, b) => a > b), negated: false },
  numericgreaterthanequals: { match: cmp(num, (a, b) => a >= b), negated: false },
  dateequals: { match: cmp(parseIso, (a, b) => a === b), negated: false },
  datenotequals: { match: cmp(parseIso, (a, b) => a === b), negated: true },
  datelessthan: { match: cmp(parseIso, (a, b) => a < b), negated: false },
  datelessthanequals: { match: cmp(parseIso, (a, b) => a <= b), negated: false },
  dategreaterthan: { match: cmp(parseIso, (a, b) => a > b), negated: false },
  dategreaterthanequals: { match: cmp(parseIso, (a, b) => a >= b), negated: false },
  bool: { match: (r, p) => r.toLowerCase() === p.toLowerCase(), negated: false },
  binaryequals: { match: (r, p) => r === p, negated: false },
  ipaddress: { match: (r, p) => ipInCidr(r, p), negated: false },
  notipaddress: { match: (r, p) => ipInCidr(r, p), negated: true },
  arnequals: { match: (r, p) => arnMatches(p, r), negated: false },
  arnlike: { match: (r, p) => arnMatches(p, r), negated: false },
  arnnotequals: { match: (r, p) => arnMatches(p, r), negated: true },
  arnnotlike: { match: (r, p) => arnMatches(p, r), negated: true },
};

export interface ParsedOperator {
  readonly set?: 'forallvalues' | 'foranyvalue';
  readonly name: string;
  readonly ifExists: boolean;
}

/** Operator name as written → parsed: policies repeat a handful of operators over and over. */
const parsedOperators = new Map<string, ParsedOperator | null>();

export function parseOperator(op: string): ParsedOperator | undefined {
  let parsed = parsedOperators.get(op);
  if (parsed === undefined) {
    parsed = parseOperatorFresh(op) ?? null;
    if (parsedOperators.size >= 10_000) parsedOperators.clear(); // bounded: operator names come from policies
    parsedOperators.set(op, parsed);
  }
  return parsed ?? undefined;
}

export function parseOperatorFresh(op: string): ParsedOperator | undefined {
  let rest = op.toLowerCase();
  let set: ParsedOperator['set'];
  if (rest.startsWith('forallvalues:')) { set = 'forallvalues'; rest = rest.slice(13); }
  else if (rest.startsWith('foranyvalue:')) { set = 'foranyvalue'; rest = rest.slice(12); }
  let ifExists = false;
  if (rest.endsWith('ifexists') && rest !== 'ifexists') { ifExists = true; rest = rest.slice(0, -8); }
  if (rest !== 'null' && !base[rest]) return undefined;
  return set ? { set, name: rest, ifExists } : { name: rest, ifExists };
}

/** A substituted value is literal text: its `*` and `?` must not act as wildcards. */
function literal(value: string): string {
  return value.replace(/\*/g, LITERAL_STAR).replace(/\?/g, LITERAL_QUESTION);
}

/** Back to plain characters, for operators that do not treat `*` and `?` as wildcards. */
function unmark(value: string): string {
  return value.replaceAll(LITERAL_STAR, '*').replaceAll(LITERAL_QUESTION, '?');
}

/** `aws:PrincipalTag/team, 'default'` → key and default value (IAM's default-value syntax). */
function variableParts(inner: string): { key: string; fallback?: string } {
  const m = /^(.*?),\s*'(.*)'\s*$/.exec(inner);
  return m ? { key: m[1]!.trim(), fallback: m[2]! } : { key: inner.trim() };
}

/**
 * Replace ${aws:username}-style policy variables; undefined when a variable has no value (or, in
 * an open-world context, may have one we do not know). `${*}`, `${?}` and substituted values come
 * out as literal-character markers (see LITERAL_STAR) so that they never act as wildcards.
 */
export function substituteVariables(text: string, ctx: RequestContext): string | undefined {
  if (!text.includes('${')) return text;
  let unknown = false;
  const out = text.replace(/\$\{([^}]+)\}/g, (_m, inner: string) => {
    if (inner === '*') return LITERAL_STAR;
    if (inner === '?') return LITERAL_QUESTION;
    if (inner === '$') return '$';
    const { key, fallback } = variableParts(inner);
    const v = ctx.values[key.toLowerCase()];
    if (v && v.length === 1) return literal(v[0]!);
    // IAM uses the default only when the key is absent; an open-world context cannot say it is.
    if (v === undefined && ctx.closedWorld && fallback !== undefined) return literal(fallback);
    unknown = true; // absent (closed world: the element cannot match) or not known
    return '';
  });
  return unknown ? undefined : out;
}

const WILDCARD_OPERATORS = new Set(['stringlike', 'stringnotlike', 'arnequals', 'arnlike', 'arnnotequals', 'arnnotlike']);

/** `lowerKey`: the condition key, lower-cased (request context keys are). */
function evaluateKey(op: ParsedOperator, lowerKey: string, policyValues: readonly string[], ctx: RequestContext, useVariables: boolean): Tri {
  let requestValues = ctx.values[lowerKey];
  // A key known absent is evaluated as IAM does a missing key (an empty list reads so below).
  if (requestValues === undefined && ctx.absent?.(lowerKey) === true) requestValues = NO_VALUES;
  if (op.name === 'null') {
    // Null: "true" = the key must be absent, "false" = present.
    if (requestValues === undefined && !ctx.closedWorld) return 'unknown';
    const absent = requestValues === undefined || requestValues.length === 0;
    return policyValues.some((v) => (v.toLowerCase() === 'true') === absent);
  }
  const spec = base[op.name]!;
  if (requestValues === undefined && !ctx.closedWorld) return 'unknown';
  const values = requestValues ?? [];
  // Policy variables inside condition values (2012-10-17 only).
  let resolved: string[] = [];
  let variableUnknown = false;
  for (const pv of policyValues) {
    const s = useVariables ? substituteVariables(pv, ctx) : pv;
    if (s === undefined) variableUnknown = true;
    else resolved.push(WILDCARD_OPERATORS.has(op.name) ? s : unmark(s));
  }
  if (variableUnknown && !ctx.closedWorld) return 'unknown';
  const matchesAny = (rv: string) => resolved.some((pv) => spec.match(rv, pv) === true);

  if (op.set === 'foranyvalue') {
    if (values.length === 0) return false;
    return spec.negated ? values.some((rv) => !matchesAny(rv)) : values.some(matchesAny);
  }
  if (op.set === 'forallvalues') {
    if (values.length === 0) return true;
    return spec.negated ? values.every((rv) => !matchesAny(rv)) : values.every(matchesAny);
  }
  if (values.length === 0) return op.ifExists ? true : spec.negated;
  // A single-valued operator against a multi-valued key: true when any request value matches
  // (negated: when no request value matches any policy value).
  return spec.negated ? !values.some(matchesAny) : values.some(matchesAny);
}

/** Evaluate a statement's Condition block: operators AND, keys AND, values OR. */
export function evaluateCondition(
  condition: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> | undefined,
  ctx: RequestContext,
  useVariables = true,
): Tri {
  if (!condition) return true;
  let prepared = preparedConditions.get(condition);
  if (!prepared) preparedConditions.set(condition, (prepared = prepareCondition(condition)));
  let result: Tri = true;
  for (const { op, keys } of prepared) {
    if (!op) return 'unknown'; // an operator IAM does not know never matches; we cannot be sure which way the author meant
    for (const { lowerKey, values } of keys) {
      result = and3(result, evaluateKey(op, lowerKey, values, ctx, useVariables));
      if (result === false) return false;
    }
  }
  return result;
}

/** A Condition block's operators parsed and keys lower-cased, in the block's order. */
type PreparedCondition = readonly { readonly op: ParsedOperator | undefined; readonly keys: readonly { readonly lowerKey: string; readonly values: readonly string[] }[] }[];

// The graph evaluates one statement's condition for every role a caller may assume: the block's
// entries and lower-cased keys once per condition object (parsed documents are never mutated).
const preparedConditions = new WeakMap<object, PreparedCondition>();

function prepareCondition(condition: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>): PreparedCondition {
  return Object.entries(condition).map(([opName, keys]) => ({ op: parseOperator(opName), keys: Object.entries(keys).map(([key, values]) => ({ lowerKey: key.toLowerCase(), values })) }));
}

/** evaluateCondition without the prepared form: the reference its property test compares with. */
export function evaluateConditionFresh(
  condition: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> | undefined,
  ctx: RequestContext,
  useVariables = true,
): Tri {
  if (!condition) return true;
  let result: Tri = true;
  for (const [opName, keys] of Object.entries(condition)) {
    const op = parseOperatorFresh(opName);
    if (!op) return 'unknown';
    for (const [key, values] of Object.entries(keys)) {
      result = and3(result, evaluateKey(op, key.toLowerCase(), values, ctx, useVariables));
      if (result === false) return false;
    }
  }
  return result;
}

/** Condition keys a statement depends on (for "conditional on …" explanations). */
export function conditionKeys(condition: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> | undefined): string[] {
  if (!condition) return [];
  return [...new Set(Object.values(condition).flatMap((k) => Object.keys(k)))];
}

/**
 * Condition keys that tie a request to a human approval: exactly the keys of leash's approval
 * conditions (src/data/approval-conditions.json: MFA presence and age, the approval session tag,
 * a broker-set source identity, the managed-MCP channel keys), plus sts:SourceIdentity, the trust
 * policy spelling of the same. Keys such as aws:SecureTransport, aws:RequestedRegion,
 * aws:SourceIp or other tags restrict a request, but an agent meets them exactly as its human
 * would: they are not approval.
 */
const APPROVAL_KEYS = new Set<string>(['sts:sourceidentity']);
for (const c of approvalData.conditions) {
  for (const block of [c.condition, c.denyWhen] as Record<string, Record<string, unknown>>[]) {
    for (const keys of Object.values(block)) for (const k of Object.keys(keys)) APPROVAL_KEYS.add(k.toLowerCase());
  }
}

export function isApprovalKey(key: string): boolean {
  return APPROVAL_KEYS.has(key.toLowerCase());
}

/**
 * Does this condition make a statement stand between an agent and the action, i.e. hinge on
 * human approval? An Allow does when it requires any approval key (keys AND). A Deny does only
 * when it applies to every request that meets no approval condition: each of its tests is the
 * deny form (`denyWhen`) of one (session 46). Before, a Deny on approval keys alone counted,
 * whatever it tested: `Deny … Bool aws:MultiFactorAuthPresent true` denies the approved request
 * and leaves the unapproved one allowed, yet read as gating like its opposite; so did
 * `Bool … false` without IfExists, which long-term keys (no MFA key at all) pass. With another key
 * (e.g. aws:RequestedRegion) there are unapproved requests it does not apply to, as before.
 */
export function gatesOnApproval(
  condition: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> | undefined,
  effect: 'Allow' | 'Deny',
  gate?: ApprovalGate,
): boolean {
  if (!condition) return false;
  if (gate) return requiresGate(condition, effect, gate);
  // Asked per statement per request (per caller and role in the graph): once per condition
  // object, which like every parsed document is never mutated.
  let g = approvalGates.get(condition);
  if (!g) approvalGates.set(condition, (g = { allow: gatesOnApprovalFresh(condition, 'Allow'), deny: gatesOnApprovalFresh(condition, 'Deny') }));
  return effect === 'Allow' ? g.allow : g.deny;
}

const approvalGates = new WeakMap<object, { readonly allow: boolean; readonly deny: boolean }>();

/** gatesOnApproval without the memo (the reference its property test compares with). */
export function gatesOnApprovalFresh(
  condition: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> | undefined,
  effect: 'Allow' | 'Deny',
): boolean {
  const keys = conditionKeys(condition);
  if (keys.length === 0) return false;
  if (effect === 'Allow') return keys.some(isApprovalKey);
  const tests = testsFresh(condition!);
  return tests !== undefined && tests.size > 0 && [...tests].every((t) => denyFormTests().has(t));
}

/** Every test of every approval condition's deny form (approval-conditions.json `denyWhen`), as testsOf writes them. */
function denyFormTests(): ReadonlySet<string> {
  if (!denyForms) {
    denyForms = new Set();
    for (const c of approvalData.conditions) for (const t of testsFresh(c.denyWhen as Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>) ?? []) denyForms.add(t);
  }
  return denyForms;
}
let denyForms: Set<string> | undefined;

/**
 * An approval gate as leash's boundaries write it (src/data/approval-conditions.json): the Allow
 * `condition` under which the approval holds, and `denyWhen`, its exact complement for a Deny.
 */
export interface ApprovalGate {
  readonly condition: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;
  readonly denyWhen: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;
}

/**
 * Session 44: does this condition stand between the caller and the action at least as `gate`
 * does, so that no request meets it without meeting the gate? Decided by the tests written, never
 * by what they might mean: an Allow must make every test of `gate.condition` (same operator, key,
 * and values; more tests only narrow it); a Deny must make only tests of `gate.denyWhen` (then it
 * applies whenever the gate's deny does; a test of its own would let requests past it). Anything
 * else — another approval key, a weaker operator (BoolIfExists true, Bool false without
 * IfExists), other values, a stronger test spelled differently (MFA younger than 300 s against
 * mfa-recent's 900) — is not the gate: conservative, the role is then counted as ungated.
 */
export function requiresGate(
  condition: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>,
  effect: 'Allow' | 'Deny',
  gate: ApprovalGate,
): boolean {
  const own = testsOf(condition);
  if (!own || own.size === 0) return false;
  const required = testsOf(effect === 'Allow' ? gate.condition : gate.denyWhen);
  if (!required || required.size === 0) return false;
  const [sub, sup] = effect === 'Allow' ? [required, own] : [own, required];
  for (const t of sub) if (!sup.has(t)) return false;
  return true;
}

/**
 * A condition block as its tests, one string per (operator, key) with its values as a set:
 * operators parsed (case and spelling as leash's evaluator reads them), keys lower-cased (IAM
 * matches condition keys case-insensitively), Bool values lower-cased (the evaluator compares them
 * so). Undefined when an operator is unknown (a test that never matches cannot be compared).
 */
function testsOf(condition: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>): Set<string> | undefined {
  let t = conditionTests.get(condition);
  if (t === undefined) conditionTests.set(condition, (t = testsFresh(condition) ?? null));
  return t ?? undefined;
}
const conditionTests = new WeakMap<object, Set<string> | null>();

function testsFresh(condition: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>): Set<string> | undefined {
  const out = new Set<string>();
  for (const [opName, keys] of Object.entries(condition)) {
    const op = parseOperator(opName);
    if (!op) return undefined;
    for (const [key, raw] of Object.entries(keys)) {
      const list = (Array.isArray(raw) ? raw : [raw]).map((v) => String(v));
      const values = [...new Set(op.name === 'bool' ? list.map((v) => v.toLowerCase()) : list)].sort();
      out.add(JSON.stringify([op.set ?? '', op.name, op.ifExists, key.toLowerCase(), values]));
    }
  }
  return out;
}

const RESOURCE_TAG_FAMILIES: ReadonlySet<string> = new Set(resourceTagData.resource);

/** The key's tag family (`ec2:ResourceTag/team` → `resourcetag`), or undefined for a key that names no tag. */
export function tagFamily(key: string): string | undefined {
  const m = /^[^:/]+:([^/]*tag)\//i.exec(key);
  return m ? m[1]!.toLowerCase() : undefined;
}

const narrowed = new WeakMap<object, boolean>();

/**
 * Whether an Allow under this condition reaches only resources that carry given tags (ABAC):
 * some test of a tag on the resource (aws:ResourceTag/…, s3:ExistingObjectTag/…, rds:db-tag/…)
 * must hold, with a value it names. Negated, …IfExists and ForAllValues tests hold for a resource
 * without the tag; a Like test of `*` alone holds for any value; a request tag limits nothing
 * already there. Null with "false" (the tag must be present) counts. An action whose requests
 * carry no such key is not granted by the statement at all, so it is not "every resource" either.
 */
export function narrowsToTaggedResources(condition: ConditionBlock | undefined): boolean {
  if (!condition) return false;
  let n = narrowed.get(condition);
  if (n === undefined) narrowed.set(condition, (n = narrowsFresh(condition)));
  return n;
}

function narrowsFresh(condition: ConditionBlock): boolean {
  for (const [op, block] of Object.entries(condition)) {
    const parsed = parseOperator(op);
    if (!parsed || parsed.ifExists || parsed.set === 'forallvalues') continue;
    for (const [key, values] of Object.entries(block)) {
      const family = tagFamily(key);
      if (family === undefined || !RESOURCE_TAG_FAMILIES.has(family) || values.length === 0) continue;
      if (parsed.name === 'null') {
        if (values.every((v) => String(v).toLowerCase() === 'false')) return true;
        continue;
      }
      if (parsed.name.includes('not')) continue;
      if (parsed.name.endsWith('like') && values.some((v) => /^[*?]*$/.test(v) || v === '')) continue;
      return true;
    }
  }
  return false;
}

/**
 * Session 44: a broad Deny whose condition tests approval keys and, besides them, only tags of the
 * resource acted on, positively (`aws:ResourceTag/env` is `prod`): it denies the action on those
 * resources unless the approval holds (with `gate`: the approval part must be that gate, as
 * gatesOnApproval asks of a Deny) and leaves the other resources alone. leash's own boundary
 * writes one under resources.approvalOnlyForProduction. A Deny with any other key (a region, a
 * request tag, a negated tag test) is not one: it removes nothing, as before.
 */
export function deniesTaggedUnlessApproved(condition: ConditionBlock | undefined, gate?: ApprovalGate): boolean {
  if (!condition) return false;
  const approval: Record<string, Record<string, readonly string[]>> = {};
  const tags: Record<string, Record<string, readonly string[]>> = {};
  for (const [op, keys] of Object.entries(condition)) {
    for (const [key, values] of Object.entries(keys)) {
      const family = tagFamily(key);
      const into = isApprovalKey(key) ? approval : family !== undefined && RESOURCE_TAG_FAMILIES.has(family) ? tags : undefined;
      if (!into) return false;
      (into[op] ??= {})[key] = values;
    }
  }
  if (Object.keys(approval).length === 0 || Object.keys(tags).length === 0) return false;
  return gatesOnApproval(approval, 'Deny', gate) && narrowsToTaggedResources(tags);
}
