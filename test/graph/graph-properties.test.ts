// Issue 9's two graph properties, stated on leash's findings (the graph API is the lead's):
//  1. removing the grant behind an edge removes every path that used it — for every chain
//     positive, deleting any one grant on its path (a trust policy, an inline policy) leaves the
//     attacker without the chain's finding (exhaustive over chains × grants);
//  2. adding a principal that reaches nothing changes no other finding — over the catalogue and
//     chain corpus, a new user or role with a harmless policy (fast-check) leaves every other
//     principal's findings (check, subject, severity) as they were.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sharedFixturesPresent, SKIP_REASON } from '../support/fixtures.js';
import { chainCases, type ChainCase, type ChainGrant } from '../support/chain-cases.js';
import { coveredPathIds, NOW, privescCases } from '../support/privesc-cases.js';
import { flagged, scanFindings } from '../support/privesc-run.js';
import { oracleDecision } from '../support/oracle.js';
import { allow, policy, trust, type AuthorizationDetailsJson, type Json, type PolicyJson } from '../support/iam-export-builder.js';

type Obj = Record<string, Json>;
const EXTERNAL_ROOT = 'arn:aws:iam::999999999999:root';

function withoutGrant(exp: AuthorizationDetailsJson, g: ChainGrant): AuthorizationDetailsJson {
  const out = structuredClone(exp);
  if (g.kind === 'trust') {
    const role = out.RoleDetailList.find((r) => r.RoleName === g.role);
    if (!role) throw new Error(`role ${g.role} is not in the export`);
    // The role now trusts only an account outside the scan: nobody inside can reach it.
    role.AssumeRolePolicyDocument = trust(EXTERNAL_ROOT) as unknown as Json;
    return out;
  }
  const [list, nameKey, policies] = g.entity === 'user' ? [out.UserDetailList, 'UserName', 'UserPolicyList'] : g.entity === 'role' ? [out.RoleDetailList, 'RoleName', 'RolePolicyList'] : [out.GroupDetailList, 'GroupName', 'GroupPolicyList'];
  const e = list.find((x) => x[nameKey] === g.name);
  if (!e) throw new Error(`${g.entity} ${g.name} is not in the export`);
  const before = (e[policies] as Obj[]).length;
  e[policies] = (e[policies] as Obj[]).filter((p) => p.PolicyName !== g.policy);
  if ((e[policies] as Obj[]).length !== before - 1) throw new Error(`${g.entity} ${g.name} has no inline policy ${g.policy}`);
  return out;
}

const grantLabel = (g: ChainGrant) => (g.kind === 'trust' ? `trust of role ${g.role}` : `inline policy ${g.policy} of ${g.entity} ${g.name}`);
const chainPositives: ChainCase[] = sharedFixturesPresent ? chainCases().filter((c) => c.polarity === 'positive') : [];

