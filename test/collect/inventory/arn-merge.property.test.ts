// Properties of the ARN reader and the merge, over generated names (including hostile ones):
// every type's ARN reads back as that type and name; merging keeps one resource per ARN, every
// ARN seen, and a known policy over an unknown one whatever the order.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resourceFromArn } from '../../../src/collect/inventory/arn.js';
import { dedupeResources, mergeResource } from '../../../src/collect/inventory/merge.js';
import type { Resource, ResourceType } from '../../../src/model/inventory.js';

const A = '111122223333';
// Names as the services allow them, plus control and bidi characters an attacker may smuggle in.
const nameChar = fc.constantFrom(...'abcXYZ019-_.'.split(''), '\u001b', '\u202e', 'é');
const name = fc.array(nameChar, { minLength: 1, maxLength: 24 }).map((cs) => cs.join(''));
const region = fc.constantFrom('us-east-1', 'eu-west-1', 'ap-southeast-2');

const build: Record<ResourceType, (n: string, r: string) => string> = {
  'cloudformation:stack': (n, r) => `arn:aws:cloudformation:${r}:${A}:stack/${n}/abc-123`,
  's3:bucket': (n) => `arn:aws:s3:::${n}`,
  'dynamodb:table': (n, r) => `arn:aws:dynamodb:${r}:${A}:table/${n}`,
  'rds:db': (n, r) => `arn:aws:rds:${r}:${A}:db:${n}`,
  'rds:cluster': (n, r) => `arn:aws:rds:${r}:${A}:cluster:${n}`,
  'lambda:function': (n, r) => `arn:aws:lambda:${r}:${A}:function:${n}`,
  'ecs:cluster': (n, r) => `arn:aws:ecs:${r}:${A}:cluster/${n}`,
  'ecs:service': (n, r) => `arn:aws:ecs:${r}:${A}:service/prod/${n}`,
  'eks:cluster': (n, r) => `arn:aws:eks:${r}:${A}:cluster/${n}`,
  'kms:key': (n, r) => `arn:aws:kms:${r}:${A}:key/${n}`,
  'secretsmanager:secret': (n, r) => `arn:aws:secretsmanager:${r}:${A}:secret:${n}-AbCdEf`,
  'sqs:queue': (n, r) => `arn:aws:sqs:${r}:${A}:${n}`,
  'sns:topic': (n, r) => `arn:aws:sns:${r}:${A}:${n}`,
  'ecr:repository': (n, r) => `arn:aws:ecr:${r}:${A}:repository/${n}`,
};
const type = fc.constantFrom(...(Object.keys(build) as ResourceType[]));

describe('inventory ARNs and merge (properties)', () => {
  it('every type: the ARN built from a name reads back as that type, name, account and region', () => {
    fc.assert(fc.property(type, name, region, (t, n, r) => {
      const got = resourceFromArn(build[t](n, r));
      expect(got).toMatchObject({ type: t, name: n, account: t === 's3:bucket' ? '' : A, region: t === 's3:bucket' ? '' : r });
    }));
  });

  it('an ARN of another service, or with another partition spelling, is never taken for one of them', () => {
    fc.assert(fc.property(name, fc.constantFrom('iam', 'ec2', 'logs', 'states', 'bedrock'), (n, svc) => {
      expect(resourceFromArn(`arn:aws:${svc}:us-east-1:${A}:thing/${n}`)).toBeUndefined();
      expect(resourceFromArn(`arn:aws-bogus:s3:::${n}`)).toBeUndefined();
    }));
  });

  const POLICY = { version: '2012-10-17' as const, statements: [{ index: 0, effect: 'Allow' as const, action: ['s3:GetObject'], resource: ['*'] }] };
  const resource = fc.record({ t: type, n: fc.constantFrom('a', 'b', 'c'), known: fc.constantFrom('policy', 'unknown', 'none'), tag: fc.constantFrom('x', 'y') }).map(({ t, n, known, tag }): Resource => {
    const p = resourceFromArn(build[t](n, 'us-east-1'))!;
    return { ...p, account: p.account || A, tags: { [tag]: n }, ...(known === 'policy' ? { policy: POLICY } : known === 'unknown' ? { policyUnknown: 'denied' } : {}) };
  });

  it('dedupe: one resource per ARN, every ARN kept, in order of first appearance', () => {
    fc.assert(fc.property(fc.array(resource, { maxLength: 40 }), (list) => {
      const out = dedupeResources(list);
      const arns = out.map((r) => r.arn);
      expect(new Set(arns).size).toBe(arns.length);
      expect(arns).toEqual([...new Set(list.map((r) => r.arn))]);
    }));
  });

  it('merge: a known policy wins over unknown in either order; unknown only when no side knows; tags are the union', () => {
    fc.assert(fc.property(resource, fc.constantFrom('policy', 'unknown', 'none'), (a, other) => {
      const b: Resource = { ...a, tags: { z: '1' }, policy: undefined as never, policyUnknown: undefined as never };
      const b2: Resource = { arn: b.arn, type: b.type, name: b.name, account: b.account, region: b.region, tags: b.tags, ...(other === 'policy' ? { policy: POLICY } : other === 'unknown' ? { policyUnknown: 'x' } : {}) };
      for (const m of [mergeResource(a, b2), mergeResource(b2, a)]) {
        const anyKnown = a.policy !== undefined || b2.policy !== undefined;
        expect(m.policy !== undefined).toBe(anyKnown);
        expect(m.policyUnknown !== undefined).toBe(!anyKnown && (a.policyUnknown !== undefined || b2.policyUnknown !== undefined));
        expect(Object.keys(m.tags).sort()).toEqual([...new Set([...Object.keys(a.tags), 'z'])].sort());
      }
    }));
  });
});
