import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { UsageAggregator } from '../../../src/collect/cloudtrail/aggregate.js';
import type { CloudTrailRecord } from '../../../src/collect/cloudtrail/record.js';
import { ownFixture, sharedFixture, sharedFixturesPresent, SKIP_REASON } from '../../support/fixtures.js';

const ACCT = '111122223333';
const ROLE = `arn:aws:iam::${ACCT}:role/app`;
function call(i: number, over: Partial<CloudTrailRecord> & { session?: string } = {}): CloudTrailRecord {
  const session = over.session ?? 's1';
  return {
    eventTime: `2024-05-01T09:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}Z`,
    eventSource: 's3.amazonaws.com',
    eventName: 'GetObject',
    awsRegion: 'eu-west-1',
    recipientAccountId: ACCT,
    userAgent: 'aws-cli/2.36.1',
    sourceIPAddress: '198.51.100.1',
    userIdentity: { type: 'AssumedRole', arn: `arn:aws:sts::${ACCT}:assumed-role/app/${session}`, sessionContext: { sessionIssuer: { arn: ROLE } } },
    requestParameters: { bucketName: 'b', key: `k${i}` },
    ...over,
  };
}

describe('UsageAggregator', () => {
  it('counts data events in the window (eventCategory Data, or managementEvent false on older records), and nothing else', () => {
    const agg = new UsageAggregator({ windowStart: '2024-05-01T00:00:00Z', windowEnd: '2024-05-02T00:00:00Z' });
    agg.add(call(1, { eventCategory: 'Data', managementEvent: false, eventType: 'AwsApiCall' }));
    agg.add(call(2, { managementEvent: false, eventType: 'AwsApiCall' }));
    agg.add(call(3, { eventCategory: 'Management', managementEvent: true, eventSource: 'iam.amazonaws.com', eventName: 'ListRoles' }));
    agg.add(call(4, { eventCategory: 'Insight', managementEvent: false }));
    agg.add(call(5, { eventCategory: 'Data', eventTime: '2024-06-01T00:00:00Z' })); // outside the window
    expect(agg.finish({ start: 'a', end: 'b' }, []).dataEventsRead).toBe(2);
    expect(new UsageAggregator().finish({ start: 'a', end: 'b' }, []).dataEventsRead).toBe(0);
  });

  it('counts granted calls and denied calls apart, with first/last seen', () => {
    const agg = new UsageAggregator();
    agg.add(call(3));
    agg.add(call(1));
    agg.add(call(2, { errorCode: 'AccessDenied' }));
    const u = agg.finish({ start: 'a', end: 'b' }, []);
    const a = u.byPrincipal[ROLE]!.actions.find((x) => x.action === 's3:GetObject')!;
    expect(a).toMatchObject({ count: 2, deniedCount: 1, firstSeen: '2024-05-01T09:00:01Z', lastSeen: '2024-05-01T09:00:03Z' });
    // Denied calls contribute no resources: the principal never got to them.
    expect(a.resources).toEqual(['arn:aws:s3:::b/k1', 'arn:aws:s3:::b/k3']);
  });

  it('bounds resources per action and says when it dropped some', () => {
    const agg = new UsageAggregator({ limits: { resourcesPerAction: 5 } });
    for (let i = 0; i < 20; i++) agg.add(call(i));
    const a = agg.finish({ start: '', end: '' }, []).byPrincipal[ROLE]!.actions[0]!;
    expect(a.resources).toHaveLength(5);
    expect(a.truncated).toBe(true);
    expect(a.count).toBe(20);
  });

  it('bounds sessions per principal; dropped sessions still count towards actions', () => {
    const agg = new UsageAggregator({ limits: { sessionsPerPrincipal: 3 } });
    for (let i = 0; i < 10; i++) agg.add(call(i, { session: `botocore-session-${i}` }));
    const p = agg.finish({ start: '', end: '' }, []).byPrincipal[ROLE]!;
    expect(p.sessions.map((s) => s.sessionName)).toEqual(['botocore-session-0', 'botocore-session-1', 'botocore-session-2']);
    expect(p.sessionsDropped).toBe(7);
    expect(p.actions[0]!.count).toBe(10);
  });

  it('keeps per-session, per-user-agent actions', () => {
    const agg = new UsageAggregator();
    agg.add(call(1, { userAgent: 'human-cli' }));
    agg.add(call(2, { userAgent: 'agent-cli', eventSource: 'cloudformation.amazonaws.com', eventName: 'DeleteStack', requestParameters: {} }));
    agg.add(call(3, { userAgent: 'agent-cli', eventSource: 'rds.amazonaws.com', eventName: 'DeleteDBInstance', errorCode: 'AccessDenied' }));
    const s = agg.finish({ start: '', end: '' }, []).byPrincipal[ROLE]!.sessions[0]!;
    expect(s.userAgentActivity).toEqual([
      { userAgent: 'agent-cli', events: 2, actions: ['cloudformation:DeleteStack', 'rds:DeleteDBInstance'] },
      { userAgent: 'human-cli', events: 1, actions: ['s3:GetObject'] },
    ]);
    expect(s.eventCount).toBe(3);
  });

  it('skips records outside the window and counts them', () => {
    const agg = new UsageAggregator({ windowStart: '2024-05-01T09:00:05Z', windowEnd: '2024-05-01T09:00:07Z' });
    const outcomes = [4, 5, 6, 7, 8].map((i) => agg.add(call(i)));
    expect(outcomes).toEqual(['outside-window', 'counted', 'counted', 'counted', 'outside-window']);
    expect(agg.outsideWindow).toBe(2);
    expect(agg.recordsRead).toBe(5);
    expect(agg.finish({ start: '', end: '' }, []).byPrincipal[ROLE]!.actions[0]!.count).toBe(3);
  });

  it('lists unmapped events with their reason and counts unattributed records', () => {
    const agg = new UsageAggregator();
    agg.add(call(1, { eventSource: 'signin.amazonaws.com', eventName: 'ConsoleLogin' }));
    agg.add(call(2, { eventSource: 'signin.amazonaws.com', eventName: 'ConsoleLogin' }));
    agg.add(call(3, { userIdentity: { type: 'AWSService', invokedBy: 'config.amazonaws.com' } }));
    const u = agg.finish({ start: '', end: '' }, []);
    expect(u.unmapped).toEqual([{ eventSource: 'signin.amazonaws.com', eventName: 'ConsoleLogin', count: 2, reason: 'console sign-in: not an IAM action' }]);
    expect(u.unattributed).toEqual([{ reason: 'AWSService (call made by an AWS service, not an account principal)', count: 1 }]);
    // The sign-in still shows as session activity of the principal, just without an action.
    expect(u.byPrincipal[ROLE]!.sessions[0]!.eventCount).toBe(2);
    expect(u.byPrincipal[ROLE]!.actions).toEqual([]);
  });
});

