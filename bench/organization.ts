// Organization-scale benchmarks (issue 12), each in its own child process so peak RSS is its own:
//   s3      CloudTrail read in place from S3 (moto on loopback) against the local reader, same corpus
//   athena  the one usage SQL (DuckDB over the fixture trails) against the local reader: equal?
//   duckdb  DuckDB's route against the local reader on the synthetic corpus (1M records by default)
//   org     leash scan --org over 3 member accounts × 2,000 roles, peak RSS
// Run: npx tsx bench/organization.ts s3|athena|duckdb|org [records]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCorpus } from './cloudtrail-ingest.js';

type Row = Record<string, number | string | boolean>;
const round = (n: number, d = 1): number => Math.round(n * 10 ** d) / 10 ** d;

function peakSampler(): { stop(): number } {
  let peak = process.memoryUsage().rss;
  const t = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  return {
    stop() {
      clearInterval(t);
      return Math.max(peak, process.memoryUsage().rss) / 2 ** 20;
    },
  };
}

async function benchS3(records: number): Promise<Row> {
  const { startMoto, boto3, MOTO_CREDENTIALS } = await import('../test/support/moto.js');
  const { readCloudTrail } = await import('../src/collect/cloudtrail/sources/files.js');
  const { readCloudTrailFromS3 } = await import('../src/collect/cloudtrail/sources/s3.js');
  const { createAwsClients } = await import('../src/collect/aws/client-factory.js');
  const { catalog } = await import('../src/iam/catalog.js');
  const dir = mkdtempSync(join(tmpdir(), 'leash-bench-s3-'));
  const moto = await startMoto();
  try {
    const corpus = buildCorpus(dir, records);
    const tUp = Date.now();
    boto3(moto, `
import os
s3 = client('s3')
s3.create_bucket(Bucket='bench-trail')
root = INPUT['root']
for f in INPUT['files']:
    s3.upload_file(f, 'bench-trail', os.path.relpath(f, root))
`, { root: dir, files: corpus.files });
    const uploadSeconds = (Date.now() - tUp) / 1000;
    catalog();
    const clients = createAwsClients({ endpointUrl: moto.endpoint, credentials: MOTO_CREDENTIALS, region: 'us-east-1', maxAttempts: 2 });
    const best = async <T>(f: () => Promise<T>): Promise<{ s: number; r: T }> => {
      let out: { s: number; r: T } | undefined;
      for (let i = 0; i < 2; i++) {
        const t = process.hrtime.bigint();
        const r = await f();
        const s = Number(process.hrtime.bigint() - t) / 1e9;
        if (!out || s < out.s) out = { s, r };
      }
      return out!;
    };
    const local = await best(() => readCloudTrail([join(dir, 'AWSLogs')], { workers: 0 }));
    const s3 = await best(() => readCloudTrailFromS3(clients.s3, { bucket: 'bench-trail', prefix: '', url: 's3://bench-trail/' }));
    clients.destroy();
    const equal = JSON.stringify(s3.r.usage) === JSON.stringify(local.r.usage);
    return {
      records: local.r.usage.recordsRead,
      files: corpus.files.length,
      corpusGzMB: round(corpus.gzBytes / 2 ** 20),
      uploadToMotoSeconds: round(uploadSeconds),
      localSeconds: round(local.s, 2),
      s3Seconds: round(s3.s, 2),
      localRecordsPerSec: Math.round(local.r.usage.recordsRead / local.s),
      s3RecordsPerSec: Math.round(s3.r.usage.recordsRead / s3.s),
      s3VsLocal: `${Math.round((100 * local.s) / s3.s)}% (target ≥ 50%)`,
      s3ListCalls: s3.r.calls.list,
      s3GetCalls: s3.r.calls.get,
      sameUsage: equal,
    };
  } finally {
    await moto.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function benchAthenaEquality(): Promise<Row> {
  const { layOutFixtureTrails } = await import('../test/support/trail-layout.js');
  const { openTrailDb } = await import('../test/support/duckdb-trail.js');
  const { usageSql } = await import('../src/collect/cloudtrail/usage-sql.js');
  const { rowsToUsage } = await import('../src/collect/cloudtrail/usage-rows.js');
  const { readCloudTrail } = await import('../src/collect/cloudtrail/sources/files.js');
  const paths = layOutFixtureTrails().map((f) => f.path);
  const noLimits = { resourcesPerAction: Infinity, sessionsPerPrincipal: Infinity, userAgentsPerPrincipal: Infinity, userAgentsPerSession: Infinity, actionsPerSession: Infinity, sourceIpsPerPrincipal: Infinity, sourceIpsPerSession: Infinity, unmappedPairs: Infinity };
  const t = Date.now();
  const db = await openTrailDb(paths, 'security', 'cloudtrail_logs');
  const rows = await db.query(usageSql({ dialect: 'duckdb', database: 'security', table: 'cloudtrail_logs', resourcesPerRow: 1e6, sourceIpsPerRow: 1e6 }));
  db.close();
  const sql = rowsToUsage(rows, { limits: noLimits });
  const sqlSeconds = (Date.now() - t) / 1000;
  const local = await readCloudTrail(paths, { limits: noLimits });
  return {
    fixtureFiles: paths.length,
    events: local.usage.recordsRead,
    aggregateRows: rows.length,
    principals: Object.keys(local.usage.byPrincipal).length,
    duckdbSeconds: round(sqlSeconds, 2),
    equalToLocalReader: JSON.stringify(sql.usage) === JSON.stringify(local.usage),
  };
}

async function benchDuckDbLocal(records: number): Promise<Row> {
  const { openTrailDb } = await import('../test/support/duckdb-trail.js');
  const { usageSql } = await import('../src/collect/cloudtrail/usage-sql.js');
  const { rowsToUsage } = await import('../src/collect/cloudtrail/usage-rows.js');
  const { readCloudTrail } = await import('../src/collect/cloudtrail/sources/files.js');
  const { catalog } = await import('../src/iam/catalog.js');
  const dir = mkdtempSync(join(tmpdir(), 'leash-bench-duck-'));
  try {
    const corpus = buildCorpus(dir, records);
    catalog();
    let sampler = peakSampler();
    let t = process.hrtime.bigint();
    const local = await readCloudTrail([join(dir, 'AWSLogs')], { workers: 0 });
    const localSeconds = Number(process.hrtime.bigint() - t) / 1e9;
    const localPeak = sampler.stop();
    sampler = peakSampler();
    t = process.hrtime.bigint();
    const db = await openTrailDb(corpus.files, 'security', 'cloudtrail_logs');
    const rows = await db.query(usageSql({ dialect: 'duckdb', database: 'security', table: 'cloudtrail_logs' }));
    db.close();
    const duck = rowsToUsage(rows);
    const duckSeconds = Number(process.hrtime.bigint() - t) / 1e9;
    const duckPeak = sampler.stop();
    return {
      records: local.usage.recordsRead,
      files: corpus.files.length,
      localReaderSeconds: round(localSeconds, 2),
      duckdbSeconds: round(duckSeconds, 2),
      localRecordsPerSec: Math.round(local.usage.recordsRead / localSeconds),
      duckdbRecordsPerSec: Math.round(duck.events / duckSeconds),
      duckdbVsLocal: `${Math.round((100 * localSeconds) / duckSeconds)}%`,
      processPeakRssMB_afterLocal: round(localPeak),
      processPeakRssMB_afterDuckdb: round(duckPeak),
      sameEventCount: duck.events === local.usage.recordsRead,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function benchOrg(rolesPerAccount: number): Promise<Row> {
  const { startMoto, boto3 } = await import('../test/support/moto.js');
  const { scanOrganization } = await import('../src/pipeline/org-scan.js');
  const moto = await startMoto();
  const reports = mkdtempSync(join(tmpdir(), 'leash-bench-org-'));
  try {
    const tSetup = Date.now();
    const ids = boto3(moto, `
o = client('organizations')
o.create_organization(FeatureSet='ALL')
ids = [o.create_account(AccountName=f'm{i}', Email=f'm{i}@example.com')['CreateAccountStatus']['AccountId'] for i in range(3)]
trust = json.dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Principal': {'AWS': 'arn:aws:iam::123456789012:root'}, 'Action': 'sts:AssumeRole'}]})
pol = json.dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': ['s3:GetObject', 'logs:*', 'ec2:Describe*'], 'Resource': '*'}]})
for a in ids:
    cr = client('sts').assume_role(RoleArn=f'arn:aws:iam::{a}:role/OrganizationAccountAccessRole', RoleSessionName='setup')['Credentials']
    iam = client('iam', cr)
    for i in range(INPUT):
        name = f'agent-{i}' if i % 50 == 0 else f'app-{i}'
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust, Tags=[{'Key': 'ai-agent', 'Value': 'true'}] if i % 50 == 0 else [])
        iam.put_role_policy(RoleName=name, PolicyName='p', PolicyDocument=pol)
print(json.dumps(ids))
`, rolesPerAccount) as string[];
    const setupSeconds = (Date.now() - tSetup) / 1000;
    process.env['AWS_ACCESS_KEY_ID'] = 'moto-test-access-key';
    process.env['AWS_SECRET_ACCESS_KEY'] = 'moto-test-secret';
    const sampler = peakSampler();
    const t = Date.now();
    const r = await scanOrganization({ endpointUrl: moto.endpoint, region: 'us-east-1', reportsRoot: reports, includeAccounts: ids, concurrency: 2 });
    const seconds = (Date.now() - t) / 1000;
    const peak = sampler.stop();
    return {
      accounts: r.report.coverage.accountsScanned,
      rolesPerAccount,
      principalsTotal: Object.values(r.report.countsByAccount).reduce((n, c) => n + c.principals, 0),
      agentPrincipals: r.report.agentPrincipals.length,
      motoSetupSeconds: round(setupSeconds),
      orgScanSeconds: round(seconds, 1),
      concurrency: 2,
      peakRssMB: round(peak),
    };
  } finally {
    await moto.stop();
    rmSync(reports, { recursive: true, force: true });
  }
}

export function runOrganizationBench(which: 's3' | 'athena' | 'duckdb' | 'org', arg?: number): Row {
  const self = fileURLToPath(import.meta.url);
  const r = spawnSync(process.execPath, ['--import', 'tsx', self, which, ...(arg !== undefined ? [String(arg)] : [])], {
    encoding: 'utf8',
    maxBuffer: 16 * 2 ** 20,
    env: { ...process.env, LEASH_ORG_BENCH_CHILD: '1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', AWS_EC2_METADATA_DISABLED: 'true' },
  });
  if (r.status !== 0) throw new Error(`bench/organization.ts ${which} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Row;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const which = process.argv[2] ?? 'athena';
  const n = process.argv[3] ? Number(process.argv[3]) : undefined;
  const row =
    which === 's3' ? await benchS3(n ?? 200_000) : which === 'duckdb' ? await benchDuckDbLocal(n ?? 1_000_000) : which === 'org' ? await benchOrg(n ?? 2_000) : await benchAthenaEquality();
  if (process.env['LEASH_ORG_BENCH_CHILD']) process.stdout.write(`${JSON.stringify(row)}\n`);
  else for (const [k, v] of Object.entries(row)) console.log(`${k.padEnd(32)}  ${String(v)}`);
}
