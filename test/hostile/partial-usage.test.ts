// Coverage that tells the truth (issue 10): with one truncated CloudTrail file, usage is partial,
// no fix is verified on it, and the scan exits 2 with the report written.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { parseReport } from '../../src/report/history.js';

afterEach(() => { process.exitCode = 0; });
const ACCOUNT = '111122223333';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/kiro`;

function rec(day: string, name: string): Record<string, unknown> {
  return { eventVersion: '1.08', eventTime: `${day}T12:00:00Z`, eventSource: 's3.amazonaws.com', eventName: name, awsRegion: 'us-east-1', userAgent: 'aws-cli/2', userIdentity: { type: 'AssumedRole', arn: `arn:aws:sts::${ACCOUNT}:assumed-role/kiro/s`, accountId: ACCOUNT, sessionContext: { sessionIssuer: { type: 'Role', arn: ROLE, accountId: ACCOUNT } } } };
}

async function scan(truncated: boolean): Promise<{ code: number; fixes: { kind: string; verification: { safe: boolean } }[]; usage: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'leash-partial-'));
  writeFileSync(join(dir, 'account.json'), JSON.stringify({
    UserDetailList: [], GroupDetailList: [], Policies: [],
    RoleDetailList: [{ Path: '/', RoleName: 'kiro', RoleId: 'AROAKIRO0000000000001', Arn: ROLE, CreateDate: '2025-01-01T00:00:00Z',
      AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'bedrock.amazonaws.com' }, Action: 'sts:AssumeRole' }] },
      InstanceProfileList: [], AttachedManagedPolicies: [], Tags: [{ Key: 'ai-agent', Value: 'true' }],
      RolePolicyList: [{ PolicyName: 'p', PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] } }] }],
  }));
  writeFileSync(join(dir, 'leash.config.yaml'), 'baseline:\n  windowDays: 3\n  principals:\n    - match: kiro\n      allow: ["s3:ListAllMyBuckets"]\n');
  const trail = join(dir, 'trail');
  mkdirSync(trail);
  ['2026-11-01', '2026-11-02', '2026-11-03'].forEach((d, i) => writeFileSync(join(trail, `f${i}.json.gz`), gzipSync(JSON.stringify({ Records: [rec(d, 'ListBuckets')] }))));
  if (truncated) {
    const full = gzipSync(JSON.stringify({ Records: [rec('2026-11-02', 'DeleteObject')] }));
    writeFileSync(join(trail, 'f9.json.gz'), full.subarray(0, full.length - 8));
  }
  const out = join(dir, 'out');
  const r = await runCli(['scan', '--input', join(dir, 'account.json'), '--config', join(dir, 'leash.config.yaml'), '--cloudtrail', trail, '--fixes', '--output', out, '--ci', '--until', '2026-11-04T00:00:00Z']);
  // Through the reader every consumer uses: report.json keeps repeated texts once (schema 1.4).
  const report = parseReport(readFileSync(join(out, 'report.json'), 'utf8'), 'report.json') as unknown as { fixes: { kind: string; verification: { safe: boolean } }[]; scan: { coverage: { usage: { status: string } } } };
  expect(readdirSync(out)).toContain('report.json');
  return { code: r.code, fixes: report.fixes, usage: report.scan.coverage.usage.status };
}

describe('a truncated CloudTrail file', () => {
  it('makes usage partial: no right-sized fix is verified, and the scan exits 2 (negative control: clean trail)', async () => {
    const clean = await scan(false);
    expect(clean.code).toBe(0);
    expect(clean.usage).toBe('complete');
    expect(clean.fixes.find((f) => f.kind === 'replace-policy')?.verification.safe).toBe(true);
    const bad = await scan(true);
    expect(bad.code).toBe(2);
    expect(bad.usage).not.toBe('complete');
    const rp = bad.fixes.find((f) => f.kind === 'replace-policy');
    if (rp) expect(rp.verification.safe).toBe(false);
  });
});
