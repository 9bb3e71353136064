// unknown-actions keeps each document's unknown patterns once (managed policies repeat across
// principals); the findings equal a plain walk over every statement of every principal.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyzePrincipals } from '../../src/checks/analyze.js';
import { unknownActions } from '../../src/checks/unknown-actions.js';
import { defaultConfig } from '../../src/config/config.js';
import { catalog } from '../../src/iam/catalog.js';
import { ActionExpander } from '../../src/iam/pattern.js';
import { snapshotOf } from '../support/snapshot.js';

const PATTERNS = ['s3:GetObject', 's3:GetObjekt', 'iam:*', 'made:Up', '*', 'ec2:Descrbe*', 's3:Get*', 'nocolon', 'S3:GETOBJEKT'];
const docArb = fc.array(fc.record({ Effect: fc.constantFrom('Allow', 'Deny'), Action: fc.uniqueArray(fc.constantFrom(...PATTERNS), { minLength: 1, maxLength: 4 }), Resource: fc.constant('*') }), { minLength: 1, maxLength: 3 }).map((Statement) => ({ Version: '2012-10-17', Statement }));

describe('unknown-actions with per-document lists', () => {
  it('reports what a walk over every statement of every principal finds', () => {
    const shared = new ActionExpander(catalog());
    fc.assert(
      fc.property(fc.array(docArb, { minLength: 1, maxLength: 3 }), fc.array(fc.tuple(fc.array(docArb, { maxLength: 2 }), fc.subarray([0, 1, 2]), fc.option(fc.nat(2), { nil: undefined })), { minLength: 1, maxLength: 4 }), fc.boolean(), (managed, specs, fresh) => {
        const policies = Object.fromEntries(managed.map((d, i) => [`m${i}`, d]));
        const roles = specs.map(([inline, attached, boundary], i) => ({
          name: `r${i}`, inline, managed: attached.filter((k) => k < managed.length).map((k) => `m${k}`),
          ...(boundary !== undefined && boundary < managed.length ? { boundary: `m${boundary}` } : {}),
        }));
        const snapshot = snapshotOf(roles, policies);
        const expander = fresh ? new ActionExpander(catalog()) : shared;
        const principals = analyzePrincipals(snapshot, defaultConfig(), expander);
        const ctx = { snapshot, principals, config: defaultConfig(), expander, now: new Date('2026-11-24T00:00:00Z') };
        const expected = principals.flatMap((a) => {
          const unknown = new Set<string>(), inDeny = new Set<string>();
          for (const pol of a.principal.boundary ? [...a.principal.policies, a.principal.boundary] : a.principal.policies) {
            for (const s of pol.document.statements) for (const pat of s.action ?? []) {
              if (pat === '*' || expander.expand(pat).length > 0) continue;
              unknown.add(pat);
              if (s.effect === 'Deny') inDeny.add(pat);
            }
          }
          return unknown.size === 0 ? [] : [{ arn: a.principal.arn, actions: [...unknown].sort(), denied: [...inDeny].sort() }];
        });
        for (let i = 0; i < 2; i++) {
          const got = unknownActions.run(ctx);
          expect(got.map((f) => ({ arn: f.principalArn, actions: f.actions, denied: f.severity === 'medium' }))).toEqual(expected.map((e) => ({ arn: e.arn, actions: e.actions, denied: e.denied.length > 0 })));
          for (const [k, f] of got.entries()) if (expected[k]!.denied.length > 0) expect(f.description).toContain(expected[k]!.denied.slice(0, 5).join(', '));
        }
      }),
      { numRuns: 200, seed: 16 },
    );
  });
});
