// `leash scan --org` end to end against moto: an organization with three member accounts, the
// scanner role (docs/scanner-policy.json) deployed in two of them, an organization trail in S3,
// and the same trail's aggregate as Athena results.
// Without IAM enforcement moto's AssumeRole succeeds for any role ARN, existing or not; with it
// (reset-auth), the operator may assume leash-scanner only in the two accounts that have it, so the
// third is an account leash cannot enter. But under enforcement moto rejects the SigV4 signature
// of any S3 request whose query holds an encoded "/" (ListObjectsV2 Prefix=AWSLogs/ →
// SignatureDoesNotMatch; without a prefix it passes): so the S3 route runs before enforcement is
// switched on, and the Athena route (JSON bodies, no query string) after.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanOrganization } from '../../src/pipeline/org-scan.js';
import type { OrganizationReport } from '../../src/model/organization-report.js';
import type { Report } from '../../src/model/report.js';
import { runCli } from '../support/cli.js';
import { boto3, MOTO_SKIP_REASON, motoAvailable, startMoto, type Moto } from '../support/moto.js';
import { organizationReportSchemaErrors, reportSchemaErrors } from '../support/schema.js';
import { usageSql } from '../../src/collect/cloudtrail/usage-sql.js';
import { openTrailDb } from '../support/duckdb-trail.js';
import { presetAthenaRows } from '../support/athena-results.js';
import scannerPolicy from '../../docs/scanner-policy.json' with { type: 'json' };
import { parseReport } from '../../src/report/history.js';

const DAY = '2026-11-20';

function trailFile(account: string, records: number): string {
  const Records = Array.from({ length: records }, (_, i) => ({
    eventVersion: '1.09',
    eventTime: `${DAY}T10:${String(i % 60).padStart(2, '0')}:00Z`,
    eventSource: i % 2 ? 's3.amazonaws.com' : 'iam.amazonaws.com',
    eventName: i % 2 ? 'ListBuckets' : 'ListRoles',
    awsRegion: 'us-east-1',
    recipientAccountId: account,
    eventType: 'AwsApiCall',
    eventCategory: 'Management',
    managementEvent: true,
    sourceIPAddress: '198.51.100.7',
    userAgent: 'aws-cli/2.36.0 md/awscrt#0.27 ua/2.1 os/linux m/E,AN,b',
    userIdentity: {
      type: 'AssumedRole',
      arn: `arn:aws:sts::${account}:assumed-role/build-helper/claude-session`,
      accountId: account,
      sessionContext: { sessionIssuer: { type: 'Role', arn: `arn:aws:iam::${account}:role/build-helper`, accountId: account, userName: 'build-helper' } },
    },
  }));
  return JSON.stringify({ Records });
}

