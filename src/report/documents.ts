// Policy documents stored once (schema 1.3): at 10,000 principals the same boundary, trust
// policy or managed-policy statement appears in thousands of fixes, principals and findings.
// report.json keeps each distinct one in `documents`, keyed by a hash of its JSON text, and
// the places that held it hold `{ "$doc": key }` instead. Only the JSON form has references:
// writers call storedReport() last, readers call resolveDocuments() first (parseReport does), so
// the Report in memory, and every exporter and screen reading it, always sees whole documents.
//
// Where references may stand: a document's statements[] entries (schema 1.4), principals[].trustPolicy, findings[].evidence[].statement,
// fixes[].before, fixes[].after (the whole value: a document, or the list of documents), and the
// documents of a fix's render target.
//
// Schema 1.4: the texts leash writes about findings and fixes repeat as much (at 2,000 principals
// 5,882 finding descriptions are 3,040 distinct texts, 12,734 per-service action reasons are
// 3,109, 1,177 fixes carry 12 distinct notes). Each such value is kept once in `texts` (a list;
// first seen, first listed) and its places hold `{ "$text": index }`. A short value stays inline:
// the reference would be as long; so does a value used once (since session 16). Where: findings[].description, .remediation, .actions (the
// list), .evidence[] (each entry, after its statement became a $doc reference); fixes[].description,
// .notes[] (each), .verification, .actionReasons[] (each service's entry). resolveTexts puts them
// back before anything else reads the file.
//
// A fix's renderings (policy JSON, Terraform, CLI script: half of report.json at 10,000
// principals) are text rendered from the fix's target; report.json keeps the target instead,
// `renderings: { "$render": target }`, and readers render them again when first read.
import { hash } from 'node:crypto';
import { z } from 'zod';
import { InputError } from '../model/errors.js';
import { fixRenderings, lazyRenderings, renderSourceOf } from '../fix/render/lazy.js';
import type { FixTarget } from '../fix/render/index.js';
import { storedGraph } from './stored-graph.js';
import { LazyList } from './json-stream.js';
import type { Finding } from '../model/finding.js';
import type { GraphPath, PathHop, PrincipalReach } from '../model/graph.js';
import type { Fix } from '../model/fix.js';
import { REPORT_SCHEMA_VERSION, type PrincipalReport, type Report } from '../model/report.js';

export const DOC_REF = '$doc';
export const RENDER_REF = '$render';
export const TEXT_REF = '$text';
/** Schema 1.6, report.json only: the firstSeen of every finding that has none in the file. */
export const FIRST_SEEN_DEFAULT = 'firstSeenDefault';
/** A value whose JSON is shorter than this stays inline: `{"$text":12345}` is 14 characters. */
const MIN_TEXT_CHARS = 24;
/** A list or record whose JSON is at most this long is keyed by that text (held), a longer one by its hash. */
const SHORT_JSON = 64;
const KEY_RE = /^sha256:[0-9a-f]{32}$/;

export interface DocumentRef {
  readonly $doc: string;
}

function hasStatements(v: object): v is { statements: unknown[] } {
  return !Array.isArray(v) && Array.isArray((v as { statements?: unknown }).statements);
}

export function isDocumentRef(v: unknown): v is DocumentRef {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as Record<string, unknown>)[DOC_REF] === 'string' && Object.keys(v).length === 1;
}

/** Collects distinct documents while a report is turned into its stored form. */
class DocumentTable {
  readonly documents: Record<string, unknown> = {};
  /** The same object (a managed policy's statement shared by many findings) is hashed once. */
  private readonly seen = new WeakMap<object, string>();

