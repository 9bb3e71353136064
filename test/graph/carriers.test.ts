// Existing compute joined to the inventory (src/graph/carriers.ts): a function or stack the
// inventory names with its role is a proven hop for whoever may update THAT resource, the
// resource named in the evidence; without the inventory the same hop stays inferred.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { analyzeSnapshots, defaultConfig } from '../../src/pipeline/scan.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import type { Resource } from '../../src/model/inventory.js';
import type { GraphEdge } from '../../src/model/graph.js';
import { joinCarriers } from '../../src/graph/carriers.js';
import { hopText } from '../../src/graph/describe.js';
import { ADMIN, DEV, PROD, allow, arn, deny, doc, snapshot, trust, type AccountSpec } from './accounts.js';

const NOW = new Date('2026-12-01T12:00:00Z');
const opts = { scanId: 't', startedAt: NOW.toISOString(), now: NOW, fixes: false };
const agent = arn(DEV, 'user', 'agent');
const fnArn = (name: string, account = DEV) => `arn:aws:lambda:us-east-1:${account}:function:${name}`;
const stackArn = (name: string) => `arn:aws:cloudformation:us-east-1:${DEV}:stack/${name}/0b2c`;

const fn = (name: string, role: string | undefined, account = DEV): Resource => ({ arn: fnArn(name, account), type: 'lambda:function', name, account, region: 'us-east-1', tags: {}, ...(role ? { role } : {}) });
const stack = (name: string, role: string): Resource => ({ arn: stackArn(name), type: 'cloudformation:stack', name, account: DEV, region: 'us-east-1', tags: {}, role });

function withInventory(s: Snapshot, resources: Resource[] | undefined): Snapshot {
  return resources ? { ...s, inventory: { resources, sources: [], errors: [] } } : s;
}
function graphOf(spec: AccountSpec, resources?: Resource[]) {
  return analyzeSnapshots([withInventory(snapshot(spec), resources)], defaultConfig(), opts)[0]!.graph;
}
const outOf = (g: ReturnType<typeof graphOf>, from: string) => g.built.out[g.built.byId.get(from)!]!;
const observed = (edges: readonly GraphEdge[]) => edges.filter((e) => e.evidence.some((x) => x.resource !== undefined));

const roles = [
  { name: 'fn-admin', trust: trust({ Service: 'lambda.amazonaws.com' }), inline: [ADMIN] },
  { name: 'fn-low', trust: trust({ Service: 'lambda.amazonaws.com' }), inline: [doc(allow('s3:ListAllMyBuckets'))] },
  { name: 'cfn-admin', trust: trust({ Service: 'cloudformation.amazonaws.com' }), inline: [ADMIN] },
];
const spec = (policy: ReturnType<typeof doc>): AccountSpec => ({ users: [{ name: 'agent', inline: [policy] }], roles });

