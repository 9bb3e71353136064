// Session 44: a role's approval gate counts only if it requires what the agent's own gate requires.
// After its fix the agent may delete tables only when approval condition mfa-present holds; a role
// whose delete needs some *other* approval key (the leash-approved session tag), or a weaker test of
// the same key (BoolIfExists true holds when the key is absent; a Deny "unless" Bool without
// IfExists does not apply to a request without the key), lets the agent delete without meeting
// mfa-present: an approval skip, guarded as in session 43 (denied when never assumed, gated when
// used). Through the real analysis, then the fix applied to the export and scanned again.
import { describe, expect, it } from 'vitest';
import { DEV, allow, arn, deny, doc, trust } from '../graph/accounts.js';
import { AGENT, MFA, deleteTable } from '../support/tier-scope.js';
import { DELETE, GET_ORDERS, afterApplying, configOf, gatedWorld, plan, skipNotes, without } from '../support/gate-world.js';
import approvalData from '../../src/data/approval-conditions.json' with { type: 'json' };

const DEPLOY = arn(DEV, 'role', 'deploy');
const READER = arn(DEV, 'role', 'reader');
const byId = (id: string) => approvalData.conditions.find((c) => c.id === id)!;
const MFA_PRESENT = byId('mfa-present');
const SESSION_TAG = byId('approval-session-tag');
const DEFAULT = configOf();
const TAG_APPROVAL = configOf({ approval: { condition: 'approval-session-tag' } });
const SEEN_DEPLOY = [GET_ORDERS, DELETE, { action: 'sts:AssumeRole', resources: [DEPLOY] }];
/**
 * A trust policy that also lets its callers tag the session (sts:TagSession): the role's
 * aws:PrincipalTag/leash-approved is then not fixed by its own tags (principal-context.ts), so a
 * grant behind the session tag may be met. Without it the scan takes the role's tags as exact and
 * such a grant as never met (a control below).
 */
const taggable = (principal: unknown) => doc({ Effect: 'Allow', Principal: principal, Action: ['sts:AssumeRole', 'sts:TagSession'] });
/** gatedWorld with deploy's trust letting sessions be tagged. */
const world = (st: unknown[]) => {
  const spec = gatedWorld({ deploy: st });
  spec.roles!.find((r) => r.name === 'deploy')!.trust = taggable({ AWS: DEV });
  return spec;
};

/** deploy's delete under another approval, or a weaker form of the agent's own. */
const OTHER_GATES: Record<string, unknown[]> = {
  'the leash-approved session tag (another approval key)': [deleteTable('*', SESSION_TAG.condition)],
  'BoolIfExists MultiFactorAuthPresent true (holds with no MFA key)': [deleteTable('*', { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'true' } })],
  'a Deny unless MFA with Bool, not BoolIfExists (a request without the key escapes it)': [allow('dynamodb:DeleteTable'), deny('dynamodb:DeleteTable', '*', { Bool: { 'aws:MultiFactorAuthPresent': 'false' } })],
  'a recent-MFA Allow (another key, not what mfa-present tests)': [deleteTable('*', byId('mfa-recent').condition)],
};