  /** A finding's evidence entry as stored: its statement by reference. */
  readonly evidence = (e: Finding['evidence'][number]): Finding['evidence'][number] | Record<string, unknown> => (e.kind === 'statement' ? { ...e, statement: this.ref(e.statement) } : e);
  /**
   * A statement evidence entry's content as a key, from parts already at hand (its statement's
   * document key, its policy's JSON once per policy object, index, sid and grants) instead of
   * the JSON of its stored form and a hash of that: at 10,000 principals 16,000 entries met by
   * content, ~0.1 s. Equal parts are equal stored forms: only the shape statementEntry makes
   * (checks/evidence.ts) is keyed so; any other entry gives undefined and is keyed by its JSON.
   */
  readonly evidenceKey = (e: Finding['evidence'][number]): string | undefined => {
    if (e.kind !== 'statement' || typeof e.statement !== 'object' || e.statement === null || typeof e.policy !== 'object' || e.policy === null) return undefined;
    let n = 0;
    for (const k in e) {
      if (!STATEMENT_EVIDENCE_KEYS.has(k)) return undefined;
      n++;
    }
    const grants = e.grants;
    if (typeof e.statementIndex !== 'number' || (e.sid !== undefined && typeof e.sid !== 'string') || (grants !== undefined && !Array.isArray(grants)) || n !== 4 + (e.sid !== undefined ? 1 : 0) + (grants !== undefined ? 1 : 0)) return undefined;
    let policy = this.policyJson.get(e.policy);
    if (policy === undefined) this.policyJson.set(e.policy, (policy = JSON.stringify(e.policy)));
    // Each part is JSON or a number, so none can hold the separator unescaped.
    return `${(this.ref(e.statement) as DocumentRef).$doc}\u0000${policy}\u0000${e.statementIndex}\u0000${e.sid === undefined ? '' : JSON.stringify(e.sid)}\u0000${grants === undefined ? '' : JSON.stringify(grants)}`;
  };
  private readonly policyJson = new WeakMap<object, string>();
  /** An evidence entry's text place: the table and the slot hold it as stored; entries are interned by the checks (checks/intern.ts). */
  readonly evidencePlace: Place = { table: this.evidence, inline: this.evidence, shared: true, key: this.evidenceKey };

  ref(value: unknown): DocumentRef | unknown {
    if (typeof value !== 'object' || value === null) return value;
    let key = this.seen.get(value);
    if (key === undefined) {
      key = `sha256:${hash('sha256', JSON.stringify(value), 'hex').slice(0, 32)}`;
      this.seen.set(value, key);
      // Same text, same key: the first object stands for every equal one. A policy document's
      // statements are entries of their own (schema 1.4): 817 distinct boundaries at 2,000
      // principals are 4.7 MB, but hold only 915 distinct statements, 0.2 MB.
      if (!(key in this.documents)) this.documents[key] = hasStatements(value) ? { ...value, statements: value.statements.map((st) => this.ref(st)) } : value;
    }
    return { $doc: key };
  }
}

export interface TextRef {
  readonly $text: number;
}

export function isTextRef(v: unknown): v is TextRef {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Number.isInteger((v as Record<string, unknown>)[TEXT_REF]) && Object.keys(v).length === 1;
}

type Slot = Record<string, unknown> | unknown[];

/**
 * Where a text goes: `slot[key] = value`, or a reference to the table's copy (see Place).
 */
interface TextSink {
  put(slot: Slot, key: string | number, value: unknown, place?: Place): void;
}

/** Pure: the same content gives the same content (the table keys a shared object by identity). */
type Stored = (value: never) => unknown;

/**
 * How a place's value is stored. `table`: what the table holds is made from the value (a path
 * without its start); the table keeps the value and makes its entry when finished. `inline`: what
 * the slot holds when not a reference (a finding's evidence entry with its statement by
 * reference), made only then. `shared`: places where the same object stands for many (interned
 * where it is made: evidence entries, per-service action reasons); see entryOf.
 */
interface Place {
  readonly table?: Stored;
  readonly inline?: Stored;
  readonly shared?: boolean;
  /**
   * The value's content as a key, when it can be made more cheaply than the JSON of its stored
   * form: equal keys only for equal stored forms, and each key spaced apart from JSON texts (it
   * starts with a document key). Undefined: keyed by JSON as usual.
   */
  readonly key?: (value: never) => string | undefined;
}

/** The keys of a statement evidence entry as statementEntry makes it (checks/evidence.ts). */
const STATEMENT_EVIDENCE_KEYS = new Set(['kind', 'policy', 'statementIndex', 'sid', 'statement', 'grants']);

const SHARED: Place = { shared: true };
const PATH: Place = { table: (p: GraphPath) => pathTail(p) };

