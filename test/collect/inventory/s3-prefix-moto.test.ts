// `--inventory s3://bucket/prefix/`: the newest AWS Config snapshot of each account and region
// under a prefix, found by a bounded listing (ListObjectsV2) and read gzipped or not (GetObject),
// against moto's S3 with the real SDK through the read-only factory.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients, type AwsClients } from '../../../src/collect/aws/client-factory.js';
import { readInventoryFile } from '../../../src/collect/inventory/load.js';
import { newestSnapshotKeys, snapshotObject } from '../../../src/collect/inventory/s3-file.js';
import { parseS3Inventory } from '../../../src/collect/inventory/s3-url.js';
import { collectSnapshot } from '../../../src/pipeline/scan.js';
import { InputError } from '../../../src/model/errors.js';
import { boto3, MOTO_CREDENTIALS, MOTO_SKIP_REASON, motoAvailable, startMoto, type Moto } from '../../support/moto.js';

const A = '123456789012';
const B = '210987654321';
const BUCKET = 'config-delivery';
const table = (acct: string, region: string, name: string) => ({ resourceType: 'AWS::DynamoDB::Table', ARN: `arn:aws:dynamodb:${region}:${acct}:table/${name}`, resourceName: name, awsAccountId: acct, awsRegion: region, tags: { env: 'prod' } });
const snap = (...items: unknown[]) => ({ fileVersion: '1.0', configSnapshotId: 'x', configurationItems: items });
const key = (acct: string, region: string, day: string, stamp: string, kind = 'ConfigSnapshot') => `AWSLogs/${acct}/Config/${region}/${day}/${kind}/${acct}_Config_${region}_${kind}_${stamp}_abc.json${kind === 'ConfigSnapshot' && region === 'eu-west-1' ? '' : '.gz'}`;

describe('Config snapshot objects by key', () => {
  it('names the series and time of a delivered snapshot; ConfigHistory and other files are not snapshots', () => {
    expect(snapshotObject(key(A, 'us-east-1', '2026/12/1', '20261201T060000Z'), undefined)).toEqual({ key: key(A, 'us-east-1', '2026/12/1', '20261201T060000Z'), series: `${A}/us-east-1`, at: '20261201T060000Z' });
    // Days are not zero-padded (2026/12/9 < 2026/12/10 lexically fails): the file name's timestamp decides.
    expect(snapshotObject(key(A, 'us-east-1', '2026/12/9', '20261209T000000Z'), undefined)!.at < snapshotObject(key(A, 'us-east-1', '2026/12/10', '20261210T000000Z'), undefined)!.at).toBe(true);
    expect(snapshotObject(key(A, 'us-east-1', '2026/12/1', '20261201T060000Z', 'ConfigHistory'), undefined)).toBeUndefined();
    expect(snapshotObject(`AWSLogs/${A}/Config/ConfigWritabilityCheckFile`, undefined)).toBeUndefined();
    // A snapshot copied elsewhere: the series from its name, the time from LastModified when the name has none.
    expect(snapshotObject('copies/ConfigSnapshot/x.json', new Date('2026-12-01T00:00:00Z'))).toEqual({ key: 'copies/ConfigSnapshot/x.json', series: '', at: '20261201T000000Z' });
  });

  it('s3://bucket/prefix/ is a prefix, s3://bucket/key an object; a bad spec is input error', () => {
    expect(parseS3Inventory('s3://b-1/AWSLogs/')).toEqual({ bucket: 'b-1', prefix: 'AWSLogs/' });
    expect(parseS3Inventory('s3://b-1/')).toEqual({ bucket: 'b-1', prefix: '' });
    expect(parseS3Inventory('s3://b-1/a/b.json.gz')).toEqual({ bucket: 'b-1', key: 'a/b.json.gz' });
    for (const bad of ['s3://B/x', 's3://b-1', 's3://b-1//x', 's3://b-1/a\u0000b']) expect(() => parseS3Inventory(bad)).toThrow(InputError);
  });
});

