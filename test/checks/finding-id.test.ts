// findingId hashes with the one-shot crypto.hash; ids must stay what the Hash object gave
// (they are stable across scans: suppressions and history key on them).
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findingId } from '../../src/checks/run.js';

const viaHashObject = (c: string, p: string, s: string) => createHash('sha256').update(`${c}\u0000${p}\u0000${s}`).digest('hex').slice(0, 20);

describe('finding ids', () => {
  it('are the first 20 hex digits of the sha256 of check, principal and subject, as before', () => {
    fc.assert(fc.property(fc.string(), fc.string(), fc.string({ unit: 'binary' }), (c, p, s) => {
      expect(findingId(c, p, s)).toBe(viaHashObject(c, p, s));
    }), { numRuns: 300, seed: 18 });
    expect(findingId('destructive-actions', 'arn:aws:iam::123456789012:role/agent', 'destructive')).toBe(viaHashObject('destructive-actions', 'arn:aws:iam::123456789012:role/agent', 'destructive'));
  });

  it('negative control: another separator gives other ids', () => {
    expect(findingId('a', 'b', 'c')).not.toBe(createHash('sha256').update('a|b|c').digest('hex').slice(0, 20));
  });
});
