// The access graph stage: between effective permissions and checks. Nodes are principals (and
// the states someone can put them in), outside principals and shared hops; an edge A → B means A
// can act as B. IAM's real rules decide each edge: the trust policy and the caller's identity
// policies, boundary, SCPs and explicit denies, evaluated at request level (request.ts).
//
// Shared hops ("hubs") keep the graph linear in size: a principal allowed iam:PassRole on every
// role gets one edge to "every role that trusts Lambda", not one per role — only when its
// decision is the same for every role (uniform()); otherwise each role is decided on its own.
import type { AttachedPolicy, PolicyDocument, Statement } from '../model/policy.js';
import type { Group, ManagedPolicyInfo, PolicyVersionInfo, Principal, Role, Snapshot, User } from '../model/snapshot.js';
import type { GraphEdge, GraphNode, HopCondition, HopEvidence, HopTarget, NodeKind } from '../model/graph.js';
import type { AnalyzedPrincipal } from '../checks/types.js';
import type { ActionExpander } from '../iam/pattern.js';
import { arnMatcher, globRegex, hasWildcard, LITERAL_QUESTION, LITERAL_STAR } from '../iam/pattern.js';
import { and3, evaluateCondition, gatesOnApproval, not3, type RequestContext, type Tri } from '../iam/conditions.js';
import { effectivePermissions, type EffectivePermissions } from '../iam/effective.js';
import { statementAppliesToResource } from '../iam/evaluate.js';
import { factsOf, referencesPrincipalKey, timeValues, type PrincipalFacts } from '../iam/principal-context.js';
import { escalationTechniques } from '../checks/data.js';
import carriersJson from '../data/compute-carriers.json' with { type: 'json' };
import { coveringStatements, decide, hopCondition, identityAllows, worse, type Caller, type Layer, type LayerDecision } from './request.js';
import { makesInstanceProfiles } from '../iam/instance-profile.js';
import { accountSpecific, callerSpecific, trustCondition, trustDeny, trustEntries, type TrustEntry } from './trust.js';
import { snapshotAccountOrganization, type OrgValues } from '../iam/organization.js';
import type { OrganizationFacts } from '../model/organization.js';
import { escalates, escalatesOver, gain, gainFacts, powerOf, type GainFacts, type PowerSets } from './power.js';
import { ActionSet } from '../iam/action-set.js';
import { reachPowers } from './reach.js';

export interface AccountInput {
  readonly snapshot: Snapshot;
  readonly analyzed: readonly AnalyzedPrincipal[];
}

export interface GraphNodeInternal extends GraphNode {
  readonly index: number;
  readonly power: PowerSets;
  /** What the node may do as a caller (absent for outside principals and hubs). */
  readonly caller?: Caller;
  readonly effective?: EffectivePermissions;
  readonly principal?: Principal;
  readonly analyzed?: AnalyzedPrincipal;
}

export interface BuiltGraph {
  readonly nodes: readonly GraphNodeInternal[];
  readonly out: readonly (readonly GraphEdge[])[];
  /**
   * Index of each out-edge's target, parallel to `out` (absent from a reference build): searches
   * read it instead of looking `to` up by id per edge. Whoever appends to `out` appends here too.
   */
  readonly outTo?: readonly (readonly number[])[];
  readonly byId: ReadonlyMap<string, number>;
  readonly expander: ActionExpander;
  readonly accounts: readonly string[];
  /** Searches that stopped at a bound (see GraphSummary.limits). */
  readonly limits?: readonly string[];
}

const ALLOW_ALL: PolicyDocument = { version: '2012-10-17', statements: [{ index: 0, effect: 'Allow', action: ['*'], resource: ['*'] }] };

const carriers = carriersJson.carriers as Readonly<Record<string, { readonly services: readonly string[]; readonly instanceProfile?: boolean }>>;

/** Field k of an ARN (split on ':'), without building the array: the graph asks this per node per search. */
function arnField(arn: string, k: number): string | undefined {
  let start = 0;
  for (let i = 0; i < k; i++) {
    const j = arn.indexOf(':', start);
    if (j < 0) return undefined;
    start = j + 1;
  }
  const end = arn.indexOf(':', start);
  return end < 0 ? arn.slice(start) : arn.slice(start, end);
}
const accountOf = (arn: string): string => arnField(arn, 4) ?? '';
const partitionOf = (arn: string): string => arnField(arn, 1) ?? 'aws';

function policyName(a: AttachedPolicy): string {
  const o = a.origin;
  if (o.kind === 'group-inline' || o.kind === 'group-managed') return `${o.group}/${o.name}`;
  return o.name;
}

function layerOf(side: Layer['side'], policies: readonly AttachedPolicy[]): Layer {
  return { side, docs: policies.map((a) => ({ name: policyName(a), document: a.document })) };
}

/** Edit techniques: which action, on what kind of IAM resource, leads to which state of the target. */
const EDITS = [
  { technique: 'iam-put-role-policy', action: 'iam:PutRolePolicy', on: 'role', state: 'elevated' },
  { technique: 'iam-attach-role-policy', action: 'iam:AttachRolePolicy', on: 'role', state: 'elevated' },
  { technique: 'iam-put-user-policy', action: 'iam:PutUserPolicy', on: 'user', state: 'elevated' },
  { technique: 'iam-attach-user-policy', action: 'iam:AttachUserPolicy', on: 'user', state: 'elevated' },
  { technique: 'iam-remove-permissions-boundary', action: 'iam:DeleteRolePermissionsBoundary', on: 'role', state: 'unbounded' },
  { technique: 'iam-remove-permissions-boundary', action: 'iam:PutRolePermissionsBoundary', on: 'role', state: 'unbounded' },
  { technique: 'iam-remove-permissions-boundary', action: 'iam:DeleteUserPermissionsBoundary', on: 'user', state: 'unbounded' },
  { technique: 'iam-remove-permissions-boundary', action: 'iam:PutUserPermissionsBoundary', on: 'user', state: 'unbounded' },
] as const;

/** Credential minting and trust rewriting: hops to the principal itself. */
const TAKEOVERS = [
  { technique: 'iam-create-access-key', action: 'iam:CreateAccessKey', on: 'user', why: 'can create an access key for' },
  { technique: 'iam-create-login-profile', action: 'iam:CreateLoginProfile', on: 'user', why: 'can set a console password for' },
  { technique: 'iam-update-login-profile', action: 'iam:UpdateLoginProfile', on: 'user', why: 'can change the console password of' },
  { technique: 'iam-update-assume-role-policy', action: 'iam:UpdateAssumeRolePolicy', on: 'role', why: 'can rewrite the trust policy of' },
] as const;

interface Ctx {
  readonly expander: ActionExpander;
  readonly now: Date;
  readonly nodes: GraphNodeInternal[];
  readonly out: GraphEdge[][];
  /** Index of each out-edge's target, parallel to `out`: searches need no lookup by id. */
  readonly outTo: number[][];
  /** Per node: 1 a user, 2 a role (the principal itself, not a state of it), else 0; and its principal's account. */
  readonly principalKind: number[];
  readonly principalAccount: string[];
  readonly byId: Map<string, number>;
  readonly accounts: Map<string, AccountIndex>;
  /** Per node with a long out-list: target index → position(s) of its edges in `out[from]` (see edgeAt). */
  readonly edgeIndex: (Map<number, number | number[]> | undefined)[];
  /** Edges added, and every upgrade of one: rounds go on while it changes. */
  edgeCount: number;
  /** combinedEdits stopped at its bound: some editor-and-target combinations were not searched. */
  combinedEditsTruncated?: boolean;
  /** Some account's organization is known: trusts to anyone that test it get a hub per caller account. */
  orgKnown?: boolean;
}

interface AccountIndex {
  readonly id: string;
  readonly partition: string;
  readonly snapshot: Snapshot;
  readonly roles: readonly Role[];
  readonly users: readonly User[];
  readonly groups: readonly Group[];
  readonly membersOf: ReadonlyMap<string, readonly User[]>;
  /** Managed policies of the export by ARN. */
  readonly managed: ReadonlyMap<string, ManagedPolicyInfo>;
  /** Customer-managed policy ARN → who has it as an identity policy, and who as a boundary. */
  readonly attachedTo: ReadonlyMap<string, { readonly identity: Principal[]; readonly boundary: Principal[] }>;
  /** Trust entries by who they name. */
  readonly byArn: ReadonlyMap<string, { role: Role; entry: TrustEntry }[]>;
  readonly byTrustedAccount: ReadonlyMap<string, { role: Role; entry: TrustEntry }[]>;
  readonly anyone: readonly { role: Role; entry: TrustEntry }[];
  readonly byService: ReadonlyMap<string, { role: Role; entry: TrustEntry }[]>;
  /** Power of "any policy, no boundary" under the account's SCPs, when that is administrator (else undefined). */
  adminCeiling?: PowerSets;
  /** aws:PrincipalOrgID / aws:PrincipalOrgPaths of the account's principals, when known (organization.ts). */
  orgValues?: OrgValues;
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const l = m.get(k);
  if (l) l.push(v);
  else m.set(k, [v]);
}

function indexAccount(snapshot: Snapshot): AccountIndex {
  const roles = snapshot.principals.filter((p): p is Role => p.kind === 'role');
  const users = snapshot.principals.filter((p): p is User => p.kind === 'user');
  const byArn = new Map<string, { role: Role; entry: TrustEntry }[]>();
  const byTrustedAccount = new Map<string, { role: Role; entry: TrustEntry }[]>();
  const anyone: { role: Role; entry: TrustEntry }[] = [];
  const byService = new Map<string, { role: Role; entry: TrustEntry }[]>();
  for (const role of roles) {
    for (const entry of trustEntries(role)) {
      const it = { role, entry };
      if (entry.kind === 'arn') push(byArn, entry.arn, it);
      else if (entry.kind === 'id') push(byArn, `id:${entry.id}`, it);
      else if (entry.kind === 'account' && entry.action === 'sts:AssumeRole') push(byTrustedAccount, entry.account, it);
      else if (entry.kind === 'anyone' && entry.action === 'sts:AssumeRole') anyone.push(it);
      else if (entry.kind === 'service') push(byService, entry.service, it);
    }
  }
  const membersOf = new Map<string, User[]>();
  for (const u of users) for (const g of u.groups) push(membersOf, g, u);
  const attachedTo = new Map<string, { identity: Principal[]; boundary: Principal[] }>();
  const slot = (arn: string) => {
    let s = attachedTo.get(arn);
    if (!s) attachedTo.set(arn, (s = { identity: [], boundary: [] }));
    return s;
  };
  for (const p of snapshot.principals) {
    for (const a of p.policies) if ((a.origin.kind === 'managed' || a.origin.kind === 'group-managed') && !a.origin.awsManaged) slot(a.origin.arn).identity.push(p);
    if (p.boundary && p.boundary.origin.kind === 'boundary' && !p.boundary.origin.awsManaged) slot(p.boundary.origin.arn).boundary.push(p);
  }
  const id = snapshot.account.id;
  const partition = snapshot.principals[0] ? partitionOf(snapshot.principals[0].arn) : 'aws';
  const managed = new Map(snapshot.managedPolicies.map((m) => [m.arn, m]));
  return { id, partition, snapshot, roles, users, groups: snapshot.groups ?? [], membersOf, managed, attachedTo, byArn, byTrustedAccount, anyone, byService };
}

function adminCeiling(acct: AccountIndex, expander: ActionExpander): PowerSets | undefined {
  const scps = acct.snapshot.scps ?? [];
  // SCP statements that depend on who calls (a break-glass exemption) make every ceiling its own;
  // the account's organization is the same for all its principals (unknown when not known).
  if (scps.some((level) => level.some((a) => a.document.statements.some((st) => referencesPrincipalKey(st.condition))))) return undefined;
  const org = acct.orgValues;
  const eff = effectivePermissions({ identity: [ALLOW_ALL], ...(scps.length > 0 ? { scps: scps.map((l) => l.map((a) => a.document)) } : {}), ...(org ? { principal: () => orgFacts(org) } : {}) }, expander);
  const power = powerOf(eff, expander);
  return power.admin ? power : undefined;
}

/** Facts of no principal in particular: its account's organization keys (absent ones as empty lists), nothing else absent. */
function orgFacts(org: OrgValues): PrincipalFacts {
  return { context: { values: org }, isAbsent: (key) => org[key.toLowerCase()]?.length === 0 };
}

function addNode(ctx: Ctx, n: Omit<GraphNodeInternal, 'index'>): GraphNodeInternal {
  const existing = ctx.byId.get(n.id);
  if (existing !== undefined) return ctx.nodes[existing]!;
  const node = { ...n, index: ctx.nodes.length } as GraphNodeInternal;
  ctx.nodes.push(node);
  ctx.out.push([]);
  ctx.outTo.push([]);
  ctx.edgeIndex.push(undefined);
  const p = node.principal;
  ctx.principalKind.push(p && p.kind === node.kind ? (p.kind === 'user' ? 1 : p.kind === 'role' ? 2 : 0) : 0);
  ctx.principalAccount.push(p ? accountOf(p.arn) : '');
  ctx.byId.set(n.id, node.index);
  return node;
}

const NO_POWER = (expander: ActionExpander): PowerSets => {
  const empty = expander.fullSet().andNot(expander.fullSet());
  return { unconditional: empty, allResources: empty, admin: false };
};

/** Out-lists longer than this get an index by target (hubs reach 40k at 50k principals); shorter ones are scanned. */
const INDEX_FROM = 32;
let indexFrom = INDEX_FROM;

/** Position in `out[from]` of the edge to `to` with `technique`, or -1. */
function edgeAt(ctx: Ctx, from: number, to: number, technique: string): number {
  const list = ctx.out[from]!;
  const index = ctx.edgeIndex[from];
  if (index === undefined) {
    const targets = ctx.outTo[from]!;
    for (let k = 0; k < targets.length; k++) if (targets[k] === to && list[k]!.technique === technique) return k;
    return -1;
  }
  const at = index.get(to);
  if (at === undefined) return -1;
  if (typeof at === 'number') return list[at]!.technique === technique ? at : -1;
  for (const k of at) if (list[k]!.technique === technique) return k;
  return -1;
}

function indexEdge(ctx: Ctx, from: number, to: number, k: number): void {
  let index = ctx.edgeIndex[from];
  if (index === undefined) {
    if (reference || k < indexFrom) return;
    index = ctx.edgeIndex[from] = new Map();
    const targets = ctx.outTo[from]!;
    for (let j = 0; j < k; j++) indexEdge(ctx, from, targets[j]!, j);
  }
  const at = index.get(to);
  index.set(to, at === undefined ? k : typeof at === 'number' ? [at, k] : (at.push(k), at));
}

function addEdge(ctx: Ctx, from: GraphNodeInternal, to: GraphNodeInternal, e: Omit<GraphEdge, 'from' | 'to'>): void {
  if (from.index === to.index) return;
  const list = ctx.out[from.index]!;
  // Out-lists are push-only while building, so a position found stays the edge's position.
  const i = edgeAt(ctx, from.index, to.index, e.technique);
  if (i >= 0) {
    // Several targets can lead to one node (the shared ceiling): keep the strongest reason, not the first found.
    if (edgeRank(e) < edgeRank(list[i]!)) {
      list[i] = edgeOf(from, to, e);
      ctx.edgeCount++; // a change: the rounds go on
    }
    return;
  }
  const k = list.length;
  ctx.edgeCount++;
  list.push(edgeOf(from, to, e));
  ctx.outTo[from.index]!.push(to.index);
  indexEdge(ctx, from.index, to.index, k);
}

/**
 * The stored edge, its fields named one by one in the order every caller writes them (and
 * reports read them): not a spread, which V8 copies on a slow path, once per edge.
 */
function edgeOf(from: GraphNodeInternal, to: GraphNodeInternal, e: Omit<GraphEdge, 'from' | 'to'>): GraphEdge {
  return { from: from.id, to: to.id, technique: e.technique, actions: e.actions, condition: e.condition, target: e.target, why: e.why, evidence: e.evidence };
}

/** Lower is stronger: unconditional and proven first. */
function edgeRank(e: Pick<GraphEdge, 'condition' | 'target'>): number {
  return ({ none: 0, approval: 1, unknown: 2 } as const)[e.condition] * 2 + (e.target === 'proven' ? 0 : 1);
}

/** A state's caller (its identity and boundary in place of the principal's) and what it may then do. */
function stateCaller(ctx: Ctx, p: Principal, acct: AccountIndex, identity: Layer, boundary: Layer | null | undefined): { caller: Caller; effective: EffectivePermissions } {
  const caller = callerFor(p, acct, ctx.now, identity, boundary);
  const effective = effectivePermissions({
    identity: identity.docs.map((d) => d.document),
    ...(caller.boundary ? { boundary: caller.boundary.docs.map((d) => d.document) } : {}),
    ...(caller.scps.length > 0 ? { scps: caller.scps.map((l) => l.docs.map((d) => d.document)) } : {}),
    principal: () => factsOf(p, ctx.now, acct.orgValues),
  }, ctx.expander);
  return { caller, effective };
}

function callerFor(p: Principal, acct: AccountIndex, now: Date, identity?: Layer, boundary?: Layer | null): Caller {
  const scps = (acct.snapshot.scps ?? []).map((level) => layerOf('scp', level));
  const b = boundary === null ? undefined : boundary ?? (p.boundary ? layerOf('boundary', [p.boundary]) : undefined);
  return {
    arn: p.arn,
    account: accountOf(p.arn),
    identity: identity ?? layerOf('identity', p.policies),
    ...(b ? { boundary: b } : {}),
    scps,
    // The principal's own keys, and its account's organization when the scan knows it.
    context: factsOf(p, now, acct.orgValues).context,
  };
}

