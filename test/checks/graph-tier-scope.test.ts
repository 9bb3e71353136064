// The graph's tiers compare actions, not where they apply (session 37): a caller that holds an
// action only on named resources "already has" it by power.ts `gain`, so a role it can act as that
// holds the same action on every resource added nothing in privilege-escalation. The check now
// asks again where the tiers say "nothing more" (src/checks/widen.ts, graph `escalatingEdges`'
// `widen`). reaches-admin's gate was checked too: it did not have the gap (admin is the reach's
// own verdict, not an action comparison); pinned below with its controls. Through the real
// analysis (export normaliser, effective stage, graph, checks), real AWS managed policies where
// the shared fixtures are present.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { analyzeSnapshots, defaultConfig } from '../../src/pipeline/scan.js';
import { severityRank, type Finding } from '../../src/model/finding.js';
import { DEV, allow, arn, deny, doc, snapshot, trust, type AccountSpec, type Doc } from '../graph/accounts.js';
import { AGENT, TYPE_WIDE, account, deleteTable, table } from '../support/tier-scope.js';
import { SKIP_REASON, sharedFixture, sharedFixturesPresent } from '../support/fixtures.js';

const NOW = new Date('2026-12-01T12:00:00Z');
const opts = { scanId: 't', startedAt: NOW.toISOString(), now: NOW, fixes: false };
function findings(spec: AccountSpec): Finding[] {
  return analyzeSnapshots([snapshot(spec)], defaultConfig(), opts).flatMap((a) => a.report.findings).filter((f) => f.principalArn === AGENT);
}
const assumeEscalation = (spec: AccountSpec) => findings(spec).filter((f) => f.checkId === 'privilege-escalation' && f.technique === 'sts-assume-permissive-role');
const severities = (fs: Finding[]) => fs.map((f) => `${f.checkId}:${f.severity}`);

