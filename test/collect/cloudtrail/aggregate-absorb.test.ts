// UsageAggregator.absorb must leave exactly the state that adding the same records one by one
// leaves: checked against the sequential aggregator on random record streams cut into chunks,
// with tiny limits so that every bounded list fills, truncates and lumps.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UNBOUNDED_BY_KEY, UsageAggregator, type AggregatorLimits } from '../../../src/collect/cloudtrail/aggregate.js';
import type { CloudTrailRecord } from '../../../src/collect/cloudtrail/record.js';

const ACCT = '111122223333';
const TINY: AggregatorLimits = {
  resourcesPerAction: 2,
  sessionsPerPrincipal: 2,
  userAgentsPerPrincipal: 2,
  userAgentsPerSession: 2,
  actionsPerSession: 2,
  sourceIpsPerPrincipal: 2,
  sourceIpsPerSession: 1,
  unmappedPairs: 1,
};

// Real event names: mapped ones (several services), unmapped ones (no IAM action, not a service).
const EVENTS = [
  ['s3.amazonaws.com', 'GetObject'],
  ['s3.amazonaws.com', 'PutObject'],
  ['s3.amazonaws.com', 'ListBuckets'],
  ['iam.amazonaws.com', 'GetRole'],
  ['ec2.amazonaws.com', 'DescribeInstances'],
  ['sts.amazonaws.com', 'GetCallerIdentity'],
  ['signin.amazonaws.com', 'ConsoleLogin'],
  ['execute-api.amazonaws.com', 'SomethingInternal'],
  ['example.com', 'Foo'],
] as const;
const UAS = ['aws-cli/2.15.0 md/command#s3.cp', 'Boto3/1.34.0', 'kiro-cli/1.0', 'claude-code/1.0 aws-sdk-js/3', 'console.amazonaws.com'];

interface Spec {
  who: number;
  session: number;
  sourceIdentity: boolean;
  ua: number;
  ip: number;
  event: number;
  key: number;
  seconds: number;
  denied: boolean;
}

