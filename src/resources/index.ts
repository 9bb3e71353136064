// The inventory, indexed so that principals × resources is never walked as a cross product:
// resources by ARN, by type (sorted by ARN, so an identity policy's `Resource` pattern selects a
// range by its literal prefix, as the graph's PassRole index groups roles by resource prefix), and
// resources whose policy grants something by whom the policy names (an ARN, an account, anyone).
// A caller whose decision is the same for every resource of a type in an account (its statements
// are on `*`, no resource-tag condition) gets one decision for the whole group; only resources
// with a policy of their own are then decided one by one.
import type { Resource, ResourceInventory, ResourceType } from '../model/inventory.js';
import type { PolicyDocument } from '../model/policy.js';
import type { HopCondition } from '../model/graph.js';
import { arnMatcher, globRegex, hasWildcard } from '../iam/pattern.js';
import { coveringStatements } from '../graph/request.js';
import { environmentOf, type EnvironmentOf, type ProductionMarkers, DEFAULT_MARKERS } from './markers.js';
import { requestArn, typeActions, type AccessKind, type TypeAction } from './actions.js';
import { decideOnResource, type RcpLevels, type ResourceCaller, type ResourceEvidence, type Via } from './evaluate.js';

interface TypeGroup { readonly resources: readonly Resource[]; readonly arns: readonly string[] }

export interface ResourceIndex {
  readonly resources: readonly Resource[];
  readonly byArn: ReadonlyMap<string, Resource>;
  /** Sorted by ARN within each type. */
  readonly byType: ReadonlyMap<ResourceType, TypeGroup>;
  /** `${type}@${account}` → resources of the type in the account. */
  readonly groups: ReadonlyMap<string, readonly Resource[]>;
  /** `${type}@${account}` → its production resources (by the markers), sorted by name. */
  readonly production: ReadonlyMap<string, readonly Resource[]>;
  /** Resources whose policy (or unreadable policy) must be decided one by one. */
  readonly withPolicy: ReadonlySet<string>;
  /** Who resource policies name in an Allow: ARN (also `session:A:role`, `id:AROA…`), account, anyone. */
  readonly namedArn: ReadonlyMap<string, readonly Resource[]>;
  readonly namedAccount: ReadonlyMap<string, readonly Resource[]>;
  readonly namedAnyone: readonly Resource[];
  readonly rcps?: RcpLevels;
  environment(r: Resource): EnvironmentOf;
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const l = m.get(k);
  if (l) l.push(v);
  else m.set(k, [v]);
}

export function buildResourceIndex(inv: ResourceInventory, markers: ProductionMarkers = DEFAULT_MARKERS): ResourceIndex {
  const byArn = new Map<string, Resource>();
  const typed = new Map<ResourceType, Resource[]>();
  const groups = new Map<string, Resource[]>();
  const withPolicy = new Set<string>();
  const namedArn = new Map<string, Resource[]>();
  const namedAccount = new Map<string, Resource[]>();
  const namedAnyone: Resource[] = [];
  for (const r of inv.resources) {
    if (byArn.has(r.arn)) continue;
    byArn.set(r.arn, r);
    push(typed, r.type, r);
    push(groups, `${r.type}@${r.account}`, r);
    if (r.policy || r.policyUnknown !== undefined || r.type === 'kms:key') withPolicy.add(r.arn);
    if (!r.policy) continue;
    const seen = new Set<string>();
    const once = (k: string, add: () => void) => { if (!seen.has(k)) { seen.add(k); add(); } };
    for (const s of r.policy.statements) {
      if (s.effect !== 'Allow') continue;
      if (s.principal === '*' || s.notPrincipal) { once('*', () => namedAnyone.push(r)); continue; }
      for (const v of s.principal?.['AWS'] ?? []) {
        if (v === '*') { once('*', () => namedAnyone.push(r)); continue; }
        const acct = /^(\d{12})$/.exec(v)?.[1] ?? /^arn:[^:]+:iam::(\d{12}):root$/.exec(v)?.[1];
        if (acct) { once(`a:${acct}`, () => push(namedAccount, acct, r)); continue; }
        const sess = /^arn:[^:]+:sts::(\d{12}):assumed-role\/([^/]+)\//.exec(v);
        const key = sess ? `session:${sess[1]}:${sess[2]}` : /^A[A-Z]{3}[A-Z0-9]{12,}$/.test(v) ? `id:${v}` : v;
        once(key, () => push(namedArn, key, r));
      }
    }
  }
  const byType = new Map<ResourceType, TypeGroup>();
  for (const [t, list] of typed) {
    list.sort((a, b) => (a.arn < b.arn ? -1 : a.arn > b.arn ? 1 : 0));
    byType.set(t, { resources: list, arns: list.map((r) => r.arn) });
  }
  const envs = new Map<string, EnvironmentOf>();
  const environment = (r: Resource) => {
    let e = envs.get(r.arn);
    if (!e) envs.set(r.arn, (e = environmentOf(r, markers)));
    return e;
  };
  const production = new Map<string, Resource[]>();
  for (const [k, list] of groups) production.set(k, list.filter((r) => environment(r).environment === 'production').sort((x, y) => x.name.localeCompare(y.name)));
  return {
    resources: [...byArn.values()], byArn, byType, groups, production, withPolicy, namedArn, namedAccount, namedAnyone,
    ...(inv.rcps && inv.rcps.length > 0 ? { rcps: inv.rcps } : {}),
    environment,
  };
}