/**
 * Collects repeated texts (and lists and records of text) while a report is turned into its stored
 * form, in two passes over the same places in the same order. The first (count) sees every place:
 * a value used only once stays inline where it stood (a reference would cost more than it saves: at
 * 10,000 principals 47,000 of 60,000 texts were used once), the rest are numbered in order of first
 * use (finish). The second (places, once per writing) puts each place's value or reference.
 * Two passes so that the stored records are made one at a time as they are written, never all at
 * once (they were ~80 MB at 10,000 principals, held through the writing of report.json).
 *
 * Keyed by value, not by object: equal values built separately (one description per finding) must
 * meet. A string is its own key (shared with the report); a list or record by its JSON text when
 * short, else by a hash of it (the texts themselves were 36 MB of keys at 10,000 principals). What
 * the count pass keeps per place is one integer: the entry, or -1 for a value always inline.
 */
class TextTable implements TextSink {
  private readonly strings = new Map<string, number>();
  /** JSON texts up to SHORT_JSON characters, as themselves: no hash call for a hop's `["sts:AssumeRole"]`. */
  private readonly shortJson = new Map<string, number>();
  private readonly json = new Map<string, number>();
  /** Objects of `shared` places met before: their entry without a second JSON.stringify and hash. */
  private readonly objects = new Map<object, number>();
  /** Per entry: the value (stored form made at finish when `makes` has one), how many places use it, its reference once numbered. */
  private values: unknown[] = [];
  private makes: (Stored | undefined)[] = [];
  private readonly counts: number[] = [];
  private refs: ({ $text: number } | undefined)[] = [];
  private places = new Int32Array(1 << 12);
  private size = 0;

  /** Count pass: the place's entry. */
  put(_slot: Slot, _key: string | number, value: unknown, place?: Place): void {
    if (value === undefined) return;
    this.place(this.entryOf(value, place));
  }

  /** Where the next list's places start (the second pass of that list begins there). */
  get mark(): number {
    return this.size;
  }

  /** The table: values used twice or more, numbered in order of first use. */
  finish(): unknown[] {
    const texts: unknown[] = [];
    this.refs = this.counts.map((n, e) => {
      if (n < 2) return undefined;
      const make = this.makes[e];
      return { $text: texts.push(make ? make(this.values[e] as never) : this.values[e]) - 1 };
    });
    this.values = [];
    this.makes = [];
    this.objects.clear();
    return texts;
  }

  /** Second pass over the places from `mark` on, in the order the count pass saw them. */
  replay(mark: number): TextSink {
    let at = mark;
    return {
      put: (slot, key, value, place) => {
        if (value === undefined) return;
        const e = this.places[at++]!;
        const inline = place?.inline;
        (slot as Record<string | number, unknown>)[key] = (e >= 0 ? this.refs[e] : undefined) ?? (inline ? inline(value as never) : value);
      },
    };
  }

  /**
   * A shared place's object is looked up by identity first: at 10,000 principals 62,000 per-service
   * action reasons are 3,900 objects once interned where fix planning makes them (their JSON was
   * 10 MB to stringify and hash here). Sound because an object met again has the same content
   * (the report is read-only) and `stored` is pure; unshared places skip the lookup (session 16:
   * with no object met twice, an identity map only added cost).
   */
  private entryOf(value: unknown, place: Place | undefined): number {
    const byObject = place?.shared === true && typeof value === 'object' && value !== null;
    if (byObject) {
      const e = this.objects.get(value);
      if (e !== undefined) {
        if (e >= 0) this.counts[e]!++;
        return e;
      }
    }
    const e = this.entryOfContent(value, place);
    if (byObject) this.objects.set(value, e);
    return e;
  }

  private entryOfContent(value: unknown, place: Place | undefined): number {
    const stored = place?.table;
    const given = place?.key?.(value as never);
    if (given !== undefined) return this.entryOfText(given, value, stored);
    const content = stored ? stored(value as never) : value;
    if (typeof content === 'string') {
      // A string's JSON is at least 2 longer; only a short one is measured exactly.
      if (content.length + 2 < MIN_TEXT_CHARS && JSON.stringify(content).length < MIN_TEXT_CHARS) return -1;
      return this.entryOfKey(this.strings, content, stored ? value : content, stored);
    }
    const json = JSON.stringify(content);
    if (json === undefined || json.length < MIN_TEXT_CHARS) return -1;
    return this.entryOfText(json, stored ? value : content, stored);
  }

