// Action-level effective permissions of a principal: which catalog actions it may perform on
// some resource, which without any condition, and which on every resource ("Resource": "*").
// This is the summary every check and the baseline work from; request-level questions go to
// evaluate().
import type { AttachedPolicy, ConditionBlock, PolicyDocument, Statement } from '../model/policy.js';
import type { Principal } from '../model/snapshot.js';
import { ActionSet } from './action-set.js';
import { statementCovers } from './pattern.js';
import { deniesTaggedUnlessApproved, gatesOnApproval, narrowsToTaggedResources, type ApprovalGate } from './conditions.js';
import type { ActionExpander } from './pattern.js';
import { factsOf, mayApplyToPrincipal, referencesCallerKey, residualCondition, type PrincipalFacts } from './principal-context.js';
import type { OrgValues } from './organization.js';
import { leftNowhere, mayLeaveNamed, type AllowLayerDocs, type NowhereAction } from './layer-intersect.js';

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
  /**
   * Allowed without an approval condition on `*` but only on resources with given tags (ABAC):
   * not in allowAllResources, unless the principal can set tags on that service's resources
   * itself (see computeEffective).
   */
  readonly allowTagScoped: ActionSet;
  /**
   * Statements whose Condition names a principal key (aws:PrincipalArn, aws:PrincipalTag/…) or
   * its account's organization (aws:PrincipalOrgID, aws:PrincipalOrgPaths): they apply to some
   * principals and not others, so they stay out of the shared sets above and are resolved per
   * principal.
   */
  readonly principalDependent: readonly DependentStatement[];
}

export interface DependentStatement {
  readonly statement: Statement;
  readonly actions: ActionSet;
  /** Policy variables are substituted in 2012-10-17 documents only. */
  readonly useVariables: boolean;
}

type Buckets = { [K in Exclude<keyof DocumentSummary, 'principalDependent'>]: ActionSet[] };
const newBuckets = (): Buckets => ({ allowAny: [], allowUnconditional: [], allowAllResources: [], denyAlways: [], denyConditional: [], denyExceptListed: [], allowTagScoped: [] });

/**
 * Which sets a statement's actions join, given the condition that is left to hold. With `gate`
 * (session 44), "behind approval" means behind that approval, or more (conditions.ts requiresGate).
 */
function classify(st: Statement, condition: ConditionBlock | undefined, actions: ActionSet, b: Buckets, gate?: ApprovalGate): void {
  // "Conditional" means behind a human-approval condition (see gatesOnApproval): an Allow that
  // only requires aws:SecureTransport or a region is as available to an agent as one without.
  const hasCondition = condition !== undefined && Object.keys(condition).length > 0;
  const conditional = hasCondition && gatesOnApproval(condition, st.effect, gate);
  const broad = coversAllResources(st);
  if (st.effect === 'Allow') {
    b.allowAny.push(actions);
    if (!conditional) {
      b.allowUnconditional.push(actions);
      // An Allow limited to resources with given tags (ABAC) is scoped, whatever its Resource says.
      if (broad) (narrowsToTaggedResources(condition) ? b.allowTagScoped : b.allowAllResources).push(actions);
    }
  } else if (st.notResource) {
    // A Deny with NotResource spares the resources it lists, so the action stays allowed there.
    b.denyExceptListed.push(actions);
  } else if (broad) {
    // A Deny under a condition that is not an approval (e.g. "unless aws:SecureTransport", a
    // region lock) applies to some requests only, like a resource-scoped Deny: it removes nothing.
    if (!hasCondition) b.denyAlways.push(actions);
    else if (conditional) b.denyConditional.push(actions);
    // Session 44: a Deny unless approved on resources with given tags (leash's own boundary under
    // resources.approvalOnlyForProduction): on those resources the action needs approval, on the
    // others it does not. Still held with no approval somewhere; no longer on every resource.
    else if (deniesTaggedUnlessApproved(condition, gate)) b.denyExceptListed.push(actions);
  }
}

const summaryCache = new WeakMap<PolicyDocument, DocumentSummary>();
/** Summaries read against one approval gate (session 44): kept apart from the shared ones. */
const gatedSummaries = new WeakMap<ApprovalGate, WeakMap<PolicyDocument, DocumentSummary>>();

