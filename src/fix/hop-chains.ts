// What an agent can become through roles, as the fix stage guards it (issue 9; sessions 38–40).
// An agent's boundary denies sts:AssumeRole on the roles that give more than it has and that it
// never assumed (`NoUnusedRoleHops`). A role it *was* seen assuming stays open, and the agent's
// boundary does not follow it into that role's sessions: a wider role behind it (agent → hub →
// deploy) is closed only by a statement on the hub. Session 40: when the hub's own usage covers
// the window and shows it never assuming that role, the hub's boundary denies the hop (the hub is
// planned because an agent acts through it); otherwise the agent's fix says which chain stays
// open and what would close it. Pure: data in, data out, computed once per account.
import type { AccessGraph } from '../graph/index.js';
import type { GraphNodeInternal, RoleBlock } from '../graph/build.js';
import { escalates, gain, heldOnSome, isAdminSet, tierSets, widenedBy, type HeldOnSome, type PowerSets } from '../graph/power.js';
import { heldOnlyOnNamed, rankedForWidening, sharedTypeWideReader, typeWideBeyond, widenFor } from '../checks/widen.js';
import type { ActionSet } from '../iam/action-set.js';
import { effectivePermissions, grantingStatements, principalPolicyInput, type EffectivePermissions } from '../iam/effective.js';
import { gatesOnApproval, parseOperator, tagFamily, type ApprovalGate } from '../iam/conditions.js';
import { globRegex, statementCovers } from '../iam/pattern.js';
import type { ConditionBlock } from '../model/policy.js';
import type { AnalyzedPrincipal } from '../checks/types.js';
import type { NeededSet } from '../baseline/needed.js';
import { isCovered } from '../baseline/needed.js';
import type { Statement } from '../model/policy.js';
import type { Snapshot, Principal } from '../model/snapshot.js';
import { isServiceLinkedRole } from '../agents/identify.js';
import { permissionSetOf } from './identity-center.js';
import { safeText } from '../safe/text.js';

const ASSUME = 'sts-assume-permissive-role';

/** The roles past a principal's assume edges that give more than it has, and the test that decided it. */
interface Wider {
  /** Roles one assume hop away (directly, or behind the graph's shared hop) that give more, by ARN (read from `parts` when first asked). */
  readonly roles: ReadonlyMap<string, GraphNodeInternal>;
  /** The same roles as they were found, in order: a role, or the classes of a shared hop's roles whose reach gives more. */
  readonly parts: readonly WiderPart[];
  /** Does this role (its reach) give more than the principal has? The same test as `roles`'. */
  readonly givesMore: (role: GraphNodeInternal) => boolean;
}

/** A role; or those of a shared hop's roles in the classes `take` marks, `except` (the principal itself) left out. */
export type WiderPart = { readonly role: GraphNodeInternal } | { readonly hub: HubRoles; readonly take: Uint8Array; readonly except?: string };

/**
 * The roles behind one shared hop (a hub: roles that trust an account, or anyone), once per graph,
 * grouped by what their reach holds (the same sets: "gives more" is one answer per class for a
 * principal with nothing held only on named resources). At 50,000 principals a hub has thousands
 * of roles and thousands of principals ask about each; the classes are few.
 */
export interface HubRoles {
  /** Distinct roles, in the hub's edge order. */
  readonly roles: readonly GraphNodeInternal[];
  /** Per role (position in `roles`), its class. */
  readonly classOf: Int32Array;
  readonly classes: readonly HubClass[];
  /** Node index → position in `roles`. */
  readonly position: ReadonlyMap<number, number>;
}
export interface HubClass extends RoleBlock {
  /** The reach power every role of the class has (graph.reachPower, 'possible'); undefined: none. */
  readonly power: PowerSets | undefined;
}

function makeWider(parts: readonly WiderPart[], givesMore: (role: GraphNodeInternal) => boolean): Wider {
  let roles: Map<string, GraphNodeInternal> | undefined;
  return { parts, givesMore, get roles() { return (roles ??= partRoles(parts)); } };
}

/** The roles of `parts`, each once, in the order found. */
function partRoles(parts: readonly WiderPart[]): Map<string, GraphNodeInternal> {
  const out = new Map<string, GraphNodeInternal>();
  for (const p of parts) {
    if ('role' in p) {
      if (!out.has(p.role.principal!.arn)) out.set(p.role.principal!.arn, p.role);
      continue;
    }
    const { roles, classOf } = p.hub;
    for (let i = 0; i < roles.length; i++) {
      const r = roles[i]!;
      if (p.take[classOf[i]!] && r.id !== p.except && !out.has(r.principal!.arn)) out.set(r.principal!.arn, r);
    }
  }
  return out;
}

/** The hub's roles and their classes, once per graph. */
function hubRolesOf(graph: AccessGraph, hub: GraphNodeInternal): HubRoles {
  let byHub = hubRolesMemo.get(graph.built);
  if (!byHub) hubRolesMemo.set(graph.built, (byHub = new Map()));
  let out = byHub.get(hub.index);
  if (out) return out;
  const roles: GraphNodeInternal[] = [];
  const position = new Map<number, number>();
  for (const r of rolesBehindHub(graph, hub)) if (!position.has(r.index)) position.set(r.index, roles.push(r) - 1);
  const classOf = new Int32Array(roles.length);
  const classes: { power: PowerSets | undefined; roles: GraphNodeInternal[] }[] = [];
  const byKey = new Map<string, number[]>();
  for (let i = 0; i < roles.length; i++) {
    const power = graph.reach.power(roles[i]!.index, 'possible');
    const key = powerKey(power);
    const same = byKey.get(key);
    let c = same?.find((k) => samePower(classes[k]!.power, power));
    if (c === undefined) {
      c = classes.push({ power, roles: [] }) - 1;
      if (same) same.push(c);
      else byKey.set(key, [c]);
    }
    classes[c]!.roles.push(roles[i]!);
    classOf[i] = c;
  }
  byHub.set(hub.index, (out = { roles, classOf, classes, position }));
  return out;
}
const hubRolesMemo = new WeakMap<object, Map<number, HubRoles>>();

