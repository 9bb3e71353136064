// A boundary group's apply.sh run again after a successful run changes nothing: each member that
// holds what the script sets is "Already applied", no backup is written and no write call is sent
// (every request goes through a recording proxy in front of moto). A member changed since (its
// boundary detached, its new trust policy edited) is applied again, saying so, its state saved
// first, so a rollback of that run puts the manual change back. Skipped, saying why, without moto
// or the aws CLI.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MOTO_CREDENTIALS, MOTO_SKIP_REASON, motoAvailable, startMoto, type Moto } from '../support/moto.js';
import { startAwsProxy, type AwsProxy } from '../support/aws-proxy.js';
import { runCli } from '../support/cli.js';
import { safeName } from '../../src/safe/name.js';
import { memberTrustFile } from '../support/group-trust.js';

const ACCOUNT = '123456789012'; // moto's
const ROLES = ['agent-a', 'agent+b=c,d@e.f_g'];
const TRUSTED = 'bedrock-a';
const TRUST = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
const BEDROCK_TRUST = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'bedrock.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
const GRANT = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:*', 'iam:PassRole'], Resource: '*' }] };
// What a run that changes nothing may send: the account check and reads.
const READS = new Set(['GetCallerIdentity', 'GetPolicy', 'GetRole', 'GetUser']);
const awsCli = spawnSync('aws', ['--version'], { encoding: 'utf8' }).status === 0;
const skip = !motoAvailable ? MOTO_SKIP_REASON : !awsCli ? 'the aws CLI is not installed' : undefined;

let moto: Moto;
let proxy: AwsProxy;
let root: string;
let script: string;
let dir: string;
let motoEnv: NodeJS.ProcessEnv;

/** Test setup and inspection, straight to moto (leash itself only reads). */
const aws = (args: string[]) => spawnSync('aws', args, { env: motoEnv, encoding: 'utf8' });
const boundaryOf = (kind: 'role' | 'user', name: string): string => aws(['iam', `get-${kind}`, `--${kind}-name`, name, '--query', `${kind === 'role' ? 'Role' : 'User'}.PermissionsBoundary.PermissionsBoundaryArn`, '--output', 'text']).stdout.trim();
const trustOf = (name: string): string => aws(['iam', 'get-role', '--role-name', name, '--query', 'Role.AssumeRolePolicyDocument', '--output', 'json']).stdout;
const state = (): string[] => [...ROLES, TRUSTED].map((n) => `${n} ${boundaryOf('role', n)} ${trustOf(n)}`);
/** A name as the script prints it (bash's %q). */
const q = (name: string): string => spawnSync('bash', ['-c', 'LC_ALL=C printf %q "$1"', '_', name], { encoding: 'utf8' }).stdout;
const backups = (): string[] => readdirSync(dir).filter((e) => e.startsWith('backup-')).sort();

/** The group's apply.sh with every AWS call through the proxy (async: the proxy answers in this process). */
function apply(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string; ops: string[] }> {
  const from = proxy.requests.length;
  return new Promise((resolve) => {
    const c = spawn('bash', [script, ...args], { env: { ...motoEnv, AWS_ENDPOINT_URL: proxy.url } });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    c.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    c.on('close', (status) => resolve({ status, stdout, stderr, ops: proxy.requests.slice(from).map((r) => r.operation) }));
  });
}

