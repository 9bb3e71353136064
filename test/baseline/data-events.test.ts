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
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { mapEvent } from '../../src/collect/cloudtrail/event-map.js';
import { sharedFixture, sharedFixturesPresent, SKIP_REASON } from '../support/fixtures.js';

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

describe.skipIf(!sharedFixturesPresent)(`the data-event list against real CloudTrail${sharedFixturesPresent ? '' : ` (skipped: ${SKIP_REASON})`}`, () => {
  it('no action on it is ever recorded as a management event in the fixture trails', () => {
    const set = dataEventActions(expander);
    const offenders: string[] = [];
    let management = 0;
    const walk = (dir: string): void => {
      for (const f of readdirSync(dir)) {
        const p = join(dir, f);
        if (statSync(p).isDirectory()) { walk(p); continue; }
        if (!/\.json(\.gz)?$/.test(f)) continue;
        let parsed: unknown;
        try { parsed = JSON.parse(f.endsWith('.gz') ? gunzipSync(readFileSync(p)).toString('utf8') : readFileSync(p, 'utf8')); } catch { continue; }
        const records = Array.isArray(parsed) ? parsed : ((parsed as { Records?: unknown[] }).Records ?? []);
        for (const r of records as { eventSource?: string; eventName?: string; eventCategory?: string; managementEvent?: boolean }[]) {
          if (!r?.eventSource || !r.eventName || !(r.eventCategory === 'Management' || r.managementEvent === true)) continue;
          management++;
          const m = mapEvent(r.eventSource, r.eventName);
          if (!m.ok) continue;
          for (const a of m.actions) { const hit = catalog().lookup(a); if (hit && set.has(hit.id)) offenders.push(`${a} in ${f}`); }
        }
      }
    };
    walk(sharedFixture('cloudtrail'));
    expect(management).toBeGreaterThan(1000);
    expect(offenders).toEqual([]);
  });
});
