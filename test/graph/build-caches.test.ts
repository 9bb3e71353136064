// The graph build's caches and indexes (per-account lists filtered once rather than once per
// caller, per-caller memos, reach searched over index arrays) are for speed only: on generated
// accounts the fast build must give the very graph the reference build gives (every caller
// worked out from scratch): the same nodes, the same edges in the same order, the same limits.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyzeGraph } from '../../src/graph/index.js';
import { reachIndex } from '../../src/graph/reach.js';
import { analyzePrincipals } from '../../src/checks/analyze.js';
import { defaultConfig } from '../../src/pipeline/scan.js';
import { ActionExpander } from '../../src/iam/pattern.js';
import { catalog } from '../../src/iam/catalog.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import { ADMIN, DEV, PROD, allow, arn, deny, doc, snapshot, trust, type AccountSpec, type Doc } from './accounts.js';

const NOW = new Date('2026-12-01T12:00:00Z');
const expander = new ActionExpander(catalog());

function shape(snaps: Snapshot[], reference: boolean, edgeIndexFrom?: number) {
  const g = analyzeGraph(snaps.map((snap) => ({ snapshot: snap, analyzed: analyzePrincipals(snap, defaultConfig(), expander, NOW) })), { expander, now: NOW, reference, ...(edgeIndexFrom !== undefined ? { edgeIndexFrom } : {}) });
  return {
    nodes: g.built.nodes.map((n) => [n.id, n.kind, n.label, n.power.admin]),
    out: g.built.out,
    limits: g.built.limits ?? [],
    gains: snaps.flatMap((snap) => snap.principals.map((p) => [g.gains(p.arn, 'proven'), g.gains(p.arn, 'possible')])),
    // The reach index walks the build's target arrays (the reference build's are looked up by id):
    // every node's reach power, principal count and path to an administrator, at both strengths.
    reach: g.built.nodes.map((_, i) => (['proven', 'possible'] as const).map((st) => {
      const p = g.reach.power(i, st);
      return [p.admin, p.unconditional.toArray(), p.allResources.toArray(), g.reach.principals(i), JSON.stringify(g.reach.pathToAdmin(i, st))];
    })),
  };
}

const USERS = ['u0', 'u1', 'u2'];
const ROLES = ['app-a', 'app-b', 'glue-x', 'svc-y', 'web-z'];
const role = (name: string) => arn(DEV, 'role', name);
const actionArb = fc.constantFrom(
  'sts:AssumeRole', 'iam:PassRole', 'ec2:RunInstances', 'ec2:AssociateIamInstanceProfile', 'lambda:CreateFunction', 'lambda:InvokeFunction', 'lambda:UpdateFunctionCode',
  'iam:PutRolePolicy', 'iam:AttachUserPolicy', 'iam:UpdateAssumeRolePolicy', 'iam:CreateAccessKey', 'iam:AddUserToGroup', 'iam:PutGroupPolicy', 'iam:CreatePolicyVersion',
  'iam:DeleteRolePermissionsBoundary', 's3:GetObject', 'sts:*', 'iam:*',
);
const resourceArb = fc.constantFrom('*', '*', `arn:aws:iam::${DEV}:role/*`, `arn:aws:iam::*:role/app-*`, role('glue-x'), role('svc-y'), `arn:aws:iam::${DEV}:user/*`,
  arn(DEV, 'user', 'u1'), arn(DEV, 'group', 'g0'), arn(DEV, 'policy', 'shared'), 'arn:aws:s3:::bucket/*', `arn:aws:iam::${DEV}:role/s?c-*`, `arn:aws:iam::${DEV}:role/*-z`, 'arn:aws:iam::*:*',
  `arn:aws:iam::${DEV}:user/u*`);
