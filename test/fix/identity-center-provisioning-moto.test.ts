// An Identity Center fix's apply.sh waits for the provisioning it starts: it follows the request
// ProvisionPermissionSet answers with (DescribePermissionSetProvisioningStatus) to SUCCEEDED or
// FAILED, bounded by PROVISIONING_TIMEOUT, and says which; FAILED exits 1 with AWS's FailureReason
// cut to safe characters, still IN_PROGRESS at the timeout exits 3 with the command to check later.
// Every request goes through the recording proxy in front of moto. moto 5.2 answers
// ProvisionPermissionSet (always SUCCEEDED at once) but has no DescribePermissionSetProvisioningStatus,
// nor the permission-set boundary operations, nor ListAccountsForProvisionedPermissionSet's
// ProvisioningStatus filter: the proxy answers those, and answers ProvisionPermissionSet itself
// (IN_PROGRESS, a request id of the test's) where a test needs a provisioning that fails or never
// ends, as AWS's asynchronous one can. Skipped, saying why, without moto or the aws CLI.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MOTO_CREDENTIALS, MOTO_SKIP_REASON, motoAvailable, startMoto, type Moto } from '../support/moto.js';
import { startAwsProxy, type AwsProxy, type ProxyAnswerer } from '../support/aws-proxy.js';
import { instanceArnOf, motoCliEnv, permissionSetAnswer, permissionSetRequest, provisionedPermissionSet, throughProxy, type PermissionSetRequest } from '../support/permission-set-proxy.js';
import { applyLibFile, renderFixFiles, type FixTarget } from '../../src/fix/render/index.js';
import { doc } from './render/support.js';

const ACCOUNT = '123456789012'; // moto's
const OTHER_ACCOUNT = '210987654321';
const WRITES = /^(Create|Put|Delete|Provision|Attach|Detach|Update)/;
const DESCRIBE = 'DescribePermissionSetProvisioningStatus';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const awsCli = spawnSync('aws', ['--version'], { encoding: 'utf8' }).status === 0;
const skip = !motoAvailable ? MOTO_SKIP_REASON : !awsCli ? 'the aws CLI is not installed' : undefined;

const boundaries = new Map<string, unknown>();
const stale = new Map<string, string[]>();
/**
 * A provisioning the proxy plays instead of moto: ProvisionPermissionSet answers IN_PROGRESS with
 * `id`; Describe of that id answers `statuses` in turn (the last one again and again), with `reason`
 * as FailureReason. Unset: ProvisionPermissionSet reaches moto, and Describe answers SUCCEEDED for a
 * request id of moto's form (what AWS does once it is done).
 */
let playing: { id: string; statuses: string[]; reason?: string; asked: number } | undefined;
/**
 * IAM refusing DeletePolicy while a role still holds the policy as its boundary (DeleteConflict, 409:
 * the IAM API reference's DeletePolicy errors). moto 5.2 deletes it whatever uses it, so the proxy
 * answers that one call, in IAM's XML, when a test sets this.
 */
let refuseDeletePolicy = false;
/** The request ids Describe was asked about, as the proxy received them. */
const describedIds: string[] = [];

const answer: ProxyAnswerer = ({ operation, body }) => {
  // Parsed only for the JSON operations below (STS and IAM bodies are form-encoded).
  const req = (): PermissionSetRequest => permissionSetRequest(body);
  switch (operation) {
    case 'DeletePolicy':
      if (!refuseDeletePolicy) return undefined;
      return { status: 409, body: undefined, xml: '<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>DeleteConflict</Code><Message>Cannot delete a policy attached to entities.</Message></Error><RequestId>0</RequestId></ErrorResponse>' };
    case 'ProvisionPermissionSet':
      if (!playing) return undefined;
      return { status: 200, body: { PermissionSetProvisioningStatus: { Status: 'IN_PROGRESS', RequestId: playing.id, PermissionSetArn: req().PermissionSetArn } } };
    case DESCRIBE: {
      const id = req().ProvisionPermissionSetRequestId ?? '';
      describedIds.push(id);
      const notFound = { status: 400, errorType: 'ResourceNotFoundException', body: { message: `no provisioning request ${id}` } };
      if (!playing) return UUID.test(id) ? { status: 200, body: { PermissionSetProvisioningStatus: { Status: 'SUCCEEDED', RequestId: id } } } : notFound;
      // The script asks with the id cut to letters, digits and -.
      if (id !== playing.id.replace(/[^A-Za-z0-9-]/g, '')) return notFound;
      const status = playing.statuses[Math.min(playing.asked++, playing.statuses.length - 1)]!;
      return { status: 200, body: { PermissionSetProvisioningStatus: { Status: status, RequestId: id, ...(status === 'FAILED' && playing.reason !== undefined ? { FailureReason: playing.reason } : {}) } } };
    }
    default: return permissionSetAnswer(operation, body, { boundaries, stale });
  }
};

