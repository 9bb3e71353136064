import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkSizeLimits,
  fitPolicy,
  generaliseActions,
  nonWhitespaceLength,
  POLICY_SIZE_LIMITS,
  policySize,
  splitPolicy,
} from '../../../src/fix/render/size-limits.js';
import { renderPolicyJson } from '../../../src/fix/render/policy-json.js';
import { catalog } from '../../../src/iam/catalog.js';
import type { PolicyDocument, Statement } from '../../../src/model/policy.js';
import { doc, expandActions } from './support.js';

const keysOf = (service: string) => (catalog().byService.get(service) ?? []).map((a) => a.key);

/** A document whose size for `kind` is exactly `target`, by padding one resource ARN. */
function docOfSize(target: number, kind: Parameters<typeof policySize>[1]): PolicyDocument {
  const base = (pad: string) => doc({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::b/${pad}` }] });
  const fixed = policySize(base(''), kind);
  return base('x'.repeat(target - fixed));
}

/** What a set of documents allows, per statement context: effect + resources + condition → the actions covered. */
function grants(docs: readonly PolicyDocument[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const d of docs) {
    for (const s of d.statements) {
      for (const r of s.resource ?? ['(none)']) {
        const ctx = JSON.stringify([s.effect, r, s.notResource ?? null, s.condition ?? null, s.principal ?? null]);
        const set = out.get(ctx) ?? new Set<string>();
        for (const a of s.action ? expandActions(s.action) : [`not:${JSON.stringify(s.notAction)}`]) set.add(a);
        out.set(ctx, set);
      }
    }
  }
  return out;
}

describe('policySize and checkSizeLimits', () => {
  it('ignores white space for IAM policies, whether formatting or inside values', () => {
    const d = doc({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/a b' } });
    const compact = JSON.stringify(JSON.parse(renderPolicyJson(d)));
    expect(policySize(d, 'managed')).toBe(compact.length - 1);
    expect(nonWhitespaceLength(renderPolicyJson(d))).toBe(policySize(d, 'managed'));
    expect(policySize(d, 'trust')).toBe(policySize(d, 'managed'));
  });

  it('counts every plaintext character of a session policy and says the packed size is approximate', () => {
    const d = doc({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/a b' } });
    expect(policySize(d, 'session')).toBe(JSON.stringify(JSON.parse(renderPolicyJson(d))).length);
    const check = checkSizeLimits(d, 'session');
    expect(check).toMatchObject({ kind: 'session', limit: 2048, unit: 'characters', approximate: true, fits: true });
    expect(check.note).toContain('PackedPolicySize');
  });

  it.each([
    ['managed', 6144],
    ['inline-role', 10240],
    ['inline-user', 2048],
    ['trust', 2048],
    ['session', 2048],
  ] as const)('%s: fits at exactly %i characters, not one more', (kind, limit) => {
    expect(POLICY_SIZE_LIMITS[kind]).toBe(limit);
    const at = checkSizeLimits(docOfSize(limit, kind), kind);
    expect(at).toMatchObject({ size: limit, fits: true, approximate: kind === 'session' });
    expect(checkSizeLimits(docOfSize(limit + 1, kind), kind)).toMatchObject({ size: limit + 1, fits: false });
  });

  it('adds inline policies up, since a role or user shares one budget', () => {
    const a = docOfSize(1500, 'inline-user');
    expect(checkSizeLimits(a, 'inline-user').fits).toBe(true);
    expect(checkSizeLimits([a, a], 'inline-user')).toMatchObject({ size: 3000, fits: false });
  });

  it('checks managed policies one by one', () => {
    const r = checkSizeLimits([docOfSize(6000, 'managed'), docOfSize(6100, 'managed')], 'managed');
    expect(r).toMatchObject({ size: 6100, fits: true });
  });

  it('accepts a raised trust policy quota', () => {
    expect(checkSizeLimits(docOfSize(4000, 'trust'), 'trust').fits).toBe(false);
    expect(checkSizeLimits(docOfSize(4000, 'trust'), 'trust', 8192).fits).toBe(true);
  });
});

describe('splitPolicy', () => {
  const big = doc({
    Version: '2012-10-17',
    Statement: [
      { Sid: 'Ec2', Effect: 'Allow', Action: keysOf('ec2'), Resource: '*' },
      { Sid: 'S3', Effect: 'Allow', Action: keysOf('s3'), Resource: ['arn:aws:s3:::a/*', 'arn:aws:s3:::b/*'], Condition: { Bool: { 'aws:SecureTransport': 'true' } } },
      { Effect: 'Deny', Action: ['iam:DeleteRole', 'iam:PutRolePolicy'], Resource: '*' },
    ],
  });

  it('returns the document itself when it fits', () => {
    const small = doc({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' } });
    expect(splitPolicy(small, 6144)).toEqual({ ok: true, parts: [small] });
  });

  it('splits into parts that each fit and together grant exactly the same actions', () => {
    //Given a policy far over the managed limit
    expect(checkSizeLimits(big, 'managed').fits).toBe(false);
    //When it is split
    const r = splitPolicy(big, 6144);
    if (!r.ok) throw new Error(r.error.message);
    //Then every part fits, Sids stay unique per part, and the catalog expansions match
    expect(r.parts.length).toBeGreaterThan(1);
    for (const p of r.parts) {
      expect(checkSizeLimits(p, 'managed').fits).toBe(true);
      const sids = p.statements.map((s) => s.sid).filter((s) => s !== undefined);
      expect(new Set(sids).size).toBe(sids.length);
      p.statements.forEach((s, i) => expect(s.index).toBe(i));
    }
    expect(grants(r.parts)).toEqual(grants([big]));
  });

  it('holds for any limit and any mix of statements (property)', () => {
    const services = ['s3', 'ec2', 'iam', 'lambda', 'dynamodb', 'kms'];
    const statement = fc.record({
      Effect: fc.constantFrom('Allow', 'Deny'),
      Action: fc.constantFrom(...services).chain((s) => fc.subarray(keysOf(s), { minLength: 1 })),
      Resource: fc.array(fc.constantFrom('*', 'arn:aws:s3:::a/*', 'arn:aws:dynamodb:*:*:table/t', 'arn:aws:kms:*:*:key/${aws:PrincipalTag/k}'), { minLength: 1, maxLength: 40 }),
    });
    fc.assert(
      fc.property(fc.array(statement, { minLength: 1, maxLength: 4 }), fc.integer({ min: 600, max: 10240 }), (statements, limit) => {
        const d = doc({ Version: '2012-10-17', Statement: statements });
        const r = splitPolicy(d, limit);
        if (!r.ok) return;
        for (const p of r.parts) expect(nonWhitespaceLength(JSON.stringify(JSON.parse(renderPolicyJson(p))))).toBeLessThanOrEqual(limit);
        expect(grants(r.parts)).toEqual(grants([d]));
      }),
      { numRuns: 60 },
    );
  });

  it('splits a statement with long Action and Resource lists', () => {
    const resources = Array.from({ length: 200 }, (_, i) => `arn:aws:s3:::bucket-${i}/*`);
    const d = doc({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: keysOf('s3'), Resource: resources } });
    const r = splitPolicy(d, 2048);
    if (!r.ok) throw new Error(r.error.message);
    for (const p of r.parts) expect(policySize(p, 'managed')).toBeLessThanOrEqual(2048);
    expect(grants(r.parts)).toEqual(grants([d]));
  });

  it('refuses, naming the statement, when a NotAction statement is too big (splitting a complement changes it)', () => {
    const d = doc({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }, { Sid: 'Guard', Effect: 'Deny', NotAction: keysOf('ec2'), Resource: '*' }] });
    const r = splitPolicy(d, 6144);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.statementIndex).toBe(1);
      expect(r.error.message).toContain('statement 1 (Guard)');
      expect(r.error.message).toContain('6144');
    }
  });
});

describe('generaliseActions', () => {
  it('collapses to service:* only when every action of the service is listed', () => {
    expect(generaliseActions(keysOf('s3'), catalog())).toEqual(['s3:*']);
    expect(generaliseActions(keysOf('s3').slice(1), catalog())).not.toContain('s3:*');
  });

  it('never writes a wildcard that matches an action outside the list', () => {
    //Given s3:GetObject alone (s3:GetObjectAcl and others share its prefix)
    expect(generaliseActions(['s3:GetObject'], catalog())).toEqual(['s3:GetObject']);
    //And every s3:GetObject* action
    const getObjectAll = keysOf('s3').filter((k) => /^s3:GetObject/i.test(k));
    expect(getObjectAll.length).toBeGreaterThan(3);
    expect(generaliseActions(getObjectAll, catalog())).toEqual(['s3:GetObject*']);
  });

  it('matches exactly the listed actions (property, any subset of a few services)', () => {
    const services = ['s3', 'ec2', 'iam', 'lambda', 'dynamodb', 'kms', 'sts'];
    fc.assert(
      fc.property(fc.constantFrom(...services).chain((s) => fc.subarray(keysOf(s), { minLength: 1 })), fc.subarray(['s3:Get*', 'nosuch:Thing', 'iam:List*']), (listed, extra) => {
        const input = [...listed, ...extra];
        const out = generaliseActions(input, catalog());
        expect(expandActions(out)).toEqual(expandActions(input));
        expect(out.length).toBeLessThanOrEqual(input.length);
        for (const e of extra) expect(out).toContain(e);
      }),
      { numRuns: 200 },
    );
  });
});

describe('fitPolicy', () => {
  it('generalises only when splitting alone needs too many policies', () => {
    const d = doc({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: [...keysOf('ec2'), ...keysOf('s3'), ...keysOf('iam')], Resource: '*' }] });
    const plain = fitPolicy(d, 6144, { maxParts: 20, catalog: catalog() });
    expect(plain).toMatchObject({ ok: true, generalised: false });
    const tight = fitPolicy(d, 6144, { maxParts: 1, catalog: catalog() });
    expect(tight).toMatchObject({ ok: true, generalised: true });
    if (tight.ok) {
      expect(tight.parts).toHaveLength(1);
      const actions = (tight.parts[0]!.statements as Statement[]).flatMap((s) => s.action ?? []);
      expect(expandActions(actions)).toEqual(expandActions(d.statements[0]!.action!));
    }
  });

  it('says so when even generalised actions need more policies than allowed', () => {
    const resources = Array.from({ length: 400 }, (_, i) => `arn:aws:s3:::bucket-number-${i}/*`);
    const d = doc({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 's3:GetObject', Resource: resources } });
    const r = fitPolicy(d, 2048, { maxParts: 2, catalog: catalog() });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toContain('more than 2');
  });
});
