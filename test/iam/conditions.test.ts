import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { and3, conditionKeys, evaluateCondition, evaluateConditionFresh, gatesOnApproval, gatesOnApprovalFresh, not3, or3, parseOperator, parseOperatorFresh, substituteVariables, type RequestContext, type Tri } from '../../src/iam/conditions.js';
import { LITERAL_STAR } from '../../src/iam/pattern.js';
import { conditionBlockArb, conditionEntryArb, contextArb } from '../support/arbitraries.js';

const closed = (values: Record<string, string[]>): RequestContext => ({ values, closedWorld: true });
const open = (values: Record<string, string[]>): RequestContext => ({ values });

describe('three-valued logic', () => {
  const tri = fc.constantFrom<Tri>(true, false, 'unknown');
  // Kleene's strong logic: unknown is "true or false, we do not know which".
  const completions = (t: Tri): boolean[] => (t === 'unknown' ? [true, false] : [t]);
  const lift = (results: boolean[]): Tri => (results.every((r) => r) ? true : results.every((r) => !r) ? false : 'unknown');

  it('and3, or3 and not3 are exactly what every completion of unknown agrees on', () => {
    fc.assert(
      fc.property(tri, tri, (a, b) => {
        expect(and3(a, b)).toBe(lift(completions(a).flatMap((x) => completions(b).map((y) => x && y))));
        expect(or3(a, b)).toBe(lift(completions(a).flatMap((x) => completions(b).map((y) => x || y))));
        expect(not3(a)).toBe(lift(completions(a).map((x) => !x)));
      }),
    );
  });
});

describe('parseOperator', () => {
  it.each([
    ['StringEquals', { name: 'stringequals', ifExists: false }],
    ['stringequalsifexists', { name: 'stringequals', ifExists: true }],
    ['ForAnyValue:StringLike', { set: 'foranyvalue', name: 'stringlike', ifExists: false }],
    ['ForAllValues:StringEqualsIfExists', { set: 'forallvalues', name: 'stringequals', ifExists: true }],
    ['Null', { name: 'null', ifExists: false }],
    ['BoolIfExists', { name: 'bool', ifExists: true }],
  ] as const)('%s', (op, expected) => {
    expect(parseOperator(op)).toEqual(expected);
  });

  it.each(['StringEqualz', 'IfExists', 'ForSomeValues:StringEquals', ''])('rejects %j', (op) => {
    expect(parseOperator(op)).toBeUndefined();
  });
});

