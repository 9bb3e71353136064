// `leash activity` through the real CLI: trail files in a folder laid out as CloudTrail delivers
// them (a file delivered before the window is not read; a damaged file is an error value and the
// rest is read), the demo's incident, LookupEvents over the loopback AWS endpoint, hostile records
// as terminal text, and exit 2 with what was expected for bad input.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { RAW_ESCAPE } from '../support/aws-stub.js';
import { startFakeAws, type FakeAws } from '../support/fake-aws.js';
import { accountFromAuthorizationDetails, type CloudTrailRecordLike } from '../support/fake-aws-account.js';
import { repoRoot } from '../support/fixtures.js';
import { boto3, MOTO_CREDENTIALS, MOTO_SKIP_REASON, motoAvailable, startMoto, type Moto } from '../support/moto.js';

const ACCT = '111122223333';
const ROLE = `arn:aws:iam::${ACCT}:role/agents/deploy-agent`;
const SESSION_ARN = `arn:aws:sts::${ACCT}:assumed-role/deploy-agent/s1`;

function call(time: string, source: string, name: string, session = 's1', extra: Record<string, unknown> = {}): CloudTrailRecordLike {
  return {
    eventVersion: '1.10', eventTime: time, eventSource: source, eventName: name, awsRegion: 'us-east-1', eventType: 'AwsApiCall', eventID: `${time}-${name}`,
    userIdentity: { type: 'AssumedRole', arn: `arn:aws:sts::${ACCT}:assumed-role/deploy-agent/${session}`, accountId: ACCT, sessionContext: { sessionIssuer: { type: 'Role', arn: ROLE } } },
    userAgent: 'aws-cli/2.36.7 ua/2.1 os/linux#6.8.0 lang/python#3.13.7 m/E,AN cfg/retry-mode#standard md/command#s3.rb',
    ...extra,
  };
}

const root = mkdtempSync(join(tmpdir(), 'leash-activity-'));
const trail = join(root, 'AWSLogs', ACCT, 'CloudTrail', 'us-east-1');
const recent = [call('2026-12-05T10:00:00Z', 's3.amazonaws.com', 'ListBuckets'), call('2026-12-05T10:04:00Z', 's3.amazonaws.com', 'DeleteBucket', 's1', { requestParameters: { bucketName: 'prod-data' } }), call('2026-12-05T10:05:00Z', 's3.amazonaws.com', 'ListBuckets', 's2')];
const old = [call('2026-11-01T00:00:00Z', 'ec2.amazonaws.com', 'TerminateInstances')];
beforeAll(() => {
  mkdirSync(join(trail, '2026/12/05'), { recursive: true });
  mkdirSync(join(trail, '2026/11/01'), { recursive: true });
  mkdirSync(join(root, 'AWSLogs', ACCT, 'CloudTrail-Digest'), { recursive: true });
  writeFileSync(join(trail, '2026/12/05', `${ACCT}_CloudTrail_us-east-1_20261205T1010Z_a1.json.gz`), gzipSync(JSON.stringify({ Records: recent })));
  writeFileSync(join(trail, '2026/11/01', `${ACCT}_CloudTrail_us-east-1_20261101T0005Z_b2.json.gz`), gzipSync(JSON.stringify({ Records: old })));
  writeFileSync(join(trail, '2026/12/05', `${ACCT}_CloudTrail_us-east-1_20261205T1015Z_c3.json`), '{"Records": [ {"eventTime": ');
  // A digest file is not a log of calls: never read (it would be "not a CloudTrail log file").
  writeFileSync(join(root, 'AWSLogs', ACCT, 'CloudTrail-Digest', 'digest.json'), '{"digestStartTime": "x"}');
});

const json = async (args: string[]) => {
  const r = await runCli(['activity', ...args, '--json']);
  expect(r.code, r.err).toBe(0);
  return JSON.parse(r.out) as { events: { eventName: string; session?: string; destructive?: string; tools: string[]; resources: string[] }[]; counts: Record<string, number>; sources: { counts?: Record<string, number> }[]; errors: { location?: string; message: string }[]; notable: { eventName: string }[] };
};

