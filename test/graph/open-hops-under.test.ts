// Session 45: build.ts `openHopsUnder` — which roles a principal may still assume under each of
// many fixes, with each role's trust read once and, where no statement about sts:AssumeRole tells
// an account's roles apart, one decision per account and one verdict per way of trusting the
// caller. It must count and name exactly the roles assumeUnder leaves open ('none' or 'unknown')
// role by role (the fix stage's trust-only claims hang on it): generated
// accounts (caller user or role; roles in its account and another, trusting its ARN, a session
// of it, anyone, its account, a service; with and without conditions; SCPs) and generated fix
// layers (Allows and Denies on sts:AssumeRole by name, by wildcard, by NotResource, under MFA or
// a resource tag, which tells roles apart), several layers asked of one prepared closure.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { analyzeSnapshots, defaultConfig } from '../../src/pipeline/scan.js';
import { assumeUnder, openHopsUnder, type FixLayers } from '../../src/graph/build.js';
import { parsePolicy } from '../../src/iam/parse.js';
import type { PolicyDocument } from '../../src/model/policy.js';
import { ADMIN, DEV, PROD, allow, arn, deny, doc, snapshot, trust, type AccountSpec, type Doc } from './accounts.js';

const NOW = new Date('2026-12-01T12:00:00Z');
const MFA = { Bool: { 'aws:MultiFactorAuthPresent': 'true' } };
const TAG = { StringEquals: { 'aws:ResourceTag/env': 'dev' } };
const ROLE_NAMES = ['t-1', 't-2', 'ops', 'u-1'];
const pol = (d: Doc): PolicyDocument => {
  const r = parsePolicy(d, 'identity');
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.document;
};

const callerArb = fc.constantFrom('user', 'role');
/** A trust policy's principal by what it names of the caller (or not). */
const trustArb = (callerArn: (kind: string) => string) => fc.record({
  names: fc.constantFrom('arn', 'session', 'anyone', 'account', 'other-account', 'service', 'other-user'),
  condition: fc.constantFrom(undefined, undefined, MFA),
  // A Deny beside the Allow: of the caller by ARN, or of anyone without MFA.
  deny: fc.constantFrom(undefined, undefined, undefined, 'caller', 'no-mfa'),
}).map((t) => ({ t, principalOf: (kind: string) => {
  switch (t.names) {
    case 'arn': return { AWS: callerArn(kind) };
    case 'session': return { AWS: `arn:aws:sts::${DEV}:assumed-role/caller/s1` };
    case 'anyone': return { AWS: '*' };
    case 'account': return { AWS: `arn:aws:iam::${DEV}:root` };
    case 'other-account': return { AWS: `arn:aws:iam::${PROD}:root` };
    case 'other-user': return { AWS: arn(DEV, 'user', 'someone') };
    default: return { Service: 'ec2.amazonaws.com' };
  }
} }));
const roleArb = (callerArn: (kind: string) => string) => fc.record({
  name: fc.constantFrom(...ROLE_NAMES),
  account: fc.constantFrom(DEV, DEV, PROD),
  trust: trustArb(callerArn),
  env: fc.constantFrom(undefined, 'dev', 'prod'),
});
const statementArb = fc.record({
  effect: fc.constantFrom('Allow', 'Allow', 'Deny'),
  resources: fc.subarray(['*', arn(DEV, 'role', '*'), arn(DEV, 'role', 't-*'), arn(DEV, 'role', 't-1'), arn(PROD, 'role', '*'), 'arn:aws:iam::*:role/ops'], { minLength: 1, maxLength: 2 }),
  notResource: fc.boolean(),
  condition: fc.constantFrom(undefined, undefined, MFA, TAG),
  action: fc.constantFrom('sts:AssumeRole', 'sts:*', 's3:GetObject'),
}).map((s) => ({ Effect: s.effect, Action: s.action, ...(s.notResource ? { NotResource: s.resources } : { Resource: s.resources }), ...(s.condition ? { Condition: s.condition } : {}) }));
const docArb = fc.array(statementArb, { minLength: 1, maxLength: 3 }).map((st) => pol(doc(...st)));
const layersArb: fc.Arbitrary<FixLayers> = fc.record({
  identity: fc.array(docArb, { minLength: 1, maxLength: 2 }),
  boundary: fc.option(docArb, { nil: undefined }),
  session: fc.option(docArb, { nil: undefined, freq: 3 }),
}, { requiredKeys: ['identity'] }).map((l) => ({ identity: l.identity, ...(l.boundary ? { boundary: l.boundary } : {}), ...(l.session ? { session: l.session } : {}) }));