describe('privilege-escalation: a role that holds on every resource what the caller holds on named ones', () => {
  it('DeleteTable only on kiro-scratch-* tables itself, every table as deploy: high, and why', () => {
    const [f, ...rest] = assumeEscalation(account([deleteTable(table('kiro-scratch-*'))], { deploy: [deleteTable('*')] }));
    expect(rest).toEqual([]);
    expect(f!.severity).toBe('high');
    expect(f!.title).toBe('kiro-agent can escalate privileges: Assume a role whose trust policy already allows the caller, gaining dynamodb:DeleteTable on every resource');
    expect(f!.description).toContain('which adds destructive actions');
    expect(f!.description).toContain('It holds dynamodb:DeleteTable itself only on table/kiro-scratch-*; it reaches deploy, which holds it on every resource');
  });

  it('controls: the caller holds it on every table itself (`*` or `table/*`), or the role only on named tables: no finding', () => {
    expect(assumeEscalation(account([deleteTable('*')], { deploy: [deleteTable('*')] }))).toEqual([]);
    expect(assumeEscalation(account([deleteTable(TYPE_WIDE)], { deploy: [deleteTable('*')] }))).toEqual([]);
    expect(assumeEscalation(account([deleteTable(table('kiro-scratch-*'))], { deploy: [deleteTable(table('kiro-tmp-*'))] }))).toEqual([]);
  });

  it('control: a boundary on the reached role capping the delete to kiro-* tables: no finding', () => {
    const spec = account([deleteTable(table('kiro-scratch-*'))], { deploy: [deleteTable('*')] }, { roleOpts: { deploy: { boundary: 'cap' } }, policies: { cap: doc(allow('dynamodb:*', table('kiro-*'))) } });
    expect(assumeEscalation(spec)).toEqual([]);
  });

  it('control: the caller\'s own statements decide — `*` beside a Deny with NotResource behind a Condition reads as every table, so nothing is widened', () => {
    // Session 38: the unconditional form is read as scoped and widened (deny-not-resource-scope.test.ts).
    const own = [deleteTable('*'), { Effect: 'Deny', Action: 'dynamodb:DeleteTable', NotResource: table('kiro-scratch-*'), Condition: { Bool: { 'aws:ViaAWSService': 'false' } } }];
    expect(assumeEscalation(account(own, { deploy: [deleteTable('*')] }))).toEqual([]);
  });

  it('IAM write and credential access widen the same way (high), each with a control', () => {
    const [w] = assumeEscalation(account([allow('iam:DeleteRolePolicy', arn(DEV, 'role', 'kiro-*'))], { deploy: [allow('iam:DeleteRolePolicy')] }));
    expect(w!.severity).toBe('high');
    expect(w!.description).toContain('which adds IAM write actions');
    expect(w!.description).toContain('It holds iam:DeleteRolePolicy itself only on role/kiro-*');
    expect(assumeEscalation(account([allow('iam:DeleteRolePolicy')], { deploy: [allow('iam:DeleteRolePolicy')] }))).toEqual([]);
    const dbuser = `arn:aws:redshift:us-east-1:${DEV}:dbuser:kiro/*`;
    const [c] = assumeEscalation(account([allow('redshift:GetClusterCredentials', dbuser)], { deploy: [allow('redshift:GetClusterCredentials')] }));
    expect(c!.severity).toBe('high');
    expect(c!.description).toContain('which adds credential access');
    expect(assumeEscalation(account([allow('redshift:GetClusterCredentials', dbuser)], { deploy: [allow('redshift:GetClusterCredentials', dbuser)] }))).toEqual([]);
  });

  it('a hop action the graph follows itself (iam:PassRole) is not widened: where it applies is the graph\'s edges', () => {
    expect(assumeEscalation(account([allow('iam:PassRole', arn(DEV, 'role', 'kiro-*'))], { deploy: [allow('iam:PassRole')] }))).toEqual([]);
  });

  it('beside a new action that already gains the tier, the widening is said too', () => {
    const [f] = assumeEscalation(account([deleteTable(table('kiro-scratch-*'))], { deploy: [deleteTable('*'), allow('cloudformation:DeleteStack')] }));
    expect(f!.severity).toBe('high');
    expect(f!.title).toContain('gaining dynamodb:DeleteTable on every resource');
    // A widening in a higher tier than the new action's decides: IAM write above destructive.
    const [g] = assumeEscalation(account([allow('iam:DeleteRolePolicy', arn(DEV, 'role', 'kiro-*'))], { deploy: [allow('iam:DeleteRolePolicy'), allow('cloudformation:DeleteStack')] }));
    expect(g!.description).toContain('which adds IAM write actions');
    expect(g!.title).toContain('gaining iam:DeleteRolePolicy on every resource');
  });

  it('a new delete only on a named bucket does not lower the finding when the same role widens DeleteTable to every table', () => {
    const bucket = allow('s3:DeleteBucket', 'arn:aws:s3:::kiro-bucket');
    const [f] = assumeEscalation(account([deleteTable(table('kiro-scratch-*'))], { deploy: [deleteTable('*'), bucket] }));
    expect(f!.severity).toBe('high');
    expect(f!.title).not.toContain('adding destructive actions only on');
    // Control: without the caller's own scoped DeleteTable, the bucket delete alone is lowered (session 36).
    const [g] = assumeEscalation(account([], { deploy: [bucket] }));
    expect(g!.severity).toBe('medium');
  });

  it('hostile pattern text is escaped', () => {
    const [f] = assumeEscalation(account([deleteTable(table('kiro-\u001b[31mscratch-*'))], { deploy: [deleteTable('*')] }));
    expect(f!.description).not.toContain('\u001b');
    expect(f!.description).toContain('only on table/kiro-');
  });
});

describe('a role that holds it on every table by a type-wide pattern (`table/*`): widened by the same strict rule as data-exfiltration', () => {
  const own = [deleteTable(table('kiro-scratch-*'))];
  it('privilege-escalation and agent-reaches-destructive both see it', () => {
    const all = findings(account(own, { deploy: [deleteTable(TYPE_WIDE)] }));
    const esc = all.filter((f) => f.checkId === 'privilege-escalation' && f.technique === 'sts-assume-permissive-role');
    expect(severities(esc)).toEqual(['privilege-escalation:high']);
    expect(esc[0]!.description).toContain('it reaches deploy, which holds it on every resource');
    const reach = all.filter((f) => f.checkId === 'agent-reaches-destructive');
    expect(severities(reach)).toEqual(['agent-reaches-destructive:high']);
    expect(reach[0]!.description).toContain('This agent may dynamodb:DeleteTable itself only on named resources, but it can act as deploy');
    expect(reach[0]!.title).not.toContain('only on');
  });

  it('controls (strict): a Condition on the type-wide Allow, a Deny on some tables beside it, or a boundary naming tables: neither check', () => {
    const cases = [
      account(own, { deploy: [deleteTable(TYPE_WIDE, { Bool: { 'aws:SecureTransport': 'true' } })] }),
      account(own, { deploy: [deleteTable(TYPE_WIDE), deny('dynamodb:DeleteTable', table('prod-*'))] }),
      account(own, { deploy: [deleteTable(TYPE_WIDE)] }, { roleOpts: { deploy: { boundary: 'cap' } }, policies: { cap: doc(allow('dynamodb:*', table('kiro-*'))) } }),
    ];
    for (const spec of cases) {
      const all = findings(spec);
      expect(all.filter((f) => (f.checkId === 'privilege-escalation' && f.technique === 'sts-assume-permissive-role') || f.checkId === 'agent-reaches-destructive')).toEqual([]);
    }
  });
});

