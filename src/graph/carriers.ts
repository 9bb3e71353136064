// Existing compute joined to the inventory. The graph alone infers "can update some Lambda
// function / stack, so may act as any role that trusts lambda / cloudformation" (serviceEdges:
// target 'inferred', a hub of every such role): it cannot know which functions exist or which role
// each runs as. When the inventory names a function with its execution role, or a stack with its
// service role, a caller allowed to update THAT resource (the technique's actions decided on its
// ARN, identity ∩ boundary ∩ SCPs, denies included) reaches THAT role through an existing
// resource: an observed hop, target 'proven', the resource named in the evidence. Nothing is
// removed: the inferred hub hops stay as they were (an inventory may be partial), so "inferred"
// still means inferred and only what the inventory shows is promoted.
//
// Joined: Lambda functions (execution role) and CloudFormation stacks (service role), in the
// account that holds them. Not joined (no role in the inventory's resource types): ECS task
// roles (on task definitions), EC2 instance profiles (already proven by the export),
// SageMaker notebooks, Glue dev endpoints, CodeBuild projects, App Runner services.
import type { GraphEdge, HopCondition, HopEvidence } from '../model/graph.js';
import type { Resource, ResourceType } from '../model/inventory.js';
import type { Snapshot } from '../model/snapshot.js';
import carriersJson from '../data/compute-carriers.json' with { type: 'json' };
import { escalationTechniques } from '../checks/data.js';
import { coveringStatements, decide, hopCondition, identityAllows, worse, type Caller } from './request.js';
import type { BuiltGraph, GraphNodeInternal } from './build.js';

/** The service principal whose compute a resource type is (the carriers data names techniques by it). */
const SERVICE_OF: Readonly<Partial<Record<ResourceType, string>>> = {
  'lambda:function': 'lambda.amazonaws.com',
  'cloudformation:stack': 'cloudformation.amazonaws.com',
};

const carriers = carriersJson.carriers as Readonly<Record<string, { readonly services: readonly string[]; readonly instanceProfile?: boolean }>>;

export interface CarrierJoin {
  /** Resources with a role that were considered. */
  readonly resources: number;
  /** Edges added (caller → role through a named resource). */
  readonly edges: number;
  /** Resources whose role is not a node of the graph (another account, or not in the export): not joined. */
  readonly unresolved: readonly string[];
}

interface Technique { readonly id: string; readonly name: string; readonly requires: readonly (readonly string[])[] }
let byService: Map<string, Technique[]> | undefined;
function techniquesFor(service: string): readonly Technique[] {
  if (!byService) {
    byService = new Map();
    for (const t of escalationTechniques()) {
      const c = carriers[t.id];
      if (!c || c.instanceProfile) continue;
      for (const s of c.services) {
        const list = byService.get(s) ?? [];
        list.push({ id: t.id, name: t.name, requires: t.requires });
        byService.set(s, list);
      }
    }
  }
  return byService.get(service) ?? [];
}

/** Every requirement group decided on the resource's ARN: the condition and evidence, or undefined when one is not allowed. */
function onResource(caller: NonNullable<GraphNodeInternal['caller']>, t: Technique, r: Resource): { actions: string[]; condition: HopCondition; evidence: HopEvidence[] } | undefined {
  const actions: string[] = [];
  const evidence: HopEvidence[] = [];
  let condition: HopCondition = 'none';
  for (const group of t.requires) {
    let best: { action: string; condition: HopCondition; evidence: readonly HopEvidence[] } | undefined;
    for (const action of group) {
      const d = decide(caller, action, r.arn);
      const c = hopCondition(identityAllows(d), d.unknownNotApproval);
      if (c && (!best || worse(c, best.condition) === best.condition)) best = { action, condition: c, evidence: d.evidence };
      if (best?.condition === 'none') break;
    }
    if (!best) return undefined;
    actions.push(best.action);
    condition = worse(condition, best.condition);
    evidence.push(...best.evidence.map((e) => ({ ...e, resource: r.arn })));
  }
  return { actions, condition, evidence };
}

/**
 * The only resource ARNs a caller's identity Allows could match for a technique, when every
 * covering Allow names literal ARNs (no wildcard, variable or NotResource); undefined = any.
 * Lets a caller scoped to its own function skip the thousands it cannot touch.
 */
