// Blast radius by name: what a principal can do to each inventoried resource, directly or as any
// principal (or state of one) the access graph says it can become, with the path; and the
// question from the other side, who can perform an action on one resource. Each graph node's own
// access is computed once and shared by every principal that reaches it.
import type { Resource, ResourceType } from '../model/inventory.js';
import type { GraphPath, HopCondition } from '../model/graph.js';
import type { AccessGraph } from '../graph/index.js';
import type { GraphNodeInternal } from '../graph/build.js';
import { worse } from '../graph/request.js';
import { buildResourceIndex, directAccess, grantsOn, type DirectAccess, type Grant, type ResourceIndex } from './index.js';
import { decideOnResource, type ResourceCaller } from './evaluate.js';
import { actionInfo, requestArn, typeActions, type AccessKind, type TypeAction } from './actions.js';
import type { Snapshot } from '../model/snapshot.js';
import { markersFrom, type Environment } from './markers.js';
import type { LeashConfig } from '../config/config.js';

export function resourceCaller(n: GraphNodeInternal, orgId?: string): ResourceCaller | undefined {
  if (!n.caller) return undefined;
  const p = n.principal;
  return {
    // The configured organization is that of the scanned accounts' principals.
    ...(orgId && n.scanned ? { orgId } : {}),
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
  whoCan(resourceArn: string, action?: string): WhoCanEntry[];
}

const cache = new WeakMap<Snapshot, WeakMap<AccessGraph, ResourceView>>();

/** The resource view of a snapshot's inventory over an analysis' graph (undefined without an inventory). */
export function resourceView(snapshot: Snapshot, graph: AccessGraph, config?: Pick<LeashConfig, 'resources'>): ResourceView | undefined {
  const inv = snapshot.inventory;
  if (!inv || inv.resources.length === 0) return undefined;
  let m = cache.get(snapshot);
  if (!m) cache.set(snapshot, (m = new WeakMap()));
  let v = m.get(graph);
  if (!v) m.set(graph, (v = makeView(buildResourceIndex(inv, markersFrom(config?.resources?.production)), graph, config?.resources?.organizationId)));
  return v;
}

export function resourceViewOf(index: ResourceIndex, graph: AccessGraph, orgId?: string): ResourceView {
  return makeView(index, graph, orgId);
}

export { markersFrom };

const rank: Record<HopCondition, number> = { none: 0, approval: 1, unknown: 2 };

function makeView(index: ResourceIndex, graph: AccessGraph, orgId?: string): ResourceView {
  const memo = new Map<string, DirectAccess | undefined>();
  const access = (id: string) => {
    if (memo.has(id)) return memo.get(id);
    const n = graph.node(id);
    const rc = n && resourceCaller(n, orgId);
    const a = rc ? directAccess(index, rc) : undefined;
    memo.set(id, a);
    return a;
  };
  const view: ResourceView = {
    index, graph, access,
    blast: (principalArn, kinds = ['delete', 'destructive', 'read']) => blastOf(view, principalArn, kinds),
    whoCan: (resourceArn, action) => whoCan(view, resourceArn, action, orgId),
  };
  return view;
}

function bestCondition(grants: readonly Grant[]): HopCondition {
  return grants.reduce<HopCondition>((c, g) => (rank[g.condition] < rank[c] ? g.condition : c), 'unknown');
}

/** Resources of every group a DirectAccess covers wholly, plus those it decided one by one. */
function* touched(view: ResourceView, a: DirectAccess): Generator<Resource> {
  for (const key of a.whole.keys()) for (const r of view.index.groups.get(key) ?? []) if (!a.decided.has(r.arn)) yield r;
  for (const arn of a.decided.keys()) yield view.index.byArn.get(arn)!;
}

function blastOf(view: ResourceView, principalArn: string, kinds: readonly AccessKind[]): Blast {
  const { graph, index } = view;
  const self = graph.node(principalArn);
  if (!self) return { principalArn, entries: [] };
  const nodes = [self, ...graph.reachable(principalArn, 'possible').filter((n) => n.caller)];
  // Per resource: the principal's own grants first, then actions it lacks from the nodes it reaches.
  const best = new Map<string, { grants: BlastGrant[]; actions: Map<string, number> }>();
  for (const n of nodes) {
    const a = view.access(n.id);
    if (!a) continue;
    for (const r of touched(view, a)) {
      const grants = grantsOn(a, r).filter((g) => kinds.includes(g.kind));
      if (grants.length === 0) continue;
      let b = best.get(r.arn);
      if (!b) best.set(r.arn, (b = { grants: [], actions: new Map() }));
      for (const g of grants) {
        const at = b.actions.get(g.action);
        const tagged: BlastGrant = n === self ? g : { ...g, through: n.id };
        if (at === undefined) { b.actions.set(g.action, b.grants.length); b.grants.push(tagged); continue; }
        // Through another node only when it is less conditional than what is known.
        if (n !== self && rank[g.condition] < rank[b.grants[at]!.condition]) b.grants[at] = tagged;
      }
    }
  }
  const paths = new Map<string, GraphPath | undefined>();
  const pathTo = (id: string) => {
    if (!paths.has(id)) paths.set(id, graph.path(principalArn, (x) => x.id === id));
    return paths.get(id);
  };
  const entries: BlastEntry[] = [];
  for (const [arn, b] of best) {
    const r = index.byArn.get(arn)!;
    const grants = b.grants.map((g) => {
      if (!g.through) return g;
      const path = pathTo(g.through);
      return path ? { ...g, condition: worse(g.condition, path.condition), path } : g;
    });
    const through = grants.find((g) => g.through)?.through;
    entries.push({ resource: r, environment: index.environment(r).environment, grants, condition: bestCondition(grants), ...(through ? { through, path: pathTo(through)! } : {}) });
  }
  entries.sort((x, y) => envRank(x.environment) - envRank(y.environment) || x.resource.type.localeCompare(y.resource.type) || x.resource.name.localeCompare(y.resource.name));
  return { principalArn, entries };
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
function whoCan(view: ResourceView, resourceArn: string, action: string | undefined, orgId: string | undefined): WhoCanEntry[] {
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
      const rc = resourceCaller(n, orgId);
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
