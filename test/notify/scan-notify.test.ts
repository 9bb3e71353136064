// `leash scan --notify` end to end: the real CLI scans the bundled demo account and posts to a
// loopback webhook. A failed webhook (500, no answer, a redirect) is reported and never changes
// the scan's exit code; a bad URL stops the scan before anything is written.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { startWebhook, type Webhook } from '../support/webhook.js';

let hook: Webhook;
let root: string;
const SENTINEL = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYSENTINELKEY';
beforeAll(async () => {
  hook = await startWebhook();
  root = await mkdtemp(join(tmpdir(), 'leash-notify-'));
  process.env.AWS_SECRET_ACCESS_KEY = SENTINEL;
});
afterAll(async () => {
  delete process.env.AWS_SECRET_ACCESS_KEY;
  await hook.close();
  await rm(root, { recursive: true, force: true });
});
afterEach(() => {
  hook.status = 200;
  hook.received.length = 0;
});

describe('leash scan --notify', () => {
  it('posts new findings once (Slack shape), naming account, principal, finding and report; a rescan with nothing new posts nothing', async () => {
    const reports = join(root, 'slack');
    const r = await runCli(['scan', '--demo', '--reports', reports, '--format', 'json', '--notify', hook.url, '--notify-format', 'slack', '--notify-on', 'critical']);
    expect(r.code).toBe(0);
    expect(hook.received).toHaveLength(1);
    const req = hook.received[0]!;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/services/T000/B000/secret-token');
    expect(req.headers['content-type']).toContain('application/json');
    expect(req.headers.authorization).toBeUndefined();
    expect(req.raw).not.toContain(SENTINEL);
    const text = (req.body as { text: string }).text;
    expect(text).toContain('111122223333');
    expect(text).toContain('kiro-agent');
    expect(text).toContain('CRITICAL');
    expect(text).toMatch(/agent-destructive|destructive/);
    expect(text).toContain(join(reports, '111122223333'));
    expect(text).toContain('report.json');
    expect(text).not.toContain('*HIGH*'); // --notify-on critical: nothing below it is listed

    // Control: the same account again has no new findings, so no post.
    hook.received.length = 0;
    const again = await runCli(['scan', '--demo', '--reports', reports, '--format', 'json', '--notify', hook.url, '--notify-on', 'critical']);
    expect(again.code).toBe(0);
    expect(hook.received).toHaveLength(0);
  }, 60_000);

  it('posts leash.alert/1 JSON to other hosts; a 500 is reported on stderr without the secret path and the exit code is unchanged', async () => {
    hook.status = 500;
    const r = await runCli(['scan', '--demo', '--reports', join(root, 'json'), '--format', 'json', '--notify', hook.url]);
    expect(r.code).toBe(0);
    expect(hook.received).toHaveLength(1);
    const body = hook.received[0]!.body as { schema: string; event: string; account: { id: string }; findings: { principalName: string; severity: string }[]; reportPath: string };
    expect(body.schema).toBe('leash.alert/1');
    expect(body.event).toBe('new-findings');
    expect(body.account.id).toBe('111122223333');
    expect(body.findings.every((f) => f.severity === 'critical' || f.severity === 'high')).toBe(true);
    expect(body.reportPath.endsWith('report.json')).toBe(true);
    expect(r.err).toMatch(/could not notify http:\/\/127\.0\.0\.1:\d+\/…: HTTP 500/);
    expect(r.err).not.toContain('secret-token');
  }, 60_000);

  it('gives up on a webhook that never answers, and refuses to follow a redirect', async () => {
    hook.status = 'hang';
    const slow = await runCli(['scan', '--demo', '--reports', join(root, 'hang'), '--format', 'json', '--notify', hook.url, '--notify-timeout', '0.5']);
    expect(slow.code).toBe(0);
    expect(slow.err).toContain('no answer within 0.5 s');
    hook.status = 'redirect';
    const moved = await runCli(['scan', '--demo', '--reports', join(root, 'redirect'), '--format', 'json', '--notify', hook.url]);
    expect(moved.code).toBe(0);
    expect(moved.err).toMatch(/could not notify .*redirect/i);
  }, 60_000);

  it('rejects a clear-text or credentialed URL before scanning (exit 2, nothing written)', async () => {
    const reports = join(root, 'bad');
    const r = await runCli(['scan', '--demo', '--reports', reports, '--notify', 'http://alerts.example.com/hook']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--notify: expected an https:// URL');
    expect(existsSync(reports)).toBe(false);
    const c = await runCli(['scan', '--demo', '--reports', reports, '--notify', 'https://u:p@alerts.example.com/hook']);
    expect(c.code).toBe(2);
    expect(c.err).not.toContain('u:p');
  });
});
