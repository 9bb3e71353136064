// The managed-policy quota note: the fixes' new customer managed policies plus the account's own,
// against IAM's default of 1,500, per account; counted from the plans and checked against what
// the written apply.sh scripts actually create.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { managedPoliciesCreated, managedPolicyQuotaNote, MANAGED_POLICY_QUOTA } from '../../src/fix/quota.js';
import type { FixPolicy } from '../../src/fix/render/index.js';
import type { ManagedPolicyInfo } from '../../src/model/snapshot.js';
import { scanAndWrite } from '../../src/pipeline/scan.js';
import { loadAwsManagedPolicies, syntheticAccount } from '../../bench/synthetic-account.js';
import { sharedFixturesDir, sharedFixturesPresent } from '../support/fixtures.js';

const doc = { version: '2012-10-17', statements: [] } as unknown as FixPolicy['document'];
const pol = (purpose: FixPolicy['purpose'], attach: FixPolicy['attach']): FixPolicy => ({ name: `p-${purpose}-${attach}`, purpose, attach, document: doc });
const plan = (acct: string, policies: FixPolicy[], fixes = 1) => ({ fixes: new Array(fixes).fill(0), target: { accountId: acct, policies } });
const customer = (acct: string, n: number, aws = false): ManagedPolicyInfo[] =>
  Array.from({ length: n }, (_, i) => ({ arn: `arn:aws:iam::${aws ? 'aws' : acct}:policy/p${i}`, name: `p${i}`, path: '/', awsManaged: aws, document: doc }));

describe('managedPoliciesCreated', () => {
  it('counts managed identity policies and an unshared boundary, not inline, trust or session policies', () => {
    expect(managedPoliciesCreated({ policies: [pol('identity', 'managed'), pol('identity', 'managed'), pol('boundary', 'managed')] })).toBe(3);
    expect(managedPoliciesCreated({ policies: [pol('identity', 'managed'), { ...pol('boundary', 'managed'), shared: true }] })).toBe(1);
    expect(managedPoliciesCreated({ policies: [pol('identity', 'inline'), pol('trust', 'inline'), pol('session', 'none'), pol('boundary', 'none')] })).toBe(0);
  });
});

describe('managedPolicyQuotaNote', () => {
  const A = '111122223333';
  const B = '444455556666';
  const two = [pol('identity', 'managed'), pol('boundary', 'managed')];
  it('is silent up to the quota and speaks one policy past it', () => {
    const plans = Array.from({ length: 50 }, () => plan(A, two));
    expect(managedPolicyQuotaNote(plans, { managedPolicies: customer(A, MANAGED_POLICY_QUOTA.default - 100) })).toBeUndefined();
    const note = managedPolicyQuotaNote(plans, { managedPolicies: customer(A, MANAGED_POLICY_QUOTA.default - 99) });
    expect(note).toContain('create 100 customer managed policies in account 111122223333, which already has 1,401: 1,501');
    expect(note).toContain('an increase to at most 5,000');
  });
  it('counts neither AWS managed policies, nor another account\'s, nor plans with no fix', () => {
    const plans = [...Array.from({ length: 50 }, () => plan(A, two)), ...Array.from({ length: 900 }, () => plan(A, two, 0))];
    expect(managedPolicyQuotaNote(plans, { managedPolicies: [...customer(A, 1400), ...customer(A, 900, true), ...customer(B, 900)] })).toBeUndefined();
  });
  it('judges each account on its own and names the worst', () => {
    const plans = [...Array.from({ length: 800 }, () => plan(A, two)), ...Array.from({ length: 700 }, () => plan(B, two))];
    const note = managedPolicyQuotaNote(plans, { managedPolicies: customer(B, 100) });
    expect(note).toContain(`account ${A}, which already has 0: 1,600`);
    expect(managedPolicyQuotaNote(plans.slice(0, 700), { managedPolicies: customer(B, 100) })).toBeUndefined();
  });
  it('counts a shared boundary once per account however many principals attach it', () => {
    const sharedB = (acct: string) => plan(acct, [pol('identity', 'managed'), { ...pol('boundary', 'managed'), name: 'leash-boundary-aaaaaaaaaaaa', shared: true }]);
    const plans = Array.from({ length: 1000 }, () => sharedB(A));
    expect(managedPolicyQuotaNote(plans, { managedPolicies: customer(A, 499) })).toBeUndefined();
    expect(managedPolicyQuotaNote(plans, { managedPolicies: customer(A, 500) })).toContain('create 1,001 customer managed policies');
  });
  it('says when even the maximum is not enough', () => {
    expect(managedPolicyQuotaNote(Array.from({ length: 2600 }, () => plan(A, two)), { managedPolicies: [] })).toContain('more than the 5,000 an increase allows');
  });
});

