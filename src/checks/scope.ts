// Where a principal's unconditional Allow statements grant an action: on every resource of its
// type, or only on named ones (`table/kiro-scratch-*`). Without an inventory this is what tells a
// least-privilege grant from a wide-open one (session 35). Pure: policies in, a verdict out.
//
// The rule, per Resource pattern and action (the action's resource types and ARN formats from the
// catalog): the pattern's resource part (after the fifth colon) is read up to its first wildcard
// (`*` or `?`; a policy variable `${…}` is literal text there, so `user/${aws:username}` is the
// caller's own). It is *wide* when that literal text covers no more than the resource type
// (`*`, `table/*`, `ta*`, `arn:aws:s3:::*`), *scoped* when it names some of the resource's own
// name (`table/kiro-scratch-*`, `arn:aws:s3:::my-bucket/*`). Region and account wildcards alone
// do not make a pattern wide (the name decides). `*`, `arn:*` and any pattern that is not a
// six-part ARN are wide (a `*` last in a segment can match past a colon), and so is NotResource
// ("everything but"). IAM matches each ARN segment with `*`/`?` as wildcards
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html).
// An action with no resource type takes only `"Resource": "*"` (Service Authorization Reference),
// so a named pattern grants it nowhere: scoped.
//
// A pattern of another service (session 36): `dynamodb:DeleteTable` on `arn:aws:s3:::*` or
// `arn:aws:s3:::x` can match no table ARN, so that statement grants the action nowhere. When the
// pattern's service field (third) is literal and no ARN format of the action's resource types
// (catalog; `ebs:` snapshots are `arn:…:ec2:…`, so the formats decide, not the action's prefix)
// has that service, the pattern is *scoped*, never wide, and shown whole. It never understates:
// only a literal field decides (IAM forbids a wildcard there, and leash does not guess one);
// fields compare case-insensitively; an action whose formats are not all known with a literal
// service (or that has none, or is unknown) keeps the plain rule; and "scoped" is all it becomes.
// The effective stage still holds the action as allowed on some resource, so the finding stays,
// one step lower when every grant is like this, and says where; it does not vanish.
// The third field is the service namespace (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html),
// and the Resource element's page notes that the service segment takes no wildcard.
//
// A Deny with NotResource (session 38): `Allow dynamodb:DeleteTable on *` beside `Deny
// dynamodb:DeleteTable, NotResource table/kiro-scratch-*` allows the delete only on kiro-scratch-*
// tables: an explicit Deny wins in every layer, so whatever the Allows say, the action is left
// inside the NotResource patterns. Read only where it is decidable: an unconditional Deny whose
// Action list covers the action (the same action or a superset such as `dynamodb:*`), with
// NotResource and no Resource, none of whose patterns is wide by the rule above, in any layer
// (identity, boundary, SCP). A Condition, NotAction, a wide NotResource pattern (`*`, `table/*`)
// decide nothing: every resource, as before (never understated). An Allow with NotResource
// ("everything but") stays wide.
// Intersected (session 40, iam/arn-intersect.ts): what the Allows grant — since session 41 the
// Allow layers' intersection, below — is intersected with every
// decidable Deny's NotResource in turn (`table/kiro-*` with NotResource `table/kiro-scratch-*`:
// kiro-scratch-*; two Denies: inside both). Where the exact intersection is not known or not
// representable in a few patterns, the pattern is kept as it was (a superset). Each granted
// pattern is intersected on its own, never folded into a wider one, so adding an Allow only adds
// patterns. When nothing is left (`table/prod-orders` with NotResource `table/kiro-scratch-*`)
// the action is scoped with no pattern (`nowhere`): the request evaluator denies every resource its
// Allows name. Since session 42 the effective stage drops such an action itself where it can
// prove it (iam/layer-intersect.ts `leftNowhere`: the same intersections, no policy variable), so
// it reaches no check; what is left here is what it could not prove (a variable, a bound): the
// finding stays, one step lower, and says "denied wherever allowed", as a pattern of another
// service does (session 36).
//
// The Allow layers intersected (session 41): the request evaluator allows an action only where the
// identity policies, the permissions boundary and every SCP level each allow it, so each layer's
// patterns (every granting statement's Resource, wide ones too; NotResource or none as `*`; a
// layer where none is found as `*`) are intersected with the running answer, identity first,
// pattern by pattern (`withinLayer`): identity `table/kiro-*` with a boundary on `table/*-scratch`
// is kiro-scratch and kiro-*-scratch. Only then the Denies, as above. A Condition never narrows: a
// conditional statement counts by its Resource (`*` limited by tags stays `*`); a policy variable
// only proves two patterns disjoint. Where the exact intersection is not known, the answer is the
// running pattern (or, when that is wide, the layer's: a superset either way); past the bounds
// (16 pieces a pattern, 4,096 named pairs, 64 patterns beyond the layer's), named patterns are kept
// whole. No pattern stops at the first that contains it, so adding an Allow to a layer only adds
// patterns. Every layer with a wide pattern and no Deny to read is every resource, as wideByType
// and the graph's tiers read it. When the layers leave nothing (identity `table/prod-orders`, a
// boundary allowing only `table/dev-*`), the action is `nowhere` as with a Deny, with the layer
// that left nothing (`disjoint`): "allowed nowhere: the permissions boundary allows it only on
// table/dev-*, where the identity policies do not grant it", one step lower — said only where the
// effective stage did not drop the action (session 42: it drops what it proves, without a policy
// variable; a variable here may still prove two patterns disjoint).
import type { Statement, PolicyDocument } from '../model/policy.js';
import type { Principal, Snapshot } from '../model/snapshot.js';
import type { ActionExpander } from '../iam/pattern.js';
import { statementCovers } from '../iam/pattern.js';
import { coveringStatementsOf } from '../iam/effective.js';
import type { EffectivePermissions } from '../iam/effective.js';
import { gatesOnApproval } from '../iam/conditions.js';
import { mayApplyToPrincipal } from '../iam/principal-context.js';
import { environmentOf, type ProductionMarkers } from '../resources/markers.js';
import { leftWithin, mayLeaveNamed, withinLayer } from '../iam/layer-intersect.js';
import { safeText } from '../safe/text.js';
import type { Severity } from '../model/finding.js';
import { listText, viewsOf, type EvidenceIndex } from './evidence.js';