/** A hash of a power's sets (equal sets, equal keys; samePower decides). */
function powerKey(p: PowerSets | undefined): string {
  if (!p) return '-';
  let h1 = 0x811c9dc5, h2 = 0x01000193;
  p.unconditional.forEachWord((w, bits) => { h1 = Math.imul(h1 ^ w, 0x01000193) ^ bits; h1 = Math.imul(h1, 0x5bd1e995); });
  p.allResources.forEachWord((w, bits) => { h2 = Math.imul(h2 ^ w, 0x5bd1e995) ^ bits; h2 = Math.imul(h2, 0x01000193); });
  return `${p.admin ? 1 : 0}:${h1 >>> 0}:${h2 >>> 0}:${p.unconditional.count()}:${p.allResources.count()}`;
}
function samePower(a: PowerSets | undefined, b: PowerSets | undefined): boolean {
  return a === b || Boolean(a && b && a.admin === b.admin && a.unconditional.equals(b.unconditional) && a.allResources.equals(b.allResources));
}

/** Marks of the hub's classes that `test` holds for, or undefined when none does. */
function classesWhere(h: HubRoles, test: (c: HubClass) => boolean): Uint8Array | undefined {
  let take: Uint8Array | undefined;
  h.classes.forEach((c, i) => { if (test(c)) (take ??= new Uint8Array(h.classes.length))[i] = 1; });
  return take;
}

/**
 * `w`'s roles for openHopsUnder: the classes of shared hops as blocks (each hub's classes merged
 * over its parts) and the other roles one by one, no role in both; `empty`: `w` has no role. Where
 * two hubs share a role, every role one by one (their union is not a union of classes).
 */
export function widerBlocks(w: Wider, graph: AccessGraph): { roles: ReadonlyMap<string, GraphNodeInternal>; blocks: readonly RoleBlock[]; empty: boolean } {
  const hubs = new Map<HubRoles, Uint8Array>();
  for (const p of w.parts) {
    if ('role' in p) continue;
    const take = hubs.get(p.hub);
    if (!take) hubs.set(p.hub, p.take.slice());
    else for (let i = 0; i < take.length; i++) take[i]! |= p.take[i]!;
  }
  if (hubs.size === 0 || (hubs.size > 1 && overlap([...hubs.keys()], graph))) return { roles: w.roles, blocks: [], empty: w.roles.size === 0 };
  const inHub = (r: GraphNodeInternal): boolean => {
    for (const [h, take] of hubs) {
      const i = h.position.get(r.index);
      if (i !== undefined && take[h.classOf[i]!]) return true;
    }
    return false;
  };
  // Roles named one by one that a block holds are left to the block (the principal itself too:
  // openHopsUnder never counts it).
  const roles = new Map<string, GraphNodeInternal>();
  for (const p of w.parts) if ('role' in p && !inHub(p.role)) roles.set(p.role.principal!.arn, p.role);
  const blocks: RoleBlock[] = [];
  for (const [h, take] of hubs) h.classes.forEach((c, i) => { if (take[i]) blocks.push(c); });
  return { roles, blocks, empty: !w.parts.some((p) => 'role' in p || p.hub.classes.some((c, i) => p.take[i] && (c.roles.length > 1 || c.roles[0]!.id !== p.except))) };
}

/** Whether any role is behind two of the hubs (once per graph and pair). */
function overlap(hubs: readonly HubRoles[], graph: AccessGraph): boolean {
  let memo = overlapMemo.get(graph.built);
  if (!memo) overlapMemo.set(graph.built, (memo = new WeakMap()));
  for (let i = 0; i < hubs.length; i++) {
    let row = memo.get(hubs[i]!);
    if (!row) memo.set(hubs[i]!, (row = new WeakMap()));
    for (let j = i + 1; j < hubs.length; j++) {
      let both = row.get(hubs[j]!);
      if (both === undefined) row.set(hubs[j]!, (both = hubs[j]!.roles.some((r) => hubs[i]!.position.has(r.index))));
      if (both) return true;
    }
  }
  return false;
}
const overlapMemo = new WeakMap<object, WeakMap<HubRoles, WeakMap<HubRoles, boolean>>>();

/**
 * What an agent holds once its right-sized fix is applied (session 42), as the guards compare
 * with it: its power (the fix's effective permissions, never more than today's), and the ranked
 * actions the fix grants only on named resources (read from the fix's own statements, as
 * `widenFor` reads today's). Made by plan.ts `agentAfterFix`; absent when no right-sized policy
 * is planned (no usage or profile, an engineer's own role, nothing of the need granted by its
 * own policies): then the guards compare with today, as before.
 */
export interface AfterFix {
  readonly power: PowerSets;
  /** Ranked ids held only on named resources after the fix (none: undefined). */
  readonly named?: { readonly ids: ActionSet; readonly held: HeldOnSome };
  /**
   * Session 43: what the fix's own policies grant (and today's sets hold) that its new boundary
   * takes out of the agent's hands: `gated`, allowed only when the approval condition holds (the
   * boundary's NeedsApproval deny), and `denied`, denied outright (DeniedOutright, NoTampering, the
   * AllowNeeded cap). Neither is in `power`: a role holding one with no approval gives more.
   * Undefined when the boundary takes nothing (or was not asked).
   */
  readonly taken?: {
    readonly gated: ActionSet;
    readonly denied: ActionSet;
    /**
     * Session 44 (resources.approvalOnlyForProduction): allowed with no approval on other
     * resources, only under the approval on resources tagged `AfterFix.production` (the boundary's
     * NeedsApproval deny tests that tag). Still in `power.unconditional`, not in its allResources.
     */
    readonly production?: ActionSet;
  };
  /**
   * Session 44: the agent's approval gate when it can meet it. A role's grant of a taken action
   * counts as behind approval only when it requires at least this gate (conditions.ts
   * requiresGate): one behind another approval condition is held with no approval.
   */
  readonly gate?: ApprovalGate;
  /** The tag test that makes a resource production for `taken.production`: key and values (StringEquals). */
  readonly production?: ProductionTag;
}

/** `aws:ResourceTag/<key>` is one of `values` (StringEquals): what the boundary's production-only approval deny tests. */
export interface ProductionTag {
  readonly key: string;
  readonly values: readonly string[];
}

/**
 * The agent's power with `taken` (the actions its boundary leaves only behind approval, or denies)
 * not held: gated-held ⊑ ungated-held. "Gives more" (`gain`) compares ungated holdings, so a role
 * holding a taken action with no approval gives more than this, never less than it gave over
 * `power` (test/fix/approval-gate-order.test.ts).
 */
export function heldUngated(power: PowerSets, taken: ActionSet, expander: AccessGraph['built']['expander']): PowerSets {
  if (taken.isEmpty()) return power;
  const allResources = power.allResources.clone().andNot(taken);
  return { unconditional: power.unconditional.clone().andNot(taken), allResources, admin: power.admin && isAdminSet(allResources, expander) };
}