describe('evaluateCondition', () => {
  const cases: { name: string; condition: Record<string, Record<string, string[]>>; ctx: RequestContext; expected: Tri }[] = [
    { name: 'StringEquals is case-sensitive', condition: { StringEquals: { 'aws:PrincipalTag/team': ['platform'] } }, ctx: closed({ 'aws:principaltag/team': ['Platform'] }), expected: false },
    { name: 'StringEqualsIgnoreCase is not', condition: { StringEqualsIgnoreCase: { 'aws:PrincipalTag/team': ['platform'] } }, ctx: closed({ 'aws:principaltag/team': ['Platform'] }), expected: true },
    { name: 'condition keys are case-insensitive', condition: { StringEquals: { 'AWS:PRINCIPALTAG/TEAM': ['platform'] } }, ctx: closed({ 'aws:principaltag/team': ['platform'] }), expected: true },
    { name: 'values of one key are ORed', condition: { StringEquals: { 'aws:RequestedRegion': ['us-east-1', 'eu-west-1'] } }, ctx: closed({ 'aws:requestedregion': ['eu-west-1'] }), expected: true },
    { name: 'negated operators AND their values', condition: { StringNotEquals: { 'aws:RequestedRegion': ['us-east-1', 'eu-west-1'] } }, ctx: closed({ 'aws:requestedregion': ['eu-west-1'] }), expected: false },
    { name: 'keys are ANDed', condition: { StringEquals: { 'aws:RequestedRegion': ['us-east-1'], 'aws:PrincipalTag/team': ['x'] } }, ctx: closed({ 'aws:requestedregion': ['us-east-1'] }), expected: false },
    { name: 'an absent key fails a positive operator', condition: { StringLike: { 's3:prefix': ['home/*'] } }, ctx: closed({}), expected: false },
    { name: 'an absent key satisfies a negated operator', condition: { StringNotLike: { 's3:prefix': ['home/*'] } }, ctx: closed({}), expected: true },
    { name: 'IfExists passes when the key is absent', condition: { NumericLessThanIfExists: { 'aws:MultiFactorAuthAge': ['3600'] } }, ctx: closed({}), expected: true },
    { name: 'IfExists still tests a present key', condition: { NumericLessThanIfExists: { 'aws:MultiFactorAuthAge': ['3600'] } }, ctx: closed({ 'aws:multifactorauthage': ['7200'] }), expected: false },
    { name: 'Null true means absent', condition: { Null: { 'aws:TokenIssueTime': ['true'] } }, ctx: closed({}), expected: true },
    { name: 'Null false means present', condition: { Null: { 'aws:TokenIssueTime': ['false'] } }, ctx: closed({ 'aws:tokenissuetime': ['2026-01-01T00:00:00Z'] }), expected: true },
    { name: 'Bool compares true/false', condition: { Bool: { 'aws:SecureTransport': ['false'] } }, ctx: closed({ 'aws:securetransport': ['true'] }), expected: false },
    { name: 'NumericLessThan compares numbers, not strings', condition: { NumericLessThan: { 'aws:MultiFactorAuthAge': ['1000'] } }, ctx: closed({ 'aws:multifactorauthage': ['999'] }), expected: true },
    { name: 'a non-numeric request value never satisfies a numeric operator', condition: { NumericLessThan: { 'aws:MultiFactorAuthAge': ['1000'] } }, ctx: closed({ 'aws:multifactorauthage': ['soon'] }), expected: false },
    { name: 'dates compare as instants across time zones', condition: { DateEquals: { 'aws:CurrentTime': ['2026-01-01T01:00:00+01:00'] } }, ctx: closed({ 'aws:currenttime': ['2026-01-01T00:00:00Z'] }), expected: true },
    { name: 'dates accept epoch seconds, as IAM documents', condition: { DateGreaterThan: { 'aws:CurrentTime': ['1767225600'] } }, ctx: closed({ 'aws:currenttime': ['2026-06-01T00:00:00Z'] }), expected: true },
    { name: 'IpAddress with a CIDR block', condition: { IpAddress: { 'aws:SourceIp': ['203.0.113.0/24'] } }, ctx: closed({ 'aws:sourceip': ['203.0.113.77'] }), expected: true },
    { name: 'IpAddress with a bare address is a /32', condition: { IpAddress: { 'aws:SourceIp': ['203.0.113.7'] } }, ctx: closed({ 'aws:sourceip': ['203.0.113.8'] }), expected: false },
    { name: 'IpAddress with IPv6 and ::', condition: { IpAddress: { 'aws:SourceIp': ['2001:db8::/32'] } }, ctx: closed({ 'aws:sourceip': ['2001:db8:1:2::ff'] }), expected: true },
    { name: 'IPv4 addresses are never inside an IPv6 block', condition: { IpAddress: { 'aws:SourceIp': ['::/0'] } }, ctx: closed({ 'aws:sourceip': ['10.0.0.1'] }), expected: false },
    { name: 'ArnLike wildcards per field', condition: { ArnLike: { 'aws:PrincipalArn': ['arn:aws:iam::*:role/agent-*'] } }, ctx: closed({ 'aws:principalarn': ['arn:aws:iam::111122223333:role/agent-runner'] }), expected: true },
    { name: 'ForAnyValue: one request value matching is enough', condition: { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['team', 'env'] } }, ctx: closed({ 'aws:tagkeys': ['owner', 'env'] }), expected: true },
    { name: 'ForAllValues: every request value must match', condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['team', 'env'] } }, ctx: closed({ 'aws:tagkeys': ['owner', 'env'] }), expected: false },
    { name: 'ForAllValues on an absent key is vacuously true', condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['team'] } }, ctx: closed({}), expected: true },
    { name: 'ForAnyValue on an absent key is false', condition: { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['team'] } }, ctx: closed({}), expected: false },
    { name: 'a policy variable in a value resolves from the context', condition: { StringEquals: { 's3:prefix': ['home/${aws:username}/'] } }, ctx: closed({ 's3:prefix': ['home/alice/'], 'aws:username': ['alice'] }), expected: true },
    { name: 'a variable default applies when its key is absent', condition: { StringEquals: { 'aws:PrincipalTag/team': ["${aws:PrincipalTag/dept, 'platform'}"] } }, ctx: closed({ 'aws:principaltag/team': ['platform'] }), expected: true },
    { name: '${*} is a literal asterisk, not a wildcard', condition: { StringLike: { 'aws:PrincipalTag/team': ['a${*}b'] } }, ctx: closed({ 'aws:principaltag/team': ['axb'] }), expected: false },
    { name: '${*} matches a literal asterisk', condition: { StringLike: { 'aws:PrincipalTag/team': ['a${*}b'] } }, ctx: closed({ 'aws:principaltag/team': ['a*b'] }), expected: true },
    { name: '${*} is an asterisk under StringEquals too (special variables work wherever variables do)', condition: { StringEquals: { 'aws:PrincipalTag/team': ['a${*}b'] } }, ctx: closed({ 'aws:principaltag/team': ['a*b'] }), expected: true },
    { name: 'a substituted value is literal text, not a pattern', condition: { StringLike: { 's3:prefix': ['home/${aws:PrincipalTag/team}/*'] } }, ctx: closed({ 's3:prefix': ['home/anything/x'], 'aws:principaltag/team': ['*'] }), expected: false },
    { name: 'an unknown operator is never "true"', condition: { StringEqualz: { 'aws:PrincipalTag/team': ['x'] } }, ctx: closed({ 'aws:principaltag/team': ['x'] }), expected: 'unknown' },
  ];
  it.each(cases)('$name', ({ condition, ctx, expected }) => {
    expect(evaluateCondition(condition, ctx)).toBe(expected);
  });

  it('2008-10-17 policies do not substitute variables', () => {
    const condition = { StringEquals: { 's3:prefix': ['home/${aws:username}/'] } };
    const ctx = closed({ 's3:prefix': ['home/alice/'], 'aws:username': ['alice'] });
    expect(evaluateCondition(condition, ctx, false)).toBe(false);
    expect(evaluateCondition({ StringEquals: { 's3:prefix': ['home/${aws:username}/'] } }, closed({ 's3:prefix': ['home/${aws:username}/'] }), false)).toBe(true);
  });

  it('with an open-world (empty) context, a condition on an unknown key is unknown, whatever the operator', () => {
    const op = fc.constantFrom('StringEquals', 'StringNotEquals', 'StringLike', 'NumericLessThan', 'DateGreaterThan', 'Bool', 'IpAddress', 'NotIpAddress', 'ArnLike', 'Null', 'StringEqualsIfExists', 'ForAnyValue:StringEquals', 'ForAllValues:StringLike');
    fc.assert(
      fc.property(op, fc.constantFrom('aws:MultiFactorAuthPresent', 'aws:SourceIp', 'aws:PrincipalTag/team', 'aws:TagKeys'), fc.string(), (operator, key, value) => {
        expect(evaluateCondition({ [operator]: { [key]: [value] } }, open({}))).toBe('unknown');
      }),
      { numRuns: 200, seed: 31 },
    );
  });

  it('a known-false key decides the block even when other keys are unknown', () => {
    expect(evaluateCondition({ Bool: { 'aws:SecureTransport': ['true'] }, StringEquals: { 'aws:PrincipalTag/team': ['x'] } }, open({ 'aws:securetransport': ['false'] }))).toBe(false);
  });

  it('is monotone in knowledge: learning more keys never flips a decided condition', () => {
    const entry = fc.tuple(fc.constantFrom('StringEquals', 'StringNotEquals', 'StringLikeIfExists', 'Null', 'ForAnyValue:StringEquals', 'ForAllValues:StringEquals', 'Bool'), fc.constantFrom('k:a', 'k:b', 'k:c'), fc.constantFrom('x', 'y', 'true', 'false'));
    const values = fc.dictionary(fc.constantFrom('k:a', 'k:b', 'k:c'), fc.uniqueArray(fc.constantFrom('x', 'y', 'true', 'false'), { minLength: 1, maxLength: 2 }));
    fc.assert(
      fc.property(fc.array(entry, { minLength: 1, maxLength: 3 }), values, fc.array(fc.constantFrom<string>('k:a', 'k:b', 'k:c')), (entries, full, hidden) => {
        const condition: Record<string, Record<string, string[]>> = {};
        for (const [op, k, v] of entries) (condition[op] ??= {})[k] = [v];
        const partial = Object.fromEntries(Object.entries(full).filter(([k]) => !hidden.includes(k)));
        const known = evaluateCondition(condition, open(partial));
        if (known !== 'unknown') expect(evaluateCondition(condition, closed(full))).toBe(known);
      }),
      { numRuns: 1000, seed: 32 },
    );
  });
});

