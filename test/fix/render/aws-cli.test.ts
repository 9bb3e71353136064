import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { applyLibFile, policyFileName, renderCliScript, renderFixFiles, shellQuote } from '../../../src/fix/render/index.js';
import type { FixTarget } from '../../../src/fix/render/index.js';
import { doc } from './support.js';

const identity = doc({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/${aws:username}/*' } });
const trust = doc({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: 'bedrock.amazonaws.com' } } });

const NASTY_ROLE = `agent role's "x" $(touch pwned) \`touch pwned2\`; *`;
const NASTY_POLICY = "least 'priv' $HOME";

const roleTarget = (principalName = NASTY_ROLE, inlineName = NASTY_POLICY): FixTarget => ({
  principalKind: 'role',
  principalName,
  accountId: '123456789012',
  policies: [
    { name: 'leash-managed', purpose: 'identity', attach: 'managed', document: identity },
    { name: inlineName, purpose: 'identity', attach: 'inline', document: identity },
    { name: 'leash-boundary', purpose: 'boundary', attach: 'managed', document: identity },
    { name: 'trust', purpose: 'trust', attach: 'inline', document: trust },
    { name: 'session', purpose: 'session', attach: 'none', document: identity },
  ],
  maxSessionDuration: 3600,
  replacesPolicies: [
    { kind: 'inline', name: 'old-inline' },
    { kind: 'managed', name: 'AdministratorAccess', arn: 'arn:aws:iam::aws:policy/AdministratorAccess' },
  ],
});

// A stand-in `aws` that records every call's argv and answers the read-only calls the script makes.
// Managed policies exist once created (FAKE_AWS_STATE holds one file per policy, removed by
// delete-policy); POLICY_NOW answers get-policy for any name (a policy someone else created).
const FAKE_AWS = String.raw`#!/usr/bin/env bash
{ printf '%s' "$@"; printf ''; } >> "$FAKE_AWS_LOG"
args=" $* "
val() { local want="$1"; shift; while [ "$#" -gt 0 ]; do if [ "$1" = "$want" ]; then printf '%s' "$2"; return; fi; shift; done; }
key() { printf '%s' "$1" | sha256sum | cut -c1-16; }
case "$args" in
  *" iam ${"$"}{FAIL_ON:-none} "*) echo "An error occurred (LimitExceeded)" >&2; exit 254 ;;
  *" sts get-caller-identity "*"--query Account"*) echo "${"$"}{FAKE_AWS_ACCOUNT:-123456789012}" ;;
  *" sts get-caller-identity "*"--query Arn"*) echo "arn:aws:sts::123456789012:assumed-role/admin/me" ;;
  *" iam create-policy "*) name="$(val --policy-name "$@")"; echo "ANPA$(key "$name")" > "$FAKE_AWS_STATE/$(key "$name")"; echo '{}' ;;
  *" iam delete-policy "*) arn="$(val --policy-arn "$@")"; rm -f "$FAKE_AWS_STATE/$(key "${"$"}{arn##*/}")"; echo '{}' ;;
  *" iam get-policy "*)
    arn="$(val --policy-arn "$@")"
    if [ -n "${"$"}{POLICY_NOW:-}" ]; then printf '%s	%s
' "$POLICY_NOW" "${"$"}{POLICY_VERSION_NOW:-v1}"
    elif [ -f "$FAKE_AWS_STATE/$(key "${"$"}{arn##*/}")" ]; then printf '%s	%s
' "$(cat "$FAKE_AWS_STATE/$(key "${"$"}{arn##*/}")")" "${"$"}{POLICY_VERSION_NOW:-v1}"
    else echo "An error occurred (NoSuchEntity)" >&2; exit 254; fi ;;
  *" --query PolicyNames "*) printf 'old-inline\tother\n' ;;
  *"PermissionsBoundary.PermissionsBoundaryArn"*) echo "${"$"}{BOUNDARY_NOW:-None}" ;;
  *"Role.AssumeRolePolicyDocument]"*) echo "[43200, ${"$"}{TRUST_NOW:-null}]" ;;
  *"--query Role.AssumeRolePolicyDocument"*) if [ -n "${"$"}{TRUST_NOW:-}" ]; then echo "$TRUST_NOW"; else echo '{}'; fi ;;
  *"--query Role.MaxSessionDuration"*) echo 43200 ;;
  *) echo '{}' ;;