  /** A JSON text (or a Place's key) as the map key: itself when short, else 128 bits of its hash as a 16-character string (the key, not the text, is what the map holds). */
  private entryOfText(text: string, value: unknown, stored: Stored | undefined): number {
    return text.length <= SHORT_JSON ? this.entryOfKey(this.shortJson, text, value, stored) : this.entryOfKey(this.json, hash('sha256', text, 'binary').slice(0, 16), value, stored);
  }

  private entryOfKey(map: Map<string, number>, k: string, value: unknown, stored: Stored | undefined): number {
    let e = map.get(k);
    if (e === undefined) {
      e = this.counts.push(0) - 1;
      // The value, not its stored copy: that is made when the table is finished (not held until then).
      this.values.push(value);
      this.makes.push(stored);
      map.set(k, e);
    }
    this.counts[e]!++;
    return e;
  }

  private place(e: number): void {
    if (this.size === this.places.length) {
      const grown = new Int32Array(this.size * 2);
      grown.set(this.places);
      this.places = grown;
    }
    this.places[this.size++] = e;
  }
}

/** A list of the stored report, made a record at a time each time it is read. */
function storedList<T, U>(items: readonly T[], from: number, tx: TextTable, make: (item: T, sink: TextSink) => U): LazyList<U> {
  return new LazyList(function* () {
    const sink = tx.replay(from);
    for (const item of items) yield make(item, sink);
  });
}

/**
 * The report as report.json stores it: each distinct policy document and evidence statement once
 * in `documents`, referred to by `{ "$doc": key }`, and repeated texts once in `texts`. Shallow
 * copies only: the documents themselves are not copied, so this costs one hash per distinct
 * object, not a second report in memory. Its lists (principals, findings, fixes, the graph's hops
 * and reach) are LazyLists: each record is made as the writer (jsonPieces, JSON.stringify) reaches
 * it, so the stored records are never all alive at once.
 */
export function storedReportStream(report: Report): Report {
  const t = new DocumentTable();
  const tx = new TextTable();
  const firstSeen = commonFirstSeen(report.findings);
  // The graph keeps the hops readers can use on their own (stored-graph.ts).
  const g = report.graph ? storedGraph(report.graph) : undefined;
  // Count pass: every document met (in the order it is first met: `documents` keeps that order)
  // and every text place, in the order the lists are written below.
  const at = { principals: tx.mark, findings: 0, fixes: 0, hops: 0, reach: 0 };
  for (const p of report.principals) storedPrincipal(p, t, tx);
  at.findings = tx.mark;
  for (const f of report.findings) storedFinding(f, firstSeen, t, tx);
  at.fixes = tx.mark;
  for (const x of report.fixes) storedFix(x, t, tx);
  at.hops = tx.mark;
  for (const h of g?.hops ?? []) storedHop(h, tx);
  at.reach = tx.mark;
  for (const r of g?.reach ?? []) storedReach(r, tx);
  const texts = tx.finish();
  const principals = storedList(report.principals, at.principals, tx, (p, sink) => storedPrincipal(p, t, sink));
  const findings = storedList(report.findings, at.findings, tx, (f, sink) => storedFinding(f, firstSeen, t, sink));
  const fixes = storedList(report.fixes, at.fixes, tx, (x, sink) => storedFix(x, t, sink));
  const graph = g ? { ...g, hops: storedList(g.hops, at.hops, tx, storedHop), reach: storedList(g.reach, at.reach, tx, storedReach) } : undefined;
  // `documents` goes after the lists that refer to it, before the graph and errors; key order is
  // the writer's, readers look it up by name. The encoding is this version's, whichever version
  // the report was read as (minor versions only add).
  const { graph: _g, errors, ...rest } = report;
  return {
    ...rest, schemaVersion: REPORT_SCHEMA_VERSION, principals, findings, fixes,
    ...(firstSeen !== undefined ? { [FIRST_SEEN_DEFAULT]: firstSeen } : {}),
    documents: t.documents, texts, ...(graph ? { graph } : {}), errors,
  } as unknown as Report;
}

/** The same stored report with its lists made (tests, schema checks: what report.json parses to before references are resolved). */
export function storedReport(report: Report): Report {
  const s = storedReportStream(report) as unknown as Record<string, unknown> & { graph?: Record<string, unknown> };
  const made = (v: unknown): unknown => (v instanceof LazyList ? [...v] : v);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) out[k] = made(v);
  if (s.graph) out.graph = { ...s.graph, hops: made(s.graph.hops), reach: made(s.graph.reach) };
  return out as unknown as Report;
}

