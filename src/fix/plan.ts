// Fix plans for one agent principal: a right-sized identity policy, a permissions boundary that
// denies destructive and escalation actions without human approval, a tightened trust policy,
// a session policy, and a shorter MaxSessionDuration. Each is verified before it is called safe.
import type { ApprovalCondition } from '../checks/data.js';
import { hash } from 'node:crypto';
import type { AccessGraph } from '../graph/index.js';
import { afterFixOf, approvalSkips, assumesAny, chainedHere, chainNotes, reachedText, hopDeny, hopDenyLeftNote, hopGate, HOP_DENY_CHARS, NO_CHAINS, observedAssumes, widerBlocks, widerRoles, type AfterFix, type ApprovalSkip, type HopChains, type ProductionTag } from './hop-chains.js';
import type { Fix, FixKind, PermissionCounts, ServiceReasons, Verification } from '../model/fix.js';
import type { ConditionBlock, PolicyDocument, PrincipalBlock, Statement } from '../model/policy.js';
import type { Principal, Role, Snapshot } from '../model/snapshot.js';
import { markersFrom } from '../resources/markers.js';
import type { LeashConfig } from '../config/config.js';
import { ActionSet } from '../iam/action-set.js';
import { effectivePermissions } from '../iam/effective.js';
import { statementCovers, type ActionExpander } from '../iam/pattern.js';
import { conditionKeys } from '../iam/conditions.js';
import { escalationHits, actionIndex } from '../checks/analyze.js';
import type { AnalyzedPrincipal } from '../checks/types.js';
import { forbiddenActions } from '../baseline/forbidden.js';
import { exfiltrationListActions } from '../baseline/sensitive-reads.js';
import type { EscalationHit } from '../checks/types.js';
import type { NeededSet, ObservedAction } from '../baseline/needed.js';
import type { UnusedAgentTrust } from '../baseline/unused-trust.js';
import { compactActions, compactDeny, setKey, type DenyCompactionOptions } from './compact.js';
import destructiveVerbs from '../data/destructive-verbs.json' with { type: 'json' };
import { sessionVerificationSummary, verifyFix } from './verify.js';
import { approvalFor, serviceOnlyTrust, configuredApproval, type PrincipalApproval, approvalHolds } from './approval.js';
import { actionReasons, reasonTotals, sharedReasonsOf } from './reasons.js';
import { HOW_TO_APPLY_LINE, linkApprovalText, REASONS_ANCHOR, REASONS_HEADING } from './render/readme.js';
import type { EffectivePermissions } from '../iam/effective.js';
import { factsAfterFix, type PrincipalFacts } from '../iam/principal-context.js';
import { snapshotOrganization, type OrgValues } from '../iam/organization.js';
import type { Finding, FindingResource } from '../model/finding.js';
import { permissionSetOf, type IdentityCenterTarget } from './identity-center.js';
import { serviceSourceKeys } from './service-source-keys.js';
import { checkSizeLimits, fitPolicy, POLICY_SIZE_LIMITS, SHARED_BOUNDARY_PREFIX, sharedBoundaryDir, sharedBoundaryName, type FixPolicy, type FixTarget } from './render/index.js';
import { fixRenderings, lazyRenderings, withNotSafeRenderings } from './render/lazy.js';
import { assumeUnder, openHopsUnder, type FixLayers, type OpenHops, type GraphNodeInternal } from '../graph/build.js';
import type { Caller } from '../graph/request.js';
import { resourceCaller, resourceView, type ResourceView } from '../resources/blast.js';
import { decideOnResource } from '../resources/evaluate.js';
import { actionInfo, requestArn } from '../resources/actions.js';
import { safeText } from '../safe/text.js';
import { TRUST_ONLY_EVIDENCE } from '../checks/privilege-escalation.js';
import { escalationOf, trustOnlyEscalates } from '../checks/escalation-hits.js';

/** A boundary that allows nothing: what a boundary's implicit deny alone closes (keptHops). */
const ALLOWS_NOTHING: PolicyDocument = { version: '2012-10-17', statements: [] };

export interface PrincipalFixPlan {
  readonly principalArn: string;
  readonly principalName: string;
  readonly fixes: Fix[];
  /** All of the principal's fixes together, for the fix directory (main.tf, apply.sh). */
  readonly target: FixTarget;
  readonly readme: string;
  /** Fix id → the data-exfiltration list as that fix leaves it. Read by linkFixes, which drops it. */
  readonly openAfter?: ReadonlyMap<string, ExfiltrationAfter>;
  /**
   * A chain runs through a hop the agent was seen using to a role that gives more (hop-chains.ts):
   * its own fixes leave that hop open, so they do not close its reach findings alone. Read by
   * linkFixes, like openAfter.
   */
  readonly chained?: boolean;
  /** Session 44: the fixes that, applied, close every hop of the principal's trust-only escalation. Read by linkFixes, like openAfter. */
  readonly trustOnlyClosed?: ReadonlySet<string>;
}

/** What of the data-exfiltration check's list a fix leaves allowed: whether its findings stay open. */
export interface ExfiltrationAfter {
  /** Some listed action still allowed on every resource: the `exfiltration` finding stays. */
  readonly onEveryResource: boolean;
  /** Listed actions still allowed anywhere (lower case): a named finding's reads that stay. */
  readonly allowed: ReadonlySet<string>;
  /**
   * A named finding's reads decided again on each of its resources with the fix's policies, its
   * resource's policy included (absent: no inventory or graph). A resource policy that names the
   * principal keeps granting what an identity-side fix removes.
   */
  readonly readsAfter?: (resources: readonly FindingResource[]) => readonly ReadAfter[];
}

/** A read of a named resource still allowed after a fix, and whether its resource policy grants it (no identity Allow needed). */
export interface ReadAfter { readonly name: string; readonly action: string; readonly byResourcePolicy: boolean }

/**
 * Does the finding stay open after the fix? Only data-exfiltration is weighed: on every resource
 * by what the fix leaves on `*`; by name (`exfiltration-named`, read with the inventory) while any
 * of its reads stays allowed or is reached through another principal, which this fix does not change.
 */
/**
 * A reach finding (an assume-role escalation, destructive actions through others) of an agent with
 * a chain through a role it was seen assuming: its own fixes leave that hop open, and what lies
 * behind it is closed, if at all, by the middle role's fix (hop-chains.ts). Not claimed by these.
 */
function throughChain(f: Finding, chained: boolean | undefined): boolean {
  if (!chained) return false;
  return (f.checkId === 'privilege-escalation' && f.technique === 'sts-assume-permissive-role') || f.checkId === 'agent-reaches-destructive';
}

/**
 * An assume-role escalation of a principal that holds no sts:AssumeRole of its own (session 43,
 * privilege-escalation `TRUST_ONLY_EVIDENCE`): the trust policies let it in without an
 * identity-policy Allow, so removing an Allow closes nothing. Session 44: a fix claims it only
 * when, applied, it closes every hop the finding is about (plan `trustOnlyClosed`, decided by
 * build.ts `assumeUnder`): an explicit Deny (NoUnusedRoleHops), a gate on the approval
 * (GatedRoleHops), or, where the trust names the caller's role ARN, the boundary's implicit deny.
 */
function trustOnly(f: Finding): boolean {
  return f.checkId === 'privilege-escalation' && f.technique === 'sts-assume-permissive-role' && f.evidence.some((e) => e.kind === 'attribute' && e.name === TRUST_ONLY_EVIDENCE);
}

function staysOpen(f: Finding, after: ExfiltrationAfter | undefined, reads: readonly ReadAfter[]): boolean {
  if (!after || f.checkId !== 'data-exfiltration') return false;
  if (f.subject === 'exfiltration') return after.onEveryResource;
  return f.actions.some((x) => after.allowed.has(x.toLowerCase())) || (f.resources ?? []).some((r) => r.through !== undefined) || reads.length > 0;
}

/** The reads a resource policy still grants after the fix, as a note naming the resources (data: one line, escaped). */
function resourcePolicyNote(reads: readonly ReadAfter[], principalName: string): string | undefined {
  const by = reads.filter((r) => r.byResourcePolicy);
  if (by.length === 0) return undefined;
  const names = [...new Set(by.map((r) => safeText(r.name)))];
  const actions = [...new Set(by.map((r) => r.action))];
  return `Data exfiltration stays open after this fix: the resource policies of ${names.slice(0, 4).join(', ')}${names.length > 4 ? `, and ${names.length - 4} more` : ''} still let ${safeText(principalName)} read them (${actions.slice(0, 6).join(', ')}${actions.length > 6 ? ', …' : ''}) with no identity-policy Allow; this fix cannot remove that. Remove the grant from each resource's policy if the workload does not need it.`;
}

const sidOf = (s: string) => s.replace(/[^A-Za-z0-9]/g, '').slice(0, 60) || 'Statement';

function fixId(principalArn: string, kind: FixKind): string {
  // One-shot hash: a Hash object per fix cost more than the digest.
  return 'fix-' + hash('sha256', `${principalArn}\u0000${kind}`, 'hex').slice(0, 16);
}

/**
 * Observed resources to scope an action to, or undefined to leave it on `*`. Only when the
 * resources seen are the whole list (not a truncated sample), every one fits one of the action's
 * resource-type ARN formats, and one call is authorized against one resource: an action with
 * several required resource types (ec2:RunInstances: image, subnet, security group, network
 * interface and instance at once) is checked against ARNs CloudTrail does not list, so scoping it
 * to the ones it does list would deny the call.
 */
function scopedResources(observed: ObservedAction, action: string, expander: ActionExpander, mode: 'strict' | 'balanced'): string[] | undefined {
  const resources = observed.resources;
  if (resources.length === 0 || observed.truncated) return undefined;
  const a = expander.catalog.lookup(action);
  if (!a || a.resourceTypes.length === 0) return undefined;
  if (a.resourceTypes.length > 1 && a.resourceTypes.some((rt) => rt.required)) return undefined;
  const formats = a.resourceTypes.map((rt) => expander.catalog.resourceArnFormats.get(a.service)?.get(rt.name)).filter((f): f is string => Boolean(f));
  const res = formats.map((f) => new RegExp('^' + f.replace(/[.+^()|[\]\\]/g, '\\$&').replace(/\$\{[^}]+\}/g, '.+') + '$'));
  if (!resources.every((r) => res.some((re) => re.test(r)))) return undefined;
  // Balanced mode widens object-level ARNs to their parent (`bucket/key` → `bucket/*`): the
  // next object is the same need, not a new one.
  const out = mode === 'balanced' ? resources.map((r) => (/^arn:[^:]*:s3:::[^/]+\/.+/.test(r) ? r.replace(/^(arn:[^:]*:s3:::[^/]+)\/.*$/, '$1/*') : r)) : [...resources];
  const uniq = [...new Set(out)].sort();
  return uniq.length <= 20 ? uniq : undefined;
}

/** Granted today with no condition on `*`: the only grants the right-sized policy may rewrite freely. */
function grantsBroadly(s: Statement): boolean {
  return s.effect === 'Allow' && (s.condition === undefined || Object.keys(s.condition).length === 0) && (s.resource ?? []).includes('*');
}

/**
 * The right-sized identity policy: per service, observed actions scoped where possible, the rest
 * on `*`. With `current` (today's identity policies) it never grants more than they do: an action
 * today's policies grant only on some resources, through NotResource or under a condition keeps
 * that statement's Resource/NotResource/Condition, and today's Deny statements that touch a
 * needed action are kept.
 */
export function rightSizedPolicy(needed: NeededSet, expander: ActionExpander, mode: 'strict' | 'balanced', current?: readonly PolicyDocument[]): PolicyDocument {
  const currentStatements = (current ?? []).flatMap((d) => d.statements);
  const broad = new ActionSet(expander.size);
  const narrow: { statement: Statement; actions: ActionSet }[] = [];
  if (current) {
    for (const st of currentStatements) if (grantsBroadly(st)) broad.or(expander.statementActions(st.action, st.notAction));
    const rest = needed.actions.clone().andNot(broad);
    if (!rest.isEmpty()) {
      for (const st of currentStatements) {
        if (st.effect !== 'Allow' || grantsBroadly(st)) continue;
        const hit = rest.clone().and(expander.statementActions(st.action, st.notAction));
        if (!hit.isEmpty()) narrow.push({ statement: st, actions: hit });
      }
    }
  } else {
    broad.or(ActionSet.full(expander.size));
  }
  const scoped = new Map<string, { service: string; resources: string[]; actions: string[] }>();
  const scopedIds = new ActionSet(expander.size);
  for (const o of needed.observed) {
    const a = expander.catalog.lookup(o.action);
    if (!a || !needed.actions.has(a.id) || !broad.has(a.id)) continue;
    const res = scopedResources(o, a.key, expander, mode);
    if (!res) continue;
    const key = `${a.service}|${res.join(',')}`;
    let g = scoped.get(key);
    if (!g) scoped.set(key, (g = { service: a.service, resources: res, actions: [] }));
    g.actions.push(a.key);
    scopedIds.add(a.id);
  }
  const unscoped = needed.actions.clone().and(broad).andNot(scopedIds);
  const statements: Statement[] = [];
  const byService = new Map<string, ActionSet>();
  for (const id of unscoped.ids()) {
    const svc = expander.catalog.actions[id]!.service;
    let s = byService.get(svc);
    if (!s) byService.set(svc, (s = new ActionSet(expander.size)));
    s.add(id);
  }
  const sids = new Set<string>();
  const uniqueSid = (base: string) => { let s = sidOf(base), n = 2; while (sids.has(s)) s = `${sidOf(base)}${n++}`; sids.add(s); return s; };
  // A wildcard here is on Resource "*": it may only cover actions that are both needed and
  // granted on "*" today, never one granted today only on some resources, nor one scoped below
  // to the resources it was used on (`Describe*` on "*" would make that scope a dead letter).
  const broadCover = needed.actions.clone().and(broad).andNot(scopedIds);
  for (const [svc, set] of [...byService].sort(([a], [b]) => a.localeCompare(b))) {
    statements.push({ index: statements.length, sid: uniqueSid(`${svc}Actions`), effect: 'Allow', action: compactActions(set, expander, broadCover), resource: ['*'] });
  }
  for (const g of [...scoped.values()].sort((a, b) => a.service.localeCompare(b.service))) {
    statements.push({ index: statements.length, sid: uniqueSid(`${g.service}Scoped`), effect: 'Allow', action: [...new Set(g.actions)].sort(), resource: g.resources });
  }
  // Actions granted today only on some resources or under a condition: today's scope, kept.
  for (const { statement: st, actions } of narrow) {
    const { index: _i, sid: _s, action: _a, notAction: _n, ...scope } = st;
    statements.push({ ...scope, index: statements.length, sid: uniqueSid('KeptScope'), effect: 'Allow', action: compactActions(actions, expander, actions) });
  }
  // Today's Deny statements still apply to what remains (e.g. a Deny on one secret bucket).
  for (const st of currentStatements) {
    if (st.effect !== 'Deny' || expander.statementActions(st.action, st.notAction).and(needed.actions).isEmpty()) continue;
    statements.push({ ...st, index: statements.length, sid: uniqueSid(st.sid ?? 'KeptDeny') });
  }
  return { version: '2012-10-17', statements };
}

function approval(config: LeashConfig) {
  return configuredApproval(config);
}

/** An approval condition's guards a boundary denies with no condition (its NoTampering statement). */
function alwaysDeniedGuards(condition: ApprovalCondition): ApprovalCondition['guards'] {
  return condition.guards.filter((g) => g.where === 'permissions-boundary' && !g.condition);
}

/** An approval condition's guards a boundary denies under their condition (its NoApprovalBypass statements). */
function conditionalGuards(condition: ApprovalCondition): ApprovalCondition['guards'] {
  return condition.guards.filter((g) => g.where === 'permissions-boundary' && g.condition);
}

/**
 * What a boundary's NoApprovalBypass statements (planBoundary: the approval's permissions-boundary
 * guards with a condition) deny, said for a reviewer: the actions stay allowed as the rest of the
 * boundary says, except under that condition (tagging the principal with the approval tag), and
 * why. The action reasons list those actions as kept, which alone reads as if nothing guarded them.
 */
export function conditionalGuardNotes(condition: ApprovalCondition): string[] {
  return conditionalGuards(condition).map((g) => `${g.actions.join(', ')} stay as the boundary allows them, except ${guardConditionText(g.condition!)}: denied always, approval or not (NoApprovalBypass). ${g.why}`);
}

/** A guard's condition in words where leash knows its shape (tag keys), else as JSON. */
function guardConditionText(c: ConditionBlock): string {
  const tests = Object.entries(c);
  const [op, test] = tests.length === 1 ? tests[0]! : ['', undefined];
  const v = /^ForAnyValue:StringEquals$/i.test(op) && test && typeof test === 'object' ? (test as Record<string, unknown>)['aws:TagKeys'] : undefined;
  const keys = typeof v === 'string' ? [v] : v;
  return Array.isArray(keys) && keys.length > 0 && keys.every((k) => typeof k === 'string') ? `to set or remove the tag key ${keys.join(' or ')}` : `under ${JSON.stringify(c)}`;
}