describe('a role gated by another approval condition is an approval skip', () => {
  for (const [what, st] of Object.entries(OTHER_GATES)) {
    it(`deploy's delete behind ${what}: denied when never assumed, gated when used, the note says why`, () => {
      const never = plan(world(st), DEFAULT);
      expect(never.deny?.resource).toEqual([DEPLOY]);
      expect(skipNotes(never)).toEqual([expect.stringContaining('NoUnusedRoleHops denies deploy because it holds dynamodb:DeleteTable with no approval, which after this fix kiro-agent may do only when approval condition mfa-present holds')]);
      const used = plan(world(st), DEFAULT, SEEN_DEPLOY);
      expect(used.deny).toBeUndefined();
      expect(used.gate).toMatchObject({ sid: 'GatedRoleHops', resource: [DEPLOY], condition: MFA_PRESENT.denyWhen });
      expect(used.boundary.verification).toMatchObject({ safe: true, status: 'verified' });
    });
  }

  it('scanned again with the fix applied (deploy behind the session tag, trusting the agent by name): deploy is no hop; without the deny it is', () => {
    const spec = gatedWorld({}, {
      assume: allow('sts:AssumeRole', READER),
      extraRoles: [
        { name: 'reader', trust: trust({ AWS: DEV }), inline: [doc(allow('dynamodb:DescribeTable'))] },
        { name: 'deploy', trust: taggable({ AWS: AGENT }), inline: [doc(deleteTable('*', SESSION_TAG.condition))] },
      ],
    });
    const p = plan(spec, DEFAULT, [GET_ORDERS, DELETE, { action: 'sts:AssumeRole', resources: [READER] }]);
    expect(p.deny?.resource).toEqual([DEPLOY]);
    const applied = afterApplying(spec, p, DEFAULT);
    expect(applied.deletesUngated).toBe(false);
    expect(applied.hop(DEPLOY)).toBeUndefined();
    expect(afterApplying(spec, without(p, 'NoUnusedRoleHops'), DEFAULT).hop(DEPLOY)).toBe('none');
  });

  it('the agent\'s gate is the session tag (approval.condition approval-session-tag): deploy behind MFA is the skip now', () => {
    const p = plan(world([deleteTable('*', MFA)]), TAG_APPROVAL);
    expect(p.deny?.resource).toEqual([DEPLOY]);
    expect(skipNotes(p)).toEqual([expect.stringContaining('only when approval condition approval-session-tag holds')]);
  });
});

describe('controls: a role that requires at least the agent\'s own gate', () => {
  const SAME: Record<string, unknown[]> = {
    'the same Allow condition': [deleteTable('*', MFA)],
    'the same Allow condition and more (aws:SecureTransport)': [deleteTable('*', { ...MFA, Bool: { 'aws:MultiFactorAuthPresent': 'true', 'aws:SecureTransport': 'true' } })],
    'both approvals (MFA and the session tag)': [deleteTable('*', { ...MFA, ...SESSION_TAG.condition })],
    'the same Deny unless (BoolIfExists false)': [allow('dynamodb:DeleteTable'), deny('dynamodb:DeleteTable', '*', MFA_PRESENT.denyWhen)],
  };
  for (const [what, st] of Object.entries(SAME)) {
    it(`deploy's delete behind ${what}: neither denied nor gated, no note`, () => {
      for (const used of [[GET_ORDERS, DELETE], SEEN_DEPLOY]) {
        const p = plan(world(st), DEFAULT, used);
        expect(p.deny).toBeUndefined();
        expect(p.gate).toBeUndefined();
        expect(skipNotes(p)).toEqual([]);
      }
    });
  }

  it('the agent\'s gate is the session tag, deploy behind the same tag: nothing', () => {
    const p = plan(world([deleteTable('*', SESSION_TAG.condition)]), TAG_APPROVAL);
    expect(p.deny).toBeUndefined();
    expect(skipNotes(p)).toEqual([]);
  });

  it('an action the fix does not take, behind another approval (iam:CreateUser under the session tag): no gate of the agent\'s to skip, so session 42\'s reading holds — behind approval, nothing more', () => {
    const p = plan(world([allow('iam:CreateUser', '*', SESSION_TAG.condition)]), DEFAULT);
    expect(p.deny).toBeUndefined();
    expect(skipNotes(p)).toEqual([]);
    // Control of the control: the same grant with no approval gives more.
    expect(plan(world([allow('iam:CreateUser')]), DEFAULT).deny?.resource).toEqual([DEPLOY]);
  });

  it('deploy behind the session tag, its trust letting no one tag sessions: its tags are exact, it has no leash-approved tag, so the scan reads the grant as never met — nothing to skip', () => {
    for (const used of [[GET_ORDERS, DELETE], SEEN_DEPLOY]) {
      const p = plan(gatedWorld({ deploy: [deleteTable('*', SESSION_TAG.condition)] }), DEFAULT, used);
      expect(p.deny).toBeUndefined();
      expect(p.gate).toBeUndefined();
      expect(skipNotes(p)).toEqual([]);
    }
  });
});
