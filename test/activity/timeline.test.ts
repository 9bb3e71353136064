// The activity timeline: whose calls match (principal, session, source identity, window), what
// each call is (IAM action, destructive, escalation, refused, AI tool), bounded memory that keeps
// the most recent calls, and real CloudTrail from an attack simulation (../shared/fixtures).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { activityTimeline, principalKey, TimelineBuilder, type ActivityTarget } from '../../src/activity/timeline.js';
import { marks, renderTimeline } from '../../src/activity/render.js';
import { SKIP_REASON, sharedFixture, sharedFixturesPresent } from '../support/fixtures.js';

const ACCT = '111122223333';
const ROLE = `arn:aws:iam::${ACCT}:role/agents/deploy-agent`;
// The AWS CLI's agent metric for Claude Code (src/data/agents/ai-tools.json, aws-cli-agent-claude-code).
const CLAUDE_UA = 'aws-cli/2.36.7 md/awscrt#0.28.4 ua/2.1 os/linux#6.8.0 md/arch#x86_64 lang/python#3.13.7 md/pyimpl#CPython m/E,AN cfg/retry-mode#standard md/command#cloudformation.delete-stack';
const PLAIN_UA = 'aws-cli/2.36.7 md/awscrt#0.28.4 ua/2.1 os/linux#6.8.0 md/arch#x86_64 lang/python#3.13.7 md/pyimpl#CPython m/E cfg/retry-mode#standard md/command#s3.ls';

function roleCall(session: string, time: string, source: string, name: string, extra: Record<string, unknown> = {}, roleArn = ROLE): Record<string, unknown> {
  const roleName = roleArn.slice(roleArn.lastIndexOf('/') + 1);
  return {
    eventVersion: '1.10', eventTime: time, eventSource: source, eventName: name, awsRegion: 'us-east-1', eventType: 'AwsApiCall',
    userIdentity: { type: 'AssumedRole', arn: `arn:aws:sts::${roleArn.split(':')[4]}:assumed-role/${roleName}/${session}`, sessionContext: { sessionIssuer: { type: 'Role', arn: roleArn }, ...(extra['sourceIdentity'] ? { sourceIdentity: extra['sourceIdentity'] } : {}) } },
    userAgent: PLAIN_UA,
    ...extra,
  };
}

const records = [
  roleCall('s1', '2026-12-05T10:00:00Z', 's3.amazonaws.com', 'ListBuckets'),
  roleCall('s1', '2026-12-05T10:05:00Z', 'cloudformation.amazonaws.com', 'DeleteStack', { userAgent: CLAUDE_UA, requestParameters: { stackName: 'prod' } }),
  roleCall('s1', '2026-12-05T10:06:00Z', 'iam.amazonaws.com', 'PutRolePolicy', { userAgent: CLAUDE_UA }),
  roleCall('s1', '2026-12-05T10:07:00Z', 'iam.amazonaws.com', 'DeleteRole', { errorCode: 'AccessDenied', errorMessage: 'no' }),
  roleCall('s2', '2026-12-05T09:00:00Z', 's3.amazonaws.com', 'ListBuckets', { sourceIdentity: 'dana' }),
  // Another role of the same name in another account, and another role here: not its calls.
  roleCall('s1', '2026-12-05T10:01:00Z', 'ec2.amazonaws.com', 'TerminateInstances', {}, 'arn:aws:iam::444455556666:role/agents/deploy-agent'),
  roleCall('s1', '2026-12-05T10:02:00Z', 'ec2.amazonaws.com', 'TerminateInstances', {}, `arn:aws:iam::${ACCT}:role/other`),
  { eventTime: '2026-12-05T10:03:00Z', eventSource: 'ec2.amazonaws.com', eventName: 'RunInstances', userIdentity: { type: 'AWSService', invokedBy: 'autoscaling.amazonaws.com' } },
  { eventSource: 's3.amazonaws.com', eventName: 'x', userIdentity: {} }, // no eventTime
];

const timeline = (target: ActivityTarget, opts = {}) => activityTimeline(records, target, opts);

