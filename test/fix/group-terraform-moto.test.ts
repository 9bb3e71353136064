// A boundary group's main.tf applied by Terraform against moto (a real IAM API): the scanned
// account's users and roles are created in moto, the shared boundary's folder is applied first
// (as the README says), then the groups' main.tf concatenated: every member is planned for
// import (for_each), none created or destroyed; applied (roles: moto never shows a user's
// boundary, so the provider would wait for ever for a user), each role gets the boundary, the
// roles whose fix replaces their trust policy get their trust/ document, and a role whose trust
// policy stays keeps it, even one changed since the scan (ignore_changes), and every role keeps
// the inline and managed policies it holds, those added since the scan too. A second plan has
// nothing to do for them. Skipped, saying why, without moto, terraform, or a local AWS provider
// (nothing can be downloaded here).
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boto3, MOTO_CREDENTIALS, MOTO_SKIP_REASON, motoAvailable, startMoto, type Moto } from '../support/moto.js';
import { terraform, TF_PLUGIN_DIR, TF_PROVIDER_SKIP } from '../support/terraform.js';
import { runCli } from '../support/cli.js';
import { safeName } from '../../src/safe/name.js';
import { memberTrustFile } from '../support/group-trust.js';

const ACCOUNT = '123456789012'; // moto's
const EC2 = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
const BEDROCK = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'bedrock.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
// Every character IAM allows in a name.
const KEPT = ['agent-a', 'agent+b=c,d@e.f_g'];
const TRUSTED = ['bedrock-a', 'bedrock+b=c,d@e.f_g'];
const USERS = ['user-a', 'user+b=c,d@e.f_g'];
// Its trust policy is changed after the scan: Terraform must leave it as it is now.
const DRIFTED = KEPT[1]!;
const DRIFT = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
const skip = !motoAvailable ? MOTO_SKIP_REASON : !TF_PLUGIN_DIR ? TF_PROVIDER_SKIP : undefined;

const inline = (i: number) => [{ PolicyName: `p-${i}`, PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:*', 'iam:PassRole'], Resource: '*' }] } }];
/** A trust document as IAM compares it: one-element arrays and strings alike, keys in any order. */
function canon(v: unknown): unknown {
  if (Array.isArray(v)) return v.length === 1 ? canon(v[0]) : v.map(canon);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, x]) => [k, canon(x)]));
  return v;
}
const norm = (doc: unknown): string => JSON.stringify(canon(doc));

let moto: Moto;
let root: string;
let groupDirs: string[];
let boundaryDirs: string[];

function provider(endpoint: string): string {
  return [
    'provider "aws" {',
    '  region                      = "us-east-1"',
    `  access_key                  = "${MOTO_CREDENTIALS.accessKeyId}"`,
    `  secret_key                  = "${MOTO_CREDENTIALS.secretAccessKey}"`,
    '  skip_credentials_validation = true',
    '  skip_metadata_api_check     = true',
    '  skip_region_validation      = true',
    '',
    '  endpoints {',
    `    iam = "${endpoint}"`,
    `    sts = "${endpoint}"`,
    '  }',
    '}',
    '',
  ].join('\n');
}

/** A Terraform folder: the main.tf of the fix folders concatenated (README.md says so), the fixes folder's versions.tf, a provider for moto. */
function module(name: string, from: readonly string[]): string {
  const d = join(root, name);
  mkdirSync(d);
  writeFileSync(join(d, 'main.tf'), from.map((f) => readFileSync(join(f, 'main.tf'), 'utf8')).join('\n'));
  cpSync(join(root, 'bundle', 'fixes', 'versions.tf'), join(d, 'versions.tf'));
  writeFileSync(join(d, 'provider.tf'), provider(moto.endpoint));
  const init = terraform(d, ['init', '-backend=false', '-input=false', '-no-color', `-plugin-dir=${TF_PLUGIN_DIR}`]);
  expect(init.status, init.stderr).toBe(0);
  return d;
}
const tf = (d: string, args: string[]) => terraform(d, [...args, '-no-color', '-input=false']);

/** Each role's inline policy names and attached managed policy names, sorted. */
function rolePolicies(): Record<string, { inline: string[]; attached: string[] }> {
  return boto3(moto, `
iam = client('iam')
out = {}
for r in iam.list_roles()['Roles']:
    n = r['RoleName']
    out[n] = {'inline': sorted(iam.list_role_policies(RoleName=n)['PolicyNames']), 'attached': sorted(p['PolicyName'] for p in iam.list_attached_role_policies(RoleName=n)['AttachedPolicies'])}
print(json.dumps(out))
`) as Record<string, { inline: string[]; attached: string[] }>;
}

