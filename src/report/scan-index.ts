// What the next scan needs of this one, beside the report: `.leash-index.json.gz` in the bundle.
//
// A scheduled scan compares itself with the previous one (report.delta, each finding's firstSeen).
// That needs finding ids, severities, actions and suppressions, and principals' ARNs, unique ids
// and action counts: a small part of report.json. Reading the whole previous report for it cost
// the 10,000-principal scan ~2.9 s and ~290 MiB more than a first scan (gunzip, parse, shape
// check, resolving references, and holding it through the writing), every day after the first.
// The index is written in the same temp folder as the report and renamed with it, so the two
// belong to one scan; a reader still checks that the index names the scan in the report's head
// and falls back to the report itself when it does not, when it is missing (bundles written before
// it) or when it is damaged. It is a cache: the report stays what is true.
import { gunzipSync } from 'node:zlib';
import { InputError } from '../model/errors.js';
import type { Finding } from '../model/finding.js';
import { SEVERITIES } from '../model/finding.js';
import type { PrincipalReport, Report } from '../model/report.js';
import { READ_LIMITS, readRegularFile } from '../safe/read.js';
import { isGzip, readReportHead } from './report-file.js';
import { jsonTextSafe } from '../safe/text.js';

export const SCAN_INDEX_FILE = '.leash-index.json.gz';
/** Bumped when the index changes shape: an index of another format is not read (the report is). */
export const SCAN_INDEX_FORMAT = 1;

/** Of a finding, what comparing two scans reads (report/diff.ts). */
export type ComparableFinding = Pick<Finding, 'id' | 'checkId' | 'severity' | 'principalArn' | 'subject' | 'title' | 'actions' | 'suppressed' | 'firstSeen'>;
/** Of a principal, what comparing two scans reads. */
export type ComparablePrincipal = Pick<PrincipalReport, 'arn' | 'name' | 'uniqueId' | 'isAgent'> & { readonly permissions: Pick<PrincipalReport['permissions'], 'allowedActionCount'> };

/** Of a finding, what its ASFF record needs beyond comparing: a finding that is gone is sent to Security Hub whole, RESOLVED. */
export type AsffComparableFinding = ComparableFinding & Pick<Finding, 'description' | 'remediation' | 'fixIds' | 'technique'>;
/** Of a principal, what the ASFF record of a gone finding needs beyond comparing (its resource type). */
export type AsffComparablePrincipal = ComparablePrincipal & Pick<PrincipalReport, 'kind'>;

/** A scan as the next one compares with it: a whole Report is one, and so is a scan index. */
export interface ComparableScan {
  readonly scan: {
    readonly id: string;
    readonly startedAt: string;
    readonly account: { readonly id: string };
    readonly coverage: { readonly iam: Report['scan']['coverage']['iam'] };
  };
  readonly principals: readonly ComparablePrincipal[];
  readonly findings: readonly ComparableFinding[];
}

/** A comparable scan that also holds what ASFF needs of its findings (a Report, or an index written with ASFF). */
export interface AsffComparableScan extends ComparableScan {
  readonly principals: readonly AsffComparablePrincipal[];
  readonly findings: readonly AsffComparableFinding[];
}

/** Whether a comparable scan holds what ASFF needs (every principal's kind, every finding's fix ids and description). */
export function isAsffComparable(scan: ComparableScan): scan is AsffComparableScan {
  return scan.principals.every((p) => typeof (p as Partial<AsffComparablePrincipal>).kind === 'string')
    && scan.findings.every((f) => Array.isArray((f as Partial<AsffComparableFinding>).fixIds) && typeof (f as Partial<AsffComparableFinding>).description === 'string');
}

export interface ScanIndexOptions {
  /**
   * Also what ASFF needs (the `asff` section): written when the scan writes ASFF, so that the next
   * scan that does can send the findings gone since as RESOLVED without reading this report back.
   */
  readonly asff?: boolean;
}

