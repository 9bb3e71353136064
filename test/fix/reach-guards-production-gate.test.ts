// Session 44: resources.approvalOnlyForProduction. The agent's boundary then denies its destructive
// actions unless approved only on resources tagged env=prod|production|prd|live (NeedsApproval's
// condition also tests aws:ResourceTag/env): after its fix the agent deletes non-production tables
// with no approval and production ones only with it. A role it may assume that deletes tables
// with no approval on production resources (or on `*`) lets it skip that gate there, and must be
// guarded as in the unscoped case (session 43): denied when never assumed, the hop gated when used.
// Shown through the real analysis, then by applying the fix to the export and scanning again.
import { describe, expect, it } from 'vitest';
import { DEV, allow, arn, deny, doc, trust } from '../graph/accounts.js';
import { AGENT, MFA, deleteTable, table } from '../support/tier-scope.js';
import { DELETE, GET_ORDERS, PRODUCTION_ONLY, afterApplying, configOf, docOf, gatedWorld, plan, skipNotes, without } from '../support/gate-world.js';
import approvalData from '../../src/data/approval-conditions.json' with { type: 'json' };

const DEPLOY = arn(DEV, 'role', 'deploy');
const READER = arn(DEV, 'role', 'reader');
const MFA_PRESENT = approvalData.conditions.find((c) => c.id === 'mfa-present')!;
const PROD_VALUES = ['prod', 'production', 'prd', 'live'];
const TAGGED = (values: string[]) => ({ StringEquals: { 'aws:ResourceTag/env': values } });
const OFF = configOf();

/** deploy holds `statements`; the agent is seen assuming reader (so its usage covers the window), deploy trusts the agent by name (the fix keeps no AssumeRole grant of its own). */
function rescanWorld(statements: unknown[], assume = [READER]) {
  return gatedWorld({}, {
    assume: allow('sts:AssumeRole', assume),
    extraRoles: [
      { name: 'reader', trust: trust({ AWS: DEV }), inline: [doc(allow('dynamodb:DescribeTable'))] },
      { name: 'deploy', trust: trust({ AWS: AGENT }), inline: [doc(...statements)] },
    ],
  });
}
const SEEN_READER = [GET_ORDERS, DELETE, { action: 'sts:AssumeRole', resources: [READER] }];
const SEEN_DEPLOY = [GET_ORDERS, DELETE, { action: 'sts:AssumeRole', resources: [DEPLOY] }];

describe('a production-only approval gate is a gate: roles that skip it on production are guarded', () => {
  it('the brief: deploy deletes tables on * with no approval, never assumed — denied, the fix says it skips the production gate', () => {
    const p = plan(gatedWorld({ deploy: [allow('dynamodb:DeleteTable')] }), PRODUCTION_ONLY);
    const needs = docOf(p.boundary).statements.find((s) => s.sid === 'NeedsApproval');
    expect(needs?.condition).toEqual({ ...MFA_PRESENT.denyWhen, ...TAGGED(PROD_VALUES) });
    expect(p.deny).toMatchObject({ effect: 'Deny', action: ['sts:AssumeRole'], resource: [DEPLOY] });
    expect(p.gate).toBeUndefined();
    expect(skipNotes(p)).toEqual([expect.stringContaining('NoUnusedRoleHops denies deploy because it holds dynamodb:DeleteTable with no approval, which after this fix kiro-agent may do on resources tagged env=prod|production|prd|live only when approval condition mfa-present holds')]);
  });

  it('scanned again with the fix applied: the agent deletes non-production tables alone, production ones only with approval; deploy is no hop (without the deny it is)', () => {
    const spec = rescanWorld([allow('dynamodb:DeleteTable')]);
    const p = plan(spec, PRODUCTION_ONLY, SEEN_READER);
    expect(p.deny?.resource).toEqual([DEPLOY]);
    const applied = afterApplying(spec, p, PRODUCTION_ONLY);
    // The effective stage reads the production-scoped deny: held with no approval on some tables, not on every one.
    expect(applied.deletesUngated).toBe(true);
    expect(applied.deletesEverywhere).toBe(false);
    expect(applied.hop(DEPLOY)).toBeUndefined();
    expect(applied.hop(READER)).toBe('none');
    expect(afterApplying(spec, without(p, 'NoUnusedRoleHops'), PRODUCTION_ONLY).hop(DEPLOY)).toBe('none');
  });

  it('grants that may reach production are skips too: a named table (its tags are not known), ABAC on a production tag, ABAC on a dev tag by a role that may retag tables', () => {
    for (const st of [
      [deleteTable(table('orders'))],
      [deleteTable('*', TAGGED(['prod']))],
      [deleteTable('*', TAGGED(['dev'])), allow('dynamodb:TagResource')],
      // Its own Deny of production-tagged tables is no proof either when it may retag them.
      [allow('dynamodb:DeleteTable'), deny('dynamodb:DeleteTable', '*', TAGGED(PROD_VALUES)), allow('dynamodb:UntagResource')],
    ]) {
      const p = plan(gatedWorld({ deploy: st }), PRODUCTION_ONLY);
      expect(p.deny?.resource, JSON.stringify(st)).toEqual([DEPLOY]);
      expect(skipNotes(p), JSON.stringify(st)).toEqual([expect.stringContaining('NoUnusedRoleHops denies deploy because it holds dynamodb:DeleteTable with no approval')]);
    }
  });

  it('seen assuming deploy: not denied, the hop gated on the approval itself (not on the role\'s tags), verified; scanned again the hop needs approval', () => {
    const spec = rescanWorld([allow('dynamodb:DeleteTable')], [READER, DEPLOY]);
    const p = plan(spec, PRODUCTION_ONLY, SEEN_DEPLOY);
    expect(p.deny).toBeUndefined();
    expect(p.gate).toEqual({ index: expect.any(Number), sid: 'GatedRoleHops', effect: 'Deny', action: ['sts:AssumeRole'], resource: [DEPLOY], condition: MFA_PRESENT.denyWhen });
    expect(p.notes.some((n) => n.startsWith('GatedRoleHops: kiro-agent was seen assuming deploy') && n.includes('on resources tagged env=prod|production|prd|live'))).toBe(true);
    // (The boundary's verification stays not-safe under approvalOnlyForProduction, as before this
    // session: the delete is still allowed with no approval on other tables. The used hop is counted as gated.)
    expect(p.boundary.verification.observedCallsGated).toContain(`sts:AssumeRole on ${DEPLOY}`);
    expect(afterApplying(spec, p, PRODUCTION_ONLY).hop(DEPLOY)).toBe('approval');
    expect(afterApplying(spec, without(p, 'GatedRoleHops'), PRODUCTION_ONLY).hop(DEPLOY)).toBe('none');
  });
});

