// May this principal perform this action on this resource? IAM's evaluation logic for one request,
// resource-based policies included (AWS IAM User Guide, "Policy evaluation logic", "Cross-account
// policy evaluation logic", "Permissions boundaries for IAM entities"; AWS KMS Developer Guide,
// "Key policies"; AWS Organizations, "Resource control policies"):
//
// - an explicit Deny in any policy (identity, boundary, SCP, resource policy, RCP) wins;
// - SCPs of the caller's account always limit it; RCPs of the resource's account always limit the
//   resource (not for service-linked roles);
// - same account: the identity side (identity policy ∩ boundary) OR the resource policy allows. A
//   resource policy that names the IAM user's ARN, a role session's ARN or anyone is not limited by
//   the boundary; one that names the role's ARN is; one that names the account delegates to the
//   identity policies (it grants nobody anything by itself);
// - a session policy (a caller given one) limits the identity side, and a resource policy that
//   names the role's or the user's ARN, not one that names the session or anyone ("Session
//   policies", access_policies.html#policies_session: permissions a resource policy grants the
//   user or role ARN "are added ... before the session is created. The session policy limits the
//   total permissions", those it grants the session ARN "are not limited by the session policy";
//   reference_policies_evaluation-logic_policy-eval-denyallow.html), and its Deny denies;
// - cross account: the identity side AND the resource policy must both allow;
// - KMS: the key policy must allow — directly, or by naming the account so that IAM policies count.
//   An identity Allow alone is never enough, even in the key's own account.
//
// Three-valued: a condition leash cannot settle leaves the decision Conditional (with whether the
// unknown is a human-approval condition or something else), never Allowed and never Denied.
import type { Resource } from '../model/inventory.js';
import type { PolicyDocument, Statement } from '../model/policy.js';
import type { HopCondition, HopEvidence } from '../model/graph.js';
import { and3, gatesOnApproval, not3, or3, type RequestContext, type Tri } from '../iam/conditions.js';
import { statementAppliesToResource } from '../iam/evaluate.js';
import { coveringStatements, decide, hopCondition, type Caller } from '../graph/request.js';
import accessJson from '../data/resource-access.json' with { type: 'json' };

export type RcpLevels = readonly (readonly { readonly name: string; readonly arn: string; readonly document: PolicyDocument }[])[];

/** A caller as the resource side sees it: its layers (the graph's Caller) and what kind of principal it is. */
export interface ResourceCaller {
  readonly caller: Caller;
  readonly kind: 'user' | 'role' | 'other';
  /** A role under /aws-service-role/: RCPs do not apply to it. */
  readonly serviceLinked?: boolean;
  /** The role's name (a session ARN names the role by name, without its path). */
  readonly roleName?: string;
  /** The principal's unique id (AIDA…/AROA…): how a resource policy shows a principal it was written for. */
  readonly uniqueId?: string;
  /** Session policies the session was made with (a fix's session policy); absent: none. */
  readonly session?: readonly PolicyDocument[];
}

export interface ResourceEvidence {
  readonly side: 'identity' | 'resource' | 'rcp';
  /** The principal whose policy it is (identity), or the resource's ARN. */
  readonly arn: string;
  readonly policy: string;
  readonly statementIndex: number;
  readonly sid?: string;
}

/** Which grant carries the request. */
export type Via = 'identity' | 'resource-policy' | 'identity-and-resource-policy' | 'key-policy' | 'key-policy-and-identity';

export interface ResourceDecision {
  readonly decision: 'Allowed' | 'Conditional' | 'ExplicitlyDenied' | 'ImplicitlyDenied';
  /** Set when not denied: none, or only behind an approval / an unknown condition. */
  readonly condition?: HopCondition;
  readonly via?: Via;
  readonly evidence: readonly ResourceEvidence[];
}

const RCP_SERVICES = new Set(accessJson.rcpServices.services);

