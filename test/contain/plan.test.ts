// planContainment against reports the real pipeline builds, and its Deny documents through the
// repo's own IAM evaluator: the documents stop exactly what the plan says, and nothing else.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/config.js';
import { normalizeAuthorizationDetails } from '../../src/collect/iam/authorization-details-file.js';
import { planContainment, DENY_ALL_POLICY_ARN, type ContainRequest } from '../../src/contain/plan.js';
import { containSummary } from '../../src/contain/render.js';
import { evaluate } from '../../src/iam/evaluate.js';
import { parsePolicy } from '../../src/iam/parse.js';
import { InputError } from '../../src/model/errors.js';
import type { PolicyDocument } from '../../src/model/policy.js';
import type { Report } from '../../src/model/report.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import { analyzeSnapshot } from '../../src/pipeline/scan.js';
import { ADMIN, DEV, allow, arn, doc, exportOf, snapshot, trust, type AccountSpec } from '../graph/accounts.js';

const NOW = new Date('2026-12-06T02:00:00.000Z');

const spec: AccountSpec = {
  users: [
    { name: 'dev-user', inline: [doc(allow('sts:AssumeRole', arn(DEV, 'role', 'agent-role')))] },
    { name: 'bot', tags: { 'ai-agent': 'true' }, inline: [doc(allow('s3:*'))] },
    { name: 'bystander', inline: [doc(allow('s3:ListAllMyBuckets'))] },
  ],
  roles: [
    { name: 'agent-role', trust: trust({ AWS: arn(DEV, 'user', 'dev-user') }), inline: [doc(allow(['ec2:*', 's3:*']))] },
    { name: 'editor', trust: trust({ Service: 'ec2.amazonaws.com' }), inline: [doc(allow('iam:PutRolePolicy', arn(DEV, 'role', 'agent-role')))] },
  ],
};

function reportOf(s: Snapshot): Report {
  return analyzeSnapshot(s, defaultConfig(), { scanId: 't', startedAt: NOW.toISOString(), now: NOW, fixes: false }).report;
}

/** The same account with one role moved under a reserved path (service-linked, Identity Center). */
function withRolePath(name: string, path: string): Report {
  const raw = exportOf({ ...spec, roles: [...spec.roles!, { name, trust: trust({ Service: 'ec2.amazonaws.com' }), inline: [ADMIN] }] }) as { RoleDetailList: Record<string, unknown>[] };
  const role = raw.RoleDetailList.find((r) => r['RoleName'] === name)!;
  role['Path'] = path;
  role['Arn'] = `arn:aws:iam::${DEV}:role${path}${name}`;
  const base = snapshot(spec);
  const r = normalizeAuthorizationDetails(raw, 'paths.json');
  return reportOf({ ...base, principals: r.principals, managedPolicies: r.managedPolicies, groups: r.groups });
}

const report = reportOf(snapshot(spec));
const plan = (req: Omit<ContainRequest, 'now'>, r: Report = report) => planContainment(r, { now: NOW, ...req });

function parsed(d: Record<string, unknown>): PolicyDocument {
  const p = parsePolicy(d, 'identity');
  if (!p.ok) throw new Error(JSON.stringify(p.error));
  return p.document;
}

/** What the principal's own admin policy plus the containment Deny decide for a call in this context. */
function decide(containment: Record<string, unknown>, values: Record<string, string[]>): string {
  const admin = parsed(ADMIN as unknown as Record<string, unknown>);
  const lower = Object.fromEntries(Object.entries(values).map(([k, v]) => [k.toLowerCase(), v]));
  return evaluate({ action: 'ec2:TerminateInstances', resource: '*', context: { values: lower, closedWorld: true } }, { identity: [admin, parsed(containment)] }).decision;
}