function record(s: Spec): CloudTrailRecord {
  const [eventSource, eventName] = EVENTS[s.event]!;
  const base = {
    eventTime: new Date(Date.parse('2024-05-01T00:00:00Z') + s.seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    eventSource,
    eventName,
    awsRegion: 'eu-west-1',
    recipientAccountId: ACCT,
    userAgent: UAS[s.ua]!,
    sourceIPAddress: `198.51.100.${s.ip}`,
    requestParameters: { bucketName: 'bucket', key: `k${s.key}` },
    ...(s.denied ? { errorCode: 'AccessDenied' } : {}),
  };
  const sessionContext = { sessionIssuer: { type: 'Role', arn: `arn:aws:iam::${ACCT}:role/role-${s.who}` }, ...(s.sourceIdentity ? { sourceIdentity: 'dev@example.com' } : {}) };
  if (s.who === 3) return { ...base, userIdentity: { type: 'IAMUser', arn: `arn:aws:iam::${ACCT}:user/ci` } };
  if (s.who === 4) return { ...base, userIdentity: { type: 'AWSService', invokedBy: 'lambda.amazonaws.com' } };
  return { ...base, userIdentity: { type: 'AssumedRole', arn: `arn:aws:sts::${ACCT}:assumed-role/role-${s.who}/session-${s.session}`, sessionContext } };
}

const spec: fc.Arbitrary<Spec> = fc.record({
  who: fc.integer({ min: 0, max: 4 }),
  session: fc.integer({ min: 0, max: 3 }),
  sourceIdentity: fc.boolean(),
  ua: fc.integer({ min: 0, max: UAS.length - 1 }),
  ip: fc.integer({ min: 1, max: 4 }),
  // S3 calls (the ones with resource ARNs) twice as likely, so resource lists fill within a chunk.
  event: fc.constantFrom(0, 0, 1, 1, 2, 2, 3, 4, 5, 6, 7, 8),
  key: fc.integer({ min: 0, max: 4 }),
  seconds: fc.integer({ min: 0, max: 4 * 86_400 }),
  denied: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
});
// Few principals, sessions and agents, mostly S3 calls: every list fills inside one chunk.
const narrowSpec: fc.Arbitrary<Spec> = fc.record({
  who: fc.constantFrom(0, 3),
  session: fc.integer({ min: 0, max: 1 }),
  sourceIdentity: fc.constant(false),
  ua: fc.integer({ min: 0, max: 2 }),
  ip: fc.integer({ min: 1, max: 2 }),
  event: fc.constantFrom(0, 0, 1, 1, 3, 4),
  key: fc.integer({ min: 0, max: 3 }),
  seconds: fc.integer({ min: 0, max: 2 * 86_400 }),
  denied: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
});
const stream = fc.record({
  records: fc.oneof(fc.array(spec, { minLength: 1, maxLength: 160 }), fc.array(narrowSpec, { minLength: 1, maxLength: 60 })),
  cuts: fc.array(fc.nat(), { maxLength: 6 }),
  windowed: fc.boolean(),
});

/** All an aggregator holds that `finish` and the coverage rule read. */
function summary(agg: UsageAggregator) {
  return { usage: agg.finish({ start: 's', end: 'e' }, 'all'), days: [...agg.daysSeen].sort(), earliest: agg.earliest, latest: agg.latest, recordsRead: agg.recordsRead, outsideWindow: agg.outsideWindow };
}

function segments<T>(xs: readonly T[], cuts: readonly number[]): T[][] {
  const at = [...new Set(cuts.map((c) => c % (xs.length + 1)))].sort((a, b) => a - b);
  const out: T[][] = [];
  let from = 0;
  for (const c of [...at, xs.length]) {
    out.push(xs.slice(from, c));
    from = c;
  }
  return out;
}

/**
 * The first segment goes straight into the result, later ones through a chunk aggregator whose
 * state is cloned (as across a thread) and absorbed; a refused chunk is re-added record by record.
 */
function chunked(records: readonly CloudTrailRecord[], cuts: readonly number[], limits: AggregatorLimits, chunkLimits: Partial<AggregatorLimits>, window: { windowStart?: string; windowEnd?: string }) {
  const agg = new UsageAggregator({ limits, ...window });
  let refused = 0;
  segments(records, cuts).forEach((seg, i) => {
    if (i === 0) {
      for (const r of seg) agg.add(r);
      return;
    }
    const chunk = new UsageAggregator({ limits: { ...limits, ...chunkLimits }, ...window });
    for (const r of seg) chunk.add(r);
    if (!agg.absorb(structuredClone(chunk.state()))) {
      refused++;
      for (const r of seg) agg.add(r);
    }
  });
  return { agg, refused };
}

function sequential(records: readonly CloudTrailRecord[], limits: AggregatorLimits, window: { windowStart?: string; windowEnd?: string }): UsageAggregator {
  const agg = new UsageAggregator({ limits, ...window });
  for (const r of records) agg.add(r);
  return agg;
}

const windowOf = (windowed: boolean) => (windowed ? { windowStart: '2024-05-01T12:00:00Z', windowEnd: '2024-05-04T12:00:00Z' } : {});

describe('UsageAggregator.absorb', () => {
  it('equals reading the records one by one, for any cut into chunks (chunks unbounded by key)', () => {
    let refusedTotal = 0;
    fc.assert(
      fc.property(stream, ({ records, cuts, windowed }) => {
        const recs = records.map(record);
        const { agg, refused } = chunked(recs, cuts, TINY, UNBOUNDED_BY_KEY, windowOf(windowed));
        refusedTotal += refused;
        expect(summary(agg)).toEqual(summary(sequential(recs, TINY, windowOf(windowed))));
      }),
      { numRuns: 400 },
    );
    // Refusals happen only when two agents share a full session's "other" entry with too many actions.
    expect(refusedTotal).toBeLessThan(400);
  });

  it('never refuses an unbounded chunk when session action lists cannot overflow', () => {
    const roomy = { ...TINY, actionsPerSession: 100 };
    fc.assert(
      fc.property(stream, ({ records, cuts, windowed }) => {
        const recs = records.map(record);
        const { agg, refused } = chunked(recs, cuts, roomy, UNBOUNDED_BY_KEY, windowOf(windowed));
        expect(refused).toBe(0);
        expect(summary(agg)).toEqual(summary(sequential(recs, roomy, windowOf(windowed))));
      }),
      { numRuns: 300 },
    );
  });

  it('refuses, and changes nothing, when a chunk with the same small limits dropped what it would need', () => {
    let refusedTotal = 0;
    fc.assert(
      fc.property(stream, ({ records, cuts, windowed }) => {
        const recs = records.map(record);
        const { agg, refused } = chunked(recs, cuts, TINY, {}, windowOf(windowed));
        refusedTotal += refused;
        expect(summary(agg)).toEqual(summary(sequential(recs, TINY, windowOf(windowed))));
      }),
      { numRuns: 300 },
    );
    expect(refusedTotal).toBeGreaterThan(0);
  });

  it('marks an action truncated when two chunks together exceed the resource limit', () => {
    const spec0: Spec = { who: 0, session: 0, sourceIdentity: false, ua: 0, ip: 1, event: 0, key: 0, seconds: 0, denied: false };
    const a = new UsageAggregator({ limits: TINY });
    a.add(record(spec0));
    a.add(record({ ...spec0, key: 1, seconds: 5 }));
    const b = new UsageAggregator({ limits: { ...TINY, ...UNBOUNDED_BY_KEY } });
    b.add(record({ ...spec0, key: 1, seconds: 10 }));
    b.add(record({ ...spec0, key: 2, seconds: 2 }));
    expect(a.absorb(structuredClone(b.state()))).toBe(true);
    const action = a.finish({ start: '', end: '' }, []).byPrincipal[`arn:aws:iam::${ACCT}:role/role-0`]!.actions[0]!;
    expect(action).toEqual({ action: 's3:GetObject', count: 4, firstSeen: '2024-05-01T00:00:00Z', lastSeen: '2024-05-01T00:00:10Z', resources: ['arn:aws:s3:::bucket/k0', 'arn:aws:s3:::bucket/k1'], truncated: true });
  });

  it('keeps a chunk\'s truncated flag for an action new to this side', () => {
    const spec0: Spec = { who: 3, session: 0, sourceIdentity: false, ua: 0, ip: 1, event: 0, key: 0, seconds: 0, denied: false };
    const a = new UsageAggregator({ limits: TINY });
    a.add(record({ ...spec0, event: 3 }));
    const b = new UsageAggregator({ limits: { ...TINY, ...UNBOUNDED_BY_KEY } });
    for (const key of [0, 1, 2]) b.add(record({ ...spec0, key }));
    expect(a.absorb(structuredClone(b.state()))).toBe(true);
    const action = a.finish({ start: '', end: '' }, []).byPrincipal[`arn:aws:iam::${ACCT}:user/ci`]!.actions.find((x) => x.action === 's3:GetObject');
    expect(action).toMatchObject({ count: 3, resources: ['arn:aws:s3:::bucket/k0', 'arn:aws:s3:::bucket/k1'], truncated: true });
  });

  it('refuses a chunk that lumped unmapped events this side may list by name', () => {
    const spec0: Spec = { who: 3, session: 0, sourceIdentity: false, ua: 0, ip: 1, event: 6, key: 0, seconds: 0, denied: false };
    const a = new UsageAggregator({ limits: TINY });
    a.add(record(spec0));
    const before = summary(a);
    const b = new UsageAggregator({ limits: TINY });
    b.add(record({ ...spec0, event: 8 }));
    b.add(record({ ...spec0, event: 6 }));
    expect(a.absorb(structuredClone(b.state()))).toBe(false);
    expect(summary(a)).toEqual(before);
    // Read in order, ConsoleLogin keeps its own entry: it was listed before the limit was reached.
    const seq = sequential([record(spec0), record({ ...spec0, event: 8 }), record({ ...spec0, event: 6 })], TINY, {});
    expect(summary(seq).usage.unmapped.map((u) => [u.eventName, u.count])).toEqual([
      ['ConsoleLogin', 2],
      ['(other events)', 1],
    ]);
  });

  it('refuses a chunk whose user agents share a full session\'s "other" entry with more actions than fit: their order is lost', () => {
    const spec0: Spec = { who: 0, session: 0, sourceIdentity: false, ua: 0, ip: 1, event: 0, key: 0, seconds: 0, denied: false };
    const limits = { ...TINY, actionsPerSession: 2 };
    const records = [
      record({ ...spec0, ua: 0 }),
      record({ ...spec0, ua: 1, seconds: 1 }),
      // Both later agents go to "(other user agents)": read in order it keeps GetObject, then GetRole.
      record({ ...spec0, ua: 2, event: 0, seconds: 2 }),
      record({ ...spec0, ua: 3, event: 3, seconds: 3 }),
      record({ ...spec0, ua: 2, event: 4, seconds: 4 }),
    ];
    const seq = sequential(records, limits, {});
    const a = new UsageAggregator({ limits });
    records.slice(0, 2).forEach((r) => a.add(r));
    const b = new UsageAggregator({ limits: { ...limits, ...UNBOUNDED_BY_KEY } });
    records.slice(2).forEach((r) => b.add(r));
    expect(a.absorb(structuredClone(b.state()))).toBe(false);
    records.slice(2).forEach((r) => a.add(r));
    expect(summary(a)).toEqual(summary(seq));
    const other = summary(seq).usage.byPrincipal[`arn:aws:iam::${ACCT}:role/role-0`]!.sessions[0]!.userAgentActivity!.find((x) => x.userAgent === '(other user agents)');
    expect(other).toEqual({ userAgent: '(other user agents)', events: 3, actions: ['iam:GetRole', 's3:GetObject'] });
  });

  it('refuses a chunk that lumped user agents of a session this side already has, leaving its state as it was', () => {
    const spec0: Spec = { who: 0, session: 0, sourceIdentity: false, ua: 0, ip: 1, event: 0, key: 0, seconds: 0, denied: false };
    const a = new UsageAggregator({ limits: TINY });
    a.add(record({ ...spec0, ua: 3 }));
    const before = summary(a);
    const b = new UsageAggregator({ limits: TINY });
    for (const ua of [0, 1, 2, 3]) b.add(record({ ...spec0, ua, seconds: 100 + ua }));
    expect(a.absorb(structuredClone(b.state()))).toBe(false);
    expect(summary(a)).toEqual(before);
  });
});