describe('activityTimeline: whose calls', () => {
  it('every call of the role, sessions apart, oldest first; another account\'s role of the same name and other principals left out', () => {
    const t = timeline({ principalArn: ROLE });
    expect(t.events.map((e) => `${e.session} ${e.eventName}`)).toEqual(['s2 ListBuckets', 's1 ListBuckets', 's1 DeleteStack', 's1 PutRolePolicy', 's1 DeleteRole']);
    expect(t.counts).toMatchObject({ records: 9, badRecords: 1, matched: 5, omitted: 0 });
    expect(t.problems).toEqual(['record 8: expected eventTime (ISO 8601 UTC, e.g. 2024-01-31T12:00:00Z)']);
    expect(t.sessions.map((s) => [s.name, s.sourceIdentity, s.calls, s.tools])).toEqual([['s1', undefined, 4, ['claude-code']], ['s2', 'dana', 1, []]]);
  });

  it('a session ARN without the role\'s path finds the role (names are unique per account and kind); control: another account does not', () => {
    expect(principalKey(ROLE)).toBe(principalKey(`arn:aws:iam::${ACCT}:role/deploy-agent`));
    expect(principalKey(ROLE)).not.toBe(principalKey('arn:aws:iam::444455556666:role/deploy-agent'));
    expect(principalKey(ROLE)).not.toBe(principalKey(`arn:aws:iam::${ACCT}:user/deploy-agent`));
    expect(timeline({ principalArn: `arn:aws:iam::${ACCT}:role/deploy-agent`, sessionName: 's1' }).counts.matched).toBe(4);
  });

  it('one session, one source identity, and the window [since, until)', () => {
    expect(timeline({ principalArn: ROLE, sessionName: 's2' }).events.map((e) => e.time)).toEqual(['2026-12-05T09:00:00Z']);
    expect(timeline({ principalArn: ROLE, sourceIdentity: 'dana' }).counts.matched).toBe(1);
    expect(timeline({ principalArn: ROLE, sourceIdentity: 'erin' }).counts.matched).toBe(0);
    const w = timeline({ principalArn: ROLE }, { since: '2026-12-05T10:05:00Z', until: '2026-12-05T10:07:00Z' });
    expect(w.events.map((e) => e.eventName)).toEqual(['DeleteStack', 'PutRolePolicy']);
  });
});

describe('activityTimeline: what each call was', () => {
  const t = timeline({ principalArn: ROLE, sessionName: 's1' });
  const byName = (n: string) => t.events.find((e) => e.eventName === n)!;

  it('a destructive call that succeeded, with its IAM action, access level and the AI tool of its user agent', () => {
    const e = byName('DeleteStack');
    expect(e).toMatchObject({ actions: ['cloudformation:DeleteStack'], destructive: 'environment', denied: false, tools: ['claude-code'] });
    expect(e.accessLevels).toContain('Write');
    // Control: a read is neither destructive nor a change, and a plain CLI names no tool.
    const read = byName('ListBuckets');
    expect(read.destructive).toBeUndefined();
    expect(read).toMatchObject({ escalation: [], tools: [], accessLevels: ['List'] });
  });

  it('an escalation-relevant call names its techniques; a refused destructive call is refused, not counted as done', () => {
    expect(byName('PutRolePolicy').escalation).toContain('iam-put-role-policy');
    expect(byName('DeleteRole')).toMatchObject({ denied: true, errorCode: 'AccessDenied', destructive: 'identity' });
    expect(t.counts).toMatchObject({ destructive: 1, escalation: 1, denied: 1, notable: 2 });
    expect(t.notable.map((e) => e.eventName)).toEqual(['DeleteStack', 'PutRolePolicy']);
  });
});

