// Blast radius by name: what a principal can do to each inventoried resource, directly or as any
// principal (or state of one) the access graph says it can become, with the path; and the
// question from the other side, who can perform an action on one resource. Each graph node's own
// access is computed once and shared by every principal that reaches it.
import { RESOURCE_TYPES, type Resource, type ResourceInventory, type ResourceType } from '../model/inventory.js';
import type { GraphPath, HopCondition } from '../model/graph.js';
import type { AccessGraph } from '../graph/index.js';
import type { GraphNodeInternal } from '../graph/build.js';
import { worse } from '../graph/request.js';
import { buildResourceIndex, grantFor, storedGrantsAt, resourceTagKeys, type DirectAccess, type Grant, type ResourceIndex } from './index.js';
import type { PolicyDocument } from '../model/policy.js';
import { accessSharing } from './share.js';
import { walker, type Walker } from './walk.js';
import { decideOnResource, type ResourceCaller } from './evaluate.js';
import { actionInfo, requestArn, typeActions, type AccessKind, type TypeAction } from './actions.js';
import type { Snapshot } from '../model/snapshot.js';
import { markersFrom, type Environment } from './markers.js';
import type { LeashConfig } from '../config/config.js';

export function resourceCaller(n: GraphNodeInternal): ResourceCaller | undefined {
  if (!n.caller) return undefined;
  const p = n.principal;
  return {
    // Its organization keys, when known, are in the caller's context (the graph's callerFor).
    caller: n.caller,
    kind: p?.kind ?? 'other',
    ...(p?.kind === 'role' ? { roleName: p.name, serviceLinked: p.path.startsWith('/aws-service-role/') } : {}),
    // A state (policies rewritten, boundary removed) is the same principal: same ARN, same id.
    ...(p?.id ? { uniqueId: p.id } : {}),
  };
}

/** A grant, and the node (a principal it can become) whose grant it is; absent: its own. */
export interface BlastGrant extends Grant {
  readonly through?: string;
  /** The path to `through` (its condition is folded into the grant's). */
  readonly path?: GraphPath;
}

/** One resource a principal can act on, and how. */
export interface BlastEntry {
  readonly resource: Resource;
  readonly environment: Environment;
  readonly grants: readonly BlastGrant[];
  /** The least conditional of its grants. */
  readonly condition: HopCondition;
  /** The first node some grant comes through, and the path to it (absent: all its own). */
  readonly through?: string;
  readonly path?: GraphPath;
}

export interface Blast {
  readonly principalArn: string;
  readonly entries: readonly BlastEntry[];
}

/** The analysis-wide resource view: the index and each graph node's own access, computed once. */
export interface ResourceView {
  readonly index: ResourceIndex;
  readonly graph: AccessGraph;
  access(nodeId: string): DirectAccess | undefined;
  blast(principalArn: string, kinds?: readonly AccessKind[]): Blast;
  /** Counts by type and a named sample, without listing everything (for checks). */
  summary(principalArn: string, q: SummaryQuery): BlastSummary;
  whoCan(resourceArn: string, action?: string): WhoCanEntry[];
}

const cache = new WeakMap<Snapshot, WeakMap<AccessGraph, ResourceView>>();

/** The resource view of a snapshot's inventory over an analysis' graph (undefined without an inventory). */
/**
 * Above this many principal × resource pairs, only agent principals (and human sessions an agent
 * drives) are named: each principal's blast radius is a union over everything it can become, and
 * naming all of them in a large account takes minutes. The rest keep action-level wording, and
 * the report's coverage says so.
 */
export const NAME_EVERYONE_UP_TO_PAIRS = 2_000_000;

/** The principals whose resources are named, or undefined for all; and the coverage note when not all. */
export function namingScope(principals: number, resources: number, agents: readonly string[]): { keep?: ReadonlySet<string>; note?: string } {
  if (principals * resources <= NAME_EVERYONE_UP_TO_PAIRS) return {};
  return {
    keep: new Set(agents),
    note: `Resources are named for the ${agents.length} agent principal(s) only: ${principals} principals × ${resources} resources is above ${NAME_EVERYONE_UP_TO_PAIRS.toLocaleString('en-US')} pairs; other principals' findings count actions (leash who-can and leash blast answer for any principal).`,
  };
}