// The intersections themselves live with the effective stage's (iam/layer-intersect.ts): one reading.
export { leftWithin, withinLayer };

export interface GrantScope {
  /** Actions some statement grants on every resource of their type (in every layer that allows them). */
  readonly everywhere: readonly string[];
  /** Actions granted only on named resources, with their patterns (distinct, in policy order). */
  readonly scoped: readonly { readonly action: string; readonly patterns: readonly string[] }[];
  /** The scoped actions' patterns, distinct. */
  readonly patterns: readonly string[];
  /** A scoped pattern whose words name production (production-markers.json), if any. */
  readonly production?: string;
  /** Scoped patterns of another service than their action's resources (grant nothing there; shown whole). */
  readonly otherService?: readonly string[];
  /** Scoped actions left on no resource (their patterns are empty): by their Allow layers (`disjoint`), or a Deny with NotResource that excepts none the Allows name. */
  readonly nowhere?: readonly string[];
  /** Those of `nowhere` whose Allow layers share no resource (session 41), and which layer left nothing. */
  readonly disjoint?: readonly Disjoint[];
}

/** Index of the first wildcard of an ARN's resource part, a policy variable read as literal; -1 when none. */
function firstWildcard(r: string): number {
  for (let i = 0; i < r.length; i++) {
    const c = r.charCodeAt(i);
    if (c === 42 /* * */ || c === 63 /* ? */) return i;
    if (c === 36 /* $ */ && r.charCodeAt(i + 1) === 123 /* { */) {
      const end = r.indexOf('}', i + 2);
      if (end < 0) return -1;
      i = end;
    }
  }
  return -1;
}

/** The resource part of a six-part ARN pattern (after the fifth colon); undefined when it is not one. */
export function resourcePart(pattern: string): string | undefined {
  let at = 0;
  for (let i = 0; i < 5; i++) {
    const c = pattern.indexOf(':', at);
    if (c < 0) return undefined;
    at = c + 1;
  }
  return pattern.startsWith('arn:') ? pattern.slice(at) : undefined;
}

/** Is this Resource pattern wide for an action whose resource types' ARNs start with `typePrefixes` (see the rule above)? */
export function patternIsWide(pattern: string, typePrefixes: readonly string[]): boolean {
  if (pattern === '*') return true;
  const r = resourcePart(pattern);
  if (r === undefined) return true;
  const w = firstWildcard(r);
  if (w < 0) return false;
  const lit = r.slice(0, w);
  if (typePrefixes.length === 0) return lit === '';
  return typePrefixes.some((p) => p.startsWith(lit));
}

