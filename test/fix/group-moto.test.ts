// A boundary group's apply.sh against moto (a real IAM API; the aws CLI on the machine image):
// the roles the scan saw are created in moto, then the group's script attaches the shared
// boundary to each (creating it once), --only to some, and --rollback puts each role back as its
// backup says: no boundary, or the one it had. Skipped, saying why, without moto or the aws CLI.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MOTO_CREDENTIALS, MOTO_SKIP_REASON, motoAvailable, startMoto, type Moto } from '../support/moto.js';
import { runCli } from '../support/cli.js';

const ACCOUNT = '123456789012'; // moto's
const NAMES = ['agent-a', 'agent+b=c,d@e.f_g', 'plain-agent'];
const TRUST = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
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
      RoleDetailList: NAMES.map((n, i) => ({
        Path: '/', RoleName: n, RoleId: `AROA${String(i).padStart(17, '0')}`, Arn: `arn:aws:iam::${ACCOUNT}:role/${n}`, CreateDate: '2025-09-01T09:00:00Z',
        AssumeRolePolicyDocument: TRUST, InstanceProfileList: [], AttachedManagedPolicies: [], Tags: [{ Key: 'ai-agent', Value: 'true' }], MaxSessionDuration: 3600,
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
    for (const n of NAMES) expect(aws(['iam', 'create-role', '--role-name', n, '--assume-role-policy-document', JSON.stringify(TRUST)]).status).toBe(0);
    // plain-agent already has a boundary: a rollback puts that one back.
    expect(aws(['iam', 'create-policy', '--policy-name', 'old-boundary', '--policy-document', JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] })]).status).toBe(0);
    expect(aws(['iam', 'put-role-permissions-boundary', '--role-name', 'plain-agent', '--permissions-boundary', BOUNDARY_ARN('old-boundary')]).status).toBe(0);
  }, 120_000);
  afterAll(async () => {
    await moto?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('--only attaches the boundary to the roles named, creating it; then the rest; rollback puts each back', () => {
    const boundary = /^BOUNDARY_NAME='([^']+)'$/m.exec(readFileSync(script, 'utf8'))![1]!;
    const only = apply(['--apply', '--only', `role/${NAMES[1]}`]);
    expect(only.status, only.stderr).toBe(0);
    expect(NAMES.map(boundaryOf)).toEqual(['None', BOUNDARY_ARN(boundary), BOUNDARY_ARN('old-boundary')]);

    // The second run finds the boundary it created (its PolicyId kept beside boundary.json) and attaches it to all.
    const all = apply(['--apply']);
    expect(all.status, all.stderr).toBe(0);
    expect(NAMES.map(boundaryOf)).toEqual(NAMES.map(() => BOUNDARY_ARN(boundary)));
    const backups = readdirSync(join(script, '..')).filter((e) => e.startsWith('backup-')).sort();

    // Roll back the second run: each role as that run found it.
    const back = apply(['--rollback', join(script, '..', backups.at(-1)!), '--apply']);
    expect(back.status, back.stderr).toBe(0);
    // (Two runs in one second share a backup folder: the later backup of a role is the one kept, the same state either way.)
    expect(NAMES.map(boundaryOf)).toEqual(['None', BOUNDARY_ARN(boundary), BOUNDARY_ARN('old-boundary')]);
    // The shared boundary stays (others may use it).
    expect(aws(['iam', 'get-policy', '--policy-arn', BOUNDARY_ARN(boundary)]).status).toBe(0);
  }, 300_000);

  it('refuses a boundary of that name it did not create, before any change', () => {
    // Forget the PolicyId: the live policy is now "someone else's" to the script.
    const dir = join(script, '..', '..', 'boundaries');
    rmSync(join(dir, readdirSync(dir).find((e) => !e.startsWith('.'))!, 'policy-id.txt'));
    const before = NAMES.map(boundaryOf);
    const r = apply(['--apply']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('was not created from');
    expect(NAMES.map(boundaryOf)).toEqual(before);
  }, 120_000);
});