function literalTargets(caller: Caller, t: Technique): Set<string> | undefined {
  let out: Set<string> | undefined;
  for (const group of t.requires) {
    const g = new Set<string>();
    for (const action of group) {
      for (const { document } of caller.identity.docs) {
        for (const st of coveringStatements(document, action)) {
          if (st.effect !== 'Allow') continue;
          if (st.notResource || !st.resource) return undefined;
          for (const r of st.resource) {
            if (/[*?]|\$\{/.test(r)) return undefined;
            g.add(r);
          }
        }
      }
    }
    out = out ? new Set([...out].filter((x) => g.has(x))) : g;
  }
  return out;
}

/**
 * Adds, for every function or stack of an account's inventory that names its role, an edge from
 * each caller of that account allowed to update it to the role. Pure in what it reads; it appends
 * to `built.out` (before the reach index is made). Cost: callers are first filtered at action
 * level (their effective permissions must allow every requirement group somewhere), and per
 * (caller, technique, role) the resources carrying that role are decided only until one is
 * allowed without condition, so the request-level decisions are paid by callers that hold the
 * update actions, not by every principal × every function.
 */
export function joinCarriers(built: BuiltGraph, snapshots: readonly Snapshot[]): CarrierJoin {
  let resources = 0;
  let edges = 0;
  const unresolved: string[] = [];
  const callersByAccount = new Map<string, GraphNodeInternal[]>();
  for (const n of built.nodes) {
    // Administrators reach every role already; hubs and outside principals have no caller.
    if (!n.caller || n.power.admin) continue;
    const list = callersByAccount.get(n.caller.account) ?? [];
    list.push(n);
    callersByAccount.set(n.caller.account, list);
  }
  const actionId = (a: string) => built.expander.catalog.lookup(a)?.id;
  const mayAtAll = (n: GraphNodeInternal, t: Technique) =>
    n.effective === undefined || t.requires.every((g) => g.some((a) => { const id = actionId(a); return id !== undefined && n.effective!.allowed.has(id); }));
  const out = built.out as GraphEdge[][];
  const rank = (e: GraphEdge) => ({ none: 0, approval: 1, unknown: 2 } as const)[e.condition] * 2 + (e.target === 'proven' ? 0 : 1);
  for (const s of snapshots) {
    // account → service → role → the resources that run as it.
    const groups = new Map<string, Map<string, Map<number, Resource[]>>>();
    for (const r of s.inventory?.resources ?? []) {
      const service = SERVICE_OF[r.type];
      if (!service || !r.role) continue;
      resources++;
      const ti = built.byId.get(r.role);
      if (ti === undefined || built.nodes[ti]!.kind !== 'role') {
        unresolved.push(r.arn);
        continue;
      }
      let bySvc = groups.get(r.account);
      if (!bySvc) groups.set(r.account, (bySvc = new Map()));
      let byRole = bySvc.get(service);
      if (!byRole) bySvc.set(service, (byRole = new Map()));
      const list = byRole.get(ti) ?? [];
      list.push(r);
      byRole.set(ti, list);
    }
    const byArn = new Map<string, { ti: number; r: Resource }>();
    for (const bySvc of groups.values()) for (const byRole of bySvc.values()) for (const [ti, list] of byRole) for (const r of list) byArn.set(r.arn, { ti, r });
    const rolesOf = (bySvc: Map<string, Map<number, Resource[]>>, service: string, only: ReadonlySet<string>): [number, Resource[]][] => {
      const m = new Map<number, Resource[]>();
      for (const a of only) {
        const hit = byArn.get(a);
        if (!hit || SERVICE_OF[hit.r.type] !== service || !bySvc.get(service)?.get(hit.ti)?.includes(hit.r)) continue;
        const l = m.get(hit.ti) ?? [];
        l.push(hit.r);
        m.set(hit.ti, l);
      }
      return [...m];
    };
    for (const [account, bySvc] of groups) {
      for (const n of callersByAccount.get(account) ?? []) {
        for (const [service, byRole] of bySvc) {
          for (const t of techniquesFor(service)) {
            if (!mayAtAll(n, t)) continue;
            const only = literalTargets(n.caller!, t);
            // Scoped to named ARNs: only the roles those resources carry, not every role's list.
            const roles: Iterable<[number, Resource[]]> = only ? rolesOf(bySvc, service, only) : byRole;
            for (const [ti, carried] of roles) {
              const target = built.nodes[ti]!;
              if (n.index === ti || n.principal?.arn === target.principalArn) continue;
              let best: { r: Resource; hop: NonNullable<ReturnType<typeof onResource>> } | undefined;
              for (const r of carried) {
                if (only && !only.has(r.arn)) continue;
                const hop = onResource(n.caller!, t, r);
                if (hop && (!best || worse(hop.condition, best.hop.condition) === best.hop.condition)) best = { r, hop };
                if (best?.hop.condition === 'none') break;
              }
              if (!best) continue;
              const { r, hop } = best;
              const roleName = r.role!.split('/').pop() ?? r.role!;
              const what = r.type === 'lambda:function' ? `function ${r.name}` : `stack ${r.name}`;
              const edge: GraphEdge = {
                from: n.id,
                to: target.id,
                technique: t.id,
                actions: hop.actions,
                condition: hop.condition,
                target: 'proven',
                why: `can update existing ${what}, which runs as ${roleName} (${t.name}; observed in the inventory${carried.length > 1 ? `, 1 of ${carried.length} carrying it` : ''})`,
                evidence: hop.evidence,
              };
              const list = out[n.index]!;
              const same = list.findIndex((e) => e.to === edge.to && e.technique === edge.technique);
              if (same >= 0) {
                // One edge per (from, to, technique): keep the stronger, as build does.
                if (rank(edge) < rank(list[same]!)) list[same] = edge;
                continue;
              }
              list.push(edge);
              (built.outTo as number[][] | undefined)?.[n.index]!.push(ti);
              edges++;
            }
          }
        }
      }
    }
  }
  return { resources, edges, unresolved };
}