let moto: Moto;
let proxy: AwsProxy;
let root: string;
let motoEnv: NodeJS.ProcessEnv;
let instanceArn: string;

const { run, aws } = throughProxy(() => proxy, () => motoEnv);
const backups = (dir: string): string[] => readdirSync(dir).filter((e) => e.startsWith('backup-')).sort();

/** A permission set provisioned to moto's account, and its fix folder (a boundary of its own and an inline policy). */
async function fixFor(name: string): Promise<{ script: string; dir: string; psArn: string }> {
  const psArn = await provisionedPermissionSet(aws, instanceArn, name, ACCOUNT);
  const target: FixTarget = {
    principalKind: 'role', principalName: `AWSReservedSSO_${name}_0123456789abcdef`, accountId: ACCOUNT,
    identityCenter: { permissionSetName: name },
    policies: [
      { name: `leash-${name.toLowerCase()}-boundary`, purpose: 'boundary', attach: 'managed', document: doc({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 's3:*', Resource: '*' } }) },
      { name: `leash-${name.toLowerCase()}`, purpose: 'identity', attach: 'managed', document: doc({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::team-bucket/*' } }) },
    ],
  };
  const fixes = join(root, name);
  const dir = join(fixes, `role-${name}`);
  mkdirSync(dir, { recursive: true });
  mkdirSync(join(fixes, 'lib'));
  writeFileSync(join(fixes, applyLibFile().path), applyLibFile().content);
  for (const f of renderFixFiles(target)) {
    writeFileSync(join(dir, f.path), f.content);
    chmodSync(join(dir, f.path), f.mode);
  }
  return { script: join(dir, 'apply.sh'), dir, psArn };
}
/** The PolicyId of the account's policy of that name ('' when there is none). */
async function policyId(name: string): Promise<string> {
  const r = await run('aws', ['iam', 'get-policy', '--policy-arn', `arn:aws:iam::${ACCOUNT}:policy/${name}`, '--query', 'Policy.PolicyId', '--output', 'text']);
  return r.status === 0 ? r.stdout.trim() : '';
}
const apply = (script: string, psArn: string, args: string[], env: NodeJS.ProcessEnv = {}) => run('bash', [script, ...args], { INSTANCE_ARN: instanceArn, PERMISSION_SET_ARN: psArn, ...env });

describe.skipIf(skip !== undefined)(`an Identity Center fix's apply.sh waits for its provisioning, against moto${skip ? ` (skipped: ${skip})` : ''}`, () => {
  beforeAll(async () => {
    moto = await startMoto();
    proxy = await startAwsProxy(moto.endpoint, answer);
    root = mkdtempSync(join(tmpdir(), 'leash-ic-provision-'));
    motoEnv = motoCliEnv(MOTO_CREDENTIALS);
    instanceArn = await instanceArnOf(aws);
  }, 120_000);
  afterAll(async () => {
    await proxy?.close();
    await moto?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('SUCCEEDED: follows the request moto answered with and says where the permission set is in effect; control: a run again that provisions nothing asks about no provisioning', async () => {
    playing = undefined;
    const { script, dir, psArn } = await fixFor('PsOk');
    describedIds.length = 0;
    const first = await apply(script, psArn, ['--apply']);
    expect(first.status, first.stderr).toBe(0);
    expect(first.ops.filter((o) => WRITES.test(o))).toEqual(['CreatePolicy', 'PutPermissionsBoundaryToPermissionSet', 'PutInlinePolicyToPermissionSet', 'ProvisionPermissionSet']);
    // Read after the one provisioning: its status, then the accounts holding the latest copy.
    const after = first.ops.slice(first.ops.indexOf('ProvisionPermissionSet') + 1);
    expect(after.filter((o) => WRITES.test(o))).toEqual([]);
    expect(after.indexOf(DESCRIBE)).toBeGreaterThanOrEqual(0);
    expect(after.lastIndexOf('ListAccountsForProvisionedPermissionSet')).toBeGreaterThan(after.indexOf(DESCRIBE));
    expect(describedIds).toHaveLength(1);
    expect(describedIds[0]).toMatch(UUID);
    expect(first.stdout).toContain(`Waiting for provisioning request ${describedIds[0]} to end (at most 300 s`);
    expect(first.stdout).toContain(`Provisioned: permission set PsOk is in effect in account(s) ${ACCOUNT} (request ${describedIds[0]} SUCCEEDED).`);
    expect(first.stdout).toMatch(/Provisioned: [^\n]*\n[\s\S]*Done\. The previous state is in /);
    expect(readdirSync(join(dir, backups(dir)[0]!))).toContain('applied-plan.sha256');

    const second = await apply(script, psArn, ['--apply']);
    expect(second.status, second.stderr).toBe(0);
    expect(second.stdout).toContain('in every account it is provisioned to. Nothing to do');
    expect(second.ops).not.toContain('ProvisionPermissionSet');
    expect(second.ops).not.toContain(DESCRIBE);
    expect(second.stdout).not.toContain('Provisioned:');
  }, 300_000);

  it('FAILED: a hostile FailureReason is shown cut to safe characters, never run; exit 1 with the state and the rollback; run again provisions the older copies; the rollback\'s own failed provisioning is a failed step', async () => {
    const { script, dir, psArn } = await fixFor('PsFail');
    const marker = join(root, 'pwned');
    // An OSC 52 clipboard write, a command substitution and a backquoted one, a newline.
    const reason = `\u001b]52;c;SGVsbG8=\u0007Boundary leash-psfail-boundary missing in ${OTHER_ACCOUNT}\n$(touch ${marker}) \`touch ${marker}2\` \\e[2J`;
    playing = { id: '2c5f0a4e-1111-4aaa-8bbb-fa11ed000001', statuses: ['IN_PROGRESS', 'FAILED'], reason, asked: 0 };
    stale.set(psArn, [OTHER_ACCOUNT]);
    describedIds.length = 0;
    try {
      const failed = await apply(script, psArn, ['--apply']);
      expect(failed.status, failed.stdout + failed.stderr).toBe(1);
      const out = failed.stdout + failed.stderr;
      // Asked again after IN_PROGRESS (one interval), with the id ProvisionPermissionSet answered.
      expect(describedIds).toEqual(['2c5f0a4e-1111-4aaa-8bbb-fa11ed000001', '2c5f0a4e-1111-4aaa-8bbb-fa11ed000001']);
      expect(failed.stderr).toContain(`Provisioning FAILED (request 2c5f0a4e-1111-4aaa-8bbb-fa11ed000001): 52;c;SGVsbG8=Boundary leash-psfail-boundary missing in ${OTHER_ACCOUNT} (touch ${marker}) touch ${marker}2 e2J\n`);
      expect(out).not.toContain('\u001b');
      expect(out).not.toContain('\u0007');
      expect(out).not.toContain('$(');
      expect(out).not.toContain('`');
      expect(existsSync(marker)).toBe(false);
      expect(existsSync(`${marker}2`)).toBe(false);
      const backup = join(dir, backups(dir)[0]!);
      expect(failed.stderr).toContain(`Permission set PsFail holds this run's change (its permissions boundary and inline policy); account(s) ${OTHER_ACCOUNT} hold an older copy. Once the reason above is dealt with, run this script again with --apply`);
      expect(failed.stderr).toContain(`  ${script} --rollback ${backup} --apply\n`);
      expect(failed.stdout).not.toContain('Done.');
      // What the run left is recorded before the wait, so the run again below is the "older copy" one.
      expect(readdirSync(backup)).toContain('applied-plan.sha256');

      // Run again, as the message says: only the older copies are provisioned (it succeeds this time).
      playing = undefined;
      const again = await apply(script, psArn, ['--apply']);
      expect(again.status, again.stderr).toBe(0);
      expect(again.stdout).toContain(`account(s) ${OTHER_ACCOUNT} hold an older copy; provisioned again`);
      expect(again.ops.filter((o) => WRITES.test(o))).toEqual(['ProvisionPermissionSet']);
      expect(again.stdout).toMatch(/Provisioned: permission set PsFail is in effect in account\(s\) 123456789012 \(request [0-9a-f-]{36} SUCCEEDED\)\./);

      // The rollback offered above: its provisioning fails too, which it counts as a failed step, and the
      // boundary policy this run created stays: the accounts may still hold the copy that uses it as their
      // role's boundary, and deleting it would leave them with neither the old control nor the new one.
      playing = { id: '2c5f0a4e-1111-4aaa-8bbb-fa11ed000002', statuses: ['FAILED'], reason, asked: 0 };
      const back = await apply(script, psArn, ['--rollback', backup, '--apply']);
      expect(back.status).toBe(1);
      expect(back.ops.filter((o) => WRITES.test(o))).toEqual(['DeleteInlinePolicyFromPermissionSet', 'DeletePermissionsBoundaryFromPermissionSet', 'ProvisionPermissionSet']);
      expect(back.stderr).toContain('Provisioning FAILED (request 2c5f0a4e-1111-4aaa-8bbb-fa11ed000002): 52;c;SGVsbG8=');
      expect(back.stderr).toContain(`Permission set PsFail holds the state saved in ${backup} again; account(s) ${OTHER_ACCOUNT} hold an older copy. Once the reason above is dealt with, provision it again:\n   aws sso-admin provision-permission-set --instance-arn ${instanceArn} --permission-set-arn ${psArn} --target-type ALL_PROVISIONED_ACCOUNTS\n`);
      expect(back.stderr).toContain("The boundary policy leash-psfail-boundary stays: this rollback's provisioning did not succeed (above), so accounts may still hold the copy of the permission set that uses it as their role's boundary. Deleting it now could leave a role with neither its old boundary nor this one. Once a provisioning of the permission set has SUCCEEDED everywhere, run this rollback again: it deletes it then, nothing else.\n");
      expect(back.stderr).toContain('Rollback finished with 2 failed step(s)');
      expect(back.stdout + back.stderr).not.toContain('\u001b');
      expect(boundaries.get(psArn)).toBeUndefined();
      expect(await policyId('leash-psfail-boundary')).toMatch(/^A/);

      // Run again while an account still holds the older copy: nothing is changed or provisioned, the policy stays.
      playing = undefined;
      const early = await apply(script, psArn, ['--rollback', backup, '--apply']);
      expect(early.status, early.stdout + early.stderr).toBe(1);
      expect(early.ops.filter((o) => WRITES.test(o))).toEqual([]);
      expect(early.stdout).toContain('Already put back: permission-set-boundary.json holds what');
      expect(early.stderr).toContain(`The boundary policy leash-psfail-boundary stays: account(s) ${OTHER_ACCOUNT} hold an older copy of the permission set, which may use it as their role's boundary.`);

      // Once every account holds the latest copy: the rollback run again deletes it, and only it; a third run finds it gone.
      stale.delete(psArn);
      const done = await apply(script, psArn, ['--rollback', backup, '--apply']);
      expect(done.status, done.stdout + done.stderr).toBe(0);
      expect(done.ops.filter((o) => WRITES.test(o))).toEqual(['DeletePolicy']);
      expect(done.stdout).toContain('Rollback finished.');
      expect(await policyId('leash-psfail-boundary')).toBe('');
      const third = await apply(script, psArn, ['--rollback', backup, '--apply']);
      expect(third.status, third.stdout + third.stderr).toBe(0);
      expect(third.ops.filter((o) => WRITES.test(o))).toEqual([]);
      expect(third.stdout).toContain('The boundary policy leash-psfail-boundary is gone already: nothing to delete.');
    } finally {
      playing = undefined;
      stale.delete(psArn);
    }
  }, 300_000);

  it('still IN_PROGRESS at a PROVISIONING_TIMEOUT of 1 s, or its status read refused: exit 3 with the exact command to check later; control: a PROVISIONING_TIMEOUT that is no number stops before any request (exit 2)', async () => {
    const { script, dir, psArn } = await fixFor('PsSlow');
    const bad = await apply(script, psArn, ['--apply'], { PROVISIONING_TIMEOUT: '5m' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('apply.sh: PROVISIONING_TIMEOUT must be a whole number of seconds from 0 to 86400, not 5m');
    expect(bad.ops).toEqual([]);
    expect(backups(dir)).toEqual([]);

    // A request id with an escape and a command substitution in it: asked about, and shown, cut to letters, digits and -
    // (36 characters then: the CLI checks the id's length before it sends it).
    playing = { id: 'e3b0c442-98fc-4c14-9afb-\u001b[2J$(id)f4c89961', statuses: ['IN_PROGRESS'], asked: 0 };
    describedIds.length = 0;
    try {
      const started = Date.now();
      const slow = await apply(script, psArn, ['--apply'], { PROVISIONING_TIMEOUT: '1' });
      expect(slow.status, slow.stdout + slow.stderr).toBe(3);
      expect(Date.now() - started).toBeLessThan(60_000);
      // Read at once, then every 5 s until 1 s has passed since the first read began: once or twice,
      // as long as one aws call takes on this machine (the FAILED case shows a second read).
      expect(describedIds.length).toBeGreaterThanOrEqual(1);
      expect(new Set(describedIds)).toEqual(new Set(['e3b0c442-98fc-4c14-9afb-2Jidf4c89961']));
      expect(slow.stderr).toContain('Provisioning request e3b0c442-98fc-4c14-9afb-2Jidf4c89961 is still IN_PROGRESS after 1 s (PROVISIONING_TIMEOUT), so whether it took is not known yet. Check with:\n'
        + `   aws sso-admin describe-permission-set-provisioning-status --instance-arn ${instanceArn} --provision-permission-set-request-id e3b0c442-98fc-4c14-9afb-2Jidf4c89961\n`);
      expect(slow.stderr).toContain(`  ${script} --rollback ${join(dir, backups(dir)[0]!)} --apply\n`);
      expect(slow.stdout + slow.stderr).not.toContain('\u001b');
      expect(slow.ops.filter((o) => WRITES.test(o))).toEqual(['CreatePolicy', 'PutPermissionsBoundaryToPermissionSet', 'PutInlinePolicyToPermissionSet', 'ProvisionPermissionSet']);
      // After the provisioning: what the run left is read back (recorded before the wait), then status reads only.
      const after = slow.ops.slice(slow.ops.indexOf('ProvisionPermissionSet') + 1);
      expect(after.filter((o) => WRITES.test(o))).toEqual([]);
      expect(after.filter((o) => o === DESCRIBE)).toHaveLength(describedIds.length);

      // Run again for an account holding an older copy, with the status read refused: not known either (exit 3), said so.
      stale.set(psArn, [OTHER_ACCOUNT]);
      for (const service of ['sso', 'sso-admin']) proxy.faults.set(`${service}:${DESCRIBE}`, 'AccessDenied');
      playing = { id: 'e3b0c442-98fc-4c14-9afb-0123456789ab', statuses: ['SUCCEEDED'], asked: 0 };
      const refused = await apply(script, psArn, ['--apply'], { PROVISIONING_TIMEOUT: '1' });
      expect(refused.status, refused.stdout + refused.stderr).toBe(3);
      expect(refused.stdout).toContain('provisioned again (no backup, no other change)');
      expect(refused.ops).toContain(DESCRIBE);
      expect(refused.stderr).toContain('Provisioning request e3b0c442-98fc-4c14-9afb-0123456789ab: its status could not be read (sso-admin describe-permission-set-provisioning-status failed), so whether it took is not known. Check with:');
      expect(refused.stderr).toContain(`Permission set PsSlow holds what the run saved in ${join(dir, backups(dir)[0]!)} left`);
      expect(refused.stderr).not.toContain('still IN_PROGRESS');
    } finally {
      playing = undefined;
      stale.clear();
      proxy.faults.clear();
    }
  }, 300_000);

  it('a rollback whose provisioning SUCCEEDED deletes the boundary policy the run created; IAM refusing that (DeleteConflict) is a failed step and it stays; a policy of the same name created since is left, said', async () => {
    playing = undefined;
    const { script, dir, psArn } = await fixFor('PsBack');
    const first = await apply(script, psArn, ['--apply']);
    expect(first.status, first.stderr).toBe(0);
    const backup = join(dir, backups(dir)[0]!);
    const created = await policyId('leash-psback-boundary');
    expect(created).not.toBe('');

    // IAM refuses the delete (the role there still held it as its boundary): one failed step, the policy stays, the command shown.
    refuseDeletePolicy = true;
    try {
      const refused = await apply(script, psArn, ['--rollback', backup, '--apply']);
      expect(refused.status, refused.stdout + refused.stderr).toBe(1);
      expect(refused.ops.filter((o) => WRITES.test(o))).toEqual(['DeleteInlinePolicyFromPermissionSet', 'DeletePermissionsBoundaryFromPermissionSet', 'ProvisionPermissionSet', 'DeletePolicy']);
      expect(refused.stdout).toMatch(/Provisioned: permission set PsBack is in effect in account\(s\) 123456789012 \(request [0-9a-f-]{36} SUCCEEDED\)\./);
      expect(refused.stderr).toContain('DeleteConflict');
      expect(refused.stderr).toContain(`  ^ failed: the boundary policy leash-psback-boundary stays (IAM refuses to delete a policy a role still holds as its boundary: DeleteConflict). Once no role uses it, run this rollback again, or:\n   aws iam delete-policy --policy-arn arn:aws:iam::${ACCOUNT}:policy/leash-psback-boundary\n`);
      expect(await policyId('leash-psback-boundary')).toBe(created);
    } finally {
      refuseDeletePolicy = false;
    }

    // Someone deletes it and creates another policy of that name: not the one this run created, so the rollback leaves it.
    await aws(['iam', 'delete-policy', '--policy-arn', `arn:aws:iam::${ACCOUNT}:policy/leash-psback-boundary`]);
    await aws(['iam', 'create-policy', '--policy-name', 'leash-psback-boundary', '--policy-document', JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] })]);
    const theirs = await policyId('leash-psback-boundary');
    expect(theirs).not.toBe(created);
    const left = await apply(script, psArn, ['--rollback', backup, '--apply']);
    expect(left.status, left.stdout + left.stderr).toBe(1);
    expect(left.ops.filter((o) => WRITES.test(o))).toEqual([]);
    expect(left.stderr).toContain(`Left as is: the boundary policy leash-psback-boundary is not as the run saved in ${backup} left it (created again, or a new default version since): delete it by hand if you mean to.`);
    expect(await policyId('leash-psback-boundary')).toBe(theirs);

    // Control: the first rollback of a second permission set, nothing refused: the policy it created is deleted after SUCCEEDED.
    const other = await fixFor('PsBackOk');
    expect((await apply(other.script, other.psArn, ['--apply'])).status).toBe(0);
    const ok = await apply(other.script, other.psArn, ['--rollback', join(other.dir, backups(other.dir)[0]!), '--apply']);
    expect(ok.status, ok.stdout + ok.stderr).toBe(0);
    expect(ok.ops.filter((o) => WRITES.test(o))).toEqual(['DeleteInlinePolicyFromPermissionSet', 'DeletePermissionsBoundaryFromPermissionSet', 'ProvisionPermissionSet', 'DeletePolicy']);
    expect(await policyId('leash-psbackok-boundary')).toBe('');
    // The permission set had no inline policy before (Identity Center answers an empty InlinePolicy): it has none again.
    expect((await aws(['sso-admin', 'get-inline-policy-for-permission-set', '--instance-arn', instanceArn, '--permission-set-arn', other.psArn, '--query', 'InlinePolicy', '--output', 'text'])).trim()).toBe('');
  }, 300_000);

  it('control: an IAM role\'s fix (no permission set, no provisioning) sends no provisioning call and no status read', async () => {
    await aws(['iam', 'create-role', '--role-name', 'plain-agent', '--assume-role-policy-document', JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] })]);
    const target: FixTarget = {
      principalKind: 'role', principalName: 'plain-agent', accountId: ACCOUNT,
      policies: [{ name: 'leash-plain-agent', purpose: 'identity', attach: 'managed', document: doc({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::team-bucket/*' } }) }],
    };
    const fixes = join(root, 'plain');
    const dir = join(fixes, 'role-plain-agent');
    mkdirSync(dir, { recursive: true });
    mkdirSync(join(fixes, 'lib'));
    writeFileSync(join(fixes, applyLibFile().path), applyLibFile().content);
    for (const f of renderFixFiles(target)) writeFileSync(join(dir, f.path), f.content);
    const r = await run('bash', [join(dir, 'apply.sh'), '--apply']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.ops).toContain('AttachRolePolicy');
    expect(r.ops.filter((o) => /Provision/.test(o))).toEqual([]);
    expect(readFileSync(join(dir, 'apply.sh'), 'utf8')).not.toContain('describe-permission-set-provisioning-status');
  }, 300_000);
});