// Per expander, an action id's resource-type prefixes (`table/`, `secret:`, `` for S3 buckets).
const prefixCache = new WeakMap<ActionExpander, Map<number, readonly string[]>>();
const UNKNOWN_ACTION: readonly string[] = [''];
function typePrefixes(expander: ActionExpander, id: number): readonly string[] {
  if (id < 0) return UNKNOWN_ACTION;
  let byId = prefixCache.get(expander);
  if (!byId) prefixCache.set(expander, (byId = new Map()));
  let out = byId.get(id);
  if (!out) {
    const a = expander.catalog.actions[id]!;
    const formats = expander.catalog.resourceArnFormats.get(a.service);
    out = a.resourceTypes.map((t) => {
      const f = formats?.get(t.name);
      const rp = f === undefined ? undefined : resourcePart(f);
      if (rp === undefined) return '';
      const v = rp.indexOf('${');
      return v < 0 ? rp : rp.slice(0, v);
    });
    byId.set(id, out);
  }
  return out;
}

// Per expander, an action id's resource types' ARN services (`dynamodb`; `ec2` for an ebs
// snapshot); null when one is not literal, the action has no resource type or is unknown.
const serviceCache = new WeakMap<ActionExpander, Map<number, ReadonlySet<string> | null>>();
function typeServices(expander: ActionExpander, id: number): ReadonlySet<string> | null {
  if (id < 0) return null;
  let byId = serviceCache.get(expander);
  if (!byId) serviceCache.set(expander, (byId = new Map()));
  let out = byId.get(id);
  if (out === undefined) {
    const a = expander.catalog.actions[id]!;
    const formats = expander.catalog.resourceArnFormats.get(a.service);
    const services = new Set<string>();
    for (const t of a.resourceTypes) {
      const svc = formats?.get(t.name)?.split(':')[2];
      if (svc === undefined || svc === '' || /[*?$]/.test(svc)) { services.clear(); break; }
      services.add(svc.toLowerCase());
    }
    out = services.size > 0 ? services : null;
    byId.set(id, out);
  }
  return out;
}

/** Does a Resource pattern name another service than every ARN the action takes (the rule above)? */
export function otherService(pattern: string, services: ReadonlySet<string> | null): boolean {
  if (services === null || resourcePart(pattern) === undefined) return false;
  const svc = pattern.slice(pattern.indexOf(':', 4) + 1, pattern.indexOf(':', pattern.indexOf(':', 4) + 1));
  return !/[*?$]/.test(svc) && !services.has(svc.toLowerCase());
}

/** What one layer says of an action: wide, scoped to these patterns, or nothing found (undefined). */
type LayerScope = true | Set<string> | undefined;

/** Adds one granting statement to a layer's verdict: wide if it is (a wide statement wins), else its patterns. */
function addStatement(acc: LayerScope, st: Statement, prefixes: readonly string[], services: ReadonlySet<string> | null): LayerScope {
  // An Allow behind an approval condition is not what the agent holds without approval.
  if (acc === true || st.effect !== 'Allow' || gatesOnApproval(st.condition, 'Allow')) return acc;
  if (st.notResource || st.resource === undefined) return true;
  const out = acc ?? new Set<string>();
  for (const r of st.resource) {
    if (!otherService(r, services) && patternIsWide(r, prefixes)) return true;
    out.add(r);
  }
  return out;
}

/**
 * Adds one granting statement's patterns to a layer's list, wide or named, as they are
 * (NotResource, or no Resource, as `*`). Every statement counts, a conditional one by its
 * Resource (its Condition can only narrow it further: never read as narrowing), except an Allow
 * behind an approval condition, which is not what the agent holds without approval.
 */
function addPatterns(into: Set<string>, st: Statement, prefixes: readonly string[], services: ReadonlySet<string> | null): void {
  if (st.effect !== 'Allow' || gatesOnApproval(st.condition, 'Allow')) return;
  if (st.notResource || st.resource === undefined) { into.add('*'); return; }
  for (const r of st.resource) into.add(r);
}

