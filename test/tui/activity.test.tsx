// The Activity screen (`a` on a principal): `leash activity`'s timeline in the TUI, read from the
// report's own trail files through the onActivity callback; sources that need AWS credentials are
// shown as the command to run and never read; hostile record text reaches the screen escaped.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { App, type AppProps } from '../../src/tui/App.js';
import { defaultCallbacks } from '../../src/tui/run.js';
import { runScan } from '../../src/pipeline/scan.js';
import type { Report } from '../../src/model/report.js';
import { KEYS, renderTui, type RenderedTui } from '../support/render-tui.js';
import { buildReport, KIRO_ARN } from './support.js';

const SSO = 'AWSReservedSSO_AdministratorAccess_3f8a9c2d1e7b6a54';
let demo: Report;
let t: RenderedTui | undefined;
const dirs: string[] = [];
beforeAll(async () => {
  demo = await runScan({ demo: true, now: new Date('2026-11-24T00:00:00Z') });
}, 60_000);
afterEach(() => {
  t?.unmount();
  t = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'leash-tui-activity-'));
  dirs.push(d);
  return d;
};

const until = async (tui: RenderedTui, text: string | RegExp) =>
  vi.waitFor(() => (typeof text === 'string' ? expect(tui.frame()).toContain(text) : expect(tui.frame()).toMatch(text)), { timeout: 10_000 });

async function open(report: Report, props: Partial<AppProps> = {}, size = { columns: 200, rows: 60 }) {
  t = await renderTui(<App report={report} {...defaultCallbacks(tmp())} colors={false} {...props} />, size);
  return t;
}

/** The principal list, searched for `name`, opened. */
async function openPrincipal(tui: RenderedTui, name: string) {
  await tui.press('p', '/');
  await tui.type(name);
  await tui.press(KEYS.enter, KEYS.enter);
  await until(tui, '[Findings');
}

const principalOf = (report: Report, name: string) => report.principals.find((p) => p.name === name)!;