/**
 * The firstSeen most findings share (all of them on a first scan, the first scan's start later
 * on): 25 bytes in each of 40,000 findings at 10,000 principals. Only when every finding has one,
 * so that a finding without firstSeen in the file always means this one.
 */
function commonFirstSeen(findings: readonly Finding[]): string | undefined {
  const counts = new Map<string, number>();
  for (const f of findings) {
    if (f.firstSeen === undefined) return undefined;
    counts.set(f.firstSeen, (counts.get(f.firstSeen) ?? 0) + 1);
  }
  let best: string | undefined;
  let most = 1;
  for (const [v, n] of counts) if (n > most) [best, most] = [v, n];
  return best;
}

/** Schema 1.6: permission lists, policies and agent evidence (the same for principals with the same policies). */
function storedPrincipal(p: PrincipalReport, t: DocumentTable, tx: TextSink): PrincipalReport {
  const permissions: Record<string, unknown> = { ...p.permissions };
  tx.put(permissions, 'destructiveActions', p.permissions.destructiveActions);
  tx.put(permissions, 'escalationTechniques', p.permissions.escalationTechniques);
  const o: Record<string, unknown> = { ...p, permissions };
  tx.put(o, 'policies', p.policies);
  tx.put(o, 'agentEvidence', p.agentEvidence);
  tx.put(o, 'agentDecision', p.agentDecision);
  if (p.trustPolicy !== undefined) o.trustPolicy = t.ref(p.trustPolicy);
  return o as unknown as PrincipalReport;
}

function storedFinding(f: Finding, commonSeen: string | undefined, t: DocumentTable, tx: TextSink): Finding {
  // Schema 1.6: the most common firstSeen is said once (firstSeenDefault), not in every finding.
  const { firstSeen, ...rest } = f;
  const o: Record<string, unknown> = { ...rest, ...(firstSeen !== undefined && firstSeen !== commonSeen ? { firstSeen } : {}) };
  tx.put(o, 'description', f.description);
  tx.put(o, 'remediation', f.remediation);
  tx.put(o, 'actions', f.actions, SHARED); // equal lists are one array (runChecks)
  const evidence: unknown[] = new Array(f.evidence.length);
  f.evidence.forEach((e, j) => tx.put(evidence, j, e, t.evidencePlace));
  o.evidence = evidence;
  return o as unknown as Finding;
}

function storedFix(x: Fix, t: DocumentTable, tx: TextSink): Fix {
  const o: Record<string, unknown> = {
    ...x,
    ...storedRenderings(x, t),
    ...(x.before !== undefined && typeof x.before === 'object' ? { before: t.ref(x.before) } : {}),
    ...(typeof x.after === 'object' ? { after: t.ref(x.after) } : {}),
  };
  tx.put(o, 'description', x.description);
  const notes: unknown[] = new Array(x.notes.length);
  x.notes.forEach((n, j) => tx.put(notes, j, n));
  o.notes = notes;
  tx.put(o, 'verification', x.verification);
  if (x.actionReasons !== undefined) {
    const reasons: unknown[] = new Array(x.actionReasons.length);
    x.actionReasons.forEach((r, j) => tx.put(reasons, j, r, SHARED));
    o.actionReasons = reasons;
  }
  return o as unknown as Fix;
}

/**
 * Schema 1.6: a hop's actions and why, and a principal's power, the power it reaches and its path
 * by reference. Paths differ mostly by where they start (10,000 paths at 10,000 principals, 79
 * once `from` is set aside), so a path in the table leaves out `from` and its first hop's `from`:
 * both are the principalArn of the reach entry that refers to it.
 */
function storedHop(h: PathHop, tx: TextSink): PathHop {
  const o: Record<string, unknown> = { ...h };
  tx.put(o, 'actions', h.actions);
  tx.put(o, 'why', h.why);
  return o as unknown as PathHop;
}