const guardSets = new WeakMap<ApprovalCondition, WeakMap<ActionExpander, { readonly actions: ActionSet; readonly why: string } | undefined>>();
/**
 * The guards of an approval condition that a boundary denies always (its NoTampering statement,
 * planBoundary: unconditional permissions-boundary guards, while the principal can meet the
 * approval), as one set and their reasons; undefined when it has none.
 */
function boundaryGuardsOf(condition: ApprovalCondition, expander: ActionExpander): { readonly actions: ActionSet; readonly why: string } | undefined {
  let byExpander = guardSets.get(condition);
  if (!byExpander) guardSets.set(condition, (byExpander = new WeakMap()));
  if (byExpander.has(expander)) return byExpander.get(expander);
  const guards = alwaysDeniedGuards(condition);
  const ids = guards.flatMap((g) => g.actions).map((k) => expander.catalog.lookup(k)?.id).filter((x): x is number => x !== undefined);
  const out = ids.length === 0 ? undefined : { actions: ActionSet.of(expander.size, ids), why: [...new Set(guards.map((g) => g.why))].join(' ') };
  byExpander.set(expander, out);
  return out;
}

const BOUNDARY_MARGIN = 32;
/**
 * With `resources.approvalOnlyForProduction`, the approval deny applies only to resources tagged
 * production (aws:ResourceTag/<first tag key> is one of the production values), as the fix's notes
 * say: untagged resources, and actions that take no resource tag, are then not gated.
 */
export function productionOnly(denyWhen: ConditionBlock, config: LeashConfig): ConditionBlock {
  if (!config.resources.approvalOnlyForProduction) return denyWhen;
  const m = markersFrom(config.resources.production);
  const key = `aws:ResourceTag/${m.tagKeys[0]}`;
  const eq = denyWhen['StringEquals'] ?? {};
  return { ...denyWhen, StringEquals: { ...eq, [key]: [...m.productionValues] } };
}

export function productionOnlyNote(config: LeashConfig): string | undefined {
  if (!config.resources.approvalOnlyForProduction) return undefined;
  const m = markersFrom(config.resources.production);
  return `As configured (resources.approvalOnlyForProduction), the approval deny applies only to resources tagged ${m.tagKeys[0]}=${m.productionValues.join('|')}: the same actions on other or untagged resources, and actions IAM cannot match to a resource tag, need no approval.`;
}

/** The boundary statement that denies forbidden actions unless the approval condition holds. */
const APPROVAL_SID = 'NeedsApproval';
/** The same statement when the principal cannot meet any approval: a plain Deny. */
const OUTRIGHT_SID = 'DeniedOutright';

const BOUNDARY_POLICY_CHANGES = ['iam:CreatePolicyVersion', 'iam:SetDefaultPolicyVersion', 'iam:DeletePolicyVersion', 'iam:DeletePolicy'];

/** Denied by every generated boundary, approval or not: removing the boundary, blinding the audit trail, leaving the organization. */
export const GUARDRAIL_ALWAYS_DENY = [
  'iam:DeleteRolePermissionsBoundary', 'iam:PutRolePermissionsBoundary', 'iam:DeleteUserPermissionsBoundary', 'iam:PutUserPermissionsBoundary',
  'cloudtrail:StopLogging', 'cloudtrail:DeleteTrail', 'organizations:LeaveOrganization',
];

/**
 * The permissions boundary. Allow: the needed set (or everything, when nothing is known about
 * need — a boundary must not guess). Deny unless approved: destructive actions and escalation
 * legs. Deny always: removing or replacing the boundary itself, and blinding the audit trail.
 */
export function boundaryPolicy(needed: NeededSet, expander: ActionExpander, config: LeashConfig, existing?: PolicyDocument, currentlyAllowed?: ActionSet, boundaryPolicyArn?: string, principalApproval?: Pick<PrincipalApproval, 'meetable'>, reach: readonly Statement[] = []): PolicyDocument {
  let byConfig = boundaryCache.get(expander);
  if (!byConfig) boundaryCache.set(expander, (byConfig = new WeakMap()));
  let byKey = byConfig.get(config);
  if (!byKey) byConfig.set(config, (byKey = new Map()));
  // Everything the plan reads but the current permissions (see BoundaryEntry).
  const key = JSON.stringify([
    needed.basis === 'none' ? '-' : setKey(needed.actions), needed.gated, existing ?? null, boundaryPolicyArn ?? null,
    principalApproval?.meetable === false, reach,
  ]);
  const entry = byKey.get(key);
  if (entry?.document) return entry.document;
  const allowedKey = setKey(currentlyAllowed);
  const kept = entry?.byAllowed?.get(allowedKey);
  if (kept) return kept;
  const planned = planBoundary(needed, expander, config, existing, currentlyAllowed, boundaryPolicyArn, principalApproval, reach);
  const document = frozenCopy(planned.document);
  if (byKey.size >= 256) byKey.clear();
  if (!planned.readsAllowed) byKey.set(key, { document });
  else {
    const byAllowed = entry?.byAllowed ?? new Map<string, PolicyDocument>();
    if (byAllowed.size >= 256) byAllowed.clear();
    byAllowed.set(allowedKey, document);
    byKey.set(key, { byAllowed });
  }
  return document;
}

/**
 * A boundary planned once per key, read only (frozen), the same object to each principal alike
 * so that the caches per document (size, parse-back check, name, coverage notes) hit. Whether the
 * plan reads the current permissions is a function of the key (the last fallback of an
 * allow-everything boundary too big with every forbidden action): then it is kept per those too.
 */
interface BoundaryEntry {
  readonly document?: PolicyDocument;
  readonly byAllowed?: Map<string, PolicyDocument>;
}
const boundaryCache = new WeakMap<ActionExpander, WeakMap<LeashConfig, Map<string, BoundaryEntry>>>();

/**
 * A function of a boundary document, kept per document object when the document is frozen (one
 * of boundaryPolicy's, shared by principals alike); any other is asked afresh.
 */
function perBoundary<T>(cache: WeakMap<PolicyDocument, T>, doc: PolicyDocument, of: (doc: PolicyDocument) => T): T {
  if (!Object.isFrozen(doc)) return of(doc);
  let r = cache.get(doc);
  if (r === undefined) cache.set(doc, (r = of(doc)));
  return r;
}
const boundaryNames = new WeakMap<PolicyDocument, string>();

/** A deep copy no one can change: shared across principals, it must stay what was planned. */
function frozenCopy<T>(value: T): T {
  const freeze = (v: unknown): void => {
    if (v === null || typeof v !== 'object' || Object.isFrozen(v)) return;
    Object.freeze(v);
    for (const x of Object.values(v)) freeze(x);
  };
  const copy = structuredClone(value);
  freeze(copy);
  return copy;
}

/** The permissions boundary as boundaryPolicy describes it, planned afresh (the reference its memo is held to). */
export function boundaryPolicyFresh(...args: Parameters<typeof boundaryPolicy>): PolicyDocument {
  return planBoundary(...args).document;
}

function planBoundary(needed: NeededSet, expander: ActionExpander, config: LeashConfig, existing?: PolicyDocument, currentlyAllowed?: ActionSet, boundaryPolicyArn?: string, principalApproval?: Pick<PrincipalApproval, 'meetable'>, reach: readonly Statement[] = []): { document: PolicyDocument; readsAllowed: boolean } {
  const outright = principalApproval?.meetable === false;
  const forbidden = forbiddenActions(expander);
  // A principal can have one boundary: a replacement must never allow more than the current one.
  // Actions the current boundary allows with no condition on `*` are capped at action level; an
  // action it allows only on some resources, through NotResource or under a condition keeps that
  // statement's scope, and its Deny statements are kept as they are.
  const existingStatements = existing?.statements ?? [];
  const cap = existing ? new ActionSet(expander.size) : undefined;
  for (const st of existingStatements) if (cap && grantsBroadly(st)) cap.or(expander.statementActions(st.action, st.notAction));
  const known = needed.basis !== 'none' || cap !== undefined;
  const ap = approval(config);
  // A Deny no session can lift needs no guard against lifting it.
  // Unconditional guards join the tampering deny (a boundary has 6,144 characters to spend).
  const alwaysDenied = [...new Set([...GUARDRAIL_ALWAYS_DENY, ...(outright ? [] : alwaysDeniedGuards(ap)).flatMap((g) => g.actions)])];
  const fixed = denyLists(expander, alwaysDenied);
  const alwaysDeny = fixed.alwaysDeny;
  // Read only from here on (every change below works on a clone): with no known need, the shared "everything else".
  const wanted = needed.basis !== 'none' ? needed.actions.clone().andNot(alwaysDeny) : fixed.allElse;
  const allowSet = cap ? wanted.clone().and(cap) : wanted;
  const keptScoped: Statement[] = [];
  // What the boundary allows, kept scopes included: wanted only by the last fallback below.
  const keptHits: ActionSet[] = [];
  for (const st of existingStatements) {
    if (st.effect === 'Deny') { keptScoped.push(st); continue; }
    if (grantsBroadly(st)) continue;
    const hit = wanted.clone().andNot(allowSet).and(expander.statementActions(st.action, st.notAction));
    if (hit.isEmpty()) continue;
    keptHits.push(hit);
    const { index: _i, sid: _s, action: _a, notAction: _n, ...scope } = st;
    keptScoped.push({ ...scope, effect: 'Allow', index: 0, action: compactActions(hit, expander, hit) });
  }
  // What the deny's wildcards may also match. With a known need: anything not needed, plus what
  // is gated behind approval, at no cost. With no idea of need (an "allow everything else"
  // boundary): only actions whose verb removes or stops something, so a guess never gates
  // ordinary writes, and only as many as it takes to fit one managed policy.
  const gatedIds = ActionSet.of(expander.size, needed.gated.map((g) => expander.catalog.lookup(g)!.id));
  // An allow-everything boundary (no basis) knows no need: its deny may only widen over remove/stop verbs.
  const needKnown = needed.basis !== 'none';
  const cover: DenyCompactionOptions = needKnown
    ? { free: ActionSet.full(expander.size).andNot(needed.actions).or(gatedIds) }
    : { widen: destructiveVerbActions(expander) };
  // With an explicit allow list, forbidden actions outside it are already denied by omission;
  // the deny still names every forbidden action it allows, and (defence in depth) the rest.
  const denySet = fixed.denySet;
  // Always denied, approval or not: the statements the approval condition says must exist so
  // the agent cannot grant itself the approval (enrol an MFA device, tag itself leash-approved),
  // and rewriting the boundary policy itself (a new default version is a new boundary). Guards
  // that share a condition share a statement.
  const guardsByCondition = new Map<string, { actions: string[]; condition: ConditionBlock }>();
  for (const g of outright ? [] : conditionalGuards(ap)) {
    const k = JSON.stringify(g.condition);
    const entry = guardsByCondition.get(k) ?? { actions: [], condition: g.condition as ConditionBlock };
    entry.actions.push(...g.actions.filter((x) => !entry.actions.includes(x)));
    guardsByCondition.set(k, entry);
  }
  const guards: Statement[] = [...guardsByCondition.values()].map((g, i) => ({ index: 0, sid: `NoApprovalBypass${i === 0 ? '' : i + 1}`, effect: 'Deny' as const, action: g.actions, resource: ['*'], condition: g.condition }));
  if (boundaryPolicyArn) guards.push({ index: 0, sid: 'NoBoundaryEdits', effect: 'Deny', action: [...BOUNDARY_POLICY_CHANGES], resource: [boundaryPolicyArn] });
  const tamper = [...fixed.tamper];
  // Short Sids: the boundary has 6,144 characters to spend, and every one goes to the deny list.
  const build = (denyActions: readonly string[]): PolicyDocument => {
    const statements: Statement[] = [
    known
      ? { index: 0, sid: 'AllowNeeded', effect: 'Allow', action: allowSet.isEmpty() ? ['sts:GetCallerIdentity'] : compactActions(allowSet, expander, allowSet), resource: ['*'] }
      : { index: 0, sid: 'AllowAllElse', effect: 'Allow', action: ['*'], resource: ['*'] },
    outright
      ? { index: 1, sid: OUTRIGHT_SID, effect: 'Deny', action: denyActions.length === 0 ? ['iam:DeleteRolePermissionsBoundary'] : [...denyActions], resource: ['*'] }
      : { index: 1, sid: APPROVAL_SID, effect: 'Deny', action: denyActions.length === 0 ? ['iam:DeleteRolePermissionsBoundary'] : [...denyActions], resource: ['*'], condition: productionOnly(ap.denyWhen as ConditionBlock, config) },
    { index: 2, sid: 'NoTampering', effect: 'Deny', action: tamper, resource: ['*'] },
    ...guards,
    ...reach,
    ];
    // A Deny the current boundary already has because leash wrote it (the same statement, Sid
    // aside) is not kept twice: planning again over leash's own boundary gives the same boundary.
    // (Shapes are worked out only when there is a kept Deny to compare: most boundaries have none.)
    const generated = keptScoped.some((st) => st.effect === 'Deny') ? new Set(statements.map(statementShape)) : undefined;
    const kept = keptScoped.filter((st) => st.effect !== 'Deny' || !generated!.has(statementShape(st)));
    statements.push(...kept.map((st, i) => ({ ...st, sid: `KeptFromCurrent${i + 1}` })));
    return { version: '2012-10-17', statements: statements.map((st, i) => ({ ...st, index: i })) };
  };
  // Characters left for the deny list once everything else is written, less a margin for
  // renderers that lay the same statements out differently (Terraform's policy document).
  const probe = ['a:b', 'c:d'];
  const budget = POLICY_SIZE_LIMITS.managed - BOUNDARY_MARGIN - (checkSizeLimits(build(probe), 'managed').size - JSON.stringify(probe).length);
  const attempt = (set: ActionSet) => build(compactDeny(set, expander, { ...cover, maxChars: budget }).patterns);
  const full = attempt(denySet);
  if (sizeOf(full, 'managed').fits) return { document: full, readsAllowed: false };
  if (!known) {
    // Allow-everything boundary still too big with every forbidden action (a long kept scope):
    // name those of the services the principal can use today, then those it can perform today.
    // A grant in a new service later would not be covered; the fix notes say so.
    const services = new Set(currentlyAllowed ? expander.keys(currentlyAllowed).map((k) => k.split(':')[0]!) : []);
    const inServices = ActionSet.of(expander.size, denySet.toArray().filter((id) => services.has(expander.catalog.actions[id]!.service)));
    const byService = attempt(inServices);
    if (sizeOf(byService, 'managed').fits || !currentlyAllowed) return { document: byService, readsAllowed: true };
    return { document: attempt(denySet.clone().and(currentlyAllowed)), readsAllowed: true };
  }
  // Too big for one managed policy: with an explicit allow list, forbidden actions outside it
  // are already denied by omission, so the deny need only name the forbidden actions it allows.
  const keptAllowed = allowSet.clone();
  for (const hit of keptHits) keptAllowed.or(hit);
  return { document: attempt(denySet.clone().and(keptAllowed)), readsAllowed: false };
}

interface DenyLists {
  readonly alwaysDeny: ActionSet;
  /** Every action but the always-denied ones: a boundary's allow with no known need. */
  readonly allElse: ActionSet;
  /** Forbidden actions the approval deny names (the always-denied ones have their own statement). */
  readonly denySet: ActionSet;
  readonly tamper: readonly string[];
}
const denyListCache = new WeakMap<ActionExpander, Map<string, DenyLists>>();
/**
 * What every boundary with the same always-denied list shares (the list depends on the config's
 * guards and on whether approval is meetable): made once, read only by every caller.
 */
function denyLists(expander: ActionExpander, alwaysDenied: readonly string[]): DenyLists {
  let byList = denyListCache.get(expander);
  if (!byList) denyListCache.set(expander, (byList = new Map()));
  const key = JSON.stringify(alwaysDenied);
  let d = byList.get(key);
  if (!d) {
    const alwaysDeny = ActionSet.of(expander.size, alwaysDenied.map((k) => expander.catalog.lookup(k)?.id).filter((x): x is number => x !== undefined));
    d = {
      alwaysDeny,
      allElse: ActionSet.full(expander.size).andNot(alwaysDeny),
      denySet: forbiddenActions(expander).clone().andNot(alwaysDeny),
      tamper: compactDeny(alwaysDeny, expander).patterns,
    };
    if (byList.size >= 64) byList.clear();
    byList.set(key, d);
  }
  return d;
}

/**
 * checkSizeLimits of one document, kept per document object (documents are never mutated): the
 * boundary and the session policy are measured where they are built and again where they are used.
 */
export function sizeOf(doc: PolicyDocument, kind: 'managed' | 'session'): ReturnType<typeof checkSizeLimits> {
  let byKind = sizes.get(doc);
  if (!byKind) sizes.set(doc, (byKind = new Map()));
  let r = byKind.get(kind);
  if (!r) byKind.set(kind, (r = checkSizeLimits(doc, kind)));
  return r;
}
const sizes = new WeakMap<PolicyDocument, Map<'managed' | 'session', ReturnType<typeof checkSizeLimits>>>();

