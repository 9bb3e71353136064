// `leash who-can` through the real CLI (session 34): a bucket open to "*" under aws:PrincipalOrgID
// of another organization names anyone in that organization, and anyone else under the condition;
// without the org test the output is as before. (The pure rules: test/resources/outside-org.test.ts.)
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

const ACCOUNT = '111122223333';
const OTHER_ORG = 'o-bbbbbbbbbb';
const BUCKET = 'arn:aws:s3:::shared-data';

function whoCan(statement: Record<string, unknown>) {
  const tmp = mkdtempSync(join(tmpdir(), 'leash-who-can-org-'));
  const input = join(tmp, 'iam.json');
  writeFileSync(input, JSON.stringify({ UserDetailList: [{ UserName: 'agent', UserId: 'AIDAEXAMPLE', Arn: `arn:aws:iam::${ACCOUNT}:user/agent`, Path: '/', GroupList: [], AttachedManagedPolicies: [], UserPolicyList: [] }] }));
  const inventory = join(tmp, 'inventory.json');
  writeFileSync(inventory, JSON.stringify({ leashInventory: 1, account: ACCOUNT, resources: [{ arn: BUCKET, account: ACCOUNT, policy: { Version: '2012-10-17', Statement: [statement] } }] }));
  return runCli(['who-can', BUCKET, '--input', input, '--inventory', inventory, '--action', 's3:GetObject']);
}
const open = (condition?: unknown) => ({ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `${BUCKET}/*`, ...(condition ? { Condition: condition } : {}) });

describe('leash who-can: outside grantees and the organization', () => {
  it('"*" under aws:PrincipalOrgID of another organization: anyone in it allowed, anyone else only under the condition', async () => {
    const r = await whoCan(open({ StringEquals: { 'aws:PrincipalOrgID': OTHER_ORG } }));
    expect(r.code).toBe(0);
    expect(r.out).toContain(`outside anyone in organization ${OTHER_ORG}  s3:GetObject  (through its bucket policy`);
    expect(r.out).toContain('outside anyone  s3:GetObject [only if an unknown condition holds]');
  });

  it('control: "*" without an org test: anyone, unconditionally, and no organization line', async () => {
    const r = await whoCan(open());
    expect(r.code).toBe(0);
    expect(r.out).toContain('outside anyone  s3:GetObject  (through its bucket policy');
    expect(r.out).not.toContain('organization');
    expect(r.out).not.toContain('unknown condition');
  });
});
