// Action-level effective permissions of a principal: which catalog actions it may perform on
// some resource, which without any condition, and which on every resource ("Resource": "*").
// This is the summary every check and the baseline work from; request-level questions go to
// evaluate().
import type { AttachedPolicy, PolicyDocument, Statement } from '../model/policy.js';
import type { Principal } from '../model/snapshot.js';
import { ActionSet } from './action-set.js';
import { actionMatches } from './pattern.js';
import { gatesOnApproval } from './conditions.js';
import type { ActionExpander } from './pattern.js';

/** Per-document bitsets, computed once per document (managed policies are shared across principals). */
export interface DocumentSummary {
  /** Allowed on some resource, possibly under a condition. */
  readonly allowAny: ActionSet;
  /** Allowed by a statement without a human-approval Condition (see gatesOnApproval). */
  readonly allowUnconditional: ActionSet;
  /** Allowed without a Condition on every resource (`*`, or NotResource). */
  readonly allowAllResources: ActionSet;
  /** Denied on every resource with no Condition: gone everywhere. */
  readonly denyAlways: ActionSet;
  /** Denied on every resource unless a human approval holds (e.g. unless MFA): allowed only conditionally. */
  readonly denyConditional: ActionSet;
  /** Denied everywhere except the resources a NotResource lists: no longer allowed on every resource. */
  readonly denyExceptListed: ActionSet;
}

const summaryCache = new WeakMap<PolicyDocument, DocumentSummary>();

function coversAllResources(s: Statement): boolean {
  if (s.notResource) return true; // "everything except…" is broad enough to count as unscoped
  return (s.resource ?? ['*']).some((r) => r === '*' || r === 'arn:*' || /^arn:[^:]*:\*$/.test(r) || r === 'arn:aws:*:*:*:*');
}

export function summarizeDocument(doc: PolicyDocument, expander: ActionExpander): DocumentSummary {
  const cached = summaryCache.get(doc);
  if (cached) return cached;
  const n = expander.size;
  // Summaries are read-only, so sets that come out empty or equal share one object: most
  // documents have no Deny and no Condition, and 10k principals should not mean 60k bitsets.
  const allowAll: ActionSet[] = [], allowUncond: ActionSet[] = [], allowBroad: ActionSet[] = [];
  const denyAlwaysL: ActionSet[] = [], denyCondL: ActionSet[] = [], denyExceptL: ActionSet[] = [];
  for (const st of doc.statements) {
    // statementActions returns a fresh set per call, so the first list to take it may own it.
    const actions = expander.statementActions(st.action, st.notAction);
    // "Conditional" means behind a human-approval condition (see gatesOnApproval): an Allow that
    // only requires aws:SecureTransport or a region is as available to an agent as one without.
    const hasCondition = st.condition !== undefined && Object.keys(st.condition).length > 0;
    const conditional = hasCondition && gatesOnApproval(st.condition, st.effect);
    const broad = coversAllResources(st);
    if (st.effect === 'Allow') {
      allowAll.push(actions);
      if (!conditional) {
        allowUncond.push(actions);
        if (broad) allowBroad.push(actions);
      }
    } else if (st.notResource) {
      // A Deny with NotResource spares the resources it lists, so the action stays allowed there.
      denyExceptL.push(actions);
    } else if (broad) {
      // A Deny under a condition that is not an approval (e.g. "unless aws:SecureTransport", a
      // region lock) applies to some requests only, like a resource-scoped Deny: it removes nothing.
      if (!hasCondition) denyAlwaysL.push(actions);
      else if (conditional) denyCondL.push(actions);
    }
  }
  const empty = emptySet(n);
  const union = (sets: ActionSet[]): ActionSet => {
    if (sets.length === 0) return empty;
    const out = sets[0]!.clone();
    for (let i = 1; i < sets.length; i++) out.or(sets[i]!);
    return out;
  };
  const any = union(allowAll);
  const uncond = allowUncond.length === allowAll.length ? any : union(allowUncond);
  const s: DocumentSummary = {
    allowAny: any,
    allowUnconditional: uncond,
    allowAllResources: allowBroad.length === allowUncond.length ? uncond : union(allowBroad),
    denyAlways: union(denyAlwaysL),
    denyConditional: union(denyCondL),
    denyExceptListed: union(denyExceptL),
  };
  summaryCache.set(doc, s);
  return s;
}

const empties = new Map<number, ActionSet>();
function emptySet(n: number): ActionSet {
  let e = empties.get(n);
  if (!e) empties.set(n, (e = new ActionSet(n)));
  return e;
}

export interface EffectivePermissions {
  /** Allowed on some resource, possibly only when a condition holds. */
  readonly allowed: ActionSet;
  /** Allowed on some resource with no condition standing in the way (the "no human approval" set). */
  readonly unconditional: ActionSet;
  /** Allowed unconditionally on every resource. */
  readonly allResources: ActionSet;
}

