// Session 32: creating a principal as a path. A caller allowed iam:CreateRole (it writes the trust
// policy, so it names itself) or iam:CreateUser, a way to give the new principal permissions
// (Put/Attach*Policy, AddUserToGroup) and a way to use it (assume it, pass it to a service, or make
// it an access key or password) reaches a new state with what it may give, capped by the boundary
// the create must set (iam:PermissionsBoundary, read as boundary puts are). Also: edits tested on
// the *target's* current boundary are decided from the export, and a Deny-side limit of the key
// (an SCP's usual form) reads as a replacement by the policies it lets through, not a removal.
import { describe, expect, it } from 'vitest';
import { analyzeSnapshots, defaultConfig } from '../../src/pipeline/scan.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import { DEV, allow, arn, deny, doc, snapshot, trust, type AccountSpec, type Doc } from './accounts.js';

const NOW = new Date('2026-12-01T12:00:00Z');
const opts = { scanId: 't', startedAt: NOW.toISOString(), now: NOW, fixes: false };
const NEW_ROLE = 'iam-create-role-with-policy';
const NEW_USER = 'iam-create-user-with-policy';
const CEILING = `ceiling:${DEV}`;
const ME = arn(DEV, 'user', 'agent');
const OPEN = arn(DEV, 'policy', 'open');
const NARROW = arn(DEV, 'policy', 'narrow');
const NEW_USERS = arn(DEV, 'user', 'new-*');
const pb = (...policies: string[]) => ({ StringEquals: { 'iam:PermissionsBoundary': policies } });

function scan(s: Snapshot, principal = ME) {
  const [a] = analyzeSnapshots([s], defaultConfig(), opts);
  const r = a!.report;
  const mine = r.findings.filter((f) => f.principalArn === principal);
  return {
    admin: mine.filter((f) => f.checkId === 'reaches-admin'),
    escalation: (technique: string) => mine.filter((f) => f.checkId === 'privilege-escalation' && f.subject === technique),
    hops: r.graph!.hops.filter((h) => h.from === principal),
  };
}

/** `agent` (a user) with `identity`; the export holds `open` (Allow *) and `narrow` (s3:GetObject). */
const world = (identity: Doc, more: Partial<AccountSpec> = {}): Snapshot => snapshot({
  policies: { open: doc(allow('*')), narrow: doc(allow('s3:GetObject')) },
  users: [{ name: 'agent', inline: [identity] }],
  ...more,
});
const to = (hops: ReturnType<typeof scan>['hops'], technique: string) => hops.filter((h) => h.technique === technique).map((h) => `${h.to} ${h.condition}`).sort();