/**
 * How a resource policy statement's Principal names the caller: directly (anyone, the role
 * session), the role's ARN (capped by its boundary and session policy), the user's ARN (capped by
 * a session policy only), the account.
 */
interface Named { direct: Tri; role: Tri; user: Tri; account: Tri }

const accountOf = (arn: string) => arn.split(':')[4] ?? '';

/** Does one Principal value name the caller, and how? */
function nameOne(v: string, rc: ResourceCaller, named: Named): void {
  const c = rc.caller;
  if (v === '*') { named.direct = true; return; }
  if (v === c.account || v === `arn:aws:iam::${c.account}:root` || /^arn:[^:]+:iam::(\d{12}):root$/.exec(v)?.[1] === c.account) { named.account = true; return; }
  if (v === c.arn || (rc.uniqueId !== undefined && v === rc.uniqueId)) {
    if (rc.kind === 'role') named.role = true;
    else if (rc.kind === 'user') named.user = true;
    else named.direct = true;
    return;
  }
  // A role session: `arn:aws:sts::A:assumed-role/R/session`. leash cannot know the session name.
  const s = /^arn:[^:]+:sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(v);
  if (s && rc.kind === 'role' && s[1] === c.account && s[2] === rc.roleName) named.direct = or3(named.direct, 'unknown');
}

function names(st: Statement, rc: ResourceCaller): Named {
  const named: Named = { direct: false, role: false, user: false, account: false };
  if (st.principal === '*') { named.direct = true; return named; }
  if (st.principal) {
    for (const v of st.principal['AWS'] ?? []) nameOne(v, rc, named);
    return named;
  }
  if (st.notPrincipal) {
    // NotPrincipal: everyone not listed. The caller is listed by ARN, role session or account.
    const listed: Named = { direct: false, role: false, user: false, account: false };
    const np = st.notPrincipal === '*' ? ['*'] : st.notPrincipal['AWS'] ?? [];
    for (const v of np) nameOne(v, rc, listed);
    const inList = or3(or3(or3(listed.direct, listed.role), listed.user), listed.account);
    // Documented (permissions boundaries page): a Deny with NotPrincipal always denies a principal with a boundary.
    if (st.effect === 'Deny' && rc.caller.boundary) named.direct = true;
    else named.direct = not3(inList);
  }
  return named;
}

/**
 * The request context the resource side adds: the resource's tags and account, no source (an IAM
 * principal calls directly). The caller's organization keys come with its context, from the one
 * place that decides them (src/iam/organization.ts, through the graph's caller).
 */
export function requestContext(rc: ResourceCaller, resource: Resource): RequestContext {
  const values: Record<string, readonly string[]> = { ...rc.caller.context.values };
  values['aws:resourceaccount'] = [resource.account];
  // Known tags: every aws:ResourceTag key is settled, present or (empty list) absent.
  for (const [k, v] of Object.entries(resource.tags)) values[`aws:resourcetag/${k.toLowerCase()}`] = [v];
  // The caller chooses TLS (every SDK and the CLI use it): a Deny on aws:SecureTransport false does not stop it.
  values['aws:securetransport'] = ['true'];
  values['aws:sourceaccount'] = [];
  values['aws:sourcearn'] = [];
  values['aws:sourceorgid'] = [];
  return { values, ...(rc.caller.context.closedWorld ? { closedWorld: true } : {}) };
}

const tagKeysCache = new WeakMap<PolicyDocument, readonly string[]>();
/** The aws:ResourceTag keys a document's conditions name (lower case), once per document. */
function tagKeysOf(doc: PolicyDocument): readonly string[] {
  let keys = tagKeysCache.get(doc);
  if (!keys) {
    const out = new Set<string>();
    for (const s of doc.statements) for (const ks of Object.values(s.condition ?? {})) for (const k of Object.keys(ks)) {
      const key = k.toLowerCase();
      if (key.startsWith('aws:resourcetag/')) out.add(key);
    }
    tagKeysCache.set(doc, (keys = [...out]));
  }
  return keys;
}

