// Why each action of a fix is kept, gated behind approval or removed — per service, so a reviewer
// reads the change as "ec2: 12 kept (observed…), 480 removed (unused…)" rather than as a text diff.
// Pure: everything comes from the needed set's provenance, the usage and the fix's effect.
import type { ActionReason, ActionReasonCode, ReasonGroup, ServiceReasons } from '../model/fix.js';
import type { PrincipalUsage } from '../model/usage.js';
import type { ActionSet } from '../iam/action-set.js';
import { countByService } from '../iam/service-counts.js';
import type { EffectivePermissions } from '../iam/effective.js';
import type { ActionExpander } from '../iam/pattern.js';
import { actionIndex } from '../checks/analyze.js';
import type { NeededSet } from '../baseline/needed.js';
import { withheldReadWhy } from '../baseline/sensitive-reads.js';

export interface ReasonInput {
  /** What the principal may do today. */
  readonly current: ActionSet;
  /** What it may do once the fix is in place. */
  readonly after: EffectivePermissions;
  readonly needed: NeededSet;
  readonly usage?: PrincipalUsage;
  readonly window?: { readonly start: string; readonly end: string };
  /** Destructive actions and escalation legs (the approval deny's list). */
  readonly forbidden: ActionSet;
  /** Denied by the fix whatever happens (removing the boundary, stopping CloudTrail…). */
  readonly guardrail?: ActionSet;
  /** A boundary's: the approval condition's own guards it always denies (MFA device changes for an MFA approval), and why. */
  readonly approvalGuard?: { readonly actions: ActionSet; readonly why: string };
  /** The approval condition, and whether this principal can meet it. */
  readonly approval?: { readonly id: string; readonly meetable: boolean };
  /** Kept actions with no known need (a boundary that caps nothing): one line per service instead of one per action. */
  readonly notRestricted?: string;
  /** Actions the fix removes on purpose although needed (a session policy without the gated ones). */
  readonly withheld?: { readonly actions: ActionSet; readonly detail: string };
}

const day = (iso: string) => iso.slice(0, 10);
const REASON_ORDER: readonly ActionReasonCode[] = ['observed', 'declared', 'service-evidence', 'data-event-unknown', 'read-sibling', 'not-restricted', 'destructive', 'escalation', 'guardrail', 'sensitive-read', 'deny-wildcard', 'not-declared', 'unused'];

/**
 * `perAction` (tests) classifies every action one by one: the reference form of the count the
 * kept-as-today actions of a boundary that caps nothing get per service (`rest`).
 */
