// The index never changes an answer: per-group decisions and prefix ranges give exactly the
// grants that deciding every (resource, action) one by one gives (fast-check), and production
// markers read tags before names.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { buildResourceIndex, directAccess, grantsOn } from '../../src/resources/index.js';
import { decideOnResource } from '../../src/resources/evaluate.js';
import { requestArn, typeActions } from '../../src/resources/actions.js';
import { environmentOf, markersFrom } from '../../src/resources/markers.js';
import type { Resource } from '../../src/model/inventory.js';
import { DEV, PROD, callerOf, doc, resource, bucket } from './world.js';

const PATTERNS = [
  '*', 'arn:aws:dynamodb:*:*:table/*', `arn:aws:dynamodb:us-east-1:${DEV}:table/orders-*`, `arn:aws:dynamodb:us-east-1:${DEV}:table/orders-prod`,
  `arn:aws:cloudformation:*:${DEV}:stack/api-*/*`, 'arn:aws:cloudformation:*:*:stack/*', 'arn:aws:s3:::acme-*', 'arn:aws:s3:::acme-prod-data/*', 'arn:aws:s3:::*/*',
  `arn:aws:secretsmanager:us-east-1:${DEV}:secret:prod/*`, `arn:aws:kms:*:${DEV}:key/*`, 'arn:aws:dynamodb:*:*:table/${aws:username}',
  // Region-bound and suffix patterns: they match some members of a group and not others.
  `arn:aws:dynamodb:us-east-1:${DEV}:table/*`, 'arn:aws:s3:::*-data', 'arn:aws:s3:::*e',
];
const ACTIONS = ['dynamodb:DeleteTable', 'dynamodb:*', 'cloudformation:DeleteStack', 'cloudformation:*', 's3:*', 's3:GetObject', 's3:DeleteBucket', 'secretsmanager:*', 'kms:Decrypt', '*'];
const CONDS = [
  undefined, { StringEquals: { 'aws:ResourceTag/env': 'prod' } }, { Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
  // Read as one key whatever its case; absent is a value; a tag read through a variable is read resource by resource.
  { StringEquals: { 'aws:ResourceTag/Env': 'prod' } }, { Null: { 'aws:ResourceTag/owner': 'true' } }, { StringLike: { 'aws:ResourceTag/env': 'pro*' } },
  { StringEquals: { 'aws:ResourceTag/team': '${aws:ResourceTag/env}' } },
];

const stmt = fc.record({ Effect: fc.constantFrom('Allow', 'Allow', 'Deny'), Action: fc.constantFrom(...ACTIONS), Resource: fc.constantFrom(...PATTERNS), c: fc.constantFrom(...CONDS), not: fc.boolean() })
  .map(({ c, not, Resource, ...s }) => ({ ...s, ...(not && Resource !== '*' ? { NotResource: Resource } : { Resource }), ...(c ? { Condition: c } : {}) }));

const ME = `arn:aws:iam::${DEV}:user/u`;
// Resource-policy templates: each names its own resource through SELF (as real bucket policies do), so members share a policy class.
const TEMPLATES: ((self: string) => unknown[])[] = [
  () => [{ Effect: 'Allow', Principal: { AWS: ME }, Action: '*', Resource: '*' }],
  (self) => [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `${self}/*` }],
  (self) => [{ Effect: 'Deny', Principal: '*', Action: '*', Resource: [self, `${self}/*`], Condition: { Bool: { 'aws:SecureTransport': 'false' } } }, { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${DEV}:root` }, Action: '*', Resource: [self, `${self}/*`] }],
  (self) => [{ Effect: 'Deny', Principal: { AWS: ME }, Action: '*', Resource: self }],
  () => [{ Effect: 'Allow', Principal: { AWS: DEV }, Action: '*', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/env': 'prod' } } }],
  () => [{ Effect: 'Allow', Principal: { AWS: 'AIDAEXAMPLE000000001' }, Action: '*', Resource: '*' }],
  () => [{ Effect: 'Allow', Principal: { AWS: `arn:aws:sts::${DEV}:assumed-role/u/s1` }, Action: '*', Resource: '*' }],
  () => [{ Effect: 'Allow', NotPrincipal: { AWS: `arn:aws:iam::${PROD}:root` }, Action: '*', Resource: '*' }],
  () => [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::999999999999:user/x' }, Action: '*', Resource: '*' }],
  () => [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${DEV}:root` }, Action: 'kms:*', Resource: '*' }],
  () => [{ Effect: 'Allow', Principal: { AWS: DEV }, Action: 's3:*', Resource: 'arn:aws:s3:::acme-*' }],
];

function inventory(withPolicies: boolean[], templates: number[]): Resource[] {
  const own = { Effect: 'Allow', Principal: { AWS: ME }, Action: '*', Resource: '*' };
  const root = { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${DEV}:root` }, Action: 'kms:*', Resource: '*' };
  const p = (i: number) => (withPolicies[i] ? doc(own) : undefined);
  const t = (i: number, self: string) => (templates[i]! < TEMPLATES.length ? doc(...TEMPLATES[templates[i]!]!(self)) : undefined);
  const table = (name: string, region: string, tags: Record<string, string>, i: number) => {
    const arn = `arn:aws:dynamodb:${region}:${DEV}:table/${name}`;
    const policy = t(i, arn);
    return { ...resource('dynamodb:table', name, DEV, { tags, arn, ...(policy ? { policy } : {}) }), region };
  };
  return [
    resource('dynamodb:table', 'orders-prod', DEV, { tags: { env: 'prod' } }),
    resource('dynamodb:table', 'orders-dev', DEV, { tags: { env: 'dev' } }),
    resource('dynamodb:table', 'u', DEV, { tags: { owner: 'x' } }),
    resource('dynamodb:table', 'orders-prod', PROD, { tags: { env: 'prod' } }),
    table('orders-eu', 'eu-west-1', { env: 'prod' }, 0),
    table('orders-eu2', 'eu-west-1', { env: 'dev' }, 1),
    table('ledger', 'us-east-1', { env: 'prod' }, 2),
    resource('cloudformation:stack', 'api-prod', DEV),
    resource('cloudformation:stack', 'web-prod', DEV),
    bucket('acme-prod-data', DEV, p(0)),
    bucket('acme-logs', DEV, undefined, { Env: 'prod', env: 'dev' }),
    bucket('acme-site', DEV, t(3, 'arn:aws:s3:::acme-site'), { env: 'prod' }),
    bucket('acme-data', DEV, t(4, 'arn:aws:s3:::acme-data')),
    bucket('other-data', DEV, t(5, 'arn:aws:s3:::other-data'), { env: 'dev' }),
    bucket('partner-drop', PROD, withPolicies[1] ? doc({ Effect: 'Allow', Principal: { AWS: DEV }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::partner-drop/*' }) : undefined),
    bucket('partner-site', PROD, t(6, 'arn:aws:s3:::partner-site')),
    resource('secretsmanager:secret', 'prod/db', DEV, { policy: withPolicies[2] ? doc(own) : undefined } as never),
    resource('kms:key', 'k1', DEV, { policy: doc(root) }),
    resource('kms:key', 'k2', DEV, { policy: doc(own) }),
    resource('kms:key', 'k4', DEV, { policy: doc(root), tags: { env: 'prod' } }),
    resource('kms:key', 'k5', DEV),
    resource('kms:key', 'k3', PROD, { policy: doc({ Effect: 'Allow', Principal: { AWS: DEV }, Action: 'kms:Decrypt', Resource: '*' }) }),
    bucket('acme-locked', DEV, doc({ Effect: 'Deny', Principal: '*', Action: 's3:DeleteBucket', Resource: '*' }, { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${DEV}:root` }, Action: 's3:*', Resource: '*' })),
    { ...bucket('acme-unread', DEV), policyUnknown: 'AccessDenied' },
  ];
}

describe('the resource index', () => {
  it('splits groups by the values of read tag keys that split well (case-insensitive, absent a value of its own)', () => {
    const inv = [bucket('a', DEV, undefined, { Env: 'prod' }), bucket('b', DEV, undefined, { env: 'prod' }), bucket('c', DEV, undefined, { env: 'dev' }), bucket('d', DEV), bucket('e', DEV, undefined, { Env: 'dev', env: 'prod' })];
    // A key with a value per resource is not split on (past MAX_SPLIT values it would make a group per resource).
    const many = Array.from({ length: 70 }, (_, i) => bucket(`n${i}`, DEV, undefined, { name: `n${i}` }));
    const idx = buildResourceIndex({ resources: [...inv, ...many], sources: [], errors: [] }, undefined, new Set(['aws:resourcetag/env', 'aws:resourcetag/name']));
    expect([...idx.splitTags]).toEqual(['aws:resourcetag/env']);
    const g = (n: string) => idx.groupOf(idx.byArn.get(`arn:aws:s3:::${n}`)!);
    expect(g('a')).toBe(g('b'));
    expect(g('e')).toBe(g('a'));
    expect(g('c')).not.toBe(g('a'));
    expect(g('d')).toBe(`s3:bucket@${DEV}`);
    expect(buildResourceIndex({ resources: inv, sources: [], errors: [] }).groupOf(inv[0]!)).toBe(`s3:bucket@${DEV}`);
  });

  it('gives exactly the brute-force grants (action, condition, via, evidence) for every resource and action', () => {
    const templates = fc.array(fc.nat({ max: TEMPLATES.length }), { minLength: 7, maxLength: 7 });
    // Groups split by tag keys (or not): a statement reading only split keys decides each part at once.
    const split = fc.constantFrom([], ['aws:resourcetag/env'], ['aws:resourcetag/env', 'aws:resourcetag/owner'], ['aws:resourcetag/owner', 'aws:resourcetag/team']);
    // A boundary's patterns also set resources apart (even for actions no identity statement covers).
    const boundary = fc.option(fc.array(stmt, { minLength: 1, maxLength: 2 }), { nil: undefined });
    fc.assert(fc.property(fc.array(stmt, { minLength: 0, maxLength: 5 }), fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }), templates, fc.constantFrom('user' as const, 'role' as const), split, boundary, (statements, pols, tpl, kind, keys, bound) => {
      const rc = callerOf({ kind, name: 'u', identity: statements.length > 0 ? [doc(...statements)] : [], ...(bound ? { boundary: [doc(...bound)] } : {}) });
      const inv = inventory(pols, tpl);
      const idx = buildResourceIndex({ resources: inv, sources: [], errors: [] }, undefined, new Set(keys));
      const access = directAccess(idx, rc);
      for (const r of idx.resources) {
        const brute = (typeActions().get(r.type) ?? []).flatMap((a) => {
          const d = decideOnResource(rc, a.action, requestArn(r.arn, a), r);
          return d.decision === 'Allowed' || d.decision === 'Conditional' ? [{ action: a.action, kind: a.kind, condition: d.condition, via: d.via, evidence: d.evidence }] : [];
        });
        expect(grantsOn(access, r), `${r.arn} with ${JSON.stringify(statements)}`).toEqual(brute);
      }
    }), { numRuns: 400, seed: 15 });
  });

  it('policies that differ only in naming their own resource form one class; a wildcard on other names does not', () => {
    const tpl = (self: string) => doc({ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `${self}/*` });
    const idx = buildResourceIndex({ resources: [
      bucket('a', DEV, tpl('arn:aws:s3:::a')), bucket('b', DEV, tpl('arn:aws:s3:::b')),
      bucket('c', DEV, doc({ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::c*' })),
      bucket('d', DEV, doc({ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::c*' })),
    ], sources: [], errors: [] });
    expect(idx.classOf.get('arn:aws:s3:::a')).toBe(idx.classOf.get('arn:aws:s3:::b'));
    expect(idx.classOf.get('arn:aws:s3:::c')).not.toBe(idx.classOf.get('arn:aws:s3:::d'));
  });
});

describe('production markers', () => {
  it('a production tag decides (positive); a staging tag beats a production-looking name (negative)', () => {
    expect(environmentOf({ name: 'orders', tags: { Environment: 'Production' } })).toEqual({ environment: 'production', why: 'tag Environment=Production' });
    expect(environmentOf({ name: 'api-prod', tags: { env: 'staging' } }).environment).toBe('non-production');
  });
  it('a production word in the name counts (api-prod, prod/db); a word that merely contains it does not (product-catalog)', () => {
    expect(environmentOf({ name: 'api-prod', tags: {} }).environment).toBe('production');
    expect(environmentOf({ name: 'prod/db', tags: {} }).environment).toBe('production');
    expect(environmentOf({ name: 'product-catalog', tags: {} }).environment).toBe('unknown');
    expect(environmentOf({ name: 'api-staging', tags: {} }).environment).toBe('non-production');
  });
  it('config patterns add production names (positive) and replace the tag keys (negative: env is then not read)', () => {
    const m = markersFrom({ namePatterns: ['*-live'], tagKeys: ['lifecycle'] });
    expect(environmentOf({ name: 'shop-live', tags: {} }, m).environment).toBe('production');
    expect(environmentOf({ name: 'orders', tags: { env: 'prod' } }, m).environment).toBe('unknown');
    expect(environmentOf({ name: 'orders', tags: { lifecycle: 'prod' } }, m).environment).toBe('production');
  });
});

describe('actions of interest', () => {
  it('every action exists in the catalog and acts on its type; each type has its delete call', () => {
    for (const [type, actions] of typeActions()) {
      expect(actions.filter((a) => a.kind === 'delete'), type).toHaveLength(1);
      for (const a of actions) expect(a.action, type).toMatch(/^[a-z0-9-]+:[A-Za-z0-9]+$/);
    }
    expect(typeActions().get('s3:bucket')!.find((a) => a.action === 's3:GetObject')!.onObject).toBe(true);
    expect(typeActions().get('s3:bucket')!.find((a) => a.action === 's3:DeleteBucket')!.onObject).toBe(false);
  });
});