function coversAllResources(s: Statement): boolean {
  if (s.notResource) return true; // "everything except…" is broad enough to count as unscoped
  return (s.resource ?? ['*']).some((r) => r === '*' || r === 'arn:*' || /^arn:[^:]*:\*$/.test(r) || r === 'arn:aws:*:*:*:*');
}

export function summarizeDocument(doc: PolicyDocument, expander: ActionExpander, gate?: ApprovalGate): DocumentSummary {
  let cache = summaryCache;
  if (gate) {
    let g = gatedSummaries.get(gate);
    if (!g) gatedSummaries.set(gate, (g = new WeakMap()));
    cache = g;
  }
  const cached = cache.get(doc);
  if (cached) return cached;
  const n = expander.size;
  // Summaries are read-only, so sets that come out empty or equal share one object: most
  // documents have no Deny and no Condition, and 10k principals should not mean 60k bitsets.
  const b = newBuckets();
  const principalDependent: DependentStatement[] = [];
  const sets: ActionSet[] = [];
  for (const st of doc.statements) {
    // Shared with other statements of the same Action list: summaries only ever read their sets.
    const actions = expander.statementActionsShared(st.action, st.notAction);
    sets.push(actions);
    if (referencesCallerKey(st.condition)) {
      principalDependent.push({ statement: st, actions, useVariables: doc.version !== '2008-10-17' });
      continue;
    }
    classify(st, st.condition, actions, b, gate);
  }
  const empty = emptySet(n);
  const union = (sets: ActionSet[]): ActionSet => {
    if (sets.length === 0) return empty;
    // One statement's set is used as it is (possibly shared with other statements): no copy.
    // Summaries are never written to, so two fields may share it.
    if (sets.length === 1) return sets[0]!;
    const out = sets[0]!.clone();
    for (let i = 1; i < sets.length; i++) out.or(sets[i]!);
    return out;
  };
  const any = union(b.allowAny);
  const uncond = b.allowUnconditional.length === b.allowAny.length ? any : union(b.allowUnconditional);
  const s: DocumentSummary = {
    allowAny: any,
    allowUnconditional: uncond,
    allowAllResources: b.allowAllResources.length === b.allowUnconditional.length ? uncond : union(b.allowAllResources),
    denyAlways: union(b.denyAlways),
    denyConditional: union(b.denyConditional),
    denyExceptListed: union(b.denyExceptListed),
    allowTagScoped: union(b.allowTagScoped),
    principalDependent,
  };
  cache.set(doc, s);
  if (!gate || !statementSetCache.has(doc)) statementSetCache.set(doc, { expander: new WeakRef(expander), sets });
  return s;
}

// Each summarized document's statements as action sets (read-only, shared), with the expander
// whose catalog numbers them: "does statement i cover action a" is then one bit test.
// The expander is held weakly: a document that outlives the scan (a fix's policy, kept while the
// bundle is written) must not keep the expander alive, and with it every cache keyed by it
// (shared effective sets, unions, indexes: hundreds of MB at 50,000 principals).
const statementSetCache = new WeakMap<PolicyDocument, { readonly expander: WeakRef<ActionExpander>; readonly sets: readonly ActionSet[] }>();
const otherSets = new WeakMap<ActionExpander, WeakMap<PolicyDocument, readonly ActionSet[]>>();

/** A document's statements as action sets under `expander` (read-only, shared; one per statement, in order). */
export function statementSetsOf(doc: PolicyDocument, expander: ActionExpander): readonly ActionSet[] {
  summarizeDocument(doc, expander);
  const known = statementSetCache.get(doc);
  if (known && known.expander.deref() === expander) return known.sets;
  // Summarized under another expander (tests use several): sets of this one's own, kept apart.
  let byDoc = otherSets.get(expander);
  if (!byDoc) otherSets.set(expander, (byDoc = new WeakMap()));
  let sets = byDoc.get(doc);
  if (!sets) byDoc.set(doc, (sets = doc.statements.map((st) => expander.statementActionsShared(st.action, st.notAction))));
  return sets;
}

/**
 * The statements of `doc` whose Action/NotAction covers `action`, in order: by the sets its
 * summary computed when there is one and the catalog knows the action (expansion and
 * actionMatches agree on catalog actions: test/iam/covering.test.ts), else by statementCovers.
 */
