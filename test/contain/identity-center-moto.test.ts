// `leash contain` of an IAM Identity Center role, end to end: the CLI writes the plan from a
// scan's report, then contain.sh and undo.sh run with the aws CLI and jq against moto's sso-admin
// (a real API). The Deny is merged into the permission set's inline policy beside a person's
// statements and provisioned; undo takes out only leash's statements, keeping a change made since.
// The scripts' requests go through the recording proxy, which answers what moto 5.2 lacks
// (DescribePermissionSetProvisioningStatus: SUCCEEDED, as moto provisions at once; the
// ProvisioningStatus filter of ListAccountsForProvisionedPermissionSet); the test's own setup
// talks to moto directly. Skipped, saying why, without moto, the aws CLI or jq.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MOTO_CREDENTIALS, MOTO_SKIP_REASON, motoAvailable, startMoto, type Moto } from '../support/moto.js';
import { startAwsProxy, type AwsProxy, type ProxyAnswerer } from '../support/aws-proxy.js';
import { permissionSetAnswer, permissionSetRequest, throughProxy } from '../support/permission-set-proxy.js';
import { runCli } from '../support/cli.js';
import { containPlan } from '../support/contain-plan.js';

const ACCOUNT = '123456789012'; // moto's
const ADMIN_ROLE = 'AWSReservedSSO_AdministratorAccess_0123456789abcdef';
const READ_ROLE = 'AWSReservedSSO_ReadOnly_fedcba9876543210';
const BILLING_ROLE = 'AWSReservedSSO_Billing_00112233445566ff';
const POWER_ROLE = 'AWSReservedSSO_PowerUser_0011223344556677';
const PERSON = { Version: '2012-10-17', Statement: [{ Sid: 'TeamBuckets', Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::team-*' }] };
const awsCli = spawnSync('aws', ['--version'], { encoding: 'utf8' }).status === 0;
const jq = spawnSync('jq', ['--version'], { encoding: 'utf8' }).status === 0;
const skip = !motoAvailable ? MOTO_SKIP_REASON : !awsCli ? 'the aws CLI is not installed' : !jq ? 'jq is not installed (.ci/run installs it)' : undefined;

// moto provisions at once: a status read answers SUCCEEDED; no account holds an older copy.
const answer: ProxyAnswerer = ({ operation, body }) => operation === 'DescribePermissionSetProvisioningStatus'
  ? { status: 200, body: { PermissionSetProvisioningStatus: { Status: 'SUCCEEDED', RequestId: permissionSetRequest(body).ProvisionPermissionSetRequestId } } }
  : permissionSetAnswer(operation, body, { boundaries: new Map(), stale: new Map() });

let moto: Moto;
let proxy: AwsProxy;
let root: string;
let reports: string;
let env: NodeJS.ProcessEnv;
const instances: Record<string, string> = {};
const permissionSets: Record<string, string> = {};

const aws = (args: string[]) => spawnSync('aws', args, { env, encoding: 'utf8' });
const proxied = throughProxy(() => proxy, () => env);
const run = (script: string, ...args: string[]) => proxied.run('bash', [script, ...args]);
const json = (args: string[]) => {
  const r = aws([...args, '--output', 'json']);
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout || '{}');
};

function role(name: string, path: string): Record<string, unknown> {
  return {
    Path: path, RoleName: name, RoleId: `AROA${name.length.toString().padStart(17, '0')}`, Arn: `arn:aws:iam::${ACCOUNT}:role${path}${name}`, CreateDate: '2025-09-01T09:00:00Z',
    AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Federated: `arn:aws:iam::${ACCOUNT}:saml-provider/AWSSSO_0123456789abcdef_DO_NOT_DELETE` }, Action: ['sts:AssumeRoleWithSAML', 'sts:TagSession'], Condition: { StringEquals: { 'SAML:aud': 'https://signin.aws.amazon.com/saml' } } }] },
    InstanceProfileList: [], AttachedManagedPolicies: [], Tags: [], MaxSessionDuration: 43200,
    RolePolicyList: [{ PolicyName: 'AwsSSOInlinePolicy', PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } }],
  };
}

