// The catalogue fixtures are right before leash is judged on them: for every case, the requests
// it states (the attacker's key leg on the real target, the target's power before/after) are
// decided by an independent engine, iam-simulate, exactly as the case says. A positive that
// fails in privesc-catalog.test.ts therefore fails because leash misses the path, and a negative
// is broken exactly where it claims to be. Also checks what IAM requires of the target
// (PassRole: the role trusts the service; EC2: an instance profile; CreatePolicyVersion: a
// customer-managed policy attached to the principal that will use it).
import { describe, expect, it } from 'vitest';
import { SKIP_REASON } from '../support/fixtures.js';
import { NOW, privescCases, type PrivescCase } from '../support/privesc-cases.js';
import { readCatalogue } from '../support/privesc-run.js';
import { oracleDecision } from '../support/oracle.js';
import type { Json } from '../support/iam-export-builder.js';

const catalogue = readCatalogue();
type Obj = Record<string, Json>;

function attackerStatements(c: PrivescCase): Obj[] {
  const user = c.export.UserDetailList.find((u) => u.Arn === c.attackerArn);
  const role = c.export.RoleDetailList.find((r) => r.Arn === c.attackerArn);
  const p = (user ?? role)!;
  const inline = ((p.UserPolicyList ?? p.RolePolicyList) as Obj[]).flatMap((x) => (x.PolicyDocument as Obj).Statement as Obj[]);
  const managed = (p.AttachedManagedPolicies as Obj[]).flatMap((a) => {
    const pol = c.export.Policies.find((x) => x.Arn === a.PolicyArn)!;
    return ((pol.PolicyVersionList as Obj[]).find((v) => v.IsDefaultVersion)!.Document as Obj).Statement as Obj[];
  });
  return [...inline, ...managed];
}
const list = (x: Json | undefined): string[] => (x === undefined ? [] : Array.isArray(x) ? (x as string[]) : [x as string]);

describe.skipIf(!catalogue)(`catalogue fixtures are correct (iam-simulate as oracle)${catalogue ? '' : ` — skipped: ${SKIP_REASON}`}`, () => {
  for (const path of catalogue ?? []) {
    it(`${path.id}: every case decides as it claims, and grants exactly the path's required permissions`, async () => {
      const required = path.permissions.required.map((r) => r.permission.toLowerCase()).sort();
      for (const c of privescCases(path.id)) {
        const label = `${path.id} ${c.polarity} ${c.kind ?? ''} (${c.variant})`;
        //Given the case's stated requests
        for (const q of c.oracle) {
          //When iam-simulate decides each one
          const d = await oracleDecision(c.export, q, NOW);
          //Then it decides as the case says
          expect(d === 'Allowed' ? 'Allowed' : 'Denied', `${label}: ${q.action} on ${q.resource} by ${q.principalArn} — ${q.why}`).toBe(q.expect);
        }
        //And the attacker's Allow statements name exactly the path's required actions
        const granted = [...new Set(attackerStatements(c).filter((s) => s.Effect === 'Allow').flatMap((s) => list(s.Action)).map((a) => a.toLowerCase()))].sort();
        expect(granted, `${label}: the attacker holds exactly permissions.required`).toEqual(required);
        //And a passed role trusts a service the path names, with an instance profile for EC2 paths
        for (const r of c.export.RoleDetailList) {
          const services = ((r.AssumeRolePolicyDocument as Obj).Statement as Obj[]).flatMap((s) => list(((s.Principal ?? {}) as Obj).Service));
          if (services.includes('ec2.amazonaws.com')) expect((r.InstanceProfileList as Obj[]).length, `${label}: ${String(r.RoleName)} trusts EC2, so it needs an instance profile`).toBeGreaterThan(0);
        }
      }
    });
  }
});
