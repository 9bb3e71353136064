// A principal whose only fix is a boundary leash calls not-safe (its current boundary is named by
// the export but not held by it, so what the replacement allows beyond today's is unknown) used to
// join its boundary's group, whose apply.sh attaches the boundary to every member: approving the
// group applied a change leash itself calls not-safe. Such a principal now has its own folder, and
// its apply.sh stops before any AWS call unless --accept-not-safe is given (session 34).
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingBoundaryExport } from '../support/missing-boundary-export.js';
import { runCli } from '../support/cli.js';
import { awsStub, RAW_ESCAPE, stubAwsDirs } from '../support/aws-stub.js';

const ACCOUNT = '111122223333';
const MISSING = 'missing-boundary-agent';
// A name with a terminal escape: the reason printed by apply.sh carries the boundary's ARN.
const MISSING_BOUNDARY = 'old-boundary\u001b]0;x\u0007';
const CONTROLS = ['plain-agent-1', 'plain-agent-2'];
// Control: a session-length fix (12 h → 1 h) besides the boundary, all safe: a folder of its own too.
const LONG = 'long-session-agent';

let root: string;
let fixes: string;
let bin: string;
let cwd: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'leash-not-safe-'));
  const e = missingBoundaryExport({ account: ACCOUNT, boundaryName: MISSING_BOUNDARY, missing: [MISSING], plain: CONTROLS, longSession: LONG });
  writeFileSync(join(root, 'account.json'), JSON.stringify(e));
  const r = await runCli(['scan', '--input', join(root, 'account.json'), '--fixes', '--output', join(root, 'bundle'), '--ci']);
  expect(r.code, r.err).toBe(0);
  fixes = join(root, 'bundle', 'fixes');
  ({ bin, cwd } = stubAwsDirs(root, awsStub(ACCOUNT, ['*"--query Role.PermissionsBoundary"*) echo None ;;', '*"--query PolicyNames"*) echo p ;;'])));
}, 120_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

function run(script: string, args: string[]) {
  const log = mkdtempSync(join(root, 'argv-'));
  const r = spawnSync('bash', [script, ...args], { cwd, env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, AWS_ARGV_DIR: log }, encoding: 'utf8' });
  const calls = readdirSync(log).sort().map((f) => readFileSync(join(log, f), 'utf8').split('\0').slice(0, -1));
  rmSync(log, { recursive: true });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, calls };
}

describe('a principal whose boundary fix is not-safe', () => {
  it('is kept out of the boundary group (its own folder); principals with safe fixes are still grouped (control)', () => {
    const groups = readdirSync(fixes).filter((e) => e.startsWith('attach-'));
    expect(groups).toHaveLength(1);
    const groupScript = readFileSync(join(fixes, groups[0]!, 'apply.sh'), 'utf8');
    for (const n of CONTROLS) expect(groupScript).toContain(`role '${n}'`);
    expect(groupScript).not.toContain(MISSING);
    expect(readFileSync(join(fixes, groups[0]!, 'README.md'), 'utf8')).not.toContain(MISSING);
    expect(readdirSync(fixes)).toContain(`role-${MISSING}`);
    // The controls have no folder of their own.
    for (const n of CONTROLS) expect(readdirSync(fixes)).not.toContain(`role-${n}`);
  });

  it("its apply.sh stops before any AWS call without --accept-not-safe, saying why; with it, it applies", () => {
    const script = join(fixes, `role-${MISSING}`, 'apply.sh');
    const text = readFileSync(script, 'utf8');
    expect(text).not.toMatch(RAW_ESCAPE);
    expect(text).toContain('# NOT SAFE as it stands, says leash:');
    // main.tf (Terraform has no override flag) says so too, as a comment with nothing raw in it.
    const tf = readFileSync(join(fixes, `role-${MISSING}`, 'main.tf'), 'utf8');
    expect(tf).toContain('# NOT SAFE as it stands, says leash:');
    expect(tf).not.toMatch(RAW_ESCAPE);
    // A dry run says so and contacts nothing.
    const dry = run(script, []);
    expect(dry.status, dry.stderr).toBe(0);
    expect(dry.calls).toEqual([]);
    expect(dry.stdout).toContain('Not safe as it stands, says leash: permissions-boundary: not safe: the current permissions boundary');
    const refused = run(script, ['--apply']);
    expect(refused.status).toBe(1);
    expect(refused.calls).toEqual([]);
    expect(refused.stderr).toContain('leash calls this fix not safe as it stands');
    expect(refused.stderr).toContain('--accept-not-safe');
    // What reaches the terminal is display text: the escape in the policy name is shown, not sent.
    expect(refused.stderr).not.toMatch(RAW_ESCAPE);
    expect(refused.stderr).toContain('\\x1b');
    const accepted = run(script, ['--apply', '--accept-not-safe']);
    expect(accepted.status, accepted.stderr).toBe(0);
    expect(accepted.calls.some((c) => c[1] === 'put-role-permissions-boundary' && c[3] === MISSING)).toBe(true);
    for (const e of readdirSync(join(fixes, `role-${MISSING}`))) if (e.startsWith('backup-')) rmSync(join(fixes, `role-${MISSING}`, e), { recursive: true });
  });

  const shellcheckAvailable = spawnSync('shellcheck', ['--version'], { encoding: 'utf8' }).status === 0;
  it.skipIf(!shellcheckAvailable)(`its apply.sh and the group's pass shellcheck -x${shellcheckAvailable ? '' : ' (skipped: shellcheck not installed)'}`, () => {
    const group = readdirSync(fixes).find((e) => e.startsWith('attach-'))!;
    for (const f of [join(fixes, `role-${MISSING}`, 'apply.sh'), join(fixes, group, 'apply.sh')]) {
      const c = spawnSync('shellcheck', ['-x', '-f', 'gcc', f], { cwd: tmpdir(), encoding: 'utf8' });
      expect(c.stdout + c.stderr, f).toBe('');
      expect(c.status).toBe(0);
    }
  });

  it('control: a principal folder whose fixes are all safe has no such check, and --apply runs', () => {
    const script = join(fixes, `role-${LONG}`, 'apply.sh');
    expect(readFileSync(script, 'utf8')).not.toContain('refuse_not_safe');
    expect(readFileSync(join(fixes, `role-${LONG}`, 'main.tf'), 'utf8')).not.toContain('NOT SAFE');
    const r = run(script, ['--apply']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.calls.some((c) => c[1] === 'update-role' && c[3] === LONG)).toBe(true);
    for (const e of readdirSync(join(fixes, `role-${LONG}`))) if (e.startsWith('backup-')) rmSync(join(fixes, `role-${LONG}`, e), { recursive: true });
  });
});
