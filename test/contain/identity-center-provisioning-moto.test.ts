// `leash contain`'s Identity Center scripts wait for their provisioning as an Identity Center fix's
// apply.sh does (one implementation: aws-cli.ts provisioningShell): the request
// ProvisionPermissionSet answers with is followed (DescribePermissionSetProvisioningStatus) to
// SUCCEEDED or FAILED, bounded by PROVISIONING_TIMEOUT; SUCCEEDED names the accounts, FAILED exits 1
// with AWS's FailureReason cut to safe characters, still IN_PROGRESS at the timeout exits 3 with
// the command to check later; and each says what is in force meanwhile (the Deny is in the
// permission set, but in an account only once provisioning reaches it). A run again provisions
// again only the accounts that hold an older copy. Every request goes through the recording proxy
// in front of moto; moto 5.2 answers ProvisionPermissionSet (SUCCEEDED at once) but has no
// DescribePermissionSetProvisioningStatus nor ListAccountsForProvisionedPermissionSet's
// ProvisioningStatus filter: the proxy answers those (test/support/permission-set-proxy.ts), and
// ProvisionPermissionSet itself where a test needs one that fails or never ends. Skipped, saying
// why, without moto, the aws CLI or jq.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MOTO_CREDENTIALS, MOTO_SKIP_REASON, motoAvailable, startMoto, type Moto } from '../support/moto.js';
import { startAwsProxy, type AwsProxy, type ProxyAnswerer } from '../support/aws-proxy.js';
import { instanceArnOf, motoCliEnv, permissionSetAnswer, permissionSetRequest, provisionedPermissionSet, throughProxy } from '../support/permission-set-proxy.js';
import { runCli } from '../support/cli.js';
import { containPlan } from '../support/contain-plan.js';

const ACCOUNT = '123456789012'; // moto's
const OTHER_ACCOUNT = '210987654321';
const WRITES = /^(Create|Put|Delete|Provision|Attach|Detach|Update)/;
const DESCRIBE = 'DescribePermissionSetProvisioningStatus';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const NAMES = ['AgentOk', 'AgentFail', 'AgentSlow'] as const;
const roleName = (ps: string) => `AWSReservedSSO_${ps}_0123456789abcdef`;
const awsCli = spawnSync('aws', ['--version'], { encoding: 'utf8' }).status === 0;
const jq = spawnSync('jq', ['--version'], { encoding: 'utf8' }).status === 0;
const skip = !motoAvailable ? MOTO_SKIP_REASON : !awsCli ? 'the aws CLI is not installed' : !jq ? 'jq is not installed (.ci/run installs it)' : undefined;

const stale = new Map<string, string[]>();
/** A provisioning the proxy plays instead of moto (as in test/fix/identity-center-provisioning-moto.test.ts). */
let playing: { id: string; statuses: string[]; reason?: string; asked: number } | undefined;
const describedIds: string[] = [];

const answer: ProxyAnswerer = ({ operation, body }) => {
  switch (operation) {
    case 'ProvisionPermissionSet':
      if (!playing) return undefined;
      return { status: 200, body: { PermissionSetProvisioningStatus: { Status: 'IN_PROGRESS', RequestId: playing.id, PermissionSetArn: permissionSetRequest(body).PermissionSetArn } } };
    case DESCRIBE: {
      const id = permissionSetRequest(body).ProvisionPermissionSetRequestId ?? '';
      describedIds.push(id);
      const notFound = { status: 400, errorType: 'ResourceNotFoundException', body: { message: `no provisioning request ${id}` } };
      if (!playing) return UUID.test(id) ? { status: 200, body: { PermissionSetProvisioningStatus: { Status: 'SUCCEEDED', RequestId: id } } } : notFound;
      if (id !== playing.id.replace(/[^A-Za-z0-9-]/g, '')) return notFound;
      const status = playing.statuses[Math.min(playing.asked++, playing.statuses.length - 1)]!;
      return { status: 200, body: { PermissionSetProvisioningStatus: { Status: status, RequestId: id, ...(status === 'FAILED' && playing.reason !== undefined ? { FailureReason: playing.reason } : {}) } } };
    }
    default: return permissionSetAnswer(operation, body, { boundaries: new Map(), stale });
  }
};

let moto: Moto;
let proxy: AwsProxy;
let root: string;
let reports: string;
let motoEnv: NodeJS.ProcessEnv;
let instanceArn: string;
const psArns: Record<string, string> = {};

const { run, aws } = throughProxy(() => proxy, () => motoEnv);
const sh = (dir: string, script: string, args: string[] = [], env: NodeJS.ProcessEnv = {}) => run('bash', [join(dir, script), ...args], env);
const writes = (ops: readonly string[]) => ops.filter((o) => WRITES.test(o));