export function coveringStatementsOf(doc: PolicyDocument, action: string): Statement[] {
  const known = statementSetCache.get(doc);
  const expander = known?.expander.deref();
  if (known && expander) {
    const id = expander.idOf(action);
    if (id >= 0) {
      const out: Statement[] = [];
      for (let i = 0; i < doc.statements.length; i++) if (known.sets[i]!.has(id)) out.push(doc.statements[i]!);
      return out;
    }
  }
  return doc.statements.filter((st) => statementCovers(st, action));
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
  /**
   * Actions the layers allow by action but leave on no resource (session 42, layer-intersect.ts
   * `leftNowhere`): taken out of the sets above (out of `unconditional` only, when `approvalOnly`),
   * kept here so the report can say they were weighed, not missed. Absent: none.
   */
  readonly nowhere?: readonly NowhereAction[];
}

type Accumulator = { [K in (typeof SUMMARY_KEYS)[number]]: ActionSet };

function layerSummary(docs: readonly PolicyDocument[], expander: ActionExpander, facts: (() => PrincipalFacts) | undefined, gate?: ApprovalGate): Accumulator {
  // One document with nothing principal-specific (the usual boundary or SCP level): its cached summary, read-only.
  if (docs.length === 1) {
    const cached = summarizeDocument(docs[0]!, expander, gate);
    if (cached.principalDependent.length === 0) return cached;
  }
  const n = expander.size;
  const acc = {
    allowAny: new ActionSet(n), allowUnconditional: new ActionSet(n), allowAllResources: new ActionSet(n),
    denyAlways: new ActionSet(n), denyConditional: new ActionSet(n), denyExceptListed: new ActionSet(n), allowTagScoped: new ActionSet(n),
  };
  accumulate(acc, docs, expander, facts, gate);
  return acc;
}

// Scratch buckets for one principal-dependent statement at a time: accumulate is synchronous,
// classify only pushes the statement's own (read-only) set, and the lists never escape.
const depBuckets = newBuckets();

function accumulate(acc: Accumulator, docs: readonly PolicyDocument[], expander: ActionExpander, facts: (() => PrincipalFacts) | undefined, gate?: ApprovalGate): void {
  const empty = emptySet(expander.size);
  for (const d of docs) {
    const s = summarizeDocument(d, expander, gate);
    for (const k of SUMMARY_KEYS) if (s[k] !== empty) acc[k].or(s[k]);
    for (const dep of s.principalDependent) {
      // Without a principal, the whole condition stays unknown: classified as before.
      const condition = facts && dep.statement.condition ? residualCondition(dep.statement.condition, facts(), dep.useVariables) : dep.statement.condition;
      if (condition === false) continue; // never applies to this principal
      const b = depBuckets;
      for (const k of SUMMARY_KEYS) b[k].length = 0;
      classify(dep.statement, condition, dep.actions, b, gate);
      for (const k of SUMMARY_KEYS) for (const set of b[k]) acc[k].or(set);
    }
  }
}

const SUMMARY_KEYS = ['allowAny', 'allowUnconditional', 'allowAllResources', 'denyAlways', 'denyConditional', 'denyExceptListed', 'allowTagScoped'] as const;

// Scratch sets for every accumulator: effectivePermissions is synchronous and never re-entered,
// and these never escape it (what it returns are compacting copies). Scratch sets keep their
// capacity, so a principal's unions do not grow fresh id arrays statement by statement.
const scratch = new Map<number, Accumulator>();

export interface EffectiveInput {
  readonly identity: readonly PolicyDocument[];
  readonly boundary?: readonly PolicyDocument[];
  readonly scps?: readonly (readonly PolicyDocument[])[];
  readonly session?: readonly PolicyDocument[];
  /**
   * What the calling principal settles (aws:PrincipalArn, its tags, its account's organization
   * when known…), asked for only when a statement depends on it; without it those conditions stay
   * unknown.
   */
  readonly principal?: () => PrincipalFacts;
  /**
   * A one-off question (a fix's new documents, made for one principal): answered without the
   * shared cache, which would otherwise keep every such answer alive for nothing (GC pressure).
   */
  readonly once?: boolean;
  /**
   * Session 44: read "behind approval" as behind this approval gate (or more): a grant behind
   * another approval condition counts as held with no approval (conditions.ts requiresGate). The
   * fix stage asks so of the roles an agent may assume, with the agent's own gate. Never shared.
   */
  readonly gate?: ApprovalGate;
}

/**
 * Intersect every layer that must allow (identity, boundary, SCP levels, session policy) and
 * subtract denies from all of them. Denies scoped to particular resources leave the action
 * allowed elsewhere, so they do not subtract.
 */