/**
 * The index's JSON, one record per line: principals and findings as tuples (their keys would be a
 * third of the text), findings referring to their action list by number (at 10,000 principals
 * 39,000 findings hold 9,000 distinct lists).
 *   principals[i]: [arn, name, uniqueId | null, isAgent, allowedActionCount]
 *   findings[i]:   [id, checkId, severity, principalArn, subject, title, actionList, suppressed | null, firstSeen | null]
 */
function* indexPieces(report: ComparableScan, opts: ScanIndexOptions): Generator<string> {
  const lists: (readonly string[])[] = [];
  const listAt = new Map<string, number>();
  const listOf = new Int32Array(report.findings.length);
  // A list met before as the same array (runChecks shares equal lists) is found by identity; else by content.
  const byArray = new Map<readonly string[], number>();
  report.findings.forEach((f, i) => {
    let n = byArray.get(f.actions);
    if (n === undefined) {
      const key = JSON.stringify(f.actions); // not a join: an action holding the separator would make two lists one
      n = listAt.get(key);
      if (n === undefined) listAt.set(key, (n = lists.push(f.actions) - 1));
      byArray.set(f.actions, n);
    }
    listOf[i] = n;
  });
  listAt.clear();
  byArray.clear();
  const { id, startedAt, account, coverage } = report.scan;
  const head = { tool: 'leash', indexFormat: SCAN_INDEX_FORMAT, scan: { id, startedAt, account: { id: account.id }, coverage: { iam: coverage.iam } } };
  // Lines gathered into pieces of ~64 KB: the escaping and the writer see a few hundred pieces, not 100,000.
  let buf = `${JSON.stringify(head).slice(0, -1)},`;
  function* list<T>(key: string, items: readonly T[], record: (item: T, i: number) => unknown): Generator<string> {
    buf += `${JSON.stringify(key)}:[`;
    for (let i = 0; i < items.length; i++) {
      buf += (i === 0 ? '\n' : ',\n') + JSON.stringify(record(items[i]!, i));
      if (buf.length > 1 << 16) {
        yield buf;
        buf = '';
      }
    }
    buf += ']';
  }
  yield* list('principals', report.principals, (p) => [p.arn, p.name, p.uniqueId ?? null, p.isAgent, p.permissions.allowedActionCount]);
  buf += ',';
  yield* list('actionLists', lists, (l) => l);
  buf += ',';
  yield* list('findings', report.findings, (f, i) => [f.id, f.checkId, f.severity, f.principalArn, f.subject, f.title, listOf[i], f.suppressed ?? null, f.firstSeen ?? null]);
  if (opts.asff) {
    const { texts, rows } = asffRows(report);
    buf += ',"asff":{';
    yield* list('kinds', report.principals as readonly AsffComparablePrincipal[], (p) => p.kind);
    buf += ',';
    yield* list('texts', texts, (t) => t);
    buf += ',';
    yield* list('findings', rows, (r) => r);
    buf += '}';
  }
  yield `${buf}}\n`;
}

/**
 * The `asff` section's findings: per finding [description, remediation | null, technique | null,
 * fixIds], the two texts by number into `texts` (each distinct text once: at 10,000 principals
 * 39,000 descriptions are 20,000 texts, remediations a few dozen). Its `kinds` are the principals'.
 */
function asffRows(report: ComparableScan): { texts: string[]; rows: unknown[][] } {
  if (!isAsffComparable(report)) throw new Error('scanIndexPieces: the asff section needs each principal\'s kind and each finding\'s description and fix ids');
  const texts: string[] = [];
  const textAt = new Map<string, number>();
  const text = (t: string): number => {
    let n = textAt.get(t);
    if (n === undefined) textAt.set(t, (n = texts.push(t) - 1));
    return n;
  };
  return { texts, rows: report.findings.map((f) => [text(f.description), f.remediation !== undefined ? text(f.remediation) : null, f.technique ?? null, f.fixIds]) };
}