function principalNode(ctx: Ctx, a: AnalyzedPrincipal, acct: AccountIndex): GraphNodeInternal {
  const p = a.principal;
  return addNode(ctx, {
    id: p.arn, kind: p.kind as NodeKind, principalArn: p.arn, account: acct.id, label: p.name, scanned: true,
    power: powerOf(a.effective, ctx.expander), caller: callerFor(p, acct, ctx.now), effective: a.effective, principal: p, analyzed: a,
  });
}

/** A principal in a state someone can put it in: policies rewritten, boundary gone, or joined to a group. */
/**
 * A principal in a state someone can put it in. Rewriting the policies of a principal with no
 * boundary, in an account whose SCPs leave it administrator, always gives the same thing: one
 * shared node per account stands for all of them (the hop's text names the principal).
 */
type State = 'elevated' | 'unbounded' | typeof BOTH | { group: Group } | AttachedState | VersionState | ReplacedState;
/**
 * A named managed policy attached; `unbounded`: and the boundary removed or replaced by any
 * policy; `replaced`: and the boundary replaced by that named policy (both edits on one principal).
 */
interface AttachedState { readonly policy: ManagedPolicyInfo; readonly unbounded?: true; readonly replaced?: ManagedPolicyInfo }
/**
 * A managed policy of the principal (an identity policy, or its boundary) with another of its
 * versions the default; `unbounded`/`replaced` (identity side only): and the boundary removed, or
 * replaced by that named policy; `elevated` (boundary side only): and the policies rewritten.
 */
interface VersionState { readonly of: ManagedPolicyInfo; readonly version: PolicyVersionInfo; readonly side: 'identity' | 'boundary'; readonly unbounded?: true; readonly replaced?: ManagedPolicyInfo; readonly elevated?: true }
/**
 * The boundary replaced by a named managed policy (a put limited by `iam:PermissionsBoundary`,
 * boundaryReplacements()): identity policies and SCPs kept; `elevated`: the policies rewritten too.
 */
interface ReplacedState { readonly replaced: ManagedPolicyInfo; readonly elevated?: true }
/** Another version of the boundary policy the default, with the policies rewritten too. */
const isRewrittenUnderVersion = (s: State | undefined): boolean => typeof s === 'object' && 'version' in s && s.side === 'boundary' && s.elevated === true;
/** Whether a state has the principal's boundary gone. */
const isUnbounded = (s: State | undefined): boolean => s === 'unbounded' || s === BOTH || (typeof s === 'object' && 'unbounded' in s && s.unbounded === true);
/** The named policy a state has put in place of the principal's boundary (none once the boundary is gone). */
const replacedBy = (s: State | undefined): ManagedPolicyInfo | undefined => (typeof s === 'object' && 'replaced' in s && !isUnbounded(s) ? s.replaced : undefined);
const isReplaced = (s: State | undefined): s is ReplacedState => typeof s === 'object' && 'replaced' in s && !('policy' in s) && !('version' in s);
const managedArn = (a: AttachedPolicy): string | undefined => (a.origin.kind === 'managed' || a.origin.kind === 'group-managed' || a.origin.kind === 'boundary' ? a.origin.arn : undefined);
/** Policies rewritten and boundary removed or replaced: both edits done to one principal. */
const BOTH = 'elevated+unbounded';
type StateSpec = Omit<GraphNodeInternal, 'index'>;
const stateSpecs = new WeakMap<Ctx, Map<string, StateSpec>>();
/** The state each state node (by id) stands for: an editor that is a state of its own principal keeps its edit. */
const statesById = new WeakMap<Ctx, Map<string, State>>();

/** The node a state would be, computed once and kept aside until an edge needs it. */
function stateSpec(ctx: Ctx, p: Principal, acct: AccountIndex, state: State): StateSpec {
  // Any policy and no boundary is the same for every principal of the account: the shared node too.
  if (((state === 'elevated' && !p.boundary) || state === BOTH) && acct.adminCeiling) {
    return { id: `ceiling:${acct.id}`, kind: 'elevated', account: acct.id, label: `any principal of ${acct.id} given any policy`, scanned: true, power: acct.adminCeiling };
  }
  const swapped = replacedBy(state);
  const joined = isUnbounded(state) ? '+unbounded' : swapped ? `+boundary:${swapped.arn}` : '';
  const id = typeof state === 'string' ? `${p.arn}#${state}` : 'group' in state ? `${p.arn}#joined:${state.group.name}` : 'policy' in state ? `${p.arn}#attached:${state.policy.arn}${joined}`
    : 'version' in state ? `${p.arn}#${state.elevated ? 'elevated+' : ''}${state.side === 'boundary' ? 'boundary-' : ''}version:${state.of.arn}:${state.version.versionId}${joined}`
    : `${p.arn}#${state.elevated ? 'elevated+' : ''}boundary:${state.replaced.arn}`;
  let specs = stateSpecs.get(ctx);
  if (!specs) stateSpecs.set(ctx, (specs = new Map()));
  const known = specs.get(id);
  if (known) return known;
  let states = statesById.get(ctx);
  if (!states) statesById.set(ctx, (states = new Map()));
  states.set(id, state);
  let identity: Layer, boundary: Layer | null | undefined, label: string;
  // The named policy in the boundary's place: the boundary layer AWS evaluates from then on.
  if (swapped) boundary = layerOf('boundary', [{ origin: { kind: 'boundary', name: swapped.name, arn: swapped.arn, awsManaged: swapped.awsManaged }, document: swapped.document }]);
  const swapText = swapped ? `, boundary replaced by ${swapped.name}` : '';
  if (state === 'elevated') {
    identity = { side: 'identity', docs: [{ name: '(any policy it can be given)', document: ALLOW_ALL }] };
    label = `${p.name} (policies rewritten)`;
  } else if (state === 'unbounded') {
    identity = layerOf('identity', p.policies);
    boundary = null;
    label = `${p.name} (boundary removed)`;
  } else if (state === BOTH) {
    identity = { side: 'identity', docs: [{ name: '(any policy it can be given)', document: ALLOW_ALL }] };
    boundary = null;
    label = `${p.name} (policies rewritten, boundary removed)`;
  } else if ('group' in state) {
    identity = layerOf('identity', [...p.policies, ...state.group.policies]);
    label = `${p.name} (added to ${state.group.name})`;
  } else if ('version' in state) {
    const { of: m, version: v } = state;
    const swap = (a: AttachedPolicy): AttachedPolicy => (managedArn(a) === m.arn ? { origin: a.origin, document: v.document } : a);
    identity = state.elevated ? { side: 'identity', docs: [{ name: '(any policy it can be given)', document: ALLOW_ALL }] } : layerOf('identity', state.side === 'identity' ? p.policies.map(swap) : p.policies);
    if (state.side === 'boundary' && p.boundary) boundary = layerOf('boundary', [swap(p.boundary)]);
    if (state.unbounded) boundary = null;
    label = `${p.name} (${state.elevated ? 'policies rewritten, ' : ''}${state.side === 'boundary' ? 'boundary ' : ''}${m.name} at ${v.versionId}${state.unbounded ? ', boundary removed' : swapText})`;
  } else if ('policy' in state) {
    const m = state.policy;
    identity = layerOf('identity', [...p.policies, { origin: { kind: 'managed', name: m.name, arn: m.arn, awsManaged: m.awsManaged }, document: m.document }]);
    if (state.unbounded) boundary = null;
    label = `${p.name} (given ${m.name}${state.unbounded ? ', boundary removed' : swapText})`;
  } else {
    identity = state.elevated ? { side: 'identity', docs: [{ name: '(any policy it can be given)', document: ALLOW_ALL }] } : layerOf('identity', p.policies);
    label = `${p.name} (${state.elevated ? 'policies rewritten, ' : ''}boundary replaced by ${state.replaced.name})`;
  }
  const { caller, effective } = stateCaller(ctx, p, acct, identity, boundary);
  const kind: NodeKind = state === BOTH ? 'elevated' : typeof state === 'string' ? state : 'group' in state ? 'joined'
    : ('side' in state && state.side === 'boundary' && !state.unbounded && !state.elevated) || (isReplaced(state) && !state.elevated) ? 'unbounded' : 'elevated';
  const spec: StateSpec = { id, kind, principalArn: p.arn, account: acct.id, label, scanned: true, power: powerOf(effective, ctx.expander), caller, effective, principal: p };
  specs.set(id, spec);
  return spec;
}

/**
 * A principal in a state someone can put it in. Rewriting the policies of a principal with no
 * boundary, in an account whose SCPs leave it administrator, always gives the same thing: one
 * shared node per account stands for all of them (the hop's text names the principal).
 */
function stateNode(ctx: Ctx, p: Principal, acct: AccountIndex, state: State): GraphNodeInternal {
  return addNode(ctx, stateSpec(ctx, p, acct, state));
}

function hubNode(ctx: Ctx, id: string, label: string, account: string, fill: (hub: GraphNodeInternal) => void): GraphNodeInternal {
  const known = ctx.byId.get(id);
  if (known !== undefined) return ctx.nodes[known]!;
  const hub = addNode(ctx, { id, kind: 'hub', account, label, scanned: false, power: NO_POWER(ctx.expander) });
  fill(hub);
  return hub;
}

function outsideNode(ctx: Ctx, id: string, kind: NodeKind, label: string, account?: string): GraphNodeInternal {
  return addNode(ctx, { id, kind, label, scanned: false, power: NO_POWER(ctx.expander), ...(account ? { account } : {}) });
}

// ---------------------------------------------------------------------------------------------
// Deciding requests

/**
 * Is the caller's decision on `action` the same for every resource of `type` in `account`? Then
 * one decision on a sample ARN stands for all, and a hub can carry it.
 */
const uniformMemo = new WeakMap<Caller, Map<string, Map<string, Map<string, boolean>>>>();

/**
 * `ownAllows: false` when the caller's identity and boundary Allows do not take part in the
 * decision (a same-account trust policy that allows anyone): then only Denies and SCPs can make
 * it differ between resources.
 */
function uniform(caller: Caller, action: string, sample: string, extra?: Readonly<Record<string, readonly string[]>>, ownAllows = true): boolean {
  if (exhaustive) return false;
  if (reference) return decideUniform(caller, action, sample, extra, ownAllows);
  // Memo by caller, action, sample, then the rest: no key string built per ask (callers ask
  // this per technique and account; without `extra` the last key is a constant).
  let byAction = uniformMemo.get(caller);
  if (!byAction) uniformMemo.set(caller, (byAction = new Map()));
  let bySample = byAction.get(action);
  if (!bySample) byAction.set(action, (bySample = new Map()));
  let rest = bySample.get(sample);
  if (!rest) bySample.set(sample, (rest = new Map()));
  const key = extra ? `${JSON.stringify(extra)}\u0000${ownAllows}` : ownAllows ? 'own' : 'not own';
  let known = rest.get(key);
  if (known === undefined) rest.set(key, (known = decideUniform(caller, action, sample, extra, ownAllows)));
  return known;
}

/**
 * `exact`: every statement weighed, none skipped because an Allow already covers every resource:
 * then the decision's unknownNotApproval is the same for every resource too (a conditional Allow
 * of a few roles changes it, though not whether they are allowed).
 */
function decideUniform(caller: Caller, action: string, sample: string, extra: Readonly<Record<string, readonly string[]>> | undefined, ownAllows: boolean, exact = false): boolean {
  const layers = [caller.identity, ...(caller.boundary ? [caller.boundary] : []), ...caller.scps];
  const context: RequestContext = extra ? { ...caller.context, values: { ...caller.context.values, ...extra } } : caller.context;
  for (const l of layers) {
    const allowsIgnored = !ownAllows && l.side !== 'scp';
    // An Allow that applies to every resource of the type (its pattern covers them all, its
    // condition holds and names no resource) settles the layer's Allow side: the layer's other
    // Allows (narrower patterns) cannot change the decision; only Denies can.
    const allowsAll = !exact && (allowsIgnored || l.docs.some(({ document }) => coveringStatements(document, action).some((s) => s.effect === 'Allow' && !s.notResource
      && (s.resource ?? ['*']).some((r) => !r.includes('${') && arnMatcher(r)(sample))
      && !(s.condition && conditionNamesResource(s.condition))
      && statementAppliesToResource(s, { action, resource: sample, context }, document.version === '2012-10-17') === true)));
    for (const { document } of l.docs) {
      const vars = document.version === '2012-10-17';
      for (const s of coveringStatements(document, action)) {
        if (allowsAll && s.effect === 'Allow') continue;
        if (neverApplies(s, vars, context)) continue;
        if (s.notResource) return false;
        const rs = s.resource ?? ['*'];
        // A pattern that matches a name no real resource has covers every resource of the type.
        if (rs.some((r) => !r.includes('${') && arnMatcher(r)(sample))) {
          if (s.condition && conditionNamesResource(s.condition)) return false;
          continue;
        }
        // Patterns that cannot name a resource of the type (a bucket, a table) do not matter here.
        if (rs.some((r) => mayNameType(r, sample))) return false;
      }
    }
  }
  return true;
}

/** A statement whose condition names no resource and is false for this caller and request never applies, whatever the resource. */
function neverApplies(s: Statement, vars: boolean, context: RequestContext): boolean {
  return s.condition !== undefined && !conditionNamesResource(s.condition) && evaluateCondition(s.condition, context, vars) === false;
}

/** Could this Resource pattern name some resource of the sample's account and type (`…:role/…`)? */
function mayNameType(pattern: string, sample: string): boolean {
  if (pattern.includes('${')) return true;
  const p = pattern.split(':');
  if (p.length < 6) return hasWildcard(pattern);
  const s = sample.split(':');
  const fits = (a: string, b: string) => (hasWildcard(a) ? globRegex(a).test(b) : a === b);
  for (let i = 0; i < 5; i++) if (!fits(p[i]!, s[i]!)) return false;
  const resource = p.slice(5).join(':');
  const type = s.slice(5).join(':').split('/')[0]! + '/';
  const literal = resource.split(/[*?]/)[0]!;
  return literal.length < resource.length ? type.startsWith(literal) || literal.startsWith(type) : resource.startsWith(type);
}


/**
 * Which resources the caller's identity policies may allow an action on: a test, or undefined
 * when any may be (a wildcard, NotResource, a policy variable). Used only to skip resources no
 * Allow names before deciding the rest one by one.
 */
function identityNames(caller: Caller, action: string, sample: string, extra?: Readonly<Record<string, readonly string[]>>): NamedTest | undefined {
  if (exhaustive) return undefined;
  const patterns: string[] = [];
  const context: RequestContext = extra ? { ...caller.context, values: { ...caller.context.values, ...extra } } : caller.context;
  for (const { document } of caller.identity.docs) {
    for (const s of coveringStatements(document, action)) {
      if (s.effect !== 'Allow' || neverApplies(s, document.version === '2012-10-17', context)) continue;
      if (s.notResource) return undefined;
      for (const r of s.resource ?? ['*']) {
        if (r.includes('${') || arnMatcher(r)(sample)) return undefined;
        if (mayNameType(r, sample)) patterns.push(r);
      }
    }
  }
  const key = patterns.join('\u0000');
  let test = namedTests.get(key);
  if (!test) {
    const ms = patterns.map(arnMatcher);
    // Callers that share policies share their patterns: one verdict per ARN, whoever asks.
    const verdicts = new Map<string, boolean>();
    test = Object.assign((arn: string) => {
      let v = verdicts.get(arn);
      if (v === undefined) {
        if (verdicts.size > 50_000) verdicts.clear();
        verdicts.set(arn, (v = ms.some((m) => m(arn))));
      }
      return v;
    }, { patterns });
    if (namedTests.size > 2_000) namedTests.clear();
    namedTests.set(key, test);
  }
  return test;
}

/** Resource patterns of identityNames → its memoised test. Pure: the same patterns always match the same ARNs. */
const namedTests = new Map<string, NamedTest>();

/** An identityNames test: true when one of its patterns matches the ARN. */
type NamedTest = ((arn: string) => boolean) & { readonly patterns: readonly string[] };
const roleArn = (x: { readonly role: Role }) => x.role.arn;

const UNTIL_WILDCARD = new RegExp(`[*?${LITERAL_STAR}${LITERAL_QUESTION}]`);

/** What follows an ARN's fifth ':' (its resource part, matched as one glob), or undefined. */
function resourcePart(arn: string): string | undefined {
  let start = 0;
  for (let i = 0; i < 5; i++) {
    const c = arn.indexOf(':', start);
    if (c < 0) return undefined;
    start = c + 1;
  }
  return arn.slice(start);
}

/**
 * Members of a list a pattern may match: those whose resource part starts with the pattern's
 * literal resource prefix (up to its first wildcard or literal marker; an ARN pattern matches
 * part by part, anchored), and those whose ARN has no resource part. Undefined: every member.
 * The matcher still decides each one; this only skips members that cannot match.
 */
function prefixCandidates<X>(list: readonly X[], pattern: string, arnOf: (x: X) => string): number[] | undefined {
  const resource = resourcePart(pattern);
  if (resource === undefined) return undefined;
  const cut = resource.search(UNTIL_WILDCARD);
  const prefix = cut < 0 ? resource : resource.slice(0, cut);
  const index = perList(list, 'resource parts', () => {
    const sorted: { r: string; i: number }[] = [];
    const other: number[] = [];
    list.forEach((x, i) => {
      const r = resourcePart(arnOf(x));
      if (r === undefined) other.push(i);
      else sorted.push({ r, i });
    });
    sorted.sort((a, b) => (a.r < b.r ? -1 : a.r > b.r ? 1 : a.i - b.i));
    return { keys: sorted.map((x) => x.r), at: sorted.map((x) => x.i), other };
  });
  let lo = 0, hi = index.keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (index.keys[mid]! < prefix) lo = mid + 1;
    else hi = mid;
  }
  const out = [...index.other];
  for (let k = lo; k < index.keys.length && index.keys[k]!.startsWith(prefix); k++) out.push(index.at[k]!);
  return out;
}
const principalArn = (p: Principal) => p.arn;

