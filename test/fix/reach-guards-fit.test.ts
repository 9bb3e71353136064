// The reach guards' size (session 40). Before, plan.ts `reachGuards` kept the first 40 roles by
// ARN and dropped the rest without a word. Now the NoUnusedRoleHops list gets a stated share of
// the boundary (hop-chains.ts HOP_DENY_CHARS, 2,048 characters of ARNs), administrators first,
// and the boundary fix says how many roles it names of how many, and which stay assumable.
// Through the real analysis with usage and fixes; the boundary is verified with the list in it.
import { describe, expect, it } from 'vitest';
import { analyzeSnapshots, defaultConfig } from '../../src/pipeline/scan.js';
import type { Fix } from '../../src/model/fix.js';
import type { Statement } from '../../src/model/policy.js';
import { HOP_DENY_CHARS } from '../../src/fix/hop-chains.js';
import { DEV, allow, arn, snapshot } from '../graph/accounts.js';
import { AGENT, account, agentUsage, deleteTable, table } from '../support/tier-scope.js';

const NOW = new Date('2026-12-01T12:00:00Z');
const opts = { scanId: 't', startedAt: NOW.toISOString(), now: NOW, fixes: true };
const SCRATCH = { action: 'dynamodb:DeleteTable', resources: [table('kiro-scratch-1')] };

/** `n` roles named `deploy-NN` (zero-padded), each deleting every table; the agent may assume each (and `extra`). */
function boundaryFix(n: number, extra: Record<string, unknown[]> = {}): { fix: Fix; guard: Statement | undefined; total: number } {
  const roles: Record<string, unknown[]> = { ...extra };
  for (let i = 0; i < n; i++) roles[`deploy-${String(i).padStart(3, '0')}`] = [deleteTable('*')];
  const [a] = analyzeSnapshots([{ ...snapshot(account([deleteTable(table('kiro-scratch-*'))], roles)), usage: agentUsage([SCRATCH]) }], defaultConfig(), opts);
  const fix = a!.report.fixes.find((f) => f.principalArn === AGENT && f.kind === 'permissions-boundary')!;
  expect(fix, 'the agent gets a boundary fix').toBeDefined();
  return { fix, guard: (fix.after as unknown as { statements: Statement[] }).statements.find((s) => s.sid === 'NoUnusedRoleHops'), total: Object.keys(roles).length };
}
const fitNote = (f: Fix) => f.notes.find((x) => x.includes('NoUnusedRoleHops names'));
const arnChars = (xs: readonly string[]) => xs.reduce((k, x) => k + JSON.stringify(x).length + 1, 0);

describe('the NoUnusedRoleHops list, fitted and said', () => {
  it('45 roles with short names (more than the old 40, under the share): every one is denied, no note', () => {
    const { fix, guard } = boundaryFix(45);
    expect(guard?.resource).toHaveLength(45);
    expect(guard?.resource).toContain(arn(DEV, 'role', 'deploy-044'));
    expect(fitNote(fix)).toBeUndefined();
    expect(fix.verification).toMatchObject({ safe: true, status: 'verified' });
  });

  it('80 roles: as many as fit the share are denied; the note says how many of how many and names the first left', () => {
    const { fix, guard, total } = boundaryFix(80);
    const kept = guard!.resource!;
    expect(kept.length).toBeGreaterThan(40);
    expect(kept.length).toBeLessThan(80);
    expect(arnChars(kept)).toBeLessThanOrEqual(HOP_DENY_CHARS);
    // The next role would not have fitted: the share is used, not an arbitrary count.
    expect(arnChars(kept) + JSON.stringify(arn(DEV, 'role', 'deploy-079')).length + 1).toBeGreaterThan(HOP_DENY_CHARS);
    const note = fitNote(fix);
    expect(note).toContain(`names ${kept.length} of ${total} roles`);
    expect(note).toContain(`these ${total - kept.length} stay assumable: deploy-${String(kept.length).padStart(3, '0')}`);
    // The boundary with the whole share in it still fits and verifies.
    expect(fix.verification).toMatchObject({ safe: true, status: 'verified' });
  });

  it('an administrator role sorting last by name is denied first; the roles left are the others', () => {
    const { guard, fix } = boundaryFix(80, { 'zz-admin': [allow('*')] });
    expect(guard?.resource).toContain(arn(DEV, 'role', 'zz-admin'));
    expect(fitNote(fix)).not.toContain('zz-admin');
  });

  it('control: 3 roles, one the agent was seen assuming: two denied, no note', () => {
    const roles = { a: [deleteTable('*')], b: [deleteTable('*')], c: [deleteTable('*')] };
    const [r] = analyzeSnapshots([{ ...snapshot(account([deleteTable(table('kiro-scratch-*'))], roles)), usage: agentUsage([SCRATCH, { action: 'sts:AssumeRole', resources: [arn(DEV, 'role', 'b')] }]) }], defaultConfig(), opts);
    const fix = r!.report.fixes.find((f) => f.principalArn === AGENT && f.kind === 'permissions-boundary')!;
    expect((fix.after as unknown as { statements: Statement[] }).statements.find((s) => s.sid === 'NoUnusedRoleHops')?.resource).toEqual([arn(DEV, 'role', 'a'), arn(DEV, 'role', 'c')]);
    expect(fitNote(fix)).toBeUndefined();
  });
});
