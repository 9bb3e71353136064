import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { READ_ONLY_OPERATIONS } from '../../../src/collect/aws/allowlist.js';
import { collectAws, EssentialAccessError, SCANNER_POLICY } from '../../../src/collect/aws/index.js';
import { AwsCollectError } from '../../../src/collect/aws/errors.js';
import { accountFromAuthorizationDetails, generateAccount, type FakeAccount } from '../../support/fake-aws-account.js';
import { fakeConnection, startFakeAws, toXml, type FakeAws, type FakeAwsOptions } from '../../support/fake-aws.js';
import { sharedFixture, sharedFixturesPresent, SKIP_REASON } from '../../support/fixtures.js';
import { manualClock } from './manual-clock.js';

const open: FakeAws[] = [];
async function fakeAws(account: FakeAccount, options: FakeAwsOptions = {}): Promise<FakeAws> {
  const fake = await startFakeAws(account, options);
  open.push(fake);
  return fake;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((f) => f.close()));
});

/** The shared export with nulls dropped (IAM never sends null) — what a live call must reproduce. */
function withoutNulls<T>(v: T): T {
  return JSON.parse(JSON.stringify(v, (_k, x: unknown) => (x === null ? undefined : x))) as T;
}

const orgAccount = (base: FakeAccount): FakeAccount => ({
  ...base,
  organization: {
    parents: { [base.accountId]: { id: 'ou-ab12-11111111', type: 'ORGANIZATIONAL_UNIT' }, 'ou-ab12-11111111': { id: 'r-ab12', type: 'ROOT' } },
    policies: [
      { id: 'p-FullAWSAccess', arn: 'arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess', name: 'FullAWSAccess', document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }, awsManaged: true },
      { id: 'p-denyleave', arn: 'arn:aws:organizations::999988887777:policy/o-x/service_control_policy/p-denyleave', name: 'DenyLeave', document: { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'organizations:LeaveOrganization', Resource: '*' }] } },
      { id: 'p-region', arn: 'arn:aws:organizations::999988887777:policy/o-x/service_control_policy/p-region', name: 'RegionLock', document: { Version: '2012-10-17', Statement: [{ Effect: 'Deny', NotAction: 'iam:*', Resource: '*', Condition: { StringNotEquals: { 'aws:RequestedRegion': ['eu-west-1'] } } }] } },
    ],
    attachments: { 'r-ab12': ['p-FullAWSAccess'], 'ou-ab12-11111111': ['p-FullAWSAccess', 'p-denyleave', 'p-region'], [base.accountId]: ['p-FullAWSAccess'] },
  },
  lastAccessed: {
    [`arn:aws:iam::${base.accountId}:role/service-role/kiro-agent-0`]: [
      {
        ServiceName: 'Amazon S3',
        ServiceNamespace: 's3',
        LastAuthenticated: '2026-10-30T10:00:00.000Z',
        LastAuthenticatedEntity: `arn:aws:iam::${base.accountId}:role/service-role/kiro-agent-0`,
        LastAuthenticatedRegion: 'eu-west-1',
        TotalAuthenticatedEntities: 1,
        TrackedActionsLastAccessed: [{ ActionName: 'GetObject', LastAccessedTime: '2026-10-30T10:00:00.000Z', LastAccessedRegion: 'eu-west-1', LastAccessedEntity: `arn:aws:iam::${base.accountId}:role/service-role/kiro-agent-0` }],
      },
      { ServiceName: 'AWS Lambda', ServiceNamespace: 'lambda', TotalAuthenticatedEntities: 0, TrackedActionsLastAccessed: [] },
    ],
  },
  cloudTrailRecords: Array.from({ length: 7 }, (_, i) => ({
    eventVersion: '1.08',
    eventID: `e-${i}`,
    eventTime: new Date(Date.UTC(2026, 10, 20, 12, i)).toISOString(),
    eventSource: 's3.amazonaws.com',
    eventName: 'GetObject',
    userAgent: 'aws-sdk-js/3 md/kiro',
    userIdentity: { type: 'AssumedRole', arn: `arn:aws:sts::${base.accountId}:assumed-role/kiro-agent-0/s` },
  })),
});