describe.skipIf(!sharedFixturesPresent)(`graph properties on findings${sharedFixturesPresent ? '' : ` — skipped: ${SKIP_REASON}`}`, () => {
  describe('removing the grant behind an edge removes every path that used it', () => {
    it('every chain positive names the grants on its path', () => {
      for (const c of chainPositives) expect(c.grants.length, c.id).toBeGreaterThanOrEqual(c.hops);
    });
    for (const c of chainPositives) {
      for (const g of c.grants) {
        it(`${c.id} without the ${grantLabel(g)}: no ${c.expectCheck} on the attacker`, async () => {
          //Given the chain with one grant on its path removed
          const exp = withoutGrant(c.export, g);
          //And iam-simulate agrees that a hop of the chain now fails. Two removals the oracle's
          //requests cannot see are taken as given: the group's policy (stated to the oracle as the
          //joiner's extra identity policy) and a trust that named only a service (the service's
          //own AssumeRole is not one of the requests).
          const serviceTrust = g.kind === 'trust' && JSON.stringify(c.export.RoleDetailList.find((r) => r.RoleName === g.role)?.AssumeRolePolicyDocument).includes('"Service"');
          if (!(g.kind === 'inline' && g.entity === 'group') && !serviceTrust) {
            const decisions = await Promise.all(c.oracle.map((q) => oracleDecision(exp, q, NOW)));
            expect(c.oracle.some((q, i) => q.expect === 'Allowed' && decisions[i] !== 'Allowed'), `removing the ${grantLabel(g)} breaks a hop`).toBe(true);
          }
          //When leash scans it
          const findings = scanFindings(exp, `${c.id}-without-${g.kind}.json`, { now: NOW, ...(c.scps ? { scps: c.scps } : {}) });
          //Then the chain's finding is gone
          expect(flagged(findings, c.attackerArn, [c.expectCheck])).toEqual([]);
        });
      }
    }
  });

  describe('adding a principal that reaches nothing changes no other finding', () => {
    const harmless: PolicyJson[] = [
      policy(allow('s3:GetObject', 'arn:aws:s3:::newcomer-bucket/reports/*')),
      policy(allow(['logs:CreateLogStream', 'logs:PutLogEvents'], 'arn:aws:logs:us-east-1:111111111111:log-group:/newcomer:*')),
      policy(allow('cloudwatch:GetMetricData', '*')),
      policy(allow('ec2:DescribeInstances', '*')),
    ];
    const corpus = sharedFixturesPresent
      ? [...coveredPathIds().flatMap((id) => privescCases(id).map((c) => ({ label: `${id} ${c.polarity} ${c.kind ?? c.variant}`, export: c.export, scps: undefined }))),
        ...chainCases().map((c) => ({ label: `${c.id} ${c.polarity} ${c.breaks ?? ''}`, export: c.export, scps: c.scps }))]
      : [];
    const key = (f: { principalArn: string; checkId: string; subject?: string; severity: string }) => `${f.principalArn}|${f.checkId}|${f.subject ?? ''}|${f.severity}`;
    const before = new Map<string, string[]>();

    it('holds for a new user or role with a harmless policy added to any case of the corpus', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: corpus.length - 1 }),
          fc.constantFrom<'user' | 'role'>('user', 'role'),
          fc.option(fc.constantFrom(...harmless), { nil: undefined }),
          (i, kind, doc) => {
            //Given a case of the corpus and a newcomer that can become nobody
            const c = corpus[i]!;
            const opts = { now: NOW, ...(c.scps ? { scps: c.scps } : {}) };
            if (!before.has(c.label)) before.set(c.label, scanFindings(c.export, `${c.label}.json`, opts).map(key).sort());
            const exp = structuredClone(c.export);
            const inline = doc ? [{ PolicyName: 'newcomer', PolicyDocument: doc as unknown as Json }] : [];
            const arn = `arn:aws:iam::111111111111:${kind}/newcomer`;
            if (kind === 'user') exp.UserDetailList.push({ Path: '/', UserName: 'newcomer', UserId: 'AIDANEWCOMERXXXXXXXX', Arn: arn, CreateDate: '2025-01-01T00:00:00Z', GroupList: [], AttachedManagedPolicies: [], UserPolicyList: inline, Tags: [] });
            else exp.RoleDetailList.push({ Path: '/', RoleName: 'newcomer', RoleId: 'AROANEWCOMERXXXXXXXX', Arn: arn, CreateDate: '2025-01-01T00:00:00Z', AssumeRolePolicyDocument: trust(EXTERNAL_ROOT) as unknown as Json, InstanceProfileList: [], RolePolicyList: inline, AttachedManagedPolicies: [], Tags: [], RoleLastUsed: {} });
            //When leash scans the account with the newcomer
            const after = scanFindings(exp, `${c.label}-newcomer.json`, opts).filter((f) => f.principalArn !== arn).map(key).sort();
            //Then every other principal's findings are unchanged
            expect(after, c.label).toEqual(before.get(c.label));
          },
        ),
        { numRuns: 60, seed: 20261202 },
      );
    }, 120_000);
  });
});