/** The view, with summaries and blast radii empty for principals outside `keep`. */
export function scopedView(view: ResourceView, keep: ReadonlySet<string> | undefined): ResourceView {
  if (!keep) return view;
  const none: BlastSummary = { count: 0, production: 0, byType: new Map(), sample: [] };
  return { ...view, summary: (arn, q) => (keep.has(arn) ? view.summary(arn, q) : none) };
}

export function resourceView(snapshot: Snapshot, graph: AccessGraph, config?: Pick<LeashConfig, 'resources'>): ResourceView | undefined {
  const inv = snapshot.inventory;
  if (!inv || inv.resources.length === 0) return undefined;
  let m = cache.get(snapshot);
  if (!m) cache.set(snapshot, (m = new WeakMap()));
  let v = m.get(graph);
  if (!v) m.set(graph, (v = makeView(buildResourceIndex(inv, markersFrom(config?.resources?.production), readTagKeys(graph, inv.rcps)), graph)));
  return v;
}

/** The aws:ResourceTag keys that conditions of any caller's layers (identity, boundary, SCPs) or of the RCPs read. */
export function readTagKeys(graph: AccessGraph, rcps: ResourceInventory['rcps']): Set<string> {
  const out = new Set<string>();
  const seen = new Set<PolicyDocument>();
  const add = (d: PolicyDocument) => {
    if (seen.has(d)) return;
    seen.add(d);
    for (const s of d.statements) { const keys = resourceTagKeys(s); if (keys !== 'other') for (const k of keys) out.add(k); }
  };
  for (const n of graph.built.nodes) {
    const c = n.caller;
    if (!c) continue;
    for (const l of [c.identity, ...(c.boundary ? [c.boundary] : []), ...c.scps]) for (const d of l.docs) add(d.document);
  }
  for (const l of rcps ?? []) for (const p of l) add(p.document);
  return out;
}

export function resourceViewOf(index: ResourceIndex, graph: AccessGraph): ResourceView {
  return makeView(index, graph);
}

export { markersFrom };

const rank: Record<HopCondition, number> = { none: 0, approval: 1, unknown: 2 };

function makeView(index: ResourceIndex, graph: AccessGraph): ResourceView {
  const memo = new Map<string, DirectAccess | undefined>();
  // Nodes whose callers have the same policies (and nothing else that matters) share one access.
  const sharing = accessSharing(index);
  const access = (id: string) => {
    if (memo.has(id)) return memo.get(id);
    const n = graph.node(id);
    const rc = n && resourceCaller(n);
    const a = rc ? sharing.access(rc) : undefined;
    memo.set(id, a);
    return a;
  };
  const view: ResourceView = {
    index, graph, access,
    blast: (principalArn, kinds = ['delete', 'destructive', 'read']) => blastOf(view, principalArn, kinds),
    summary: (principalArn, q) => summaryOf(view, principalArn, q),
    whoCan: (resourceArn, action) => whoCan(view, resourceArn, action),
  };
  return view;
}

function bestCondition(grants: readonly Grant[]): HopCondition {
  return grants.reduce<HopCondition>((c, g) => (rank[g.condition] < rank[c] ? g.condition : c), 'unknown');
}

/** Resources a DirectAccess may grant on: its whole groups (less classes and resources it decided apart), its classes' members, its decided resources. */
function* touched(view: ResourceView, a: DirectAccess): Generator<Resource> {
  const { index } = view;
  const apart = (r: Resource) => a.decided.has(r.arn) || a.classes.has(index.classOf.get(r.arn) ?? -1);
  for (const key of a.whole.keys()) for (const r of index.groups.get(key) ?? []) if (!apart(r)) yield r;
  for (const id of a.classes.keys()) for (const r of index.classes[id]!.members) if (!a.decided.has(r.arn)) yield r;
  for (const arn of a.decided.keys()) yield index.byArn.get(arn)!;
}

interface Reach {
  /**
   * Graph node indices: the principal, then the first node of each further distinct access, in
   * walk order. Integers, not node and access lists: every principal keeps its reach for the view
   * (at 10,000 principals, three lists per reach were gigabytes).
   */
  readonly at: Int32Array;
  /** The view's access and access number per node. */
  readonly known: NodeAccess;
  readonly pathTo: (id: string) => GraphPath | undefined;
}
const accAt = (reach: Reach, i: number): DirectAccess => reach.known.acc[reach.at[i]!]!;
const idAt = (reach: Reach, i: number): number => reach.known.num[reach.at[i]!]!;
const accsOf = (reach: Reach): DirectAccess[] => Array.from(reach.at, (x) => reach.known.acc[x]!);

