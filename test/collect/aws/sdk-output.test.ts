import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeAuthorizationDetails } from '../../../src/collect/iam/authorization-details-live.js';
import { decodePolicyDocument, plainJson } from '../../../src/collect/aws/sdk-output.js';

const jsonObject = fc.dictionary(fc.string(), fc.jsonValue()).map((o) => JSON.parse(JSON.stringify(o)) as Record<string, unknown>);

describe('decodePolicyDocument', () => {
  it('URL-encoded JSON decodes to the same object, for any JSON object (property)', () => {
    fc.assert(
      fc.property(jsonObject, (doc) => {
        const decoded = decodePolicyDocument(encodeURIComponent(JSON.stringify(doc)));
        expect(decoded).toEqual({ ok: true, document: doc });
      }),
    );
  });

  it('keeps a literal + (IAM encodes it as %2B; decoding must not turn it into a space)', () => {
    const doc = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::a+b/*' }] };
    expect(decodePolicyDocument(encodeURIComponent(JSON.stringify(doc)))).toEqual({ ok: true, document: doc });
  });

  it('accepts plain JSON text and parsed objects', () => {
    expect(decodePolicyDocument('{"Version":"2012-10-17","Statement":[]}')).toEqual({ ok: true, document: { Version: '2012-10-17', Statement: [] } });
    expect(decodePolicyDocument({ Version: '2012-10-17' })).toEqual({ ok: true, document: { Version: '2012-10-17' } });
  });

  it.each([
    ['%E0%A4%A', 'a URL-encoded JSON policy document'],
    ['%7Bnot json', 'valid JSON'],
    ['%5B1%5D', 'a JSON object'],
    [42, 'a policy document string'],
  ])('says what was expected for %s', (input, expected) => {
    const r = decodePolicyDocument(input);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.expected).toContain(expected);
  });
});

describe('decodeAuthorizationDetails', () => {
  it('reports the JSON path of a document that is not JSON and leaves it as returned', () => {
    const details = {
      UserDetailList: [],
      GroupDetailList: [],
      RoleDetailList: [{ RoleName: 'r', AssumeRolePolicyDocument: '%7B%7D', RolePolicyList: [{ PolicyName: 'p', PolicyDocument: '%7Bbroken' }] }],
      Policies: [],
    };
    const errors = decodeAuthorizationDetails(details);
    expect(errors).toEqual([expect.objectContaining({ code: 'invalid-input', path: '$.RoleDetailList[0].RolePolicyList[0].PolicyDocument' })]);
    expect(details.RoleDetailList[0]?.AssumeRolePolicyDocument).toEqual({});
    expect(details.RoleDetailList[0]?.RolePolicyList[0]?.PolicyDocument).toBe('%7Bbroken');
  });

  it('does not look inside documents for more documents', () => {
    const doc = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*', Condition: { StringEquals: { PolicyDocument: '%7B' } } }] };
    const details = { UserDetailList: [], GroupDetailList: [], RoleDetailList: [{ AssumeRolePolicyDocument: doc }], Policies: [] };
    expect(decodeAuthorizationDetails(details)).toEqual([]);
    expect(details.RoleDetailList[0]?.AssumeRolePolicyDocument).toBe(doc);
  });
});

describe('plainJson', () => {
  it('turns Dates into ISO strings and drops undefined and $metadata', () => {
    expect(plainJson({ $metadata: { httpStatusCode: 200 }, CreateDate: new Date(Date.UTC(2024, 0, 2)), Gone: undefined, List: [{ D: new Date(0) }] })).toEqual({
      CreateDate: '2024-01-02T00:00:00.000Z',
      List: [{ D: '1970-01-01T00:00:00.000Z' }],
    });
  });
});
