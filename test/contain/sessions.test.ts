// The live session read's pure half: a timeline (the activity reader's) as the report's
// SessionSummary shape, and what a read covered. Checked against the report the real pipeline
// builds from the same CloudTrail (the demo's trail files): the plan renders either the same way.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { RAW_ESCAPE } from '../support/aws-stub.js';
import { activityTimeline } from '../../src/activity/timeline.js';
import type { ActivityRead } from '../../src/activity/read.js';
import { planContainment } from '../../src/contain/plan.js';
import { containSummary, renderContainment } from '../../src/contain/render.js';
import { SESSIONS_KEPT, sessionSummaries, sessionsRead } from '../../src/contain/sessions.js';
import { analyzeSnapshot, collectSnapshot } from '../../src/pipeline/scan.js';
import { demoDir } from '../../src/pipeline/paths.js';

const NOW = new Date('2026-12-06T02:00:00.000Z');
const ALL = { since: '2000-01-01T00:00:00Z', until: '2026-12-06T02:00:00Z' };

function demoRecords(): unknown[] {
  const out: unknown[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name));
      else out.push(...(JSON.parse(gunzipSync(readFileSync(join(dir, e.name))).toString()) as { Records: unknown[] }).Records);
    }
  };
  walk(join(demoDir, 'cloudtrail'));
  return out;
}