function storedReach(r: PrincipalReach, tx: TextSink): PrincipalReach {
  const o: Record<string, unknown> = { ...r };
  tx.put(o, 'power', r.power);
  tx.put(o, 'reachPower', r.reachPower);
  const path = r.path;
  if (path !== undefined && path.from === r.principalArn && path.hops[0]?.from === r.principalArn) tx.put(o, 'path', path, PATH);
  return o as unknown as PrincipalReach;
}

/** A path without where it starts (`from`, and its first hop's). */
function pathTail(p: GraphPath): Omit<GraphPath, 'from'> {
  const { from: _f, hops, ...rest } = p;
  const { from: _h, ...first } = hops[0]!;
  return { ...rest, hops: [first, ...hops.slice(1)] as PathHop[] };
}

/** `{ "$render": target }` with the target's documents by reference, when the renderings are derived. */
function storedRenderings(x: Fix, t: DocumentTable): Pick<Fix, 'renderings'> | Record<string, never> {
  const target = renderSourceOf(x.renderings);
  if (!target) return {};
  const stored = {
    ...target,
    policies: target.policies.map((p) => ({ ...p, document: t.ref(p.document) })),
    ...(target.currentTrust ? { currentTrust: t.ref(target.currentTrust) } : {}),
  };
  return { renderings: { [RENDER_REF]: stored } as unknown as Fix['renderings'] };
}

// A render target read from a file is checked before any renderer sees it: the renderers write
// shell scripts, and a report.json is input like any other.
const strs = z.array(z.string());
const principalBlock = z.union([z.literal('*'), z.record(z.string(), strs)]);
const policyDocument = z.object({
  version: z.enum(['2012-10-17', '2008-10-17']),
  id: z.string().optional(),
  statements: z.array(z.object({
    index: z.number().int().nonnegative(), sid: z.string().optional(), effect: z.enum(['Allow', 'Deny']),
    action: strs.optional(), notAction: strs.optional(), resource: strs.optional(), notResource: strs.optional(),
    principal: principalBlock.optional(), notPrincipal: principalBlock.optional(), condition: z.record(z.string(), z.record(z.string(), strs)).optional(),
  })),
});
const renderTarget = z.object({
  principalKind: z.enum(['role', 'user']),
  principalName: z.string(),
  accountId: z.string(),
  policies: z.array(z.object({ name: z.string(), purpose: z.enum(['identity', 'boundary', 'trust', 'session']), attach: z.enum(['inline', 'managed', 'none']), shared: z.literal(true).optional(), document: policyDocument })),
  maxSessionDuration: z.number().int().optional(),
  identityCenter: z.object({ permissionSetName: z.string(), instanceArn: z.string().optional(), permissionSetArn: z.string().optional() }).optional(),
  currentTrust: policyDocument.optional(),
  currentBoundaryArn: z.string().optional(),
  replacesPolicies: z.array(z.object({ kind: z.enum(['inline', 'managed']), name: z.string(), arn: z.string().optional() })).optional(),
  keepsPolicies: z.array(z.object({ kind: z.enum(['inline', 'managed']), name: z.string(), arn: z.string().optional() })).optional(),
});

type Writable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Replace every reference in a parsed report.json with its document (shared, not copied), and
 * drop the table; in place (the parse is the caller's, and copying its 110,000 records was ~0.25 s
 * and as much garbage at 10,000 principals). A reference to a key the table lacks is bad input: file, JSON path, the key.
 * Reports written before schema 1.3 have no table and no references; they pass unchanged.
 */
