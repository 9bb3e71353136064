// `leash contain --aws` reads the principal's recent sessions live (CloudTrail LookupEvents, as
// `leash activity --live` does), through the real SDK. moto has no LookupEvents (live-moto.test.ts
// shows the plan then still written, with what could not be read), so the sessions come from the
// loopback endpoint (test/support/fake-aws.ts), which serves IAM, STS, ListRegions and LookupEvents
// as the activity tests use it.
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { RAW_ESCAPE } from '../support/aws-stub.js';
import { startFakeAws, type FakeAws } from '../support/fake-aws.js';
import { accountFromAuthorizationDetails, type CloudTrailRecordLike } from '../support/fake-aws-account.js';
import { IamExportBuilder, allow, policy, trust } from '../support/iam-export-builder.js';

const ACCT = '111122223333';
const b = new IamExportBuilder(ACCT);
const ROLE = b.role('agent-role', { trust: trust(b.root), inline: { work: policy(allow('s3:*')) } });
const USER = b.user('ci-bot', { inline: { work: policy(allow('s3:GetObject')) } });
const EXPORT = b.build();
const PREFIX = `arn:aws:sts::${ACCT}:assumed-role/agent-role/`;

// User agents as CloudTrail records them: AWS CLI v2 with business metric AN is Claude Code's
// (src/data/agents/ai-tools.json); the same CLI without it is a person's.
const CLAUDE_UA = 'aws-cli/2.36.7 ua/2.1 os/linux#6.8.0 lang/python#3.13.7 m/E,AN cfg/retry-mode#standard md/command#s3.ls';
const PERSON_UA = 'aws-cli/2.36.7 ua/2.1 os/linux#6.8.0 lang/python#3.13.7 m/E cfg/retry-mode#standard md/command#s3.ls';

const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');

function assume(minutes: number, session: string): CloudTrailRecordLike {
  return {
    eventVersion: '1.08', eventTime: ago(minutes), eventSource: 'sts.amazonaws.com', eventName: 'AssumeRole', awsRegion: 'us-east-1', eventID: `assume-${session}`,
    userIdentity: { type: 'IAMUser', arn: `arn:aws:iam::${ACCT}:user/dana`, accountId: ACCT, userName: 'dana' },
    resources: [{ ARN: ROLE, accountId: ACCT, type: 'AWS::IAM::Role' }],
    requestParameters: { roleArn: ROLE, roleSessionName: session },
    responseElements: { assumedRoleUser: { assumedRoleId: `AROAEXAMPLE:${session}`, arn: `${PREFIX}${session}` } },
  };
}

function call(minutes: number, session: string, userAgent: string, name = 'ListBuckets', region = 'us-east-1'): CloudTrailRecordLike {
  return {
    eventVersion: '1.10', eventTime: ago(minutes), eventSource: 's3.amazonaws.com', eventName: name, awsRegion: region, eventType: 'AwsApiCall', eventID: `${session}-${name}-${minutes}`,
    userIdentity: { type: 'AssumedRole', arn: `${PREFIX}${session}`, accountId: ACCT, sessionContext: { sessionIssuer: { type: 'Role', arn: ROLE } } },
    userAgent,
  };
}

function userCall(minutes: number, userAgent: string): CloudTrailRecordLike {
  return {
    eventVersion: '1.10', eventTime: ago(minutes), eventSource: 's3.amazonaws.com', eventName: 'GetObject', awsRegion: 'us-east-1', eventType: 'AwsApiCall', eventID: `ci-bot-${minutes}`,
    userIdentity: { type: 'IAMUser', arn: USER, accountId: ACCT, userName: 'ci-bot' },
    userAgent,
  };
}

// Claude Code's session, newest; dana's own session by hand; both found through their AssumeRole.
const RECORDS = [
  assume(50, 'claude-7f3a'), call(40, 'claude-7f3a', CLAUDE_UA), call(30, 'claude-7f3a', CLAUDE_UA, 'DeleteBucket'),
  assume(200, 'dana-laptop'), call(190, 'dana-laptop', PERSON_UA),
  userCall(20, CLAUDE_UA),
];

