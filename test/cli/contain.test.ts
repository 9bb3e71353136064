// `leash contain` through the real CLI: from a fresh export, from the latest report, --json, and
// bad input (exit 2, saying what was expected).
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { DEV, allow, arn, doc, exportOf, trust } from '../graph/accounts.js';

afterEach(() => { process.exitCode = 0; });

function world(): { dir: string; input: string } {
  const dir = mkdtempSync(join(tmpdir(), 'leash-contain-cli-'));
  const input = join(dir, 'account.json');
  writeFileSync(input, JSON.stringify(exportOf({
    users: [{ name: 'dev-user', inline: [doc(allow('sts:AssumeRole', arn(DEV, 'role', 'agent-role')))] }],
    roles: [
      { name: 'agent-role', trust: trust({ AWS: arn(DEV, 'user', 'dev-user') }), inline: [doc(allow(['ec2:*', 's3:*']))], tags: { 'ai-agent': 'true' } },
      { name: 'editor', trust: trust({ Service: 'ec2.amazonaws.com' }), inline: [doc(allow('iam:DeleteRolePolicy', arn(DEV, 'role', 'agent-role')))] },
    ],
  })));
  return { dir, input };
}

describe('leash contain', () => {
  it('from a fresh export: the plan folder, and who can remove the Deny', async () => {
    const { dir, input } = world();
    const out = join(dir, 'out');
    const r = await runCli(['contain', 'agent-role', '--input', input, '-o', out]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/1 principal may remove the Deny: editor/);
    expect(r.out).toMatch(/1 principal can become it again: dev-user/);
    const [folder] = readdirSync(out);
    const readme = readFileSync(join(out, folder!, 'README.md'), 'utf8');
    expect(readme).toContain('- editor: iam:DeleteRolePolicy');
    // What it did: the activity command for the principal, which the CLI parses as it is written.
    const line = readme.split('\n').find((l) => l.includes('leash activity') && l.includes('--cloudtrail'))!;
    expect(line.trim()).toBe(`leash activity '${arn(DEV, 'role', 'agent-role')}' --cloudtrail ./trail --since 7d`);
    const trail = join(dir, 'trail');
    mkdirSync(trail);
    const activity = await runCli(['activity', arn(DEV, 'role', 'agent-role'), '--cloudtrail', trail, '--since', '7d', '--json']);
    expect(activity.code, activity.err).toBe(0);
    expect(JSON.parse(activity.out).counts.matched).toBe(0);
    rmSync(trail, { recursive: true });
    // Nothing else was written: no report, no history.
    expect(readdirSync(dir).sort()).toEqual(['account.json', 'out']);
  });

  it('from the latest report: the same plan, and who can remove it decided from the export the report was made from, read again (as `leash fix` re-plans)', async () => {
    const { dir, input } = world();
    const reports = join(dir, 'reports');
    expect((await runCli(['scan', '--input', input, '--reports', reports, '--format', 'json', '--ci'])).code).toBeLessThan(2);
    const r = await runCli(['contain', 'agent-role', '--reports', reports, '-o', join(dir, 'out'), '--json']);
    expect(r.code, r.err).toBe(0);
    const { dir: planDir, plan } = JSON.parse(r.out) as { dir: string; plan: { scope: string; undoers?: { name: string; actions: string[] }[]; undoersFrom?: string } };
    expect(plan.scope).toBe('sessions');
    expect(plan.undoers?.map((u) => [u.name, u.actions])).toEqual([['editor', ['iam:DeleteRolePolicy']]]);
    expect(plan.undoersFrom).toBe(input);
    const readme = readFileSync(join(planDir, 'README.md'), 'utf8');
    expect(readme).toContain('- editor: iam:DeleteRolePolicy');
    expect(readme).toContain('the export the report was made from');
  });

  it('control: the report\'s export gone since the scan: who can remove it is not decided, and the README says why', async () => {
    const { dir, input } = world();
    const reports = join(dir, 'reports');
    expect((await runCli(['scan', '--input', input, '--reports', reports, '--format', 'json', '--ci'])).code).toBeLessThan(2);
    rmSync(input);
    const r = await runCli(['contain', 'agent-role', '--reports', reports, '-o', join(dir, 'out'), '--json']);
    expect(r.code, r.err).toBe(0);
    const { dir: planDir, plan } = JSON.parse(r.out) as { dir: string; plan: { undoers?: unknown; undoersNotDecided?: string } };
    expect(plan.undoers).toBeUndefined();
    expect(plan.undoersNotDecided).toContain(input);
    expect(readFileSync(join(planDir, 'README.md'), 'utf8')).toContain('Not decided: the export the report was made from could not be read again');
  });

  it('bad input exits 2 with what was expected, and writes nothing', async () => {
    const { dir, input } = world();
    const out = join(dir, 'out');
    const who = await runCli(['contain', 'nobody', '--input', input, '-o', out]);
    expect(who.code).toBe(2);
    expect(who.err).toMatch(/expected a principal of the report \(name or ARN\) or a role session ARN/);
    const at = await runCli(['contain', 'agent-role', '--input', input, '--at', 'now', '-o', out]);
    expect(at.code).toBe(2);
    expect(at.err).toMatch(/--at.*a UTC time to the second/);
    const scope = await runCli(['contain', 'dev-user', '--input', input, '--scope', 'sessions', '-o', out]);
    expect(scope.code).toBe(2);
    expect(scope.err).toMatch(/all for a user/);
    expect(readdirSync(dir)).toEqual(['account.json']);
  });
});