export function resolveDocuments(data: Report, file: string): Report {
  const raw = data as Report & { documents?: unknown };
  const table = raw.documents;
  if (table === undefined) return data;
  if (typeof table !== 'object' || table === null || Array.isArray(table)) throw new InputError(file, '$.documents', 'an object of policy documents keyed by sha256:<32 hex digits>', Array.isArray(table) ? 'an array' : typeof table);
  const docs = table as Record<string, unknown>;
  const resolve = (v: unknown, path: string): unknown => {
    if (!isDocumentRef(v)) return v;
    const key = v.$doc;
    if (!KEY_RE.test(key) || !Object.hasOwn(docs, key)) throw new InputError(file, path, 'a reference to a key of $.documents', JSON.stringify(key.slice(0, 80)));
    return docs[key];
  };
  // Schema 1.4: a document's statements may be entries of the table. One level only: the
  // statements are put back into each document first, so everything referring to it sees it whole.
  for (const [key, doc] of Object.entries(docs)) {
    if (typeof doc === 'object' && doc !== null && hasStatements(doc) && doc.statements.some(isDocumentRef)) {
      docs[key] = { ...doc, statements: doc.statements.map((st, j) => {
        const v = resolve(st, `$.documents["${key.slice(0, 80)}"].statements[${j}]`);
        if (isDocumentRef(st) && (typeof v !== 'object' || v === null || hasStatements(v))) throw new InputError(file, `$.documents["${key.slice(0, 80)}"].statements[${j}]`, 'a reference to a statement', 'a reference to a policy document');
        return v;
      }) };
    }
  }
  // In place: the records are the parse's own (one object per place), except evidence entries,
  // which may be one entry of $.texts in many places: resolved where first met, the same after.
  const mut = raw as { -readonly [K in keyof Report]: Report[K] } & { documents?: unknown };
  data.principals.forEach((p, i) => {
    if (isDocumentRef(p.trustPolicy)) (p as Writable<PrincipalReport>).trustPolicy = resolve(p.trustPolicy, `$.principals[${i}].trustPolicy`) as PrincipalReport['trustPolicy'];
  });
  data.findings.forEach((f, i) => f.evidence.forEach((e, j) => {
    if (e.kind === 'statement' && isDocumentRef(e.statement)) (e as Writable<typeof e>).statement = resolve(e.statement, `$.findings[${i}].evidence[${j}].statement`) as typeof e.statement;
  }));
  const rendered = (r: unknown, i: number, fix: Fix): Fix['renderings'] => {
    if (typeof r !== 'object' || r === null || !(RENDER_REF in r)) return r as Fix['renderings'];
    const path = `$.fixes[${i}].renderings.${RENDER_REF}`;
    const raw = (r as Record<string, unknown>)[RENDER_REF] as Record<string, unknown> | null;
    const withDocs = typeof raw === 'object' && raw !== null ? {
      ...raw,
      ...(Array.isArray(raw.policies) ? { policies: raw.policies.map((p: unknown, j: number) => (typeof p === 'object' && p !== null ? { ...p, document: resolve((p as Record<string, unknown>).document, `${path}.policies[${j}].document`) } : p)) } : {}),
      ...(raw.currentTrust !== undefined ? { currentTrust: resolve(raw.currentTrust, `${path}.currentTrust`) } : {}),
    } : raw;
    const t = renderTarget.safeParse(withDocs);
    if (!t.success) {
      const issue = t.error.issues[0]!;
      throw new InputError(file, `${path}${issue.path.map((k) => (typeof k === 'number' ? `[${k}]` : `.${String(k)}`)).join('')}`, 'a fix render target (principal, account, policies) as leash writes it', issue.message);
    }
    // With the not-safe refusal when the fix's verification says so (a fix without one, which
    // leash never writes, is refused too: nothing says it is safe).
    const v: unknown = fix.verification;
    return typeof v === 'object' && v !== null ? fixRenderings(fix, t.data as FixTarget) : lazyRenderings(t.data as FixTarget, 'the report holds no verification of this fix');
  };
  data.fixes.forEach((x, i) => {
    const w = x as Writable<Fix>;
    w.renderings = rendered(x.renderings, i, x);
    if (isDocumentRef(x.before)) w.before = resolve(x.before, `$.fixes[${i}].before`) as NonNullable<Fix['before']>;
    if (isDocumentRef(x.after)) w.after = resolve(x.after, `$.fixes[${i}].after`) as Fix['after'];
  });
  delete mut.documents;
  return mut;
}

interface TextPlaces {
  /** Fields that may be a reference. */
  readonly whole?: readonly string[];
  /** List fields whose entries may each be one. */
  readonly each?: readonly string[];
  /** Objects with places of their own. */
  readonly nested?: Readonly<Record<string, TextPlaces>>;
}