function withDeny(d: Doc, deny: string | undefined, caller: string): Doc {
  if (!deny) return d;
  const st = deny === 'caller'
    ? { Effect: 'Deny', Principal: { AWS: caller }, Action: 'sts:AssumeRole' }
    : { Effect: 'Deny', Principal: { AWS: '*' }, Action: 'sts:AssumeRole', Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } } };
  return { ...d, Statement: [...d.Statement, st] };
}
const CALLER = (kind: string) => (kind === 'user' ? arn(DEV, 'user', 'caller') : arn(DEV, 'role', 'caller'));
type RoleGen = ReturnType<typeof roleArb> extends fc.Arbitrary<infer T> ? T : never;

/**
 * The generated world's graph: the caller (user or role, its trust `callerTrust`) in DEV, the
 * roles by account and name (a later one of the same name replaces an earlier), an SCP when asked.
 */
function worldOf(kind: string, roleSpecs: readonly RoleGen[], opts: { scp?: boolean; callerTrust?: unknown } = {}) {
  const roles = new Map<string, RoleGen>();
  for (const r of roleSpecs) roles.set(`${r.account}/${r.name}`, r);
  const specOf = (account: string): AccountSpec => ({
    id: account,
    ...(account === DEV && kind === 'user' ? { users: [{ name: 'caller', inline: [doc(allow('s3:ListBucket', 'arn:aws:s3:::x'))] }] } : {}),
    roles: [
      ...(account === DEV && kind === 'role' ? [{ name: 'caller', trust: trust(opts.callerTrust ?? { Service: 'ec2.amazonaws.com' }), inline: [doc(allow('s3:ListBucket', 'arn:aws:s3:::x'))] }] : []),
      ...[...roles.values()].filter((r) => r.account === account).map((r) => ({ name: r.name, trust: withDeny(trust(r.trust.principalOf(kind), r.trust.t.condition), r.trust.t.deny, CALLER(kind)), inline: [ADMIN], ...(r.env ? { tags: { env: r.env } } : {}) })),
    ],
    ...(opts.scp && account === DEV ? { scps: [doc(allow('*'), deny('sts:AssumeRole', arn(DEV, 'role', 'u-*')))] } : {}),
  });
  const [a] = analyzeSnapshots([specOf(DEV), specOf(PROD)].map(snapshot), defaultConfig(), { scanId: 't', startedAt: NOW.toISOString(), now: NOW, fixes: false });
  return { roles, g: a!.graph };
}