describe('leash activity from trail files', () => {
  it('one session\'s calls in the window; a file delivered before the window is not read; a damaged file is an error and the rest is read', async () => {
    const t = await json([SESSION_ARN, '--cloudtrail', root, '--since', '2026-12-05T00:00:00Z']);
    expect(t.events.map((e) => e.eventName)).toEqual(['ListBuckets', 'DeleteBucket']);
    expect(t.events[1]).toMatchObject({ destructive: 'data', tools: ['claude-code'], resources: ['arn:aws:s3:::prod-data'] });
    expect(t.notable.map((e) => e.eventName)).toEqual(['DeleteBucket']);
    expect(t.sources[0]!.counts).toEqual({ files: 2, skippedBeforeWindow: 1, unreadable: 1 });
    expect(t.errors).toEqual([expect.objectContaining({ location: expect.stringMatching(/_c3\.json$/) })]);
  });

  it('control: a window reaching back reads the older file, and the role\'s ARN takes every session', async () => {
    const t = await json([ROLE, '--cloudtrail', root, '--since', '2026-10-01T00:00:00Z']);
    expect(t.events.map((e) => `${e.session} ${e.eventName}`)).toEqual(['s1 TerminateInstances', 's1 ListBuckets', 's1 DeleteBucket', 's2 ListBuckets']);
    expect(t.sources[0]!.counts).toEqual({ files: 3, skippedBeforeWindow: 0, unreadable: 1 });
  });

  it('prints hostile record fields as visible escapes, never raw', async () => {
    const dir = mkdtempSync(join(root, 'hostile-'));
    const evil = call('2026-12-05T11:00:00Z', 's3.amazonaws.com', 'DeleteBucket\u001b]52;c;aGk=\u0007', 's1', { errorCode: 'Access\u202eDenied', requestParameters: { bucketName: 'b\u009b31m' }, awsRegion: 'us-east-1\u001b[2J' });
    writeFileSync(join(dir, 'x.json'), JSON.stringify({ Records: [evil] }));
    const r = await runCli(['activity', SESSION_ARN, '--cloudtrail', dir, '--since', '2026-12-05T00:00:00Z']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('DeleteBucket\\x1b]52;c;aGk=\\x07');
    expect(r.out).not.toMatch(RAW_ESCAPE);
  });
});

describe('leash activity --demo: the incident the demo tells', () => {
  it('Claude Code, in an engineer\'s Identity Center session, deleted the stack and recreated it', async () => {
    const dana = `arn:aws:sts::${ACCT}:assumed-role/AWSReservedSSO_AdministratorAccess_3f8a9c2d1e7b6a54/dana@example.com`;
    const t = await json([dana, '--demo']);
    // Every call of that session in the demo's trail (read here without leash).
    const all: CloudTrailRecordLike[] = [];
    const walk = (d: string): void => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        if (e.isDirectory()) walk(join(d, e.name));
        else all.push(...(JSON.parse(gunzipSync(readFileSync(join(d, e.name))).toString()) as { Records: CloudTrailRecordLike[] }).Records);
      }
    };
    walk(join(repoRoot, 'demo/cloudtrail'));
    expect(t.counts['matched']).toBe(all.filter((r) => (r['userIdentity'] as { arn?: string }).arn === dana).length);
    expect(t.notable.map((e) => e.eventName)).toContain('DeleteStack');
    expect(t.events.find((e) => e.eventName === 'DeleteStack')!.tools).toEqual(['claude-code']);
  });
});

