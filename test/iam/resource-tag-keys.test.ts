// src/data/resource-tag-keys.json and narrowsToTaggedResources: an Allow limited by a tag on the
// resource (ABAC) does not reach every resource.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import tagData from '../../src/data/resource-tag-keys.json' with { type: 'json' };
import { catalog } from '../../src/iam/catalog.js';
import { narrowsToTaggedResources, tagFamily } from '../../src/iam/conditions.js';
import { effectivePermissions } from '../../src/iam/effective.js';
import { parsePolicy } from '../../src/iam/parse.js';
import { ActionExpander } from '../../src/iam/pattern.js';
import type { PolicyDocument } from '../../src/model/policy.js';

const c = catalog();
const expander = new ActionExpander(c);

describe('the tag key families of the catalog', () => {
  const families = new Set(c.actions.flatMap((a) => a.conditionKeys).map(tagFamily).filter((f): f is string => f !== undefined));

  it('are each classified as resource or request, never both', () => {
    const classified = new Set([...tagData.resource, ...tagData.request]);
    expect([...families].filter((f) => !classified.has(f)).sort()).toEqual([]);
    expect(tagData.resource.filter((f) => tagData.request.includes(f))).toEqual([]);
  });

  it('include the families everyone writes (control: the catalog was read)', () => {
    for (const f of ['resourcetag', 'requesttag', 'existingobjecttag']) expect(families.has(f)).toBe(true);
  });
});

describe('narrowsToTaggedResources', () => {
  it.each([
    ['StringEquals aws:ResourceTag', { StringEquals: { 'aws:ResourceTag/team': ['payments'] } }],
    ['StringEquals with a policy variable', { StringEquals: { 'aws:ResourceTag/team': ['${aws:PrincipalTag/team}'] } }],
    ['a service resource tag', { StringLike: { 'ec2:ResourceTag/env': ['dev-*'] } }],
    ['an S3 object tag', { StringEquals: { 's3:ExistingObjectTag/classification': ['public'] } }],
    ['an RDS database tag', { StringEquals: { 'rds:db-tag/env': ['dev'] } }],
    ['Null false (the tag must be there)', { Null: { 'aws:ResourceTag/team': ['false'] } }],
    ['ForAnyValue', { 'ForAnyValue:StringEquals': { 'aws:ResourceTag/team': ['a'] } }],
    ['with another, unrelated test', { StringEquals: { 'aws:ResourceTag/team': ['a'] }, Bool: { 'aws:SecureTransport': ['true'] } }],
  ])('%s narrows', (_n, condition) => {
    expect(narrowsToTaggedResources(condition)).toBe(true);
  });

  it.each([
    ['no condition', undefined],
    ['a request tag', { StringEquals: { 'aws:RequestTag/team': ['a'] } }],
    ['a negated test', { StringNotEquals: { 'aws:ResourceTag/team': ['a'] } }],
    ['…IfExists (true for an untagged resource)', { StringEqualsIfExists: { 'aws:ResourceTag/team': ['a'] } }],
    ['ForAllValues (true for an untagged resource)', { 'ForAllValues:StringEquals': { 'aws:ResourceTag/team': ['a'] } }],
    ['StringLike "*" (any value)', { StringLike: { 'aws:ResourceTag/team': ['*'] } }],
    ['Null true (the tag must be missing)', { Null: { 'aws:ResourceTag/team': ['true'] } }],
    ['a principal tag', { StringEquals: { 'aws:PrincipalTag/team': ['a'] } }],
    ['no values', { StringEquals: { 'aws:ResourceTag/team': [] } }],
  ])('negative control: %s does not narrow', (_n, condition) => {
    expect(narrowsToTaggedResources(condition)).toBe(false);
  });

  it('negating the operator of any one narrowing test undoes it (property)', () => {
    const key = fc.constantFrom('aws:ResourceTag/team', 'ec2:ResourceTag/env', 's3:ExistingObjectTag/x', 'rds:cluster-tag/y');
    const value = fc.stringMatching(/^[a-z0-9-]{1,12}$/);
    fc.assert(fc.property(key, fc.constantFrom('StringEquals', 'StringLike', 'StringEqualsIgnoreCase'), fc.array(value, { minLength: 1, maxLength: 3 }), (k, op, values) => {
      expect(narrowsToTaggedResources({ [op]: { [k]: values } })).toBe(true);
      expect(narrowsToTaggedResources({ [op.replace('String', 'StringNot')]: { [k]: values } })).toBe(false);
      expect(narrowsToTaggedResources({ [`${op}IfExists`]: { [k]: values } })).toBe(false);
    }));
  });
});

describe('effective permissions under ABAC', () => {
  const doc = (...Statement: unknown[]): PolicyDocument => {
    const r = parsePolicy({ Version: '2012-10-17', Statement }, 'identity');
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    return r.document;
  };
  const stop = c.lookup('ec2:StopInstances')!.id;

  it('an Allow on "*" limited to tagged resources is allowed, not on every resource', () => {
    const e = effectivePermissions({ identity: [doc({ Effect: 'Allow', Action: 'ec2:StopInstances', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/team': 'payments' } } })] }, expander);
    expect(e.unconditional.has(stop)).toBe(true);
    expect(e.allResources.has(stop)).toBe(false);
  });

  const stopAbac = { Effect: 'Allow', Action: 'ec2:StopInstances', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/team': 'payments' } } };
  const allOf = (...extra: unknown[]) => effectivePermissions({ identity: [doc(stopAbac, ...extra)] }, expander).allResources.has(stop);

  it('a principal that may tag every resource of the service can tag its way in: every resource after all', () => {
    expect(allOf({ Effect: 'Allow', Action: 'ec2:CreateTags', Resource: '*' })).toBe(true);
    // A request-tag condition on tagging lets it set exactly the tag the ABAC test wants.
    expect(allOf({ Effect: 'Allow', Action: 'ec2:CreateTags', Resource: '*', Condition: { StringEquals: { 'aws:RequestTag/team': 'payments' } } })).toBe(true);
  });

  it.each([
    ['tagging limited to resources already tagged', { Effect: 'Allow', Action: 'ec2:CreateTags', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/team': 'payments' } } }],
    ['tagging of one instance', { Effect: 'Allow', Action: 'ec2:CreateTags', Resource: 'arn:aws:ec2:us-east-1:111122223333:instance/i-0123456789abcdef0' }],
    ['tagging in another service', { Effect: 'Allow', Action: 's3:PutObjectTagging', Resource: '*' }],
    ['tagging denied', { Effect: 'Allow', Action: 'ec2:CreateTags', Resource: '*' }, { Effect: 'Deny', Action: 'ec2:CreateTags', Resource: '*' }],
  ])('negative control: ABAC holds with %s', (_n, ...extra) => {
    expect(allOf(...extra)).toBe(false);
  });

  it('negative control: the same Allow with a request-tag test still reaches every resource', () => {
    const e = effectivePermissions({ identity: [doc({ Effect: 'Allow', Action: 'ec2:StopInstances', Resource: '*', Condition: { StringEquals: { 'aws:RequestTag/team': 'payments' } } })] }, expander);
    expect(e.allResources.has(stop)).toBe(true);
  });
});