/** aws:ResourceTag keys the resource lacks are absent, not unknown (the inventory read every tag). */
function withAbsentTags(ctx: RequestContext, docs: readonly PolicyDocument[]): RequestContext {
  let extra: Record<string, readonly string[]> | undefined;
  for (const d of docs) for (const key of tagKeysOf(d)) if (ctx.values[key] === undefined) (extra ??= {})[key] = [];
  return extra ? { ...ctx, values: { ...ctx.values, ...extra } } : ctx;
}

const callers = new WeakMap<RequestContext, Caller>();
function callerIn(rc: ResourceCaller, ctx: RequestContext): Caller {
  let c = callers.get(ctx);
  if (!c) callers.set(ctx, (c = { ...rc.caller, context: ctx }));
  return c;
}

const docIds = new WeakMap<PolicyDocument, number>();
let nextDocId = 0;
const sideKeys = new WeakMap<Resource, string>();
/**
 * What of a resource its request context reads: account, tags (in order: a later key differing
 * only in case overwrites an earlier one) and which policy document names tag keys.
 */
function sideKey(r: Resource): string {
  let k = sideKeys.get(r);
  if (k === undefined) {
    let id = -1;
    if (r.policy) {
      id = docIds.get(r.policy) ?? nextDocId++;
      docIds.set(r.policy, id);
    }
    sideKeys.set(r, (k = JSON.stringify([r.account, id, Object.entries(r.tags)])));
  }
  return k;
}

/** The request context built afresh (the reference the shared one must equal). */
export function contextUnshared(rc: ResourceCaller, resource: Resource, rcps: RcpLevels | undefined): RequestContext {
  const docs: PolicyDocument[] = [...rc.caller.identity.docs.map((d) => d.document), ...(rc.caller.boundary?.docs.map((d) => d.document) ?? []), ...rc.caller.scps.flatMap((l) => l.docs.map((d) => d.document)), ...(rc.session ?? [])];
  if (resource.policy) docs.push(resource.policy);
  for (const l of rcps ?? []) for (const p of l) docs.push(p.document);
  return withAbsentTags(requestContext(rc, resource), docs);
}

const contexts = new WeakMap<ResourceCaller, Map<RcpLevels | undefined, Map<string, RequestContext>>>();
/**
 * One request context per caller and resource side (account, tags, policy): resources alike share
 * it, and with it the Caller built on it. At 10k × 50k, building one per (caller, resource) was the
 * top cost of the checks and most of their garbage. Keyed by the side, not the resource: two
 * resources with the same side give equal contexts (test/resources/context-sharing.test.ts).
 */
export function contextFor(rc: ResourceCaller, resource: Resource, rcps: RcpLevels | undefined): RequestContext {
  let byRcps = contexts.get(rc);
  if (!byRcps) contexts.set(rc, (byRcps = new Map()));
  let m = byRcps.get(rcps);
  if (!m) byRcps.set(rcps, (m = new Map()));
  const key = sideKey(resource);
  let ctx = m.get(key);
  if (!ctx) m.set(key, (ctx = contextUnshared(rc, resource, rcps)));
  return ctx;
}

interface PolicySide { deny: Tri; named: Named; unknownNotApproval: boolean; evidence: ResourceEvidence[] }

