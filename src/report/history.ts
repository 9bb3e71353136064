// Scan history on disk:
//   <reportsRoot>/<account>/<YYYY-MM-DDTHH-MM-SS.mmmZ>[_N]/report.json …   one directory per scan
//   <reportsRoot>/<account>/latest                                        a pointer FILE naming the newest scan dir
//   <reportsRoot>/<account>/.leash-tmp-*                                  a bundle being written (never listed)
// `latest` is a one-line file rather than a symlink because symlinks need privileges on Windows and
// do not survive every copy (zip, some CI artefact stores). It is replaced with rename, so readers
// see the old or the new name, never a half-written one.
import { lstat, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { BUNDLE_MARKER, inspectBundle } from './bundle.js';
import { readReportBytes, reportFileIn, reportJsonText } from './report-file.js';
import { basename, dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { InputError, describeValue, jsonPath, valueAt } from '../model/errors.js';
import { SEVERITIES } from '../model/finding.js';
import type { Report } from '../model/report.js';
import { REPORT_SCHEMA_VERSION } from '../model/report.js';
import { resolveDocuments, resolveTexts } from './documents.js';
import { shapeChecker, type ShapeIssue } from './shape-check.js';
import { jsonErrorOffset, lineColumn } from '../collect/cloudtrail/json-error.js';
import { comparableOf, isAsffComparable, readScanIndex, reportHeadScanId, SCAN_INDEX_FILE, type ComparableScan, type ScanIndexOptions } from './scan-index.js';

export const LATEST_POINTER = 'latest';
export const TEMP_PREFIX = '.leash-tmp-';
const SCAN_DIR_RE = /^(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})\.(\d{3})Z(?:_(\d+))?$/;
const ACCOUNT_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export interface ScanEntry {
  /** Directory name, e.g. `2026-11-24T10-15-30.123Z`. */
  readonly name: string;
  readonly dir: string;
  /** The scan's start time recovered from the name (ISO 8601). */
  readonly startedAt: string;
  readonly hasReport: boolean;
}

/** Filesystem-safe directory name for a scan (no `:` for Windows); sorts in time order as text. */
export function scanDirName(startedAt: string): string {
  const t = Date.parse(startedAt);
  if (Number.isNaN(t)) throw new InputError('report', '$.scan.startedAt', 'an ISO 8601 timestamp', JSON.stringify(startedAt));
  return new Date(t).toISOString().replace(/:/g, '-');
}

export function isScanDirName(name: string): boolean {
  return SCAN_DIR_RE.test(name);
}

function startedAtFromName(name: string): string {
  const m = SCAN_DIR_RE.exec(name)!;
  return `${m[1]}T${m[2]}:${m[3]}:${m[4]}.${m[5]}Z`;
}

/** Account ids become directory names: refuse anything that could climb out of the reports root. */
export function accountDir(reportsRoot: string, accountId: string): string {
  if (!ACCOUNT_RE.test(accountId) || accountId.includes('..')) {
    throw new InputError('--account', '', 'an AWS account id (12 digits) or a plain name', JSON.stringify(accountId));
  }
  return join(resolve(reportsRoot), accountId);
}

/** Time order of two scan directory names (`_10` after `_2`). */
export function compareScanNames(a: string, b: string): number {
  const ma = SCAN_DIR_RE.exec(a)!;
  const mb = SCAN_DIR_RE.exec(b)!;
  const base = ma[0].replace(/_\d+$/, '').localeCompare(mb[0].replace(/_\d+$/, ''));
  return base || Number(ma[6] ?? 1) - Number(mb[6] ?? 1);
}


/** Scans of one account, oldest first. Temp dirs of unfinished writes and stray files are ignored. */
export async function listScans(reportsRoot: string, accountId: string): Promise<ScanEntry[]> {
  const root = accountDir(reportsRoot, accountId);
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(root, { withFileTypes: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const names = entries.filter((e) => e.isDirectory() && isScanDirName(e.name)).map((e) => e.name).sort(compareScanNames);
  return Promise.all(
    names.map(async (name) => {
      const dir = join(root, name);
      return { name, dir, startedAt: startedAtFromName(name), hasReport: reportFileIn(dir) !== undefined };
    }),
  );
}

/** Accounts that have at least one scan under the reports root. */
export async function listAccounts(reportsRoot: string): Promise<string[]> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(resolve(reportsRoot), { withFileTypes: true });
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const e of entries) {
    if (!e.isDirectory() || !ACCOUNT_RE.test(e.name) || e.name === 'schema') continue;
    if ((await listScans(reportsRoot, e.name)).length > 0) out.push(e.name);
  }
  return out.sort();
}

export async function readLatestPointer(reportsRoot: string, accountId: string): Promise<string | undefined> {
  try {
    const name = (await readFile(join(accountDir(reportsRoot, accountId), LATEST_POINTER), 'utf8')).trim();
    return isScanDirName(name) ? name : undefined;
  } catch {
    return undefined;
  }
}

/** Point `latest` at a scan dir: write a temp file, then rename over the pointer (atomic on POSIX and NTFS). */
export async function writeLatestPointer(reportsRoot: string, accountId: string, name: string): Promise<void> {
  if (!isScanDirName(name)) throw new InputError('latest pointer', '', 'a scan directory name', name);
  const root = accountDir(reportsRoot, accountId);
  const tmp = join(root, `${TEMP_PREFIX}latest-${process.pid}-${Math.random().toString(36).slice(2)}`);
  await writeFile(tmp, `${name}\n`, 'utf8');
  try {
    await rename(tmp, join(root, LATEST_POINTER));
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/**
 * The scan `latest` (the pointer if it names an existing scan, else the newest) or `previous`
 * (the one before latest). Undefined when there is no such scan.
 */
export async function resolveScan(reportsRoot: string, accountId: string, which: 'latest' | 'previous'): Promise<ScanEntry | undefined> {
  const scans = (await listScans(reportsRoot, accountId)).filter((s) => s.hasReport);
  if (scans.length === 0) return undefined;
  const pointer = await readLatestPointer(reportsRoot, accountId);
  let i = pointer === undefined ? -1 : scans.findIndex((s) => s.name === pointer);
  if (i < 0) i = scans.length - 1;
  return which === 'latest' ? scans[i] : scans[i - 1];
}

export interface LoadOptions {
  /** Root of the history, for `latest` / `previous`. Default `reports`. */
  readonly reportsRoot?: string;
  /** Account for `latest` / `previous`; optional when the root holds exactly one account. */
  readonly accountId?: string;
}

const SPEC_EXPECTED = 'a report.json file, a scan directory, or latest / previous';

/** Resolve a report spec (file, directory, `latest`, `previous`) to the path of a report.json. */
export async function resolveReportPath(spec: string, opts: LoadOptions = {}): Promise<string> {
  if (spec === 'latest' || spec === 'previous') {
    const root = opts.reportsRoot ?? 'reports';
    let accountId = opts.accountId;
    if (accountId === undefined) {
      const accounts = await listAccounts(root);
      if (accounts.length === 0) {
        throw new InputError(spec, '', `a scan under ${resolve(root)} (run \`leash scan\` first, or pass --reports DIR or a report.json path)`, 'no scans there');
      }
      if (accounts.length > 1) {
        throw new InputError(spec, '', `--account ID (${resolve(root)} holds scans of ${accounts.join(', ')})`);
      }
      accountId = accounts[0]!;
    }
    const scan = await resolveScan(root, accountId, spec);
    if (!scan) {
      const n = (await listScans(root, accountId)).filter((s) => s.hasReport).length;
      throw new InputError(spec, '', `a ${spec} scan with report.json under ${accountDir(root, accountId)}`, `${n} scan${n === 1 ? '' : 's'} with report.json`);
    }
    return reportFileIn(scan.dir)!;
  }
  const path = resolve(spec);
  let st;
  try {
    st = await stat(path);
  } catch {
    throw new InputError(spec, '', SPEC_EXPECTED, 'nothing at that path');
  }
  if (st.isDirectory()) {
    const file = reportFileIn(path);
    if (file === undefined) throw new InputError(spec, '', `${SPEC_EXPECTED} (the directory has no report.json or report.json.gz; was the scan written without --format json?)`, 'a directory without report.json');
    return file;
  }
  return path;
}

const severity = z.enum(SEVERITIES);
// Only what leash's own readers (history, diff, renderers, the TUI) rely on is checked; the full
// contract is the JSON Schema in reports/schema/. Unknown fields pass, so newer minor versions load.
// The records of the four long lists are checked by shapeChecker (no copy; the same first issue).
const principalShape = z.looseObject({
  arn: z.string(), name: z.string(), kind: z.string(), isAgent: z.boolean(), riskScore: z.number(),
  agentEvidence: z.array(z.looseObject({ kind: z.string(), detail: z.string(), confidence: z.string() })),
  permissions: z.looseObject({ allowedActionCount: z.number(), byService: z.record(z.string(), z.number()) }),
  policies: z.array(z.looseObject({ kind: z.string(), name: z.string() })),
});
const findingShape = z.looseObject({ id: z.string(), checkId: z.string(), severity, principalArn: z.string(), title: z.string(), evidence: z.array(z.looseObject({ kind: z.string() })), actions: z.array(z.string()), fixIds: z.array(z.string()) });
const hopShape = z.looseObject({ from: z.string(), to: z.string(), technique: z.string(), actions: z.array(z.string()), condition: z.enum(['none', 'approval', 'unknown']), target: z.enum(['proven', 'inferred']), why: z.string(), evidence: z.array(z.looseObject({ side: z.string(), policy: z.string(), statementIndex: z.number() })) });
const reachShape = z.looseObject({ principalArn: z.string(), principals: z.number() });
/** The records shapeChecker checks, by where their list is; exported for shape-check.test.ts. */
export const REPORT_RECORD_SHAPES = { principals: principalShape, findings: findingShape, hops: hopShape, reach: reachShape } as const;
const graphShape = z.looseObject({
  hops: z.array(hopShape),
  reach: z.array(reachShape),
  admins: z.array(z.string()).optional(),
});
/** The whole report's shape: what parseReport accepts (its lists' records are checked by shapeChecker, same issues). */
export const reportShape = z.looseObject({
  schemaVersion: z.string(),
  tool: z.looseObject({ name: z.string(), version: z.string() }),
  scan: z.looseObject({
    id: z.string(),
    startedAt: z.string(),
    finishedAt: z.string(),
    account: z.looseObject({ id: z.string() }),
    sources: z.array(z.looseObject({ kind: z.string(), location: z.string(), status: z.string() })),
    coverage: z.looseObject({ iam: z.string(), usage: z.looseObject({ status: z.string() }), scps: z.string(), notes: z.array(z.string()) }),
  }),
  summary: z.looseObject({ principals: z.number(), agentPrincipals: z.number(), findingsBySeverity: z.looseObject({}), suppressedFindings: z.number() }),
  principals: z.array(principalShape),
  findings: z.array(findingShape),
  fixes: z.array(z.looseObject({ id: z.string(), principalArn: z.string(), renderings: z.union([z.looseObject({ json: z.string(), terraform: z.string(), cli: z.string() }), z.object({ $render: z.looseObject({}) })]) })),
  checks: z.array(z.looseObject({ id: z.string(), severity })),
  graph: graphShape.optional(),
  documents: z.record(z.string(), z.unknown()).optional(),
  errors: z.array(z.unknown()),
});
/** reportShape with the long lists' records left to the checkers below (zod checks that they are lists). */
const reportFrame = reportShape.extend({
  principals: z.array(z.unknown()),
  findings: z.array(z.unknown()),
  graph: graphShape.extend({ hops: z.array(z.unknown()), reach: z.array(z.unknown()) }).optional(),
});
const checkRecords = {
  principals: shapeChecker(principalShape),
  findings: shapeChecker(findingShape),
  hops: shapeChecker(hopShape),
  reach: shapeChecker(reachShape),
};
/** Where each top-level key and graph key comes in reportShape: zod's first issue is the first in that order. */
const TOP_ORDER = Object.keys(reportShape.shape);
const GRAPH_ORDER = Object.keys(graphShape.shape);

/** The first issue of the long lists' records (each list zod has found to be a list, or skipped). */
function recordIssue(data: unknown): ShapeIssue | undefined {
  if (!isRecordValue(data)) return undefined;
  const graph = isRecordValue(data.graph) ? data.graph : undefined;
  const lists: [readonly PropertyKey[], unknown, (v: unknown) => ShapeIssue | undefined][] = [
    [['principals'], data.principals, checkRecords.principals],
    [['findings'], data.findings, checkRecords.findings],
    [['graph', 'hops'], graph?.hops, checkRecords.hops],
    [['graph', 'reach'], graph?.reach, checkRecords.reach],
  ];
  for (const [at, list, check] of lists) {
    if (!Array.isArray(list)) continue;
    for (let i = 0; i < list.length; i++) {
      const issue = check(list[i]);
      if (issue) return { ...issue, path: [...at, i, ...issue.path] };
    }
  }
  return undefined;
}

const isRecordValue = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Of two issues, the one zod would list first over the whole reportShape. */
function firstOf<A extends { readonly path: readonly PropertyKey[] }, B extends { readonly path: readonly PropertyKey[] }>(a: A | undefined, b: B | undefined): A | B | undefined {
  if (a === undefined || b === undefined) return a ?? b;
  const rank = (p: readonly PropertyKey[]): [number, number] => [p.length === 0 ? -1 : TOP_ORDER.indexOf(String(p[0])), p[0] === 'graph' ? (p.length < 2 ? -1 : GRAPH_ORDER.indexOf(String(p[1]))) : 0];
  const [ra, rb] = [rank(a.path), rank(b.path)];
  return ra[0] < rb[0] || (ra[0] === rb[0] && ra[1] <= rb[1]) ? a : b;
}

/** Parse and check a report.json text; errors name the file, the JSON path and what was expected. */
export function parseReport(text: string, file: string): Report {
  return checkReport(parseJsonText(text, file), file);
}

function parseJsonText(text: string, file: string): unknown {
  // A report opened and saved in an editor may have gained a BOM.
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return JSON.parse(body);
  } catch (e) {
    const at = jsonErrorOffset(body);
    throw new InputError(file, lineColumn(body, at < 0 ? body.length : at), 'a JSON report (report.json)', `invalid JSON: ${(e as Error).message}`);
  }
}

/** parseReport from a report's bytes (inflated: reportBytes), read as one-byte text when ASCII (reportJsonText). */
export function parseReportBytes(bytes: Buffer, file: string): Report {
  return checkReport(parseReportJson(bytes, file), file);
}

/** The first half of parseReportBytes: the JSON value, not yet checked (give it to checkReport before any use). */
export function parseReportJson(bytes: Buffer, file: string): unknown {
  return parseJsonText(reportJsonText(bytes), file);
}

/** A parsed report.json checked and its stored form resolved (parseReport after JSON.parse); `data` is changed in place. */
export function checkReport(data: unknown, file: string): Report {
  // Schema 1.4: repeated texts back in their places first, so the shape check sees whole values.
  data = resolveTexts(data, file);
  const r = reportFrame.safeParse(data);
  const issue = firstOf(r.success ? undefined : r.error.issues[0]!, recordIssue(data));
  if (issue !== undefined) {
    const expected =
      issue.code === 'invalid_type' ? `${issue.expected === 'array' ? 'an' : 'a'} ${issue.expected}`
      : issue.code === 'invalid_value' ? `one of ${issue.values!.map((v) => JSON.stringify(v)).join(', ')}`
      : (issue as { message: string }).message;
    throw new InputError(file, jsonPath(issue.path), expected, describeValue(valueAt(data, issue.path)));
  }
  const major = REPORT_SCHEMA_VERSION.split('.')[0];
  const version = (data as Report).schemaVersion;
  if (version.split('.')[0] !== major) {
    throw new InputError(file, '$.schemaVersion', `report schema ${major}.x`, JSON.stringify(version));
  }
  // Schema 1.3: documents stored once are put back where they are referred to.
  return resolveDocuments(data as Report, file);
}

/**
 * `--account X` with an explicit report path: the report must be of that account (a path and an
 * account that disagree are a mistake worth stopping on, not a silent choice of one).
 */
export function checkAccount(report: Report, accountId: string | undefined, where: string): void {
  if (accountId !== undefined && report.scan.account.id !== accountId) {
    throw new InputError(where, '$.scan.account.id', `a scan of account ${accountId} (--account)`, JSON.stringify(report.scan.account.id));
  }
}

/** Load a report from a report.json path, a scan directory, or `latest` / `previous`. */
export async function loadReport(spec: string, opts: LoadOptions = {}): Promise<Report> {
  const file = await resolveReportPath(spec, opts);
  // Bounded and regular-only: a report past READ_LIMITS.report (on disk or once inflated) is
  // refused with its size, before V8 would abort on a string it cannot hold.
  const report = parseReportBytes(await readReportBytes(file), file);
  if (spec === 'latest' || spec === 'previous') checkHistoryAccount(report, basename(dirname(dirname(file))), file);
  return report;
}

/** A bundle copied into the wrong history would make every finding "new" and every old one "resolved". */
function checkHistoryAccount(report: Report, historyAccount: string, file: string): void {
  if (report.scan.account.id !== historyAccount) {
    throw new InputError(file, '$.scan.account.id', `a scan of account ${historyAccount} (the history it is filed under)`, JSON.stringify(report.scan.account.id));
  }
}

/** The report of the scan in a history folder of `accountId` (a copied-in bundle of another account is refused). */
export async function loadScanReport(dir: string, accountId: string): Promise<Report> {
  const file = reportFileIn(dir);
  if (file === undefined) throw new InputError(dir, '', 'a scan directory with report.json or report.json.gz', 'neither');
  const report = parseReportBytes(await readReportBytes(file), file);
  checkHistoryAccount(report, accountId, file);
  return report;
}

/**
 * The scan in a history folder as the next scan compares with it: its index (scan-index.ts) when
 * that names the scan the report's head names, in this account (and, with `asff`, holds what ASFF
 * needs); else the report, reduced to what comparing (and ASFF) reads so that the rest is not held
 * through the writing.
 */
export async function loadComparableScan(dir: string, accountId: string, opts: ScanIndexOptions = {}): Promise<ComparableScan> {
  const file = reportFileIn(dir);
  if (file !== undefined) {
    const index = await readScanIndex(join(dir, SCAN_INDEX_FILE), opts).catch(() => undefined);
    if (index && index.scan.account.id === accountId && index.scan.id === reportHeadScanId(file) && (!opts.asff || isAsffComparable(index))) return index;
  }
  return comparableOf(await loadScanReport(dir, accountId), opts);
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Temp dirs left by a killed writer: the writer's pid is in the name, so a live one is never touched. */
async function staleTemps(root: string): Promise<string[]> {
  let entries: string[];
  try {
    entries = await readdir(root);
  } catch {
    return [];
  }
  return entries.filter((name) => {
    if (!name.startsWith(TEMP_PREFIX)) return false;
    const m = /-(\d+)-[a-z0-9]+$/i.exec(name);
    return m !== null && !pidAlive(Number(m[1]));
  });
}

export interface PruneResult {
  readonly removed: readonly string[];
  readonly kept: readonly string[];
  readonly staleTempsRemoved: readonly string[];
  /** Old scans not deleted: they hold apply.sh backups or files leash did not write. */
  readonly keptForRollback?: readonly string[];
}

/**
 * Remove what killed writers left in `root`: `.leash-tmp-*` entries whose writer (pid in the
 * name) is gone — files, and folders that are empty or carry leash's bundle marker. Anything
 * else with that prefix is left alone. Run at every scan, not only by retention.
 */
export async function cleanStaleTemps(root: string): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await staleTemps(root)) {
    const p = join(root, name);
    const st = await lstat(p).catch(() => undefined);
    if (!st) continue;
    if (st.isDirectory()) {
      const entries = await readdir(p).catch(() => undefined);
      if (!entries) continue;
      if (entries.length > 0 && !entries.includes(BUNDLE_MARKER)) continue;
      if (entries.length > 0 && !(await lstat(join(p, BUNDLE_MARKER)).then((m) => m.isFile(), () => false))) continue;
    } else if (!st.isFile()) continue;
    await rm(p, { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

/**
 * Retention: keep the newest `keep` scans of an account, delete older ones. The scan `latest`
 * points at, the newest scan with a report.json and the newest with a complete IAM read are
 * always kept. Temp dirs left by killed writes are removed too.
 */
export async function pruneScans(reportsRoot: string, accountId: string, keep: number): Promise<PruneResult> {
  if (!Number.isInteger(keep) || keep < 1) throw new InputError('--keep', '', 'a whole number of scans to keep, at least 1', String(keep));
  const root = accountDir(reportsRoot, accountId);
  const scans = await listScans(reportsRoot, accountId);
  const pointer = await readLatestPointer(reportsRoot, accountId);
  const keepNames = new Set(scans.slice(-keep).map((s) => s.name));
  if (pointer !== undefined) keepNames.add(pointer);
  // The newest scans may hold no report.json (written with --format sarif) or a partial IAM read;
  // the newest readable report and the newest complete one stay, or the next delta has no base.
  const withReport = scans.filter((s) => s.hasReport).reverse();
  if (withReport[0]) keepNames.add(withReport[0].name);
  for (const s of withReport) {
    const file = reportFileIn(s.dir);
    const report = file === undefined ? undefined : await readReportBytes(file).then((bytes) => parseReportBytes(bytes, s.dir), () => undefined).catch(() => undefined);
    if (report?.scan.coverage.iam === 'complete') {
      keepNames.add(s.name);
      break;
    }
  }
  const removed: string[] = [];
  const keptForRollback: string[] = [];
  for (const s of scans) {
    if (keepNames.has(s.name)) continue;
    // Only a folder that is wholly leash's goes: one holding an apply.sh backup (rollback needs
    // it and the apply.sh beside it) or anything leash did not write is kept whole.
    const seen = (() => { try { return inspectBundle(s.dir); } catch { return undefined; } })();
    if (!seen || !seen.marked || seen.backups.length > 0 || seen.foreign.length > 0) {
      keptForRollback.push(s.name);
      continue;
    }
    await rm(s.dir, { recursive: true, force: true });
    removed.push(s.name);
  }
  const stale = await cleanStaleTemps(root);
  return { removed, kept: scans.filter((s) => keepNames.has(s.name) || keptForRollback.includes(s.name)).map((s) => s.name), staleTempsRemoved: stale, keptForRollback };
}


/**
 * Append this scan's line to `<reportsRoot>/<account>/trend.ndjson` (trend.ts). The file is
 * replaced through a temp file and rename, so a killed scan leaves the old trend, never half a line.
 */
export async function appendLocalTrend(reportsRoot: string, report: Report): Promise<string> {
  const { appendTrend, trendLine, TREND_FILE } = await import('./trend.js');
  const { writeFilesAtomic } = await import('./write.js');
  const dir = accountDir(reportsRoot, report.scan.account.id);
  const file = join(dir, TREND_FILE);
  const existing = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return '';
    throw new InputError(file, '', 'a readable trend file', e.code ?? e.message);
  });
  const text = appendTrend(existing, file, trendLine(report));
  await writeFilesAtomic(dir, [{ name: TREND_FILE, content: () => text }]);
  return file;
}