/** The inline policy the permission set holds now ('' when none). */
function inline(region: string, name: string): string {
  return json(['sso-admin', 'get-inline-policy-for-permission-set', '--region', region, '--instance-arn', instances[region]!, '--permission-set-arn', permissionSets[name]!]).InlinePolicy as string;
}

const contain = (args: string[]) => containPlan(root, reports, args);

// Each test runs the CLI and a dozen aws CLI processes: slow on a loaded 2-core machine, hence the timeouts.
describe.skipIf(skip !== undefined)(`leash contain of an Identity Center role against moto${skip ? ` (skipped: ${skip})` : ''}`, () => {
  beforeAll(async () => {
    moto = await startMoto();
    proxy = await startAwsProxy(moto.endpoint, answer);
    root = mkdtempSync(join(tmpdir(), 'leash-contain-sso-'));
    reports = join(root, 'reports');
    env = { ...process.env, AWS_ENDPOINT_URL: moto.endpoint, AWS_ACCESS_KEY_ID: MOTO_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: MOTO_CREDENTIALS.secretAccessKey, AWS_DEFAULT_REGION: 'us-east-1', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' };
    const input = join(root, 'account.json');
    writeFileSync(input, JSON.stringify({
      UserDetailList: [], GroupDetailList: [], Policies: [],
      RoleDetailList: [role(ADMIN_ROLE, '/aws-reserved/sso.amazonaws.com/'), role(READ_ROLE, '/aws-reserved/sso.amazonaws.com/eu-west-1/'), role(BILLING_ROLE, '/aws-reserved/sso.amazonaws.com/'), role(POWER_ROLE, '/aws-reserved/sso.amazonaws.com/')],
    }));
    const r = await runCli(['scan', '--input', input, '--reports', reports, '--format', 'json', '--ci']);
    expect(r.code, r.err).toBeLessThan(2);
    // Identity Center as the management account holds it (test setup: leash itself only reads).
    // AdministratorAccess (us-east-1) holds a person's inline statement; ReadOnly (eu-west-1) none;
    // Billing exists but is provisioned nowhere; PowerUser is for the size quota.
    for (const [region, name, provisioned] of [['us-east-1', 'AdministratorAccess', true], ['eu-west-1', 'ReadOnly', true], ['us-east-1', 'Billing', false], ['us-east-1', 'PowerUser', true]] as const) {
      instances[region] ??= json(['sso-admin', 'list-instances', '--region', region]).Instances[0].InstanceArn as string;
      permissionSets[name] = json(['sso-admin', 'create-permission-set', '--region', region, '--instance-arn', instances[region], '--name', name]).PermissionSet.PermissionSetArn as string;
      if (provisioned) json(['sso-admin', 'provision-permission-set', '--region', region, '--instance-arn', instances[region], '--permission-set-arn', permissionSets[name]!, '--target-type', 'AWS_ACCOUNT', '--target-id', ACCOUNT]);
    }
    json(['sso-admin', 'put-inline-policy-to-permission-set', '--instance-arn', instances['us-east-1']!, '--permission-set-arn', permissionSets['AdministratorAccess']!, '--inline-policy', JSON.stringify(PERSON)]);
  }, 120_000);
  afterAll(async () => {
    await proxy?.close();
    await moto?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('one person\'s session: dry run changes nothing; --apply merges the Deny beside the person\'s statement; undo keeps a change made since', async () => {
    const dir = await contain([`arn:aws:sts::${ACCOUNT}:assumed-role/${ADMIN_ROLE}/dana@example.com`]);
    const before = inline('us-east-1', 'AdministratorAccess');

    const dry = await run(join(dir, 'contain.sh'));
    expect(dry.status, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/would run: aws sso-admin put-inline-policy-to-permission-set/);
    expect(dry.stdout).toMatch(/would run: aws sso-admin provision-permission-set .*ALL_PROVISIONED_ACCOUNTS/);
    expect(dry.stdout).toContain('*:dana@example.com');
    expect(inline('us-east-1', 'AdministratorAccess')).toBe(before);

    const applied = await run(join(dir, 'contain.sh'), '--apply');
    expect(applied.status, applied.stderr).toBe(0);
    expect(applied.stdout).toMatch(/Provisioned: permission set AdministratorAccess is in effect in account\(s\) 123456789012 \(request [0-9a-f-]{36} SUCCEEDED\)\.\nContained: the Deny is in force in every account it is provisioned to/);
    const put = JSON.parse(inline('us-east-1', 'AdministratorAccess'));
    const deny = JSON.parse(readFileSync(join(dir, 'deny-statements.json'), 'utf8'));
    expect(put.Statement).toEqual([...PERSON.Statement, ...deny.Statement]);
    expect(readFileSync(join(dir, 'permission-set-inline-before.json'), 'utf8')).toBe(before);

    // Twice is once.
    const again = await run(join(dir, 'contain.sh'), '--apply');
    expect(again.stdout).toMatch(/already holds this plan's Deny/);
    expect(JSON.parse(inline('us-east-1', 'AdministratorAccess')).Statement).toHaveLength(2);

    // Someone adds a statement while it is contained; undo leaves theirs and the person's.
    const added = { Sid: 'AddedLater', Effect: 'Allow', Action: 'logs:GetLogEvents', Resource: '*' };
    json(['sso-admin', 'put-inline-policy-to-permission-set', '--instance-arn', instances['us-east-1']!, '--permission-set-arn', permissionSets['AdministratorAccess']!, '--inline-policy', JSON.stringify({ ...put, Statement: [...put.Statement, added] })]);
    const undo = await run(join(dir, 'undo.sh'), '--apply');
    expect(undo.status, undo.stderr).toBe(0);
    expect(JSON.parse(inline('us-east-1', 'AdministratorAccess')).Statement).toEqual([...PERSON.Statement, added]);
    expect((await run(join(dir, 'undo.sh'), '--apply')).stdout).toMatch(/none of this plan's statements/);
  }, 180_000);

  it('everyone\'s sessions, instance in the region the role\'s path names: the time it ran; undo deletes the inline policy it created', async () => {
    const dir = await contain([READ_ROLE]);
    expect(inline('eu-west-1', 'ReadOnly')).toBe('');
    const start = new Date(Math.floor(Date.now() / 1000) * 1000);
    const applied = await run(join(dir, 'contain.sh'), '--apply');
    expect(applied.status, applied.stderr).toBe(0);
    const put = JSON.parse(inline('eu-west-1', 'ReadOnly'));
    expect(put.Statement).toHaveLength(1);
    const at = put.Statement[0].Condition.DateLessThan['aws:TokenIssueTime'] as string;
    expect(Date.parse(at)).toBeGreaterThanOrEqual(start.getTime());
    expect(JSON.parse(readFileSync(join(dir, 'applied.json'), 'utf8')).Statement).toEqual(put.Statement);
    expect((await run(join(dir, 'undo.sh'), '--apply')).status).toBe(0);
    expect(inline('eu-west-1', 'ReadOnly')).toBe('');
  }, 180_000);

  // Identity Center's quota (docs.aws.amazon.com/singlesignon/latest/userguide/limits.html): an inline
  // policy per permission set of at most 32,768 bytes, 10,240 bytes of them non-whitespace characters.
  it('refuses, before any call, a Deny that would take the inline policy past 10,240 bytes without whitespace; control: a small policy takes it', async () => {
    const dir = await contain([POWER_ROLE, '--scope', 'all']);
    const deny = JSON.parse(readFileSync(join(dir, 'deny-statements.json'), 'utf8')) as { Statement: unknown[] };
    const added = deny.Statement.reduce<number>((n, x) => n + JSON.stringify(x).length + 1, 0);
    // Statements with whitespace in their values (counted in all, not against the 10,240), up to just under the quota.
    const statements: unknown[] = [];
    const policy = () => ({ Version: '2012-10-17', Statement: statements });
    const nonWhite = () => JSON.stringify(policy()).replace(/\s/g, '').length;
    for (let i = 0; nonWhite() + 200 + added <= 10_240; i++) statements.push({ Sid: `Team${String(i).padStart(4, '0')}`, Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::team-bucket-${String(i).padStart(4, '0')}/*`, Condition: { StringEquals: { 'aws:PrincipalTag/team': 'data   platform' } } });
    while (nonWhite() + added <= 10_240) statements.push({ Effect: 'Allow', Action: 'logs:GetLogEvents', Resource: '*' });
    expect(nonWhite()).toBeLessThanOrEqual(10_240);
    const setPolicy = (doc: unknown) => json(['sso-admin', 'put-inline-policy-to-permission-set', '--instance-arn', instances['us-east-1']!, '--permission-set-arn', permissionSets['PowerUser']!, '--inline-policy', JSON.stringify(doc)]);
    setPolicy(policy());
    for (const args of [[], ['--apply']]) {
      const r = await run(join(dir, 'contain.sh'), ...args);
      // 1: not contained, known (3 is kept for "not known yet": provisioning in progress or unread).
      expect(r.status, r.stderr).toBe(1);
      expect(r.stderr).toMatch(/would be \d+ bytes without whitespace \(\d+ in all\): IAM Identity Center allows 10,240 \(32,768 in all\)\. Nothing done\./);
      expect(r.stderr).toContain('deny-statements.json');
      expect(r.stdout).not.toMatch(/put-inline-policy|provision-permission-set/);
    }
    expect(JSON.parse(inline('us-east-1', 'PowerUser'))).toEqual(policy());

    // Control: the same plan over a small inline policy goes through.
    setPolicy(PERSON);
    const ok = await run(join(dir, 'contain.sh'), '--apply');
    expect(ok.status, ok.stderr).toBe(0);
    expect(JSON.parse(inline('us-east-1', 'PowerUser')).Statement).toEqual([...PERSON.Statement, ...deny.Statement]);
  }, 180_000);

  it('refuses a permission set not provisioned to the account, and a machine without jq, changing nothing', async () => {
    const billing = await contain([BILLING_ROLE, '--scope', 'all']);
    const r = await run(join(billing, 'contain.sh'), '--apply');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/No permission set named Billing is provisioned to account 123456789012/);
    expect(inline('us-east-1', 'Billing')).toBe('');

    // Control for the lookup: the same plan with the permission set named by the environment does apply.
    const named = await proxied.run('bash', [join(billing, 'contain.sh'), '--apply'], { PERMISSION_SET_ARN: permissionSets['Billing'] });
    expect(named.status, named.stderr).toBe(0);
    expect(JSON.parse(inline('us-east-1', 'Billing')).Statement).toEqual([expect.objectContaining({ Effect: 'Deny', Action: '*', Resource: '*' })]);

    // No jq on the PATH (only what runs before the check): exit 1, before any call.
    const bin = join(root, 'bin');
    mkdirSync(bin, { recursive: true });
    symlinkSync(spawnSync('bash', ['-c', 'command -v dirname'], { encoding: 'utf8' }).stdout.trim(), join(bin, 'dirname'));
    const noJq = spawnSync('/bin/bash', [join(billing, 'undo.sh'), '--apply'], { env: { ...env, PATH: bin }, encoding: 'utf8' });
    expect(noJq.status).toBe(1);
    expect(noJq.stderr).toMatch(/needs jq/);
    expect(JSON.parse(inline('us-east-1', 'Billing')).Statement).toHaveLength(1);
  }, 180_000);
});
