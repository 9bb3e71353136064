// Schema 1.9.0: a principal's usage names its most recent sessions and the AI tools their user
// agents match, from the demo account's CloudTrail through the real pipeline.
import { describe, expect, it } from 'vitest';
import { collectSnapshot, analyzeSnapshot } from '../../src/pipeline/scan.js';
import { reportSchemaErrors } from '../support/schema.js';

const NOW = new Date('2026-11-24T00:00:00Z');
const { snapshot, config } = await collectSnapshot({ demo: true });
const report = analyzeSnapshot(snapshot, config, { scanId: 't', startedAt: NOW.toISOString(), now: NOW, fixes: false }).report;
const sessionsOf = (name: string) => report.principals.find((p) => p.name === name)?.usage?.sessions ?? [];

describe('report usage.sessions', () => {
  it('keeps the 10 most recent sessions, latest first, with the tool their user agent names', () => {
    const all = snapshot.usage!.byPrincipal[report.principals.find((p) => p.name === 'kiro-agent')!.arn]!.sessions;
    expect(all.length).toBeGreaterThan(10);
    const kept = sessionsOf('kiro-agent');
    expect(kept).toHaveLength(10);
    const latest = [...all].map((s) => s.lastSeen).sort().reverse().slice(0, 10);
    expect(kept.map((s) => s.lastSeen)).toEqual(latest);
    for (const s of kept) {
      expect(s.tools).toEqual(['kiro']);
      expect(s.name).toMatch(/^kiro-/);
      expect(s.events).toBeGreaterThan(0);
    }
  });

  it('negative: sessions whose user agents match no AI tool carry no tools (a service\'s sessions are not an agent\'s)', () => {
    const ecs = sessionsOf('orders-api-task');
    expect(ecs.length).toBeGreaterThan(0);
    for (const s of ecs) expect(s.tools).toBeUndefined();
  });

  it('the engineer\'s own SSO session driven by Claude Code names both the person\'s session and the tool', () => {
    const sso = report.principals.find((p) => p.name.startsWith('AWSReservedSSO_'))!;
    expect(sso.usage?.sessions?.[0]).toMatchObject({ name: 'dana@example.com', tools: ['claude-code'] });
  });

  it('the report with sessions satisfies the published schema; a malformed session does not', () => {
    expect(reportSchemaErrors(JSON.parse(JSON.stringify(report)))).toEqual([]);
    const bad = JSON.parse(JSON.stringify(report)) as { principals: { usage?: { sessions?: unknown[] } }[] };
    const withSessions = bad.principals.find((p) => p.usage?.sessions)!;
    withSessions.usage!.sessions![0] = { name: 'x', events: -1, firstSeen: 'a', lastSeen: 'b' };
    expect(reportSchemaErrors(bad).join('\n')).toMatch(/sessions/);
    expect(report.schemaVersion).toBe('1.13.0');
  });
});