esac
`;

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function workspace(target: FixTarget): { dir: string; bin: string; log: string } {
  // A fixes folder as the writer leaves it: the fix's own folder and the shared library beside it.
  const root = mkdtempSync(join(tmpdir(), 'leash fix '));
  dirs.push(root);
  const dir = join(root, 'role fix');
  spawnSync('mkdir', ['-p', dir, join(root, 'lib')]);
  const libFile = applyLibFile();
  writeFileSync(join(root, libFile.path), libFile.content);
  for (const f of renderFixFiles(target)) {
    writeFileSync(join(dir, f.path), f.content);
    chmodSync(join(dir, f.path), f.mode);
  }
  const bin = join(dir, 'bin');
  rmSync(bin, { recursive: true, force: true });
  spawnSync('mkdir', ['-p', bin, join(root, 'aws-state')]);
  writeFileSync(join(bin, 'aws'), FAKE_AWS);
  chmodSync(join(bin, 'aws'), 0o755);
  return { dir, bin, log: join(dir, 'aws-calls.log') };
}

function run(ws: { dir: string; bin: string; log: string }, args: string[], env: Record<string, string> = {}) {
  const r = spawnSync('bash', [join(ws.dir, 'apply.sh'), ...args], {
    cwd: ws.dir,
    encoding: 'utf8',
    env: { ...process.env, PATH: `${ws.bin}:${process.env.PATH ?? ''}`, FAKE_AWS_LOG: ws.log, FAKE_AWS_STATE: join(ws.dir, '..', 'aws-state'), ...env },
  });
  const calls = existsSync(ws.log)
    ? readFileSync(ws.log, 'utf8').split('\x1e').filter((c) => c.length > 0).map((c) => c.split('\x1f').slice(0, -1))
    : [];
  rmSync(ws.log, { force: true });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, calls };
}

/** `iam put-role-policy` etc.: the service and operation of a recorded call, after any --profile. */
const op = (call: string[]) => {
  const i = call[0] === '--profile' ? 2 : 0;
  return `${call[i]} ${call[i + 1]}`;
};
const flag = (call: string[], name: string) => call[call.indexOf(name) + 1];

/** The text of a bash line that is not inside single quotes (and not a backslash-escaped character). */
function outsideSingleQuotes(line: string): string {
  let out = '';
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (ch === '\\') i++;
    else if (ch === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unterminated single quote in: ${line}`);
      i = end;
    } else out += ch;
  }
  return out;
}

function bashSyntaxOk(script: string): { ok: boolean; stderr: string } {
  const r = spawnSync('bash', ['-n'], { input: script, encoding: 'utf8' });
  return { ok: r.status === 0, stderr: r.stderr };
}

describe('shellQuote', () => {
  it('makes any string one literal word for bash', () => {
    //Given many strings full of shell syntax (one bash process prints them all, NUL-separated)
    const strings = fc.sample(fc.string({ unit: fc.constantFrom('a', ' ', "'", '"', '$', '`', '\\', '\n', ';', '*', '(', '!', 'é') }), { numRuns: 200, seed: 42 });
    const r = spawnSync('bash', ['-c', strings.map((s) => `printf '%s\\0' ${shellQuote(s)}`).join('\n')], { encoding: 'utf8' });
    //Then each comes back exactly as it went in
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\0').slice(0, -1)).toEqual(strings);
  });
});