/**
 * The members of an account list (roles, users) that a named test lets through, in list order.
 * Distinct pattern sets grow with the account (policies combine at random), so each pattern is
 * matched against the list once and a set is the union of its patterns' hits: not one scan of
 * the list per set, nor per caller. `arnOf` must be the same for every use of one list.
 */
function namedIn<X>(list: readonly X[], names: NamedTest, arnOf: (x: X) => string): readonly X[] {
  return perList(list, names, () => {
    if (reference) return list.filter((x) => names(arnOf(x)));
    const hit = new Uint8Array(list.length);
    for (const p of names.patterns) {
      const hits = perList(list, `pattern\u0000${p}`, () => {
        const m = arnMatcher(p);
        const b = new Uint8Array(list.length);
        const maybe = prefixCandidates(list, p, arnOf);
        if (maybe) { for (const i of maybe) if (m(arnOf(list[i]!))) b[i] = 1; }
        else for (let i = 0; i < list.length; i++) if (m(arnOf(list[i]!))) b[i] = 1;
        return b;
      });
      for (let i = 0; i < hit.length; i++) hit[i]! |= hits[i]!;
    }
    return list.filter((_, i) => hit[i] === 1);
  });
}

function conditionNamesResource(c: NonNullable<PolicyDocument['statements'][number]['condition']>): boolean {
  for (const keys of Object.values(c)) for (const k of Object.keys(keys)) {
    const key = k.toLowerCase();
    if (key.startsWith('aws:resourcetag/') || key.startsWith('iam:resourcetag/') || key === 'iam:policyarn' || key === 'iam:permissionsboundary') return true;
  }
  return false;
}

const sampleArns = new WeakMap<AccountIndex, Map<string, string>>();

/**
 * A name no real resource of the type has, in the account: one string per account and type, so
 * the memos keyed by it hash a string already hashed rather than a fresh one per caller and ask.
 */
function sampleArn(acct: AccountIndex, type: string): string {
  if (reference) return `arn:${acct.partition}:iam::${acct.id}:${type}/\u0001leash-sample`;
  let m = sampleArns.get(acct);
  if (!m) sampleArns.set(acct, (m = new Map()));
  let s = m.get(type);
  if (s === undefined) m.set(type, (s = `arn:${acct.partition}:iam::${acct.id}:${type}/\u0001leash-sample`));
  return s;
}

function unknownIfNot(d: LayerDecision): boolean {
  return d.unknownNotApproval;
}

/**
 * The caller side of an assume, by what the trust names (see request.ts). Within one account a
 * trust policy must allow the caller (it is no less a resource-based policy for that: "IAM role
 * trust policies and KMS key policies are exceptions to this logic, because they must explicitly
 * allow access for principals"), and then, by the principal it names: "Resource-based policies
 * that grant permissions to an IAM role ARN are limited by an implicit deny in a permissions
 * boundary or session policy"; "resource-based policies that grant permissions to an IAM role
 * session ARN grant permissions directly to the assumed role session. Permissions granted
 * directly to a session are not limited by an implicit deny in an identity-based policy, a
 * permissions boundary, or session policy"; "resource-based policies that grant permissions to
 * an IAM user ARN (that is not a federated user session) are not limited by an implicit deny in
 * an identity-based policy or permissions boundary"
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html).
 * `{"AWS": "*"}`: "For IAM user and role principals within your account, no other permissions
 * are required" (reference_policies_elements_principal.html, All principals). The account
 * (its root) delegates to the account's own policies: identity and boundary must allow.
 * Explicit denies and SCPs hold every time; another account's caller needs its own Allow.
 */
function callerSide(caller: Caller, kind: 'user' | 'role' | 'other', named: 'principal' | 'session' | 'anyone' | 'account', sameAccount: boolean, d: LayerDecision): Tri {
  const notDenied = and3(not3(d.deny), d.scp);
  if (!sameAccount || named === 'account') return identityAllows(d);
  if (named === 'anyone' || named === 'session') return notDenied;
  // Named by ARN: a user needs nothing of its own policies; a role is still held by its boundary.
  return kind === 'user' ? notDenied : and3(notDenied, d.boundary);
}

function callerKind(n: GraphNodeInternal): 'user' | 'role' | 'other' {
  return n.principal?.kind ?? 'other';
}

/** How a caller that writes a trust policy names itself: a user by its ARN, a role by its session's (which it knows). */
function selfNamed(n: GraphNodeInternal): 'principal' | 'session' {
  return callerKind(n) === 'role' ? 'session' : 'principal';
}

function trustEvidence(role: Role, entry: TrustEntry): HopEvidence {
  return { side: 'trust', principalArn: role.arn, policy: 'AssumeRolePolicyDocument', statementIndex: entry.statement.index, ...(entry.statement.sid ? { sid: entry.statement.sid } : {}) };
}

/**
 * One (read-only) evidence object per trust entry, shared by every caller's edge to its role: an
 * entry belongs to one role (trustEntries makes them per role).
 */
const trustEvidenceMemo = new WeakMap<TrustEntry, HopEvidence>();
function sharedTrustEvidence(role: Role, entry: TrustEntry): HopEvidence {
  if (reference) return trustEvidence(role, entry);
  let e = trustEvidenceMemo.get(entry);
  if (!e) trustEvidenceMemo.set(entry, (e = trustEvidence(role, entry)));
  return e;
}

/** The actions of every assume-role edge (GraphEdge.actions is read-only): one array, not one per edge. */
const ASSUME_ROLE: readonly string[] = ['sts:AssumeRole'];

const trustDenies = new WeakMap<Role, boolean>();
/** Does the role's trust policy hold a Deny statement (trustDeny then has something to weigh)? */
function hasTrustDeny(role: Role): boolean {
  let d = trustDenies.get(role);
  if (d === undefined) trustDenies.set(role, (d = role.trustPolicy.statements.some((s) => s.effect === 'Deny')));
  return d;
}

/** The trust statement's own verdict for a caller: its condition, less any Deny of the trust policy. */
function trustVerdict(role: Role, entry: TrustEntry, callerArn: string, callerAccount: string, ctx: RequestContext): { t: Tri; unknown: boolean } {
  const cond = trustCondition(entry, ctx);
  const deny = trustDeny(role, callerArn, callerAccount, entry.action, ctx);
  const t = and3(cond, not3(deny));
  const unknown = (cond === 'unknown' && !gatesOnApproval(entry.statement.condition, 'Allow')) || deny === 'unknown';
  return { t, unknown };
}

// ---------------------------------------------------------------------------------------------
// Edges out of one node

type TrustItem = { role: Role; entry: TrustEntry };
/** A trusting role's account, and its node when that account is scanned. */
type RoleTarget = { roleAccount: string; target: GraphNodeInternal | undefined };

/** A list of trust entries by what their decision depends on: nothing of the caller's, its account's organization, or the caller itself. */
function splitByCaller(list: readonly TrustItem[]): { shared: TrustItem[]; byAccount: TrustItem[]; sharedAndByAccount: TrustItem[]; specific: TrustItem[] } {
  const shared: TrustItem[] = [], byAccount: TrustItem[] = [], sharedAndByAccount: TrustItem[] = [], specific: TrustItem[] = [];
  for (const x of list) {
    if (callerSpecific(x.entry, x.role)) { specific.push(x); continue; }
    (accountSpecific(x.entry, x.role) ? byAccount : shared).push(x);
    sharedAndByAccount.push(x);
  }
  return { shared, byAccount, sharedAndByAccount, specific };
}

function assumeEdges(ctx: Ctx, n: GraphNodeInternal): void {
  const caller = n.caller!;
  const roleFor = (acct: AccountIndex, role: Role) => ctx.nodes[ctx.byId.get(role.arn)!];
  let accountWhy: string | undefined; // one text per caller, not per edge
  // A role's account and node, as `one` looks them up (principal nodes all exist before edges).
  const resolve = (role: Role): RoleTarget => {
    const roleAccount = accountOf(role.arn);
    const acct = ctx.accounts.get(roleAccount);
    return { roleAccount, target: acct && roleFor(acct, role) };
  };
  const one = (role: Role, entry: TrustEntry, named: 'principal' | 'session' | 'anyone' | 'account', known?: RoleTarget) => {
    if (role.arn === caller.arn) return;
    const { roleAccount, target } = known ?? resolve(role); // once: this runs per (caller, role) pair
    if (!target) return;
    const d = decide(caller, 'sts:AssumeRole', role.arn);
    const side = callerSide(caller, callerKind(n), named, caller.account === roleAccount, d);
    if (side === false) return;
    const tv = trustVerdict(role, entry, caller.arn, caller.account, caller.context);
    const hc = hopCondition(and3(side, tv.t), unknownIfNot(d) || tv.unknown);
    if (!hc) return;
    addEdge(ctx, n, target, {
      technique: 'sts-assume-permissive-role', actions: ASSUME_ROLE, condition: hc, target: 'proven',
      why: named === 'principal' ? 'is named in the trust policy of' : named === 'session' ? 'is named (as a session of it) in the trust policy of' : named === 'anyone' ? 'may assume (trust policy allows any principal)' : (accountWhy ??= `may assume (trust policy names account ${caller.account}; its own policy allows sts:AssumeRole)`),
      evidence: [...((named === 'principal' || named === 'session') && caller.account === roleAccount ? [] : d.evidence), sharedTrustEvidence(role, entry)],
    });
  };
  // Named by ARN (or session of the role, or unique id).
  const keys = [caller.arn];
  const p = n.principal;
  if (p?.kind === 'role') keys.push(`session:${accountOf(p.arn)}:${p.name}`);
  if (p?.id) keys.push(`id:${p.id}`);
  for (const acct of ctx.accounts.values()) {
    for (let i = 0; i < keys.length; i++) for (const { role, entry } of acct.byArn.get(keys[i]!) ?? []) one(role, entry, keys[i]!.startsWith('session:') ? 'session' : 'principal');
    // Trusting the caller's account, or anyone: a hub per (role account) when the caller's own
    // decision does not depend on which role, and when the trust does not depend on the caller.
    for (const [named, list] of [['account', acct.byTrustedAccount.get(caller.account) ?? []], ['anyone', acct.anyone]] as const) {
      if (list.length === 0) continue;
      const split = perList(list, 'split', () => splitByCaller(list));
      for (const { role, entry } of split.specific) one(role, entry, named);
      // Trusts that test the caller's organization are decided once per caller account: the account
      // hub is one per caller account already; for "anyone", a hub of their own per caller account
      // once the scan knows some account's organization (else they stay with the rest, as before).
      if (named === 'anyone' && ctx.orgKnown) {
        if (split.shared.length > 0) viaHub(acct, named, split.shared, false);
        if (split.byAccount.length > 0) viaHub(acct, named, split.byAccount, true);
      } else if (split.sharedAndByAccount.length > 0) viaHub(acct, named, split.sharedAndByAccount, named === 'account');
    }
  }
  function viaHub(acct: AccountIndex, named: 'account' | 'anyone', shared: readonly TrustItem[], perAccount: boolean): void {
    const sample = sampleArn(acct, 'role');
    if (!uniform(caller, 'sts:AssumeRole', sample, undefined, !(named === 'anyone' && caller.account === acct.id))) {
      // Trusting the account needs the caller's own Allow: skip roles none of its statements names.
      const names = named === 'account' || caller.account !== acct.id ? identityNames(caller, 'sts:AssumeRole', sample) : undefined;
      const items = names ? namedIn(shared, names, roleArn) : shared;
      // These callers decide per role, and both they and the roles grow with the account (368k
      // pairs at 50,000 principals): each list's roles are looked up once, not once per caller.
      const known = reference ? undefined : perList(items, 'targets', () => items.map(({ role }) => resolve(role)));
      for (let i = 0; i < items.length; i++) one(items[i]!.role, items[i]!.entry, named, known?.[i]);
      return;
    }
    const d = decide(caller, 'sts:AssumeRole', sample);
    const side = callerSide(caller, callerKind(n), named, caller.account === acct.id, d);
    const hc = hopCondition(side, unknownIfNot(d));
    if (!hc) return;
    const hubId = named === 'account' ? `hub:trusts-account:${caller.account}@${acct.id}` : perAccount ? `hub:trusts-anyone-in-org-of:${caller.account}@${acct.id}` : `hub:trusts-anyone@${acct.id}`;
    const label = named === 'account' ? `roles of ${acct.id} that trust account ${caller.account}` : perAccount ? `roles of ${acct.id} that trust any principal of an organization (as account ${caller.account} is placed)` : `roles of ${acct.id} that trust any principal`;
    const hub = hubNode(ctx, hubId, label, acct.id, (h) => {
      // What every principal of the caller's account has in common: the account, its organization (when known).
      const org = perAccount ? ctx.accounts.get(caller.account)?.orgValues : undefined;
      const openCtx: RequestContext = { values: { 'aws:principalaccount': [caller.account], ...org, ...timeValues(ctx.now) } };
      for (const { role, entry } of shared) {
        const target = roleFor(acct, role);
        if (!target) continue;
        const tv = trustVerdict(role, entry, '', caller.account, openCtx);
        const c = hopCondition(tv.t, tv.unknown);
        if (c) addEdge(ctx, h, target, { technique: 'sts-assume-permissive-role', actions: ['sts:AssumeRole'], condition: c, target: 'proven', why: 'trusts', evidence: [trustEvidence(role, entry)] });
      }
    });
    addEdge(ctx, n, hub, {
      technique: 'sts-assume-permissive-role', actions: ['sts:AssumeRole'], condition: hc, target: 'proven',
      why: named === 'account' ? 'may assume any role that trusts its account' : 'may assume any role that trusts any principal',
      evidence: d.evidence,
    });
  }
}

/** The policies a principal would have after a fix: identity in place of its own, the boundary in place of its own, and a session policy its sessions carry. */
export interface FixLayers {
  readonly identity: readonly PolicyDocument[];
  readonly boundary?: PolicyDocument;
  readonly session?: PolicyDocument;
}

/**
 * Session 44: may the principal of node `n` still assume `role` (a role's node) once its policies
 * are `layers`? The same decision assumeEdges makes per role (every trust entry that names the
 * caller — its ARN, a session of it, its unique id —, its account, or anyone; `callerSide` by what
 * the entry names; the trust's own verdict), with the caller's identity and boundary replaced; its
 * SCPs and request context stay. A session policy limits like a boundary does: "Resource-based
 * policies that grant permissions to an IAM role ARN are limited by an implicit deny in a
 * permissions boundary or session policy", and not a grant to the session or to anyone
 * (reference_policies_evaluation-logic_policy-eval-denyallow.html): the caller side is asked once
 * with the session policy in the boundary's place, and both must hold. The most open hop over the
 * entries: 'none' or 'unknown' (open), 'approval' (only under the approval condition), undefined
 * (closed). The fix stage asks it to tell which fix closes a trust-only escalation.
 */
export function assumeUnder(n: GraphNodeInternal, role: GraphNodeInternal, layers: FixLayers): HopCondition | undefined {
  const trusts = trustsOf(n)?.(role);
  if (!trusts) return undefined;
  const arn = role.principal!.arn;
  const callers = fixCallers(n.caller!, layers);
  const d = decide(callers.caller, 'sts:AssumeRole', arn);
  const ds = callers.session ? decide(callers.session, 'sts:AssumeRole', arn) : undefined;
  return assumeVerdict(trusts, callers, d, ds);
}

type Named = 'principal' | 'session' | 'account' | 'anyone';

/**
 * What assumeUnder reads of one role for one caller whatever the fix: the trust entries naming
 * the caller, each with the trust's own verdict (the caller's ARN, account and request context
 * are not the fix's), and whether the role is in the caller's account. Roles that read alike
 * share one object (most trust one way: anyone, or the account, unconditioned).
 */
interface AssumeTrusts {
  readonly kind: 'user' | 'role' | 'other';
  readonly sameAccount: boolean;
  readonly entries: readonly { readonly named: Named; readonly t: Tri; readonly unknown: boolean }[];
}

const NAMED: readonly Named[] = ['principal', 'session', 'account', 'anyone'];
const triIndex = (t: Tri): number => (t === true ? 0 : t === false ? 1 : 2);

/**
 * A role's one sts:AssumeRole trust entry when it is plain — no condition, no Deny in the trust —
 * so that how it names a caller is all there is to read (nearly every role); null otherwise.
 */
function plainEntryOf(r: Role): TrustEntry | null {
  let only: TrustEntry | null = null;
  for (const e of trustEntries(r)) {
    if (e.action !== 'sts:AssumeRole') continue;
    if (only || e.statement.condition) return null;
    only = e;
  }
  return only && !hasTrustDeny(r) ? only : null;
}

/** plainEntryOf per role node, by node index, one list per graph: read per role per principal (millions of times at 50k). */
const plainEntries = new WeakMap<BuiltGraph, (TrustEntry | null | undefined)[]>();

/**
 * What assumeUnder reads of any role for one caller, what it reads of the caller settled once (the
 * fix stage asks hundreds of roles per principal, for thousands of principals). `plain`: the
 * graph's plainEntryOf list, filled as roles are asked.
 */