// Keyed by the maps, which callers sharing one access also share (each node has its own DirectAccess object).
const signatures = new WeakMap<object, string>();
/** Two nodes with the same access give the same grants: the nearer one stands for both. */
function signature(a: DirectAccess): string {
  let sig = signatures.get(a.decided);
  if (sig === undefined) {
    const part = (m: ReadonlyMap<string, readonly Grant[]>) => [...m].map(([k, gs]) => `${k}=${gs.map((g) => `${g.action}/${g.condition}`).sort().join(',')}`).sort().join(';');
    sig = `${part(a.whole)}|${part(new Map([...a.classes].map(([k, v]) => [String(k), v])))}|${part(a.decided)}`;
    signatures.set(a.decided, sig);
  }
  return sig;
}

// Each distinct access (by signature) gets a small number per view: reaches compare numbers, not long strings.
const numbering = new WeakMap<ResourceView, { bySig: Map<string, number>; byMaps: WeakMap<object, number> }>();
function accessNumber(view: ResourceView, a: DirectAccess): number {
  let n = numbering.get(view);
  if (!n) numbering.set(view, (n = { bySig: new Map(), byMaps: new WeakMap() }));
  let id = n.byMaps.get(a.decided);
  if (id === undefined) {
    const sig = signature(a);
    id = n.bySig.get(sig);
    if (id === undefined) n.bySig.set(sig, (id = n.bySig.size));
    n.byMaps.set(a.decided, id);
  }
  return id;
}

// Each graph node's access and its number, by node index: every principal's reach looks them up.
interface NodeAccess { has: Uint8Array; acc: (DirectAccess | undefined)[]; num: Int32Array; listed: Int32Array; generation: number }
const nodeAccesses = new WeakMap<ResourceView, NodeAccess>();
function nodeAccess(view: ResourceView): NodeAccess {
  let k = nodeAccesses.get(view);
  if (!k) {
    const n = view.graph.built.nodes.length;
    nodeAccesses.set(view, (k = { has: new Uint8Array(n), acc: new Array<DirectAccess | undefined>(n), num: new Int32Array(n), listed: new Int32Array(n), generation: 0 }));
  }
  return k;
}

const walkers = new WeakMap<ResourceView, Walker>();
function walkerOf(view: ResourceView): Walker {
  let w = walkers.get(view);
  if (!w) walkers.set(view, (w = walker(view.graph.built)));
  return w;
}

// Every check asks about the same principals: what each reaches is worked out once per view.
const reaches = new WeakMap<ResourceView, Map<string, Reach | undefined>>();
function reachOf(view: ResourceView, principalArn: string): Reach | undefined {
  let m = reaches.get(view);
  if (!m) reaches.set(view, (m = new Map()));
  if (m.has(principalArn)) return m.get(principalArn);
  const r = computeReach(view, principalArn);
  m.set(principalArn, r);
  return r;
}

function computeReach(view: ResourceView, principalArn: string): Reach | undefined {
  const { graph } = view;
  const self = graph.node(principalArn);
  if (!self) return undefined;
  const at: number[] = [];
  const known = nodeAccess(view);
  // Access numbers already listed, by stamp (numbers are below the node count: one per node at most).
  const gen = ++known.generation;
  const consider = (n: GraphNodeInternal) => {
    if (!known.has[n.index]) {
      known.has[n.index] = 1;
      const a = n.caller ? view.access(n.id) : undefined;
      known.acc[n.index] = a;
      known.num[n.index] = a ? accessNumber(view, a) : -1;
    }
    const a = known.acc[n.index];
    if (!a) return;
    const id = known.num[n.index]!;
    if (n !== self && known.listed[id] === gen) return;
    known.listed[id] = gen;
    at.push(n.index);
  };
  consider(self);
  walkerOf(view).reachable(self.index, (i) => consider(graph.built.nodes[i]!));
  if (at[0] !== self.index) return undefined;
  const paths = new Map<string, GraphPath | undefined>();
  const pathTo = (id: string) => {
    if (!paths.has(id)) paths.set(id, graph.path(principalArn, (x) => x.id === id));
    return paths.get(id);
  };
  return { at: Int32Array.from(at), known, pathTo };
}