/** The actions of `taken` a role's power holds with no approval (ids, ascending): what assuming it would skip. */
export function skipsApproval(role: Pick<PowerSets, 'unconditional'>, taken: ActionSet): number[] {
  return role.unconditional.intersectionIds(taken).sort((x, y) => x - y);
}

/**
 * The after-fix facts from the fix's identity policies (`p` carries them, its current boundary
 * kept: the new boundary never allows more than it) and their effective permissions. Capped by
 * today's sets, so an approval gate or an SCP of today still counts.
 */
export function afterFixOf(a: AnalyzedPrincipal, p: Principal, eff: EffectivePermissions, expander: AccessGraph['built']['expander'], snapshot: Snapshot, bounded?: EffectivePermissions, more: { readonly gate?: ApprovalGate; readonly production?: { readonly everywhere: EffectivePermissions; readonly tag: ProductionTag } } = {}): AfterFix {
  const unconditional = eff.unconditional.clone().and(a.effective.unconditional);
  const allResources = eff.allResources.clone().and(a.effective.allResources);
  const held: PowerSets = { unconditional, allResources, admin: isAdminSet(allResources, expander) };
  // Session 43: `bounded` is the same policies under the fix's new boundary (its NoUnusedRoleHops
  // aside, which denies only sts:AssumeRole on named roles and so takes no action from these sets).
  // What it takes from the unconditional set is gated (still allowed under the approval) or denied.
  const takenIds = bounded ? unconditional.clone().andNot(bounded.unconditional) : undefined;
  // Session 44: what the boundary would gate were its approval deny not production-scoped, and the
  // agent still holds with no approval (on resources without the tag): gated on production.
  const ev = more.production?.everywhere;
  const production = ev && bounded ? unconditional.clone().andNot(ev.unconditional).and(ev.allowed).and(bounded.unconditional) : undefined;
  const onProduction = production && !production.isEmpty() ? production : undefined;
  const taken = (takenIds && !takenIds.isEmpty()) || onProduction
    ? { gated: takenIds!.clone().and(bounded!.allowed), denied: takenIds!.clone().andNot(bounded!.allowed), ...(onProduction ? { production: onProduction } : {}) }
    : undefined;
  let power = taken ? heldUngated(held, takenIds!, expander) : held;
  // Held with no approval on some resources, not on every one (production needs the approval).
  if (onProduction) {
    const allResources = power.allResources.clone().andNot(onProduction);
    power = { unconditional: power.unconditional, allResources, admin: power.admin && isAdminSet(allResources, expander) };
  }
  const extra = {
    ...(taken ? { taken } : {}),
    ...(taken && more.gate ? { gate: more.gate } : {}),
    ...(onProduction && more.production ? { production: more.production.tag } : {}),
  };
  const partly = rankedForWidening({ expander }).clone().and(power.unconditional).andNot(power.allResources);
  if (partly.isEmpty()) return { power, ...extra };
  const { ids } = heldOnlyOnNamed({ expander, snapshot }, p, eff, partly.toArray());
  return ids.isEmpty() ? { power, ...extra } : { power, named: { ids, held: heldOnSome(ids, expander) }, ...extra };
}

/**
 * "Gives more" is the escalation check's: a new ranked action, or (session 38) one the principal
 * holds only on named resources that the role's reach holds on every resource (`widenFor`).
 * Session 42: with `after` (the agent once its right-sized fix is applied), a role also gives
 * more when its reach gives more than *that* — the fix takes away the broad grant that made the
 * role look like nothing new — and every role one assume hop away is asked, not only those the
 * graph's escalating edges name (those compare with today). Kept per analysed principal and
 * graph (and after-fix facts): the chain pass and the principal's own plan ask alike.
 */
export function widerRoles(a: AnalyzedPrincipal, graph: AccessGraph, snapshot?: Snapshot, after?: AfterFix, keep = true, byRole = false): Wider {
  // `byRole`: every role asked on its own, never by class (the reference the tests compare with).
  if (byRole) {
    const today = widerOf(a, graph, snapshot, true);
    return after ? widerAfter(a, graph, snapshot, today, after, true) : today;
  }
  // Not kept (`keep` false, a principal no chain pass asks about): kept, every principal's sets
  // stay as long as the graph (at 50k principals, thousands of roles behind a shared hop each).
  if (!keep && !widerMemo.get(graph.built)?.get(a)) {
    const today = widerOf(a, graph, snapshot);
    return after ? widerAfter(a, graph, snapshot, today, after) : today;
  }
  let byGraph = widerMemo.get(graph.built);
  if (!byGraph) widerMemo.set(graph.built, (byGraph = new WeakMap()));
  let w = byGraph.get(a);
  if (!w) byGraph.set(a, (w = { today: widerOf(a, graph, snapshot) }));
  if (!after) return w.today;
  let x = w.after?.get(after);
  if (!x) (w.after ??= new WeakMap()).set(after, (x = widerAfter(a, graph, snapshot, w.today, after)));
  return x;
}
const widerMemo = new WeakMap<object, WeakMap<AnalyzedPrincipal, { today: Wider; after?: WeakMap<AfterFix, Wider> }>>();

function widerOf(a: AnalyzedPrincipal, graph: AccessGraph, snapshot?: Snapshot, byRole = false): Wider {
  const expander = graph.built.expander;
  const assume = (t: string) => t === ASSUME;
  const widen = snapshot ? widenFor({ expander, snapshot }, graph, a, assume, sharedTypeWideReader({ expander, snapshot }))?.widen : undefined;
  const held = widen ? heldOnSome(widen.ids, expander) : undefined;
  const own = graph.node(a.principal.arn)?.power;
  const givesMore = (r: GraphNodeInternal): boolean => {
    const power = graph.reachPower(r.id, 'possible');
    if (!own || !power) return false;
    // Type-wide grants over what the role reaches (session 39: a role behind it holding `table/*`).
    return escalates(gain(power, own, expander)) || Boolean(held && widenedBy(held, widen!.ids, power.allResources, widen!.beyond ? widen!.beyond(r, 'possible') : widen!.at?.(r)));
  };
  const parts: WiderPart[] = [];
  for (const { edge } of graph.escalatingEdges(a.principal.arn, ASSUME, widen)) {
    const to = graph.node(edge.to);
    if (!to) continue;
    if (to.kind === 'role' && to.principal) parts.push({ role: to });
    // A shared hop (roles that trust the account, or anyone): the roles behind it that give more;
    // by class, unless the principal holds something only on named resources (then role by role).
    else if (to.kind === 'hub') {
      const h = hubRolesOf(graph, to);
      if (held || byRole) { for (const r of h.roles) if (givesMore(r)) parts.push({ role: r }); continue; }
      const take = own && classesWhere(h, (c) => Boolean(c.power && escalates(gain(c.power, own, expander))));
      if (take) parts.push({ hub: h, take });
    }
  }
  return makeWider(parts, givesMore);
}

