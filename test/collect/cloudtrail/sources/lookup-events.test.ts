import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createAwsClients, type AwsClients } from '../../../../src/collect/aws/client-factory.js';
import { lookupCloudTrailEvents, lookupCloudTrailEventsInRegions, lookupRegions } from '../../../../src/collect/cloudtrail/sources/lookup-events.js';
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
  clients = undefined;
  fake = undefined;
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

describe('LookupEvents across regions', () => {
  it('adds us-east-1 (global service events) in the commercial partition only, each region once', () => {
    expect(lookupRegions(['eu-west-1'])).toEqual(['eu-west-1', 'us-east-1']);
    expect(lookupRegions(['eu-west-1', 'eu-west-1', 'ap-south-1'])).toEqual(['eu-west-1', 'ap-south-1', 'us-east-1']);
    // Controls: nothing added where it is already read, nor in partitions leash has no statement for.
    expect(lookupRegions(['us-east-1'])).toEqual(['us-east-1']);
    expect(lookupRegions(['us-gov-west-1'])).toEqual(['us-gov-west-1']);
    expect(lookupRegions(['cn-north-1'])).toEqual(['cn-north-1']);
  });

  // As CloudTrail's Lookup answers since November 2021: IAM and STS events only in us-east-1.
  const regional: CloudTrailRecordLike[] = [
    { eventID: 'iam-1', eventTime: '2026-11-01T00:01:00Z', eventSource: 'iam.amazonaws.com', eventName: 'AttachRolePolicy', awsRegion: 'us-east-1' },
    { eventID: 'ec2-1', eventTime: '2026-11-01T00:02:00Z', eventSource: 'ec2.amazonaws.com', eventName: 'TerminateInstances', awsRegion: 'eu-west-1' },
    { eventID: 'ec2-2', eventTime: '2026-11-01T00:03:00Z', eventSource: 'ec2.amazonaws.com', eventName: 'RunInstances', awsRegion: 'ap-south-1' },
  ];

  it('one region alone misses the IAM call; with us-east-1 read too, each region\'s events are found once', async () => {
    fake = await startFakeAws({ ...generateAccount({ roles: 1 }), cloudTrailRecords: regional }, { cloudTrailRegional: true });
    clients = createAwsClients({ ...fakeConnection(fake), region: 'eu-west-1' });
    const c = clients;
    const clientIn = (r: string) => (r === 'eu-west-1' ? c.cloudtrail : c.regional(r).cloudtrail);
    const alone = await lookupCloudTrailEventsInRegions(clientIn, ['eu-west-1'], { ...window, clock: manualClock() });
    expect(alone.records.map((r) => (r as { eventID: string }).eventID)).toEqual(['ec2-1']);
    const both = await lookupCloudTrailEventsInRegions(clientIn, lookupRegions(['eu-west-1']), { ...window, clock: manualClock() });
    expect(both.records.map((r) => (r as { eventID: string }).eventID)).toEqual(['ec2-1', 'iam-1']);
    expect(both.source).toMatchObject({ status: 'ok', counts: { events: 2, regions: 2 } });
    expect(both.source.detail).toMatch(/regions: eu-west-1 ok; us-east-1 ok$/);
    expect(fake.requests.filter((q) => q.operation === 'LookupEvents').map((q) => q.region).sort()).toEqual(['eu-west-1', 'eu-west-1', 'us-east-1']);
  });

  it('an event answered in two regions counts once; a region that fails makes the source partial and the rest is kept', async () => {
    // Not regional: every region answers every event (as global events were copied before 2021).
    fake = await startFakeAws({ ...generateAccount({ roles: 1 }), cloudTrailRecords: regional });
    clients = createAwsClients({ ...fakeConnection(fake), region: 'eu-west-1' });
    const c = clients;
    const clientIn = (r: string) => (r === 'eu-west-1' ? c.cloudtrail : c.regional(r).cloudtrail);
    const r = await lookupCloudTrailEventsInRegions(clientIn, ['eu-west-1', 'us-east-1'], { ...window, clock: manualClock() });
    expect(r.records).toHaveLength(3);
    fake.options.deny = ['LookupEvents'];
    const denied = await lookupCloudTrailEventsInRegions(clientIn, ['eu-west-1', 'us-east-1'], { ...window, clock: manualClock() });
    expect(denied.source.status).toBe('unavailable');
    expect(denied.errors).toHaveLength(2);
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
