// The Athena route end to end: the one SQL run on DuckDB over the fixture trails gives the rows,
// moto's Athena serves them as the query's results (preset through /moto-api/static/athena/
// query-results), and the reader's usage equals the local reader's on the same files. Polling,
// timeout and cancelling run against moto too; paging and a FAILED query run against a loopback
// endpoint, because moto returns every row in one page (it ignores MaxResults/NextToken) and its
// executions only ever move QUEUED → RUNNING → SUCCEEDED.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients, type AwsClients } from '../../../../src/collect/aws/client-factory.js';
import { readCloudTrail } from '../../../../src/collect/cloudtrail/sources/files.js';
import type { AggregatorLimits } from '../../../../src/collect/cloudtrail/aggregate.js';
import { readCloudTrailFromAthena } from '../../../../src/collect/cloudtrail/sources/athena.js';
import { USAGE_COLUMNS, usageSql } from '../../../../src/collect/cloudtrail/usage-sql.js';
import { SKIP_REASON, sharedFixturesPresent } from '../../../support/fixtures.js';
import { openTrailDb } from '../../../support/duckdb-trail.js';
import { boto3, MOTO_CREDENTIALS, MOTO_SKIP_REASON, motoAvailable, startMoto, type Moto } from '../../../support/moto.js';
import { layOutFixtureTrails } from '../../../support/trail-layout.js';
import { presetAthenaRows } from '../../../support/athena-results.js';

const NO_LIMITS: Partial<AggregatorLimits> = {
  resourcesPerAction: Infinity,
  sessionsPerPrincipal: Infinity,
  userAgentsPerPrincipal: Infinity,
  userAgentsPerSession: Infinity,
  actionsPerSession: Infinity,
  sourceIpsPerPrincipal: Infinity,
  sourceIpsPerSession: Infinity,
  unmappedPairs: Infinity,
};
const TABLE = { workgroup: 'leash-wg', database: 'security', table: 'cloudtrail_logs' };

const ready = motoAvailable && sharedFixturesPresent;