describe.skipIf(skip !== undefined)(`leash contain's Identity Center scripts wait for their provisioning, against moto${skip ? ` (skipped: ${skip})` : ''}`, () => {
  beforeAll(async () => {
    moto = await startMoto();
    proxy = await startAwsProxy(moto.endpoint, answer);
    root = mkdtempSync(join(tmpdir(), 'leash-contain-provision-'));
    reports = join(root, 'reports');
    motoEnv = motoCliEnv(MOTO_CREDENTIALS);
    instanceArn = await instanceArnOf(aws);
    for (const n of NAMES) psArns[n] = await provisionedPermissionSet(aws, instanceArn, n, ACCOUNT);
    const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Federated: `arn:aws:iam::${ACCOUNT}:saml-provider/AWSSSO_0123456789abcdef_DO_NOT_DELETE` }, Action: ['sts:AssumeRoleWithSAML', 'sts:TagSession'] }] };
    const input = join(root, 'account.json');
    writeFileSync(input, JSON.stringify({
      UserDetailList: [], GroupDetailList: [], Policies: [],
      RoleDetailList: NAMES.map((n, i) => ({ Path: '/aws-reserved/sso.amazonaws.com/', RoleName: roleName(n), RoleId: `AROA${String(i).padStart(17, '0')}`, Arn: `arn:aws:iam::${ACCOUNT}:role/aws-reserved/sso.amazonaws.com/${roleName(n)}`, CreateDate: '2025-09-01T09:00:00Z', AssumeRolePolicyDocument: trust, InstanceProfileList: [], AttachedManagedPolicies: [], Tags: [], RolePolicyList: [{ PolicyName: 'AwsSSOInlinePolicy', PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } }] })),
    }));
    const r = await runCli(['scan', '--input', input, '--reports', reports, '--format', 'json', '--ci']);
    expect(r.code, r.err).toBeLessThan(2);
  }, 120_000);
  afterAll(async () => {
    await proxy?.close();
    await moto?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('SUCCEEDED: contain.sh follows moto\'s request, names the accounts and says the Deny is in force; control: a run again with nothing to provision sends no provisioning and no status read; undo.sh the same', async () => {
    playing = undefined;
    const dir = await containPlan(root, reports, [roleName('AgentOk')]); // a role: every session issued before now, this account only

    const dry = await sh(dir, 'contain.sh');
    expect(dry.status, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(`would run: aws sso-admin provision-permission-set --instance-arn ${instanceArn} --permission-set-arn ${psArns['AgentOk']} --target-type AWS_ACCOUNT --target-id ${ACCOUNT}\n`);
    expect(dry.stdout).toContain('(then waits for it to end, at most 300 s: sso-admin describe-permission-set-provisioning-status every 5 s)');
    expect(writes(dry.ops)).toEqual([]);
    expect(dry.ops).not.toContain(DESCRIBE);

    describedIds.length = 0;
    const applied = await sh(dir, 'contain.sh', ['--apply']);
    expect(applied.status, applied.stdout + applied.stderr).toBe(0);
    expect(writes(applied.ops)).toEqual(['PutInlinePolicyToPermissionSet', 'ProvisionPermissionSet']);
    const after = applied.ops.slice(applied.ops.indexOf('ProvisionPermissionSet') + 1);
    expect(after.indexOf(DESCRIBE)).toBeGreaterThanOrEqual(0);
    expect(after.lastIndexOf('ListAccountsForProvisionedPermissionSet')).toBeGreaterThan(after.indexOf(DESCRIBE));
    expect(describedIds).toHaveLength(1);
    expect(describedIds[0]).toMatch(UUID);
    // What is in force while it is pending, said before the wait; then the accounts it reached.
    expect(applied.stdout).toMatch(new RegExp(`The Deny is in permission set AgentOk now, but in force in account ${ACCOUNT} only once this provisioning ends there: until then the role's sessions there act without it\\.\\nWaiting for provisioning request ${describedIds[0]} to end \\(at most 300 s`));
    expect(applied.stdout).toContain(`Provisioned: permission set AgentOk is in effect in account(s) ${ACCOUNT} (request ${describedIds[0]} SUCCEEDED).\nContained: the Deny is in force in account ${ACCOUNT}`);

    const again = await sh(dir, 'contain.sh', ['--apply']);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toMatch(new RegExp(`already holds this plan's Deny \\(LeashContain\\w+\\), and account ${ACCOUNT} holds its latest copy: nothing to do\\.`));
    expect(writes(again.ops)).toEqual([]);
    expect(again.ops).not.toContain(DESCRIBE);

    describedIds.length = 0;
    const undo = await sh(dir, 'undo.sh', ['--apply']);
    expect(undo.status, undo.stdout + undo.stderr).toBe(0);
    expect(writes(undo.ops)).toEqual(['DeleteInlinePolicyFromPermissionSet', 'ProvisionPermissionSet']);
    expect(describedIds).toHaveLength(1);
    expect(undo.stdout).toContain(`The Deny is out of permission set AgentOk now, but still in force in account ${ACCOUNT} until this provisioning ends there.`);
    expect(undo.stdout).toContain(`Provisioned: permission set AgentOk is in effect in account(s) ${ACCOUNT} (request ${describedIds[0]} SUCCEEDED).\nUndone: the Deny is out of account ${ACCOUNT} too.`);
    const undoAgain = await sh(dir, 'undo.sh', ['--apply']);
    expect(undoAgain.status, undoAgain.stderr).toBe(0);
    expect(undoAgain.stdout).toMatch(/holds none of this plan's statements \(LeashContain\w+\), and account 123456789012 holds its latest copy: nothing to undo\./);
    expect(writes(undoAgain.ops)).toEqual([]);
    expect(undoAgain.ops).not.toContain(DESCRIBE);
  }, 300_000);

  it('FAILED: a hostile FailureReason is shown cut, never run; exit 1, NOT CONTAINED and what to do; a run again provisions only; undo.sh\'s failed provisioning says the Deny is still in force', async () => {
    const dir = await containPlan(root, reports, [`arn:aws:sts::${ACCOUNT}:assumed-role/${roleName('AgentFail')}/dana@example.com`]); // a person: every account
    const marker = join(root, 'pwned');
    const reason = `\u001b]52;c;SGVsbG8=\u0007Account ${OTHER_ACCOUNT} refused\n$(touch ${marker}) \`touch ${marker}2\` \\e[2J`;
    const psArn = psArns['AgentFail']!;
    playing = { id: '2c5f0a4e-1111-4aaa-8bbb-fa11ed000001', statuses: ['IN_PROGRESS', 'FAILED'], reason, asked: 0 };
    stale.set(psArn, [OTHER_ACCOUNT]);
    describedIds.length = 0;
    try {
      const failed = await sh(dir, 'contain.sh', ['--apply']);
      expect(failed.status, failed.stdout + failed.stderr).toBe(1);
      const out = failed.stdout + failed.stderr;
      expect(describedIds).toEqual(['2c5f0a4e-1111-4aaa-8bbb-fa11ed000001', '2c5f0a4e-1111-4aaa-8bbb-fa11ed000001']);
      expect(writes(failed.ops)).toEqual(['PutInlinePolicyToPermissionSet', 'ProvisionPermissionSet']);
      expect(failed.stdout).toContain('The Deny is in permission set AgentFail now, but in force in every account it is provisioned to only once this provisioning ends there');
      expect(failed.stderr).toContain(`Provisioning FAILED (request 2c5f0a4e-1111-4aaa-8bbb-fa11ed000001): 52;c;SGVsbG8=Account ${OTHER_ACCOUNT} refused (touch ${marker}) touch ${marker}2 e2J\n`);
      expect(failed.stderr).toContain(`NOT CONTAINED: permission set AgentFail holds the Deny, but account(s) ${OTHER_ACCOUNT} hold an older copy: where a copy is older the Deny is not in force, and the role's sessions there act without it.\n`);
      expect(failed.stderr).toContain('Once the reason above is dealt with, run ./contain.sh --apply again: it provisions again the accounts that hold an older copy, nothing else.');
      expect(failed.stderr).toContain('attach the statements of deny-statements.json as an SCP on every account the permission set is provisioned to');
      expect(failed.stdout).not.toMatch(/Contained:|Done/);
      for (const raw of ['\u001b', '\u0007', '$(', '`']) expect(out).not.toContain(raw);
      expect(existsSync(marker)).toBe(false);
      expect(existsSync(`${marker}2`)).toBe(false);

      // Run again, as it says: only the provisioning, for the account that holds an older copy.
      playing = undefined;
      describedIds.length = 0;
      const again = await sh(dir, 'contain.sh', ['--apply']);
      expect(again.status, again.stdout + again.stderr).toBe(0);
      expect(again.stdout).toContain(`already holds this plan's Deny`);
      expect(again.stdout).toContain(`but account(s) ${OTHER_ACCOUNT} hold an older copy without it: provisioning again (nothing else is changed).`);
      expect(writes(again.ops)).toEqual(['ProvisionPermissionSet']);
      expect(again.stdout).toContain(`(request ${describedIds[0]} SUCCEEDED).\nContained: the Deny is in force in every account it is provisioned to`);

      // undo.sh whose provisioning fails: the Deny is out of the permission set, still in force where the copy is older.
      playing = { id: '2c5f0a4e-1111-4aaa-8bbb-fa11ed000002', statuses: ['FAILED'], reason, asked: 0 };
      const undo = await sh(dir, 'undo.sh', ['--apply']);
      expect(undo.status, undo.stdout + undo.stderr).toBe(1);
      expect(writes(undo.ops)).toEqual(['DeleteInlinePolicyFromPermissionSet', 'ProvisionPermissionSet']);
      expect(undo.stderr).toContain('Provisioning FAILED (request 2c5f0a4e-1111-4aaa-8bbb-fa11ed000002): 52;c;SGVsbG8=');
      expect(undo.stderr).toContain(`NOT UNDONE everywhere: permission set AgentFail no longer holds the Deny, but account(s) ${OTHER_ACCOUNT} hold an older copy: where a copy is older the Deny is still in force.\nOnce the reason above is dealt with, run ./undo.sh --apply again: it provisions again the accounts that hold an older copy, nothing else.`);
      expect(undo.stdout + undo.stderr).not.toContain('\u001b');
      expect(undo.stdout).not.toContain('Undone');
      playing = undefined;
      const undoAgain = await sh(dir, 'undo.sh', ['--apply']);
      expect(undoAgain.status, undoAgain.stdout + undoAgain.stderr).toBe(0);
      expect(writes(undoAgain.ops)).toEqual(['ProvisionPermissionSet']);
      expect(undoAgain.stdout).toContain(`but account(s) ${OTHER_ACCOUNT} hold an older copy, which may still hold the Deny: provisioning again (nothing else is changed).`);
    } finally {
      playing = undefined;
      stale.clear();
    }
  }, 300_000);

  it('still IN_PROGRESS at a PROVISIONING_TIMEOUT of 0 (one read) with a hostile request id: exit 3, NOT KNOWN TO BE CONTAINED and the exact command to check; control: a PROVISIONING_TIMEOUT that is no number stops before any request (exit 2)', async () => {
    const dir = await containPlan(root, reports, [roleName('AgentSlow')]);
    for (const script of ['contain.sh', 'undo.sh']) {
      const bad = await sh(dir, script, ['--apply'], { PROVISIONING_TIMEOUT: '5m' });
      expect(bad.status, script).toBe(2);
      expect(bad.stderr).toContain(`${script}: PROVISIONING_TIMEOUT must be a whole number of seconds from 0 to 86400, not 5m`);
      expect(bad.ops, script).toEqual([]);
    }
    expect(readdirSync(dir)).not.toContain('applied.json');

    playing = { id: 'e3b0c442-98fc-4c14-9afb-\u001b[2J$(id)f4c89961', statuses: ['IN_PROGRESS'], asked: 0 };
    describedIds.length = 0;
    try {
      const slow = await sh(dir, 'contain.sh', ['--apply'], { PROVISIONING_TIMEOUT: '0' });
      expect(slow.status, slow.stdout + slow.stderr).toBe(3);
      expect(describedIds).toEqual(['e3b0c442-98fc-4c14-9afb-2Jidf4c89961']);
      expect(writes(slow.ops)).toEqual(['PutInlinePolicyToPermissionSet', 'ProvisionPermissionSet']);
      expect(slow.stderr).toContain('Provisioning request e3b0c442-98fc-4c14-9afb-2Jidf4c89961 is still IN_PROGRESS after 0 s (PROVISIONING_TIMEOUT), so whether it took is not known yet. Check with:\n'
        + `   aws sso-admin describe-permission-set-provisioning-status --instance-arn ${instanceArn} --provision-permission-set-request-id e3b0c442-98fc-4c14-9afb-2Jidf4c89961\n`);
      expect(slow.stderr).toContain(`NOT KNOWN TO BE CONTAINED yet: permission set AgentSlow holds the Deny, but its accounts may hold an older copy until it ends: the Deny is in force in account ${ACCOUNT} only once the provisioning has reached it.\n`);
      expect(slow.stderr).toContain('Once it has ended, run ./contain.sh --apply again: it says whether the Deny is in force and provisions again the accounts that hold an older copy.');
      expect(slow.stdout + slow.stderr).not.toContain('\u001b');
      expect(slow.stdout).not.toContain('Contained:');
    } finally {
      playing = undefined;
    }
  }, 300_000);
});
