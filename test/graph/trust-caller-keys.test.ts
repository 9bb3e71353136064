// Trust-policy conditions on the calling principal, decided from what the scan knows (session 32).
// AWS global condition context keys (reference_policies_condition-keys.html): aws:PrincipalOrgID
// "is included in the request context only if the principal is a member of an organization";
// aws:PrincipalOrgPaths is the member account's path `o-…/r-…/ou-…/` (multivalued);
// aws:PrincipalTag/<k> holds the user's or role's tags (a role session's session tags override
// them, so a role whose trust allows sts:TagSession stays unknown); aws:PrincipalArn of a role
// session is the role's ARN; aws:PrincipalType is `User` or `AssumedRole`; aws:username is only
// in a user's requests; aws:userid is a user's unique id (a role session's holds the session name,
// which the scan cannot know). Each key: decided allow, decided deny, and unknown when nothing is known.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyzeGraph } from '../../src/graph/index.js';
import { analyzePrincipals } from '../../src/checks/analyze.js';
import { analyzeSnapshots, defaultConfig } from '../../src/pipeline/scan.js';
import { ActionExpander } from '../../src/iam/pattern.js';
import { catalog } from '../../src/iam/catalog.js';
import { evaluateCondition } from '../../src/iam/conditions.js';
import { factsOf } from '../../src/iam/principal-context.js';
import type { OrganizationFacts } from '../../src/model/organization.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import { DEV, PROD, allow, arn, doc, snapshot, trust, type AccountSpec, type Doc, type RoleSpec, type UserSpec } from './accounts.js';

const NOW = new Date('2026-12-01T12:00:00Z');
const expander = new ActionExpander(catalog());
const ORG = 'o-aaaaaaaaaa';
const OTHER_ORG = 'o-bbbbbbbbbb';
const ROOT_ID = 'r-ab12';
const OU_DEV = 'ou-ab12-11111111';
const OU_TEAM = 'ou-ab12-22222222';
const OU_OTHER = 'ou-ab12-33333333';

const ASSUME_ANY = doc(allow('sts:AssumeRole'));
const TARGET = arn(DEV, 'role', 'target');
const USER = arn(DEV, 'user', 'agent');
const ROLE = arn(DEV, 'role', 'agent-role');

function graphOf(snaps: Snapshot[], organization?: OrganizationFacts, exhaustive = false) {
  const inputs = snaps.map((s) => ({ snapshot: s, analyzed: analyzePrincipals(s, defaultConfig(), expander, NOW) }));
  return analyzeGraph(inputs, { expander, now: NOW, exhaustive, ...(organization ? { organization } : {}) });
}

type Verdict = 'allow' | 'unknown' | 'deny';

/** allow: a proven, unconditional path; unknown: only a path under a condition leash cannot settle; deny: none. */
function verdict(g: ReturnType<typeof graphOf>, from: string, to = TARGET): Verdict {
  if (g.reachable(from, 'proven').some((n) => n.principalArn === to)) return 'allow';
  return g.reachable(from, 'possible').some((n) => n.principalArn === to) ? 'unknown' : 'deny';
}

/** DEV: a user `agent` and a role `agent-role` that may call sts:AssumeRole, and `target` trusting `principal` under `condition`. */
function world(principal: unknown, condition: unknown, more: { user?: Partial<UserSpec>; role?: Partial<RoleSpec>; target?: Partial<RoleSpec> } = {}): AccountSpec {
  return {
    users: [{ name: 'agent', inline: [ASSUME_ANY], ...more.user }],
    roles: [
      { name: 'agent-role', trust: trust({ Service: 'ec2.amazonaws.com' }), inline: [ASSUME_ANY], ...more.role },
      { name: 'target', trust: trust(principal, condition), inline: [doc(allow('s3:GetObject'))], ...more.target },
    ],
  };
}

const member = (id: string, account: string, ouPath?: string[]): OrganizationFacts => ({ id, members: { [account]: ouPath ? { ouPath } : {} } });

