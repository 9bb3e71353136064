// The inventory, indexed so that principals × resources is never walked as a cross product.
// What a caller may do to a resource depends on the resource only through (1) which `Resource`
// patterns of the caller's statements match its ARN, (2) its tags, when some statement's
// condition reads them, (3) its policy, and (4) its type and account. So:
// - each pattern's matches over a type are computed once for the whole analysis (most patterns
//   match all or none; the few resources on the other side are decided one by one);
// - resources whose policies are the same text once each policy's own ARN is written as "self"
//   form one policy class (a bucket-policy template, the default key policy): one decision per
//   class, on one member;
// - a class whose policy names neither the caller, its account nor anyone cannot change the
//   caller's answer: its members take the group's decision (a type in an account), made once;
// - resource tags that identity-side conditions read (`splitTags`) split groups by their values,
//   so that a statement reading them still decides a whole group at once (the alternative,
//   deciding every resource of the type per caller, was the cross product at 50,000 resources).
import type { Resource, ResourceInventory, ResourceType } from '../model/inventory.js';
import type { PolicyDocument, Statement } from '../model/policy.js';
import type { HopCondition } from '../model/graph.js';
import { arnMatches } from '../iam/pattern.js';
import { coveringStatements } from '../graph/request.js';
import { environmentOf, type EnvironmentOf, type ProductionMarkers, DEFAULT_MARKERS } from './markers.js';
import { requestArn, typeActions, type AccessKind, type TypeAction } from './actions.js';
import { decideOnResource, type RcpLevels, type ResourceCaller, type ResourceEvidence, type Via } from './evaluate.js';

interface TypeGroup { readonly resources: readonly Resource[]; readonly arns: readonly string[] }

/** Resources of one group whose policies are the same text once each names itself "self". */
export interface PolicyClass {
  readonly id: number;
  readonly group: string;
  /** In inventory order; the first stands for the rest. */
  readonly members: readonly Resource[];
  /** How many members are production (by the markers). */
  readonly production: number;
}

export interface ResourceIndex {
  readonly resources: readonly Resource[];
  /** A resource's group: `${type}@${account}`, then `#` and the values of the split tag keys when one is present. */
  groupOf(r: Resource): string;
  /** aws:ResourceTag keys (lower case) whose values every member of a group shares. */
  readonly splitTags: ReadonlySet<string>;
  readonly byArn: ReadonlyMap<string, Resource>;
  /** Sorted by ARN within each type. */
  readonly byType: ReadonlyMap<ResourceType, TypeGroup>;
  /** Group key (see groupOf) → its resources. */
  readonly groups: ReadonlyMap<string, readonly Resource[]>;
  /** Group keys of each type. */
  readonly groupsOfType: ReadonlyMap<ResourceType, readonly string[]>;
  /** Group key → its production resources (by the markers), sorted by name. */
  readonly production: ReadonlyMap<string, readonly Resource[]>;
  /** Resources with a policy (or an unreadable one). */
  readonly withPolicy: ReadonlySet<string>;
  /** Policy classes: every resource with a policy, an unreadable policy, and every KMS key. */
  readonly classes: readonly PolicyClass[];
  readonly classOf: ReadonlyMap<string, number>;
  /** Who some statement of a class's policy names (an ARN or unique id as written, `session:A:role`, `a:ACCOUNT`, `*` for anyone) → class ids. */
  readonly classesNaming: ReadonlyMap<string, readonly number[]>;
  readonly rcps?: RcpLevels;
  environment(r: Resource): EnvironmentOf;
  /** Resources of a type on the minority side of a pattern (matched when most are not, or the reverse), computed once. */
  minority(type: ResourceType, onObject: boolean, pattern: string): readonly Resource[];
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const l = m.get(k);
  if (l) l.push(v);
  else m.set(k, [v]);
}

/** A resource's tags as a request context reads them: keys in lower case, a later key overwriting an earlier one. */
export function contextTags(r: Pick<Resource, 'tags'>): Map<string, string> {
  const m = new Map<string, string>();
  for (const [k, v] of Object.entries(r.tags)) m.set(k.toLowerCase(), v);
  return m;
}

/** `aws:resourcetag/env` → `env`. */
const tagName = (key: string) => key.slice('aws:resourcetag/'.length);

/** Split groups by at most this many tag-value combinations: past it, a key stays decided resource by resource. */
const MAX_SPLIT = 64;

