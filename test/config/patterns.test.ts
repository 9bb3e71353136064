// Patterns that cannot hang: every pattern a user writes in leash.config.yaml runs in linear time
// (RE2 semantics through re2js, or a glob matcher with one backtrack point), or is refused at
// load with the file, the JSON path, what was expected and exit code 2. Behaviour is asserted, not
// timed: a catastrophic-backtracking pattern returns its answer on inputs where a backtracking
// engine would not return at all.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { globMatches, linearRegex, linearRegexProblem, MAX_PATTERN_LENGTH } from '../../src/config/patterns.js';
import { loadConfig } from '../../src/config/config.js';
import { agentEvidenceFor } from '../../src/agents/identify.js';
import { globRegex } from '../../src/iam/pattern.js';
import type { Role } from '../../src/model/snapshot.js';
import { runCli } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'leash-patterns-'));
const cfg = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const role = (name: string): Role => ({
  kind: 'role', arn: `arn:aws:iam::111122223333:role/${name}`, id: 'AROAEXAMPLE', name, path: '/', tags: {}, policies: [], unresolvedPolicyArns: [],
  trustPolicy: { version: '2012-10-17', statements: [] }, instanceProfiles: [],
});

describe('config regexes run on the linear-time engine', () => {
  it('^(a+)+$ is accepted and answers on 64 characters and on 10,000 (a backtracking engine never returns on the failing ones)', () => {
    expect(linearRegexProblem('^(a+)+$')).toBeUndefined();
    const p = linearRegex('^(a+)+$');
    expect(p.test('a'.repeat(64))).toBe(true);
    expect(p.test(`${'a'.repeat(64)}!`)).toBe(false);
    expect(p.test(`${'a'.repeat(10_000)}!`)).toBe(false);
    expect(linearRegex('(x+x+)+y').test('x'.repeat(10_000))).toBe(false);
  });

  it('a configured name pattern of that shape on a 64-character role name ends with its answer', () => {
    const config = loadConfig(cfg('evil.yaml', 'agents:\n  namePatterns: ["^(a+)+$", "(.*a){12}$"]\n'));
    expect(agentEvidenceFor(role('a'.repeat(63) + 'b'), config)).toEqual([]);
    expect(agentEvidenceFor(role('a'.repeat(64)), config).map((e) => e.detail)).toEqual([`name "${'a'.repeat(64)}" matches configured /^(a+)+$/`]);
  });

  it('is case-insensitive like the patterns it replaces, and searches anywhere', () => {
    expect(linearRegex('^ml-assistant-').test('ML-Assistant-prod')).toBe(true);
    expect(linearRegex('assistant').test('my-assistant-role')).toBe(true);
    expect(linearRegex('^assistant').test('my-assistant-role')).toBe(false);
  });

  it.each([
    ['look-behind', '(?<!de)cline', /invalid named capture/],
    ['look-ahead', 'kiro(?=-)', /invalid or unsupported Perl syntax/],
    ['a back-reference', '(a)\\1', /invalid escape sequence/],
    ['an unbalanced group', '(x', /missing closing \)/],
    ['an over-long pattern', 'a'.repeat(MAX_PATTERN_LENGTH + 1), /more than 512/],
    ['a huge repetition', '((a{100}){100}){100}', /./],
  ])('refuses %s with the reason', (_what, pattern, reason) => {
    expect(linearRegexProblem(pattern)).toMatch(reason);
    expect(() => linearRegex(pattern)).toThrow(reason);
  });
});

describe('refused at config load: file, JSON path, what was expected, exit 2', () => {
  it.each([
    ['agents.namePatterns', 'agents:\n  namePatterns: ["^ok-", "(?<!de)cline"]\n', /evil-names\.yaml at line 2, \$\.agents\.namePatterns\[1\]: expected a regular expression in RE2 syntax \(leash runs config patterns in linear time: no look-around, no back-references, at most 512 characters\); this one is refused: invalid named capture.*got "\(\?<!de\)cline"/],
    ['agents.signatures[].userAgent', 'agents:\n  signatures:\n    - userAgent: "(a)\\\\1"\n      tool: acme\n', /evil-names\.yaml at line 3, \$\.agents\.signatures\[0\]\.userAgent: expected a regular expression in RE2 syntax .*invalid escape sequence/],
    ['agents.signatures[].confidence', 'agents:\n  signatures:\n    - userAgent: "acme-agent/"\n      tool: acme\n      confidence: certain\n', /\$\.agents\.signatures\[0\]\.confidence: expected one of "high", "medium", "low"/],
    ['agents.declared[].match', `agents:\n  declared:\n    - match: "${'*a'.repeat(1100)}"\n`, /\$\.agents\.declared\[0\]\.match: expected a glob of at most 2048 characters/],
  ])('%s', async (_what, text, message) => {
    const p = cfg('evil-names.yaml', text);
    expect(() => loadConfig(p)).toThrow(message);
    const r = await runCli(['scan', '--demo', '--config', p, '--reports', join(dir, 'reports'), '--ci']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });

  it('accepts extra signatures, defaulting their confidence to medium', () => {
    const c = loadConfig(cfg('ok.yaml', 'agents:\n  signatures:\n    - userAgent: "md/orders-mcp#"\n      tool: orders-assistant\n      note: the order-lookup MCP server\n'));
    expect(c.agents.signatures).toEqual([{ userAgent: 'md/orders-mcp#', tool: 'orders-assistant', confidence: 'medium', note: 'the order-lookup MCP server' }]);
  });
});

describe('config globs (agents.declared, baseline.principals) run without a regex', () => {
  it('agree with the regex-based glob on random patterns and names', () => {
    const alphabet = fc.constantFrom('a', 'b', '*', '?', '-');
    fc.assert(fc.property(fc.string({ unit: alphabet, maxLength: 8 }), fc.string({ unit: fc.constantFrom('a', 'b', '-', 'A'), maxLength: 10 }), (glob, name) => {
      expect(globMatches(glob, name)).toBe(globRegex(glob).test(name));
      expect(globMatches(glob, name, true)).toBe(globRegex(glob, 'i').test(name));
    }), { numRuns: 2000 });
  });

  it('answer a many-star pattern on a long name (pattern × name steps at most)', () => {
    const glob = `${'*a'.repeat(30)}*b`;
    expect(globMatches(glob, 'a'.repeat(2000))).toBe(false);
    expect(globMatches(glob, `${'a'.repeat(2000)}b`)).toBe(true);
  });

  it('declared globs still match names and ARNs', () => {
    const config = loadConfig(cfg('declared.yaml', 'agents:\n  declared:\n    - match: "AWSReservedSSO_Platform*"\n      tool: claude-code\n    - match: "arn:aws:iam::111122223333:role/ci-*"\n'));
    expect(agentEvidenceFor(role('awsreservedsso_platformadmin_01'), config).map((e) => e.kind)).toEqual(['declared']);
    expect(agentEvidenceFor(role('ci-runner'), config).map((e) => e.kind)).toEqual(['declared']);
    expect(agentEvidenceFor(role('cd-runner'), config)).toEqual([]);
  });
});
