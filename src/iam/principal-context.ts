// What a scan knows about the request context from the principal alone: the keys IAM fills in
// from who is calling (aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalType, a user's
// aws:username and aws:userid, aws:PrincipalTag/*). With them, conditions such as an SCP's
// break-glass exemption ("Deny … unless aws:PrincipalArn is BreakGlass") or an ABAC allow on
// aws:PrincipalTag resolve per principal instead of being guessed. The principal's account adds
// its organization keys when the scan knows them (organization.ts). Everything else stays unknown.
import type { ConditionBlock, PolicyDocument } from '../model/policy.js';
import type { Principal } from '../model/snapshot.js';
import { statementCovers } from './pattern.js';
import { evaluateCondition, type RequestContext, type Tri } from './conditions.js';
import { sameOrgValues, type OrgValues } from './organization.js';

/** Condition keys whose value comes from the calling principal (lower case; tags by prefix). */
const PRINCIPAL_KEYS = new Set(['aws:principalarn', 'aws:principalaccount', 'aws:principaltype', 'aws:username', 'aws:userid', 'aws:principalisawsservice']);

/**
 * Keys a scan settles from its own clock: the request time, and when the caller's session was
 * issued. A statement allowed only `DateLessThan aws:CurrentTime` a past date cannot apply today.
 */
const TIME_KEYS = new Set(['aws:currenttime', 'aws:epochtime', 'aws:tokenissuetime']);

/** Temporary credentials live at most 36 hours (GetSessionToken); a session in use now was issued within them. */
export const MAX_SESSION_AGE_MS = 36 * 3600 * 1000;

export function isPrincipalKey(key: string): boolean {
  const k = key.toLowerCase();
  return PRINCIPAL_KEYS.has(k) || k.startsWith('aws:principaltag/') || TIME_KEYS.has(k);
}

/**
 * Keys whose value is the caller's account's (its organization, its OU path): the same for every
 * principal of one account. Kept apart from the principal keys: the graph decides trusts that test
 * them once per caller account, not per caller (src/graph/trust.ts).
 */
const ORG_KEYS = new Set(['aws:principalorgid', 'aws:principalorgpaths']);

export function isOrgKey(key: string): boolean {
  return ORG_KEYS.has(key.toLowerCase());
}

const orgKeyCache = new WeakMap<object, boolean>();

export function referencesOrgKey(condition: ConditionBlock | undefined): boolean {
  if (!condition) return false;
  let r = orgKeyCache.get(condition);
  if (r === undefined) {
    r = false;
    for (const keys of Object.values(condition)) for (const k of Object.keys(keys)) if (isOrgKey(k)) r = true;
    orgKeyCache.set(condition, r);
  }
  return r;
}

/** A condition the caller's facts may settle: a principal key, or its account's organization. */
export function referencesCallerKey(condition: ConditionBlock | undefined): boolean {
  return referencesPrincipalKey(condition) || referencesOrgKey(condition);
}

const referencesCache = new WeakMap<ConditionBlock, boolean>();

export function referencesPrincipalKey(condition: ConditionBlock | undefined): boolean {
  if (!condition) return false;
  let r = referencesCache.get(condition);
  if (r === undefined) {
    r = false;
    for (const keys of Object.values(condition)) for (const k of Object.keys(keys)) if (isPrincipalKey(k)) r = true;
    referencesCache.set(condition, r);
  }
  return r;
}

/**
 * Can a session of this role carry session tags? Only when its trust policy allows
 * sts:TagSession; then aws:PrincipalTag may differ from the role's own tags (session tags win).
 */
function trustAllowsSessionTags(trust: PolicyDocument): boolean {
  return trust.statements.some((s) => s.effect === 'Allow' && statementCovers(s, 'sts:TagSession'));
}

/** The principal's side of every request: known keys, and keys it certainly does not send. */
export interface PrincipalFacts {
  /** Open world: a key not listed is unknown unless isAbsent says otherwise. */
  readonly context: RequestContext;
  readonly isAbsent: (key: string) => boolean;
  /** The scan's clock, when conditions on the request time are to be judged against it. */
  readonly now?: Date;
  /** Users may call with long-term keys, which carry no aws:TokenIssueTime. */
  readonly mayLackToken?: boolean;
}

/**
 * aws:PrincipalArn of a role session is the role's ARN with its path (not the session ARN);
 * aws:userid then holds the session name (unknown here) and aws:username is absent. A user's
 * aws:PrincipalTag keys are exactly its tags; a role's are its tags only when no session can add
 * or override tags. The context says which keys are then absent (`absent`), so that a condition
 * on a tag the principal lacks is decided wherever the context is used (the graph's trust and
 * caller decisions), as residualCondition decides it here: a negated test of a missing key holds,
 * a positive one fails ("If the key that you specify in a policy condition is not present in the
 * request context, the values do not match and the condition is false. If the policy condition
 * requires that the key is not matched, such as StringNotLike or ArnNotLike, and the right key is
 * not present, the condition is true", reference_policies_elements_condition_operators.html).
 * With `sessionTags`, a role's tags are unknown whatever its trust policy says now (factsAfterFix).
 */
