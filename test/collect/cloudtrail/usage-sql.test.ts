// The one usage SQL, run on DuckDB over the fixture trails laid out as Athena's CloudTrail table
// reads them, must give what the local reader computes from the same files.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCloudTrail } from '../../../src/collect/cloudtrail/sources/files.js';
import { usageSql } from '../../../src/collect/cloudtrail/usage-sql.js';
import { RowError, rowsToUsage } from '../../../src/collect/cloudtrail/usage-rows.js';
import type { AggregatorLimits } from '../../../src/collect/cloudtrail/aggregate.js';
import type { UsageData } from '../../../src/model/usage.js';
import { SKIP_REASON, sharedFixturesPresent } from '../../support/fixtures.js';
import { openTrailDb, type TrailDb } from '../../support/duckdb-trail.js';
import { layOutFixtureTrails, type LaidOutFile } from '../../support/trail-layout.js';

// Bounded lists keep their first items in file order locally, which no aggregate can know; with
// the bounds lifted every field must be equal, and with the default bounds everything order-free.
const NO_LIMITS: Partial<AggregatorLimits> = {
  resourcesPerAction: Infinity,
  sessionsPerPrincipal: Infinity,
  userAgentsPerPrincipal: Infinity,
  userAgentsPerSession: Infinity,
  actionsPerSession: Infinity,
  sourceIpsPerPrincipal: Infinity,
  sourceIpsPerSession: Infinity,
  unmappedPairs: Infinity,
};
const UNBOUNDED_ROWS = { resourcesPerRow: 1_000_000, sourceIpsPerRow: 1_000_000 };

/** What does not depend on record order: counts, times, sessions and user agents per principal. */
function orderFree(u: UsageData): unknown {
  return {
    recordsRead: u.recordsRead,
    dataEventsRead: u.dataEventsRead,
    unmapped: u.unmapped,
    unattributed: u.unattributed,
    coveredPrincipals: u.coveredPrincipals,
    window: u.window,
    byPrincipal: Object.fromEntries(
      Object.entries(u.byPrincipal).map(([arn, p]) => [
        arn,
        {
          // Which user agents fill the 100 kept is order-dependent; their total is not.
          userAgentEvents: Object.values(p.userAgents).reduce((a, b) => a + b, 0),
          firstSeen: p.firstSeen,
          lastSeen: p.lastSeen,
          actions: p.actions.map((a) => ({ action: a.action, count: a.count, deniedCount: a.deniedCount, firstSeen: a.firstSeen, lastSeen: a.lastSeen })),
          sessions: p.sessions.map((s) => ({ sessionName: s.sessionName, sourceIdentity: s.sourceIdentity, eventCount: s.eventCount, firstSeen: s.firstSeen, lastSeen: s.lastSeen })),
        },
      ]),
    ),
  };
}