describe('substituteVariables', () => {
  it.each([
    { name: 'leaves text without variables alone', text: 'arn:aws:s3:::b/*', ctx: closed({}), expected: 'arn:aws:s3:::b/*' },
    { name: 'substitutes a known key, case-insensitively', text: 'home/${AWS:Username}/', ctx: closed({ 'aws:username': ['alice'] }), expected: 'home/alice/' },
    { name: 'an absent key makes the text unusable', text: 'home/${aws:username}/', ctx: closed({}), expected: undefined },
    { name: 'a multi-valued key cannot be substituted', text: '${aws:TagKeys}', ctx: closed({ 'aws:tagkeys': ['a', 'b'] }), expected: undefined },
    { name: 'a default is used when the key is absent', text: "${aws:PrincipalTag/team, 'shared'}/x", ctx: closed({}), expected: 'shared/x' },
    { name: 'a default is not used in an open world, where the key may exist', text: "${aws:PrincipalTag/team, 'shared'}", ctx: open({}), expected: undefined },
    { name: '${$} is a dollar sign', text: 'a${$}b', ctx: closed({}), expected: 'a$b' },
    { name: '${*} becomes a literal-asterisk marker', text: 'a${*}b', ctx: closed({}), expected: `a${LITERAL_STAR}b` },
  ])('$name', ({ text, ctx, expected }) => {
    expect(substituteVariables(text, ctx)).toBe(expected);
  });
});

