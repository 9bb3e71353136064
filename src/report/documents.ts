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
// the reference would be as long. Where: findings[].description, .remediation, .actions (the
// list), .evidence[] (each entry, after its statement became a $doc reference); fixes[].description,
// .notes[] (each), .verification, .actionReasons[] (each service's entry). resolveTexts puts them
// back before anything else reads the file.
//
// A fix's renderings (policy JSON, Terraform, CLI script: half of report.json at 10,000
// principals) are text rendered from the fix's target; report.json keeps the target instead,
// `renderings: { "$render": target }`, and readers render them again when first read.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { InputError } from '../model/errors.js';
import { lazyRenderings, renderSourceOf } from '../fix/render/lazy.js';
import type { FixTarget } from '../fix/render/index.js';
import { storedGraph } from './stored-graph.js';
import type { Evidence, Finding } from '../model/finding.js';
import type { Fix } from '../model/fix.js';
import type { PrincipalReport, Report } from '../model/report.js';

export const DOC_REF = '$doc';
export const RENDER_REF = '$render';
export const TEXT_REF = '$text';
/** A value whose JSON is shorter than this stays inline: `{"$text":12345}` is 14 characters. */
const MIN_TEXT_CHARS = 24;
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

  ref(value: unknown): DocumentRef | unknown {
    if (typeof value !== 'object' || value === null) return value;
    let key = this.seen.get(value);
    if (key === undefined) {
      key = `sha256:${createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 32)}`;
      this.seen.set(value, key);
      // Same text, same key: the first object stands for every equal one. A policy document's
      // statements are entries of their own (schema 1.4): 817 distinct boundaries at 2,000
      // principals are 4.7 MB, but hold only 915 distinct statements, 0.2 MB.
      if (!(key in this.documents)) this.documents[key] = hasStatements(value) ? { ...value, statements: value.statements.map((st) => this.ref(st)) } : value;
    }
    return { [DOC_REF]: key };
  }
}

export interface TextRef {
  readonly $text: number;
}

export function isTextRef(v: unknown): v is TextRef {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Number.isInteger((v as Record<string, unknown>)[TEXT_REF]) && Object.keys(v).length === 1;
}

/** Collects repeated texts (and lists and records of text) while a report is turned into its stored form. */
class TextTable {
  readonly texts: unknown[] = [];
  /** Keyed by JSON text: equal values built separately (one description per finding) meet here. */
  private readonly index = new Map<string, number>();

  ref<T>(value: T): T | TextRef {
    if (value === undefined) return value;
    const json = JSON.stringify(value);
    if (json.length < MIN_TEXT_CHARS) return value;
    let i = this.index.get(json);
    if (i === undefined) {
      i = this.texts.length;
      this.texts.push(value);
      this.index.set(json, i);
    }
    return { [TEXT_REF]: i } as TextRef;
  }
}

/**
 * The report as report.json stores it: each distinct policy document and evidence statement once
 * in `documents`, referred to by `{ "$doc": key }`. Shallow copies only: the documents themselves
 * are not copied, so this costs one hash per distinct object, not a second report in memory.
 */
export function storedReport(report: Report): Report {
  // The graph keeps the hops readers can use on their own (stored-graph.ts).
  const t = new DocumentTable();
  const principals = report.principals.map((p): PrincipalReport => (p.trustPolicy === undefined ? p : { ...p, trustPolicy: t.ref(p.trustPolicy) }));
  const tx = new TextTable();
  const findings = report.findings.map((f): Finding => ({
    ...f,
    description: tx.ref(f.description) as string,
    ...(f.remediation !== undefined ? { remediation: tx.ref(f.remediation) as string } : {}),
    actions: tx.ref(f.actions) as Finding['actions'],
    evidence: f.evidence.map((e) => tx.ref(e.kind === 'statement' ? { ...e, statement: t.ref(e.statement) } : e) as Evidence),
  }));
  const fixes = report.fixes.map((x): Fix => ({
    ...x,
    description: tx.ref(x.description) as string,
    notes: x.notes.map((n) => tx.ref(n) as string),
    verification: tx.ref(x.verification) as Fix['verification'],
    ...(x.actionReasons !== undefined ? { actionReasons: x.actionReasons.map((r) => tx.ref(r) as NonNullable<Fix['actionReasons']>[number]) } : {}),
    ...storedRenderings(x, t),
    ...(x.before !== undefined && typeof x.before === 'object' ? { before: t.ref(x.before) as NonNullable<Fix['before']> } : {}),
    ...(typeof x.after === 'object' ? { after: t.ref(x.after) as Fix['after'] } : {}),
  }));
  // `documents` goes after the lists that refer to it, before the graph and errors; key order is
  // the writer's, readers look it up by name.
  const { graph, errors, ...rest } = report;
  return { ...rest, principals, findings, fixes, documents: t.documents, texts: tx.texts, ...(graph ? { graph: storedGraph(graph) } : {}), errors } as Report;
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
});