export function principalFacts(p: Principal, now?: Date, org?: OrgValues, sessionTags = false): PrincipalFacts {
  const account = p.arn.split(':')[4] ?? '';
  const values: Record<string, string[]> = {
    'aws:principalarn': [p.arn],
    'aws:principaltype': [p.kind === 'role' ? 'AssumedRole' : 'User'],
    'aws:principalisawsservice': ['false'],
  };
  if (/^\d{12}$/.test(account)) values['aws:principalaccount'] = [account];
  if (p.kind === 'user') {
    values['aws:username'] = [p.name];
    if (p.id) values['aws:userid'] = [p.id];
  }
  const tagsAreExact = p.kind === 'user' || (!sessionTags && !trustAllowsSessionTags(p.trustPolicy));
  if (tagsAreExact) for (const [k, v] of Object.entries(p.tags)) values[`aws:principaltag/${k.toLowerCase()}`] = [v];
  if (now) Object.assign(values, timeValues(now));
  // Present when the scan knows the account's organization; absent (empty lists) when it knows the
  // account is in none; otherwise unknown (the account may be in another's).
  if (org) Object.assign(values, org);
  const isRole = p.kind === 'role';
  // Asked with a lower-case key that `values` lacks (conditions.ts).
  const absent = (k: string): boolean => (k === 'aws:username' ? isRole : tagsAreExact && k.startsWith('aws:principaltag/'));
  return {
    ...(now ? { now, mayLackToken: p.kind === 'user' } : {}),
    context: { values, absent },
    isAbsent: (key) => {
      const k = key.toLowerCase();
      return values[k] === undefined ? absent(k) : values[k]!.length === 0;
    },
  };
}

/** The request-time keys at a given instant (aws:TokenIssueTime is judged separately: it is a range). */
export function timeValues(now: Date): Record<string, string[]> {
  return { 'aws:currenttime': [now.toISOString()], 'aws:epochtime': [String(Math.floor(now.getTime() / 1000))] };
}

/**
 * A condition on aws:TokenIssueTime, for a session in use at `now`: issued at most 36 hours
 * before. True or false only when every possible issue time (and, for a user's long-term keys,
 * no token at all) agrees.
 */
function tokenIssueTime(op: string, key: string, values: readonly string[], facts: PrincipalFacts, useVariables: boolean): Tri {
  const now = facts.now!;
  const at = (d: Date): Tri => evaluateCondition({ [op]: { [key]: values } }, { values: { 'aws:tokenissuetime': [d.toISOString()] } }, useVariables);
  const results: Tri[] = [at(now), at(new Date(now.getTime() - MAX_SESSION_AGE_MS))];
  if (facts.mayLackToken) results.push(evaluateCondition({ [op]: { [key]: values } }, { values: {}, closedWorld: true }, useVariables));
  // A date comparison is monotonic in time: the two ends of the window stand for everything between.
  return results.every((r) => r === results[0]) ? results[0]! : 'unknown';
}

/**
 * The part of a condition the principal does not settle: false when a principal key fails
 * (the statement never applies to this principal), otherwise the condition without the
 * principal keys that hold (undefined when nothing is left).
 */
export function residualCondition(condition: ConditionBlock, facts: PrincipalFacts, useVariables: boolean): ConditionBlock | undefined | false {
  const out: Record<string, Record<string, readonly string[]>> = {};
  for (const [op, keys] of Object.entries(condition)) {
    for (const [key, values] of Object.entries(keys)) {
      let r: Tri = 'unknown';
      if (key.toLowerCase() === 'aws:tokenissuetime') {
        if (facts.now) r = tokenIssueTime(op, key, values, facts, useVariables);
      } else if (isPrincipalKey(key) || isOrgKey(key)) {
        // A key the principal never sends is absent for certain (closed world for that key
        // alone), unless a value refers to another key through a policy variable.
        const closed = facts.isAbsent(key) && !values.some((v) => v.includes('${'));
        r = evaluateCondition({ [op]: { [key]: values } }, closed ? { values: {}, closedWorld: true } : facts.context, useVariables);
      }
      if (r === false) return false;
      if (r === true) continue;
      (out[op] ??= {})[key] = values;
    }
  }
  return Object.keys(out).length === 0 ? undefined : out;
}

const factsCache = new WeakMap<Principal, { readonly org: OrgValues | undefined; readonly facts: PrincipalFacts }>();
const timedFactsCache = new WeakMap<Principal, { readonly org: OrgValues | undefined; readonly facts: PrincipalFacts }>();
/**
 * principalFacts, once per principal (evidence asks for it statement by statement); with `now`,
 * time keys too; with `org`, its account's organization keys.
 */
export function factsOf(p: Principal, now?: Date, org?: OrgValues): PrincipalFacts {
  const cache = now ? timedFactsCache : factsCache;
  const hit = cache.get(p);
  if (hit && (!now || hit.facts.now?.getTime() === now.getTime()) && sameOrgValues(hit.org, org)) return hit.facts;
  const facts = principalFacts(p, now, org);
  cache.set(p, { org, facts });
  return facts;
}

/**
 * The facts a fix's new documents are decided with (src/fix: verification, counts after): the
 * principal's, its account's organization included, as the effective stage has them, except that
 * a role's tags stay unknown: the fix's trust policy may let the approval broker tag its sessions
 * (approval-session-tag, `sts:TagSession`), and a session tag overrides the role's. One object
 * per call: a fix plan asks once per principal.
 */
export function factsAfterFix(p: Principal, org?: OrgValues): PrincipalFacts {
  return p.kind === 'role' ? principalFacts(p, undefined, org, true) : factsOf(p, undefined, org);
}

/** False when a statement's principal (or organization) keys rule this principal out (it never applies to it). */
export function mayApplyToPrincipal(condition: ConditionBlock | undefined, p: Principal, version: PolicyDocument['version'], org?: OrgValues): boolean {
  if (!referencesCallerKey(condition)) return true;
  return residualCondition(condition!, factsOf(p, undefined, org), version !== '2008-10-17') !== false;
}