/**
 * Today's roles, and those whose reach gives more than the agent keeps after its fix. The fix
 * never allows more than today, so what gave more today still does; the union only guards
 * against where the two readings are approximate (bounds of the scope readers).
 */
function widerAfter(a: AnalyzedPrincipal, graph: AccessGraph, snapshot: Snapshot | undefined, today: Wider, after: AfterFix, byRole = false): Wider {
  const expander = graph.built.expander;
  const beyond = snapshot && after.named ? typeWideBeyond({ expander }, graph, sharedTypeWideReader({ expander, snapshot })) : undefined;
  const self = a.principal.arn;
  const ranked = after.taken?.production ? rankedOf(expander) : undefined;
  const more = (r: GraphNodeInternal): boolean => {
    // Assuming itself gives back what the fix leaves (its reach is read from today's policies).
    if (r.id === self) return false;
    const power = reachAgainstGate(graph, r, after);
    if (!power) return false;
    const n = after.named;
    return escalates(gain(power, after.power, expander)) || Boolean(n && widenedBy(n.held, n.ids, power.allResources, beyond?.(r, 'possible')))
      // Session 44: a ranked action the agent may do on production only with approval, held with none where production may be.
      || Boolean(ranked && productionReach(graph, r, after).some((id) => ranked.has(id)));
  };
  const givesMore = (r: GraphNodeInternal): boolean => today.givesMore(r) || more(r);
  const parts: WiderPart[] = [...today.parts];
  const node = graph.node(self);
  // Role by role where the role's own policies or resources decide (its reach against the gate,
  // type-wide grants, production); else by class, as widerOf does.
  const perRole = byRole || Boolean(after.gate && after.taken) || Boolean(after.named) || Boolean(ranked);
  const known = perRole ? today.roles : undefined;
  if (node) {
    for (const e of graph.built.out[node.index] ?? []) {
      if (e.technique !== ASSUME) continue;
      const to = graph.node(e.to);
      if (to?.kind === 'role' && to.principal) {
        if (!known?.has(to.id) && more(to)) parts.push({ role: to });
      } else if (to?.kind === 'hub') {
        const h = hubRolesOf(graph, to);
        if (perRole) { for (const r of h.roles) if (!known!.has(r.id) && more(r)) parts.push({ role: r }); continue; }
        const take = classesWhere(h, (c) => Boolean(c.power && escalates(gain(c.power, after.power, expander))));
        if (take) parts.push({ hub: h, take, except: self });
      }
    }
  }
  return makeWider(parts, givesMore);
}

/** A role the agent may assume that holds, with no approval, what the fix's boundary takes from the agent (session 43). */
export interface ApprovalSkip {
  readonly role: string;
  /** Taken actions (ids) the role's reach holds with no approval: itself or the roles it becomes. */
  readonly reach: readonly number[];
  /** Of those, the ones the boundary still allows the agent under approval (gated, not denied). */
  readonly gated: readonly number[];
  /** Taken actions the role itself holds with no approval (not only through roles behind it). */
  readonly own: readonly number[];
  /** Of `own`, the gated ones: a hop the agent used is gated on approval for these. */
  readonly ownGated: readonly number[];
  /** Session 44: of `reach`, those the agent may do with no approval except on production (`AfterFix.production`). */
  readonly production?: readonly number[];
}

/** Ranked actions (IAM writes, destructive, credential access): those whose gain escalates. */
function rankedOf(expander: AccessGraph['built']['expander']): ActionSet {
  let r = rankedMemo.get(expander);
  if (!r) {
    const t = tierSets(expander);
    rankedMemo.set(expander, (r = t.iamWrite.clone().or(t.destructive).or(t.credentialAccess)));
  }
  return r;
}
const rankedMemo = new WeakMap<object, ActionSet>();

/** The role itself and every principal its reach becomes (the nodes `reachPower` unites). */
function reachNodes(graph: AccessGraph, r: GraphNodeInternal): GraphNodeInternal[] {
  return [r, ...graph.reachable(r.id, 'possible')];
}

/**
 * Session 44: a principal's power with the agent's taken actions read against the agent's own
 * gate (`after.gate`): a grant of one of them behind another approval condition is held with no
 * approval (conditions.ts requiresGate). Its identity policies and boundary read again under the
 * gate; only actions it is allowed at all today (SCPs, time, everything else as the scan read
 * them) and that the fix takes from the agent are added, so it never holds less than before and
 * no other action changes. Without a gate: its power as the graph has it.
 */
function powerAgainstGate(n: GraphNodeInternal, after: AfterFix, expander: AccessGraph['built']['expander']): PowerSets {
  const gate = after.gate;
  const taken = after.taken;
  if (!gate || !taken || !n.principal || !n.effective || (n.kind !== 'role' && n.kind !== 'user')) return n.power;
  let byNode = gatedPowers.get(after);
  if (!byNode) gatedPowers.set(after, (byNode = new Map()));
  let p = byNode.get(n.id);
  if (p) return p;
  const scope = taken.gated.clone().or(taken.denied);
  if (taken.production) scope.or(taken.production);
  scope.and(n.effective.allowed);
  // Nothing taken is allowed to it at all: nothing to read again.
  if (scope.isEmpty()) p = n.power;
  else {
    const rel = effectivePermissions({ ...principalPolicyInput(n.principal), gate, once: true }, expander);
    const unconditional = n.power.unconditional.clone().or(rel.unconditional.clone().and(scope));
    const allResources = n.power.allResources.clone().or(rel.allResources.clone().and(scope));
    p = unconditional.equals(n.power.unconditional) && allResources.equals(n.power.allResources) ? n.power : { unconditional, allResources, admin: n.power.admin || isAdminSet(allResources, expander) };
  }
  byNode.set(n.id, p);
  return p;
}
const gatedPowers = new WeakMap<AfterFix, Map<string, PowerSets>>();

/** A role's reach (itself and the principals it becomes) with the taken actions read against the agent's gate. */
function reachAgainstGate(graph: AccessGraph, r: GraphNodeInternal, after: AfterFix): PowerSets | undefined {
  const base = graph.reachPower(r.id, 'possible');
  if (!base || !after.gate || !after.taken) return base;
  // Asked by widerRoles and approvalSkips alike: each role's reach is walked once per agent's after-fix facts.
  let byRole = gatedReaches.get(after);
  if (!byRole) gatedReaches.set(after, (byRole = new Map()));
  const hit = byRole.get(r.id);
  if (hit) return hit;
  const out = reachAgainstGateFresh(graph, r, after, base);
  byRole.set(r.id, out);
  return out;
}
const gatedReaches = new WeakMap<AfterFix, Map<string, PowerSets>>();