function trustsOf(n: GraphNodeInternal, plain?: (TrustEntry | null | undefined)[]): ((role: GraphNodeInternal) => AssumeTrusts | undefined) | undefined {
  const base = n.caller;
  const p = n.principal;
  if (!base || !p) return undefined;
  const selfSession = p.kind === 'role' ? `session:${accountOf(p.arn)}:${p.name}` : undefined;
  const kind = p.kind === 'user' || p.kind === 'role' ? p.kind : 'other';
  const ownPrefix = `arn:${arnField(base.arn, 1)}:iam::${base.account}:`;
  // One entry (nearly every role): one object per (account side, named, verdict), by slot; more: by key.
  const single: (AssumeTrusts | undefined)[] = new Array(2 * NAMED.length * 3 * 2);
  const several = new Map<string, AssumeTrusts>();
  const namedBy = (entry: TrustEntry): Named | undefined => (entry.kind === 'arn' ? (entry.arn === base.arn ? 'principal' : entry.arn === selfSession ? 'session' : undefined)
    : entry.kind === 'id' ? (p.id !== undefined && entry.id === p.id ? 'principal' : undefined)
      : entry.kind === 'account' ? (entry.account === base.account ? 'account' : undefined)
        : entry.kind === 'anyone' ? 'anyone' : undefined);
  const slotOf = (sameAccount: boolean, named: Named, t: Tri, unknown: boolean) => (((sameAccount ? 1 : 0) * NAMED.length + NAMED.indexOf(named)) * 3 + triIndex(t)) * 2 + (unknown ? 1 : 0);
  return (role) => {
    if (role.kind !== 'role' || !role.principal || role.principal.kind !== 'role' || role.id === base.arn) return undefined;
    const r = role.principal;
    if (plain) {
      let only = plain[role.index];
      if (only === undefined) plain[role.index] = only = plainEntryOf(r);
      if (only) {
        // The loop below would find this one entry and its verdict (allowed as is): the same object, by slot.
        const named = namedBy(only);
        if (!named) return undefined;
        const sameAccount = r.arn.startsWith(ownPrefix);
        return (single[slotOf(sameAccount, named, true, false)] ??= { kind, sameAccount, entries: [{ named, t: true, unknown: false }] });
      }
    }
    const entries: { named: Named; t: Tri; unknown: boolean }[] = [];
    for (const entry of trustEntries(r)) {
      if (entry.action !== 'sts:AssumeRole') continue;
      const named = namedBy(entry);
      // The caller's ARN, account and request context are not the fix's: neither is this verdict.
      if (named) entries.push({ named, ...trustVerdict(r, entry, base.arn, base.account, base.context) });
    }
    if (entries.length === 0) return undefined;
    const sameAccount = r.arn.startsWith(ownPrefix);
    if (entries.length === 1) {
      const [e] = entries as [(typeof entries)[number]];
      return (single[slotOf(sameAccount, e.named, e.t, e.unknown)] ??= { kind, sameAccount, entries });
    }
    const key = `${sameAccount}${entries.map((e) => `|${e.named}:${e.t}:${e.unknown}`).join('')}`;
    let out = several.get(key);
    if (!out) several.set(key, (out = { kind, sameAccount, entries }));
    return out;
  };
}

/** The caller with a fix's policies in place of its own (SCPs and request context stay), and, with a session policy, the session's. */
function fixCallers(base: Caller, layers: FixLayers): { caller: Caller; session?: Caller } {
  const identity: Layer = { side: 'identity', docs: layers.identity.map((document, i) => ({ name: `fix-${i + 1}`, document })) };
  const unbounded: Caller = { arn: base.arn, account: base.account, identity, scps: base.scps, context: base.context };
  const caller: Caller = layers.boundary ? { ...unbounded, boundary: { side: 'boundary', docs: [{ name: 'boundary', document: layers.boundary }] } } : unbounded;
  return layers.session ? { caller, session: { ...caller, boundary: { side: 'boundary', docs: [{ name: 'session-policy', document: layers.session }] } } } : { caller };
}

/** The most open hop over the entries, given the caller side's decisions (with the session policy's, when there is one). */
function assumeVerdict(trusts: AssumeTrusts, callers: { caller: Caller; session?: Caller }, d: LayerDecision, ds: LayerDecision | undefined): HopCondition | undefined {
  const kind = trusts.kind;
  let best: HopCondition | undefined;
  const rank = (c: HopCondition | undefined) => (c === 'none' ? 3 : c === 'unknown' ? 2 : c === 'approval' ? 1 : 0);
  for (const { named, t, unknown: trustUnknown } of trusts.entries) {
    let side = callerSide(callers.caller, kind, named, trusts.sameAccount, d);
    let unknown = unknownIfNot(d);
    if (callers.session && ds) {
      side = and3(side, callerSide(callers.session, kind, named, trusts.sameAccount, ds));
      unknown ||= unknownIfNot(ds);
    }
    if (side === false) continue;
    const hc = hopCondition(and3(side, t), unknown || trustUnknown);
    if (rank(hc) > rank(best)) best = hc;
  }
  return best;
}
/** The roles a fix leaves open (assumeUnder's 'none' or 'unknown'): how many, and the first `shown` by ARN, in order. */
export interface OpenHops {
  readonly count: number;
  readonly first: readonly string[];
}

/** Keep `list` (sorted) the `shown` least ARNs of what it has been offered. */
function offer(list: string[], arn: string, shown: number): void {
  if (list.length >= shown && !(arn < list[list.length - 1]!)) return;
  let i = list.length;
  while (i > 0 && arn < list[i - 1]!) i--;
  list.splice(i, 0, arn);
  if (list.length > shown) list.pop();
}

/**
 * Roles `openHopsUnder` reads as one: an object that lives as long as its graph (hop-chains.ts: the
 * roles behind a shared hop whose reach holds the same), so how its roles read is worked out once
 * per graph, not once per principal that asks. `roles`: distinct role nodes.
 */
export interface RoleBlock {
  readonly roles: readonly GraphNodeInternal[];
}

/**
 * A block's roles as openHopsUnder reads them, whoever asks. Plain trusts (one entry, no condition,
 * no Deny) read alike for every caller when they name the same thing from the same account (the
 * entry and the role's account are all trustsOf reads of them): one subgroup each, its roles by
 * ARN. Any other role is read per caller, as a role outside a block is.
 */
interface BlockReading {
  readonly plain: readonly { readonly members: readonly GraphNodeInternal[] }[];
  readonly other: readonly GraphNodeInternal[];
  /** Node index → its plain subgroup (so that a caller inside the block is left out of it). */
  readonly where: ReadonlyMap<number, number>;
}
const blockReadings = new WeakMap<RoleBlock, BlockReading>();

function blockReading(block: RoleBlock, plain: (TrustEntry | null | undefined)[]): BlockReading {
  let out = blockReadings.get(block);
  if (out) return out;
  const byKey = new Map<string, GraphNodeInternal[]>();
  const other: GraphNodeInternal[] = [];
  for (const role of block.roles) {
    const r = role.principal;
    if (role.kind !== 'role' || !r || r.kind !== 'role') continue; // trustsOf reads no other
    let only = plain[role.index];
    if (only === undefined) plain[role.index] = only = plainEntryOf(r);
    if (!only) { other.push(role); continue; }
    const named = only.kind === 'arn' ? only.arn : only.kind === 'id' ? only.id : only.kind === 'account' ? only.account : '';
    const key = `${r.arn.slice(0, r.arn.indexOf(':', r.arn.indexOf(':iam::') + 6))}\u0000${only.kind}\u0000${named}`;
    let list = byKey.get(key);
    if (!list) byKey.set(key, (list = []));
    list.push(role);
  }
  const groups = [...byKey.values()].map((members) => ({ members: members.sort((x, y) => (x.principal!.arn < y.principal!.arn ? -1 : x.principal!.arn > y.principal!.arn ? 1 : 0)) }));
  const where = new Map<number, number>();
  groups.forEach((g, i) => { for (const m of g.members) where.set(m.index, i); });
  blockReadings.set(block, (out = { plain: groups, other, where }));
  return out;
}

/**
 * Which of `roles` (ARN and node; a role without a node is open, nothing shows it closed) and of
 * `blocks` the principal of `n` may still assume once its policies are a fix's, for many fixes:
 * assumeUnder's answer, role by role (test/graph/open-hops-under.test.ts), at the cost of the
 * role's groups. Each role is read once per principal: its account and how its trust names the
 * caller (roles that read alike share one object, and most do: anyone, or the account,
 * unconditioned). A block's plain roles are read once per subgroup (blockReading), not per role:
 * at 50,000 principals an agent reaches about 4,000 roles behind a shared hop. Per fix, in each
 * account where no statement about sts:AssumeRole tells the roles apart (decideUniform, exact: the
 * decision's unknownNotApproval too, which tells 'unknown' from 'approval'), the caller side is
 * decided once and each group judged once; elsewhere role by role. `roles` and the blocks must
 * not share a role (the caller itself may be in them: it is never counted).
 */
export function openHopsUnder(n: GraphNodeInternal, roles: Iterable<readonly [string, GraphNodeInternal | undefined]>, built: BuiltGraph, shown = 5, blocks: readonly RoleBlock[] = []): (layers: FixLayers) => OpenHops {
  let plain = plainEntries.get(built);
  if (!plain) plainEntries.set(built, (plain = new Array(built.nodes.length)));
  const of = trustsOf(n, plain);
  const base = n.caller;
  const unread: string[] = [];
  const asked: GraphNodeInternal[] = [];
  const groupOfRole: number[] = [];
  /** Plain subgroups of blocks, each wholly in one group: asked role by role only where the account's decision is not shared. */
  const askedBlocks: { readonly members: readonly GraphNodeInternal[]; readonly g: number }[] = [];
  const accounts: string[] = [];
  const accountIndex = new Map<string, number>();
  const groups: { readonly trusts: AssumeTrusts; readonly account: number; size: number; readonly first: string[] }[] = [];
  const byTrusts = new Map<AssumeTrusts, Map<number, number>>();
  const ownKey = base ? `arn:${arnField(base.arn, 1)}:iam::${base.account}` : '';
  const ownAccount = accounts.push(ownKey) - 1;
  accountIndex.set(ownKey, ownAccount);
  const groupOf = (trusts: AssumeTrusts, arn: string): number => {
    // The caller's own account (most roles) without building its key per role.
    let acct = trusts.sameAccount ? ownAccount : undefined;
    if (acct === undefined) {
      const key = `arn:${arnField(arn, 1)}:iam::${accountOf(arn)}`;
      acct = accountIndex.get(key);
      if (acct === undefined) accountIndex.set(key, (acct = accounts.push(key) - 1));
    }
    let m = byTrusts.get(trusts);
    if (!m) byTrusts.set(trusts, (m = new Map()));
    let g = m.get(acct);
    if (g === undefined) m.set(acct, (g = groups.push({ trusts, account: acct, size: 0, first: [] }) - 1));
    return g;
  };
  const askRole = (node: GraphNodeInternal): void => {
    const trusts = of?.(node);
    if (!trusts) return;
    const g = groupOf(trusts, node.principal!.arn);
    const group = groups[g]!;
    group.size++;
    offer(group.first, node.principal!.arn, shown);
    asked.push(node);
    groupOfRole.push(g);
  };
  for (const [arn, node] of roles) {
    if (!node) unread.push(arn);
    else askRole(node);
  }
  for (const block of blocks) {
    if (!of) break;
    const reading = blockReading(block, plain);
    const self = reading.where.get(n.index);
    reading.plain.forEach(({ members }, i) => {
      const rep = members[0] === n ? members[1] : members[0];
      const trusts = rep && of(rep);
      if (!trusts) return;
      const g = groupOf(trusts, rep.principal!.arn);
      const group = groups[g]!;
      group.size += members.length - (self === i ? 1 : 0);
      for (let k = 0, offered = 0; k < members.length && offered < shown; k++) {
        if (members[k] === n) continue;
        offer(group.first, members[k]!.principal!.arn, shown);
        offered++;
      }
      askedBlocks.push({ members, g });
    });
    for (const node of reading.other) askRole(node);
  }
  const unreadFirst: string[] = [];
  for (const arn of unread) offer(unreadFirst, arn, shown);
  const open = (c: HopCondition | undefined) => c === 'none' || c === 'unknown';
  return (layers) => {
    let count = unread.length;
    const first = [...unreadFirst];
    if (groups.length === 0) return { count, first };
    const callers = fixCallers(base!, layers);
    // Per account: the one decision every role there gets, or null: decided role by role.
    const shared: ({ d: LayerDecision; ds: LayerDecision | undefined } | null)[] = accounts.map((key) => {
      const sample = `${key}:role/\u0001leash-sample`;
      // Not `uniform`'s memo: these callers live for one fix, and its WeakMap would hold their answers until a full collection.
      const alike = decideUniform(callers.caller, 'sts:AssumeRole', sample, undefined, true, true) && (!callers.session || decideUniform(callers.session, 'sts:AssumeRole', sample, undefined, true, true));
      return alike ? { d: decide(callers.caller, 'sts:AssumeRole', sample), ds: callers.session ? decide(callers.session, 'sts:AssumeRole', sample) : undefined } : null;
    });
    let perRole = false;
    for (const g of groups) {
      const one = shared[g.account];
      if (one === null) { perRole = true; continue; }
      if (!one || !open(assumeVerdict(g.trusts, callers, one.d, one.ds))) continue;
      count += g.size;
      for (const arn of g.first) offer(first, arn, shown);
    }
    if (!perRole) return { count, first };
    const ask = (node: GraphNodeInternal, g: (typeof groups)[number]): void => {
      const arn = node.principal!.arn;
      const d = decide(callers.caller, 'sts:AssumeRole', arn);
      const ds = callers.session ? decide(callers.session, 'sts:AssumeRole', arn) : undefined;
      if (!open(assumeVerdict(g.trusts, callers, d, ds))) return;
      count++;
      offer(first, arn, shown);
    };
    for (let i = 0; i < asked.length; i++) {
      const g = groups[groupOfRole[i]!]!;
      if (shared[g.account] === null) ask(asked[i]!, g);
    }
    for (const { members, g: gi } of askedBlocks) {
      const g = groups[gi]!;
      if (shared[g.account] === null) for (const node of members) if (node !== n) ask(node, g);
    }
    return { count, first };
  };
}

/** Targets of an action on IAM resources of one kind in the caller's account, decided per target or through a hub. */
function iamTargets<T extends { readonly arn: string }>(
  ctx: Ctx, n: GraphNodeInternal, acct: AccountIndex, action: string, type: 'user' | 'role' | 'group' | 'policy', candidates: readonly T[], arnOf: (t: T) => string,
  /** `candidates` is a list of the account's (every user, every role): filtered once per pattern, not per caller. */
  accountList = false,
  /** Request context a target adds (its current permissions boundary): only where the decision is made per target. */
  extraOf?: (t: T) => Readonly<Record<string, readonly string[]>>,
): { target: T; condition: HopCondition; evidence: readonly HopEvidence[] }[] {
  const caller = n.caller!;
  const out: { target: T; condition: HopCondition; evidence: readonly HopEvidence[] }[] = [];
  const sample = sampleArn(acct, type);
  if (uniform(caller, action, sample)) {
    const d = decide(caller, action, sample);
    const hc = hopCondition(identityAllows(d), d.unknownNotApproval);
    if (!hc) return out;
    for (const t of candidates) out.push({ target: t, condition: hc, evidence: d.evidence });
    return out;
  }
  const named = identityNames(caller, action, sample);
  for (const t of named && accountList ? namedIn(candidates, named, arnOf) : candidates) {
    if (named && !accountList && !named(arnOf(t))) continue;
    const d = decide(caller, action, arnOf(t), extraOf?.(t));
    const hc = hopCondition(identityAllows(d), d.unknownNotApproval);
    if (hc) out.push({ target: t, condition: hc, evidence: d.evidence });
  }
  return out;
}

function allowedAction(ctx: Ctx, n: GraphNodeInternal, action: string): boolean {
  const id = actionId(ctx, action);
  return id !== undefined && n.effective !== undefined && n.effective.allowed.has(id);
}

// The few constant actions allowedAction asks per node and technique, looked up once per catalog.
const actionIdMemo = new WeakMap<object, Map<string, number | undefined>>();
function actionId(ctx: Ctx, action: string): number | undefined {
  if (reference) return ctx.expander.catalog.lookup(action)?.id;
  let m = actionIdMemo.get(ctx.expander.catalog);
  if (!m) actionIdMemo.set(ctx.expander.catalog, (m = new Map()));
  if (!m.has(action)) m.set(action, ctx.expander.catalog.lookup(action)?.id);
  return m.get(action);
}

function takeoverEdges(ctx: Ctx, n: GraphNodeInternal): void {
  const acct = ctx.accounts.get(n.caller!.account);
  if (!acct) return;
  for (const t of TAKEOVERS) {
    if (!allowedAction(ctx, n, t.action)) continue;
    const list: readonly Principal[] = t.on === 'user' ? acct.users : acct.roles;
    const sample = sampleArn(acct, t.on);
    const caller = n.caller!;
    // Taking over a role also means assuming it afterwards: that decision must be uniform too
    // (its denies and SCPs only: the caller names itself, a role by its own session's ARN, which
    // no boundary or identity policy of its own limits; see callerSide).
    if (uniform(caller, t.action, sample) && (t.on !== 'role' || uniform(caller, 'sts:AssumeRole', sampleArn(acct, 'role'), undefined, false))) {
      const d = decide(caller, t.action, sample);
      let side = identityAllows(d);
      if (t.on === 'role') {
        const a = decide(caller, 'sts:AssumeRole', sampleArn(acct, 'role'));
        side = and3(side, callerSide(caller, callerKind(n), selfNamed(n), true, a));
      }
      const hc = hopCondition(side, d.unknownNotApproval);
      if (!hc) continue;
      const hub = hubNode(ctx, `hub:${t.technique}@${acct.id}`, `every ${t.on} of ${acct.id}`, acct.id, (h) => {
        for (const p of list) {
          const target = ctx.nodes[ctx.byId.get(p.arn) ?? -1];
          if (target) addEdge(ctx, h, target, { technique: t.technique, actions: [t.action], condition: 'none', target: 'proven', why: t.why, evidence: [] });
        }
      });
      addEdge(ctx, n, hub, { technique: t.technique, actions: [t.action], condition: hc, target: 'proven', why: `${t.why} every ${t.on}`, evidence: d.evidence });
      continue;
    }
    for (const { target: p, condition, evidence } of iamTargets(ctx, n, acct, t.action, t.on, list, principalArn, true)) {
      if (p.arn === caller.arn) continue;
      let c: HopCondition | undefined = condition;
      if (t.on === 'role') {
        const a = decide(caller, 'sts:AssumeRole', p.arn);
        const hc = hopCondition(callerSide(caller, callerKind(n), selfNamed(n), true, a), a.unknownNotApproval);
        c = hc ? worse(condition, hc) : undefined;
      }
      const target = ctx.nodes[ctx.byId.get(p.arn) ?? -1];
      if (c && target) addEdge(ctx, n, target, { technique: t.technique, actions: [t.action], condition: c, target: 'proven', why: t.why, evidence });
    }
  }
}

