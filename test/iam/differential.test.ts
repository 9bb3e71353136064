// Differential test: our evaluator in closed-world mode against @cloud-copilot/iam-simulate
// (AGPL, dev-only oracle; never imported from src/). fast-check generates identity policies, a
// permissions boundary, SCP levels and session policies aimed at a concrete request; both
// engines must reach the same decision on every case.
//
// One class of case is filtered, with the reason: a policy variable whose key is absent from
// the request, used inside NotResource or as the value of a negated condition operator
// (StringNotEquals, StringNotLike, ...). AWS documents that a resource containing a variable with
// no value "will not match any resource", and that negated operators "do match against a null
// value" (IAM User Guide, reference_policies_variables.html#policy-vars-no-value). Our engine
// follows that text; iam-simulate 0.1.173 instead treats the unresolvable variable as making the
// element fail (NotResource "unresolvablePolicyVariable" is not inverted; negated operators
// return matches:false on errors), which turns those statements off. The cases are counted and
// must stay a small share so the filter cannot hide a broad disagreement.
//
// Other known differences are kept out of the generators rather than filtered (epoch vs ISO
// dates, 0.0.0.0/0, `${*}` under StringEquals, ...); each is listed with its reason above
// typedConditionEntryArb in test/support/arbitraries.ts. Service-prefix wildcards (`*:Get*`) are
// rejected by the simulator's validator and stay out of the pools too.
import { runSimulation } from '@cloud-copilot/iam-simulate';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluate, type Decision, type PolicySet } from '../../src/iam/evaluate.js';
import { parsePolicy } from '../../src/iam/parse.js';
import type { PolicyDocument } from '../../src/model/policy.js';
import { ACCOUNT, differentialCaseArb, PRINCIPAL_ARN, typedConditionCaseArb, type DifferentialCase, type JsonPolicy } from '../support/arbitraries.js';

// A deeper run for hunting: LEASH_DIFF_RUNS=20000 LEASH_DIFF_SEED=42 npx vitest run test/iam/differential.test.ts
const SCALE = Math.max(1, Number(process.env.LEASH_DIFF_RUNS ?? 600) / 600);
const SEED = process.env.LEASH_DIFF_SEED === undefined ? undefined : Number(process.env.LEASH_DIFF_SEED);

const NEGATED_OPERATOR = /^(for(any|all)value:)?(string|numeric|date|arn)not|^(for(any|all)value:)?notipaddress/i;

function doc(p: JsonPolicy): PolicyDocument {
  const r = parsePolicy(p, 'identity');
  if (!r.ok) throw new Error(`generated policy did not parse: ${JSON.stringify(r.error)}`);
  return r.document;
}

function variablesIn(text: string): string[] {
  return [...text.matchAll(/\$\{([^}]+)\}/g)].map((m) => m[1]!.toLowerCase());
}

/** True when a variable with no value sits where the two engines are known to read AWS's docs differently. */
function hasValuelessVariableInNegatedPosition(c: DifferentialCase, presentKeys: ReadonlySet<string>): boolean {
  const policies = [...c.identity, ...(c.boundary ? [c.boundary] : []), ...(c.scps ?? []).flat(), ...(c.session ? [c.session] : [])];
  const missing = (text: string) => variablesIn(text).some((v) => !presentKeys.has(v));
  return policies.some((p) =>
    p.Statement.some((st) => {
      if (st.NotResource !== undefined && missing(JSON.stringify(st.NotResource))) return true;
      const cond = (st.Condition ?? {}) as Record<string, unknown>;
      return Object.entries(cond).some(([op, keys]) => NEGATED_OPERATOR.test(op) && missing(JSON.stringify(keys)));
    }),
  );
}

interface Tally {
  compared: number;
  filtered: number;
  decisions: Record<string, number>;
}