describe('compute carriers joined to the inventory', () => {
  it('UpdateFunctionCode on one function: a proven hop to that function\'s role, the function in the evidence; none to another function\'s role', () => {
    const g = graphOf(spec(doc(allow('lambda:UpdateFunctionCode', fnArn('orders')))), [fn('orders', arn(DEV, 'role', 'fn-admin')), fn('reports', arn(DEV, 'role', 'fn-low'))]);
    const joined = observed(outOf(g, agent));
    expect(joined).toEqual([expect.objectContaining({ to: arn(DEV, 'role', 'fn-admin'), technique: 'lambda-update-function-code', target: 'proven', condition: 'none', actions: ['lambda:UpdateFunctionCode'], why: expect.stringContaining('function orders, which runs as fn-admin') })]);
    expect(joined[0]!.evidence).toEqual([expect.objectContaining({ side: 'identity', principalArn: agent, resource: fnArn('orders') })]);
    // Negative control: the function it may not update gives no observed hop to its role.
    expect(joined.some((e) => e.to === arn(DEV, 'role', 'fn-low'))).toBe(false);
    // And the path to an administrator is proven through the named function.
    const path = g.pathToAdmin(agent)!;
    expect(path.target).toBe('proven');
    expect(path.hops[0]!.evidence[0]!.resource).toBe(fnArn('orders'));
    expect(hopText(path.hops[0]!, (id) => id.split('/').pop()!)).toBe('agent via lambda-update-function-code fn-admin (through existing function orders; lambda:UpdateFunctionCode)');
  });

  it('a wildcard ARN pattern is matched as IAM matches it (no shortcut by literal names): ord* reaches orders\' role, not reports\'', () => {
    const g = graphOf(spec(doc(allow('lambda:UpdateFunctionCode', fnArn('ord*')))), [fn('orders', arn(DEV, 'role', 'fn-admin')), fn('reports', arn(DEV, 'role', 'fn-low'))]);
    expect(observed(outOf(g, agent)).map((e) => e.to)).toEqual([arn(DEV, 'role', 'fn-admin')]);
  });

  it('without an inventory (or with no such function) the same permission only infers the hop: no proven path', () => {
    for (const resources of [undefined, [fn('other', arn(DEV, 'role', 'fn-low'))]]) {
      const g = graphOf(spec(doc(allow('lambda:UpdateFunctionCode', fnArn('orders')))), resources);
      expect(observed(outOf(g, agent)).filter((e) => e.to === arn(DEV, 'role', 'fn-admin'))).toEqual([]);
      const path = g.pathToAdmin(agent);
      // The inferred compute hub is still there (an inventory may be partial), never proven.
      expect(path?.target).toBe('inferred');
    }
  });

  it('an explicit deny on the function, a boundary without it, or a function whose role is not in the export: no observed hop', () => {
    const denied = graphOf(spec(doc(allow('lambda:UpdateFunctionCode'), deny('lambda:UpdateFunctionCode', fnArn('orders')))), [fn('orders', arn(DEV, 'role', 'fn-admin'))]);
    expect(observed(outOf(denied, agent))).toEqual([]);
    const bounded = graphOf({ users: [{ name: 'agent', inline: [doc(allow('lambda:UpdateFunctionCode'))], boundary: 'b' }], roles, policies: { b: doc(allow('lambda:UpdateFunctionCode', fnArn('elsewhere'))) } }, [fn('orders', arn(DEV, 'role', 'fn-admin'))]);
    expect(observed(outOf(bounded, agent))).toEqual([]);
    const g = graphOf(spec(doc(allow('lambda:UpdateFunctionCode'))), []);
    const r = joinCarriers(g.built, [withInventory(snapshot(spec(doc(allow('lambda:UpdateFunctionCode')))), [fn('ghost', arn(DEV, 'role', 'not-exported')), fn('x', arn(PROD, 'role', 'fn-admin'))])]);
    expect(r).toEqual({ resources: 2, edges: 0, unresolved: [fnArn('ghost'), fnArn('x')] });
  });

  it('a stack with a service role: UpdateStack on it is a proven hop; a change set needs both CreateChangeSet and ExecuteChangeSet', () => {
    const both = graphOf(spec(doc(allow(['cloudformation:CreateChangeSet', 'cloudformation:ExecuteChangeSet'], stackArn('api-prod')))), [stack('api-prod', arn(DEV, 'role', 'cfn-admin'))]);
    expect(observed(outOf(both, agent)).map((e) => [e.technique, e.to, e.actions])).toEqual([['cloudformation-change-set', arn(DEV, 'role', 'cfn-admin'), ['cloudformation:CreateChangeSet', 'cloudformation:ExecuteChangeSet']]]);
    const update = graphOf(spec(doc(allow('cloudformation:UpdateStack', stackArn('api-prod')))), [stack('api-prod', arn(DEV, 'role', 'cfn-admin'))]);
    expect(observed(outOf(update, agent)).map((e) => e.technique)).toEqual(['cloudformation-update-stack']);
    // Negative control: one half of the change set is not enough.
    const half = graphOf(spec(doc(allow('cloudformation:CreateChangeSet', stackArn('api-prod')))), [stack('api-prod', arn(DEV, 'role', 'cfn-admin'))]);
    expect(observed(outOf(half, agent))).toEqual([]);
  });

  it('property: an observed hop to a function\'s role exists exactly when the agent may update that function', () => {
    const names = ['a', 'b', 'c', 'd'];
    fc.assert(fc.property(fc.subarray(names), fc.subarray(names), fc.boolean(), (allowed, present, config) => {
      const action = config ? 'lambda:UpdateFunctionConfiguration' : 'lambda:UpdateFunctionCode';
      const policy = allowed.length > 0 ? doc(allow(action, allowed.map((n) => fnArn(n)))) : doc(allow('s3:ListAllMyBuckets'));
      const fnRoles = names.map((n) => ({ name: `role-${n}`, trust: trust({ Service: 'lambda.amazonaws.com' }), inline: [doc(allow(`dynamodb:DeleteTable`, `arn:aws:dynamodb:us-east-1:${DEV}:table/${n}`))] }));
      const g = graphOf({ users: [{ name: 'agent', inline: [policy] }], roles: fnRoles }, present.map((n) => fn(n, arn(DEV, 'role', `role-${n}`))));
      const reached = new Set(observed(outOf(g, agent)).map((e) => e.to));
      const expected = new Set(present.filter((n) => allowed.includes(n)).map((n) => arn(DEV, 'role', `role-${n}`)));
      expect(reached).toEqual(expected);
    }), { numRuns: 40 });
  });
});
