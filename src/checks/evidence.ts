// Evidence helpers shared by checks: which statement of which policy grants an action.
import type { StatementEvidence } from '../model/finding.js';
import type { PolicyDocument, Statement } from '../model/policy.js';
import type { Principal } from '../model/snapshot.js';
import { actionMatches, hasWildcard } from '../iam/pattern.js';
import { statementToJson } from '../iam/parse.js';
import { mayApplyToPrincipal } from '../iam/principal-context.js';
import type { OrgValues } from '../iam/organization.js';
import { statementSetsOf } from '../iam/effective.js';
import type { ActionExpander } from '../iam/pattern.js';
import { ActionSet } from '../iam/action-set.js';

/**
 * One evidence entry per granting statement, listing which of `actions` it grants (bounded).
 * A sample of the actions names the statements; matching all of them against every statement
 * would cost actions × statements × patterns for every finding.
 */
/** `matches` takes the action already lower-cased (evidence lower-cases its sample once). */
interface StatementMatcher { readonly negated: boolean; matches(lowerAction: string): boolean }
const matchers = new WeakMap<Statement, StatementMatcher>();

/** Exact action names in a Set, wildcards tested one by one: policies list hundreds of exact names. */
function matcherOf(st: Statement): StatementMatcher {
  let m = matchers.get(st);
  if (!m) {
    const patterns = st.action ?? st.notAction ?? [];
    const exact = new Set(patterns.filter((x) => !hasWildcard(x)).map((x) => x.toLowerCase()));
    const wild = patterns.filter(hasWildcard);
    m = { negated: st.action === undefined, matches: (a) => exact.has(a) || wild.some((w) => actionMatches(w, a)) };
    matchers.set(st, m);
  }
  return m;
}

// A statement grants many findings' actions: its JSON is built once and shared (read-only).
const jsonOf = new WeakMap<Statement, Record<string, unknown>>();
function statementJson(st: Statement): Record<string, unknown> {
  let j = jsonOf.get(st);
  if (!j) jsonOf.set(st, (j = statementToJson(st)));
  return j;
}

// Per document, the union of its Allow statements' sets: a policy none of whose statements
// grants any sampled action is passed over without looking at its statements.
const allowUnions = new WeakMap<ActionExpander, WeakMap<PolicyDocument, ActionSet>>();
function allowUnion(doc: PolicyDocument, expander: ActionExpander): ActionSet {
  let byDoc = allowUnions.get(expander);
  if (!byDoc) allowUnions.set(expander, (byDoc = new WeakMap()));
  let u = byDoc.get(doc);
  if (!u) {
    u = new ActionSet(expander.size);
    const sets = statementSetsOf(doc, expander);
    doc.statements.forEach((st, i) => { if (st.effect === 'Allow') u!.or(sets[i]!); });
    byDoc.set(doc, u.compact());
  }
  return u;
}

/**
 * One policy of a principal as evidence reads it: the union of its Allow statements (a policy
 * granting none of the sampled actions is passed over whole) and, in policy order, its Allow
 * statements that may apply to this principal, with their sets.
 */
export interface PolicyView {
  readonly origin: StatementEvidence['policy'];
  readonly union: ActionSet;
  readonly statements: readonly Statement[];
  readonly sets: readonly ActionSet[];
}

function policyViews(expander: ActionExpander, p: Principal, org?: OrgValues): PolicyView[] {
  return p.policies.map((policy) => {
    const { document: doc } = policy;
    const all = statementSetsOf(doc, expander);
    const statements: Statement[] = [];
    const sets: ActionSet[] = [];
    doc.statements.forEach((st, k) => {
      if (st.effect === 'Allow' && mayApplyToPrincipal(st.condition, p, doc.version, org)) { statements.push(st); sets.push(all[k]!); }
    });
    return { origin: policy.origin, union: allowUnion(doc, expander), statements, sets };
  });
}

