// One flat row per finding, for dashboards and spreadsheets (findings.ndjson, findings.csv, the
// database loader). Pure: Report in, rows out, lazily, so a 15,000-finding report streams.
import type { Severity } from '../model/finding.js';
import type { Report } from '../model/report.js';
import { jsonTextSafe, safeLines } from '../safe/text.js';

export interface FindingRow {
  readonly account: string;
  readonly accountAlias: string;
  readonly scanId: string;
  readonly findingId: string;
  readonly principalArn: string;
  readonly principalName: string;
  /** role | user | group | … ; '' when the report has no principal entry for the ARN. */
  readonly principalKind: string;
  readonly isAgent: boolean;
  /** AI tools the agent evidence names, sorted, `;`-separated ('' when none is known). */
  readonly agentTool: string;
  readonly check: string;
  readonly severity: Severity;
  /** open, or suppressed (with its reason in suppressedReason). */
  readonly status: 'open' | 'suppressed';
  readonly title: string;
  /** Start of the earliest scan that reported it (the scan's own start when it is new). */
  readonly firstSeen: string;
  /** Start of this scan: the last time leash saw it. */
  readonly lastSeen: string;
  /** Fix ids that resolve it, `;`-separated. */
  readonly fixIds: string;
  readonly actionCount: number;
  readonly suppressedReason: string;
}

/** Column order of CSV and of the database table; also the key order of each NDJSON line. */
export const FINDING_COLUMNS = [
  'account', 'accountAlias', 'scanId', 'findingId', 'principalArn', 'principalName', 'principalKind', 'isAgent', 'agentTool',
  'check', 'severity', 'status', 'title', 'firstSeen', 'lastSeen', 'fixIds', 'actionCount', 'suppressedReason',
] as const satisfies readonly (keyof FindingRow)[];

export function* findingRows(report: Report): Generator<FindingRow> {
  const principals = new Map(report.principals.map((p) => [p.arn, p]));
  const seen = report.scan.startedAt;
  for (const f of report.findings) {
    const p = principals.get(f.principalArn);
    const tools = [...new Set((p?.agentEvidence ?? []).map((e) => e.tool).filter((t): t is string => typeof t === 'string' && t !== ''))].sort();
    yield {
      account: report.scan.account.id,
      accountAlias: report.scan.account.alias ?? '',
      scanId: report.scan.id,
      findingId: f.id,
      principalArn: f.principalArn,
      principalName: p?.name ?? f.principalArn.split('/').pop() ?? f.principalArn,
      principalKind: p?.kind ?? '',
      isAgent: p?.isAgent ?? false,
      agentTool: tools.join(';'),
      check: f.checkId,
      severity: f.severity,
      status: f.suppressed ? 'suppressed' : 'open',
      title: f.title,
      firstSeen: f.firstSeen ?? seen,
      lastSeen: seen,
      fixIds: f.fixIds.join(';'),
      actionCount: f.actions.length,
      suppressedReason: f.suppressed?.reason ?? '',
    };
  }
}

/** findings.ndjson: one JSON object per line, keys in FINDING_COLUMNS order. */
export function* toNdjson(report: Report): Generator<string> {
  for (const row of findingRows(report)) yield `${jsonTextSafe(JSON.stringify(row, FINDING_COLUMNS as unknown as string[]))}\n`;
}

// A spreadsheet runs a cell that starts with one of these as a formula (OWASP "CSV injection"):
// `=HYPERLINK(...)` in a role name or tag would run on the analyst's machine. Such a cell gets a
// leading apostrophe, which spreadsheets show as text and never evaluate.
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One CSV cell: control and escape characters from data shown escaped (safeLines: `cat
 * findings.csv` must not act on a name's ESC or BEL), formula-neutralised, then quoted (RFC 4180)
 * when it holds a comma, quote or line break.
 */
export function csvCell(value: string | number | boolean): string {
  // Tab, CR and LF keep their CSV meaning (formula guard and quoting below); the rest is escaped.
  let s = typeof value === 'string' ? value.replace(/[^\t\r\n]+/g, (seg) => safeLines(seg)) : String(value);
  if (typeof value === 'string' && FORMULA_START.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** findings.csv: a header line, then one line per finding (CRLF line ends, as RFC 4180 writes them). */
export function* toCsv(report: Report): Generator<string> {
  yield `${FINDING_COLUMNS.join(',')}\r\n`;
  for (const row of findingRows(report)) yield `${FINDING_COLUMNS.map((c) => csvCell(row[c])).join(',')}\r\n`;
}