/** Two documents with the same statements, whatever their Sids and order. */
function sameStatements(a: PolicyDocument, b: PolicyDocument): boolean {
  const shapes = (d: PolicyDocument) => d.statements.map(statementShape).sort();
  return JSON.stringify(shapes(a)) === JSON.stringify(shapes(b));
}

/** A statement's meaning as a string, Sid and position aside (lists sorted): equal shapes grant and deny the same. */
function statementShape(st: Statement): string {
  const sorted = (xs?: readonly string[]) => (xs ? [...xs].sort() : undefined);
  const cond = st.condition ? Object.keys(st.condition).sort().map((op) => [op, Object.keys(st.condition![op]!).sort().map((k) => [k, sorted(st.condition![op]![k])])]) : undefined;
  return JSON.stringify([st.effect, sorted(st.action), sorted(st.notAction), sorted(st.resource), sorted(st.notResource), st.principal ?? null, st.notPrincipal ?? null, cond]);
}

const verbCache = new WeakMap<ActionExpander, ActionSet>();
function destructiveVerbActions(expander: ActionExpander): ActionSet {
  let set = verbCache.get(expander);
  if (!set) {
    const verbs = destructiveVerbs.verbs;
    set = ActionSet.of(expander.size, expander.catalog.actions.filter((a) => verbs.some((v) => a.name.startsWith(v) && /^[A-Z]?$/.test(a.name.charAt(v.length)))).map((a) => a.id));
    verbCache.set(expander, set);
  }
  return set;
}

const RESTRICTING = ['sts:externalid', 'aws:principalorgid', 'aws:principalarn', 'aws:principalaccount', 'aws:sourceaccount', 'aws:sourcearn', 'sts:sourceidentity', 'aws:sourceorgid'];

export interface TrustChange { document: PolicyDocument; notes: string[]; placeholders: string[]; requiresSourceIdentity: boolean }

/** Tighten a trust policy; undefined when nothing needs changing. Placeholders are named loudly. */
export function tightenedTrust(role: Role, accountId: string, isAgent: boolean): TrustChange | undefined {
  const t = trustReview(role, accountId, isAgent);
  return t.changed ? t : undefined;
}

