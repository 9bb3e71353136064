import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodePolicyText, parsePolicy, policyToJson } from '../../src/iam/parse.js';
import { policyArb } from '../support/arbitraries.js';

// A real customer policy shape (cloudmapper's BAD_MFA_POLICY pattern): NotAction Deny with
// BoolIfExists, policy variables, and both string and array fields.
const mfaPolicy = {
  Version: '2012-10-17',
  Statement: [
    { Sid: 'AllowViewAccountInfo', Effect: 'Allow', Action: ['iam:GetAccountPasswordPolicy', 'iam:ListVirtualMFADevices'], Resource: '*' },
    { Sid: 'AllowManageOwnMFA', Effect: 'Allow', Action: 'iam:CreateVirtualMFADevice', Resource: 'arn:aws:iam::*:mfa/${aws:username}' },
    {
      Sid: 'DenyAllExceptListedIfNoMFA',
      Effect: 'Deny',
      NotAction: ['iam:CreateVirtualMFADevice', 'iam:EnableMFADevice', 'sts:GetSessionToken'],
      Resource: '*',
      Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } },
    },
  ],
};

describe('parsePolicy: accepted shapes', () => {
  it('normalises every string-or-array field to an array and keeps statement positions', () => {
    const r = parsePolicy(mfaPolicy, 'identity');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.document.version).toBe('2012-10-17');
    expect(r.document.statements.map((s) => s.index)).toEqual([0, 1, 2]);
    expect(r.document.statements[1]!.action).toEqual(['iam:CreateVirtualMFADevice']);
    expect(r.document.statements[1]!.resource).toEqual(['arn:aws:iam::*:mfa/${aws:username}']);
    expect(r.document.statements[2]!.notAction).toHaveLength(3);
    expect(r.document.statements[2]!.condition).toEqual({ BoolIfExists: { 'aws:MultiFactorAuthPresent': ['false'] } });
  });

  const equivalent: { name: string; input: unknown }[] = [
    { name: 'an object', input: mfaPolicy },
    { name: 'a JSON string', input: JSON.stringify(mfaPolicy) },
    { name: 'a pretty-printed JSON string with surrounding whitespace', input: `\n  ${JSON.stringify(mfaPolicy, null, 2)}\n` },
    { name: 'a URL-encoded JSON string (as the IAM API returns it)', input: encodeURIComponent(JSON.stringify(mfaPolicy)) },
    { name: 'a form-encoded string where spaces became +', input: encodeURIComponent(JSON.stringify(mfaPolicy, null, 1)).replace(/%20/g, '+') },
  ];
  it.each(equivalent)('reads $name to the same document', ({ input }) => {
    const r = parsePolicy(input, 'identity');
    expect(r).toEqual(parsePolicy(mfaPolicy, 'identity'));
  });

  it.each([
    { name: 'Version 2012-10-17 is kept', version: '2012-10-17', expected: '2012-10-17' },
    { name: 'Version 2008-10-17 is kept (no policy variables)', version: '2008-10-17', expected: '2008-10-17' },
    { name: 'a missing Version means 2008-10-17, as IAM reads it', version: undefined, expected: '2008-10-17' },
  ])('$name', ({ version, expected }) => {
    const r = parsePolicy({ ...(version ? { Version: version } : {}), Statement: { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' } }, 'identity');
    expect(r.ok && r.document.version).toBe(expected);
  });

  it('reads a single Statement object as statement 0 and keeps Id', () => {
    const r = parsePolicy({ Version: '2012-10-17', Id: 'p1', Statement: { Sid: 'only', Effect: 'Deny', Action: '*', Resource: '*' } });
    expect(r.ok && r.document).toEqual({ version: '2012-10-17', id: 'p1', statements: [{ index: 0, sid: 'only', effect: 'Deny', action: ['*'], resource: ['*'] }] });
  });

  it.each([
    { name: 'Principal "*"', stmt: { Principal: '*' }, key: 'principal', expected: '*' },
    { name: 'Principal with a single AWS string', stmt: { Principal: { AWS: 'arn:aws:iam::111122223333:root' } }, key: 'principal', expected: { AWS: ['arn:aws:iam::111122223333:root'] } },
    { name: 'Principal with Service and Federated lists', stmt: { Principal: { Service: ['bedrock.amazonaws.com', 'lambda.amazonaws.com'], Federated: 'cognito-identity.amazonaws.com' } }, key: 'principal', expected: { Service: ['bedrock.amazonaws.com', 'lambda.amazonaws.com'], Federated: ['cognito-identity.amazonaws.com'] } },
    { name: 'NotPrincipal', stmt: { NotPrincipal: { AWS: ['arn:aws:iam::111122223333:role/admin'] } }, key: 'notPrincipal', expected: { AWS: ['arn:aws:iam::111122223333:role/admin'] } },
  ])('trust policy: $name', ({ stmt, key, expected }) => {
    const r = parsePolicy({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', ...stmt }] }, 'trust');
    expect(r.ok && (r.document.statements[0] as unknown as Record<string, unknown>)[key]).toEqual(expected);
  });

  it('condition values that are numbers or booleans become strings', () => {
    const r = parsePolicy({ Statement: { Effect: 'Allow', Action: '*', Resource: '*', Condition: { NumericLessThan: { 'aws:MultiFactorAuthAge': 3600 }, Bool: { 'aws:SecureTransport': [true] } } } });
    expect(r.ok && r.document.statements[0]!.condition).toEqual({ NumericLessThan: { 'aws:MultiFactorAuthAge': ['3600'] }, Bool: { 'aws:SecureTransport': ['true'] } });
  });
});

describe('parsePolicy: errors name the JSON path and what was expected', () => {
  const cases: { name: string; input: unknown; kind?: 'identity' | 'trust' | 'any'; path: string; expected: RegExp }[] = [
    { name: 'a bad Effect in the second statement', input: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }, { Effect: 'allow', Action: '*', Resource: '*' }] }, path: '$.Statement[1].Effect', expected: /"Allow" or "Deny"/ },
    { name: 'a number inside an Action array', input: { Statement: [{ Effect: 'Allow', Action: ['s3:GetObject', 7], Resource: '*' }] }, path: '$.Statement[0].Action[1]', expected: /a string/ },
    { name: 'an empty Resource array', input: { Statement: { Effect: 'Allow', Action: '*', Resource: [] } }, path: '$.Statement.Resource', expected: /non-empty array/ },
    { name: 'a number inside a Principal list', input: { Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole' }, { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { AWS: ['arn:aws:iam::111122223333:root', 5] } }] }, path: '$.Statement[1].Principal.AWS[1]', expected: /a string/ },
    { name: 'a condition operator holding a string', input: { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*', Condition: { StringEquals: 'x' } }] }, path: '$.Statement[0].Condition.StringEquals', expected: /condition keys/ },
    { name: 'an empty NotResource list', input: { Statement: [{ Effect: 'Deny', Action: '*', NotResource: [] }] }, path: '$.Statement[0].NotResource', expected: /non-empty array/ },
    { name: 'both Action and NotAction', input: { Statement: [{ Effect: 'Allow', Action: '*', NotAction: 'iam:*', Resource: '*' }] }, path: '$.Statement[0]', expected: /exactly one of Action or NotAction/ },
    { name: 'neither Action nor NotAction', input: { Statement: [{ Effect: 'Allow', Resource: '*' }] }, path: '$.Statement[0]', expected: /exactly one of Action or NotAction/ },
    { name: 'an identity statement without Resource', input: { Statement: [{ Effect: 'Allow', Action: '*' }] }, kind: 'identity', path: '$.Statement[0]', expected: /Resource or NotResource/ },
    { name: 'a trust statement without Principal', input: { Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole' }] }, kind: 'trust', path: '$.Statement[0]', expected: /Principal or NotPrincipal/ },
    { name: 'an unknown statement key (a typo)', input: { Statement: [{ Effect: 'Allow', Actions: '*', Resource: '*' }] }, path: '$.Statement[0].Actions', expected: /one of Sid, Effect/ },
    { name: 'an unknown top-level key', input: { Version: '2012-10-17', Statements: [] }, path: '$.Statements', expected: /one of Version, Id, Statement/ },
    { name: 'an unsupported Version', input: { Version: '2012-10-18', Statement: [] }, path: '$.Version', expected: /"2012-10-17" or "2008-10-17"/ },
    { name: 'a missing Statement', input: { Version: '2012-10-17' }, path: '$.Statement', expected: /a statement or an array/ },
    { name: 'a Condition value that is an object', input: { Statement: { Effect: 'Allow', Action: '*', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalTag/team': [{ x: 1 }] } } } }, path: '$.Statement.Condition.StringEquals.aws:PrincipalTag/team[0]', expected: /string, number or boolean/ },
    { name: 'a Principal given as a bare ARN string', input: { Statement: { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: 'arn:aws:iam::111122223333:root' } }, kind: 'trust', path: '$.Statement.Principal', expected: /"\*" or an object/ },
    { name: 'an array instead of a document', input: [{ Effect: 'Allow' }], path: '$', expected: /a policy document object/ },
    { name: 'truncated JSON text', input: '{"Version":"2012-10-17","Statement":[', path: '$', expected: /valid JSON/ },
    { name: 'broken URL encoding', input: '%7B%22Version%E0%A4%A', path: '$', expected: /URL-encoded/ },
  ];
  it.each(cases)('$name → $path', ({ input, kind, path, expected }) => {
    const r = parsePolicy(input, kind ?? 'any');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.path).toBe(path);
    expect(r.error.expected).toMatch(expected);
    expect(typeof r.error.got).toBe('string');
  });

  it('prefixes paths with the caller’s base path so errors point into the enclosing file', () => {
    const r = parsePolicy({ Statement: [{ Effect: 'Maybe', Action: '*', Resource: '*' }] }, 'identity', '$.RoleDetailList[3].RolePolicyList[0].PolicyDocument');
    expect(!r.ok && r.error.path).toBe('$.RoleDetailList[3].RolePolicyList[0].PolicyDocument.Statement[0].Effect');
  });

  it('says what it got, shortened, so a huge bad document does not flood the message', () => {
    const r = parsePolicy(`{"Version": "2012-10-17", "Statement": ${'x'.repeat(5000)}`);
    expect(!r.ok && r.error.got.length).toBeLessThan(60);
    expect(!r.ok && r.error.got).toMatch(/^string "\{"Version/);
  });

  it('decodePolicyText reads plain and URL-encoded text alike', () => {
    expect(decodePolicyText(encodeURIComponent('{"a":[1,"x y"]}'))).toEqual({ a: [1, 'x y'] });
    expect(decodePolicyText(' {"a":1} ')).toEqual({ a: 1 });
  });
});

describe('parsePolicy: properties', () => {
  it('never throws, whatever it is given: it returns a document or an error value', () => {
    const anything = fc.anything({ withBigInt: true, withNullPrototype: true, withBoxedValues: true, withMap: true, withSet: true, withTypedArray: true, withSparseArray: true, withDate: true, withObjectString: true });
    fc.assert(
      fc.property(fc.oneof(anything, fc.string(), fc.json(), fc.string().map(encodeURIComponent)), (input) => {
        const r = parsePolicy(input, 'any');
        if (r.ok) expect(Array.isArray(r.document.statements)).toBe(true);
        else expect(typeof r.error.path === 'string' && r.error.path.startsWith('$')).toBe(true);
      }),
      { numRuns: 2000, seed: 11 },
    );
  });

  it('never throws on statement-shaped garbage either (anything in every field)', () => {
    const field = fc.oneof(fc.anything(), fc.string(), fc.array(fc.oneof(fc.string(), fc.anything()), { maxLength: 3 }));
    const stmt = fc.record({ Effect: field, Action: field, Resource: field, Principal: field, Condition: fc.oneof(field, fc.dictionary(fc.string(), fc.dictionary(fc.string(), field))) }, { requiredKeys: [] });
    fc.assert(
      fc.property(fc.record({ Version: fc.oneof(fc.constant('2012-10-17'), field), Statement: fc.oneof(stmt, fc.array(stmt, { maxLength: 3 })) }, { requiredKeys: [] }), fc.constantFrom('identity', 'trust', 'any') as fc.Arbitrary<'identity' | 'trust' | 'any'>, (input, kind) => {
        const r = parsePolicy(input, kind);
        expect(typeof r.ok).toBe('boolean');
      }),
      { numRuns: 2000, seed: 12 },
    );
  });

  it('policyToJson then parsePolicy is the identity on parsed documents', () => {
    fc.assert(
      fc.property(policyArb(), (json) => {
        const first = parsePolicy(json, 'identity');
        expect(first.ok).toBe(true);
        if (!first.ok) return;
        expect(parsePolicy(policyToJson(first.document), 'identity')).toEqual(first);
        // and through the wire format the IAM API uses
        expect(parsePolicy(encodeURIComponent(JSON.stringify(policyToJson(first.document))), 'identity')).toEqual(first);
      }),
      { numRuns: 300, seed: 13 },
    );
  });
});