/** Where texts may stand, per list of the report (its JSON path from the root). */
const TEXT_PLACES: readonly { readonly at: readonly string[]; readonly places: TextPlaces }[] = [
  { at: ['findings'], places: { whole: ['description', 'remediation', 'actions'], each: ['evidence'] } },
  { at: ['fixes'], places: { whole: ['description', 'verification'], each: ['notes', 'actionReasons'] } },
  // Schema 1.6.
  { at: ['principals'], places: { whole: ['policies', 'agentEvidence', 'agentDecision'], nested: { permissions: { whole: ['destructiveActions', 'escalationTechniques'] } } } },
  { at: ['graph', 'hops'], places: { whole: ['actions', 'why'] } },
  { at: ['graph', 'reach'], places: { whole: ['power', 'reachPower', 'path'] } },
];

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Put every `{ "$text": index }` of a parsed report.json back (shared, not copied) and drop the
 * table, in place (see resolveDocuments); run on the raw parse, before the shape is checked, so the check sees whole values.
 * Tolerant of anything else: a field that is not where a reference may stand is left for the
 * shape check to judge. An index the table lacks is bad input: file, JSON path, the index.
 * Reports written before schema 1.4 have no table and pass unchanged.
 *
 * Schema 1.6 also leaves out what the reader can put back: a finding's firstSeen when it is
 * `firstSeenDefault`, and the start of a reach path kept in the table (the principal it is reach of).
 */
export function resolveTexts(data: unknown, file: string): unknown {
  if (!isRecord(data)) return data;
  const raw = data;
  const firstSeen = raw[FIRST_SEEN_DEFAULT];
  if (firstSeen !== undefined) {
    if (typeof firstSeen !== 'string') throw new InputError(file, `$.${FIRST_SEEN_DEFAULT}`, 'the firstSeen of findings that have none (a date-time)', typeof firstSeen);
    if (Array.isArray(raw.findings)) for (const f of raw.findings as unknown[]) if (isRecord(f) && f.firstSeen === undefined) f.firstSeen = firstSeen;
    delete raw[FIRST_SEEN_DEFAULT];
  }
  const table = raw.texts;
  if (table === undefined) return data;
  if (!Array.isArray(table)) throw new InputError(file, '$.texts', 'a list of the texts references point to', typeof table);
  // The value a place holds once resolved, or BAD; its JSON path is made only for an error (at
  // 10,000 principals there are ~600,000 places).
  const BAD = Symbol('no such text');
  const resolve = (v: unknown): unknown => {
    if (!isTextRef(v)) return v;
    const i = v.$text;
    return i >= 0 && i < table.length ? table[i] : BAD;
  };
  const bad = (v: unknown, path: string): never => {
    throw new InputError(file, path, `an index into $.texts (0 to ${table.length - 1})`, String((v as TextRef).$text));
  };
  // In place: every record, list and nested object changed here is the parse's own (one per place;
  // what a reference points to is only ever put in, never changed).
  const resolveIn = (o: Record<string, unknown>, places: TextPlaces, path: () => string): void => {
    for (const k of places.whole ?? []) {
      if (!(k in o)) continue;
      const r = resolve(o[k]);
      o[k] = r === BAD ? bad(o[k], `${path()}.${k}`) : r;
    }
    for (const k of places.each ?? []) {
      const list = o[k];
      if (!Array.isArray(list)) continue;
      for (let j = 0; j < list.length; j++) {
        const r = resolve(list[j]);
        list[j] = r === BAD ? bad(list[j], `${path()}.${k}[${j}]`) : r;
      }
    }
    if (places.nested) for (const k in places.nested) if (isRecord(o[k])) resolveIn(o[k], places.nested[k]!, () => `${path()}.${k}`);
  };
  for (const { at, places } of TEXT_PLACES) {
    const parent = at.length === 1 ? raw : raw[at[0]!];
    const key = at[at.length - 1]!;
    if (!isRecord(parent) || !Array.isArray(parent[key])) continue;
    const path = `$.${at.join('.')}`;
    (parent[key] as unknown[]).forEach((o, i) => {
      if (!isRecord(o)) return;
      const ref = o.path;
      resolveIn(o, places, () => `${path}[${i}]`);
      // A reach path from the table starts where its reach entry is (schema 1.6); the table's copy is shared: a new one.
      if (key === 'reach' && isTextRef(ref) && isRecord(o.path) && o.path.from === undefined && Array.isArray(o.path.hops) && isRecord(o.path.hops[0])) {
        const [first, ...more] = o.path.hops as Record<string, unknown>[];
        o.path = { from: o.principalArn, ...o.path, hops: [{ from: o.principalArn, ...first }, ...more] };
      }
    });
  }
  delete raw.texts;
  return raw;
}
