// CloudTrail read in place from S3 (moto) against the local reader on the same fixture files.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients, type AwsClients } from '../../../../src/collect/aws/client-factory.js';
import { readCloudTrail } from '../../../../src/collect/cloudtrail/sources/files.js';
import { parseS3Url } from '../../../../src/collect/cloudtrail/reader.js';
import { readCloudTrailFromS3 } from '../../../../src/collect/cloudtrail/sources/s3.js';
import { daysToList } from '../../../../src/collect/cloudtrail/sources/s3-layout.js';
import { SKIP_REASON, sharedFixturesPresent } from '../../../support/fixtures.js';
import type { Report } from '../../../../src/model/report.js';
import { boto3, MOTO_CREDENTIALS, MOTO_SKIP_REASON, motoAvailable, startMoto, type Moto } from '../../../support/moto.js';
import { layOutFixtureTrails, type LaidOutFile } from '../../../support/trail-layout.js';

const ready = motoAvailable && sharedFixturesPresent;
const ORG = 'o-abcdef1234';

describe.skipIf(!ready)(`CloudTrail from S3 (moto)${ready ? '' : `: ${!motoAvailable ? MOTO_SKIP_REASON : SKIP_REASON}`}`, () => {
  let moto: Moto;
  let clients: AwsClients;
  let files: LaidOutFile[];
  let tmp: string;

  beforeAll(async () => {
    moto = await startMoto();
    clients = createAwsClients({ endpointUrl: moto.endpoint, credentials: MOTO_CREDENTIALS, region: 'us-east-1', maxAttempts: 1 });
    // invictus-ir under an organization trail's folder, the rest as account trails.
    files = layOutFixtureTrails({ orgId: ORG, orgSets: ['cloudtrail/invictus-ir-aws-dataset'] });
    boto3(
      moto,
      `
s3 = client('s3')
s3.create_bucket(Bucket='org-trail')
for f in INPUT:
    s3.upload_file(f['path'], 'org-trail', 'trail/' + f['key'])
# Digest files and a non-log object beside the logs must not be read.
s3.put_object(Bucket='org-trail', Key='trail/AWSLogs/o-abcdef1234/123837392027/CloudTrail-Digest/us-east-1/2023/07/10/x.json.gz', Body=b'not a log')
s3.put_object(Bucket='org-trail', Key='trail/AWSLogs/o-abcdef1234/123837392027/CloudTrail/us-east-1/2023/07/10/README.txt', Body=b'x')
s3.create_bucket(Bucket='bad-trail')
s3.put_object(Bucket='bad-trail', Key='AWSLogs/111111111111/CloudTrail/us-east-1/2024/01/02/a.json.gz', Body=b'\\x1f\\x8bnot gzip')
s3.upload_file(INPUT[0]['path'], 'bad-trail', 'AWSLogs/111111111111/CloudTrail/us-east-1/2024/01/02/b.json')
`,
      files.map((f) => ({ path: f.path, key: f.key })),
    );
    tmp = mkdtempSync(join(tmpdir(), 'leash-s3-'));
  }, 120_000);

  afterAll(async () => {
    clients?.destroy();
    await moto?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('reads the whole trail (account and organization folders) and gives the local reader\'s usage', async () => {
    const s3 = await readCloudTrailFromS3(clients.s3, parseS3Url('s3://org-trail/trail'));
    const local = await readCloudTrail(files.map((f) => f.path));
    expect(s3.errors).toEqual([]);
    expect(s3.usage).toEqual(local.usage);
    expect(s3.missingDays).toEqual(local.missingDays);
    expect(s3.calls.get).toBe(files.length);
    expect(s3.sources[0]).toMatchObject({ kind: 'cloudtrail-s3', status: 'ok', location: 's3://org-trail/trail/', counts: { files: files.length, badFiles: 0 } });
    expect(Object.keys(s3.usage.byPrincipal).length).toBeGreaterThan(5);
  });

  it('lists only the day folders of the window and reads only their objects', async () => {
    // One day of the invictus-ir set (2023-07-10); the folders either side are listed too.
    const opts = { windowDays: 1, end: '2023-07-10T23:59:59Z' };
    const s3 = await readCloudTrailFromS3(clients.s3, parseS3Url('s3://org-trail/trail/'), opts);
    const days = new Set(daysToList('2023-07-09T23:59:59Z', opts.end).map((d) => d.slice(0, -1)));
    const inFolders = files.filter((f) => days.has(f.day));
    const elsewhere = files.filter((f) => !days.has(f.day));
    expect(inFolders.length).toBeGreaterThan(0);
    expect(elsewhere.length).toBeGreaterThan(0);
    expect(s3.calls.get).toBe(inFolders.length);
    const local = await readCloudTrail(inFolders.map((f) => f.path), opts);
    expect(s3.usage).toEqual(local.usage);
    // Listing: the AWSLogs folder, the org folder, each account's CloudTrail folder, then one
    // listing per region × day folder — never a listing of the other days.
    const accounts = new Set(files.map((f) => f.key.split('/').slice(0, -6).join('/')));
    const regions = new Set(files.map((f) => f.key.split('/').slice(0, -4).join('/')));
    expect(s3.calls.list).toBe(1 + 1 + accounts.size + regions.size * days.size);
    expect(s3.sources[0]!.counts).toMatchObject({ prefixes: regions.size * days.size });
  });

  it('reads one account of an organization trail when asked (accounts filter), and the account prefix directly', async () => {
    const acct = '218007301253';
    const mine = files.filter((f) => f.account === acct);
    const viaFilter = await readCloudTrailFromS3(clients.s3, parseS3Url('s3://org-trail/trail/AWSLogs/'), { accounts: [acct] });
    const direct = await readCloudTrailFromS3(clients.s3, parseS3Url(`s3://org-trail/trail/AWSLogs/${ORG}/${acct}/`));
    const local = await readCloudTrail(mine.map((f) => f.path));
    expect(viaFilter.calls.get).toBe(mine.length);
    expect(viaFilter.usage).toEqual(local.usage);
    expect(direct.usage).toEqual(local.usage);
    // Negative control: another account's folder holds none of its principals.
    const other = await readCloudTrailFromS3(clients.s3, parseS3Url('s3://org-trail/trail/AWSLogs/'), { accounts: ['111111111111'] });
    expect(Object.keys(other.usage.byPrincipal).some((arn) => arn.includes(acct))).toBe(false);
  });

  it('a bad object is an error naming its s3:// key; the rest is read', async () => {
    const r = await readCloudTrailFromS3(clients.s3, parseS3Url('s3://bad-trail'));
    expect(r.errors).toEqual([expect.objectContaining({ source: 'cloudtrail-s3', code: 'invalid-input', location: 's3://bad-trail/AWSLogs/111111111111/CloudTrail/us-east-1/2024/01/02/a.json.gz' })]);
    expect(r.errors[0]!.message).toMatch(/gzip/);
    expect(r.sources[0]).toMatchObject({ status: 'partial', counts: { files: 2, badFiles: 1 } });
    expect(r.usage.recordsRead).toBeGreaterThan(0);
  });

  it('a missing bucket is a listing error, the source unavailable, nothing covered', async () => {
    const r = await readCloudTrailFromS3(clients.s3, parseS3Url('s3://no-such-trail-bucket/'), { windowDays: 2, end: '2024-01-02T00:00:00Z' });
    expect(r.errors[0]).toMatchObject({ source: 'cloudtrail-s3', location: 's3://no-such-trail-bucket/AWSLogs/' });
    expect(r.errors[0]!.message).toMatch(/NoSuchBucket/);
    expect(r.sources[0]).toMatchObject({ status: 'unavailable' });
    expect(r.usage.coveredPrincipals).toEqual([]);
  });
});

describe.skipIf(!ready)('leash scan --cloudtrail s3://… (CLI, moto)', () => {
  let moto: Moto;
  let tmp: string;
  const saved = { ...process.env };
  beforeAll(async () => {
    moto = await startMoto();
    const files = layOutFixtureTrails({ sets: ['cloudtrail/invictus-ir-aws-dataset'] });
    boto3(moto, `
s3 = client('s3')
s3.create_bucket(Bucket='one-account-trail')
for f in INPUT:
    s3.upload_file(f['path'], 'one-account-trail', 'logs/' + f['key'])
`, files.map((f) => ({ path: f.path, key: f.key })));
    tmp = mkdtempSync(join(tmpdir(), 'leash-s3-cli-'));
    // An export of the trail's account (one role), so the scan reads that account's folder.
    const role = { Path: '/', RoleName: 'reader', RoleId: 'AROAEXAMPLEREADER0001', Arn: `arn:aws:iam::${ACCOUNT}:role/reader`, CreateDate: '2023-01-01T00:00:00Z', AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [] }, InstanceProfileList: [], RolePolicyList: [], AttachedManagedPolicies: [], Tags: [] };
    writeFileSync(join(tmp, 'auth.json'), JSON.stringify({ UserDetailList: [], GroupDetailList: [], RoleDetailList: [role], Policies: [] }));
    process.env['AWS_ACCESS_KEY_ID'] = MOTO_CREDENTIALS.accessKeyId;
    process.env['AWS_SECRET_ACCESS_KEY'] = MOTO_CREDENTIALS.secretAccessKey;
  }, 120_000);
  afterAll(async () => {
    process.env = saved;
    await moto?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  const ACCOUNT = '123837392027';
  it('reads the trail in place and reports it as a cloudtrail-s3 source; a bad s3:// argument is exit 2 before anything is read', async () => {
    const { runCli } = await import('../../../support/cli.js');
    const r = await runCli(['scan', '--input', join(tmp, 'auth.json'), '--cloudtrail', 's3://one-account-trail/logs', '--endpoint-url', moto.endpoint, '--region', 'us-east-1', '--until', '2023-07-10T23:59:59Z', '--reports', tmp, '--json', '--format', 'json']);
    const report = JSON.parse(r.out) as Report;
    const src = report.scan.sources.find((s) => s.kind === 'cloudtrail-s3');
    expect(src).toMatchObject({ location: 's3://one-account-trail/logs/', status: 'ok' });
    expect(src!.counts!['records']).toBeGreaterThan(1000);
    expect(report.scan.coverage.usage.recordsRead).toBe(src!.counts!['records']);
    const bad = await runCli(['scan', '--input', join(tmp, 'auth.json'), '--cloudtrail', 's3://Not_A_Bucket/x', '--reports', tmp]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--cloudtrail: expected s3:\/\/BUCKET\/PREFIX/);
  }, 60_000);
});

describe('s3:// arguments', () => {
  it('parses bucket and prefix, and refuses what is not an S3 URL', () => {
    expect(parseS3Url('s3://org-trail')).toEqual({ bucket: 'org-trail', prefix: '', url: 's3://org-trail/' });
    expect(parseS3Url('s3://org-trail/a/b')).toEqual({ bucket: 'org-trail', prefix: 'a/b/', url: 's3://org-trail/a/b/' });
    expect(() => parseS3Url('s3://Bad_Bucket/x')).toThrow(/valid S3 bucket name/);
    expect(() => parseS3Url('s3://ok-bucket/../x')).toThrow(/without ".."/);
    expect(() => parseS3Url('https://x')).toThrow(/s3:\/\/BUCKET/);
  });
});