let root: string;
const saved = { ...process.env };
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'leash-contain-sessions-'));
  process.env['AWS_CONFIG_FILE'] = '/dev/null';
  process.env['AWS_SHARED_CREDENTIALS_FILE'] = '/dev/null';
  delete process.env['AWS_PROFILE'];
  delete process.env['AWS_SESSION_TOKEN'];
});
afterAll(() => {
  process.env = saved;
  if (root) rmSync(root, { recursive: true, force: true });
});

interface Session { name?: string; sourceIdentity?: string; lastSeen: string; events: number; tools?: string[] }
interface Parsed { dir: string; plan: { sessionsSeen: Session[]; sessionsRead?: { since: string; calls: number; sessions: number; tools: string[]; lastSeen?: string; notes: string[]; unread: string[] } } }

async function withFake<T>(records: readonly CloudTrailRecordLike[], opts: Parameters<typeof startFakeAws>[1], run: (f: FakeAws) => Promise<T>): Promise<T> {
  const f = await startFakeAws(accountFromAuthorizationDetails(EXPORT, { accountId: ACCT, cloudTrailRecords: records }), opts);
  process.env['AWS_ACCESS_KEY_ID'] = f.credentials.accessKeyId;
  process.env['AWS_SECRET_ACCESS_KEY'] = f.credentials.secretAccessKey;
  try {
    return await run(f);
  } finally {
    await f.close();
  }
}

async function contain(f: FakeAws, target: string, extra: string[] = []): Promise<{ code: number; out: string; err: string; json?: Parsed; readme?: string }> {
  const args = ['contain', target, '--endpoint-url', f.url, '--region', 'us-east-1', ...extra];
  // Twice (the summary, then --json), each into its own folder: a plan's folder is named to the second.
  const text = await runCli([...args, '-o', mkdtempSync(join(root, 'plan-'))]);
  const asJson = await runCli([...args, '-o', mkdtempSync(join(root, 'plan-')), '--json']);
  if (asJson.code !== 0) return { ...text, err: text.err + asJson.err, code: asJson.code };
  const json = JSON.parse(asJson.out) as Parsed;
  return { ...text, json, readme: readFileSync(join(json.dir, 'README.md'), 'utf8') };
}