describe('planContainment: a role, every session so far (the default)', () => {
  const p = plan({ target: 'agent-role' });
  it('is AWS\'s revoke-sessions Deny, named as leash\'s own, with the time filled in when contain.sh runs', () => {
    expect(p.scope).toBe('sessions');
    expect(p.inline?.name).toBe('LeashContain-20261206T020000Z');
    expect(p.inline?.timeFilledAtApply).toBe('2026-12-06T02:00:00Z');
    expect(p.attach).toBeUndefined();
  });

  it('refuses every session issued before the time and no session issued at or after it (property)', () => {
    const at = Date.parse('2026-12-06T02:00:00Z');
    fc.assert(fc.property(fc.integer({ min: -36 * 3600, max: 36 * 3600 }), (offset) => {
      const issued = new Date(at + offset * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
      const d = decide(p.inline!.document, { 'aws:TokenIssueTime': [issued] });
      expect(d).toBe(offset < 0 ? 'ExplicitlyDenied' : 'Allowed');
    }));
  });

  it('negative: a call with no session (a user\'s long-term key) is not what this Deny stops', () => {
    expect(decide(p.inline!.document, {})).toBe('Allowed');
  });

  it('a fixed --at is kept as given, and not replaced at apply time', () => {
    const fixed = plan({ target: 'agent-role', at: '2026-12-05T23:00:00Z' });
    expect(fixed.inline?.timeFilledAtApply).toBeUndefined();
    expect(decide(fixed.inline!.document, { 'aws:TokenIssueTime': ['2026-12-05T22:59:59Z'] })).toBe('ExplicitlyDenied');
    expect(decide(fixed.inline!.document, { 'aws:TokenIssueTime': ['2026-12-06T01:00:00Z'] })).toBe('Allowed');
  });

  it('names who can become it again (the user its trust names), from the graph', () => {
    expect(p.reentry.map((r) => r.label)).toEqual(['dev-user']);
    expect(p.graphPartial).toBe(false);
  });

  it('and where the user may already be: the role it can become, whose sessions a Deny on the user does not touch', () => {
    expect(plan({ target: 'dev-user' }).onward.map((r) => r.label)).toEqual(['agent-role']);
  });

  it('negative: principals with no hop into or out of it are not listed', () => {
    expect(p.reentry.map((r) => r.label)).not.toContain('bystander');
    expect(plan({ target: 'bystander' }).reentry).toEqual([]);
    expect(plan({ target: 'bystander' }).onward).toEqual([]);
    expect(p.onward).toEqual([]);
  });

  it('a role allowed to edit role policies is told a session the Deny misses could remove it; one that is not, is not', () => {
    const r = reportOf(snapshot({ ...spec, roles: [...spec.roles!, { name: 'self-editor', trust: trust({ Service: 'ec2.amazonaws.com' }), inline: [doc(allow(['ec2:*', 'iam:PutRolePolicy', 'iam:DeleteRolePolicy'], arn(DEV, 'role', 'self-editor')))] }] }));
    expect(plan({ target: 'self-editor' }, r).leavesOpen.join(' ')).toMatch(/iam-put-role-policy\): a session this Deny does not cover could remove it/);
    expect(p.leavesOpen.join(' ')).not.toMatch(/may change IAM policies/);
  });

  it('hubs are folded: a user that can mint another user\'s keys reaches that user, and is who can come back in to it', () => {
    const r = reportOf(snapshot({ ...spec, users: [...spec.users!, { name: 'minter', inline: [doc(allow('iam:CreateAccessKey', arn(DEV, 'user', 'bot')))] }] }));
    expect(plan({ target: 'minter' }, r).onward.map((x) => x.label)).toEqual(['bot']);
    expect(plan({ target: 'bot' }, r).reentry.map((x) => x.label)).toEqual(['minter']);
  });
});

describe('planContainment: one session', () => {
  it('from a session ARN pasted from CloudTrail: a Deny for that session name only', () => {
    const p = plan({ target: `arn:aws:sts::${DEV}:assumed-role/agent-role/kiro-session-1` });
    expect(p.scope).toBe('session');
    expect(p.principal.arn).toBe(arn(DEV, 'role', 'agent-role'));
    expect(decide(p.inline!.document, { 'aws:userid': [`AROA${DEV}0:kiro-session-1`] })).toBe('ExplicitlyDenied');
    // Negative controls: another session of the role, and a name that only starts the same.
    expect(decide(p.inline!.document, { 'aws:userid': [`AROA${DEV}0:alice`] })).toBe('Allowed');
    expect(decide(p.inline!.document, { 'aws:userid': [`AROA${DEV}0:kiro-session-10`] })).toBe('Allowed');
  });

  it('by source identity: that identity is refused, another is not', () => {
    const p = plan({ target: 'agent-role', sourceIdentity: 'claude-code@dev' });
    expect(p.scope).toBe('session');
    expect(decide(p.inline!.document, { 'aws:SourceIdentity': ['claude-code@dev'] })).toBe('ExplicitlyDenied');
    expect(decide(p.inline!.document, { 'aws:SourceIdentity': ['alice'] })).toBe('Allowed');
  });

  it('both: either one is refused', () => {
    const p = plan({ target: 'agent-role', session: 's-1', sourceIdentity: 'agent-x' });
    expect(decide(p.inline!.document, { 'aws:userid': ['AROAX:s-1'], 'aws:SourceIdentity': ['bob'] })).toBe('ExplicitlyDenied');
    expect(decide(p.inline!.document, { 'aws:userid': ['AROAX:s-2'], 'aws:SourceIdentity': ['agent-x'] })).toBe('ExplicitlyDenied');
    expect(decide(p.inline!.document, { 'aws:userid': ['AROAX:s-2'], 'aws:SourceIdentity': ['bob'] })).toBe('Allowed');
  });
});

