// Callers with the same policies share one DirectAccess (src/resources/share.ts). On random small
// worlds (fast-check, fixed seed) — callers drawn from a few policy sets, with tags, user names
// and unique ids; resource policies that name some callers by ARN, unique id or role session,
// list them under NotPrincipal, or read aws:PrincipalArn / aws:PrincipalTag; identity policies
// with ${aws:username} patterns and principal-tag conditions — the shared access gives every
// caller exactly the grants (evidence included) its own per-caller computation gives.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { buildResourceIndex, directAccess, grantsOn, type DirectAccess } from '../../src/resources/index.js';
import { accessSharing } from '../../src/resources/share.js';
import type { ResourceCaller } from '../../src/resources/evaluate.js';
import type { Caller, Layer } from '../../src/graph/request.js';
import type { Resource } from '../../src/model/inventory.js';
import type { Principal } from '../../src/model/snapshot.js';
import { principalFacts } from '../../src/iam/principal-context.js';
import { DEV, PROD, doc, parsed, resource, type Doc } from './world.js';

const NAMES = ['alice', 'bob', 'carol', 'dave'];
const arnOf = (kind: 'user' | 'role', name: string) => `arn:aws:iam::${DEV}:${kind}/${name}`;
const idOf = (kind: 'user' | 'role', name: string) => `${kind === 'user' ? 'AIDA' : 'AROA'}${name.toUpperCase()}0000000001`;