describe('a new role', () => {
  it('CreateRole + PutRolePolicy on `*` → any policy, assumed (its trust names the caller): administrator, proven, critical', () => {
    const { admin, escalation, hops } = scan(world(doc(allow(['iam:CreateRole', 'iam:PutRolePolicy']))));
    expect(to(hops, NEW_ROLE)).toEqual([`${CEILING} none`]);
    expect(hops.find((h) => h.technique === NEW_ROLE)!.actions).toEqual(['iam:CreateRole', 'iam:PutRolePolicy', 'sts:AssumeRole']);
    expect(admin.map((f) => f.severity)).toEqual(['critical']);
    expect(escalation(NEW_ROLE).map((f) => f.severity)).toEqual(['critical']);
  });

  it('negative: creation without any way to give it permissions → no path, no finding', () => {
    const { admin, escalation, hops } = scan(world(doc(allow(['iam:CreateRole', 'sts:AssumeRole', 'iam:ListPolicies']))));
    expect(to(hops, NEW_ROLE)).toEqual([]);
    expect(admin).toEqual([]);
    expect(escalation(NEW_ROLE)).toEqual([]);
  });

  it('overlapping name patterns (role/app-* and role/*-ci) → a name both allow: the path; patterns that do not overlap → none', () => {
    const overlap = scan(world(doc(allow('iam:CreateRole', arn(DEV, 'role', 'app-*')), allow('iam:PutRolePolicy', arn(DEV, 'role', '*-ci')))));
    expect(to(overlap.hops, NEW_ROLE)).toEqual([`${CEILING} none`]);
    expect(overlap.admin).toHaveLength(1);
    const apart = scan(world(doc(allow('iam:CreateRole', arn(DEV, 'role', 'app-*')), allow('iam:PutRolePolicy', arn(DEV, 'role', 'db-*')))));
    expect(to(apart.hops, NEW_ROLE)).toEqual([]);
    expect(apart.admin).toEqual([]);
  });

  it('a path pattern (role/service-role/*, as AWS managed policies write it) → a name under that path: the path; another path → none', () => {
    const under = (create: string, give: string) => world(doc(allow('iam:CreateRole', arn(DEV, 'role', create)), allow('iam:AttachRolePolicy', arn(DEV, 'role', give))));
    expect(to(scan(under('service-role/*', 'service-role/*')).hops, NEW_ROLE)).toEqual([`${CEILING} none`]);
    expect(to(scan(under('service-role/*', 'managed/*')).hops, NEW_ROLE)).toEqual([]);
  });

  it('negative: an SCP denies CreateRole → no path; an SCP denying sts:AssumeRole → no path by assuming', () => {
    const identity = doc(allow(['iam:CreateRole', 'iam:PutRolePolicy']));
    expect(to(scan(world(identity, { scps: [doc(allow('*'), deny('iam:CreateRole'))] })).hops, NEW_ROLE)).toEqual([]);
    const noAssume = scan(world(identity, { scps: [doc(allow('*'), deny('sts:AssumeRole'))] }));
    expect(to(noAssume.hops, NEW_ROLE)).toEqual([]);
    expect(noAssume.admin).toEqual([]);
  });

  it('passed to a service the graph models (Lambda, created and invoked) where assuming is denied → the path, under both techniques; without InvokeFunction → none', () => {
    const scps = [doc(allow('*'), deny('sts:AssumeRole'))];
    const lambda = ['iam:CreateRole', 'iam:PutRolePolicy', 'iam:PassRole', 'lambda:CreateFunction'];
    const { hops, admin } = scan(world(doc(allow([...lambda, 'lambda:InvokeFunction'])), { scps }));
    expect(to(hops, NEW_ROLE)).toEqual([`${CEILING} none`]);
    expect(to(hops, 'lambda-passrole-create-invoke')).toEqual([`${CEILING} none`]);
    expect(admin).toHaveLength(1);
    expect(to(scan(world(doc(allow(lambda)), { scps })).hops, NEW_ROLE)).toEqual([]);
  });

  it('passed to EC2: only with an instance profile it can make (CreateInstanceProfile + AddRoleToInstanceProfile); without → no path', () => {
    const scps = [doc(allow('*'), deny('sts:AssumeRole'))];
    const ec2 = ['iam:CreateRole', 'iam:PutRolePolicy', 'iam:PassRole', 'ec2:RunInstances'];
    expect(to(scan(world(doc(allow(ec2)), { scps })).hops, 'ec2-passrole-run-instances')).toEqual([]);
    const profiles = scan(world(doc(allow([...ec2, 'iam:CreateInstanceProfile', 'iam:AddRoleToInstanceProfile'])), { scps }));
    expect(to(profiles.hops, 'ec2-passrole-run-instances')).toEqual([`${CEILING} none`]);
  });

  it('a bounded role that creates a role names its own session in the trust (its boundary does not limit that), as for a trust it rewrites', () => {
    const s = snapshot({
      policies: { fence: doc(allow(['iam:CreateRole', 'iam:PutRolePolicy', 's3:GetObject'])) },
      roles: [{ name: 'agent', trust: trust({ Service: 'ec2.amazonaws.com' }), inline: [doc(allow('*'))], boundary: 'fence' }],
    });
    const { hops, admin } = scan(s, arn(DEV, 'role', 'agent'));
    expect(to(hops, NEW_ROLE)).toEqual([`${CEILING} none`]);
    expect(admin.map((f) => f.severity)).toEqual(['critical']);
  });

  it('an attach limited to named policies (iam:PolicyARN) → the new role given those only: `narrow` no finding; `open` administrator', () => {
    const attach = (policy: string) => world(doc(allow('iam:CreateRole'), allow('iam:AttachRolePolicy', '*', { ArnEquals: { 'iam:PolicyARN': policy } }), allow('s3:GetObject')));
    const narrow = scan(attach(NARROW));
    expect(to(narrow.hops, NEW_ROLE)).toEqual([`new-role@${DEV}#given:${NARROW} none`]);
    expect(narrow.admin).toEqual([]);
    expect(narrow.escalation(NEW_ROLE)).toEqual([]);
    const open = scan(attach(OPEN));
    expect(to(open.hops, NEW_ROLE)).toEqual([`new-role@${DEV}#given:${OPEN} none`]);
    expect(open.admin.map((f) => f.severity)).toEqual(['critical']);
  });
});