/** The identity layer's patterns, from the statements evidence reads for this principal (index shared with the checks); undefined when none grants it. */
function identityPatterns(expander: ActionExpander, p: Principal, action: string, id: number, prefixes: readonly string[], services: ReadonlySet<string> | null, index: EvidenceIndex | undefined): string[] | undefined {
  const out = new Set<string>();
  for (const view of viewsOf(expander, p, index)) {
    if (id >= 0 && !view.union.has(id)) continue;
    const { statements, sets } = view;
    for (let k = 0; k < statements.length; k++) {
      if (id >= 0 ? sets[k]!.has(id) : statementCovers(statements[k]!, action)) addPatterns(out, statements[k]!, prefixes, services);
    }
  }
  return out.size > 0 ? [...out] : undefined;
}

/** A boundary or one SCP level: its statements that cover the action and may apply to this principal. */
function layerScope(docs: readonly PolicyDocument[], p: Principal, action: string, prefixes: readonly string[], services: ReadonlySet<string> | null): LayerScope {
  let acc: LayerScope;
  for (const d of docs) {
    for (const st of coveringStatementsOf(d, action)) {
      if (st.effect === 'Allow' && mayApplyToPrincipal(st.condition, p, d.version)) acc = addStatement(acc, st, prefixes, services);
      if (acc === true) return acc;
    }
  }
  return acc;
}

/** A boundary's or one SCP level's patterns (statements that may apply to this principal); undefined when none grants it. */
function layerPatterns(docs: readonly PolicyDocument[], p: Principal, action: string, prefixes: readonly string[], services: ReadonlySet<string> | null): string[] | undefined {
  const out = new Set<string>();
  for (const d of docs) {
    for (const st of coveringStatementsOf(d, action)) {
      if (st.effect === 'Allow' && mayApplyToPrincipal(st.condition, p, d.version)) addPatterns(out, st, prefixes, services);
    }
  }
  return out.size > 0 ? [...out] : undefined;
}

/**
 * The NotResource patterns of every decidable Deny that leaves the action only there (the rule in
 * the header: unconditional, Action covering it, NotResource without Resource, no pattern wide),
 * from any layer's documents, in order; empty when none decides.
 */
function leftByDenies(layers: readonly (readonly PolicyDocument[])[], action: string, prefixes: readonly string[], services: ReadonlySet<string> | null): (readonly string[])[] {
  const out: (readonly string[])[] = [];
  for (const docs of layers) {
    for (const d of docs) {
      if (!mayLeaveNamed(d)) continue;
      for (const st of coveringStatementsOf(d, action)) {
        if (st.effect !== 'Deny' || st.action === undefined || st.notResource === undefined || st.resource !== undefined) continue;
        if (st.condition !== undefined && Object.keys(st.condition).length > 0) continue;
        if (st.notResource.length === 0 || st.notResource.some((r) => !otherService(r, services) && patternIsWide(r, prefixes))) continue;
        out.push(st.notResource);
      }
    }
  }
  return out;
}

/** Which Allow layer: the identity policies, the permissions boundary, an SCP level. */
export type AllowLayer = 'identity' | 'boundary' | 'scp';

/** An action its Allow layers grant on no common resource: the layer that left nothing, what it allows, and the scoped layers before it. */
export interface Disjoint {
  readonly action: string;
  readonly layer: AllowLayer;
  readonly allows: readonly string[];
  readonly against: readonly AllowLayer[];
  /** Those of `allows` naming another service than the action's resources (shown whole). */
  readonly whole?: readonly string[];
}

/**
 * Where `p` holds each of `actions` without approval: identity statements (those that may apply to
 * it, as evidence picks them), then its boundary and each SCP level, intersected pattern by
 * pattern (session 41). An action is everywhere when every layer grants it wide and no Deny
 * decides, or a wide pattern is left; otherwise its patterns are where every layer allows it. A
 * layer where no statement is found counts as wide (never understated). Those patterns are then
 * intersected with every decidable Deny with NotResource (the header's rule); an action left on
 * nothing is scoped with no pattern and listed in `nowhere` (and in `disjoint` when the layers
 * left nothing). Actions the effective stage already holds on every resource are everywhere
 * without looking at statements.
 */
export function grantScope(
  expander: ActionExpander, p: Principal, actions: readonly string[],
  opts: { readonly effective?: EffectivePermissions; readonly index?: EvidenceIndex; readonly scps?: Snapshot['scps']; readonly markers?: ProductionMarkers },
): GrantScope {
  const memo = opts.effective ? memoOf(expander, opts.effective, opts) : undefined;
  const memoKey = memo ? actions.join('\n') : '';
  const kept = memo?.get(memoKey);
  if (kept) return kept;
  const s = grantScopeOf(expander, p, actions, opts);
  memo?.set(memoKey, s);
  return s;
}

