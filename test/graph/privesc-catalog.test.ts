// Issue 9: every path of the pathfinding.cloud catalogue, as a small export where it works and
// three where it does not (the target has nothing to give, the resource is out of reach, a
// condition cannot hold). The export is read by leash's own reader and analysed by the real
// pipeline (analyzeSnapshot, default config, fixed clock):
//   POSITIVE  the attacker has a `privilege-escalation` or `reaches-admin` finding;
//   NEGATIVE  the attacker has neither.
// Fixture correctness is proven separately against iam-simulate (privesc-fixtures.test.ts).
import { describe, expect, it } from 'vitest';
import { SKIP_REASON } from '../support/fixtures.js';
import { NOW, privescCases } from '../support/privesc-cases.js';
import { flagged, readCatalogue, scanFindings } from '../support/privesc-run.js';

const ESCALATION_CHECKS = ['privilege-escalation', 'reaches-admin'] as const;
const catalogue = readCatalogue();

describe.skipIf(!catalogue)(`privilege-escalation catalogue (pathfinding.cloud)${catalogue ? '' : ` — skipped: ${SKIP_REASON}`}`, () => {
  it('has the 65 paths issue 9 names, each with a positive (two for self-edits of a user) and one negative of every kind', () => {
    //Given the catalogue
    //When every path's cases are built
    const all = catalogue!.map((p) => ({ id: p.id, cases: privescCases(p.id) }));
    //Then there are 65 paths, each with one positive and the three kinds of negative
    expect(all).toHaveLength(65);
    for (const { id, cases } of all) {
      expect(cases.filter((c) => c.polarity === 'positive').length, id).toBeGreaterThanOrEqual(1);
      expect(cases.filter((c) => c.polarity === 'negative').map((c) => c.kind).sort(), id).toEqual(['condition-never-holds', 'nothing-to-give', 'out-of-reach']);
    }
  });

  for (const path of catalogue ?? []) {
    describe(`${path.id} ${path.name}`, () => {
      for (const c of privescCases(path.id)) {
        const label = c.polarity === 'positive' ? `POSITIVE (${c.variant})` : `NEGATIVE ${c.kind} (${c.variant})`;
        it(`${label}: ${c.why}`, () => {
          //Given the export built for this case
          //When leash scans it
          const found = flagged(scanFindings(c.export, `${path.id}-${c.polarity}-${c.kind ?? c.variant}.json`, { now: NOW }), c.attackerArn, ESCALATION_CHECKS);
          //Then the attacker is flagged exactly when the path works
          if (c.polarity === 'positive') expect(found, `${path.id}: the attacker should be flagged`).not.toEqual([]);
          else expect(found, `${path.id} (${c.kind}): the attacker should not be flagged`).toEqual([]);
        });
      }
    });
  }
});