let fake: FakeAws;
const saved = { ...process.env };
describe('leash activity --live: LookupEvents over the loopback endpoint', () => {
  beforeAll(async () => {
    fake = await startFakeAws(accountFromAuthorizationDetails({ UserDetailList: [], GroupDetailList: [], RoleDetailList: [], Policies: [] }, { accountId: ACCT, cloudTrailRecords: [...recent, ...old] }));
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: fake.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: fake.credentials.secretAccessKey, AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' });
  });
  afterAll(async () => {
    await fake?.close();
    process.env = saved;
  });

  it('says when LookupEvents stopped at its bound: the timeline is then a lower bound', async () => {
    const args = ['activity', SESSION_ARN, '--live', '--region', 'us-east-1', '--endpoint-url', fake.url, '--since', '2026-10-01T00:00:00Z', '--until', '2026-12-06T00:00:00Z'];
    const bounded = await runCli([...args, '--max-events', '1']);
    expect(bounded.code, bounded.err).toBe(0);
    expect(bounded.out).toMatch(/^partial: .*stopped at the bound \(200 pages \/ 1 events\); older events in the window were not read$/m);
    // Control: the whole window read, nothing said.
    const whole = await runCli(args);
    expect(whole.code, whole.err).toBe(0);
    expect(whole.out).not.toMatch(/^partial:/m);
  });

  it('a session is looked up by its name (LookupEvents Username) in its region and in us-east-1, where its IAM calls are; a role without a session and no AssumeRole naming it reads the window whole', async () => {
    // What CloudTrail's Lookup does since November 2021: IAM calls only in us-east-1.
    const iamCall = call('2026-12-05T10:06:00Z', 'iam.amazonaws.com', 'AttachRolePolicy', 's1', { awsRegion: 'us-east-1', requestParameters: { roleName: 'admin' } });
    const euCall = call('2026-12-05T10:07:00Z', 'ec2.amazonaws.com', 'TerminateInstances', 's1', { awsRegion: 'eu-west-1' });
    const otherRoleSameName = { ...call('2026-12-05T10:08:00Z', 'ec2.amazonaws.com', 'RunInstances', 's1', { awsRegion: 'eu-west-1' }), userIdentity: { type: 'AssumedRole', arn: `arn:aws:sts::${ACCT}:assumed-role/other-role/s1`, accountId: ACCT } };
    const regional = await startFakeAws(accountFromAuthorizationDetails({ UserDetailList: [], GroupDetailList: [], RoleDetailList: [], Policies: [] }, { accountId: ACCT, cloudTrailRecords: [...recent, iamCall, euCall, otherRoleSameName] }), { cloudTrailRegional: true });
    try {
      const args = ['--live', '--region', 'eu-west-1', '--endpoint-url', regional.url, '--since', '2026-12-05T00:00:00Z', '--until', '2026-12-06T00:00:00Z'];
      const t = await json([SESSION_ARN, ...args]);
      // The escalation in us-east-1 and the deletion in eu-west-1; the other role's session of the same name is not dana's.
      expect(t.events.map((e) => e.eventName)).toEqual(['ListBuckets', 'DeleteBucket', 'AttachRolePolicy', 'TerminateInstances']);
      const lookups = regional.requests.filter((q) => q.operation === 'LookupEvents');
      expect(lookups.map((q) => q.region).sort()).toEqual(['eu-west-1', 'us-east-1']);
      expect(lookups.map((q) => q.params['LookupAttributes'])).toEqual([[{ AttributeKey: 'Username', AttributeValue: 's1' }], [{ AttributeKey: 'Username', AttributeValue: 's1' }]]);
      expect(t.sources).toHaveLength(1);
      // Control: the role without a session, and no AssumeRole event in the trail names it: its
      // sessions are not known, so after that search nothing narrows the read.
      regional.requests.length = 0;
      const whole = await json([ROLE, ...args]);
      expect(whole.events.map((e) => e.eventName)).toEqual(['ListBuckets', 'DeleteBucket', 'ListBuckets', 'AttachRolePolicy', 'TerminateInstances']);
      // (searched by the role's ARN, then its name, in each region, before the whole read)
      expect(regional.requests.filter((q) => q.operation === 'LookupEvents').map((q) => (q.params['LookupAttributes'] as { AttributeValue: string }[] | undefined)?.[0]?.AttributeValue ?? 'none').sort()).toEqual([ROLE, ROLE, 'deploy-agent', 'deploy-agent', 'none', 'none'].sort());
      // A region given twice or us-east-1 itself: each region read once.
      regional.requests.length = 0;
      await json([SESSION_ARN, ...args, '--regions', 'us-east-1,eu-west-1']);
      expect(regional.requests.filter((q) => q.operation === 'LookupEvents').map((q) => q.region).sort()).toEqual(['eu-west-1', 'us-east-1']);
    } finally {
      await regional.close();
    }
  });

  it('a role without a session: its sessions found from the AssumeRole events that name it (up to 12 hours before the window), each read by name; too many read the window whole', async () => {
    const assume = (time: string, session: string, more: Record<string, unknown> = {}): CloudTrailRecordLike => ({
      eventVersion: '1.08', eventTime: time, eventSource: 'sts.amazonaws.com', eventName: 'AssumeRole', awsRegion: 'us-east-1', eventID: `assume-${time}-${session}`,
      userIdentity: { type: 'AWSService', invokedBy: 'ecs-tasks.amazonaws.com' },
      resources: [{ ARN: ROLE, accountId: ACCT, type: 'AWS::IAM::Role' }],
      requestParameters: { roleArn: ROLE, roleSessionName: session },
      responseElements: { assumedRoleUser: { assumedRoleId: `AROAEXAMPLE:${session}`, arn: `arn:aws:sts::${ACCT}:assumed-role/deploy-agent/${session}` } },
      ...more,
    });
    // A busy account: other roles' calls the whole read would page through.
    const noise = Array.from({ length: 40 }, (_, i) => ({ ...call(`2026-12-05T12:${String(i).padStart(2, '0')}:00Z`, 'ec2.amazonaws.com', 'DescribeInstances', `n${i}`), userIdentity: { type: 'AssumedRole', arn: `arn:aws:sts::${ACCT}:assumed-role/batch/n${i}`, accountId: ACCT } }));
    const sessions = [
      assume('2026-12-04T20:00:00Z', 's1'), // issued before the window, its calls inside it
      assume('2026-12-05T10:04:30Z', 's2'),
      assume('2026-12-05T10:09:00Z', 'denied', { errorCode: 'AccessDenied', responseElements: null }),
    ];
    const args = [ROLE, '--live', '--region', 'us-east-1', '--endpoint-url', '', '--since', '2026-12-05T00:00:00Z', '--until', '2026-12-06T00:00:00Z'];
    const f = await startFakeAws(accountFromAuthorizationDetails({ UserDetailList: [], GroupDetailList: [], RoleDetailList: [], Policies: [] }, { accountId: ACCT, cloudTrailRecords: [...recent, ...noise, ...sessions] }));
    try {
      args[5] = f.url;
      const t = await json(args);
      expect(t.events.map((e) => [e.eventName, e.session])).toEqual([['ListBuckets', 's1'], ['DeleteBucket', 's1'], ['ListBuckets', 's2']]);
      const attrs = f.requests.filter((q) => q.operation === 'LookupEvents').map((q) => q.params['LookupAttributes']);
      // Newest session first; the refused AssumeRole gave no session; no read of the whole window.
      expect(attrs).toEqual([[{ AttributeKey: 'ResourceName', AttributeValue: ROLE }], [{ AttributeKey: 'Username', AttributeValue: 's2' }], [{ AttributeKey: 'Username', AttributeValue: 's1' }]]);
      expect(f.requests.find((q) => q.operation === 'LookupEvents')!.params['StartTime']).toBe(Date.parse('2026-12-04T12:00:00Z') / 1000);
    } finally {
      await f.close();
    }
    // A Lookup that names the role by its name, not its ARN: found on the second search.
    const byName = sessions.map((r) => ({ ...r, resources: [{ ARN: 'deploy-agent', type: 'AWS::IAM::Role' }] }));
    const h = await startFakeAws(accountFromAuthorizationDetails({ UserDetailList: [], GroupDetailList: [], RoleDetailList: [], Policies: [] }, { accountId: ACCT, cloudTrailRecords: [...recent, ...noise, ...byName] }));
    try {
      args[5] = h.url;
      const t = await json(args);
      expect(t.events.map((e) => [e.eventName, e.session])).toEqual([['ListBuckets', 's1'], ['DeleteBucket', 's1'], ['ListBuckets', 's2']]);
      expect(h.requests.filter((q) => q.operation === 'LookupEvents').map((q) => (q.params['LookupAttributes'] as { AttributeValue: string }[])[0]!.AttributeValue)).toEqual([ROLE, 'deploy-agent', 's2', 's1']);
    } finally {
      await h.close();
    }
    // Control: 21 sessions are too many to read one by one: the window is read whole, with the same answer for s1 and s2.
    const many = Array.from({ length: 19 }, (_, i) => assume(`2026-12-05T13:${String(i).padStart(2, '0')}:00Z`, `m${i}`));
    const g = await startFakeAws(accountFromAuthorizationDetails({ UserDetailList: [], GroupDetailList: [], RoleDetailList: [], Policies: [] }, { accountId: ACCT, cloudTrailRecords: [...recent, ...noise, ...sessions, ...many] }));
    try {
      args[5] = g.url;
      const t = await json(args);
      expect(t.events.map((e) => [e.eventName, e.session])).toEqual([['ListBuckets', 's1'], ['DeleteBucket', 's1'], ['ListBuckets', 's2']]);
      const attrs = g.requests.filter((q) => q.operation === 'LookupEvents').map((q) => (q.params['LookupAttributes'] as { AttributeKey: string }[] | undefined)?.[0]?.AttributeKey ?? 'none');
      expect(attrs[0]).toBe('ResourceName');
      expect(new Set(attrs.slice(1))).toEqual(new Set(['none']));
    } finally {
      await g.close();
    }
  });

  // STS logs a regional endpoint's AssumeRole in that region (the loopback endpoint looks an STS event up in its awsRegion).
  const assumeIn = (time: string, session: string, region: string): CloudTrailRecordLike => ({
    eventVersion: '1.08', eventTime: time, eventSource: 'sts.amazonaws.com', eventName: 'AssumeRole', awsRegion: region, eventID: `assume-${time}-${session}`,
    userIdentity: { type: 'AWSService', invokedBy: 'ecs-tasks.amazonaws.com' },
    resources: [{ ARN: ROLE, accountId: ACCT, type: 'AWS::IAM::Role' }],
    requestParameters: { roleArn: ROLE, roleSessionName: session },
    responseElements: { assumedRoleUser: { assumedRoleId: `AROAEXAMPLE:${session}`, arn: `arn:aws:sts::${ACCT}:assumed-role/deploy-agent/${session}` } },
  });
  // s9's credentials came from Frankfurt's STS endpoint; its deletion is in us-east-1, a region read.
  const s9Call = call('2026-12-05T11:00:00Z', 's3.amazonaws.com', 'DeleteBucket', 's9', { requestParameters: { bucketName: 'audit-logs' } });
  const s9Records = [...recent, assumeIn('2026-12-05T09:00:00Z', 's1', 'us-east-1'), assumeIn('2026-12-05T09:30:00Z', 's9', 'eu-central-1'), s9Call];
  const emptyIam = { UserDetailList: [], GroupDetailList: [], RoleDetailList: [], Policies: [] };
  const liveArgs = (url: string) => ['--live', '--region', 'us-east-1', '--endpoint-url', url, '--since', '2026-12-05T00:00:00Z', '--until', '2026-12-06T00:00:00Z'];
  const missed = '1 session(s) of the role found through the AssumeRole* events that name it in us-east-1 (the regions read), then read by name: a session assumed through an STS endpoint in another region is logged only there, so it is not found and its calls in these regions are not read either. Add that region (--regions) or name the session (--session).';
  type WithNotes = Awaited<ReturnType<typeof json>> & { notes: string[] };
  const lookupRegionsSent = (f: FakeAws) => [...new Set(f.requests.filter((q) => q.operation === 'LookupEvents').map((q) => q.region))].sort();
  const listRegionsSent = (f: FakeAws) => f.requests.filter((q) => q.service === 'account');
  const readGiven = "could not list the account's enabled regions (AccessDeniedException on account:ListRegions), so only the regions given were read (us-east-1): calls made through another region's endpoints are logged only there and are not read. Add that region (--regions).";

  it('account:ListRegions refused: the sessions are searched for in the regions given, a note says why and which; exit 0 as before; --regions given sends no ListRegions; a session\'s own read and a role read whole say the same of the regions they read', async () => {
    const f = await startFakeAws(accountFromAuthorizationDetails(emptyIam, { accountId: ACCT, cloudTrailRecords: s9Records }), { cloudTrailRegional: true, deny: ['ListRegions'], listRegionsPages: [['us-east-1', 'eu-central-1']] });
    const args = liveArgs(f.url);
    const refused = `could not list the account's enabled regions (AccessDeniedException on account:ListRegions), so only the regions given were searched: ${missed}`;
    try {
      const t = (await json([ROLE, ...args])) as WithNotes;
      // The listing was asked for once, refused; s9 (Frankfurt) is not found.
      expect(listRegionsSent(f).map((q) => [q.operation, q.status])).toEqual([['ListRegions', 403]]);
      expect(t.events.map((e) => [e.eventName, e.session])).toEqual([['ListBuckets', 's1'], ['DeleteBucket', 's1']]);
      expect(t.notes).toEqual([refused]);
      expect(lookupRegionsSent(f)).toEqual(['us-east-1']);
      const text = await runCli(['activity', ROLE, ...args]);
      expect(text.code, text.err).toBe(0);
      expect(text.out).toContain(`\nnote: ${refused}\n`);

      // Control: Frankfurt given (--regions): s9 is found and its deletion read, the note names
      // both regions, and ListRegions is not asked for (the user chose where to read).
      f.requests.length = 0;
      const both = (await json([ROLE, ...args, '--regions', 'eu-central-1'])) as WithNotes;
      expect(both.events.map((e) => [e.eventName, e.session])).toEqual([['ListBuckets', 's1'], ['DeleteBucket', 's1'], ['DeleteBucket', 's9']]);
      expect(both.notes).toEqual([missed.replace('1 session(s)', '2 session(s)').replace('in us-east-1 (the regions read)', 'in us-east-1, eu-central-1 (the regions read)')]);
      expect(listRegionsSent(f)).toEqual([]);
      expect(f.requests.filter((q) => q.operation === 'LookupEvents').length).toBeGreaterThan(0);

      // A session's own read (by its name) asks for the listing too, once, and says only the regions given were read.
      f.requests.length = 0;
      const own = await runCli(['activity', `arn:aws:sts::${ACCT}:assumed-role/deploy-agent/s9`, ...args]);
      expect(own.code, own.err).toBe(0);
      expect(own.out).toContain('DeleteBucket');
      expect(own.out).toContain(`\nnote: ${readGiven}\n`);
      expect(listRegionsSent(f).map((q) => [q.operation, q.status])).toEqual([['ListRegions', 403]]);
    } finally {
      await f.close();
    }
    const g = await startFakeAws(accountFromAuthorizationDetails(emptyIam, { accountId: ACCT, cloudTrailRecords: [...recent, s9Call] }), { cloudTrailRegional: true, deny: ['ListRegions'] });
    try {
      const whole = (await json([ROLE, ...liveArgs(g.url)])) as WithNotes;
      expect(whole.events.map((e) => e.session)).toEqual(['s1', 's1', 's2', 's9']);
      expect(whole.notes).toEqual([readGiven]);
    } finally {
      await g.close();
    }
  });

  it('no --regions: a session assumed through eu-central-1\'s STS endpoint is found when account:ListRegions lists eu-central-1, and read there too; control: a listing without it does not find it, and the note names what was searched', async () => {
    const f = await startFakeAws(accountFromAuthorizationDetails(emptyIam, { accountId: ACCT, cloudTrailRecords: s9Records }), { cloudTrailRegional: true, listRegionsPages: [['eu-central-1', 'us-east-1', 'eu-west-1']] });
    try {
      const t = (await json([ROLE, ...liveArgs(f.url)])) as WithNotes;
      expect(t.events.map((e) => [e.eventName, e.session])).toEqual([['ListBuckets', 's1'], ['DeleteBucket', 's1'], ['DeleteBucket', 's9']]);
      expect(listRegionsSent(f).map((q) => [q.region, q.params])).toEqual([['us-east-1', { MaxResults: 50, RegionOptStatusContains: ['ENABLED', 'ENABLED_BY_DEFAULT'] }]]);
      expect(lookupRegionsSent(f)).toEqual(['eu-central-1', 'eu-west-1', 'us-east-1']);
      // Each session read by name in the regions given and where an AssumeRole was logged (Frankfurt), not in Ireland.
      const s9Reads = f.requests.filter((q) => q.operation === 'LookupEvents' && (q.params['LookupAttributes'] as { AttributeValue: string }[])[0]!.AttributeValue === 's9').map((q) => q.region).sort();
      expect(s9Reads).toEqual(['eu-central-1', 'us-east-1']);
      expect(t.notes).toEqual([
        "2 session(s) of the role found through the AssumeRole* events that name it in the account's enabled regions (account:ListRegions; 3 region(s): us-east-1, eu-central-1, eu-west-1), then read by name in us-east-1, eu-central-1: a session's calls in other regions are not read (add them with --regions).",
      ]);
      // Control: eu-central-1 not enabled by the listing: s9 is not found, nothing is sent there, the note names the regions searched.
      f.options.listRegionsPages = [['us-east-1', 'eu-west-1']];
      f.requests.length = 0;
      const not = (await json([ROLE, ...liveArgs(f.url)])) as WithNotes;
      expect(not.events.map((e) => [e.eventName, e.session])).toEqual([['ListBuckets', 's1'], ['DeleteBucket', 's1']]);
      expect(lookupRegionsSent(f)).toEqual(['eu-west-1', 'us-east-1']);
      expect(not.notes).toEqual([
        "1 session(s) of the role found through the AssumeRole* events that name it in the account's enabled regions (account:ListRegions; 2 region(s): us-east-1, eu-west-1), then read by name in us-east-1: a session's calls in other regions are not read (add them with --regions).",
      ]);
    } finally {
      await f.close();
    }
  });

  it('a listed region whose LookupEvents is refused (an SCP denying it) is named and left out, the search still whole; control: refused where s9 was assumed, s9 is not found and the note names that region', async () => {
    const f = await startFakeAws(accountFromAuthorizationDetails(emptyIam, { accountId: ACCT, cloudTrailRecords: s9Records }), { cloudTrailRegional: true, listRegionsPages: [['us-east-1', 'eu-central-1', 'eu-south-1']], denyRegions: ['eu-south-1'] });
    try {
      const t = (await json([ROLE, ...liveArgs(f.url)])) as WithNotes;
      // Sessions still read by name (the search counts as whole): no LookupEvents without a name or resource.
      expect(t.events.map((e) => e.session)).toEqual(['s1', 's1', 's9']);
      expect(f.requests.filter((q) => q.operation === 'LookupEvents' && q.params['LookupAttributes'] === undefined)).toEqual([]);
      expect(t.notes).toContain('LookupEvents answered nothing in 1 region(s): eu-south-1 (refused or unreachable; an SCP may deny the region): a session assumed through an STS endpoint there is not found.');
      f.options.denyRegions = ['eu-central-1'];
      f.requests.length = 0;
      const denied = (await json([ROLE, ...liveArgs(f.url)])) as WithNotes;
      expect(denied.events.map((e) => e.session)).toEqual(['s1', 's1']);
      expect(denied.notes).toContain('LookupEvents answered nothing in 1 region(s): eu-central-1 (refused or unreachable; an SCP may deny the region): a session assumed through an STS endpoint there is not found.');
      expect(f.requests.filter((q) => q.operation === 'LookupEvents' && q.params['LookupAttributes'] === undefined)).toEqual([]);
    } finally {
      await f.close();
    }
  });

  it('account:ListRegions in two pages: the second page\'s region is searched (NextToken sent back); control: the first page alone does not find it', async () => {
    const f = await startFakeAws(accountFromAuthorizationDetails(emptyIam, { accountId: ACCT, cloudTrailRecords: s9Records }), { cloudTrailRegional: true, listRegionsPages: [['us-east-1', 'eu-west-1'], ['eu-central-1']] });
    try {
      const t = (await json([ROLE, ...liveArgs(f.url)])) as WithNotes;
      expect(listRegionsSent(f).map((q) => q.params['NextToken'] ?? 'first')).toEqual(['first', 'page-1']);
      expect(t.events.map((e) => e.session)).toEqual(['s1', 's1', 's9']);
      expect(t.notes[0]).toContain('3 region(s): us-east-1, eu-west-1, eu-central-1)');
      f.options.listRegionsPages = [['us-east-1', 'eu-west-1']];
      f.requests.length = 0;
      const one = (await json([ROLE, ...liveArgs(f.url)])) as WithNotes;
      expect(listRegionsSent(f)).toHaveLength(1);
      expect(one.events.map((e) => e.session)).toEqual(['s1', 's1']);
    } finally {
      await f.close();
    }
  });

  it('region names account:ListRegions returns that are not region names (ESC, ../, spaces, upper case) are dropped and counted: never sent, never printed; control: the same listing with a real name finds the session', async () => {
    const hostile = ['\u001b]0;owned\u0007eu-central-1', '../eu-central-1', 'eu central 1', 'EU-CENTRAL-1', 'eu-central-1\n'];
    const f = await startFakeAws(accountFromAuthorizationDetails(emptyIam, { accountId: ACCT, cloudTrailRecords: s9Records }), { cloudTrailRegional: true, listRegionsPages: [['us-east-1', ...hostile]] });
    try {
      const t = (await json([ROLE, ...liveArgs(f.url)])) as WithNotes;
      expect(t.events.map((e) => e.session)).toEqual(['s1', 's1']);
      // Only us-east-1 was read: no request signed for any of the hostile names.
      expect([...new Set(f.requests.map((q) => q.region))]).toEqual(['us-east-1']);
      expect(t.notes).toContain('5 region name(s) account:ListRegions returned were not region names: dropped, not searched.');
      const text = await runCli(['activity', ROLE, ...liveArgs(f.url)]);
      expect(text.code, text.err).toBe(0);
      expect(text.out).toMatch(/^note: 5 region name\(s\) account:ListRegions returned were not region names/m);
      for (const out of [text.out, text.err, JSON.stringify(t)]) {
        expect(out).not.toMatch(RAW_ESCAPE);
        expect(out).not.toContain('owned');
        expect(out).not.toContain('../');
        expect(out).not.toContain('EU-CENTRAL-1');
        expect(out).not.toContain('eu central 1');
      }
      // Control: a real name among them: Frankfurt is searched and s9 found; the hostile ones still dropped.
      f.options.listRegionsPages = [['us-east-1', ...hostile, 'eu-central-1']];
      const found = (await json([ROLE, ...liveArgs(f.url)])) as WithNotes;
      expect(found.events.map((e) => e.session)).toEqual(['s1', 's1', 's9']);
      expect(found.notes).toContain('5 region name(s) account:ListRegions returned were not region names: dropped, not searched.');
    } finally {
      await f.close();
    }
  });

  it('a user\'s, a session\'s own and a whole read also look in the account\'s enabled regions: calls made only through eu-central-1 are found; control: a listing without it does not find them; --regions sends no listing; refused: the note; hostile names dropped', async () => {
    const user = `arn:aws:iam::${ACCT}:user/ci-bot`;
    const asUser = { type: 'IAMUser', arn: user, userName: 'ci-bot', accountId: ACCT };
    // Calls logged only in Frankfurt (the endpoint they used): a user's, session s1's, and session s3's (no AssumeRole in the trail).
    const userEu = { ...call('2026-12-05T12:00:00Z', 'ec2.amazonaws.com', 'TerminateInstances', 's1', { awsRegion: 'eu-central-1' }), userIdentity: asUser };
    const userHome = { ...call('2026-12-05T12:01:00Z', 's3.amazonaws.com', 'ListBuckets'), userIdentity: asUser };
    const s1Eu = call('2026-12-05T12:02:00Z', 'rds.amazonaws.com', 'DeleteDBInstance', 's1', { awsRegion: 'eu-central-1' });
    const s3Eu = call('2026-12-05T12:03:00Z', 'lambda.amazonaws.com', 'DeleteFunction', 's3', { awsRegion: 'eu-central-1' });
    const hostile = ['\u001b]0;owned\u0007eu-central-1', '../eu-central-1', 'EU-CENTRAL-1'];
    const f = await startFakeAws(accountFromAuthorizationDetails(emptyIam, { accountId: ACCT, cloudTrailRecords: [...recent, userEu, userHome, s1Eu, s3Eu] }), { cloudTrailRegional: true, listRegionsPages: [['us-east-1', 'eu-central-1', ...hostile]] });
    const byName = (name: string) => f.requests.filter((q) => q.operation === 'LookupEvents' && (q.params['LookupAttributes'] as { AttributeValue: string }[] | undefined)?.[0]?.AttributeValue === name).map((q) => q.region).sort();
    try {
      const u = (await json([user, ...liveArgs(f.url)])) as WithNotes;
      expect(u.events.map((e) => e.eventName)).toEqual(['TerminateInstances', 'ListBuckets']);
      expect(byName('ci-bot')).toEqual(['eu-central-1', 'us-east-1']);
      expect(u.notes).toEqual([
        "read in the account's enabled regions (account:ListRegions; 2 region(s): us-east-1, eu-central-1): calls are logged in the region of the endpoint they used.",
        '3 region name(s) account:ListRegions returned were not region names: dropped, not read.',
      ]);
      // Hostile names: never a request signed for them, never printed.
      expect([...new Set(f.requests.map((q) => q.region))].sort()).toEqual(['eu-central-1', 'us-east-1']);
      const text = await runCli(['activity', user, ...liveArgs(f.url)]);
      expect(text.code, text.err).toBe(0);
      for (const out of [text.out, text.err, JSON.stringify(u)]) {
        expect(out).not.toMatch(RAW_ESCAPE);
        expect(out).not.toContain('owned');
        expect(out).not.toContain('../');
        expect(out).not.toContain('EU-CENTRAL-1');
      }

      f.requests.length = 0;
      const own = (await json([SESSION_ARN, ...liveArgs(f.url)])) as WithNotes;
      expect(own.events.map((e) => e.eventName)).toEqual(['ListBuckets', 'DeleteBucket', 'DeleteDBInstance']);
      expect(byName('s1')).toEqual(['eu-central-1', 'us-east-1']);

      // The role read whole (no AssumeRole names it): Frankfurt read too, bounded, said.
      f.requests.length = 0;
      const whole = (await json([ROLE, ...liveArgs(f.url)])) as WithNotes;
      expect(whole.events.map((e) => [e.eventName, e.session])).toContainEqual(['DeleteFunction', 's3']);
      expect(f.requests.filter((q) => q.operation === 'LookupEvents' && q.params['LookupAttributes'] === undefined).map((q) => q.region).sort()).toEqual(['eu-central-1', 'us-east-1']);
      expect(whole.notes[0]).toBe("read in the account's enabled regions (account:ListRegions; 2 region(s): us-east-1, eu-central-1), each beyond us-east-1 up to 10000 events: calls are logged in the region of the endpoint they used.");

      // Control: Frankfurt not in the listing: none of those calls is found, nothing is sent there.
      f.options.listRegionsPages = [['us-east-1']];
      f.requests.length = 0;
      const not = (await json([user, ...liveArgs(f.url)])) as WithNotes;
      expect(not.events.map((e) => e.eventName)).toEqual(['ListBuckets']);
      expect(byName('ci-bot')).toEqual(['us-east-1']);
      expect((await json([SESSION_ARN, ...liveArgs(f.url)])).events.map((e) => e.eventName)).toEqual(['ListBuckets', 'DeleteBucket']);

      // --regions given: no listing, the regions given only.
      f.options.listRegionsPages = [['us-east-1', 'eu-central-1']];
      f.requests.length = 0;
      const given = (await json([user, ...liveArgs(f.url), '--regions', 'eu-west-1'])) as WithNotes;
      expect(listRegionsSent(f)).toEqual([]);
      expect(given.events.map((e) => e.eventName)).toEqual(['ListBuckets']);
      expect(given.notes).toEqual([]);

      // The listing refused: the regions given only, and the note says so and why.
      f.options.deny = ['ListRegions'];
      f.requests.length = 0;
      const refused = (await json([user, ...liveArgs(f.url)])) as WithNotes;
      expect(listRegionsSent(f).map((q) => [q.operation, q.status])).toEqual([['ListRegions', 403]]);
      expect(refused.events.map((e) => e.eventName)).toEqual(['ListBuckets']);
      expect(refused.notes).toEqual([readGiven]);
    } finally {
      await f.close();
    }
  });

  it('an IAM user is looked up by its user name, whatever its path, and its federated sessions by the names it gave them', async () => {
    const user = `arn:aws:iam::${ACCT}:user/contractors/ci-bot`;
    const asUser = { type: 'IAMUser', arn: user, userName: 'ci-bot', accountId: ACCT };
    const byUser = { ...call('2026-12-05T11:00:00Z', 's3.amazonaws.com', 'DeleteObject'), userIdentity: asUser };
    // The user mints a federated session (Stratus Red Team's sts-federation-token) and acts through it.
    const mint = { ...call('2026-12-05T11:01:00Z', 'sts.amazonaws.com', 'GetFederationToken', 's1', { requestParameters: { name: 'tok', durationSeconds: 129600 } }), userIdentity: asUser };
    const federated = { type: 'FederatedUser', arn: `arn:aws:sts::${ACCT}:federated-user/tok`, accountId: ACCT, sessionContext: { sessionIssuer: { type: 'IAMUser', arn: user, accountId: ACCT, userName: 'ci-bot' } } };
    const viaToken = { ...call('2026-12-05T11:02:00Z', 'iam.amazonaws.com', 'CreateAccessKey'), userIdentity: federated };
    const f = await startFakeAws(accountFromAuthorizationDetails({ UserDetailList: [], GroupDetailList: [], RoleDetailList: [], Policies: [] }, { accountId: ACCT, cloudTrailRecords: [...recent, byUser, mint, viaToken] }), { cloudTrailRegional: true });
    try {
      const t = await json([user, '--live', '--region', 'us-east-1', '--endpoint-url', f.url, '--since', '2026-12-05T00:00:00Z', '--until', '2026-12-06T00:00:00Z']);
      expect(t.events.map((e) => e.eventName)).toEqual(['DeleteObject', 'GetFederationToken', 'CreateAccessKey']);
      expect(f.requests.filter((q) => q.operation === 'LookupEvents').map((q) => [q.region, q.params['LookupAttributes']])).toEqual([
        ['us-east-1', [{ AttributeKey: 'Username', AttributeValue: 'ci-bot' }]],
        ['us-east-1', [{ AttributeKey: 'Username', AttributeValue: 'tok' }]],
      ]);
    } finally {
      await f.close();
    }
  });

  it('the same session\'s calls as the trail files give', async () => {
    const t = await json([SESSION_ARN, '--live', '--region', 'us-east-1', '--endpoint-url', fake.url, '--since', '2026-12-05T00:00:00Z', '--until', '2026-12-06T00:00:00Z']);
    expect(t.events.map((e) => e.eventName)).toEqual(['ListBuckets', 'DeleteBucket']);
    // CloudTrail's LookupEvents, and the Account API's region listing (no --regions): nothing else.
    expect(fake.requests.filter((r) => r.service !== 'cloudtrail' && !(r.service === 'account' && r.operation === 'ListRegions'))).toEqual([]);
  });
});

