// --history s3://bucket/prefix against moto's real S3 API, with each scan on a fresh, empty reports
// root (what a CI runner sees every night): the previous scan comes only from the bucket.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../../src/model/report.js';
import { demoDir } from '../../../src/pipeline/paths.js';
import { parseTrend } from '../../../src/report/trend.js';
import { runCli } from '../../support/cli.js';
import { MOTO_CREDENTIALS, MOTO_SKIP_REASON, motoAvailable, startMoto, type Moto } from '../../support/moto.js';
import { parseReport } from '../../../src/report/history.js';

const BUCKET = 'leash-history-test';
const PREFIX = 'nightly/prod';

describe.skipIf(!motoAvailable)(`--history s3:// against moto${motoAvailable ? '' : ` (skipped: ${MOTO_SKIP_REASON})`}`, () => {
  let moto: Moto;
  let s3: S3Client;
  const savedEnv: Record<string, string | undefined> = {};
  const tmp = mkdtempSync(join(tmpdir(), 'leash-s3hist-'));

  beforeAll(async () => {
    moto = await startMoto();
    for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION', 'AWS_PROFILE']) savedEnv[k] = process.env[k];
    // The CLI resolves credentials through the SDK chain, as in CI; moto's fake keys come from env.
    process.env.AWS_ACCESS_KEY_ID = MOTO_CREDENTIALS.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = MOTO_CREDENTIALS.secretAccessKey;
    process.env.AWS_REGION = 'us-east-1';
    delete process.env.AWS_PROFILE;
    s3 = new S3Client({ region: 'us-east-1', endpoint: moto.endpoint, forcePathStyle: true, credentials: MOTO_CREDENTIALS, maxAttempts: 1 });
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  }, 60_000);

  afterAll(async () => {
    s3?.destroy();
    for (const [k, v] of Object.entries(savedEnv)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
    await moto?.stop();
  });

  async function object(key: string): Promise<Buffer | undefined> {
    try {
      const out = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
      return Buffer.from(await out.Body!.transformToByteArray());
    } catch (e) {
      if ((e as Error).name === 'NoSuchKey') return undefined;
      throw e;
    }
  }

  const scan = (reports: string, extra: string[], history = true) =>
    runCli(['scan', ...extra, '--reports', reports, ...(history ? ['--history', `s3://${BUCKET}/${PREFIX}`, '--endpoint-url', moto.endpoint] : []), '--format', 'json,asff', '--fail-on', 'high', '--fail-on-new', '--ci']);
  const reportIn = (reports: string): Report => {
    const account = readFileSync(join(reports, '.account'), 'utf8');
    const latest = readFileSync(join(reports, account, 'latest'), 'utf8').trim();
    return parseReport(readFileSync(join(reports, account, latest, 'report.json'), 'utf8'), 'report.json');
  };

  it('carries firstSeen, --fail-on-new and resolved findings across runs that start with an empty reports/', async () => {
    const account = '111122223333';
    const r1 = join(tmp, 'run1');
    const first = await scan(r1, ['--demo']);
    expect(first.err).toBe('');
    // Everything is new on the first night: --fail-on-new fails the build.
    expect(first.code).toBe(1);
    writeFileSync(join(r1, '.account'), account);
    const rep1 = reportIn(r1);
    expect(rep1.scan.account.id).toBe(account);
    expect(rep1.delta).toBeUndefined();

    const latest = (await object(`${PREFIX}/${account}/latest`))!.toString().trim();
    const stored = parseReport(gunzipSync((await object(`${PREFIX}/${account}/${latest}/report.json.gz`))!).toString(), 'report.json.gz');
    expect(stored.scan.id).toBe(rep1.scan.id);

    // Night two, a fresh runner: nothing new, firstSeen from night one, delta against it.
    const r2 = join(tmp, 'run2');
    const second = await scan(r2, ['--demo']);
    expect(second.err).toBe('');
    expect(second.code).toBe(0);
    writeFileSync(join(r2, '.account'), account);
    const rep2 = reportIn(r2);
    expect(rep2.delta?.previousScanId).toBe(rep1.scan.id);
    expect(rep2.delta?.newFindings).toEqual([]);
    expect(rep2.findings.length).toBeGreaterThan(0);
    for (const f of rep2.findings) expect(f.firstSeen).toBe(rep1.scan.startedAt);

    // Night three: kiro-agent is gone from the account, so its findings resolve and ASFF archives them.
    const auth = JSON.parse(readFileSync(join(demoDir, 'authorization-details.json'), 'utf8')) as { RoleDetailList: { RoleName: string }[] };
    auth.RoleDetailList = auth.RoleDetailList.filter((r) => r.RoleName !== 'kiro-agent');
    const input = join(tmp, 'without-kiro.json');
    writeFileSync(input, JSON.stringify(auth));
    const r3 = join(tmp, 'run3');
    const third = await scan(r3, ['--input', input, '--config', join(demoDir, 'leash.config.yaml'), '--cloudtrail', join(demoDir, 'cloudtrail'), '--inventory', join(demoDir, 'inventory.json')]);
    expect(third.err).toBe('');
    writeFileSync(join(r3, '.account'), account);
    const rep3 = reportIn(r3);
    // Its own findings, and the roles' findings about trusting it (unused-agent-trust), resolve.
    const kiroIds = rep2.findings.filter((f) => f.principalArn.endsWith(':role/kiro-agent') || f.subject.endsWith(':role/kiro-agent')).map((f) => f.id);
    expect(kiroIds.length).toBeGreaterThan(0);
    expect(rep3.delta?.previousScanId).toBe(rep2.scan.id);
    expect([...(rep3.delta?.resolvedFindings ?? [])].sort()).toEqual(expect.arrayContaining(kiroIds));
    const asff = JSON.parse(readFileSync(join(r3, account, readFileSync(join(r3, account, 'latest'), 'utf8').trim(), 'findings.asff.json'), 'utf8')) as { Id: string; RecordState: string; Workflow: { Status: string } }[];
    const archived = asff.filter((a) => a.RecordState === 'ARCHIVED');
    expect(archived.length).toBe(kiroIds.length);
    expect(archived.every((a) => a.Workflow.Status === 'RESOLVED')).toBe(true);

    // The trend in the bucket has one line per night, with new/resolved against the night before.
    const trend = parseTrend((await object(`${PREFIX}/${account}/trend.ndjson`))!.toString(), 'trend');
    expect(trend.map((t) => t.scanId)).toEqual([rep1.scan.id, rep2.scan.id, rep3.scan.id]);
    expect(trend.map((t) => t.new)).toEqual([null, 0, rep3.delta!.newFindings.length]);
    expect(trend[2]!.resolved).toBe(rep3.delta!.resolvedFindings.length);
  });

  it('negative control: without --history every night on a fresh runner starts over', async () => {
    const a = await scan(join(tmp, 'nohist1'), ['--demo'], false);
    const b = await scan(join(tmp, 'nohist2'), ['--demo'], false);
    expect(a.code).toBe(1);
    expect(b.code).toBe(1); // everything "new" again: the failure --history exists to end
  });

  it('a history that cannot be read is not overwritten: exit 2, the local bundle still written', async () => {
    const prefix = 'broken';
    const account = '111122223333';
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${prefix}/${account}/latest`, Body: 'not a scan name\n' }));
    const reports = join(tmp, 'broken');
    const r = await runCli(['scan', '--demo', '--reports', reports, '--history', `s3://${BUCKET}/${prefix}`, '--endpoint-url', moto.endpoint, '--format', 'json', '--ci']);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`s3://${BUCKET}/${prefix}/${account}/latest`);
    expect(readFileSync(join(reports, account, 'latest'), 'utf8').trim()).toMatch(/^\d{4}-/);
    expect((await object(`${prefix}/${account}/latest`))!.toString()).toBe('not a scan name\n');
    expect(await object(`${prefix}/${account}/trend.ndjson`)).toBeUndefined();
  });

  it('a bucket leash may not write is named in the error, with the report written locally', async () => {
    const reports = join(tmp, 'nobucket');
    const r = await runCli(['scan', '--demo', '--reports', reports, '--history', 's3://no-such-bucket-here/x', '--endpoint-url', moto.endpoint, '--format', 'json', '--ci']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('s3://no-such-bucket-here/x');
    expect(r.err).toMatch(/NoSuchBucket/);
  });
});
