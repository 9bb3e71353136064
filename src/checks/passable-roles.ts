// iam:PassRole escalates only through a role the principal may pass, that trusts the service it
// is passed to, and that can do something the principal cannot. With the account's role
// inventory at hand, a PassRole technique with no such role is not within reach today; without
// a complete inventory, leash cannot tell and keeps counting it.
import type { ActionSet } from '../iam/action-set.js';
import { evaluateCondition } from '../iam/conditions.js';
import { grantingStatements } from '../iam/effective.js';
import { arnMatcher, globRegex, hasWildcard, statementCovers } from '../iam/pattern.js';
import { factsOf } from '../iam/principal-context.js';
import type { OrgValues } from '../iam/organization.js';
import type { PolicyDocument, Statement } from '../model/policy.js';
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
const EXAMPLE_LOOK = 32;
const ANY = '*';

/** Service principals a trust policy lets assume the role ("*" when any principal may). */
export function trustedServices(trust: PolicyDocument): Set<string> {
  const out = new Set<string>();
  for (const s of trust.statements) {
    if (s.effect !== 'Allow') continue;
    if (!statementCovers(s, 'sts:AssumeRole') || !s.principal) continue;
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
export function inventoryComplete(snapshot: Snapshot, opts: { readonly rolesRequired?: boolean } = {}): { complete: true } | { complete: false; why: string } {
  if ((opts.rolesRequired ?? true) && !snapshot.principals.some((p) => p.kind === 'role')) return { complete: false, why: 'the input lists no roles' };
  const iamSources = snapshot.sources.filter((s) => s.kind === 'authorization-details-file' || s.kind === 'authorization-details-api');
  if (iamSources.some((s) => s.status !== 'ok') || snapshot.errors.some((e) => e.source === 'authorization-details-file' || e.source === 'authorization-details-api')) {
    return { complete: false, why: 'the IAM inventory was read with errors' };
  }
  return { complete: true };
}

interface PassGrant {
  readonly condition: Statement['condition'];
  /** Resource covers every role of the account (`*`, `role/*`). */
  readonly anyRole: boolean;
  /** Resource/NotResource cover this role ARN (a policy variable: assume it may). */
  readonly passes: (arn: string) => boolean;
  /** The Resource patterns that may name a role (absent for NotResource). */
  readonly patterns?: readonly string[];
}

/** Could this Resource pattern match a role ARN of the account (iam service, `role/` resource)? */
function mayNameRole(pattern: string, partition: string, account: string): boolean {
  if (pattern === '*') return true;
  const parts = pattern.split(':');
  if (parts.length < 6) return globRegex(pattern).test(`arn:${partition}:iam::${account}:role/x`);
  const [arn, part, service, region, acct] = parts;
  const resource = parts.slice(5).join(':');
  const fits = (p: string, v: string) => (hasWildcard(p) ? globRegex(p).test(v) : p === v);
  if (!fits(arn!, 'arn') || !fits(part!, partition) || !fits(service!, 'iam') || !fits(region!, '') || !fits(acct!, account)) return false;
  // The resource part must be able to start with "role/": its literal prefix agrees with it.
  const literal = resource.split(/[*?]/)[0]!;
  return literal.length < resource.length ? 'role/'.startsWith(literal) || literal.startsWith('role/') : resource.startsWith('role/');
}

const EC2 = 'ec2.amazonaws.com';
/** Every role EC2 may carry once someone puts it in an instance profile (iam:CreateInstanceProfile + iam:AddRoleToInstanceProfile). */
const EC2_ANY_ROLE = 'ec2.amazonaws.com#any-role';

export class PassableRoles {
  private readonly byService = new Map<string, PassCandidate[]>();
  /** Per service: the union of what its roles may do, and whether one's policies are unknown. */
  private readonly reach = new Map<string, { readonly union: ActionSet; readonly unknown: boolean }>();
  private readonly perPrincipal = new WeakMap<Principal, Map<string, PassableResult>>();

  /** `org`: the principals' account's organization keys, when known (src/iam/organization.ts). */
  constructor(candidates: readonly PassCandidate[], private readonly inventory: ReturnType<typeof inventoryComplete>, private readonly org?: OrgValues) {
    // Most privileged first, and roles whose policies leash could not see before all: the first
    // role that gives more settles it.
    const order = [...candidates].map((c) => ({ c, n: c.role.unresolvedPolicyArns.length > 0 ? Infinity : c.unconditional.count() }));
    order.sort((a, b) => b.n - a.n);
    order.forEach(({ c }, i) => this.rank.set(c, i));
    const add = (svc: string, c: PassCandidate) => {
      let list = this.byService.get(svc);
      if (!list) this.byService.set(svc, (list = []));
      list.push(c);
    };
    for (const { c } of order) {
      for (const svc of trustedServices(c.role.trustPolicy)) {
        // EC2 takes a role only through an instance profile (RunInstances, launch templates,
        // AssociateIamInstanceProfile): roles in none are passable only by who can make one.
        if (svc === EC2 || svc === ANY) add(EC2_ANY_ROLE, c);
        if (svc === EC2 && c.role.instanceProfiles.length === 0) continue;
        add(svc, c);
      }
    }
  }

  private readonly candidateLists = new Map<string, readonly PassCandidate[]>();

  /** Roles trusting svc (or anyone), most privileged first; built once per service. */
  private candidates(svc: string): readonly PassCandidate[] {
    let list = this.candidateLists.get(svc);
    if (!list) {
      const own = this.byService.get(svc) ?? [];
      const any = svc === EC2_ANY_ROLE ? [] : (this.byService.get(ANY) ?? []).filter((c) => svc !== EC2 || c.role.instanceProfiles.length > 0);
      list = any.length === 0 ? own : [...own, ...any];
      this.candidateLists.set(svc, list);
    }
    return list;
  }

  private readonly matchCache = new Map<string, readonly PassCandidate[]>();
  /** Privilege order (most first), to merge per-pattern lists. */
  private readonly rank = new Map<PassCandidate, number>();

  /** Candidates for svc that some pattern names, most privileged first. */
  private matching(svc: string, patterns: readonly string[]): readonly PassCandidate[] {
    const lists = patterns.map((pattern) => {
      const key = `${svc}\u0000${pattern}`;
      let list = this.matchCache.get(key);
      if (!list) {
        const m = arnMatcher(pattern);
        list = this.withResourcePrefix(svc, pattern).filter((c) => m(c.role.arn)).sort((a, b) => this.rank.get(a)! - this.rank.get(b)!);
        this.matchCache.set(key, list);
      }
      return list;
    });
    if (lists.length === 1) return lists[0]!;
    return [...new Set(lists.flat())].sort((a, b) => this.rank.get(a)! - this.rank.get(b)!);
  }

  private readonly byResource = new Map<string, { readonly keys: readonly string[]; readonly list: readonly PassCandidate[] }>();

  /**
   * Candidates whose ARN resource part (`role/path/name`) starts with the pattern's literal
   * prefix, by binary search over them sorted: a pattern such as `role/service-role/Sage*` then
   * looks at a handful of roles, not the whole account.
   */
  private withResourcePrefix(svc: string, pattern: string): readonly PassCandidate[] {
    const all = this.candidates(svc);
    const parts = pattern.split(':');
    if (parts.length < 6) return all;
    const prefix = parts.slice(5).join(':').split(/[*?$]/)[0]!;
    if (prefix === '') return all;
    let idx = this.byResource.get(svc);
    if (!idx) {
      const sorted = all.map((c) => ({ key: c.role.arn.split(':').slice(5).join(':'), c })).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      idx = { keys: sorted.map((x) => x.key), list: sorted.map((x) => x.c) };
      this.byResource.set(svc, idx);
    }
    let lo = 0, hi = idx.keys.length;
    while (lo < hi) { const mid = (lo + hi) >>> 1; if (idx.keys[mid]! < prefix) lo = mid + 1; else hi = mid; }
    let end = lo;
    while (end < idx.keys.length && idx.keys[end]!.startsWith(prefix)) end++;
    return idx.list.slice(lo, end);
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
  find(p: Principal, pUnconditional: ActionSet, services: readonly string[], makesInstanceProfiles = false): PassableResult {
    if (!this.inventory.complete) return { status: 'unknown', why: this.inventory.why };
    let cache = this.perPrincipal.get(p);
    if (!cache) this.perPrincipal.set(p, (cache = new Map()));
    const found: string[] = [];
    let unknown: PassableResult | undefined;
    for (const asked of services) {
      const svc = asked === EC2 && makesInstanceProfiles ? EC2_ANY_ROLE : asked;
      let r = cache.get(svc);
      if (!r) cache.set(svc, (r = this.findFor(p, pUnconditional, svc)));
      if (r.status === 'found') for (const arn of r.roles) if (found.length < 3 && !found.includes(arn)) found.push(arn);
      if (r.status === 'unknown') unknown = r;
    }
    if (found.length > 0) return { status: 'found', roles: found };
    return unknown ?? { status: 'none' };
  }

  /** undefined: no identity statement grants iam:PassRole (then it comes from somewhere leash cannot read). */
  private readonly grantsOf = new WeakMap<Principal, readonly PassGrant[] | undefined>();

  /** The principal's iam:PassRole statements, with their Resource/NotResource compiled once. */
  private passGrants(p: Principal): readonly PassGrant[] | undefined {
    if (this.grantsOf.has(p)) return this.grantsOf.get(p);
    const statements = grantingStatements(p.policies, 'iam:PassRole', p, this.org);
    const [, partition = 'aws', , , account = ''] = p.arn.split(':');
    const everyRole = `arn:${partition}:iam::${account}:role/*`;
    const g = statements.length === 0 ? undefined : statements.flatMap(({ statement: st }): PassGrant[] => {
      if (st.notResource) {
        const not = st.notResource.filter((r) => !r.includes('${')).map(arnMatcher);
        return [{ condition: st.condition, anyRole: false, passes: (arn) => !not.some((m) => m(arn)) }];
      }
      // Resources that can name no role of this account (a bucket, a table) pass none.
      const patterns = (st.resource ?? ['*']).filter((r) => r.includes('${') || mayNameRole(r, partition, account));
      if (patterns.length === 0) return [];
      // A policy variable (role/${aws:username}) may name any role: counted as any.
      const anyRole = patterns.some((r) => r.includes('${') || arnMatcher(r)(everyRole));
      return [{ condition: st.condition, anyRole, passes: (arn) => patterns.some((r) => arnMatcher(r)(arn)), patterns }];
    });
    this.grantsOf.set(p, g);
    return g;
  }

  private findFor(p: Principal, have: ActionSet, svc: string): PassableResult {
    const grants = this.passGrants(p);
    if (!grants) return { status: 'unknown', why: 'iam:PassRole is granted by no identity statement leash can read' };
    // iam:PassedToService may limit which service a statement lets the role go to.
    const conditional = grants.some((g) => g.condition !== undefined);
    const ctx = conditional ? { values: { ...factsOf(p, undefined, this.org).context.values, 'iam:passedtoservice': [svc] } } : undefined;
    const usable = ctx ? grants.filter((g) => evaluateCondition(g.condition, ctx) !== false) : grants;
    if (usable.length === 0) return { status: 'none' };
    // The usual grant (any role) needs no role-by-role look: one set difference says whether some
    // role gives more; then the most privileged such roles are named.
    const anyRole = usable.some((g) => g.anyRole);
    if (anyRole && !this.anyGivesMore(svc, have)) return { status: 'none' };
    const found: string[] = [];
    let looked = 0;
    // Grants that name roles by pattern: the roles each pattern matches are found once per
    // account and reused (policies, managed ones above all, repeat across principals).
    // A NotResource grant has no patterns to look up: then every role is checked one by one.
    const oneByOne = !anyRole && usable.some((g) => !g.patterns);
    const candidates = anyRole || oneByOne ? this.candidates(svc) : this.matching(svc, usable.flatMap((g) => g.patterns!));
    for (const c of candidates) {
      if (c.role.arn === p.arn) continue;
      // Names are examples: once one is found, a short look for two more is enough.
      if (++looked > SCAN_LIMIT || (found.length > 0 && looked > EXAMPLE_LOOK)) break;
      if (oneByOne && !usable.some((g) => g.passes(c.role.arn))) continue;
      if (c.role.unresolvedPolicyArns.length > 0 || c.unconditional.differenceCount(have) > 0) {
        found.push(c.role.arn);
        if (found.length >= 3) break;
      }
    }
    if (found.length > 0 || anyRole) return { status: 'found', roles: found };
    return looked > SCAN_LIMIT ? { status: 'unknown', why: `more than ${SCAN_LIMIT} roles to compare` } : { status: 'none' };
  }
}
