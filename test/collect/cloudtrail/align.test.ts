import { describe, expect, it } from 'vitest';
import { UsageAggregator } from '../../../src/collect/cloudtrail/aggregate.js';
import { alignUsageToPrincipals } from '../../../src/collect/cloudtrail/align.js';
import type { CloudTrailRecord } from '../../../src/collect/cloudtrail/record.js';
import { ACCOUNT, snapshotOf } from '../../support/snapshot.js';

const PATHED = `arn:aws:iam::${ACCOUNT}:role/ai/kiro-agent`;

function call(i: number, withIssuer: boolean, eventName = 'DescribeStacks'): CloudTrailRecord {
  return {
    eventTime: `2026-11-01T09:00:${String(i).padStart(2, '0')}Z`, eventSource: 'cloudformation.amazonaws.com', eventName, awsRegion: 'us-east-1',
    recipientAccountId: ACCOUNT, userAgent: 'aws-cli/2.36.1', sourceIPAddress: '198.51.100.1',
    userIdentity: {
      type: 'AssumedRole', arn: `arn:aws:sts::${ACCOUNT}:assumed-role/kiro-agent/s1`,
      ...(withIssuer ? { sessionContext: { sessionIssuer: { type: 'Role', arn: PATHED } } } : {}),
    },
  };
}

describe('alignUsageToPrincipals', () => {
  const principals = snapshotOf([{ name: 'kiro-agent', path: '/ai/' }, { name: 'other' }]).principals;

  it('moves usage of a path-less role ARN onto the role with that name, merging with what it already had', () => {
    const agg = new UsageAggregator();
    agg.add(call(1, true));
    agg.add(call(2, false));
    agg.add(call(3, false, 'ListStacks'));
    const raw = agg.finish({ start: 'a', end: 'b' }, [PATHED, `arn:aws:iam::${ACCOUNT}:role/kiro-agent`]);
    expect(Object.keys(raw.byPrincipal).sort()).toEqual([PATHED, `arn:aws:iam::${ACCOUNT}:role/kiro-agent`].sort());
    const aligned = alignUsageToPrincipals(raw, principals);
    expect(Object.keys(aligned.byPrincipal)).toEqual([PATHED]);
    const u = aligned.byPrincipal[PATHED]!;
    expect(u.principalArn).toBe(PATHED);
    expect(Object.fromEntries(u.actions.map((a) => [a.action, a.count]))).toEqual({ 'cloudformation:DescribeStacks': 2, 'cloudformation:ListStacks': 1 });
    expect(aligned.coveredPrincipals).toEqual([PATHED]);
  });

  it('leaves ARNs alone that match a principal, or no principal of that account and name', () => {
    const agg = new UsageAggregator();
    agg.add(call(1, true));
    agg.add({ ...call(2, false), userIdentity: { type: 'AssumedRole', arn: `arn:aws:sts::444455556666:assumed-role/kiro-agent/s1` } });
    const raw = agg.finish({ start: 'a', end: 'b' }, 'all');
    const aligned = alignUsageToPrincipals(raw, principals);
    expect(Object.keys(aligned.byPrincipal).sort()).toEqual([PATHED, 'arn:aws:iam::444455556666:role/kiro-agent'].sort());
    expect(alignUsageToPrincipals(aligned, principals)).toBe(aligned);
  });
});