describe('in a scan', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'leash-quota-'));
  // A synthetic export plus `extra` unattached customer managed policies of its own account.
  const scan = async (extra: number) => {
    const account = syntheticAccount(600, sharedFixturesPresent ? loadAwsManagedPolicies(sharedFixturesDir) : {}, 42) as { Policies: unknown[]; RoleDetailList: { Arn: string }[] };
    const acct = account.RoleDetailList[0]!.Arn.split(':')[4]!;
    for (let i = 0; i < extra; i++) {
      account.Policies.push({ PolicyName: `team-${i}`, PolicyId: `ANPA${String(i).padStart(17, '0')}`, Arn: `arn:aws:iam::${acct}:policy/team-${i}`, Path: '/', DefaultVersionId: 'v1', AttachmentCount: 0, IsAttachable: true,
        PolicyVersionList: [{ VersionId: 'v1', IsDefaultVersion: true, Document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] } }] });
    }
    const input = join(tmp, `syn-${extra}.json`);
    writeFileSync(input, JSON.stringify(account));
    const output = join(tmp, `out-${extra}`);
    const { report } = await scanAndWrite({ input, fixes: true, output, reportsRoot: join(tmp, `rep-${extra}`), now: new Date('2026-11-24T00:00:00Z') });
    // What the scripts would really create: every `iam create-policy` of every apply.sh, and each
    // shared boundary once (the first apply.sh that needs it creates it).
    const fixes = join(output, 'fixes');
    const principalDirs = readdirSync(fixes, { withFileTypes: true }).filter((e) => e.isDirectory() && e.name !== 'boundaries');
    const own = principalDirs.reduce((s, e) => s + (readFileSync(join(fixes, e.name, 'apply.sh'), 'utf8').match(/^change iam create-policy /gm)?.length ?? 0), 0);
    const shared = readdirSync(join(fixes, 'boundaries'), { withFileTypes: true }).filter((e) => e.isDirectory()).length;
    const creates = own + shared;
    return { notes: report.scan.coverage.notes, creates };
  };
  // First how many the fixes create (C), then the account's own policies set to put the total
  // exactly one past the quota, and exactly at it.
  it('an account whose policies plus the fixes pass the quota by one gets the note, with the count the scripts create; at the quota, none', async () => {
    const { creates, notes: none } = await scan(0);
    expect(creates).toBeGreaterThan(0);
    expect(none.some((n) => n.includes("IAM's default quota"))).toBe(false);
    const over = await scan(1501 - creates);
    expect(over.creates).toBe(creates);
    const note = over.notes.find((n) => n.includes("IAM's default quota"));
    expect(note, over.notes.join('\n')).toBeDefined();
    expect(note).toContain(`create ${creates.toLocaleString('en-US')} customer managed policies`);
    expect(note).toContain(`which already has ${(1501 - creates).toLocaleString('en-US')}: 1,501`);
    const at = await scan(1500 - creates);
    expect(at.notes.some((n) => n.includes("IAM's default quota"))).toBe(false);
  }, 180_000);
});