/** First index whose ARN is ≥ key. */
function lowerBound(arns: readonly string[], key: string): number {
  let lo = 0, hi = arns.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (arns[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The literal text before a pattern's first wildcard or variable (for objects of a bucket: up to the bucket). */
function literalPrefix(pattern: string, onObject: boolean): string {
  let end = pattern.length;
  for (const c of ['*', '?', '${']) {
    const i = pattern.indexOf(c);
    if (i >= 0 && i < end) end = i;
  }
  let p = pattern.slice(0, end);
  if (onObject) {
    const slash = p.indexOf('/', 'arn:aws:s3:::'.length);
    if (slash >= 0) p = p.slice(0, slash);
  }
  return p;
}

/**
 * Resources of a type a caller's identity Allow statements may name for an action: 'all' (a
 * pattern that matches any name of the type, NotResource, a pattern too vague to narrow), or the
 * ones in the ranges their literal prefixes select.
 */
function identityCandidates(idx: ResourceIndex, rc: ResourceCaller, type: ResourceType, a: TypeAction): 'all' | Set<Resource> {
  const group = idx.byType.get(type);
  if (!group) return new Set();
  const out = new Set<Resource>();
  const first = group.resources[0]!;
  const sample = sampleArn(first);
  for (const { document } of rc.caller.identity.docs) {
    for (const s of coveringStatements(document, a.action)) {
      if (s.effect !== 'Allow') continue;
      if (s.notResource) return 'all';
      for (const pattern of s.resource ?? ['*']) {
        // A policy variable the engine cannot settle makes the pattern unknown wherever it is tested.
        if (pattern === '*' || pattern.includes('${')) return 'all';
        const prefix = literalPrefix(pattern, a.onObject);
        if (prefix.length <= 'arn:aws:'.length || (sample && !pattern.includes('${') && arnMatcher(pattern)(requestArn(sample, a)))) return 'all';
        const m = arnMatcher(pattern);
        for (let i = lowerBound(group.arns, prefix); i < group.arns.length && group.arns[i]!.startsWith(prefix); i++) {
          const r = group.resources[i]!;
          if (pattern.includes('${') || m(requestArn(r.arn, a))) out.add(r);
        }
      }
    }
  }
  return out;
}

/** Resources whose policy names the caller itself (by ARN, session, unique id) or anyone. */
function directlyNamed(idx: ResourceIndex, rc: ResourceCaller, type: ResourceType): Resource[] {
  const keys = [rc.caller.arn];
  if (rc.kind === 'role' && rc.roleName) keys.push(`session:${rc.caller.account}:${rc.roleName}`);
  if (rc.uniqueId) keys.push(`id:${rc.uniqueId}`);
  const out: Resource[] = [];
  for (const k of keys) for (const r of idx.namedArn.get(k) ?? []) if (r.type === type) out.push(r);
  for (const r of idx.namedAnyone) if (r.type === type) out.push(r);
  return out;
}

const SAMPLE = '\u0001leash-sample';

function sampleArn(r: Resource): string | undefined {
  const head = r.arn.split(':').slice(0, 5).join(':').length;
  const i = r.arn.indexOf(r.name, head);
  return i < 0 ? undefined : r.arn.slice(0, i) + SAMPLE + r.arn.slice(i + r.name.length);
}

function conditionOnResource(c: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> | undefined): boolean {
  if (!c) return false;
  for (const keys of Object.values(c)) for (const k of Object.keys(keys)) {
    const key = k.toLowerCase();
    if (key.startsWith('aws:resourcetag/') || key === 'aws:resourceaccount' || key.startsWith('s3:') || key.startsWith('kms:') || key.startsWith('dynamodb:') || key.startsWith('secretsmanager:')) return true;
  }
  return false;
}

/** Could this pattern name some resource whose ARN begins with `head` (the sample up to its name)? */
function mayName(pattern: string, head: string, onObject: boolean): boolean {
  if (pattern.includes('${')) return true;
  const p = pattern.split(':'), h = head.split(':');
  if (p.length < 6) return hasWildcard(pattern);
  for (let i = 0; i < 5; i++) if (!(hasWildcard(p[i]!) ? globRegex(p[i]!).test(h[i]!) : p[i] === h[i])) return false;
  const pr = literalPrefix(p.slice(5).join(':'), onObject), hr = h.slice(5).join(':');
  return pr.startsWith(hr) || hr.startsWith(pr);
}

/** Is every statement that covers the action (identity, boundary, SCPs, RCPs) the same for every resource like `sample`? */
function uniform(rc: ResourceCaller, a: TypeAction, sample: string, rcps: RcpLevels | undefined): boolean {
  const docs: PolicyDocument[] = [...rc.caller.identity.docs.map((d) => d.document), ...(rc.caller.boundary?.docs.map((d) => d.document) ?? []), ...rc.caller.scps.flatMap((l) => l.docs.map((d) => d.document)), ...(rcps ?? []).flatMap((l) => l.map((p) => p.document))];
  const head = sample.slice(0, sample.indexOf(SAMPLE));
  for (const d of docs) for (const s of coveringStatements(d, a.action)) {
    if (s.notResource || conditionOnResource(s.condition)) return false;
    for (const r of s.resource ?? ['*']) {
      if (r === '*' || (!r.includes('${') && arnMatcher(r)(sample))) continue;
      // Names some resources of the group but not all of them.
      if (mayName(r, head, a.onObject)) return false;
    }
  }
  return true;
}

/** One action a caller may perform on a resource (or on every resource of a group). */
export interface Grant {
  readonly action: string;
  readonly kind: AccessKind;
  readonly condition: HopCondition;
  readonly via: Via;
  readonly evidence: readonly ResourceEvidence[];
}

/** What one caller (a principal or a state of one) may do to the inventory, without the graph. */
export interface DirectAccess {
  /** `${type}@${account}` → grants that hold for every resource of the group not in `decided`. */
  readonly whole: ReadonlyMap<string, readonly Grant[]>;
  /** Resources decided one by one (their own policy, or named by a narrower pattern) → grants (possibly none). */
  readonly decided: ReadonlyMap<string, readonly Grant[]>;
}

/** The grants a DirectAccess gives on one resource. */
export function grantsOn(access: DirectAccess, r: Resource): readonly Grant[] {
  return access.decided.get(r.arn) ?? access.whole.get(`${r.type}@${r.account}`) ?? [];
}

function toGrant(a: TypeAction, d: ReturnType<typeof decideOnResource>): Grant | undefined {
  if (d.decision !== 'Allowed' && d.decision !== 'Conditional') return undefined;
  return { action: a.action, kind: a.kind, condition: d.condition!, via: d.via!, evidence: d.evidence };
}

/** Direct access of one caller over the whole inventory: per group when uniform, else per candidate resource. */
const defaultKeyPolicies = new Map<string, PolicyDocument>();
/** The default key policy of an account (its root may do everything: IAM policies decide). */
function defaultKeyPolicy(account: string): PolicyDocument {
  let d = defaultKeyPolicies.get(account);
  if (!d) defaultKeyPolicies.set(account, (d = { version: '2012-10-17', statements: [{ index: 0, effect: 'Allow', principal: { AWS: [`arn:aws:iam::${account}:root`] }, action: ['kms:*'], resource: ['*'] }] }));
  return d;
}

const hasDeny = (doc: PolicyDocument, action: string) => coveringStatements(doc, action).some((s) => s.effect === 'Deny');

/**
 * Direct access of one caller over the whole inventory: per group when uniform, else per candidate
 * resource. In a uniform group, a resource with a policy is decided on its own only when that
 * policy can change the group's answer: it names the caller (or anyone), names the caller's
 * account from another account, has a Deny for the action, cannot be read, or is a key policy that
 * does not delegate to the caller's account. Otherwise it takes the group's decision.
 */
export function directAccess(idx: ResourceIndex, rc: ResourceCaller, kinds: readonly AccessKind[] = ['delete', 'destructive', 'read']): DirectAccess {
  const whole = new Map<string, Grant[]>();
  const decided = new Map<string, Grant[]>();
  const decidedActions = new Map<string, Set<string>>();
  const add = (r: Resource, a: TypeAction, g: Grant | undefined) => {
    let l = decided.get(r.arn);
    if (!l) { decided.set(r.arn, (l = [])); decidedActions.set(r.arn, new Set()); }
    decidedActions.get(r.arn)!.add(a.action);
    if (g) l.push(g);
  };
  const own = rc.caller.account;
  for (const [type, group] of idx.byType) {
    const actions = (typeActions().get(type) ?? []).filter((a) => kinds.includes(a.kind));
    if (actions.length === 0) continue;
    const byAccount = new Set(idx.namedAccount.get(own) ?? []);
    const direct = new Set(directlyNamed(idx, rc, type));
    const isKey = type === 'kms:key';
    for (const a of actions) {
      const ids = identityCandidates(idx, rc, type, a);
      const individual = new Set<Resource>(direct);
      if (ids === 'all') {
        // Group by account: same account and cross account are decided differently.
        const seenGroups = new Set<string>();
        for (const r of group.resources) {
          const key = `${type}@${r.account}`;
          if (seenGroups.has(key)) continue;
          seenGroups.add(key);
          const members = idx.groups.get(key)!;
          const found = members.find((m) => !idx.withPolicy.has(m.arn));
          const m0 = members[0]!;
          const plain: Resource | undefined = found ?? (isKey ? { arn: m0.arn, type: m0.type, name: m0.name, account: m0.account, region: m0.region, tags: m0.tags, policy: defaultKeyPolicy(m0.account) } : undefined);
          const sample = plain && sampleArn(plain);
          if (plain && sample && uniform(rc, a, requestArn(sample, a), idx.rcps)) {
            const g = toGrant(a, decideOnResource(rc, a.action, requestArn(plain.arn, a), plain, idx.rcps));
            if (g) {
              let l = whole.get(key);
              if (!l) whole.set(key, (l = []));
              l.push(g);
            }
            for (const m of members) {
              if (!idx.withPolicy.has(m.arn) || direct.has(m)) continue;
              const changes = m.policyUnknown !== undefined
                || (m.account !== own && byAccount.has(m))
                || (g !== undefined && m.policy !== undefined && hasDeny(m.policy, a.action))
                || (isKey && m.account === own && !byAccount.has(m) && g !== undefined)
                || (isKey && m.account !== own && g !== undefined);
              if (changes) individual.add(m);
            }
          } else for (const m of members) individual.add(m);
        }
      } else for (const r of ids) individual.add(r);
      for (const r of individual) add(r, a, toGrant(a, decideOnResource(rc, a.action, requestArn(r.arn, a), r, idx.rcps)));
    }
  }
  // A resource decided on its own for some actions takes the group's grants for the others.
  for (const [arn, list] of decided) {
    const r = idx.byArn.get(arn)!;
    const groupGrants = whole.get(`${r.type}@${r.account}`);
    if (!groupGrants) continue;
    const done = decidedActions.get(arn)!;
    for (const g of groupGrants) if (!done.has(g.action)) list.push(g);
  }
  return { whole, decided };
}
