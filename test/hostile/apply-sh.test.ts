// apply.sh of fixes for principals with hostile names, run for real with `aws` stubbed (issue 10):
// the stub records its argv, so the test sees exactly what AWS would be sent. Every --role-name /
// --user-name is the IAM name byte for byte (no word splitting, no command substitution), no file
// appears outside the fix folder's backup, and no raw escape byte sits in the script's comments.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { awsStub, RAW_ESCAPE, stubAwsDirs } from '../support/aws-stub.js';
import { memberTrustFile } from '../support/group-trust.js';
import { safeName } from '../../src/safe/name.js';
import { HOSTILE_NAMES } from '../support/hostile-names.js';

afterEach(() => { process.exitCode = 0; });
const ACCOUNT = '111122223333';

const HOSTILE: readonly string[] = HOSTILE_NAMES;

function role(name: string, i: number): Record<string, unknown> {
  return {
    Path: '/', RoleName: name, RoleId: `AROA${String(i).padStart(17, '0')}`, Arn: `arn:aws:iam::${ACCOUNT}:role/${name}`, CreateDate: '2025-09-01T09:00:00Z',
    AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'bedrock.amazonaws.com' }, Action: 'sts:AssumeRole' }] },
    // Every other role also gets a session-length fix (12 h → 1 h): a folder and apply.sh of its own.
    // The rest (a shared boundary and a tighter trust policy) are in their boundary's group folder.
    InstanceProfileList: [], AttachedManagedPolicies: [], Tags: [{ Key: 'ai-agent', Value: 'true' }], MaxSessionDuration: i % 2 === 0 ? 43200 : 3600,
    RolePolicyList: [{ PolicyName: `p-${i}`, PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:*', 'iam:PassRole'], Resource: '*' }] } }],
  };
}
function user(name: string, i: number): Record<string, unknown> {
  return {
    Path: '/', UserName: name, UserId: `AIDA${String(i).padStart(17, '0')}`, Arn: `arn:aws:iam::${ACCOUNT}:user/${name}`, CreateDate: '2025-09-01T09:00:00Z',
    GroupList: [], AttachedManagedPolicies: [], Tags: [{ Key: 'ai-agent', Value: 'true' }],
    UserPolicyList: [{ PolicyName: `u-${i}`, PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'dynamodb:*', Resource: '*' }] } }],
  };
}

