// A reviewer's pass over the demo's fixes folder (session 31): what the READMEs tell a person to
// run works, and what they say is said once. The demo bundle has roles and a user but no
// boundary group (no attach-* folder).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runScanWithFixes } from '../../src/pipeline/scan.js';
import { writeFixPlans } from '../../src/fix/write.js';
import { md, type PrincipalFixPlan } from '../../src/fix/plan.js';
import { runCli } from '../support/cli.js';
import { fmtCheck, initAndValidate, TERRAFORM_SKIP, terraformAvailable, tfWarnings, TF_PLUGIN_DIR, TF_PROVIDER_SKIP } from '../support/terraform.js';

let root: string;
let plans: readonly PrincipalFixPlan[];
beforeAll(async () => {
  plans = (await runScanWithFixes({ demo: true, fixes: true, now: new Date('2026-11-24T07:00:00Z') })).fixPlans;
  root = mkdtempSync(join(tmpdir(), 'leash-bundle-review-'));
  await writeFixPlans(root, plans);
});

/** The `all of them` command of fixes/README.md, as written there. */
function allCommand(): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const m = /- all of them: .*?so `([^`]+)` is one module/.exec(readme);
  expect(m, 'fixes/README.md gives the command').not.toBeNull();
  return m![1]!;
}

describe('the demo fixes folder, as a reviewer reads it', () => {
  it('the README\'s "all of them" command makes one module of every principal\'s main.tf, with no attach-* folder and no error', () => {
    const names = readdirSync(root);
    // A bare `attach-*/main.tf` matches nothing here: cat complains (zsh refuses the whole line).
    expect(names.some((n) => n.startsWith('attach-'))).toBe(false);
    const r = spawnSync('sh', ['-c', allCommand()], { cwd: root, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const all = readFileSync(join(root, 'all', 'main.tf'), 'utf8');
    const parts = names.filter((n) => /^(role|user)-/.test(n)).map((f) => readFileSync(join(root, f, 'main.tf'), 'utf8'));
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(all.split(part).length - 1).toBe(1);
    expect(all.length).toBe(parts.reduce((n, x) => n + x.length, 0));
    expect(existsSync(join(root, 'all', 'versions.tf'))).toBe(true);
  });

  it.skipIf(!terraformAvailable)(`that module is formatted${terraformAvailable ? '' : ` (${TERRAFORM_SKIP})`}`, () => {
    const r = fmtCheck(join(root, 'all'));
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  // Session 32: no warning either (was 4x "Deprecated attribute": inline_policy and
  // managed_policy_arns in each role's ignore_changes). The control puts one back and sees it.
  it.skipIf(!TF_PLUGIN_DIR)(`that module and every boundary folder validate with no warning; control: a deprecated argument in ignore_changes warns${TF_PLUGIN_DIR ? '' : ` (${TF_PROVIDER_SKIP})`}`, () => {
    const all = join(root, 'all');
    const r = initAndValidate(all);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('The configuration is valid');
    expect(tfWarnings(r)).toEqual([]);
    const boundaries = readdirSync(join(root, 'boundaries')).filter((n) => existsSync(join(root, 'boundaries', n, 'main.tf')));
    expect(boundaries.length).toBeGreaterThan(0);
    const b = join(root, 'boundaries-module');
    mkdirSync(b);
    writeFileSync(join(b, 'main.tf'), boundaries.map((n) => readFileSync(join(root, 'boundaries', n, 'main.tf'), 'utf8')).join('\n'));
    cpSync(join(root, 'versions.tf'), join(b, 'versions.tf'));
    const rb = initAndValidate(b);
    expect(rb.status, rb.stderr).toBe(0);
    expect(tfWarnings(rb)).toEqual([]);
    // Control: the same module with managed_policy_arns back in a role's ignore_changes.
    const c = join(root, 'all-control');
    mkdirSync(c);
    const tf = readFileSync(join(all, 'main.tf'), 'utf8');
    const withDeprecated = tf.replace('force_detach_policies,', 'force_detach_policies, managed_policy_arns,');
    expect(withDeprecated).not.toBe(tf);
    writeFileSync(join(c, 'main.tf'), withDeprecated);
    cpSync(join(all, 'versions.tf'), join(c, 'versions.tf'));
    const rc = initAndValidate(c);
    expect(rc.status, rc.stderr).toBe(0);
    expect(tfWarnings(rc)).toEqual(['Deprecated attribute']);
  }, 120_000);

  it('each note of a fix appears once in its principal\'s README (a trust fix\'s description is its notes joined); control: each is there', () => {
    const kiro = plans.find((p) => p.principalName === 'kiro-agent')!;
    const trust = kiro.fixes.find((f) => f.kind === 'trust-policy')!;
    expect(trust.notes.length).toBeGreaterThan(1);
    const readme = kiro.readme;
    for (const n of trust.notes) {
      const text = md(n);
      expect(readme.split(text).length - 1, n).toBe(1);
    }
  });
});

// Session 32: what a reviewer runs on the scripts. shellcheck -x follows each apply.sh into the
// shared library (its source directive), so the variables apply.sh sets for it count as used; a
// boundary group's apply.sh (not in the demo) comes from a small export written here.
const shellcheckAvailable = spawnSync('shellcheck', ['--version'], { encoding: 'utf8' }).status === 0;
const shellcheck = (file: string) => spawnSync('shellcheck', ['-x', '-f', 'gcc', file], { cwd: tmpdir(), encoding: 'utf8' });

describe.skipIf(!shellcheckAvailable)(`the scripts, as shellcheck reads them${shellcheckAvailable ? '' : ' (skipped: shellcheck not installed)'}`, () => {
  it('every apply.sh (a principal\'s, an Identity Center role\'s, a boundary group\'s) and the shared library pass with no finding; control: a finding is reported', async () => {
    const groupRoot = mkdtempSync(join(tmpdir(), 'leash-bundle-review-group-'));
    const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'bedrock.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
    const inline = [{ PolicyName: 'p', PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] } }];
    writeFileSync(join(groupRoot, 'account.json'), JSON.stringify({
      GroupDetailList: [], Policies: [],
      RoleDetailList: ['a', 'b'].map((n, i) => ({ Path: '/', RoleName: `agent-${n}`, RoleId: `AROA${String(i).padStart(17, '0')}`, Arn: `arn:aws:iam::123456789012:role/agent-${n}`, CreateDate: '2025-09-01T09:00:00Z', AssumeRolePolicyDocument: trust, InstanceProfileList: [], AttachedManagedPolicies: [], Tags: [{ Key: 'ai-agent', Value: 'true' }], MaxSessionDuration: 3600, RolePolicyList: inline })),
      UserDetailList: [],
    }));
    const r = await runCli(['scan', '--input', join(groupRoot, 'account.json'), '--fixes', '--output', join(groupRoot, 'out'), '--ci']);
    expect(r.code, r.err).toBe(0);
    const groupFixes = join(groupRoot, 'out', 'fixes');
    const scripts = [
      ...[root, groupFixes].flatMap((d) => readdirSync(d).filter((n) => existsSync(join(d, n, 'apply.sh'))).map((n) => join(d, n, 'apply.sh'))),
      ...readdirSync(join(root, 'lib')).map((n) => join(root, 'lib', n)),
    ];
    expect(scripts.some((f) => f.includes('/attach-'))).toBe(true);
    expect(scripts.some((f) => f.includes('/role-AWSReservedSSO_'))).toBe(true);
    for (const f of scripts) {
      const c = shellcheck(f);
      expect(c.stdout + c.stderr, f).toBe('');
      expect(c.status, f).toBe(0);
    }
    // Control: the same check sees an unquoted expansion.
    const bad = join(groupRoot, 'bad.sh');
    writeFileSync(bad, '#!/usr/bin/env bash\nrm $1\n');
    expect(shellcheck(bad).stdout).toMatch(/SC2086/);
  }, 120_000);
});