describe('aws:PrincipalOrgID', () => {
  const w = world('*', { StringEquals: { 'aws:PrincipalOrgID': ORG } });

  it('decided allow when the caller\'s account is a member of the named organization', () => {
    const g = graphOf([snapshot(w)], member(ORG, DEV));
    expect(verdict(g, USER)).toBe('allow');
    expect(verdict(g, ROLE)).toBe('allow');
  });

  it('decided deny when the caller\'s account is a member of another organization', () => {
    expect(verdict(graphOf([snapshot(w)], member(OTHER_ORG, DEV)), USER)).toBe('deny');
  });

  it('unknown with no organization known, or with the caller\'s account not known to be a member', () => {
    expect(verdict(graphOf([snapshot(w)]), USER)).toBe('unknown');
    expect(verdict(graphOf([snapshot(w)], member(ORG, PROD)), USER)).toBe('unknown');
  });

  it('a Deny "unless our organization" under a trust to the account: settled both ways, unknown without facts', () => {
    const guarded = world({ AWS: `arn:aws:iam::${DEV}:root` }, undefined, {
      target: { trust: doc(
        { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${DEV}:root` }, Action: 'sts:AssumeRole' },
        { Effect: 'Deny', Principal: '*', Action: 'sts:AssumeRole', Condition: { StringNotEquals: { 'aws:PrincipalOrgID': ORG } } },
      ) },
    });
    expect(verdict(graphOf([snapshot(guarded)], member(ORG, DEV)), USER)).toBe('allow');
    expect(verdict(graphOf([snapshot(guarded)], member(OTHER_ORG, DEV)), USER)).toBe('deny');
    expect(verdict(graphOf([snapshot(guarded)]), USER)).toBe('unknown');
  });

  it('the trust to anyone is decided per caller account: a member of the organization may, a caller of an unknown account stays unknown', () => {
    const prod: AccountSpec = { id: PROD, users: [{ name: 'outsider', inline: [ASSUME_ANY] }] };
    const g = graphOf([snapshot(w), snapshot(prod)], member(ORG, DEV));
    expect(verdict(g, USER)).toBe('allow');
    expect(verdict(g, arn(PROD, 'user', 'outsider'))).toBe('unknown');
    // Each account's own facts (as --org scans record them): PROD in another organization → denied, DEV still allowed.
    const g2 = graphOf([{ ...snapshot(w), organization: member(ORG, DEV) }, { ...snapshot(prod), organization: member(OTHER_ORG, PROD) }]);
    expect(verdict(g2, USER)).toBe('allow');
    expect(verdict(g2, arn(PROD, 'user', 'outsider'))).toBe('deny');
  });

  it('from config (resources.organizationId) through the pipeline: reaches-admin and privilege-escalation proven (critical); another organization: none; unknown: as before', () => {
    const admin = world('*', { StringEquals: { 'aws:PrincipalOrgID': ORG } }, { target: { inline: [doc(allow('*'))] } });
    const findings = (organizationId?: string) => {
      const config = defaultConfig();
      const c = organizationId ? { ...config, resources: { ...config.resources, organizationId } } : config;
      return analyzeSnapshots([snapshot(admin)], c, { scanId: 't', startedAt: NOW.toISOString(), now: NOW, fixes: false })[0]!
        .report.findings.filter((f) => f.principalArn === USER && (f.checkId === 'reaches-admin' || f.checkId === 'privilege-escalation')).map((f) => `${f.checkId} ${f.severity}`).sort();
    };
    expect(findings(ORG)).toEqual(['privilege-escalation critical', 'reaches-admin critical']);
    expect(findings(OTHER_ORG)).toEqual([]);
    // Unknown: still reported, as a path under a condition leash cannot settle.
    expect(findings()).toEqual(['privilege-escalation medium', 'reaches-admin high']);
  });

  it('an account AWS says is in no organization (Snapshot.noOrganization): its callers send neither key, so a test of them is decided', () => {
    const none = (spec: AccountSpec): Snapshot => ({ ...snapshot(spec), noOrganization: true });
    expect(verdict(graphOf([none(w)]), USER)).toBe('deny');
    expect(verdict(graphOf([none(w)]), ROLE)).toBe('deny');
    // The Deny "unless our organization" holds for a principal outside every organization.
    const guarded = world({ AWS: `arn:aws:iam::${DEV}:root` }, undefined, {
      target: { trust: doc(
        { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${DEV}:root` }, Action: 'sts:AssumeRole' },
        { Effect: 'Deny', Principal: '*', Action: 'sts:AssumeRole', Condition: { StringNotEquals: { 'aws:PrincipalOrgID': ORG } } },
      ) },
    });
    expect(verdict(graphOf([none(guarded)]), USER)).toBe('deny');
    // …IfExists and Null "must be absent" let it in; a trust by paths does not.
    expect(verdict(graphOf([none(world('*', { StringEqualsIfExists: { 'aws:PrincipalOrgID': ORG } }))]), USER)).toBe('allow');
    expect(verdict(graphOf([none(world('*', { Null: { 'aws:PrincipalOrgID': 'true' } }))]), USER)).toBe('allow');
    expect(verdict(graphOf([none(world('*', { 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': [`${ORG}/*`] } }))]), USER)).toBe('deny');
    // Controls: the configured organization wins over "none"; another account's callers stay unknown.
    expect(verdict(graphOf([none(w)], member(ORG, DEV)), USER)).toBe('allow');
    const prod: AccountSpec = { id: PROD, users: [{ name: 'outsider', inline: [ASSUME_ANY] }] };
    expect(verdict(graphOf([none(w), snapshot(prod)]), arn(PROD, 'user', 'outsider'))).toBe('unknown');
  });

  it('an --org scan\'s facts on the snapshot decide it too', () => {
    const s = { ...snapshot(w), organization: member(ORG, DEV) };
    expect(verdict(graphOf([s]), USER)).toBe('allow');
    expect(verdict(graphOf([{ ...snapshot(w), organization: member(OTHER_ORG, DEV) }]), USER)).toBe('deny');
  });
});

describe('aws:PrincipalOrgPaths', () => {
  const w = world('*', { 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': [`${ORG}/${ROOT_ID}/${OU_DEV}/*`] } });

  it('decided allow when the account sits under the OU', () => {
    expect(verdict(graphOf([snapshot(w)], member(ORG, DEV, [ROOT_ID, OU_DEV, OU_TEAM])), USER)).toBe('allow');
  });

  it('decided deny under another OU', () => {
    expect(verdict(graphOf([snapshot(w)], member(ORG, DEV, [ROOT_ID, OU_OTHER])), USER)).toBe('deny');
  });

  it('unknown when the account\'s path was not read, or read only part of the way (no root)', () => {
    expect(verdict(graphOf([snapshot(w)], member(ORG, DEV)), USER)).toBe('unknown');
    expect(verdict(graphOf([snapshot(w)], member(ORG, DEV, [OU_DEV, OU_TEAM])), USER)).toBe('unknown');
    expect(verdict(graphOf([snapshot(w)]), USER)).toBe('unknown');
  });
});

describe('aws:PrincipalTag', () => {
  const cond = { StringEquals: { 'aws:PrincipalTag/team': 'platform' } };

  it('decided allow for a user carrying the tag, and for a role carrying it whose sessions cannot be tagged', () => {
    const g = graphOf([snapshot(world('*', cond, { user: { tags: { team: 'platform' } }, role: { tags: { Team: 'platform' } } }))]);
    expect(verdict(g, USER)).toBe('allow');
    expect(verdict(g, ROLE)).toBe('allow');
  });

  it('decided deny for another value, and for a user or role without the tag (the key is absent)', () => {
    expect(verdict(graphOf([snapshot(world('*', cond, { user: { tags: { team: 'data' } } }))]), USER)).toBe('deny');
    const g = graphOf([snapshot(world('*', cond))]);
    expect(verdict(g, USER)).toBe('deny');
    expect(verdict(g, ROLE)).toBe('deny');
  });

  it('unknown for a role whose trust allows sts:TagSession (a session tag overrides the role\'s own), tagged or not', () => {
    const tagging = doc({ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: ['sts:AssumeRole', 'sts:TagSession'] });
    expect(verdict(graphOf([snapshot(world('*', cond, { role: { trust: tagging, tags: { team: 'platform' } } }))]), ROLE)).toBe('unknown');
    expect(verdict(graphOf([snapshot(world('*', cond, { role: { trust: tagging } }))]), ROLE)).toBe('unknown');
  });

  it('a Null test: "the tag must be absent" lets an untagged user in and keeps a tagged one out', () => {
    const absent = { Null: { 'aws:PrincipalTag/quarantine': 'true' } };
    expect(verdict(graphOf([snapshot(world('*', absent))]), USER)).toBe('allow');
    expect(verdict(graphOf([snapshot(world('*', absent, { user: { tags: { quarantine: 'yes' } } }))]), USER)).toBe('deny');
  });
});

describe('aws:PrincipalAccount, aws:PrincipalArn, aws:PrincipalType, aws:username, aws:userid', () => {
  it('aws:PrincipalAccount: the caller\'s own account allows; another account\'s caller is denied', () => {
    const w = world('*', { StringEquals: { 'aws:PrincipalAccount': DEV } });
    const prod: AccountSpec = { id: PROD, users: [{ name: 'outsider', inline: [ASSUME_ANY] }] };
    const g = graphOf([snapshot(w), snapshot(prod)]);
    expect(verdict(g, USER)).toBe('allow');
    expect(verdict(g, arn(PROD, 'user', 'outsider'))).toBe('deny');
  });

  it('aws:PrincipalArn of a role session is the role\'s ARN: a pattern on the role ARN allows it, the session ARN form does not', () => {
    expect(verdict(graphOf([snapshot(world('*', { ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${DEV}:role/agent-*` } }))]), ROLE)).toBe('allow');
    expect(verdict(graphOf([snapshot(world('*', { ArnLike: { 'aws:PrincipalArn': `arn:aws:sts::${DEV}:assumed-role/agent-role/*` } }))]), ROLE)).toBe('deny');
  });

  it('aws:PrincipalType: AssumedRole lets the role in and keeps the user out', () => {
    const g = graphOf([snapshot(world('*', { StringEquals: { 'aws:PrincipalType': 'AssumedRole' } }))]);
    expect(verdict(g, ROLE)).toBe('allow');
    expect(verdict(g, USER)).toBe('deny');
  });

  it('aws:username: the named user allows; another user and any role (no aws:username) are denied', () => {
    const g = graphOf([snapshot(world('*', { StringEquals: { 'aws:username': 'agent' } }))]);
    expect(verdict(g, USER)).toBe('allow');
    expect(verdict(g, ROLE)).toBe('deny');
    expect(verdict(graphOf([snapshot(world('*', { StringEquals: { 'aws:username': 'someone' } }))]), USER)).toBe('deny');
  });

  it('aws:userid: a user\'s unique id allows it and denies another; a role session\'s (role id:session name) stays unknown', () => {
    const userId = `AIDA${DEV}0`; // accounts.ts: the first user's UserId
    const g = graphOf([snapshot(world('*', { StringEquals: { 'aws:userid': userId } }))]);
    expect(verdict(g, USER)).toBe('allow');
    expect(verdict(graphOf([snapshot(world('*', { StringEquals: { 'aws:userid': `AIDA${DEV}9` } }))]), USER)).toBe('deny');
    expect(verdict(graphOf([snapshot(world('*', { StringLike: { 'aws:userid': `AROA${DEV}0:*` } }))]), ROLE)).toBe('unknown');
  });
});

describe('decided results only ever refine unknown', () => {
  const KEYS = ['aws:PrincipalOrgID', 'aws:PrincipalOrgPaths', 'aws:PrincipalTag/team', 'aws:username', 'aws:PrincipalType', 'aws:PrincipalAccount'] as const;
  const OPS = ['StringEquals', 'StringNotEquals', 'StringLike', 'ForAnyValue:StringLike', 'StringEqualsIfExists', 'Null'] as const;
  const VALUES = [ORG, OTHER_ORG, `${ORG}/${ROOT_ID}/${OU_DEV}/*`, `${ORG}/*`, 'platform', 'agent', 'User', 'AssumedRole', DEV, 'true', 'false', '*'];
  const condition = fc.array(fc.tuple(fc.constantFrom(...OPS), fc.constantFrom(...KEYS), fc.constantFrom(...VALUES)), { minLength: 1, maxLength: 2 })
    .map((tests) => {
      const c: Record<string, Record<string, string[]>> = {};
      for (const [op, key, value] of tests) (c[op] ??= {})[key] = [value];
      return c;
    });
  const facts = fc.constantFrom<OrganizationFacts | undefined>(
    undefined, member(ORG, DEV), member(OTHER_ORG, DEV), member(ORG, DEV, [ROOT_ID, OU_DEV]), member(ORG, DEV, [ROOT_ID, OU_OTHER]), member(ORG, PROD),
  );
  const rank = { none: 0, approval: 1, unknown: 2 } as const;

  it('a build that knows the organization never adds a hop, nor weakens one, against the build that does not (exhaustive builds, edge for edge)', () => {
    fc.assert(fc.property(condition, fc.boolean(), facts, fc.constantFrom<Record<string, string> | undefined>(undefined, { team: 'platform' }, { team: 'data' }), (cond, deny, org, tags) => {
      const target: Doc = deny
        ? doc({ Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' }, { Effect: 'Deny', Principal: '*', Action: 'sts:AssumeRole', Condition: cond })
        : trust('*', cond);
      const spec = world('*', undefined, { target: { trust: target }, ...(tags ? { user: { tags }, role: { tags } } : {}) });
      const s = snapshot(spec);
      const open = graphOf([s], undefined, true).built;
      const known = graphOf([s], org, true).built;
      const edges = (b: typeof open) => new Map(b.out.flat().map((e) => [`${e.from} ${e.to} ${e.technique}`, e]));
      const before = edges(open);
      for (const [k, e] of edges(known)) {
        const was = before.get(k);
        expect(was, k).toBeDefined();
        expect(rank[e.condition]).toBeLessThanOrEqual(rank[was!.condition]);
        if (was!.condition === 'none') expect(e.condition).toBe('none');
      }
      for (const [k, e] of before) if (e.condition === 'none') expect(edges(known).get(k)?.condition, k).toBe('none');
    }), { numRuns: 40 });
  });

  it('a key known absent (a missing tag, aws:username of a role) only settles what the open world left unknown', () => {
    const s = snapshot(world('*', undefined, { user: { tags: { team: 'platform' } } }));
    fc.assert(fc.property(condition, fc.constantFrom(USER, ROLE), (cond, who) => {
      const p = s.principals.find((x) => x.arn === who)!;
      const ctx = factsOf(p, NOW).context;
      const withAbsence = evaluateCondition(cond, ctx);
      const without = evaluateCondition(cond, { values: ctx.values });
      if (without !== 'unknown') expect(withAbsence).toBe(without);
    }), { numRuns: 200 });
  });
});
