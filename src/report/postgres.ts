// `leash report --to postgres://…`: load a report's findings, its scan and the account's trend into
// PostgreSQL for dashboards (docs/database.md describes the tables; docs/grafana-dashboard.json
// queries them). One transaction per load: the tables are created when missing, the scan's rows
// replaced (loading the same report twice changes nothing), trend lines upserted by scan.
// The row shapes come from the pure exporters (rows.ts, trend.ts); this file only talks to the database.
import { InputError } from '../model/errors.js';
import { severityRank } from '../model/finding.js';
import type { Report } from '../model/report.js';
import { findingRows } from './rows.js';
import type { TrendLine } from './trend.js';

export const DB_SCHEMA_VERSION = 1;

/** The schema, idempotent. Kept in step with docs/database.md (a test compares the two). */
export const DB_SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS leash_meta (
  key text PRIMARY KEY,
  value text NOT NULL
);
CREATE TABLE IF NOT EXISTS leash_scans (
  account text NOT NULL,
  started_at timestamptz NOT NULL,
  scan_id text NOT NULL,
  finished_at timestamptz NOT NULL,
  account_alias text,
  principals integer NOT NULL,
  agent_principals integer NOT NULL,
  open_findings integer NOT NULL,
  suppressed_findings integer NOT NULL,
  iam_coverage text NOT NULL,
  usage_coverage text NOT NULL,
  tool_version text NOT NULL,
  report_schema_version text NOT NULL,
  loaded_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (account, started_at)
);
CREATE TABLE IF NOT EXISTS leash_findings (
  account text NOT NULL,
  scan_started_at timestamptz NOT NULL,
  finding_id text NOT NULL,
  scan_id text NOT NULL,
  principal_arn text NOT NULL,
  principal_name text NOT NULL,
  principal_kind text NOT NULL,
  is_agent boolean NOT NULL,
  agent_tool text NOT NULL,
  check_id text NOT NULL,
  severity text NOT NULL,
  severity_rank smallint NOT NULL,
  status text NOT NULL,
  title text NOT NULL,
  first_seen timestamptz NOT NULL,
  last_seen timestamptz NOT NULL,
  fix_ids text[] NOT NULL,
  action_count integer NOT NULL,
  suppressed_reason text NOT NULL,
  PRIMARY KEY (account, scan_started_at, finding_id),
  FOREIGN KEY (account, scan_started_at) REFERENCES leash_scans (account, started_at) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS leash_findings_open ON leash_findings (account, scan_started_at) WHERE status = 'open';
CREATE TABLE IF NOT EXISTS leash_trend (
  account text NOT NULL,
  started_at timestamptz NOT NULL,
  scan_id text NOT NULL,
  principals integer,
  agent_principals integer,
  open_findings integer NOT NULL,
  suppressed_findings integer NOT NULL,
  critical integer NOT NULL,
  high integer NOT NULL,
  medium integer NOT NULL,
  low integer NOT NULL,
  info integer NOT NULL,
  new_findings integer,
  resolved_findings integer,
  by_check jsonb NOT NULL,
  PRIMARY KEY (account, started_at)
);
CREATE OR REPLACE VIEW leash_latest_findings AS
  SELECT f.* FROM leash_findings f
  JOIN (SELECT account, max(started_at) AS started_at FROM leash_scans GROUP BY account) l
    ON f.account = l.account AND f.scan_started_at = l.started_at;
`;

/** A connection string safe to print: the password is replaced by ***. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
  }
}

export function checkPostgresUrl(url: string): void {
  if (!/^postgres(?:ql)?:\/\//i.test(url)) throw new InputError('--to', '', 'a PostgreSQL connection URL (postgres://user@host:port/database)', JSON.stringify(redactUrl(url)));
}

export interface LoadResult {
  readonly scans: number;
  readonly findings: number;
  readonly trendLines: number;
}

const FINDING_COLS = ['account', 'scan_started_at', 'finding_id', 'scan_id', 'principal_arn', 'principal_name', 'principal_kind', 'is_agent', 'agent_tool', 'check_id', 'severity', 'severity_rank', 'status', 'title', 'first_seen', 'last_seen', 'fix_ids', 'action_count', 'suppressed_reason'] as const;
/** Rows per INSERT: 19 parameters each stays far below PostgreSQL's 65,535 parameters per statement. */
const BATCH = 1000;

/** Text from the account goes in as parameters, never into SQL; NUL is the one character PostgreSQL text cannot hold. */
const clean = (s: string): string => s.replace(/\u0000/g, '\ufffd');

/** Load one report (and the account's trend lines) in a single transaction. */
export async function loadIntoPostgres(url: string, report: Report, trend: readonly TrendLine[]): Promise<LoadResult> {
  checkPostgresUrl(url);
  // Loaded here, not at the top: every other leash command would pay for it at start-up.
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url, application_name: 'leash' });
  const where = redactUrl(url);
  try {
    await client.connect();
  } catch (e) {
    throw new InputError('--to', '', `a PostgreSQL server leash can connect to (${where})`, (e as Error).message);
  }
  try {
    await client.query('BEGIN');
    // Two loads at once must not both create the tables.
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['leash-schema']);
    await client.query(DB_SCHEMA_SQL);
    await client.query(`INSERT INTO leash_meta (key, value) VALUES ('schema_version', $1) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`, [String(DB_SCHEMA_VERSION)]);
    const { scan, summary } = report;
    const open = report.findings.filter((f) => !f.suppressed).length;
    await client.query('DELETE FROM leash_scans WHERE account = $1 AND started_at = $2', [scan.account.id, scan.startedAt]);
    await client.query(
      `INSERT INTO leash_scans (account, started_at, scan_id, finished_at, account_alias, principals, agent_principals, open_findings, suppressed_findings, iam_coverage, usage_coverage, tool_version, report_schema_version)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)`,
      [scan.account.id, scan.startedAt, clean(scan.id), scan.finishedAt, scan.account.alias === undefined ? null : clean(scan.account.alias), summary.principals, summary.agentPrincipals, open, report.findings.length - open, scan.coverage.iam, scan.coverage.usage.status, clean(report.tool.version), clean(report.schemaVersion)],
    );
    let findings = 0;
    let batch: unknown[][] = [];
    const flush = async (): Promise<void> => {
      if (batch.length === 0) return;
      const values = batch.map((_, i) => `(${FINDING_COLS.map((__, j) => `$${i * FINDING_COLS.length + j + 1}`).join(',')})`).join(',');
      await client.query(`INSERT INTO leash_findings (${FINDING_COLS.join(',')}) VALUES ${values}`, batch.flat());
      findings += batch.length;
      batch = [];
    };
    for (const r of findingRows(report)) {
      batch.push([
        r.account, scan.startedAt, r.findingId, clean(r.scanId), clean(r.principalArn), clean(r.principalName), clean(r.principalKind), r.isAgent, clean(r.agentTool),
        clean(r.check), r.severity, severityRank[r.severity], r.status, clean(r.title), r.firstSeen, r.lastSeen,
        r.fixIds === '' ? [] : r.fixIds.split(';').map(clean), r.actionCount, clean(r.suppressedReason),
      ]);
      if (batch.length >= BATCH) await flush();
    }
    await flush();
    for (const t of trend) {
      await client.query(
        `INSERT INTO leash_trend (account, started_at, scan_id, principals, agent_principals, open_findings, suppressed_findings, critical, high, medium, low, info, new_findings, resolved_findings, by_check)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15)
         ON CONFLICT (account, started_at) DO UPDATE SET scan_id = EXCLUDED.scan_id, principals = EXCLUDED.principals, agent_principals = EXCLUDED.agent_principals,
           open_findings = EXCLUDED.open_findings, suppressed_findings = EXCLUDED.suppressed_findings, critical = EXCLUDED.critical, high = EXCLUDED.high,
           medium = EXCLUDED.medium, low = EXCLUDED.low, info = EXCLUDED.info, new_findings = EXCLUDED.new_findings, resolved_findings = EXCLUDED.resolved_findings, by_check = EXCLUDED.by_check`,
        [t.account, t.startedAt, clean(t.scanId), t.principals ?? null, t.agentPrincipals ?? null, t.findings, t.suppressed, t.bySeverity.critical ?? 0, t.bySeverity.high ?? 0, t.bySeverity.medium ?? 0, t.bySeverity.low ?? 0, t.bySeverity.info ?? 0, t.new, t.resolved, JSON.stringify(t.byCheck)],
      );
    }
    await client.query('COMMIT');
    return { scans: 1, findings, trendLines: trend.length };
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    if (e instanceof InputError) throw e;
    throw new InputError('--to', '', `a database leash can load into (${where}); nothing was loaded`, (e as Error).message);
  } finally {
    await client.end().catch(() => undefined);
  }
}