/** Per resource: the principal's own grants first, then actions it lacks (or has only more conditionally) from the nodes it reaches. */
function entryFor(view: ResourceView, reach: Reach, r: Resource, kinds: readonly AccessKind[]): BlastEntry | undefined {
  const grants: BlastGrant[] = [];
  const at = new Map<string, number>();
  // Once every action of the kinds is held with no condition, farther nodes cannot change the entry.
  const wanted = (typeActions().get(r.type) ?? []).filter((a) => kinds.includes(a.kind)).length;
  const cls = view.index.classOf.get(r.arn), grp = view.index.groupOf(r);
  let settled = 0;
  for (let i = 0; i < reach.at.length && settled < wanted; i++) {
    const n = view.graph.built.nodes[reach.at[i]!]!;
    // Stored grants (the resource's class and group looked up once), their evidence made this
    // resource's and caller's only for those kept.
    const acc = accAt(reach, i);
    for (const stored of storedGrantsAt(acc, r.arn, cls, grp)) {
      if (!kinds.includes(stored.kind)) continue;
      const k0 = at.get(stored.action);
      if (k0 !== undefined && !(i > 0 && rank[stored.condition] < rank[grants[k0]!.condition])) continue;
      const g = grantFor(acc, r, stored);
      const tagged: BlastGrant = i === 0 ? g : { ...g, through: n.id };
      const k = at.get(g.action);
      if (k === undefined) {
        at.set(g.action, grants.length);
        grants.push(tagged);
        if (g.condition === 'none') settled++;
      } else if (i > 0 && rank[g.condition] < rank[grants[k]!.condition]) {
        if (g.condition === 'none') settled++;
        grants[k] = tagged;
      }
    }
  }
  if (grants.length === 0) return undefined;
  const withPaths = grants.map((g) => {
    if (!g.through) return g;
    const path = reach.pathTo(g.through);
    return path ? { ...g, condition: worse(g.condition, path.condition), path } : g;
  });
  const through = withPaths.find((g) => g.through)?.through;
  return { resource: r, environment: view.index.environment(r).environment, grants: withPaths, condition: bestCondition(withPaths), ...(through ? { through, path: reach.pathTo(through)! } : {}) };
}

function blastOf(view: ResourceView, principalArn: string, kinds: readonly AccessKind[]): Blast {
  const reach = reachOf(view, principalArn);
  if (!reach) return { principalArn, entries: [] };
  const seen = new Set<string>();
  const entries: BlastEntry[] = [];
  for (const a of accsOf(reach)) {
    for (const r of touched(view, a)) {
      if (seen.has(r.arn)) continue;
      seen.add(r.arn);
      const e = entryFor(view, reach, r, kinds);
      if (e) entries.push(e);
    }
  }
  entries.sort((x, y) => envRank(x.environment) - envRank(y.environment) || x.resource.type.localeCompare(y.resource.type) || x.resource.name.localeCompare(y.resource.name));
  return { principalArn, entries };
}

/** Which grants count: of these kinds, not behind approval, and its own / only through others / either. */
export interface SummaryQuery { readonly kinds: readonly AccessKind[]; readonly which: 'own' | 'through' | 'any'; readonly limit?: number }

export interface BlastSummary {
  readonly count: number;
  readonly production: number;
  readonly byType: ReadonlyMap<ResourceType, { readonly count: number; readonly production: number }>;
  /** Up to `limit` resources, production first, with their grants and paths. */
  readonly sample: readonly BlastEntry[];
}

/** A node's access reduced to what a query counts: action sets per whole group, per policy class, per resource decided on its own. */
interface Digest {
  readonly whole: ReadonlyMap<string, ReadonlySet<string>>;
  readonly classes: ReadonlyMap<number, ReadonlySet<string>>;
  readonly decided: ReadonlyMap<string, ReadonlySet<string>>;
  /** Every group of the index held, nothing apart. */
  readonly full: boolean;
}
const digests = new WeakMap<object, Map<string, Digest>>();