describe.skipIf(skip !== undefined)(`a group's apply.sh run again, against moto${skip ? ` (skipped: ${skip})` : ''}`, () => {
  beforeAll(async () => {
    moto = await startMoto();
    proxy = await startAwsProxy(moto.endpoint);
    root = mkdtempSync(join(tmpdir(), 'leash-group-twice-'));
    motoEnv = { ...process.env, AWS_ENDPOINT_URL: moto.endpoint, AWS_ACCESS_KEY_ID: MOTO_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: MOTO_CREDENTIALS.secretAccessKey, AWS_DEFAULT_REGION: 'us-east-1', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' };
    const input = join(root, 'account.json');
    const roles = [...ROLES, TRUSTED];
    writeFileSync(input, JSON.stringify({
      GroupDetailList: [], Policies: [],
      RoleDetailList: roles.map((n, i) => ({
        Path: '/', RoleName: n, RoleId: `AROA${String(i).padStart(17, '0')}`, Arn: `arn:aws:iam::${ACCOUNT}:role/${n}`, CreateDate: '2025-09-01T09:00:00Z',
        AssumeRolePolicyDocument: n === TRUSTED ? BEDROCK_TRUST : TRUST, InstanceProfileList: [], AttachedManagedPolicies: [], Tags: [{ Key: 'ai-agent', Value: 'true' }], MaxSessionDuration: 3600,
        RolePolicyList: [{ PolicyName: `p-${i}`, PolicyDocument: GRANT }],
      })),
      UserDetailList: [],
    }));
    const r = await runCli(['scan', '--input', input, '--fixes', '--output', join(root, 'bundle'), '--ci']);
    expect(r.code, r.err).toBe(0);
    const fixes = join(root, 'bundle', 'fixes');
    const groups = readdirSync(fixes).filter((e) => e.startsWith('attach-'));
    expect(groups).toHaveLength(1);
    dir = join(fixes, groups[0]!);
    script = join(dir, 'apply.sh');
    // Every member is in the group, the Bedrock role with a new trust policy.
    const text = readFileSync(script, 'utf8');
    for (const n of [...ROLES, TRUSTED]) expect(text).toContain(`role '${n}'`);
    expect(memberTrustFile(dir, safeName('role', TRUSTED))).toBeDefined();
    // The account as the scan saw it.
    for (const n of roles) expect(aws(['iam', 'create-role', '--role-name', n, '--assume-role-policy-document', JSON.stringify(n === TRUSTED ? BEDROCK_TRUST : TRUST)]).status).toBe(0);
  }, 120_000);
  afterAll(async () => {
    await proxy?.close();
    await moto?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('the second --apply says "Already applied" for each member, sends no write call and writes no backup', async () => {
    const first = await apply(['--apply']);
    expect(first.status, first.stderr).toBe(0);
    expect(first.ops).toContain('PutRolePermissionsBoundary');
    expect(first.ops).toContain('UpdateAssumeRolePolicy');
    const boundary = /^BOUNDARY_NAME='([^']+)'$/m.exec(readFileSync(script, 'utf8'))![1]!;
    const after = state();
    const kept = backups();
    expect(kept).toHaveLength(1);

    const second = await apply(['--apply']);
    expect(second.status, second.stderr).toBe(0);
    for (const n of [...ROLES, TRUSTED]) expect(second.stdout).toContain(`Already applied: role ${q(n)} has the boundary ${boundary}`);
    expect(second.stdout).toMatch(new RegExp(`role ${TRUSTED} has the boundary \\S+ and the trust policy the run saved in \\S+${kept[0]}/role-${TRUSTED} left`));
    expect(second.stdout).toContain('Nothing to do');
    expect(second.ops.length).toBeGreaterThan(0);
    expect(second.ops.filter((o) => !READS.has(o))).toEqual([]);
    expect(backups()).toEqual(kept);
    expect(state()).toEqual(after);
  }, 900_000);

  it('control: a member changed since (boundary detached, trust edited) is applied again, saying so; the rest are left alone; its rollback puts the change back', async () => {
    const boundary = /^BOUNDARY_NAME='([^']+)'$/m.exec(readFileSync(script, 'utf8'))![1]!;
    // Someone detaches the boundary of one role and puts the Bedrock role's old trust policy back.
    expect(aws(['iam', 'delete-role-permissions-boundary', '--role-name', ROLES[0]!]).status).toBe(0);
    expect(aws(['iam', 'update-assume-role-policy', '--role-name', TRUSTED, '--policy-document', JSON.stringify(BEDROCK_TRUST)]).status).toBe(0);
    const manual = state();
    const before = backups();
    const again = await apply(['--apply']);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toMatch(new RegExp(`Changed since the run saved in \\S+/role-${ROLES[0]}: role ${ROLES[0]} no longer holds what it left; applied again`));
    expect(again.stdout).toMatch(new RegExp(`Changed since the run saved in \\S+/role-${TRUSTED}: role ${TRUSTED} no longer holds`));
    expect(again.stdout).toContain(`Already applied: role ${q(ROLES[1]!)} has the boundary ${boundary}.`);
    expect(again.stdout).not.toContain('Nothing to do:');
    // Only the two changed members are written to, each as a first run would (boundary, then trust policy).
    expect(again.ops.filter((o) => !READS.has(o) && !o.startsWith('List'))).toEqual(['PutRolePermissionsBoundary', 'PutRolePermissionsBoundary', 'UpdateAssumeRolePolicy']);
    expect(boundaryOf('role', ROLES[0]!)).toBe(`arn:aws:iam::${ACCOUNT}:policy/${boundary}`);
    const run = backups().filter((b) => !before.includes(b));
    expect(run).toHaveLength(1);
    expect(readdirSync(join(dir, run[0]!)).sort()).toEqual([safeName('role', ROLES[0]!), safeName('role', TRUSTED)].sort());
    // Its rollback puts back the state that run found: the manual change.
    const back = await apply(['--rollback', join(dir, run[0]!), '--apply']);
    expect(back.status, back.stderr).toBe(0);
    expect(state()).toEqual(manual);
  }, 900_000);
});