export function effectivePermissions(input: EffectiveInput, expander: ActionExpander): EffectivePermissions {
  // Principals with the same documents in every layer and no principal-dependent statement get
  // the same answer: computed once, the sets shared. Every reader treats them as read-only
  // (clone before writing, as reach.ts and verify.ts do).
  const key = input.once || input.gate ? undefined : sharingKey(input, expander);
  let byKey = shared.get(expander);
  if (key !== undefined) {
    const hit = byKey?.get(key);
    if (hit) return hit;
  }
  const out = computeEffective(input, expander);
  if (key !== undefined) {
    if (!byKey) shared.set(expander, (byKey = new Map()));
    if (byKey.size >= 100_000) byKey.clear(); // bounded: a cache, not an index
    byKey.set(key, out);
  }
  return out;
}

const shared = new WeakMap<ActionExpander, Map<string, EffectivePermissions>>();
const docIds = new WeakMap<PolicyDocument, number>();
let nextDocId = 0;

/** The documents of every layer by identity; undefined when some statement depends on the principal. */
function sharingKey(input: EffectiveInput, expander: ActionExpander): string | undefined {
  let key = '';
  const layer = (docs: readonly PolicyDocument[], tag: string): boolean => {
    key += tag;
    for (const d of docs) {
      if (summarizeDocument(d, expander).principalDependent.length > 0) return false;
      let id = docIds.get(d);
      if (id === undefined) docIds.set(d, (id = nextDocId++));
      key += `${id},`;
    }
    return true;
  };
  if (!layer(input.identity, 'i')) return undefined;
  if (input.boundary && !layer(input.boundary, 'b')) return undefined;
  for (const level of input.scps ?? []) if (!layer(level, 's')) return undefined;
  if (input.session && !layer(input.session, 'x')) return undefined;
  return key;
}