/**
 * Answers per effective-permissions object. One object stands for several principals only when
 * effectivePermissions shared it (src/iam/effective.ts sharingKey): the same documents in every
 * layer, boundary and SCPs included, and no statement that depends on the principal, which is
 * everything grantScope reads of a principal. So at 10,000 principals the same destructive list
 * of the same policies is scoped once, not once per principal. Kept apart per expander, SCP list
 * and markers (the objects a run passes), and held by the run's evidence index: an effective
 * object still alive after the run (a fix plan's) must not keep the index and its views alive
 * through the writing (36.8 MB at 10,000 principals when it did). Without an index, no memo.
 */
function memoOf(expander: ActionExpander, effective: EffectivePermissions, opts: { readonly index?: EvidenceIndex; readonly scps?: Snapshot['scps']; readonly markers?: ProductionMarkers }): Map<string, GrantScope> | undefined {
  if (opts.index === undefined) return undefined;
  let byEffective = scopeMemos.get(opts.index);
  if (byEffective === undefined) scopeMemos.set(opts.index, (byEffective = new WeakMap()));
  let kept = byEffective.get(effective);
  if (kept === undefined) byEffective.set(effective, (kept = []));
  const same = kept.find((m) => m.expander === expander && m.scps === opts.scps && m.markers === opts.markers);
  if (same) return same.answers;
  // A few callers per run (with markers, without): past that, not remembered.
  if (kept.length >= 4) return undefined;
  const answers = new Map<string, GrantScope>();
  kept.push({ expander, scps: opts.scps, markers: opts.markers, answers });
  return answers;
}
/** Run (evidence index) → effective-permissions object → answers; both weak, so the run's end frees them. */
const scopeMemos = new WeakMap<EvidenceIndex, WeakMap<EffectivePermissions, { expander: ActionExpander; scps: Snapshot['scps'] | undefined; markers: ProductionMarkers | undefined; answers: Map<string, GrantScope> }[]>>();

function grantScopeOf(
  expander: ActionExpander, p: Principal, actions: readonly string[],
  opts: { readonly effective?: EffectivePermissions; readonly index?: EvidenceIndex; readonly scps?: Snapshot['scps']; readonly markers?: ProductionMarkers },
): GrantScope {
  const everywhere: string[] = [];
  const scoped: { action: string; patterns: readonly string[] }[] = [];
  const layers: (readonly PolicyDocument[])[] = [];
  if (p.boundary) layers.push([p.boundary.document]);
  for (const level of opts.scps ?? []) layers.push(level.map((a) => a.document));
  const kinds: AllowLayer[] = [...(p.boundary ? ['boundary' as const] : []), ...(opts.scps ?? []).map(() => 'scp' as const)];
  const disjoint: Disjoint[] = [];
  let denyDocs: (readonly PolicyDocument[])[] | undefined;
  for (const action of actions) {
    const id = expander.idOf(action);
    if (id >= 0 && opts.effective?.allResources.has(id)) { everywhere.push(action); continue; }
    const prefixes = typePrefixes(expander, id);
    const services = typeServices(expander, id);
    // Each Allow layer's patterns (a wide one as `*`; a layer where none is found counts as `*`:
    // never understated), intersected in turn: the evaluator allows only where every layer does.
    const own = identityPatterns(expander, p, action, id, prefixes, services, opts.index) ?? ['*'];
    const lists = layers.map((docs) => layerPatterns(docs, p, action, prefixes, services) ?? ['*']);
    // Decidable Denies with NotResource, in any layer: the action is left only inside each.
    const denies = leftByDenies(denyDocs ??= [p.policies.map((x) => x.document), ...layers], action, prefixes, services);
    const wide = (r: string) => !otherService(r, services) && patternIsWide(r, prefixes);
    // Every layer wide, no Deny to read: every resource (as wideByType and the graph's tiers read it).
    if (denies.length === 0 && own.some(wide) && lists.every((l) => l.some(wide))) { everywhere.push(action); continue; }
    let cur = own;
    const scopedSoFar: AllowLayer[] = own.some(wide) ? [] : ['identity'];
    let gone: Disjoint | undefined;
    for (let i = 0; i < lists.length && cur.length > 0; i++) {
      const list = lists[i]!;
      cur = withinLayer(cur, list, wide);
      if (cur.length === 0) {
        const whole = list.filter((x) => otherService(x, services));
        gone = { action, layer: kinds[i]!, allows: list, against: [...scopedSoFar], ...(whole.length > 0 ? { whole } : {}) };
      }
      if (!list.some(wide)) scopedSoFar.push(kinds[i]!);
    }
    if (gone) disjoint.push(gone);
    // What the Allows grant (`*` when every layer is wide, beside the named grants) left by the Denies.
    if (denies.length > 0 && cur.length > 0) cur = leftWithin(cur, denies, wide);
    // A pattern still wide (`*` beside a Deny not read past MAX_LEFT): every resource.
    if (cur.some(wide)) everywhere.push(action);
    else scoped.push({ action, patterns: cur });
  }
  return finish(expander, everywhere, scoped, opts.markers, disjoint);
}

