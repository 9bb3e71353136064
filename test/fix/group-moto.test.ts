// A boundary group's apply.sh against moto (a real IAM API; the aws CLI on the machine image):
// the roles the scan saw are created in moto, then the group's script attaches the shared
// boundary to each (creating it once) and replaces the trust policy of the roles whose fix says
// so (Bedrock-trusted: a source-account condition), --only to some, and --rollback puts each role
// back as its backup says: no boundary, or the one it had, and its old trust policy where it was
// replaced. Skipped, saying why, without moto or the aws CLI.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MOTO_CREDENTIALS, MOTO_SKIP_REASON, motoAvailable, startMoto, type Moto } from '../support/moto.js';
import { runCli } from '../support/cli.js';
import { safeName } from '../../src/safe/name.js';
import { memberTrustFile } from '../support/group-trust.js';

const ACCOUNT = '123456789012'; // moto's
const NAMES = ['agent-a', 'agent+b=c,d@e.f_g', 'plain-agent'];
const TRUST = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
// The same boundary, and a tighter trust policy: in the same group, each with its trust document.
const TRUSTED = ['bedrock-a', 'bedrock+b=c,d@e.f_g'];
const BEDROCK_TRUST = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'bedrock.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
const ALL = [...NAMES, ...TRUSTED];
const trustOf = (name: string): unknown => JSON.parse(aws(['iam', 'get-role', '--role-name', name, '--query', 'Role.AssumeRolePolicyDocument', '--output', 'json']).stdout);
/** A trust document as IAM compares it: Principal.Service and Action as arrays or strings alike. */
const norm = (doc: unknown): string => JSON.stringify(doc, (_k, v: unknown) => (Array.isArray(v) && v.length === 1 ? v[0] : v));
const awsCli = spawnSync('aws', ['--version'], { encoding: 'utf8' }).status === 0;
const skip = !motoAvailable ? MOTO_SKIP_REASON : !awsCli ? 'the aws CLI is not installed' : undefined;

let moto: Moto;
let root: string;
let script: string;
let env: NodeJS.ProcessEnv;

function aws(args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync('aws', args, { env, encoding: 'utf8' });
}
const boundaryOf = (name: string): string => aws(['iam', 'get-role', '--role-name', name, '--query', 'Role.PermissionsBoundary.PermissionsBoundaryArn', '--output', 'text']).stdout.trim();
const apply = (args: string[]) => spawnSync('bash', [script, ...args], { env, encoding: 'utf8' });
const BOUNDARY_ARN = (name: string) => `arn:aws:iam::${ACCOUNT}:policy/${name}`;