describe.skipIf(!motoAvailable)(`leash scan --org (moto)${motoAvailable ? '' : `: ${MOTO_SKIP_REASON}`}`, () => {
  let moto: Moto;
  let setup: { members: string[]; orgId: string; operator: { AccessKeyId: string; SecretAccessKey: string } };
  let reports: string;
  let trailDir: string;
  let athenaRows: Record<string, unknown>[];
  const savedEnv = { ...process.env };

  beforeAll(async () => {
    moto = await startMoto();
    setup = boto3(
      moto,
      `
o = client('organizations')
org = o.create_organization(FeatureSet='ALL')['Organization']
ids = [o.create_account(AccountName=f'member-{i}', Email=f'm{i}@example.com')['CreateAccountStatus']['AccountId'] for i in range(3)]
trust = json.dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Principal': {'AWS': 'arn:aws:iam::123456789012:root'}, 'Action': 'sts:AssumeRole'}]})
for i, a in enumerate(ids):
    cr = client('sts').assume_role(RoleArn=f'arn:aws:iam::{a}:role/OrganizationAccountAccessRole', RoleSessionName='setup')['Credentials']
    iam = client('iam', cr)
    if i < 2:
        iam.create_role(RoleName='leash-scanner', AssumeRolePolicyDocument=trust)
        iam.put_role_policy(RoleName='leash-scanner', PolicyName='leash-scanner', PolicyDocument=json.dumps(INPUT['policy']))
    # An agent role (tagged) with admin, and an ordinary role.
    iam.create_role(RoleName='build-helper', AssumeRolePolicyDocument=trust, Tags=[{'Key': 'ai-agent', 'Value': 'true'}])
    iam.put_role_policy(RoleName='build-helper', PolicyName='all', PolicyDocument=json.dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': '*', 'Resource': '*'}]}))
    iam.create_role(RoleName='app', AssumeRolePolicyDocument=trust)
iam = client('iam')
iam.create_user(UserName='leash-operator')
iam.put_user_policy(UserName='leash-operator', PolicyName='operator', PolicyDocument=json.dumps({'Version': '2012-10-17', 'Statement': [
    {'Effect': 'Allow', 'Action': ['organizations:Describe*', 'organizations:List*', 'sts:GetCallerIdentity', 's3:ListBucket', 's3:GetObject', 'athena:*'], 'Resource': '*'},
    {'Effect': 'Allow', 'Action': 'sts:AssumeRole', 'Resource': [f'arn:aws:iam::{a}:role/leash-scanner' for a in ids[:2]]}]}))
key = iam.create_access_key(UserName='leash-operator')['AccessKey']
client('athena').create_work_group(Name='leash-wg', Configuration={'ResultConfiguration': {'OutputLocation': 's3://aws-athena-query-results-123456789012-us-east-1/'}})
print(json.dumps({'members': ids, 'orgId': org['Id'], 'operator': {'AccessKeyId': key['AccessKeyId'], 'SecretAccessKey': key['SecretAccessKey']}}))
`,
      { policy: scannerPolicy },
    ) as typeof setup;
    const files = setup.members.map((a, i) => ({ key: `AWSLogs/${setup.orgId}/${a}/CloudTrail/us-east-1/${DAY.replace(/-/g, '/')}/${a}_CloudTrail_us-east-1_x.json`, body: trailFile(a, 10 + i) }));
    boto3(moto, `
s3 = client('s3')
s3.create_bucket(Bucket='org-trail')
for f in INPUT:
    s3.put_object(Bucket='org-trail', Key=f['key'], Body=f['body'].encode())
`, files);
    // The same trail, laid out for DuckDB, gives the Athena rows (the one SQL on the same files).
    trailDir = mkdtempSync(join(tmpdir(), 'leash-org-trail-'));
    for (const f of files) writeFileSync(join(trailDir, f.key.split('/').pop()!), f.body);
    const db = await openTrailDb(files.map((f) => join(trailDir, f.key.split('/').pop()!)), 'security', 'cloudtrail_logs');
    athenaRows = await db.query(usageSql({ dialect: 'duckdb', database: 'security', table: 'cloudtrail_logs' }));
    db.close();
    process.env['AWS_ACCESS_KEY_ID'] = setup.operator.AccessKeyId;
    process.env['AWS_SECRET_ACCESS_KEY'] = setup.operator.SecretAccessKey;
    delete process.env['AWS_PROFILE'];
    delete process.env['AWS_SESSION_TOKEN'];
    reports = mkdtempSync(join(tmpdir(), 'leash-org-'));
  }, 180_000);

  afterAll(async () => {
    process.env = savedEnv;
    await moto?.stop();
    if (reports) rmSync(reports, { recursive: true, force: true });
    if (trailDir) rmSync(trailDir, { recursive: true, force: true });
  });

  it('S3 route: every member\'s report reads its own folder of the organization trail', async () => {
    const r = await scanOrganization({ endpointUrl: moto.endpoint, region: 'us-east-1', reportsRoot: reports, cloudtrail: ['s3://org-trail/'], until: `${DAY}T23:59:59Z`, concurrency: 2, includeAccounts: setup.members });
    expect(organizationReportSchemaErrors(r.report)).toEqual([]);
    // Not enforced yet: moto lets leash into all three (see the file comment).
    expect(r.report.coverage).toEqual({ accountsListed: 4, accountsScanned: 3, accountsFailed: 0, accountsSkipped: 1 });
    for (const [i, a] of setup.members.entries()) {
      const entry = r.report.accounts.find((x) => x.id === a)!;
      const report = parseReport(readFileSync(join(reports, entry.reportDir!, 'report.json'), 'utf8'), 'report.json');
      expect(reportSchemaErrors(report)).toEqual([]);
      expect(report.scan.account.id).toBe(a);
      expect(report.scan.sources.find((s) => s.kind === 'cloudtrail-s3')).toMatchObject({ status: 'ok', counts: expect.objectContaining({ files: 1, records: 10 + i }) });
      const helper = report.principals.find((p) => p.name === 'build-helper')!;
      expect(helper.agentEvidence.map((e) => e.kind)).toContain('cloudtrail-user-agent');
      expect(helper.usage?.actionsUsed).toBe(2);
      expect(report.principals.every((p) => p.arn.includes(`::${a}:`))).toBe(true);
    }
  }, 120_000);

  it('enforced: finds every member, scans the two it can enter, lists the others with the reason; Athena read once for all', async () => {
    // From here on moto checks every call against IAM policies.
    const auth = await fetch(`${moto.endpoint}/moto-api/reset-auth`, { method: 'POST', body: '0' });
    expect(auth.ok).toBe(true);
    await presetAthenaRows(moto, athenaRows);
    const r = await scanOrganization({ endpointUrl: moto.endpoint, region: 'us-east-1', reportsRoot: reports, cloudtrailAthena: 'leash-wg/security.cloudtrail_logs', until: `${DAY}T23:59:59Z`, concurrency: 2 });
    const rep = r.report;
    expect(organizationReportSchemaErrors(rep)).toEqual([]);
    expect(rep.scan.organizationId).toBe(setup.orgId);
    expect(rep.accounts.map((a) => a.id).sort()).toEqual(['123456789012', ...setup.members].sort());
    const byId = new Map(rep.accounts.map((a) => [a.id, a]));
    for (const a of setup.members.slice(0, 2)) expect(byId.get(a)).toMatchObject({ status: 'scanned', iamCoverage: 'complete' });
    // The management account has no leash-scanner role the operator may assume either.
    for (const a of [setup.members[2]!, '123456789012']) {
      expect(byId.get(a)?.status).toBe('failed');
      expect(byId.get(a)?.reason).toMatch(/sts:AssumeRole.*(AccessDenied|not authorized)/);
    }
    expect(rep.coverage).toEqual({ accountsListed: 4, accountsScanned: 2, accountsFailed: 2, accountsSkipped: 0 });
    expect(rep.errors.filter((e) => e.source === 'organizations-accounts').map((e) => e.location).sort()).toEqual(['account 123456789012', `account ${setup.members[2]}`].sort());
    expect(r.exitCode).toBe(2);
    // One Athena query for the organization.
    expect(rep.scan.sources.filter((s) => s.kind === 'cloudtrail-athena')).toEqual([expect.objectContaining({ status: 'ok', counts: expect.objectContaining({ rows: athenaRows.length }) })]);

    // Agent principals across accounts: build-helper in each scanned account.
    const agents = rep.agentPrincipals.filter((p) => p.name === 'build-helper').map((p) => p.accountId).sort();
    expect(agents).toEqual(setup.members.slice(0, 2).sort());
    // Negative control: the ordinary role is no agent anywhere.
    expect(rep.agentPrincipals.some((p) => p.name === 'app')).toBe(false);
    expect(Object.keys(rep.countsByAccount).sort()).toEqual(setup.members.slice(0, 2).sort());

    // Each scanned account got its own share of the one aggregate.
    for (const [i, a] of setup.members.slice(0, 2).entries()) {
      const report = parseReport(readFileSync(join(reports, byId.get(a)!.reportDir!, 'report.json'), 'utf8'), 'report.json');
      expect(report.scan.sources.find((s) => s.kind === 'cloudtrail-athena')).toMatchObject({ status: 'ok', counts: expect.objectContaining({ accountEvents: 10 + i }) });
      const helper = report.principals.find((p) => p.name === 'build-helper')!;
      expect(helper.agentEvidence.map((e) => e.kind)).toContain('cloudtrail-user-agent');
    }
    const written = JSON.parse(readFileSync(join(r.dir, 'organization.json'), 'utf8')) as OrganizationReport;
    expect(written).toEqual(JSON.parse(JSON.stringify(rep)));
    expect(r.dir.startsWith(join(reports, 'organizations', setup.orgId))).toBe(true);
  }, 120_000);

  it('include/exclude by account id; the CLI prints the summary and exits 2 for the account it cannot enter', async () => {
    const only = await scanOrganization({ endpointUrl: moto.endpoint, region: 'us-east-1', reportsRoot: reports, includeAccounts: [setup.members[0]!] });
    expect(only.report.accounts.filter((a) => a.status === 'scanned').map((a) => a.id)).toEqual([setup.members[0]]);
    expect(only.report.accounts.filter((a) => a.status === 'skipped')).toHaveLength(3);
    expect(only.exitCode).toBe(0);

    const cli = await runCli(['scan', '--org', '--endpoint-url', moto.endpoint, '--region', 'us-east-1', '--reports', reports, '--exclude-accounts', '123456789012', '--ci']);
    expect(cli.code).toBe(2);
    expect(cli.out).toMatch(new RegExp(`organization ${setup.orgId}: 2 scanned, 1 failed, 1 skipped; 2 agent principals`));
    expect(cli.err).toContain(`account ${setup.members[2]} failed`);
    const bad = await runCli(['scan', '--org', '--endpoint-url', moto.endpoint, '--include-ous', 'not-an-ou']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--include-ous: expected organizational unit ids/);
  }, 120_000);
});
