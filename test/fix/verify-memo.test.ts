// verifyFix keeps each document's parse-back check per document object (a principal's boundary is
// checked by each of its fixes): asked again on the same object, or with the other kind of
// policy, it must say what a fresh copy of the document says.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { forbiddenActions } from '../../src/baseline/forbidden.js';
import { verifyFix } from '../../src/fix/verify.js';
import { effectivePermissions } from '../../src/iam/effective.js';
import { catalog } from '../../src/iam/catalog.js';
import { ActionExpander } from '../../src/iam/pattern.js';
import { parsePolicy, policyToJson } from '../../src/iam/parse.js';
import { isDeepStrictEqual } from 'node:util';
import type { PolicyDocument, Statement } from '../../src/model/policy.js';

const expander = new ActionExpander(catalog());
const statementArb: fc.Arbitrary<Statement> = fc.record({
  effect: fc.constantFrom('Allow' as const, 'Deny' as const),
  action: fc.array(fc.constantFrom('s3:GetObject', 'iam:*', 'ec2:Describe*', '*', 'not an action', ''), { maxLength: 3 }),
  resource: fc.option(fc.array(fc.constantFrom('*', 'arn:aws:s3:::b/*'), { minLength: 1, maxLength: 2 }), { nil: undefined }),
  principal: fc.option(fc.constantFrom('*' as const, { AWS: ['arn:aws:iam::111122223333:root'] }, { Service: ['ec2.amazonaws.com'] }), { nil: undefined }),
  sid: fc.option(fc.constantFrom('A', 'B 1', ''), { nil: undefined }),
}).map((s) => ({ index: 0, effect: s.effect, action: s.action, ...(s.resource ? { resource: s.resource } : {}), ...(s.principal ? { principal: s.principal } : {}), ...(s.sid !== undefined ? { sid: s.sid } : {}) }));
const docArb: fc.Arbitrary<PolicyDocument> = fc.record({
  version: fc.constantFrom('2012-10-17' as const, '2008-10-17' as const),
  statements: fc.array(statementArb, { maxLength: 3 }),
}).map((d) => ({ version: d.version, statements: d.statements.map((s, i) => ({ ...s, index: i })) }));

const verify = (document: PolicyDocument, name: string) =>
  verifyFix({ identity: [], observed: [], gated: [], documents: [{ name, document, sizeOk: true }] }, expander);

describe('verifyFix: a document checked again', () => {
  it('says what a fresh copy says, for either kind, in either order (property)', () => {
    fc.assert(fc.property(docArb, fc.constantFrom('boundary', 'trust'), (document, first) => {
      const second = first === 'trust' ? 'boundary' : 'trust';
      const memo = [verify(document, first), verify(document, second), verify(document, first)];
      const fresh = [verify(structuredClone(document), first), verify(structuredClone(document), second), verify(structuredClone(document), first)];
      expect(memo).toEqual(fresh);
    }), { numRuns: 300, seed: 20261204 });
  });

  it('documents with the same JSON text (kept once per text) get what parsing each back would say (property)', () => {
    // The check itself, done afresh for every document: what verifyFix must agree with.
    const reference = (document: PolicyDocument, kind: 'trust' | 'identity'): string | undefined => {
      const json = policyToJson(document);
      const back = parsePolicy(JSON.parse(JSON.stringify(json)) as unknown, kind);
      if (!back.ok) return `does not validate: ${back.error.path}: expected ${back.error.expected}`;
      return isDeepStrictEqual(policyToJson(back.document), json) ? undefined : 'does not parse back to the same statements';
    };
    fc.assert(fc.property(fc.array(docArb, { minLength: 1, maxLength: 4 }), fc.array(fc.constantFrom('boundary', 'trust'), { minLength: 4, maxLength: 4 }), (docs, names) => {
      // Each document twice, as separate objects (equal text, another object) and in any order.
      const all = [...docs, ...docs.map((d) => structuredClone(d))];
      all.forEach((document, i) => {
        const name = names[i % names.length]!;
        const expected = reference(document, name === 'trust' ? 'trust' : 'identity');
        const notes = verify(document, name).notes.filter((n) => n.startsWith(`${name} does`));
        expect(notes).toEqual(expected === undefined ? [] : [`${name} ${expected}`]);
      });
    }), { numRuns: 300, seed: 20261204 });
  });

  it('given the effective permissions its caller already has, says what it says working them out (property)', () => {
    const forbidden = forbiddenActions(expander);
    fc.assert(fc.property(fc.array(docArb, { minLength: 1, maxLength: 2 }), fc.option(docArb, { nil: undefined }), (identity, boundary) => {
      const input = { identity, ...(boundary ? { boundary } : {}), observed: [], gated: [], forbidden, documents: [] };
      const effective = effectivePermissions({ identity, ...(boundary ? { boundary: [boundary] } : {}) }, expander);
      expect(verifyFix({ ...input, effective }, expander)).toEqual(verifyFix(input, expander));
    }), { numRuns: 200, seed: 20261204 });
  });

  it('tells a document that does not validate from one that does (both seen by the property)', () => {
    expect(verify({ version: '2012-10-17', statements: [{ index: 0, effect: 'Allow', action: ['s3:GetObject'], resource: ['*'] }] }, 'boundary').safe).toBe(true);
    const bad = verify({ version: '2012-10-17', statements: [{ index: 0, effect: 'Allow', action: ['s3:GetObject'], resource: ['*'] }] }, 'trust');
    expect(bad.safe).toBe(false);
    expect(bad.notes.join(' ')).toMatch(/trust does not validate/);
  });
});
