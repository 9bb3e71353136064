// `leash activity` through Athena: the one query run on DuckDB over trail files laid out with
// Athena's CloudTrail table columns gives the rows; the timeline made from them equals the one the
// files reader makes from the same files (own records, then the shared real trails). moto's
// Athena serves the rows through the real SDK and CLI.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIVITY_COLUMNS, activitySql, readActivityAthena, recordOfRow } from '../../src/activity/athena.js';
import { readActivityFiles } from '../../src/activity/read.js';
import { TimelineBuilder, type ActivityTarget, type Timeline } from '../../src/activity/timeline.js';
import { createAwsClients } from '../../src/collect/aws/client-factory.js';
import { openTrailDb } from '../support/duckdb-trail.js';
import { presetAthenaRows } from '../support/athena-results.js';
import { runCli } from '../support/cli.js';
import { SKIP_REASON, sharedFixturesPresent } from '../support/fixtures.js';
import { boto3, MOTO_CREDENTIALS, MOTO_SKIP_REASON, motoAvailable, startMoto, type Moto } from '../support/moto.js';
import { layOutFixtureTrails } from '../support/trail-layout.js';

const ACCT = '111122223333';
const ROLE = `arn:aws:iam::${ACCT}:role/agents/deploy-agent`;
const USER = `arn:aws:iam::${ACCT}:user/contractors/ci-bot`;
const TABLE = { workgroup: 'leash-wg', database: 'security', table: 'cloudtrail_logs' };
const WINDOW = { since: '2026-12-05T00:00:00Z', until: '2026-12-06T00:00:00Z' };