function reachAgainstGateFresh(graph: AccessGraph, r: GraphNodeInternal, after: AfterFix, base: PowerSets): PowerSets {
  let unconditional: ActionSet | undefined;
  let allResources: ActionSet | undefined;
  for (const n of reachNodes(graph, r)) {
    const p = powerAgainstGate(n, after, graph.built.expander);
    if (p === n.power) continue;
    (unconditional ??= base.unconditional.clone()).or(p.unconditional);
    (allResources ??= base.allResources.clone()).or(p.allResources);
  }
  if (!unconditional) return base;
  return { unconditional, allResources: allResources!, admin: base.admin || isAdminSet(allResources!, graph.built.expander) };
}

/** productionHeld over a role's reach, once per role and agent's after-fix facts. */
function productionReach(graph: AccessGraph, r: GraphNodeInternal, after: AfterFix): readonly number[] {
  let byRole = productionReaches.get(after);
  if (!byRole) productionReaches.set(after, (byRole = new Map()));
  let ids = byRole.get(r.id);
  if (!ids) byRole.set(r.id, (ids = productionHeld(graph, reachNodes(graph, r), after)));
  return ids;
}
const productionReaches = new WeakMap<AfterFix, Map<string, readonly number[]>>();

/**
 * Session 44: the production-gated actions (`after.taken.production`) that some of `nodes` holds
 * with no approval (against the agent's gate) where production may be: on every resource, or
 * through a grant leash cannot show stays off production (`mayReachProduction`). Ids, ascending.
 */
function productionHeld(graph: AccessGraph, nodes: readonly GraphNodeInternal[], after: AfterFix): number[] {
  const production = after.taken?.production;
  const tag = after.production;
  if (!production || !tag) return [];
  const out = new Set<number>();
  for (const n of nodes) {
    const p = powerAgainstGate(n, after, graph.built.expander);
    for (const id of p.unconditional.intersectionIds(production)) {
      if (out.has(id)) continue;
      const action = graph.built.expander.catalog.actions[id]!;
      // A principal that may tag that service's resources may take the production tag off one (or
      // put its own on), so no tag test of its grants keeps it off production.
      const provable = (n.kind === 'role' || n.kind === 'user') && n.principal !== undefined && !retags(p, action.service, graph.built.expander);
      if (!provable || mayReachProduction(n.principal!, action.key, tag, after.gate, p.allResources.has(id))) out.add(id);
    }
  }
  return [...out].sort((x, y) => x - y);
}

/**
 * The roles one assume hop from the agent (as `widerRoles` asks them) that would let it skip what
 * its new boundary takes (`after.taken`): each holds, with no approval, an action the agent keeps
 * only behind approval or not at all. A role whose own grant of it is gated on approval holds it
 * conditionally, so it is not in its power's unconditional set and is not listed.
 */
export function approvalSkips(a: AnalyzedPrincipal, graph: AccessGraph, after: AfterFix | undefined): ReadonlyMap<string, ApprovalSkip> {
  const out = new Map<string, ApprovalSkip>();
  const taken = after?.taken;
  const node = graph.node(a.principal.arn);
  if (!taken || !node) return out;
  const all = taken.gated.clone().or(taken.denied);
  const gated = taken.production ? taken.gated.clone().or(taken.production) : taken.gated;
  const union = (x: readonly number[], y: readonly number[]) => [...new Set([...x, ...y])].sort((p, q) => p - q);
  for (const r of assumable(graph, node)) {
    if (r.id === a.principal.arn) continue;
    const power = reachAgainstGate(graph, r, after!);
    const prodReach = taken.production ? productionReach(graph, r, after!) : [];
    const reach = union(power ? skipsApproval(power, all) : [], prodReach);
    if (reach.length === 0) continue;
    const own = union(skipsApproval(powerAgainstGate(r, after!, graph.built.expander), all), taken.production ? productionHeld(graph, [r], after!) : []);
    const production = reach.filter((id) => taken.production?.has(id) === true);
    out.set(r.id, { role: r.id, reach, gated: reach.filter((id) => gated.has(id)), own, ownGated: own.filter((id) => gated.has(id)), ...(production.length > 0 ? { production } : {}) });
  }
  return out;
}

/**
 * Session 44: may this principal's grants of `action` (with no approval, against `gate`) reach a
 * production resource, one tagged `tag`? Decided from its statements, conservatively: no, only
 * when (a) a Deny of its own (identity policies or boundary) on every resource, with no test but
 * positive ones of that tag covering every production value, takes the action off production, or
 * (b) every ungated Allow of it has a positive test of that tag whose values match no production
 * value (ABAC on env=dev) and it is not held on every resource (`everywhere`: the effective
 * stage's reading). Named resources prove nothing (their tags are not read here), nor does any
 * other test; no Allow found (held some other way): yes. The caller asks only for principals that
 * cannot retag the service's resources (`retags`).
 */
export function mayReachProduction(p: Principal, action: string, tag: ProductionTag, gate?: ApprovalGate, everywhere = false): boolean {
  const docs = [...p.policies.map((x) => x.document), ...(p.boundary ? [p.boundary.document] : [])];
  for (const d of docs) {
    for (const st of d.statements) {
      if (st.effect !== 'Deny' || st.notResource || !(st.resource ?? ['*']).includes('*') || !statementCovers(st, action)) continue;
      const tests = st.condition ? tagTests(st.condition, tag) : undefined;
      if (tests && tests.length > 0 && tests.every((t) => tag.values.every((v) => t.matches(v)))) return false;
    }
  }
  if (everywhere) return true;
  const grants = grantingStatements(p.policies, action, p).filter(({ statement: st }) => !gatesOnApproval(st.condition, 'Allow', gate));
  if (grants.length === 0) return true;
  return grants.some(({ statement: st }) => !(st.condition && (tagTests(st.condition, tag, true) ?? []).some((t) => !tag.values.some((v) => t.matches(v)))));
}

/**
 * The positive tests of the production tag key in a condition (StringEquals, StringEqualsIgnoreCase,
 * StringLike; no IfExists, no set operator), each as "would a resource tagged this value match".
 * Undefined when the block holds any other test, unless `others` (then those are skipped).
 */
