import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonErrorOffset, lineColumn } from '../../../src/collect/cloudtrail/json-error.js';

describe('jsonErrorOffset', () => {
  it('accepts whatever JSON.stringify writes', () => {
    fc.assert(fc.property(fc.jsonValue(), fc.constantFrom(0, 1, 2), (v, indent) => jsonErrorOffset(JSON.stringify(v, null, indent)) === -1));
  });

  it('agrees with JSON.parse on validity for arbitrary text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json().map((j) => j.slice(0, Math.max(0, j.length - 1)))), (text) => {
        let valid = true;
        try {
          JSON.parse(text);
        } catch {
          valid = false;
        }
        expect(jsonErrorOffset(text) === -1).toBe(valid);
      }),
      { numRuns: 500 },
    );
  });

  it('counts lines and columns from 1', () => {
    expect(lineColumn('ab\ncd', 4)).toBe('line 2 column 2');
  });
});

describe('jsonErrorOffset on deep nesting (hostile files)', () => {
  it('locates the error in text nested 200,000 deep without overflowing the stack; the valid text is -1', () => {
    const depth = 200_000;
    const good = `{"Records":[${'[{"a":'.repeat(depth)}1${'}]'.repeat(depth)}]}`;
    expect(jsonErrorOffset(good)).toBe(-1);
    // The innermost `}` becomes `]`: the error is at that byte.
    const at = good.indexOf('1}') + 1;
    const bad = `${good.slice(0, at)}]${good.slice(at + 1)}`;
    expect(jsonErrorOffset(bad)).toBe(at);
    // A missing member after a comma deep inside, and text after the document.
    expect(jsonErrorOffset(`${'['.repeat(depth)}1,${']'.repeat(depth)}`)).toBe(depth + 2);
    expect(jsonErrorOffset(`${'['.repeat(depth)}${']'.repeat(depth)}x`)).toBe(2 * depth);
  });

});