function digestOf(index: ResourceIndex, a: DirectAccess, kinds: readonly AccessKind[]): Digest {
  const key = [...kinds].sort().join(',');
  let m = digests.get(a.decided);
  if (!m) digests.set(a.decided, (m = new Map()));
  let d = m.get(key);
  if (d) return d;
  const set = (gs: readonly Grant[]) => new Set(gs.filter((g) => kinds.includes(g.kind) && g.condition !== 'approval').map((g) => g.action));
  const whole = new Map<string, Set<string>>();
  for (const [k, gs] of a.whole) { const s = set(gs); if (s.size > 0) whole.set(k, s); }
  const classes = new Map<number, Set<string>>();
  for (const [id, gs] of a.classes) classes.set(id, set(gs));
  const decided = new Map<string, Set<string>>();
  for (const [arn, gs] of a.decided) decided.set(arn, set(gs));
  const full = a.decided.size === 0 && a.classes.size === 0 && [...index.groups.keys()].every((k) => whole.has(k));
  d = { whole, classes, decided, full };
  m.set(key, d);
  return d;
}

/**
 * Counts and a named sample without listing every resource. Resources fall in three parts, each
 * alike for every node reached: decided apart by some node (checked one by one), members of a
 * policy class some node decided (counted per class), the rest of each group (counted per group,
 * from the index). Nodes with the same access count once. What checks and reports need for
 * 10,000 principals over 50,000 resources.
 */
function summaryOf(view: ResourceView, principalArn: string, q: SummaryQuery): BlastSummary {
  const empty: BlastSummary = { count: 0, production: 0, byType: new Map(), sample: [] };
  const reach = reachOf(view, principalArn);
  if (!reach) return empty;
  const c = countsFor(view, reach, q);
  const sample = c.picked.flatMap((r) => entryFor(view, reach, r, q.kinds) ?? []);
  sample.sort((x, y) => envRank(x.environment) - envRank(y.environment) || x.resource.type.localeCompare(y.resource.type) || x.resource.name.localeCompare(y.resource.name));
  return { count: c.count, production: c.production, byType: c.byType, sample };
}

/** What a summary counts, and which resources its sample names (entries are the principal's own: paths differ). */
interface Counts { readonly count: number; readonly production: number; readonly byType: BlastSummary['byType']; readonly picked: readonly Resource[] }

// Counts depend only on which accesses count (the principal's own, and the set of the rest), not
// on who asks: members of one strongly connected component, and principals with the same policies,
// reach the same accesses. Each distinct access gets a small number; counts are kept per query and
// set of numbers, so the pass over decided resources and classes runs once per such set.
// Keyed by a hash of the numbers (a key spelling them out was most of the memory at 10,000
// principals); a hit is confirmed by comparing the numbers themselves.
const countMemo = new WeakMap<ResourceView, Map<string, { reach: Reach; counts: Counts }[]>>();

/** The numbers a query's counts depend on: the principal's own first (-1 for 'any', where it is one of the set), then the others, sorted. */
function countKey(reach: Reach, q: SummaryQuery): Int32Array {
  const own = idAt(reach, 0);
  if (q.which === 'own') return Int32Array.of(own);
  const rest = new Int32Array(reach.at.length - (q.which === 'any' ? 0 : 1));
  for (let i = q.which === 'any' ? 0 : 1, k = 0; i < reach.at.length; i++) rest[k++] = idAt(reach, i);
  rest.sort();
  const set = rest.filter((x, i) => i === 0 || x !== rest[i - 1]);
  const out = new Int32Array(set.length + 1);
  out[0] = q.which === 'any' ? -1 : own;
  out.set(set, 1);
  return out;
}

function countsFor(view: ResourceView, reach: Reach, q: SummaryQuery): Counts {
  const ids = countKey(reach, q);
  let h = 0x811c9dc5;
  for (const x of ids) h = Math.imul(h ^ x, 0x01000193);
  const key = `${q.which}|${[...q.kinds].sort().join(',')}|${q.limit ?? 50}|${ids.length}|${h >>> 0}`;
  let memo = countMemo.get(view);
  if (!memo) countMemo.set(view, (memo = new Map()));
  let list = memo.get(key);
  if (!list) memo.set(key, (list = []));
  const same = (o: Int32Array) => o.length === ids.length && o.every((x, i) => x === ids[i]);
  for (const e of list) if (same(countKey(e.reach, q))) return e.counts;
  const counts = countsOf(view, reach, q);
  list.push({ reach, counts });
  return counts;
}