function tagTests(condition: ConditionBlock, tag: ProductionTag, others = false): { readonly matches: (value: string) => boolean }[] | undefined {
  const out: { matches: (value: string) => boolean }[] = [];
  const want = tag.key.toLowerCase();
  for (const [opName, keys] of Object.entries(condition)) {
    const op = parseOperator(opName);
    for (const [key, raw] of Object.entries(keys)) {
      const values = (Array.isArray(raw) ? raw : [raw]).map(String);
      const family = tagFamily(key);
      const onKey = family === 'resourcetag' && key.toLowerCase().startsWith('aws:') && key.slice(key.indexOf('/') + 1).toLowerCase() === want;
      const plain = op && !op.set && !op.ifExists && ['stringequals', 'stringequalsignorecase', 'stringlike'].includes(op.name);
      if (!onKey || !plain || values.some((v) => v.includes('${'))) {
        if (others) continue;
        return undefined;
      }
      const name = op.name;
      out.push({ matches: (v) => values.some((pv) => (name === 'stringequals' ? pv === v : name === 'stringequalsignorecase' ? pv.toLowerCase() === v.toLowerCase() : globRegex(pv).test(v))) });
    }
  }
  return out;
}

/** May this power tag resources of `service` (a Tagging-level action of it with no approval, on every resource)? */
function retags(power: PowerSets, service: string, expander: AccessGraph['built']['expander']): boolean {
  let byService = taggingMemo.get(expander);
  if (!byService) taggingMemo.set(expander, (byService = new Map()));
  let ids = byService.get(service);
  if (!ids) byService.set(service, (ids = (expander.catalog.byService.get(service) ?? []).filter((a) => a.accessLevels.includes('Tagging')).map((a) => a.id)));
  return ids.some((id) => power.allResources.has(id));
}
const taggingMemo = new WeakMap<object, Map<string, readonly number[]>>();

function rolesBehindHub(graph: AccessGraph, hub: GraphNodeInternal): GraphNodeInternal[] {
  const out: GraphNodeInternal[] = [];
  for (const e of graph.built.out[hub.index] ?? []) {
    const r = graph.node(e.to);
    if (r?.kind === 'role' && r.principal) out.push(r);
  }
  return out;
}

/** The roles a role may assume (its assume edges, and the roles behind a shared hop it reaches). */
function assumable(graph: AccessGraph, from: GraphNodeInternal): GraphNodeInternal[] {
  const out = new Map<string, GraphNodeInternal>();
  for (const e of graph.built.out[from.index] ?? []) {
    if (e.technique !== ASSUME) continue;
    const to = graph.node(e.to);
    if (to?.kind === 'role' && to.principal) out.set(to.id, to);
    else if (to?.kind === 'hub') for (const r of rolesBehindHub(graph, to)) out.set(r.id, r);
  }
  return [...out.values()];
}

/** Whether the principal may assume any role at all (an assume edge out of it). */
export function assumesAny(graph: AccessGraph, arn: string): boolean {
  const n = graph.node(arn);
  return Boolean(n && (graph.built.out[n.index] ?? []).some((e) => e.technique === ASSUME));
}

/** The sts:AssumeRole targets usage shows, or undefined when they are not known (not covered, a truncated sample). */
export function observedAssumes(a: Pick<AnalyzedPrincipal, 'usage'>, covered: boolean): ReadonlySet<string> | undefined {
  if (!covered) return undefined;
  const used = a.usage?.actions.find((u) => u.action.toLowerCase() === 'sts:assumerole');
  if (used?.truncated) return undefined;
  return new Set(used?.resources ?? []);
}

/** Why a chain stays open at its middle role. */
export type ChainOpen =
  /** The middle role's sessions assumed the far role in the window: denying it would break them. */
  | 'used'
  /** The middle role's usage does not cover the window (or its assume calls are a sample). */
  | 'unknown'
  /** No fix of the middle role can carry the deny (why: a phrase). */
  | { readonly notPlanned: string };

/**
 * agent → path… → each of `to`: the agent was seen assuming path[0], each role of the path was
 * seen assuming the next (session 42; session 40 followed one role), `via` is the last, and each
 * `to` gives more than the agent keeps.
 */
export interface HopChain {
  readonly via: string;
  /** The middle roles from the agent's first hop to `via` (its last element), each seen assuming the next. */
  readonly path: readonly string[];
  /** Far roles whose hop `via`'s boundary denies (closed). */
  readonly closed: readonly string[];
  /** Far roles left open, and why. */
  readonly open: readonly { readonly to: string; readonly why: ChainOpen }[];
  /** Roles `via` was seen assuming that are not followed: the chain already holds MAX_CHAIN_ROLES roles. */
  readonly notFollowed?: readonly string[];
}

/**
 * At most this many middle roles in a chain, each seen assuming the next (agent → m1 → m2 → m3 →
 * m4 → far): a bound on the walk, stated in the note of a chain that goes on past it. Four covers
 * the hub/relay/deploy layouts seen in practice with room to spare; each role is visited once per
 * agent (a cycle a → b → a ends), so the walk is at most the agent's observed reach.
 */
export const MAX_CHAIN_ROLES = 4;

/** A middle role's boundary guard: the far roles it denies, the agents that act through it, and their chains to it. */
export interface HopGuard {
  readonly deny: readonly string[];
  readonly agents: readonly string[];
  /** Each chain to this role as ARNs, the agent first and this role last (sorted; one per agent and path). */
  readonly paths: readonly (readonly string[])[];
}

export interface HopChains {
  /** A middle role's ARN → the far roles its boundary denies, and the agents that act through it. */
  readonly guards: ReadonlyMap<string, HopGuard>;
  /** An agent's ARN → the chains through roles it was seen assuming. */
  readonly chains: ReadonlyMap<string, readonly HopChain[]>;
}

export const NO_CHAINS: HopChains = { guards: new Map(), chains: new Map() };

/**
 * Why no fix of this role can carry a hop deny, or undefined when one can. An agent's own plan
 * always carries its boundary; otherwise leash writes a boundary of its own for the role, which
 * needs a role whose boundary IAM lets a customer set, and whose current boundary (replaced by
 * the new one) leash has read so it can keep it.
 */
function notPlannable(b: AnalyzedPrincipal | undefined, snapshot: Snapshot): string | undefined {
  if (!b) return 'it is not in this scan\'s account';
  if (b.isAgent) return undefined;
  const p: Principal = b.principal;
  if (p.kind !== 'role') return 'it is not a role';
  if (isServiceLinkedRole(p)) return 'it is a service-linked role, whose boundary AWS does not let a customer set';
  if (permissionSetOf(p, snapshot)) return 'IAM Identity Center owns it';
  if (p.boundaryArn && !p.boundary) return `its current permissions boundary ${p.boundaryArn} is not in the export, so a replacement could not keep it`;
  return undefined;
}

