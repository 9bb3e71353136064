import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parse } from 'yaml';
import { applySuppressions, isActive, isIsoDate, loadSuppressions, saveSuppression } from '../../src/config/suppressions.js';
import type { SuppressionEntry } from '../../src/config/suppressions.js';
import { InputError } from '../../src/model/errors.js';
import { ownFixture } from '../support/fixtures.js';
import { buildReport, FID } from '../tui/support.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'leash-suppr-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function inputError(fn: () => unknown): InputError {
  try {
    fn();
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error('expected an InputError');
}

describe('loadSuppressions', () => {
  it('reads a committed file', () => {
    const s = loadSuppressions(ownFixture('tui/suppressions.yaml'));
    expect(s.map((x) => [x.findingId, x.by, x.until])).toEqual([
      [FID('f-ci-destructive'), 'alice', undefined],
      [FID('f-bedrock-boundary'), undefined, '2026-12-31'],
    ]);
  });

  it('treats a missing file as no suppressions', () => {
    expect(loadSuppressions(join(dir, 'nope.yaml'))).toEqual([]);
  });

  it('accepts a bare list of entries', () => {
    const p = join(dir, 's.yaml');
    writeFileSync(p, '- findingId: a\n  reason: ok\n');
    expect(loadSuppressions(p)).toEqual([{ findingId: 'a', reason: 'ok' }]);
  });

  it.each([
    ['a missing reason', 'suppressions:\n  - findingId: a\n', 'line 2, $.suppressions[0].reason', 'string'],
    ['an empty reason', 'suppressions:\n  - findingId: a\n    reason: "  "\n', '$.suppressions[0].reason', 'a non-empty reason'],
    ['an impossible date', 'suppressions:\n  - findingId: a\n    reason: r\n    until: 2026-02-30\n', 'line 4, $.suppressions[0].until', 'YYYY-MM-DD'],
    ['an unknown key', 'suppressions:\n  - findingId: a\n    reason: r\n    expires: 2026-01-01\n', '$.suppressions[0]', 'unknown: expires'],
    ['a wrong top-level type', 'suppressions: yes\n', '$.suppressions', 'array'],
  ])('rejects %s naming file, place and expectation', (_name, text, where, expected) => {
    const p = join(dir, 'bad.yaml');
    writeFileSync(p, text);
    const e = inputError(() => loadSuppressions(p));
    expect(e.file).toBe(p);
    expect(e.path).toContain(where);
    expect(e.expected).toContain(expected);
  });

  it('reports YAML syntax errors with their line', () => {
    const p = join(dir, 'broken.yaml');
    writeFileSync(p, 'suppressions:\n  - findingId: a\n    reason: "unterminated\n');
    const e = inputError(() => loadSuppressions(p));
    expect(e.expected).toBe('valid YAML');
    expect(e.path).toMatch(/^line \d+$/);
  });
});

describe('saveSuppression', () => {
  it('writes an entry that loads back, with who and when', () => {
    const p = join(dir, 'leash.suppressions.yaml');
    const now = new Date('2026-11-24T10:00:00Z');
    saveSuppression(p, { findingId: 'f1', checkId: 'destructive-actions', reason: 'sandbox account', by: 'bob', until: '2027-01-31' }, now);
    const text = readFileSync(p, 'utf8');
    expect(text.startsWith('# leash suppressions')).toBe(true);
    expect(parse(text)).toEqual({ version: 1, suppressions: [{ findingId: 'f1', checkId: 'destructive-actions', reason: 'sandbox account', by: 'bob', until: '2027-01-31', createdAt: '2026-11-24T10:00:00.000Z' }] });
  });

  it('replaces an earlier entry for the same finding and keeps the others', () => {
    const p = join(dir, 's.yaml');
    saveSuppression(p, { findingId: 'f1', reason: 'first' });
    saveSuppression(p, { findingId: 'f2', reason: 'other' });
    saveSuppression(p, { findingId: 'f1', reason: 'second' });
    expect(loadSuppressions(p).map((s) => [s.findingId, s.reason])).toEqual([['f2', 'other'], ['f1', 'second']]);
  });

  it('refuses an entry without a reason or with a bad date, and writes nothing', () => {
    const p = join(dir, 's.yaml');
    expect(inputError(() => saveSuppression(p, { findingId: 'f1', reason: ' ' })).path).toBe('$.reason');
    expect(inputError(() => saveSuppression(p, { findingId: 'f1', reason: 'r', until: '31/12/2026' })).path).toBe('$.until');
    expect(existsSync(p)).toBe(false);
  });

  it('never overwrites a file it cannot read', () => {
    const p = join(dir, 's.yaml');
    writeFileSync(p, 'suppressions:\n  - findingId: a\n');
    expect(() => saveSuppression(p, { findingId: 'b', reason: 'r' })).toThrow(InputError);
    expect(readFileSync(p, 'utf8')).toBe('suppressions:\n  - findingId: a\n');
  });
});

describe('applySuppressions', () => {
  const findings = buildReport().findings;
  const now = new Date('2026-11-24T12:00:00Z');

  it('marks matching findings with reason, by and until, and drops none', () => {
    const out = applySuppressions(findings, loadSuppressions(ownFixture('tui/suppressions.yaml')), now);
    expect(out).toHaveLength(findings.length);
    expect(out.find((f) => f.id === FID('f-ci-destructive'))?.suppressed).toEqual({ reason: 'CI must delete preview stacks; reviewed in SEC-1234', by: 'alice' });
    expect(out.find((f) => f.id === FID('f-bedrock-boundary'))?.suppressed).toEqual({ reason: 'boundary lands with the Q1 platform release', until: '2026-12-31' });
    expect(out.filter((f) => f.suppressed)).toHaveLength(2);
  });

  it('does not mutate its input', () => {
    applySuppressions(findings, [{ findingId: FID('f-ci-destructive'), reason: 'x' }], now);
    expect(findings.every((f) => f.suppressed === undefined)).toBe(true);
  });

  it('applies through the whole `until` day (UTC) and not after', () => {
    const s: SuppressionEntry[] = [{ findingId: FID('f-ci-destructive'), reason: 'x', until: '2026-11-24' }];
    expect(applySuppressions(findings, s, new Date('2026-11-24T23:59:59Z')).some((f) => f.suppressed)).toBe(true);
    expect(applySuppressions(findings, s, new Date('2026-11-25T00:00:00Z')).some((f) => f.suppressed)).toBe(false);
  });

  it('does not apply when checkId or principalArn disagree with the finding', () => {
    const wrongCheck = applySuppressions(findings, [{ findingId: FID('f-ci-destructive'), checkId: 'admin-access', reason: 'x' }], now);
    const wrongPrincipal = applySuppressions(findings, [{ findingId: FID('f-ci-destructive'), principalArn: 'arn:aws:iam::1:role/other', reason: 'x' }], now);
    expect(wrongCheck.some((f) => f.suppressed)).toBe(false);
    expect(wrongPrincipal.some((f) => f.suppressed)).toBe(false);
  });

  it('property: length is kept and unmatched findings are returned untouched', () => {
    const ids = findings.map((f) => f.id);
    const entry = fc.record({ findingId: fc.oneof(fc.constantFrom(...ids), fc.string({ minLength: 1 })), reason: fc.string({ minLength: 1 }) });
    fc.assert(fc.property(fc.array(entry, { maxLength: 8 }), (entries) => {
      const out = applySuppressions(findings, entries, now);
      expect(out).toHaveLength(findings.length);
      out.forEach((f, i) => {
        const matched = entries.some((e) => e.findingId === f.id);
        if (matched) expect(f.suppressed?.reason).toBe(entries.find((e) => e.findingId === f.id)!.reason);
        else expect(f).toBe(findings[i]);
      });
    }));
  });
});

describe('dates', () => {
  it.each([['2026-12-31', true], ['2028-02-29', true], ['2026-02-29', false], ['2026-13-01', false], ['26-01-01', false], ['2026-1-1', false]])('isIsoDate(%s) is %s', (s, ok) => {
    expect(isIsoDate(s)).toBe(ok);
  });

  it('an entry without until is always active', () => {
    expect(isActive({}, new Date('2099-01-01'))).toBe(true);
  });
});