describe('TimelineBuilder: bounded to the most recent calls', () => {
  it('keeps exactly the `limit` most recent of any arrival order, and counts every call (property)', () => {
    const call = fc.record({ minute: fc.integer({ min: 0, max: 59 }), session: fc.constantFrom('a', 'b', 'c'), name: fc.constantFrom('ListBuckets', 'DeleteBucket', 'GetObject') });
    fc.assert(fc.property(fc.array(call, { maxLength: 120 }), fc.integer({ min: 1, max: 25 }), (calls, limit) => {
      const recs = calls.map((c, i) => roleCall(c.session, `2026-12-05T10:${String(c.minute).padStart(2, '0')}:00Z`, 's3.amazonaws.com', c.name, { requestID: String(i) }));
      const b = new TimelineBuilder({ principalArn: ROLE }, { limit });
      recs.forEach((r, i) => b.add(r, `record ${i}`));
      const t = b.finish();
      // Reference: every call, stably sorted by time, the last `limit`.
      const all = recs.map((r, i) => ({ time: r['eventTime'] as string, i })).sort((x, y) => (x.time < y.time ? -1 : x.time > y.time ? 1 : x.i - y.i));
      expect(t.events.map((e) => e.time)).toEqual(all.slice(-limit).map((x) => x.time));
      expect(t.counts.matched).toBe(calls.length);
      expect(t.counts.omitted).toBe(Math.max(0, calls.length - limit));
      expect(t.counts.destructive).toBe(calls.filter((c) => c.name === 'DeleteBucket').length);
      expect(t.sessions.reduce((n, s) => n + s.calls, 0)).toBe(calls.length);
    }), { numRuns: 200 });
  });

  it('gives the same timeline whatever order the records come in, calls of the same second included (property)', () => {
    // Few minutes and names: many calls share a second, the case trail files (oldest first) and
    // LookupEvents or Athena (newest first) order differently.
    const call = fc.record({ minute: fc.integer({ min: 0, max: 2 }), session: fc.constantFrom('a', 'b'), name: fc.constantFrom('ListBuckets', 'DeleteBucket', 'GetObject') });
    fc.assert(fc.property(fc.array(call, { maxLength: 60 }), fc.integer({ min: 1, max: 10 }), fc.integer(), (calls, limit, seed) => {
      const recs = calls.map((c) => roleCall(c.session, `2026-12-05T10:0${c.minute}:00Z`, 's3.amazonaws.com', c.name));
      const shuffled = [...recs];
      let x = seed >>> 0 || 1;
      for (let i = shuffled.length - 1; i > 0; i--) {
        x = (x * 1103515245 + 12345) >>> 0;
        const j = x % (i + 1);
        [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
      }
      const timeline = (list: typeof recs) => {
        const b = new TimelineBuilder({ principalArn: ROLE }, { limit });
        list.forEach((r, i) => b.add(r, `record ${i}`));
        return b.finish();
      };
      const a = timeline(recs), b = timeline([...recs].reverse()), c = timeline(shuffled);
      expect(b.events).toEqual(a.events);
      expect(c.events).toEqual(a.events);
      expect(c.notable).toEqual(a.notable);
    }), { numRuns: 200 });
  });
});

const invictusDir = sharedFixture('cloudtrail/invictus-ir-aws-dataset');
const invictus = sharedFixturesPresent && existsSync(invictusDir) ? invictusDir : undefined;
describe.skipIf(!invictus)(`activity in real CloudTrail: the Invictus IR AWS dataset (Stratus Red Team)${invictus ? '' : ` (skipped: ${SKIP_REASON})`}`, () => {
  const recs = invictus ? readdirSync(invictus).filter((f) => f.endsWith('.json')).flatMap((f) => (JSON.parse(readFileSync(join(invictus, f), 'utf8')) as { Records: Record<string, unknown>[] }).Records) : [];
  const USER = 'arn:aws:iam::123837392027:user/';
  const callsBy = (arn: string) => recs.filter((r) => (r['userIdentity'] as { arn?: string }).arn === arn);

  it('the attacking user: every call of its keys, the clean-up\'s deletions among them', () => {
    const t = activityTimeline(recs, { principalArn: `${USER}bert-jan` }, { limit: 5000 });
    expect(t.counts.matched).toBe(callsBy(`${USER}bert-jan`).length);
    expect(t.counts.badRecords).toBe(0);
    const done = t.events.filter((e) => e.destructive && !e.errorCode).map((e) => e.actions[0]);
    expect(done).toEqual(expect.arrayContaining(['s3:DeleteBucket', 'ec2:DeleteVpc', 'iam:DeleteRole', 'lambda:DeleteFunction', 'rds:DeleteDBInstance']));
    expect(t.sessions).toEqual([expect.objectContaining({ calls: t.counts.matched })]);
  });

  it('control: a user that only read health and inventory did nothing destructive', () => {
    const t = activityTimeline(recs, { principalArn: `${USER}benjamin` });
    expect(t.counts.matched).toBe(callsBy(`${USER}benjamin`).length);
    expect(t.counts.matched).toBeGreaterThan(0);
    expect(t.counts).toMatchObject({ destructive: 0, escalation: 0, denied: 0 });
  });
});

describe('what a principal may have left behind, and calls against logging', () => {
  const acts = [
    roleCall('s1', '2026-12-05T11:00:00Z', 'iam.amazonaws.com', 'CreateAccessKey', { requestParameters: { userName: 'ci-bot' } }),
    roleCall('s1', '2026-12-05T11:01:00Z', 'iam.amazonaws.com', 'CreateUser', { errorCode: 'AccessDenied' }),
    roleCall('s1', '2026-12-05T11:02:00Z', 'cloudtrail.amazonaws.com', 'StopLogging', { requestParameters: { name: 'org-trail' } }),
    roleCall('s1', '2026-12-05T11:03:00Z', 'iam.amazonaws.com', 'UpdateAssumeRolePolicy'),
    roleCall('s1', '2026-12-05T11:04:00Z', 's3.amazonaws.com', 'ListBuckets'),
  ];

  it('a new key and a changed trust policy are left behind; a refused CreateUser is not; StopLogging is said first', () => {
    const t = activityTimeline(acts, { principalArn: ROLE });
    expect(t.leftBehind.map((e) => [e.eventName, e.persistence])).toEqual([['CreateAccessKey', 'credential'], ['UpdateAssumeRolePolicy', 'trust']]);
    expect(t.loggingTampered.map((e) => e.eventName)).toEqual(['StopLogging']);
    expect(t.counts).toMatchObject({ persistence: 2, loggingTampered: 1 });
    const text = renderTimeline(t, { window: {}, sources: [], errors: [] });
    expect(text).toMatch(/^LOGGING TAMPERED WITH at 2026-12-05T11:02:00Z \(cloudtrail:StopLogging\): calls after it may be missing/m);
    expect(text).toMatch(/what it may have left behind[^\n]*:\n {2}2026-12-05T11:00:00Z .*iam:CreateAccessKey +credential/);
    // Control: the read-only call marks nothing.
    const list = t.events.find((e) => e.eventName === 'ListBuckets')!;
    expect([list.persistence, list.logging, marks(list)]).toEqual([undefined, undefined, '']);
  });

  it('controls: without those calls there is no such section', () => {
    const t = activityTimeline([acts[1]!, acts[4]!], { principalArn: ROLE });
    expect([t.leftBehind, t.loggingTampered]).toEqual([[], []]);
    const text = renderTimeline(t, { window: {}, sources: [], errors: [] });
    expect(text).not.toMatch(/left behind|LOGGING TAMPERED/);
  });
});

const stratusDir = sharedFixture('cloudtrail/stratus-red-team');
const stratus = sharedFixturesPresent && existsSync(stratusDir) ? stratusDir : undefined;
describe.skipIf(!stratus)(`left behind and logging in real CloudTrail: Stratus Red Team detonations${stratus ? '' : ` (skipped: ${SKIP_REASON})`}`, () => {
  // Each technique's file: what a responder must find it left behind (by IAM action), or blinded.
  const LEFT: Record<string, string[]> = {
    'aws.persistence.iam-backdoor-role': ['iam:UpdateAssumeRolePolicy'],
    'aws.persistence.iam-backdoor-user': ['iam:CreateAccessKey'],
    'aws.persistence.iam-create-admin-user': ['iam:AttachUserPolicy', 'iam:CreateAccessKey', 'iam:CreateUser'],
    'aws.persistence.iam-create-backdoor-role': ['iam:AttachRolePolicy', 'iam:CreateRole'],
    'aws.persistence.iam-create-user-login-profile': ['iam:CreateLoginProfile'],
    'aws.persistence.lambda-backdoor-function': ['lambda:AddPermission'],
    'aws.persistence.lambda-layer-extension': ['lambda:UpdateFunctionConfiguration'],
    'aws.persistence.lambda-overwrite-code': ['lambda:UpdateFunctionCode'],
    'aws.persistence.rolesanywhere-create-trust-anchor': ['rolesanywhere:CreateProfile', 'rolesanywhere:CreateTrustAnchor'],
    'aws.persistence.sts-federation-token': ['sts:GetFederationToken'],
    'aws.privilege-escalation.iam-update-user-login-profile': ['iam:UpdateLoginProfile'],
  };
  const BLIND: Record<string, string> = {
    'aws.defense-evasion.cloudtrail-delete': 'cloudtrail:DeleteTrail',
    'aws.defense-evasion.cloudtrail-event-selectors': 'cloudtrail:PutEventSelectors',
    'aws.defense-evasion.cloudtrail-stop': 'cloudtrail:StopLogging',
    'aws.defense-evasion.dns-delete-logs': 'route53resolver:DeleteResolverQueryLogConfig',
    'aws.defense-evasion.vpc-remove-flow-logs': 'ec2:DeleteFlowLogs',
  };
  const files = stratus ? readdirSync(stratus).filter((f) => f.endsWith('.json')).sort() : [];

  it.each(files)('%s', (file) => {
    const recs = (JSON.parse(readFileSync(join(stratus!, file), 'utf8')) as { Records: Record<string, unknown>[] }).Records;
    // The detonating principal: the IAM user every technique's calls come from (or whose session they are).
    const users = new Set(recs.map((r) => r['userIdentity'] as { type?: string; arn?: string; sessionContext?: { sessionIssuer?: { arn?: string } } })
      .map((u) => (u.type === 'IAMUser' ? u.arn : u.sessionContext?.sessionIssuer?.arn)).filter((a): a is string => typeof a === 'string' && a.includes(':user/')));
    const technique = file.replace(/\.json$/, '');
    const left: string[] = [], blind: string[] = [];
    for (const principalArn of users) {
      const t = activityTimeline(recs, { principalArn }, { limit: 10_000 });
      left.push(...t.leftBehind.flatMap((e) => e.actions));
      blind.push(...t.loggingTampered.flatMap((e) => e.actions));
    }
    // Positives name exactly the technique's calls; every other technique (credential access,
    // discovery, execution, exfiltration, lateral movement…) is the negative control: nothing.
    expect([...new Set(left)].sort(), technique).toEqual(LEFT[technique] ?? []);
    expect([...new Set(blind)].sort(), technique).toEqual(BLIND[technique] ? [BLIND[technique]] : []);
  });
});