/**
 * The chains of every agent of one account whose usage covers the window and was seen assuming a
 * role that gives more: which far roles each middle role's boundary denies, which stay open.
 * Session 42: a middle role seen assuming another (its usage covers the window, untruncated) is
 * followed there too, breadth first (shortest chain first), up to MAX_CHAIN_ROLES roles, each
 * role once per agent.
 */
export function hopChains(analyzed: readonly AnalyzedPrincipal[], needed: ReadonlyMap<string, NeededSet>, graph: AccessGraph | undefined, snapshot: Snapshot, afterOf: (a: AnalyzedPrincipal) => AfterFix | undefined = () => undefined): HopChains {
  if (!graph) return NO_CHAINS;
  const byArn = new Map(analyzed.map((a) => [a.principal.arn, a] as const));
  const guards = new Map<string, { deny: Set<string>; agents: Set<string>; paths: Map<string, string[]> }>();
  const chains = new Map<string, HopChain[]>();
  for (const a of analyzed) {
    if (!a.isAgent) continue;
    const seen = observedAssumes(a, needed.get(a.principal.arn)?.covered === true);
    // Unknown is not unused: without covered usage the agent's own guards are off, and no hop is "seen".
    if (!seen || seen.size === 0) continue;
    // Far roles are judged against what the agent keeps after its own fix (session 42), as its first hops are.
    const wider = widerRoles(a, graph, snapshot, afterOf(a));
    const list: HopChain[] = [];
    const queue: string[][] = [...wider.roles.keys()].filter((r) => seen.has(r)).sort().map((r) => [r]);
    const visited = new Set<string>([a.principal.arn, ...queue.map((q) => q[0]!)]);
    for (let qi = 0; qi < queue.length; qi++) {
      const path = queue[qi]!;
      const via = path[path.length - 1]!;
      const node = graph.node(via);
      if (!node) continue;
      const far = assumable(graph, node).filter((c) => c.id !== a.principal.arn && !path.includes(c.id) && wider.givesMore(c)).map((c) => c.id).sort();
      if (far.length === 0) continue;
      const b = byArn.get(via);
      const notPlanned = notPlannable(b, snapshot);
      // What the middle role assumed, when known (covered, not a sample): decides closing, and where the chain goes on.
      const bSeen = b ? observedAssumes(b, isCovered(snapshot.usage, via)) : undefined;
      const closed: string[] = [];
      const open: { to: string; why: ChainOpen }[] = [];
      const notFollowed: string[] = [];
      for (const to of far) {
        if (notPlanned) open.push({ to, why: { notPlanned } });
        else if (!bSeen) open.push({ to, why: 'unknown' });
        else if (bSeen.has(to)) open.push({ to, why: 'used' });
        else closed.push(to);
        if (!bSeen?.has(to)) continue;
        if (path.length >= MAX_CHAIN_ROLES) notFollowed.push(to);
        else if (!visited.has(to)) { visited.add(to); queue.push([...path, to]); }
      }
      if (closed.length > 0) {
        let g = guards.get(via);
        if (!g) guards.set(via, (g = { deny: new Set(), agents: new Set(), paths: new Map() }));
        for (const c of closed) g.deny.add(c);
        g.agents.add(a.principal.arn);
        const full = [a.principal.arn, ...path];
        g.paths.set(full.join('\n'), full);
      }
      list.push({ via, path, closed, open, ...(notFollowed.length > 0 ? { notFollowed } : {}) });
    }
    if (list.length > 0) chains.set(a.principal.arn, list);
  }
  const sorted = new Map([...guards].sort(([x], [y]) => (x < y ? -1 : 1)).map(([k, g]) => [k, { deny: [...g.deny].sort(), agents: [...g.agents].sort(), paths: [...g.paths].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)).map(([, v]) => v) }] as const));
  return { guards: sorted, chains };
}

/** At most this many characters of role ARNs in one NoUnusedRoleHops statement: a third of the boundary's 6,144. */
export const HOP_DENY_CHARS = 2_048;

/**
 * The NoUnusedRoleHops statement for these roles, fitted to HOP_DENY_CHARS (each ARN as JSON
 * writes it, with its comma), and the roles that did not fit. Administrator roles first (the
 * widest hop), then by ARN; what is left out is returned to be said, never dropped silently.
 */
export function hopDeny(roles: Iterable<string>, graph: AccessGraph | undefined, limit = HOP_DENY_CHARS): { readonly statement?: Statement; readonly left: readonly string[]; readonly used: number } {
  const { kept, left, used } = fitRoles(roles, graph, limit);
  return { ...(kept.length > 0 ? { statement: { index: 0, sid: 'NoUnusedRoleHops', effect: 'Deny', action: ['sts:AssumeRole'], resource: kept } } : {}), left, used };
}

/**
 * Session 43: the GatedRoleHops statement — sts:AssumeRole on roles the agent was seen assuming
 * (so never denied) that hold with no approval what its boundary gates, denied unless the approval
 * condition holds (`denyWhen`, the boundary's NeedsApproval condition). Fitted like hopDeny, to
 * what NoUnusedRoleHops left of HOP_DENY_CHARS.
 */
export function hopGate(roles: Iterable<string>, graph: AccessGraph | undefined, denyWhen: NonNullable<Statement['condition']>, limit: number): { readonly statement?: Statement; readonly left: readonly string[] } {
  const { kept, left } = fitRoles(roles, graph, limit);
  return { ...(kept.length > 0 ? { statement: { index: 0, sid: 'GatedRoleHops', effect: 'Deny', action: ['sts:AssumeRole'], resource: kept, condition: denyWhen } } : {}), left };
}

function fitRoles(roles: Iterable<string>, graph: AccessGraph | undefined, limit: number): { kept: string[]; left: string[]; used: number } {
  const admin = (arn: string) => (graph?.reachPower(arn, 'possible')?.admin ? 0 : 1);
  const order = [...new Set(roles)].sort((x, y) => admin(x) - admin(y) || (x < y ? -1 : x > y ? 1 : 0));
  const kept: string[] = [];
  const left: string[] = [];
  let used = 0;
  for (const arn of order) {
    const cost = JSON.stringify(arn).length + 1;
    if (left.length === 0 && used + cost <= limit) { kept.push(arn); used += cost; } else left.push(arn);
  }
  return { kept: kept.sort(), left, used };
}

