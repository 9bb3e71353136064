// A live scan of one account learns its own organization (organizations:DescribeOrganization, which
// "can be called from any account in the organization":
// https://docs.aws.amazon.com/organizations/latest/APIReference/API_DescribeOrganization.html),
// with the real SDK against moto: a member account created by create_organization/create_account,
// an account outside every organization (moto answers AWSOrganizationsNotInUseException), and faults
// and a hostile answer from the loopback proxy in front of moto (moto cannot refuse one call or
// return an id that is not one).
//
// The member account holds the graph tests' case (test/graph/trust-caller-keys.test.ts): a user
// `agent` that may call sts:AssumeRole, a role `target` with admin whose trust is `Principal AWS *`
// under StringEquals aws:PrincipalOrgID <the organization>, and a role `partner` trusting another
// organization the same way. The organization known, `agent` reaches admin for certain (critical)
// and `partner` is open to another organization; unknown, `agent` reaches it only under a condition
// (high / medium) and `partner` is not judged; in no organization, `agent` does not reach it at all
// and both trusts admit another organization.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exitCodeFor, runScan, scanAccounts } from '../../src/pipeline/scan.js';
import type { Report } from '../../src/model/report.js';
import { boto3, MOTO_SKIP_REASON, motoAvailable, startMoto, type Moto } from '../support/moto.js';
import { startAwsProxy, type AwsProxy, type ProxyAnswerer } from '../support/aws-proxy.js';
import { reportSchemaErrors } from '../support/schema.js';

const NOW = new Date('2026-12-01T12:00:00Z');
const OTHER_ORG = 'o-bbbbbbbbbb';
const OUTSIDER = '999999999999';

interface Creds { AccessKeyId: string; SecretAccessKey: string; SessionToken: string }