/** A scope's pattern list, production and other-service patterns, from its everywhere and scoped actions. */
function finish(expander: ActionExpander, everywhere: string[], scoped: { action: string; patterns: readonly string[] }[], markers: ProductionMarkers | undefined, disjoint: readonly Disjoint[] = []): GrantScope {
  if (scoped.length === 0) return { everywhere, scoped, patterns: [] };
  const all = [...new Set(scoped.flatMap((s) => s.patterns))];
  // Production matters only where the severity could be lowered: every grant scoped.
  const production = markers && everywhere.length === 0 ? all.find((x) => namesProduction(x, markers)) : undefined;
  const other = [...new Set(scoped.flatMap((s) => s.patterns.filter((x) => otherService(x, typeServices(expander, expander.idOf(s.action))))))];
  const nowhere = scoped.filter((s) => s.patterns.length === 0).map((s) => s.action);
  return { everywhere, scoped, patterns: all, ...(production !== undefined ? { production } : {}), ...(other.length > 0 ? { otherService: other } : {}), ...(nowhere.length > 0 ? { nowhere } : {}), ...(disjoint.length > 0 ? { disjoint } : {}) };
}

const words = (s: string) => s.toLowerCase().split(/[-_./:\s]+/).filter(Boolean);

/**
 * Does a pattern's resource part name production: a production name token or value
 * (production-markers.json, or the config's) as a whole word of its literal text, wildcards and
 * policy variables read as separators (`table/prod-orders`, `parameter/prod/*`, `secret:live-*`).
 */
export function namesProduction(pattern: string, m: ProductionMarkers): boolean {
  const name = (resourcePart(pattern) ?? pattern).replace(/\$\{[^}]*\}/g, '/').replace(/[*?]/g, '/');
  if (environmentOf({ name, tags: {} }, m).environment === 'production') return true;
  let values = productionValues.get(m);
  if (!values) productionValues.set(m, (values = new Set(m.productionValues.map((v) => v.toLowerCase()))));
  return words(name).some((w) => values.has(w));
}
const productionValues = new WeakMap<ProductionMarkers, ReadonlySet<string>>();

/** A pattern as finding text: its resource part (the account and region add nothing to read), or whole, escaped and bounded. */
export function patternText(pattern: string, max = 80, whole = false): string {
  const r = whole ? pattern : resourcePart(pattern) ?? pattern;
  const cut = r.length > max ? `${r.slice(0, max - 1)}…` : r;
  return safeText(cut);
}

/** "a, b, c and 4 more" of patterns as finding text (those in `whole` with their service). */
export function patternsText(patterns: readonly string[], max = 3, whole?: readonly string[]): string {
  const shown = patterns.slice(0, max).map((x) => patternText(x, 80, whole?.includes(x)));
  return patterns.length > max ? `${shown.join(', ')} and ${patterns.length - max} more` : shown.join(', ');
}

/** One severity step lower: what a grant scoped to named, non-production resources is worth. */
export const ONE_STEP_LOWER: Readonly<Record<Severity, Severity>> = { critical: 'high', high: 'medium', medium: 'low', low: 'low', info: 'info' };

/** The title tail of a scope whose every grant is left on no resource. */
export const NOWHERE_ONLY = 'denied wherever allowed (a Deny with NotResource)';

/** The title tail of a scope whose every grant is left on no resource by its Allow layers (session 41). */
export const LAYERS_NOWHERE_ONLY = 'allowed nowhere (the Allow layers share no resource)';

