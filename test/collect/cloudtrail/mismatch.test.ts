// checkTrailMatches on usage shapes the aggregator produces: the account is read from principal
// ARNs (iam and sts), an organisation trail containing the account passes, and only a trail
// with none of it loses its coverage.
import { describe, expect, it } from 'vitest';
import type { SourceInfo } from '../../../src/model/errors.js';
import type { PrincipalUsage, UsageData } from '../../../src/model/usage.js';
import { checkTrailMatches, usageAccounts } from '../../../src/collect/cloudtrail/mismatch.js';

const P = (arn: string): PrincipalUsage => ({ principalArn: arn, actions: [], sessions: [], userAgents: {}, sourceIps: [], firstSeen: '2026-11-01T00:00:00Z', lastSeen: '2026-11-02T00:00:00Z' });
function usage(arns: string[]): UsageData {
  return { window: { start: '2026-10-24T00:00:00Z', end: '2026-11-23T00:00:00Z' }, byPrincipal: Object.fromEntries(arns.map((a) => [a, P(a)])), coveredPrincipals: 'all', recordsRead: 10, unmapped: [] };
}
const src = (records: number, outsideWindow: number): SourceInfo => ({ kind: 'cloudtrail-file', location: '/logs', status: 'ok', counts: { files: 1, records, outsideWindow } });

describe('checkTrailMatches', () => {
  it('flags a trail of another account and drops its coverage', () => {
    const u = usage(['arn:aws:iam::444455556666:role/a', 'arn:aws:sts::444455556666:assumed-role/a/s']);
    expect([...usageAccounts(u)]).toEqual([['444455556666', 2]]);
    const r = checkTrailMatches(u, [src(10, 0)], '111122223333');
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ code: 'invalid-input', location: '/logs' });
    expect(r.errors[0]!.message).toContain('from account 444455556666, not 111122223333');
    expect(r.usage.coveredPrincipals).toEqual([]);
  });

  it('control: an organisation trail including the account passes untouched', () => {
    const u = usage(['arn:aws:iam::444455556666:role/a', 'arn:aws:iam::111122223333:role/b']);
    const r = checkTrailMatches(u, [src(10, 0)], '111122223333');
    expect(r.errors).toEqual([]);
    expect(r.usage).toBe(u);
  });

  it('flags records all outside the window, not some', () => {
    const u = usage(['arn:aws:iam::111122223333:role/b']);
    expect(checkTrailMatches(u, [src(10, 10)], '111122223333').errors[0]!.message).toMatch(/all 10 CloudTrail records are outside the usage window .*--until/);
    expect(checkTrailMatches(u, [src(10, 9)], '111122223333').errors).toEqual([]);
    expect(checkTrailMatches(usage([]), [src(0, 0)], '111122223333').errors).toEqual([]);
  });

  it('says nothing when the scanned account is unknown', () => {
    expect(checkTrailMatches(usage(['arn:aws:iam::444455556666:role/a']), [src(1, 0)], 'unknown').errors).toEqual([]);
  });
});