/** Every file path under dir, relative. */
function files(dir: string): string[] {
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

const STUB = awsStub(ACCOUNT);

describe('apply.sh with aws stubbed, for hostile principal names', () => {
  it('sends each IAM name to aws exactly, runs nothing from it, writes only its backup', async () => {
    const root = mkdtempSync(join(tmpdir(), 'leash-apply-'));
    const input = join(root, 'account.json');
    writeFileSync(input, JSON.stringify({ UserDetailList: [user('$(touch pwned-user)', 99)], GroupDetailList: [], Policies: [], RoleDetailList: HOSTILE.map(role) }));
    const bundle = join(root, 'bundle');
    const r = await runCli(['scan', '--input', input, '--fixes', '--output', bundle, '--ci']);
    expect(r.code, r.err).toBe(0);
    const { bin, cwd } = stubAwsDirs(root, STUB);

    const manifest = JSON.parse(readFileSync(join(bundle, 'fixes', '.leash-fixes'), 'utf8')) as { folders: Record<string, { principalArn: string; principals?: string[] }> };
    // A principal whose fixes are a shared boundary (and a trust policy) is in a group folder
    // (attach-<boundary>/), whose apply.sh is run below too (test/fix/group.test.ts: its rollback and --only).
    const grouped = Object.values(manifest.folders).flatMap((e) => e.principals ?? []);
    const fixDirs = readdirSync(join(bundle, 'fixes'), { withFileTypes: true }).filter((e) => e.isDirectory() && e.name !== 'boundaries' && e.name !== 'lib' && !manifest.folders[e.name]?.principals).map((e) => join(bundle, 'fixes', e.name));
    expect(fixDirs.length + grouped.length).toBe(HOSTILE.length + 1);
    expect(fixDirs.length).toBeGreaterThanOrEqual(Math.ceil(HOSTILE.length / 2));
    expect(grouped.length).toBeGreaterThanOrEqual(Math.floor(HOSTILE.length / 2));
    const seen = new Set<string>(grouped);
    for (const dir of fixDirs) {
      const marker = manifest.folders[basename(dir)]!;
      const m = /:(role|user)\/(.*)$/s.exec(marker.principalArn)!;
      const [kind, name] = [m[1]!, m[2]!];
      const script = readFileSync(join(dir, 'apply.sh'), 'utf8');
      // Comments (and every other line) carry no raw escape byte: `cat apply.sh` is safe.
      for (const line of script.split('\n').filter((l) => l.trimStart().startsWith('#'))) expect(line).not.toMatch(RAW_ESCAPE);
      expect(script).not.toMatch(RAW_ESCAPE);

      const log = mkdtempSync(join(tmpdir(), 'leash-apply-argv-'));
      const before = files(root).filter((f) => !f.startsWith('bundle/'));
      const run = spawnSync('bash', [join(dir, 'apply.sh'), '--apply'], { cwd, env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, AWS_ARGV_DIR: log }, encoding: 'utf8' });
      expect(run.status, `${name}: ${run.stderr}`).toBe(0);
      const calls = readdirSync(log).sort().map((f) => readFileSync(join(log, f), 'utf8').split('\0').slice(0, -1));
      // Every name argument is the exact IAM name; at least one change call named it.
      const named = calls.flatMap((argv) => argv.flatMap((a, i) => (a === `--${kind}-name` ? [argv[i + 1]] : [])));
      expect(named.length, name).toBeGreaterThan(2);
      for (const n of named) expect(n).toBe(name);
      expect(calls.some((argv) => argv.includes('put-role-policy') || argv.includes('put-user-policy') || argv.includes('put-role-permissions-boundary') || argv.includes('put-user-permissions-boundary')), name).toBe(true);
      // Nothing created anywhere but the backup inside this fix folder.
      expect(files(root).filter((f) => !f.startsWith('bundle/'))).toEqual(before);
      const created = files(dir).filter((f) => !f.startsWith('backup-'));
      expect(created.every((f) => !f.includes('/')), `${name}: ${created.join(',')}`).toBe(true);
      seen.add(`${kind}:${name}`);
    }
    expect(seen.size).toBe(HOSTILE.length + 1);
    // Each group's apply.sh: every name it sends is a member's, exactly; each trust document it applies is its own trust/ file.
    for (const [name, entry] of Object.entries(manifest.folders).filter(([, e]) => e.principals)) {
      const dir = join(bundle, 'fixes', name);
      const script = readFileSync(join(dir, 'apply.sh'), 'utf8');
      expect(script).not.toMatch(RAW_ESCAPE);
      const members = new Set(entry.principals!.map((a) => /:(?:role|user)\/(.*)$/s.exec(a)![1]!));
      const log = mkdtempSync(join(tmpdir(), 'leash-apply-argv-'));
      const before = files(root).filter((f) => !f.startsWith('bundle/'));
      const run = spawnSync('bash', [join(dir, 'apply.sh'), '--apply'], { cwd, env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, AWS_ARGV_DIR: log }, encoding: 'utf8' });
      expect(run.status, `${name}: ${run.stderr}`).toBe(0);
      const calls = readdirSync(log).sort().map((f) => readFileSync(join(log, f), 'utf8').split('\0').slice(0, -1));
      const named = calls.flatMap((argv) => argv.flatMap((a, i) => (a === '--role-name' || a === '--user-name' ? [argv[i + 1]!] : [])));
      expect(new Set(named)).toEqual(members);
      for (const u of calls.filter((a) => a[1] === 'update-assume-role-policy')) {
        const doc = u[u.indexOf('--policy-document') + 1]!;
        expect(/^trust-[0-9a-f]{12}\.json$/.test(doc.slice(`file://${join(dir, 'trust')}/`.length)) && doc.startsWith(`file://${join(dir, 'trust')}/`), doc).toBe(true);
        // The document apply.sh's own line names for that role, not another member's.
        expect(doc).toBe(`file://${memberTrustFile(dir, safeName('role', u[u.indexOf('--role-name') + 1]!))}`);
      }
      expect(files(root).filter((f) => !f.startsWith('bundle/'))).toEqual(before);
    }
    // Negative control for the checks above: the names really were hostile to a shell.
    expect(files(root).filter((f) => !f.startsWith('bundle/')).some((f) => /pwned/.test(f))).toBe(false);
    const naive = spawnSync('bash', ['-c', `echo ${HOSTILE[2]}`], { cwd, encoding: 'utf8' });
    expect(naive.status).toBe(0);
    expect(readdirSync(cwd)).toContain('pwned-subst');
  }, 300_000);
});