function computeEffective(input: EffectiveInput, expander: ActionExpander): EffectivePermissions {
  const n = expander.size;
  let acc = scratch.get(n);
  if (!acc) {
    acc = { allowAny: new ActionSet(n), allowUnconditional: new ActionSet(n), allowAllResources: new ActionSet(n), denyAlways: new ActionSet(n), denyConditional: new ActionSet(n), denyExceptListed: new ActionSet(n), allowTagScoped: new ActionSet(n) };
    scratch.set(n, acc);
  }
  for (const k of SUMMARY_KEYS) acc[k].clear();
  accumulate(acc, input.identity, expander, input.principal, input.gate);
  const { allowAny: allowed, allowUnconditional: unconditional, allowAllResources: allResources, denyAlways, denyConditional, denyExceptListed } = acc;
  const others: (readonly PolicyDocument[])[] = [];
  if (input.boundary) others.push(input.boundary);
  for (const level of input.scps ?? []) others.push(level);
  if (input.session) others.push(input.session);
  for (const docs of others) {
    const l = layerSummary(docs, expander, input.principal, input.gate);
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
  const nowhere = dropNowhere(input, allowed, unconditional, allResources, expander);
  if (!acc.allowTagScoped.isEmpty()) tagYourWayIn(allResources, acc.allowTagScoped.and(unconditional).andNot(denyExceptListed), expander);
  // Kept per principal for the whole scan: copies in the smaller form (see ActionSet). Equal sets
  // are one copy (read-only, like every answer here): 7 in 10 principals of the synthetic 10k
  // account are allowed nothing behind a condition, so unconditional is allowed again.
  const allowedCopy = allowed.compactCopy();
  const unconditionalCopy = unconditional.equals(allowed) ? allowedCopy : unconditional.compactCopy();
  const allResourcesCopy = allResources.equals(unconditional) ? unconditionalCopy : allResources.compactCopy();
  return { allowed: allowedCopy, unconditional: unconditionalCopy, allResources: allResourcesCopy, ...(nowhere.length > 0 ? { nowhere } : {}) };
}

/**
 * The actions allowed by action but, by their Resource patterns, on no resource the identity
 * policies, the boundary, every SCP level and the decidable Denies with NotResource all leave
 * (layer-intersect.ts): taken out of `allowed` and `unconditional` (only `unconditional` when an
 * approval-gated Allow still reaches a common resource). Only provable answers drop; only
 * principals with a boundary or SCPs, or a Deny with NotResource, are read (issue 14: the rest pay
 * nothing). A session policy is not read as a layer here (it could only narrow further).
 */
function dropNowhere(input: EffectiveInput, allowed: ActionSet, unconditional: ActionSet, allResources: ActionSet, expander: ActionExpander): NowhereAction[] {
  const layers: AllowLayerDocs[] = [{ kind: 'identity', docs: input.identity }];
  if (input.boundary) layers.push({ kind: 'boundary', docs: input.boundary });
  for (const level of input.scps ?? []) layers.push({ kind: 'scp', docs: level });
  if (layers.length === 1 && !input.identity.some(mayLeaveNamed)) return [];
  // Every resource already (no layer narrows it): nothing to ask.
  const candidates = allowed.clone().andNot(allResources).toArray();
  if (candidates.length === 0) return [];
  const gone = leftNowhere(layers, candidates, unconditional, expander, (d) => statementSetsOf(d, expander), input.principal);
  if (gone.length === 0) return gone;
  const ids = (xs: NowhereAction[]) => ActionSet.of(expander.size, xs.map((x) => expander.idOf(x.action)));
  const everywhere = ids(gone.filter((x) => !x.approvalOnly));
  allowed.andNot(everywhere);
  unconditional.andNot(everywhere).andNot(ids(gone.filter((x) => x.approvalOnly)));
  return gone;
}

/**
 * ABAC holds only while the principal cannot set the tags itself: where it may tag every resource
 * of a service (a Tagging-level action of that service on `*`, unconditionally), its tag-scoped
 * Allows of that service reach every resource after all (tag it, then act on it).
 */
function tagYourWayIn(allResources: ActionSet, tagScoped: ActionSet, expander: ActionExpander): void {
  if (tagScoped.isEmpty()) return;
  const { tagging, serviceOf } = taggingOf(expander);
  const open = new Set(allResources.intersectionIds(tagging).map(serviceOf));
  if (open.size === 0) return;
  for (const id of tagScoped.toArray()) if (open.has(serviceOf(id))) allResources.add(id);
}

const taggingCache = new WeakMap<ActionExpander, { tagging: ActionSet; serviceOf: (id: number) => string }>();
function taggingOf(expander: ActionExpander): { tagging: ActionSet; serviceOf: (id: number) => string } {
  let t = taggingCache.get(expander);
  if (!t) {
    const actions = expander.catalog.actions;
    t = {
      tagging: ActionSet.of(expander.size, actions.filter((a) => a.accessLevels.includes('Tagging')).map((a) => a.id)),
      serviceOf: (id) => actions[id]!.key.slice(0, actions[id]!.key.indexOf(':')),
    };
    taggingCache.set(expander, t);
  }
  return t;
}

/**
 * With `now`, conditions on the request time and the session's issue time are judged against it;
 * with `org` (its account's, organization.ts), conditions on aws:PrincipalOrgID / OrgPaths.
 */
export function principalPolicyInput(p: Principal, scps?: readonly (readonly AttachedPolicy[])[], now?: Date, org?: OrgValues): EffectiveInput {
  const input: { identity: PolicyDocument[]; boundary?: PolicyDocument[]; scps?: PolicyDocument[][]; principal: () => PrincipalFacts } = {
    identity: p.policies.map((a) => a.document),
    principal: () => factsOf(p, now, org),
  };
  // A boundary the export names but does not hold counts as none: the worst case (a boundary only
  // takes away), never an understatement; its findings say they are uncertain (checks/run.ts) and
  // its fixes are not-safe. (Counting its grants as conditional made an administrator an info finding.)
  if (p.boundary) input.boundary = [p.boundary.document];
  if (scps && scps.length > 0) input.scps = scps.map((level) => level.map((a) => a.document));
  return input;
}

/** The identity statements that allow an action (for evidence: "this statement grants it"); with a principal, only those that may apply to it. */
export function grantingStatements(policies: readonly AttachedPolicy[], action: string, principal?: Principal, org?: OrgValues): { policy: AttachedPolicy; statement: Statement }[] {
  const out: { policy: AttachedPolicy; statement: Statement }[] = [];
  for (const policy of policies) {
    for (const st of coveringStatementsOf(policy.document, action)) {
      if (st.effect !== 'Allow') continue;
      if (principal && !mayApplyToPrincipal(st.condition, principal, policy.document.version, org)) continue;
      out.push({ policy, statement: st });
    }
  }
  return out;
}