describe('Activity screen on the demo', () => {
  it("a on dana's Identity Center role: DeleteStack marked DESTRUCTIVE by claude-code, every call of the scan counted; esc returns", async () => {
    const tui = await open(demo);
    await openPrincipal(tui, SSO);
    expect(tui.frame()).toContain('a activity');
    await tui.press('a');
    await until(tui, 'destructive and escalation-relevant calls that succeeded');
    const f = tui.frame();
    expect(f).toContain(`activity of ${SSO}`);
    expect(f).toMatch(/cloudformation:DeleteStack\s+DESTRUCTIVE\(environment\)\s+dana@example\.com\s+\(claude-code\)/);
    // The same calls the scan counted for its one session (read by the scan's own aggregator).
    const [session] = principalOf(demo, SSO).usage!.sessions!;
    expect(f).toContain(`${session!.events} calls: 1 destructive`);
    expect(f).toContain("Window: from the start of the report's CloudTrail window");
    expect(f).not.toContain('No call by it in this window');
    expect(f).not.toContain('Not read here');
    expect(f).not.toContain('LOGGING TAMPERED WITH');
    await tui.press(KEYS.escape);
    await until(tui, '[Findings');
    expect(tui.frame()).not.toContain('activity of');
  });

  it('scrolls: G shows the last call at the bottom, g the top again', async () => {
    const tui = await open(demo, {}, { columns: 160, rows: 30 });
    await openPrincipal(tui, SSO);
    await tui.press('a');
    await until(tui, 'calls, oldest first:');
    // The last call and its wrapped resource, just above the key line.
    const lastBody = () => tui.frame().split('\n').filter((l) => l.trim() !== '').slice(-3, -1).join('\n');
    expect(tui.frame()).toContain('Window: from the start');
    expect(lastBody()).not.toContain('cloudformation:CreateStack');
    await tui.press('G');
    await vi.waitFor(() => expect(lastBody()).toMatch(/2026-11-23T17:40:00Z\s+us-east-1\s+cloudformation:CreateStack.*\n.*arn:aws:cloudformation:\S+stack\/cost-explorer-cn-app\//));
    expect(tui.frame()).not.toContain('Window: from the start');
    await tui.press('g');
    await until(tui, 'Window: from the start');
  });

  it('a principal that made no call in the window says so (control above: dana made 46)', async () => {
    const tui = await open(demo);
    await openPrincipal(tui, 'dr-restore-admin');
    await tui.press('a');
    await until(tui, 'No call by it in this window.');
    expect(tui.frame()).toContain('0 calls: 0 destructive');
    expect(tui.frame()).not.toContain('DESTRUCTIVE(');
  });

  it('tab reads one session at a time: its calls only, then all again', async () => {
    const seen: (string | undefined)[] = [];
    const real = defaultCallbacks(tmp()).onActivity;
    const tui = await open(demo, { onActivity: async (r, p, s) => (seen.push(s?.name), real(r, p, s)) });
    await openPrincipal(tui, 'kiro-agent');
    await tui.press('a');
    await until(tui, /\d+ calls: /);
    const all = Number(/(\d+) calls: /.exec(tui.frame())![1]);
    const [first] = principalOf(demo, 'kiro-agent').usage!.sessions!;
    await tui.press(KEYS.tab);
    await until(tui, `· session ${first!.name}, source identity dana`);
    await until(tui, `${first!.events} calls: `);
    expect(all).toBeGreaterThan(first!.events);
    expect(tui.frame()).not.toMatch(/kiro-dana-0(?!30)\d\d/);
    await tui.press(KEYS.left);
    await until(tui, '· all its calls');
    await until(tui, `${all} calls: `);
    expect(seen).toEqual([undefined, first!.name, undefined]);
  });
});

describe('a read that ends after the user moved on', () => {
  it('is dropped: the session read after it stays on screen', async () => {
    const release: (() => void)[] = [];
    const real = defaultCallbacks(tmp()).onActivity;
    // The read of all calls ends only when released, after the session's read has ended.
    const tui = await open(demo, { onActivity: async (r, p, s) => { const res = await real(r, p, s); if (!s) await new Promise<void>((ok) => release.push(ok)); return res; } });
    await openPrincipal(tui, 'kiro-agent');
    await tui.press('a');
    await until(tui, 'Reading the trail files…');
    const [first] = principalOf(demo, 'kiro-agent').usage!.sessions!;
    await tui.press(KEYS.tab);
    await until(tui, `${first!.events} calls: `);
    await vi.waitFor(() => expect(release).toHaveLength(1));
    release[0]!();
    await new Promise((r) => setTimeout(r, 50));
    expect(tui.frame()).toContain(`${first!.events} calls: `);
    expect(tui.frame()).toContain(`· session ${first!.name}`);
  });
});

describe('sources that need AWS credentials', () => {
  const awsOnly = (r: Report): Report => ({
    ...r,
    scan: {
      ...r.scan,
      sources: [
        ...r.scan.sources.filter((s) => !s.kind.startsWith('cloudtrail')),
        { kind: 'cloudtrail-s3', location: 's3://org-trail/AWSLogs/', status: 'ok' },
        { kind: 'cloudtrail-api', location: 'cloudtrail:LookupEvents', status: 'ok', detail: '2026-11-23T00:00:00.000Z..2026-11-24T00:00:00.000Z; regions: eu-west-1 ok; us-east-1 ok' },
        { kind: 'cloudtrail-athena', location: 'athena://primary/security.cloudtrail_logs', status: 'ok' },
      ],
    },
  });

  it('are shown as the leash activity command, never read (the callback is not called)', async () => {
    const onActivity = vi.fn(defaultCallbacks(tmp()).onActivity);
    const tui = await open(awsOnly(demo), { onActivity });
    await openPrincipal(tui, SSO);
    await tui.press('a');
    await until(tui, 'Not read here: these sources need AWS credentials, and the TUI never calls AWS');
    const arn = principalOf(demo, SSO).arn;
    const since = demo.scan.coverage.usage.window!.start;
    // A command wider than the screen goes on with a backslash: pasted, it is still one command.
    const f = tui.frame().replace(/ \\\n\s+/g, ' ');
    expect(tui.frame()).toMatch(/ \\\n\s+primary\/security\.cloudtrail_logs/);
    expect(f).toContain(`leash activity ${arn} --since ${since} --cloudtrail s3://org-trail/AWSLogs/`);
    expect(f).toContain(`leash activity ${arn} --since ${since} --live --regions eu-west-1 us-east-1`);
    expect(f).toContain(`leash activity ${arn} --since ${since} --cloudtrail-athena primary/security.cloudtrail_logs`);
    expect(f).toContain("No CloudTrail file among the report's sources");
    expect(onActivity).not.toHaveBeenCalled();
  });

  it('control: with the trail folder as well, the folder is read (once) and the commands still shown', async () => {
    const onActivity = vi.fn(defaultCallbacks(tmp()).onActivity);
    const both = awsOnly(demo);
    const withFiles = { ...both, scan: { ...both.scan, sources: [...both.scan.sources, ...demo.scan.sources.filter((s) => s.kind === 'cloudtrail-file')] } };
    const tui = await open(withFiles, { onActivity });
    await openPrincipal(tui, SSO);
    await tui.press('a');
    await until(tui, /cloudformation:DeleteStack\s+DESTRUCTIVE/);
    expect(tui.frame()).toContain('--cloudtrail s3://org-trail/AWSLogs/');
    expect(onActivity).toHaveBeenCalledTimes(1);
  });
});

describe('the read through the callback', () => {
  it('shows a busy line while it reads and the error when it fails; the TUI keeps running', async () => {
    let fail!: (e: Error) => void;
    const tui = await open(buildReport(), { onActivity: () => new Promise((_, reject) => (fail = reject)) }, { columns: 120, rows: 30 });
    await tui.press(KEYS.enter, 'a');
    await until(tui, 'Reading the trail files…');
    expect(tui.frame()).not.toContain('Could not read');
    fail(new Error('EACCES: permission denied, open demo/cloudtrail'));
    await until(tui, 'Could not read the activity: EACCES: permission denied, open demo/cloudtrail');
    expect(tui.frame()).not.toContain('Reading the trail files…');
    await tui.press(KEYS.escape);
    await until(tui, '[Findings');
  });
});

// One record of kiro-agent's session, CloudTrail's shape.
const record = (eventName: string, time: string, eventSource = 's3.amazonaws.com', extra: Record<string, unknown> = {}) => ({
  ...extra,
  eventVersion: '1.10', eventTime: time, eventSource, eventName, awsRegion: 'us-east-1', eventType: 'AwsApiCall', eventID: `${time}-x`,
  userIdentity: { type: 'AssumedRole', arn: 'arn:aws:sts::111122223333:assumed-role/kiro-agent/kiro-s1', accountId: '111122223333', sessionContext: { sessionIssuer: { type: 'Role', arn: KIRO_ARN } } },
  userAgent: 'aws-cli/2.35.24 md/OS#linux m/AQ',
});

/** buildReport's kiro-agent with one trail folder holding `records`, opened on its Activity. */
async function kiroActivity(records: unknown[], size = { columns: 200, rows: 40 }) {
  const dir = tmp();
  mkdirSync(join(dir, 'trail'));
  writeFileSync(join(dir, 'trail', 'calls.json'), JSON.stringify({ Records: records }));
  const base = buildReport();
  const report = { ...base, scan: { ...base.scan, sources: [{ kind: 'cloudtrail-file' as const, location: join(dir, 'trail'), status: 'ok' as const }] } };
  const tui = await open(report, {}, size);
  await tui.press(KEYS.enter, 'a');
  await until(tui, `${records.length} calls: `);
  return tui;
}

describe('what the timeline says first', () => {
  it('logging blinded and what it left behind (control: a refused call is neither)', async () => {
    const tui = await kiroActivity([
      record('StopLogging', '2026-11-20T10:00:00Z', 'cloudtrail.amazonaws.com', { requestParameters: { name: 'main-trail' } }),
      record('CreateAccessKey', '2026-11-20T10:01:00Z', 'iam.amazonaws.com', { requestParameters: { userName: 'backdoor' } }),
      record('CreateLoginProfile', '2026-11-20T10:02:00Z', 'iam.amazonaws.com', { errorCode: 'AccessDenied', errorMessage: 'no' }),
    ]);
    const f = tui.frame();
    expect(f).toContain('LOGGING TAMPERED WITH at 2026-11-20T10:00:00Z (cloudtrail:StopLogging');
    expect(f).toContain("what it may have left behind, to check and remove if it is the agent's");
    expect(f).toMatch(/left behind[^\n]*\n\s+2026-11-20T10:01:00Z\s+us-east-1\s+iam:CreateAccessKey\s+credential/);
    expect(f).not.toMatch(/left behind[^]*iam:CreateLoginProfile[^]*calls, oldest first/);
    expect(f).toMatch(/iam:CreateLoginProfile\s+REFUSED\s+\[AccessDenied\]/);
  });
});

describe('hostile record text', () => {
  it('an OSC-52 and a bidi override in eventName reach the screen escaped (control: a plain name as is)', async () => {
    const tui = await kiroActivity([record('DeleteBucket\u001b]52;c;aGk=\u0007\u202eevil', '2026-11-20T10:00:00Z'), record('ListBuckets', '2026-11-20T10:01:00Z')]);
    const f = tui.frame();
    expect(f).not.toMatch(/\u001b\]|\u0007|[\u0080-\u009f]|[\u202a-\u202e]/);
    expect(f).toContain('DeleteBucket\\x1b]52;c;aGk=\\x07\\u202eevil');
    expect(f).toMatch(/s3:ListAllMyBuckets\s+kiro-s1\s+\(kiro\)/);
  });
});