function layerSummary(docs: readonly PolicyDocument[], expander: ActionExpander): DocumentSummary {
  // One document (the usual boundary or SCP level): its cached summary, read-only.
  if (docs.length === 1) return summarizeDocument(docs[0]!, expander);
  const n = expander.size;
  const acc = {
    allowAny: new ActionSet(n), allowUnconditional: new ActionSet(n), allowAllResources: new ActionSet(n),
    denyAlways: new ActionSet(n), denyConditional: new ActionSet(n), denyExceptListed: new ActionSet(n),
  };
  accumulate(acc, docs, expander);
  return acc;
}

function accumulate(acc: { [K in keyof DocumentSummary]: ActionSet }, docs: readonly PolicyDocument[], expander: ActionExpander): void {
  const empty = emptySet(expander.size);
  for (const d of docs) {
    const s = summarizeDocument(d, expander);
    for (const k of SUMMARY_KEYS) if (s[k] !== empty) acc[k].or(s[k]);
  }
}

const SUMMARY_KEYS = ['allowAny', 'allowUnconditional', 'allowAllResources', 'denyAlways', 'denyConditional', 'denyExceptListed'] as const;

// Scratch sets for the deny accumulators: effectivePermissions is synchronous and never
// re-entered, and these never escape it.
const scratch = new Map<number, { denyAlways: ActionSet; denyConditional: ActionSet; denyExceptListed: ActionSet }>();

export interface EffectiveInput {
  readonly identity: readonly PolicyDocument[];
  readonly boundary?: readonly PolicyDocument[];
  readonly scps?: readonly (readonly PolicyDocument[])[];
  readonly session?: readonly PolicyDocument[];
}

/**
 * Intersect every layer that must allow (identity, boundary, SCP levels, session policy) and
 * subtract denies from all of them. Denies scoped to particular resources leave the action
 * allowed elsewhere, so they do not subtract.
 */
export function effectivePermissions(input: EffectiveInput, expander: ActionExpander): EffectivePermissions {
  const n = expander.size;
  let tmp = scratch.get(n);
  if (!tmp) scratch.set(n, (tmp = { denyAlways: new ActionSet(n), denyConditional: new ActionSet(n), denyExceptListed: new ActionSet(n) }));
  tmp.denyAlways.words.fill(0);
  tmp.denyConditional.words.fill(0);
  tmp.denyExceptListed.words.fill(0);
  const acc = { allowAny: new ActionSet(n), allowUnconditional: new ActionSet(n), allowAllResources: new ActionSet(n), ...tmp };
  accumulate(acc, input.identity, expander);
  const { allowAny: allowed, allowUnconditional: unconditional, allowAllResources: allResources, denyAlways, denyConditional, denyExceptListed } = acc;
  const others: (readonly PolicyDocument[])[] = [];
  if (input.boundary) others.push(input.boundary);
  for (const level of input.scps ?? []) others.push(level);
  if (input.session) others.push(input.session);
  for (const docs of others) {
    const l = layerSummary(docs, expander);
    allowed.and(l.allowAny);
    unconditional.and(l.allowUnconditional);
    allResources.and(l.allowAllResources);
    denyAlways.or(l.denyAlways);
    denyConditional.or(l.denyConditional);
    denyExceptListed.or(l.denyExceptListed);
  }
  allowed.andNot(denyAlways);
  unconditional.andNot(denyAlways).andNot(denyConditional);
  allResources.andNot(denyAlways).andNot(denyConditional).andNot(denyExceptListed);
  return { allowed, unconditional, allResources };
}

export function principalPolicyInput(p: Principal, scps?: readonly (readonly AttachedPolicy[])[]): EffectiveInput {
  const input: { identity: PolicyDocument[]; boundary?: PolicyDocument[]; scps?: PolicyDocument[][] } = {
    identity: p.policies.map((a) => a.document),
  };
  if (p.boundary) input.boundary = [p.boundary.document];
  if (scps && scps.length > 0) input.scps = scps.map((level) => level.map((a) => a.document));
  return input;
}

/** The identity statements that allow an action (for evidence: "this statement grants it"). */
export function grantingStatements(policies: readonly AttachedPolicy[], action: string): { policy: AttachedPolicy; statement: Statement }[] {
  const out: { policy: AttachedPolicy; statement: Statement }[] = [];
  for (const policy of policies) {
    for (const st of policy.document.statements) {
      if (st.effect !== 'Allow') continue;
      const hit = st.action ? st.action.some((p) => actionMatches(p, action)) : !(st.notAction ?? []).some((p) => actionMatches(p, action));
      if (hit) out.push({ policy, statement: st });
    }
  }
  return out;
}