/**
 * Per principal, its policy views, worked out at its first finding with statement evidence and
 * read by the others (about three per principal at 10k): which statements apply to it (their
 * conditions judged once), their sets and each policy's union, instead of looking all of them up
 * again per finding. runChecks puts one in the check context (CheckContext.evidence), so it lives
 * as long as that run.
 */
export class EvidenceIndex {
  private readonly views = new Map<Principal, readonly PolicyView[]>();
  /** Equal statement entries of the run as one object (SharedEntries). */
  readonly entries = new SharedEntries();
  /** `org`: the scanned account's organization keys, when known (which statements apply, as effective decides). */
  constructor(readonly expander: ActionExpander, readonly org?: OrgValues) {}
  of(p: Principal): readonly PolicyView[] {
    let v = this.views.get(p);
    if (!v) this.views.set(p, (v = policyViews(this.expander, p, this.org)));
    return v;
  }
}

/** The index's views when it belongs to this expander; otherwise views made for this call alone. */
export function viewsOf(expander: ActionExpander, p: Principal, index: EvidenceIndex | undefined): readonly PolicyView[] {
  return index && index.expander === expander ? index.of(p) : policyViews(expander, p);
}

type Entry = (origin: StatementEvidence['policy'], st: Statement, grants: string[]) => StatementEvidence;

/**
 * One object per distinct statement entry of a check run: at 10,000 principals 40,600 entries
 * (the same managed-policy statement granting the same sampled actions to many principals) are
 * ~15,000 contents, and report.json's texts table finds a repeat by identity instead of
 * stringifying and hashing it again (report/documents.ts). Keyed by the statement object (its
 * JSON is one shared object already), then by the origin's JSON and the grants; equality of
 * both decides. A kept entry and its grants are frozen; the origin and statement it shares
 * with the snapshot are not.
 */
export class SharedEntries {
  private readonly byStatement = new Map<Statement, Map<string, StatementEvidence>>();
  private readonly originJson = new WeakMap<object, string>();

  readonly entry: Entry = (origin, st, grants) => {
    const g = grants.length > 20 ? grants.slice(0, 20) : grants;
    const o = this.jsonOf(origin);
    const k = `${o}\u0000${g.join('\u0000')}`;
    let byKey = this.byStatement.get(st);
    if (!byKey) this.byStatement.set(st, (byKey = new Map()));
    const kept = byKey.get(k);
    if (kept !== undefined && this.jsonOf(kept.policy) === o && sameList(kept.grants!, g)) return kept;
    const e = statementEntry(origin, st, g);
    if (kept === undefined) {
      Object.freeze(g);
      byKey.set(k, Object.freeze(e));
    }
    return e;
  };