describe.skipIf(skip !== undefined)(`group apply.sh against moto${skip ? ` (skipped: ${skip})` : ''}`, () => {
  beforeAll(async () => {
    moto = await startMoto();
    root = mkdtempSync(join(tmpdir(), 'leash-group-moto-'));
    env = { ...process.env, AWS_ENDPOINT_URL: moto.endpoint, AWS_ACCESS_KEY_ID: MOTO_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: MOTO_CREDENTIALS.secretAccessKey, AWS_DEFAULT_REGION: 'us-east-1', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' };
    const input = join(root, 'account.json');
    writeFileSync(input, JSON.stringify({
      UserDetailList: [], GroupDetailList: [], Policies: [],
      RoleDetailList: ALL.map((n, i) => ({
        Path: '/', RoleName: n, RoleId: `AROA${String(i).padStart(17, '0')}`, Arn: `arn:aws:iam::${ACCOUNT}:role/${n}`, CreateDate: '2025-09-01T09:00:00Z',
        AssumeRolePolicyDocument: TRUSTED.includes(n) ? BEDROCK_TRUST : TRUST, InstanceProfileList: [], AttachedManagedPolicies: [], Tags: [{ Key: 'ai-agent', Value: 'true' }], MaxSessionDuration: 3600,
        RolePolicyList: [{ PolicyName: `p-${i}`, PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:*', 'iam:PassRole'], Resource: '*' }] } }],
      })),
    }));
    const r = await runCli(['scan', '--input', input, '--fixes', '--output', join(root, 'bundle'), '--ci']);
    expect(r.code, r.err).toBe(0);
    const fixes = join(root, 'bundle', 'fixes');
    const groups = readdirSync(fixes).filter((e) => e.startsWith('attach-'));
    expect(groups).toHaveLength(1);
    script = join(fixes, groups[0]!, 'apply.sh');
    // The account as the scan saw it (test setup, with moto: leash itself only reads).
    for (const n of ALL) expect(aws(['iam', 'create-role', '--role-name', n, '--assume-role-policy-document', JSON.stringify(TRUSTED.includes(n) ? BEDROCK_TRUST : TRUST)]).status).toBe(0);
    // plain-agent already has a boundary: a rollback puts that one back.
    expect(aws(['iam', 'create-policy', '--policy-name', 'old-boundary', '--policy-document', JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] })]).status).toBe(0);
    expect(aws(['iam', 'put-role-permissions-boundary', '--role-name', 'plain-agent', '--permissions-boundary', BOUNDARY_ARN('old-boundary')]).status).toBe(0);
  }, 120_000);
  afterAll(async () => {
    await moto?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('--only changes the roles named (boundary, and trust where planned), creating the boundary; then the rest; rollback puts each back', () => {
    const boundary = /^BOUNDARY_NAME='([^']+)'$/m.exec(readFileSync(script, 'utf8'))![1]!;
    const dir = join(script, '..');
    // Both Bedrock roles get the same new document: one file, which apply.sh names for each.
    const trustFiles = readdirSync(join(dir, 'trust')).sort();
    expect(trustFiles).toHaveLength(1);
    expect(trustFiles[0]).toMatch(/^trust-[0-9a-f]{12}\.json$/);
    const fileOf = (name: string): string | undefined => memberTrustFile(dir, safeName('role', name));
    for (const n of TRUSTED) expect(fileOf(n)).toBe(join(dir, 'trust', trustFiles[0]!));
    const planned = (name: string): unknown => JSON.parse(readFileSync(fileOf(name)!, 'utf8'));
    const before = Object.fromEntries(ALL.map((n) => [n, norm(trustOf(n))]));
    expect(planned(TRUSTED[0]!)).not.toEqual(BEDROCK_TRUST);

    const only = apply(['--apply', '--only', `role/${NAMES[1]}`, '--only', `role/${TRUSTED[1]}`]);
    expect(only.status, only.stderr).toBe(0);
    expect(ALL.map(boundaryOf)).toEqual(['None', BOUNDARY_ARN(boundary), BOUNDARY_ARN('old-boundary'), 'None', BOUNDARY_ARN(boundary)]);
    // --only limits the trust change too: the other trust member is as it was.
    expect(norm(trustOf(TRUSTED[1]!))).toBe(norm(planned(TRUSTED[1]!)));
    expect(norm(trustOf(TRUSTED[0]!))).toBe(before[TRUSTED[0]!]);

    // The second run finds the boundary it created (its PolicyId kept beside boundary.json) and attaches it to all.
    const all = apply(['--apply']);
    expect(all.status, all.stderr).toBe(0);
    expect(ALL.map(boundaryOf)).toEqual(ALL.map(() => BOUNDARY_ARN(boundary)));
    for (const n of TRUSTED) expect(norm(trustOf(n)), n).toBe(norm(planned(n)));
    // Negative control: a member without a trust change keeps its trust policy.
    for (const n of NAMES) expect(norm(trustOf(n)), n).toBe(before[n]);
    const backups = readdirSync(dir).filter((e) => e.startsWith('backup-')).sort();

    // Roll back the second run: each role as that run found it.
    const back = apply(['--rollback', join(dir, backups.at(-1)!), '--apply']);
    expect(back.status, back.stderr).toBe(0);
    // (Two runs in one second share a backup folder: the later backup of a role is the one kept, the same state either way.)
    expect(ALL.map(boundaryOf)).toEqual(['None', BOUNDARY_ARN(boundary), BOUNDARY_ARN('old-boundary'), 'None', BOUNDARY_ARN(boundary)]);
    expect(norm(trustOf(TRUSTED[1]!))).toBe(norm(planned(TRUSTED[1]!)));
    expect(norm(trustOf(TRUSTED[0]!))).toBe(before[TRUSTED[0]!]);
    for (const n of NAMES) expect(norm(trustOf(n)), n).toBe(before[n]);
    // And the first run (--only): the rest back to where the scan saw them.
    const first = apply(['--rollback', join(dir, backups[0]!), '--apply']);
    expect(first.status, first.stderr).toBe(0);
    if (backups.length > 1) {
      expect(ALL.map(boundaryOf)).toEqual(['None', 'None', BOUNDARY_ARN('old-boundary'), 'None', 'None']);
      for (const n of ALL) expect(norm(trustOf(n)), n).toBe(before[n]);
    }
    // The shared boundary stays (others may use it).
    expect(aws(['iam', 'get-policy', '--policy-arn', BOUNDARY_ARN(boundary)]).status).toBe(0);
  }, 900_000);

  it('refuses a boundary of that name it did not create, before any change', () => {
    // Forget the PolicyId: the live policy is now "someone else's" to the script.
    const dir = join(script, '..', '..', 'boundaries');
    rmSync(join(dir, readdirSync(dir).find((e) => !e.startsWith('.'))!, 'policy-id.txt'));
    const before = ALL.map(boundaryOf);
    const trusts = ALL.map((n) => norm(trustOf(n)));
    const r = apply(['--apply']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('was not created from');
    expect(ALL.map(boundaryOf)).toEqual(before);
    expect(ALL.map((n) => norm(trustOf(n)))).toEqual(trusts);
  }, 120_000);
});
