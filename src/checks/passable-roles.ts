// iam:PassRole escalates only through a role the principal may pass, that trusts the service it
// is passed to, and that can do something the principal cannot. With the account's role
// inventory at hand, a PassRole technique with no such role is not within reach today; without
// a complete inventory, leash cannot tell and keeps counting it.
import type { ActionSet } from '../iam/action-set.js';
import { evaluateCondition } from '../iam/conditions.js';
import { grantingStatements } from '../iam/effective.js';
import { actionMatches, arnMatches } from '../iam/pattern.js';
import { factsOf } from '../iam/principal-context.js';
import type { PolicyDocument } from '../model/policy.js';
import type { Principal, Role, Snapshot } from '../model/snapshot.js';

export interface PassCandidate {
  readonly role: Role;
  /** What a session of the role may do without approval (what the service would get). */
  readonly unconditional: ActionSet;
}

export type PassableResult =
  | { readonly status: 'found'; readonly roles: readonly string[] }
  | { readonly status: 'none' }
  | { readonly status: 'unknown'; readonly why: string };

/** Roles to look at before giving up and calling it unknown (keeps 10k-role accounts fast). */
const SCAN_LIMIT = 500;
const ANY = '*';

/** Service principals a trust policy lets assume the role ("*" when any principal may). */
export function trustedServices(trust: PolicyDocument): Set<string> {
  const out = new Set<string>();
  for (const s of trust.statements) {
    if (s.effect !== 'Allow') continue;
    const assumes = s.action ? s.action.some((a) => actionMatches(a, 'sts:AssumeRole')) : !(s.notAction ?? []).some((a) => actionMatches(a, 'sts:AssumeRole'));
    if (!assumes || !s.principal) continue;
    if (s.principal === '*') { out.add(ANY); continue; }
    for (const [kind, values] of Object.entries(s.principal)) {
      if (kind === 'AWS' && values.includes('*')) out.add(ANY);
      if (kind === 'Service') for (const v of values) out.add(normalService(v));
    }
  }
  return out;
}

/** `ec2.amazonaws.com.cn` and `EC2.amazonaws.com` are the same service as `ec2.amazonaws.com`. */
function normalService(v: string): string {
  return v.toLowerCase().replace(/\.amazonaws\.com\.cn$/, '.amazonaws.com');
}

/** Is the account's role inventory whole, so that "no such role" means no such role? */
export function inventoryComplete(snapshot: Snapshot): { complete: true } | { complete: false; why: string } {
  if (!snapshot.principals.some((p) => p.kind === 'role')) return { complete: false, why: 'the input lists no roles' };
  const iamSources = snapshot.sources.filter((s) => s.kind === 'authorization-details-file' || s.kind === 'authorization-details-api');
  if (iamSources.some((s) => s.status !== 'ok') || snapshot.errors.some((e) => e.source === 'authorization-details-file' || e.source === 'authorization-details-api')) {
    return { complete: false, why: 'the IAM inventory was read with errors' };
  }
  return { complete: true };
}

type ServiceResult = { readonly status: 'found'; readonly roles: readonly string[] } | { readonly status: 'none' } | { readonly status: 'unknown'; readonly why: string };

export class PassableRoles {
  private readonly byService = new Map<string, PassCandidate[]>();
  /** Per service: the union of what its roles may do, and whether one's policies are unknown. */
  private readonly reach = new Map<string, { readonly union: ActionSet; readonly unknown: boolean }>();
  private readonly perPrincipal = new WeakMap<Principal, Map<string, ServiceResult>>();

  constructor(candidates: readonly PassCandidate[], private readonly inventory: ReturnType<typeof inventoryComplete>) {
    // Most privileged first, and roles whose policies leash could not see before all: the first
    // role that gives more settles it.
    const order = [...candidates].map((c) => ({ c, n: c.role.unresolvedPolicyArns.length > 0 ? Infinity : c.unconditional.count() }));
    order.sort((a, b) => b.n - a.n);
    for (const { c } of order) {
      for (const svc of trustedServices(c.role.trustPolicy)) {
        let list = this.byService.get(svc);
        if (!list) this.byService.set(svc, (list = []));
        list.push(c);
      }
    }
  }

