// One DirectAccess per policy class of callers. What a caller may do to the inventory depends on
// the caller only through: its policy layers (identity, boundary, SCP levels: names and text),
// what kind of principal it is, its account, organization and service-linked flag, the request
// context it brings, and whether some resource policy names it by ARN, unique id or role session.
// Callers equal in all of these (identical policies in one account: the usual shape of roles made
// from one template) get the same grants; only the identity evidence names the caller, and
// `grantsOn` renames it. The context's per-principal keys (ARN, user name and id, principal tags)
// enter the key only when some document that a decision reads could read them.
import type { PolicyDocument } from '../model/policy.js';
import type { Layer } from '../graph/request.js';
import { SESSION, directAccess, type DecisionMemo, type DirectAccess, type ResourceIndex } from './index.js';
import { coveringStatements } from '../graph/request.js';
import type { ResourceCaller } from './evaluate.js';
import type { AccessKind } from './actions.js';

/** Context keys whose values differ from one principal to the next although their policies are equal. */
const personal = (k: string) => k === 'aws:principalarn' || k === 'aws:username' || k === 'aws:userid' || k.startsWith('aws:principaltag/');

/** What a document can read of the request context: condition keys (lower case), and whether it holds a policy variable. */
interface Reads { readonly keys: ReadonlySet<string>; readonly variables: boolean }


export interface AccessSharing {
  /** The caller's DirectAccess, computed once per access key. */
  access(rc: ResourceCaller): DirectAccess;
  /** The content key: callers with equal keys get equal grants (identity evidence renamed). */
  keyOf(rc: ResourceCaller): string;
  /** How many DirectAccess were computed (the rest were shared). */
  computed(): number;
}

export function accessSharing(idx: ResourceIndex, kinds?: readonly AccessKind[]): AccessSharing {
  const docIds = new WeakMap<PolicyDocument, number>();
  const byText = new Map<string, number>();
  const docId = (d: PolicyDocument): number => {
    let id = docIds.get(d);
    if (id === undefined) {
      const text = JSON.stringify(d);
      id = byText.get(text);
      if (id === undefined) byText.set(text, (id = byText.size));
      docIds.set(d, id);
    }
    return id;
  };
  const readsCache = new WeakMap<PolicyDocument, Reads>();
  const readsOf = (d: PolicyDocument): Reads => {
    let r = readsCache.get(d);
    if (!r) {
      const keys = new Set<string>();
      for (const s of d.statements) for (const ks of Object.values(s.condition ?? {})) for (const k of Object.keys(ks)) keys.add(k.toLowerCase());
      readsCache.set(d, (r = { keys, variables: JSON.stringify(d).includes('${') }));
    }
    return r;
  };
  // Index-wide: the resource policies (one per class: members differ only in their own ARN) and RCPs.
  const shared = { keys: new Set<string>(), variables: false };
  const mentioned = new Set<string>();
  const sharedDocs: PolicyDocument[] = [];
  for (const c of idx.classes) {
    const p = c.members[0]!.policy;
    if (!p) continue;
    sharedDocs.push(p);
    for (const s of p.statements) {
      for (const block of [s.principal, s.notPrincipal]) {
        if (!block || block === '*') continue;
        for (const v of block['AWS'] ?? []) {
          mentioned.add(v);
          const sess = SESSION.exec(v);
          if (sess) mentioned.add(`session:${sess[1]}:${sess[2]}`);
        }
      }
    }
  }
  for (const l of idx.rcps ?? []) for (const p of l) sharedDocs.push(p.document);
  for (const d of sharedDocs) {
    const r = readsOf(d);
    for (const k of r.keys) shared.keys.add(k);
    shared.variables ||= r.variables;
  }
  const layer = (l: Layer | undefined) => (l ? l.docs.map((d) => [d.name, docId(d.document)]) : null);
  // Only the statements covering one action: what that action's decisions read of a layer (in order).
  const covering = (l: Layer, action: string) => l.docs.flatMap((d) => {
    const ss = coveringStatements(d.document, action);
    return ss.length === 0 ? [] : [[d.name, docId(d.document), ss.map((st) => st.index)]];
  });

  /** The caller's side of every request: what it is, and the context keys a decision could read. */
  const sides = new WeakMap<ResourceCaller, string>();
  const sideNumbers = new Map<string, number>();
  const sideOf = (rc: ResourceCaller): string => {
    let side = sides.get(rc);
    if (side !== undefined) return side;
    const c = rc.caller;
    const layers = [c.identity, ...(c.boundary ? [c.boundary] : []), ...c.scps];
    let variables = shared.variables;
    const keys = new Set(shared.keys);
    for (const l of layers) for (const d of l.docs) {
      const r = readsOf(d.document);
      variables ||= r.variables;
      for (const k of r.keys) keys.add(k);
    }
    const context = Object.entries(c.context.values)
      .filter(([k]) => variables || !personal(k) || keys.has(k))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const named = mentioned.has(c.arn) || (rc.uniqueId !== undefined && mentioned.has(rc.uniqueId)) || (rc.kind === 'role' && rc.roleName !== undefined && mentioned.has(`session:${c.account}:${rc.roleName}`));
    const text = JSON.stringify([
      rc.kind, rc.serviceLinked ?? false, c.account, c.context.closedWorld ?? false, context,
      named ? [c.arn, rc.uniqueId ?? null, rc.roleName ?? null] : null,
    ]);
    // Numbered: every key below repeats it.
    let n = sideNumbers.get(text);
    if (n === undefined) sideNumbers.set(text, (n = sideNumbers.size));
    sides.set(rc, (side = `s${n}`));
    return side;
  };

  const keyOf = (rc: ResourceCaller): string => {
    const c = rc.caller;
    return `${sideOf(rc)}${JSON.stringify([layer(c.identity), layer(c.boundary), c.scps.map(layer)])}`;
  };

  // Callers whose policies differ still decide alike where the statements covering an action are
  // the same (most often none): one decision per such key and resource, across callers.
  // Keys are numbered: spelled out in every decision's key they were gigabytes at 10,000 principals.
  const keyNumbers = new Map<string, number>();
  const memo: DecisionMemo = {
    decisions: new Map(),
    key: (rc, action) => {
      const c = rc.caller;
      const text = `${sideOf(rc)}${JSON.stringify([covering(c.identity, action), c.boundary ? covering(c.boundary, action) : null, c.scps.map((l) => covering(l, action))])}`;
      let n = keyNumbers.get(text);
      if (n === undefined) keyNumbers.set(text, (n = keyNumbers.size));
      return String(n);
    },
  };

  // Each key's access, and the caller it was computed for (whom its identity evidence names).
  const byKey = new Map<string, DirectAccess>();
  return {
    keyOf,
    computed: () => byKey.size,
    access(rc) {
      const key = keyOf(rc);
      let base = byKey.get(key);
      if (!base) byKey.set(key, (base = directAccess(idx, rc, kinds, memo)));
      return base.caller === rc.caller.arn ? base : { ...base, caller: rc.caller.arn };
    },
  };
}