describe('a new user', () => {
  it('CreateUser + PutUserPolicy + CreateAccessKey → administrator (critical); without a credential action → no path', () => {
    // On new-* users only: the caller's own user is not one (else it would rewrite itself).
    const { admin, escalation, hops } = scan(world(doc(allow(['iam:CreateUser', 'iam:PutUserPolicy', 'iam:CreateAccessKey'], NEW_USERS))));
    expect(to(hops, NEW_USER)).toEqual([`${CEILING} none`]);
    expect(admin.map((f) => f.severity)).toEqual(['critical']);
    expect(escalation(NEW_USER).map((f) => f.severity)).toEqual(['critical']);
    const none = scan(world(doc(allow(['iam:CreateUser', 'iam:PutUserPolicy', 'iam:GetUser'], NEW_USERS))));
    expect(to(none.hops, NEW_USER)).toEqual([]);
    expect(none.admin).toEqual([]);
  });

  it('added to a group: the group\'s policies (admins → administrator; a group that gives nothing more → no hop, no finding)', () => {
    const groups = [{ name: 'admins', inline: [doc(allow('*'))] }, { name: 'readers', inline: [doc(allow('s3:GetObject'))] }];
    const id = (g: string) => doc(allow(['iam:CreateUser', 'iam:CreateLoginProfile', 's3:GetObject']), allow('iam:AddUserToGroup', arn(DEV, 'group', g)));
    const admins = scan(world(id('admins'), { groups }));
    expect(to(admins.hops, NEW_USER)).toEqual([`new-user@${DEV}#given:${arn(DEV, 'group', 'admins')} none`]);
    expect(admins.admin).toHaveLength(1);
    const readers = scan(world(id('readers'), { groups }));
    expect(to(readers.hops, NEW_USER)).toEqual([]);
    expect(readers.admin).toEqual([]);
    expect(readers.escalation(NEW_USER)).toEqual([]);
  });
});

describe('created under a named boundary (iam:PermissionsBoundary on the create)', () => {
  const create = (kind: 'role' | 'user', condition: unknown) => kind === 'role'
    ? doc(allow('iam:CreateRole', '*', condition), allow('iam:PutRolePolicy'), allow('s3:GetObject'))
    : doc(allow('iam:CreateUser', NEW_USERS, condition), allow(['iam:PutUserPolicy', 'iam:CreateAccessKey'], NEW_USERS), allow('s3:GetObject'));
  const tech = { role: NEW_ROLE, user: NEW_USER } as const;

  it.each(['role', 'user'] as const)('%s: only with `narrow` (no wider than its own) → capped by it: no administrator, no finding', (kind) => {
    const { admin, escalation, hops } = scan(world(create(kind, pb(NARROW))));
    expect(to(hops, tech[kind])).toEqual([`new-${kind}@${DEV}#elevated+boundary:${NARROW} none`]);
    expect(admin).toEqual([]);
    expect(escalation(tech[kind])).toEqual([]);
  });

  it.each(['role', 'user'] as const)('%s: only with `open` → administrator, proven', (kind) => {
    const { admin, hops } = scan(world(create(kind, pb(OPEN))));
    expect(to(hops, tech[kind])).toEqual([`new-${kind}@${DEV}#elevated+boundary:${OPEN} none`]);
    expect(admin.map((f) => f.severity)).toEqual(['critical']);
  });

  it('the boundary tested beside another key (AWS\'s QuickSetup policies: aws:CalledVia too), on the create and the give → uncapped, unknown (was: no path)', () => {
    const both = { StringEquals: { 'iam:PermissionsBoundary': NARROW }, 'ForAnyValue:StringEquals': { 'aws:CalledVia': ['cloudformation.amazonaws.com'] } };
    const { hops, admin } = scan(world(doc(allow(['iam:CreateRole', 'iam:PutRolePolicy'], '*', both))));
    expect(to(hops, NEW_ROLE)).toEqual([`${CEILING} unknown`]);
    expect(admin.map((f) => f.severity)).not.toContain('critical');
  });

  it.each(['role', 'user'] as const)('%s: a boundary the export does not hold, or a pattern → uncapped, unknown (not critical)', (kind) => {
    for (const condition of [pb(arn(DEV, 'policy', 'not-in-export')), { StringLike: { 'iam:PermissionsBoundary': arn(DEV, 'policy', 'team-*') } }]) {
      const { admin, hops } = scan(world(create(kind, condition)));
      expect(to(hops, tech[kind]), JSON.stringify(condition)).toEqual([`${CEILING} unknown`]);
      expect(admin.map((f) => f.severity), JSON.stringify(condition)).not.toContain('critical');
    }
  });

  it('the Deny-side limit (an SCP: deny CreateRole unless the boundary is `narrow`, …IfExists too) → capped by `narrow`, not uncapped', () => {
    const identity = doc(allow(['iam:CreateRole', 'iam:PutRolePolicy', 's3:GetObject']));
    const fence = (op: string, value = NARROW) => [doc(allow('*'), deny('iam:CreateRole', '*', { [op]: { 'iam:PermissionsBoundary': value } }))];
    for (const op of ['StringNotEquals', 'ArnNotEquals', 'StringNotEqualsIfExists']) {
      const capped = scan(world(identity, { scps: fence(op) }));
      expect(to(capped.hops, NEW_ROLE), op).toEqual([`new-role@${DEV}#elevated+boundary:${NARROW} none`]);
      expect(capped.admin, op).toEqual([]);
    }
    // Controls: a Deny of one named boundary (not negated) caps nothing; a fence naming a policy the export lacks → uncapped, unknown.
    const one = scan(world(identity, { scps: fence('StringEquals', OPEN) }));
    expect(to(one.hops, NEW_ROLE)).toEqual([`${CEILING} none`]);
    expect(to(scan(world(identity, { scps: fence('StringNotEquals', arn(DEV, 'policy', 'not-in-export')) })).hops, NEW_ROLE)).toEqual([`${CEILING} unknown`]);
  });
});