async function compare(c: DifferentialCase, tally: Tally): Promise<void> {
  const { action, resource } = c.request.target;
  const sim = await runSimulation(
    {
      request: { principal: PRINCIPAL_ARN, action, resource: { resource, accountId: ACCOUNT }, contextVariables: c.request.context },
      identityPolicies: c.identity.map((policy, i) => ({ name: `identity-${i}`, policy })),
      ...(c.boundary ? { permissionBoundaryPolicies: [{ name: 'boundary', policy: c.boundary }] } : {}),
      serviceControlPolicies: (c.scps ?? []).map((level, i) => ({
        orgIdentifier: i === 0 ? 'r-root' : `ou-level-${i}`,
        policies: level.map((policy, j) => ({ name: `scp-${i}-${j}`, policy })),
      })),
      resourceControlPolicies: [],
      ...(c.session ? { sessionPolicy: c.session } : {}),
    },
    {},
  );
  // The pools only hold actions, ARNs and keys the simulator accepts; an error here means the
  // generator drifted, and silently skipping would make the test vacuous.
  if (sim.resultType !== 'single') throw new Error(`simulator did not run the case: ${JSON.stringify(sim.resultType === 'error' ? sim.errors : sim.resultType)}`);

  // The simulator drops context keys that do not apply to the action (e.g. s3:prefix on
  // s3:GetObject), as AWS would never send them; give our engine the same request context.
  const ignored = new Set(sim.result.ignoredContextKeys ?? []);
  const values: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(c.request.context)) if (!ignored.has(k)) values[k.toLowerCase()] = Array.isArray(v) ? v : [v];
  if (hasValuelessVariableInNegatedPosition(c, new Set(Object.keys(values)))) {
    tally.filtered++;
    return;
  }

  const policies: { -readonly [K in keyof PolicySet]: PolicySet[K] } = { identity: c.identity.map(doc) };
  if (c.boundary) policies.boundary = [doc(c.boundary)];
  if (c.scps) policies.scps = c.scps.map((level) => level.map(doc));
  if (c.session) policies.session = [doc(c.session)];
  const ours: Decision = evaluate({ action, resource, context: { values, closedWorld: true } }, policies).decision;

  tally.compared++;
  tally.decisions[ours] = (tally.decisions[ours] ?? 0) + 1;
  expect({ ours, request: c.request.target, context: values }).toEqual({ ours: sim.overallResult, request: c.request.target, context: values });
}

function newTally(): Tally {
  return { compared: 0, filtered: 0, decisions: {} };
}