export function actionReasons(input: ReasonInput, expander: ActionExpander, opts: { readonly perAction?: boolean; readonly shared?: SharedReasons } = {}): ServiceReasons[] {
  const { after, needed } = input;
  const prov = needed.provenance;
  const destructive = actionIndex(expander).destructive;
  const usage = new Map((input.usage?.actions ?? []).filter((u) => u.count > 0).map((u) => [u.action.toLowerCase(), u]));
  const observedDetail = (key: string) => {
    const u = usage.get(key.toLowerCase());
    return u ? `observed ${u.count} time${u.count === 1 ? '' : 's'}, last on ${day(u.lastSeen)}` : undefined;
  };
  const universe = input.current.clone().or(after.allowed);
  // With no known need to cap to, most actions (20k for a broad role) end in one count per
  // service: those are counted by word (countByService), and only the others classified one by one.
  const rest = input.notRestricted !== undefined && !opts.perAction ? keptAsToday(input) : undefined;
  if (rest) universe.andNot(rest);
  const byService = new Map<string, { actions: Listed[]; rest?: { count: number; detail: string } }>();
  const counts = new Map<string, { kept: number; gated: number; removed: number }>();
  const forbiddenKind = (id: number): ActionReasonCode => (destructive.has(id) ? 'destructive' : 'escalation');
  // Catalog ids run by service: the previous action's service entry is nearly always this one's,
  // which saves two map lookups per action of a set of 20k.
  let lastService: string | undefined;
  let entry!: { actions: Listed[]; rest?: { count: number; detail: string } };
  let c!: { kept: number; gated: number; removed: number };
  for (const id of universe.ids()) {
    const a = expander.catalog.actions[id]!;
    if (a.service !== lastService) {
      lastService = a.service;
      let e = byService.get(a.service);
      if (!e) byService.set(a.service, (e = { actions: [] }));
      entry = e;
      let k = counts.get(a.service);
      if (!k) counts.set(a.service, (k = { kept: 0, gated: 0, removed: 0 }));
      c = k;
    }
    const obs = prov.observed.has(id) ? observedDetail(a.key) : undefined;
    const withheld = input.withheld?.actions.has(id) ?? false;
    if (after.allowed.has(id) && !withheld) {
      const gated = !after.unconditional.has(id) && input.forbidden.has(id) && input.current.has(id);
      if (gated) {
        c.gated++;
        entry.actions.push({ id, action: a.key, decision: 'gated', reason: forbiddenKind(id), detail: `${obs ? `${obs}; ` : ''}allowed only when approved (${input.approval?.id ?? 'approval condition'})` });
        continue;
      }
      c.kept++;
      const declared = prov.declared.find((d) => d.actions.has(id));
      if (obs) entry.actions.push({ id, action: a.key, decision: 'kept', reason: 'observed', detail: obs.replace(/^observed /, '') });
      else if (prov.observed.has(id)) entry.actions.push({ id, action: a.key, decision: 'kept', reason: 'observed', detail: 'observed' });
      else if (declared) entry.actions.push({ id, action: a.key, decision: 'kept', reason: 'declared', detail: `declared in ${declared.label}` });
      else if (prov.serviceEvidence.has(id)) entry.actions.push({ id, action: a.key, decision: 'kept', reason: 'service-evidence', detail: 'service used (service-last-accessed), which actions is unknown' });
      else if (prov.dataEventsUnknown.has(id)) entry.actions.push({ id, action: a.key, decision: 'kept', reason: 'data-event-unknown', detail: 'a data event, and the trail logged none: unknown, not unused' });
      else if (prov.readSiblings.has(id)) entry.actions.push({ id, action: a.key, decision: 'kept', reason: 'read-sibling', detail: `read-only sibling of used service ${a.service}` });
      else if (input.notRestricted !== undefined) {
        entry.rest ??= { count: 0, detail: input.notRestricted };
        entry.rest.count++;
      } else entry.actions.push({ id, action: a.key, decision: 'kept', reason: 'not-restricted', detail: 'kept as today' });
      continue;
    }
    c.removed++;
    if (withheld) entry.actions.push({ id, action: a.key, decision: 'removed', reason: input.forbidden.has(id) ? forbiddenKind(id) : 'not-declared', detail: `${obs ? `${obs}; ` : ''}${input.withheld!.detail}` });
    else if (input.guardrail?.has(id)) entry.actions.push({ id, action: a.key, decision: 'removed', reason: 'guardrail', detail: 'denied always: it would remove the guardrail itself or blind the audit trail' });
    else if (input.approvalGuard?.actions.has(id)) entry.actions.push({ id, action: a.key, decision: 'removed', reason: 'guardrail', detail: `denied always, approval or not: ${input.approvalGuard.why.replace(/\.$/, '')}` });
    else if (input.forbidden.has(id)) {
      // Said as it is: "never observed" only where usage covers the principal, and an approval
      // path this principal can never take is named (a reviewer weighs a Deny it cannot lift).
      const outright = input.approval && !input.approval.meetable ? `denied outright: this principal cannot meet the approval condition (${input.approval.id})` : undefined;
      const seen = obs ?? (needed.covered ? 'never observed' : 'no usage data covers this principal, so whether it is used is unknown');
      entry.actions.push({ id, action: a.key, decision: 'removed', reason: forbiddenKind(id), detail: outright ? `${seen}; ${outright}` : obs || !needed.covered ? `${seen}; denied` : seen });
    } else if (input.notRestricted !== undefined) {
      // An allow-everything boundary removes nothing else, except what its deny's remove/stop
      // wildcards also cover to fit the managed-policy size (counted in the fix's notes).
      entry.actions.push({ id, action: a.key, decision: 'removed', reason: 'deny-wildcard', detail: 'a remove/stop action the deny\'s wildcards also cover, to fit 6,144 characters' });
    } else if (prov.sensitiveWithheld.has(id)) entry.actions.push({ id, action: a.key, decision: 'removed', reason: 'sensitive-read', detail: `never observed; ${withheldReadWhy(a.key) ?? 'a sensitive read'}` });
    else if (needed.covered) entry.actions.push({ id, action: a.key, decision: 'removed', reason: 'unused', detail: input.window ? `${day(input.window.start)} → ${day(input.window.end)}, the whole window` : 'the whole window' });
    else entry.actions.push({ id, action: a.key, decision: 'removed', reason: 'not-declared', detail: 'not in the declared profile (usage does not cover this principal)' });
  }
  if (rest) {
    const { names, counts: n, reached } = countByService(rest, expander);
    for (const i of reached) {
      const service = names[i]!;
      let e = byService.get(service);
      if (!e) byService.set(service, (e = { actions: [] }));
      let k = counts.get(service);
      if (!k) counts.set(service, (k = { kept: 0, gated: 0, removed: 0 }));
      k.kept += n[i]!;
      e.rest ??= { count: 0, detail: input.notRestricted! };
      e.rest.count += n[i]!;
    }
  }
  const order: Record<string, number> = { gated: 0, kept: 1, removed: 2 };
  const place = keyRanks(expander);
  const restOf = (e: { rest?: { count: number; detail: string } }) => (e.rest ? { rest: { decision: 'kept' as const, reason: 'not-restricted' as const, detail: e.rest.detail, count: e.rest.count } } : {});
  const shared = opts.shared;
  return [...byService.entries()].sort(([x], [y]) => x.localeCompare(y)).map(([service, e]) => {
    const c = counts.get(service)!;
    // Most services of a boundary that caps nothing list no action, only their count.
    if (e.actions.length === 0) {
      const r: ServiceReasons = { service, kept: c.kept, gated: c.gated, removed: c.removed, groups: [], ...restOf(e) };
      return shared ? shared.of(r) : r;
    }
    // Group actions that share decision, reason and detail; groups in decision order, then first action.
    const groups = new Map<string, { decision: ActionReason['decision']; reason: ActionReasonCode; detail?: string; actions: string[] }>();
    // By name as localeCompare orders them, through each catalog action's place in that order.
    for (const x of e.actions.sort((p, q) => order[p.decision]! - order[q.decision]! || place[p.id]! - place[q.id]!)) {
      const k = `${x.decision}\u0000${x.reason}\u0000${x.detail ?? ''}`;
      const g = groups.get(k);
      if (g) g.actions.push(x.action);
      else groups.set(k, { decision: x.decision, reason: x.reason, ...(x.detail !== undefined ? { detail: x.detail } : {}), actions: [x.action] });
    }
    // Strongest evidence first: what was observed, then declared, then inferred; for removals the
    // most specific reason first, "unused" last.
    const rank = (g: { decision: string; reason: ActionReasonCode }) => order[g.decision]! * 100 + REASON_ORDER.indexOf(g.reason);
    const r: ServiceReasons = {
      service, kept: c.kept, gated: c.gated, removed: c.removed,
      groups: [...groups.values()].sort((p, q) => rank(p) - rank(q)) as ReasonGroup[],
      ...restOf(e),
    };
    return shared ? shared.of(r) : r;
  });
}