/**
 * Replace every reference in a parsed report.json with its document (shared, not copied), and
 * drop the table. A reference to a key the table lacks is bad input: file, JSON path, the key.
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
  const mut = raw as { -readonly [K in keyof Report]: Report[K] } & { documents?: unknown };
  mut.principals = data.principals.map((p, i) => (p.trustPolicy === undefined ? p : { ...p, trustPolicy: resolve(p.trustPolicy, `$.principals[${i}].trustPolicy`) }));
  mut.findings = data.findings.map((f, i) => (f.evidence.some((e) => e.kind === 'statement' && isDocumentRef(e.statement)) ? { ...f, evidence: f.evidence.map((e, j) => (e.kind === 'statement' ? { ...e, statement: resolve(e.statement, `$.findings[${i}].evidence[${j}].statement`) } : e)) } : f));
  const rendered = (r: unknown, i: number): Fix['renderings'] => {
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
    return lazyRenderings(t.data as FixTarget);
  };
  mut.fixes = data.fixes.map((x, i) => ({
    ...x,
    renderings: rendered(x.renderings, i),
    ...(x.before !== undefined ? { before: resolve(x.before, `$.fixes[${i}].before`) as NonNullable<Fix['before']> } : {}),
    after: resolve(x.after, `$.fixes[${i}].after`) as Fix['after'],
  }));
  delete mut.documents;
  return mut;
}

/** Where texts may stand: list fields whose entries may each be a reference, and fields that may be one. */
const TEXT_PLACES: Readonly<Record<'findings' | 'fixes', { readonly whole: readonly string[]; readonly each: readonly string[] }>> = {
  findings: { whole: ['description', 'remediation', 'actions'], each: ['evidence'] },
  fixes: { whole: ['description', 'verification'], each: ['notes', 'actionReasons'] },
};

/**
 * Put every `{ "$text": index }` of a parsed report.json back (shared, not copied) and drop the
 * table; run on the raw parse, before the shape is checked, so the check sees whole values.
 * Tolerant of anything else: a field that is not where a reference may stand is left for the
 * shape check to judge. An index the table lacks is bad input: file, JSON path, the index.
 * Reports written before schema 1.4 have no table and pass unchanged.
 */
export function resolveTexts(data: unknown, file: string): unknown {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return data;
  const raw = data as Record<string, unknown>;
  const table = raw.texts;
  if (table === undefined) return data;
  if (!Array.isArray(table)) throw new InputError(file, '$.texts', 'a list of the texts references point to', typeof table);
  const resolve = (v: unknown, path: string): unknown => {
    if (!isTextRef(v)) return v;
    const i = v.$text;
    if (i < 0 || i >= table.length) throw new InputError(file, path, `an index into $.texts (0 to ${table.length - 1})`, String(i));
    return table[i];
  };
  for (const list of ['findings', 'fixes'] as const) {
    const items = raw[list];
    if (!Array.isArray(items)) continue;
    const places = TEXT_PLACES[list];
    raw[list] = items.map((item: unknown, i) => {
      if (typeof item !== 'object' || item === null || Array.isArray(item)) return item;
      const o = { ...(item as Record<string, unknown>) };
      for (const k of places.whole) if (k in o) o[k] = resolve(o[k], `$.${list}[${i}].${k}`);
      for (const k of places.each) if (Array.isArray(o[k])) o[k] = (o[k] as unknown[]).map((e, j) => resolve(e, `$.${list}[${i}].${k}[${j}]`));
      return o;
    });
  }
  delete raw.texts;
  return raw;
}