/** Names for a note: the graph's principal name (escaped), at most `max` of them, then how many more. */
function names(arns: readonly string[], graph: AccessGraph | undefined, max = 5): string {
  const n = arns.map((x) => safeText(graph?.node(x)?.principal?.name ?? x));
  return n.length <= max ? n.join(', ') : `${n.slice(0, max).join(', ')} and ${n.length - max} more`;
}

/** The note when the hop deny did not hold every role: which stay assumable, and what would close them. */
export function hopDenyLeftNote(left: readonly string[], kept: number, graph: AccessGraph | undefined): string | undefined {
  if (left.length === 0) return undefined;
  return `To fit the 6,144-character limit NoUnusedRoleHops names ${kept} of ${kept + left.length} roles that give more and were never assumed (administrators first, then by ARN; at most ${HOP_DENY_CHARS.toLocaleString('en-US')} characters of ARNs); these ${left.length} stay assumable: ${names(left, graph, 8)}. Deny sts:AssumeRole on them in another policy, or narrow their trust policies.`;
}

/**
 * The agent's notes on its chains: one per middle role and outcome, naming the chain
 * (agent → via → far) and what closes it. `fixOf(via)`: the middle role's boundary fix id.
 */
export function chainNotes(agentArn: string, chains: readonly HopChain[] | undefined, graph: AccessGraph | undefined, fixOf: (via: string) => string): string[] {
  if (!chains) return [];
  const name = (x: string) => safeText(graph?.node(x)?.principal?.name ?? x);
  const agent = name(agentArn);
  const out: string[] = [];
  for (const c of chains) {
    const via = name(c.via);
    const path = c.path.length > 0 ? c.path : [c.via];
    const head = `Role chain ${[agent, ...path.map(name)].join(' → ')} →`;
    const seen = path.length === 1
      ? `${agent} was seen assuming ${via}, so this boundary does not deny it, and ${via}'s sessions are not bounded by it`
      : `${agent} was seen assuming ${name(path[0]!)}${path.slice(1).map((m, i) => `, ${name(path[i]!)} assuming ${name(m)}`).join('')}, so leash denies none of those hops, and ${via}'s sessions are not bounded by this boundary`;
    if (c.closed.length > 0) out.push(`${head} ${names(c.closed, graph)}: ${seen}; ${via} never assumed ${names(c.closed, graph)} in the usage window, so the chain is closed by ${via}'s own permissions boundary (NoUnusedRoleHops: fix ${fixOf(c.via)}, unless the boundary in place already says it). Apply it with this one.`);
    const by = (test: (w: ChainOpen) => boolean) => c.open.filter((o) => test(o.why)).map((o) => o.to);
    const used = by((w) => w === 'used');
    const unknown = by((w) => w === 'unknown');
    const closeBy = (to: readonly string[]) => `remove sts:AssumeRole on ${names(to, graph)} from ${via}'s policies, or narrow the trust ${to.length === 1 ? 'policy' : 'policies'} of ${names(to, graph)}`;
    if (used.length > 0) out.push(`${head} ${names(used, graph)} stays open: ${seen}; ${via}'s sessions assumed ${names(used, graph)} in the usage window, so leash denies neither hop. Closing it needs a change to ${via} or to what it assumes: ${closeBy(used)}, if the workload does not need the chain.`);
    if (unknown.length > 0) out.push(`${head} ${names(unknown, graph)} stays open: ${seen}; ${via}'s usage does not cover the window (or its sts:AssumeRole calls are a sample), so whether it needs ${unknown.length === 1 ? 'that hop' : 'those hops'} is not known and leash denies nothing there. Closing it: scan again with usage covering ${via} (its boundary then denies the hops it never made), or ${closeBy(unknown)}.`);
    const reasons = new Map<string, string[]>();
    for (const o of c.open) if (typeof o.why === 'object') reasons.set(o.why.notPlanned, [...(reasons.get(o.why.notPlanned) ?? []), o.to]);
    for (const [why, to] of reasons) out.push(`${head} ${names(to, graph)} stays open: ${seen}; leash writes no fix for ${via} (${safeText(why)}). Closing it: ${closeBy(to)}.`);
    if (c.notFollowed) out.push(`${head} ${names(c.notFollowed, graph)} → …: not followed further: leash follows a chain through at most ${MAX_CHAIN_ROLES} roles each seen assuming the next, and ${via}'s sessions assumed ${names(c.notFollowed, graph)}, so what ${c.notFollowed.length === 1 ? 'that role' : 'those roles'} may assume in turn is not asked. Closing it: check ${names(c.notFollowed, graph)}'s own sts:AssumeRole grants and the trust policies of the roles ${c.notFollowed.length === 1 ? 'it reaches' : 'they reach'}, or ${closeBy(c.notFollowed)}.`);
  }
  return out;
}

/**
 * How the agents reach a middle role, for its guard's texts: "was seen assuming hub", or (session
 * 42) "acts through relay by a chain of roles each seen assuming the next (kiro-agent → hub →
 * relay)", or both. `me` is the role's name, escaped.
 */
export function reachedText(g: Pick<HopGuard, 'agents' | 'paths'>, me: string, graph: AccessGraph | undefined): string {
  const many = g.agents.length > 1;
  const long = g.paths.filter((x) => x.length > 2);
  const seen = `${many ? 'were' : 'was'} seen assuming ${me}`;
  if (long.length === 0) return seen;
  const name = (x: string) => safeText(graph?.node(x)?.principal?.name ?? x);
  const shown = `${long.slice(0, 3).map((x) => x.map(name).join(' → ')).join('; ')}${long.length > 3 ? `; and ${long.length - 3} more` : ''}`;
  const chain = `by a chain of roles each seen assuming the next (${shown})`;
  return long.length === g.paths.length ? `${many ? 'act' : 'acts'} through ${me} ${chain}` : `${seen}, or reach it ${chain}`;
}

/** On a middle role that is an agent itself: which of its NoUnusedRoleHops roles are there for the agents acting through it. */
export function chainedHere(chains: HopChains, arn: string, graph: AccessGraph | undefined): string[] {
  const g = chains.guards.get(arn);
  if (!g) return [];
  const me = safeText(graph?.node(arn)?.principal?.name ?? arn);
  return [`NoUnusedRoleHops also names ${names(g.deny, graph)}: ${names(g.agents, graph)} ${reachedText(g, me, graph)}, and could chain through it to ${g.deny.length === 1 ? 'a role that gives' : 'roles that give'} more than ${g.agents.length === 1 ? 'it has' : 'they have'}; ${me} never assumed ${g.deny.length === 1 ? 'it' : 'them'} in the usage window.`];
}
