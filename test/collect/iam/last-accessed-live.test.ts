import { afterEach, describe, expect, it } from 'vitest';
import { createAwsClients, type AwsClients } from '../../../src/collect/aws/client-factory.js';
import { fetchServiceLastAccessed } from '../../../src/collect/iam/last-accessed-live.js';
import { generateAccount, type FakeAccount, type FakeServiceLastAccessed } from '../../support/fake-aws-account.js';
import { fakeConnection, startFakeAws, type FakeAws, type FakeAwsOptions } from '../../support/fake-aws.js';
import { manualClock } from '../aws/manual-clock.js';

const ROLE = (i: number): string => `arn:aws:iam::111122223333:role/app-role-${i}`;
const services = (n: number): FakeServiceLastAccessed[] =>
  Array.from({ length: n }, (_, i) => ({
    ServiceName: `Service ${i}`,
    ServiceNamespace: `svc${i}`,
    TotalAuthenticatedEntities: 1,
    LastAuthenticated: '2026-11-01T00:00:00.000Z',
    TrackedActionsLastAccessed: [{ ActionName: `Get${i}`, LastAccessedTime: '2026-11-01T00:00:00.000Z' }],
  }));

let fake: FakeAws | undefined;
let clients: AwsClients | undefined;
afterEach(async () => {
  clients?.destroy();
  await fake?.close();
});

async function setUp(extra: Partial<FakeAccount>, options: FakeAwsOptions = {}): Promise<AwsClients> {
  fake = await startFakeAws({ ...generateAccount({ roles: 5 }), ...extra }, options);
  clients = createAwsClients(fakeConnection(fake));
  return clients;
}

describe('fetchServiceLastAccessed', () => {
  it('polls each ACTION_LEVEL job with doubling backoff, then merges result pages', async () => {
    const c = await setUp({ lastAccessed: { [ROLE(1)]: services(5) } }, { lastAccessedPolls: 4, pageSize: 2 });
    const clock = manualClock();
    const r = await fetchServiceLastAccessed(c.iam, { principalArns: [ROLE(1)], pollIntervalMs: 100, maxPollIntervalMs: 300, clock });
    expect(clock.sleeps).toEqual([100, 200, 300, 300]);
    const out = r.lastAccessed[ROLE(1)] as { JobStatus: string; JobType: string; IsTruncated: boolean; ServicesLastAccessed: { ServiceNamespace: string }[]; Marker?: string };
    expect(out.JobStatus).toBe('COMPLETED');
    expect(out.JobType).toBe('ACTION_LEVEL');
    expect(out.IsTruncated).toBe(false);
    expect(out.Marker).toBeUndefined();
    expect(out.ServicesLastAccessed.map((s) => s.ServiceNamespace)).toEqual(['svc0', 'svc1', 'svc2', 'svc3', 'svc4']);
    expect(fake?.requests.find((q) => q.operation === 'GenerateServiceLastAccessedDetails')?.params).toMatchObject({ Arn: ROLE(1), Granularity: 'ACTION_LEVEL' });
    // 1 generate + 5 polls (4 in progress, 1 complete) + 2 more result pages
    expect(fake?.operations()).toHaveLength(8);
    expect(r.source).toMatchObject({ status: 'ok', counts: { principals: 1, collected: 1 } });
  });

  it('stops at the overall bound and says how many principals were not collected', async () => {
    const c = await setUp({}, { lastAccessedPolls: 1000 });
    const r = await fetchServiceLastAccessed(c.iam, { principalArns: [ROLE(1), ROLE(2), ROLE(3)], pollIntervalMs: 1000, timeoutMs: 10_000, concurrency: 1, clock: manualClock() });
    expect(r.lastAccessed).toEqual({});
    expect(r.source.status).toBe('unavailable');
    expect(r.errors).toEqual([expect.objectContaining({ message: expect.stringContaining('3 of 3 principals not collected: the overall bound of 10000 ms') })]);
    // job 1 gives up at t=7 s (next poll would end past 10 s); job 2 starts at 7 s and gives up at
    // 10 s; job 3 is never started because the bound has been reached
    expect(fake?.operations().filter((o) => o === 'GenerateServiceLastAccessedDetails')).toHaveLength(2);
  });

  it('an unknown principal is an error value; the others are collected (partial)', async () => {
    const c = await setUp({ lastAccessed: { [ROLE(2)]: services(1) } });
    const r = await fetchServiceLastAccessed(c.iam, { principalArns: ['arn:aws:iam::111122223333:role/gone', ROLE(2)], pollIntervalMs: 1, clock: manualClock() });
    expect(Object.keys(r.lastAccessed)).toEqual([ROLE(2)]);
    expect(r.source.status).toBe('partial');
    expect(r.errors).toEqual([expect.objectContaining({ code: 'not-found', message: expect.stringContaining('role/gone') })]);
  });

  it('after one AccessDenied it asks for no more jobs', async () => {
    const c = await setUp({}, { deny: ['GenerateServiceLastAccessedDetails'] });
    const r = await fetchServiceLastAccessed(c.iam, { principalArns: [ROLE(1), ROLE(2), ROLE(3), ROLE(4)], concurrency: 1, clock: manualClock() });
    expect(fake?.operations()).toEqual(['GenerateServiceLastAccessedDetails']);
    expect(r.source.status).toBe('unavailable');
    expect(r.errors).toEqual([expect.objectContaining({ code: 'access-denied' })]);
  });
});