function countsOf(view: ResourceView, reach: Reach, q: SummaryQuery): Counts {
  const { index } = view;
  const ds = (q.which === 'own' ? [accAt(reach, 0)] : accsOf(reach)).map((a) => digestOf(index, a, q.kinds));
  type At = (d: Digest) => ReadonlySet<string> | undefined;
  let covered: (at: At) => boolean;
  const everything = q.which !== 'through' && ds.some((d) => d.full);
  if (everything) covered = () => true;
  else if (q.which !== 'through') covered = (at) => ds.some((d) => (at(d)?.size ?? 0) > 0);
  else {
    const own = ds[0]!, others = ds.slice(1);
    covered = (at) => {
      const mine = at(own);
      return others.some((d) => addsTo(at(d), mine));
    };
  }
  const decidedAll = new Set<string>();
  for (const d of ds) for (const arn of d.decided.keys()) decidedAll.add(arn);
  const classesAll = new Set<number>();
  for (const d of ds) for (const id of d.classes.keys()) classesAll.add(id);
  const groupOf = index.groupOf;
  const classAt = (id: number, g: string): At => (d) => d.classes.get(id) ?? d.whole.get(g);
  const isProd = (r: Resource) => index.environment(r).environment === 'production';

  const byType = new Map<ResourceType, { count: number; production: number }>();
  const bump = (t: ResourceType, n: number, p: number) => {
    if (n === 0) return;
    const c = byType.get(t) ?? { count: 0, production: 0 };
    byType.set(t, { count: c.count + n, production: c.production + p });
  };
  // Decided apart.
  const decidedCovered: Resource[] = [];
  const decidedIsCovered = everything ? () => true : decidedCoverage(ds, q.which);
  for (const arn of decidedAll) {
    const r = index.byArn.get(arn)!;
    if (!decidedIsCovered(arn, index.classOf.get(arn), groupOf(r))) continue;
    decidedCovered.push(r);
    bump(r.type, 1, isProd(r) ? 1 : 0);
  }
  // Policy classes (less their members decided apart).
  const classCovered: number[] = [];
  const outOfGroup = new Map<string, { n: number; p: number }>();
  for (const id of classesAll) {
    const c = index.classes[id]!;
    let n = c.members.length, p = c.production;
    for (const m of c.members) if (decidedAll.has(m.arn)) { n--; if (isProd(m)) p--; }
    const o = outOfGroup.get(c.group) ?? { n: 0, p: 0 };
    outOfGroup.set(c.group, { n: o.n + n, p: o.p + p });
    if (!covered(classAt(id, c.group))) continue;
    classCovered.push(id);
    bump(c.members[0]!.type, n, p);
  }
  // The rest of each group.
  const groups = new Set<string>();
  for (const d of ds) for (const k of d.whole.keys()) groups.add(k);
  if (everything) for (const k of index.groups.keys()) groups.add(k);
  const wholeCovered: string[] = [];
  const decidedIn = new Map<string, { n: number; p: number }>();
  // Every resource decided apart leaves its group's rest, also one whose policy class is counted
  // (the class's count above already left its decided members out).
  for (const arn of decidedAll) {
    const r = index.byArn.get(arn)!;
    const o = decidedIn.get(groupOf(r)) ?? { n: 0, p: 0 };
    decidedIn.set(groupOf(r), { n: o.n + 1, p: o.p + (isProd(r) ? 1 : 0) });
  }
  for (const k of groups) {
    if (!covered((d) => d.whole.get(k))) continue;
    wholeCovered.push(k);
    const members = index.groups.get(k)!;
    const o = outOfGroup.get(k) ?? { n: 0, p: 0 }, dIn = decidedIn.get(k) ?? { n: 0, p: 0 };
    bump(members[0]!.type, members.length - o.n - dIn.n, index.production.get(k)!.length - o.p - dIn.p);
  }
  // The sample: production first (decided, classes, groups), then the rest in the same order.
  const limit = q.limit ?? 50;
  const picked: Resource[] = [];
  const pickedSet = new Set<string>();
  const take = (r: Resource) => { if (picked.length < limit && !pickedSet.has(r.arn)) { pickedSet.add(r.arn); picked.push(r); } };
  const inGroupRest = (r: Resource) => !decidedAll.has(r.arn) && !classesAll.has(index.classOf.get(r.arn) ?? -1);
  // In an order that does not depend on the order nodes were reached (the counts are shared).
  decidedCovered.sort((x, y) => (x.arn < y.arn ? -1 : x.arn > y.arn ? 1 : 0));
  classCovered.sort((x, y) => x - y);
  wholeCovered.sort();
  for (const prodPass of [true, false]) {
    for (const r of decidedCovered) if (isProd(r) === prodPass) take(r);
    for (const id of classCovered) for (const r of index.classes[id]!.members) { if (picked.length >= limit) break; if (isProd(r) === prodPass && !decidedAll.has(r.arn)) take(r); }
    for (const k of wholeCovered) for (const r of prodPass ? index.production.get(k)! : index.groups.get(k)!) { if (picked.length >= limit) break; if (inGroupRest(r)) take(r); }
  }
  let count = 0, production = 0;
  for (const v of byType.values()) { count += v.count; production += v.production; }
  // Most production first, then most in all, then the inventory's type order: the same whatever part counted them.
  const typeOrder = (t: ResourceType) => RESOURCE_TYPES.indexOf(t);
  const ordered = new Map([...byType].sort(([t1, a], [t2, b]) => b.production - a.production || b.count - a.count || typeOrder(t1) - typeOrder(t2)));
  return { count, production, byType: ordered, picked };
}