describe.skipIf(!ready)(`CloudTrail through Athena (moto)${ready ? '' : `: ${!motoAvailable ? MOTO_SKIP_REASON : SKIP_REASON}`}`, () => {
  let moto: Moto;
  let clients: AwsClients;
  let duckRows: Record<string, unknown>[];
  let paths: string[];

  const preset = (rows: readonly Record<string, unknown>[]) => presetAthenaRows(moto, rows);
  const transition = async (times: number | 'immediate') => {
    const transition = times === 'immediate' ? { progression: 'immediate' } : { progression: 'manual', times };
    const r = await fetch(`${moto.endpoint}/moto-api/state-manager/set-transition`, { method: 'POST', body: JSON.stringify({ model_name: 'athena::execution', transition }) });
    expect(r.ok).toBe(true);
  };

  beforeAll(async () => {
    moto = await startMoto();
    clients = createAwsClients({ endpointUrl: moto.endpoint, credentials: MOTO_CREDENTIALS, region: 'us-east-1', maxAttempts: 1 });
    boto3(moto, `client('athena').create_work_group(Name='leash-wg', Configuration={'ResultConfiguration': {'OutputLocation': 's3://aws-athena-query-results-123456789012-us-east-1/leash/'}})`);
    paths = layOutFixtureTrails().map((f) => f.path);
    const db = await openTrailDb(paths, TABLE.database, TABLE.table);
    duckRows = await db.query(usageSql({ dialect: 'duckdb', database: TABLE.database, table: TABLE.table, resourcesPerRow: 1_000_000, sourceIpsPerRow: 1_000_000 }));
    db.close();
  }, 120_000);

  afterAll(async () => {
    clients?.destroy();
    await moto?.stop();
  });

  it('polls until the query succeeds, reads the aggregate back, and equals the local reader', async () => {
    await transition(3); // QUEUED and RUNNING for a few polls, then SUCCEEDED
    await preset(duckRows);
    const sleeps: number[] = [];
    const r = await readCloudTrailFromAthena(clients.athena, TABLE, { limits: NO_LIMITS, pollMs: 100, sleep: async (ms) => void sleeps.push(ms) });
    expect(r.errors).toEqual([]);
    const local = await readCloudTrail(paths, { limits: NO_LIMITS });
    expect(r.usage).toEqual(local.usage);
    expect(r.stats.polls).toBeGreaterThan(2);
    expect(sleeps.slice(0, 3)).toEqual([100, 200, 400]);
    expect(r.stats.rows).toBe(duckRows.length);
    expect(r.sources[0]).toMatchObject({ kind: 'cloudtrail-athena', status: 'ok', location: 'athena://leash-wg/security.cloudtrail_logs' });
    // moto kept the query it was sent: the Athena dialect of the one definition, in our workgroup.
    const seen = boto3(moto, `print(json.dumps(client('athena').get_query_execution(QueryExecutionId=INPUT)['QueryExecution'], default=str))`, r.queryExecutionId) as { Query: string; WorkGroup: string };
    expect(seen.Query).toBe(r.sql);
    expect(seen.Query).toContain('json_extract_scalar(');
    expect(seen.WorkGroup).toBe('leash-wg');
  });

  it('times out, cancels its query (moto shows it CANCELLED) and reports the source unavailable', async () => {
    await transition(1_000);
    let clock = 1_000_000;
    const r = await readCloudTrailFromAthena(clients.athena, TABLE, { now: () => clock, timeoutMs: 10_000, pollMs: 1_000, sleep: async (ms) => void (clock += ms) });
    expect(r.stats.cancelled).toBe(true);
    expect(r.errors[0]).toMatchObject({ source: 'cloudtrail-athena', location: 'athena://leash-wg/security.cloudtrail_logs' });
    expect(r.errors[0]!.message).toMatch(/timeout 10 s\); cancelled/);
    expect(r.sources[0]).toMatchObject({ status: 'unavailable' });
    expect(Object.keys(r.usage.byPrincipal)).toEqual([]);
    const state = boto3(moto, `print(json.dumps(client('athena').get_query_execution(QueryExecutionId=INPUT)['QueryExecution']['Status']['State']))`, r.queryExecutionId);
    expect(state).toBe('CANCELLED');
    await transition('immediate');
  });

  it('an abort from the caller cancels the query too', async () => {
    await transition(1_000);
    const ac = new AbortController();
    let polls = 0;
    const r = await readCloudTrailFromAthena(clients.athena, TABLE, { signal: ac.signal, pollMs: 1, sleep: async () => void (++polls === 2 && ac.abort()) });
    expect(r.stats.cancelled).toBe(true);
    expect(r.sources[0]!.status).toBe('unavailable');
    await transition('immediate');
  });

  it('a workgroup that does not exist is an error value naming it (negative control: nothing read)', async () => {
    const r = await readCloudTrailFromAthena(clients.athena, { ...TABLE, workgroup: 'no-such-wg' });
    expect(r.errors[0]!.message).toMatch(/athena:\/\/no-such-wg\/security.cloudtrail_logs: .*WorkGroup does not exist/);
    expect(r.queryExecutionId).toBeUndefined();
    expect(r.usage.recordsRead).toBe(0);
  });
});