  private jsonOf(origin: object): string {
    let j = this.originJson.get(origin);
    if (j === undefined) this.originJson.set(origin, (j = JSON.stringify(origin)));
    return j;
  }
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The index's shared entries when it belongs to this expander; otherwise an entry made per call. */
function entryOf(expander: ActionExpander, index: EvidenceIndex | undefined): Entry {
  return index && index.expander === expander ? index.entries.entry : statementEntry;
}

/**
 * Sampled actions the catalog knows are tested as bits of the statement's expanded set (one test
 * per action, however many wildcards the statement lists: AWS managed policies list hundreds);
 * for those, expansion and actionMatches agree (test/checks/evidence.test.ts). Others (not in the
 * catalog) are matched by pattern as statementEvidenceByPattern does.
 */
export function statementEvidence(expander: ActionExpander, p: Principal, actions: readonly string[], limit = 8, index?: EvidenceIndex): StatementEvidence[] {
  const sample = actions.slice(0, 24);
  const ids = sample.map((a) => expander.idOf(a));
  return evidenceOf(viewsOf(expander, p, index), sample, ids, ids.every((id) => id >= 0), limit, entryOf(expander, index));
}

/**
 * statementEvidence of catalog actions given by id (what checks hold after set operations): the
 * same evidence as for their catalog keys, without looking each key up again.
 */
export function statementEvidenceOfIds(expander: ActionExpander, p: Principal, ids: ArrayLike<number>, limit = 8, index?: EvidenceIndex): StatementEvidence[] {
  const n = Math.min(ids.length, 24);
  const sampleIds: number[] = new Array(n);
  const sample: string[] = new Array(n);
  for (let i = 0; i < n; i++) sample[i] = expander.catalog.actions[(sampleIds[i] = ids[i]!)]!.key;
  return evidenceOf(viewsOf(expander, p, index), sample, sampleIds, true, limit, entryOf(expander, index));
}

function evidenceOf(views: readonly PolicyView[], sample: readonly string[], ids: readonly number[], allKnown: boolean, limit: number, entry: Entry): StatementEvidence[] {
  let lower: string[] | undefined;
  const out: StatementEvidence[] = [];
  for (const view of views) {
    if (allKnown && !anyIn(view.union, ids)) continue;
    const { statements, sets } = view;
    for (let k = 0; k < statements.length; k++) {
      const st = statements[k]!;
      const set = sets[k]!;
      let grants: string[] | undefined;
      for (let i = 0; i < sample.length; i++) {
        const id = ids[i]!;
        let granted: boolean;
        if (id >= 0) granted = set.has(id);
        else {
          const m = matcherOf(st);
          lower ??= sample.map((a) => a.toLowerCase());
          granted = m.matches(lower[i]!) !== m.negated;
        }
        if (granted) (grants ??= []).push(sample[i]!);
      }
      if (grants === undefined) continue;
      out.push(entry(view.origin, st, grants));
      if (out.length >= limit) return out;
    }
  }
  return out;
}

function anyIn(set: ActionSet, ids: readonly number[]): boolean {
  for (let i = 0; i < ids.length; i++) if (set.has(ids[i]!)) return true;
  return false;
}

/** One statement's evidence entry: where it is, what it says, and (at most 20 of) the sampled actions it grants. */
function statementEntry(origin: StatementEvidence['policy'], st: Principal['policies'][number]['document']['statements'][number], grants: string[]): StatementEvidence {
  // Two literals rather than a spread of the optional sid (one entry per granting statement of
  // every finding); the keys keep the order the report is written in. `grants` is the caller's
  // fresh array: copied only when cut.
  const g = grants.length > 20 ? grants.slice(0, 20) : grants;
  return st.sid !== undefined
    ? { kind: 'statement', policy: origin, statementIndex: st.index, sid: st.sid, statement: statementJson(st), grants: g }
    : { kind: 'statement', policy: origin, statementIndex: st.index, statement: statementJson(st), grants: g };
}

/** statementEvidence by pattern matching alone: the reference its property test compares with. */
export function statementEvidenceByPattern(p: Principal, actions: readonly string[], limit = 8): StatementEvidence[] {
  const sample = actions.slice(0, 24);
  const lower = sample.map((a) => a.toLowerCase());
  const out: StatementEvidence[] = [];
  for (const policy of p.policies) {
    for (const st of policy.document.statements) {
      if (st.effect !== 'Allow' || !mayApplyToPrincipal(st.condition, p, policy.document.version)) continue;
      const m = matcherOf(st);
      const grants = sample.filter((_, i) => m.matches(lower[i]!) !== m.negated);
      if (grants.length === 0) continue;
      out.push(statementEntry(policy.origin, st, grants));
      if (out.length >= limit) return out;
    }
  }
  return out;
}

export function agentLabel(isAgent: boolean): string {
  return isAgent ? 'agent principal' : 'principal';
}

/** Short list for titles: "a, b, c and 4 more". */
export function listText(items: readonly string[], max = 3): string {
  if (items.length <= max) return items.join(', ');
  return `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}
