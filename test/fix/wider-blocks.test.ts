// Session 46 (issue 14): the roles behind a shared hop (a hub: roles that trust an account, or
// anyone) are judged by class — roles whose reach holds the same sets give one "gives more"
// answer per principal — and openHopsUnder reads each class as a block, not role by role for every
// principal (at 50,000 principals: about 12,000 principals × 4,000 roles). Both are for speed only:
// on generated accounts (roles trusting anyone, the account, another account, with and without
// conditions or a trust Deny, some trusting two ways and so behind two hubs; callers holding
// varied power, some only on named resources; callers that are themselves behind the hub) the
// class reading must give the very roles, in the very order, that asking every role on its own
// gives (today, and against an after-fix power), and the blocks the very count and names.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyzeGraph, type AccessGraph } from '../../src/graph/index.js';
import { openHopsUnder, type FixLayers } from '../../src/graph/build.js';
import { analyzePrincipals } from '../../src/checks/analyze.js';
import { defaultConfig } from '../../src/pipeline/scan.js';
import { ActionExpander } from '../../src/iam/pattern.js';
import { catalog } from '../../src/iam/catalog.js';
import { parsePolicy } from '../../src/iam/parse.js';
import { widerBlocks, widerRoles, type AfterFix } from '../../src/fix/hop-chains.js';
import type { AnalyzedPrincipal } from '../../src/checks/types.js';
import type { PolicyDocument } from '../../src/model/policy.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import { ADMIN, DEV, PROD, allow, arn, doc, snapshot, trust, type AccountSpec, type Doc } from '../graph/accounts.js';

const NOW = new Date('2026-12-01T12:00:00Z');
const expander = new ActionExpander(catalog());
const MFA = { Bool: { 'aws:MultiFactorAuthPresent': 'true' } };
const pol = (d: Doc): PolicyDocument => {
  const r = parsePolicy(d, 'identity');
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.document;
};

/** What a role or caller may do: power tiers the escalation test tells apart (and none). */
const POWERS: Record<string, Doc> = {
  admin: ADMIN,
  iamWrite: doc(allow('iam:PutRolePolicy')),
  destructive: doc(allow('dynamodb:DeleteTable')),
  dataRead: doc(allow('s3:GetObject')),
  // The same action on named resources only: the same unconditional set, not the same every-resource set.
  dataReadNamed: doc(allow('s3:GetObject', 'arn:aws:s3:::b/*')),
  little: doc(allow('s3:ListBucket', 'arn:aws:s3:::x')),
};
const powerArb = fc.constantFrom(...Object.keys(POWERS));
/** How a role trusts: one plain entry (anyone, the account, another account), conditioned, with a Deny, or two ways at once (two hubs). */
const TRUSTS: Record<string, (account: string) => Doc> = {
  anyone: () => trust({ AWS: '*' }),
  account: () => trust({ AWS: `arn:aws:iam::${DEV}:root` }),
  otherAccount: () => trust({ AWS: `arn:aws:iam::${PROD}:root` }),
  anyoneMfa: () => trust({ AWS: '*' }, MFA),
  anyoneDenyNoMfa: () => ({ ...trust({ AWS: '*' }), Statement: [...trust({ AWS: '*' }).Statement, { Effect: 'Deny', Principal: { AWS: '*' }, Action: 'sts:AssumeRole', Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } } }] }),
  both: () => doc({ Effect: 'Allow', Principal: { AWS: ['*', `arn:aws:iam::${DEV}:root`] }, Action: 'sts:AssumeRole' }),
};
const roleArb: fc.Arbitrary<RoleGen> = fc.record({
  account: fc.constantFrom(DEV, DEV, DEV, PROD),
  trust: fc.constantFrom('anyone', 'anyone', 'anyone', 'account', 'account', 'otherAccount', 'anyoneMfa', 'anyoneDenyNoMfa', 'both'),
  power: powerArb,
  // A role that may itself assume roles (it is then a caller behind its own hub).
  assumes: fc.boolean(),
});
type RoleGen = { account: string; trust: string; power: string; assumes: boolean };
type CallerGen = { power: string; assume: string | undefined; named: boolean };
const callerArb: fc.Arbitrary<CallerGen> = fc.record({
  power: powerArb,
  // What it may assume: every role (one decision for the account: a hub), or roles by a pattern.
  assume: fc.constantFrom('*', '*', arn(DEV, 'role', 'h-*'), undefined),
  // Held only on named resources: the escalation test's widening, asked role by role.
  named: fc.boolean(),
});