function evalResourcePolicy(doc: PolicyDocument, rc: ResourceCaller, action: string, requestArn: string, resource: Resource, ctx: RequestContext): PolicySide {
  const out: PolicySide = { deny: false, named: { direct: false, role: false, user: false, account: false }, unknownNotApproval: false, evidence: [] };
  const vars = doc.version === '2012-10-17';
  for (const s of coveringStatements(doc, action)) {
    const n = names(s, rc);
    if (n.direct === false && n.role === false && n.user === false && n.account === false) continue;
    const applies = statementAppliesToResource(s, { action, resource: requestArn, context: ctx }, vars);
    if (applies === false) continue;
    if (applies === 'unknown' && !gatesOnApproval(s.condition, s.effect)) out.unknownNotApproval = true;
    // Naming one session of the role: whoever calls AssumeRole picks the session name, no approval.
    if (n.direct === 'unknown') out.unknownNotApproval = true;
    if (s.effect === 'Deny') {
      out.deny = or3(out.deny, and3(applies, or3(or3(or3(n.direct, n.role), n.user), n.account)));
      continue;
    }
    out.named.direct = or3(out.named.direct, and3(applies, n.direct));
    out.named.role = or3(out.named.role, and3(applies, n.role));
    out.named.user = or3(out.named.user, and3(applies, n.user));
    out.named.account = or3(out.named.account, and3(applies, n.account));
    if (out.evidence.length < 3) out.evidence.push({ side: 'resource', arn: resource.arn, policy: policyLabel(resource), statementIndex: s.index, ...(s.sid ? { sid: s.sid } : {}) });
  }
  return out;
}

export function policyLabel(r: Pick<Resource, 'type'>): string {
  switch (r.type) {
    case 's3:bucket': return 'bucket policy';
    case 'kms:key': return 'key policy';
    case 'lambda:function': return 'function policy';
    case 'secretsmanager:secret': return 'secret policy';
    case 'sqs:queue': return 'queue policy';
    case 'sns:topic': return 'topic policy';
    case 'ecr:repository': return 'repository policy';
    default: return 'resource policy';
  }
}

interface RcpSide { allow: Tri; deny: Tri; unknownNotApproval: boolean; evidence: ResourceEvidence[] }

function evalRcps(levels: RcpLevels, action: string, requestArn: string, ctx: RequestContext): RcpSide {
  const out: RcpSide = { allow: true, deny: false, unknownNotApproval: false, evidence: [] };
  for (const level of levels) {
    let allow: Tri = false;
    for (const p of level) {
      const vars = p.document.version === '2012-10-17';
      for (const s of coveringStatements(p.document, action)) {
        // RCP statements name Principal "*" (the only value AWS accepts there).
        const applies = statementAppliesToResource(s, { action, resource: requestArn, context: ctx }, vars);
        if (applies === false) continue;
        if (applies === 'unknown' && !gatesOnApproval(s.condition, s.effect)) out.unknownNotApproval = true;
        if (s.effect === 'Deny') {
          out.deny = or3(out.deny, applies);
          if (applies === true && out.evidence.length < 2) out.evidence.push({ side: 'rcp', arn: p.arn, policy: p.name, statementIndex: s.index, ...(s.sid ? { sid: s.sid } : {}) });
        } else allow = or3(allow, applies);
      }
    }
    out.allow = and3(out.allow, allow);
  }
  return out;
}

/** A session policy layer: what it allows and denies of this request. */
function evalSession(docs: readonly PolicyDocument[], action: string, requestArn: string, ctx: RequestContext): { allow: Tri; deny: Tri; unknownNotApproval: boolean } {
  const out = { allow: false as Tri, deny: false as Tri, unknownNotApproval: false };
  for (const doc of docs) {
    const vars = doc.version === '2012-10-17';
    for (const s of coveringStatements(doc, action)) {
      const applies = statementAppliesToResource(s, { action, resource: requestArn, context: ctx }, vars);
      if (applies === false) continue;
      if (applies === 'unknown' && !gatesOnApproval(s.condition, s.effect)) out.unknownNotApproval = true;
      if (s.effect === 'Deny') out.deny = or3(out.deny, applies);
      else out.allow = or3(out.allow, applies);
    }
  }
  return out;
}

function identityEvidence(ev: readonly HopEvidence[]): ResourceEvidence[] {
  return ev.map((e) => ({ side: 'identity' as const, arn: e.principalArn, policy: e.policy, statementIndex: e.statementIndex, ...(e.sid ? { sid: e.sid } : {}) }));
}