const passedTo = (svc: string) => ({ StringEquals: { 'iam:PassedToService': `${svc}.amazonaws.com` } });
const conditionArb = fc.constantFrom<unknown>(undefined, undefined, undefined, passedTo('ec2'), passedTo('lambda'), { Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
  { StringEquals: { 'aws:ResourceTag/team': 'a' } }, { StringEquals: { 'aws:PrincipalTag/team': 'a' } });
const statementArb = fc.record({ deny: fc.integer({ min: 0, max: 5 }).map((x) => x === 0), actions: fc.uniqueArray(actionArb, { minLength: 1, maxLength: 4 }), resources: fc.uniqueArray(resourceArb, { minLength: 1, maxLength: 2 }), condition: conditionArb })
  .map((s) => (s.deny ? deny : allow)(s.actions, s.resources, s.condition));
const policyArb: fc.Arbitrary<Doc> = fc.array(statementArb, { minLength: 1, maxLength: 4 }).map((st) => doc(...st));
const trustArb = fc.constantFrom(
  trust({ Service: 'ec2.amazonaws.com' }), trust({ Service: 'lambda.amazonaws.com' }), trust({ AWS: `arn:aws:iam::${DEV}:root` }), trust({ AWS: `arn:aws:iam::${DEV}:root` }),
  trust({ AWS: '*' }), trust({ AWS: arn(DEV, 'user', 'u0') }), trust({ AWS: role('app-a') }), trust({ AWS: '*' }, { StringEquals: { 'aws:PrincipalTag/team': 'a' } }),
  trust({ AWS: `arn:aws:iam::${DEV}:root` }, { StringEquals: { 'aws:PrincipalTag/team': 'a' } }), trust({ AWS: 'arn:aws:iam::333333333333:root' }),
);
const accountArb: fc.Arbitrary<AccountSpec> = fc.record({
  users: fc.tuple(...USERS.map((name) => fc.record({ inline: fc.array(policyArb, { maxLength: 2 }), shared: fc.boolean(), tags: fc.boolean(), group: fc.boolean(), bounded: fc.boolean() }).map((u) => ({ name, ...u })))),
  roles: fc.tuple(...ROLES.map((name) => fc.record({ trust: trustArb, inline: fc.array(fc.oneof(policyArb, policyArb, fc.constant(ADMIN)), { maxLength: 2 }), instanceProfile: fc.boolean(), shared: fc.boolean(), bounded: fc.boolean() }).map((r) => ({ name, ...r })))),
  group: fc.oneof(policyArb, fc.constant(ADMIN)),
  shared: policyArb,
  boundary: policyArb,
  scp: fc.option(policyArb.map((d) => doc(allow('*'), ...d.Statement)), { freq: 4 }),
}).map((a) => ({
  users: a.users.map((u) => ({ name: u.name, inline: u.inline, ...(u.shared ? { managed: ['shared'] } : {}), ...(u.tags ? { tags: { team: 'a' } } : {}), ...(u.group ? { groups: ['g0'] } : {}), ...(u.bounded ? { boundary: 'edge' } : {}) })),
  roles: a.roles.map((r) => ({ name: r.name, trust: r.trust, inline: r.inline, instanceProfile: r.instanceProfile, ...(r.shared ? { managed: ['shared'] } : {}), ...(r.bounded ? { boundary: 'edge' } : {}) })),
  groups: [{ name: 'g0', inline: [a.group] }, { name: 'g1', inline: [ADMIN] }],
  policies: { shared: a.shared, edge: a.boundary },
  ...(a.scp ? { scps: [a.scp] } : {}),
}));

// A second account analysed with the first: its roles trust the first account or one of its
// principals, its principals may act on the first's roles (cross-account edges, and lists of
// another account's principals in every reach).
const otherArb: fc.Arbitrary<AccountSpec | undefined> = fc.option(fc.record({
  policy: policyArb,
  trusts: fc.tuple(fc.constantFrom(trust({ AWS: `arn:aws:iam::${DEV}:root` }), trust({ AWS: arn(DEV, 'user', 'u1') }), trust({ AWS: role('app-b') }), trust({ Service: 'ec2.amazonaws.com' })), fc.constantFrom(trust({ AWS: `arn:aws:iam::${DEV}:root` }), trust({ AWS: '*' }))),
  admin: fc.boolean(),
}).map((o) => ({
  id: PROD,
  users: [{ name: 'p0', inline: [o.policy] }],
  roles: [{ name: 'app-a', trust: o.trusts[0], inline: o.admin ? [ADMIN] : [o.policy] }, { name: 'ops', trust: o.trusts[1], inline: [o.policy] }],
})), { freq: 2 });

describe('property: the graph build\'s caches never change the graph', () => {
  it('gives the reference build\'s nodes, edges (in order) and limits on generated accounts', () => {
    fc.assert(
      fc.property(accountArb, otherArb, (spec, other) => {
        const snaps = [snapshot(spec), ...(other ? [snapshot(other)] : [])];
        expect(shape(snaps, false)).toEqual(shape(snaps, true));
      }),
      { numRuns: 100, seed: 20261204 },
    );
  }, 180_000);

  it('gives every node the same path to an administrator when asked again, in any order, as a fresh index does', () => {
    fc.assert(
      fc.property(accountArb, otherArb, fc.nat(), (spec, other, seed) => {
        const snaps = [snapshot(spec), ...(other ? [snapshot(other)] : [])];
        const g = analyzeGraph(snaps.map((snap) => ({ snapshot: snap, analyzed: analyzePrincipals(snap, defaultConfig(), expander, NOW) })), { expander, now: NOW });
        const n = g.built.nodes.length;
        const asks = Array.from({ length: 2 * n }, (_, k) => (k * 7 + seed) % n);
        for (const strength of ['proven', 'possible'] as const) {
          const fresh = reachIndex(g.built);
          const expected = g.built.nodes.map((_, i) => JSON.stringify(fresh.pathToAdmin(i, strength)));
          for (const i of asks) expect(JSON.stringify(g.reach.pathToAdmin(i, strength))).toBe(expected[i]);
        }
      }),
      { numRuns: 100 },
    );
  }, 180_000);

  // Negative controls for the memos (a uniform decision, a sample ARN shared across callers): a
  // caller whose boundary denies everything, named by ARN in a trust policy, and every principal
  // of an account whose SCP denies everything, get no edge, in the fast build as in the reference.
  it('gives no edge to a caller its boundary or the SCPs deny everything (negative control)', () => {
    const WALLED = arn(DEV, 'user', 'walled');
    fc.assert(
      fc.property(accountArb, otherArb, fc.boolean(), fc.boolean(), (spec, other, scpDeniesAll, wall) => {
        // Without the wall (and with the generated SCP) the same user assumes names-walled: the control's twin.
        const reaching = doc(allow(['sts:AssumeRole', 'iam:PassRole', 'iam:CreateAccessKey', 'ec2:RunInstances']));
        const walled: AccountSpec = {
          ...spec,
          users: [...(spec.users ?? []), { name: 'walled', inline: [reaching], ...(wall ? { boundary: 'wall' } : {}) }],
          roles: [...(spec.roles ?? []), { name: 'names-walled', trust: trust({ AWS: WALLED }), inline: [ADMIN] }],
          policies: { ...spec.policies, wall: doc(allow('*'), deny('*')) },
          ...(scpDeniesAll ? { scps: [doc(allow('*'), deny('*'))] } : {}),
        };
        const snaps = [snapshot(walled), ...(other ? [snapshot(other)] : [])];
        for (const reference of [false, true]) {
          const g = analyzeGraph(snaps.map((snap) => ({ snapshot: snap, analyzed: analyzePrincipals(snap, defaultConfig(), expander, NOW) })), { expander, now: NOW, reference });
          const from = (id: string) => g.built.out[g.built.byId.get(id)!]!;
          if (wall || scpDeniesAll) expect(from(WALLED)).toEqual([]);
          else if (!(spec.scps ?? []).length) expect(from(WALLED).some((e) => e.to === arn(DEV, 'role', 'names-walled'))).toBe(true);
          if (scpDeniesAll) for (const n of g.built.nodes) if (n.account === DEV && n.principal && n.kind !== 'hub') expect(g.built.out[n.index]).toEqual([]);
        }
      }),
      { numRuns: 60, seed: 20261205 },
    );
  }, 180_000);

  // Generated out-lists stay short of the default threshold (32): index every list, so that the
  // index's way of finding a repeated (target, technique) is the one compared with the scan.
  it('finds repeated edges through the per-node index as the reference build does by scanning', () => {
    fc.assert(
      fc.property(accountArb, otherArb, (spec, other) => {
        const snaps = [snapshot(spec), ...(other ? [snapshot(other)] : [])];
        const indexed = shape(snaps, false, 0);
        expect(indexed).toEqual(shape(snaps, true));
        for (const list of indexed.out) expect(new Set(list.map((e) => `${e.to}\u0000${e.technique}`)).size).toBe(list.length);
      }),
      { numRuns: 150 },
    );
  }, 180_000);
});