describe('edits tested on the target\'s current boundary (iam:PermissionsBoundary)', () => {
  const EDITOR = arn(DEV, 'user', 'editor');
  const FENCE = arn(DEV, 'policy', 'fence');
  const spec = (boundary: string | undefined): Snapshot => snapshot({
    policies: { fence: doc(allow(['s3:*', 'ec2:*'])), other: doc(allow('*')) },
    users: [{ name: 'editor', inline: [doc(allow('iam:AttachRolePolicy', '*', pb(FENCE)), allow('sts:AssumeRole'))] }],
    roles: [{ name: 'target', trust: trust({ AWS: EDITOR }), inline: [doc(allow('s3:GetObject'))], ...(boundary ? { boundary } : {}) }],
  });
  const TARGET = arn(DEV, 'role', 'target');
  const edits = (s: Snapshot) => scan(s, EDITOR).hops.filter((h) => h.technique === 'iam-attach-role-policy').map((h) => `${h.to} ${h.condition}`);

  it('a target whose boundary the condition names → the edit, decided (proven), the target capped by it', () => {
    expect(edits(spec('fence'))).toEqual([`${TARGET}#elevated none`]);
  });

  it('negative: a target whose boundary is another policy, or none → no edit hop (it was unknown)', () => {
    expect(edits(spec('other'))).toEqual([]);
    expect(edits(spec(undefined))).toEqual([]);
  });
});

describe('a boundary put fenced by a Deny (not an Allow)', () => {
  const PUT = 'iam:PutUserPermissionsBoundary';
  const REMOVAL = 'iam-remove-permissions-boundary';
  const s = (value: string, op = 'StringNotEquals') => snapshot({
    policies: { open: doc(allow('*')), narrow: doc(allow('s3:GetObject')), fence: doc(allow(['s3:GetObject', PUT])) },
    users: [{ name: 'agent', inline: [doc(allow('*'))], boundary: 'fence' }],
    scps: [doc(allow('*'), deny(PUT, '*', { [op]: { 'iam:PermissionsBoundary': value } }))],
  });

  it('an SCP denying any other boundary than `narrow` → the replacement by `narrow` only, no removal hop, no administrator', () => {
    const { admin, hops } = scan(s(NARROW));
    expect(to(hops, REMOVAL)).toEqual([`${ME}#boundary:${NARROW} none`]);
    expect(admin).toEqual([]);
  });

  it('control: the Deny naming a policy the export lacks → the removal stays (unknown); none at all → the removal, proven', () => {
    expect(to(scan(s(arn(DEV, 'policy', 'not-in-export'))).hops, REMOVAL)).toEqual([`${ME}#unbounded unknown`]);
    const unfenced = snapshot({
      policies: { open: doc(allow('*')), fence: doc(allow(['s3:GetObject', PUT])) },
      users: [{ name: 'agent', inline: [doc(allow('*'))], boundary: 'fence' }],
    });
    expect(to(scan(unfenced).hops, REMOVAL)).toContain(`${ME}#unbounded none`);
  });
});