const everything = {
  lastAccessed: { principalArns: ['arn:aws:iam::111122223333:role/service-role/kiro-agent-0'], pollIntervalMs: 1, clock: manualClock() },
  cloudTrail: { startTime: new Date(Date.UTC(2026, 10, 19)), endTime: new Date(Date.UTC(2026, 10, 21)) },
  scps: true,
};

describe('collectAws against the loopback endpoint', () => {
  it('a full collection sends only allowlisted read operations, GetCallerIdentity first', async () => {
    const fake = await fakeAws(orgAccount(generateAccount({ roles: 30 })), { pageSize: 10 });
    const result = await collectAws({ ...fakeConnection(fake), ...everything });
    const allowedNames = new Set(READ_ONLY_OPERATIONS.map((o) => o.command.replace(/Command$/, '')));
    expect(fake.operations()[0]).toBe('GetCallerIdentity');
    expect(fake.operations().filter((op) => !allowedNames.has(op))).toEqual([]);
    expect(new Set(fake.operations())).toEqual(
      new Set(['GetCallerIdentity', 'GetAccountAuthorizationDetails', 'ListRoles', 'GenerateServiceLastAccessedDetails', 'GetServiceLastAccessedDetails', 'LookupEvents', 'ListParents', 'ListPoliciesForTarget', 'DescribePolicy']),
    );
    expect(result.errors).toEqual([]);
    expect(result.sources.map((s) => [s.kind, s.status])).toEqual([
      ['authorization-details-api', 'ok'],
      ['service-last-accessed', 'ok'],
      ['cloudtrail-api', 'ok'],
      ['organizations-scp', 'ok'],
    ]);
    expect(result.accountId).toBe('111122223333');
    expect(result.callerArn).toBe('arn:aws:iam::111122223333:user/leash-scanner');
    expect(result.authorizationDetails.RoleDetailList).toHaveLength(30);
    expect(result.cloudTrailRecords?.map((r) => (r as { eventID: string }).eventID)).toEqual(['e-6', 'e-5', 'e-4', 'e-3', 'e-2', 'e-1', 'e-0']);
    // SCPs outermost first, each policy described once and parsed
    expect(result.scps?.map((t) => [t.targetId, t.policies.map((p) => p.name)])).toEqual([
      ['r-ab12', ['FullAWSAccess']],
      ['ou-ab12-11111111', ['FullAWSAccess', 'DenyLeave', 'RegionLock']],
      ['111122223333', ['FullAWSAccess']],
    ]);
    expect(fake.operations().filter((o) => o === 'DescribePolicy')).toHaveLength(3);
    expect(result.scps?.[1]?.policies[2]?.document).toEqual(orgAccount(generateAccount({ roles: 1 })).organization?.policies[2]?.document);
    const la = result.lastAccessed?.['arn:aws:iam::111122223333:role/service-role/kiro-agent-0'] as { JobStatus: string; ServicesLastAccessed: { TrackedActionsLastAccessed: unknown[] }[] };
    expect(la.JobStatus).toBe('COMPLETED');
    expect(la.ServicesLastAccessed[0]?.TrackedActionsLastAccessed).toEqual([
      { ActionName: 'GetObject', LastAccessedTime: '2026-10-30T10:00:00.000Z', LastAccessedRegion: 'eu-west-1', LastAccessedEntity: 'arn:aws:iam::111122223333:role/service-role/kiro-agent-0' },
    ]);
  });

  it('returns URL-encoded documents decoded, including nested instance-profile trust policies', async () => {
    const account = generateAccount({ roles: 4 });
    const role = account.authorizationDetails.RoleDetailList[1] as Record<string, unknown>;
    role['InstanceProfileList'] = [{ Path: '/', InstanceProfileName: 'p', InstanceProfileId: 'AIPAFAKE', Arn: 'arn:aws:iam::111122223333:instance-profile/p', CreateDate: '2024-01-01T00:00:00.000Z', Roles: [{ ...role, InstanceProfileList: undefined, RolePolicyList: undefined }] }];
    // The wire really carries encoded text
    expect(toXml(account.authorizationDetails.RoleDetailList[1], 'member')).toContain('%7B%22Version%22%3A%222012-10-17%22');
    const fake = await fakeAws(account);
    const result = await collectAws({ ...fakeConnection(fake), roleMaxSessionDuration: false });
    const inline = (result.authorizationDetails.RoleDetailList[1]?.['RolePolicyList'] as { PolicyDocument: unknown }[])[0]?.PolicyDocument;
    expect(inline).toEqual((role['RolePolicyList'] as { PolicyDocument: unknown }[])[0]?.PolicyDocument);
    expect(JSON.stringify(inline)).toContain('home/${aws:username}/*');
    expect(JSON.stringify(inline)).toContain('"a b+c","100%","équipe"');
    const nested = (result.authorizationDetails.RoleDetailList[1]?.['InstanceProfileList'] as { Roles: { AssumeRolePolicyDocument: unknown }[] }[])[0]?.Roles[0]?.AssumeRolePolicyDocument;
    expect(nested).toEqual(role['AssumeRolePolicyDocument']);
    const versions = result.authorizationDetails.Policies[0]?.['PolicyVersionList'] as { Document: unknown }[];
    expect(versions.map((v) => typeof v.Document)).toEqual(['object', 'object']);
    expect(result.errors).toEqual([]);
  });

  it('30 % throttled responses give the same authorizationDetails as an unthrottled run', async () => {
    // Small on purpose: the SDK's adaptive mode paces every request after a throttle (real time).
    const account = generateAccount({ roles: 40 });
    const calm = await fakeAws(account, { pageSize: 8 });
    const expected = await collectAws({ ...fakeConnection(calm), roleMaxSessionDuration: false });
    const noisy = await fakeAws(account, { pageSize: 8, throttleFraction: 0.3, seed: 8 });
    const actual = await collectAws({ ...fakeConnection(noisy, 10), roleMaxSessionDuration: false });
    const throttled = noisy.requests.filter((r) => r.status === 400).length;
    expect(throttled).toBeGreaterThanOrEqual(3);
    expect(throttled / noisy.requests.length).toBeGreaterThan(0.25);
    expect(actual.authorizationDetails).toEqual(expected.authorizationDetails);
    expect(actual.errors).toEqual([]);
    // every page was asked for again after its throttle, never skipped
    expect(noisy.requests.filter((r) => r.status === 200 && r.operation === 'GetAccountAuthorizationDetails')).toHaveLength(calm.operations().filter((o) => o === 'GetAccountAuthorizationDetails').length);
  }, 30_000);

  it('recovers from HTTP 500s with retries', async () => {
    const account = generateAccount({ roles: 40 });
    const fake = await fakeAws(account, { pageSize: 10, serverErrorFraction: 0.25, seed: 3 });
    const result = await collectAws({ ...fakeConnection(fake, 10), roleMaxSessionDuration: false });
    expect(fake.requests.some((r) => r.status === 500)).toBe(true);
    expect(result.authorizationDetails.RoleDetailList).toHaveLength(40);
  }, 30_000);

  it('a 5,000-role account takes exactly one GetAccountAuthorizationDetails call per page and no per-role calls', async () => {
    const account = generateAccount({ roles: 5000 });
    const fake = await fakeAws(account, { pageSize: 500 });
    const result = await collectAws(fakeConnection(fake));
    const items = 5000 + 3 + 1 + 5; // roles + users + groups + policies
    const pages = Math.ceil(items / 500);
    expect(fake.operations().filter((o) => o === 'GetAccountAuthorizationDetails')).toHaveLength(pages);
    expect(fake.operations().filter((o) => o === 'ListRoles')).toHaveLength(10);
    expect(fake.operations()).toHaveLength(1 + pages + 10);
    expect(result.authorizationDetails.RoleDetailList).toHaveLength(5000);
    expect(result.sources[0]?.counts).toMatchObject({ pages, roles: 5000, users: 3, groups: 1, policies: 5 });
    expect(result.authorizationDetails.RoleDetailList.every((r) => r['MaxSessionDuration'] === 3600)).toBe(true);
  }, 30_000);

  it('adds MaxSessionDuration from ListRoles', async () => {
    const account = { ...generateAccount({ roles: 3 }), maxSessionDuration: { 'app-role-1': 43_200 } };
    const fake = await fakeAws(account);
    const result = await collectAws(fakeConnection(fake));
    expect(result.authorizationDetails.RoleDetailList.map((r) => r['MaxSessionDuration'])).toEqual([3600, 43_200, 3600]);
  });

  it.each([
    ['LookupEvents', 'cloudtrail-api'],
    ['GenerateServiceLastAccessedDetails', 'service-last-accessed'],
    ['ListParents', 'organizations-scp'],
  ] as const)('AccessDenied on optional %s is reported and the collection still succeeds', async (operation, kind) => {
    const fake = await fakeAws(orgAccount(generateAccount({ roles: 3 })), { deny: [operation] });
    const result = await collectAws({ ...fakeConnection(fake), ...everything });
    expect(result.sources.find((s) => s.kind === kind)?.status).toBe('unavailable');
    expect(result.errors).toEqual([expect.objectContaining({ source: kind, code: 'access-denied', message: expect.stringContaining('AccessDenied') })]);
    expect(result.authorizationDetails.RoleDetailList).toHaveLength(3);
    expect(result.sources.filter((s) => s.kind !== kind).every((s) => s.status === 'ok')).toBe(true);
  });

  it('AccessDenied on ListRoles leaves MaxSessionDuration unknown, as an error value', async () => {
    const fake = await fakeAws(generateAccount({ roles: 2 }), { deny: ['ListRoles'] });
    const result = await collectAws(fakeConnection(fake));
    expect(result.authorizationDetails.RoleDetailList.some((r) => 'MaxSessionDuration' in r)).toBe(false);
    expect(result.errors).toEqual([expect.objectContaining({ code: 'access-denied', message: expect.stringContaining('iam:ListRoles') })]);
    expect(result.sources[0]?.detail).toMatch(/MaxSessionDuration unknown/);
  });

  it.each(['GetAccountAuthorizationDetails', 'GetCallerIdentity'])('AccessDenied on essential %s throws EssentialAccessError naming the scanner policy', async (operation) => {
    const fake = await fakeAws(generateAccount({ roles: 2 }), { deny: [operation] });
    const error = await collectAws(fakeConnection(fake)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(EssentialAccessError);
    const e = error as EssentialAccessError;
    expect(e.operation).toMatch(new RegExp(operation));
    expect(e.message).toContain('"iam:GetAccountAuthorizationDetails"');
    expect(e.message).toContain(JSON.stringify(SCANNER_POLICY, null, 2));
    expect(e.policy).toEqual(SCANNER_POLICY);
  });

  it('an essential failure that is not AccessDenied throws AwsCollectError with its code', async () => {
    const fake = await fakeAws(generateAccount({ roles: 2 }), { serverErrorFraction: 1 });
    const error = await collectAws(fakeConnection(fake, 2)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AwsCollectError);
    expect((error as AwsCollectError).message).toMatch(/sts:GetCallerIdentity: ServiceFailure/);
    expect(fake.requests).toHaveLength(2);
  });

  it('a scan in eu-west-1 also looks up us-east-1, where the agent\'s IAM calls are (and the --regions), each region once', async () => {
    const base = generateAccount({ roles: 2 });
    const role = `arn:aws:sts::${base.accountId}:assumed-role/kiro-agent-0/s`;
    const at = (m: number) => new Date(Date.UTC(2026, 10, 20, 12, m)).toISOString();
    const cloudTrailRecords = [
      { eventID: 'iam', eventTime: at(1), eventSource: 'iam.amazonaws.com', eventName: 'PassRole', awsRegion: 'us-east-1', userIdentity: { type: 'AssumedRole', arn: role } },
      { eventID: 'eu', eventTime: at(2), eventSource: 's3.amazonaws.com', eventName: 'GetObject', awsRegion: 'eu-west-1', userIdentity: { type: 'AssumedRole', arn: role } },
      { eventID: 'ap', eventTime: at(3), eventSource: 'lambda.amazonaws.com', eventName: 'Invoke', awsRegion: 'ap-south-1', userIdentity: { type: 'AssumedRole', arn: role } },
    ];
    const fake = await fakeAws({ ...base, cloudTrailRecords }, { cloudTrailRegional: true });
    const ids = (r: Awaited<ReturnType<typeof collectAws>>) => (r.cloudTrailRecords ?? []).map((x) => (x as { eventID: string }).eventID).sort();
    const cloudTrail = { startTime: new Date(Date.UTC(2026, 10, 19)), endTime: new Date(Date.UTC(2026, 10, 21)), clock: manualClock() };
    const r = await collectAws({ ...fakeConnection(fake), region: 'eu-west-1', cloudTrail });
    expect(ids(r)).toEqual(['eu', 'iam']);
    expect(fake.requests.filter((q) => q.operation === 'LookupEvents').map((q) => q.region).sort()).toEqual(['eu-west-1', 'us-east-1']);
    expect(r.sources.find((x) => x.kind === 'cloudtrail-api')).toMatchObject({ status: 'ok', counts: { regions: 2, events: 2 } });
    fake.requests.length = 0;
    const more = await collectAws({ ...fakeConnection(fake), region: 'eu-west-1', cloudTrail, cloudTrailRegions: ['ap-south-1', 'eu-west-1'] });
    expect(ids(more)).toEqual(['ap', 'eu', 'iam']);
    expect(fake.requests.filter((q) => q.operation === 'LookupEvents').map((q) => q.region).sort()).toEqual(['ap-south-1', 'eu-west-1', 'us-east-1']);
    // Control: a scan in us-east-1 reads that one region, as before.
    fake.requests.length = 0;
    const home = await collectAws({ ...fakeConnection(fake), cloudTrail });
    expect(ids(home)).toEqual(['iam']);
    expect(fake.requests.filter((q) => q.operation === 'LookupEvents').map((q) => q.region)).toEqual(['us-east-1']);
  });

  it('reports progress: caller, then IAM pages', async () => {
    const fake = await fakeAws(generateAccount({ roles: 25 }), { pageSize: 10 });
    const events: string[] = [];
    await collectAws({ ...fakeConnection(fake), roleMaxSessionDuration: false, onProgress: (e) => events.push(e.kind === 'iam-page' ? `iam ${e.pages}/${e.principals}` : e.kind) });
    // 3 users, 1 group, 25 roles, 5 policies in pages of 10; principals = users + roles so far
    expect(events).toEqual(['caller', 'iam 1/9', 'iam 2/19', 'iam 3/28', 'iam 4/28']);
  });
});

describe.skipIf(!sharedFixturesPresent)(`collectAws on shared fixtures${sharedFixturesPresent ? '' : ` (${SKIP_REASON})`}`, () => {
  it('reproduces the CLI export shape exactly (cloudsplaining export, over 4 pages)', async () => {
    // Given the real export served the way IAM serves it (URL-encoded documents, <member> lists)
    const exported: unknown = JSON.parse(readFileSync(sharedFixture('authorization-details/cloudsplaining-example-authz-details.json'), 'utf8'));
    const account = accountFromAuthorizationDetails(exported);
    const fake = await fakeAws(account, { pageSize: 12 });
    // When collected live
    const result = await collectAws({ ...fakeConnection(fake), roleMaxSessionDuration: false });
    // Then the result equals the CLI export (dates in ISO form)
    expect(result.authorizationDetails).toEqual(withoutNulls(account.authorizationDetails));
    expect(fake.operations().filter((o) => o === 'GetAccountAuthorizationDetails')).toHaveLength(4);
  });

});
