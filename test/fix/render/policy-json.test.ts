import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderPolicyJson } from '../../../src/fix/render/policy-json.js';
import { parsePolicy } from '../../../src/iam/parse.js';
import { doc, policyDocument, toSetStatements } from './support.js';

describe('renderPolicyJson', () => {
  it('writes keys in one fixed order whatever order the input had, with a 2-space indent', () => {
    //Given a statement written with its keys in an unusual order
    const d = doc({ Statement: [{ Condition: { Bool: { 'aws:SecureTransport': 'true' } }, Resource: '*', Action: ['s3:GetObject'], Effect: 'Allow', Sid: 'Read' }], Id: 'x', Version: '2012-10-17' });
    //When it is rendered
    const text = renderPolicyJson(d);
    //Then Version, Id, Statement and Sid, Effect, Action, Resource, Condition come in that order
    expect(text).toBe(
      [
        '{',
        '  "Version": "2012-10-17",',
        '  "Id": "x",',
        '  "Statement": [',
        '    {',
        '      "Sid": "Read",',
        '      "Effect": "Allow",',
        '      "Action": "s3:GetObject",',
        '      "Resource": "*",',
        '      "Condition": {',
        '        "Bool": {',
        '          "aws:SecureTransport": "true"',
        '        }',
        '      }',
        '    }',
        '  ]',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('puts Principal before Action, as trust policies are usually read', () => {
    const text = renderPolicyJson(doc({ Version: '2012-10-17', Statement: { Action: 'sts:AssumeRole', Principal: { Service: 'bedrock.amazonaws.com' }, Effect: 'Allow' } }));
    expect(text.indexOf('"Principal"')).toBeLessThan(text.indexOf('"Action"'));
  });

  it('parses back to the same policy, pretty or compact', () => {
    fc.assert(
      fc.property(policyDocument, fc.boolean(), (d, compact) => {
        const text = renderPolicyJson(d, { compact });
        expect(text.endsWith('\n')).toBe(true);
        expect(text.trimEnd().includes('\n')).toBe(!compact);
        const back = parsePolicy(text, 'any');
        expect(back.ok && toSetStatements(back.document)).toEqual(toSetStatements(d));
        expect(back.ok && back.document.statements.map((s) => s.action ?? s.notAction)).toEqual(d.statements.map((s) => s.action ?? s.notAction));
      }),
      { numRuns: 100 },
    );
  });
});