/** The index of a report, as the pieces of its JSON text (written gzipped by the bundle writer). */
export function* scanIndexPieces(report: ComparableScan, opts: ScanIndexOptions = {}): Generator<string> {
  // Escaped like report.json (jsonTextSafe): no raw C1 control or bidi override from a hostile name in any file leash writes.
  for (const piece of indexPieces(report, opts)) yield jsonTextSafe(piece);
}

/**
 * A scan's reduction to what comparing reads (and, with `asff`, what ASFF reads of its findings):
 * the rest of a Report is let go.
 */
export function comparableOf(report: ComparableScan, opts: ScanIndexOptions = {}): ComparableScan {
  const { id, startedAt, account, coverage } = report.scan;
  const asff = opts.asff === true && isAsffComparable(report);
  return {
    scan: { id, startedAt, account: { id: account.id }, coverage: { iam: coverage.iam } },
    principals: report.principals.map((p) => ({
      arn: p.arn, name: p.name, ...(p.uniqueId !== undefined ? { uniqueId: p.uniqueId } : {}), isAgent: p.isAgent, permissions: { allowedActionCount: p.permissions.allowedActionCount },
      ...(asff ? { kind: (p as AsffComparablePrincipal).kind } : {}),
    })),
    findings: report.findings.map((f) => ({
      id: f.id, checkId: f.checkId, severity: f.severity, principalArn: f.principalArn, subject: f.subject, title: f.title, actions: f.actions,
      ...(f.suppressed ? { suppressed: f.suppressed } : {}),
      ...(f.firstSeen !== undefined ? { firstSeen: f.firstSeen } : {}),
      ...(asff ? asffFieldsOf(f as AsffComparableFinding) : {}),
    })),
  };
}

function asffFieldsOf(f: AsffComparableFinding): Pick<AsffComparableFinding, 'description' | 'remediation' | 'fixIds' | 'technique'> {
  return { description: f.description, ...(f.remediation !== undefined ? { remediation: f.remediation } : {}), fixIds: f.fixIds, ...(f.technique !== undefined ? { technique: f.technique } : {}) };
}

/** Where the index is not what this leash writes: a JSON path, what was expected there and what was. */
class ShapeError {
  constructor(readonly path: string, readonly expected: string, readonly got: string) {}
}

/** What a value is, for an error (a string or number with its first characters). */
const described = (v: unknown): string => {
  const kind = v === null ? 'null' : Array.isArray(v) ? `an array of ${v.length}` : typeof v;
  return typeof v === 'string' || typeof v === 'number' ? `${kind} ${JSON.stringify(v).slice(0, 40)}` : kind;
};
const expected = (path: string, what: string, v: unknown): never => {
  throw new ShapeError(path, what, described(v));
};
const str = (v: unknown, path: () => string): string => (typeof v === 'string' ? v : expected(path(), 'a string', v));
const strOrNull = (v: unknown, path: () => string): string | null => (v === null || typeof v === 'string' ? v : expected(path(), 'a string or null', v));
const count = (v: unknown, path: () => string): number => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : expected(path(), 'a non-negative integer', v));
const list = (v: unknown, path: string): unknown[] => (Array.isArray(v) ? v : expected(path, 'an array', v));
const tuple = (v: unknown, n: number, path: () => string): unknown[] => (Array.isArray(v) && v.length === n ? v : expected(path(), `an array of ${n}`, v));
const record = (v: unknown, path: string): Record<string, unknown> => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : expected(path, 'an object', v));
const oneOf = <T extends string>(v: unknown, of: readonly T[], path: () => string): T => ((of as readonly unknown[]).includes(v) ? (v as T) : expected(path(), `one of ${of.join(', ')}`, v));
const COVERAGE = ['complete', 'partial', 'missing'] as const;

function suppressionOf(v: unknown, path: () => string): ComparableFinding['suppressed'] | undefined {
  if (v === null) return undefined;
  const o = record(v, path());
  const by = o.by === undefined ? undefined : str(o.by, () => `${path()}.by`);
  const until = o.until === undefined ? undefined : str(o.until, () => `${path()}.until`);
  return { reason: str(o.reason, () => `${path()}.reason`), ...(by !== undefined ? { by } : {}), ...(until !== undefined ? { until } : {}) };
}