// Identity documents, as JSON: a caller's policies are drawn from these, each parsed afresh per
// caller (equal text, different objects: the key must go by content).
const IDENTITY: Doc[] = [
  doc({ Effect: 'Allow', Action: ['dynamodb:*', 's3:*'], Resource: '*' }),
  doc({ Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::b-*' }),
  doc({ Effect: 'Allow', Action: 'dynamodb:DeleteTable', Resource: `arn:aws:dynamodb:us-east-1:${DEV}:table/\${aws:username}` }),
  doc({ Effect: 'Allow', Action: '*', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalTag/team': 'data' } } }),
  doc({ Effect: 'Deny', Action: 's3:DeleteBucket', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/env': 'prod' } } }),
  doc({ Effect: 'Allow', Action: 'kms:*', Resource: '*' }),
  doc({ Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: `arn:aws:dynamodb:us-east-1:${DEV}:table/t-*`, Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } }),
];
const BOUNDARY: Doc[] = [doc({ Effect: 'Allow', Action: ['s3:*', 'kms:*'], Resource: '*' })];

// Resource policies (as functions of the resource's ARN): who they name decides what is shared.
const RESOURCE_POLICIES: ((self: string) => Doc)[] = [
  () => doc({ Effect: 'Allow', Principal: { AWS: arnOf('user', 'alice') }, Action: '*', Resource: '*' }),
  () => doc({ Effect: 'Allow', Principal: { AWS: arnOf('role', 'bob') }, Action: '*', Resource: '*' }),
  () => doc({ Effect: 'Allow', Principal: { AWS: idOf('user', 'carol') }, Action: '*', Resource: '*' }),
  () => doc({ Effect: 'Allow', Principal: { AWS: `arn:aws:sts::${DEV}:assumed-role/dave/s1` }, Action: '*', Resource: '*' }),
  (self) => doc({ Effect: 'Deny', NotPrincipal: { AWS: arnOf('user', 'bob') }, Action: '*', Resource: [self, `${self}/*`] }),
  () => doc({ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalArn': arnOf('role', 'alice') } } }),
  () => doc({ Effect: 'Deny', Principal: '*', Action: '*', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalTag/team': 'ops' } } }),
  () => doc({ Effect: 'Allow', Principal: { AWS: DEV }, Action: '*', Resource: '*' }),
  () => doc({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${PROD}:root` }, Action: '*', Resource: '*' }),
  (self) => doc({ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `${self}/*` }),
];

// Few policy sets, so that callers share: each caller picks one of up to three drawn sets (and a boundary or none).
const world = fc.record({
  sets: fc.array(fc.subarray([0, 1, 2, 3, 4, 5, 6], { maxLength: 3 }), { minLength: 1, maxLength: 3 }),
  callers: fc.array(fc.record({ set: fc.nat(2), kind: fc.constantFrom('user' as const, 'role' as const), name: fc.constantFrom(...NAMES), team: fc.constantFrom(undefined, 'data', 'ops'), boundary: fc.boolean() }), { minLength: 2, maxLength: 8 }),
  resources: fc.array(fc.record({
    type: fc.constantFrom('s3:bucket' as const, 'dynamodb:table' as const, 'dynamodb:table' as const, 'kms:key' as const),
    name: fc.constantFrom('b-1', 'b-2', 'alice', 'bob', 'carol', 't-1', 'other'),
    account: fc.constantFrom(DEV, DEV, PROD),
    prod: fc.boolean(),
    policy: fc.option(fc.nat(RESOURCE_POLICIES.length - 1), { nil: undefined }),
  }), { minLength: 1, maxLength: 10 }),
});

function callerFrom(kind: 'user' | 'role', name: string, team: string | undefined, policies: readonly number[], boundary: boolean, set: number): ResourceCaller {
  const arn = arnOf(kind, name);
  const tags = team ? { team } : {};
  const base = { arn, id: idOf(kind, name), name, path: '/', tags, policies: [], unresolvedPolicyArns: [] };
  const principal = (kind === 'user' ? { ...base, kind, groups: [] } : { ...base, kind, trustPolicy: parsed(doc()), instanceProfiles: [] }) as unknown as Principal;
  // Policy names differ between sets (evidence names the policy): equal text under another name is not the same decision.
  const layer = (side: Layer['side'], docs: readonly Doc[]): Layer => ({ side, docs: docs.map((d, i) => ({ name: `${side}-${set}-${i}`, document: parsed(d) })) });
  const caller: Caller = {
    arn, account: DEV,
    identity: layer('identity', policies.map((i) => IDENTITY[i]!)),
    ...(boundary ? { boundary: layer('boundary', BOUNDARY) } : {}),
    scps: [],
    context: principalFacts(principal).context,
  };
  return { caller, kind, ...(kind === 'role' ? { roleName: name, serviceLinked: false } : {}), uniqueId: idOf(kind, name) };
}

/** The map keys a DirectAccess holds (which resources, classes and groups it decided apart). */
const shape = (a: DirectAccess) => [[...a.whole.keys()].sort(), [...a.classes.keys()].sort(), [...a.decided.keys()].sort()];

describe('DirectAccess shared per policy class of callers', () => {
  it('gives every caller exactly its own per-caller grants, evidence included', () => {
    let shared = 0;
    fc.assert(fc.property(world, (w) => {
      const rs: Resource[] = [];
      w.resources.forEach((s, i) => {
        // Some resources are named as a caller is (a ${aws:username} pattern matches them).
        const name = i % 2 === 0 ? s.name : `${s.name}-${i}`;
        const r = resource(s.type, name, s.account, { tags: s.prod ? { env: 'prod' } : { env: 'dev' } });
        rs.push(s.policy === undefined ? r : { ...r, policy: parsed(RESOURCE_POLICIES[s.policy]!(r.arn)) });
      });
      const idx = buildResourceIndex({ resources: rs, sources: [], errors: [] });
      const sharing = accessSharing(idx);
      const callers = w.callers.map((c) => {
        return callerFrom(c.kind, c.name, c.team, w.sets[c.set % w.sets.length]!, c.boundary, c.set % w.sets.length);
      });
      for (const rc of callers) {
        const got = sharing.access(rc);
        const want = directAccess(idx, rc);
        expect(shape(got)).toEqual(shape(want));
        for (const r of idx.resources) expect(grantsOn(got, r), `${rc.caller.arn} on ${r.arn}`).toEqual(grantsOn(want, r));
      }
      shared += callers.length - sharing.computed();
    }), { numRuns: 300, seed: 15 });
    // The property is about sharing: it must have happened, often.
    expect(shared).toBeGreaterThan(80);
  });
});
