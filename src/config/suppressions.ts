// leash.suppressions.yaml: findings a human has accepted, each with a reason (mandatory) and an
// optional expiry. A suppression marks a finding, it never removes it, so reports still show what
// was accepted, by whom and until when.
import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { READ_LIMITS, readRegularFileSync } from '../safe/read.js';
import { isMap, isSeq, LineCounter, parseDocument, stringify } from 'yaml';
import type { Document } from 'yaml';
import { z } from 'zod';
import { InputError, describeValue, jsonPath, valueAt } from '../model/errors.js';
import type { Finding, Suppression } from '../model/finding.js';

export const SUPPRESSIONS_FILE = 'leash.suppressions.yaml';

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A real calendar date written YYYY-MM-DD (2026-02-30 is rejected). */
export function isIsoDate(s: string): boolean {
  const m = DATE_RE.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

const isoDate = z.string().refine(isIsoDate, { message: 'a date written YYYY-MM-DD' });

export const suppressionEntrySchema = z
  .object({
    findingId: z.string().min(1, { message: 'a non-empty finding id' }),
    checkId: z.string().min(1).optional(),
    principalArn: z.string().min(1).optional(),
    reason: z.string().trim().min(1, { message: 'a non-empty reason' }),
    by: z.string().min(1).optional(),
    until: isoDate.optional(),
    createdAt: z.string().optional(),
  })
  .strict();

export type SuppressionEntry = z.infer<typeof suppressionEntrySchema>;

const fileSchema = z
  .object({
    version: z.literal(1).optional(),
    suppressions: z.array(suppressionEntrySchema).default([]),
  })
  .strict();

const HEADER = [
  '# leash suppressions: findings accepted by a human, each with a reason.',
  '# A suppressed finding stays in every report, marked with this reason; it stops counting',
  '# towards exit codes. `until` (YYYY-MM-DD, inclusive, UTC) makes a suppression expire.',
  '',
].join('\n');


/** Line of the YAML node at `path`, so errors point into the file. */
function lineOf(doc: Document, counter: LineCounter, path: readonly PropertyKey[]): number | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n) as unknown[], true) as { range?: [number, number, number] } | undefined;
    if (node && typeof node === 'object' && node.range) return counter.linePos(node.range[0]).line;
  }
  return undefined;
}



/**
 * Read the suppressions file. A missing file means no suppressions. A malformed one throws
 * InputError naming the file, the line and JSON path, and what was expected.
 */
export function loadSuppressions(path: string): SuppressionEntry[] {
  if (!existsSync(path)) return [];
  const text = readRegularFileSync(path, READ_LIMITS.suppressions, 'a leash suppressions YAML file').toString('utf8').replace(/^\uFEFF/, '');
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false });
  const yamlError = doc.errors[0];
  if (yamlError) {
    const line = yamlError.linePos?.[0]?.line ?? counter.linePos(yamlError.pos[0]).line;
    throw new InputError(path, `line ${line}`, 'valid YAML', yamlError.message.split('\n')[0]);
  }
  const raw: unknown = doc.toJS() ?? {};
  // A bare list is accepted too: people write the entries without the wrapper.
  const data = Array.isArray(raw) ? { suppressions: raw } : raw;
  const parsed = fileSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const issuePath = Array.isArray(raw) ? issue.path.slice(1) : issue.path;
    const line = isMap(doc.contents) || isSeq(doc.contents) ? lineOf(doc, counter, issuePath) : undefined;
    const where = `${line !== undefined ? `line ${line}, ` : ''}${jsonPath(issue.path)}`;
    throw new InputError(path, where, expectedFor(issue), describeValue(valueAt(data, issue.path)));
  }
  return parsed.data.suppressions;
}

function expectedFor(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `only findingId, checkId, principalArn, reason, by, until, createdAt (unknown: ${issue.keys.join(', ')})`;
  if (issue.code === 'invalid_type') return `${issue.expected}`;
  return issue.message;
}

export interface NewSuppression {
  readonly findingId: string;
  readonly checkId?: string;
  readonly principalArn?: string;
  readonly reason: string;
  readonly by?: string;
  readonly until?: string;
}

/**
 * Add (or replace, by findingId) one suppression and write the file. Refuses to overwrite a file
 * it cannot read, so a typo never silently discards other people's suppressions.
 */
export function saveSuppression(path: string, entry: NewSuppression, now: Date = new Date()): SuppressionEntry {
  const checked = suppressionEntrySchema.safeParse({ ...stripUndefined(entry), createdAt: now.toISOString() });
  if (!checked.success) {
    const issue = checked.error.issues[0]!;
    throw new InputError(path, jsonPath(issue.path), expectedFor(issue), describeValue(valueAt(entry, issue.path)));
  }
  const existing = loadSuppressions(path).filter((s) => s.findingId !== entry.findingId);
  const all = [...existing, checked.data];
  const body = stringify({ version: 1, suppressions: all.map(stripUndefined) }, { lineWidth: 0 });
  // Write then rename, so a crash never leaves a half-written file behind.
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, HEADER + body, 'utf8');
  renameSync(tmp, path);
  return checked.data;
}

/**
 * Remove the suppression of one finding and write the file (temp + rename). False when the file
 * holds none for it. A file it cannot read is an error, as for saving: nothing is discarded.
 */
export function removeSuppression(path: string, findingId: string): boolean {
  const existing = loadSuppressions(path);
  const kept = existing.filter((s) => s.findingId !== findingId);
  if (kept.length === existing.length) return false;
  const body = stringify({ version: 1, suppressions: kept.map(stripUndefined) }, { lineWidth: 0 });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, HEADER + body, 'utf8');
  renameSync(tmp, path);
  return true;
}

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** True while `until` has not passed; `until` is inclusive through the end of that UTC day. */
export function isActive(s: Pick<SuppressionEntry, 'until'>, now: Date): boolean {
  if (s.until === undefined) return true;
  if (!isIsoDate(s.until)) return false;
  return now.getTime() < Date.parse(`${s.until}T00:00:00Z`) + 86_400_000;
}

function matches(s: SuppressionEntry, f: Finding): boolean {
  if (s.findingId !== f.id) return false;
  // When given, checkId / principalArn must agree too: a guard against an id being reused.
  if (s.checkId !== undefined && s.checkId !== f.checkId) return false;
  if (s.principalArn !== undefined && s.principalArn !== f.principalArn) return false;
  return true;
}

/**
 * Mark findings with their active suppression. Returns new finding objects for the marked ones
 * (inputs are not mutated); never drops a finding. Expired suppressions do not apply.
 */
export function applySuppressions(findings: readonly Finding[], suppressions: readonly SuppressionEntry[], now: Date = new Date()): Finding[] {
  const active = suppressions.filter((s) => isActive(s, now));
  return findings.map((f) => {
    const s = active.find((x) => matches(x, f));
    if (!s) return f;
    const suppressed: Suppression = { reason: s.reason, ...(s.by !== undefined ? { by: s.by } : {}), ...(s.until !== undefined ? { until: s.until } : {}) };
    return { ...f, suppressed };
  });
}