/**
 * Of the tag keys conditions read, those to split groups by: fewest distinct values first, while
 * the product of their value counts (absent counted as a value) stays within MAX_SPLIT. A key
 * with a value per resource (a Name tag) would make every resource a group of its own.
 */
function chooseSplit(resources: readonly Resource[], read: ReadonlySet<string>): string[] {
  if (read.size === 0) return [];
  const values = new Map<string, Set<string | undefined>>([...read].map((k) => [k, new Set()]));
  for (const r of resources) {
    const tags = contextTags(r);
    for (const [k, vs] of values) if (vs.size <= MAX_SPLIT) vs.add(tags.get(tagName(k)));
  }
  const out: string[] = [];
  let product = 1;
  for (const [k, vs] of [...values].sort(([a, x], [b, y]) => x.size - y.size || (a < b ? -1 : 1))) {
    if (product * vs.size > MAX_SPLIT) break;
    product *= vs.size;
    out.push(k);
  }
  return out.sort();
}
const SELF = '\u0002self';

/**
 * A policy's text with its resource's own ARN written as SELF, or undefined when a pattern could
 * name resources differently for two members (a wildcard pattern not anchored on the ARN, or an
 * ARN that itself holds wildcard characters): such a policy is a class of its own.
 */
function canonical(policy: PolicyDocument, arn: string): string | undefined {
  if (/[*?$]/.test(arn)) return undefined;
  const map = (ps: readonly string[] | undefined): readonly string[] | undefined | null => {
    if (!ps) return ps;
    const out: string[] = [];
    for (const p of ps) {
      if (p === '*') out.push(p);
      else if (p.startsWith(arn)) out.push(SELF + p.slice(arn.length));
      // A literal ARN other than its own never matches a request for this resource, whichever member.
      else if (!/[*?]|\$\{/.test(p)) out.push(p);
      else return null;
    }
    return out;
  };
  const statements = [];
  for (const s of policy.statements) {
    const resource = map(s.resource), notResource = map(s.notResource);
    if (resource === null || notResource === null) return undefined;
    statements.push({ ...s, resource, notResource });
  }
  return JSON.stringify([policy.version, statements]);
}

const ACCOUNT_ROOT = /^arn:[^:]+:iam::(\d{12}):root$/;
/** A role session's ARN: its account and role name. */
export const SESSION = /^arn:[^:]+:sts::(\d{12}):assumed-role\/([^/]+)\/.+$/;

/** The keys under which a policy's statements (Allow and Deny) name principals; see evaluate.ts's nameOne. */
function namingKeys(policy: PolicyDocument): Set<string> {
  const keys = new Set<string>();
  for (const s of policy.statements) {
    if (s.principal === '*' || s.notPrincipal) { keys.add('*'); continue; }
    for (const v of s.principal?.['AWS'] ?? []) {
      if (v === '*') { keys.add('*'); continue; }
      const acct = /^(\d{12})$/.exec(v)?.[1] ?? ACCOUNT_ROOT.exec(v)?.[1];
      if (acct) { keys.add(`a:${acct}`); continue; }
      keys.add(v);
      const sess = SESSION.exec(v);
      if (sess) keys.add(`session:${sess[1]}:${sess[2]}`);
    }
  }
  return keys;
}

/**
 * `readTags`: the aws:ResourceTag keys (lower case) that identity, boundary, SCP or RCP conditions
 * read; groups are split by the values of those that split well.
 */
export function buildResourceIndex(inv: ResourceInventory, markers: ProductionMarkers = DEFAULT_MARKERS, readTags: ReadonlySet<string> = new Set()): ResourceIndex {
  const split = chooseSplit(inv.resources, readTags);
  const groupKeys = new Map<string, string>();
  const groupOf = (r: Resource): string => {
    let g = groupKeys.get(r.arn);
    if (g === undefined) {
      g = `${r.type}@${r.account}`;
      if (split.length > 0) {
        const tags = contextTags(r);
        const vals = split.map((k) => tags.get(tagName(k)) ?? null);
        // Absent everywhere: the plain key (the common case keeps its old name).
        if (vals.some((v) => v !== null)) g += `#${JSON.stringify(vals)}`;
      }
      groupKeys.set(r.arn, g);
    }
    return g;
  };
  const byArn = new Map<string, Resource>();
  const typed = new Map<ResourceType, Resource[]>();
  const groups = new Map<string, Resource[]>();
  const withPolicy = new Set<string>();
  const classes: { id: number; group: string; members: Resource[]; production: number }[] = [];
  const classOf = new Map<string, number>();
  const classByKey = new Map<string, number>();
  const classesNaming = new Map<string, number[]>();
  for (const r of inv.resources) {
    if (byArn.has(r.arn)) continue;
    byArn.set(r.arn, r);
    push(typed, r.type, r);
    const group = groupOf(r);
    push(groups, group, r);
    if (r.policy || r.policyUnknown !== undefined) withPolicy.add(r.arn);
    const isKey = r.type === 'kms:key';
    if (!r.policy && r.policyUnknown === undefined && !isKey) continue;
    // A key without a policy, or a policy leash could not read, concerns everyone (it may deny).
    const unknown = r.policyUnknown !== undefined || (isKey && !r.policy);
    const text = r.policy ? canonical(r.policy, r.arn) ?? `own:${r.arn}` : '-';
    const key = `${group}\u0000${unknown ? 'U' : ''}\u0000${text}`;
    let id = classByKey.get(key);
    if (id === undefined) {
      id = classes.length;
      classByKey.set(key, id);
      classes.push({ id, group, members: [], production: 0 });
      const names = r.policy ? namingKeys(r.policy) : new Set<string>();
      if (unknown) names.add('*');
      for (const k of names) push(classesNaming, k, id);
    }
    classes[id]!.members.push(r);
    classOf.set(r.arn, id);
  }
  const byType = new Map<ResourceType, TypeGroup>();
  for (const [t, list] of typed) {
    list.sort((a, b) => (a.arn < b.arn ? -1 : a.arn > b.arn ? 1 : 0));
    byType.set(t, { resources: list, arns: list.map((r) => r.arn) });
  }
  const groupsOfType = new Map<ResourceType, string[]>();
  for (const [k, list] of groups) push(groupsOfType, list[0]!.type, k);
  const envs = new Map<string, EnvironmentOf>();
  const environment = (r: Resource) => {
    let e = envs.get(r.arn);
    if (!e) envs.set(r.arn, (e = environmentOf(r, markers)));
    return e;
  };
  for (const c of classes) c.production = c.members.filter((m) => environment(m).environment === 'production').length;
  const production = new Map<string, Resource[]>();
  for (const [k, list] of groups) production.set(k, list.filter((r) => environment(r).environment === 'production').sort((x, y) => x.name.localeCompare(y.name)));
  const minorities = new Map<string, readonly Resource[]>();
  const minority = (type: ResourceType, onObject: boolean, pattern: string): readonly Resource[] => {
    const key = `${type}\u0000${onObject ? 1 : 0}\u0000${pattern}`;
    let out = minorities.get(key);
    if (!out) minorities.set(key, (out = minorityOf(byType.get(type), onObject, pattern)));
    return out;
  };
  return {
    resources: [...byArn.values()], groupOf, splitTags: new Set(split), byArn, byType, groups, groupsOfType, production, withPolicy, classes, classOf, classesNaming,
    ...(inv.rcps && inv.rcps.length > 0 ? { rcps: inv.rcps } : {}),
    environment, minority,
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

/** The literal text before a pattern's first wildcard (for objects of a bucket: up to the bucket). */
function literalPrefix(pattern: string, onObject: boolean): string {
  const w = pattern.search(/[*?]/);
  let p = w < 0 ? pattern : pattern.slice(0, w);
  if (onObject) {
    const slash = p.indexOf('/', 'arn:aws:s3:::'.length);
    if (slash >= 0) p = p.slice(0, slash);
  }
  return p;
}

/**
 * The resources a pattern matches (requests for them, that is), or those it does not when it
 * matches most. Every match begins with the pattern's literal prefix (matching is
 * case-sensitive), so only that range of the sorted ARNs is tested.
 */
function minorityOf(group: TypeGroup | undefined, onObject: boolean, pattern: string): readonly Resource[] {
  if (!group) return [];
  const prefix = literalPrefix(pattern, onObject);
  const matched = new Set<number>();
  for (let i = lowerBound(group.arns, prefix); i < group.arns.length && group.arns[i]!.startsWith(prefix); i++) {
    if (arnMatches(pattern, requestArn(group.arns[i]!, { onObject }))) matched.add(i);
  }
  if (matched.size * 2 <= group.resources.length) return [...matched].map((i) => group.resources[i]!);
  return group.resources.filter((_, i) => !matched.has(i));
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
  /** `${type}@${account}` → grants (none: absent) on every resource of the group not in `classes` or `decided`. */
  readonly whole: ReadonlyMap<string, readonly Grant[]>;
  /** Policy class → grants (possibly none) on each of its members not in `decided`; the evidence names the class's first member. */
  readonly classes: ReadonlyMap<number, readonly Grant[]>;
  /** Resources decided one by one → grants (possibly none). */
  readonly decided: ReadonlyMap<string, readonly Grant[]>;
  /** The index's resource → policy class. */
  readonly classOf: ReadonlyMap<string, number>;
  /** The index's resource → group key. */
  readonly groupOf: (r: Resource) => string;
  /**
   * The caller whose identity evidence this is. Stored grants may have been decided for another
   * caller with the same policies (see share.ts) and name that one; `grantFor` names this one.
   */
  readonly caller: string;
}

/** The grants a DirectAccess stores for a resource: its own, its class's, or its group's (evidence not yet the member's and the caller's). */
export function storedGrantsOn(access: DirectAccess, r: Resource): readonly Grant[] {
  return storedGrantsAt(access, r.arn, access.classOf.get(r.arn), access.groupOf(r));
}

/** storedGrantsOn, given the resource's class and group (a caller asking many accesses about one resource looks them up once). */
export function storedGrantsAt(access: DirectAccess, arn: string, cls: number | undefined, group: string): readonly Grant[] {
  return access.decided.get(arn) ?? (cls !== undefined ? access.classes.get(cls) : undefined) ?? access.whole.get(group) ?? [];
}

/**
 * A stored grant as it holds for this resource and caller: resource-policy evidence names the
 * resource (a class's grants name the member they were decided on), identity evidence the caller
 * (an access shared from another caller names that one).
 */
export function grantFor(access: DirectAccess, r: Resource, g: Grant): Grant {
  // Identity evidence always names the caller (the graph's evalLayer writes the caller's ARN).
  const fix = (e: ResourceEvidence) => (e.side === 'resource' && e.arn !== r.arn) || (e.side === 'identity' && e.arn !== access.caller);
  if (!g.evidence.some(fix)) return g;
  return { ...g, evidence: g.evidence.map((e) => (!fix(e) ? e : e.side === 'resource' ? { ...e, arn: r.arn } : { ...e, arn: access.caller })) };
}

/** The grants a DirectAccess gives on one resource. */
export function grantsOn(access: DirectAccess, r: Resource): readonly Grant[] {
  return storedGrantsOn(access, r).map((g) => grantFor(access, r, g));
}

/** A class's grants for one member: the resource-policy evidence names that member. */
function forMember(gs: readonly Grant[], r: Resource): readonly Grant[] {
  if (!gs.some((g) => g.evidence.some((e) => e.side === 'resource' && e.arn !== r.arn))) return gs;
  return gs.map((g) => ({ ...g, evidence: g.evidence.map((e) => (e.side === 'resource' ? { ...e, arn: r.arn } : e)) }));
}

function toGrant(a: TypeAction, d: ReturnType<typeof decideOnResource>): Grant | undefined {
  if (d.decision !== 'Allowed' && d.decision !== 'Conditional') return undefined;
  return { action: a.action, kind: a.kind, condition: d.condition!, via: d.via!, evidence: d.evidence };
}

const readsTags = new WeakMap<Statement, boolean>();
/** Does a statement's condition (or a policy variable anywhere in it) read the resource's tags? */
function mentionsResourceTag(s: Statement): boolean {
  let v = readsTags.get(s);
  if (v === undefined) readsTags.set(s, (v = /resourcetag/i.test(JSON.stringify([s.condition ?? null, s.resource ?? null, s.notResource ?? null]))));
  return v;
}

const tagReads = new WeakMap<Statement, ReadonlySet<string> | 'other'>();
/**
 * The aws:ResourceTag keys (lower case) a statement reads as condition keys, or 'other' when it
 * mentions resource tags anywhere else (a policy variable in a value or a pattern).
 */
export function resourceTagKeys(s: Statement): ReadonlySet<string> | 'other' {
  let v = tagReads.get(s);
  if (v === undefined) {
    const keys = new Set<string>();
    const blocks = Object.values(s.condition ?? {});
    for (const ks of blocks) for (const k of Object.keys(ks)) {
      const key = k.toLowerCase();
      if (key.startsWith('aws:resourcetag/') && !key.includes('${')) keys.add(key);
    }
    // Any other mention (in a value, a pattern, a key with a variable) is read resource by resource.
    const rest = JSON.stringify([blocks.map((ks) => Object.entries(ks).map(([k, vs]) => [keys.has(k.toLowerCase()) ? '' : k, vs])), s.resource ?? null, s.notResource ?? null]);
    v = /resourcetag/i.test(rest) ? 'other' : keys;
    tagReads.set(s, v);
  }
  return v;
}

/** The policy layers a decision reads besides the resource's own policy. */
function callerDocs(rc: ResourceCaller, rcps: RcpLevels | undefined): PolicyDocument[] {
  return [...rc.caller.identity.docs.map((d) => d.document), ...(rc.caller.boundary?.docs.map((d) => d.document) ?? []), ...rc.caller.scps.flatMap((l) => l.docs.map((d) => d.document)), ...(rcps ?? []).flatMap((l) => l.map((p) => p.document))];
}

/**
 * Resources of a type that some statement covering the action treats unlike the rest (a pattern's
 * minority side), or 'all' when the answer may differ resource by resource (a policy variable in
 * a pattern, a condition on resource tags).
 */
function specials(idx: ResourceIndex, docs: readonly PolicyDocument[], type: ResourceType, a: TypeAction): 'all' | Set<Resource> {
  const out = new Set<Resource>();
  for (const d of docs) for (const s of coveringStatements(d, a.action)) {
    // Tags a group's members share (the index split groups by them) are read alike on all of them.
    if (mentionsResourceTag(s)) {
      const keys = resourceTagKeys(s);
      if (keys === 'other' || [...keys].some((k) => !idx.splitTags.has(k))) return 'all';
    }
    for (const p of s.resource ?? s.notResource ?? []) {
      if (p === '*') continue;
      if (p.includes('${')) return 'all';
      for (const r of idx.minority(type, a.onObject, p)) out.add(r);
    }
  }
  return out;
}

const stripped = new WeakMap<Resource, Resource>();
/** A resource as it would be without a policy: what a member of a class that names nobody relevant gets. */
function withoutPolicy(r: Resource): Resource {
  let s = stripped.get(r);
  if (!s) {
    const { policy: _p, policyUnknown: _u, ...rest } = r;
    stripped.set(r, (s = rest));
  }
  return s;
}

/** The policy classes whose statements name this caller: by ARN, unique id, role session, account, or anyone. */
function classesNamingCaller(idx: ResourceIndex, rc: ResourceCaller): Set<number> {
  const keys = ['*', `a:${rc.caller.account}`, rc.caller.arn];
  if (rc.uniqueId) keys.push(rc.uniqueId);
  if (rc.kind === 'role' && rc.roleName) keys.push(`session:${rc.caller.account}:${rc.roleName}`);
  const out = new Set<number>();
  for (const k of keys) for (const id of idx.classesNaming.get(k) ?? []) out.add(id);
  return out;
}

/**
 * Direct access of one caller over the whole inventory. Per type and action: the resources some
 * pattern treats apart are decided one by one; the rest of each group gets one decision, made on
 * a member without its policy (KMS keys: none, a key policy must grant); each policy class that
 * names the caller gets one decision, made on a member. The answer is exactly what deciding
 * every resource and action one by one gives (test/resources/index.test.ts).
 */
/**
 * Decisions shared between callers: `key` says what of a caller one action's decision reads (the
 * statements covering it, in order, and the caller's side of the request); decisions are kept per
 * key and resource object. Identity evidence may then name another caller: `grantFor` renames it.
 */
export interface DecisionMemo {
  key(rc: ResourceCaller, action: string): string;
  readonly decisions: Map<string, Grant | null>;
}

const resourceIds = new WeakMap<Resource, number>();
let nextResourceId = 0;
/** A number per resource object (a resource and its policy-less copy are different requests). */
function resourceId(r: Resource): number {
  let id = resourceIds.get(r);
  if (id === undefined) resourceIds.set(r, (id = nextResourceId++));
  return id;
}

export function directAccess(idx: ResourceIndex, rc: ResourceCaller, kinds: readonly AccessKind[] = ['delete', 'destructive', 'read'], memo?: DecisionMemo): DirectAccess {
  const docs = callerDocs(rc, idx.rcps);
  const naming = classesNamingCaller(idx, rc);
  const namingByGroup = new Map<string, number[]>();
  for (const id of naming) push(namingByGroup, idx.classes[id]!.group, id);
  const wholeSlots = new Map<string, (Grant | null)[]>();
  const classSlots = new Map<number, (Grant | null)[]>();
  // Per resource decided one by one: a slot per action (undefined: not decided on its own).
  const decidedSlots = new Map<string, (Grant | null | undefined)[]>();
  const decideHere = (r: Resource, a: TypeAction) => toGrant(a, decideOnResource(rc, a.action, requestArn(r.arn, a), r, idx.rcps)) ?? null;
  const actionKeys = new Map<string, string>();
  const decide = !memo ? decideHere : (r: Resource, a: TypeAction) => {
    let k = actionKeys.get(a.action);
    if (k === undefined) actionKeys.set(a.action, (k = memo.key(rc, a.action)));
    const key = `${a.action}\u0000${resourceId(r)}\u0000${k}`;
    let g = memo.decisions.get(key);
    if (g === undefined) memo.decisions.set(key, (g = decideHere(r, a)));
    return g;
  };
  for (const [type, keys] of idx.groupsOfType) {
    const actions = (typeActions().get(type) ?? []).filter((a) => kinds.includes(a.kind));
    if (actions.length === 0) continue;
    const slots = <K>(m: Map<K, (Grant | null | undefined)[]>, k: K) => {
      let l = m.get(k);
      if (!l) m.set(k, (l = new Array<Grant | null | undefined>(actions.length)));
      return l;
    };
    const isKey = type === 'kms:key';
    actions.forEach((a, ai) => {
      const sp = specials(idx, docs, type, a);
      // Without an identity statement for the action, a resource whose policy does not name the
      // caller (or that has none) grants nothing: no decision needed.
      const identityCovers = rc.caller.identity.docs.some((d) => coveringStatements(d.document, a.action).length > 0);
      const decideBare = (r: Resource) => (identityCovers ? decide(r, a) : null);
      // Resources decided apart, by group: walking every member per action was resources × actions per caller.
      const apart = new Map<string, Resource[]>();
      if (sp !== 'all') for (const r of sp) push(apart, idx.groupOf(r), r);
      for (const key of keys) {
        const members = idx.groups.get(key)!;
        const alone = (r: Resource) => sp === 'all' || sp.has(r);
        for (const m of sp === 'all' ? members : apart.get(key) ?? []) {
          const bare = !m.policy && m.policyUnknown === undefined && !isKey;
          slots(decidedSlots, m.arn)[ai] = bare ? decideBare(m) : decide(m, a);
        }
        const rep = sp === 'all' ? undefined : members.find((m) => !alone(m));
        if (!rep) continue;
        // KMS: a key whose policy names nobody relevant grants nothing, whatever IAM says.
        slots(wholeSlots, key)[ai] = isKey ? null : decideBare(withoutPolicy(rep));
        for (const id of namingByGroup.get(key) ?? []) {
          const c = idx.classes[id]!;
          const tagged = c.members[0]!.policy !== undefined && coveringStatements(c.members[0]!.policy, a.action).some(mentionsResourceTag);
          if (tagged) for (const m of c.members) if (!alone(m)) slots(decidedSlots, m.arn)[ai] = decide(m, a);
          const first = tagged ? undefined : c.members.find((m) => !alone(m));
          slots(classSlots, id)[ai] = first ? decide(first, a) : null;
        }
      }
    });
  }
  const list = (l: readonly (Grant | null | undefined)[]) => Array.from(l).filter((g): g is Grant => g !== null && g !== undefined);
  const whole = new Map<string, Grant[]>();
  for (const [k, l] of wholeSlots) { const gs = list(l); if (gs.length > 0) whole.set(k, gs); }
  const classes = new Map<number, Grant[]>();
  for (const [id, l] of classSlots) classes.set(id, list(l));
  const decided = new Map<string, Grant[]>();
  // A resource decided on its own for some actions takes its class's (or group's) grants for the others.
  for (const [arn, l] of decidedSlots) {
    const r = idx.byArn.get(arn)!;
    const c = idx.classOf.get(arn);
    const fill = (c !== undefined && naming.has(c) ? classSlots.get(c) : undefined) ?? wholeSlots.get(idx.groupOf(r)) ?? [];
    const fromClass = c !== undefined && naming.has(c);
    const out: Grant[] = [];
    for (let i = 0; i < l.length; i++) {
      const g = l[i];
      const v = g !== undefined ? g : fill[i] ?? null;
      if (v) out.push(g === undefined && fromClass ? forMember([v], r)[0]! : v);
    }
    decided.set(arn, out);
  }
  return { whole, classes, decided, classOf: idx.classOf, groupOf: idx.groupOf, caller: rc.caller.arn };
}