/**
 * One object per distinct per-service entry of a planning run: at 10,000 principals 62,000
 * entries hold 5,900 contents (most are the count a boundary that caps nothing keeps of a
 * service), and report.json's texts table finds a repeat by identity instead of stringifying
 * and hashing it again (report/documents.ts). An entry kept is frozen: every fix with the same
 * content holds it. The key only narrows the search; equality of every field decides.
 */
export class SharedReasons {
  private readonly byKey = new Map<string, ServiceReasons>();

  /** The kept entry equal to `r`, or `r` (kept from now on when its key is new). */
  of(r: ServiceReasons): ServiceReasons {
    const k = reasonsKey(r);
    const kept = this.byKey.get(k);
    if (kept !== undefined) return sameReasons(kept, r) ? kept : r;
    this.byKey.set(k, frozenReasons(r));
    return r;
  }
}

const sharedByRun = new WeakMap<object, SharedReasons>();
/** The run's SharedReasons, by an object that lives as long as the run (its snapshot). */
export function sharedReasonsOf(run: object): SharedReasons {
  let s = sharedByRun.get(run);
  if (!s) sharedByRun.set(run, (s = new SharedReasons()));
  return s;
}

function reasonsKey(r: ServiceReasons): string {
  let k = `${r.service}\u0000${r.kept}\u0000${r.gated}\u0000${r.removed}`;
  if (r.rest) k += `\u0001${r.rest.decision}\u0000${r.rest.reason}\u0000${r.rest.count}\u0000${r.rest.detail}`;
  for (const g of r.groups) k += `\u0002${g.decision}\u0000${g.reason}\u0000${g.detail ?? ''}\u0000${g.actions.join('\u0000')}`;
  return k;
}