describe.skipIf(!motoAvailable)(`a live single-account scan learns its organization (moto)${motoAvailable ? '' : `: ${MOTO_SKIP_REASON}`}`, () => {
  let moto: Moto;
  let proxy: AwsProxy;
  let answer: ProxyAnswerer | undefined;
  let setup: { orgId: string; management: string; member: string; memberCreds: Creds; outsiderCreds: Creds };
  let dir: string;
  const savedEnv = { ...process.env };

  beforeAll(async () => {
    moto = await startMoto();
    setup = boto3(moto, `
o = client('organizations')
org = o.create_organization(FeatureSet='ALL')['Organization']
member = o.create_account(AccountName='member', Email='m@example.com')['CreateAccountStatus']['AccountId']
def creds(account, role):
    c = client('sts').assume_role(RoleArn=f'arn:aws:iam::{account}:role/{role}', RoleSessionName='setup')['Credentials']
    return {k: c[k] for k in ['AccessKeyId', 'SecretAccessKey', 'SessionToken']}
def populate(c):
    iam = client('iam', c)
    doc = lambda *s: json.dumps({'Version': '2012-10-17', 'Statement': list(s)})
    iam.create_user(UserName='agent')
    iam.put_user_policy(UserName='agent', PolicyName='assume', PolicyDocument=doc({'Effect': 'Allow', 'Action': 'sts:AssumeRole', 'Resource': '*'}))
    iam.create_role(RoleName='target', AssumeRolePolicyDocument=doc({'Effect': 'Allow', 'Principal': {'AWS': '*'}, 'Action': 'sts:AssumeRole', 'Condition': {'StringEquals': {'aws:PrincipalOrgID': org['Id']}}}))
    iam.put_role_policy(RoleName='target', PolicyName='admin', PolicyDocument=doc({'Effect': 'Allow', 'Action': '*', 'Resource': '*'}))
    iam.create_role(RoleName='partner', AssumeRolePolicyDocument=doc({'Effect': 'Allow', 'Principal': {'AWS': '*'}, 'Action': 'sts:AssumeRole', 'Condition': {'StringEquals': {'aws:PrincipalOrgID': INPUT['other']}}}))
m = creds(member, 'OrganizationAccountAccessRole')
populate(m)
# An account outside every organization (moto assumes any role ARN without IAM enforcement).
x = creds(INPUT['outsider'], 'setup')
populate(x)
print(json.dumps({'orgId': org['Id'], 'management': org['MasterAccountId'], 'member': member, 'memberCreds': m, 'outsiderCreds': x}))
`, { other: OTHER_ORG, outsider: OUTSIDER }) as typeof setup;
    proxy = await startAwsProxy(moto.endpoint, (call) => answer?.(call));
    delete process.env['AWS_PROFILE'];
    dir = mkdtempSync(join(tmpdir(), 'leash-own-org-'));
  }, 120_000);

  afterAll(async () => {
    process.env = savedEnv;
    await proxy?.close();
    await moto?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  function as(creds: Creds): void {
    process.env['AWS_ACCESS_KEY_ID'] = creds.AccessKeyId;
    process.env['AWS_SECRET_ACCESS_KEY'] = creds.SecretAccessKey;
    process.env['AWS_SESSION_TOKEN'] = creds.SessionToken;
  }

  async function scan(opts: { creds?: Creds; organizationId?: string } = {}): Promise<Report> {
    as(opts.creds ?? setup.memberCreds);
    let config: string | undefined;
    if (opts.organizationId) {
      config = join(dir, `config-${opts.organizationId}.yaml`);
      writeFileSync(config, `resources:\n  organizationId: ${opts.organizationId}\n`);
    }
    return runScan({ endpointUrl: proxy.url, region: 'us-east-1', fixes: false, now: NOW, ...(config ? { config } : {}) });
  }

  /** Findings that depend on the organization, as `checkId principal subject severity`. */
  const orgFindings = (r: Report) =>
    r.findings
      .filter((f) => ['reaches-admin', 'privilege-escalation', 'trust-policy-too-broad'].includes(f.checkId))
      .map((f) => `${f.checkId} ${f.principalArn.split(':').pop()} ${f.subject} ${f.severity}`)
      .sort();
  const agentFindings = (r: Report) => orgFindings(r).filter((f) => / user\/agent /.test(f)).map((f) => f.replace(/ user\/agent .* /, ' '));
  const source = (r: Report) => r.scan.sources.filter((s) => s.kind === 'organizations-membership');
  const calls = () => proxy.requests.filter((q) => q.operation === 'DescribeOrganization').length;

  function withFault<T>(fault: 'AccessDenied', run: () => Promise<T>): Promise<T> {
    proxy.faults.set('organizations:DescribeOrganization', fault);
    return run().finally(() => proxy.faults.clear());
  }
  function withAnswer<T>(a: ProxyAnswerer, run: () => Promise<T>): Promise<T> {
    answer = a;
    return run().finally(() => (answer = undefined));
  }

  it('a member account: the organization AWS names decides aws:PrincipalOrgID exactly as config resources.organizationId would', async () => {
    const before = calls();
    const learned = await scan();
    expect(calls() - before).toBe(1);
    expect(source(learned)).toEqual([{ kind: 'organizations-membership', location: `organizations (account ${setup.member})`, status: 'ok', detail: expect.stringContaining(`member of organization ${setup.orgId} (management account ${setup.management})`) }]);
    expect(learned.errors.filter((e) => e.source === 'organizations-membership')).toEqual([]);
    expect(reportSchemaErrors(learned)).toEqual([]);
    expect(agentFindings(learned)).toEqual(['privilege-escalation critical', 'reaches-admin critical']);
    expect(orgFindings(learned)).toContain(`trust-policy-too-broad role/partner other-organization:${OTHER_ORG}#0 high`);
    // The config route (DescribeOrganization refused, so config is all there is): the same result.
    const configured = await withFault('AccessDenied', () => scan({ organizationId: setup.orgId }));
    expect(orgFindings(configured)).toEqual(orgFindings(learned));
    // Control: neither source, the organization unknown: as before this change.
    const unknown = await withFault('AccessDenied', () => scan());
    expect(agentFindings(unknown)).toEqual(['privilege-escalation medium', 'reaches-admin high']);
    expect(orgFindings(unknown).some((f) => f.includes('other-organization'))).toBe(false);
    expect(orgFindings(unknown)).not.toEqual(orgFindings(learned));
  }, 120_000);

  it('refused (AccessDenied, or any other error): unknown as before, an error in the report, a skipped source, never exit 2', async () => {
    const unknown = await withFault('AccessDenied', () => scan());
    expect(source(unknown)).toEqual([expect.objectContaining({ status: 'skipped', detail: expect.stringMatching(/AccessDenied.*aws:PrincipalOrgID.*unknown/s) })]);
    expect(unknown.errors.filter((e) => e.source === 'organizations-membership').map((e) => e.code)).toEqual(['access-denied']);
    expect(exitCodeFor(unknown, undefined)).toBe(0);
    expect(reportSchemaErrors(unknown)).toEqual([]);
    const other = await withAnswer((c) => (c.operation === 'DescribeOrganization' ? { status: 400, errorType: 'ConcurrentModificationException', body: { __type: 'ConcurrentModificationException', message: 'try again' } } : undefined), () => scan());
    expect(orgFindings(other)).toEqual(orgFindings(unknown));
    expect(source(other)).toEqual([expect.objectContaining({ status: 'skipped' })]);
    expect(other.errors.filter((e) => e.source === 'organizations-membership')).toEqual([expect.objectContaining({ code: 'internal', message: expect.stringContaining('ConcurrentModificationException') })]);
    expect(exitCodeFor(other, undefined)).toBe(0);
  }, 120_000);

  it('an account in no organization (AWSOrganizationsNotInUseException): said so, aws:PrincipalOrgID absent from its principals\' requests', async () => {
    const outside = await scan({ creds: setup.outsiderCreds });
    expect(outside.scan.account.id).toBe(OUTSIDER);
    expect(source(outside)).toEqual([expect.objectContaining({ status: 'ok', detail: expect.stringMatching(/not a member of an organization.*absent/s) })]);
    expect(outside.errors.filter((e) => e.source === 'organizations-membership')).toEqual([]);
    // `target` admits only principals of the organization (StringEquals aws:PrincipalOrgID): the
    // outsider's agent sends no such key, so the test fails and the hop is gone (not conditional).
    expect(agentFindings(outside)).toEqual([]);
    // Both trusts name an organization this account is not in: principals of another organization.
    expect(orgFindings(outside)).toEqual(expect.arrayContaining([
      `trust-policy-too-broad role/partner other-organization:${OTHER_ORG}#0 high`,
      `trust-policy-too-broad role/target other-organization:${setup.orgId}#0 high`,
    ]));
    expect(outside.findings.find((f) => f.subject === `other-organization:${OTHER_ORG}#0`)?.description).toMatch(/this account is in no organization/);
    expect(reportSchemaErrors(outside)).toEqual([]);
    expect(exitCodeFor(outside, undefined)).toBe(0);
    // Control: the same account with DescribeOrganization refused: unknown, the hop conditional.
    const unknown = await withFault('AccessDenied', () => scan({ creds: setup.outsiderCreds }));
    expect(agentFindings(unknown)).toEqual(['privilege-escalation medium', 'reaches-admin high']);
    expect(orgFindings(unknown).some((f) => f.includes('other-organization'))).toBe(false);
  }, 120_000);

  it('config resources.organizationId wins; when AWS names another organization, the report says both', async () => {
    const disagree = await scan({ organizationId: OTHER_ORG });
    // As the config route alone: partner trusts "our" organization, target another.
    const configOnly = await withFault('AccessDenied', () => scan({ organizationId: OTHER_ORG }));
    expect(orgFindings(disagree)).toEqual(orgFindings(configOnly));
    expect(orgFindings(disagree)).toContain(`trust-policy-too-broad role/target other-organization:${setup.orgId}#0 high`);
    const note = disagree.scan.coverage.notes.find((n) => n.includes('resources.organizationId'));
    expect(note).toContain(OTHER_ORG);
    expect(note).toContain(setup.orgId);
    // Control: config and AWS agree: no such note.
    const agree = await scan({ organizationId: setup.orgId });
    expect(agree.scan.coverage.notes.filter((n) => n.includes('resources.organizationId'))).toEqual([]);
    expect(orgFindings(agree)).toEqual(orgFindings(await scan()));
    // Config names one, the account is in none: said too.
    const none = await scan({ creds: setup.outsiderCreds, organizationId: OTHER_ORG });
    expect(none.scan.coverage.notes.find((n) => n.includes('resources.organizationId'))).toMatch(/o-bbbbbbbbbb[\s\S]*not a member of an organization/);
  }, 180_000);

  it('several accounts from leash.config.yaml `accounts`: each asks with its own role; the member learns the organization, the outsider is said to be in none', async () => {
    // The management account's credentials assume each account's role (moto does not enforce trust).
    const mgmt = boto3(moto, `
c = client('sts').assume_role(RoleArn=f"arn:aws:iam::{INPUT['management']}:role/admin", RoleSessionName='setup')['Credentials']
print(json.dumps({k: c[k] for k in ['AccessKeyId', 'SecretAccessKey', 'SessionToken']}))
`, { management: setup.management }) as Creds;
    as(mgmt);
    const config = join(dir, 'accounts.yaml');
    writeFileSync(config, `accounts:\n  - id: "${setup.member}"\n    roleArn: arn:aws:iam::${setup.member}:role/OrganizationAccountAccessRole\n  - id: "${OUTSIDER}"\n    roleArn: arn:aws:iam::${OUTSIDER}:role/setup\n`);
    const before = calls();
    const results = await scanAccounts({ config, endpointUrl: proxy.url, region: 'us-east-1', fixes: false, now: NOW, reportsRoot: join(dir, 'multi'), formats: ['json'] });
    expect(results.map((r) => [r.accountId, r.ok, r.error])).toEqual([[setup.member, true, undefined], [OUTSIDER, true, undefined]]);
    expect(calls() - before).toBe(2);
    const [member, outsider] = results.map((r) => r.report!);
    expect(source(member!)).toEqual([expect.objectContaining({ status: 'ok', detail: expect.stringContaining(`member of organization ${setup.orgId}`) })]);
    expect(agentFindings(member!)).toEqual(['privilege-escalation critical', 'reaches-admin critical']);
    expect(source(outsider!)).toEqual([expect.objectContaining({ status: 'ok', detail: expect.stringMatching(/not a member of an organization/) })]);
    // Each account decided with its own answer: the outsider's agent sends no aws:PrincipalOrgID,
    // so `target` (which admits the organization only) is closed to it.
    expect(agentFindings(outsider!)).toEqual([]);
    for (const r of [member!, outsider!]) expect(reportSchemaErrors(r)).toEqual([]);
  }, 180_000);

  it('a hostile answer (an id that is not one, a management account that is not 12 digits) is dropped, reported, never printed raw', async () => {
    const unknown = await withFault('AccessDenied', () => scan());
    for (const org of [
      { Id: 'o-\u001b[31mevil\u001b[0m', MasterAccountId: '111111111111' },
      { Id: 'o-AAAAAAAAAA', MasterAccountId: '111111111111' },
      { Id: 'o-aaaaaaaaaa', MasterAccountId: '1111$(reboot)' },
    ]) {
      const r = await withAnswer((c) => (c.operation === 'DescribeOrganization' ? { status: 200, body: { Organization: org } } : undefined), () => scan());
      expect(orgFindings(r)).toEqual(orgFindings(unknown));
      const errs = r.errors.filter((e) => e.source === 'organizations-membership');
      expect(errs).toEqual([expect.objectContaining({ code: 'invalid-input', message: expect.stringMatching(/DescribeOrganization.*dropped/) })]);
      const text = JSON.stringify([source(r), errs, r.scan.coverage.notes]);
      for (const bad of ['evil', '\\u001b', 'AAAAAAAAAA', 'reboot', 'o-aaaaaaaaaa']) expect(text).not.toContain(bad);
    }
  }, 180_000);
});