describe.skipIf(!sharedFixturesPresent)(`usage SQL on DuckDB${sharedFixturesPresent ? '' : `: ${SKIP_REASON}`}`, () => {
  let db: TrailDb;
  let files: LaidOutFile[];
  beforeAll(async () => {
    files = layOutFixtureTrails();
    db = await openTrailDb(files.map((f) => f.path), 'security', 'cloudtrail');
  }, 60_000);
  afterAll(() => db?.close());

  it('the aggregate of every fixture trail equals the local reader\'s usage (bounds lifted: every field)', async () => {
    const rows = await db.query(usageSql({ dialect: 'duckdb', database: 'security', table: 'cloudtrail', ...UNBOUNDED_ROWS }));
    const local = await readCloudTrail(files.map((f) => f.path), { limits: NO_LIMITS });
    const sql = rowsToUsage(rows, { limits: NO_LIMITS });
    expect(sql.usage).toEqual(local.usage);
    expect(sql.missingDays).toEqual(local.missingDays);
    // Far fewer rows than events: the point of pushing the aggregate down.
    expect(rows.length).toBeLessThan(local.usage.recordsRead / 5);
    expect(Object.keys(sql.usage.byPrincipal).length).toBeGreaterThan(10);
  });

  it('with the default bounds, equal in everything that does not depend on record order', async () => {
    const rows = await db.query(usageSql({ dialect: 'duckdb', database: 'security', table: 'cloudtrail' }));
    const local = await readCloudTrail(files.map((f) => f.path));
    const sql = rowsToUsage(rows).usage;
    expect(orderFree(sql)).toEqual(orderFree(local.usage));
    // The fixtures do overflow a bound (a session with more than 200 actions), so this is not vacuous.
    expect(Object.values(local.usage.byPrincipal).some((p) => p.sessions.some((s) => s.actions?.length === 200))).toBe(true);
  });

  it('with a window, equal to the local reader with the same window (records outside it are not read)', async () => {
    const windowStart = '2023-07-10T11:50:00Z';
    const windowEnd = '2023-07-10T12:10:00Z';
    const rows = await db.query(usageSql({ dialect: 'duckdb', database: 'security', table: 'cloudtrail', windowStart, windowEnd, partition: { kind: 'date-string', column: 'timestamp' }, ...UNBOUNDED_ROWS }));
    const local = await readCloudTrail(files.map((f) => f.path), { end: windowEnd, windowDays: 20 / 1440, limits: NO_LIMITS });
    const sql = rowsToUsage(rows, { windowStart, windowEnd, limits: NO_LIMITS });
    // recordsRead differs by design: the local reader reads (and counts) records outside the window.
    expect({ ...sql.usage, recordsRead: 0 }).toEqual({ ...local.usage, recordsRead: 0 });
    expect(sql.usage.recordsRead).toBe(local.usage.recordsRead - local.sources.reduce((n, s) => n + (s.counts?.['outsideWindow'] ?? 0), 0));
    expect(sql.usage.recordsRead).toBeGreaterThan(0);
  });

  it('a denied call counts as denied, not used, and adds no resource (negative control: the same call allowed does)', async () => {
    const rows = await db.query(usageSql({ dialect: 'duckdb', database: 'security', table: 'cloudtrail' }));
    const deniedRows = rows.filter((r) => r['denied'] !== '0');
    expect(deniedRows.length).toBeGreaterThan(0);
    const u = rowsToUsage(rows).usage;
    const deniedActions = Object.values(u.byPrincipal).flatMap((p) => p.actions).filter((a) => (a.deniedCount ?? 0) > 0);
    expect(deniedActions.length).toBeGreaterThan(0);
    const allowedOnly = rowsToUsage(deniedRows.map((r) => ({ ...r, calls: r['denied'], denied: '0' }))).usage;
    expect(Object.values(allowedOnly.byPrincipal).flatMap((p) => p.actions).every((a) => a.deniedCount === undefined && a.count > 0)).toBe(true);
  });
});

describe('usage SQL text', () => {
  it('quotes the table, refuses unsafe names and non-ISO bounds', () => {
    const sql = usageSql({ dialect: 'athena', database: 'security', table: 'cloudtrail_logs', windowStart: '2024-01-01T00:00:00Z', windowEnd: '2024-01-31T00:00:00Z', partition: { kind: 'date-string', column: 'timestamp' } });
    expect(sql).toContain('FROM "security"."cloudtrail_logs"');
    expect(sql).toContain(`"timestamp" BETWEEN '2023/12/31' AND '2024/02/01'`);
    expect(sql).toContain('json_extract_scalar(');
    expect(sql).not.toContain('json_extract_string(');
    expect(() => usageSql({ dialect: 'athena', database: 'x"; DROP TABLE y; --', table: 't' })).toThrow(/not a safe SQL name/);
    expect(() => usageSql({ dialect: 'athena', database: 'd', table: 't', windowEnd: "2024-01-01' OR 1=1" })).toThrow(/not an ISO timestamp/);
  });

  it('rows that are not what the query returns are refused with row and column', () => {
    const good = { id_type: 'IAMUser', id_arn: 'arn:aws:iam::111122223333:user/a', event_source: 'iam.amazonaws.com', event_name: 'ListRoles', calls: '1', denied: '0', first_seen: '2024-01-01T00:00:00Z', last_seen: '2024-01-01T00:00:00Z', data_events: '0', user_agents: '{"x":1}', source_ips: '[]', resources: '[]', days: '["2024-01-01"]' };
    expect(rowsToUsage([good]).usage.byPrincipal['arn:aws:iam::111122223333:user/a']?.actions[0]).toMatchObject({ action: 'iam:ListRoles', count: 1 });
    expect(() => rowsToUsage([{ ...good, calls: '-1' }])).toThrow(RowError);
    expect(() => rowsToUsage([{ ...good, user_agents: '{"x":"many"}' }])).toThrow(/user_agents/);
    expect(() => rowsToUsage([{ ...good, first_seen: 'yesterday' }])).toThrow(/row 0, column first_seen/);
  });
});
