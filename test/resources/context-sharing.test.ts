// Request contexts are shared by resources with the same side (account, tags, policy): the shared
// context equals the one built afresh for every resource, and decisions on the resources are the
// same whichever resource first built the shared context (fast-check).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { contextFor, contextUnshared, decideOnResource } from '../../src/resources/evaluate.js';
import { requestArn, typeActions } from '../../src/resources/actions.js';
import type { Resource } from '../../src/model/inventory.js';
import { DEV, PROD, callerOf, doc, parsed, resource } from './world.js';

const TAG_KEYS = ['env', 'Env', 'team', 'owner'];
const TAG_VALUES = ['prod', 'dev', 'x'];
// Parsed once: resources with the same policy index share one document, as the inventory's classes do.
const POLICIES = [
  undefined,
  parsed(doc({ Effect: 'Allow', Principal: { AWS: DEV }, Action: '*', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/env': 'prod' } } })),
  parsed(doc({ Effect: 'Deny', Principal: '*', Action: '*', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/owner': 'x' } } })),
];
const IDENTITY = [
  { Effect: 'Allow', Action: '*', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/team': 'x' } } },
  { Effect: 'Allow', Action: 'dynamodb:*', Resource: '*' },
  { Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringNotEquals: { 'aws:ResourceTag/Env': 'dev' } } },
];

const side = fc.record({
  account: fc.constantFrom(DEV, PROD),
  tags: fc.array(fc.tuple(fc.constantFrom(...TAG_KEYS), fc.constantFrom(...TAG_VALUES)), { maxLength: 3 }),
  policy: fc.nat(POLICIES.length - 1),
});

describe('request contexts shared per resource side', () => {
  it('equal the unshared context and give the same decisions', () => {
    fc.assert(fc.property(fc.array(side, { minLength: 1, maxLength: 8 }), fc.subarray(IDENTITY, { minLength: 1 }), (sides, stmts) => {
      const spec = { kind: 'user' as const, name: 'u', identity: [doc(...stmts)] };
      const rc = callerOf(spec);
      const rs: Resource[] = sides.map((s, i) => {
        const policy = POLICIES[s.policy];
        return { ...resource('dynamodb:table', `t${i}`, s.account, { tags: Object.fromEntries(s.tags) }), ...(policy ? { policy } : {}) };
      });
      for (const r of rs) {
        expect(contextFor(rc, r, undefined)).toEqual(contextUnshared(rc, r, undefined));
        for (const a of typeActions().get(r.type) ?? []) {
          // A new caller per resource: its context is built for this resource alone.
          const alone = callerOf(spec);
          expect(decideOnResource(rc, a.action, requestArn(r.arn, a), r)).toEqual(decideOnResource(alone, a.action, requestArn(r.arn, a), r));
        }
      }
    }), { numRuns: 60 });
  });
});