const LAYER_TEXT: Record<AllowLayer, [string, string]> = {
  identity: ['the identity policies', 'the identity policies'],
  boundary: ['the permissions boundary', 'the permissions boundary'],
  scp: ['the SCPs', 'another SCP level'],
};
/** "X is allowed nowhere: the permissions boundary allows it only on table/dev-*, where the identity policies do not grant it." (three at most) */
function disjointText(disjoint: readonly Disjoint[]): string {
  const shown = disjoint.slice(0, 3).map((d) => {
    const names = [...new Set(d.against.map((k) => LAYER_TEXT[k][d.layer === 'scp' && k === 'scp' ? 1 : 0]))];
    const who = names.length === 0 ? 'the other layers do not grant it'
      : names.length === 1 ? `${names[0]} ${/ies$|SCPs$/.test(names[0]!) ? 'do' : 'does'} not grant it`
      : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]} do not ${names.length === 2 ? 'both' : 'all'} grant it`;
    return ` ${safeText(d.action)} is allowed nowhere: ${LAYER_TEXT[d.layer][0]} ${d.layer === 'scp' ? 'allow' : 'allows'} it only on ${patternsText(d.allows, 3, d.whole)}, where ${who}.`;
  });
  return `${shown.join('')}${disjoint.length > 3 ? ` ${disjoint.length - 3} more ${disjoint.length === 4 ? 'is' : 'are'} allowed nowhere for the same reason.` : ''}`;
}

/**
 * What a scope changes in a finding: `lower` when every grant is scoped and none names production;
 * `text` a sentence for the description (empty when every grant is everywhere), `only` a title tail.
 * An action left on no resource (session 40) counts as scoped: one step lower. The effective stage
 * drops what it can prove nowhere (session 42), so this is what it still holds: a policy variable
 * or a bound kept it there.
 */
export function scopeVerdict(s: GrantScope): { readonly lower: boolean; readonly text: string; readonly only?: string } {
  if (s.scoped.length === 0) return { lower: false, text: '' };
  const where = patternsText(s.patterns, 3, s.otherService);
  // Named patterns of another service grant nothing; the effective stage still counts the action.
  const other = s.otherService ? ` ${patternsText(s.otherService, 3, s.otherService)} ${s.otherService.length === 1 ? 'names' : 'name'} another service than the action's resources: no grant there.` : '';
  const nowhere = s.nowhere ?? [];
  const one = nowhere.length === 1;
  const disjoint = s.disjoint ?? [];
  const byDeny = nowhere.filter((x) => !disjoint.some((d) => d.action === x));
  const oneDeny = byDeny.length === 1;
  const none = `${disjointText(disjoint)}${byDeny.length === 0 ? '' : ` ${listText(byDeny, 3)} ${oneDeny ? 'is' : 'are'} denied wherever ${oneDeny ? 'it is' : 'they are'} allowed: a Deny with NotResource excepts none of the resources ${oneDeny ? 'its' : 'their'} Allows name.`}`;
  const named = s.scoped.length - nowhere.length;
  if (s.everywhere.length > 0) {
    const scopedText = patternsText(s.scoped.filter((x) => x.patterns.length > 0).map((x) => x.action));
    if (nowhere.length === 0) return { lower: false, text: ` Scoped to named resources: ${scopedText} (only on ${where}); the others on every resource, so the severity stands.${other}` };
    return { lower: false, text: `${named > 0 ? ` Scoped to named resources: ${scopedText} (only on ${where}).` : ''}${none} The others are allowed on every resource, so the severity stands.${other}` };
  }
  if (s.production !== undefined) {
    return { lower: false, text: ` Every such grant is scoped to named resources (only on ${where}), but ${patternText(s.production)} names production: the severity stands.${none}${other}`, only: `only on ${where}, which names production` };
  }
  if (named === 0) {
    const only = byDeny.length === 0 ? LAYERS_NOWHERE_ONLY : byDeny.length === nowhere.length ? NOWHERE_ONLY : 'allowed nowhere (Allow layers that share no resource, a Deny with NotResource)';
    return { lower: true, text: `${none} One severity step lower, as for a grant scoped to named resources: the effective permissions still count ${one ? 'it' : 'them'} as allowed on some resource.`, only };
  }
  return { lower: true, text: ` Every such grant is scoped to named resources (only on ${where}): one severity step lower than on every resource, since a mistake can still destroy or read what they name.${none}${other}`, only: `only on ${where}` };
}

/** A principal reached through the graph, with what it may do itself. */
export interface Holder { readonly principal: Principal; readonly effective: EffectivePermissions }

