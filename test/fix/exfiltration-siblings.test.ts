// Audit (session 29): the right-sized policy kept unobserved read siblings the data-exfiltration
// check lists (dynamodb:GetItem, logs:GetLogEvents on `*`), so after applying the fix a re-scan
// still had the finding the fix claimed to resolve. Each case applies the fix (right-sized policy
// + boundary) to a fresh export and runs leash's own checks on it.
import { describe, expect, it } from 'vitest';
import { analyzePrincipals } from '../../src/checks/analyze.js';
import { runChecks } from '../../src/checks/run.js';
import { defaultConfig } from '../../src/config/config.js';
import { computeNeeded } from '../../src/baseline/needed.js';
import { linkFixes, planFixes } from '../../src/fix/plan.js';
import { runScanWithFixes } from '../../src/pipeline/scan.js';
import { evaluate } from '../../src/iam/evaluate.js';
import { flattenReasons } from '../../src/fix/reasons.js';
import { catalog } from '../../src/iam/catalog.js';
import { policyToJson } from '../../src/iam/parse.js';
import { ActionExpander } from '../../src/iam/pattern.js';
import type { PolicyDocument } from '../../src/model/policy.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import type { ActionUsage, UsageData } from '../../src/model/usage.js';
import { ACCOUNT, doc, snapshotOf } from '../support/snapshot.js';

const expander = new ActionExpander(catalog());
const NAME = 'data-agent';
const ARN = `arn:aws:iam::${ACCOUNT}:role/${NAME}`;
const TABLE = `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/orders`;
const tags = { 'ai-agent': 'true' };
const use = (action: string, resources: string[] = []): ActionUsage => ({ action, count: 5, firstSeen: '2026-11-01T00:00:00Z', lastSeen: '2026-11-20T09:00:00Z', resources });
const usage = (actions: ActionUsage[]): UsageData => ({
  // Data events read: nothing is kept as "unknown, not unused", so only siblings can widen.
  window: { start: '2026-08-26T00:00:00Z', end: '2026-11-24T00:00:00Z' }, coveredPrincipals: 'all', recordsRead: 100, dataEventsRead: 40, unmapped: [],
  byPrincipal: { [ARN]: { principalArn: ARN, actions, sessions: [], userAgents: {}, sourceIps: [], firstSeen: '2026-11-01T00:00:00Z', lastSeen: '2026-11-20T00:00:00Z' } },
});
const config = defaultConfig(); // balanced: read siblings of used services

function scan(s: Snapshot) {
  const principals = analyzePrincipals(s, config, expander);
  return { principals, findings: runChecks({ snapshot: s, principals, config, expander, now: new Date('2026-11-24T12:00:00Z') }).findings };
}
const exfiltration = (s: Snapshot) => scan(s).findings.find((f) => f.checkId === 'data-exfiltration' && f.principalArn === ARN);

/** Plan the fixes, link them to the scan's findings, and re-scan with the right-sized policy and boundary applied. */
function planAndApply(grant: ReturnType<typeof doc>, observed: ActionUsage[]) {
  const before = snapshotOf([{ name: NAME, inline: [grant], tags }], {}, { usage: usage(observed) });
  const { principals, findings } = scan(before);
  const a = principals.find((p) => p.principal.arn === ARN)!;
  const needed = computeNeeded(a, before.usage, config, expander);
  const mine = findings.filter((f) => f.principalArn === ARN);
  const plan = linkFixes(planFixes(a, needed, before, config, expander, mine.map((f) => f.id)), mine);
  const replace = plan.fixes.find((f) => f.kind === 'replace-policy')!;
  const boundary = plan.fixes.find((f) => f.kind === 'permissions-boundary')!;
  const parts = (Array.isArray(replace.after) ? replace.after : [replace.after]) as PolicyDocument[];
  const after = snapshotOf(
    [{ name: NAME, inline: parts.map((d) => policyToJson(d) as ReturnType<typeof doc>), boundary: 'leash-boundary', tags }],
    { 'leash-boundary': policyToJson(boundary.after as PolicyDocument) as ReturnType<typeof doc> },
    { usage: usage(observed) },
  );
  const finding = mine.find((f) => f.checkId === 'data-exfiltration');
  return { before, after, needed, replace, boundary, finding, has: (k: string) => needed.actions.has(expander.catalog.lookup(k)!.id) };
}