describe('Athena client path on a loopback endpoint (where moto falls short)', () => {
  let server: Server;
  let endpoint: string;
  const calls: { target: string; body: Record<string, unknown> }[] = [];
  let mode: 'pages' | 'failed' | 'bad-row' = 'pages';
  const row = (arn: string, event: string, calls: string) => ({
    Data: [{ VarCharValue: 'IAMUser' }, { VarCharValue: arn }, { VarCharValue: '111122223333' }, {}, {}, { VarCharValue: 'AwsApiCall' }, { VarCharValue: '111122223333' }, { VarCharValue: 'iam.amazonaws.com' }, { VarCharValue: event }, { VarCharValue: calls }, { VarCharValue: '0' }, { VarCharValue: '2024-01-01T00:00:00Z' }, { VarCharValue: '2024-01-02T00:00:00Z' }, { VarCharValue: '0' }, { VarCharValue: '{"kiro-cli/1.0":1}' }, { VarCharValue: '[]' }, { VarCharValue: '[]' }, { VarCharValue: '["2024-01-01","2024-01-02"]' }],
  });

  beforeAll(async () => {
    server = createServer((req, res) => {
      let data = '';
      req.on('data', (c: Buffer) => (data += c.toString()));
      req.on('end', () => {
        const target = String(req.headers['x-amz-target'] ?? '').split('.').pop() ?? '';
        const body = JSON.parse(data || '{}') as Record<string, unknown>;
        calls.push({ target, body });
        res.setHeader('content-type', 'application/x-amz-json-1.1');
        const send = (o: unknown) => res.end(JSON.stringify(o));
        const columnInfo = USAGE_COLUMNS.map((n) => ({ Name: n, Type: 'varchar' }));
        if (target === 'StartQueryExecution') return send({ QueryExecutionId: 'q-1' });
        if (target === 'GetQueryExecution') {
          if (mode === 'failed') return send({ QueryExecution: { QueryExecutionId: 'q-1', Status: { State: 'FAILED', StateChangeReason: 'TABLE_NOT_FOUND: line 1:1: Table awsdatacatalog.security.cloudtrail_logs does not exist' } } });
          return send({ QueryExecution: { QueryExecutionId: 'q-1', Status: { State: 'SUCCEEDED' }, Statistics: { DataScannedInBytes: 12345 } } });
        }
        if (target === 'GetQueryResults') {
          const header = { Data: USAGE_COLUMNS.map((c) => ({ VarCharValue: c })) };
          if (mode === 'bad-row') return send({ ResultSet: { ResultSetMetadata: { ColumnInfo: columnInfo }, Rows: [header, { ...row('arn:aws:iam::111122223333:user/a', 'ListRoles', 'lots') }] } });
          if (!body['NextToken']) return send({ ResultSet: { ResultSetMetadata: { ColumnInfo: columnInfo }, Rows: [header, row('arn:aws:iam::111122223333:user/a', 'ListRoles', '3')] }, NextToken: 'page-2' });
          return send({ ResultSet: { ResultSetMetadata: { ColumnInfo: columnInfo }, Rows: [row('arn:aws:iam::111122223333:user/a', 'GetRole', '2')] } });
        }
        res.statusCode = 400;
        send({ __type: 'InvalidRequestException', Message: `unexpected ${target}` });
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const client = () => createAwsClients({ endpointUrl: endpoint, credentials: MOTO_CREDENTIALS, region: 'us-east-1', maxAttempts: 1 });

  it('follows NextToken across result pages; the header row is skipped only on the first', async () => {
    mode = 'pages';
    calls.length = 0;
    const c = client();
    const r = await readCloudTrailFromAthena(c.athena, TABLE, { pageSize: 1 });
    c.destroy();
    expect(r.errors).toEqual([]);
    expect(r.stats).toMatchObject({ pages: 2, rows: 2, scannedBytes: 12345 });
    expect(calls.filter((x) => x.target === 'GetQueryResults').map((x) => x.body['NextToken'] ?? null)).toEqual([null, 'page-2']);
    const u = r.usage.byPrincipal['arn:aws:iam::111122223333:user/a']!;
    expect(u.actions.map((a) => [a.action, a.count])).toEqual([
      ['iam:GetRole', 2],
      ['iam:ListRoles', 3],
    ]);
    expect(u.userAgents).toEqual({ 'kiro-cli/1.0': 2 });
  });

  it('a FAILED query is an error value with Athena\'s reason; nothing is read back', async () => {
    mode = 'failed';
    calls.length = 0;
    const c = client();
    const r = await readCloudTrailFromAthena(c.athena, TABLE);
    c.destroy();
    expect(r.errors[0]).toMatchObject({ code: 'invalid-input' });
    expect(r.errors[0]!.message).toMatch(/q-1 FAILED: TABLE_NOT_FOUND/);
    expect(calls.map((x) => x.target)).toEqual(['StartQueryExecution', 'GetQueryExecution']);
  });

  it('a row that is not what the query returns is refused with its row and column', async () => {
    mode = 'bad-row';
    const c = client();
    const r = await readCloudTrailFromAthena(c.athena, TABLE);
    c.destroy();
    expect(r.errors[0]).toMatchObject({ code: 'invalid-input', path: 'row 0.calls' });
    expect(r.usage.recordsRead).toBe(0);
  });
});
