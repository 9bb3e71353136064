import { describe, expect, it } from 'vitest';
import { computeNeeded } from '../../src/baseline/needed.js';
import { dataEventActions } from '../../src/baseline/data-events.js';
import { analyzePrincipals } from '../../src/checks/analyze.js';
import { configSchema, defaultConfig, type LeashConfig } from '../../src/config/config.js';
import { catalog } from '../../src/iam/catalog.js';
import { ActionExpander } from '../../src/iam/pattern.js';
import { InputError } from '../../src/model/errors.js';
import type { ActionUsage, UsageData } from '../../src/model/usage.js';
import { ACCOUNT, doc, snapshotOf } from '../support/snapshot.js';

const expander = new ActionExpander(catalog());
const ARN = `arn:aws:iam::${ACCOUNT}:role/kiro-agent`;
const grant = doc({ Effect: 'Allow', Action: ['s3:*', 'dynamodb:*', 'lambda:InvokeFunction', 'cloudformation:DescribeStacks'], Resource: '*' });
const observed: ActionUsage[] = [{ action: 'cloudformation:DescribeStacks', count: 9, firstSeen: '2026-11-01T00:00:00Z', lastSeen: '2026-11-20T00:00:00Z', resources: [] }];

function usage(dataEventsRead: number | undefined): UsageData {
  return {
    window: { start: '2026-08-26T00:00:00Z', end: '2026-11-24T00:00:00Z' }, coveredPrincipals: 'all', recordsRead: 100, unmapped: [],
    ...(dataEventsRead !== undefined ? { dataEventsRead } : {}),
    byPrincipal: { [ARN]: { principalArn: ARN, actions: observed, sessions: [], userAgents: {}, sourceIps: [], firstSeen: '2026-11-01T00:00:00Z', lastSeen: '2026-11-20T00:00:00Z' } },
  };
}
function needed(dataEventsRead: number | undefined, config: LeashConfig = defaultConfig()) {
  const snapshot = snapshotOf([{ name: 'kiro-agent', inline: [grant] }], {}, { usage: usage(dataEventsRead) });
  const a = analyzePrincipals(snapshot, config, expander)[0]!;
  return computeNeeded(a, snapshot.usage, config, expander);
}
const has = (n: ReturnType<typeof needed>, action: string) => n.actions.has(catalog().lookup(action)!.id);

describe('data events: unknown is not unused', () => {
  it('a management-events-only trail keeps granted data-plane actions, and gates the destructive ones', () => {
    const n = needed(0);
    for (const a of ['s3:GetObject', 's3:PutObject', 'dynamodb:GetItem', 'dynamodb:Query', 'lambda:InvokeFunction']) expect(has(n, a), a).toBe(true);
    expect(n.dataEventsUnknown).toBeGreaterThan(10);
    // Data-plane deletes are destructive: kept possible only behind approval, never dropped unseen.
    expect(n.gated).toContain('s3:DeleteObject');
    expect(n.dropped).not.toContain('s3:DeleteObject');
    // Management actions of the same services were visible in the trail: unused ones are cut.
    for (const a of ['s3:PutBucketPolicy', 'dynamodb:CreateTable', 's3:CreateBucket']) expect(has(n, a), a).toBe(false);
    // Nothing beyond today's grant: sqs is data-plane too, but not granted.
    expect(has(n, 'sqs:SendMessage')).toBe(false);
  });

  it('a trail that logged data events (or a config that says so) cuts unseen data-plane actions', () => {
    for (const n of [needed(25), needed(0, configSchema.parse({ baseline: { dataEvents: 'logged' } }))]) {
      expect(has(n, 's3:GetObject')).toBe(false);
      expect(n.dataEventsUnknown).toBe(0);
      expect(n.gated).not.toContain('s3:DeleteObject');
      expect(has(n, 'cloudformation:DescribeStacks')).toBe(true);
    }
  });

  it('dataEvents: not-logged keeps them even when some data events were read (selectors for a few buckets)', () => {
    const n = needed(25, configSchema.parse({ baseline: { dataEvents: 'not-logged' } }));
    expect(has(n, 's3:GetObject')).toBe(true);
  });

  it('every pattern in the data file names catalog actions; a typo is reported with its JSON path', () => {
    expect(dataEventActions(expander).count()).toBeGreaterThan(50);
    expect(() => dataEventActions(expander, { resourceTypes: [{ actions: ['s3:GetObject'] }, { actions: ['s3:GetObjekt'] }] })).toThrow(InputError);
    try { dataEventActions(expander, { resourceTypes: [{ actions: ['s3:GetObjekt'] }] }); } catch (e) { expect((e as InputError).path).toBe('$.resourceTypes[0].actions[0]'); }
  });

  it('the default config says auto', () => {
    expect(defaultConfig().baseline.dataEvents).toBe('auto');
  });
});