let moto: Moto;
describe.skipIf(!motoAvailable)(`leash activity from a trail read in place in S3 (moto)${motoAvailable ? '' : ` (skipped: ${MOTO_SKIP_REASON})`}`, () => {
  const env = { ...process.env };
  beforeAll(async () => {
    moto = await startMoto();
    const day = `AWSLogs/${ACCT}/CloudTrail/us-east-1/2026/12/05/${ACCT}_CloudTrail_us-east-1_20261205T1010Z_a1.json.gz`;
    const older = `AWSLogs/${ACCT}/CloudTrail/us-east-1/2026/11/01/${ACCT}_CloudTrail_us-east-1_20261101T0005Z_b2.json.gz`;
    const other = 'AWSLogs/999999999999/CloudTrail/us-east-1/2026/12/05/999999999999_CloudTrail_us-east-1_20261205T1010Z_z9.json.gz';
    boto3(moto, `
import gzip
s3 = client('s3')
s3.create_bucket(Bucket='org-trail')
for key, body in INPUT:
    s3.put_object(Bucket='org-trail', Key='trail/' + key, Body=gzip.compress(json.dumps(body).encode()))
`, [[day, { Records: recent }], [older, { Records: old }], [other, { Records: recent }]]);
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: MOTO_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: MOTO_CREDENTIALS.secretAccessKey, AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' });
  }, 120_000);
  afterAll(async () => {
    await moto?.stop();
    process.env = env;
  });

  it('lists only the principal\'s account and the window\'s day folders, and gives the files\' answer', async () => {
    const t = await json([SESSION_ARN, '--cloudtrail', 's3://org-trail/trail/', '--endpoint-url', moto.endpoint, '--region', 'us-east-1', '--since', '2026-12-05T00:00:00Z', '--until', '2026-12-05T23:00:00Z']);
    expect(t.events.map((e) => e.eventName)).toEqual(['ListBuckets', 'DeleteBucket']);
    // One account folder, one region, the window's day and one on each side (s3-layout daysToList):
    // the older day and the other account's folder are not listed (they would make 6 prefixes).
    expect(t.sources[0]!.counts).toMatchObject({ files: 1, unreadable: 0, prefixes: 3 });
    expect(t.errors).toEqual([]);
  }, 60_000);
});