/** Same content, key order included: entries are made by actionReasons alone, one shape each. */
function sameReasons(a: ServiceReasons, b: ServiceReasons): boolean {
  if (a.service !== b.service || a.kept !== b.kept || a.gated !== b.gated || a.removed !== b.removed || a.groups.length !== b.groups.length) return false;
  if (a.rest === undefined || b.rest === undefined ? a.rest !== b.rest : a.rest.decision !== b.rest.decision || a.rest.reason !== b.rest.reason || a.rest.count !== b.rest.count || a.rest.detail !== b.rest.detail) return false;
  for (let i = 0; i < a.groups.length; i++) {
    const [g, h] = [a.groups[i]!, b.groups[i]!];
    if (g.decision !== h.decision || g.reason !== h.reason || g.detail !== h.detail || ('detail' in g) !== ('detail' in h) || g.actions.length !== h.actions.length) return false;
    for (let j = 0; j < g.actions.length; j++) if (g.actions[j] !== h.actions[j]) return false;
  }
  return true;
}

function frozenReasons(r: ServiceReasons): ServiceReasons {
  for (const g of r.groups) Object.freeze(Object.freeze(g).actions);
  if (r.rest) Object.freeze(r.rest);
  Object.freeze(r.groups);
  return Object.freeze(r);
}

/** An action listed with its reason, and its catalog id (to sort by). */
type Listed = ActionReason & { readonly id: number };

const rankCache = new WeakMap<ActionExpander, Uint32Array>();
/**
 * Each catalog action's place among all the catalog's keys in localeCompare order (keys that
 * compare equal share a place): comparing places compares keys, without a collation per pair.
 */
export function keyRanks(expander: ActionExpander): Uint32Array {
  let rank = rankCache.get(expander);
  if (rank) return rank;
  const actions = expander.catalog.actions;
  const byKey = actions.map((a) => a.id).sort((x, y) => actions[x]!.key.localeCompare(actions[y]!.key));
  rank = new Uint32Array(expander.size);
  for (let i = 0, r = 0; i < byKey.length; i++) {
    if (i > 0 && actions[byKey[i - 1]!]!.key.localeCompare(actions[byKey[i]!]!.key) !== 0) r = i;
    rank[byKey[i]!] = r;
  }
  rankCache.set(expander, rank);
  return rank;
}

/**
 * The actions the loop above would count as kept with no known need: allowed after the fix, not
 * withheld, not gated, and with no evidence of need (observed, declared, service used, data
 * event unknown, read sibling) that would list them one by one.
 */
function keptAsToday(input: ReasonInput): ActionSet {
  const { after, needed: { provenance: prov } } = input;
  const out = after.allowed.clone();
  if (input.withheld) out.andNot(input.withheld.actions);
  out.andNot(after.allowed.clone().andNot(after.unconditional).and(input.forbidden).and(input.current));
  out.andNot(prov.observed).andNot(prov.serviceEvidence).andNot(prov.dataEventsUnknown).andNot(prov.readSiblings);
  for (const d of prov.declared) out.andNot(d.actions);
  return out;
}

/** Every listed action with its reason (groups flattened), for readers that want one row per action. */
export function flattenReasons(reasons: readonly ServiceReasons[]): ActionReason[] {
  return reasons.flatMap((s) => s.groups.flatMap((g) => g.actions.map((action) => ({ action, decision: g.decision, reason: g.reason, ...(g.detail !== undefined ? { detail: g.detail } : {}) }))));
}

/** Counts over every service: kept, gated, removed. */
export function reasonTotals(r: readonly ServiceReasons[]): { kept: number; gated: number; removed: number } {
  return r.reduce((t, s) => ({ kept: t.kept + s.kept, gated: t.gated + s.gated, removed: t.removed + s.removed }), { kept: 0, gated: 0, removed: 0 });
}

