// `leash report --to postgres://…` against a real PostgreSQL 15 cluster on loopback (initdb/pg_ctl,
// started here and stopped after), and the Grafana dashboard's queries run against what it loaded.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/model/report.js';
import { demoDir } from '../../src/pipeline/paths.js';
import { DB_SCHEMA_SQL, redactUrl } from '../../src/report/postgres.js';
import { listScans, parseReport } from '../../src/report/history.js';
import { runCli } from '../support/cli.js';
import { repoRoot } from '../support/fixtures.js';
import { POSTGRES_SKIP_REASON, postgresAvailable, startPostgres, type Postgres } from '../support/postgres.js';
import { buildReport, finding, principal, roleArn } from './support.js';

const ACCOUNT = '111122223333';

describe('docs/database.md', () => {
  it('documents every table and column the loader creates', () => {
    const doc = readFileSync(join(repoRoot, 'docs/database.md'), 'utf8');
    const tables = [...DB_SCHEMA_SQL.matchAll(/CREATE (?:TABLE IF NOT EXISTS|OR REPLACE VIEW) (\w+)/g)].map((m) => m[1]!);
    expect(tables).toEqual(['leash_meta', 'leash_scans', 'leash_findings', 'leash_trend', 'leash_latest_findings']);
    for (const t of tables) expect(doc).toContain(`\`${t}\``);
    const columns = [...DB_SCHEMA_SQL.matchAll(/^\s+(\w+) (?:text|timestamptz|integer|boolean|smallint|jsonb|text\[\])/gm)].map((m) => m[1]!);
    expect(columns.length).toBeGreaterThan(40);
    for (const c of columns) expect(doc, c).toContain(`\`${c}\``);
  });
  it('redactUrl hides the password and keeps the rest', () => {
    expect(redactUrl('postgres://leash:s3cret@db:5432/sec')).toBe('postgres://leash:***@db:5432/sec');
    expect(redactUrl('postgres://leash@db/sec')).toBe('postgres://leash@db/sec');
  });
});

