import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { reportSchemaErrors } from '../support/schema.js';

const tmp = mkdtempSync(join(tmpdir(), 'leash-cli-'));

const run = runCli;

afterEach(() => { process.exitCode = 0; });

describe('leash scan', () => {
  it('prints the summary for the demo account and exits 0', async () => {
    const r = await run(['scan', '--demo', '--reports', join(tmp, 'r1'), '--ci']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('kiro-agent');
    expect(r.out).toMatch(/CRITICAL/);
    expect(r.out).toContain('What leash could not see');
  });

  it('--json prints a schema-valid report; --fail-on high exits 1 on the demo', async () => {
    const r = await run(['scan', '--demo', '--reports', join(tmp, 'r2'), '--json', '--fail-on', 'high']);
    expect(r.code).toBe(1);
    expect(reportSchemaErrors(JSON.parse(r.out))).toEqual([]);
  });

  it.each([
    ['not JSON', '{"RoleDetailList": [', /line 1, column \d+: expected valid JSON/],
    ['wrong shape', '{"RoleDetailList": [{"RoleName": 1}]}', /\$\.RoleDetailList\[0\]\.RoleName/],
    ['an array', '[1, 2]', /at \$: expected the output of `aws iam get-account-authorization-details`/],
  ])('exits 2 naming the file and place for %s', async (_n, content, message) => {
    const f = join(tmp, `bad-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(f, content);
    const r = await run(['scan', '--input', f, '--reports', join(tmp, 'r3'), '--ci']);
    expect(r.code).toBe(2);
    expect(r.err).toContain(f);
    expect(r.err).toMatch(message);
  });

  it('exits 2 but still writes the report when one policy document inside is malformed', async () => {
    const f = join(tmp, 'one-bad-policy.json');
    writeFileSync(f, JSON.stringify({ RoleDetailList: [{ RoleName: 'r', Arn: 'arn:aws:iam::111122223333:role/r', AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] }, RolePolicyList: [{ PolicyName: 'p', PolicyDocument: '%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%7D%5D%7D' }] }] }));
    const r = await run(['scan', '--input', f, '--reports', join(tmp, 'r4'), '--json']);
    expect(r.code).toBe(2);
    const report = JSON.parse(r.out) as { errors: { path: string; message: string }[] };
    expect(report.errors[0]!.path).toBe('$.RoleDetailList[0].RolePolicyList[0].PolicyDocument.Statement[0]');
    expect(report.errors[0]!.message).toContain('exactly one of Action or NotAction');
  });

  it('exits 2 when no input is given', async () => {
    const r = await run(['scan', '--reports', join(tmp, 'r5'), '--ci']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/expected an input/);
  });
});
