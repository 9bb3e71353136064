// A fixes folder written again (`leash fix --output DIR`, `fix` into a scan's fixes/): a folder this
// run's folders replace (a principal's own folder once it joins a boundary group, a group whose
// members all have folders of their own now) goes, unless it holds anything leash did not write.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrincipalFixPlan } from '../../src/fix/plan.js';
import { groupDirName, groupedBoundary } from '../../src/fix/group.js';
import { fixDirName, writeFixPlans } from '../../src/fix/write.js';
import { runScanWithFixes } from '../../src/pipeline/scan.js';

const ACCOUNT = '111122223333';
const NAMES = ['agent-a', 'agent-b', 'agent-c'];

function role(name: string, i: number, maxSession: number): Record<string, unknown> {
  return {
    Path: '/', RoleName: name, RoleId: `AROA${String(i).padStart(17, '0')}`, Arn: `arn:aws:iam::${ACCOUNT}:role/${name}`, CreateDate: '2025-09-01T09:00:00Z',
    AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] },
    InstanceProfileList: [], AttachedManagedPolicies: [], Tags: [{ Key: 'ai-agent', Value: 'true' }], MaxSessionDuration: maxSession,
    RolePolicyList: [{ PolicyName: `p-${i}`, PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:*', 'iam:PassRole'], Resource: '*' }] } }],
  };
}

let root: string;
/** Plans of the account where the roles named in `long` have 12-hour sessions (a fix of their own besides the boundary). */
async function plansWith(long: readonly string[]): Promise<PrincipalFixPlan[]> {
  const input = join(root, `account-${long.join('+') || 'none'}.json`);
  writeFileSync(input, JSON.stringify({ UserDetailList: [], GroupDetailList: [], Policies: [], RoleDetailList: NAMES.map((n, i) => role(n, i, long.includes(n) ? 43200 : 3600)) }));
  return (await runScanWithFixes({ input, fixes: true })).fixPlans.filter((p) => p.fixes.length > 0);
}
const own = (name: string) => fixDirName({ principalName: name, target: { principalKind: 'role' } as PrincipalFixPlan['target'] });
const manifestFolders = (dir: string) => Object.keys((JSON.parse(readFileSync(join(dir, '.leash-fixes'), 'utf8')) as { folders: object }).folders).sort();

let allGrouped: PrincipalFixPlan[];
let aAlone: PrincipalFixPlan[];
let noneGrouped: PrincipalFixPlan[];
let group: string;
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'leash-stale-'));
  allGrouped = await plansWith([]);
  aAlone = await plansWith(['agent-a']);
  noneGrouped = await plansWith(NAMES);
  group = groupDirName(groupedBoundary(allGrouped[0]!)!);
  // The premise: every role grouped in the first account; agent-a on its own in the second; none grouped in the third.
  expect(allGrouped.map((p) => groupedBoundary(p) !== undefined)).toEqual([true, true, true]);
  expect(aAlone.map((p) => [p.principalName, groupedBoundary(p) !== undefined])).toEqual([['agent-a', false], ['agent-b', true], ['agent-c', true]]);
  expect(noneGrouped.every((p) => groupedBoundary(p) === undefined)).toBe(true);
}, 120_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
const fresh = () => join(root, `fixes-${n++}`);

describe('a fixes folder written again', () => {
  it("removes a principal's own folder once it is a member of a group written here", async () => {
    const dir = fresh();
    await writeFixPlans(dir, aAlone);
    expect(existsSync(join(dir, own('agent-a'), 'apply.sh'))).toBe(true);
    await writeFixPlans(dir, allGrouped);
    expect(existsSync(join(dir, own('agent-a')))).toBe(false);
    expect(readFileSync(join(dir, group, 'apply.sh'), 'utf8')).toContain('agent-a');
    expect(manifestFolders(dir)).not.toContain(own('agent-a'));
    expect(manifestFolders(dir)).toContain(group);
  });

  it('keeps that folder whole when it holds an apply.sh backup or a file leash did not write (negative controls)', async () => {
    for (const extra of ['backup-2026-12-01T00-00-00Z/role.json', 'my-notes.txt']) {
      const dir = fresh();
      await writeFixPlans(dir, aAlone);
      const target = join(dir, own('agent-a'), extra);
      mkdirSync(join(target, '..'), { recursive: true });
      writeFileSync(target, 'kept');
      const files = readdirSync(join(dir, own('agent-a')), { recursive: true }).sort();
      await writeFixPlans(dir, allGrouped);
      expect(readdirSync(join(dir, own('agent-a')), { recursive: true }).sort()).toEqual(files);
      expect(readFileSync(target, 'utf8')).toBe('kept');
      expect(manifestFolders(dir)).toContain(own('agent-a'));
    }
  });

  it('leaves a principal folder that is still its plan, and a group that is rewritten (negative controls)', async () => {
    const dir = fresh();
    await writeFixPlans(dir, aAlone);
    const groupBefore = manifestFolders(dir);
    await writeFixPlans(dir, aAlone);
    expect(manifestFolders(dir)).toEqual(groupBefore);
    expect(existsSync(join(dir, own('agent-a'), 'apply.sh'))).toBe(true);
    expect(existsSync(join(dir, group, 'apply.sh'))).toBe(true);
  });

  it('removes a group folder whose every member now has a folder of its own; not with partial plans', async () => {
    const dir = fresh();
    await writeFixPlans(dir, allGrouped);
    // Some principals only (`leash fix --principal`): nothing can be said of the others, the group stays.
    await writeFixPlans(dir, noneGrouped.filter((p) => p.principalName === 'agent-a'), dir, { partial: true });
    expect(existsSync(join(dir, group, 'apply.sh'))).toBe(true);
    await writeFixPlans(dir, noneGrouped);
    expect(existsSync(join(dir, group))).toBe(false);
    expect(manifestFolders(dir)).toEqual(NAMES.map(own).sort());
  });

  it('keeps a group folder one of whose members has no folder this run (negative control)', async () => {
    const dir = fresh();
    await writeFixPlans(dir, allGrouped);
    await writeFixPlans(dir, noneGrouped.filter((p) => p.principalName !== 'agent-c'));
    expect(existsSync(join(dir, group, 'apply.sh'))).toBe(true);
  });
});