describe('leash contain --aws: the principal\'s recent sessions, read live', () => {
  it('finds Claude Code\'s session of the role through its AssumeRole, names it in the summary and the README with the command that stops it alone; dana\'s session by hand is listed but called no tool', async () => {
    await withFake(RECORDS, { cloudTrailRegional: true, listRegionsPages: [['us-east-1', 'eu-west-1']] }, async (f) => {
      const r = await contain(f, 'agent-role');
      expect(r.code, r.err).toBe(0);
      const seen = r.json!.plan.sessionsSeen;
      expect(seen.map((s) => [s.name, s.tools ?? [], s.events])).toEqual([['claude-7f3a', ['claude-code'], 2], ['dana-laptop', [], 1]]);
      expect(r.out).toContain(`latest AI-tool session seen: claude-7f3a (claude-code, ${RECORDS[2]!.eventTime}); that one only: leash contain ${PREFIX}claude-7f3a`);
      expect(r.readme).toContain(`| \`claude-7f3a\` |  | claude-code | ${RECORDS[2]!.eventTime} | 2 | \`leash contain ${PREFIX}claude-7f3a\` |`);
      expect(r.readme).toContain(`| \`dana-laptop\` |  |  | ${RECORDS[4]!.eventTime} | 1 | \`leash contain ${PREFIX}dana-laptop\` |`);
      // Where it looked: the account's enabled regions, said in the README.
      expect(r.readme).toContain("events that name it in the account's enabled regions (account:ListRegions; 2 region(s): us-east-1, eu-west-1)");
      expect(r.readme).toContain(`3 call(s) by its sessions in CloudTrail's LookupEvents from ${r.json!.plan.sessionsRead!.since}`);
      expect(r.err).toMatch(/^leash: reading the recent sessions of arn:aws:iam::111122223333:role\/agent-role from CloudTrail since \S+ \(LookupEvents, read-only; --no-sessions skips it\)\n$/);
      expect(r.json!.plan.sessionsRead).toMatchObject({ calls: 3, sessions: 2, tools: ['claude-code'], lastSeen: RECORDS[2]!.eventTime, unread: [] });
      expect(r.out).toContain(`: 3 call(s) in 2 session(s), latest ${RECORDS[2]!.eventTime} (AI tools: claude-code)\n`);
      expect(r.out).toMatch(/^  CloudTrail read live since \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ: 3 call/m);
      // Only reads: GetCallerIdentity, IAM, ListRegions, LookupEvents (and the optional reads a live plan makes).
      expect(f.operations()).toContain('LookupEvents');
      expect(f.operations().every((op) => /^(Get|List|Describe|LookupEvents|Generate)/.test(op))).toBe(true);
    });
  }, 60_000);

  it('no CloudTrail access (LookupEvents and ListRegions refused): the plan is still written, exit 0, and the README and summary say what was not read; no session is claimed', async () => {
    await withFake(RECORDS, { cloudTrailRegional: true, deny: ['LookupEvents', 'ListRegions'] }, async (f) => {
      const r = await contain(f, 'agent-role');
      expect(r.code, r.err).toBe(0);
      expect(readdirSync(r.json!.dir).sort()).toEqual(['README.md', 'contain.sh', 'revoke-sessions.json', 'undo.sh']);
      expect(r.json!.plan.sessionsSeen).toEqual([]);
      const read = r.json!.plan.sessionsRead!;
      expect(read.calls).toBe(0);
      expect(read.unread.length).toBeGreaterThan(0);
      expect(read.unread.every((u) => / not read \(.*AccessDenied/.test(u))).toBe(true);
      expect(read.notes[0]).toMatch(/^could not list the account's enabled regions \(AccessDeniedException on account:ListRegions\), so only the regions given were read \(us-east-1\)/);
      expect(r.readme).toContain('Not read, or only in part (the list of sessions may miss some):');
      expect(r.readme).toContain('No call by its sessions was found');
      expect(r.readme).not.toContain('## Sessions CloudTrail showed');
      expect(r.out).toMatch(/CloudTrail read live since \S+: no call found; not read whole \(\d+ source\(s\), README\.md\): the sessions listed may be incomplete/);
      expect(r.out).not.toContain('latest AI-tool session');
    });
  }, 60_000);

  it('--since narrows the window: dana\'s call before it is not counted, her session (assumed within the 12 hours a session may last) is listed with 0 events, one assumed before that is not; control: --no-sessions reads no CloudTrail at all', async () => {
    await withFake([...RECORDS, assume(15 * 60, 'old-session'), call(15 * 60 - 5, 'old-session', CLAUDE_UA)], { cloudTrailRegional: true, listRegionsPages: [['us-east-1']] }, async (f) => {
      const r = await contain(f, 'agent-role', ['--since', '2h']);
      expect(r.code, r.err).toBe(0);
      expect(r.json!.plan.sessionsSeen.map((s) => [s.name, s.events])).toEqual([['claude-7f3a', 2], ['dana-laptop', 0]]);
      expect(r.json!.plan.sessionsRead).toMatchObject({ calls: 2, sessions: 1, assumedOnly: 1 });
      // What it did, call by call: the same window.
      expect(r.readme).toContain(`    leash activity 'arn:aws:iam::111122223333:role/agent-role' --live --since ${r.json!.plan.sessionsRead!.since}\n`);
      f.requests.length = 0;
      const none = await contain(f, 'agent-role', ['--no-sessions']);
      expect(none.code, none.err).toBe(0);
      expect(f.operations()).not.toContain('LookupEvents');
      expect(none.json!.plan.sessionsRead).toBeUndefined();
      expect(none.err).toBe('');
      expect(none.readme).not.toContain('read live, latest first');
    });
  }, 60_000);

  it('a hostile session name (no AssumeRole names it: the window read whole) is shown escaped, never raw, and gets no command; control: the clean session beside it does', async () => {
    const evil = 'x\u001b]52;c;aGk=\u0007\u202e';
    await withFake([call(10, evil, CLAUDE_UA), call(15, 'plain-1', PERSON_UA)], { cloudTrailRegional: true, listRegionsPages: [['us-east-1']] }, async (f) => {
      const r = await contain(f, 'agent-role');
      expect(r.code, r.err).toBe(0);
      expect(r.json!.plan.sessionsSeen.map((s) => [s.name, s.tools ?? []])).toEqual([[evil, ['claude-code']], ['plain-1', []]]);
      expect(r.readme).not.toMatch(RAW_ESCAPE);
      expect(r.out).not.toMatch(RAW_ESCAPE);
      // safeText's visible escapes, their backslashes escaped for Markdown; no command in the last column.
      expect(r.readme).toMatch(/^\| `x\\\\x1b\\\]52;c;aGk=\\\\x07\\\\u202e` \|  \| claude-code \| \S+ \| 1 \|  \|$/m);
      expect(r.readme).toMatch(/^\| `plain-1` \|  \|  \| \S+ \| 1 \| `leash contain arn:aws:sts::111122223333:assumed-role\/agent-role\/plain-1` \|$/m);
      expect(r.readme).toContain(`\`leash contain ${PREFIX}plain-1\``);
      // The only AI-tool session has a name no one could contain by: the summary offers none.
      expect(r.out).not.toContain('latest AI-tool session');
    });
  }, 60_000);

  it('a user: its own calls looked up by its user name, its tools named, what is not covered said; no session table (a user has no session names)', async () => {
    await withFake(RECORDS, { cloudTrailRegional: true, listRegionsPages: [['us-east-1']] }, async (f) => {
      const r = await contain(f, 'ci-bot');
      expect(r.code, r.err).toBe(0);
      expect(r.json!.plan.sessionsSeen).toEqual([]);
      expect(r.json!.plan.sessionsRead).toMatchObject({ calls: 1, sessions: 1, tools: ['claude-code'], unread: [] });
      const lookups = f.requests.filter((q) => q.operation === 'LookupEvents').map((q) => q.params['LookupAttributes']);
      expect(lookups).toContainEqual([{ AttributeKey: 'Username', AttributeValue: 'ci-bot' }]);
      expect(r.readme).toContain("1 call(s) by it in CloudTrail's LookupEvents");
      expect(r.readme).toContain('sessions of roles it assumed are those roles\' (contain each by its ARN)');
      expect(r.readme).not.toContain('## Sessions CloudTrail showed');
      expect(r.out).toContain('(AI tools: claude-code)');
    });
  }, 60_000);

  it('a session known only from its AssumeRole (no call of it read: data events only, or another region) is listed with 0 events and its command; control: a refused AssumeRole adds none', async () => {
    const refused = { ...assume(5, 'refused-1'), errorCode: 'AccessDenied', responseElements: null };
    await withFake([...RECORDS, assume(10, 'claude-quiet'), refused], { cloudTrailRegional: true, listRegionsPages: [['us-east-1']] }, async (f) => {
      const r = await contain(f, 'agent-role');
      expect(r.code, r.err).toBe(0);
      expect(r.json!.plan.sessionsSeen.map((s) => [s.name, s.events])).toEqual([['claude-quiet', 0], ['claude-7f3a', 2], ['dana-laptop', 1]]);
      const quiet = r.json!.plan.sessionsSeen[0]!;
      expect(quiet).toEqual({ name: 'claude-quiet', firstSeen: quiet.lastSeen, lastSeen: quiet.lastSeen, events: 0 });
      expect(Date.parse(quiet.lastSeen)).toBeGreaterThan(Date.parse(RECORDS[2]!.eventTime));
      expect(r.json!.plan.sessionsRead).toMatchObject({ calls: 3, sessions: 2, assumedOnly: 1 });
      expect(r.readme).toMatch(/^\| `claude-quiet` \|  \|  \| \S+ \| 0 \| `leash contain arn:aws:sts::111122223333:assumed-role\/agent-role\/claude-quiet` \|$/m);
      expect(r.readme).toContain('A session with 0 events was found only through the AssumeRole* event that created it');
      expect(r.out).toContain('; 1 session(s) assumed of which no call was read');
      // Its name is no AI tool's: the summary's latest AI-tool session is still the one whose calls said so.
      expect(r.out).toContain('latest AI-tool session seen: claude-7f3a (claude-code,');
    });
  }, 60_000);

  it('a busy role (more than 20 sessions: the window read whole, not by name) still lists the newest sessions its AssumeRole events named, those without a call at 0 events', async () => {
    const many = Array.from({ length: 21 }, (_, i) => assume(100 - i, `m${String(i).padStart(2, '0')}`));
    await withFake([...many, call(60, 'm00', CLAUDE_UA)], { cloudTrailRegional: true, listRegionsPages: [['us-east-1']] }, async (f) => {
      const r = await contain(f, 'agent-role');
      expect(r.code, r.err).toBe(0);
      // The whole read: no LookupEvents by session name.
      expect(f.requests.filter((q) => q.operation === 'LookupEvents').some((q) => (q.params['LookupAttributes'] as { AttributeKey: string }[] | undefined)?.[0]?.AttributeKey === 'Username')).toBe(false);
      expect(r.json!.plan.sessionsRead).toMatchObject({ calls: 1, sessions: 1, assumedOnly: 20 });
      expect(r.json!.plan.sessionsSeen.map((s) => [s.name, s.events])).toEqual([['m00', 1], ['m20', 0], ['m19', 0], ['m18', 0], ['m17', 0], ['m16', 0], ['m15', 0], ['m14', 0], ['m13', 0], ['m12', 0]]);
    });
  }, 60_000);

  it('a session ARN pasted from an alert: that session is contained and the role\'s other recent sessions are still listed', async () => {
    await withFake(RECORDS, { cloudTrailRegional: true, listRegionsPages: [['us-east-1']] }, async (f) => {
      const r = await contain(f, `${PREFIX}claude-7f3a`);
      expect(r.code, r.err).toBe(0);
      expect(readFileSync(join(r.json!.dir, 'deny-session.json'), 'utf8')).toContain('*:claude-7f3a');
      expect(r.json!.plan.sessionsSeen.map((s) => s.name)).toEqual(['claude-7f3a', 'dana-laptop']);
    });
  }, 60_000);

  it('the config\'s own user-agent signatures name a tool as a scan\'s report would (-c); control: without the config the same session names none', async () => {
    const ua = 'Boto3/1.35.0 md/orders-mcp#1.2 Python/3.12';
    await withFake([assume(30, 'orders-1'), call(20, 'orders-1', ua)], { cloudTrailRegional: true, listRegionsPages: [['us-east-1']] }, async (f) => {
      const config = join(root, 'leash.config.yaml');
      writeFileSync(config, 'agents:\n  signatures:\n    - userAgent: "md/orders-mcp#"\n      tool: orders-assistant\n');
      const withConfig = await contain(f, 'agent-role', ['-c', config]);
      expect(withConfig.code, withConfig.err).toBe(0);
      expect(withConfig.json!.plan.sessionsSeen.map((s) => [s.name, s.tools ?? []])).toEqual([['orders-1', ['orders-assistant']]]);
      expect(withConfig.out).toContain('latest AI-tool session seen: orders-1 (orders-assistant, ');
      const without = await contain(f, 'agent-role');
      expect(without.json!.plan.sessionsSeen.map((s) => [s.name, s.tools ?? []])).toEqual([['orders-1', []]]);
    });
  }, 60_000);

  it('bad window options are exit 2 before anything is read: --since past LookupEvents\' 90 days, --since without --aws', async () => {
    await withFake(RECORDS, {}, async (f) => {
      const far = await runCli(['contain', 'agent-role', '--endpoint-url', f.url, '--region', 'us-east-1', '--since', '91d', '-o', mkdtempSync(join(root, 'bad-'))]);
      expect(far.code).toBe(2);
      expect(far.err).toMatch(/--since: expected at most 90 days back/);
      expect(f.requests).toEqual([]);
      // Control: 90 days is accepted.
      const edge = await runCli(['contain', 'agent-role', '--endpoint-url', f.url, '--region', 'us-east-1', '--since', '90d', '--max-events', '50', '-o', mkdtempSync(join(root, 'edge-'))]);
      expect(edge.code, edge.err).toBe(0);
    });
    const report = await runCli(['contain', 'agent-role', '--demo', '--since', '2h', '-o', mkdtempSync(join(root, 'bad-'))]);
    expect(report.code).toBe(2);
    expect(report.err).toMatch(/--since: expected to be used with --aws/);
  }, 60_000);
});
