import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createAwsClients, type AwsClients } from '../../../../src/collect/aws/client-factory.js';
import { lookupCloudTrailEvents } from '../../../../src/collect/cloudtrail/sources/lookup-events.js';
import { generateAccount, type CloudTrailRecordLike } from '../../../support/fake-aws-account.js';
import { fakeConnection, startFakeAws, type FakeAws } from '../../../support/fake-aws.js';
import { sharedFixture, sharedFixturesPresent, SKIP_REASON } from '../../../support/fixtures.js';
import { manualClock } from '../../aws/manual-clock.js';

const records = (n: number): CloudTrailRecordLike[] =>
  Array.from({ length: n }, (_, i) => ({ eventID: `e${i}`, eventTime: new Date(Date.UTC(2026, 10, 1, 0, i)).toISOString(), eventSource: 'ec2.amazonaws.com', eventName: 'DescribeInstances', userAgent: 'Claude-Code/1.0' }));
const window = { startTime: new Date(Date.UTC(2026, 9, 1)), endTime: new Date(Date.UTC(2026, 11, 1)) };

let fake: FakeAws | undefined;
let clients: AwsClients | undefined;
afterEach(async () => {
  clients?.destroy();
  await fake?.close();
});

async function setUp(recs: readonly CloudTrailRecordLike[], pageSize = 50): Promise<AwsClients> {
  fake = await startFakeAws({ ...generateAccount({ roles: 1 }), cloudTrailRecords: recs }, { cloudTrailPageSize: pageSize });
  clients = createAwsClients(fakeConnection(fake));
  return clients;
}

describe('lookupCloudTrailEvents', () => {
  it('pages through the window at no more than 2 requests per second', async () => {
    const c = await setUp(records(23), 5);
    const clock = manualClock();
    const r = await lookupCloudTrailEvents(c.cloudtrail, { ...window, requestsPerSecond: 10, clock });
    expect(r.pages).toBe(5);
    expect(r.records).toHaveLength(23);
    expect((r.records[0] as { eventID: string }).eventID).toBe('e22');
    // 5 requests: 2 in the first burst, then one every 500 ms (the asked-for 10/s is capped at 2/s)
    expect(clock.now()).toBe(1500);
    expect(r.source).toMatchObject({ kind: 'cloudtrail-api', status: 'ok', counts: { pages: 5, events: 23 } });
    expect(fake?.requests[0]?.params).toMatchObject({ StartTime: window.startTime.getTime() / 1000, EndTime: window.endTime.getTime() / 1000 });
  });

  it('stops at the page bound and marks the source partial', async () => {
    const c = await setUp(records(30), 5);
    const r = await lookupCloudTrailEvents(c.cloudtrail, { ...window, maxPages: 2, clock: manualClock() });
    expect(r.records).toHaveLength(10);
    expect(fake?.operations()).toHaveLength(2);
    expect(r.source.status).toBe('partial');
    expect(r.source.detail).toMatch(/stopped at the bound/);
  });

  it('stops at the event bound', async () => {
    const c = await setUp(records(30), 10);
    const r = await lookupCloudTrailEvents(c.cloudtrail, { ...window, maxEvents: 15, clock: manualClock() });
    expect(r.records).toHaveLength(15);
    expect(r.source.status).toBe('partial');
  });

});

describe.skipIf(!sharedFixturesPresent)(`lookupCloudTrailEvents on shared fixtures${sharedFixturesPresent ? '' : ` (${SKIP_REASON})`}`, () => {
  it('returns real CloudTrail records unchanged (Invictus-IR trail file)', async () => {
    const file = sharedFixture('cloudtrail/invictus-ir-aws-dataset/218007301253_CloudTrail_us-east-1_20230710T1145Z_7xgocspSowgK0Gto.json');
    const real = (JSON.parse(readFileSync(file, 'utf8')) as { Records: CloudTrailRecordLike[] }).Records;
    const c = await setUp(real);
    const r = await lookupCloudTrailEvents(c.cloudtrail, { startTime: new Date('2023-07-01T00:00:00Z'), endTime: new Date('2023-08-01T00:00:00Z'), clock: manualClock() });
    expect(r.records).toHaveLength(real.length);
    const byId = new Map(real.map((x) => [x.eventID, x]));
    for (const rec of r.records as CloudTrailRecordLike[]) expect(rec).toEqual(byId.get(rec.eventID));
  });
});