/**
 * The index's shape, checked by hand in the one pass that builds the comparable scan: at 10,000
 * principals it holds ~50,000 tuples, and a zod schema of them cost more than gunzip and
 * JSON.parse together (200–300 ms of a repeat scan). Paths are only made on failure.
 */
function comparableFromIndex(data: unknown, opts: ScanIndexOptions): ComparableScan {
  const top = record(data, '$');
  if (top.tool !== 'leash') expected('$.tool', '"leash"', top.tool);
  if (top.indexFormat !== SCAN_INDEX_FORMAT) expected('$.indexFormat', String(SCAN_INDEX_FORMAT), top.indexFormat);
  const s = record(top.scan, '$.scan');
  const scan: ComparableScan['scan'] = {
    id: str(s.id, () => '$.scan.id'),
    startedAt: str(s.startedAt, () => '$.scan.startedAt'),
    account: { id: str(record(s.account, '$.scan.account').id, () => '$.scan.account.id') },
    coverage: { iam: oneOf(record(s.coverage, '$.scan.coverage').iam, COVERAGE, () => '$.scan.coverage.iam') },
  };
  const principalRows = list(top.principals, '$.principals');
  const principals: ComparablePrincipal[] = new Array(principalRows.length);
  for (let i = 0; i < principalRows.length; i++) {
    const at = (k?: number): string => `$.principals[${i}]${k === undefined ? '' : `[${k}]`}`;
    const [arn, name, uniqueId, isAgent, allowed] = tuple(principalRows[i], 5, at);
    const u = strOrNull(uniqueId, () => at(2));
    principals[i] = {
      arn: str(arn, () => at(0)), name: str(name, () => at(1)), ...(u !== null ? { uniqueId: u } : {}),
      isAgent: typeof isAgent === 'boolean' ? isAgent : expected(at(3), 'a boolean', isAgent),
      permissions: { allowedActionCount: count(allowed, () => at(4)) },
    };
  }
  const listRows = list(top.actionLists, '$.actionLists');
  for (let i = 0; i < listRows.length; i++) {
    const l = list(listRows[i], `$.actionLists[${i}]`);
    for (let j = 0; j < l.length; j++) if (typeof l[j] !== 'string') expected(`$.actionLists[${i}][${j}]`, 'a string', l[j]);
  }
  const actionLists = listRows as string[][];
  const findingRows = list(top.findings, '$.findings');
  const findings: ComparableFinding[] = new Array(findingRows.length);
  for (let i = 0; i < findingRows.length; i++) {
    const at = (k?: number): string => `$.findings[${i}]${k === undefined ? '' : `[${k}]`}`;
    const [id, checkId, severity, principalArn, subject, title, listAt, suppressed, firstSeen] = tuple(findingRows[i], 9, at);
    const actions = actionLists[count(listAt, () => at(6))];
    if (actions === undefined) expected(at(6), `an index into actionLists (0–${actionLists.length - 1})`, listAt);
    const seen = strOrNull(firstSeen, () => at(8));
    const s = suppressionOf(suppressed, () => at(7));
    findings[i] = {
      id: str(id, () => at(0)), checkId: str(checkId, () => at(1)), severity: oneOf(severity, SEVERITIES, () => at(2)),
      principalArn: str(principalArn, () => at(3)), subject: str(subject, () => at(4)), title: str(title, () => at(5)), actions: actions!,
      ...(s ? { suppressed: s } : {}),
      ...(seen !== null ? { firstSeen: seen } : {}),
    };
  }
  if (opts.asff && top.asff !== undefined) addAsffSection(top.asff, principals as AsffComparablePrincipal[], findings as AsffComparableFinding[]);
  return { scan, principals, findings };
}

const KINDS = ['role', 'user'] as const;