describe.skipIf(!postgresAvailable)(`leash report --to postgres${postgresAvailable ? '' : ` (skipped: ${POSTGRES_SKIP_REASON})`}`, () => {
  let server: Postgres;
  let db: pg.Client;
  const tmp = mkdtempSync(join(tmpdir(), 'leash-pgtest-'));
  const reports = join(tmp, 'reports');
  let latest: Report;
  let previous: Report;

  const count = async (sql: string, params: unknown[] = []): Promise<number> => Number((await db.query(sql, params)).rows[0].n);

  beforeAll(async () => {
    server = await startPostgres();
    db = new pg.Client({ connectionString: server.url });
    await db.connect();
    // Two nights of history: the second without kiro-agent, so some findings resolve.
    expect((await runCli(['scan', '--demo', '--reports', reports, '--format', 'json', '--ci'])).code).toBe(0);
    const auth = JSON.parse(readFileSync(join(demoDir, 'authorization-details.json'), 'utf8')) as { RoleDetailList: { RoleName: string }[] };
    auth.RoleDetailList = auth.RoleDetailList.filter((r) => r.RoleName !== 'kiro-agent');
    writeFileSync(join(tmp, 'without-kiro.json'), JSON.stringify(auth));
    expect((await runCli(['scan', '--input', join(tmp, 'without-kiro.json'), '--config', join(demoDir, 'leash.config.yaml'), '--cloudtrail', join(demoDir, 'cloudtrail'), '--reports', reports, '--format', 'json', '--ci'])).code).toBe(0);
    const name = readFileSync(join(reports, ACCOUNT, 'latest'), 'utf8').trim();
    latest = parseReport(readFileSync(join(reports, ACCOUNT, name, 'report.json'), 'utf8'), 'report.json');
    const scans = await listScans(reports, ACCOUNT);
    expect(scans).toHaveLength(2);
    previous = parseReport(readFileSync(join(scans[0]!.dir, 'report.json'), 'utf8'), 'report.json');
  }, 120_000);

  afterAll(async () => {
    await db?.end().catch(() => undefined);
    server?.stop();
  });

  it('loads the latest scan: its findings, the scan, and both trend lines', async () => {
    const r = await runCli(['report', '--reports', reports, '--to', server.url]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toBe(`loaded ${latest.findings.length} findings and 2 trend lines of account ${ACCOUNT} into ${server.url}\n`);
    expect(await count('SELECT count(*) AS n FROM leash_findings')).toBe(latest.findings.length);
    expect(await count('SELECT count(*) AS n FROM leash_trend WHERE account = $1', [ACCOUNT])).toBe(2);
    const trend = (await db.query('SELECT new_findings, resolved_findings, by_check FROM leash_trend ORDER BY started_at')).rows;
    expect(trend[0]).toMatchObject({ new_findings: null, resolved_findings: null });
    expect(trend[1].resolved_findings).toBe(latest.delta!.resolvedFindings.length);
    expect(trend[1].resolved_findings).toBeGreaterThan(0);
    const one = latest.findings.find((f) => f.fixIds.length > 0) ?? latest.findings[0]!;
    const row = (await db.query('SELECT * FROM leash_findings WHERE finding_id = $1', [one.id])).rows[0];
    expect(row).toMatchObject({ account: ACCOUNT, check_id: one.checkId, severity: one.severity, status: one.suppressed ? 'suppressed' : 'open', fix_ids: one.fixIds });
    expect(new Date(row.first_seen).toISOString()).toBe(one.firstSeen);
    expect(new Date(row.last_seen).toISOString()).toBe(latest.scan.startedAt);
  });

  it('loading again changes nothing; loading the previous scan adds it, and the view shows the newest', async () => {
    expect((await runCli(['report', '--reports', reports, '--to', server.url])).code).toBe(0);
    expect(await count('SELECT count(*) AS n FROM leash_findings')).toBe(latest.findings.length);
    expect((await runCli(['report', '--report', 'previous', '--reports', reports, '--to', server.url])).code).toBe(0);
    expect(await count('SELECT count(*) AS n FROM leash_scans')).toBe(2);
    expect(await count('SELECT count(*) AS n FROM leash_findings')).toBe(latest.findings.length + previous.findings.length);
    expect(await count('SELECT count(*) AS n FROM leash_latest_findings')).toBe(latest.findings.length);
    expect(await count('SELECT count(*) AS n FROM leash_trend')).toBe(2);
  });

  it('every query of the Grafana dashboard runs against the loaded tables and returns rows', async () => {
    const dash = JSON.parse(readFileSync(join(repoRoot, 'docs/grafana-dashboard.json'), 'utf8')) as { panels: { title: string; targets: { rawSql: string }[] }[]; templating: { list: { name: string; query: string }[] } };
    const variable = dash.templating.list.find((v) => v.name === 'account')!;
    expect((await db.query(variable.query)).rows.map((r) => r.account)).toEqual([ACCOUNT]);
    // Grafana's macros, expanded the way its PostgreSQL data source does, over all time.
    const expand = (sql: string): string => sql
      .replace(/\$__timeGroupAlias\((\w+),\s*'1d'\)/g, `date_trunc('day', $1) AS "time"`)
      .replace(/\$__timeFilter\((\w+)\)/g, `$1 BETWEEN '2000-01-01' AND '2100-01-01'`)
      .replace(/\$account/g, `'${ACCOUNT}'`);
    expect(dash.panels.length).toBeGreaterThanOrEqual(5);
    for (const panel of dash.panels) {
      for (const t of panel.targets) {
        const sql = expand(t.rawSql);
        expect(sql, panel.title).not.toMatch(/\$__|\$account/);
        const res = await db.query(sql);
        expect(res.rows.length, panel.title).toBeGreaterThan(0);
      }
    }
  });

  it('hostile text from the account is stored as text (parameters, not SQL); NUL becomes U+FFFD', async () => {
    const name = `x'); DROP TABLE leash_scans; --\u0000`;
    const evil = principal({ arn: roleArn('evil'), name });
    const report = buildReport({ accountId: '999988887777', principals: [evil], findings: [finding({ checkId: 'agent-destructive-without-approval', principalArn: evil.arn, subject: 'd', title: name })] });
    const file = join(tmp, 'evil.json');
    writeFileSync(file, JSON.stringify(report));
    const r = await runCli(['report', '--report', file, '--to', server.url]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const row = (await db.query(`SELECT principal_name, title FROM leash_findings WHERE account = '999988887777'`)).rows[0];
    expect(row.principal_name).toBe(name.replace('\u0000', '\ufffd'));
    expect(await count('SELECT count(*) AS n FROM leash_scans')).toBe(3);
  });

  it('a server that refuses is exit 2 with the password hidden, and nothing half-loaded', async () => {
    const url = server.url.replace('postgres@', 'postgres:s3cret-pw@').replace(/:(\d+)\//, ':1/');
    const r = await runCli(['report', '--reports', reports, '--to', url]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--to');
    expect(r.err).toContain('***');
    expect(r.err).not.toContain('s3cret-pw');
    const wrong = await runCli(['report', '--reports', reports, '--to', 'mysql://u:s3cret-pw@h/db']);
    expect(wrong.code).toBe(2);
    expect(wrong.err).toMatch(/--to: expected a PostgreSQL connection URL/);
    expect(wrong.err).not.toContain('s3cret-pw');
  });
});