describe('sessionSummaries: the live read in the report\'s shape', async () => {
  const demo = await collectSnapshot({ demo: true, cloudtrail: [join(demoDir, 'cloudtrail')] });
  const report = analyzeSnapshot(demo.snapshot, demo.config, { scanId: 't', startedAt: NOW.toISOString(), now: NOW, fixes: false }).report;
  const records = demoRecords();
  const kiro = report.principals.find((p) => p.name === 'kiro-agent')!;

  it('the demo\'s kiro-agent: the same sessions, times and tools as the report made from the same trail files, latest first, at most as many as it keeps', () => {
    const t = activityTimeline(records, { principalArn: kiro.arn }, { ...ALL, limit: 1 });
    expect(t.sessions.length).toBeGreaterThan(SESSIONS_KEPT);
    const live = sessionSummaries(t);
    expect(live).toHaveLength(SESSIONS_KEPT);
    const fromReport = kiro.usage!.sessions!;
    const key = (s: { name?: string; sourceIdentity?: string; firstSeen: string; lastSeen: string; tools?: readonly string[] }) => [s.name, s.sourceIdentity, s.firstSeen, s.lastSeen, s.tools ?? []];
    expect(live.map(key)).toEqual(fromReport.map(key));
    expect(live.every((s, i) => i === 0 || live[i - 1]!.lastSeen >= s.lastSeen)).toBe(true);
    // Rendered as the report's are: the README's table and the summary's latest AI-tool session.
    const p = planContainment(report, { target: 'kiro-agent', now: NOW, sessionsLive: { sessions: live, read: sessionsRead(ALL, t, { sources: [], errors: [] }) } });
    const readme = renderContainment(p).find((f) => f.name === 'README.md')!.content;
    expect(readme).toContain('| `kiro-dana-030` | `dana` | kiro |');
    expect(readme).toContain('## Sessions CloudTrail showed since 2000-01-01T00:00:00Z (read live, latest first)');
    expect(containSummary(p, '/x')).toMatch(/latest AI-tool session seen: kiro-dana-030 \(kiro, /);
  });

  it('negative: a principal whose calls name no AI tool gets sessions without tools, and the summary names no AI-tool session', () => {
    // Records of kiro-agent with the user agent a person's AWS CLI sends (no tool marker).
    const person = records.map((r) => {
      const x = r as { userAgent?: unknown };
      return typeof x.userAgent === 'string' ? { ...x, userAgent: 'aws-cli/2.36.7 ua/2.1 os/linux#6.8.0 lang/python#3.13.7 m/E cfg/retry-mode#standard' } : x;
    });
    const t = activityTimeline(person, { principalArn: kiro.arn }, { ...ALL, limit: 1 });
    const live = sessionSummaries(t);
    expect(live.length).toBeGreaterThan(0);
    expect(live.every((s) => s.tools === undefined)).toBe(true);
    const p = planContainment(report, { target: 'kiro-agent', now: NOW, sessionsLive: { sessions: live, read: sessionsRead(ALL, t, { sources: [], errors: [] }) } });
    expect(containSummary(p, '/x')).not.toMatch(/latest AI-tool session/);
    expect(p.sessionsRead!.tools).toEqual([]);
  });

  it('a user\'s plan keeps no session list (a user has no session names) but says what its calls were', () => {
    const bot = report.principals.find((p) => p.name === 'cursor-ci-bot')!;
    const t = activityTimeline(records, { principalArn: bot.arn }, { ...ALL, limit: 1 });
    const p = planContainment(report, { target: bot.arn, now: NOW, sessionsLive: { sessions: sessionSummaries(t), read: sessionsRead(ALL, t, { sources: [], errors: [] }) } });
    expect(p.sessionsSeen).toEqual([]);
    expect(p.sessionsRead!.calls).toBeGreaterThan(0);
    expect(p.sessionsRead!.calls).toBe(t.counts.matched);
    expect(p.sessionsRead!.tools).toEqual(bot.usage!.sessions![0]!.tools ?? []);
    expect(renderContainment(p).find((f) => f.name === 'README.md')!.content).toContain(`${p.sessionsRead!.calls} call(s) by it in CloudTrail's LookupEvents`);
  });
});

describe('sessionsRead: what a read covered', async () => {
  const demo = await collectSnapshot({ demo: true });
  const report = analyzeSnapshot(demo.snapshot, demo.config, { scanId: 't', startedAt: NOW.toISOString(), now: NOW, fixes: false }).report;
  const empty = activityTimeline([], { principalArn: 'arn:aws:iam::111122223333:role/r' });

  it('names each source that did not answer whole (not read, read in part) and leaves out those that did; control: all whole, nothing unread', () => {
    const read: ActivityRead = {
      sources: [
        { kind: 'cloudtrail-api', location: 'cloudtrail:LookupEvents Username=s1', status: 'ok', detail: 'x' },
        { kind: 'cloudtrail-api', location: 'cloudtrail:LookupEvents Username=s2', status: 'unavailable', detail: 'AccessDeniedException: no' },
        { kind: 'cloudtrail-api', location: 'cloudtrail:LookupEvents Username=s3', status: 'partial', detail: 'stopped at the bound' },
      ],
      errors: [{ source: 'cloudtrail-api', code: 'invalid-input', message: 'event e1: CloudTrailEvent is not JSON; skipped' }],
      notes: ['note from the reader'],
    };
    const r = sessionsRead(ALL, empty, read, ['mine']);
    expect(r.unread).toEqual([
      'cloudtrail:LookupEvents Username=s2: not read (AccessDeniedException: no)',
      'cloudtrail:LookupEvents Username=s3: read in part (stopped at the bound)',
      '1 event(s) could not be read as CloudTrail records: skipped',
    ]);
    expect(r.notes).toEqual(['note from the reader', 'mine']);
    expect(r).toMatchObject({ calls: 0, sessions: 0, tools: [] });
    expect(r.lastSeen).toBeUndefined();
    expect(sessionsRead(ALL, empty, { sources: [read.sources[0]!], errors: [] }).unread).toEqual([]);
  });

  it("bounds what AWS's text can add: each line cut at 400 characters, at most 10 lines and a count of the rest", () => {
    const many = Array.from({ length: 14 }, (_, i) => ({ kind: 'cloudtrail-api' as const, location: `l${i}`, status: 'unavailable' as const, detail: 'e'.repeat(1000) }));
    const r = sessionsRead(ALL, empty, { sources: many, errors: [] });
    expect(r.unread).toHaveLength(11);
    expect(r.unread.slice(0, 10).every((l) => l.length === 400 && l.endsWith('…'))).toBe(true);
    expect(r.unread[10]).toBe('and 4 more');
  });

  it('AWS\'s error text in what was not read reaches the README escaped, never raw; the summary only counts it', () => {
    const evil = 'AccessDenied: \u001b]52;c;aGk=\u0007 \u202edenied';
    const r = sessionsRead(ALL, empty, { sources: [{ kind: 'cloudtrail-api', location: 'cloudtrail:LookupEvents', status: 'unavailable', detail: evil }], errors: [] }, ['note \u001b[2J']);
    const p = planContainment(report, { target: 'kiro-agent', now: NOW, sessionsLive: { sessions: [], read: r } });
    const readme = renderContainment(p).find((f) => f.name === 'README.md')!.content;
    expect(readme).toContain('cloudtrail:LookupEvents: not read (AccessDenied: \\\\x1b\\]52;c;aGk=\\\\x07 \\\\u202edenied)');
    expect(readme).not.toMatch(RAW_ESCAPE);
    const summary = containSummary(p, '/x');
    expect(summary).toContain('not read whole (1 source(s), README.md)');
    expect(summary).not.toMatch(RAW_ESCAPE);
  });
});
