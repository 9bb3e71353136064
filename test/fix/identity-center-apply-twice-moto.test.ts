// An Identity Center fix's apply.sh run again after a successful run changes nothing: "Already
// applied", no backup, no write call, no provisioning (every request goes through a recording
// proxy in front of moto). A permission set changed since (its boundary removed or replaced, its
// inline policy edited) is applied again, saying so, its state saved first, so a rollback of that
// run puts the manual change back. moto 5 implements sso-admin but not the permission-set boundary
// operations (Put/Get/DeletePermissionsBoundary…PermissionSet): the proxy answers those three
// itself, from a map, and forwards the rest (permission sets, inline policies, provisioning, IAM,
// STS) to moto. Skipped, saying why, without moto or the aws CLI.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MOTO_CREDENTIALS, MOTO_SKIP_REASON, motoAvailable, startMoto, type Moto } from '../support/moto.js';
import { startAwsProxy, type AwsProxy, type ProxyAnswerer } from '../support/aws-proxy.js';
import { instanceArnOf, motoCliEnv, permissionSetAnswer, permissionSetRequest, provisionedPermissionSet, throughProxy, type PermissionSetRequest } from '../support/permission-set-proxy.js';
import { runCli } from '../support/cli.js';
import { applyLibFile, renderFixFiles, type FixTarget } from '../../src/fix/render/index.js';
import { doc } from './render/support.js';

const ACCOUNT = '123456789012'; // moto's
const ROLE = 'AWSReservedSSO_AgentDev_0123456789abcdef';
const OTHER = { CustomerManagedPolicyReference: { Name: 'someone-elses-boundary', Path: '/' } };
// What a run that changes nothing may send: the account check and reads.
const READS = new Set(['GetCallerIdentity', 'GetPolicy', 'GetPermissionsBoundaryForPermissionSet', 'GetInlinePolicyForPermissionSet', 'ListAccountsForProvisionedPermissionSet']);
const WRITES = /^(Create|Put|Delete|Provision|Attach|Detach|Update)/;
const awsCli = spawnSync('aws', ['--version'], { encoding: 'utf8' }).status === 0;
const skip = !motoAvailable ? MOTO_SKIP_REASON : !awsCli ? 'the aws CLI is not installed' : undefined;

/** The permission-set boundaries moto does not keep: by permission set ARN, as the API takes and returns them. */
const boundaries = new Map<string, unknown>();
/**
 * Accounts whose copy of a permission set is older than the set (a provisioning that failed there):
 * moto lists every provisioned account whatever ProvisioningStatus asks, so that filter is answered
 * here, from this map; a listing without it goes to moto.
 */
const stale = new Map<string, string[]>();
const answer: ProxyAnswerer = ({ operation, body }) => {
  const req = (): PermissionSetRequest => permissionSetRequest(body);
  switch (operation) {
    // moto has no DescribePermissionSetProvisioningStatus; its ProvisionPermissionSet is done at once, so
    // every request it issued has SUCCEEDED (identity-center-provisioning-moto.test.ts plays the rest).
    case 'DescribePermissionSetProvisioningStatus': return { status: 200, body: { PermissionSetProvisioningStatus: { Status: 'SUCCEEDED', RequestId: req().ProvisionPermissionSetRequestId } } };
    default: return permissionSetAnswer(operation, body, { boundaries, stale });
  }
};

let moto: Moto;
let proxy: AwsProxy;
let root: string;
let motoEnv: NodeJS.ProcessEnv;
let instanceArn: string;

/** Test setup, manual changes and inspection through the proxy (the boundary operations live there). */
const { run, aws } = throughProxy(() => proxy, () => motoEnv);
const backups = (dir: string): string[] => readdirSync(dir).filter((e) => e.startsWith('backup-')).sort();
const permissionSet = (name: string): Promise<string> => provisionedPermissionSet(aws, instanceArn, name, ACCOUNT);

/** An apply.sh with every AWS call through the proxy. */
const apply = (script: string, psArn: string, args: string[]) => run('bash', [script, ...args], { INSTANCE_ARN: instanceArn, PERMISSION_SET_ARN: psArn });