/** The tightened trust policy, whether it differs from today's, and notes on what was left as is and why. */
export function trustReview(role: Role, accountId: string, isAgent: boolean, unused: readonly UnusedAgentTrust[] = []): TrustChange & { changed: boolean } {
  const notes: string[] = [];
  const placeholders: string[] = [];
  let requiresSourceIdentity = false;
  let changed = false;
  const remove = new Map(unused.map((u) => [u.agentArn, u] as const));
  // One principal type per statement: the conditions added below each hold for one kind of
  // caller only (a source identity for people, aws:SourceAccount for some services), and an
  // Allow with several principals means the same as one Allow per principal.
  const statements = role.trustPolicy.statements.flatMap(splitByPrincipalType).flatMap((s): Statement[] => {
    if (s.effect !== 'Allow' || brokerStatement(s)) return [s];
    // Agents that never assumed the role leave its trust first; a statement left naming nobody goes.
    if (remove.size > 0 && s.principal !== undefined && s.principal !== '*' && (s.principal.AWS ?? []).some((x) => remove.has(x))) {
      const gone = (s.principal.AWS ?? []).filter((x) => remove.has(x));
      const aws = (s.principal.AWS ?? []).filter((x) => !remove.has(x));
      changed = true;
      notes.push(`Statement ${s.index}: ${gone.map((x) => remove.get(x)!.agentName).join(', ')} removed: never assumed this role while CloudTrail covered it.`);
      if (aws.length === 0) return [];
      s = { ...s, principal: { ...s.principal, AWS: aws } };
    }
    let split: Statement | undefined;
    let sourceIdentityAdded = false;
    const keys = conditionKeys(s.condition).map((k) => k.toLowerCase());
    const cond: Record<string, Record<string, readonly string[]>> = Object.fromEntries(Object.entries(s.condition ?? {}).map(([op, kv]) => [op, { ...kv }]));
    const addCond = (op: string, key: string, values: string[]) => { cond[op] = { ...(cond[op] ?? {}), [key]: values }; changed = true; };
    let principal: PrincipalBlock | undefined = s.principal;
    let actions = s.action ? [...s.action] : undefined;
    if (s.notPrincipal) notes.push(`Statement ${s.index} uses NotPrincipal with Allow; rewrite it by hand to name the trusted principals.`);
    // "*" already narrowed by who the caller is (an organization, an account, an ARN pattern)
    // is a deliberate cross-account grant: replacing it with this account would lock the rest out.
    const callerRestricted = keys.some((k) => ['aws:principalorgid', 'aws:principalorgpaths', 'aws:principalaccount', 'aws:principalarn', 'sts:externalid'].includes(k));
    if (callerRestricted && (principal === '*' || (principal !== undefined && (principal.AWS ?? []).includes('*')))) {
      notes.push(`Statement ${s.index}: Principal "*" is kept; its condition already restricts who may assume the role.`);
    } else if (principal === '*' || (principal !== undefined && (principal.AWS ?? []).includes('*'))) {
      const rest = principal === '*' ? {} : Object.fromEntries(Object.entries(principal).filter(([k]) => k !== 'AWS'));
      const aws = principal === '*' ? [] : (principal.AWS ?? []).filter((x) => x !== '*');
      principal = { ...rest, AWS: [...aws, `arn:aws:iam::${accountId}:root`] };
      changed = true;
      notes.push(`Statement ${s.index}: "*" replaced with this account (${accountId}); name the exact principals that need the role.`);
    }
    if (principal !== undefined && typeof principal === 'object') {
      const others = (principal.AWS ?? []).filter((x) => { const m = /^(?:arn:aws[\w-]*:(?:iam|sts)::)?(\d{12})/.exec(x); return m && m[1] !== accountId; });
      if (others.length > 0 && !keys.some((k) => RESTRICTING.includes(k))) {
        addCond('StringEquals', 'sts:ExternalId', ['REPLACE-WITH-EXTERNAL-ID']);
        placeholders.push('REPLACE-WITH-EXTERNAL-ID');
        notes.push(`Statement ${s.index}: other accounts (${others.join(', ')}) must now pass an ExternalId; replace the placeholder with the value agreed with them.`);
      }
      for (const fed of principal.Federated ?? []) {
        const m = /oidc-provider\/(.+)$/.exec(fed);
        if (!m) continue;
        const provider = m[1]!;
        if (!keys.some((k) => k === `${provider.toLowerCase()}:sub`)) {
          const subject = provider.includes('githubusercontent') ? 'repo:OWNER/REPO:ref:refs/heads/main' : 'REPLACE-WITH-SUBJECT';
          addCond('StringLike', `${provider}:sub`, [subject]);
          placeholders.push(subject);
          notes.push(`Statement ${s.index}: OIDC provider ${provider} now requires a subject; replace the placeholder with the repository/workload that deploys.`);
        }
      }
      // aws:SourceAccount only for services documented to send it: a condition on a key the
      // service never sends (EC2 for an instance profile) locks the service out of the role.
      const services = principal.Service ?? [];
      if (services.length > 0 && isAgent && !keys.includes('aws:sourceaccount') && !keys.includes('aws:sourcearn')) {
        const sends = services.filter((svc) => serviceSourceKeys(svc)?.sourceAccount === true);
        for (const svc of services) {
          if (sends.includes(svc)) continue;
          const known = serviceSourceKeys(svc);
          notes.push(known
            ? `Statement ${s.index}: no aws:SourceAccount condition for ${svc}, which does not send it when it assumes a role: ${known.why} (${known.source})`
            : `Statement ${s.index}: no aws:SourceAccount condition for ${svc}: leash has no documentation that this service sends aws:SourceAccount when it assumes a role, and a condition on a key it never sends would stop it assuming the role. If the service's "confused deputy" documentation shows aws:SourceAccount or aws:SourceArn in a role trust policy, add it by hand.`);
        }
        if (sends.length > 0) {
          const p = principal;
          const sharesStatement = sends.length < services.length || Object.entries(p).some(([k, v]) => k !== 'Service' && v.length > 0);
          const why = `restricted to this account (aws:SourceAccount) against the confused deputy problem (${sends.map((svc) => serviceSourceKeys(svc)!.source).join(', ')})`;
          if (!sharesStatement) {
            addCond('StringEquals', 'aws:SourceAccount', [accountId]);
            notes.push(`Statement ${s.index}: ${sends.join(', ')} ${why}.`);
          } else {
            // The condition would also apply to the statement's other principals, which do not
            // send the key: the services that do get a statement of their own.
            const rest = services.filter((svc) => !sends.includes(svc));
            principal = Object.fromEntries(Object.entries(p).map(([k, v]) => [k, k === 'Service' ? rest : v]).filter(([, v]) => (v ?? []).length > 0)) as Record<string, readonly string[]>;
            const base = s.condition ?? {};
            split = { ...s, ...(s.sid ? { sid: `${s.sid}InAccount` } : {}), principal: { Service: sends }, condition: { ...base, StringEquals: { ...(base.StringEquals ?? {}), 'aws:SourceAccount': [accountId] } } };
            changed = true;
            notes.push(`Statement ${s.index}: ${sends.join(', ')} moved to a statement of its own and ${why}; the other services in the statement do not send aws:SourceAccount.`);
          }
        }
      }
      // Agent roles assumed by people: every session must say which human started it. A
      // statement of sts:TagSession alone authorizes no session (see below): it gets no such condition.
      if (isAgent && (principal.AWS ?? []).length > 0 && !keys.includes('sts:sourceidentity') && !(actions !== undefined && actions.every((x) => /^sts:TagSession$/i.test(x)))) {
        addCond('Null', 'sts:SourceIdentity', ['false']);
        requiresSourceIdentity = true;
        sourceIdentityAdded = true;
        if (actions && !actions.some((x) => /^sts:(\*|SetSourceIdentity)$/i.test(x))) actions = [...actions, 'sts:SetSourceIdentity'];
        notes.push(`Statement ${s.index}: sessions must set sts:SourceIdentity (the engineer behind the agent), so CloudTrail ties every agent call to a person.`);
      }
    }
    const out: Statement = { ...s, ...(principal !== undefined ? { principal } : {}), ...(actions ? { action: actions } : {}), ...(Object.keys(cond).length > 0 ? { condition: cond } : {}) };
    const tags = sourceIdentityAdded ? sessionTagsApart(out, cond) : undefined;
    if (tags) notes.push(`Statement ${s.index}: sts:TagSession has a statement of its own with the same principals and conditions but no source identity: STS's session-tagging request is not documented to carry sts:SourceIdentity, so the condition there could refuse every session that passes tags (sts:AssumeRole still requires the source identity).`);
    const kept = tags ? [tags.rest, tags.tagSession] : [out];
    return split ? [...kept, split] : kept;
  });
  const sids = new Set<string>();
  const unique = (sid: string) => { let x = sid, n = 2; while (sids.has(x)) x = `${sid}${n++}`; sids.add(x); return x; };
  if (remove.size > 0 && !statements.some((st) => st.effect === 'Allow')) {
    // Nothing left to trust. IAM wants a trust policy on every role: one that lets nobody in
    // quarantines the role (reversibly); deleting it is the owner's call, never leash's.
    statements.push({ index: 0, sid: 'NobodyAssumesThisRole', effect: 'Deny', principal: { AWS: ['*'] }, action: ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'] });
    notes.push('Nothing else is trusted: the role is quarantined (every caller denied). Delete it once you confirm nothing needs it; leash deletes nothing.');
  }
  const numbered = statements.map((st, i) => ({ ...st, index: i, ...(st.sid !== undefined ? { sid: unique(st.sid) } : {}) }));
  return { document: changed ? { ...role.trustPolicy, version: '2012-10-17', statements: numbered } : role.trustPolicy, notes, placeholders, requiresSourceIdentity, changed };
}

/**
 * sts:TagSession apart from the source identity the fix requires. STS authorizes the tags passed
 * to AssumeRole as a request of their own, sts:TagSession, whose condition keys the Service
 * Authorization Reference lists as aws:RequestTag/*, aws:TagKeys, saml:aud and
 * sts:TransitiveTagKeys, not sts:SourceIdentity
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssecuritytokenservice.html,
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html#id_session-tags_permissions-required).
 * Nothing AWS documents says the key is in that request, so a `Null sts:SourceIdentity false` on
 * it could refuse every session with tags. sts:TagSession keeps every other condition of its
 * statement in one of its own; it authorizes nothing alone (AssumeRole still needs the statement
 * with the source identity). Undefined when the statement does not cover sts:TagSession.
 */
function sessionTagsApart(out: Statement, cond: Record<string, Record<string, readonly string[]>>): { rest: Statement; tagSession: Statement } | undefined {
  if (!statementCovers(out, 'sts:TagSession')) return undefined;
  const others = Object.fromEntries(Object.entries(cond)
    .map(([op, kv]) => [op, op === 'Null' ? Object.fromEntries(Object.entries(kv).filter(([k]) => k.toLowerCase() !== 'sts:sourceidentity')) : kv] as const)
    .filter(([, kv]) => Object.keys(kv).length > 0));
  // Listed by name it moves; matched by a wildcard (sts:*) it stays, and the two Allows add up.
  const rest: Statement = out.action ? { ...out, action: out.action.filter((x) => !/^sts:TagSession$/i.test(x)) } : out;
  const { sid, notAction: _notAction, condition: _condition, ...base } = out;
  const tagSession: Statement = { ...base, ...(sid !== undefined ? { sid: `${sid}TagSession` } : {}), action: ['sts:TagSession'], ...(Object.keys(others).length > 0 ? { condition: others } : {}) };
  return { rest, tagSession };
}

const BROKER_PLACEHOLDER = 'REPLACE-WITH-APPROVAL-BROKER-ROLE-ARN';
const BROKER_SID = 'ApprovalBroker';
/** A broker statement leash wrote (brokerStatements): conditioned per action already, kept as it is when planned again. */
function brokerStatement(s: Statement): boolean {
  return /^ApprovalBroker\d*$/.test(s.sid ?? '') && s.principal !== undefined && s.principal !== '*' && Object.keys(s.principal).length === 1
    && (s.principal.AWS ?? []).length === 1 && /^arn:aws[a-z-]*:iam::\d{12}:role\//.test(s.principal.AWS![0]!);
}

/**
 * The approval condition's trust-policy guards (approval-conditions.json), for an agent role that
 * AWS principals assume: without them anyone who may assume the role could set the approval
 * (the leash-approved session tag, an approved-* source identity) on their own session. The
 * broker is the configured approval.brokerRoleArn, else a placeholder that keeps the fix from
 * being called safe. A configured broker is also let in (brokerStatements): the trust policy must
 * allow it sts:AssumeRole and the tagging / source-identity action, or no approved session exists.
 */
function withApprovalGuards(t: TrustChange & { changed: boolean }, role: Role, ap: ApprovalCondition | undefined, config: LeashConfig, expander: ActionExpander): TrustChange & { changed: boolean } {
  const guards = ap?.guards.filter((g) => g.where === 'trust-policy') ?? [];
  const assumedByAccounts = t.document.statements.some((s) => s.effect === 'Allow' && s.principal !== undefined && (s.principal === '*' || (s.principal.AWS ?? []).length > 0));
  if (guards.length === 0 || !assumedByAccounts) return t;
  const configured = config.approval.brokerRoleArn;
  const broker = configured ?? BROKER_PLACEHOLDER;
  const fill = (c: ConditionBlock): ConditionBlock => Object.fromEntries(Object.entries(c).map(([op, kv]) => [op, Object.fromEntries(Object.entries(kv).map(([k, vs]) => [k, vs.map((v) => v.replaceAll('${ApprovalBrokerRoleArn}', broker))]))]));
  const have = new Set(t.document.statements.map((s) => s.sid).filter(Boolean));
  const added: Statement[] = [];
  guards.forEach((g, i) => {
    const sid = `ApprovalOnlyFromBroker${i === 0 ? '' : i + 1}`;
    if (have.has(sid)) return; // already guarded (a trust policy leash wrote before)
    added.push({ index: 0, sid, effect: 'Deny', principal: { AWS: ['*'] }, action: [...g.actions], ...(g.condition ? { condition: fill(g.condition) } : {}) });
  });
  const usesBroker = guards.some((g) => JSON.stringify(g.condition ?? {}).includes('${ApprovalBrokerRoleArn}'));
  // Only a real broker is let in: with the placeholder the fix stays not safe and held back.
  const brokerIn = usesBroker && configured !== undefined && !have.has(BROKER_SID) ? brokerStatements(configured, guards, expander) : [];
  added.push(...brokerIn);
  if (added.length === 0) return t;
  const statements = [...t.document.statements, ...added].map((s, i) => ({ ...s, index: i }));
  return {
    ...t,
    changed: true,
    document: { ...t.document, version: '2012-10-17', statements },
    placeholders: usesBroker && broker === BROKER_PLACEHOLDER ? [...t.placeholders, BROKER_PLACEHOLDER] : t.placeholders,
    notes: [
      ...t.notes,
      `${added.filter((s) => s.effect === 'Deny').map((s) => s.sid).join(', ')}: ${ap!.id} is met by the session itself, so only the approval broker (${usesBroker && broker === BROKER_PLACEHOLDER ? 'set approval.brokerRoleArn in leash.config.yaml, or replace the placeholder' : broker}) may set it on this role's sessions; anyone else who may assume the role is denied ${[...new Set(added.filter((s) => s.effect === 'Deny').flatMap((s) => s.action ?? []))].join(' and ')} with it. ${guards.map((g) => g.why).join(' ')}`,
      ...(brokerIn.length > 0 ? [`${brokerIn.map((s) => s.sid).join(', ')}: the approval broker (${configured}) may assume the role and set the approval (${[...new Set(brokerIn.flatMap((s) => s.action ?? []))].join(', ')}), only with it and with a source identity, as every session of this role. A broker in another account also needs its own identity policy to allow these actions on this role (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html).`] : []),
    ],
  };
}

/**
 * The Allow that lets the broker make approved sessions. Passing a session tag or a source
 * identity needs sts:TagSession / sts:SetSourceIdentity in the trust policy besides
 * sts:AssumeRole (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html,
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_monitor.html).
 * Its conditions are the guards' own, less their broker exception (the leash-approved tag key, an
 * approved-* source identity), plus a source identity as every agent session must set. Each action
 * is conditioned only on the keys its request carries (the catalog's condition keys): a condition
 * on a key the request lacks would never hold. sts:AssumeRole carries them all, so no session is
 * made without them.
 */
function brokerStatements(broker: string, guards: readonly { readonly actions: readonly string[]; readonly condition?: unknown }[], expander: ActionExpander): Statement[] {
  const actions = new Set(['sts:AssumeRole', 'sts:SetSourceIdentity']);
  const cond: Record<string, Record<string, readonly string[]>> = {};
  for (const g of guards) {
    const c = (g.condition ?? {}) as Record<string, Record<string, readonly string[]>>;
    if (!JSON.stringify(c).includes('${ApprovalBrokerRoleArn}')) continue;
    for (const a of g.actions) actions.add(a);
    for (const [op, kv] of Object.entries(c)) {
      for (const [k, vs] of Object.entries(kv)) {
        if (vs.some((v) => v.includes('${ApprovalBrokerRoleArn}'))) continue;
        cond[op] = { ...(cond[op] ?? {}), [k]: vs };
      }
    }
  }
  if (!Object.values(cond).some((kv) => Object.keys(kv).some((k) => k.toLowerCase() === 'sts:sourceidentity'))) cond['Null'] = { ...(cond['Null'] ?? {}), 'sts:SourceIdentity': ['false'] };
  const groups = new Map<string, { actions: string[]; condition: Record<string, Record<string, readonly string[]>> }>();
  for (const action of actions) {
    const keys = new Set((expander.catalog.lookup(action)?.conditionKeys ?? []).map((k) => k.toLowerCase()));
    const own: Record<string, Record<string, readonly string[]>> = {};
    for (const [op, kv] of Object.entries(cond)) {
      const kept = Object.entries(kv).filter(([k]) => keys.has(k.toLowerCase()));
      if (kept.length > 0) own[op] = Object.fromEntries(kept);
    }
    const key = JSON.stringify(own);
    const g = groups.get(key);
    if (g) g.actions.push(action);
    else groups.set(key, { actions: [action], condition: own });
  }
  return [...groups.values()].map((g, i) => ({
    index: 0, sid: `${BROKER_SID}${i === 0 ? '' : i + 1}`, effect: 'Allow' as const, principal: { AWS: [broker] }, action: g.actions,
    ...(Object.keys(g.condition).length > 0 ? { condition: g.condition } : {}),
  }));
}

/**
 * What a boundary does to the destructive and escalation actions, counted honestly: a capped
 * boundary allows only the needed set, so the ones not needed stay denied with or without
 * approval, and only the `gated` ones it needed are behind the approval condition.
 */
function boundaryDenialText(forbidden: number, gated: number | undefined, pa: PrincipalApproval): string {
  if (!pa.meetable) return `denies ${forbidden} destructive and escalation actions outright (no session of this principal can meet an approval condition)`;
  // The condition by name: its description is sentences of its own (fixes/README.md has them, and a README links the name).
  if (gated === undefined) return `denies ${forbidden} destructive and escalation actions unless ${approvalHolds(pa.condition)}`;
  const notNeeded = Math.max(0, forbidden - gated);
  // Nothing used: approval unlocks none of them (the first version said "the 0 it used need approval: … holds").
  if (gated === 0) return `allows none of the ${notNeeded} destructive and escalation actions, approval or not (it used none of them)`;
  return `allows none of the ${notNeeded} destructive and escalation actions it did not use, approval or not; the ${gated} it used ${gated === 1 ? 'needs' : 'need'} approval: ${approvalHolds(pa.condition)}`;
}

function splitByPrincipalType(s: Statement): Statement[] {
  if (s.effect !== 'Allow' || s.principal === undefined || s.principal === '*') return [s];
  const kinds = Object.entries(s.principal).filter(([, v]) => v.length > 0);
  if (kinds.length < 2) return [s];
  return kinds.map(([k, v], i) => ({ ...s, ...(s.sid && i > 0 ? { sid: `${s.sid}${k}` } : {}), principal: { [k]: v } }));
}

/** Session policy: the needed set without gated actions, as small as STS allows. */
export function sessionPolicy(needed: NeededSet, expander: ActionExpander): { document: PolicyDocument; notes: string[] } {
  const gatedIds = ActionSet.of(expander.size, needed.gated.map((g) => expander.catalog.lookup(g)!.id));
  const set = needed.actions.clone().andNot(gatedIds);
  const notes: string[] = [];
  let doc: PolicyDocument = { version: '2012-10-17', statements: [{ index: 0, sid: 'AgentSession', effect: 'Allow', action: set.isEmpty() ? ['sts:GetCallerIdentity'] : compactActions(set, expander), resource: ['*'] }] };
  if (!sizeOf(doc, 'session').fits) {
    // Too big for STS: allow the used services, deny the forbidden set inside them.
    const services = [...new Set(expander.keys(set).map((k) => k.split(':')[0]!))].sort();
    const inServices = ActionSet.of(expander.size, services.flatMap((s) => (expander.catalog.byService.get(s) ?? []).map((a) => a.id)));
    const deny = forbiddenActions(expander).clone().and(inServices);
    doc = { version: '2012-10-17', statements: [
      { index: 0, sid: 'AgentSessionServices', effect: 'Allow', action: services.map((s) => `${s}:*`), resource: ['*'] },
      ...(deny.isEmpty() ? [] : [{ index: 1, sid: 'NoDestructive', effect: 'Deny' as const, action: compactDeny(deny, expander, { free: ActionSet.full(expander.size).andNot(set) }).patterns, resource: ['*'] }]),
    ] };
    notes.push('The exact action list exceeds the session-policy size limit; this version allows the used services and denies their destructive and escalation actions.');
  }
  return { document: doc, notes };
}

/**
 * Say what size did to an allow-everything boundary's deny: how many remove/stop actions its
 * wildcards also put behind approval, or how many forbidden actions it had to leave out.
 */
export function boundaryCoverageNotes(boundary: PolicyDocument, expander: ActionExpander): string[] {
  let byDoc = coverageByDoc.get(expander);
  if (!byDoc) coverageByDoc.set(expander, (byDoc = new WeakMap()));
  return [...perBoundary(byDoc, boundary, (d) => coverageNotesByLists(d, expander))];
}
const coverageByDoc = new WeakMap<ActionExpander, WeakMap<PolicyDocument, readonly string[]>>();

function coverageNotesByLists(boundary: PolicyDocument, expander: ActionExpander): readonly string[] {
  const allows = boundary.statements.filter((s) => s.effect === 'Allow').some((s) => (s.action ?? []).includes('*'));
  if (!allows) return [];
  // The notes depend on the Deny statements' action lists alone (and which of them is the
  // approval deny): alike principals have the same lists, so the answer is kept per lists.
  const denies = boundary.statements.filter((s) => s.effect === 'Deny');
  const key = JSON.stringify(denies.map((s) => [s.sid === APPROVAL_SID || s.sid === OUTRIGHT_SID, s.action ?? null, s.action ? null : s.notAction ?? []]));
  let byKey = coverageNotes.get(expander);
  if (!byKey) coverageNotes.set(expander, (byKey = new Map()));
  let notes = byKey.get(key);
  if (!notes) {
    notes = coverageNotesOf(denies, expander);
    if (byKey.size >= 1_000) byKey.clear();
    byKey.set(key, notes);
  }
  return notes;
}
const coverageNotes = new WeakMap<ActionExpander, Map<string, readonly string[]>>();

function coverageNotesOf(denies: readonly Statement[], expander: ActionExpander): string[] {
  const forbidden = forbiddenActions(expander);
  const denied = new ActionSet(expander.size);
  const gatedOnly = new ActionSet(expander.size);
  for (const s of denies) {
    // Read only: principals alike have the same deny list, expanded once.
    const set = expander.statementActionsShared(s.action, s.notAction);
    denied.or(set);
    if (s.sid === APPROVAL_SID || s.sid === OUTRIGHT_SID) gatedOnly.or(set);
  }
  const notes: string[] = [];
  const extra = gatedOnly.andNot(forbidden);
  if (!extra.isEmpty()) {
    const examples = expander.keys(extra).slice(0, 5).join(', ');
    notes.push(`To fit the 6,144-character limit the approval deny uses wildcards that also cover ${extra.count()} other remove/stop actions (${examples}${extra.count() > 5 ? ', …' : ''}); they need approval too. No ordinary write is among them.`);
  }
  const missing = forbidden.clone().andNot(denied).count();
  if (missing > 0) notes.push(`To fit the 6,144-character limit the deny names the destructive and escalation actions of the services this principal can use today; ${missing} others (in services it cannot use now) would not need approval if a later policy granted them.`);
  return notes;
}

/**
 * Deny statements that bound what the principal can become (issue 9, the access graph):
 * sts:AssumeRole on the roles that give more than it has and that it never assumed in a window
 * usage covers. "Give more" is the escalation check's: a new ranked action, or (session 38) one it
 * holds itself only on named resources that the role holds on every resource (src/checks/widen.ts
 * `widenFor`, the definition privilege-escalation reports) — without that, the boundary left open
 * the very hop the finding names. Session 40: `chained` adds the roles behind this one that an
 * agent acting through it could chain to (hop-chains.ts), which this role never assumed either.
 * The list is fitted to its share of the boundary (hop-chains.ts `hopDeny`): roles that do not
 * fit are said in `notes`, never dropped silently. They count against the boundary's 6,144
 * characters like every other statement, and verification re-checks them with the rest.
 */
export function reachGuards(a: AnalyzedPrincipal, needed: NeededSet, graph?: AccessGraph, snapshot?: Snapshot, chained: readonly string[] = [], config?: LeashConfig): { statements: Statement[]; notes: string[]; gatedHops: readonly string[]; keptHops?: Statement } {
  // Unknown is not unused: only with usage covering the window is a role "never assumed".
  if (!graph || !a.isAgent) return { statements: [], notes: [], gatedHops: [] };
  const observed = observedAssumes(a, needed.covered);
  if (!observed) return { statements: [], notes: [], gatedHops: [] };
  // Session 42: compared with what the agent keeps once its right-sized fix is applied, not with
  // the broad grant that fix takes away (a role giving that grant back is a way around the fix).
  // Session 43: what the fix keeps only behind approval is not kept (AfterFix `taken`), so a role
  // holding it with no approval gives more: assuming it would skip the approval.
  const after = snapshot && config ? agentAfterFix(a, needed, snapshot, config, graph.built.expander) : undefined;
  const deny = [...widerRoles(a, graph, snapshot, after).roles.keys()].filter((arn) => !observed.has(arn)).concat(chained.filter((arn) => !observed.has(arn)));
  const fit = hopDeny(deny, graph);
  const skips = approvalSkips(a, graph, after);
  // A hop the agent used is never denied (it would break the workload); one to a role that itself
  // holds, with no approval, what the boundary gates needs the same approval, as the agent's own
  // use of that action does (the boundary gates the forbidden actions it used, and denies those
  // it did not: here a used hop is gated, an unused one denied).
  const pa = config ? approvalFor(a, config) : undefined;
  const gateable = pa?.meetable ? [...skips.values()].filter((x) => observed.has(x.role) && x.ownGated.length > 0).map((x) => x.role) : [];
  const gate = gateable.length > 0 ? hopGate(gateable, graph, pa!.condition.denyWhen as ConditionBlock, HOP_DENY_CHARS - fit.used) : undefined;
  const left = hopDenyLeftNote(fit.left, fit.statement?.resource?.length ?? 0, graph);
  const notes = left ? [left] : [];
  if (!after && config && assumesAny(graph, a.principal.arn)) notes.push(`NoUnusedRoleHops compares the roles ${safeText(a.principal.name)} may assume with what it may do today: no right-sized policy is planned for it (${a.humanSession ? "an engineer's own role keeps what it has" : 'its own policies grant none of the needed actions, or nothing is known about its need'}), so today's grants are what it keeps.`);
  if (pa) notes.push(...approvalSkipNotes(a, graph, skips, fit.statement?.resource ?? [], gate, observed, pa, after?.production));
  const keep = keptHops(a, needed, graph, observed, HOP_DENY_CHARS - fit.used - (gate?.statement ? (gate.statement.resource ?? []).reduce((n, r) => n + JSON.stringify(r).length + 1, 0) : 0));
  if (keep.note) notes.push(keep.note);
  return { statements: [...(fit.statement ? [fit.statement] : []), ...(gate?.statement ? [gate.statement] : []), ...(keep.statement ? [keep.statement] : [])], notes, gatedHops: gate?.statement?.resource ?? [], ...(keep.statement ? { keptHops: keep.statement } : {}) };
}

/**
 * Session 44: roles the agent was seen assuming through a trust that names its role ARN, with no
 * sts:AssumeRole of its own. "Resource-based policies that grant permissions to an IAM role ARN
 * are limited by an implicit deny in a permissions boundary"
 * (reference_policies_evaluation-logic_policy-eval-denyallow.html): a boundary that caps the agent
 * to its need (AllowNeeded, which holds only what its policies grant) would deny a hop it used.
 * `KeepUsedRoleHops` allows sts:AssumeRole on them in the boundary: a boundary grants nothing by
 * itself, so this only keeps that trust's grant working. Asked with the graph's own rule
 * (build.ts `assumeUnder`): open today with no boundary, closed under a boundary that allows nothing.
 */
function keptHops(a: AnalyzedPrincipal, needed: NeededSet, graph: AccessGraph, observed: ReadonlySet<string>, limit: number): { statement?: Statement; note?: string } {
  const node = graph.node(a.principal.arn);
  const assume = graph.built.expander.catalog.lookup('sts:AssumeRole')?.id;
  if (!node || assume === undefined || needed.basis === 'none' || a.humanSession || needed.actions.has(assume) || observed.size === 0) return {};
  const identity = a.principal.policies.map((x) => x.document);
  const keep: string[] = [];
  for (const r of [...observed].sort()) {
    const t = graph.node(r);
    if (!t || t.kind !== 'role') continue;
    if (assumeUnder(node, t, { identity }) !== undefined && assumeUnder(node, t, { identity, boundary: ALLOWS_NOTHING }) === undefined) keep.push(r);
  }
  if (keep.length === 0) return {};
  const kept: string[] = [];
  let used = 0;
  for (const r of keep) {
    const cost = JSON.stringify(r).length + 1;
    if (used + cost > limit) break;
    kept.push(r);
    used += cost;
  }
  const left = keep.slice(kept.length);
  const name = (x: string) => safeText(graph.node(x)?.principal?.name ?? x);
  return {
    ...(kept.length > 0 ? { statement: { index: 0, sid: 'KeepUsedRoleHops', effect: 'Allow' as const, action: ['sts:AssumeRole'], resource: kept } } : {}),
    note: `KeepUsedRoleHops: ${safeText(a.principal.name)} was seen assuming ${kept.map(name).join(', ') || 'no role that fits'}, whose trust policy names its role ARN; it holds no sts:AssumeRole of its own and needs none, but a boundary limits such a grant, so this boundary allows sts:AssumeRole on ${kept.length === 1 ? 'that role' : 'those roles'} (a boundary grants nothing by itself).${left.length > 0 ? ` To fit the boundary's size these stay unallowed, and the hop breaks: ${left.map(name).join(', ')}.` : ''}`,
  };
}

/**
 * Why each role the agent may assume is guarded (or left) because it holds, with no approval, what
 * this boundary gates or denies (session 43): the reviewer sees that the hop is a way around the
 * approval, not only "gives more". Names through safeText; actions are catalog keys.
 */
function approvalSkipNotes(a: AnalyzedPrincipal, graph: AccessGraph, skips: ReadonlyMap<string, ApprovalSkip>, denied: readonly string[], gate: ReturnType<typeof hopGate> | undefined, observed: ReadonlySet<string>, pa: PrincipalApproval, tag?: ProductionTag): string[] {
  if (skips.size === 0) return [];
  const expander = graph.built.expander;
  const me = safeText(a.principal.name);
  const name = (arn: string) => safeText(graph.node(arn)?.principal?.name ?? arn);
  const keys = (ids: readonly number[]) => `${ids.slice(0, 4).map((id) => expander.catalog.actions[id]!.key).join(', ')}${ids.length > 4 ? ` and ${ids.length - 4} more` : ''}`;
  // Session 44: an action gated on production only (resources.approvalOnlyForProduction).
  const tagged = tag ? `resources tagged ${safeText(tag.key)}=${tag.values.map((v) => safeText(v)).join('|')}` : '';
  const onProduction = (x: ApprovalSkip) => {
    const p = x.production ?? [];
    if (p.length === 0) return '';
    return p.length === x.gated.length ? ` on ${tagged}` : ` (on ${tagged} only, for ${keys(p)})`;
  };
  const what = (x: ApprovalSkip) => x.gated.length === x.reach.length
    ? `${keys(x.reach)} with no approval, which after this fix ${me} may do${onProduction(x)} only when ${approvalHolds(pa.condition)} (NeedsApproval)`
    : x.gated.length === 0
      ? `${keys(x.reach)} with no approval, which this boundary denies ${me} outright`
      : `${keys(x.reach)} with no approval, which this boundary denies ${me} outright or allows${onProduction(x)} only when ${approvalHolds(pa.condition)}`;
  const how = (x: ApprovalSkip) => (x.own.length > 0 ? 'holds' : 'reaches, through the roles it may assume,');
  const deniedSet = new Set(denied);
  const gated = new Set(gate?.statement?.resource ?? []);
  const out: string[] = [];
  for (const x of [...skips.values()].sort((p, q) => (p.role < q.role ? -1 : 1))) {
    const r = name(x.role);
    if (deniedSet.has(x.role)) out.push(`NoUnusedRoleHops denies ${r} because it ${how(x)} ${what(x)}: assuming ${r} would skip that; ${me} never assumed it in the usage window.`);
    else if (gated.has(x.role)) out.push(`GatedRoleHops: ${me} was seen assuming ${r}, so leash does not deny that hop, but ${r} holds ${what(x)}; assuming ${r} would skip that approval, so the hop needs it too (sts:AssumeRole on ${r} is denied unless ${approvalHolds(pa.condition)}), as the actions it used do.`);
    else if (observed.has(x.role)) {
      const why = x.ownGated.length > 0
        ? `it did not fit GatedRoleHops' share of the boundary`
        : x.own.length === 0 ? 'it reaches them only through roles it may assume (the role chain notes say which hops leash closes there)' : 'the approval cannot gate the hop (no session of it can meet it, or the boundary denies those actions outright), and leash does not deny a hop it used';
      out.push(`Approval skipped through ${r} stays open: ${me} was seen assuming ${r}, which ${how(x)} ${what(x)}; ${why}. Closing it: remove those actions from ${r}'s policies or put them behind approval there, or narrow ${r}'s trust policy.`);
    }
  }
  return out;
}

/**
 * What the agent holds once its right-sized policy is applied (hop-chains.ts `AfterFix`): the
 * policy planFixes writes (cut from the need and its own policies, group policies staying), read
 * by the effective stage and by its statements for where. Undefined when no right-sized policy is
 * planned: no known need, an engineer's own role, or none of the need granted by its own policies.
 * One per needed set: the chain pass (before any plan) and the agent's own plan ask alike.
 */
export function agentAfterFix(a: AnalyzedPrincipal, needed: NeededSet, snapshot: Snapshot, config: LeashConfig, expander: ActionExpander): AfterFix | undefined {
  const hit = afterFixMemo.get(needed);
  if (hit && hit.config === config && hit.a === a) return hit.after;
  let after: AfterFix | undefined;
  const p = a.principal;
  if (needed.basis !== 'none' && !a.humanSession) {
    const stays = p.policies.filter((x) => x.origin.kind === 'group-inline' || x.origin.kind === 'group-managed');
    const own = p.policies.filter((x) => !stays.includes(x)).map((x) => x.document);
    const doc = rightSizedPolicy(needed, expander, config.baseline.mode, own);
    if (doc.statements.length > 0) {
      const synthetic: Principal = { ...p, policies: [{ origin: { kind: 'generated', name: 'fix' }, document: doc }, ...stays] };
      const org = orgOf(snapshot, config);
      const identity = [doc, ...stays.map((x) => x.document)];
      const facts = () => factsAfterFix(p, org);
      const eff = effectiveOf(identity, undefined, expander, facts);
      // Session 43: and under the boundary planFixes writes beside it (the same arguments; its
      // reach statements aside: they deny only sts:AssumeRole on named roles, which takes no
      // action from the sets compared), so an action the boundary gates on approval is not held.
      const partition = p.arn.split(':')[1] || 'aws';
      const pa = approvalFor(a, config);
      const boundary = boundaryPolicy(needed, expander, config, p.boundary?.document, a.effective.allowed, `arn:${partition}:iam::${snapshot.account.id}:policy/${SHARED_BOUNDARY_PREFIX}*`, pa);
      // Session 44: under resources.approvalOnlyForProduction the approval deny applies to
      // production-tagged resources only. What the same boundary would gate everywhere, less what
      // it gates now, is gated on production: held with no approval on other resources.
      const production = pa.meetable ? productionGate(boundary, pa, config) : undefined;
      const everywhere = production ? effectiveOf(identity, production.boundary, expander, facts) : undefined;
      after = afterFixOf(a, synthetic, eff, expander, snapshot, effectiveOf(identity, boundary, expander, facts), {
        ...(pa.meetable ? { gate: pa.condition } : {}),
        ...(production && everywhere ? { production: { everywhere, tag: production.tag } } : {}),
      });
    }
  }
  afterFixMemo.set(needed, { a, config, after });
  return after;
}
const afterFixMemo = new WeakMap<NeededSet, { readonly a: AnalyzedPrincipal; readonly config: LeashConfig; readonly after: AfterFix | undefined }>();

/**
 * The boundary's production-scoped approval deny, read as if it applied everywhere (its
 * NeedsApproval condition without the resource-tag test: the same actions, the same approval),
 * and the tag it tests; undefined when the approval deny is not production-scoped.
 */
function productionGate(boundary: PolicyDocument, pa: PrincipalApproval, config: LeashConfig): { readonly boundary: PolicyDocument; readonly tag: ProductionTag } | undefined {
  if (!config.resources.approvalOnlyForProduction) return undefined;
  const m = markersFrom(config.resources.production);
  const denyWhen = pa.condition.denyWhen;
  let scoped = false;
  const statements = boundary.statements.map((st) => {
    if (st.sid !== APPROVAL_SID) return st;
    scoped = true;
    return { ...st, condition: denyWhen };
  });
  return scoped ? { boundary: { ...boundary, statements }, tag: { key: m.tagKeys[0]!, values: [...m.productionValues] } } : undefined;
}

/**
 * The reads of a finding's own resources (not through another principal) the principal still has
 * once the fix's identity policies and boundary are in place, decided as the checks decide them
 * (decideOnResource: a same-account resource policy naming the principal allows with no identity
 * Allow; one naming the role is still capped by its boundary; a KMS key policy decides alone).
 * A session-policy fix's sessions carry it: it caps a resource policy naming the role's ARN, not
 * one naming the session or anyone (src/resources/evaluate.ts). Approval-gated grants do not
 * count, as in the check.
 */
function namedReadsAfter(view: ResourceView, node: GraphNodeInternal, identity: readonly PolicyDocument[], boundary: PolicyDocument, resources: readonly FindingResource[], session?: PolicyDocument): ReadAfter[] {
  const c = node.caller!;
  const caller: Caller = { ...c, identity: { side: 'identity', docs: identity.map((document, i) => ({ name: `fix-${i + 1}`, document })) }, boundary: { side: 'boundary', docs: [{ name: 'boundary', document: boundary }] } };
  const base = resourceCaller({ ...node, caller });
  if (!base) return [];
  const rc = session ? { ...base, session: [session] } : base;
  const out: ReadAfter[] = [];
  for (const r of resources) {
    const res = view.index.byArn.get(r.arn);
    if (!res) continue;
    for (const action of r.actions) {
      const info = actionInfo(res.type, action);
      if (!info) continue;
      const d = decideOnResource(rc, info.action, requestArn(res.arn, info), res, view.index.rcps);
      if (d.decision === 'Allowed' || (d.decision === 'Conditional' && d.condition !== 'approval')) out.push({ name: res.name, action: info.action, byResourcePolicy: d.via === 'resource-policy' || d.via === 'key-policy' });
    }
  }
  return out;
}

function effectiveOf(identity: readonly PolicyDocument[], boundary: PolicyDocument | undefined, expander: ActionExpander, facts: () => PrincipalFacts, session?: PolicyDocument): EffectivePermissions {
  // Fix documents are new objects, never asked about again: not kept in the shared cache.
  return effectivePermissions({ identity, ...(boundary ? { boundary: [boundary] } : {}), ...(session ? { session: [session] } : {}), principal: facts, once: true }, expander);
}

/** Counts after a fix, and the escalation techniques it leaves open (a reviewer asks "which one?"). */
function afterFix(eff: EffectivePermissions, identity: readonly PolicyDocument[], p: Principal, expander: ActionExpander, org: OrgValues | undefined): { counts: PermissionCounts; left: string[] } {
  const destructive = actionIndex(expander).destructive.clone().and(eff.unconditional).count();
  const synthetic: Principal = { ...p, policies: identity.map((d) => ({ origin: { kind: 'generated', name: 'fix' }, document: d })) };
  const open = escalationHits(synthetic, eff, expander, undefined, org).filter((h) => !h.conditional);
  // Plain sts:AssumeRole is never denied by a fix (which roles may be assumed is the trust
  // policies' and the access graph's call); anything else left open is named too.
  const why = (h: EscalationHit) => (h.actions.every((x) => x.toLowerCase() === 'sts:assumerole') ? ' — sts:AssumeRole is left to the trust policies of the roles it reaches (Can become)' : '');
  const left = open.map((h) => `Escalation still open after this fix: ${h.name} (${h.actions.join(', ')})${why(h)}.`);
  return { counts: { allowedActions: eff.allowed.count(), destructiveActions: destructive, escalationTechniques: open.length }, left };
}

/**
 * Session 44: the hops of a trust-only escalation a fix leaves open. The roles are those the reach
 * guards weigh (hop-chains.ts `widerRoles`, with what the agent keeps after its fix: every role one
 * assume hop away, behind a shared hop too, that gives more than it has today or after the fix);
 * each is asked again with the fix's policies in place of the principal's (build.ts `assumeUnder`:
 * the graph's own caller-side rule). Open: assumable with no condition or under one that is not
 * the approval. A role gated on the approval (GatedRoleHops) is closed as the agent's own gated
 * actions are (countsAfter counts unconditional techniques only). No role found: open (nothing
 * to show closed).
 */
function trustOnlyHops(a: AnalyzedPrincipal, needed: NeededSet, snapshot: Snapshot, config: LeashConfig, expander: ActionExpander, graph: AccessGraph): (layers: FixLayers) => OpenHops {
  const node = graph.node(a.principal.arn);
  // An agent's sets are kept for its reach guards (the chain pass asked them); anyone else's are not.
  const { roles, blocks, empty } = widerBlocks(widerRoles(a, graph, snapshot, agentAfterFix(a, needed, snapshot, config, expander), a.isAgent), graph);
  if (!node || empty) return () => ({ count: 1, first: [a.principal.arn] });
  return openHopsUnder(node, roles, graph.built, 5, blocks);
}

/** The note of a fix that leaves a trust-only escalation open: which roles, and what would close them (names escaped). */
function trustOnlyLeftNote(name: string, open: OpenHops, graph: AccessGraph): string {
  const n = open.first.slice(0, 5).map((x) => safeText(graph.node(x)?.principal?.name ?? x));
  const shown = open.count <= 5 ? n.join(', ') : `${n.join(', ')} and ${open.count - 5} more`;
  return `Escalation still open after this fix: Assume a role whose trust policy already allows the caller — ${shown} ${n.length === 1 ? 'trusts' : 'trust'} ${safeText(name)} (or any principal) by name, which needs no sts:AssumeRole of its own, and this fix neither denies that hop explicitly nor (for a role-ARN trust) leaves it unallowed by the boundary. Closing it: narrow ${n.length === 1 ? 'that trust policy' : 'those trust policies'}, or deny sts:AssumeRole on ${n.length === 1 ? 'it' : 'them'} explicitly.`;
}

/**
 * A boundary the export names but does not hold (a filtered export): the replacement is planned
 * without its scope, and effective permissions without its cap, so leash cannot show that the new
 * boundary (and the right-sized policy applied with it) allows no more than it does today.
 */
function unknownBoundaryVerification(v: Verification, arn: string): Verification {
  const why = `the current permissions boundary ${arn} is not in the export, so whether this allows more than it does today is not known: compare it with that policy's default version before applying`;
  return { ...v, safe: false, status: 'not-safe', summary: `not safe: ${why} (${v.summary ?? 'nothing else checked'})`, notes: [...v.notes, `Not safe to apply as is: ${why}.`] };
}

/**
 * Which fixes resolve which finding, by check: a trust finding is resolved by the trust fix, a
 * missing boundary by the boundary, broad grants by the right-sized policy (and the boundary and
 * session policy that cap them). Every fix is reachable from at least one finding of its principal.
 */
const FIX_KINDS_BY_CHECK: Readonly<Record<string, readonly FixKind[]>> = {
  'trust-policy-too-broad': ['trust-policy'],
  'unused-agent-trust': ['trust-policy'],
  'long-session-duration': ['max-session-duration'],
  'agent-without-boundary': ['permissions-boundary'],
  // A boundary or session policy caps what the tool can do in the engineer's session; the
  // finding (a tool runs as a person) stays until the tool has a role of its own.
  'human-session-driven-by-agent': [],
  'destructive-actions': ['permissions-boundary', 'replace-policy', 'session-policy'],
  'privilege-escalation': ['permissions-boundary', 'replace-policy', 'session-policy'],
};
const DEFAULT_FIX_KINDS: readonly FixKind[] = ['replace-policy', 'permissions-boundary', 'session-policy'];
/** Findings no fix resolves: an unused role is removed, not right-sized; unknown actions are a data problem. */
const NO_FIX_CHECKS = new Set(['unused-role', 'unknown-actions']);

/** Link a principal's fixes and findings both ways (Fix.resolves, Finding.fixIds). Mutates fixIds only. */
export function linkFixes(plan: PrincipalFixPlan, findings: readonly Finding[]): PrincipalFixPlan {
  const mine = findings.filter((f) => f.principalArn === plan.principalArn && !NO_FIX_CHECKS.has(f.checkId));
  const resolves = new Map<string, string[]>(plan.fixes.map((x) => [x.id, []]));
  // The first fix of each kind (a principal has one of each).
  const byKind = new Map<FixKind, Fix>();
  for (const x of plan.fixes) if (!byKind.has(x.kind)) byKind.set(x.kind, x);
  // A fix resolves only the findings its kind can close (a boundary never shortens a session, a
  // trust policy removes no permission): a finding whose own fix is missing (Identity Center owns
  // the session length) is resolved by none.
  const extraNotes = new Map<string, string[]>();
  for (const f of mine) {
    for (const k of FIX_KINDS_BY_CHECK[f.checkId] ?? DEFAULT_FIX_KINDS) {
      const x = byKind.get(k);
      if (!x) continue;
      const after = plan.openAfter?.get(x.id);
      const own = f.checkId === 'data-exfiltration' ? (f.resources ?? []).filter((r) => r.through === undefined) : [];
      const reads = own.length > 0 && after?.readsAfter ? after.readsAfter(own) : [];
      if (!staysOpen(f, after, reads) && !throughChain(f, plan.chained) && !(trustOnly(f) && !plan.trustOnlyClosed?.has(x.id))) resolves.get(x.id)!.push(f.id);
      const note = resourcePolicyNote(reads, plan.principalName);
      if (note && !(extraNotes.get(x.id) ?? []).includes(note)) extraNotes.set(x.id, [...(extraNotes.get(x.id) ?? []), note]);
    }
  }
  const fixes = plan.fixes.map((x) => ({ ...x, resolves: resolves.get(x.id)!, ...(extraNotes.has(x.id) ? { notes: [...x.notes, ...extraNotes.get(x.id)!] } : {}) }));
  linkFindings(fixes, mine);
  // The plan's properties in their order, the README as it was: a getter stays one (spreading
  // the plan would render it here and keep its text until writing).
  return Object.defineProperty({ principalArn: plan.principalArn, principalName: plan.principalName, fixes, target: plan.target }, 'readme', Object.getOwnPropertyDescriptor(plan, 'readme')!) as unknown as PrincipalFixPlan;
}

/**
 * Record linked fixes on a principal's findings (Finding.fixIds): each fix on the findings it
 * resolves, and a fix that resolves none of them (a session policy for a principal whose only
 * finding is its trust policy) on the worst one, so it can be opened from there; listed, not
 * claimed. `findings` are the principal's, worst first. Mutates fixIds only.
 */
export function linkFindings(fixes: readonly Pick<Fix, 'id' | 'resolves'>[], findings: readonly Finding[]): void {
  const mine = findings.filter((f) => !NO_FIX_CHECKS.has(f.checkId));
  for (const f of mine) {
    for (const x of fixes) if (x.resolves.includes(f.id) && !f.fixIds.includes(x.id)) f.fixIds.push(x.id);
  }
  const worst = mine[0];
  if (worst) for (const x of fixes) if (x.resolves.length === 0 && !worst.fixIds.includes(x.id)) worst.fixIds.push(x.id);
}

/** The scanned account's organization values (src/iam/organization.ts), once per snapshot and configured id. */
function orgOf(snapshot: Snapshot, config: LeashConfig): OrgValues | undefined {
  const id = config.resources?.organizationId;
  const hit = orgBySnapshot.get(snapshot);
  if (hit && hit.id === id) return hit.org;
  const org = snapshotOrganization(snapshot, id);
  orgBySnapshot.set(snapshot, { id, org });
  return org;
}
const orgBySnapshot = new WeakMap<Snapshot, { readonly id: string | undefined; readonly org: OrgValues | undefined }>();

export function planFixes(a: AnalyzedPrincipal, needed: NeededSet, snapshot: Snapshot, config: LeashConfig, expander: ActionExpander, findingIds: readonly string[], graph?: AccessGraph, unusedTrust: readonly UnusedAgentTrust[] = [], chains: HopChains = NO_CHAINS): PrincipalFixPlan {
  const p = a.principal;
  const accountId = snapshot.account.id;
  const mode = config.baseline.mode;
  // Counted as privilege-escalation reports them: a trust-only escalation too (session 44).
  const hitsCtx = { snapshot, expander, ...(graph ? { graph } : {}) };
  const before: PermissionCounts = { allowedActions: a.effective.allowed.count(), destructiveActions: a.destructive.unconditional.length, escalationTechniques: escalationOf(hitsCtx, a).filter((e) => !e.conditional).length };
  const currentIdentity = p.policies.map((x) => x.document);
  const current = { identity: currentIdentity, ...(p.boundary ? { boundary: p.boundary.document } : {}) };
  // The new documents are decided with what the effective stage knew of the principal (its
  // account's organization included), else a KeptScope statement's aws:PrincipalOrgID test that
  // decided today's permissions stays unknown in the fix's verification and counts.
  const org = orgOf(snapshot, config);
  const known = factsAfterFix(p, org);
  const principalSide = (): PrincipalFacts => known;
  const forbidden = forbiddenActions(expander);
  const guardrail = ActionSet.of(expander.size, GUARDRAIL_ALWAYS_DENY.map((k) => expander.catalog.lookup(k)?.id).filter((x): x is number => x !== undefined));
  const pa = approvalFor(a, config);
  // IAM Identity Center owns AWSReservedSSO_* roles: their fixes go to the permission set.
  const ic = permissionSetOf(p, snapshot);
  const icTarget = ic ? { target: { kind: 'identity-center-permission-set' as const, name: ic.permissionSetName, ...(ic.instanceArn ? { instanceArn: ic.instanceArn } : {}), ...(ic.permissionSetArn ? { permissionSetArn: ic.permissionSetArn } : {}) } } : {};
  const fixes: Fix[] = [];
  const allPolicies: FixPolicy[] = [];
  // The data-exfiltration check flags its list allowed on every resource: a fix that leaves one of
  // them so (observed where CloudTrail named no resource to scope it to, a data event the trail
  // did not log, a declared need) does not close that finding; it says so and does not claim it.
  const exfiltration = exfiltrationListActions(expander);
  const exfiltrationBefore = a.effective.allowed.intersectionIds(exfiltration, 1).length > 0;
  const openAfter = new Map<string, ExfiltrationAfter>();
  // Named reads (an inventory was read) are decided again per resource, resource policies included.
  const view = graph && snapshot.inventory ? resourceView(snapshot, graph, config) : undefined;
  const node = view ? graph!.node(p.arn) : undefined;
  const exfiltrationLeft = (fixKind: FixKind, eff: EffectivePermissions, identity: readonly PolicyDocument[], boundaryDoc: PolicyDocument, session?: PolicyDocument): string[] => {
    if (!exfiltrationBefore) return [];
    const left = eff.allResources.intersectionIds(exfiltration);
    const allowed = new Set(eff.allowed.intersectionIds(exfiltration).map((id) => expander.catalog.actions[id]!.key.toLowerCase()));
    const readsAfter = view && node?.caller ? (rs: readonly FindingResource[]) => namedReadsAfter(view, node, identity, boundaryDoc, rs, session) : undefined;
    openAfter.set(fixId(p.arn, fixKind), { onEveryResource: left.length > 0, allowed, ...(readsAfter ? { readsAfter } : {}) });
    if (left.length === 0 || a.effective.allResources.intersectionIds(exfiltration, 1).length === 0) return [];
    const keys = left.map((id) => expander.catalog.actions[id]!.key);
    const observed = left.filter((id) => needed.provenance.observed.has(id)).length;
    return [`Data exfiltration stays open after this fix: ${keys.slice(0, 6).join(', ')}${keys.length > 6 ? `, and ${keys.length - 6} more` : ''} still allowed on every resource (${observed} of them observed). Scoping them to the resources the workload reads closes it.`];
  };
  const kindOf = (k: 'managed' | 'inline') => k;
  const targetBase = { principalKind: p.kind, principalName: p.name, accountId, ...(ic ? { identityCenter: ic } : {}), ...(p.kind === 'role' ? { currentTrust: p.trustPolicy } : {}), ...(p.boundaryArn ? { currentBoundaryArn: p.boundaryArn } : {}) } as const;
  // Rendered when first read (src/fix/render/lazy.ts): report.json stores the target instead.
  // Object.assign, not `{ ...targetBase, policies }`: V8 gives each such spread copy a hidden class of its own.
  const render = (policies: FixPolicy[], extra: Partial<FixTarget> = {}) => lazyRenderings(Object.assign({}, targetBase, { policies }, extra));
  const replaces = p.policies
    .filter((x) => x.origin.kind === 'inline' || x.origin.kind === 'managed')
    .map((x) => (x.origin.kind === 'managed' ? { kind: kindOf('managed'), name: x.origin.name, arn: x.origin.arn } : { kind: kindOf('inline'), name: x.origin.name }));
  // The principal's own policies the export names but does not hold (a filtered export): not
  // read, so not replaced, and kept attached by every rendering. A group's are the group's.
  // (Looked at only for the rare principal with something unresolved: no pass over the groups otherwise.)
  const groupUnresolved = p.kind === 'user' && p.unresolvedPolicyArns.length > 0 ? new Set((snapshot.groups ?? []).filter((g) => p.groups.includes(g.name)).flatMap((g) => g.unresolvedPolicyArns)) : undefined;
  const keeps = p.unresolvedPolicyArns.length === 0 ? [] : p.unresolvedPolicyArns.flatMap((x): { kind: 'inline' | 'managed'; name: string; arn?: string }[] => {
    if (x === p.boundaryArn || groupUnresolved?.has(x)) return [];
    if (x.startsWith('inline:')) return x.includes('/') ? [] : [{ kind: 'inline', name: x.slice('inline:'.length) }];
    return x.startsWith('arn:') ? [{ kind: 'managed', name: x.slice(x.lastIndexOf('/') + 1), arn: x }] : [];
  });
  const keepsNote = keeps.length === 0 ? [] : [`Kept attached, not read: ${keeps.slice(0, 8).map((k) => k.arn ?? `inline ${k.name}`).join(', ')}${keeps.length > 8 ? ', …' : ''} (named by the export, not held by it). The fix neither replaces nor removes them, and its counts and verification do not include what they grant.`];
  // Equal per-service entries are one object for the whole run (reasons.ts: SharedReasons).
  const reasonOpts = { shared: sharedReasonsOf(snapshot) };
  const reasonBase = { current: a.effective.allowed, needed, ...(a.usage ? { usage: a.usage } : {}), ...(snapshot.usage ? { window: snapshot.usage.window } : {}), forbidden, guardrail, approval: { id: pa.condition.id, meetable: pa.meetable } };
  // Session 40: the roles behind this one an agent acting through it could chain to; session 43:
  // hops it used to roles that skip its approval are gated, so their calls count as gated (below).
  const reach = reachGuards(a, needed, graph, snapshot, chains.guards.get(p.arn)?.deny, config);
  // Session 44: a trust-only escalation is closed by a fix only if every hop stays shut under it.
  const trustOnlyAfter = graph && trustOnlyEscalates(hitsCtx, a) ? trustOnlyHops(a, needed, snapshot, config, expander, graph) : undefined;
  const trustOnlyClosed = new Set<string>();
  const withTrustOnly = (id: string, layers: FixLayers, r: { counts: PermissionCounts; left: string[] }): { counts: PermissionCounts; left: string[] } => {
    if (!trustOnlyAfter) return r;
    const open = trustOnlyAfter(layers);
    if (open.count === 0) { trustOnlyClosed.add(id); return r; }
    return { counts: { ...r.counts, escalationTechniques: r.counts.escalationTechniques + 1 }, left: [...r.left, trustOnlyLeftNote(p.name, open, graph!)] };
  };
  const verifyGated = reach.gatedHops.length > 0 ? [...needed.gated, 'sts:AssumeRole'] : needed.gated;
  const verifyBase = { observed: needed.observed, gated: verifyGated, current, principal: known, approvalMeetable: pa.meetable, approvalLabel: pa.condition.id, ...(a.isAgent || a.humanSession ? { forbidden } : {}) };
  const approvalNote = pa.meetable
    ? `Approval condition (${pa.condition.id}): ${pa.condition.description} How this principal meets it: ${pa.why}`
    : `Approval condition (${pa.condition.id}) is out of this principal's reach, so destructive and escalation actions are denied outright (statement DeniedOutright): ${pa.why}`;

  // 1. Boundary (always, for agents): it holds even when nothing is known about need.
  // An engineer's own session role keeps all it has; its boundary only puts destructive and
  // escalation actions behind approval (or, out of reach of any approval, denies them).
  const humanRole = a.humanSession;
  const boundaryNeed: NeededSet = humanRole ? { ...needed, basis: 'none' } : needed;
  // The right-sized policy is the principal's own (its name says whose); the boundary is named
  // from its content and shared by every principal it is the same for (shared-boundary.ts). Its
  // self-protection covers every leash boundary, so its content never depends on its name.
  const names = policyNames(p);
  const partition = p.arn.split(':')[1] || 'aws';
  // Session 40: the chains through roles this agent was seen assuming (closed there, or named as open).
  const chained = chainNotes(p.arn, chains.chains.get(p.arn), graph, (via) => fixId(via, 'permissions-boundary'));
  const boundary = boundaryPolicy(boundaryNeed, expander, config, p.boundary?.document, a.effective.allowed, `arn:${partition}:iam::${accountId}:policy/${SHARED_BOUNDARY_PREFIX}*`, pa, reach.statements);
  const boundaryName = perBoundary(boundaryNames, boundary, sharedBoundaryName);
  const bSize = sizeOf(boundary, 'managed');
  // Short: it is repeated once per service of an allow-everything boundary (hundreds).
  const notRestricted = humanRole ? "engineer's own role: kept as is" : boundaryNeed.basis === 'none' ? 'no known need to cap to: kept as is' : undefined;

  // 2. Right-sized policy, only with a basis: unknown is not unused. Not for an engineer's own
  // session role: what a human needs is not leash's to decide from observed use.
  let identityAfter: PolicyDocument[] = currentIdentity as PolicyDocument[];
  // A user's group policies stay attached: the group is shared, and the fix replaces only the
  // user's own policies. So the right-sized policy is cut from those alone (a grant only a group
  // holds is not copied onto the user, where leaving the group would no longer remove it), and
  // what the fix leaves is decided with the group policies that stay.
  const stays = p.policies.filter((x) => x.origin.kind === 'group-inline' || x.origin.kind === 'group-managed');
  const ownIdentity = stays.length === 0 ? currentIdentity : p.policies.filter((x) => !stays.includes(x)).map((x) => x.document);
  const staysDocs = stays.map((x) => x.document);
  const staysNote = stays.length === 0 ? [] : [`Group policies stay attached (a group is shared; this fix replaces only the user's own policies): ${stays.slice(0, 8).map((x) => `${x.origin.name} (group ${'group' in x.origin ? x.origin.group : ''})`).join(', ')}${stays.length > 8 ? ', …' : ''}. The permissions boundary caps what they grant this user; the counts and the verification include them.`];
  // Nothing of the need is granted by the principal's own policies (it comes from its groups, or
  // from resource policies): a right-sized policy would have no statement. IAM requires the
  // Statement element (reference_policies_elements_statement.html) and such a policy would say
  // nothing: none is written, the own policies stay, and the boundary caps them.
  let noRightSized: string | undefined;
  const unknownBoundary = p.boundaryArn && !p.boundary ? p.boundaryArn : undefined;
  const doc = needed.basis !== 'none' && !humanRole ? rightSizedPolicy(needed, expander, mode, ownIdentity) : undefined;
  if (doc && doc.statements.length === 0) noRightSized = `No right-sized policy: ${stays.length > 0 ? "the user's own policies grant" : "the principal's policies grant"} none of the needed actions, so there is nothing to replace them with; they stay, capped by this boundary.`;
  if (doc && doc.statements.length > 0) {
    const fit = fitPolicy(doc, 6144, { maxParts: 5, catalog: expander.catalog });
    const parts = fit.ok ? [...fit.parts] : [doc];
    const notes: string[] = [];
    if (fit.ok && parts.length > 1) notes.push(`Split into ${parts.length} managed policies to respect the 6,144-character limit.`);
    if (fit.generalised) notes.push('Action lists were generalised to wildcards (only where the wildcard matches nothing outside the needed set) to fit size limits.');
    if (!fit.ok) notes.push(`Does not fit AWS size limits: ${fit.error.message}.`);
    if (!needed.covered) notes.push('Usage data does not cover this principal for the whole window; the policy is built from the declared profile only.');
    if (needed.dropped.length > 0) notes.push(`Left out (destructive/escalation, never observed): ${needed.dropped.slice(0, 20).join(', ')}${needed.dropped.length > 20 ? ', …' : ''}.`);
    const withheld = needed.provenance.sensitiveWithheld.count();
    if (withheld > 0) notes.push(`${withheld} sensitive read(s) of used services left out because never observed (src/data/sensitive-reads.json, and reads the data-exfiltration check flags on every resource): ${expander.keys(needed.provenance.sensitiveWithheld).slice(0, 8).join(', ')}${withheld > 8 ? ', …' : ''}.`);
    const policies: FixPolicy[] = parts.map((d, i) => ({ name: parts.length > 1 ? `${names.rightSized}-${i + 1}` : names.rightSized, purpose: 'identity', attach: 'managed', document: d }));
    identityAfter = staysDocs.length === 0 ? parts : [...parts, ...staysDocs];
    const eff = effectiveOf(identityAfter, boundary, expander, principalSide);
    const rAfter = withTrustOnly(fixId(p.arn, 'replace-policy'), { identity: identityAfter, boundary }, afterFix(eff, identityAfter, p, expander, org));
    const verified = verifyFix({
      ...verifyBase, identity: identityAfter, boundary, effective: eff,
      documents: parts.map((d, i) => ({ name: policies[i]!.name, document: d, sizeOk: fit.ok })).concat([{ name: 'boundary', document: boundary, sizeOk: bSize.fits }]),
    }, expander);
    // Usage was read but does not cover the window (a file failed to read, days missing): calls
    // the fix would deny may be among what was not read, so it is never called verified (issue 10).
    const partial = !needed.covered && (a.usage?.actions.length ?? 0) > 0
      ? { ...verified, safe: false, status: 'unverified' as const, summary: `unverified: usage is partial for this principal, so calls it made may be missing (${verified.summary ?? 'checked what was read'})`, notes: [...verified.notes, 'Not verified: usage is partial for this principal (a CloudTrail file failed to read, or days are missing), so calls it made may be missing.'] }
      : verified;
    const verification = unknownBoundary ? unknownBoundaryVerification(partial, unknownBoundary) : partial;
    fixes.push({
      id: fixId(p.arn, 'replace-policy'), kind: 'replace-policy', principalArn: p.arn,
      title: `Right-sized policy for ${p.name} (${mode})`,
      description: `Replaces ${replaces.length} of its own ${replaces.length === 1 ? 'policy' : 'policies'} (${replaces.filter((r) => r.kind === 'inline').length} inline, ${replaces.filter((r) => r.kind === 'managed').length} managed) with ${parts.length} policy document(s) built from ${needed.basis} need: ${needed.actions.count()} actions instead of ${before.allowedActions}; applied together with the permissions boundary.`,
      before: currentIdentity, after: parts.length === 1 ? parts[0]! : parts,
      countsBefore: before, countsAfter: rAfter.counts,
      renderings: render(policies, { replacesPolicies: replaces, ...(keeps.length > 0 ? { keepsPolicies: keeps } : {}) }),
      verification, actionReasons: actionReasons({ ...reasonBase, after: eff }, expander, reasonOpts), ...icTarget,
      resolves: findingIds, notes: [...notes, ...staysNote, ...keepsNote, ...rAfter.left, ...exfiltrationLeft('replace-policy', eff, identityAfter, boundary)],
    });
    allPolicies.push(...policies);
  }

  const bPolicy: FixPolicy = { name: boundaryName, purpose: 'boundary', attach: 'managed', shared: true, document: boundary };
  // What the boundary also denies always so that the approval stays a human's (its NoTampering).
  const approvalGuard = pa.meetable ? boundaryGuardsOf(pa.condition, expander) : undefined;
  const bEff = effectiveOf(currentIdentity, boundary, expander, principalSide);
  const bAfter = withTrustOnly(fixId(p.arn, 'permissions-boundary'), { identity: currentIdentity, boundary }, afterFix(bEff, currentIdentity, p, expander, org));
  // The boundary in place already says this (leash's own, planned again): no fix to review.
  if (!(p.boundary && sameStatements(p.boundary.document, boundary))) fixes.push({
    id: fixId(p.arn, 'permissions-boundary'), kind: 'permissions-boundary', principalArn: p.arn,
    title: ic
      ? `Permissions boundary for permission set ${ic.permissionSetName} (${p.name}): ${pa.meetable ? 'no destructive or escalation action without human approval' : 'no destructive or escalation action'}`
      : `Permissions boundary for ${p.name}: ${pa.meetable ? 'no destructive or escalation action without human approval' : 'no destructive or escalation action'}`,
    description: `${boundaryNeed.basis === 'none' ? 'Allows everything else (no baseline to cap to)' : 'Caps the principal to its right-sized set'}; ${boundaryDenialText(forbidden.count(), boundaryNeed.basis === 'none' ? undefined : boundaryNeed.gated.length, pa)}; always denies removing the boundary and stopping CloudTrail${approvalGuard ? `, and the ${approvalGuard.actions.count()} actions that would let it approve itself (${pa.condition.id}'s guards)` : ''}.`,
    ...(p.boundary ? { before: p.boundary.document } : {}),
    after: boundary,
    countsBefore: before, countsAfter: bAfter.counts,
    renderings: render([bPolicy]),
    verification: ((v) => (unknownBoundary ? unknownBoundaryVerification(v, unknownBoundary) : v))(verifyFix({
      ...verifyBase, identity: currentIdentity, boundary, effective: bEff,
      documents: [{ name: 'boundary', document: boundary, sizeOk: bSize.fits, ...(bSize.fits ? {} : { sizeNote: `${bSize.size} > ${bSize.limit}` }) }],
    }, expander)),
    actionReasons: actionReasons({ ...reasonBase, after: bEff, ...(notRestricted ? { notRestricted } : {}), ...(approvalGuard ? { approvalGuard } : {}) }, expander, reasonOpts), ...icTarget,
    resolves: findingIds, notes: [
      ...(ic ? [`IAM Identity Center owns ${p.name}; IAM refuses changes to it ("Cannot perform the operation on the protected role"). apply.sh creates the shared boundary ${boundaryName} in this account (from fixes/${sharedBoundaryDir(boundaryName)}/, if it does not exist yet; with Terraform, apply that folder) and both set it as permission set ${ic.permissionSetName}'s permissions boundary (CustomerManagedPolicyReference), then provision the permission set; the policy must exist under that name in every account the permission set is provisioned to.${ic.permissionSetArn ? '' : ' The instance and permission-set ARNs were not collected: apply.sh needs them filled in (main.tf looks them up by name).'}`] : []),
      ...(noRightSized ? [noRightSized] : []),
      ...(pa.meetable ? conditionalGuardNotes(pa.condition) : []),
      // Setting a boundary replaces the one in place (a principal has one): say which.
      ...(p.boundary && p.boundaryArn ? [`Replaces the current permissions boundary ${p.boundaryArn}: what it allows only on some resources or under a condition, and its Deny statements, are kept (KeptFromCurrent statements); what it allows on every resource is capped to the needed set.`] : []),
      approvalNote, ...(pa.meetable && pa.condition.caveats ? [pa.condition.caveats] : []), ...boundaryCoverageNotes(boundary, expander), ...(pa.meetable && productionOnlyNote(config) ? [productionOnlyNote(config)!] : []),
      ...reach.notes, ...chainedHere(chains, p.arn, graph), ...chained,
      ...bAfter.left, ...exfiltrationLeft('permissions-boundary', bEff, currentIdentity, boundary),
    ],
  });
  if (fixes.some((f) => f.kind === 'permissions-boundary')) allPolicies.push(bPolicy);

  // 3. Trust policy and session duration (roles). IAM Identity Center owns its roles' trust
  // policy and session length (set on the permission set).
  let maxSession: number | undefined;
  const trustLeftAsIs: string[] = [];
  const sessions = a.usage?.sessions ?? [];
  if (p.kind === 'role' && !a.humanSession) {
    const review = withApprovalGuards(trustReview(p, accountId, a.isAgent, unusedTrust), p, a.isAgent && pa.meetable ? pa.condition : undefined, config, expander);
    const t = review.changed ? review : undefined;
    if (!t) trustLeftAsIs.push(...review.notes);
    if (t) {
      const size = checkSizeLimits(t.document, 'trust');
      const verification = trustVerification(t, a, verifyFix({ identity: [], observed: [], gated: [], documents: [{ name: 'trust', document: t.document, sizeOk: size.fits }] }, expander));
      // Not safe as it stands (a placeholder, callers it would lock out): written for review, held
      // back from main.tf and apply.sh, which keep today's trust policy.
      const heldBack = verification.status === 'not-safe' ? verification.summary : undefined;
      const tp: FixPolicy = heldBack ? { name: 'trust', purpose: 'trust', attach: 'none', document: t.document, heldBack } : { name: 'trust', purpose: 'trust', attach: 'inline', document: t.document };
      const notes = heldBack ? [...t.notes, 'Held back: main.tf and apply.sh leave today\'s trust policy in place until this is resolved and applied by hand.'] : t.notes;
      fixes.push({
        id: fixId(p.arn, 'trust-policy'), kind: 'trust-policy', principalArn: p.arn,
        title: `Tighter trust policy for ${p.name}`, description: t.notes.join(' '),
        before: p.trustPolicy, after: t.document, renderings: render([tp]),
        verification, resolves: findingIds, notes,
      });
      allPolicies.push(tp);
    }
    if (p.maxSessionDuration !== undefined && p.maxSessionDuration > config.checks.maxSessionSeconds) {
      maxSession = config.checks.maxSessionSeconds;
      fixes.push({
        id: fixId(p.arn, 'max-session-duration'), kind: 'max-session-duration', principalArn: p.arn,
        title: `MaxSessionDuration ${p.maxSessionDuration / 3600} h → ${maxSession / 3600} h for ${p.name}`,
        description: 'Agent credentials should expire within the hour.',
        before: p.maxSessionDuration, after: maxSession,
        renderings: render([], { maxSessionDuration: maxSession }),
        verification: sessionLengthVerification(sessions, maxSession),
        resolves: findingIds, notes: ['Sessions already issued keep their expiry.'],
      });
    }
  }

  // 4. Session policy an engineer passes when starting the tool's session. Identity Center
  // sessions cannot take one (the sign-in has no policy parameter): the boundary is their control.
  // Only a role that people or their tools assume takes one: an IAM user's requests carry none
  // (GetFederationToken's sessions cannot call IAM or STS), and nobody passes one to a role only
  // an AWS service assumes.
  if (needed.basis !== 'none' && !a.humanSession && p.kind === 'role' && !serviceOnlyTrust(a)) {
    const planned = sessionPolicy(needed, expander);
    // Session 44: a session policy limits a role-ARN trust grant as a boundary does: the used hops
    // the boundary keeps (KeepUsedRoleHops) are kept here too, else the tool's sessions lose them.
    const s = reach.keptHops ? { ...planned, document: { ...planned.document, statements: [...planned.document.statements, { ...reach.keptHops, index: planned.document.statements.length }] } } : planned;
    const size = sizeOf(s.document, 'session');
    const sp: FixPolicy = { name: 'session-policy', purpose: 'session', attach: 'none', document: s.document };
    const gatedIds = ActionSet.of(expander.size, needed.gated.map((g) => expander.catalog.lookup(g)!.id));
    const sEff = effectiveOf(identityAfter, boundary, expander, principalSide, s.document);
    const sAfter = withTrustOnly(fixId(p.arn, 'session-policy'), { identity: identityAfter, boundary, session: s.document }, afterFix(sEff, identityAfter, p, expander, org));
    fixes.push({
      id: fixId(p.arn, 'session-policy'), kind: 'session-policy', principalArn: p.arn,
      title: `Session policy for AI tool sessions as ${p.name}`,
      description: 'Pass with `aws sts assume-role --policy file://session-policy.json` (or the tool\'s session-policy setting): the session gets at most the needed set, never the gated actions.',
      after: s.document,
      countsBefore: before, countsAfter: sAfter.counts,
      renderings: render([sp]),
      verification: verifyFix({
        ...verifyBase, identity: identityAfter, boundary, session: s.document, effective: sEff,
        observed: needed.observed, gated: needed.gated, withholdsGated: true,
        documents: [{ name: 'session-policy', document: s.document, sizeOk: size.fits, ...(size.note ? { sizeNote: size.note } : {}) }],
      }, expander),
      actionReasons: actionReasons({ ...reasonBase, after: sEff, withheld: { actions: gatedIds, detail: 'left out of agent sessions: a destructive/escalation action needs a session without this policy (and approval)' } }, expander, reasonOpts),
      resolves: findingIds, notes: [...s.notes, ...(size.note ? [size.note] : []), ...(needed.gated.length > 0 ? [`Not in the session policy (run them in a session without it, with approval): ${needed.gated.join(', ')}.`] : []), ...sAfter.left, ...exfiltrationLeft('session-policy', sEff, identityAfter, boundary, s.document)],
    });
    allPolicies.push(sp);
  }

  // Rendered before verified: a fix leash calls not safe gets the refusal in its own renderings
  // (report.json, the TUI) as in its folder's apply.sh and main.tf.
  for (let i = 0; i < fixes.length; i++) fixes[i] = withNotSafeRenderings(fixes[i]!);
  const target: FixTarget = Object.assign({}, targetBase, {
    policies: allPolicies,
    ...(maxSession !== undefined ? { maxSessionDuration: maxSession } : {}),
    ...(fixes.some((f) => f.kind === 'replace-policy') ? { replacesPolicies: replaces, ...(keeps.length > 0 ? { keepsPolicies: keeps } : {}) } : {}),
  });
  // The README is text for the fix folder only: rendered when written, from the few facts it
  // needs (3,742 READMEs held from planning to writing were 23 MB of the heap at 10,000 principals).
  const facts: ReadmeFacts = {
    name: p.name, arn: p.arn, basis: needed.basis, covered: needed.covered, observedCount: needed.observed.length,
    trustLeftAsIs, ic, humanSession: a.humanSession, sharedBoundary: target.policies.find((x) => x.purpose === 'boundary' && x.shared)?.name,
  };
  const plan = withReadme({ principalArn: p.arn, principalName: p.name, fixes, target }, facts);
  // Not enumerable: linkFixes, in this thread, reads them; a plan's copy (a worker's) needs none.
  if (openAfter.size > 0) Object.defineProperty(plan, 'openAfter', { value: openAfter, enumerable: false });
  if (trustOnlyClosed.size > 0) Object.defineProperty(plan, 'trustOnlyClosed', { value: trustOnlyClosed, enumerable: false });
  if ((chains.chains.get(p.arn) ?? []).some((c) => c.closed.length + c.open.length > 0)) Object.defineProperty(plan, 'chained', { value: true, enumerable: false });
  return plan;
}

/**
 * A plan whose `readme` is rendered on each read, from the fixes of the plan it is read on (a
 * linked copy's: the closure holds no second list). Enumerable, so a structured clone (plans from
 * analysis workers) carries the text itself. The getter is made here, not in planFixes: a closure
 * made there would keep planFixes' whole scope (the expander and, through its caches, every
 * shared effective set) alive as long as the plan, i.e. through the writing of the bundle.
 */
function withReadme(plan: Omit<PrincipalFixPlan, 'readme'>, facts: ReadmeFacts): PrincipalFixPlan {
  return Object.defineProperty(plan, 'readme', { get(this: PrincipalFixPlan) { return fixReadme(facts, this.fixes); }, enumerable: true }) as PrincipalFixPlan;
}

interface ReadmeFacts {
  readonly name: string;
  readonly arn: string;
  readonly basis: string;
  readonly covered: boolean;
  readonly observedCount: number;
  readonly trustLeftAsIs: readonly string[];
  readonly ic: IdentityCenterTarget | undefined;
  readonly humanSession: boolean;
  readonly sharedBoundary: string | undefined;
}

/**
 * A role that is no agent itself but trusts agents that never assumed it: its only fix is the
 * trust policy without them (nothing else of a non-agent role is leash's to right-size).
 */
export function planTrustFix(a: AnalyzedPrincipal, snapshot: Snapshot, expander: ActionExpander, findingIds: readonly string[], unusedTrust: readonly UnusedAgentTrust[]): PrincipalFixPlan | undefined {
  const p = a.principal;
  if (p.kind !== 'role' || unusedTrust.length === 0 || permissionSetOf(p, snapshot)) return undefined;
  const t = trustReview(p, snapshot.account.id, false, unusedTrust);
  if (!t.changed) return undefined;
  const size = checkSizeLimits(t.document, 'trust');
  const verification = unusedTrustVerification(t, unusedTrust, a, verifyFix({ identity: [], observed: [], gated: [], documents: [{ name: 'trust', document: t.document, sizeOk: size.fits }] }, expander));
  // As for an agent's trust fix: not safe as it stands, so written for review and not applied.
  const heldBack = verification.status === 'not-safe' ? verification.summary : undefined;
  const tp: FixPolicy = heldBack ? { name: 'trust', purpose: 'trust', attach: 'none', document: t.document, heldBack } : { name: 'trust', purpose: 'trust', attach: 'inline', document: t.document };
  const targetBase = { principalKind: p.kind, principalName: p.name, accountId: snapshot.account.id, currentTrust: p.trustPolicy, ...(p.boundaryArn ? { currentBoundaryArn: p.boundaryArn } : {}) } as const;
  const fix: Fix = {
    id: fixId(p.arn, 'trust-policy'), kind: 'trust-policy', principalArn: p.arn,
    title: `Trust policy of ${p.name} without the agents that never assumed it`, description: t.notes.join(' '),
    before: p.trustPolicy, after: t.document, renderings: fixRenderings({ kind: 'trust-policy', verification }, { ...targetBase, policies: [tp] }),
    verification, resolves: [...findingIds],
    notes: heldBack ? [...t.notes, 'Held back: main.tf and apply.sh leave today\'s trust policy in place until this is resolved and applied by hand.'] : t.notes,
  };
  const v = fix.verification;
  const readme = [
    `# Fixes for ${md(p.name)}`, '', `Principal: \`${p.arn.replace(/`/g, "'")}\` — not an agent itself; its trust policy names agents that never assumed it.`, '',
    HOW_TO_APPLY_LINE, '',
    `## ${md(fix.title)}`, '', `Verification (${v.status ?? (v.safe ? 'verified' : 'not-safe')}): ${md(v.summary ?? '')}.`, '',
    ...[...new Set([...fix.notes, ...v.notes])].map((n) => `- ${md(n)}`),
  ].join('\n') + '\n';
  return { principalArn: p.arn, principalName: p.name, fixes: [fix], target: { ...targetBase, policies: [tp] }, readme };
}

/**
 * A role that is no agent itself but that an agent was seen assuming (session 40): agents act
 * through it, and its sessions are not bounded by theirs, so a wider role behind it stays
 * reachable. Its fix is a boundary that denies only the hops it never made in a window its usage
 * covers (`guard.deny`, hop-chains.ts) and keeps everything else it may do — its current boundary
 * as it is, else every action — with a deny on removing that boundary. Nothing else of a role that
 * is no agent is leash's to right-size: other callers use it too, and an approval deny could stop
 * them. Verification re-checks every call its usage shows.
 */
export function planHopGuardFix(a: AnalyzedPrincipal, needed: NeededSet, snapshot: Snapshot, config: LeashConfig, expander: ActionExpander, guard: { readonly deny: readonly string[]; readonly agents: readonly string[]; readonly paths?: readonly (readonly string[])[] }, graph?: AccessGraph): PrincipalFixPlan | undefined {
  const p = a.principal;
  if (p.kind !== 'role' || (p.boundaryArn && !p.boundary) || guard.deny.length === 0) return undefined;
  const fit = hopDeny(guard.deny, graph);
  if (!fit.statement) return undefined;
  const partition = p.arn.split(':')[1] || 'aws';
  const selfGuard: Statement = {
    index: 0, sid: 'NoBoundaryRemoval', effect: 'Deny',
    action: ['iam:DeleteRolePermissionsBoundary', 'iam:PutRolePermissionsBoundary', ...BOUNDARY_POLICY_CHANGES],
    resource: [p.arn, `arn:${partition}:iam::${snapshot.account.id}:policy/${SHARED_BOUNDARY_PREFIX}*`],
  };
  const generated = [selfGuard, fit.statement];
  const shapes = new Set(generated.map(statementShape));
  // Today's boundary as it is (a replacement must not allow more), less what leash wrote there before.
  const kept = (p.boundary?.document.statements ?? []).filter((st) => !shapes.has(statementShape(st))).map((st, i) => ({ ...st, sid: `KeptFromCurrent${i + 1}` }));
  const head: Statement[] = p.boundary ? kept : [{ index: 0, sid: 'AllowAsToday', effect: 'Allow', action: ['*'], resource: ['*'] }];
  const document: PolicyDocument = { version: '2012-10-17', statements: [...head, ...generated].map((st, i) => ({ ...st, index: i })) };
  if (p.boundary && sameStatements(p.boundary.document, document)) return undefined;
  const size = sizeOf(document, 'managed');
  const org = orgOf(snapshot, config);
  const verification = verifyFix({
    identity: p.policies.map((x) => x.document), boundary: document, observed: needed.observed, gated: [],
    current: { identity: p.policies.map((x) => x.document), ...(p.boundary ? { boundary: p.boundary.document } : {}) }, principal: factsAfterFix(p, org),
    documents: [{ name: 'boundary', document, sizeOk: size.fits, ...(size.fits ? {} : { sizeNote: `${size.size} > ${size.limit}` }) }],
  }, expander);
  const name = sharedBoundaryName(document);
  const bPolicy: FixPolicy = { name, purpose: 'boundary', attach: 'managed', shared: true, document };
  const targetBase = { principalKind: p.kind, principalName: p.name, accountId: snapshot.account.id, currentTrust: p.trustPolicy, ...(p.boundaryArn ? { currentBoundaryArn: p.boundaryArn } : {}) } as const;
  const agentNames = guard.agents.map((x) => safeText(graph?.node(x)?.principal?.name ?? x));
  const denied = (fit.statement.resource ?? []).map((x) => safeText(graph?.node(x)?.principal?.name ?? x));
  const many = agentNames.length > 1;
  const left = hopDenyLeftNote(fit.left, denied.length, graph);
  const fix: Fix = {
    id: fixId(p.arn, 'permissions-boundary'), kind: 'permissions-boundary', principalArn: p.arn,
    title: `Permissions boundary for ${p.name}: no unused role hop an agent could chain through it`,
    description: `${agentNames.join(', ')} (AI agent${many ? 's' : ''}) ${reachedText({ agents: guard.agents, paths: guard.paths ?? [] }, safeText(p.name), graph)}, whose sessions their boundaries do not bound; ${safeText(p.name)} may assume ${denied.join(', ')}, which give${denied.length === 1 ? 's' : ''} more than ${agentNames.join(', ')} ${many ? 'have' : 'has'}, and never assumed ${denied.length === 1 ? 'it' : 'them'} in the usage window. This boundary denies ${denied.length === 1 ? 'that hop' : 'those hops'} (NoUnusedRoleHops) and removing itself, and keeps everything else ${safeText(p.name)} may do: ${p.boundary ? `its current boundary ${safeText(p.boundaryArn ?? '')} as it is (KeptFromCurrent statements)` : 'every action, as having no boundary does'}.`,
    ...(p.boundary ? { before: p.boundary.document } : {}),
    after: document,
    renderings: fixRenderings({ kind: 'permissions-boundary', verification }, { ...targetBase, policies: [bPolicy] }),
    verification, resolves: [],
    notes: [
      `${safeText(p.name)} is not an agent itself (no evidence of its own), so no right-sized policy or approval deny is written for it: other callers may use it for what it does today.`,
      ...(left ? [left] : []),
    ],
  };
  const v = fix.verification;
  const readme = [
    `# Fixes for ${md(p.name)}`, '', `Principal: \`${p.arn.replace(/`/g, "'")}\` — not an agent itself; agents act through it (${md(agentNames.join(', '))}).`, '',
    HOW_TO_APPLY_LINE, '',
    ...hopFixSection(fix, v),
  ].join('\n') + '\n';
  return { principalArn: p.arn, principalName: p.name, fixes: [fix], target: { ...targetBase, policies: [bPolicy] }, readme };
}

