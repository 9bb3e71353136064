// What leash takes for its own files in a fix folder (isFixFile): before it replaces or deletes
// anything there, a name must be one leash writes. A group's trust documents are named by their
// hash since session 24; the per-member names of earlier bundles stay leash's.
import { describe, expect, it } from 'vitest';
import { isFixFile } from '../../src/report/bundle.js';

const hex = (n: number) => '0123456789abcdef'.repeat(8).slice(0, n);

describe('isFixFile: a group folder\'s trust documents', () => {
  it('recognises trust/trust-<12 or 64 hex>.json and the per-member names earlier bundles hold', () => {
    for (const p of [`trust/trust-${hex(12)}.json`, `trust/trust-${hex(64)}.json`, 'trust/role-agent.json', 'trust/user-x~0123456789ab.json']) expect(isFixFile(p), p).toBe(true);
  });

  it('negative controls: other hash lengths, other characters, other folders, deeper paths, a marker', () => {
    for (const p of [
      `trust/trust-${hex(11)}.json`,
      `trust/trust-${hex(13)}.json`,
      `trust/trust-${hex(63)}.json`,
      `trust/trust-${hex(12).toUpperCase()}.json`,
      `trust/trust-${hex(12)}.json.bak`,
      `trust/trust-${hex(12)}`,
      'trust/../apply.sh',
      'trust/sub/role-x.json',
      'trust/.leash-fix',
      `other/trust-${hex(12)}.json`,
      'trust/group-x.json',
    ]) expect(isFixFile(p), p).toBe(false);
  });
});