describe('policyFileName', () => {
  it('names files by purpose, numbering repeats', () => {
    const t = roleTarget();
    const names = [...t.policies, t.policies[0]!].map((_, i, all) => policyFileName({ ...t, policies: all }, i));
    expect(names).toEqual(['policy.json', 'policy-2.json', 'boundary.json', 'trust.json', 'session-policy.json', 'policy-3.json']);
  });
});

describe('renderCliScript', () => {
  it('is valid bash, for roles and users, whatever the names contain', () => {
    const names = fc.string({ unit: fc.constantFrom('a', ' ', "'", '"', '$', '`', '\\', '\n', ';', '*', '(', '{', '%'), minLength: 1 });
    fc.assert(
      fc.property(names, names, fc.constantFrom('role' as const, 'user' as const), (principal, policy, kind) => {
        const script = renderCliScript({ ...roleTarget(principal, policy), principalKind: kind });
        const check = bashSyntaxOk(script);
        expect(check.stderr).toBe('');
        expect(check.ok).toBe(true);
      }),
      { numRuns: 40 },
    );
  });

  it('never puts a user-provided name outside single quotes (comments show names JSON-escaped)', () => {
    const script = renderCliScript(roleTarget());
    for (const line of script.split('\n')) {
      if (line.trimStart().startsWith('#')) {
        expect(line).not.toContain('\n');
        continue;
      }
      const outsideQuotes = outsideSingleQuotes(line);
      for (const name of [NASTY_ROLE, NASTY_POLICY, "agent role's", '$(touch pwned)', '`touch pwned2`']) expect(outsideQuotes).not.toContain(name);
    }
    expect(script).toContain(`PRINCIPAL_NAME=${shellQuote(NASTY_ROLE)}`);
  });

  it('is a dry run by default: prints the commands and contacts nothing', () => {
    const ws = workspace(roleTarget());
    const r = run(ws, []);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.calls).toEqual([]);
    expect(r.stdout).toContain('Dry run: AWS is not contacted');
    expect(r.stdout).toMatch(/\[dry run\] aws iam put-role-policy --role-name .* --policy-name/);
    expect(r.stdout).toContain('Dry run finished');
    expect(readdirSync(ws.dir).some((f) => f.startsWith('backup-'))).toBe(false);
    expect(existsSync(join(ws.dir, 'pwned'))).toBe(false);
  });

  it('with --apply: checks the account, backs up, then changes, passing names and --profile intact', () => {
    const ws = workspace(roleTarget());
    const r = run(ws, ['--apply', '--profile', 'my profile']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    //Then every call carries the profile
    for (const c of r.calls) expect(c.slice(0, 2)).toEqual(['--profile', 'my profile']);
    //And the account is checked, existing policy names probed, state saved, then changes made in order
    const ops = r.calls.map(op);
    expect(ops.slice(0, 2)).toEqual(['sts get-caller-identity', 'sts get-caller-identity']);
    const firstChange = ops.indexOf('iam create-policy');
    const backups = ops.slice(0, firstChange);
    for (const read of ['iam get-role', 'iam list-role-policies', 'iam list-attached-role-policies', 'iam get-role-policy']) expect(backups).toContain(read);
    expect(ops.slice(firstChange)).toEqual([
      'iam create-policy',
      'iam create-policy',
      'iam attach-role-policy',
      'iam put-role-policy',
      'iam put-role-permissions-boundary',
      'iam update-assume-role-policy',
      'iam update-role',
      'iam delete-role-policy',
      'iam detach-role-policy',
      // The settings as this run left them, for the rollback (trust, session length, boundary).
      'iam get-role',
      'iam get-role',
      'iam get-role',
      // What this run left, for a run again (record_state): boundary, session length and trust, attachments, inline names, the created policies, the inline one it put.
      'iam get-role',
      'iam get-role',
      'iam list-attached-role-policies',
      'iam list-role-policies',
      'iam get-policy',
      'iam get-policy',
      'iam get-role-policy',
    ]);
    const put = r.calls.find((c) => op(c) === 'iam put-role-policy')!;
    expect(flag(put, '--role-name')).toBe(NASTY_ROLE);
    expect(flag(put, '--policy-name')).toBe(NASTY_POLICY);
    expect(flag(put, '--policy-document')).toBe(`file://${ws.dir}/policy-2.json`);
    expect(flag(r.calls.find((c) => op(c) === 'iam attach-role-policy')!, '--policy-arn')).toBe('arn:aws:iam::123456789012:policy/leash-managed');
    expect(flag(r.calls.find((c) => op(c) === 'iam update-role')!, '--max-session-duration')).toBe('3600');
    expect(flag(r.calls.find((c) => op(c) === 'iam delete-role-policy')!, '--policy-name')).toBe('old-inline');
    expect(existsSync(join(ws.dir, 'pwned'))).toBe(false);
    //And the backup holds the state, with a rollback hint printed
    const backup = readdirSync(ws.dir).find((f) => /^backup-\d{8}T\d{6}Z$/.test(f))!;
    expect(readdirSync(join(ws.dir, backup)).sort()).toEqual(
      ['get-role.json', 'inline-policy-names.txt', 'list-attached-role-policies.json', 'list-role-policies.json', 'max-session-duration.txt', 'permissions-boundary-arn.txt', 'role-policy-old-inline.json', 'role-policy-other.json', 'trust-policy.json',
        'applied-trust-policy.json', 'applied-max-session-duration.txt', 'applied-permissions-boundary-arn.txt', 'applied-plan.sha256', 'applied-state.txt'].sort(),
    );
    expect(r.stdout).toContain('To roll back:');
    expect(r.stdout).toContain('--rollback');
  });

  it('refuses to change a different account than the fix was made for', () => {
    const ws = workspace(roleTarget());
    const r = run(ws, ['--apply'], { FAKE_AWS_ACCOUNT: '999999999999' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('account 999999999999, but this fix is for 123456789012');
    expect(r.calls.map(op).every((o) => o.startsWith('sts '))).toBe(true);
  });

  it('says how to roll back when a change fails part-way', () => {
    const ws = workspace(roleTarget());
    const r = run(ws, ['--apply'], { FAIL_ON: 'put-role-permissions-boundary' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/Failed part-way\. To undo what was changed: .*--rollback .*backup-\d{8}T\d{6}Z --apply/);
    expect(r.calls.map(op)).not.toContain('iam update-assume-role-policy');
  });

  it('--rollback puts back the saved state: boundary removed, duration and trust restored, new policies deleted', () => {
    const ws = workspace(roleTarget('agent-role', 'leash-inline'));
    expect(run(ws, ['--apply']).status).toBe(0);
    const backup = join(ws.dir, readdirSync(ws.dir).find((f) => f.startsWith('backup-'))!);
    //A dry rollback contacts nothing
    const dry = run(ws, ['--rollback', backup]);
    expect(dry.status).toBe(0);
    expect(dry.calls).toEqual([]);
    //A real one undoes each step
    const r = run(ws, ['--rollback', backup, '--apply']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const ops = r.calls.map(op);
    expect(ops.filter((o) => o.startsWith('iam '))).toEqual([
      'iam attach-role-policy',
      'iam put-role-policy',
      'iam get-role',
      'iam update-role',
      'iam get-role',
      'iam update-assume-role-policy',
      'iam get-role',
      'iam delete-role-permissions-boundary',
      'iam delete-role-policy',
      'iam delete-policy',
      'iam detach-role-policy',
      'iam delete-policy',
    ]);
    const find = (o: string) => r.calls.find((c) => op(c) === o)!;
    expect(flag(find('iam attach-role-policy'), '--policy-arn')).toBe('arn:aws:iam::aws:policy/AdministratorAccess');
    expect(flag(find('iam put-role-policy'), '--policy-document')).toBe(`file://${backup}/role-policy-old-inline.json`);
    expect(flag(find('iam update-role'), '--max-session-duration')).toBe('43200');
    expect(flag(find('iam update-assume-role-policy'), '--policy-document')).toBe(`file://${backup}/trust-policy.json`);
    expect(flag(find('iam delete-role-policy'), '--policy-name')).toBe('leash-inline');
  });

  it('--rollback leaves a trust policy or boundary someone changed after apply.sh as they made it, and says so', () => {
    const ws = workspace(roleTarget('agent-role', 'leash-inline'));
    expect(run(ws, ['--apply']).status).toBe(0);
    const backup = join(ws.dir, readdirSync(ws.dir).find((f) => f.startsWith('backup-'))!);
    expect(readdirSync(backup)).toEqual(expect.arrayContaining(['applied-trust-policy.json', 'applied-max-session-duration.txt', 'applied-permissions-boundary-arn.txt']));
    //When a person edits the trust policy and sets another boundary after the apply
    const r = run(ws, ['--rollback', backup, '--apply'], { TRUST_NOW: '{"Statement":[{"Principal":{"AWS":"arn:aws:iam::123456789012:role/oncall"}}]}', BOUNDARY_NOW: 'arn:aws:iam::123456789012:policy/their-boundary' });
    //Then neither is overwritten, the rest is undone, and the rollback says what it left
    const ops = r.calls.map(op);
    expect(ops).not.toContain('iam update-assume-role-policy');
    expect(ops).not.toContain('iam delete-role-permissions-boundary');
    expect(ops).toContain('iam update-role');
    expect(ops).toContain('iam put-role-policy');
    expect(r.stderr).toContain('Left as is: trust-policy.json changed after apply.sh set it');
    expect(r.stderr).toContain('Left as is: permissions-boundary-arn.txt changed after apply.sh set it');
    expect(r.status).toBe(1);
    //And a backup without the record (an older apply.sh) undoes as before
    for (const f of readdirSync(backup).filter((x) => x.startsWith('applied-'))) rmSync(join(backup, f));
    const old = run(ws, ['--rollback', backup, '--apply'], { TRUST_NOW: '{"changed":true}' });
    expect(old.calls.map(op)).toContain('iam update-assume-role-policy');
    expect(old.status).toBe(0);
  });

  it('uses the user operations for a user, and skips what users do not have', () => {
    const ws = workspace({ ...roleTarget('ci user', 'leash-inline'), principalKind: 'user' });
    const r = run(ws, ['--apply']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const ops = r.calls.map(op);
    for (const o of ['iam get-user', 'iam list-user-policies', 'iam get-user-policy', 'iam list-attached-user-policies', 'iam attach-user-policy', 'iam put-user-policy', 'iam put-user-permissions-boundary', 'iam delete-user-policy', 'iam detach-user-policy']) expect(ops).toContain(o);
    expect(ops).not.toContain('iam update-assume-role-policy');
    expect(ops).not.toContain('iam update-role');
    expect(ops.some((o) => o.includes('role'))).toBe(false);
    expect(flag(r.calls.find((c) => op(c) === 'iam put-user-policy')!, '--user-name')).toBe('ci user');
  });

  it('stops before doing anything when a policy file is missing', () => {
    const ws = workspace(roleTarget());
    rmSync(join(ws.dir, 'trust.json'));
    const r = run(ws, ['--apply']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('trust.json');
    expect(r.calls).toEqual([]);
  });

  it('names, beside each call of a shared library step, the AWS calls that step makes', () => {
    //Given the scripts of a role, a user and a role whose boundary is shared
    const shared = { ...roleTarget('agent', 'inline'), policies: [{ name: 'leash-boundary-0123456789ab', purpose: 'boundary' as const, attach: 'managed' as const, shared: true as const, document: identity }] };
    for (const t of [roleTarget(), { ...roleTarget(), principalKind: 'user' as const }, shared]) {
      const script = renderCliScript(t);
      //Then every library step that talks to AWS is called with a comment saying which calls
      const steps = ['rollback_begin', 'check_account', 'backup_principal', 'undo_boundary', 'require_new_policy', 'shared_boundary_check', 'shared_boundary_create'];
      const calls = script.split('\n').filter((l) => steps.includes(l.trim().split(' ')[0]!));
      expect(calls.length).toBeGreaterThanOrEqual(4);
      for (const l of calls) expect(l, l).toMatch(/ # .*(?:iam|sts) [a-z-]+/);
      //And the backup names the reads for this principal's kind
      expect(script).toContain(`backup_principal # read-only: iam get-${t.principalKind}, list-${t.principalKind}-policies`);
      //And the steps every fix shares are not repeated in it
      expect(script).not.toContain('inline-policy-names.txt');
    }
  });

  it('rejects unknown arguments with usage', () => {
    const ws = workspace(roleTarget());
    const r = run(ws, ['--yes']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('unknown argument: --yes');
    expect(r.stderr).toContain('Usage: apply.sh');
  });

  it('runs only the shared library it was written with: missing or changed by one byte, it stops before anything', () => {
    const ws = workspace(roleTarget());
    const libPath = join(ws.dir, '..', applyLibFile().path);
    expect(applyLibFile().path).toMatch(/^lib\/leash-apply-[0-9a-f]{12}\.sh$/);
    expect(run(ws, ['--apply']).status).toBe(0);
    writeFileSync(libPath, applyLibFile().content.replace('DRY_RUN=1', 'DRY_RUN=0'));
    for (const args of [[], ['--apply']]) {
      const r = run(ws, args);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain('is not the library this script was written with');
      expect(r.calls).toEqual([]);
    }
    rmSync(libPath);
    const gone = run(ws, ['--apply']);
    expect(gone.status).toBe(2);
    expect(gone.calls).toEqual([]);
  });
});

describe('apply.sh run again after a successful run', () => {
  const changeOps = (calls: string[][]) => calls.map(op).filter((o) => /^iam (create|attach|put|update|delete|detach)-/.test(o));
  const backups = (dir: string) => readdirSync(dir).filter((f) => f.startsWith('backup-'));
  const applied = () => {
    const ws = workspace(roleTarget('agent-role', 'leash-inline'));
    const first = run(ws, ['--apply']);
    expect(first.status, first.stderr).toBe(0);
    return ws;
  };

  it('changes nothing and says so when AWS still holds what the last run left, from the same files', () => {
    const ws = applied();
    const again = run(ws, ['--apply']);
    expect(again.stderr).toBe('');
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('Already applied: AWS holds what this plan sets');
    expect(changeOps(again.calls)).toEqual([]);
    expect(backups(ws.dir)).toHaveLength(1);
  });

  it('control: a policy of that name leash did not create is still refused (no backup of a run here)', () => {
    const ws = workspace(roleTarget('agent-role', 'leash-inline'));
    const r = run(ws, ['--apply'], { POLICY_NOW: 'ANPASOMEONEELSE' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('managed policy leash-managed already exists');
    expect(changeOps(r.calls)).toEqual([]);
  });

  it('control: refused when the policy it created has a new default version, or its plan files or the principal changed since', () => {
    const ws = applied();
    const cases: [string, Record<string, string>, (() => void)?][] = [
      ['a new default version', { POLICY_VERSION_NOW: 'v2' }],
      ['another boundary set since', { BOUNDARY_NOW: 'arn:aws:iam::123456789012:policy/their-boundary' }],
      ['a trust policy edited since', { TRUST_NOW: '{"Statement":[]}' }],
      ['policy.json edited here', {}, () => writeFileSync(join(ws.dir, 'policy.json'), readFileSync(join(ws.dir, 'policy.json'), 'utf8').replace('s3:GetObject', 's3:PutObject'))],
    ];
    for (const [what, env, edit] of cases) {
      edit?.();
      const r = run(ws, ['--apply'], env);
      expect(r.status, what).toBe(1);
      expect(r.stdout, what).not.toContain('Already applied');
      expect(r.stderr, what).toContain('managed policy leash-managed already exists');
      expect(changeOps(r.calls), what).toEqual([]);
    }
  });
});