function hopFixSection(fix: Fix, v: Verification): string[] {
  return [`## ${md(fix.title)}`, '', md(fix.description), '', `Verification (${v.status ?? (v.safe ? 'verified' : 'not-safe')}): ${md(v.summary ?? '')}.`, '', ...[...new Set([...fix.notes, ...v.notes])].map((n) => `- ${md(n)}`)];
}

/** A role's trust fix and hop boundary together (both for a role that is no agent): one folder, one README. */
export function mergeRolePlans(trust: PrincipalFixPlan | undefined, hop: PrincipalFixPlan | undefined): PrincipalFixPlan | undefined {
  if (!trust || !hop) return trust ?? hop;
  const h = hop.fixes[0]!;
  const readme = `${trust.readme}\n${hopFixSection(h, h.verification).join('\n')}\n`;
  return { principalArn: trust.principalArn, principalName: trust.principalName, fixes: [...trust.fixes, h], target: { ...trust.target, policies: [...trust.target.policies, ...hop.target.policies] }, readme };
}

/**
 * Removing a principal that never assumed the role refuses no observed session of it; the
 * sessions the role had in the window (if any) came from others, whom the new policy still names.
 */
function unusedTrustVerification(t: { document: PolicyDocument; placeholders: readonly string[]; requiresSourceIdentity: boolean }, unused: readonly UnusedAgentTrust[], a: AnalyzedPrincipal, v: Verification): Verification {
  const base = trustVerification(t, a, v);
  const note = `Removed: ${unused.map((u) => `${u.agentName} (${u.agentEvents} events of it in the window, no AssumeRole of this role)`).join('; ')}.`;
  return { ...base, notes: [note, ...base.notes] };
}

