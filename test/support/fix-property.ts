// Generated accounts and their fixes' after-states, for the "a fix never grants more than
// today" properties (test/review/fix-never-more.test.ts).
import fc from 'fast-check';
import { analyzePrincipals } from '../../src/checks/analyze.js';
import { computeNeeded } from '../../src/baseline/needed.js';
import { defaultConfig } from '../../src/config/config.js';
import { planFixes } from '../../src/fix/plan.js';
import { catalog } from '../../src/iam/catalog.js';
import { evaluate, type PolicySet } from '../../src/iam/evaluate.js';
import { parsePolicy } from '../../src/iam/parse.js';
import { ActionExpander } from '../../src/iam/pattern.js';
import type { PolicyDocument } from '../../src/model/policy.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import type { UsageData } from '../../src/model/usage.js';
import { contextArb, REQUEST_POOL, statementArb, type JsonPolicy } from './arbitraries.js';
import { IamExportBuilder, type PolicyJson } from './iam-export-builder.js';
import { snapshotFromExport } from './privesc-run.js';

const ACCOUNT = '111122223333';
const NOW = new Date('2026-11-24T12:00:00Z');
const expander = new ActionExpander(catalog());

// Allow-heavy, aimed at the request pool; Deny, conditions, NotAction and NotResource all occur.
const stmt = fc.oneof({ arbitrary: statementArb({ effects: ['Allow'] }), weight: 3 }, { arbitrary: statementArb(), weight: 1 });
const policyArb = fc.array(stmt, { minLength: 1, maxLength: 4 }).map((Statement): JsonPolicy => ({ Version: '2012-10-17', Statement }));
// A current boundary: usually broad with a scope or a Deny in it, sometimes generated.
const boundaryArb = fc.oneof(
  fc.constant<JsonPolicy>({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }, { Effect: 'Deny', Action: 'iam:*', Resource: '*' }] }),
  fc.constant<JsonPolicy>({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:*', 'ec2:*'], Resource: '*' }, { Effect: 'Allow', Action: 'dynamodb:*', Resource: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/*` }] }),
  policyArb,
);

export interface Case {
  kind: 'role' | 'user';
  own: JsonPolicy[];
  group: JsonPolicy | undefined;
  boundary: JsonPolicy | undefined;
  observed: number[];
  contexts: Record<string, string | string[]>[];
  mode: 'strict' | 'balanced';
  /** The principal's own tag `team` (a request's aws:PrincipalTag/team is this, or absent). */
  team: string | undefined;
  /** The export names the current boundary but does not hold it (a filtered export). */
  boundaryMissing: boolean;
}
export const caseArb: fc.Arbitrary<Case> = fc.record({
  kind: fc.constantFrom('role' as const, 'user' as const),
  own: fc.array(policyArb, { minLength: 1, maxLength: 2 }),
  group: fc.option(policyArb, { nil: undefined }),
  boundary: fc.option(boundaryArb, { nil: undefined, freq: 3 }),
  observed: fc.uniqueArray(fc.nat({ max: REQUEST_POOL.length - 1 }), { minLength: 1, maxLength: 6 }),
  contexts: fc.array(contextArb, { minLength: 2, maxLength: 4 }),
  mode: fc.constantFrom('strict' as const, 'balanced' as const),
  team: fc.option(fc.constantFrom('platform', 'data'), { nil: undefined }),
  boundaryMissing: fc.boolean(),
});

export function build(c: Case): { snapshot: Snapshot; arn: string } {
  const b = new IamExportBuilder(ACCOUNT);
  const inline = Object.fromEntries(c.own.map((p, i) => [`own-${i}`, p as unknown as PolicyJson]));
  const boundary = c.boundary ? b.customerPolicy('current-boundary', c.boundary as unknown as PolicyJson) : undefined;
  const tags = { 'ai-agent': 'true', ...(c.team ? { team: c.team } : {}) };
  let arn: string;
  if (c.kind === 'user') {
    if (c.group) b.group('team', { inline: { 'team-policy': c.group as unknown as PolicyJson } });
    arn = b.user('agent-runner', { inline, tags, groups: c.group ? ['team'] : [], ...(boundary ? { boundary } : {}) });
  } else {
    arn = b.role('agent-runner', { trust: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sts:AssumeRole' }] }, inline, tags, ...(boundary ? { boundary } : {}) });
  }
  const exported = b.build();
  if (c.boundaryMissing && boundary) exported.Policies = exported.Policies.filter((x) => x.Arn !== boundary);
  const snapshot = snapshotFromExport(exported, 'generated.json', { now: NOW });
  const usage: UsageData = {
    window: { start: '2026-10-24T00:00:00Z', end: '2026-11-23T23:59:59Z' }, coveredPrincipals: 'all', recordsRead: 10, unmapped: [],
    byPrincipal: { [arn]: {
      principalArn: arn, sessions: [], userAgents: {}, sourceIps: [], firstSeen: '2026-11-01T00:00:00Z', lastSeen: '2026-11-20T00:00:00Z',
      actions: c.observed.map((i) => REQUEST_POOL[i]!).map((r) => ({ action: r.action, count: 2, firstSeen: '2026-11-01T00:00:00Z', lastSeen: '2026-11-20T00:00:00Z', resources: r.resource === '*' ? [] : [r.resource] })),
    } },
  };
  return { snapshot: { ...snapshot, usage }, arn };
}

export const decide = (r: { action: string; resource: string }, values: Record<string, readonly string[]>, set: PolicySet) =>
  evaluate({ action: r.action, resource: r.resource, context: { values, closedWorld: true } }, set).decision;
const docs = (x: unknown) => (Array.isArray(x) ? x : [x]) as PolicyDocument[];
function parsed(j: JsonPolicy): PolicyDocument {
  const r = parsePolicy(j, 'identity');
  if (!r.ok) throw new Error(`generated boundary did not parse: ${JSON.stringify(r.error)}`);
  return r.document;
}

/** Every fix's after-state as IAM would evaluate it once applied. */
export function afterStates(c: Case, snapshot: Snapshot, arn: string) {
  const config = { ...defaultConfig(), baseline: { ...defaultConfig().baseline, mode: c.mode } };
  const a = analyzePrincipals(snapshot, config, expander).find((x) => x.principal.arn === arn)!;
  const needed = computeNeeded(a, snapshot.usage, config, expander);
  const plan = planFixes(a, needed, snapshot, config, expander, ['f1']);
  const p = a.principal;
  // Today's boundary is the account's, held by the export or not.
  const current = p.boundary?.document ?? (c.boundary ? parsed(c.boundary) : undefined);
  const today: PolicySet = { identity: p.policies.map((x) => x.document), ...(current ? { boundary: [current] } : {}) };
  // What a right-sized policy does not replace stays attached: a user's group policies.
  const stays = p.policies.filter((x) => x.origin.kind === 'group-inline' || x.origin.kind === 'group-managed').map((x) => x.document);
  // A fix leash does not call safe is one a reviewer does not apply (checked only when the export lacks the boundary).
  const applied = (f: { verification: { safe: boolean } } | undefined) => f !== undefined && (!c.boundaryMissing || f.verification.safe);
  const boundaryFix = plan.fixes.find((f) => f.kind === 'permissions-boundary');
  const boundary = applied(boundaryFix) ? [boundaryFix!.after as PolicyDocument] : today.boundary;
  const states: { kind: string; set: PolicySet }[] = [];
  if (applied(boundaryFix)) states.push({ kind: 'permissions-boundary', set: { identity: today.identity, boundary: boundary! } });
  const replace = plan.fixes.find((f) => f.kind === 'replace-policy');
  const identityAfter = applied(replace) ? [...docs(replace!.after), ...stays] : today.identity;
  if (applied(replace)) states.push({ kind: 'replace-policy', set: { identity: identityAfter, ...(boundary ? { boundary } : {}) } });
  const session = plan.fixes.find((f) => f.kind === 'session-policy');
  if (applied(session)) states.push({ kind: 'session-policy', set: { identity: identityAfter, ...(boundary ? { boundary } : {}), session: [session!.after as PolicyDocument] } });
  return { today, states, needed, plan };
}

/** A generated context made true to the principal: its ARN, and its own tag or none. */
export const valuesOf = (ctx: Record<string, string | string[]>, c: Pick<Case, 'team'>, arn: string) => {
  const values: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(ctx)) values[k.toLowerCase()] = Array.isArray(v) ? v : [v];
  values['aws:principalarn'] = [arn];
  delete values['aws:principaltag/team'];
  if (c.team) values['aws:principaltag/team'] = [c.team];
  return values;
};