describe('planContainment: everything', () => {
  it('a role with --scope all: AWSDenyAll attached, no inline policy', () => {
    const p = plan({ target: 'agent-role', scope: 'all' });
    expect(p.attach).toBe(DENY_ALL_POLICY_ARN);
    expect(p.inline).toBeUndefined();
  });

  it('a user gets everything by default (a key has no session to revoke), and nothing else is accepted', () => {
    expect(plan({ target: 'bot' }).attach).toBe(DENY_ALL_POLICY_ARN);
    expect(() => plan({ target: 'bot', scope: 'sessions' })).toThrow(InputError);
    expect(() => plan({ target: 'bot', session: 'x1' })).toThrow(/all for a user/);
    expect(() => plan({ target: 'agent-role', deactivateKeys: true })).toThrow(/roles have no access keys/);
    expect(plan({ target: 'bot', deactivateKeys: true }).deactivateKeys).toBe(true);
    expect(plan({ target: 'bot' }).deactivateKeys).toBeUndefined();
  });
});

describe('planContainment: what IAM will not let anyone change', () => {
  it('a service-linked role: no change written, and why', () => {
    const r = withRolePath('AWSServiceRoleForX', '/aws-service-role/x.amazonaws.com/');
    const p = plan({ target: 'AWSServiceRoleForX' }, r);
    expect(p.cannot).toMatch(/service-linked/);
    expect(p.inline).toBeUndefined();
    expect(p.attach).toBeUndefined();
  });

  it('an Identity Center role whose name does not say its permission set: no change written, points at Identity Center', () => {
    const r = withRolePath('AWSReservedSSO_Admin', '/aws-reserved/sso.amazonaws.com/');
    const p = plan({ target: 'AWSReservedSSO_Admin' }, r);
    expect(p.cannot).toMatch(/IAM Identity Center/);
    expect(p.inline).toBeUndefined();
    expect(p.identityCenter).toBeUndefined();
  });

  it('negative: a role under an ordinary path is contained', () => {
    const r = withRolePath('team-role', '/team/');
    const p = plan({ target: 'team-role' }, r);
    expect(p.cannot).toBeUndefined();
    expect(p.principal.path).toBe('/team/');
    expect(p.inline).toBeDefined();
  });
});