/**
 * Decide one request. `requestArn` is what the request names (the resource's ARN, or an object of
 * a bucket); `rcps` are the RCP levels over the resource's account (absent: none collected).
 */
export function decideOnResource(rc: ResourceCaller, action: string, requestArn: string, resource: Resource, rcps?: RcpLevels): ResourceDecision {
  const ctx = contextFor(rc, resource, rcps);
  const id = decide(callerIn(rc, ctx), action, requestArn);
  const isKey = resource.type === 'kms:key';
  const rp: PolicySide = resource.policy
    ? evalResourcePolicy(resource.policy, rc, action, requestArn, resource, ctx)
    : { deny: false, named: { direct: false, role: false, user: false, account: false }, unknownNotApproval: false, evidence: [] };
  // A policy leash could not read may deny (or grant): nothing it decides is certain.
  const policyUnknown = resource.policyUnknown !== undefined || (isKey && !resource.policy);
  const service = action.split(':')[0]!.toLowerCase();
  const rcpApplies = rcps && rcps.length > 0 && !rc.serviceLinked && RCP_SERVICES.has(service);
  const rcp: RcpSide = rcpApplies ? evalRcps(rcps!, action, requestArn, ctx) : { allow: true, deny: false, unknownNotApproval: false, evidence: [] };

  const ss = rc.session ? evalSession(rc.session, action, requestArn, ctx) : undefined;
  // No session policy: nothing limits beyond the other layers.
  const session: Tri = ss ? ss.allow : true;
  let deny = or3(or3(id.deny, rp.deny), rcp.deny);
  if (ss) deny = or3(deny, ss.deny);
  if (policyUnknown) deny = or3(deny, 'unknown');
  const evidence: ResourceEvidence[] = [];
  if (deny === true) {
    evidence.push(...rcp.evidence);
    return { decision: 'ExplicitlyDenied', evidence };
  }
  const sameAccount = rc.caller.account === resource.account;
  const identitySide = and3(and3(id.identity, id.boundary), session);
  const { direct, role, user, account } = rp.named;
  // Named by the role's ARN: its boundary and session policy cap it; by the user's: a session policy.
  const capped = or3(and3(role, and3(id.boundary, session)), and3(user, session));
  const anyNamed = or3(or3(direct, role), user);
  let allow: Tri;
  let via: Via;
  if (isKey) {
    // The key policy decides; naming the account lets IAM policies (and the boundary) decide too.
    const keyDirect = sameAccount ? or3(direct, capped) : and3(anyNamed, identitySide);
    const viaAccount = and3(account, identitySide);
    allow = or3(keyDirect, viaAccount);
    via = sameAccount && keyDirect !== false ? 'key-policy' : 'key-policy-and-identity';
    if (policyUnknown && identitySide !== false) allow = or3(allow, 'unknown');
  } else if (sameAccount) {
    const byPolicy = or3(direct, capped);
    allow = or3(identitySide, byPolicy);
    via = identitySide === true ? 'identity' : byPolicy !== false ? 'resource-policy' : 'identity';
  } else {
    allow = and3(identitySide, or3(anyNamed, account));
    via = 'identity-and-resource-policy';
  }
  const guard = and3(id.scp, rcp.allow);
  const result = and3(and3(allow, guard), not3(deny));
  if (result === false) return { decision: 'ImplicitlyDenied', evidence };
  if (via !== 'resource-policy' && via !== 'key-policy') evidence.push(...identityEvidence(id.evidence));
  if (via !== 'identity') evidence.push(...rp.evidence);
  const unknownNotApproval = id.unknownNotApproval || rp.unknownNotApproval || rcp.unknownNotApproval || (ss?.unknownNotApproval ?? false) || policyUnknown;
  const condition = hopCondition(result, unknownNotApproval)!;
  return { decision: result === true ? 'Allowed' : 'Conditional', condition, via, evidence };
}