describe.skipIf(skip !== undefined)(`an Identity Center fix's apply.sh run again, against moto${skip ? ` (skipped: ${skip})` : ''}`, () => {
  beforeAll(async () => {
    moto = await startMoto();
    proxy = await startAwsProxy(moto.endpoint, answer);
    root = mkdtempSync(join(tmpdir(), 'leash-ic-twice-'));
    motoEnv = motoCliEnv(MOTO_CREDENTIALS);
    instanceArn = await instanceArnOf(aws);
  }, 120_000);
  afterAll(async () => {
    await proxy?.close();
    await moto?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  describe('the scan\'s fix (a shared boundary)', () => {
    let script: string;
    let dir: string;
    let psArn: string;
    const boundaryNow = (): unknown => boundaries.get(psArn) ?? null;

    beforeAll(async () => {
      const input = join(root, 'account.json');
      writeFileSync(input, JSON.stringify({
        UserDetailList: [], GroupDetailList: [], Policies: [],
        RoleDetailList: [{
          Path: '/aws-reserved/sso.amazonaws.com/', RoleName: ROLE, RoleId: 'AROA00000000000000001', Arn: `arn:aws:iam::${ACCOUNT}:role/aws-reserved/sso.amazonaws.com/${ROLE}`, CreateDate: '2025-09-01T09:00:00Z',
          AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Federated: `arn:aws:iam::${ACCOUNT}:saml-provider/AWSSSO_0123456789abcdef_DO_NOT_DELETE` }, Action: ['sts:AssumeRoleWithSAML', 'sts:TagSession'], Condition: { StringEquals: { 'SAML:aud': 'https://signin.aws.amazon.com/saml' } } }] },
          InstanceProfileList: [], AttachedManagedPolicies: [], Tags: [{ Key: 'ai-agent', Value: 'true' }], MaxSessionDuration: 43200,
          RolePolicyList: [{ PolicyName: 'AwsSSOInlinePolicy', PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } }],
        }],
      }));
      const r = await runCli(['scan', '--input', input, '--fixes', '--output', join(root, 'bundle'), '--ci']);
      expect(r.code, r.err).toBe(0);
      const fixes = join(root, 'bundle', 'fixes');
      dir = join(fixes, readdirSync(fixes).find((e) => e.startsWith(`role-${ROLE}`))!);
      script = join(dir, 'apply.sh');
      expect(readFileSync(script, 'utf8')).toContain("PERMISSION_SET_NAME='AgentDev'");
      psArn = await permissionSet('AgentDev');
    }, 120_000);

    it('the second --apply says "Already applied", sends only reads, writes no backup and does not provision again', async () => {
      const first = await apply(script, psArn, ['--apply']);
      expect(first.status, first.stderr).toBe(0);
      expect(first.ops.filter((o) => WRITES.test(o))).toEqual(['CreatePolicy', 'PutPermissionsBoundaryToPermissionSet', 'ProvisionPermissionSet']);
      const ours = boundaryNow();
      expect(ours).toEqual({ CustomerManagedPolicyReference: { Name: expect.stringMatching(/^leash-boundary-[0-9a-f]{12}$/), Path: '/' } });
      const kept = backups(dir);
      expect(kept).toHaveLength(1);

      const second = await apply(script, psArn, ['--apply']);
      expect(second.status, second.stderr).toBe(0);
      expect(second.stdout).toContain(`Already applied: permission set AgentDev holds the permissions boundary the run saved in ${join(dir, kept[0]!)} left, in every account it is provisioned to. Nothing to do`);
      expect(second.stdout).not.toContain('Changed since');
      expect(second.ops).toContain('GetPermissionsBoundaryForPermissionSet');
      expect(second.ops.filter((o) => !READS.has(o))).toEqual([]);
      expect(backups(dir)).toEqual(kept);
      expect(boundaryNow()).toEqual(ours);
    }, 900_000);

    it('run again while an account holds an older copy (its provisioning failed): provisioned again, nothing else; control: none stale, nothing sent but reads', async () => {
      const ours = boundaryNow();
      const kept = backups(dir);
      stale.set(psArn, [ACCOUNT, '210987654321']);
      try {
        const again = await apply(script, psArn, ['--apply']);
        expect(again.status, again.stderr).toBe(0);
        expect(again.stdout).toContain(`Already applied, not provisioned everywhere: permission set AgentDev holds the permissions boundary the run saved in ${join(dir, kept.at(-1)!)} left, but account(s) ${ACCOUNT} 210987654321 hold an older copy; provisioned again`);
        expect(again.ops.filter((o) => WRITES.test(o))).toEqual(['ProvisionPermissionSet']);
        expect(backups(dir)).toEqual(kept);
        expect(boundaryNow()).toEqual(ours);
      } finally {
        stale.delete(psArn);
      }
      const quiet = await apply(script, psArn, ['--apply']);
      expect(quiet.status, quiet.stderr).toBe(0);
      expect(quiet.stdout).toContain('in every account it is provisioned to. Nothing to do');
      expect(quiet.ops).toContain('ListAccountsForProvisionedPermissionSet');
      expect(quiet.ops.filter((o) => !READS.has(o))).toEqual([]);
    }, 900_000);

    it('control: the boundary removed by hand, then replaced by hand: each time applied again, saying so; each run\'s rollback puts that manual state back', async () => {
      const ours = boundaryNow();
      for (const manual of [null, OTHER]) {
        if (manual === null) await aws(['sso-admin', 'delete-permissions-boundary-from-permission-set', '--instance-arn', instanceArn, '--permission-set-arn', psArn]);
        else await aws(['sso-admin', 'put-permissions-boundary-to-permission-set', '--instance-arn', instanceArn, '--permission-set-arn', psArn, '--permissions-boundary', JSON.stringify(manual)]);
        expect(boundaryNow()).toEqual(manual);
        const before = backups(dir);
        const again = await apply(script, psArn, ['--apply']);
        expect(again.status, again.stderr).toBe(0);
        expect(again.stdout).toContain(`Changed since the run saved in ${join(dir, before.at(-1)!)}: permission set AgentDev no longer holds what it left; applied again`);
        expect(again.stdout).not.toContain('Already applied');
        // The shared boundary is there (created from its folder): set again and provisioned, not created again.
        expect(again.ops.filter((o) => WRITES.test(o))).toEqual(['PutPermissionsBoundaryToPermissionSet', 'ProvisionPermissionSet']);
        expect(boundaryNow()).toEqual(ours);
        const run = backups(dir).filter((b) => !before.includes(b));
        expect(run).toHaveLength(1);
        expect(JSON.parse(readFileSync(join(dir, run[0]!, 'permission-set-boundary.json'), 'utf8'))).toEqual(manual);
        const back = await apply(script, psArn, ['--rollback', join(dir, run[0]!), '--apply']);
        expect(back.status, back.stderr).toBe(0);
        expect(boundaryNow()).toEqual(manual);
        // Put back to the run's own state for the next round (and a rollback-then-apply is a run again too).
        const redo = await apply(script, psArn, ['--apply']);
        expect(redo.status, redo.stderr).toBe(0);
        expect(boundaryNow()).toEqual(ours);
      }
    }, 900_000);
    it('its rollback leaves a boundary changed after that run as it is, saying so, and does not provision; control: unchanged since, it is put back', async () => {
      const ours = boundaryNow();
      // A run that saved "no boundary" (removed by hand before it), then a boundary put by hand after it.
      await aws(['sso-admin', 'delete-permissions-boundary-from-permission-set', '--instance-arn', instanceArn, '--permission-set-arn', psArn]);
      const before = backups(dir);
      const run = await apply(script, psArn, ['--apply']);
      expect(run.status, run.stderr).toBe(0);
      const saved = join(dir, backups(dir).filter((b) => !before.includes(b))[0]!);
      expect(readFileSync(join(saved, 'applied-permission-set-boundary.json'), 'utf8')).toContain('"CustomerManagedPolicyReference"');
      await aws(['sso-admin', 'put-permissions-boundary-to-permission-set', '--instance-arn', instanceArn, '--permission-set-arn', psArn, '--permissions-boundary', JSON.stringify(OTHER)]);
      const kept = await apply(script, psArn, ['--rollback', saved, '--apply']);
      expect(kept.status).toBe(1);
      expect(kept.stderr).toContain(`Left as is: permission-set-boundary.json changed after apply.sh set it, so putting back ${join(saved, 'permission-set-boundary.json')} would undo that change.`);
      expect(kept.stderr).toContain('1 setting(s) changed since apply.sh were left as they are');
      expect(kept.ops.filter((o) => WRITES.test(o))).toEqual([]);
      expect(boundaryNow()).toEqual(OTHER);
      // Control: the boundary back to what that run left; the same rollback puts the saved state back and provisions.
      await aws(['sso-admin', 'put-permissions-boundary-to-permission-set', '--instance-arn', instanceArn, '--permission-set-arn', psArn, '--permissions-boundary', JSON.stringify(ours)]);
      const back = await apply(script, psArn, ['--rollback', saved, '--apply']);
      expect(back.status, back.stderr).toBe(0);
      expect(back.stderr).not.toContain('Left as is');
      expect(back.ops.filter((o) => WRITES.test(o))).toEqual(['DeletePermissionsBoundaryFromPermissionSet', 'ProvisionPermissionSet']);
      expect(boundaryNow()).toBeNull();
    }, 900_000);
  });

  describe('a permission set given an inline policy and a boundary of its own (a fix folder written from a target)', () => {
    let script: string;
    let dir: string;
    let psArn: string;
    const inlineNow = async (): Promise<string> => (await aws(['sso-admin', 'get-inline-policy-for-permission-set', '--instance-arn', instanceArn, '--permission-set-arn', psArn, '--query', 'InlinePolicy', '--output', 'text'])).trim();

    beforeAll(async () => {
      psArn = await permissionSet('AgentOwn');
      const policy = doc({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::team-bucket/*' } });
      const target: FixTarget = {
        principalKind: 'role', principalName: 'AWSReservedSSO_AgentOwn_fedcba9876543210', accountId: ACCOUNT,
        identityCenter: { permissionSetName: 'AgentOwn' },
        policies: [
          { name: 'leash-agentown-boundary', purpose: 'boundary', attach: 'managed', document: doc({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 's3:*', Resource: '*' } }) },
          { name: 'leash-agentown', purpose: 'identity', attach: 'managed', document: policy },
        ],
      };
      const fixes = join(root, 'own');
      dir = join(fixes, 'role-AgentOwn');
      mkdirSync(dir, { recursive: true });
      mkdirSync(join(fixes, 'lib'));
      writeFileSync(join(fixes, applyLibFile().path), applyLibFile().content);
      for (const f of renderFixFiles(target)) {
        writeFileSync(join(dir, f.path), f.content);
        chmodSync(join(dir, f.path), f.mode);
      }
      script = join(dir, 'apply.sh');
    });

    it('the second --apply says "Already applied" (the boundary and the inline policy), sends only reads', async () => {
      const first = await apply(script, psArn, ['--apply']);
      expect(first.status, first.stderr).toBe(0);
      expect(first.ops.filter((o) => WRITES.test(o))).toEqual(['CreatePolicy', 'PutPermissionsBoundaryToPermissionSet', 'PutInlinePolicyToPermissionSet', 'ProvisionPermissionSet']);
      const kept = backups(dir);
      const second = await apply(script, psArn, ['--apply']);
      expect(second.status, second.stderr).toBe(0);
      expect(second.stdout).toContain(`Already applied: permission set AgentOwn holds the permissions boundary and inline policy the run saved in ${join(dir, kept[0]!)} left, in every account it is provisioned to.`);
      expect(second.ops.filter((o) => !READS.has(o))).toEqual([]);
      expect(backups(dir)).toEqual(kept);
    }, 900_000);

    it('control: the inline policy edited by hand is put again (the boundary policy that run created is not created again); that run\'s rollback restores the edit', async () => {
      const ours = await inlineNow();
      const edited = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] });
      await aws(['sso-admin', 'put-inline-policy-to-permission-set', '--instance-arn', instanceArn, '--permission-set-arn', psArn, '--inline-policy', edited]);
      const before = backups(dir);
      const again = await apply(script, psArn, ['--apply']);
      expect(again.status, again.stderr).toBe(0);
      expect(again.stdout).toContain('Changed since the run saved in');
      expect(again.ops.filter((o) => WRITES.test(o))).toEqual(['PutPermissionsBoundaryToPermissionSet', 'PutInlinePolicyToPermissionSet', 'ProvisionPermissionSet']);
      expect(await inlineNow()).toBe(ours);
      const run = backups(dir).filter((b) => !before.includes(b));
      expect(run).toHaveLength(1);
      const back = await apply(script, psArn, ['--rollback', join(dir, run[0]!), '--apply']);
      expect(back.status, back.stderr).toBe(0);
      expect(JSON.parse(await inlineNow())).toEqual(JSON.parse(edited));
      // The boundary policy stays: the first run created it, not this one (the permission set still names it).
      expect(back.stdout).toContain('The boundary policy leash-agentown-boundary stays');
      expect(back.ops).not.toContain('DeletePolicy');
      expect(await aws(['iam', 'get-policy', '--policy-arn', `arn:aws:iam::${ACCOUNT}:policy/leash-agentown-boundary`, '--query', 'Policy.PolicyName', '--output', 'text'])).toBe('leash-agentown-boundary\n');
    }, 900_000);
  });
});