describe('differential: evaluate() in closed-world mode agrees with iam-simulate', () => {
  it('on identity policies with an optional permissions boundary', async () => {
    //Given 1–3 generated identity policies, maybe a boundary, and a concrete request
    const tally = newTally();
    //When both engines decide it
    await fc.assert(fc.asyncProperty(differentialCaseArb(), (c) => compare(c, tally)), { numRuns: Math.round(600 * SCALE), seed: SEED ?? 20261124 });
    //Then they agree every time, and every decision kind was actually exercised
    console.log(`identity+boundary: compared ${tally.compared}, filtered ${tally.filtered}, decisions ${JSON.stringify(tally.decisions)}`);
    expect(tally.compared).toBeGreaterThanOrEqual(550 * SCALE);
    expect(tally.filtered).toBeLessThan(30 * SCALE);
    for (const d of ['Allowed', 'ExplicitlyDenied', 'ImplicitlyDenied']) expect(tally.decisions[d] ?? 0).toBeGreaterThan(60 * SCALE);
    expect(tally.decisions.Conditional ?? 0).toBe(0);
  }, 30_000 * SCALE);

  it('with SCP levels and a session policy as further layers that must each allow', async () => {
    const tally = newTally();
    await fc.assert(fc.asyncProperty(differentialCaseArb({ scps: true, session: true }), (c) => compare(c, tally)), { numRuns: Math.round(400 * SCALE), seed: SEED ?? 7 });
    console.log(`all layers: compared ${tally.compared}, filtered ${tally.filtered}, decisions ${JSON.stringify(tally.decisions)}`);
    expect(tally.compared).toBeGreaterThanOrEqual(360 * SCALE);
    for (const d of ['Allowed', 'ExplicitlyDenied', 'ImplicitlyDenied']) expect(tally.decisions[d] ?? 0).toBeGreaterThan(20 * SCALE);
  }, 30_000 * SCALE);

  it('on every condition operator family, with IfExists and set variants, on edge values', async () => {
    //Given Allow * (or Allow * plus Deny *) guarded by 1–3 typed conditions, and a context in which each key may be absent
    const tally = newTally();
    await fc.assert(fc.asyncProperty(typedConditionCaseArb, (c) => compare(c, tally)), { numRuns: Math.round(800 * SCALE), seed: SEED ?? 4242 });
    console.log(`typed conditions: compared ${tally.compared}, filtered ${tally.filtered}, decisions ${JSON.stringify(tally.decisions)}`);
    //Then both engines agree on whether the conditions hold
    expect(tally.compared).toBeGreaterThanOrEqual(720 * SCALE); // at most 10% filtered
    for (const d of ['Allowed', 'ExplicitlyDenied', 'ImplicitlyDenied']) expect(tally.decisions[d] ?? 0).toBeGreaterThan(80 * SCALE);
  }, 30_000 * SCALE);

  it('on hand-picked cases where IAM semantics are easy to get wrong', async () => {
    // Each row is a known trap; both engines must agree and match the expected decision.
    const P = (Statement: Record<string, unknown>[]): JsonPolicy => ({ Version: '2012-10-17', Statement });
    const s3Get = { action: 's3:GetObject', resource: 'arn:aws:s3:::bucket-a/key.txt' };
    const rows: { name: string; c: DifferentialCase; expected: Decision }[] = [
      {
        name: 'StringNotEquals on an absent key is true, so the Deny applies',
        c: { identity: [P([{ Effect: 'Allow', Action: '*', Resource: '*' }, { Effect: 'Deny', Action: 's3:*', Resource: '*', Condition: { StringNotEquals: { 'aws:PrincipalTag/team': 'platform' } } }])], boundary: undefined, scps: undefined, session: undefined, request: { target: s3Get, context: {} } },
        expected: 'ExplicitlyDenied',
      },
      {
        name: 'BoolIfExists on an absent key is true',
        c: { identity: [P([{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*', Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'true' } } }])], boundary: undefined, scps: undefined, session: undefined, request: { target: s3Get, context: {} } },
        expected: 'Allowed',
      },
      {
        name: 'ForAllValues on an absent multi-valued key is vacuously true',
        c: { identity: [P([{ Effect: 'Allow', Action: 'iam:CreateUser', Resource: '*', Condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['team'] } } }])], boundary: undefined, scps: undefined, session: undefined, request: { target: { action: 'iam:CreateUser', resource: `arn:aws:iam::${ACCOUNT}:user/alice` }, context: {} } },
        expected: 'Allowed',
      },
      {
        name: 'ForAnyValue on an absent multi-valued key is false',
        c: { identity: [P([{ Effect: 'Allow', Action: 'iam:CreateUser', Resource: '*', Condition: { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['team'] } } }])], boundary: undefined, scps: undefined, session: undefined, request: { target: { action: 'iam:CreateUser', resource: `arn:aws:iam::${ACCOUNT}:user/alice` }, context: {} } },
        expected: 'ImplicitlyDenied',
      },
      {
        name: 'a boundary that does not allow the action denies it even when identity allows *',
        c: { identity: [P([{ Effect: 'Allow', Action: '*', Resource: '*' }])], boundary: P([{ Effect: 'Allow', Action: ['s3:List*'], Resource: '*' }]), scps: undefined, session: undefined, request: { target: s3Get, context: {} } },
        expected: 'ImplicitlyDenied',
      },
      {
        name: '? in a bucket name matches one character only',
        c: { identity: [P([{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::bucket-?/*' }])], boundary: undefined, scps: undefined, session: undefined, request: { target: { action: 's3:GetObject', resource: 'arn:aws:s3:::bucket-10/reports/q1.csv' }, context: {} } },
        expected: 'ImplicitlyDenied',
      },
      {
        name: 'a policy variable in Resource resolves from the principal tag',
        c: { identity: [P([{ Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::bucket-b/home/${aws:PrincipalTag/team}/*' }])], boundary: undefined, scps: undefined, session: undefined, request: { target: { action: 's3:PutObject', resource: 'arn:aws:s3:::bucket-b/home/alice/notes.md' }, context: { 'aws:PrincipalTag/team': 'alice' } } },
        expected: 'Allowed',
      },
    ];
    for (const row of rows) {
      const tally = newTally();
      await compare(row.c, tally);
      const parsed = row.c.identity.map(doc);
      const set: { -readonly [K in keyof PolicySet]: PolicySet[K] } = { identity: parsed };
      if (row.c.boundary) set.boundary = [doc(row.c.boundary)];
      const values = Object.fromEntries(Object.entries(row.c.request.context).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v : [v]]));
      expect(evaluate({ ...row.c.request.target, context: { values, closedWorld: true } }, set).decision, row.name).toBe(row.expected);
    }
  });
});
