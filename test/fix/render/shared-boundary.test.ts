// Boundaries shared by content: one name per document, the principal's apply.sh creating the
// policy once from fixes/boundaries/<name>/ and attaching it only when it is the policy it (or
// another principal's apply.sh) created, rollback never deleting it; main.tf looking it up.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from '@cdktf/hcl2json';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { policyDigest, renderFixFiles, renderPolicyJson, renderSharedBoundaryFiles, renderTerraform, sharedBoundaryDir, sharedBoundaryName, type FixTarget } from '../../../src/fix/render/index.js';
import { doc, policyDocumentsOf, toSetStatements } from './support.js';

const boundaryDoc = doc({ Version: '2012-10-17', Statement: [{ Sid: 'AllowAllElse', Effect: 'Allow', Action: '*', Resource: '*' }, { Sid: 'NoTampering', Effect: 'Deny', Action: ['cloudtrail:StopLogging'], Resource: '*' }] });
const NAME = sharedBoundaryName(boundaryDoc);
const target = (principalName = 'agent-a', kind: 'role' | 'user' = 'role'): FixTarget => ({
  principalKind: kind, principalName, accountId: '123456789012',
  policies: [{ name: NAME, purpose: 'boundary', attach: 'managed', shared: true, document: boundaryDoc }],
});

describe('sharedBoundaryName', () => {
  it('is a function of the document alone: equal documents share it, any other statement changes it', () => {
    expect(NAME).toMatch(/^leash-boundary-[0-9a-f]{12}$/);
    expect(sharedBoundaryName(doc({ Version: '2012-10-17', Statement: [{ Sid: 'AllowAllElse', Effect: 'Allow', Action: '*', Resource: '*' }, { Sid: 'NoTampering', Effect: 'Deny', Action: ['cloudtrail:StopLogging'], Resource: '*' }] }))).toBe(NAME);
    expect(NAME.slice('leash-boundary-'.length)).toBe(policyDigest(boundaryDoc).slice(0, 12));
    fc.assert(fc.property(fc.constantFrom('s3:DeleteBucket', 'iam:PassRole', 'ec2:TerminateInstances', 'cloudtrail:DeleteTrail'), fc.boolean(), (action, allow) => {
      const other = doc({ Version: '2012-10-17', Statement: [{ Sid: 'AllowAllElse', Effect: 'Allow', Action: '*', Resource: '*' }, { Sid: 'NoTampering', Effect: allow ? 'Allow' : 'Deny', Action: ['cloudtrail:StopLogging', action], Resource: '*' }] });
      expect(sharedBoundaryName(other)).not.toBe(NAME);
    }), { seed: 15, numRuns: 8 });
  });
  it('gives a folder under boundaries/', () => {
    expect(sharedBoundaryDir(NAME)).toBe(`boundaries/${NAME}`);
  });
});

// A stand-in `aws`: get-policy answers with $EXISTING_ID when set, create-policy prints a new PolicyId.
const FAKE_AWS = String.raw`#!/usr/bin/env bash
{ printf '%s\x1f' "$@"; printf '\x1e'; } >> "$FAKE_AWS_LOG"
args=" $* "
case "$args" in
  *" sts get-caller-identity "*"--query Account"*) echo 123456789012 ;;
  *" sts get-caller-identity "*"--query Arn"*) echo "arn:aws:sts::123456789012:assumed-role/admin/me" ;;
  *" iam get-policy "*) if [ -n "${"$"}{EXISTING_ID:-}" ]; then echo "$EXISTING_ID"; else echo "An error occurred (NoSuchEntity)" >&2; exit 254; fi ;;
  *" iam create-policy "*) echo ANPANEWLYCREATED ;;
  *" --query PolicyNames "*) printf '\n' ;;
  *"PermissionsBoundary.PermissionsBoundaryArn"*) echo None ;;
  *"--query Role.MaxSessionDuration"*) echo 3600 ;;
  *) echo '{}' ;;
esac
`;

const roots: string[] = [];
afterAll(() => { for (const r of roots) rmSync(r, { recursive: true, force: true }); });

