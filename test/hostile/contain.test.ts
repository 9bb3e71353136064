// `leash contain` for hostile principal names: the plan folder's name is one safe segment, no file
// shows a raw escape, and contain.sh/undo.sh (aws stubbed) send each name to aws exactly and run
// nothing from it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { awsStub, RAW_ESCAPE, stubAwsDirs } from '../support/aws-stub.js';
import { HOSTILE_NAMES } from '../support/hostile-names.js';
import { isSafeSegment } from '../../src/safe/name.js';

afterEach(() => { process.exitCode = 0; });
const ACCOUNT = '111122223333';
// AWSDenyAll is not attached yet: contain.sh attaches it and undo.sh detaches it.
const STUB = awsStub(ACCOUNT, ['*"list-attached-"*) echo None ;;']);

const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'bedrock.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
const allowS3 = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] };

describe('leash contain for hostile principal names', () => {
  it('writes a safe folder, escapes every file, and its scripts pass each name to aws exactly', async () => {
    const root = mkdtempSync(join(tmpdir(), 'leash-contain-hostile-'));
    const input = join(root, 'account.json');
    writeFileSync(input, JSON.stringify({
      GroupDetailList: [], Policies: [],
      RoleDetailList: HOSTILE_NAMES.map((n, i) => ({ Path: '/', RoleName: n, RoleId: `AROA${String(i).padStart(17, '0')}`, Arn: `arn:aws:iam::${ACCOUNT}:role/${n}`, CreateDate: '2025-09-01T09:00:00Z', AssumeRolePolicyDocument: trust, InstanceProfileList: [], AttachedManagedPolicies: [], Tags: [], RolePolicyList: [{ PolicyName: 'p', PolicyDocument: allowS3 }] })),
      UserDetailList: HOSTILE_NAMES.map((n, i) => ({ Path: '/', UserName: n, UserId: `AIDA${String(i).padStart(17, '0')}`, Arn: `arn:aws:iam::${ACCOUNT}:user/${n}`, CreateDate: '2025-09-01T09:00:00Z', GroupList: [], AttachedManagedPolicies: [], Tags: [], UserPolicyList: [{ PolicyName: 'p', PolicyDocument: allowS3 }] })),
    }));
    const reports = join(root, 'reports');
    const scan = await runCli(['scan', '--input', input, '--reports', reports, '--format', 'json', '--ci']);
    expect(scan.code, scan.err).toBeLessThan(2);
    const { bin, cwd } = stubAwsDirs(root, STUB);

    for (const kind of ['role', 'user'] as const) {
      for (const name of HOSTILE_NAMES) {
        const out = mkdtempSync(join(root, 'plan-'));
        // By ARN: a name such as "-rf --profile evil" would read as options on the command line.
        const r = await runCli(['contain', `arn:aws:iam::${ACCOUNT}:${kind}/${name}`, '--reports', reports, '-o', out]);
        expect(r.code, `${kind} ${JSON.stringify(name)}: ${r.err}`).toBe(0);
        expect(r.out).not.toMatch(RAW_ESCAPE);
        const [folder, ...more] = readdirSync(out);
        expect(more).toEqual([]);
        expect(isSafeSegment(folder!), folder).toBe(true);
        const dir = join(out, folder!);
        for (const f of readdirSync(dir)) expect(readFileSync(join(dir, f), 'utf8'), `${folder}/${f}`).not.toMatch(RAW_ESCAPE);

        for (const script of ['contain.sh', 'undo.sh']) {
          const log = mkdtempSync(join(tmpdir(), 'leash-contain-argv-'));
          const run = spawnSync('bash', [join(dir, script), '--apply'], { cwd, env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, AWS_ARGV_DIR: log }, encoding: 'utf8' });
          expect(run.status, `${script} ${JSON.stringify(name)}: ${run.stderr}`).toBe(0);
          const calls = readdirSync(log).sort().map((f) => readFileSync(join(log, f), 'utf8').split('\0').slice(0, -1));
          const named = calls.flatMap((argv) => argv.flatMap((a, i) => (a === `--${kind}-name` ? [argv[i + 1]] : [])));
          expect(named.length, `${script} ${JSON.stringify(name)}`).toBeGreaterThan(0);
          for (const n of named) expect(n).toBe(name);
          const change = kind === 'role'
            ? (script === 'contain.sh' ? 'put-role-policy' : 'delete-role-policy')
            : (script === 'contain.sh' ? 'attach-user-policy' : 'detach-user-policy');
          expect(calls.some((argv) => argv.includes(change)), `${script} ${JSON.stringify(name)}`).toBe(true);
        }
      }
    }
    // Nothing ran from a name: no file appeared where the scripts ran.
    expect(readdirSync(cwd)).toEqual([]);
    // Negative control: the names really are hostile to a shell that does not quote them.
    const naive = spawnSync('bash', ['-c', `echo ${HOSTILE_NAMES[2]}`], { cwd, encoding: 'utf8' });
    expect(naive.status).toBe(0);
    expect(readdirSync(cwd)).toContain('pwned-subst');
  }, 300_000);

  it('an Identity Center role: the permission set found by its exact hostile name, nothing run from it', async () => {
    const root = mkdtempSync(join(tmpdir(), 'leash-contain-hostile-sso-'));
    const input = join(root, 'account.json');
    const roleName = (n: string) => `AWSReservedSSO_${n}_0123456789abcdef`;
    writeFileSync(input, JSON.stringify({
      GroupDetailList: [], Policies: [], UserDetailList: [],
      RoleDetailList: HOSTILE_NAMES.map((n, i) => ({ Path: '/aws-reserved/sso.amazonaws.com/', RoleName: roleName(n), RoleId: `AROA${String(i).padStart(17, '0')}`, Arn: `arn:aws:iam::${ACCOUNT}:role/aws-reserved/sso.amazonaws.com/${roleName(n)}`, CreateDate: '2025-09-01T09:00:00Z', AssumeRolePolicyDocument: trust, InstanceProfileList: [], AttachedManagedPolicies: [], Tags: [], RolePolicyList: [{ PolicyName: 'p', PolicyDocument: allowS3 }] })),
    }));
    const reports = join(root, 'reports');
    const scan = await runCli(['scan', '--input', input, '--reports', reports, '--format', 'json', '--ci']);
    expect(scan.code, scan.err).toBeLessThan(2);
    // Identity Center as the stub answers it: one provisioned permission set, named PS_NAME.
    const { bin, cwd } = stubAwsDirs(root, awsStub(ACCOUNT, [
      '*"list-instances"*) echo arn:aws:sso:::instance/ssoins-0000000000000001 ;;',
      `*"list-permission-sets-provisioned-to-account"*) echo '{"PermissionSets":["arn:aws:sso:::permissionSet/ssoins-0000000000000001/ps-0000000000000001"]}' ;;`,
      '*"describe-permission-set "*) printf \'%s\\n\' "$PS_NAME" ;;',
      // Before provision-permission-set: the status read's --provision-permission-set-request-id holds those words.
      `*"describe-permission-set-provisioning-status"*) printf 'SUCCEEDED\\tNone\\n' ;;`,
      '*"provision-permission-set"*) echo r-1 ;;',
    ]));
    const runAs = (dir: string, psName: string) => {
      const log = mkdtempSync(join(tmpdir(), 'leash-contain-argv-'));
      const r = spawnSync('bash', [join(dir, 'contain.sh'), '--apply'], { cwd, env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, AWS_ARGV_DIR: log, PS_NAME: psName }, encoding: 'utf8' });
      const calls = readdirSync(log).sort().map((f) => readFileSync(join(log, f), 'utf8').split('\0').slice(0, -1));
      return { r, calls };
    };
    let contained = 0;
    for (const name of HOSTILE_NAMES) {
      const out = mkdtempSync(join(root, 'plan-'));
      const r = await runCli(['contain', `arn:aws:iam::${ACCOUNT}:role/aws-reserved/sso.amazonaws.com/${roleName(name)}`, '--reports', reports, '-o', out]);
      expect(r.code, `${JSON.stringify(name)}: ${r.err}`).toBe(0);
      expect(r.out).not.toMatch(RAW_ESCAPE);
      const dir = join(out, readdirSync(out)[0]!);
      for (const f of readdirSync(dir)) expect(readFileSync(join(dir, f), 'utf8'), f).not.toMatch(RAW_ESCAPE);
      // A name that cannot be a permission set's (a newline) gets the README only.
      if (!readdirSync(dir).includes('contain.sh')) continue;
      contained++;
      const { r: ok, calls } = runAs(dir, name);
      expect(ok.status, `${JSON.stringify(name)}: ${ok.stderr}`).toBe(0);
      expect(calls.some((argv) => argv.includes('put-inline-policy-to-permission-set'))).toBe(true);
      // Control: a permission set of another name is not taken for it.
      const other = runAs(dir, `${name}-other`);
      expect(other.r.status).toBe(1);
      expect(other.calls.some((argv) => argv.includes('put-inline-policy-to-permission-set'))).toBe(false);
    }
    expect(contained).toBeGreaterThan(HOSTILE_NAMES.length / 2);
    expect(readdirSync(cwd)).toEqual([]);
  }, 300_000);

  it('an Identity Center role whose provisioning answers hostile text: its status, request id, FailureReason and account ids shown cut, nothing run from them; control: SUCCEEDED says Contained', async () => {
    const root = mkdtempSync(join(tmpdir(), 'leash-contain-hostile-provision-'));
    const input = join(root, 'account.json');
    const role = 'AWSReservedSSO_AgentOps_0123456789abcdef';
    writeFileSync(input, JSON.stringify({
      GroupDetailList: [], Policies: [], UserDetailList: [],
      RoleDetailList: [{ Path: '/aws-reserved/sso.amazonaws.com/', RoleName: role, RoleId: 'AROA00000000000000001', Arn: `arn:aws:iam::${ACCOUNT}:role/aws-reserved/sso.amazonaws.com/${role}`, CreateDate: '2025-09-01T09:00:00Z', AssumeRolePolicyDocument: trust, InstanceProfileList: [], AttachedManagedPolicies: [], Tags: [], RolePolicyList: [{ PolicyName: 'p', PolicyDocument: allowS3 }] }],
    }));
    const reports = join(root, 'reports');
    const scan = await runCli(['scan', '--input', input, '--reports', reports, '--format', 'json', '--ci']);
    expect(scan.code, scan.err).toBeLessThan(2);
    const out = mkdtempSync(join(root, 'plan-'));
    const r = await runCli(['contain', `arn:aws:iam::${ACCOUNT}:role/aws-reserved/sso.amazonaws.com/${role}`, '--reports', reports, '-o', out]);
    expect(r.code, r.err).toBe(0);
    const dir = join(out, readdirSync(out)[0]!);
    const { bin, cwd } = stubAwsDirs(root, awsStub(ACCOUNT, [
      '*"list-instances"*) echo arn:aws:sso:::instance/ssoins-0000000000000001 ;;',
      `*"list-permission-sets-provisioned-to-account"*) echo '{"PermissionSets":["arn:aws:sso:::permissionSet/ssoins-0000000000000001/ps-0000000000000001"]}' ;;`,
      '*"describe-permission-set "*) echo AgentOps ;;',
      // The status read, as `--query PermissionSetProvisioningStatus.[Status,FailureReason] --output text` gives it
      // (before provision-permission-set: its --provision-permission-set-request-id holds those words).
      '*"describe-permission-set-provisioning-status"*) printf \'%s\\t%s\\n\' "$PROVISION_STATUS" "$PROVISION_REASON" ;;',
      '*"list-accounts-for-provisioned-permission-set"*) echo "$STALE" ;;',
      '*"provision-permission-set"*) printf \'%s\\n\' "$PROVISION_ID" ;;',
    ]));
    const contain = (id: string, status: string, reason: string, extra: NodeJS.ProcessEnv = {}) => spawnSync('bash', [join(dir, 'contain.sh'), '--apply'], { cwd, env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, AWS_ARGV_DIR: mkdtempSync(join(tmpdir(), 'leash-contain-argv-')), PROVISION_ID: id, PROVISION_STATUS: status, PROVISION_REASON: reason, STALE: '111122223333\u001b[2J', ...extra }, encoding: 'utf8' });
    const failed = contain('r-1\u001b]0;t\u0007$(touch pwned)', 'FAILED', '\u001b]52;c;eA==\u0007 quota\n$(touch pwned2) `touch pwned3`');
    expect(failed.status, failed.stderr).toBe(1);
    expect(failed.stderr).toContain('Provisioning FAILED (request r-10ttouchpwned): 52;c;eA== quota (touch pwned2) touch pwned3\n');
    expect(failed.stderr).toContain('NOT CONTAINED: permission set AgentOps holds the Deny, but account(s) 1111222233332 hold an older copy');
    expect(failed.stdout + failed.stderr).not.toMatch(RAW_ESCAPE);
    expect(failed.stdout + failed.stderr).not.toContain('$(');
    expect(readdirSync(cwd)).toEqual([]);
    // A status that is neither SUCCEEDED nor FAILED is waited on (here: PROVISIONING_TIMEOUT=0, one read) and shown cut.
    const odd = contain('r-2', 'FAILED\u001b[0m$(touch pwned4)', 'None', { PROVISIONING_TIMEOUT: '0' });
    expect(odd.status, odd.stderr).toBe(3);
    expect(odd.stderr).toContain('Provisioning request r-2 is still FAILED0m(touch pwned4) after 0 s (PROVISIONING_TIMEOUT)');
    expect(odd.stdout + odd.stderr).not.toMatch(RAW_ESCAPE);
    expect(readdirSync(cwd)).toEqual([]);
    const ok = contain('3f2a9c1e-0000-4000-8000-00000000abcd', 'SUCCEEDED', 'None');
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('(request 3f2a9c1e-0000-4000-8000-00000000abcd SUCCEEDED).\nContained: the Deny is in force in account 111122223333');
  }, 300_000);
});