describe.skipIf(skip !== undefined)(`group main.tf applied by Terraform against moto${skip ? ` (skipped: ${skip})` : ''}`, () => {
  beforeAll(async () => {
    moto = await startMoto();
    root = mkdtempSync(join(tmpdir(), 'leash-group-tf-moto-'));
    const input = join(root, 'account.json');
    const roles = [...KEPT, ...TRUSTED];
    writeFileSync(input, JSON.stringify({
      GroupDetailList: [], Policies: [],
      RoleDetailList: roles.map((n, i) => ({
        Path: '/', RoleName: n, RoleId: `AROA${String(i).padStart(17, '0')}`, Arn: `arn:aws:iam::${ACCOUNT}:role/${n}`, CreateDate: '2025-09-01T09:00:00Z',
        AssumeRolePolicyDocument: TRUSTED.includes(n) ? BEDROCK : EC2, InstanceProfileList: [], AttachedManagedPolicies: [], Tags: [{ Key: 'ai-agent', Value: 'true' }], MaxSessionDuration: 3600,
        RolePolicyList: inline(i),
      })),
      UserDetailList: USERS.map((n, i) => ({
        Path: '/', UserName: n, UserId: `AIDA${String(i).padStart(17, '0')}`, Arn: `arn:aws:iam::${ACCOUNT}:user/${n}`, CreateDate: '2025-09-01T09:00:00Z',
        GroupList: [], AttachedManagedPolicies: [], Tags: [{ Key: 'ai-agent', Value: 'true' }], UserPolicyList: inline(10 + i),
      })),
    }));
    const r = await runCli(['scan', '--input', input, '--fixes', '--output', join(root, 'bundle'), '--ci']);
    expect(r.code, r.err).toBe(0);
    const fixes = join(root, 'bundle', 'fixes');
    // Users and roles get different boundaries here: two groups, each principal in one, no folder of its own.
    groupDirs = readdirSync(fixes).filter((e) => e.startsWith('attach-')).map((e) => join(fixes, e));
    expect(groupDirs).toHaveLength(2);
    expect(readdirSync(fixes).filter((e) => /^(role|user)-/.test(e))).toEqual([]);
    boundaryDirs = readdirSync(join(fixes, 'boundaries')).filter((e) => !e.startsWith('.')).map((e) => join(fixes, 'boundaries', e));
    // The account as the scan saw it, then one role's trust policy changed since (test setup: leash itself only reads).
    boto3(moto, `
iam = client('iam')
for r in INPUT['roles']:
    iam.create_role(RoleName=r['name'], AssumeRolePolicyDocument=json.dumps(r['trust']))
for u in INPUT['users']:
    iam.create_user(UserName=u)
iam.update_assume_role_policy(RoleName=INPUT['drifted'], PolicyDocument=json.dumps(INPUT['drift']))
for r in INPUT['roles']:
    for p in r['inline']:
        iam.put_role_policy(RoleName=r['name'], PolicyName=p['PolicyName'], PolicyDocument=json.dumps(p['PolicyDocument']))
# Added since the scan: a managed policy attached and an inline policy, on one role.
arn = iam.create_policy(PolicyName='since-scan', PolicyDocument=json.dumps(INPUT['doc']))['Policy']['Arn']
iam.attach_role_policy(RoleName=INPUT['drifted'], PolicyArn=arn)
iam.put_role_policy(RoleName=INPUT['drifted'], PolicyName='since-scan', PolicyDocument=json.dumps(INPUT['doc']))
`, { roles: roles.map((name, i) => ({ name, trust: TRUSTED.includes(name) ? BEDROCK : EC2, inline: inline(i) })), users: USERS, drifted: DRIFTED, drift: DRIFT, doc: inline(0)[0]!.PolicyDocument });
  }, 120_000);
  afterAll(async () => {
    await moto?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('imports every member (nothing created or destroyed), attaches the boundary, replaces only the planned trust policies; a second plan has nothing to do', () => {
    // Each member in exactly one group's main.tf: its boundary is that group's.
    const groupOf = (n: string) => {
      const holding = groupDirs.filter((d) => readFileSync(join(d, 'main.tf'), 'utf8').includes(`"${n}"`));
      expect(holding, n).toHaveLength(1);
      return holding[0]!;
    };
    // The boundaries first, from their own folders (the groups' main.tf look them up by name).
    const b = module('boundaries', boundaryDirs);
    const created = tf(b, ['apply', '-auto-approve']);
    expect(created.status, created.stderr).toBe(0);
    const g = module('groups', groupDirs);
    const plan = tf(g, ['plan']);
    expect(plan.status, plan.stderr).toBe(0);
    const members = KEPT.length + TRUSTED.length + USERS.length;
    expect(plan.stdout).toContain(`Plan: ${members} to import, 0 to add, ${members} to change, 0 to destroy.`);
    for (const n of [...KEPT, ...TRUSTED, ...USERS]) expect(plan.stdout).toContain(`["${n}"] will be updated in-place\n  # (imported from "${n}")`);
    // Applied for the roles only: moto's GetUser never returns a user's PermissionsBoundary, so the
    // provider would wait for ever for the user's change to show (the plan above covers the users).
    const roleResources = [...new Set([...plan.stdout.matchAll(/^ {2}# (aws_iam_role\.[\w-]+)\[/gm)].map((m) => m[1]!))];
    expect(roleResources).toHaveLength(2);
    const roles = KEPT.length + TRUSTED.length;
    const policiesBefore = rolePolicies();
    expect(policiesBefore[DRIFTED]).toEqual({ inline: ['p-1', 'since-scan'], attached: ['since-scan'] });
    const applied = tf(g, ['apply', '-auto-approve', ...roleResources.map((r) => `-target=${r}`)]);
    expect(applied.status, applied.stderr).toBe(0);
    expect(applied.stdout).toContain(`Apply complete! Resources: ${roles} imported, 0 added, ${roles} changed, 0 destroyed.`);

    const state = boto3(moto, `
iam = client('iam')
out = {'roles': {}, 'users': {}}
for r in iam.list_roles()['Roles']:
    full = iam.get_role(RoleName=r['RoleName'])['Role']
    out['roles'][r['RoleName']] = {'boundary': full.get('PermissionsBoundary', {}).get('PermissionsBoundaryArn'), 'trust': full['AssumeRolePolicyDocument']}
for u in iam.list_users()['Users']:
    full = iam.get_user(UserName=u['UserName'])['User']
    out['users'][u['UserName']] = full.get('PermissionsBoundary', {}).get('PermissionsBoundaryArn')
print(json.dumps(out))
`) as { roles: Record<string, { boundary?: string; trust: unknown }>; users: Record<string, string | null> };
    const boundaryArn = (n: string) => `arn:aws:iam::${ACCOUNT}:policy/${groupOf(n).split('/').pop()!.replace(/^attach-/, '')}`;
    for (const n of [...KEPT, ...TRUSTED]) expect(state.roles[n]!.boundary, n).toBe(boundaryArn(n));
    for (const n of USERS) expect(state.users[n], n).toBeNull();
    // The trust policy of each role whose fix replaces it: its trust/ document, the one apply.sh applies.
    for (const n of TRUSTED) {
      const file = memberTrustFile(groupOf(n), safeName('role', n))!;
      expect(existsSync(file), file).toBe(true);
      const planned = JSON.parse(readFileSync(file, 'utf8'));
      expect(norm(planned)).not.toBe(norm(BEDROCK));
      expect(norm(state.roles[n]!.trust), n).toBe(norm(planned));
    }
    // Policies the fix does not touch stay, those added since the scan too: aws_iam_role leaves
    // inline_policy and managed_policy_arns unset, and ignore_changes no longer names them (session 32).
    expect(rolePolicies()).toEqual(policiesBefore);
    // A role whose trust policy stays: as it is, the one changed since the scan too (negative control: it did change).
    expect(norm(state.roles[KEPT[0]!]!.trust)).toBe(norm(EC2));
    expect(norm(state.roles[DRIFTED]!.trust)).toBe(norm(DRIFT));
    expect(norm(DRIFT)).not.toBe(norm(EC2));

    // The roles' resources have nothing left to do; the users are still to import and change.
    const again = tf(g, ['plan', ...roleResources.map((r) => `-target=${r}`)]);
    expect(again.status, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).toContain('No changes.');
    expect(tf(g, ['plan']).stdout).toContain(`Plan: ${USERS.length} to import, 0 to add, ${USERS.length} to change, 0 to destroy.`);
  }, 300_000);
});
