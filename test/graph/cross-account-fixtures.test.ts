// Cross-account fixture pairs (dev 111111111111 + prod 222222222222) for issue 9. The assertions
// on leash wait for the multi-account analysis (the lead's); until then this proves the pairs:
// each export reads cleanly with leash's own reader and names only its account, and every hop
// decides as the case states under iam-simulate, which requires both sides across accounts.
import { describe, expect, it } from 'vitest';
import { normalizeAuthorizationDetails } from '../../src/collect/iam/authorization-details-file.js';
import { sharedFixturesPresent, SKIP_REASON } from '../support/fixtures.js';
import { crossAccountPairs, DEV, PROD } from '../support/cross-account-cases.js';
import { NOW } from '../support/privesc-cases.js';
import { oracleDecision } from '../support/oracle.js';

const pairs = sharedFixturesPresent ? crossAccountPairs() : [];

describe.skipIf(!sharedFixturesPresent)(`cross-account fixture pairs${sharedFixturesPresent ? '' : ` — skipped: ${SKIP_REASON}`}`, () => {
  it('every positive pair has at least one negative', () => {
    for (const id of new Set(pairs.filter((p) => p.polarity === 'positive').map((p) => p.id.replace(/-(root|arn)-trust$/, '')))) {
      expect(pairs.filter((p) => p.polarity === 'negative' && p.id.startsWith(id)).length, id).toBeGreaterThan(0);
    }
  });

  for (const p of pairs) {
    it(`${p.id} ${p.polarity}${p.breaks ? ` (${p.breaks})` : ''}: ${p.why}`, async () => {
      //Given the two exports
      //When leash's reader reads each
      const dev = normalizeAuthorizationDetails(p.dev, 'dev.json');
      const prod = normalizeAuthorizationDetails(p.prod, 'prod.json');
      //Then each is clean and names only its own account
      expect([dev.errors, dev.accountId, dev.accounts.length]).toEqual([[], DEV, 1]);
      expect([prod.errors, prod.accountId, prod.accounts.length]).toEqual([[], PROD, 1]);
      expect(dev.principals.some((x) => x.arn === p.attackerArn)).toBe(true);
      expect(prod.principals.some((x) => x.arn === p.targetArn)).toBe(true);
      //And iam-simulate decides every hop as stated (prod roles judged with their prod trust policy)
      for (const q of p.oracle) {
        const [exp, other] = q.side === 'dev' ? [p.dev, p.prod] : [p.prod, p.dev];
        const resourceExport = q.resource.split(':')[4] === q.principalArn.split(':')[4] ? exp : other;
        const d = await oracleDecision(exp, q, NOW, resourceExport);
        expect(d === 'Allowed' ? 'Allowed' : 'Denied', `${q.action} on ${q.resource} by ${q.principalArn} — ${q.why}`).toBe(q.expect);
      }
    });
  }
});