/**
 * A shorter MaxSessionDuration cuts sessions that ran longer: each observed session's span (first
 * to last event) is checked against it. No sessions observed: unverified.
 */
function sessionLengthVerification(sessions: readonly { readonly sessionName?: string; readonly firstSeen: string; readonly lastSeen: string }[], max: number): Verification {
  const longer = sessions.filter((x) => Date.parse(x.lastSeen) - Date.parse(x.firstSeen) > max * 1000).map((x) => `session ${x.sessionName ?? '(unnamed)'} ran ${Math.round((Date.parse(x.lastSeen) - Date.parse(x.firstSeen)) / 60000)} min`);
  const checked = sessions.length;
  const safe = longer.length === 0;
  return {
    safe, status: !safe ? 'not-safe' : checked === 0 ? 'unverified' : 'verified',
    summary: sessionVerificationSummary(checked, longer, `within ${max / 3600} h`, 'ran longer'),
    observedCallsChecked: 0, observedCallsAllowed: 0, observedCallsGated: [], observedCallsDeniedByDesign: [], observedCallsDenied: longer, forbiddenStillAllowed: [],
    notes: [`${checked} observed session(s) checked against ${max / 3600} h (from first to last event); sessions already issued keep their expiry.`],
  };
}

/** The right-sized policy's name for one principal (boundaries are named by content: sharedBoundaryName) (IAM names: 128 characters of [\w+=,.@-]; principal names are 64 of the same). */
export function policyNames(p: Pick<Principal, 'kind' | 'name'>): { rightSized: string } {
  return { rightSized: `leash-${p.kind}-${p.name}-rightsized` };
}

