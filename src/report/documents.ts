// Policy documents stored once (schema 1.3): at 10,000 principals the same boundary, trust
// policy or managed-policy statement appears in thousands of fixes, principals and findings.
// report.json keeps each distinct one in `documents`, keyed by a hash of its JSON text, and
// the places that held it hold `{ "$doc": key }` instead. Only the JSON form has references:
// writers call storedReport() last, readers call resolveDocuments() first (parseReport does), so
// the Report in memory, and every exporter and screen reading it, always sees whole documents.
//
// Where references may stand: principals[].trustPolicy, findings[].evidence[].statement,
// fixes[].before, fixes[].after (the whole value: a document, or the list of documents).
import { createHash } from 'node:crypto';
import { InputError } from '../model/errors.js';
import type { Evidence, Finding } from '../model/finding.js';
import type { Fix } from '../model/fix.js';
import type { PrincipalReport, Report } from '../model/report.js';

export const DOC_REF = '$doc';
const KEY_RE = /^sha256:[0-9a-f]{32}$/;

export interface DocumentRef {
  readonly $doc: string;
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
      // Same text, same key: the first object stands for every equal one.
      if (!(key in this.documents)) this.documents[key] = value;
    }
    return { [DOC_REF]: key };
  }
}

/**
 * The report as report.json stores it: each distinct policy document and evidence statement once
 * in `documents`, referred to by `{ "$doc": key }`. Shallow copies only: the documents themselves
 * are not copied, so this costs one hash per distinct object, not a second report in memory.
 */
export function storedReport(report: Report): Report {
  const t = new DocumentTable();
  const principals = report.principals.map((p): PrincipalReport => (p.trustPolicy === undefined ? p : { ...p, trustPolicy: t.ref(p.trustPolicy) }));
  const findings = report.findings.map((f): Finding => (f.evidence.some((e) => e.kind === 'statement') ? { ...f, evidence: f.evidence.map((e): Evidence => (e.kind === 'statement' ? { ...e, statement: t.ref(e.statement) } : e)) } : f));
  const fixes = report.fixes.map((x): Fix => ({
    ...x,
    ...(x.before !== undefined && typeof x.before === 'object' ? { before: t.ref(x.before) as NonNullable<Fix['before']> } : {}),
    ...(typeof x.after === 'object' ? { after: t.ref(x.after) as Fix['after'] } : {}),
  }));
  // `documents` goes after the lists that refer to it, before the graph and errors; key order is
  // the writer's, readers look it up by name.
  const { graph, errors, ...rest } = report;
  return { ...rest, principals, findings, fixes, documents: t.documents, ...(graph ? { graph } : {}), errors } as Report;
}

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
  const mut = raw as { -readonly [K in keyof Report]: Report[K] } & { documents?: unknown };
  mut.principals = data.principals.map((p, i) => (p.trustPolicy === undefined ? p : { ...p, trustPolicy: resolve(p.trustPolicy, `$.principals[${i}].trustPolicy`) }));
  mut.findings = data.findings.map((f, i) => (f.evidence.some((e) => e.kind === 'statement' && isDocumentRef(e.statement)) ? { ...f, evidence: f.evidence.map((e, j) => (e.kind === 'statement' ? { ...e, statement: resolve(e.statement, `$.findings[${i}].evidence[${j}].statement`) } : e)) } : f));
  mut.fixes = data.fixes.map((x, i) => ({
    ...x,
    ...(x.before !== undefined ? { before: resolve(x.before, `$.fixes[${i}].before`) as NonNullable<Fix['before']> } : {}),
    after: resolve(x.after, `$.fixes[${i}].after`) as Fix['after'],
  }));
  delete mut.documents;
  return mut;
}
