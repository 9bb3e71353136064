// The aggregator remembers attributions per caller ARN; whatever else varies between records of
// one ARN (type, issuer, sourceIdentity, account, event type), each record must be attributed as
// attribute() attributes it on its own.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UsageAggregator } from '../../../src/collect/cloudtrail/aggregate.js';
import { attribute, type CloudTrailRecord } from '../../../src/collect/cloudtrail/record.js';

const record = fc
  .record({
    arn: fc.constantFrom('arn:aws:sts::111122223333:assumed-role/r/s1', 'arn:aws:sts::111122223333:assumed-role/r/s2', 'arn:aws:iam::111122223333:user/u'),
    type: fc.constantFrom('AssumedRole', 'IAMUser', 'FederatedUser', 'Root', 'AWSService', undefined),
    issuer: fc.constantFrom('arn:aws:iam::111122223333:role/r', 'arn:aws:iam::111122223333:role/path/r', undefined),
    sourceIdentity: fc.constantFrom('alice', '', undefined),
    accountId: fc.constantFrom('111122223333', undefined),
    eventType: fc.constantFrom('AwsApiCall', 'AwsServiceEvent', undefined),
  })
  .map(({ arn, type, issuer, sourceIdentity, accountId, eventType }) => {
    const sessionContext = issuer === undefined && sourceIdentity === undefined ? undefined : { ...(issuer !== undefined ? { sessionIssuer: { arn: issuer } } : {}), ...(sourceIdentity !== undefined ? { sourceIdentity } : {}) };
    return {
      eventTime: '2024-05-01T09:00:00Z',
      eventSource: 'sts.amazonaws.com',
      eventName: 'GetCallerIdentity',
      ...(eventType !== undefined ? { eventType } : {}),
      userIdentity: { arn, ...(type !== undefined ? { type } : {}), ...(accountId !== undefined ? { accountId } : {}), ...(sessionContext ? { sessionContext } : {}) },
    } as CloudTrailRecord;
  });