const session = (name: string, role = 'deploy-agent', account = ACCT, sourceIdentity?: string) => ({
  type: 'AssumedRole', arn: `arn:aws:sts::${account}:assumed-role/${role}/${name}`, accountId: account, principalId: `AROAEXAMPLE:${name}`,
  sessionContext: { sessionIssuer: { type: 'Role', arn: `arn:aws:iam::${account}:role/${role === 'deploy-agent' ? 'agents/' : ''}${role}`, accountId: account, userName: role }, ...(sourceIdentity ? { sourceIdentity } : {}) },
});
let n = 0;
const rec = (time: string, source: string, name: string, who: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  eventVersion: '1.10', eventTime: time, eventSource: source, eventName: name, awsRegion: 'eu-west-1', eventType: 'AwsApiCall', eventID: `ev-${++n}`,
  recipientAccountId: ACCT, sourceIPAddress: '203.0.113.7', userIdentity: who, userAgent: 'aws-cli/2.36.7 ua/2.1 os/linux#6.8.0 lang/python#3.13.7 m/E,AN cfg/retry-mode#standard md/command#s3.rm', ...extra,
});
const RECORDS = [
  rec('2026-12-05T10:00:00Z', 's3.amazonaws.com', 'ListBuckets', session('s1')),
  rec('2026-12-05T10:01:00.250Z', 's3.amazonaws.com', 'DeleteObject', session('s1', 'deploy-agent', ACCT, 'dana@example.com'), { requestParameters: { bucketName: 'prod-data', key: 'db/backup.sql' } }),
  rec('2026-12-05T10:02:00Z', 'iam.amazonaws.com', 'CreateRole', session('s1'), { awsRegion: 'us-east-1', requestParameters: { roleName: 'escape' }, responseElements: { role: { arn: `arn:aws:iam::${ACCT}:role/escape`, roleName: 'escape' } } }),
  rec('2026-12-05T10:03:00Z', 'iam.amazonaws.com', 'AttachRolePolicy', session('s1'), { awsRegion: 'us-east-1', requestParameters: { roleName: 'escape', policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' } }),
  rec('2026-12-05T10:04:00Z', 'cloudformation.amazonaws.com', 'DeleteStack', session('s2'), { errorCode: 'AccessDenied', resources: [{ ARN: `arn:aws:cloudformation:eu-west-1:${ACCT}:stack/prod/1`, accountId: ACCT, type: 'AWS::CloudFormation::Stack' }] }),
  rec('2026-12-05T10:05:00Z', 'lambda.amazonaws.com', 'DeleteFunction20150331', session('s2'), { requestParameters: { functionName: 'billing' } }),
  // Not the target: another role, the same role name in another account, a user, a call before the window.
  rec('2026-12-05T10:06:00Z', 's3.amazonaws.com', 'DeleteBucket', session('s1', 'other-role')),
  rec('2026-12-05T10:07:00Z', 's3.amazonaws.com', 'DeleteBucket', session('s1', 'deploy-agent', '999999999999')),
  rec('2026-12-05T10:08:00Z', 'ec2.amazonaws.com', 'TerminateInstances', { type: 'IAMUser', arn: USER, accountId: ACCT, userName: 'ci-bot', principalId: 'AIDAEXAMPLE' }),
  rec('2026-12-04T23:59:59Z', 'ec2.amazonaws.com', 'TerminateInstances', session('s1')),
  // A federated session the user minted (GetFederationToken): the user's call, as record.ts attributes it.
  rec('2026-12-05T10:09:00Z', 's3.amazonaws.com', 'GetObject', { type: 'FederatedUser', arn: `arn:aws:sts::${ACCT}:federated-user/tok`, accountId: ACCT, sessionContext: { sessionIssuer: { type: 'IAMUser', arn: USER, accountId: ACCT, userName: 'ci-bot' } } }),
];

/** DuckDB's values as Athena's GetQueryResults gives them: strings, NULL as null. */
const asCells = (row: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v === null || v === undefined ? null : typeof v === 'string' ? v : JSON.stringify(v)]));

/** What both routes must agree on (the files route also counts every record it read). */
const comparable = (t: Timeline) => ({ events: t.events, notable: t.notable, sessions: t.sessions, counts: { ...t.counts, records: 0 } });

async function bothRoutes(files: readonly string[], target: ActivityTarget, window: { since: string; until?: string }, limit = 10_000) {
  const viaFiles = new TimelineBuilder(target, { ...window, limit: 500 });
  await readActivityFiles(files, viaFiles);
  const db = await openTrailDb(files, TABLE.database, TABLE.table);
  let rows: Record<string, unknown>[];
  try {
    rows = (await db.query(activitySql({ dialect: 'duckdb', database: TABLE.database, table: TABLE.table, target, ...window, limit }))).map(asCells);
  } finally {
    db.close();
  }
  const viaSql = new TimelineBuilder(target, { ...window, limit: 500 });
  rows.forEach((r, i) => viaSql.add(recordOfRow(r), `row ${i}`));
  return { files: viaFiles.finish(), sql: viaSql.finish(), rows };
}

const dir = mkdtempSync(join(tmpdir(), 'leash-activity-athena-'));
const trailFile = join(dir, `${ACCT}_CloudTrail_eu-west-1_20261205T1010Z_a1.json`);
beforeAll(() => writeFileSync(trailFile, JSON.stringify({ Records: RECORDS })));

describe('the activity query over the trail table (DuckDB standing in for Athena)', () => {
  it.each<[string, ActivityTarget, number]>([
    ['a role: all its sessions, not the same name in another account nor another role', { principalArn: ROLE }, 6],
    ['one session', { principalArn: ROLE, sessionName: 's2' }, 2],
    ['a source identity', { principalArn: ROLE, sourceIdentity: 'dana@example.com' }, 1],
    ['a user, by account and name, with the federated session it minted', { principalArn: USER }, 2],
    ['a user\'s federated session', { principalArn: USER, sessionName: 'tok' }, 1],
  ])('%s: the same timeline as the files reader', async (_name, target, calls) => {
    const r = await bothRoutes([trailFile], target, WINDOW);
    expect(r.files.counts.matched).toBe(calls);
    expect(comparable(r.sql)).toEqual(comparable(r.files));
    // Only the target's rows come back (the query, not the builder, did the choosing).
    expect(r.rows).toHaveLength(calls);
  });

  it('what the timeline reads of a row: the IAM-created role, the S3 object, the function, the refused stack', async () => {
    const r = await bothRoutes([trailFile], { principalArn: ROLE }, WINDOW);
    const byName = Object.fromEntries(r.sql.events.map((e) => [e.eventName, e]));
    expect(byName['CreateRole']!.resources).toEqual([`arn:aws:iam::${ACCT}:role/escape`]);
    expect(byName['DeleteObject']!.resources).toEqual(['arn:aws:s3:::prod-data/db/backup.sql']);
    expect(byName['DeleteFunction20150331']!.resources).toEqual([`arn:aws:lambda:eu-west-1:${ACCT}:function:billing`]);
    expect(byName['DeleteStack']!.denied).toBe(true);
    expect(r.sql.counts.destructive).toBeGreaterThan(0);
    // An AssumeRole's credentials are never selected: only the ARNs of what IAM created.
    expect(activitySql({ dialect: 'athena', ...TABLE, target: { principalArn: ROLE }, ...WINDOW, limit: 10 })).not.toMatch(/credentials/);
  });

  it('the bound keeps the newest events and says how many there were', async () => {
    const r = await bothRoutes([trailFile], { principalArn: ROLE }, WINDOW, 2);
    expect(r.rows.map((x) => x['event_name'])).toEqual(['DeleteFunction20150331', 'DeleteStack']);
    expect(r.rows.every((x) => x['matched'] === '6')).toBe(true);
  });

  it('refuses a target no IAM name can be (nothing from outside is spliced in unchecked)', () => {
    const sql = (target: ActivityTarget) => activitySql({ dialect: 'athena', ...TABLE, target, ...WINDOW, limit: 10 });
    expect(() => sql({ principalArn: `arn:aws:iam::${ACCT}:role/x' OR '1'='1` })).toThrow(/not a role or user ARN/);
    expect(() => sql({ principalArn: ROLE, sessionName: "s1' --" })).toThrow(/not a session name/);
    expect(() => sql({ principalArn: ROLE, ...WINDOW, since: "2026' OR 1=1" } as never)).not.toThrow();
    expect(() => activitySql({ dialect: 'athena', ...TABLE, target: { principalArn: ROLE }, since: "2026-12-05' OR 1=1 --", limit: 10 })).toThrow(/not an ISO timestamp/);
    // Control: a real name with every character IAM allows passes.
    expect(sql({ principalArn: `arn:aws:iam::${ACCT}:role/a/b/Name+=,.@_-1`, sessionName: 'x+=,.@_-' })).toContain("assumed-role/Name+=,.@_-1/x+=,.@_-'");
  });

  it('prunes partitions by the window, a day either side', () => {
    const sql = activitySql({ dialect: 'athena', ...TABLE, target: { principalArn: ROLE }, ...WINDOW, limit: 10, partition: { kind: 'date-string', column: 'timestamp' } });
    expect(sql).toContain(`"timestamp" BETWEEN '2026/12/04' AND '2026/12/07'`);
    expect(activitySql({ dialect: 'athena', ...TABLE, target: { principalArn: ROLE }, ...WINDOW, limit: 10 })).not.toContain('BETWEEN');
  });
});

describe.skipIf(!sharedFixturesPresent)(`the activity query on real trails${sharedFixturesPresent ? '' : ` (${SKIP_REASON})`}`, () => {
  it('each principal of the Invictus IR and Stratus trails: the same timeline as the files reader', async () => {
    const files = layOutFixtureTrails().map((f) => f.path);
    const db = await openTrailDb(files, TABLE.database, TABLE.table);
    const principals = (await db.query(`SELECT DISTINCT useridentity.type AS t, useridentity.arn AS arn, useridentity.sessioncontext.sessionissuer.arn AS issuer FROM security.cloudtrail_logs WHERE useridentity.type IN ('IAMUser', 'AssumedRole')`))
      .map((r) => (r['t'] === 'IAMUser' ? String(r['arn']) : String(r['issuer'])))
      .filter((a) => /^arn:aws:iam::\d{12}:(role|user)\//.test(a));
    db.close();
    const targets = [...new Set(principals)].slice(0, 8);
    expect(targets.length).toBeGreaterThan(1);
    for (const principalArn of targets) {
      const r = await bothRoutes(files, { principalArn }, { since: '2000-01-01T00:00:00Z', until: '2030-01-01T00:00:00Z' });
      expect(r.files.counts.matched, principalArn).toBeGreaterThan(0);
      expect(comparable(r.sql), principalArn).toEqual(comparable(r.files));
    }
  }, 120_000);
});

describe.skipIf(!motoAvailable)(`leash activity --cloudtrail-athena (moto)${motoAvailable ? '' : ` (skipped: ${MOTO_SKIP_REASON})`}`, () => {
  let moto: Moto;
  const env = { ...process.env };
  beforeAll(async () => {
    moto = await startMoto();
    boto3(moto, `client('athena').create_work_group(Name='leash-wg', Configuration={'ResultConfiguration': {'OutputLocation': 's3://aws-athena-query-results-123456789012-us-east-1/leash/'}})`);
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: MOTO_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: MOTO_CREDENTIALS.secretAccessKey, AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' });
  }, 120_000);
  afterAll(async () => {
    await moto?.stop();
    process.env = env;
  });

  it('the CLI sends the query for the session, reads its rows through the SDK, and prints the files\' timeline', async () => {
    const target = { principalArn: ROLE, sessionName: 's1' };
    const both = await bothRoutes([trailFile], target, WINDOW);
    await presetAthenaRows(moto, both.rows, ACTIVITY_COLUMNS);
    const args = ['activity', `arn:aws:sts::${ACCT}:assumed-role/deploy-agent/s1`, '--cloudtrail-athena', 'leash-wg/security.cloudtrail_logs', '--endpoint-url', moto.endpoint, '--region', 'us-east-1', '--since', WINDOW.since, '--until', WINDOW.until, '--json'];
    const r = await runCli(args);
    expect(r.code, r.err).toBe(0);
    const out = JSON.parse(r.out) as Timeline & { sources: { kind: string; status: string; counts: Record<string, number> }[] };
    expect(out.events.map((e) => e.eventName)).toEqual(both.files.events.map((e) => e.eventName));
    expect(out.sources[0]).toMatchObject({ kind: 'cloudtrail-athena', status: 'ok', counts: { rows: 4, matched: 4 } });
    // moto kept the query: the session's ARN, the window, in our workgroup.
    const ids = boto3(moto, `print(json.dumps(client('athena').list_query_executions(WorkGroup='leash-wg')['QueryExecutionIds']))`) as string[];
    const seen = boto3(moto, `print(json.dumps(client('athena').get_query_execution(QueryExecutionId=INPUT)['QueryExecution'], default=str))`, ids[ids.length - 1]) as { Query: string; WorkGroup: string };
    expect(seen.Query).toContain(`useridentity.arn = 'arn:aws:sts::${ACCT}:assumed-role/deploy-agent/s1'`);
    expect(seen.Query).toContain(`event_time >= '${WINDOW.since}'`);
    expect(seen.WorkGroup).toBe('leash-wg');
  }, 60_000);

  it('a bound that cut the events is said: the timeline is then a lower bound', async () => {
    const both = await bothRoutes([trailFile], { principalArn: ROLE }, WINDOW, 2);
    await presetAthenaRows(moto, both.rows, ACTIVITY_COLUMNS);
    const clients = createAwsClients({ endpointUrl: moto.endpoint, credentials: MOTO_CREDENTIALS, region: 'us-east-1', maxAttempts: 1 });
    try {
      const builder = new TimelineBuilder({ principalArn: ROLE }, { ...WINDOW, limit: 500 });
      const read = await readActivityAthena(clients.athena, TABLE, builder, { principalArn: ROLE }, WINDOW, { maxEvents: 2, pollMs: 1, sleep: async () => {} });
      expect(read.sources[0]).toMatchObject({ status: 'partial', counts: { rows: 2, matched: 6 } });
      expect(read.sources[0]!.detail).toMatch(/the 2 most recent of 6 events/);
      expect(builder.finish().counts.matched).toBe(2);
    } finally {
      clients.destroy();
    }
  }, 60_000);
});