/**
 * A trust policy change is only safe when callers already meet it: a placeholder (ExternalId, an
 * OIDC subject) matches no real request until someone fills it in, and requiring a source
 * identity refuses every session that does not set one, which observed sessions show.
 */
function trustVerification(t: { document: PolicyDocument; placeholders: readonly string[]; requiresSourceIdentity: boolean }, a: AnalyzedPrincipal, v: Verification): Verification {
  const problems: string[] = [];
  if (t.placeholders.length > 0) problems.push(`replace the placeholder(s) ${t.placeholders.join(', ')} before applying: until then no caller matches`);
  // The observed sessions are the calls a trust policy sees (AssumeRole*): each must still get in.
  const sessions = a.usage?.sessions ?? [];
  const refused = t.requiresSourceIdentity ? sessions.filter((s) => s.sourceIdentity === undefined || s.sourceIdentity === '').map((s) => `session ${s.sessionName ?? '(unnamed)'} set no sts:SourceIdentity`) : [];
  const dropped = a.usage?.sessionsDropped ?? 0;
  if (refused.length > 0) problems.push(`requires sts:SourceIdentity, which ${refused.length} of ${sessions.length} observed session(s) did not set`);
  if (t.requiresSourceIdentity && dropped > 0) problems.push(`requires sts:SourceIdentity, and ${dropped} observed session(s) were not kept to check`);
  const safe = v.safe && problems.length === 0;
  const summary = sessionVerificationSummary(sessions.length, refused, 'still allowed', 'refused');
  return {
    ...v, safe, status: !safe ? 'not-safe' : sessions.length === 0 ? 'unverified' : 'verified',
    summary: t.placeholders.length > 0 ? `${summary}; placeholders to fill in: ${t.placeholders.join(', ')}` : summary,
    observedCallsChecked: sessions.length, observedCallsAllowed: sessions.length - refused.length, observedCallsDenied: refused,
    notes: [...v.notes.filter((n) => !n.startsWith('No observed calls')), ...(sessions.length > 0 ? [`${sessions.length} observed session(s) of the role checked against the new conditions (who assumed it is not in the session record, so a narrowed Principal is not checked).`] : []), ...problems.map((x) => `Not safe to apply as is: ${x}.`)],
  };
}