describe('leash activity: bad input is exit 2 with what was expected', () => {
  it.each([
    [[SESSION_ARN], /--cloudtrail <files or folders>, --cloudtrail-athena or --live/],
    [[SESSION_ARN, '--cloudtrail-athena', 'primary/security'], /WORKGROUP\/DATABASE\.TABLE/],
    [[SESSION_ARN, '--cloudtrail', root, '--cloudtrail-athena-partition', 'timestamp'], /to be used with --cloudtrail-athena/],
    [[SESSION_ARN, '--cloudtrail-athena', 'primary/security.trail', '--cloudtrail-athena-partition', "ts' OR 1=1"], /partition column/],
    [[SESSION_ARN, '--cloudtrail', root, '--since', 'yesterday'], /a UTC time to the second .* or a span back from now/],
    [[SESSION_ARN, '--cloudtrail', root, '--limit', '0'], /a whole number from 1/],
    [[SESSION_ARN, '--cloudtrail', root, '--regions', 'eu-west-1'], /to be used with --live/],
    [[SESSION_ARN, '--live', '--regions', 'eu-west-1,Mars'], /an AWS region such as us-east-1/],
    [[SESSION_ARN, '--cloudtrail', join(root, 'no-such-folder')], /a CloudTrail log file or folder that exists/],
    [[SESSION_ARN, '--cloudtrail', 's3://Not_A_Bucket/x'], /s3:\/\/BUCKET\/PREFIX/],
    [[SESSION_ARN, '--cloudtrail', root, '--session', 's2'], /the session the ARN names \(s1\)/],
    [[ROLE, '--cloudtrail', root, '--since', '2026-12-05T00:00:00Z', '--until', '2026-12-04T00:00:00Z'], /a time after --since/],
    [['deploy-agent', '--cloudtrail', root, '--reports', join(root, 'no-reports')], /a principal ARN or role session ARN/],
  ])('%j', async (args, message) => {
    const r = await runCli(['activity', ...args]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.out).toBe('');
  });
});