describe.skipIf(!sharedFixturesPresent)(`UsageAggregator on real CloudTrail${sharedFixturesPresent ? '' : ` (${SKIP_REASON})`}`, () => {
  const load = (rel: string): CloudTrailRecord[] => (JSON.parse(readFileSync(sharedFixture(`cloudtrail/${rel}`), 'utf8')) as { Records: CloudTrailRecord[] }).Records;

  it('attributes every IAMUser event to its user ARN (independent count per ARN)', () => {
    const records = load('invictus-ir-aws-dataset/218007301253_CloudTrail_us-east-1_20230710T1230Z_AvIajGd5rkz6vTy4.json');
    const agg = new UsageAggregator();
    for (const r of records) agg.add(r);
    const u = agg.finish({ start: '', end: '' }, []);
    const expected = new Map<string, number>();
    for (const r of records) if (r.userIdentity.type === 'IAMUser' && r.userIdentity.arn) expected.set(r.userIdentity.arn, (expected.get(r.userIdentity.arn) ?? 0) + 1);
    expect(expected.size).toBeGreaterThan(0);
    for (const [arn, n] of expected) {
      const sessions = u.byPrincipal[arn]!.sessions;
      expect(sessions.reduce((s, x) => s + x.eventCount, 0), arn).toBe(n);
    }
  });

  it('maps a Lambda event with an API-version suffix (stratus lambda-overwrite-code)', () => {
    const records = load('stratus-red-team/aws.persistence.lambda-overwrite-code.json');
    const agg = new UsageAggregator();
    for (const r of records) agg.add(r);
    const u = agg.finish({ start: '', end: '' }, []);
    const caller = records.find((r) => r.eventName === 'UpdateFunctionCode20150331v2')!.userIdentity.arn!;
    const a = u.byPrincipal[caller]!.actions.find((x) => x.action === 'lambda:UpdateFunctionCode');
    expect(a?.count).toBe(records.filter((r) => r.eventName === 'UpdateFunctionCode20150331v2').length);
    expect(a?.resources[0]).toMatch(/^arn:aws:lambda:.+:function:/);
  });

  it('attributes an SSO session to the AWSReservedSSO role, keeping its path', () => {
    const records = load('stratus-red-team/aws.lateral-movement.ec2-serial-console-send-ssh-public-key.json');
    const agg = new UsageAggregator();
    for (const r of records) agg.add(r);
    const arns = Object.keys(agg.finish({ start: '', end: '' }, []).byPrincipal);
    expect(arns.some((a) => /:role\/aws-reserved\/sso\.amazonaws\.com\/AWSReservedSSO_/.test(a))).toBe(true);
  });

  it('counts AWSService calls as unattributed and attributes the assumed role (trailscraper)', () => {
    const records = load('trailscraper/events-for-smoke-test.json');
    const agg = new UsageAggregator();
    for (const r of records) agg.add(r);
    const u = agg.finish({ start: '', end: '' }, []);
    expect(u.unattributed?.find((x) => x.reason.startsWith('AWSService'))?.count).toBe(1);
    expect(u.byPrincipal['arn:aws:iam::111111111111:role/someRole']!.actions.map((a) => a.action)).toEqual(['autoscaling:DescribeLaunchConfigurations']);
    expect(u.byPrincipal['arn:aws:iam::111111111111:role/someRole']!.sessions[0]!.sessionName).toBe('AutoScalingDescribeHandlerSession');
    expect(u.byPrincipal['arn:aws:iam::123456789012:root']!.actions.map((a) => a.action)).toEqual(['apigateway:GET']);
  });
});

describe('UsageAggregator on own fixture', () => {
  it('maps the S3 rename and keeps created-role ARNs with their path', () => {
    const { Records } = JSON.parse(readFileSync(ownFixture('cloudtrail/ai-sessions.json'), 'utf8')) as { Records: CloudTrailRecord[] };
    const agg = new UsageAggregator();
    for (const r of Records) agg.add(r);
    const u = agg.finish({ start: '', end: '' }, []);
    const sso = Object.keys(u.byPrincipal).find((a) => a.includes('AWSReservedSSO'))!;
    expect(u.byPrincipal[sso]!.actions.map((a) => a.action)).toContain('s3:ListAllMyBuckets');
    const create = u.byPrincipal[`arn:aws:iam::${ACCT}:user/ci-deployer`]!.actions.find((a) => a.action === 'iam:CreateRole')!;
    expect(create.resources).toEqual([`arn:aws:iam::${ACCT}:role/apps/app-role`]);
  });
});