const statementArb = fc.record({
  effect: fc.constantFrom('Allow', 'Allow', 'Deny'),
  resources: fc.subarray(['*', arn(DEV, 'role', '*'), arn(DEV, 'role', 'h-1'), arn(DEV, 'role', 'h-2*'), arn(PROD, 'role', '*')], { minLength: 1, maxLength: 2 }),
  condition: fc.constantFrom(undefined, undefined, MFA),
}).map((s) => ({ Effect: s.effect, Action: 'sts:AssumeRole', Resource: s.resources, ...(s.condition ? { Condition: s.condition } : {}) }));
const layersArb: fc.Arbitrary<FixLayers> = fc.record({
  identity: fc.array(fc.array(statementArb, { minLength: 1, maxLength: 3 }).map((st) => pol(doc(...st))), { minLength: 1, maxLength: 2 }),
  boundary: fc.option(fc.array(statementArb, { minLength: 1, maxLength: 2 }).map((st) => pol(doc(...st))), { nil: undefined }),
}, { requiredKeys: ['identity'] }).map((l) => ({ identity: l.identity, ...(l.boundary ? { boundary: l.boundary } : {}) }));

function world(roles: readonly RoleGen[], callers: readonly CallerGen[]): { graph: AccessGraph; analyzed: AnalyzedPrincipal[]; snaps: Snapshot[] } {
  const specOf = (account: string): AccountSpec => ({
    id: account,
    ...(account === DEV ? { users: callers.map((c, i) => ({ name: `c-${i}`, inline: [
      POWERS[c.power]!,
      ...(c.assume ? [doc(allow('sts:AssumeRole', c.assume))] : []),
      ...(c.named ? [doc(allow(['iam:PutRolePolicy', 'dynamodb:DeleteTable'], [arn(DEV, 'role', 'h-0'), `arn:aws:dynamodb:us-east-1:${DEV}:table/t`]))] : []),
    ] })) } : {}),
    roles: roles.flatMap((r, i) => (r.account === account ? [{ name: `h-${i}`, trust: TRUSTS[r.trust]!(account), inline: [POWERS[r.power]!, ...(r.assumes ? [doc(allow('sts:AssumeRole'))] : [])] }] : [])),
  });
  const snaps = [specOf(DEV), specOf(PROD)].map(snapshot);
  const perAccount = snaps.map((s) => ({ snapshot: s, analyzed: analyzePrincipals(s, defaultConfig(), expander, NOW) }));
  const graph = analyzeGraph(perAccount, { expander, now: NOW });
  return { graph, analyzed: perAccount.flatMap((x) => x.analyzed), snaps };
}