describe('right-sizing never widens into reads the data-exfiltration check flags', () => {
  const grant = doc({ Effect: 'Allow', Action: ['dynamodb:*', 'logs:*'], Resource: '*' });

  it('an unobserved dynamodb/logs read sibling on `*` is left out, so the applied fix closes the finding it claims', () => {
    const r = planAndApply(grant, [use('dynamodb:DescribeTable', [TABLE]), use('logs:DescribeLogGroups')]);
    expect(r.finding, 'the finding before the fix').toBeDefined();
    for (const k of ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:BatchGetItem', 'logs:GetLogEvents', 'logs:FilterLogEvents', 'logs:StartQuery']) expect(r.has(k), k).toBe(false);
    // Negative control: read siblings off the list are still added, as before.
    for (const k of ['dynamodb:ListTables', 'dynamodb:DescribeTimeToLive', 'logs:DescribeLogStreams']) expect(r.has(k), k).toBe(true);
    expect(exfiltration(r.after)).toBeUndefined();
    expect(r.replace.resolves).toContain(r.finding!.id);
    const reasons = flattenReasons(r.replace.actionReasons!);
    expect(reasons.find((x) => x.action === 'dynamodb:GetItem')).toMatchObject({ decision: 'removed', reason: 'sensitive-read', detail: expect.stringMatching(/never observed; granted on every resource today, where the data-exfiltration check flags it/) });
    expect(reasons.find((x) => x.action === 'dynamodb:ListTables')).toMatchObject({ decision: 'kept', reason: 'read-sibling' });
    expect(r.replace.notes.join(' ')).not.toMatch(/Data exfiltration stays open/);
  });

  it('an observed read stays, scoped to the table it was used on: closed; observed where CloudTrail named no resource: open, and not claimed', () => {
    const scoped = planAndApply(grant, [use('dynamodb:GetItem', [TABLE])]);
    expect(scoped.has('dynamodb:GetItem')).toBe(true);
    expect(exfiltration(scoped.after)).toBeUndefined();
    expect(scoped.replace.resolves).toContain(scoped.finding!.id);

    const open = planAndApply(grant, [use('logs:GetLogEvents')]);
    expect(open.has('logs:GetLogEvents')).toBe(true);
    expect(exfiltration(open.after)?.actions).toEqual(['logs:GetLogEvents']);
    expect(open.replace.resolves).not.toContain(open.finding!.id);
    expect(open.replace.notes.join(' ')).toMatch(/Data exfiltration stays open after this fix: logs:GetLogEvents still allowed on every resource \(1 of them observed\)/);
    // The boundary alone (today's identity policy kept) leaves the observed read on `*` as well.
    expect(open.boundary.resolves).not.toContain(open.finding!.id);
    // Control: the finding is still opened from the fix's other claims.
    expect(open.finding!.fixIds).not.toContain(open.replace.id);
    expect(scoped.finding!.fixIds).toContain(scoped.replace.id);
  });

  it('a listed read granted today only on one table is no finding, so it stays a sibling (control)', () => {
    const narrow = doc({ Effect: 'Allow', Action: ['dynamodb:*'], Resource: TABLE }, { Effect: 'Allow', Action: ['dynamodb:ListTables'], Resource: '*' });
    const r = planAndApply(narrow, [use('dynamodb:DescribeTable', [TABLE])]);
    expect(r.finding).toBeUndefined();
    expect(r.has('dynamodb:GetItem')).toBe(true);
    expect(exfiltration(r.after)).toBeUndefined();
  });
});

describe('a finding that names what the principal reads (with an inventory) is claimed only by a fix that removes those reads', () => {
  it('on the demo: the Bedrock role keeps reading the orders table it used, so no fix claims it; cursor-ci-bot\'s unused read goes, and is claimed (control)', async () => {
    const { report } = await runScanWithFixes({ demo: true, fixes: true, now: new Date('2026-11-24T00:00:00Z') });
    const named = (name: string) => {
      const p = report.principals.find((x) => x.name === name)!;
      const f = report.findings.find((x) => x.principalArn === p.arn && x.checkId === 'data-exfiltration' && x.subject === 'exfiltration-named')!;
      const replace = report.fixes.find((x) => x.principalArn === p.arn && x.kind === 'replace-policy')!;
      const boundary = report.fixes.find((x) => x.principalArn === p.arn && x.kind === 'permissions-boundary')!;
      const identity = (Array.isArray(replace.after) ? replace.after : [replace.after]) as PolicyDocument[];
      // Each named read, re-evaluated on the named resource against the right-sized policy and boundary.
      const stillAllowed = f.resources!.flatMap((r) => r.actions.map((action) => ({ action, resource: r.type === 's3-bucket' || r.arn.startsWith('arn:aws:s3:::') ? `${r.arn}/any-object` : r.arn })))
        .filter((req) => evaluate(req, { identity, boundary: [boundary.after as PolicyDocument] }).decision === 'Allowed');
      return { f, replace, boundary, stillAllowed };
    };
    const bedrock = named('AmazonBedrockExecutionRoleForAgents_orders');
    expect(bedrock.stillAllowed.length).toBeGreaterThan(0);
    expect(bedrock.replace.resolves).not.toContain(bedrock.f.id);
    expect(bedrock.boundary.resolves).not.toContain(bedrock.f.id);
    const cursor = named('cursor-ci-bot');
    expect(cursor.stillAllowed).toEqual([]);
    expect(cursor.replace.resolves).toContain(cursor.f.id);
  });
});