describe('planContainment: an IAM Identity Center role, through its permission set', () => {
  const SSO = 'AWSReservedSSO_Admin_0123456789abcdef';
  const r = withRolePath(SSO, '/aws-reserved/sso.amazonaws.com/');
  const sessionArn = (name: string) => `arn:aws:sts::${DEV}:assumed-role/${SSO}/${name}`;
  const statements = (p: ReturnType<typeof plan>) => (p.inline!.document as { Statement: Record<string, unknown>[] }).Statement;
  const userid = (who: string) => ({ 'aws:userid': [`AROADEMOSSOADMIN000001:${who}`] });

  it('one person (a session ARN): every account the permission set is in, a Deny on their aws:userid only', () => {
    const p = plan({ target: sessionArn('dana@example.com') }, r);
    expect(p.cannot).toBeUndefined();
    expect(p.attach).toBeUndefined();
    expect(p.identityCenter).toEqual({ permissionSetName: 'Admin', sidPrefix: 'LeashContain20261206T020000Z', allAccounts: true });
    expect(statements(p).every((st) => String(st['Sid']).startsWith('LeashContain20261206T020000Z'))).toBe(true);
    expect(decide(p.inline!.document, userid('dana@example.com'))).toBe('ExplicitlyDenied');
    // Control: a colleague on the same permission set keeps working.
    expect(decide(p.inline!.document, userid('erin@example.com'))).toBe('Allowed');
    expect(p.leavesOpen.join(' ')).toMatch(/access-portal session stays valid/);
    expect(p.undoers).toBeUndefined();
  });

  it('by identity store user id: that person is refused, another is not', () => {
    const id = '906720ac5e-5d72d5a6-7f0e-4f6b-9a43-0c1d2e3f4a5b';
    const p = plan({ target: SSO, userId: id }, r);
    expect(p.scope).toBe('session');
    expect(decide(p.inline!.document, { 'identitystore:userId': [id] })).toBe('ExplicitlyDenied');
    expect(decide(p.inline!.document, { 'identitystore:userId': ['906720ac5e-00000000-0000-4000-8000-000000000000'] })).toBe('Allowed');
  });

  it('everyone\'s sessions so far (the default): this account only, the time filled in when contain.sh runs', () => {
    const p = plan({ target: SSO }, r);
    expect(p.scope).toBe('sessions');
    expect(p.identityCenter?.allAccounts).toBe(false);
    expect(p.inline?.timeFilledAtApply).toBe('2026-12-06T02:00:00Z');
    expect(decide(p.inline!.document, { 'aws:TokenIssueTime': ['2026-12-06T01:59:59Z'] })).toBe('ExplicitlyDenied');
    expect(decide(p.inline!.document, { 'aws:TokenIssueTime': ['2026-12-06T02:00:01Z'] })).toBe('Allowed');
    expect(p.leavesOpen.join(' ')).toMatch(/other accounts as outdated/);
  });

  it('all: a Deny of everything in the permission set, no managed policy attached (IAM would refuse it)', () => {
    const p = plan({ target: SSO, scope: 'all' }, r);
    expect(p.attach).toBeUndefined();
    expect(statements(p)).toEqual([{ Sid: 'LeashContain20261206T020000ZAll', Effect: 'Deny', Action: '*', Resource: '*' }]);
    expect(decide(p.inline!.document, {})).toBe('ExplicitlyDenied');
  });

  it('the instance\'s region comes from the role\'s path when it names one', () => {
    const eu = withRolePath(SSO, '/aws-reserved/sso.amazonaws.com/eu-west-1/');
    expect(plan({ target: SSO }, eu).identityCenter?.region).toBe('eu-west-1');
    expect(plan({ target: SSO }, r).identityCenter?.region).toBeUndefined();
  });

  it('--user-id is refused for a role Identity Center did not make, and when it is not an identity store id', () => {
    expect(() => plan({ target: 'agent-role', userId: '906720ac5e-5d72d5a6-7f0e-4f6b-9a43-0c1d2e3f4a5b' })).toThrow(/IAM Identity Center role/);
    expect(() => plan({ target: SSO, userId: 'dana@example.com' }, r)).toThrow(/identity store user id/);
  });
});

describe('planContainment: bad input is refused with what was expected', () => {
  it.each([
    [{ target: 'nobody' }, /a principal of the report/],
    [{ target: `arn:aws:sts::999999999999:assumed-role/agent-role/s1` }, /a session of account 111111111111/],
    [{ target: `arn:aws:sts::${DEV}:assumed-role/no-such-role/s1` }, /a session of a role the report holds/],
    [{ target: 'agent-role', session: 'a*' }, /2–64 characters/],
    [{ target: 'agent-role', sourceIdentity: 'x"; rm -rf /' }, /2–64 characters/],
    [{ target: 'agent-role', at: 'yesterday' }, /UTC time to the second/],
    [{ target: 'agent-role', at: '2026-13-45T99:00:00Z' }, /UTC time to the second/],
    [{ target: 'agent-role', scope: 'session' as const }, /session with --session/],
    [{ target: `arn:aws:sts::${DEV}:assumed-role/agent-role/s1`, session: 's2' }, /the session the ARN names/],
  ])('%j', (req, message) => {
    expect(() => plan(req)).toThrow(InputError);
    expect(() => plan(req)).toThrow(message);
  });
});