describe('conditionKeys', () => {
  it('lists each key once across operators', () => {
    expect(conditionKeys({ StringEquals: { 'aws:PrincipalTag/team': ['x'] }, Null: { 'aws:PrincipalTag/team': ['false'], 'aws:TagKeys': ['true'] } })).toEqual(['aws:PrincipalTag/team', 'aws:TagKeys']);
    expect(conditionKeys(undefined)).toEqual([]);
  });
});

describe('memoised operator parsing and approval gates', () => {
  const opName = fc.oneof(
    conditionEntryArb.map(([op]) => op),
    fc.constantFrom('ForAnyValue:StringLikeIfExists', 'ifexists', 'IfExists', 'NotAnOperator', 'STRINGEQUALS', 'forallvalues:null'),
    fc.string({ maxLength: 12 }),
  );

  it('parseOperator (memoised) equals parseOperatorFresh, on first and repeated calls', () => {
    fc.assert(
      fc.property(fc.array(opName, { minLength: 1, maxLength: 6 }), (ops) => {
        for (const op of [...ops, ...ops]) expect(parseOperator(op)).toEqual(parseOperatorFresh(op));
      }),
      { numRuns: 500, seed: 51 },
    );
  });

  it('gatesOnApproval (memoised per condition) equals gatesOnApprovalFresh for both effects, in any order, and on a copy', () => {
    const effect = fc.constantFrom<'Allow' | 'Deny'>('Allow', 'Deny');
    fc.assert(
      fc.property(conditionBlockArb, fc.array(effect, { minLength: 1, maxLength: 4 }), (raw, effects) => {
        const condition = Object.fromEntries(Object.entries(raw).map(([op, keys]) => [op, Object.fromEntries(Object.entries(keys).map(([k, v]) => [k, typeof v === 'string' ? [v] : v]))]));
        const copy = structuredClone(condition);
        for (const e of effects) {
          expect(gatesOnApproval(condition, e)).toBe(gatesOnApprovalFresh(condition, e));
          expect(gatesOnApproval(copy, e)).toBe(gatesOnApprovalFresh(copy, e));
        }
      }),
      { numRuns: 500, seed: 52 },
    );
    expect(gatesOnApproval(undefined, 'Allow')).toBe(false);
    expect(gatesOnApproval({}, 'Deny')).toBe(false);
  });
});

describe('evaluateCondition with its prepared form', () => {
  const asLists = (raw: Record<string, Record<string, string | string[]>>) =>
    Object.fromEntries(Object.entries(raw).map(([op, keys]) => [op, Object.fromEntries(Object.entries(keys).map(([k, v]) => [k, typeof v === 'string' ? [v] : v]))]));
  // Blocks as policies write them, plus one with an operator IAM does not know (before or after the rest).
  const block = fc.oneof(
    conditionBlockArb.map(asLists),
    fc.tuple(conditionBlockArb.map(asLists), fc.boolean()).map(([b, first]) => (first ? { NotAnOperator: { 'aws:SourceIp': ['10.0.0.0/8'] }, ...b } : { ...b, NotAnOperator: { 'aws:SourceIp': ['10.0.0.0/8'] } })),
  );
  const context = fc.tuple(contextArb, fc.boolean()).map(([raw, closedWorld]): RequestContext => ({
    values: Object.fromEntries(Object.entries(raw).map(([k, v]) => [k.toLowerCase(), typeof v === 'string' ? [v] : v])),
    ...(closedWorld ? { closedWorld } : {}),
  }));

  it('equals the fresh evaluation for the same block asked again with other contexts, and for a copy', () => {
    fc.assert(
      fc.property(block, fc.array(fc.tuple(context, fc.boolean()), { minLength: 1, maxLength: 4 }), (condition, asks) => {
        const copy = structuredClone(condition);
        for (const [ctx, vars] of asks) {
          expect(evaluateCondition(condition, ctx, vars)).toBe(evaluateConditionFresh(condition, ctx, vars));
          expect(evaluateCondition(copy, ctx, vars)).toBe(evaluateConditionFresh(copy, ctx, vars));
        }
      }),
      { numRuns: 1000, seed: 53 },
    );
  });
});