/** Markdown-safe one-line text (names and config values are data). */
export function md(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f]/g, ' ').replace(/([\\`*_[\]|<>#])/g, '\\$1');
}

/** Reasons as Markdown: per service, actions grouped by decision, reason and detail. */
/**
 * The last section of a principal's README.md (it was reasons.md, a file of its own in each fix
 * folder): each fix's actions by service, with why; undefined when no fix lists any.
 */
export function reasonsSectionText(plan: Pick<PrincipalFixPlan, 'fixes'>): string | undefined {
  const withReasons = plan.fixes.filter((f) => f.actionReasons && f.actionReasons.length > 0);
  if (withReasons.length === 0) return undefined;
  const lines = [`## ${REASONS_HEADING}`];
  for (const f of withReasons) lines.push('', `### ${md(f.title)}`, '', ...reasonsMarkdown(f.actionReasons!));
  return lines.join('\n') + '\n';
}

export function reasonsMarkdown(reasons: readonly ServiceReasons[]): string[] {
  // A service whose every action is kept as today with no known need (a boundary that caps
  // nothing there) says all it has in one count: a table row and a section for each of hundreds
  // such services were two thirds of the reasons. They share one line per reason instead.
  const restOnly = (r: ServiceReasons) => r.groups.length === 0 && r.rest !== undefined && r.gated === 0 && r.removed === 0;
  const shown = reasons.filter((r) => !restOnly(r));
  const lines: string[] = ['| service | kept | gated | removed |', '| --- | --- | --- | --- |'];
  for (const r of shown) lines.push(`| ${r.service} | ${r.kept} | ${r.gated} | ${r.removed} |`);
  // Hundreds of services share a reason: each list grows in place (a copy per service was
  // quadratic, and most of what rendering a group's members allocated at 10,000 principals).
  const rests = new Map<string, ServiceReasons[]>();
  for (const r of reasons) {
    if (!restOnly(r)) continue;
    const why = `${r.rest!.reason}: ${r.rest!.detail}`;
    const rs = rests.get(why);
    if (rs) rs.push(r);
    else rests.set(why, [r]);
  }
  for (const [why, rs] of rests) {
    lines.push('', `Every action kept (${md(why)}) in ${rs.length} other service${rs.length === 1 ? '' : 's'}, ${rs.reduce((n, r) => n + r.kept, 0)} actions: ${rs.map((r) => `${r.service} ${r.kept}`).join(', ')}.`);
  }
  for (const r of shown) {
    lines.push('', `#### ${r.service}: ${r.kept} kept, ${r.gated} gated, ${r.removed} removed`, '');
    for (const g of r.groups) lines.push(`- **${g.decision}** (${g.reason}${g.detail ? `: ${md(g.detail)}` : ''}): ${g.actions.map((x) => `\`${x}\``).join(', ')}`);
    if (r.rest) lines.push(`- **${r.rest.decision}** (${r.rest.reason}: ${md(r.rest.detail)}): the other ${r.rest.count} ${r.service} actions`);
  }
  return lines;
}

function fixReadme(facts: ReadmeFacts, fixes: readonly Fix[]): string {
  const { ic, humanSession, sharedBoundary, trustLeftAsIs } = facts;
  const lines = [
    `# Fixes for ${md(facts.name)}`, '', `Principal: \`${facts.arn.replace(/`/g, "'")}\`${humanSession ? " — an engineer's session role driven by an AI tool (agent principal of kind ai-driven-human-session)" : ''}`, '',
    ...(ic ? [`Target: IAM Identity Center permission set **${md(ic.permissionSetName)}** (IAM refuses changes to AWSReservedSSO_* roles). Instance ARN: ${ic.instanceArn ? `\`${ic.instanceArn}\`` : 'not collected (placeholder in apply.sh; main.tf looks it up)'}; permission set ARN: ${ic.permissionSetArn ? `\`${ic.permissionSetArn}\`` : 'not collected (placeholder in apply.sh; main.tf looks it up by name)'}. Run the sso-admin steps with credentials for the organization's management account or the Identity Center delegated administrator (\`apply.sh --sso-profile NAME\`).`, ''] : []),
    `Baseline: ${facts.basis}${facts.covered ? ' (usage covers the window)' : ' (no usage coverage: nothing is called unused)'}; ${facts.observedCount} observed actions.`, '',
    HOW_TO_APPLY_LINE, '',
    ...(sharedBoundary ? [`Permissions boundary \`${sharedBoundary}\`, shared by content: \`../${sharedBoundaryDir(sharedBoundary)}/\`.`, ''] : []),
    '| fix | verification | allowed | destructive | escalation |', '| --- | --- | --- | --- | --- |',
  ];
  const c = (x?: PermissionCounts, y?: PermissionCounts, k?: keyof PermissionCounts) => (x && y && k ? `${x[k]} → ${y[k]}` : '');
  for (const f of fixes) {
    const v = f.verification;
    lines.push(`| ${md(f.title)} | ${v.status ?? (v.safe ? 'verified' : 'not-safe')}: ${md(v.summary ?? '')} | ${c(f.countsBefore, f.countsAfter, 'allowedActions')} | ${c(f.countsBefore, f.countsAfter, 'destructiveActions')} | ${c(f.countsBefore, f.countsAfter, 'escalationTechniques')} |`);
  }
  for (const f of fixes) {
    lines.push('', `## ${md(f.title)}`, '', `Kind: ${f.kind}. ${linkApprovalText(f.description, md)}`, '', `Verification (${f.verification.status ?? (f.verification.safe ? 'verified' : 'not-safe')}): ${md(f.verification.summary ?? '')}.`);
    // A note the description already says is not said twice: a trust fix's description is its notes joined.
    const notes = [...f.notes, ...f.verification.notes, ...f.verification.forbiddenStillAllowed.map((x) => `still allowed without approval: ${x}`)].filter((n) => !f.description.includes(n));
    const noteLines = [...new Set(notes)].map((n) => linkApprovalText(n, md, sharedBoundary && sharedBoundaryDir(sharedBoundary))).filter((n) => n !== '');
    if (noteLines.length > 0) lines.push('', ...noteLines.map((n) => `- ${n}`));
    // The per-action detail (hundreds of lines for a broad role) is the README's last section (reasonsFileText).
    if (f.actionReasons && f.actionReasons.length > 0) {
      const t = reasonTotals(f.actionReasons);
      lines.push('', `Every action, by service, with why it is kept, gated or removed: [below](#${REASONS_ANCHOR}) (${t.kept} kept, ${t.gated} gated, ${t.removed} removed).`);
    }
  }
  if (humanSession) lines.push('', '## No session policy, trust or session-length fix', '', '- Identity Center sessions cannot take a session policy at sign-in, and Identity Center owns the trust policy and session length (set them on the permission set).');
  if (trustLeftAsIs.length > 0) lines.push('', '## Trust policy left as is', '', ...trustLeftAsIs.map((n) => `- ${md(n)}`));
  return lines.join('\n') + '\n';
}
