import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { explain, suggestSubjects } from '../../src/cli/commands/explain.js';
import { runScan } from '../../src/pipeline/scan.js';
import { runCli } from '../support/cli.js';

describe('leash explain', () => {
  it('explains an IAM action with its catalog facts and leash\'s judgement of it', () => {
    const text = explain('cloudformation:DeleteStack');
    expect(text).toContain('access level: Write');
    expect(text).toMatch(/DESTRUCTIVE \(environment\)/);
    expect(explain('iam:passrole')).toMatch(/part of escalation technique ec2-passrole-run-instances/);
  });

  it('explains a check and a technique', () => {
    expect(explain('destructive-actions')).toMatch(/^check destructive-actions — .*\(up to critical\)/);
    expect(explain('ec2-passrole-run-instances')).toContain('iam:PassRole\n  ec2:RunInstances | ec2:RequestSpotInstances');
  });

  it('explains a finding of a report by a prefix of its id, with the granting statement and its fixes', async () => {
    const report = await runScan({ demo: true, fixes: true, now: new Date('2026-11-24T07:00:00Z') });
    const f = report.findings.find((x) => x.checkId === 'destructive-actions' && x.principalArn.endsWith('/kiro-agent'))!;
    const text = explain(f.id.slice(0, 10), report);
    expect(text).toContain(f.title);
    expect(text).toMatch(/granted by statement \d+/);
    expect(text).toMatch(/verified: Permissions boundary for kiro-agent/);
  });

  it.each([
    ['destructive-action', ['destructive-actions']],
    ['iam:PasRole', ['iam:PassRole']],
    ['IAM:passrol', ['iam:PassRole']],
    ['lamda:InvokeFunction', ['lambda:InvokeFunction']],
    ['ec2-passrole', ['ec2-passrole-run-instances']],
  ])('suggests close matches for %s', (typed, expected) => {
    const close = suggestSubjects(typed);
    expect(close.length).toBeLessThanOrEqual(3);
    expect(close).toEqual(expect.arrayContaining(expected));
    expect(close[0]).toBe(expected[0]);
    // Every suggestion is something explain knows.
    for (const c of close) expect(() => explain(c)).not.toThrow();
  });

  it('suggests nothing for something unlike anything it knows', () => {
    expect(suggestSubjects('xyzzy')).toEqual([]);
    expect(suggestSubjects('qqqq:Nothing')).toEqual([]);
  });

  it('the error for a mistyped check id names the close match', async () => {
    const r = await runCli(['explain', 'destructive-action', '--reports', mkdtempSync(join(tmpdir(), 'leash-x-'))]);
    expect(r.code).toBe(2);
    expect(r.err).toBe('leash: leash explain: expected a check id, an escalation technique id, an IAM action (service:Action), or a finding id from the report, got "destructive-action" (did you mean destructive-actions?)\n');
  });

  it('exits 2 for something it does not know', async () => {
    const r = await runCli(['explain', 'no-such-thing', '--reports', mkdtempSync(join(tmpdir(), 'leash-x-'))]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/expected a check id, an escalation technique id, an IAM action/);
  });
});

describe('leash report', () => {
  it('renders the latest scan again in other formats without scanning', async () => {
    const root = mkdtempSync(join(tmpdir(), 'leash-rep-'));
    expect((await runCli(['scan', '--demo', '--reports', root, '--format', 'json', '--ci'])).code).toBe(0);
    const out = join(root, 'out');
    const r = await runCli(['report', '--reports', root, '--report', 'latest', '--format', 'sarif,md', '--output', out]);
    expect(r.code).toBe(0);
    expect(existsSync(join(out, 'report.sarif'))).toBe(true);
    expect(JSON.parse(readFileSync(join(out, 'report.sarif'), 'utf8')).version).toBe('2.1.0');
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toContain('kiro-agent');
  });
});