describe('openHopsUnder', () => {
  it('counts and names the roles assumeUnder leaves open, role by role, for every fix asked of one prepared closure', () => {
    let open = 0, closed = 0, mixed = 0;
    fc.assert(fc.property(callerArb, fc.array(roleArb(CALLER), { minLength: 1, maxLength: 6 }), fc.boolean(), fc.array(layersArb, { minLength: 1, maxLength: 3 }), fc.boolean(), (kind, roleSpecs, scp, fixes, unread) => {
      const { roles, g } = worldOf(kind, roleSpecs, { scp });
      const node = g.node(CALLER(kind))!;
      const arns = [...roles.values()].map((r) => arn(r.account, 'role', r.name));
      // A role the scan holds no node of is open (nothing shows it closed).
      if (unread) arns.push(arn(PROD, 'role', 'not-scanned'));
      const entries = arns.map((x) => [x, g.node(x)] as const);
      const every = openHopsUnder(node, entries, g.built, Infinity);
      const two = openHopsUnder(node, entries, g.built, 2);
      for (const layers of fixes) {
        const one = arns.map((x) => { const t = g.node(x); return t ? assumeUnder(node, t, layers) : 'unknown'; });
        const expected = arns.filter((_x, i) => one[i] === 'none' || one[i] === 'unknown').sort();
        const what = JSON.stringify({ kind, roles: [...roles.values()].map((r) => ({ ...r, trust: r.trust.t })), layers });
        expect(every(layers), what).toEqual({ count: expected.length, first: expected });
        expect(two(layers), what).toEqual({ count: expected.length, first: expected.slice(0, 2) });
        const openHere = expected.length - (unread ? 1 : 0);
        if (openHere > 0) open++;
        if (openHere < roles.size) closed++;
        if (openHere > 0 && openHere < roles.size) mixed++;
      }
    }), { numRuns: 200 });
    // The generator reaches open and closed hops, and fixes that tell one principal's roles apart.
    expect(open).toBeGreaterThan(20);
    expect(closed).toBeGreaterThan(20);
    expect(mixed).toBeGreaterThan(5);
  });

  it('roles given as blocks (read once per graph, the caller among them or not) count and name as the same roles given one by one', () => {
    let blocked = 0, selfIn = 0, crossAccount = 0;
    fc.assert(fc.property(callerArb, fc.array(roleArb(CALLER), { minLength: 1, maxLength: 8 }), fc.array(fc.nat(3), { minLength: 9, maxLength: 9 }), fc.boolean(), fc.array(layersArb, { minLength: 1, maxLength: 3 }), (kind, roleSpecs, where, callerIn, fixes) => {
      // The caller role trusts anyone as most roles here do, so it falls in their subgroup when in a block.
      const { roles, g } = worldOf(kind, roleSpecs, { callerTrust: { AWS: '*' } });
      const node = g.node(CALLER(kind))!;
      const nodes = [...roles.values()].map((r) => g.node(arn(r.account, 'role', r.name))!);
      // Slot 0: one by one; 1–3: a block. The caller itself may be in a block (never counted).
      const single = nodes.filter((_n, i) => where[i] === 0);
      const blocks = [1, 2, 3].map((b) => ({ roles: [...nodes.filter((_n, i) => where[i] === b), ...(callerIn && b === 1 ? [node] : [])] })).filter((b) => b.roles.length > 0);
      const asBlocks = openHopsUnder(node, single.map((n) => [n.principal!.arn, n] as const), g.built, 2, blocks);
      const oneByOne = openHopsUnder(node, nodes.map((n) => [n.principal!.arn, n] as const), g.built, 2);
      if (blocks.length > 0) blocked++;
      if (callerIn && blocks.some((b) => b.roles.includes(node))) selfIn++;
      if (blocks.some((b) => new Set(b.roles.map((r) => r.account)).size > 1)) crossAccount++;
      for (const layers of fixes) expect(asBlocks(layers), JSON.stringify({ kind, roles: [...roles.values()].map((r) => ({ ...r, trust: r.trust.t })), where, callerIn, layers })).toEqual(oneByOne(layers));
    }), { numRuns: 200 });
    expect(blocked).toBeGreaterThan(100);
    expect(selfIn).toBeGreaterThan(30);
    expect(crossAccount).toBeGreaterThan(20);
  });

  it("a block of roles trusting anyone in two accounts: the caller's own account is open with no Allow of its own, the other is not (control: one by one)", () => {
    const caller = arn(DEV, 'user', 'caller');
    const specs: AccountSpec[] = [
      { id: DEV, users: [{ name: 'caller', inline: [doc(allow('s3:ListBucket', 'arn:aws:s3:::x'))] }], roles: [{ name: 't-1', trust: trust({ AWS: '*' }), inline: [ADMIN] }] },
      { id: PROD, roles: [{ name: 't-1', trust: trust({ AWS: '*' }), inline: [ADMIN] }] },
    ];
    const [a] = analyzeSnapshots(specs.map(snapshot), defaultConfig(), { scanId: 't', startedAt: NOW.toISOString(), now: NOW, fixes: false });
    const g = a!.graph;
    const both = [arn(DEV, 'role', 't-1'), arn(PROD, 'role', 't-1')].map((x) => g.node(x)!);
    const layers: FixLayers = { identity: [pol(doc(allow('s3:GetObject')))] };
    const want = { count: 1, first: [arn(DEV, 'role', 't-1')] };
    expect(openHopsUnder(g.node(caller)!, both.map((n) => [n.principal!.arn, n] as const), g.built)(layers)).toEqual(want);
    expect(openHopsUnder(g.node(caller)!, [], g.built, 5, [{ roles: both }])(layers)).toEqual(want);
  });

  it('a fix that names one role tells it apart from its account siblings (the per-role path, not the shared decision)', () => {
    const caller = arn(DEV, 'role', 'caller');
    const specs: AccountSpec[] = [{ roles: [
      { name: 'caller', trust: trust({ Service: 'ec2.amazonaws.com' }), inline: [doc(allow('s3:ListBucket', 'arn:aws:s3:::x'))] },
      { name: 't-1', trust: trust({ AWS: caller }), inline: [ADMIN] },
      { name: 't-2', trust: trust({ AWS: caller }), inline: [ADMIN] },
    ] }];
    const [a] = analyzeSnapshots(specs.map(snapshot), defaultConfig(), { scanId: 't', startedAt: NOW.toISOString(), now: NOW, fixes: false });
    const g = a!.graph;
    const asked = openHopsUnder(g.node(caller)!, ['t-2', 't-1'].map((n) => [arn(DEV, 'role', n), g.node(arn(DEV, 'role', n))] as const), g.built);
    // A role-ARN trust is limited by the boundary: the boundary allowing t-1 only keeps t-1 open.
    expect(asked({ identity: [pol(ADMIN)], boundary: pol(doc(allow('sts:AssumeRole', arn(DEV, 'role', 't-1')))) })).toEqual({ count: 1, first: [arn(DEV, 'role', 't-1')] });
    // Control: a boundary about every role treats both alike (named in ARN order).
    expect(asked({ identity: [pol(ADMIN)], boundary: pol(doc(allow('sts:AssumeRole', arn(DEV, 'role', 't-*')))) })).toEqual({ count: 2, first: [arn(DEV, 'role', 't-1'), arn(DEV, 'role', 't-2')] });
    expect(asked({ identity: [pol(ADMIN)], boundary: pol(doc(allow('s3:GetObject'))) })).toEqual({ count: 0, first: [] });
  });

  it("a trust's own Deny of the caller closes the hop a trust of anyone opens (control: the same trust without it)", () => {
    const caller = arn(DEV, 'role', 'caller');
    const anyone = trust({ AWS: '*' });
    const specs: AccountSpec[] = [{ roles: [
      { name: 'caller', trust: trust({ Service: 'ec2.amazonaws.com' }), inline: [doc(allow('s3:ListBucket', 'arn:aws:s3:::x'))] },
      { name: 'open', trust: anyone, inline: [ADMIN] },
      { name: 'shut', trust: withDeny(anyone, 'caller', caller), inline: [ADMIN] },
    ] }];
    const [a] = analyzeSnapshots(specs.map(snapshot), defaultConfig(), { scanId: 't', startedAt: NOW.toISOString(), now: NOW, fixes: false });
    const g = a!.graph;
    const asked = openHopsUnder(g.node(caller)!, ['shut', 'open'].map((n) => [arn(DEV, 'role', n), g.node(arn(DEV, 'role', n))] as const), g.built);
    // A boundary allowing nothing does not limit a trust of anyone; only the trust's Deny shuts one.
    expect(asked({ identity: [pol(ADMIN)], boundary: pol(doc(allow('s3:GetObject'))) })).toEqual({ count: 1, first: [arn(DEV, 'role', 'open')] });
  });

  it("a conditional Allow of a few roles beside an Allow of all: no more allowed, but the hop's doubt is not the approval's (found by the property, seed 15)", () => {
    const caller = arn(DEV, 'user', 'caller');
    const specs: AccountSpec[] = [{
      users: [{ name: 'caller', inline: [doc(allow('s3:ListBucket', 'arn:aws:s3:::x'))] }],
      roles: [{ name: 't-1', trust: trust({ AWS: caller }), inline: [ADMIN] }, { name: 'ops', trust: trust({ AWS: caller }), inline: [ADMIN] }],
    }];
    const [a] = analyzeSnapshots(specs.map(snapshot), defaultConfig(), { scanId: 't', startedAt: NOW.toISOString(), now: NOW, fixes: false });
    const g = a!.graph;
    const targets = ['t-1', 'ops'].map((n) => g.node(arn(DEV, 'role', n))!);
    const layers: FixLayers = { identity: [pol(doc(
      allow('sts:AssumeRole', arn(DEV, 'role', '*')),
      // The deny form of the MFA approval (session 46: a Deny under Bool … true, the property's
      // original draw, denies the approved request and so no longer counts as approval).
      deny('sts:AssumeRole', arn(DEV, 'role', '*'), { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } }),
      allow('sts:AssumeRole', arn(DEV, 'role', 't-*'), TAG),
    ))] };
    const one = targets.map((t) => assumeUnder(g.node(caller)!, t, layers));
    expect(one).toEqual(['unknown', 'approval']);
    expect(openHopsUnder(g.node(caller)!, targets.map((t) => [t.principal!.arn, t] as const), g.built)(layers)).toEqual({ count: 1, first: [arn(DEV, 'role', 't-1')] });
  });
});
