// A reviewer's pass (session 33): an IAM user's group policies stay attached when its own policies
// are replaced (the group is shared). The right-sized policy copied what only the group granted
// onto the user, on the group's scope (a user scoped to one bucket got s3 reads on "*" of its
// own), and its counts and verification ignored the group policies that stay. And a principal
// whose own policies grant none of its need got a right-sized policy with no statement.
import { describe, expect, it } from 'vitest';
import { analyzePrincipals } from '../../src/checks/analyze.js';
import { computeNeeded } from '../../src/baseline/needed.js';
import { defaultConfig } from '../../src/config/config.js';
import { planFixes } from '../../src/fix/plan.js';
import { catalog } from '../../src/iam/catalog.js';
import { evaluate } from '../../src/iam/evaluate.js';
import { ActionExpander } from '../../src/iam/pattern.js';
import type { PolicyDocument } from '../../src/model/policy.js';
import type { UsageData } from '../../src/model/usage.js';
import { IamExportBuilder, allow, policy, type PolicyJson } from '../support/iam-export-builder.js';
import { snapshotFromExport } from '../support/privesc-run.js';

const ACCOUNT = '111122223333';
const expander = new ActionExpander(catalog());
const USER = `arn:aws:iam::${ACCOUNT}:user/cursor-bot`;
const SCRATCH = 'arn:aws:s3:::scratch';

function plan(own: PolicyJson | undefined, group: PolicyJson | undefined, observed: { action: string; resources: string[] }[]) {
  const b = new IamExportBuilder(ACCOUNT);
  if (group) b.group('devs', { inline: { 'devs-policy': group } });
  b.user('cursor-bot', { tags: { 'ai-agent': 'true' }, groups: group ? ['devs'] : [], inline: own ? { own } : {} });
  const snapshot = snapshotFromExport(b.build(), 'users.json', { now: new Date('2026-11-24T12:00:00Z') });
  const usage: UsageData = {
    window: { start: '2026-10-24T00:00:00Z', end: '2026-11-23T23:59:59Z' }, coveredPrincipals: 'all', recordsRead: 10, unmapped: [],
    byPrincipal: { [USER]: { principalArn: USER, sessions: [], userAgents: {}, sourceIps: [], firstSeen: '2026-11-01T00:00:00Z', lastSeen: '2026-11-20T00:00:00Z',
      actions: observed.map((o) => ({ ...o, count: 4, firstSeen: '2026-11-01T00:00:00Z', lastSeen: '2026-11-20T00:00:00Z' })) } },
  };
  const s = { ...snapshot, usage };
  const config = defaultConfig();
  const a = analyzePrincipals(s, config, expander).find((x) => x.principal.arn === USER)!;
  return planFixes(a, computeNeeded(a, s.usage, config, expander), s, config, expander, ['f1']);
}
const allowed = (docs: readonly PolicyDocument[], action: string, resource: string) =>
  evaluate({ action, resource, context: { values: {}, closedWorld: true } }, { identity: docs }).decision === 'Allowed';
const docsOf = (x: unknown) => (Array.isArray(x) ? x : [x]) as PolicyDocument[];

const ownScratch = policy(allow(['s3:GetObject', 's3:PutObject'], `${SCRATCH}/*`));
const groupBroad = policy(allow(['s3:*', 'dynamodb:GetItem', 'dynamodb:DeleteTable'], '*'));
const used = [{ action: 's3:GetObject', resources: [`${SCRATCH}/a.txt`] }, { action: 's3:PutObject', resources: [`${SCRATCH}/a.txt`] }];

describe("a user's group policies stay, and the right-sized policy is cut from the user's own", () => {
  it('does not copy the group\'s s3 grant on "*" onto the user; the user\'s own scope is kept', () => {
    const fix = plan(ownScratch, groupBroad, used).fixes.find((f) => f.kind === 'replace-policy')!;
    const after = docsOf(fix.after);
    expect(allowed(after, 's3:GetObject', `${SCRATCH}/b.txt`)).toBe(true);
    expect(allowed(after, 's3:GetObject', 'arn:aws:s3:::payroll/x.csv')).toBe(false);
    expect(allowed(after, 's3:ListBucket', 'arn:aws:s3:::payroll')).toBe(false);
    expect(fix.notes.join(' ')).toContain('Group policies stay attached');
    expect(fix.notes.join(' ')).toContain('devs-policy (group devs)');
  });

  it('control: the same grant in the user\'s own policy is right-sized from it (read siblings on "*" stay, as today)', () => {
    const fix = plan(policy(allow(['s3:*', 'dynamodb:GetItem', 'dynamodb:DeleteTable'], '*')), undefined, used).fixes.find((f) => f.kind === 'replace-policy')!;
    expect(allowed(docsOf(fix.after), 's3:ListBucket', 'arn:aws:s3:::payroll')).toBe(true);
    expect(fix.notes.join(' ')).not.toContain('Group policies stay attached');
  });

  it("an observed call only the group grants is verified against the group policy that stays, and counted", () => {
    const p = plan(ownScratch, groupBroad, [...used, { action: 'dynamodb:GetItem', resources: [`arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/orders`] }]);
    const fix = p.fixes.find((f) => f.kind === 'replace-policy')!;
    expect(allowed(docsOf(fix.after), 'dynamodb:GetItem', `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/orders`)).toBe(false);
    expect(fix.verification.observedCallsDenied).toEqual([]);
    expect(fix.verification.safe).toBe(true);
    // The boundary's count and the right-sized one agree: both are what the user keeps once applied.
    const boundary = p.fixes.find((f) => f.kind === 'permissions-boundary')!;
    expect(fix.countsAfter!.allowedActions).toBe(boundary.countsAfter!.allowedActions);
  });
});

describe('no right-sized policy without a statement', () => {
  it("a user whose need only its group grants: no replace-policy (it would be empty), and the boundary says why", () => {
    const p = plan(policy(allow('iam:ListUsers', '*')), groupBroad, [{ action: 'dynamodb:GetItem', resources: [`arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/orders`] }]);
    expect(p.fixes.map((f) => f.kind)).not.toContain('replace-policy');
    const boundary = p.fixes.find((f) => f.kind === 'permissions-boundary')!;
    expect(boundary.notes.join(' ')).toContain("No right-sized policy: the user's own policies grant none of the needed actions");
    expect(p.target.replacesPolicies).toBeUndefined();
  });

  it('control: with an own grant of the need, the replace-policy is there and has a statement', () => {
    const p = plan(policy(allow(['iam:ListUsers', 'dynamodb:GetItem'], '*')), groupBroad, [{ action: 'dynamodb:GetItem', resources: [`arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/orders`] }]);
    const fix = p.fixes.find((f) => f.kind === 'replace-policy')!;
    expect(docsOf(fix.after).flatMap((d) => d.statements).length).toBeGreaterThan(0);
    expect(p.fixes.find((f) => f.kind === 'permissions-boundary')!.notes.join(' ')).not.toContain('No right-sized policy');
  });
});
