// `leash contain` end to end: a scan's report, the plan written by the CLI, then contain.sh and
// undo.sh run with the aws CLI against moto (a real IAM API). The Deny lands under leash's own name
// with the time it ran, AWSDenyAll is attached only when it was not already, and undo removes only
// what contain.sh put there. Skipped, saying why, without moto or the aws CLI.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MOTO_CREDENTIALS, MOTO_SKIP_REASON, motoAvailable, startMoto, type Moto } from '../support/moto.js';
import { runCli } from '../support/cli.js';
import { containPlan } from '../support/contain-plan.js';

const ACCOUNT = '123456789012'; // moto's
const TRUST = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/dev` }, Action: 'sts:AssumeRole' }] };
const KEEP = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:ListAllMyBuckets', Resource: '*' }] };
const awsCli = spawnSync('aws', ['--version'], { encoding: 'utf8' }).status === 0;
const skip = !motoAvailable ? MOTO_SKIP_REASON : !awsCli ? 'the aws CLI is not installed' : undefined;

let moto: Moto;
let root: string;
let reports: string;
let env: NodeJS.ProcessEnv;

const aws = (args: string[]) => spawnSync('aws', args, { env, encoding: 'utf8' });
const run = (script: string, ...args: string[]) => spawnSync('bash', [script, ...args], { env, encoding: 'utf8' });

function exportFor(account: string): unknown {
  return {
    UserDetailList: ['dev', 'bot', 'held'].map((n, i) => ({
      Path: '/', UserName: n, UserId: `AIDA${String(i).padStart(17, '0')}`, Arn: `arn:aws:iam::${account}:user/${n}`, CreateDate: '2025-09-01T09:00:00Z',
      GroupList: [], AttachedManagedPolicies: [], Tags: n === 'bot' ? [{ Key: 'ai-agent', Value: 'true' }] : [],
      UserPolicyList: [{ PolicyName: 'p', PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: n === 'dev' ? 'sts:AssumeRole' : 's3:*', Resource: '*' }] } }],
    })),
    GroupDetailList: [], Policies: [],
    RoleDetailList: [{
      Path: '/', RoleName: 'agent-role', RoleId: 'AROA00000000000000001', Arn: `arn:aws:iam::${account}:role/agent-role`, CreateDate: '2025-09-01T09:00:00Z',
      AssumeRolePolicyDocument: TRUST, InstanceProfileList: [], AttachedManagedPolicies: [], Tags: [{ Key: 'ai-agent', Value: 'true' }], MaxSessionDuration: 3600,
      RolePolicyList: [{ PolicyName: 'keep-me', PolicyDocument: KEEP }],
    }],
  };
}

const contain = (args: string[]) => containPlan(root, reports, args);

// Each test runs the CLI and a dozen aws CLI processes: slow on a loaded 2-core machine, hence the timeouts.
describe.skipIf(skip !== undefined)(`leash contain against moto${skip ? ` (skipped: ${skip})` : ''}`, () => {
  beforeAll(async () => {
    // moto holds AWS managed policies (AWSDenyAll among them) only when asked to.
    process.env['MOTO_IAM_LOAD_MANAGED_POLICIES'] = 'true';
    moto = await startMoto();
    root = mkdtempSync(join(tmpdir(), 'leash-contain-moto-'));
    reports = join(root, 'reports');
    env = { ...process.env, AWS_ENDPOINT_URL: moto.endpoint, AWS_ACCESS_KEY_ID: MOTO_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: MOTO_CREDENTIALS.secretAccessKey, AWS_DEFAULT_REGION: 'us-east-1', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' };
    const input = join(root, 'account.json');
    writeFileSync(input, JSON.stringify(exportFor(ACCOUNT)));
    const r = await runCli(['scan', '--input', input, '--reports', reports, '--format', 'json', '--ci']);
    expect(r.code, r.err).toBeLessThan(2);
    // The account as the scan saw it (test setup, with moto: leash itself only reads).
    expect(aws(['iam', 'create-role', '--role-name', 'agent-role', '--assume-role-policy-document', JSON.stringify(TRUST)]).status).toBe(0);
    expect(aws(['iam', 'put-role-policy', '--role-name', 'agent-role', '--policy-name', 'keep-me', '--policy-document', JSON.stringify(KEEP)]).status).toBe(0);
    for (const u of ['bot', 'held']) expect(aws(['iam', 'create-user', '--user-name', u]).status).toBe(0);
  }, 120_000);
  afterAll(async () => {
    await moto?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('a role\'s sessions: dry run changes nothing; --apply puts the Deny with the time it ran; undo removes only it', async () => {
    const dir = await contain(['agent-role']);
    const reviewed = JSON.parse(readFileSync(join(dir, 'revoke-sessions.json'), 'utf8'));
    const planned = reviewed.Statement[0].Condition.DateLessThan['aws:TokenIssueTime'] as string;
    const policies = () => JSON.parse(aws(['iam', 'list-role-policies', '--role-name', 'agent-role', '--output', 'json']).stdout).PolicyNames as string[];

    const dry = run(join(dir, 'contain.sh'));
    expect(dry.status, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/would run: aws iam put-role-policy --role-name agent-role --policy-name LeashContain-\d{8}T\d{6}Z/);
    expect(policies()).toEqual(['keep-me']);

    const applied = run(join(dir, 'contain.sh'), '--apply');
    expect(applied.status, applied.stderr).toBe(0);
    const name = /^POLICY_NAME='([^']+)'$/m.exec(readFileSync(join(dir, 'contain.sh'), 'utf8'))![1]!;
    expect(policies().sort()).toEqual([name, 'keep-me'].sort());
    const put = JSON.parse(aws(['iam', 'get-role-policy', '--role-name', 'agent-role', '--policy-name', name, '--output', 'json']).stdout).PolicyDocument;
    const ranAt = readFileSync(join(dir, 'applied-at.txt'), 'utf8').trim();
    expect(ranAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(Date.parse(ranAt)).toBeGreaterThanOrEqual(Date.parse(planned));
    // The document IAM holds is the reviewed one, with only the time replaced by when it ran.
    reviewed.Statement[0].Condition.DateLessThan['aws:TokenIssueTime'] = ranAt;
    expect(put).toEqual(reviewed);

    const undo = run(join(dir, 'undo.sh'), '--apply');
    expect(undo.status, undo.stderr).toBe(0);
    expect(policies()).toEqual(['keep-me']);
  }, 180_000);

  it('a user: AWSDenyAll attached and detached again; one already attached is left attached', async () => {
    const attached = (u: string) => JSON.parse(aws(['iam', 'list-attached-user-policies', '--user-name', u, '--output', 'json']).stdout).AttachedPolicies.map((p: { PolicyArn: string }) => p.PolicyArn) as string[];
    const DENY = 'arn:aws:iam::aws:policy/AWSDenyAll';
    const bot = await contain(['bot']);
    expect(run(join(bot, 'contain.sh'), '--apply').status).toBe(0);
    expect(attached('bot')).toEqual([DENY]);
    expect(run(join(bot, 'undo.sh'), '--apply').status).toBe(0);
    expect(attached('bot')).toEqual([]);

    // Negative control: someone attached it before leash; contain.sh adds nothing and undo leaves it.
    expect(aws(['iam', 'attach-user-policy', '--user-name', 'held', '--policy-arn', DENY]).status).toBe(0);
    const held = await contain(['held']);
    const c = run(join(held, 'contain.sh'), '--apply');
    expect(c.stdout).toMatch(/already attached/);
    const u = run(join(held, 'undo.sh'), '--apply');
    expect(u.stdout).toMatch(/left as it is/);
    expect(attached('held')).toEqual([DENY]);
  }, 180_000);

  it('a user with --deactivate-keys: its active key is deactivated and reactivated; a key already inactive stays so', async () => {
    const keys = () => Object.fromEntries((JSON.parse(aws(['iam', 'list-access-keys', '--user-name', 'bot', '--output', 'json']).stdout).AccessKeyMetadata as { AccessKeyId: string; Status: string }[]).map((k) => [k.AccessKeyId, k.Status]));
    const made = [0, 1].map(() => JSON.parse(aws(['iam', 'create-access-key', '--user-name', 'bot', '--output', 'json']).stdout).AccessKey.AccessKeyId as string);
    expect(aws(['iam', 'update-access-key', '--user-name', 'bot', '--access-key-id', made[1]!, '--status', 'Inactive']).status).toBe(0);
    const dir = await contain(['bot', '--deactivate-keys']);
    const dry = run(join(dir, 'contain.sh'));
    expect(dry.stdout).toContain(`would run: aws iam update-access-key --user-name bot --access-key-id ${made[0]} --status Inactive`);
    expect(keys()).toEqual({ [made[0]!]: 'Active', [made[1]!]: 'Inactive' });
    expect(run(join(dir, 'contain.sh'), '--apply').status).toBe(0);
    expect(keys()).toEqual({ [made[0]!]: 'Inactive', [made[1]!]: 'Inactive' });
    expect(readFileSync(join(dir, 'deactivated-keys.txt'), 'utf8')).toBe(`${made[0]}\n`);
    expect(run(join(dir, 'undo.sh'), '--apply').status).toBe(0);
    // Only the key contain.sh deactivated comes back.
    expect(keys()).toEqual({ [made[0]!]: 'Active', [made[1]!]: 'Inactive' });
  }, 180_000);

  it('refuses credentials of another account, changing nothing', async () => {
    const other = join(root, 'other.json');
    const otherReports = join(root, 'other-reports');
    writeFileSync(other, JSON.stringify(exportFor('111122223333')));
    expect((await runCli(['scan', '--input', other, '--reports', otherReports, '--format', 'json', '--ci'])).code).toBeLessThan(2);
    const out = mkdtempSync(join(root, 'plan-'));
    expect((await runCli(['contain', 'agent-role', '--reports', otherReports, '-o', out])).code).toBe(0);
    const dir = join(out, readdirSync(out)[0]!);
    const r = run(join(dir, 'contain.sh'), '--apply');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/account 123456789012, not 111122223333: nothing done/);
    expect(JSON.parse(aws(['iam', 'list-role-policies', '--role-name', 'agent-role', '--output', 'json']).stdout).PolicyNames).toEqual(['keep-me']);
  }, 180_000);
});
