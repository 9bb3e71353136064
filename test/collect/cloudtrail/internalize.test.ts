import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { internalized } from '../../../src/collect/cloudtrail/internalize.js';

describe('internalized', () => {
  it('gives back the same text for any string, names that are special as keys included', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.constantFrom('', '__proto__', 'constructor', 'toString', '0', '123', '4294967295', '-1', '1e3')), (s) => {
        expect(internalized(s)).toBe(s);
      }),
      { numRuns: 2000 },
    );
  });
});