/**
 * Where the principals an agent can act as hold `actions` (session 36), for checks whose power
 * comes through the graph. An action is everywhere when one holder holds it wide, or when no
 * holder's own grants show it (power gained some other way, e.g. a policy edit, is not read
 * here: never understated); otherwise scoped to the union of the holders' patterns. Past `max`
 * holders to read, everything counts as everywhere (bounded work, overstated at worst).
 * `opts` gives each holder's SCP levels (only its own account's are known).
 */
export function reachedScope(
  expander: ActionExpander, holders: readonly Holder[], actions: readonly string[],
  opts: { readonly index?: EvidenceIndex; readonly markers?: ProductionMarkers; readonly scpsOf?: (p: Principal) => Snapshot['scps'] }, max = 50,
): GrantScope {
  const ids = actions.map((x) => expander.idOf(x));
  const everywhere = new Set<string>();
  const where = new Map<string, Set<string>>();
  // An action left on no resource: by its Allow layers in every holder that holds it (the first
  // holder's reason), or not (null: a Deny's, in some holder).
  const layersOnly = new Map<string, Disjoint | null>();
  let read = 0;
  for (const h of holders) {
    const held = actions.filter((x, i) => ids[i]! >= 0 && !everywhere.has(x) && h.effective.unconditional.has(ids[i]!));
    if (held.length === 0) continue;
    if (++read > max) return { everywhere: [...actions], scoped: [], patterns: [] };
    const scps = opts.scpsOf?.(h.principal);
    const s = grantScope(expander, h.principal, held, { effective: h.effective, ...(opts.index ? { index: opts.index } : {}), ...(scps ? { scps } : {}) });
    for (const x of s.everywhere) everywhere.add(x);
    for (const x of s.scoped) {
      let set = where.get(x.action);
      if (!set) where.set(x.action, (set = new Set()));
      for (const pt of x.patterns) set.add(pt);
      if (x.patterns.length === 0 && layersOnly.get(x.action) !== null) {
        const d = s.disjoint?.find((y) => y.action === x.action);
        if (!d) layersOnly.set(x.action, null);
        else if (!layersOnly.has(x.action)) layersOnly.set(x.action, d);
      }
    }
  }
  const scoped: { action: string; patterns: readonly string[] }[] = [];
  for (const x of actions) {
    const set = where.get(x);
    if (!set || everywhere.has(x)) everywhere.add(x);
    else scoped.push({ action: x, patterns: [...set] });
  }
  const disjoint = scoped.flatMap((x) => { const d = layersOnly.get(x.action); return x.patterns.length === 0 && d ? [d] : []; });
  return finish(expander, [...everywhere], scoped, opts.markers, disjoint);
}

/**
 * Which of `actions` (allowed, but not in the effective stage's every-resource set) a Condition-free
 * identity Allow grants on a pattern wide by the rule above (`secret:*`, `table/*`, every object of
 * every bucket), with the boundary and each SCP level wide for them too (session 36). It adds
 * findings, so it is strict where grantScope is generous: any Condition, a pattern that is not a
 * six-part ARN, or any Deny on the action in any layer (one with NotResource spares what it lists;
 * the effective stage reads those) and the action is not claimed.
 */
export function wideByType(expander: ActionExpander, p: Principal, actions: readonly string[], opts: { readonly index?: EvidenceIndex; readonly scps?: Snapshot['scps'] }): string[] {
  const layers: (readonly PolicyDocument[])[] = [p.policies.map((x) => x.document)];
  if (p.boundary) layers.push([p.boundary.document]);
  for (const level of opts.scps ?? []) layers.push(level.map((a) => a.document));
  const views = viewsOf(expander, p, opts.index);
  return actions.filter((action) => {
    const id = expander.idOf(action);
    if (id < 0) return false;
    const prefixes = typePrefixes(expander, id);
    const services = typeServices(expander, id);
    const wide = views.some((v) => v.union.has(id) && v.statements.some((st, k) => v.sets[k]!.has(id) && st.effect === 'Allow' && st.condition === undefined
      && !st.notResource && (st.resource ?? []).some((r) => resourcePart(r) !== undefined && !otherService(r, services) && patternIsWide(r, prefixes))));
    // Most grants are scoped: the Deny and the other layers are read only for a wide one.
    if (!wide || layers.some((docs) => docs.some((d) => coveringStatementsOf(d, action).some((st) => st.effect === 'Deny')))) return false;
    return layers.slice(1).every((docs) => layerScope(docs, p, action, prefixes, services) === true);
  });
}
