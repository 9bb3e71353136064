// The history writer is the one AWS write leash makes. Proven against moto's real S3 API: the
// read-only scan factory still refuses PutObject (its S3 client may only list and read trail files), and the history
// client refuses every command, bucket and key outside the one prefix the user named — checked by
// looking in the bucket afterwards, not only at the error.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CreateBucketCommand, DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyReadOnlyGuard, createAwsClients, ReadOnlyViolationError } from '../../../src/collect/aws/index.js';
import { InputError } from '../../../src/model/errors.js';
import { createHistoryS3Writer, guardHistoryClient, HISTORY_S3_OPERATIONS, HistoryScopeError, parseS3Url } from '../../../src/report/history-store/s3.js';
import { repoRoot } from '../../support/fixtures.js';
import { MOTO_CREDENTIALS, MOTO_SKIP_REASON, motoAvailable, startMoto, type Moto } from '../../support/moto.js';

const HOME = 'leash-history';
const OTHER = 'someone-elses-bucket';

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

describe('parseS3Url', () => {
  it('splits bucket and prefix, trimming slashes', () => {
    expect(parseS3Url('s3://my-bucket/a/b/')).toEqual({ bucket: 'my-bucket', prefix: 'a/b' });
    expect(parseS3Url('s3://my-bucket')).toEqual({ bucket: 'my-bucket', prefix: '' });
  });
  it.each(['s3://', 's3:///x', 's3://UPPER/x', 's3://a/x', 's3://my-bucket/a/../b', 'https://my-bucket/x'])('refuses %s with what was expected', (url) => {
    expect(() => parseS3Url(url)).toThrow(InputError);
    expect(() => parseS3Url(url)).toThrow(/s3:\/\/BUCKET\/PREFIX|plain relative key/);
  });
});

describe('the scan factory has no write', () => {
  it('no module under src/collect/ imports the history writer', () => {
    const offenders = filesUnder(join(repoRoot, 'src/collect')).filter((f) => /history-store/.test(readFileSync(f, 'utf8')));
    expect(offenders).toEqual([]);
    // Positive control: the history writer does import it (the scan above would catch a move).
    expect(readFileSync(join(repoRoot, 'src/report/history-store/s3.ts'), 'utf8')).toContain('@aws-sdk/client-s3');
  });
  it('the factory offers only its guarded read clients (S3 and Athena for trails read in place; Account for activity\'s enabled regions; regional clients for the resource inventory)', () => {
    const clients = createAwsClients({ credentials: MOTO_CREDENTIALS, endpointUrl: 'http://127.0.0.1:9' });
    expect(Object.keys(Object.getOwnPropertyDescriptors(clients)).sort()).toEqual(['account', 'athena', 'cloudtrail', 'destroy', 'iam', 'organizations', 'regional', 's3', 'ssoAdmin', 'sts']);
    clients.destroy();
  });
  it('only GetObject and PutObject are on the history list', () => {
    expect(HISTORY_S3_OPERATIONS.map((o) => o.action)).toEqual(['s3:GetObject', 's3:PutObject']);
  });
});

describe.skipIf(!motoAvailable)(`S3 write scope against moto${motoAvailable ? '' : ` (skipped: ${MOTO_SKIP_REASON})`}`, () => {
  let moto: Moto;
  let admin: S3Client;
  const client = (): S3Client => new S3Client({ region: 'us-east-1', endpoint: moto.endpoint, forcePathStyle: true, credentials: MOTO_CREDENTIALS, maxAttempts: 1 });
  const keys = async (bucket: string): Promise<string[]> => ((await admin.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents ?? []).map((o) => o.Key!).sort();

  beforeAll(async () => {
    moto = await startMoto();
    admin = client();
    await admin.send(new CreateBucketCommand({ Bucket: HOME }));
    await admin.send(new CreateBucketCommand({ Bucket: OTHER }));
    await admin.send(new PutObjectCommand({ Bucket: HOME, Key: 'nightly/keep-me', Body: 'x' }));
  }, 60_000);
  afterAll(async () => {
    admin?.destroy();
    await moto?.stop();
  });

  it('the read-only guard refuses PutObject before it is sent', async () => {
    const s3 = applyReadOnlyGuard(client());
    await expect(s3.send(new PutObjectCommand({ Bucket: HOME, Key: 'nightly/x', Body: 'x' }))).rejects.toBeInstanceOf(ReadOnlyViolationError);
    await expect(s3.send(new DeleteObjectCommand({ Bucket: HOME, Key: 'nightly/keep-me' }))).rejects.toBeInstanceOf(ReadOnlyViolationError);
    // Positive control: reading (CloudTrail files in place) is what the scan's S3 client is for.
    expect(await (await s3.send(new GetObjectCommand({ Bucket: HOME, Key: 'nightly/keep-me' }))).Body!.transformToString()).toBeTypeOf('string');
    expect(await keys(HOME)).toEqual(['nightly/keep-me']);
    s3.destroy();
  });

  it('the history client writes and reads under its prefix (positive control)', async () => {
    const s3 = guardHistoryClient(client(), { bucket: HOME, prefix: 'nightly' });
    await s3.send(new PutObjectCommand({ Bucket: HOME, Key: 'nightly/111122223333/latest', Body: 'x' }));
    const got = await s3.send(new GetObjectCommand({ Bucket: HOME, Key: 'nightly/111122223333/latest' }));
    expect(await got.Body!.transformToString()).toBe('x');
    s3.destroy();
  });

  it.each([
    ['another bucket', PutObjectCommand, { Bucket: OTHER, Key: 'nightly/x', Body: 'x' }],
    ['a key outside the prefix', PutObjectCommand, { Bucket: HOME, Key: 'elsewhere/x', Body: 'x' }],
    ['a sibling prefix that starts the same', PutObjectCommand, { Bucket: HOME, Key: 'nightly-evil/x', Body: 'x' }],
    ['.. out of the prefix', PutObjectCommand, { Bucket: HOME, Key: 'nightly/../x', Body: 'x' }],
    ['DeleteObject inside the prefix', DeleteObjectCommand, { Bucket: HOME, Key: 'nightly/keep-me' }],
    ['ListObjectsV2 on the bucket', ListObjectsV2Command, { Bucket: HOME }],
  ] as const)('refuses %s, and nothing changes in the buckets', async (_label, Command, input) => {
    const s3 = guardHistoryClient(client(), { bucket: HOME, prefix: 'nightly' });
    const before = [await keys(HOME), await keys(OTHER)];
    await expect(s3.send(new (Command as unknown as new (i: unknown) => PutObjectCommand)(input))).rejects.toBeInstanceOf(HistoryScopeError);
    expect([await keys(HOME), await keys(OTHER)]).toEqual(before);
    s3.destroy();
  });

  it('the writer API refuses keys that climb out, before anything is sent', async () => {
    const w = createHistoryS3Writer({ bucket: HOME, prefix: 'nightly', endpointUrl: moto.endpoint, credentials: MOTO_CREDENTIALS, maxAttempts: 1 });
    const before = await keys(HOME);
    await expect(w.put('../outside', Buffer.from('x'), 'text/plain')).rejects.toBeInstanceOf(InputError);
    await expect(w.put('a//b', Buffer.from('x'), 'text/plain')).rejects.toBeInstanceOf(InputError);
    expect(await keys(HOME)).toEqual(before);
    await w.put('111122223333/trend.ndjson', Buffer.from('{}\n'), 'application/x-ndjson');
    expect(await keys(HOME)).toContain('nightly/111122223333/trend.ndjson');
    expect(await w.get('111122223333/missing')).toBeUndefined();
    w.close();
  });
});