/** The `asff` section read onto the principals and findings already read (their order is the section's). */
function addAsffSection(v: unknown, principals: AsffComparablePrincipal[], findings: AsffComparableFinding[]): void {
  const section = record(v, '$.asff');
  const kinds = list(section.kinds, '$.asff.kinds');
  if (kinds.length !== principals.length) expected('$.asff.kinds', `an array of ${principals.length} (one per principal)`, kinds);
  const textRows = list(section.texts, '$.asff.texts');
  for (let i = 0; i < textRows.length; i++) str(textRows[i], () => `$.asff.texts[${i}]`);
  const texts = textRows as string[];
  const textAt = (n: unknown, path: () => string): string => texts[count(n, path)] ?? expected(path(), `an index into $.asff.texts (0–${texts.length - 1})`, n);
  const rows = list(section.findings, '$.asff.findings');
  if (rows.length !== findings.length) expected('$.asff.findings', `an array of ${findings.length} (one per finding)`, rows);
  for (let i = 0; i < principals.length; i++) (principals[i] as { kind: string }).kind = oneOf(kinds[i], KINDS, () => `$.asff.kinds[${i}]`);
  for (let i = 0; i < rows.length; i++) {
    const at = (k?: number): string => `$.asff.findings[${i}]${k === undefined ? '' : `[${k}]`}`;
    const [description, remediation, technique, fixIds] = tuple(rows[i], 4, at);
    const ids = list(fixIds, at(3));
    for (let j = 0; j < ids.length; j++) str(ids[j], () => `${at(3)}[${j}]`);
    const t = strOrNull(technique, () => at(2));
    Object.assign(findings[i]!, {
      description: textAt(description, () => at(0)),
      ...(remediation !== null ? { remediation: textAt(remediation, () => at(1)) } : {}),
      fixIds: ids as string[],
      ...(t !== null ? { technique: t } : {}),
    });
  }
}

/**
 * A scan index from its bytes (gzip, bounded like a report once inflated). Throws an InputError
 * naming the file, the JSON path and what was expected; callers fall back to the report.
 */
export function parseScanIndex(bytes: Buffer, file: string, opts: ScanIndexOptions = {}): ComparableScan {
  if (!isGzip(bytes)) throw new InputError(file, '', 'a gzip-compressed scan index', 'bytes that are not gzip');
  let text: string;
  try {
    text = gunzipSync(bytes, { maxOutputLength: READ_LIMITS.report }).toString('utf8');
  } catch (e) {
    throw new InputError(file, '', `a scan index that inflates to at most ${READ_LIMITS.report} bytes`, (e as Error).message);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new InputError(file, '', 'a JSON scan index', `invalid JSON: ${(e as Error).message}`);
  }
  try {
    return comparableFromIndex(data, opts);
  } catch (e) {
    if (e instanceof ShapeError) throw new InputError(file, e.path, `${e.expected} (a scan index of this leash)`, e.got);
    throw e;
  }
}

/** The scan index at `file`: read bounded and regular-only, then parsed (parseScanIndex). */
export async function readScanIndex(file: string, opts: ScanIndexOptions = {}): Promise<ComparableScan> {
  return parseScanIndex(await readRegularFile(file, READ_LIMITS.report, 'a scan index'), file, opts);
}

/** scan.id from the start of a report's text (its head), or undefined when it is not there. */
export function headScanId(head: string): string | undefined {
  // The "scan" object's own key: inside a JSON string a quote is escaped (\"), so a name holding
  // the text `"id"` cannot match here; scan.id is its first key in every report leash writes.
  const scanAt = head.search(/"scan"\s*:\s*\{/);
  if (scanAt < 0) return undefined;
  const m = /^"scan"\s*:\s*\{\s*"id"\s*:\s*("(?:[^"\\]|\\.){1,400}")/.exec(head.slice(scanAt));
  if (!m) return undefined;
  try {
    const v: unknown = JSON.parse(m[1]!);
    return typeof v === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

/** scan.id from the first 64 KB of a report file (report.json or .gz), or undefined when unreadable. */
export function reportHeadScanId(file: string): string | undefined {
  const head = readReportHead(file);
  return head === undefined ? undefined : headScanId(head);
}