/** A fixes folder: one principal's files and the shared boundary's folder, plus a stubbed aws. */
function fixesTree(t: FixTarget = target()) {
  const root = mkdtempSync(join(tmpdir(), 'leash-shared-'));
  roots.push(root);
  const dir = join(root, 'fixes', 'role-agent-a');
  const bdir = join(root, 'fixes', sharedBoundaryDir(NAME));
  mkdirSync(dir, { recursive: true });
  mkdirSync(bdir, { recursive: true });
  for (const f of renderFixFiles(t)) { writeFileSync(join(dir, f.path), f.content); chmodSync(join(dir, f.path), f.mode); }
  for (const f of renderSharedBoundaryFiles(t.policies[0]!, t.accountId, 'aws', [{ arn: 'arn:aws:iam::123456789012:role/agent-a', dir: 'role-agent-a' }])) writeFileSync(join(bdir, f.path), f.content);
  const bin = join(root, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'aws'), FAKE_AWS);
  chmodSync(join(bin, 'aws'), 0o755);
  const log = join(root, 'calls.log');
  const run = (args: string[], env: Record<string, string> = {}) => {
    const r = spawnSync('bash', [join(dir, 'apply.sh'), ...args], { encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}`, FAKE_AWS_LOG: log, ...env } });
    const calls = existsSync(log) ? readFileSync(log, 'utf8').split('\x1e').filter(Boolean).map((c) => c.split('\x1f').slice(0, -1)) : [];
    rmSync(log, { force: true });
    const changes = calls.map((c) => `${c[0]} ${c[1]}`).filter((o) => !o.startsWith('sts ') && !/ (get|list)-/.test(o));
    return { ...r, calls, changes };
  };
  return { dir, bdir, run };
}

describe("a principal's apply.sh with a shared boundary", () => {
  it('writes no boundary JSON of its own and is valid bash', () => {
    const files = renderFixFiles(target()).map((f) => f.path);
    expect(files).not.toContain('boundary.json');
    const { dir } = fixesTree();
    expect(spawnSync('bash', ['-n', join(dir, 'apply.sh')]).status).toBe(0);
  });

  it('dry run: prints the create (if absent) and the attach, contacts nothing', () => {
    const { run } = fixesTree();
    const r = run([]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.calls).toEqual([]);
    expect(r.stdout).toContain(`[dry run] aws iam create-policy --policy-name ${NAME}`);
    expect(r.stdout).toContain('only if');
  });

  it('absent: creates it from the shared folder, keeps its PolicyId there, attaches it; rollback leaves it', () => {
    const { run, bdir, dir } = fixesTree();
    const r = run(['--apply']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.changes).toEqual(['iam create-policy', 'iam put-role-permissions-boundary']);
    const create = r.calls.find((c) => c.includes('create-policy'))!;
    expect(create[create.indexOf('--policy-document') + 1]).toBe(`file://${dir}/../${sharedBoundaryDir(NAME)}/boundary.json`);
    expect(readFileSync(join(bdir, 'policy-id.txt'), 'utf8').trim()).toBe('ANPANEWLYCREATED');
    const put = r.calls.find((c) => c.includes('put-role-permissions-boundary'))!;
    expect(put[put.indexOf('--permissions-boundary') + 1]).toBe(`arn:aws:iam::123456789012:policy/${NAME}`);
    const backup = /To roll back: \S+ --rollback (\S+) --apply/.exec(r.stdout)![1]!;
    const back = run(['--rollback', backup, '--apply']);
    expect(back.status, back.stderr).toBe(0);
    expect(back.changes).toEqual(['iam delete-role-permissions-boundary']);
    expect(back.stdout).toContain(`The shared boundary ${NAME} stays`);
  });

  it('present with the PolicyId its folder recorded: attaches it, creates nothing', () => {
    const { run, bdir } = fixesTree();
    writeFileSync(join(bdir, 'policy-id.txt'), 'ANPAFROMBEFORE\n');
    const r = run(['--apply'], { EXISTING_ID: 'ANPAFROMBEFORE' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.changes).toEqual(['iam put-role-permissions-boundary']);
  });

  it('present but not created from its folder (no or another PolicyId): stops before any change or backup', () => {
    for (const recorded of [undefined, 'ANPASOMETHINGELSE']) {
      const { run, bdir, dir } = fixesTree();
      if (recorded) writeFileSync(join(bdir, 'policy-id.txt'), `${recorded}\n`);
      const r = run(['--apply'], { EXISTING_ID: 'ANPAPLANTEDBYOTHERS' });
      expect(r.status).not.toBe(0);
      expect(r.stderr).toContain(`managed policy ${NAME} exists but was not created from`);
      expect(r.changes).toEqual([]);
      expect(spawnSync('ls', [dir], { encoding: 'utf8' }).stdout).not.toMatch(/backup-/);
    }
  });

  it('stops when the shared folder is missing (the fixes folder was split up)', () => {
    const { run, bdir } = fixesTree();
    rmSync(bdir, { recursive: true });
    const r = run(['--apply']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('boundary.json');
    expect(r.changes).toEqual([]);
  });

  it('for a user, the same with the user operations', () => {
    const { run } = fixesTree(target('agent-u', 'user'));
    const r = run(['--apply']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.changes).toEqual(['iam create-policy', 'iam put-user-permissions-boundary']);
  });
});

describe('Terraform with a shared boundary', () => {
  it("the principal's main.tf looks it up by name and sets it; the shared folder's main.tf creates it with the same statements as its JSON", async () => {
    const hcl = (await parse('main.tf', renderTerraform(target()))) as { data: { aws_iam_policy: Record<string, { name: string }[]> }; resource: { aws_iam_role: Record<string, { permissions_boundary: string }[]>; aws_iam_policy?: unknown } };
    const [block, [lookup]] = Object.entries(hcl.data.aws_iam_policy)[0]!;
    expect(lookup!.name).toBe(NAME);
    expect(hcl.resource.aws_iam_policy).toBeUndefined();
    expect(hcl.resource.aws_iam_role['role_agent-a']![0]!.permissions_boundary).toBe(`\${data.aws_iam_policy.${block}.arn}`);
    const files = renderSharedBoundaryFiles(target().policies[0]!, '123456789012', 'aws', [{ arn: 'arn:aws:iam::123456789012:role/agent-a', dir: 'role-agent-a' }]);
    const shared = (await parse('main.tf', files.find((f) => f.path === 'main.tf')!.content)) as Record<string, unknown> & { resource: { aws_iam_policy: Record<string, { name: string }[]> } };
    expect(Object.values(shared.resource.aws_iam_policy).map(([r]) => r!.name)).toEqual([NAME]);
    expect([...policyDocumentsOf(shared).values()].map((s) => JSON.stringify(s))).toEqual([JSON.stringify(toSetStatements(boundaryDoc))]);
    expect(files.find((f) => f.path === 'boundary.json')!.content).toBe(renderPolicyJson(boundaryDoc));
    expect(files.find((f) => f.path === 'README.md')!.content).toContain('arn:aws:iam::123456789012:role/agent-a');
  });
});
