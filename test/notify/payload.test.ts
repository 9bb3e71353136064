// Alerts from hostile reports: every name goes through the sanitiser, the body stays bounded,
// and each positive case has a control (a clean name is left readable, a known finding is not new).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { newFindingsAlert, MAX_LISTED_FINDINGS } from '../../src/notify/alert.js';
import { MAX_PAYLOAD_BYTES, renderPayload } from '../../src/notify/payload.js';
import { plainText, slackText } from '../../src/notify/text.js';
import { parseNotifyTarget, describeTarget } from '../../src/notify/target.js';
import { InputError } from '../../src/model/errors.js';
import { ACCOUNT, buildReport } from '../report/support.js';
import type { Report } from '../../src/model/report.js';

function withNames(report: Report, rename: (name: string, i: number) => string): Report {
  const principals = report.principals.map((p, i) => ({ ...p, name: rename(p.name, i) }));
  return { ...report, principals, findings: report.findings.map((f) => ({ ...f, title: `${f.title} ${principals.find((p) => p.arn === f.principalArn)?.name ?? ''}` })) };
}

/** Slack's control sequences: mentions, channel/user links, URL links. None may survive. */
const SLACK_CONTROL = /<[!@#]|<https?:|<mailto:/;

describe('Slack text', () => {
  it('neutralises mentions, links and formatting from hostile names', () => {
    const hostile = '<!channel> <@U012AB> <https://evil.example|click> @here @everyone `code` \u202edlrow\n*bold*';
    const out = slackText(hostile);
    expect(out).not.toMatch(SLACK_CONTROL);
    expect(out).not.toMatch(/[\n\u202e]/);
    expect(out).not.toMatch(/@(here|everyone|channel)/);
    expect(out).toContain('&lt;!channel&gt;');
    // Control: an ordinary name reads as itself.
    expect(slackText('kiro-agent')).toBe('kiro-agent');
  });

  it('never lets a Slack control sequence through, whatever the input (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('<', '>', '!', '@', '&', '|', 'a', 'h', 'e', 'r', 'c', 'n', ':', '/', '`', '\n', '\u202e', ' ') , maxLength: 60 }), (s) => {
        const out = slackText(s);
        expect(out).not.toMatch(/[<>\n\u202e]/);
        expect(out).not.toMatch(/@(here|everyone|channel)/);
      }),
    );
  });

  it('bounds and flattens plain text', () => {
    expect(plainText('a\r\nb\tc')).toBe('a b c');
    expect(plainText('x'.repeat(1000)).length).toBe(300);
  });
});

describe('new-findings alert', () => {
  const report = buildReport({ startedAt: '2026-12-01T03:00:00Z' });

  it('lists open findings at or above the threshold, worst first, naming account, principal, finding and report', () => {
    const alert = newFindingsAlert(report, 'reports/111122223333/x/report.json', 'high');
    expect(alert?.kind).toBe('new-findings');
    if (alert?.kind !== 'new-findings') return;
    expect(alert.account).toBe(ACCOUNT);
    expect(alert.findings.length).toBeGreaterThan(0);
    expect(alert.findings.every((f) => f.severity === 'critical' || f.severity === 'high')).toBe(true);
    const body = JSON.parse(renderPayload(alert, 'slack')) as { text: string };
    expect(body.text).toContain(ACCOUNT);
    expect(body.text).toContain(alert.findings[0]!.principalName);
    expect(body.text).toContain(alert.findings[0]!.checkId);
    expect(body.text).toContain('reports/111122223333/x/report.json');
    // Control: a threshold above every finding gives no alert.
    const none = { ...report, findings: report.findings.filter((f) => f.severity !== 'critical') };
    expect(newFindingsAlert(none, 'r', 'critical')).toBeUndefined();
  });

  it('counts only findings new since the previous scan, and never suppressed ones', () => {
    const [first, ...rest] = report.findings.filter((f) => f.severity === 'critical' || f.severity === 'high');
    const withDelta: Report = { ...report, delta: { previousScanId: 'prev', newFindings: [first!.id], resolvedFindings: [], changedFindings: [], principalsAdded: [], principalsRemoved: [], permissionGrowth: [] } };
    const alert = newFindingsAlert(withDelta, 'r', 'low');
    expect(alert?.kind === 'new-findings' && alert.findings.map((f) => f.id)).toEqual([first!.id]);
    expect(alert?.kind === 'new-findings' && alert.firstScan).toBe(false);
    const suppressed: Report = { ...withDelta, findings: withDelta.findings.map((f) => (f.id === first!.id ? { ...f, suppressed: { reason: 'accepted' } } : f)) };
    expect(newFindingsAlert(suppressed, 'r', 'low')).toBeUndefined();
    expect(rest.length).toBeGreaterThanOrEqual(0);
  });

  it('escapes hostile names in both formats and stays under the byte limit with thousands of findings', () => {
    const hostile = withNames(report, (n, i) => (i === 0 ? `<!channel>@here${'\u202e'}${n}` : n));
    const alert = newFindingsAlert(hostile, 'r', 'info')!;
    const slack = JSON.parse(renderPayload(alert, 'slack')) as { text: string };
    expect(slack.text).not.toMatch(SLACK_CONTROL);
    expect(slack.text).not.toContain('\u202e');
    const json = JSON.parse(renderPayload(alert, 'json')) as { schema: string; findings: { principalName: string }[] };
    expect(json.schema).toBe('leash.alert/1');
    expect(json.findings.some((f) => f.principalName.startsWith('<!channel>@here'))).toBe(true); // JSON keeps text (escaping is the receiver's format), minus controls
    expect(JSON.stringify(json)).not.toContain('\u202e');

    const many: Report = { ...report, findings: Array.from({ length: 5000 }, (_, i) => ({ ...report.findings[0]!, id: `f${i}`, title: 'T'.repeat(280) })) };
    const big = newFindingsAlert(many, 'r'.repeat(900), 'info')!;
    expect(big.kind === 'new-findings' && big.findings.length).toBe(MAX_LISTED_FINDINGS);
    for (const format of ['slack', 'json'] as const) {
      const body = renderPayload(big, format);
      expect(Buffer.byteLength(body)).toBeLessThanOrEqual(MAX_PAYLOAD_BYTES);
      expect(body).toContain('4985');
    }
  });
});

describe('notify target', () => {
  it('chooses the Slack shape for slack.com hosts and JSON elsewhere, unless told', () => {
    expect(parseNotifyTarget('https://hooks.slack.com/services/T/B/x').format).toBe('slack');
    expect(parseNotifyTarget('https://alerts.example.com/leash').format).toBe('json');
    expect(parseNotifyTarget('https://chat.example.com/hooks/abc', 'slack').format).toBe('slack');
  });

  it('refuses clear-text http off this machine and credentials in the URL', () => {
    expect(() => parseNotifyTarget('http://alerts.example.com/x')).toThrow(InputError);
    expect(() => parseNotifyTarget('https://user:pw@alerts.example.com/x')).toThrow(/without user:password/);
    expect(() => parseNotifyTarget('ftp://x')).toThrow(InputError);
    expect(() => parseNotifyTarget('not a url')).toThrow(/not a URL/);
    // Controls: loopback http is allowed (a local relay).
    expect(parseNotifyTarget('http://127.0.0.1:8080/x').url.port).toBe('8080');
    expect(parseNotifyTarget('http://localhost/x').format).toBe('json');
  });

  it('never shows the secret path of a webhook', () => {
    expect(describeTarget(new URL('https://hooks.slack.com/services/T/B/secret'))).toBe('https://hooks.slack.com/…');
  });
});

describe('schedule alerts', () => {
  const secretError = 'config at $.x: expected a string, got "AKIAIOSFODNN7EXAMPLE wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"';

  it('a failed-run alert names the count, the error and the marker, with keys masked, in both shapes', () => {
    const alert = { kind: 'run-failed', consecutiveFailures: 3, limit: 3, stopped: true, error: secretError, reportsRoot: 'reports', markerPath: 'reports/schedule-failed.json' } as const;
    for (const format of ['slack', 'json'] as const) {
      const body = renderPayload(alert, format);
      expect(body).not.toContain('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY');
      expect(body).not.toContain('AKIAIOSFODNN7EXAMPLE');
      expect(body).toContain('schedule-failed.json');
    }
    expect((JSON.parse(renderPayload(alert, 'slack')) as { text: string }).text).toContain('3 scheduled runs in a row failed — the schedule has *stopped*');
    expect(JSON.parse(renderPayload(alert, 'json'))).toMatchObject({ event: 'run-failed', consecutiveFailures: 3, stopped: true });
  });

  it('a stale alert says since when and why', () => {
    const alert = { kind: 'run-stale', since: '2026-12-01T00:00:00.000Z', staleAfterSeconds: 7200, reason: 'a run has been in progress since before the limit', reportsRoot: 'reports' } as const;
    expect((JSON.parse(renderPayload(alert, 'slack')) as { text: string }).text).toMatch(/no successful scan for more than 120 min .*in progress[\s\S]*none since 2026-12-01/);
    expect(JSON.parse(renderPayload(alert, 'json'))).toMatchObject({ event: 'run-stale', staleAfterSeconds: 7200 });
  });
});
