import { describe, expect, it } from 'vitest';
import { mergeUsage } from '../../../src/collect/cloudtrail/merge-usage.js';
import type { PrincipalUsage, UsageData } from '../../../src/model/usage.js';

const ARN = 'arn:aws:iam::111122223333:role/app';
function principal(over: Partial<PrincipalUsage>): PrincipalUsage {
  return { principalArn: ARN, actions: [], sessions: [], userAgents: {}, sourceIps: [], firstSeen: '2024-05-01T00:00:00Z', lastSeen: '2024-05-01T00:00:00Z', ...over };
}
function usage(over: Partial<UsageData>): UsageData {
  return { window: { start: '2024-05-01T00:00:00Z', end: '2024-05-02T00:00:00Z' }, byPrincipal: {}, coveredPrincipals: [], recordsRead: 0, unmapped: [], ...over };
}

describe('mergeUsage', () => {
  it('sums counts, unions resources, keeps the earliest first and latest last seen', () => {
    const a = usage({
      recordsRead: 3,
      byPrincipal: { [ARN]: principal({ actions: [{ action: 's3:GetObject', count: 2, firstSeen: '2024-05-01T02:00:00Z', lastSeen: '2024-05-01T03:00:00Z', resources: ['arn:aws:s3:::b/1'] }], userAgents: { cli: 2 } }) },
      unmapped: [{ eventSource: 'signin.amazonaws.com', eventName: 'ConsoleLogin', count: 1, reason: 'r' }],
    });
    const b = usage({
      recordsRead: 4,
      byPrincipal: { [ARN]: principal({ actions: [{ action: 's3:GetObject', count: 1, deniedCount: 1, firstSeen: '2024-05-01T01:00:00Z', lastSeen: '2024-05-01T02:30:00Z', resources: ['arn:aws:s3:::b/2', 'arn:aws:s3:::b/1'] }], userAgents: { cli: 1, sdk: 1 }, servicesOnly: ['s3'] }) },
      unmapped: [{ eventSource: 'signin.amazonaws.com', eventName: 'ConsoleLogin', count: 2, reason: 'r' }],
    });
    const m = mergeUsage(a, b);
    expect(m.recordsRead).toBe(7);
    expect(m.byPrincipal[ARN]!.actions).toEqual([{ action: 's3:GetObject', count: 3, deniedCount: 1, firstSeen: '2024-05-01T01:00:00Z', lastSeen: '2024-05-01T03:00:00Z', resources: ['arn:aws:s3:::b/1', 'arn:aws:s3:::b/2'] }]);
    expect(m.byPrincipal[ARN]!.userAgents).toEqual({ cli: 3, sdk: 1 });
    expect(m.byPrincipal[ARN]!.servicesOnly).toEqual(['s3']);
    expect(m.unmapped).toEqual([{ eventSource: 'signin.amazonaws.com', eventName: 'ConsoleLogin', count: 3, reason: 'r' }]);
  });

  it('merges sessions with the same name and source identity, per user agent', () => {
    const s = { sessionName: 'alice', userAgents: ['a'], sourceIps: ['1'], firstSeen: '2024-05-01T01:00:00Z', lastSeen: '2024-05-01T01:00:00Z', eventCount: 1, actions: ['s3:GetObject'], userAgentActivity: [{ userAgent: 'a', events: 1, actions: ['s3:GetObject'] }] };
    const t = { ...s, userAgents: ['a', 'b'], eventCount: 2, actions: ['s3:PutObject'], userAgentActivity: [{ userAgent: 'a', events: 1, actions: ['s3:PutObject'] }, { userAgent: 'b', events: 1, actions: [] }] };
    const m = mergeUsage(usage({ byPrincipal: { [ARN]: principal({ sessions: [s] }) } }), usage({ byPrincipal: { [ARN]: principal({ sessions: [t] }) } }));
    expect(m.byPrincipal[ARN]!.sessions).toEqual([
      { ...s, userAgents: ['a', 'b'], eventCount: 3, actions: ['s3:GetObject', 's3:PutObject'], userAgentActivity: [{ userAgent: 'a', events: 2, actions: ['s3:GetObject', 's3:PutObject'] }, { userAgent: 'b', events: 1, actions: [] }] },
    ]);
  });

  it('keeps a coverage claim only from sources whose window spans the merged window', () => {
    const trail = usage({ window: { start: '2024-02-01T00:00:00Z', end: '2024-05-01T00:00:00Z' }, coveredPrincipals: 'all' });
    const lastAccessed = usage({ window: { start: '2023-03-28T00:00:00Z', end: '2024-05-01T00:00:00Z' }, coveredPrincipals: [ARN] });
    const m = mergeUsage(trail, lastAccessed);
    expect(m.window).toEqual({ start: '2023-03-28T00:00:00Z', end: '2024-05-01T00:00:00Z' });
    expect(m.coveredPrincipals).toEqual([ARN]);
    expect(mergeUsage(trail, trail).coveredPrincipals).toBe('all');
    const other = 'arn:aws:iam::111122223333:user/u';
    expect(mergeUsage(lastAccessed, { ...lastAccessed, coveredPrincipals: [other] }).coveredPrincipals).toEqual([ARN, other].sort());
  });

  it('is commutative in what it reports', () => {
    const a = usage({ byPrincipal: { [ARN]: principal({ actions: [{ action: 'iam:GetRole', count: 1, firstSeen: 'x', lastSeen: 'x', resources: [] }] }) } });
    const b = usage({ byPrincipal: { [ARN]: principal({ actions: [{ action: 'iam:ListRoles', count: 1, firstSeen: 'y', lastSeen: 'y', resources: [] }] }) } });
    expect(mergeUsage(a, b)).toEqual(mergeUsage(b, a));
  });

  it('keeps principals and user agents whose names are special as object keys (from hostile log files)', () => {
    const names = ['__proto__', 'constructor', 'toString'];
    const withNames = (n: number): UsageData => {
      const byPrincipal: Record<string, PrincipalUsage> = {};
      for (const name of names) {
        const userAgents: Record<string, number> = {};
        Object.defineProperty(userAgents, name, { value: n, enumerable: true, writable: true, configurable: true });
        Object.defineProperty(byPrincipal, name, { value: principal({ principalArn: name, userAgents }), enumerable: true, writable: true, configurable: true });
      }
      return usage({ byPrincipal });
    };
    const m = mergeUsage(withNames(1), withNames(2));
    expect(Object.keys(m.byPrincipal).sort()).toEqual([...names].sort());
    for (const name of names) {
      expect(Object.getOwnPropertyDescriptor(m.byPrincipal, name)?.value.principalArn).toBe(name);
      expect(Object.entries(Object.getOwnPropertyDescriptor(m.byPrincipal, name)!.value.userAgents)).toEqual([[name, 3]]);
    }
    // One side only: an ARN named like an Object.prototype member is not merged with that member.
    const one = mergeUsage(usage({ byPrincipal: { constructor: principal({ principalArn: 'constructor' }) } }), usage({}));
    expect(Object.getOwnPropertyDescriptor(one.byPrincipal, 'constructor')?.value.principalArn).toBe('constructor');
  });
});