/** Whether `t` holds an action `mine` lacks (what a reached node adds to the principal's own). */
function addsTo(t: ReadonlySet<string> | undefined, mine: ReadonlySet<string> | undefined): boolean {
  return t !== undefined && [...t].some((x) => !mine?.has(x));
}

/**
 * `covered` for resources some node decided apart, without a pass over every node per resource
 * (that pass was principals × resources × nodes reached). A node that did not decide the resource
 * falls back to its class's or group's actions, which are alike for every resource of that class
 * and group: which nodes give something there is worked out once per (class, group), and per
 * resource only the nodes that decided it are looked at.
 */
function decidedCoverage(ds: readonly Digest[], which: SummaryQuery['which']): (arn: string, c: number | undefined, g: string) => boolean {
  const deciders = new Map<string, number[]>();
  ds.forEach((d, i) => { for (const arn of d.decided.keys()) { const l = deciders.get(arn); if (l) l.push(i); else deciders.set(arn, [i]); } });
  const fallback = (d: Digest, c: number | undefined, g: string) => (c !== undefined ? d.classes.get(c) : undefined) ?? d.whole.get(g);
  const first = which === 'through' ? 1 : 0;
  // Per (class, group): the nodes (from `first` on) whose fallback gives something: anything at
  // all, or for 'through', an action the principal's own fallback lacks.
  const giving = new Map<string, number[]>();
  const givingAt = (c: number | undefined, g: string): number[] => {
    const key = `${c ?? ''}|${g}`;
    let l = giving.get(key);
    if (!l) {
      l = [];
      const mine = which === 'through' ? fallback(ds[0]!, c, g) : undefined;
      for (let i = first; i < ds.length; i++) {
        const t = fallback(ds[i]!, c, g);
        if (which === 'through' ? addsTo(t, mine) : (t?.size ?? 0) > 0) l.push(i);
      }
      giving.set(key, l);
    }
    return l;
  };
  /** Some node of `nodes` that did not decide the resource (those fall back). */
  const anyNotIn = (nodes: readonly number[], decided: readonly number[]) => nodes.length > decided.length || nodes.some((i) => !decided.includes(i));
  return (arn, c, g) => {
    const decided = deciders.get(arn) ?? [];
    if (which !== 'through') {
      return decided.some((i) => (ds[i]!.decided.get(arn)?.size ?? 0) > 0) || anyNotIn(givingAt(c, g), decided);
    }
    const ownDecides = decided[0] === 0;
    if (!ownDecides) {
      // The principal's own actions here are its fallback: nodes that decided compare with it.
      const mine = fallback(ds[0]!, c, g);
      return decided.some((i) => addsTo(ds[i]!.decided.get(arn), mine)) || anyNotIn(givingAt(c, g), decided);
    }
    // It decided this one itself (rare): compare every other node with that.
    const mine = ds[0]!.decided.get(arn);
    for (let i = 1; i < ds.length; i++) {
      const d = ds[i]!;
      if (addsTo(d.decided.get(arn) ?? fallback(d, c, g), mine)) return true;
    }
    return false;
  };
}

