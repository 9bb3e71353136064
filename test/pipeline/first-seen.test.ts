// withFirstSeen copies each finding with its first sighting (Object.assign, for V8's hidden
// classes): the copy is the finding with firstSeen set, in the same key order, and the report's
// findings are left as they were.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { withFirstSeen } from '../../src/pipeline/scan.js';
import { baseFindings, buildReport, laterReport } from '../report/support.js';

describe('withFirstSeen', () => {
  it('each finding gets the previous scan\'s firstSeen for its id, else this scan\'s start, key order kept (property)', () => {
    const all = baseFindings();
    fc.assert(
      fc.property(fc.subarray(all.map((_, i) => i)), fc.subarray(all.map((_, i) => i)), (seenBefore, withOwn) => {
        const previous = buildReport({ findings: all.filter((_, i) => seenBefore.includes(i)).map((f) => ({ ...f, firstSeen: '2026-10-01T00:00:00.000Z' })) });
        const current = laterReport();
        const findings = current.findings.map((f, i) => (withOwn.includes(i) ? { ...f, firstSeen: '2026-01-01T00:00:00.000Z' } : f));
        const report = { ...current, findings };
        const before = JSON.stringify(findings);
        const out = withFirstSeen(report, previous);
        const earlier = new Map(previous.findings.map((f) => [f.id, f.firstSeen!]));
        // The same text as a spread copy gives: the same keys in the same order, firstSeen set.
        expect(JSON.stringify(out.findings)).toBe(JSON.stringify(findings.map((f) => ({ ...f, firstSeen: earlier.get(f.id) ?? report.scan.startedAt }))));
        expect(out.findings.every((f) => f.firstSeen !== undefined)).toBe(true);
        expect(JSON.stringify(findings)).toBe(before);
      }),
      { numRuns: 30, seed: 20261204 },
    );
  });
});