const mayActMemo = new WeakMap<Caller, Map<string, boolean>>();

/** mayActIn once per caller and action: every technique asks again about the same few actions. */
function mayActInOwn(caller: Caller, action: string): boolean {
  if (reference) return mayActIn(caller, action, caller.account);
  let m = mayActMemo.get(caller);
  if (!m) mayActMemo.set(caller, (m = new Map()));
  let v = m.get(action);
  if (v === undefined) m.set(action, (v = mayActIn(caller, action, caller.account)));
  return v;
}

/** Could an identity Allow for this action name a resource of `account` (`*`, a wildcard account, or an ARN without one)? */
function mayActIn(caller: Caller, action: string, account: string): boolean {
  for (const { document } of caller.identity.docs) {
    for (const s of coveringStatements(document, action)) {
      if (s.effect !== 'Allow') continue;
      if (s.notResource) return true;
      for (const r of s.resource ?? ['*']) {
        if (r === '*' || r.includes('${')) return true;
        const acct = r.split(':')[4];
        if (acct === undefined || acct === '' || (hasWildcard(acct) ? globRegex(acct).test(account) : acct === account)) return true;
      }
    }
  }
  return false;
}

const groupIds = new WeakMap<readonly string[], { catalog: unknown; ids: readonly (readonly [string, number | undefined])[] }>();

/** A technique's requirement group with each action's catalog id: looked up once, not per caller. */
function catalogIds(ctx: Ctx, g: readonly string[]): readonly (readonly [string, number | undefined])[] {
  const known = reference ? undefined : groupIds.get(g);
  if (known && known.catalog === ctx.expander.catalog) return known.ids;
  const ids = g.map((a) => [a, ctx.expander.catalog.lookup(a)?.id] as const);
  groupIds.set(g, { catalog: ctx.expander.catalog, ids });
  return ids;
}

/** Requirement groups other than iam:PassRole, judged at action level: undefined when one is not allowed. */
function groupsHold(ctx: Ctx, n: GraphNodeInternal, groups: readonly (readonly string[])[], skip: string): { actions: string[]; condition: HopCondition } | undefined {
  const actions: string[] = [];
  let condition: HopCondition = 'none';
  const { allowed, unconditional } = n.effective!;
  // Indexed loops, no arrays per group: this runs per node and technique, and most groups miss.
  for (const g of groups) {
    if (g.includes(skip)) continue;
    const ids = catalogIds(ctx, g);
    let held = false, free = false;
    for (let i = 0; i < ids.length; i++) {
      // No destructuring: a tuple read through the iterator protocol allocated per test here.
      const pair = ids[i]!, a = pair[0], id = pair[1];
      // Compute of another account cannot carry this account's roles: the grant must reach the caller's account.
      if (id === undefined || !allowed.has(id) || !mayActInOwn(n.caller!, a)) continue;
      held = true;
      free ||= unconditional.has(id);
      actions.push(a);
    }
    if (!held) return undefined;
    if (!free) condition = 'approval';
  }
  return { actions, condition };
}

type Passable =
  | { readonly kind: 'none' }
  | { readonly kind: 'hub'; readonly hub: GraphNodeInternal; readonly condition: HopCondition; readonly evidence: readonly HopEvidence[] }
  | { readonly kind: 'roles'; readonly roles: readonly { target: GraphNodeInternal; condition: HopCondition; evidence: readonly HopEvidence[] }[] };

const passableMemo = new WeakMap<GraphNodeInternal, Map<string, Passable>>();

/** The roles of its account a caller may pass to a service that trust it (one decision per caller and service, shared by techniques). */
function passableTo(ctx: Ctx, n: GraphNodeInternal, acct: AccountIndex, svc: string): Passable {
  let memo = passableMemo.get(n);
  if (!memo) passableMemo.set(n, (memo = new Map()));
  const known = memo.get(svc);
  if (known) return known;
  const caller = n.caller!;
  // EC2 carries a role only through an instance profile: roles in none are passable only by a
  // caller that may make one (CreateInstanceProfile + AddRoleToInstanceProfile).
  const viaProfiles = svc === 'ec2.amazonaws.com' && !(n.effective !== undefined && makesInstanceProfiles(n.effective.allowed, ctx.expander));
  const all = acct.byService.get(svc) ?? [];
  const roles = viaProfiles ? perList(all, 'instance-profiles', () => all.filter((x) => x.role.instanceProfiles.length > 0)) : all;
  const hubSvc = viaProfiles ? `${svc}+instance-profile` : svc;
  const extra = { 'iam:passedtoservice': [svc] };
  const sample = sampleArn(acct, 'role');
  const serviceCtx: RequestContext = { values: { 'aws:sourceaccount': [acct.id], ...timeValues(ctx.now) } };
  let result: Passable = { kind: 'none' };
  if (roles.length > 0 && uniform(caller, 'iam:PassRole', sample, extra)) {
    const d = decide(caller, 'iam:PassRole', sample, extra);
    const hc = hopCondition(identityAllows(d), d.unknownNotApproval);
    if (hc) {
      const hub = hubNode(ctx, `hub:pass:${hubSvc}@${acct.id}`, `roles of ${acct.id} that trust ${svc}${viaProfiles ? ' and are in an instance profile' : ''}`, acct.id, (h) => {
        for (const { role, entry } of roles) {
          const target = ctx.nodes[ctx.byId.get(role.arn) ?? -1];
          if (!target) continue;
          const tv = trustVerdict(role, entry, '', acct.id, serviceCtx);
          const c = hopCondition(tv.t, tv.unknown);
          if (c) addEdge(ctx, h, target, { technique: 'pass-role', actions: ['iam:PassRole'], condition: c, target: 'proven', why: `trusts ${svc}`, evidence: [trustEvidence(role, entry)] });
        }
      });
      result = { kind: 'hub', hub, condition: hc, evidence: d.evidence };
    }
  } else if (roles.length > 0) {
    const out: { target: GraphNodeInternal; condition: HopCondition; evidence: readonly HopEvidence[] }[] = [];
    const named = identityNames(caller, 'iam:PassRole', sample, extra);
    for (const { role, entry } of named ? namedIn(roles, named, roleArn) : roles) {
      if (role.arn === caller.arn) continue;
      const d = decide(caller, 'iam:PassRole', role.arn, extra);
      const hc = hopCondition(identityAllows(d), d.unknownNotApproval);
      if (!hc) continue;
      const tv = trustVerdict(role, entry, '', acct.id, serviceCtx);
      const c = hopCondition(tv.t, tv.unknown);
      const target = ctx.nodes[ctx.byId.get(role.arn) ?? -1];
      if (c && target) out.push({ target, condition: worse(hc, c), evidence: [...d.evidence, trustEvidence(role, entry)] });
    }
    // One hop of this caller's own, shared by every technique that passes to the service.
    if (out.length > 0) {
      const hub = hubNode(ctx, `hub:pass:${hubSvc}@${acct.id}:${caller.arn}`, `roles of ${acct.id} that trust ${svc} and ${n.label} may pass`, acct.id, (h) => {
        for (const x of out) addEdge(ctx, h, x.target, { technique: 'pass-role', actions: ['iam:PassRole'], condition: x.condition, target: 'proven', why: `trusts ${svc}`, evidence: x.evidence });
      });
      result = { kind: 'hub', hub, condition: 'none', evidence: [] };
    }
  }
  memo.set(svc, result);
  return result;
}

function serviceEdges(ctx: Ctx, n: GraphNodeInternal): void {
  const caller = n.caller!;
  const acct = ctx.accounts.get(caller.account);
  if (!acct) return;
  for (const t of escalationTechniques()) {
    // PassRole to a new resource of a service.
    if (t.passedTo && allowedAction(ctx, n, 'iam:PassRole')) {
      const rest = groupsHold(ctx, n, t.requires, 'iam:PassRole');
      if (!rest) continue;
      for (const svc of t.passedTo) {
        const passable = passableTo(ctx, n, acct, svc);
        if (passable.kind === 'none') continue;
        const actions = ['iam:PassRole', ...rest.actions];
        if (passable.kind === 'hub') {
          addEdge(ctx, n, passable.hub, { technique: t.id, actions, condition: worse(passable.condition, rest.condition), target: 'proven', why: `can pass a role to ${svc} (${t.name})`, evidence: passable.evidence });
          continue;
        }
        for (const x of passable.roles) addEdge(ctx, n, x.target, { technique: t.id, actions, condition: worse(x.condition, rest.condition), target: 'proven', why: `can pass it to ${svc} (${t.name})`, evidence: x.evidence });
      }
      continue;
    }
    if (t.passedTo) continue;
    // Existing compute that carries a role.
    const carrier = carriers[t.id];
    if (!carrier) continue;
    const rest = groupsHold(ctx, n, t.requires, '');
    if (!rest) continue;
    for (const svc of carrier.services) {
      const all = acct.byService.get(svc) ?? [];
      const roles = perList(all, carrier.instanceProfile === true, () => all.filter((x) => !carrier.instanceProfile || x.role.instanceProfiles.length > 0));
      if (roles.length === 0) continue;
      const target: HopTarget = carrier.instanceProfile ? 'proven' : 'inferred';
      const hub = hubNode(ctx, `hub:compute:${svc}@${acct.id}`, carrier.instanceProfile ? `instance profiles of ${acct.id}` : `roles of ${acct.id} that ${svc} compute may carry`, acct.id, (h) => {
        for (const { role, entry } of roles) {
          const node = ctx.nodes[ctx.byId.get(role.arn) ?? -1];
          if (node) addEdge(ctx, h, node, { technique: 'carried-by-compute', actions: [], condition: 'none', target, why: carrier.instanceProfile ? 'is the role of an instance profile' : `trusts ${svc}`, evidence: [trustEvidence(role, entry)] });
        }
      });
      addEdge(ctx, n, hub, { technique: t.id, actions: rest.actions, condition: rest.condition, target, why: `can run code on existing ${svc.split('.')[0]} compute (${t.name})`, evidence: [] });
    }
  }
}

const POLICY_ARN = 'iam:policyarn';
const testsSomeKey = (c: NonNullable<Statement['condition']>): boolean => Object.values(c).some((keys) => Object.keys(keys).length > 0);
/** Managed policies an attach grant may attach; `open`: others too (a pattern, or a name the export does not hold). */
interface Attachable { readonly policies: readonly ManagedPolicyInfo[]; readonly open: boolean }
const attachableMemo = new WeakMap<Caller, Map<string, Attachable | null>>();

/**
 * Attach grants limited to named managed policies: every identity Allow of the action tests
 * `iam:PolicyARN` with ArnEquals or ArnLike and nothing else. Which of the export's managed
 * policies (customer managed, and AWS managed ones it lists) those tests let through is asked of
 * the evaluator itself. Null: some grant is not so limited (the hop stays "any policy").
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html (iam:PolicyARN)
 */
function attachable(caller: Caller, action: string, acct: AccountIndex): Attachable | null {
  let memo = reference ? undefined : attachableMemo.get(caller);
  if (memo?.has(action)) return memo.get(action)!;
  const gated: Statement[] = [];
  let result: Attachable | null = null;
  let open = false;
  scan: for (const { document } of caller.identity.docs) {
    for (const st of coveringStatements(document, action)) {
      if (st.effect !== 'Allow') continue;
      // An empty Condition (or operator block) tests nothing: the grant is unconditioned.
      if (!st.condition || !testsSomeKey(st.condition)) { gated.length = 0; break scan; }
      for (const [op, keys] of Object.entries(st.condition)) {
        const o = op.toLowerCase();
        for (const [k, values] of Object.entries(keys)) {
          if (k.toLowerCase() !== POLICY_ARN || (o !== 'arnequals' && o !== 'arnlike')) { gated.length = 0; break scan; }
          // Open unless each value is the ARN of a policy the export holds (a pattern or a variable never is).
          for (const v of values) if (!acct.managed.has(v)) open = true;
        }
      }
      gated.push(st);
    }
  }
  if (gated.length > 0) {
    // Closed: only the policies the tests name can match (the export's by ARN), not all it holds.
    const candidates = open ? acct.snapshot.managedPolicies : namedPolicies(gated, POLICY_ARN, acct);
    const policies = candidates.filter((m) => gated.some((st) => evaluateCondition(st.condition, { ...caller.context, values: { ...caller.context.values, [POLICY_ARN]: [m.arn] } }) === true));
    result = { policies, open };
  }
  if (!reference) {
    if (!memo) attachableMemo.set(caller, (memo = new Map()));
    memo.set(action, result);
  }
  return result;
}

/** The export's managed policies named (exactly, by ARN) in statements' tests of `key`, in the export's order. */
function namedPolicies(statements: readonly Statement[], key: string, acct: AccountIndex): readonly ManagedPolicyInfo[] {
  const arns = new Set<string>();
  for (const st of statements) for (const keys of Object.values(st.condition ?? {})) for (const [k, values] of Object.entries(keys)) if (k.toLowerCase() === key) for (const v of values) arns.add(v);
  return acct.snapshot.managedPolicies.length <= arns.size ? acct.snapshot.managedPolicies : acct.snapshot.managedPolicies.filter((m) => arns.has(m.arn));
}

const PERMISSIONS_BOUNDARY = 'iam:permissionsboundary';
const BOUNDARY_OPERATORS: ReadonlySet<string> = new Set(['stringequals', 'stringlike', 'arnequals', 'arnlike']);
const DENY_BOUNDARY_OPERATORS: ReadonlySet<string> = new Set(['stringnotequals', 'stringnotlike', 'arnnotequals', 'arnnotlike'].flatMap((o) => [o, `${o}ifexists`]));
const replaceableMemo = new WeakMap<Caller, Map<string, Attachable | null>>();

/**
 * Boundary puts limited to named managed policies: in some layer (identity, boundary, an SCP
 * level) every Allow of `iam:Put{User,Role}PermissionsBoundary` tests `iam:PermissionsBoundary`
 * (the policy being set) with StringEquals/StringLike/ArnEquals/ArnLike and nothing else. AWS's
 * way to delegate IAM administration, access_policies_boundaries.html ("Delegating
 * responsibility to others using permissions boundaries"): "The CreateOrChangeOnlyWithBoundary
 * statement allows Zhang to create IAM users but only if he uses the XCompanyBoundaries policy to
 * set the permissions boundary. This statement also allows him to set the permissions boundary for
 * existing users but only using that same policy." Such a put replaces the boundary with one of
 * those policies; it removes nothing. Which of the export's policies the tests let through is asked
 * of the evaluator; `open`: a value is not the ARN of a policy the export holds (a pattern, a
 * variable, a name it lacks), so some put leash cannot see stays possible. Null: no layer so limits
 * it (the removal hop as before). iam:Delete*PermissionsBoundary takes no new policy: the Service
 * Authorization Reference lists iam:PermissionsBoundary for it too, but there the key is the
 * boundary being deleted, so a test of it limits whose boundary, never what is left: a removal.
 */
