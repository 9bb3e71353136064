// Issue 9: chains of two to four hops in one account. The export is read by leash's own reader
// and analysed by the real pipeline (analyzeSnapshot, default config, fixed clock):
//   POSITIVE  the attacker has a `reaches-admin` finding, or — an agent (tag ai-agent=true)
//             reaching a role that may delete stacks — an `agent-reaches-destructive` finding;
//   NEGATIVE  one link is broken by a real IAM rule; the attacker has none of those findings
//             and no `privilege-escalation` finding either.
// Before leash is judged, iam-simulate decides every hop as the case states, so a failure
// below is leash's, not the fixture's.
import { describe, expect, it } from 'vitest';
import { sharedFixturesPresent, SKIP_REASON } from '../support/fixtures.js';
import { chainCases } from '../support/chain-cases.js';
import { NOW } from '../support/privesc-cases.js';
import { flagged, scanFindings } from '../support/privesc-run.js';
import { oracleDecision } from '../support/oracle.js';

const GRAPH_CHECKS = ['reaches-admin', 'agent-reaches-destructive', 'privilege-escalation'] as const;
// Chains use AWS managed policies (AdministratorAccess) from the shared fixture.
const cases = sharedFixturesPresent ? chainCases() : [];

describe.skipIf(!sharedFixturesPresent)(`same-account chains${sharedFixturesPresent ? '' : ` — skipped: ${SKIP_REASON}`}`, () => {
  it('covers two to four hops, every positive has a negative, and the brief\'s four ways to break a link', () => {
    const ids = new Set(cases.map((c) => c.id));
    for (const id of ids) {
      expect(cases.filter((c) => c.id === id && c.polarity === 'positive'), id).toHaveLength(1);
      expect(cases.filter((c) => c.id === id && c.polarity === 'negative').length, id).toBeGreaterThan(0);
    }
    expect(new Set(cases.filter((c) => c.polarity === 'positive').map((c) => c.hops))).toEqual(new Set([1, 2, 3, 4]));
    const breaks = new Set(cases.map((c) => c.breaks));
    for (const b of ['root-trust-without-identity-grant', 'explicit-deny', 'boundary-denies-assume-role', 'scp'] as const) expect(breaks.has(b), b).toBe(true);
  });

  describe('the fixtures decide as stated (iam-simulate)', () => {
    for (const c of cases) {
      it(`${c.id} ${c.polarity}${c.breaks ? ` (${c.breaks})` : ''}`, async () => {
        for (const q of c.oracle) {
          const d = await oracleDecision(c.export, q, NOW);
          expect(d === 'Allowed' ? 'Allowed' : 'Denied', `${q.action} on ${q.resource} by ${q.principalArn} — ${q.why}`).toBe(q.expect);
        }
      });
    }
  });

  describe('leash', () => {
    for (const c of cases) {
      const label = c.polarity === 'positive' ? `POSITIVE (${c.hops} hop${c.hops > 1 ? 's' : ''}, ${c.expectCheck})` : `NEGATIVE ${c.breaks}`;
      it(`${c.id} ${label}: ${c.why}`, () => {
        //Given the chain's export (and SCPs)
        //When leash scans it
        const findings = scanFindings(c.export, `${c.id}-${c.breaks ?? 'positive'}.json`, { now: NOW, ...(c.scps ? { scps: c.scps } : {}) });
        //Then the attacker is flagged exactly when the chain holds
        if (c.polarity === 'positive') expect(flagged(findings, c.attackerArn, [c.expectCheck]), `${c.id}: ${c.expectCheck} on the attacker`).not.toEqual([]);
        else expect(flagged(findings, c.attackerArn, GRAPH_CHECKS), `${c.id} (${c.breaks}): nothing on the attacker`).toEqual([]);
      });
    }
  });
});