const envRank = (e: Environment) => (e === 'production' ? 0 : e === 'unknown' ? 1 : 2);

export interface WhoCanEntry {
  readonly principalArn: string;
  readonly name: string;
  readonly isAgent: boolean;
  readonly action: string;
  readonly condition: HopCondition;
  /** The node that performs it (the principal itself, or one it can become). */
  readonly actor: string;
  readonly path?: GraphPath;
  readonly evidence: Grant['evidence'];
  readonly via: Grant['via'];
}

/** Every principal that can perform the action(s) on a resource, directly or through the graph; agents first. */
function whoCan(view: ResourceView, resourceArn: string, action: string | undefined): WhoCanEntry[] {
  const { graph, index } = view;
  const r = index.byArn.get(resourceArn);
  if (!r) return [];
  const actions: TypeAction[] = action
    ? [actionInfo(r.type, action) ?? { action, kind: 'destructive', onObject: r.type === 's3:bucket' && /Object/.test(action) }]
    : [...(typeActions().get(r.type) ?? [])];
  const out: WhoCanEntry[] = [];
  const nodes = graph.built.nodes;
  const into = new Map<number, number[]>();
  graph.built.out.forEach((edges, from) => {
    for (const e of edges) {
      const to = graph.built.byId.get(e.to)!;
      const l = into.get(to);
      if (l) l.push(from);
      else into.set(to, [from]);
    }
  });
  for (const a of actions) {
    // Holders: nodes that can do it themselves.
    const holders = new Map<number, Grant>();
    for (const n of nodes) {
      const rc = resourceCaller(n);
      if (!rc) continue;
      const d = decideOnResource(rc, a.action, requestArn(r.arn, a), r, index.rcps);
      if (d.decision === 'Allowed' || d.decision === 'Conditional') holders.set(n.index, { action: a.action, kind: a.kind, condition: d.condition!, via: d.via!, evidence: d.evidence });
    }
    if (holders.size === 0) continue;
    // Principals that reach a holder: one backward search over the graph's edges.
    const reaches = new Set<number>(holders.keys());
    const stack = [...holders.keys()];
    while (stack.length > 0) {
      const v = stack.pop()!;
      for (const u of into.get(v) ?? []) if (!reaches.has(u)) { reaches.add(u); stack.push(u); }
    }
    for (const i of reaches) {
      const n = nodes[i]!;
      if (!n.principal || (n.kind !== 'user' && n.kind !== 'role')) continue;
      const own = holders.get(i);
      if (own) {
        out.push({ principalArn: n.id, name: n.label, isAgent: Boolean(n.analyzed?.isAgent), action: a.action, condition: own.condition, actor: n.id, evidence: own.evidence, via: own.via });
        continue;
      }
      const path = graph.path(n.id, (x) => holders.has(x.index));
      if (!path) continue;
      const g = holders.get(graph.built.byId.get(path.to)!)!;
      out.push({ principalArn: n.id, name: n.label, isAgent: Boolean(n.analyzed?.isAgent), action: a.action, condition: worse(g.condition, path.condition), actor: path.to, path, evidence: g.evidence, via: g.via });
    }
  }
  out.sort((x, y) => Number(y.isAgent) - Number(x.isAgent) || rank[x.condition] - rank[y.condition] || x.name.localeCompare(y.name) || x.action.localeCompare(y.action));
  return out;
}

/** Counts and names for a finding: resources of a kind, by type, production first. */
export function namedSummary(entries: readonly BlastEntry[], kind: AccessKind, opts: { productionOnly?: boolean } = {}): { type: ResourceType; names: string[]; count: number; production: number }[] {
  const byType = new Map<ResourceType, { names: string[]; count: number; production: number }>();
  for (const e of entries) {
    if (!e.grants.some((g) => g.kind === kind && g.condition !== 'approval')) continue;
    if (opts.productionOnly && e.environment !== 'production') continue;
    let t = byType.get(e.resource.type);
    if (!t) byType.set(e.resource.type, (t = { names: [], count: 0, production: 0 }));
    t.count++;
    if (e.environment === 'production') t.production++;
    t.names.push(e.resource.name);
  }
  return [...byType].map(([type, v]) => ({ type, ...v }));
}