function boundaryReplacements(caller: Caller, action: string, acct: AccountIndex): Attachable | null {
  let memo = reference ? undefined : replaceableMemo.get(caller);
  if (memo?.has(action)) return memo.get(action)!;
  const limiting: Statement[][] = [];
  /** A layer (or fence) naming only policies of the export: no other policy can pass it. */
  let closed: readonly Statement[] | undefined;
  let open = true;
  for (const layer of [caller.identity, ...(caller.boundary ? [caller.boundary] : []), ...caller.scps]) {
    const gated: Statement[] = [];
    let layerOpen = false;
    scan: for (const { document } of layer.docs) {
      for (const st of coveringStatements(document, action)) {
        if (st.effect !== 'Allow') continue;
        if (!st.condition || !testsSomeKey(st.condition)) { gated.length = 0; break scan; }
        for (const [op, keys] of Object.entries(st.condition)) {
          for (const [k, values] of Object.entries(keys)) {
            if (k.toLowerCase() !== PERMISSIONS_BOUNDARY || !BOUNDARY_OPERATORS.has(op.toLowerCase())) { gated.length = 0; break scan; }
            for (const v of values) if (!acct.managed.has(v)) layerOpen = true;
          }
        }
        gated.push(st);
      }
    }
    if (gated.length === 0) continue;
    limiting.push(gated);
    if (!layerOpen) closed ??= gated;
    // One closed layer is enough: every put must pass it.
    open &&= layerOpen;
  }
  // A Deny on every resource whose only test is a negated one of the key (an SCP's usual form:
  // "deny unless the boundary is X") lets through only the values it names, whatever allows. A
  // create without a boundary has no key: a negated operator is then true, and so is any
  // …IfExists form ("If the key is not present, evaluate the condition element as true",
  // reference_policies_elements_condition_operators.html): it is denied either way.
  const fences: Statement[] = [];
  let fenceOpen = true;
  for (const layer of [caller.identity, ...(caller.boundary ? [caller.boundary] : []), ...caller.scps]) {
    for (const { document } of layer.docs) {
      for (const st of coveringStatements(document, action)) {
        if (st.effect !== 'Deny' || !st.condition || !testsSomeKey(st.condition) || st.notResource || !(st.resource ?? ['*']).includes('*')) continue;
        let fence = true, stOpen = false;
        for (const [op, keys] of Object.entries(st.condition)) {
          for (const [k, values] of Object.entries(keys)) {
            if (k.toLowerCase() !== PERMISSIONS_BOUNDARY || !DENY_BOUNDARY_OPERATORS.has(op.toLowerCase())) fence = false;
            for (const v of values) if (!acct.managed.has(v)) stOpen = true;
          }
        }
        if (!fence) continue;
        fences.push(st);
        fenceOpen &&= stOpen;
        if (!stOpen) closed ??= [st];
      }
    }
  }
  let result: Attachable | null = null;
  if (limiting.length > 0 || fences.length > 0) {
    const ctxOf = (m: ManagedPolicyInfo): RequestContext => ({ ...caller.context, values: { ...caller.context.values, [PERMISSIONS_BOUNDARY]: [m.arn] } });
    const lets = (m: ManagedPolicyInfo, gated: readonly Statement[]) => gated.some((st) => evaluateCondition(st.condition, ctxOf(m)) === true);
    const fenced = (m: ManagedPolicyInfo) => fences.some((st) => evaluateCondition(st.condition, ctxOf(m)) !== false);
    const candidates = closed ? namedPolicies(closed, PERMISSIONS_BOUNDARY, acct) : acct.snapshot.managedPolicies;
    result = { policies: candidates.filter((m) => limiting.every((gated) => lets(m, gated)) && !fenced(m)), open: open && fenceOpen };
  }
  if (!reference) {
    if (!memo) replaceableMemo.set(caller, (memo = new Map()));
    memo.set(action, result);
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Creating principals

/**
 * A new role or user: the caller creates it (CreateRole writes its trust policy, so it names the
 * caller, or a service), gives it permissions and uses it (assumes it, passes it to a service, or
 * signs in with an access key or password it makes). Techniques from escalation-techniques.json.
 */
const CREATIONS = [
  { technique: 'iam-create-role-with-policy', create: 'iam:CreateRole', on: 'role', put: 'iam:PutRolePolicy', attach: 'iam:AttachRolePolicy', use: [] as readonly string[] },
  { technique: 'iam-create-user-with-policy', create: 'iam:CreateUser', on: 'user', put: 'iam:PutUserPolicy', attach: 'iam:AttachUserPolicy', use: ['iam:CreateAccessKey', 'iam:CreateLoginProfile'] as readonly string[] },
] as const;

/** At most this many names of a new principal are tried per caller (the patterns' overlaps, and a name no pattern names). */
const CREATED_NAMES = 24;

/**
 * The shortest string two globs (`*` any run, `?` one character) both match, or undefined: a
 * search over pairs of positions, so a CreateRole pattern and an attach pattern that overlap
 * (`role/app-*`, `role/*-ci`) give a name both allow (`role/app--ci`), whatever their literals.
 */
function globWitness(a: string, b: string): string | undefined {
  // Literal heads and tails must agree before any search (most pairs of names differ there).
  const head = (g: string) => { const i = g.search(/[*?]/); return i < 0 ? g : g.slice(0, i); };
  const tail = (g: string) => g.slice(Math.max(g.lastIndexOf('*'), g.lastIndexOf('?')) + 1);
  const ha = head(a), hb = head(b), ta = tail(a), tb = tail(b);
  if (!(ha.startsWith(hb) || hb.startsWith(ha)) || !(ta.endsWith(tb) || tb.endsWith(ta))) return undefined;
  const w = b.length + 1;
  // Breadth first over position pairs; each pair keeps the pair it came from and the character added (none: a skipped `*`).
  const from = new Int32Array((a.length + 1) * w).fill(-1);
  const added: (string | undefined)[] = [];
  let level = [0];
  from[0] = 0;
  const visit = (to: number, prev: number, c: string | undefined, into: number[]) => {
    if (from[to] !== -1) return;
    from[to] = prev;
    added[to] = c;
    into.push(to);
  };
  while (level.length > 0) {
    // Skipping a `*` adds nothing: the same level.
    for (let k = 0; k < level.length; k++) {
      const at = level[k]!, i = Math.floor(at / w), j = at % w;
      if (i === a.length && j === b.length) {
        let out = '';
        for (let x = at; x !== 0; x = from[x]!) out = (added[x] ?? '') + out;
        return out;
      }
      if (a[i] === '*') visit(at + w, at, undefined, level);
      if (b[j] === '*') visit(at + 1, at, undefined, level);
    }
    const next: number[] = [];
    for (const at of level) {
      const i = Math.floor(at / w), j = at % w;
      if (i === a.length || j === b.length) continue;
      const x = a[i]!, y = b[j]!;
      const wildX = x === '*' || x === '?', wildY = y === '*' || y === '?';
      if (!wildX && !wildY && x !== y) continue;
      visit((x === '*' ? i : i + 1) * w + (y === '*' ? j : j + 1), at, !wildX ? x : !wildY ? y : 'x', next);
    }
    level = next;
  }
  return undefined;
}

/** Resource parts (`role/app-*`) of the Allows of an action in the caller's identity and boundary that may name a resource of the sample's type. */
function allowedPatterns(caller: Caller, action: string, sample: string): string[] {
  const out: string[] = [];
  for (const layer of [caller.identity, ...(caller.boundary ? [caller.boundary] : [])]) {
    for (const { document } of layer.docs) {
      for (const s of coveringStatements(document, action)) {
        if (s.effect !== 'Allow' || s.notResource) continue;
        for (const r of s.resource ?? ['*']) {
          // A variable is decided as the request's own (the sample, or a name found from another pattern).
          if (r.includes('${') || !mayNameType(r, sample)) continue;
          const part = resourcePart(r);
          if (part !== undefined && !out.includes(part)) out.push(part);
        }
      }
    }
  }
  return out;
}

/**
 * Names (ARNs) of a new principal worth deciding: a name no policy names (the account's sample),
 * each pattern of the create action at its shortest, and where a pattern of each other action
 * overlaps one of the create action's, a name both match. Every name is then decided in full.
 */
function createdNames(caller: Caller, acct: AccountIndex, on: 'role' | 'user', create: string, others: readonly string[]): string[] {
  const sample = sampleArn(acct, on);
  const base = sample.slice(0, sample.length - resourcePart(sample)!.length);
  const names = [sample];
  const add = (found: string | undefined) => {
    // A name of the type, not empty: `role/app/*` at its shortest is the path `role/app/` with no
    // name, so one character more (decided like every name, so never assumed to match).
    const part = found?.endsWith('/') ? `${found}x` : found;
    if (part === undefined || !part.startsWith(`${on}/`) || part.length <= on.length + 1) return;
    const arn = base + part;
    if (names.length < CREATED_NAMES && !names.includes(arn)) names.push(arn);
  };
  const mine = allowedPatterns(caller, create, sample);
  for (const p of mine) if (names.length < CREATED_NAMES) add(globWitness(p, p));
  for (const other of others) {
    for (const q of allowedPatterns(caller, other, sample)) for (const p of mine) if (p !== q && names.length < CREATED_NAMES) add(globWitness(p, q));
  }
  return names;
}

/** The policies a new principal may be created with as its boundary (none: `policy` absent); `unknown`: one leash cannot see. */
type CreatedBoundary = { readonly policy?: ManagedPolicyInfo; readonly unknown?: true };

/**
 * Boundaries a create may set, by the same reading as a boundary put (boundaryReplacements):
 * limited to named policies of the export, each is a state capped by it; otherwise none.
 */
function createdBoundaries(caller: Caller, action: string, acct: AccountIndex): readonly CreatedBoundary[] {
  const named = boundaryReplacements(caller, action, acct);
  if (!named) return [{}];
  return [...named.policies.map((policy) => ({ policy })), ...(named.open ? [{ unknown: true as const }] : [])];
}

/** What the new principal is given: any policy, or the union of named managed policies and groups. */
type Given = { readonly any: true } | { readonly policies: readonly ManagedPolicyInfo[]; readonly groups: readonly Group[] };

/** The node of a new principal in an account: shared by every creator that gives it the same. */
function createdSpec(ctx: Ctx, acct: AccountIndex, on: 'role' | 'user', given: Given, boundary: ManagedPolicyInfo | undefined): StateSpec {
  if ('any' in given && !boundary && acct.adminCeiling) {
    return { id: `ceiling:${acct.id}`, kind: 'elevated', account: acct.id, label: `any principal of ${acct.id} given any policy`, scanned: true, power: acct.adminCeiling };
  }
  const what = 'any' in given ? 'elevated' : `given:${[...given.policies.map((m) => m.arn), ...given.groups.map((g) => g.arn)].join(',')}`;
  const id = `new-${on}@${acct.id}#${what}${boundary ? `+boundary:${boundary.arn}` : ''}`;
  let specs = stateSpecs.get(ctx);
  if (!specs) stateSpecs.set(ctx, (specs = new Map()));
  const known = specs.get(id);
  if (known) return known;
  const identity: Layer = 'any' in given
    ? { side: 'identity', docs: [{ name: '(any policy it can be given)', document: ALLOW_ALL }] }
    : layerOf('identity', [
      ...given.policies.map((m): AttachedPolicy => ({ origin: { kind: 'managed', name: m.name, arn: m.arn, awsManaged: m.awsManaged }, document: m.document })),
      ...given.groups.flatMap((g) => g.policies),
    ]);
  const bound = boundary ? layerOf('boundary', [{ origin: { kind: 'boundary', name: boundary.name, arn: boundary.arn, awsManaged: boundary.awsManaged }, document: boundary.document }]) : null;
  // A principal that does not exist yet: its own name is none of the export's (the sample's).
  const arn = sampleArn(acct, on);
  const p: Principal = on === 'role'
    ? { kind: 'role', arn, id: '', name: '(new role)', path: '/', tags: {}, policies: [], unresolvedPolicyArns: [], trustPolicy: { version: '2012-10-17', statements: [] }, instanceProfiles: [] }
    : { kind: 'user', arn, id: '', name: '(new user)', path: '/', tags: {}, policies: [], unresolvedPolicyArns: [], groups: [] };
  const { caller, effective } = stateCaller(ctx, p, acct, identity, bound);
  const givenText = 'any' in given ? 'any policy' : [...given.policies.map((m) => m.name), ...given.groups.map((g) => `group ${g.name}`)].join(', ');
  const label = `a new ${on} of ${acct.id} given ${givenText}${boundary ? `, boundary ${boundary.name}` : ''}`;
  const spec: StateSpec = { id, kind: 'elevated', account: acct.id, label, scanned: true, power: powerOf(effective, ctx.expander), caller, effective };
  specs.set(id, spec);
  return spec;
}

type Step = { readonly condition: HopCondition; readonly actions: readonly string[]; readonly evidence: readonly HopEvidence[] };

const stepOf = (d: LayerDecision, action: string, unknown = false): Step | undefined => {
  const c = hopCondition(identityAllows(d), d.unknownNotApproval);
  return c ? { condition: unknown ? worse(c, 'unknown') : c, actions: [action], evidence: d.evidence } : undefined;
};
const bestStep = (a: Step | undefined, b: Step | undefined): Step | undefined => (!a ? b : !b ? a : edgeRank({ condition: b.condition, target: 'proven' }) < edgeRank({ condition: a.condition, target: 'proven' }) ? b : a);

/**
 * New roles and users the caller can create, give permissions and use (CREATIONS): once per
 * caller allowed a create action, over a few names (createdNames) and the boundaries it may or
 * must set (createdBoundaries). The state gains what the caller may give it, capped by that
 * boundary and the account's SCPs.
 */
function createEdges(ctx: Ctx, n: GraphNodeInternal): void {
  const caller = n.caller!;
  const acct = ctx.accounts.get(caller.account);
  if (!acct) return;
  for (const t of CREATIONS) {
    if (!allowedAction(ctx, n, t.create)) continue;
    const put = allowedAction(ctx, n, t.put), attach = allowedAction(ctx, n, t.attach);
    // Groups a new user may be added to (AddUserToGroup names the group, not the user).
    // Only groups that could matter (groupMatters, as for adding an existing user), judged against the caller's own power.
    const groups = t.on === 'user' && allowedAction(ctx, n, 'iam:AddUserToGroup')
      ? iamTargets(ctx, n, acct, 'iam:AddUserToGroup', 'group', acct.groups.filter((g) => groupMatters(ctx, acct, g, n.power)), (g) => g.arn) : [];
    if (!put && !attach && groups.length === 0) continue;
    const uses = t.use.filter((a) => allowedAction(ctx, n, a));
    // A role is used by assuming it (its trust names the caller) or by passing it to a service.
    const passes = t.on === 'role' && allowedAction(ctx, n, 'iam:PassRole')
      ? escalationTechniques().flatMap((x) => {
        if (!x.passedTo) return [];
        const rest = groupsHold(ctx, n, x.requires, 'iam:PassRole');
        return rest ? [{ technique: x, rest }] : [];
      }) : [];
    if (t.on === 'user' && uses.length === 0) continue;
    const named = attach ? attachable(caller, t.attach, acct) : null;
    const names = createdNames(caller, acct, t.on, t.create, [...(put ? [t.put] : []), ...(attach ? [t.attach] : []), ...uses, ...(passes.length > 0 ? ['iam:PassRole'] : [])]);
    for (const b of createdBoundaries(caller, t.create, acct)) {
      // The new principal's boundary as the request states it: none is an absent key.
      const pb = { [PERMISSIONS_BOUNDARY]: b.policy ? [b.policy.arn] : [] };
      for (const name of names) {
        let created: Step | undefined;
        // Which boundary it gets is unknown: every later request leaves the key unknown too.
        let unseen = b.unknown === true;
        if (unseen) created = stepOf(decide(caller, t.create, name), t.create, true);
        else {
          created = stepOf(decide(caller, t.create, name, pb), t.create);
          // Conditioned on the boundary with other keys too (not read as named policies): some boundary may pass, unknown which.
          if (!created && !b.policy) { created = stepOf(decide(caller, t.create, name), t.create, true); unseen = true; }
        }
        if (!created) continue;
        const boundaryValue = unseen ? {} : pb;
        // Any policy: a rewrite, or an attach not limited to named policies (open: an unseen one, as the decision says).
        let any = put ? stepOf(decide(caller, t.put, name, boundaryValue), t.put) : undefined;
        if (attach && (!named || named.open)) any = bestStep(any, stepOf(decide(caller, t.attach, name, boundaryValue), t.attach));
        const policies: ManagedPolicyInfo[] = [];
        let namedStep: Step | undefined;
        const join = (s: Step) => (namedStep = namedStep ? { condition: worse(namedStep.condition, s.condition), actions: [...new Set([...namedStep.actions, ...s.actions])], evidence: namedStep.evidence } : s);
        if (attach && named) {
          for (const m of named.policies) {
            const s = stepOf(decide(caller, t.attach, name, { ...boundaryValue, [POLICY_ARN]: [m.arn] }), t.attach);
            if (s) { policies.push(m); join(s); }
          }
        }
        const joined: Group[] = [];
        for (const g of groups) { joined.push(g.target); join({ condition: g.condition, actions: ['iam:AddUserToGroup'], evidence: g.evidence }); }
        if (!any && !namedStep) continue;
        // Using it.
        let use: Step | undefined;
        if (t.on === 'user') {
          for (const a of uses) use = bestStep(use, stepOf(decide(caller, a, name), a));
        } else {
          // The trust policy it writes names the caller as selfNamed() does (a role its session's ARN).
          const a = decide(caller, 'sts:AssumeRole', name);
          const hc = hopCondition(callerSide(caller, callerKind(n), selfNamed(n), true, a), a.unknownNotApproval);
          if (hc) use = { condition: hc, actions: ['sts:AssumeRole'], evidence: [] };
        }
        const passed: { technique: string; svc: string; step: Step }[] = [];
        // One PassRole decision per service and name: techniques share services.
        const passTo = new Map<string, Step | undefined>();
        for (const { technique, rest } of passes) {
          for (const svc of technique.passedTo!) {
            // EC2 carries a new role only through an instance profile the caller makes (as passableTo).
            if (svc === 'ec2.amazonaws.com' && !(n.effective !== undefined && makesInstanceProfiles(n.effective.allowed, ctx.expander))) continue;
            if (!passTo.has(svc)) passTo.set(svc, stepOf(decide(caller, 'iam:PassRole', name, { 'iam:passedtoservice': [svc] }), 'iam:PassRole'));
            const s = passTo.get(svc);
            if (s) passed.push({ technique: technique.id, svc, step: { condition: worse(s.condition, rest.condition), actions: [...s.actions, ...rest.actions], evidence: s.evidence } });
          }
        }
        const boundaryText = b.policy ? ` with permissions boundary ${b.policy.name}` : b.unknown ? ' with a permissions boundary leash cannot see' : '';
        // Any policy holds every named one: the named state only where it is better decided.
        if (namedStep && any && edgeRank({ condition: any.condition, target: 'proven' }) <= edgeRank({ condition: namedStep.condition, target: 'proven' })) namedStep = undefined;
        for (const [given, give] of [[{ any: true }, any], [{ policies, groups: joined }, policies.length + joined.length > 0 ? namedStep : undefined]] as const) {
          if (!give) continue;
          const to = addNode(ctx, createdSpec(ctx, acct, t.on, given, b.policy));
          const hop = (via: Step, technique: string, why: string) => addEdge(ctx, n, to, {
            technique, actions: [...new Set([t.create, ...give.actions, ...via.actions])], condition: worse(worse(created!.condition, give.condition), via.condition), target: 'proven', why,
            evidence: [...created!.evidence, ...give.evidence, ...via.evidence].slice(0, 4),
          });
          if (use) hop(use, t.technique, t.on === 'role' ? `can create a role${boundaryText} that trusts it, give it permissions and assume it` : `can create a user${boundaryText}, give it permissions and sign in as it`);
          for (const p of passed) {
            hop(p.step, t.technique, `can create a role${boundaryText} that trusts ${p.svc}, give it permissions and pass it to ${p.svc}`);
            hop(p.step, p.technique, `can create a role${boundaryText} that trusts ${p.svc}, give it permissions and pass it to ${p.svc}`);
          }
        }
      }
    }
  }
}

/**
 * Another node (`actor`) that reaches the editor, and separately principals the editor cannot
 * reach: the actor acts as the editor to edit them, then acts as them.
 */
interface EditActor {
  readonly actor: GraphNodeInternal;
  /** The editor itself and what it reaches: its own edges cover those already. */
  readonly skip: ReadonlySet<number>;
}

/**
 * Edits of principals it is or can already act as: their policies, boundary, group membership.
 * With `as`, the edits are the editor's rights, the targets and the edges the actor's.
 */
function editEdges(ctx: Ctx, n: GraphNodeInternal, reach: Reach, reachPower: PowerSets, as?: EditActor): void {
  const reachable = reach.possible;
  const caller = n.caller!;
  const acct = ctx.accounts.get(caller.account);
  if (!acct) return;
  const from = as?.actor ?? n;
  const self = from.principal;
  const skipped = (p: Principal) => { const i = ctx.byId.get(p.arn); return as !== undefined && i !== undefined && as.skip.has(i); };
  // The hops to the target (and, for an actor, to the editor) must hold too: the edge is no
  // stronger than the weakest of them.
  const viaEditor: HopCondition = as ? reachCondition(reach, n.index) ?? 'unknown' : 'none';
  const via = (p: Principal, c: HopCondition): HopCondition => {
    const i = ctx.byId.get(p.arn);
    const toTarget: HopCondition = p.arn === self?.arn || i === undefined ? 'none' : reachCondition(reach, i) ?? 'unknown';
    return worse(worse(c, viaEditor), toTarget);
  };
  const asText = as ? `as ${n.label}, ` : '';
  // A state may add power, or only a way onward (a group whose policy lets it assume an admin
  // role), which its own power would not show: states are kept, groups filtered by groupMatters().
  const within = (p: Principal): HopCondition | undefined => {
    if (p.arn === self?.arn) return 'none';
    const i = ctx.byId.get(p.arn);
    return i !== undefined && reachable.has(i) ? 'none' : undefined;
  };
  // Once per call and kind (the reach is fixed for the call), not once per edit action.
  const known: Partial<Record<'user' | 'role', readonly Principal[]>> = {};
  const candidates = (on: 'user' | 'role'): readonly Principal[] => {
    const had = reference ? undefined : known[on];
    if (had) return had;
    const out: Principal[] = [];
    if (self && self.kind === on && accountOf(self.arn) === acct.id) out.push(self);
    for (const p of principalsIn(ctx, reachable, on, acct.id)) if (p !== self) out.push(p);
    return (known[on] = as ? out.filter((p) => !skipped(p)) : out);
  };
  // A state of the editor's own principal keeps its edit: with its boundary gone, rewriting its
  // policies, attaching a named policy or making another version the default leaves both done
  // (and the reverse); other states are the principal as listed.
  const fromState = self && from.id !== self.arn ? statesById.get(ctx)?.get(from.id) : undefined;
  const own = (p: Principal) => fromState !== undefined && p.arn === self?.arn;
  const keptUnbounded = (p: Principal) => own(p) && isUnbounded(fromState);
  /** The named policy the editor's own state put in place of p's boundary. */
  const keptReplaced = (p: Principal) => (own(p) ? replacedBy(fromState) : undefined);
  const stateAfter = (p: Principal, s: 'elevated' | 'unbounded'): State => {
    if (!own(p)) return s;
    if (s === 'elevated') {
      const r = replacedBy(fromState);
      return isUnbounded(fromState) ? BOTH : r ? { replaced: r, elevated: true } : s;
    }
    if (fromState === 'elevated' || fromState === BOTH || (isReplaced(fromState) && fromState.elevated) || isRewrittenUnderVersion(fromState)) return BOTH;
    // (A `replaced` it carries no longer counts: replacedBy() ignores it once the boundary is gone.)
    if (typeof fromState === 'object' && ('policy' in fromState || ('version' in fromState && fromState.side === 'identity'))) return { ...fromState, unbounded: true };
    return s;
  };
  /** The boundary replaced by `m`: kept with the edit of the editor's own state (a rewrite, a named policy), or the plain replacement. Undefined: gains nothing (the boundary is gone already). */
  const replacedAfter = (p: Principal, m: ManagedPolicyInfo): State | undefined => {
    if (!own(p)) return { replaced: m };
    if (isUnbounded(fromState)) return undefined;
    if (fromState === 'elevated' || (isReplaced(fromState) && fromState.elevated) || isRewrittenUnderVersion(fromState)) return { replaced: m, elevated: true };
    if (typeof fromState === 'object' && ('policy' in fromState || ('version' in fromState && fromState.side === 'identity'))) return { ...fromState, replaced: m };
    return { replaced: m };
  };
  /**
   * The target's boundary as a request about it states `iam:PermissionsBoundary` (none: an absent
   * key): the export's, or the one the editor's own state left. The Service Authorization
   * Reference lists the key for Put/Attach/Delete/Detach{User,Role}Policy and
   * Delete{User,Role}PermissionsBoundary ("Filters access if the specified policy is set as the
   * permissions boundary on the IAM entity"); AWS's delegation example relies on it ("allows Zhang
   * to manage permissions policies for users with this permissions boundary set",
   * access_policies_boundaries.html). Not for AddUserToGroup or group policies (not listed).
   */
  const boundaryNow = (p: Principal): Readonly<Record<string, readonly string[]>> => {
    const replaced = keptReplaced(p);
    const arn = keptUnbounded(p) ? undefined : replaced ? replaced.arn : p.boundary ? managedArn(p.boundary) : p.boundaryArn;
    return { [PERMISSIONS_BOUNDARY]: arn ? [arn] : [] };
  };
  // One editor that may both change a bounded principal's policies (rewrite them, attach a named
  // policy, make another version the default) and remove its boundary reaches the state with
  // both done: the best edit of each kind per target, joined at the end.
  type Edit = { technique: string; action: string; condition: HopCondition; evidence: readonly HopEvidence[] };
  type Joinable = {
    elevated?: Edit; unbounded?: Edit; named?: Map<string, { state: AttachedState | VersionState; edit: Edit }>; replaced?: Map<string, { policy: ManagedPolicyInfo; edit: Edit }>;
    /** Other versions of its boundary policy made the default: joined with a rewrite of its policies. */
    boundaryVersions?: Map<string, { state: VersionState; edit: Edit }>;
  };
  let edits: Map<Principal, Joinable> | undefined;
  const slot = (p: Principal): Joinable => {
    let e = (edits ??= new Map()).get(p);
    if (!e) edits.set(p, (e = {}));
    return e;
  };
  const better = (had: Edit | undefined, condition: HopCondition) => !had || edgeRank({ condition, target: 'proven' }) < edgeRank({ condition: had.condition, target: 'proven' });
  const edited = (p: Principal, s: 'elevated' | 'unbounded', technique: string, action: string, condition: HopCondition, evidence: readonly HopEvidence[]): State => {
    const state = stateAfter(p, s);
    if (p.boundary && state === s) {
      const e = slot(p);
      if (better(e[s], condition)) e[s] = { technique, action, condition, evidence };
    }
    return state;
  };
  /** A named policy attached, or another default version of an identity policy: joined later with a removal of the same principal's boundary. */
  const joinable = (p: Principal, state: AttachedState | VersionState, key: string, technique: string, action: string, condition: HopCondition, evidence: readonly HopEvidence[]): State => {
    if (keptUnbounded(p)) return { ...state, unbounded: true };
    const r = keptReplaced(p);
    if (r) return { ...state, replaced: r };
    if (p.boundary) {
      const named = (slot(p).named ??= new Map());
      if (better(named.get(key)?.edit, condition)) named.set(key, { state, edit: { technique, action, condition, evidence } });
    }
    return state;
  };
  // An attach limited to named policies reaches the target given each of them, decided with the
  // policy's ARN in the request; "any policy" only when the names leave the set open.
  const attach = (p: Principal, technique: string, action: string, resource: string, named: Attachable, why: (m: ManagedPolicyInfo) => string) => {
    for (const m of named.policies) {
      const d = decide(caller, action, resource, { ...(resource === p.arn ? boundaryNow(p) : {}), [POLICY_ARN]: [m.arn] });
      const hc = hopCondition(identityAllows(d), d.unknownNotApproval);
      if (!hc) continue;
      const c = via(p, hc);
      addEdge(ctx, from, stateNode(ctx, p, acct, joinable(p, { policy: m }, `attached:${m.arn}`, technique, action, c, d.evidence)), { technique, actions: [action], condition: c, target: 'proven', why: asText + why(m), evidence: d.evidence });
    }
  };
  // A boundary put limited to named policies replaces the boundary with each of them (decided with
  // the policy's ARN as iam:PermissionsBoundary); a removal only when the names leave the set open.
  const replace = (p: Principal, technique: string, action: string, named: Attachable) => {
    const current = p.boundary ? managedArn(p.boundary) : undefined;
    for (const m of named.policies) {
      // The boundary it already has (or had, for the editor's own state: left for later) gives nothing new.
      if (m.arn === current) continue;
      const d = decide(caller, action, p.arn, { [PERMISSIONS_BOUNDARY]: [m.arn] });
      const hc = hopCondition(identityAllows(d), d.unknownNotApproval);
      if (!hc) continue;
      const c = via(p, hc);
      const state = replacedAfter(p, m);
      if (!state) continue;
      if (isReplaced(state) && !state.elevated) {
        const r = (slot(p).replaced ??= new Map());
        if (better(r.get(m.arn)?.edit, c)) r.set(m.arn, { policy: m, edit: { technique, action, condition: c, evidence: d.evidence } });
      }
      addEdge(ctx, from, stateNode(ctx, p, acct, state), { technique, actions: [action], condition: c, target: 'proven', why: `${asText}can replace the permissions boundary of ${p.arn === self?.arn ? 'itself' : p.name} with ${m.name}`, evidence: d.evidence });
    }
  };
  for (const e of EDITS) {
    if (!allowedAction(ctx, n, e.action)) continue;
    const list = candidates(e.on).filter((p) => e.state !== 'unbounded' || p.boundary !== undefined);
    const named = e.technique === 'iam-attach-role-policy' || e.technique === 'iam-attach-user-policy' ? attachable(caller, e.action, acct)
      : e.action === 'iam:PutRolePermissionsBoundary' || e.action === 'iam:PutUserPermissionsBoundary' ? boundaryReplacements(caller, e.action, acct) : null;
    // A put of a boundary names the new one (replace()); every other edit here, the target's current one.
    const current = e.action === 'iam:PutRolePermissionsBoundary' || e.action === 'iam:PutUserPermissionsBoundary' ? undefined : boundaryNow;
    for (const { target: p, condition, evidence } of iamTargets(ctx, n, acct, e.action, e.on, list, (x) => x.arn, false, current)) {
      if (!within(p)) continue;
      if (named) {
        if (e.state === 'unbounded') replace(p, e.technique, e.action, named);
        else attach(p, e.technique, e.action, p.arn, named, (m) => `can attach ${m.name} to ${p.arn === self?.arn ? 'itself' : p.name}, and act as it`);
        if (!named.open) continue;
      }
      const c = via(p, condition);
      const to = stateNode(ctx, p, acct, edited(p, e.state, e.technique, e.action, c, evidence));
      addEdge(ctx, from, to, { technique: e.technique, actions: [e.action], condition: c, target: 'proven', why: asText + (e.state === 'elevated' ? `can give any policy to ${p.arn === self?.arn ? 'itself' : p.name}, and act as it` : `can remove the permissions boundary of ${p.arn === self?.arn ? 'itself' : p.name}`), evidence });
    }
  }
  // Group policies reach every member.
  const users = candidates('user') as User[];
  if (users.length > 0) {
    for (const [technique, action] of [['iam-put-group-policy', 'iam:PutGroupPolicy'], ['iam-attach-group-policy', 'iam:AttachGroupPolicy']] as const) {
      if (!allowedAction(ctx, n, action)) continue;
      const groups = acct.groups.filter((g) => users.some((u) => u.groups.includes(g.name)));
      const named = technique === 'iam-attach-group-policy' ? attachable(caller, action, acct) : null;
      for (const { target: g, condition, evidence } of iamTargets(ctx, n, acct, action, 'group', groups, (x) => x.arn)) {
        for (const u of users) {
          if (!u.groups.includes(g.name)) continue;
          if (named) {
            attach(u, technique, action, g.arn, named, (m) => `can attach ${m.name} to group ${g.name}, which ${u.arn === self?.arn ? 'it is in' : `${u.name} is in`}`);
            if (!named.open) continue;
          }
          const c = via(u, condition);
          addEdge(ctx, from, stateNode(ctx, u, acct, edited(u, 'elevated', technique, action, c, evidence)), { technique, actions: [action], condition: c, target: 'proven', why: `${asText}can give any policy to group ${g.name}, which ${u.arn === self?.arn ? 'it is in' : `${u.name} is in`}`, evidence });
        }
      }
    }
    if (allowedAction(ctx, n, 'iam:AddUserToGroup')) {
      // Only groups that could matter: their policies give something that ranks above what the
      // caller reaches, or open a hop (an action of some escalation technique, sts:AssumeRole…).
      const groups = acct.groups.filter((g) => groupMatters(ctx, acct, g, reachPower));
      for (const { target: g, condition, evidence } of iamTargets(ctx, n, acct, 'iam:AddUserToGroup', 'group', groups, (x) => x.arn)) {
        for (const u of users) if (!u.groups.includes(g.name)) addEdge(ctx, from, stateNode(ctx, u, acct, { group: g }), { technique: 'iam-add-user-to-group', actions: ['iam:AddUserToGroup'], condition: via(u, condition), target: 'proven', why: `${asText}can add ${u.arn === self?.arn ? 'itself' : u.name} to group ${g.name}`, evidence });
      }
    }
  }
  // A new default version of a customer-managed policy reaches everyone it is attached to.
  for (const [technique, action] of [['iam-create-policy-version', 'iam:CreatePolicyVersion'], ['iam-set-default-policy-version', 'iam:SetDefaultPolicyVersion']] as const) {
    if (!allowedAction(ctx, n, action)) continue;
    const mine = new Set([...(self && !skipped(self) ? [self] : []), ...candidates('user'), ...candidates('role')]);
    const policies = [...acct.attachedTo.entries()].filter(([, who]) => who.identity.some((p) => mine.has(p)) || who.boundary.some((p) => mine.has(p)));
    const asPolicy = policies.map(([arn, who]) => ({ arn, who }));
    for (const { target, condition, evidence } of iamTargets(ctx, n, acct, action, 'policy', asPolicy, (x) => x.arn)) {
      const { arn, who } = target;
      const name = arn.slice(arn.lastIndexOf('/') + 1);
      const m = technique === 'iam-set-default-policy-version' ? acct.managed.get(arn) : undefined;
      if (m?.otherVersions) {
        // The export lists every version: the hop reaches what each other version grants, no more.
        for (const version of m.otherVersions) {
          for (const p of who.identity) {
            if (!mine.has(p)) continue;
            const c = via(p, condition);
            addEdge(ctx, from, stateNode(ctx, p, acct, joinable(p, { of: m, version, side: 'identity' }, `version:${m.arn}:${version.versionId}`, technique, action, c, evidence)), { technique, actions: [action], condition: c, target: 'proven', why: `${asText}can make version ${version.versionId} of ${name} the default, attached to ${p.arn === self?.arn ? 'itself' : p.name}`, evidence });
          }
          // Its boundary already gone, another version of the policy that was its boundary gives it nothing.
          for (const p of who.boundary) {
            if (!mine.has(p) || keptUnbounded(p) || keptReplaced(p)) continue;
            const c = via(p, condition);
            // Kept to join with a rewrite of its policies (at the end; a state of the editor's own
            // principal joins its own two edits the same way, in either order).
            const state: VersionState = { of: m, version, side: 'boundary' };
            const bv = (slot(p).boundaryVersions ??= new Map());
            const key = `${m.arn}:${version.versionId}`;
            if (better(bv.get(key)?.edit, c)) bv.set(key, { state, edit: { technique, action, condition: c, evidence } });
            addEdge(ctx, from, stateNode(ctx, p, acct, state), { technique, actions: [action], condition: c, target: 'proven', why: `${asText}can make version ${version.versionId} of ${name} the default, the permissions boundary of ${p.arn === self?.arn ? 'itself' : p.name}`, evidence });
          }
        }
        continue;
      }
      // Versions not known (a snapshot without them): which one becomes default is unknown.
      const c: HopCondition = technique === 'iam-set-default-policy-version' ? worse(condition, 'unknown') : condition;
      for (const p of who.identity) if (mine.has(p)) { const cp = via(p, c); addEdge(ctx, from, stateNode(ctx, p, acct, edited(p, 'elevated', technique, action, cp, evidence)), { technique, actions: [action], condition: cp, target: 'proven', why: `${asText}can rewrite ${name}, attached to ${p.arn === self?.arn ? 'itself' : p.name}`, evidence }); }
      for (const p of who.boundary) if (mine.has(p)) { const cp = via(p, c); addEdge(ctx, from, stateNode(ctx, p, acct, edited(p, 'unbounded', technique, action, cp, evidence)), { technique, actions: [action], condition: cp, target: 'proven', why: `${asText}can rewrite ${name}, the permissions boundary of ${p.arn === self?.arn ? 'itself' : p.name}`, evidence }); }
    }
  }
  if (edits) {
    for (const [p, { elevated: a, unbounded: b, named, replaced, boundaryVersions }] of edits) {
      if (!b && !replaced && !(a && boundaryVersions)) continue;
      const who = p.arn === self?.arn ? 'itself' : p.name;
      const join = (e: Edit, r: Edit, removal: string, state: State, alone: State, what: string) => {
        const to = stateNode(ctx, p, acct, state);
        const hop = { actions: [e.action, r.action], condition: worse(e.condition, r.condition), target: 'proven' as const, why: `${asText}${what} and ${removal}, and act as it`, evidence: [...e.evidence, ...r.evidence] };
        addEdge(ctx, from, to, { technique: e.technique, ...hop });
        // What the join gives beyond the edit alone is the boundary removal's (or replacement's)
        // doing: a hop of that technique too, so privilege-escalation names it (its own state may gain nothing).
        if (escalates(gain(to.power, stateSpec(ctx, p, acct, alone).power, ctx.expander))) addEdge(ctx, from, to, { technique: r.technique, ...hop });
      };
      const editText = (state: AttachedState | VersionState) => ('policy' in state ? `can attach ${state.policy.name} to ${who}` : `can make version ${state.version.versionId} of ${state.of.name} the default for ${who}`);
      if (b) {
        const removal = `remove the permissions boundary of ${who}`;
        if (a) join(a, b, removal, BOTH, 'elevated', `can give any policy to ${who}`);
        for (const { state, edit } of named?.values() ?? []) join(edit, b, removal, { ...state, unbounded: true }, state, editText(state));
      }
      // A boundary replaced by a named policy: the rewrite (or the named policy) capped by it.
      for (const { policy: m, edit: r } of replaced?.values() ?? []) {
        const removal = `replace the permissions boundary of ${who} with ${m.name}`;
        if (a) join(a, r, removal, { replaced: m, elevated: true }, 'elevated', `can give any policy to ${who}`);
        for (const { state, edit } of named?.values() ?? []) join(edit, r, removal, { ...state, replaced: m }, state, editText(state));
      }
      // Another version of its boundary policy the default: the rewrite capped by that version.
      if (a) {
        for (const { state, edit: v } of boundaryVersions?.values() ?? []) join(a, v, `make version ${state.version.versionId} of ${state.of.name} (its permissions boundary) the default`, { ...state, elevated: true }, 'elevated', `can give any policy to ${who}`);
      }
    }
  }
}

const reachPrincipals = new WeakMap<Reached, Map<string, readonly Principal[]>>();

/**
 * Users or roles of an account in a reach, in the reach's order: once per reach, shared by every
 * editor a combined-edit actor is searched with (an actor's reach is most of the graph).
 */
function principalsIn(ctx: Ctx, reachable: Reached, on: 'user' | 'role', account: string): readonly Principal[] {
  const key = `${on}\u0000${account}`;
  let m = reference ? undefined : reachPrincipals.get(reachable);
  const known = m?.get(key);
  if (known) return known;
  const out: Principal[] = [];
  const { list } = reachable;
  const want = on === 'user' ? 1 : 2;
  if (reference) {
    for (const i of reachable) {
      const node = ctx.nodes[i]!;
      const p = node.principal;
      if (node.kind === on && p && p.kind === on && accountOf(p.arn) === account) out.push(p);
    }
  } else {
    for (let k = 0; k < list.length; k++) {
      const i = list[k]!;
      if (ctx.principalKind[i] === want && ctx.principalAccount[i] === account) out.push(ctx.nodes[i]!.principal!);
    }
  }
  if (!reference) {
    if (!m) reachPrincipals.set(reachable, (m = new Map()));
    m.set(key, out);
  }
  return out;
}

function outsideEdges(ctx: Ctx, acct: AccountIndex): void {
  for (const role of acct.roles) {
    const target = ctx.nodes[ctx.byId.get(role.arn)!]!;
    for (const entry of trustEntries(role)) {
      let from: GraphNodeInternal | undefined;
      if (entry.kind === 'federated') from = outsideNode(ctx, `federated:${entry.provider}`, 'federated', entry.provider, accountOf(entry.provider) || undefined);
      else if (entry.kind === 'account' && !ctx.accounts.has(entry.account)) from = outsideNode(ctx, `arn:aws:iam::${entry.account}:root`, 'account', `account ${entry.account}`, entry.account);
      else if (entry.kind === 'anyone') from = outsideNode(ctx, 'anyone', 'anyone', 'any AWS principal');
      if (!from) continue;
      const tv = trustVerdict(role, entry, '', entry.kind === 'account' ? entry.account : '', { values: timeValues(ctx.now) });
      const c = hopCondition(tv.t, tv.unknown);
      const technique = entry.action === 'sts:AssumeRoleWithWebIdentity' ? 'assume-role-with-web-identity' : entry.action === 'sts:AssumeRoleWithSAML' ? 'assume-role-with-saml' : 'sts-assume-permissive-role';
      if (c) addEdge(ctx, from, target, { technique, actions: [entry.action], condition: c, target: 'proven', why: 'is trusted by', evidence: [trustEvidence(role, entry)] });
    }
  }
}

/** Nodes reachable from `start` over the edges built so far (hubs walked through). */
/** At most this many actors are searched for combined edits per build (each costs two searches of the graph). */
const COMBINED_EDIT_ACTORS = 250;

/**
 * An actor Y reaches an editor E and, on another branch, a principal X that E may edit (E cannot
 * reach X, so E's own edges miss it): Y acts as E to edit X, then acts as X. Actors are scanned
 * users and roles that reach E and do not already reach administrator.
 */
function combinedEdits(ctx: Ctx, editors: readonly GraphNodeInternal[], powers: readonly PowerSets[]): void {
  const rev: number[][] = ctx.nodes.map(() => []);
  ctx.out.forEach((edges, i) => { edges.forEach((e, k) => rev[reference ? ctx.byId.get(e.to)! : ctx.outTo[i]![k]!]!.push(i)); });
  const searched = new Map<number, Reach>();
  for (const e of editors) {
    if (powers[e.index]!.admin) continue;
    const skip = reachFrom(ctx, e.index);
    skip.add(e.index);
    const actors = new Set<number>();
    const stack = [e.index];
    while (stack.length > 0) {
      for (const j of rev[stack.pop()!]!) if (!actors.has(j) && j !== e.index) { actors.add(j); stack.push(j); }
    }
    for (const y of actors) {
      const yn = ctx.nodes[y]!;
      if ((yn.kind !== 'user' && yn.kind !== 'role') || powers[y]!.admin) continue;
      let r = searched.get(y);
      if (!r) {
        if (searched.size >= COMBINED_EDIT_ACTORS) { ctx.combinedEditsTruncated = true; return; }
        searched.set(y, (r = reachOf(ctx, y)));
      }
      editEdges(ctx, e, r, powers[y]!, { actor: yn, skip });
    }
  }
}

function reachFrom(ctx: Ctx, start: number, keep: (e: GraphEdge) => boolean = () => true): Set<number> & Reached {
  const seen = new Set<number>([start]);
  const stack = [start];
  while (stack.length > 0) {
    const i = stack.pop()!;
    const edges = ctx.out[i]!, to = ctx.outTo[i]!;
    for (let k = 0; k < edges.length; k++) {
      if (!keep(edges[k]!)) continue;
      const j = reference ? ctx.byId.get(edges[k]!.to)! : to[k]!;
      if (!seen.has(j)) { seen.add(j); stack.push(j); }
    }
  }
  seen.delete(start);
  return Object.assign(seen, { list: [...seen] });
}

/** Nodes a search found: membership, and iteration in the order found (which decides edge order). */
interface Reached extends Iterable<number> {
  has(i: number): boolean;
  /** The same nodes as the iteration, as an array (no iterator in hot loops). */
  readonly list: ArrayLike<number>;
}

/** What a node reaches, by the weakest hop on the way: unconditional and proven, at most approval-gated, or at all. */
interface Reach {
  readonly possible: Reached;
  readonly approval: Pick<Reached, 'has'>;
  readonly proven: Pick<Reached, 'has'>;
}

const approvalHop = (e: GraphEdge) => e.condition !== 'unknown' && e.target === 'proven';
const provenHop = (e: GraphEdge) => e.condition === 'none' && e.target === 'proven';

function reachOf(ctx: Ctx, start: number): Reach {
  if (reference) return { possible: reachFrom(ctx, start), approval: reachFrom(ctx, start, approvalHop), proven: reachFrom(ctx, start, provenHop) };
  // One byte per node holds the strongest level reached (1 possible, 2 approval, 3 proven): the
  // combined-edit actors each search most of the graph, and Sets of thousands made that the
  // graph's largest fixed cost. Levels nest, so each walk's "not yet at this level" is its own seen set.
  const n = ctx.nodes.length;
  const level = new Uint8Array(n);
  const order = new Int32Array(n);
  const stack = new Int32Array(n);
  let found = 0;
  // Every hop, depth-first from a stack exactly as reachFrom walks, so the order found is the same.
  let top = 0;
  level[start] = 1;
  stack[top++] = start;
  while (top > 0) {
    const to = ctx.outTo[stack[--top]!]!;
    for (let k = 0; k < to.length; k++) {
      const j = to[k]!;
      if (level[j] === 0) { level[j] = 1; order[found++] = j; stack[top++] = j; }
    }
  }
  const walk = (keep: (e: GraphEdge) => boolean, value: number) => {
    let t = 0;
    level[start] = value;
    stack[t++] = start;
    while (t > 0) {
      const i = stack[--t]!;
      const edges = ctx.out[i]!, to = ctx.outTo[i]!;
      for (let k = 0; k < to.length; k++) {
        const j = to[k]!;
        if (level[j]! < value && keep(edges[k]!)) { level[j] = value; stack[t++] = j; }
      }
    }
  };
  walk(approvalHop, 2);
  walk(provenHop, 3);
  level[start] = 0;
  const at = (min: number) => ({ has: (i: number) => i < n && level[i]! >= min });
  const list = order.subarray(0, found);
  const possible: Reached = { has: at(1).has, list, [Symbol.iterator]: () => list[Symbol.iterator]() };
  return { possible, approval: at(2), proven: at(3) };
}

/** The condition a hop to node `i` holds under, given what the start reaches. */
function reachCondition(r: Reach, i: number): HopCondition | undefined {
  return r.proven.has(i) ? 'none' : r.approval.has(i) ? 'approval' : r.possible.has(i) ? 'unknown' : undefined;
}

export interface BuildOptions {
  readonly expander: ActionExpander;
  readonly now: Date;
  /**
   * Decide every target on its own: no hubs for uniform decisions, no skipping of targets no
   * Allow names. Slow; tests hold the shortcuts to it (the same principals reachable).
   */
  readonly exhaustive?: boolean;
  /**
   * Work every caller out from scratch: no per-account caches of the lists each caller filters,
   * no per-caller memos. Slow; a property test holds the fast build to it, edge for edge.
   */
  readonly reference?: boolean;
  /**
   * Out-list length from which a repeated (target, technique) is found through a per-node index
   * instead of a scan (default 32; the reference build always scans). Tests set 0.
   */
  readonly edgeIndexFrom?: number;
  /** The organization the scanned accounts belong to, as far as the scan knows it (config or `--org` discovery). */
  readonly organization?: OrganizationFacts;
}

/** Set for the duration of one buildGraph call (synchronous, never re-entered). */
let exhaustive = false;
let reference = false;

const listMemos = new WeakMap<object, Map<unknown, unknown>>();

/**
 * A result that depends only on an account's list (and a pure `key`, such as a memoised ARN
 * test): computed once, not once per caller. Without it every caller walks every role that
 * trusts its account or a service, which made the graph quadratic in the account's size.
 */
function perList<T>(list: object, key: unknown, compute: () => T): T {
  if (reference) return compute();
  let m = listMemos.get(list);
  if (!m) listMemos.set(list, (m = new Map()));
  if (m.has(key)) return m.get(key) as T;
  const v = compute();
  m.set(key, v);
  return v;
}

/** Build the graph over every account given (cross-account edges included). */
export function buildGraph(inputs: readonly AccountInput[], opts: BuildOptions): BuiltGraph {
  exhaustive = opts.exhaustive === true;
  reference = opts.reference === true;
  indexFrom = opts.edgeIndexFrom ?? INDEX_FROM;
  try {
    return buildGraphWith(inputs, opts);
  } finally {
    exhaustive = false;
    reference = false;
    indexFrom = INDEX_FROM;
  }
}

function buildGraphWith(inputs: readonly AccountInput[], opts: BuildOptions): BuiltGraph {
  const ctx: Ctx = { expander: opts.expander, now: opts.now, nodes: [], out: [], outTo: [], principalKind: [], principalAccount: [], byId: new Map(), accounts: new Map(), edgeIndex: [], edgeCount: 0 };
  for (const input of inputs) {
    const acct = indexAccount(input.snapshot);
    // What an --org scan read for the account, else the configured organization.
    const org = snapshotAccountOrganization(input.snapshot, opts.organization);
    if (org) { acct.orgValues = org; ctx.orgKnown = true; }
    const ceiling = adminCeiling(acct, opts.expander);
    if (ceiling) acct.adminCeiling = ceiling;
    ctx.accounts.set(input.snapshot.account.id, acct);
  }
  for (const input of inputs) {
    const acct = ctx.accounts.get(input.snapshot.account.id)!;
    for (const a of input.analyzed) principalNode(ctx, a, acct);
  }
  for (const acct of ctx.accounts.values()) outsideEdges(ctx, acct);
  // Edges of every caller that can gain anything (administrators cannot), then edits of what each
  // reaches, then the same for the states edits create, until nothing new appears.
  // Rounds are bounded: each principal has at most a few states, and an edit only adds states.
  let done = 0;
  for (let round = 0; round < 8; round++) {
    // Up to the nodes made meanwhile: a principal created here (createEdges) is a caller in this
    // round, not the reason for one more (each round searches every editor's reach again).
    for (let i = done; i < ctx.nodes.length; i++) {
      const n = ctx.nodes[i]!;
      if (!n.caller || n.power.admin) continue;
      assumeEdges(ctx, n);
      takeoverEdges(ctx, n);
      serviceEdges(ctx, n);
      createEdges(ctx, n);
    }
    done = ctx.nodes.length;
    const edgesBefore = ctx.edgeCount;
    const editors = ctx.nodes.filter((n) => n.caller && !n.power.admin && mayEdit(ctx, n));
    if (editors.length > 0) {
      const powers = reachPowers({ nodes: ctx.nodes, out: ctx.out, ...(reference ? {} : { outTo: ctx.outTo }), byId: ctx.byId, expander: ctx.expander, accounts: [] }, 'possible');
      for (const n of editors) {
        const rp = powers[n.index]!;
        if (rp.admin) continue; // nothing an edit could add
        editEdges(ctx, n, reachOf(ctx, n.index), rp);
      }
      combinedEdits(ctx, editors, powers);
    }
    if (ctx.edgeCount === edgesBefore && done === ctx.nodes.length) break;
  }
  const limits = ctx.combinedEditsTruncated ? [`combined edits: only the first ${COMBINED_EDIT_ACTORS} principals that reach an editor were searched for targets the editor cannot reach`] : [];
  return { nodes: ctx.nodes, out: ctx.out, ...(reference ? {} : { outTo: ctx.outTo }), byId: ctx.byId, expander: opts.expander, accounts: [...ctx.accounts.keys()], ...(limits.length > 0 ? { limits } : {}) };
}

const groupPowers = new WeakMap<Group, PowerSets>();
let hopActions: { size: number; set: ActionSet } | undefined;

/** What groupMatters reads of a group, whoever asks: it is asked per (caller, group). */
const groupFacts = new WeakMap<Group, { gain: GainFacts; hop: boolean }>();

function groupMatters(ctx: Ctx, acct: AccountIndex, g: Group, reachPower: PowerSets): boolean {
  let power = groupPowers.get(g);
  if (!power) {
    const scps = acct.snapshot.scps ?? [];
    power = powerOf(effectivePermissions({ identity: g.policies.map((a) => a.document), ...(scps.length > 0 ? { scps: scps.map((l) => l.map((a) => a.document)) } : {}) }, ctx.expander), ctx.expander);
    groupPowers.set(g, power);
  }
  if (!hopActions || hopActions.size !== ctx.expander.size) {
    const ids = escalationTechniques().flatMap((t) => t.requires.flat()).map((a) => ctx.expander.catalog.lookup(a)?.id).filter((x): x is number => x !== undefined);
    hopActions = { size: ctx.expander.size, set: ActionSet.of(ctx.expander.size, ids) };
  }
  if (reference) return escalates(gain(power, reachPower, ctx.expander)) || power.unconditional.intersectionCount(hopActions.set) > 0;
  // The hop test does not depend on the caller: once per group, as are the group's ranked ids.
  let f = groupFacts.get(g);
  if (!f) groupFacts.set(g, (f = { gain: gainFacts(power, ctx.expander), hop: power.unconditional.intersectionCount(hopActions.set) > 0 }));
  return f.hop || escalatesOver(f.gain, reachPower);
}

const EDIT_ACTIONS = [...EDITS.map((e) => e.action), 'iam:PutGroupPolicy', 'iam:AttachGroupPolicy', 'iam:AddUserToGroup', 'iam:CreatePolicyVersion', 'iam:SetDefaultPolicyVersion'];
function mayEdit(ctx: Ctx, n: GraphNodeInternal): boolean {
  return EDIT_ACTIONS.some((a) => allowedAction(ctx, n, a));
}
