import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { reportSchemaErrors } from '../support/schema.js';
import { parseReport } from '../../src/report/history.js';

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

  it('--cloudtrail-workers: a worker thread reads the demo trail to the same report; a bad count exits 2', async () => {
    // firstSeen is each scan's own start here (two report roots, no history): not part of the comparison.
    const strip = (out: string) => { const r = JSON.parse(out) as { findings: { firstSeen?: string }[]; principals: unknown[] }; return { findings: r.findings.map(({ firstSeen: _, ...f }) => f), principals: r.principals }; };
    const one = await run(['scan', '--demo', '--reports', join(tmp, 'rw0'), '--json', '--cloudtrail-workers', '0']);
    const two = await run(['scan', '--demo', '--reports', join(tmp, 'rw1'), '--json', '--cloudtrail-workers', '1']);
    expect(one.code).toBe(0);
    expect(two.code).toBe(0);
    expect(strip(two.out)).toEqual(strip(one.out));
    const bad = await run(['scan', '--demo', '--reports', join(tmp, 'rw2'), '--cloudtrail-workers', 'lots']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--cloudtrail-workers');
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

  describe('the account of an export that names none', () => {
    const readOnly = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:Get*', Resource: '*' }] };
    const awsOnly = { Policies: [{ PolicyName: 'ReadOnlyAccess', Arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess', DefaultVersionId: 'v1', PolicyVersionList: [{ VersionId: 'v1', IsDefaultVersion: true, Document: readOnly }] }] };
    const groupsOnly = { GroupDetailList: [{ GroupName: 'devs', Arn: 'arn:aws:iam::210987654321:group/devs', AttachedManagedPolicies: [{ PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }] }], ...awsOnly };
    const input = (name: string, body: unknown) => {
      const f = join(tmp, name);
      writeFileSync(f, JSON.stringify(body));
      return f;
    };
    type Out = { scan: { account: { id: string } }; errors: { code: string; message: string }[] };

    it('two --input exports with --json: a report per line, each what report.json holds, read back by parseReport', async () => {
      const other = JSON.parse(JSON.stringify(groupsOnly).replaceAll('210987654321', '123456789012')) as unknown;
      const r = await run(['scan', '--input', input('multi-a.json', groupsOnly), '--input', input('multi-b.json', other), '--reports', join(tmp, 'm1'), '--json']);
      expect(r.code).toBe(0);
      const lines = r.out.trim().split('\n');
      expect(lines).toHaveLength(2);
      const ids = lines.map((l) => {
        expect(reportSchemaErrors(JSON.parse(l))).toEqual([]);
        return parseReport(l, 'stdout').scan.account.id;
      });
      expect(ids.sort()).toEqual(['123456789012', '210987654321']);
    });

    it('is taken from a group ARN', async () => {
      const r = await run(['scan', '--input', input('groups-only.json', groupsOnly), '--reports', join(tmp, 'a1'), '--json']);
      expect(r.code).toBe(0);
      expect((JSON.parse(r.out) as Out).scan.account.id).toBe('210987654321');
    });

    it('when nothing names it, the report says so in errors[] (account "unknown", exit 0: nothing is wrong with the input)', async () => {
      const r = await run(['scan', '--input', input('aws-only.json', awsOnly), '--reports', join(tmp, 'a2'), '--json']);
      expect(r.code).toBe(0);
      const report = JSON.parse(r.out) as Out;
      expect(report.scan.account.id).toBe('unknown');
      expect(report.errors).toEqual([expect.objectContaining({ code: 'not-found', message: expect.stringContaining('no ARN in it names an account') })]);
      expect(report.errors[0]!.message).toContain('--account-id');
    });

    it('--account-id states it: the scan is filed under it and nothing is missing', async () => {
      const reports = join(tmp, 'a3');
      const r = await run(['scan', '--input', input('aws-only-2.json', awsOnly), '--account-id', '111122223333', '--reports', reports, '--json']);
      expect(r.code).toBe(0);
      const report = JSON.parse(r.out) as Out;
      expect(report.scan.account.id).toBe('111122223333');
      expect(report.errors).toEqual([]);
      expect(existsSync(join(reports, '111122223333', 'latest'))).toBe(true);
    });

    it('--account-id agreeing with the export is accepted', async () => {
      const r = await run(['scan', '--input', input('groups-only-2.json', groupsOnly), '--account-id', '210987654321', '--reports', join(tmp, 'a4'), '--json']);
      expect(r.code).toBe(0);
      expect((JSON.parse(r.out) as Out).scan.account.id).toBe('210987654321');
    });

    it('--account-id conflicting with the export\'s ARNs is exit 2 naming the ARN and its JSON path, with nothing written', async () => {
      const reports = join(tmp, 'a5');
      const f = input('groups-only-3.json', groupsOnly);
      const r = await run(['scan', '--input', f, '--account-id', '111122223333', '--reports', reports, '--ci']);
      expect(r.code).toBe(2);
      expect(r.err).toBe(`leash: ${f} at $.GroupDetailList[0].Arn: expected ARNs of account 111122223333 (--account-id), got arn:aws:iam::210987654321:group/devs\n`);
      expect(existsSync(reports)).toBe(false);
    });

    it.each([['1234'], ['11112222333a'], ['1111222233334']])('--account-id %s is not 12 digits: exit 2', async (id) => {
      const r = await run(['scan', '--demo', '--account-id', id, '--reports', join(tmp, 'a6'), '--ci']);
      expect(r.code).toBe(2);
      expect(r.err).toContain(`--account-id: expected a 12-digit AWS account id (e.g. 111122223333), got "${id}"`);
    });

    it('--account-id with --all-accounts is refused', async () => {
      const r = await run(['scan', '--all-accounts', '--account-id', '111122223333', '--reports', join(tmp, 'a7'), '--ci']);
      expect(r.code).toBe(2);
      expect(r.err).toContain('not used with --all-accounts');
    });
  });
});