describe('the roles behind a shared hop, by class and as blocks', () => {
  it('widerRoles by class gives the roles, in order, that asking each role gives; openHopsUnder over the blocks counts and names what it does over those roles', () => {
    const seen = { hubParts: 0, overlap: 0, selfInHub: 0, open: 0, mixed: 0, widened: 0 };
    fc.assert(fc.property(
      fc.array(roleArb, { minLength: 2, maxLength: 9 }), fc.array(callerArb, { minLength: 1, maxLength: 3 }), powerArb, fc.array(layersArb, { minLength: 1, maxLength: 3 }),
      (roles, callers, afterPower, fixes) => {
        const { graph, analyzed, snaps } = world(roles, callers);
        // An after-fix power: what a principal of the given tier holds (the comparison is the same whatever it is).
        const afterNode = graph.node(arn(DEV, 'role', `h-${roles.findIndex((r) => r.account === DEV && r.power === afterPower)}`));
        const after: AfterFix | undefined = afterNode ? { power: afterNode.power } : undefined;
        for (const a of analyzed) {
          const node = graph.node(a.principal.arn);
          if (!node) continue;
          const snap = snaps.find((s) => s.account.id === a.principal.arn.split(':')[4])!;
          for (const x of after ? [undefined, after] : [undefined]) {
            const byClass = widerRoles(a, graph, snap, x, false);
            const byRole = widerRoles(a, graph, snap, x, false, true);
            const what = JSON.stringify({ roles, callers, principal: a.principal.arn, after: Boolean(x) });
            expect([...byClass.roles.keys()], what).toEqual([...byRole.roles.keys()]);
            const hubs = new Set(byClass.parts.flatMap((p) => ('hub' in p ? [p.hub] : [])));
            if (hubs.size > 0) seen.hubParts++;
            if (byClass.parts.some((p) => 'role' in p) && hubs.size > 0) seen.widened++;
            if (byClass.parts.some((p) => 'hub' in p && p.hub.position.has(node.index))) seen.selfInHub++;
            const { roles: one, blocks, empty } = widerBlocks(byClass, graph);
            expect(empty, what).toBe(byRole.roles.size === 0);
            if (hubs.size > 0 && blocks.length === 0) seen.overlap++;
            const asBlocks = openHopsUnder(node, one, graph.built, 3, blocks);
            const asRoles = openHopsUnder(node, byRole.roles, graph.built, 3);
            for (const layers of fixes) {
              const want = asRoles(layers);
              expect(asBlocks(layers), `${what} ${JSON.stringify(layers)}`).toEqual(want);
              if (want.count > 0) seen.open++;
              if (want.count > 0 && want.count < byRole.roles.size - (byRole.roles.has(a.principal.arn) ? 1 : 0)) seen.mixed++;
            }
          }
        }
      },
    ), { numRuns: 120 });
    // The generator reaches the class path, the two-hub fallback, a caller behind its own hub,
    // named-resource widening beside a hub, and fixes that leave some of a principal's roles open.
    expect(seen.hubParts).toBeGreaterThan(50);
    expect(seen.overlap).toBeGreaterThan(0);
    expect(seen.selfInHub).toBeGreaterThan(5);
    expect(seen.open).toBeGreaterThan(50);
    expect(seen.mixed).toBeGreaterThan(5);
  });

  it('roles alike share a class: four roles of one power behind the account hub are one class, a fifth of another power its own', () => {
    const { graph, analyzed, snaps } = world([
      ...[0, 1, 2, 3].map(() => ({ account: DEV, trust: 'account', power: 'iamWrite', assumes: false })),
      { account: DEV, trust: 'account', power: 'destructive', assumes: false },
    ], [{ power: 'little', assume: '*', named: false }]);
    const a = analyzed.find((x) => x.principal.arn === arn(DEV, 'user', 'c-0'))!;
    const w = widerRoles(a, graph, snaps[0], undefined, false);
    const parts = w.parts.filter((p) => 'hub' in p);
    expect(parts).toHaveLength(1);
    const hub = (parts[0] as Extract<(typeof parts)[number], { hub: unknown }>).hub;
    expect(hub.classes.map((c) => c.roles.length).sort()).toEqual([1, 4]);
    expect(w.roles.size).toBe(5);
    // Control: a caller that already holds dynamodb:DeleteTable gains nothing from the fifth (its class is not taken).
    const { graph: g2, analyzed: a2, snaps: s2 } = world([
      ...[0, 1, 2, 3].map(() => ({ account: DEV, trust: 'account', power: 'iamWrite', assumes: false })),
      { account: DEV, trust: 'account', power: 'destructive', assumes: false },
    ], [{ power: 'destructive', assume: '*', named: false }]);
    const w2 = widerRoles(a2.find((x) => x.principal.arn === arn(DEV, 'user', 'c-0'))!, g2, s2[0], undefined, false);
    expect([...w2.roles.keys()]).toEqual([0, 1, 2, 3].map((i) => arn(DEV, 'role', `h-${i}`)));
  });
});