  private candidates(svc: string): PassCandidate[] {
    return [...(this.byService.get(svc) ?? []), ...(this.byService.get(ANY) ?? [])];
  }

  /** Some role trusting svc can do something outside `have`: (∪ roles) − have ≠ ∅. */
  private anyGivesMore(svc: string, have: ActionSet): boolean {
    let r = this.reach.get(svc);
    if (!r) {
      const list = this.candidates(svc);
      const union = list.length > 0 ? list[0]!.unconditional.clone() : have.clone().andNot(have);
      for (const c of list) union.or(c.unconditional);
      r = { union, unknown: list.some((c) => c.role.unresolvedPolicyArns.length > 0) };
      this.reach.set(svc, r);
    }
    return r.unknown || r.union.differenceCount(have) > 0;
  }

  /**
   * A role `p` may pass to one of `services` that can do something `p` cannot do without
   * approval (up to three examples), none, or unknown.
   */
  find(p: Principal, pUnconditional: ActionSet, services: readonly string[]): PassableResult {
    if (!this.inventory.complete) return { status: 'unknown', why: this.inventory.why };
    let cache = this.perPrincipal.get(p);
    if (!cache) this.perPrincipal.set(p, (cache = new Map()));
    const found: string[] = [];
    let unknown: ServiceResult | undefined;
    for (const svc of services) {
      let r = cache.get(svc);
      if (!r) cache.set(svc, (r = this.findFor(p, pUnconditional, svc)));
      if (r.status === 'found') for (const arn of r.roles) if (found.length < 3 && !found.includes(arn)) found.push(arn);
      if (r.status === 'unknown') unknown = r;
    }
    if (found.length > 0) return { status: 'found', roles: found };
    return unknown ?? { status: 'none' };
  }

  private readonly grantsOf = new WeakMap<Principal, ReturnType<typeof grantingStatements>>();

  private findFor(p: Principal, have: ActionSet, svc: string): ServiceResult {
    let grants = this.grantsOf.get(p);
    if (!grants) this.grantsOf.set(p, (grants = grantingStatements(p.policies, 'iam:PassRole', p)));
    if (grants.length === 0) return { status: 'unknown', why: 'iam:PassRole is granted by no identity statement leash can read' };
    const facts = factsOf(p);
    const ctx = { values: { ...facts.context.values, 'iam:passedtoservice': [svc] } };
    // iam:PassedToService may limit which service a statement lets the role go to.
    const usable = grants.filter((g) => evaluateCondition(g.statement.condition, ctx) !== false);
    if (usable.length === 0) return { status: 'none' };
    const [, partition = 'aws', , , account = ''] = p.arn.split(':');
    const everyRole = `arn:${partition}:iam::${account}:role/*`;
    // The usual grant (any role) needs no role-by-role look: one set difference says whether some
    // role gives more; then the most privileged such roles are named.
    const anyRole = usable.some((g) => !g.statement.notResource && (g.statement.resource ?? ['*']).some((r) => arnMatches(r, everyRole)));
    if (anyRole && !this.anyGivesMore(svc, have)) return { status: 'none' };
    const found: string[] = [];
    let looked = 0;
    for (const c of this.candidates(svc)) {
      if (c.role.arn === p.arn) continue;
      if (++looked > SCAN_LIMIT) break;
      if (!anyRole && !usable.some((g) => passes(g.statement.resource, g.statement.notResource, c.role.arn))) continue;
      if (c.role.unresolvedPolicyArns.length > 0 || c.unconditional.differenceCount(have) > 0) {
        found.push(c.role.arn);
        if (found.length >= 3) break;
      }
    }
    if (found.length > 0 || anyRole) return { status: 'found', roles: found };
    return looked > SCAN_LIMIT ? { status: 'unknown', why: `more than ${SCAN_LIMIT} roles to compare` } : { status: 'none' };
  }
}

/** Does a PassRole statement's Resource/NotResource cover this role? Variables: assume it may. */
function passes(resource: readonly string[] | undefined, notResource: readonly string[] | undefined, arn: string): boolean {
  if (notResource) return !notResource.some((r) => !r.includes('${') && arnMatches(r, arn));
  return (resource ?? ['*']).some((r) => r.includes('${') || arnMatches(r, arn));
}