describe('attribution remembered per caller ARN', () => {
  it('gives, record by record, what attribute() gives (principals, sessions and skip reasons counted alike)', () => {
    fc.assert(
      fc.property(fc.array(record, { maxLength: 40 }), (records) => {
        const agg = new UsageAggregator();
        for (const r of records) agg.add(r);
        const state = agg.state();
        const principals = new Map<string, Set<string>>();
        const skipped = new Map<string, number>();
        for (const r of records) {
          const who = attribute(r);
          if ('skip' in who) skipped.set(who.skip, (skipped.get(who.skip) ?? 0) + 1);
          else {
            if (!principals.has(who.principalArn)) principals.set(who.principalArn, new Set());
            principals.get(who.principalArn)!.add(`${who.sessionName ?? ''}|${who.sourceIdentity ?? ''}`);
          }
        }
        expect(state.unattributed).toEqual(skipped);
        expect(new Set(state.principals.keys())).toEqual(new Set(principals.keys()));
        for (const [arn, p] of state.principals) {
          const sessions = new Set([...p.sessions.values()].flatMap((m) => [...m.values()].map((s) => `${s.sessionName ?? ''}|${s.sourceIdentity ?? ''}`)));
          expect(sessions).toEqual(principals.get(arn));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('the principal and session remembered with an attribution get the times, counts and drops a fresh lookup gives', () => {
    const timed = fc.tuple(record, fc.integer({ min: 0, max: 59 })).map(([r, sec]) => ({ ...r, eventTime: `2024-05-01T09:00:${String(sec).padStart(2, '0')}Z` }) as CloudTrailRecord);
    fc.assert(
      fc.property(fc.array(timed, { maxLength: 40 }), fc.integer({ min: 1, max: 3 }), (records, sessionsPerPrincipal) => {
        const agg = new UsageAggregator({ limits: { sessionsPerPrincipal } });
        for (const r of records) agg.add(r);
        const state = agg.state();
        // Reference: each principal's times, its first sessions in record order, and the records of the others.
        const expected = new Map<string, { first: string; last: string; kept: Map<string, { first: string; last: string; events: number }>; dropped: number }>();
        for (const r of records) {
          const who = attribute(r);
          if ('skip' in who) continue;
          const t = r.eventTime;
          let p = expected.get(who.principalArn);
          if (!p) expected.set(who.principalArn, (p = { first: t, last: t, kept: new Map(), dropped: 0 }));
          if (t < p.first) p.first = t;
          if (t > p.last) p.last = t;
          const key = `${who.sessionName ?? ''}|${who.sourceIdentity ?? ''}`;
          let s = p.kept.get(key);
          if (!s && p.kept.size < sessionsPerPrincipal) p.kept.set(key, (s = { first: t, last: t, events: 0 }));
          if (!s) {
            p.dropped++;
            continue;
          }
          if (t < s.first) s.first = t;
          if (t > s.last) s.last = t;
          s.events++;
        }
        expect(new Set(state.principals.keys())).toEqual(new Set(expected.keys()));
        for (const [arn, p] of state.principals) {
          const want = expected.get(arn)!;
          expect({ first: p.first, last: p.last, dropped: p.sessionsDropped }).toEqual({ first: want.first, last: want.last, dropped: want.dropped });
          const got = new Map([...p.sessions.values()].flatMap((m) => [...m.values()]).map((s) => [`${s.sessionName ?? ''}|${s.sourceIdentity ?? ''}`, { first: s.first, last: s.last, events: s.events }]));
          expect(got).toEqual(want.kept);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("the IP and user agents remembered with a caller's last record leave the IP lists and user-agent entries and counts a fresh lookup leaves", () => {
    // A few whole identities, so that records of one caller ARN often reuse what was remembered.
    const base = { eventTime: '2024-05-01T09:00:00Z', eventSource: 'sts.amazonaws.com', eventName: 'GetCallerIdentity', eventType: 'AwsApiCall' };
    const role = (session: string, sourceIdentity?: string): CloudTrailRecord => ({
      ...base,
      userIdentity: { type: 'AssumedRole', arn: `arn:aws:sts::111122223333:assumed-role/r/${session}`, sessionContext: { sessionIssuer: { arn: 'arn:aws:iam::111122223333:role/r' }, ...(sourceIdentity ? { sourceIdentity } : {}) } },
    });
    const callers: CloudTrailRecord[] = [{ ...base, userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/u' } }, role('s1'), role('s2', 'alice'), role('s3')];
    const withClient = fc
      .tuple(fc.constantFrom(...callers), fc.constantFrom('ua-1', 'ua-2', 'ua-3', '', undefined), fc.constantFrom('10.0.0.1', '10.0.0.2', '10.0.0.3', '', undefined))
      .map(([r, userAgent, sourceIPAddress]) => ({ ...r, ...(userAgent !== undefined ? { userAgent } : {}), ...(sourceIPAddress !== undefined ? { sourceIPAddress } : {}) }) as CloudTrailRecord);
    const small = fc.integer({ min: 1, max: 3 });
    fc.assert(
      fc.property(fc.array(withClient, { maxLength: 40 }), small, small, small, small, small, (records, sessionsPerPrincipal, sourceIpsPerPrincipal, sourceIpsPerSession, userAgentsPerSession, userAgentsPerPrincipal) => {
        const agg = new UsageAggregator({ limits: { sessionsPerPrincipal, sourceIpsPerPrincipal, sourceIpsPerSession, userAgentsPerSession, userAgentsPerPrincipal } });
        for (const r of records) agg.add(r);
        const state = agg.state();
        // Reference, record by record: bounded lists keep first occurrences; agents past the bound share one entry.
        const ips = new Map<string, string[]>();
        const principalAgents = new Map<string, Map<string, number>>();
        const sessions = new Map<string, Map<string, { ips: string[]; agents: Map<string, number> }>>();
        for (const r of records) {
          const who = attribute(r);
          if ('skip' in who) continue;
          const ip = r.sourceIPAddress ?? '';
          const ua = r.userAgent ?? '';
          const pIps = ips.get(who.principalArn) ?? [];
          ips.set(who.principalArn, pIps);
          if (ip && !pIps.includes(ip) && pIps.length < sourceIpsPerPrincipal) pIps.push(ip);
          const pAgents = principalAgents.get(who.principalArn) ?? new Map<string, number>();
          principalAgents.set(who.principalArn, pAgents);
          if (ua) {
            const key = pAgents.has(ua) || pAgents.size < userAgentsPerPrincipal ? ua : '(other user agents)';
            pAgents.set(key, (pAgents.get(key) ?? 0) + 1);
          }
          const byKey = sessions.get(who.principalArn) ?? new Map<string, { ips: string[]; agents: Map<string, number> }>();
          sessions.set(who.principalArn, byKey);
          const key = `${who.sessionName ?? ''}|${who.sourceIdentity ?? ''}`;
          let s = byKey.get(key);
          if (!s && byKey.size < sessionsPerPrincipal) byKey.set(key, (s = { ips: [], agents: new Map() }));
          if (!s) continue;
          if (ip && !s.ips.includes(ip) && s.ips.length < sourceIpsPerSession) s.ips.push(ip);
          if (ua) {
            const agentKey = s.agents.has(ua) || s.agents.size < userAgentsPerSession ? ua : '(other user agents)';
            s.agents.set(agentKey, (s.agents.get(agentKey) ?? 0) + 1);
          }
        }
        for (const [arn, p] of state.principals) {
          expect([...p.ips]).toEqual(ips.get(arn));
          expect(new Map([...p.userAgents].map(([ua, c]) => [ua, c.n]))).toEqual(principalAgents.get(arn));
          const got = new Map([...p.sessions.values()].flatMap((m) => [...m.values()]).map((s) => [`${s.sessionName ?? ''}|${s.sourceIdentity ?? ''}`, { ips: [...s.ips], agents: new Map([...s.userAgents].map(([ua, a]) => [ua, a.events])) }]));
          expect(got).toEqual(sessions.get(arn));
        }
      }),
      { numRuns: 500 },
    );
  });
});
