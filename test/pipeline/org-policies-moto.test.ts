// `scan --org --scps [--resources]`: SCPs and RCPs are read once through the management account's
// Organizations client and attached to each member account by the organization tree (root → OU →
// account), against moto's Organizations (which supports RESOURCE_CONTROL_POLICY) with the real
// SDK; faults come from the loopback proxy in front of moto (moto has no way to deny one call).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients, type AwsClients } from '../../src/collect/aws/client-factory.js';
import { organizationPolicies } from '../../src/collect/aws/org.js';
import { scanOrganization } from '../../src/pipeline/org-scan.js';
import type { Report } from '../../src/model/report.js';
import { boto3, MOTO_CREDENTIALS, MOTO_SKIP_REASON, motoAvailable, startMoto, type Moto } from '../support/moto.js';
import { startAwsProxy, type AwsProxy } from '../support/aws-proxy.js';

const M = '123456789012';

describe.skipIf(!motoAvailable)(`organization policies from the management account (moto)${motoAvailable ? '' : `: ${MOTO_SKIP_REASON}`}`, () => {
  let moto: Moto;
  let proxy: AwsProxy;
  let clients: AwsClients;
  let org: { root: string; ou: string; members: string[] };
  let reports: string;
  const savedEnv = { ...process.env };

  beforeAll(async () => {
    moto = await startMoto();
    org = boto3(moto, `
o = client('organizations')
o.create_organization(FeatureSet='ALL')
root = o.list_roots()['Roots'][0]['Id']
ou = o.create_organizational_unit(ParentId=root, Name='prod')['OrganizationalUnit']['Id']
ids = [o.create_account(AccountName=f'member-{i}', Email=f'm{i}@example.com')['CreateAccountStatus']['AccountId'] for i in range(3)]
for a in ids[:2]: o.move_account(AccountId=a, SourceParentId=root, DestinationParentId=ou)
def pol(name, type, stmt, target):
    p = o.create_policy(Name=name, Description=name, Type=type, Content=json.dumps({'Version': '2012-10-17', 'Statement': [stmt]}))['Policy']['PolicySummary']['Id']
    o.attach_policy(PolicyId=p, TargetId=target)
o.enable_policy_type(RootId=root, PolicyType='SERVICE_CONTROL_POLICY')
pol('ou-deny-leave', 'SERVICE_CONTROL_POLICY', {'Effect': 'Deny', 'Action': 'organizations:LeaveOrganization', 'Resource': '*'}, ou)
pol('rcp-root', 'RESOURCE_CONTROL_POLICY', {'Effect': 'Deny', 'Principal': '*', 'Action': 's3:*', 'Resource': '*', 'Condition': {'Bool': {'aws:SecureTransport': 'false'}}}, root)
pol('rcp-member-2', 'RESOURCE_CONTROL_POLICY', {'Effect': 'Deny', 'Principal': '*', 'Action': 'sqs:*', 'Resource': '*', 'Condition': {'StringNotEqualsIfExists': {'aws:PrincipalOrgID': 'o-example'}}}, ids[2])
trust = json.dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Principal': {'AWS': 'arn:aws:iam::123456789012:root'}, 'Action': 'sts:AssumeRole'}]})
for a in ids:
    cr = client('sts').assume_role(RoleArn=f'arn:aws:iam::{a}:role/OrganizationAccountAccessRole', RoleSessionName='setup')['Credentials']
    client('iam', cr).create_role(RoleName='leash-scanner', AssumeRolePolicyDocument=trust)
    client('sqs', cr).create_queue(QueueName='jobs')
print(json.dumps({'root': root, 'ou': ou, 'members': ids}))`) as typeof org;
    proxy = await startAwsProxy(moto.endpoint);
    clients = createAwsClients({ endpointUrl: proxy.url, region: 'us-east-1', credentials: MOTO_CREDENTIALS, maxAttempts: 1 });
    process.env['AWS_ACCESS_KEY_ID'] = MOTO_CREDENTIALS.accessKeyId;
    process.env['AWS_SECRET_ACCESS_KEY'] = MOTO_CREDENTIALS.secretAccessKey;
    delete process.env['AWS_PROFILE'];
    delete process.env['AWS_SESSION_TOKEN'];
    reports = mkdtempSync(join(tmpdir(), 'leash-org-pol-'));
  }, 120_000);
  afterAll(async () => {
    process.env = savedEnv;
    clients?.destroy();
    await proxy?.close();
    await moto?.stop();
    if (reports) rmSync(reports, { recursive: true, force: true });
  });

  const names = (levels: { targetId: string; policies: { name: string }[] }[] | undefined) => levels?.map((l) => [l.targetId, l.policies.map((p) => p.name).filter((n) => n !== 'FullAWSAccess' && n !== 'RCPFullAWSAccess').sort()]);

  it('attaches by the tree: an OU member inherits the OU\'s SCP, an account at the root does not; RCPs of the root and of one account', async () => {
    proxy.faults.clear();
    const [m0, m1, m2] = org.members as [string, string, string];
    const p = organizationPolicies(clients.organizations, M);
    const scp0 = await p.forAccount(m0, 'SERVICE_CONTROL_POLICY');
    expect(scp0.errors).toEqual([]);
    expect(names(scp0.scps)).toEqual([[org.root, []], [org.ou, ['ou-deny-leave']], [m0, []]]);
    expect(scp0.source).toMatchObject({ kind: 'organizations-scp', status: 'ok', location: `organizations (management account ${M}, for account ${m0})`, detail: expect.stringContaining('the root and 1 OU(s)') });
    // Negative control: the account at the root has no OU level and not the OU's SCP.
    expect(names((await p.forAccount(m2, 'SERVICE_CONTROL_POLICY')).scps)).toEqual([[org.root, []], [m2, []]]);
    expect(names((await p.forAccount(m2, 'RESOURCE_CONTROL_POLICY')).scps)).toEqual([[org.root, ['rcp-root']], [m2, ['rcp-member-2']]]);
    expect(names((await p.forAccount(m0, 'RESOURCE_CONTROL_POLICY')).scps)).toEqual([[org.root, ['rcp-root']], [org.ou, []], [m0, []]]);
    // Read once: a second account of the same OU asks only for its own parent and attachments.
    const before = p.calls();
    await p.forAccount(m1, 'SERVICE_CONTROL_POLICY');
    expect(p.calls() - before).toBe(2); // ListParents(m1), ListPoliciesForTarget(m1)
  });

  it('scan --org --scps --resources: every member report has its SCPs and RCPs from the management account, member roles are not asked for them', async () => {
    proxy.faults.clear();
    proxy.requests.length = 0;
    const res = await scanOrganization({ endpointUrl: proxy.url, region: 'us-east-1', scps: true, resources: true, regions: ['us-east-1'], reportsRoot: reports, concurrency: 2 });
    expect(res.report.accounts.filter((a) => a.status === 'scanned').map((a) => a.id).sort()).toEqual([...org.members, M].sort());
    for (const a of res.report.accounts) {
      const r = JSON.parse(readFileSync(join(reports, a.reportDir!, 'report.json'), 'utf8')) as Report;
      const scp = r.scan.sources.filter((s) => s.kind === 'organizations-scp');
      expect(scp).toEqual([expect.objectContaining({ status: 'ok', location: `organizations (management account ${M}, for account ${a.id})` })]);
      expect(r.scan.sources.find((s) => s.kind === 'organizations-rcp')).toMatchObject({ status: 'ok', location: expect.stringContaining(`management account ${M}`) });
      expect(r.scan.coverage.inventory).toMatchObject({ rcps: 'collected' });
      expect(r.errors.filter((e) => e.source === 'organizations-scp' || e.source === 'organizations-rcp')).toEqual([]);
    }
    // Each target's attachments asked once per policy type: root, OU and 4 accounts (the management account is listed too), × SCP and RCP.
    expect(proxy.requests.filter((q) => q.operation.endsWith('ListPoliciesForTarget'))).toHaveLength(6 * 2);
    // The organization is known from discovery: no account's scan asks DescribeOrganization again (s39).
    expect(proxy.requests.filter((q) => q.operation === 'DescribeOrganization')).toHaveLength(1);
    expect(res.report.scan.sources.find((s) => s.kind === 'organizations-scp')).toMatchObject({ status: 'ok', location: expect.stringContaining(`management account ${M}`) });
  }, 180_000);

  it('AccessDenied reading policies: a coverage error in each account\'s report, not a crash; the scan goes on', async () => {
    proxy.faults.clear();
    proxy.faults.set('organizations:ListPoliciesForTarget', 'AccessDenied');
    try {
      const res = await scanOrganization({ endpointUrl: proxy.url, region: 'us-east-1', scps: true, resources: true, regions: ['us-east-1'], reportsRoot: reports, includeAccounts: [org.members[0]!] });
      const a = res.report.accounts.find((x) => x.id === org.members[0])!;
      expect(a.status).toBe('scanned');
      const r = JSON.parse(readFileSync(join(reports, a.reportDir!, 'report.json'), 'utf8')) as Report;
      expect(r.scan.sources.find((s) => s.kind === 'organizations-scp')).toMatchObject({ status: 'unavailable', detail: expect.stringMatching(/management account or a delegated administrator/) });
      expect(r.scan.coverage.inventory).toMatchObject({ rcps: 'not-collected' });
      expect(r.errors.filter((e) => e.code === 'access-denied').map((e) => e.source).sort()).toEqual(['organizations-rcp', 'organizations-scp']);
    } finally {
      proxy.faults.clear();
    }
  }, 180_000);
});