describe('reaches-admin\'s gate (the brief\'s example): not affected', () => {
  // `gains() === 'admin'` is the reach's own admin verdict (a role that may put any policy on
  // itself reaches the account's "any policy" state), never an action comparison: the caller's
  // own scoped iam:PutRolePolicy cannot hide it. Pinned, with controls.
  const own = [allow('iam:PutRolePolicy', arn(DEV, 'role', 'agent-scratch'))];
  const scratch = { name: 'agent-scratch', trust: trust({ Service: 'lambda.amazonaws.com' }), inline: [doc(allow('logs:CreateLogGroup'))] };
  const admin = (spec: AccountSpec) => findings(spec).filter((f) => f.checkId === 'reaches-admin');

  it('own PutRolePolicy only on role/agent-scratch, a role with PutRolePolicy on `*`: critical, one hop', () => {
    const [f] = admin(account(own, { deploy: [allow('iam:PutRolePolicy')] }, { extraRoles: [scratch] }));
    expect(f!.severity).toBe('critical');
    expect(f!.description).toContain('deploy');
  });

  it.skipIf(!sharedFixturesPresent)(`AWS's AdministratorAccess on the role: critical; under a boundary allowing s3:* only: none${sharedFixturesPresent ? '' : ` (skipped: ${SKIP_REASON})`}`, () => {
    const all = JSON.parse(readFileSync(sharedFixture('aws-managed-policies/aws-managed-policies.json'), 'utf8')) as Record<string, { arn: string; document: Doc }>;
    const aa = all.AdministratorAccess!;
    const policies = { [aa.arn]: aa.document, cap: doc(allow('s3:*')) };
    expect(admin(account(own, { deploy: [] }, { roleOpts: { deploy: { managed: [aa.arn] } }, policies, extraRoles: [scratch] })).map((f) => f.severity)).toEqual(['critical']);
    expect(admin(account(own, { deploy: [] }, { roleOpts: { deploy: { managed: [aa.arn], boundary: 'cap' } }, policies, extraRoles: [scratch] }))).toEqual([]);
  });

  it('controls: the role holds PutRolePolicy only on a role nobody acts as, or under a boundary without IAM: none', () => {
    expect(admin(account(own, { deploy: [allow('iam:PutRolePolicy', arn(DEV, 'role', 'deploy-scratch'))] }, { extraRoles: [scratch] }))).toEqual([]);
    const capped = account(own, { deploy: [allow('iam:PutRolePolicy')] }, { roleOpts: { deploy: { boundary: 'cap' } }, policies: { cap: doc(allow('s3:*')) }, extraRoles: [scratch] });
    expect(admin(capped)).toEqual([]);
  });
});

// A reached role's statements from a pool; adding one never lowers what privilege-escalation says
// of assuming it. Scoped patterns first (fast-check favours the first constants).
const POOL: unknown[] = [
  deleteTable(table('kiro-tmp-*')), deleteTable('*'), deleteTable(TYPE_WIDE), deleteTable(table('prod-orders')),
  allow('iam:DeleteRolePolicy', arn(DEV, 'role', 'kiro-*')), allow('iam:DeleteRolePolicy'), deleteTable(TYPE_WIDE, { Bool: { 'aws:SecureTransport': 'true' } }),
];
const OWN: unknown[][] = [[deleteTable(table('kiro-scratch-*'))], [deleteTable(table('kiro-scratch-*')), allow('iam:DeleteRolePolicy', arn(DEV, 'role', 'kiro-agent'))], []];
const outcome = (role: unknown[], own: unknown[]) => {
  const fs = assumeEscalation(account(own, { deploy: role }));
  return { rank: Math.max(-1, ...fs.map((f) => severityRank[f.severity])), widened: fs.some((f) => f.title.includes(' on every resource')) };
};

describe('properties', () => {
  it('adding a statement to the reached role never lowers the escalation finding', () => {
    let widened = 0;
    fc.assert(fc.property(fc.array(fc.constantFrom(...POOL), { maxLength: 3 }), fc.constantFrom(...POOL), fc.constantFrom(...OWN), (base, extra, own) => {
      const before = outcome(base, own);
      const after = outcome([...base, extra], own);
      expect(after.rank).toBeGreaterThanOrEqual(before.rank);
      if (after.widened) widened++;
    }), { numRuns: 40, examples: [[[], deleteTable('*'), OWN[0]!]] });
    // Some draws were decided by a widening (the example is one), not only by new actions.
    expect(widened).toBeGreaterThan(0);
  });
});
