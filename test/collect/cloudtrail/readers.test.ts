// The common reader interface: the same records through local files and through LookupEvents
// (loopback endpoint, the existing fake) give the same usage.
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { createAwsClients, type AwsClients } from '../../../src/collect/aws/client-factory.js';
import { fileReader, lookupEventsReader } from '../../../src/collect/cloudtrail/readers.js';
import type { CloudTrailRecordLike } from '../../support/fake-aws-account.js';
import { generateAccount } from '../../support/fake-aws-account.js';
import { fakeConnection, startFakeAws, type FakeAws } from '../../support/fake-aws.js';
import { sharedFixture, sharedFixturesPresent, SKIP_REASON } from '../../support/fixtures.js';
import { manualClock } from '../aws/manual-clock.js';

describe.skipIf(!sharedFixturesPresent)(`CloudTrailReader: files and LookupEvents agree${sharedFixturesPresent ? '' : ` (${SKIP_REASON})`}`, () => {
  let fake: FakeAws | undefined;
  let clients: AwsClients | undefined;
  afterAll(async () => {
    clients?.destroy();
    await fake?.close();
  });

  it('one Invictus-IR file read both ways', async () => {
    const file = sharedFixture('cloudtrail/invictus-ir-aws-dataset/218007301253_CloudTrail_us-east-1_20230710T1145Z_7xgocspSowgK0Gto.json');
    const records = (JSON.parse(readFileSync(file, 'utf8')) as { Records: CloudTrailRecordLike[] }).Records;
    fake = await startFakeAws({ ...generateAccount({ roles: 1 }), cloudTrailRecords: records }, { cloudTrailPageSize: 50 });
    clients = createAwsClients(fakeConnection(fake));
    const opts = { windowDays: 2, end: '2023-07-11T00:00:00Z' };
    const viaFile = await fileReader([file]).read(opts);
    const viaLookup = await lookupEventsReader(clients.cloudtrail, { clock: manualClock() }).read(opts);
    expect(viaLookup.errors).toEqual([]);
    expect(viaLookup.sources[0]).toMatchObject({ kind: 'cloudtrail-api', status: 'ok' });
    expect(viaLookup.usage).toEqual(viaFile.usage);
    expect(viaFile.usage.recordsRead).toBe(records.length);
  });
});
