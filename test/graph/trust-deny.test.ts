// Audit (session 29): an explicit Deny in a trust policy that names the caller (by ARN, or by a
// condition on aws:PrincipalArn) was read for no caller on the graph's shared path — taken when the
// caller may assume any role (`Resource: "*"`) — so the denied caller was reported as reaching the
// role. IAM: an explicit Deny in the role's trust policy stops the AssumeRole.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScan } from '../../src/pipeline/scan.js';
import type { Report } from '../../src/model/report.js';
import { IamExportBuilder, allow, policy, type StatementJson } from '../support/iam-export-builder.js';

const A = '111111111111';
const ATTACKER = `arn:aws:iam::${A}:user/attacker`;
const allowAccount: StatementJson = { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:root` }, Action: 'sts:AssumeRole' };
const allowAnyone: StatementJson = { Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' };

async function reach(trust: StatementJson[]): Promise<Report['findings']> {
  const b = new IamExportBuilder(A);
  b.user('attacker', { inline: { assume: policy(allow('sts:AssumeRole', '*')) } });
  b.role('Admin', { trust: policy(...trust), inline: { admin: policy(allow('*', '*')) } });
  const dir = mkdtempSync(join(tmpdir(), 'leash-trust-deny-'));
  const input = join(dir, 'auth.json');
  writeFileSync(input, JSON.stringify(b.build()));
  const r = await runScan({ input, now: new Date('2026-11-24T00:00:00Z') });
  return r.findings.filter((f) => f.principalArn === ATTACKER && f.checkId === 'reaches-admin');
}

describe('a trust-policy Deny that names the caller', () => {
  it.each([
    ['the account trusted, the attacker denied by ARN', [allowAccount, { Effect: 'Deny', Principal: { AWS: ATTACKER }, Action: 'sts:AssumeRole' }]],
    ['anyone trusted, the attacker denied by ARN', [allowAnyone, { Effect: 'Deny', Principal: { AWS: ATTACKER }, Action: 'sts:AssumeRole' }]],
    ['the account trusted, a Deny to everyone whose aws:PrincipalArn is the attacker', [allowAccount, { Effect: 'Deny', Principal: { AWS: '*' }, Action: 'sts:AssumeRole', Condition: { ArnEquals: { 'aws:PrincipalArn': ATTACKER } } }]],
  ] as const)('%s: no path to the administrator', async (_what, trust) => {
    expect(await reach([...trust])).toEqual([]);
  });

  it.each([
    ['the account trusted, nothing denied', [allowAccount], 'critical'],
    ['the account trusted, someone else denied by ARN', [allowAccount, { Effect: 'Deny', Principal: { AWS: `arn:aws:iam::${A}:user/someone-else` }, Action: 'sts:AssumeRole' }], 'critical'],
    ['the account trusted, a Deny on another principal\'s aws:PrincipalArn', [allowAccount, { Effect: 'Deny', Principal: { AWS: '*' }, Action: 'sts:AssumeRole', Condition: { ArnEquals: { 'aws:PrincipalArn': `arn:aws:iam::${A}:user/someone-else` } } }], 'critical'],
  ] as const)('control — %s: the path is there', async (_what, trust, severity) => {
    const found = await reach([...trust]);
    expect(found.map((f) => f.severity)).toEqual([severity]);
  });
});