describe('planContainment: the sessions the report saw (schema 1.9.0)', async () => {
  const { collectSnapshot } = await import('../../src/pipeline/scan.js');
  const { containSummary, renderContainment } = await import('../../src/contain/render.js');
  const demo = await collectSnapshot({ demo: true });
  const demoReport = analyzeSnapshot(demo.snapshot, demo.config, { scanId: 't', startedAt: NOW.toISOString(), now: NOW, fixes: false }).report;

  it('a role\'s plan lists its recent sessions with the command that stops each one alone', () => {
    const p = plan({ target: 'kiro-agent' }, demoReport);
    expect(p.sessionsSeen).toHaveLength(10);
    const readme = renderContainment(p).find((f) => f.name === 'README.md')!.content;
    expect(readme).toContain('| `kiro-dana-030` | `dana` | kiro |');
    expect(readme).toContain('`leash contain arn:aws:sts::111122223333:assumed-role/kiro-agent/kiro-dana-030`');
    expect(containSummary(p, '/x')).toMatch(/latest AI-tool session seen: kiro-dana-030 \(kiro, .*that one only: leash contain arn:aws:sts::111122223333:assumed-role\/kiro-agent\/kiro-dana-030/);
  });

  it('negative: a session name IAM could not have issued gets no command; a user has no sessions to list', () => {
    const kiro = demoReport.principals.find((x) => x.name === 'kiro-agent')!;
    const hostile = { ...demoReport, principals: demoReport.principals.map((x) => (x === kiro ? { ...x, usage: { ...x.usage!, sessions: [{ name: 'a|b`$(x)', firstSeen: 'f', lastSeen: 'l', events: 1, tools: ['kiro'] }] } } : x)) };
    const p = plan({ target: 'kiro-agent' }, hostile);
    expect(renderContainment(p).find((f) => f.name === 'README.md')!.content).not.toContain('leash contain arn:aws:sts');
    expect(containSummary(p, '/x')).not.toMatch(/latest AI-tool session/);
    expect(plan({ target: 'dana' }, demoReport).sessionsSeen).toEqual([]);
  });
});

describe('planContainment: who could remove the Deny (from an export)', () => {
  const world: AccountSpec = {
    ...spec,
    users: [...spec.users!, { name: 'mfa-admin', inline: [doc(allow('iam:DetachRolePolicy', '*', { Bool: { 'aws:MultiFactorAuthPresent': 'true' } }))] }],
    roles: [...spec.roles!, { name: 'self-editor', trust: trust({ Service: 'ec2.amazonaws.com' }), inline: [doc(allow(['ec2:*', 'iam:DeleteRolePolicy', 'iam:DetachRolePolicy'], arn(DEV, 'role', 'self-editor')))] }],
  };
  const snap = snapshot(world);
  const r = reportOf(snap);

  it('the inline Deny: whoever may delete or overwrite a policy of the role, decided on its ARN', () => {
    const p = plan({ target: 'agent-role', snapshot: snap }, r);
    expect(p.undoers?.map((u) => [u.name, u.actions, u.conditional])).toEqual([['editor', ['iam:PutRolePolicy'], false]]);
  });

  it('AWSDenyAll: whoever may detach it, a condition the export cannot settle said so', () => {
    const p = plan({ target: 'agent-role', scope: 'all', snapshot: snap }, r);
    expect(p.undoers?.map((u) => [u.name, u.actions, u.conditional])).toEqual([['mfa-admin', ['iam:DetachRolePolicy'], true]]);
  });

  it('the role itself counts while some of its sessions still work, not once everything is denied', () => {
    expect(plan({ target: 'self-editor', snapshot: snap }, r).undoers?.map((u) => u.name)).toEqual(['self-editor']);
    expect(plan({ target: 'self-editor', scope: 'all', snapshot: snap }, r).undoers?.map((u) => u.name)).toEqual(['mfa-admin']);
  });

  it('negative: from a report alone it is not decided (undefined, not an empty list), and the summary says how to decide it', () => {
    const alone = plan({ target: 'agent-role' }, r);
    expect(alone.undoers).toBeUndefined();
    expect(containSummary(alone, '/x')).toContain('who may remove the Deny: not decided (from a report alone); --aws reads the account now (read-only)');
    // Decided (here from an export): the summary names them instead.
    const decided = plan({ target: 'agent-role', snapshot: snap }, r);
    expect(containSummary(decided, '/x')).toContain('1 principal may remove the Deny: editor');
    expect(containSummary(decided, '/x')).not.toContain('not decided');
  });

  it('a grant limited to an organization is decided when the organization is known: member, outsider, unknown', () => {
    const orgWorld: AccountSpec = { ...spec, users: [...spec.users!, { name: 'org-admin', inline: [doc(allow('iam:DetachRolePolicy', '*', { StringEquals: { 'aws:PrincipalOrgID': 'o-aaaaaaaaaa' } }))] }] };
    const s = snapshot(orgWorld);
    const undo = (organizationId?: string) => plan({ target: 'agent-role', scope: 'all', snapshot: s, ...(organizationId ? { organizationId } : {}) }, reportOf(s)).undoers?.map((u) => [u.name, u.conditional]);
    expect(undo()).toEqual([['org-admin', true]]);
    expect(undo('o-aaaaaaaaaa')).toEqual([['org-admin', false]]);
    expect(undo('o-bbbbbbbbbb')).toEqual([]);
  });
});
