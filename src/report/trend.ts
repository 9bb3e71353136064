// The trend file: one JSON line per scan, appended each time a scan is written
// (`reports/<account>/trend.ndjson`, and the same file in a --history store). Dashboards plot it
// without opening every report.json. Pure functions here; history.ts and history-store/ do the I/O.
import { z } from 'zod';
import { InputError, jsonPath } from '../model/errors.js';
import { SEVERITIES, type Severity } from '../model/finding.js';
import type { Report } from '../model/report.js';

export const TREND_FILE = 'trend.ndjson';
export const TREND_SCHEMA = 'leash-trend/1';

export interface TrendLine {
  readonly schema: typeof TREND_SCHEMA;
  readonly scanId: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly account: string;
  readonly principals: number;
  readonly agentPrincipals: number;
  /** Open (not suppressed) findings. */
  readonly findings: number;
  readonly suppressed: number;
  /** Open findings by severity (every severity present, 0 when none). */
  readonly bySeverity: Readonly<Record<Severity, number>>;
  /** Open findings by check id. */
  readonly byCheck: Readonly<Record<string, number>>;
  /** New and resolved since the previous scan; null when there was no previous scan to compare with. */
  readonly new: number | null;
  readonly resolved: number | null;
  readonly previousScanId: string | null;
  readonly iamCoverage: string;
}

/** The trend line of one report (pure). */
export function trendLine(report: Report): TrendLine {
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  const byCheck: Record<string, number> = {};
  let open = 0;
  for (const f of report.findings) {
    if (f.suppressed) continue;
    open++;
    bySeverity[f.severity]++;
    byCheck[f.checkId] = (byCheck[f.checkId] ?? 0) + 1;
  }
  const sortedChecks = Object.fromEntries(Object.entries(byCheck).sort(([a], [b]) => a.localeCompare(b)));
  return {
    schema: TREND_SCHEMA,
    scanId: report.scan.id,
    startedAt: report.scan.startedAt,
    finishedAt: report.scan.finishedAt,
    account: report.scan.account.id,
    principals: report.summary.principals,
    agentPrincipals: report.summary.agentPrincipals,
    findings: open,
    suppressed: report.findings.length - open,
    bySeverity,
    byCheck: sortedChecks,
    new: report.delta ? report.delta.newFindings.length : null,
    resolved: report.delta ? report.delta.resolvedFindings.length : null,
    previousScanId: report.delta?.previousScanId ?? null,
    iamCoverage: report.scan.coverage.iam,
  };
}

const lineShape = z.looseObject({
  schema: z.literal(TREND_SCHEMA),
  scanId: z.string(),
  startedAt: z.string(),
  finishedAt: z.string(),
  account: z.string(),
  findings: z.number(),
  suppressed: z.number(),
  bySeverity: z.record(z.string(), z.number()),
  byCheck: z.record(z.string(), z.number()),
  new: z.number().nullable(),
  resolved: z.number().nullable(),
});

/** Parse a trend file; a bad line is an InputError naming the file, the line and the JSON path. */
export function parseTrend(text: string, file: string): TrendLine[] {
  const out: TrendLine[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trim();
    if (raw === '') continue;
    let data: unknown;
    try {
      data = JSON.parse(raw);
    } catch (e) {
      throw new InputError(file, `line ${i + 1}`, 'one JSON object per line (a leash trend file)', `invalid JSON: ${(e as Error).message}`);
    }
    const r = lineShape.safeParse(data);
    if (!r.success) {
      const issue = r.error.issues[0]!;
      throw new InputError(file, `line ${i + 1} ${jsonPath(issue.path)}`, `a ${TREND_SCHEMA} line`, issue.message);
    }
    out.push(data as TrendLine);
  }
  return out;
}

/**
 * The trend file with `line` added: a scan written twice (a retried upload) replaces its own line
 * instead of counting twice (same scan id and start: scan ids have whole seconds only), and lines stay in scan order whatever order they arrive in.
 */
export function appendTrend(existing: string, file: string, line: TrendLine): string {
  const lines = parseTrend(existing, file).filter((l) => l.scanId !== line.scanId || l.startedAt !== line.startedAt);
  lines.push(line);
  lines.sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.scanId.localeCompare(b.scanId));
  return lines.map((l) => `${JSON.stringify(l)}\n`).join('');
}
