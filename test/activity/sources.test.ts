// Where the TUI's Activity screen reads: the report's trail files, and the `leash activity`
// command for each source that needs AWS credentials, quoted for the shell and escaped for the screen.
import { describe, expect, it } from 'vitest';
import { activityPlan } from '../../src/activity/sources.js';
import type { Report } from '../../src/model/report.js';
import { buildReport, KIRO_ARN } from '../tui/support.js';

const withSources = (r: Report, sources: Report['scan']['sources'], window = true): Report => ({
  ...r,
  scan: { ...r.scan, sources, coverage: { ...r.scan.coverage, usage: window ? r.scan.coverage.usage : { status: 'none', coveredPrincipals: 0, recordsRead: 0, unmappedEvents: 0 } } },
});
const S3 = [{ kind: 'cloudtrail-s3' as const, location: 's3://trail/AWSLogs/', status: 'ok' as const }];

describe('activityPlan', () => {
  it('a hostile principal ARN is shell-quoted and shows no raw escape (control: a plain ARN as is)', () => {
    const base = buildReport();
    const evil = { ...base.principals[0]!, arn: `${KIRO_ARN}\u001b]52;c;aGk=\u0007'x\u202e` };
    const [cmd] = activityPlan(withSources(base, S3), evil).commands;
    expect(cmd!.command).not.toMatch(/\u001b|\u0007|\u202e/);
    expect(cmd!.command).toContain(`leash activity $'${KIRO_ARN}\\x1b]52;c;aGk=\\x07\\'x\\xe2\\x80\\xae'`);
    const [plain] = activityPlan(withSources(base, S3), base.principals[0]!).commands;
    expect(plain!.command).toBe(`leash activity ${KIRO_ARN} --since 2026-10-21T00:00:00Z --cloudtrail s3://trail/AWSLogs/`);
  });

  it("the window starts at the report's CloudTrail window, else 24h before the report", () => {
    const base = buildReport();
    expect(activityPlan(base, base.principals[0]!).since).toBe(base.scan.coverage.usage.window!.start);
    const none = activityPlan(withSources(base, base.scan.sources, false), base.principals[0]!);
    expect(none.since).toBe(new Date(Date.parse(base.scan.finishedAt) - 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z'));
    expect(none.windowNote).toContain('the report has no CloudTrail window');
  });

  it('a session by its name, else its source identity; a name IAM would not allow is not passed on', () => {
    const base = buildReport();
    const p = base.principals[0]!;
    const at = { firstSeen: '2026-11-20T00:00:00Z', lastSeen: '2026-11-20T00:01:00Z', events: 1 };
    expect(activityPlan(withSources(base, S3), p, { ...at, name: 'kiro-s1', sourceIdentity: 'dana' }).commands[0]!.command).toContain(' --session kiro-s1 --since');
    expect(activityPlan(withSources(base, S3), p, { ...at, sourceIdentity: 'dana' }).commands[0]!.command).toContain(' --source-identity dana --since');
    const odd = activityPlan(withSources(base, S3), p, { ...at, name: 'a b;rm -rf' });
    expect(odd.target).toEqual({ principalArn: p.arn });
    expect(odd.commands[0]!.command).not.toContain('--session');
  });

  it('trail files are read, the rest become commands; a non-CloudTrail source is neither', () => {
    const base = buildReport();
    const plan = activityPlan(base, base.principals[0]!);
    expect(plan.files).toEqual(['demo/cloudtrail']);
    expect(plan.commands).toEqual([]);
  });
});