describe.skipIf(!motoAvailable)(`--inventory s3://bucket/prefix/ (moto)${motoAvailable ? '' : `: ${MOTO_SKIP_REASON}`}`, () => {
  let moto: Moto;
  let clients: AwsClients;
  const opts = () => ({ s3: () => clients.s3 });
  beforeAll(async () => {
    moto = await startMoto();
    clients = createAwsClients({ endpointUrl: moto.endpoint, region: 'us-east-1', credentials: MOTO_CREDENTIALS, maxAttempts: 1 });
    const objects = [
      [key(A, 'us-east-1', '2026/11/30', '20261130T060000Z'), snap(table(A, 'us-east-1', 'old'))],
      // Day 9 vs day 10: lexically "9" > "10", the newer is 10.
      [key(A, 'us-east-1', '2026/12/9', '20261209T060000Z'), snap(table(A, 'us-east-1', 'day9'))],
      [key(A, 'us-east-1', '2026/12/10', '20261210T060000Z'), snap(table(A, 'us-east-1', 'new'))],
      // History files are newer still, but not snapshots.
      [key(A, 'us-east-1', '2026/12/11', '20261211T000000Z', 'ConfigHistory'), snap(table(A, 'us-east-1', 'history'))],
      [key(A, 'eu-west-1', '2026/12/1', '20261201T060000Z'), snap(table(A, 'eu-west-1', 'eu'))],
      [key(B, 'us-east-1', '2026/12/10', '20261210T060000Z'), snap(table(B, 'us-east-1', 'other-account'))],
    ];
    boto3(moto, `
import gzip
s3 = client('s3')
s3.create_bucket(Bucket='${BUCKET}')
for k, body in INPUT:
    data = json.dumps(body).encode()
    s3.put_object(Bucket='${BUCKET}', Key=k, Body=gzip.compress(data) if k.endswith('.gz') else data)
s3.put_object(Bucket='${BUCKET}', Key='AWSLogs/${A}/Config/ConfigWritabilityCheckFile', Body=b'')
s3.create_bucket(Bucket='empty-delivery')
s3.put_object(Bucket='empty-delivery', Key='AWSLogs/${A}/Config/us-east-1/2026/12/1/ConfigHistory/h.json.gz', Body=gzip.compress(b'{}'))
print('{}')`, objects);
  }, 60_000);
  afterAll(async () => {
    clients?.destroy();
    await moto?.stop();
  });

  const names = (inv: Awaited<ReturnType<typeof readInventoryFile>>) => inv.resources.map((r) => r.name).sort();

  it("reads the newest snapshot of each region under an account's prefix (gzipped or not), and nothing older or of history", async () => {
    const inv = await readInventoryFile(`s3://${BUCKET}/AWSLogs/${A}/Config/`, opts());
    expect(inv.errors).toEqual([]);
    expect(names(inv)).toEqual(['eu', 'new']);
    expect(inv.sources.map((s) => s.location).sort()).toEqual([`s3://${BUCKET}/${key(A, 'eu-west-1', '2026/12/1', '20261201T060000Z')}`, `s3://${BUCKET}/${key(A, 'us-east-1', '2026/12/10', '20261210T060000Z')}`]);
    // Negative control: naming the older object itself reads that one.
    expect(names(await readInventoryFile(`s3://${BUCKET}/${key(A, 'us-east-1', '2026/11/30', '20261130T060000Z')}`, opts()))).toEqual(['old']);
  });

  it('the whole bucket: one newest snapshot per account and region; a narrower prefix leaves the other account out', async () => {
    expect(names(await readInventoryFile(`s3://${BUCKET}/`, opts()))).toEqual(['eu', 'new', 'other-account']);
    expect(names(await readInventoryFile(`s3://${BUCKET}/AWSLogs/${A}/Config/us-east-1/`, opts()))).toEqual(['new']);
  });

  it('no snapshot under the prefix, a missing bucket, or a listing past the bound: input error naming the URL', async () => {
    await expect(readInventoryFile('s3://empty-delivery/AWSLogs/', opts())).rejects.toThrow(/s3:\/\/empty-delivery\/AWSLogs\/: expected an AWS Config snapshot under the prefix .*got none among 1 object/);
    await expect(readInventoryFile('s3://no-such-delivery/AWSLogs/', opts())).rejects.toThrow(/expected a listable S3 prefix \(s3:ListBucket\), got .*NoSuchBucket|does not exist/);
    // Bounded: 2 keys a page, stop past 3 listed.
    await expect(newestSnapshotKeys(clients.s3, BUCKET, 'AWSLogs/', `s3://${BUCKET}/AWSLogs/`, 3, 2)).rejects.toThrow(/expected a prefix with at most 3 objects under it/);
    // Negative control: the same pages with room for all of them finish.
    expect((await newestSnapshotKeys(clients.s3, BUCKET, 'AWSLogs/', `s3://${BUCKET}/AWSLogs/`, 100, 2)).keys).toHaveLength(3);
  });

  it('through the scan: `--inventory s3://…/prefix/` puts the newest snapshot in the snapshot and the sources', async () => {
    const saved = { ...process.env };
    process.env['AWS_ACCESS_KEY_ID'] = MOTO_CREDENTIALS.accessKeyId;
    process.env['AWS_SECRET_ACCESS_KEY'] = MOTO_CREDENTIALS.secretAccessKey;
    try {
      const { snapshot } = await collectSnapshot({ demo: true, inventory: [`s3://${BUCKET}/AWSLogs/${A}/Config/us-east-1/`], endpointUrl: moto.endpoint, region: 'us-east-1' });
      expect(snapshot.inventory!.resources.some((r) => r.name === 'new')).toBe(true);
      expect(snapshot.inventory!.resources.some((r) => r.name === 'old' || r.name === 'day9')).toBe(false);
      expect(snapshot.sources.find((s) => s.location.endsWith('20261210T060000Z_abc.json.gz'))).toMatchObject({ kind: 'config-snapshot', status: 'ok' });
    } finally {
      process.env = saved;
    }
  });
});