describe('controls', () => {
  it('deploy has no production access (ABAC on env=dev, or its own Deny on production-tagged tables): neither denied nor gated, no note', () => {
    for (const st of [
      [deleteTable('*', TAGGED(['dev', 'test']))],
      [allow('dynamodb:DeleteTable'), deny('dynamodb:DeleteTable', '*', TAGGED(PROD_VALUES))],
    ]) {
      for (const used of [[GET_ORDERS, DELETE], SEEN_DEPLOY]) {
        const p = plan(gatedWorld({ deploy: st }), PRODUCTION_ONLY, used);
        expect(p.deny, JSON.stringify(st)).toBeUndefined();
        expect(p.gate, JSON.stringify(st)).toBeUndefined();
        expect(skipNotes(p)).toEqual([]);
      }
    }
  });

  it('deploy\'s delete behind the same approval (MFA): nothing', () => {
    for (const used of [[GET_ORDERS, DELETE], SEEN_DEPLOY]) {
      const p = plan(gatedWorld({ deploy: [deleteTable('*', MFA)] }), PRODUCTION_ONLY, used);
      expect(p.deny).toBeUndefined();
      expect(p.gate).toBeUndefined();
      expect(skipNotes(p)).toEqual([]);
    }
  });

  it('a Deny of production-tagged tables that does not cover every production value is no proof: deploy is a skip', () => {
    const p = plan(gatedWorld({ deploy: [allow('dynamodb:DeleteTable'), deny('dynamodb:DeleteTable', '*', TAGGED(['prod']))] }), PRODUCTION_ONLY);
    expect(p.deny?.resource).toEqual([DEPLOY]);
  });

  it('approvalOnlyForProduction off: session 43\'s unscoped gate, the note names no tag', () => {
    const p = plan(gatedWorld({ deploy: [allow('dynamodb:DeleteTable')] }), OFF);
    expect(docOf(p.boundary).statements.find((s) => s.sid === 'NeedsApproval')?.condition).toEqual(MFA_PRESENT.denyWhen);
    expect(p.deny?.resource).toEqual([DEPLOY]);
    expect(skipNotes(p)).toEqual([expect.stringContaining('which after this fix kiro-agent may do only when approval condition mfa-present holds')]);
    // Scanned again: no table left to delete with no approval.
    const spec = rescanWorld([allow('dynamodb:DeleteTable')]);
    const applied = afterApplying(spec, plan(spec, OFF, SEEN_READER), OFF);
    expect(applied.deletesUngated).toBe(false);
  });

  it('an agent whose fix gates nothing (GetItem used only), production-only on: the session-42 guard, no approval note, no gate', () => {
    const p = plan(gatedWorld({ deploy: [allow('dynamodb:DeleteTable')] }), PRODUCTION_ONLY, [GET_ORDERS]);
    expect(p.deny?.resource).toEqual([DEPLOY]);
    expect(p.gate).toBeUndefined();
    expect(skipNotes(p)).toEqual([]);
  });
});
