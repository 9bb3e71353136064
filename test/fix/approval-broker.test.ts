// Audit (session 29): with approval.brokerRoleArn configured the trust fix let only the broker set
// the approval (the leash-approved session tag, an approved-* source identity), but never let the
// broker itself in: sts:AssumeRole with sts:TagSession / sts:SetSourceIdentity must be allowed by
// the role's trust policy, so no approved session could be made. Each decision below is leash's own
// evaluator (statementApplies) over the trust fix's document, one request per action STS authorizes.
import { describe, expect, it } from 'vitest';
import { analyzePrincipals } from '../../src/checks/analyze.js';
import { defaultConfig, type LeashConfig } from '../../src/config/config.js';
import { computeNeeded } from '../../src/baseline/needed.js';
import { planFixes } from '../../src/fix/plan.js';
import { catalog } from '../../src/iam/catalog.js';
import { policyToJson } from '../../src/iam/parse.js';
import { statementApplies } from '../../src/iam/evaluate.js';
import { ActionExpander } from '../../src/iam/pattern.js';
import type { PolicyDocument, Statement } from '../../src/model/policy.js';
import { ACCOUNT, doc, snapshotOf } from '../support/snapshot.js';

const expander = new ActionExpander(catalog());
const ROLE = `arn:aws:iam::${ACCOUNT}:role/kiro-agent`;
const ENGINEER = `arn:aws:iam::${ACCOUNT}:role/engineer`;
const BROKER = 'arn:aws:iam::444455556666:role/approval-broker'; // another account: nothing today lets it in
const OTHER = 'arn:aws:iam::444455556666:role/someone-else';
const trust = doc({ Effect: 'Allow', Principal: { AWS: ENGINEER }, Action: ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'] });

function trustFix(approval: LeashConfig['approval'], current = trust) {
  const config = { ...defaultConfig(), approval } as LeashConfig;
  const s = snapshotOf([{ name: 'kiro-agent', trust: current, inline: [doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' })], tags: { 'ai-agent': 'true' } }]);
  const a = analyzePrincipals(s, config, expander).find((x) => x.principal.arn === ROLE)!;
  return planFixes(a, computeNeeded(a, s.usage, config, expander), s, config, expander, []).fixes.find((f) => f.kind === 'trust-policy');
}

const names = (s: Statement, caller: string) => s.principal === '*' || (s.principal?.AWS ?? []).some((p) => p === '*' || p === caller || p === `arn:aws:iam::${caller.split(':')[4]}:root`);
/** One STS authorization against the trust policy: denied by a Deny naming the caller, else allowed by an Allow naming it. */
function decide(d: PolicyDocument, caller: string, action: string, values: Record<string, string[]>): 'allowed' | 'denied' | 'not allowed' {
  const req = { action, resource: ROLE, context: { values: { 'aws:principalarn': [caller], ...values }, closedWorld: true } };
  const applies = (s: Statement) => names(s, caller) && statementApplies(s, req, true) === true;
  if (d.statements.some((s) => s.effect === 'Deny' && applies(s))) return 'denied';
  return d.statements.some((s) => s.effect === 'Allow' && applies(s)) ? 'allowed' : 'not allowed';
}
/** AssumeRole with tags and a source identity: STS authorizes sts:AssumeRole, sts:TagSession (tags passed) and sts:SetSourceIdentity. */
function session(d: PolicyDocument, caller: string, opts: { tags?: string[]; transitive?: string[]; sourceIdentity?: string }) {
  const values: Record<string, string[]> = {
    ...(opts.tags ? { 'aws:tagkeys': opts.tags, ...Object.fromEntries(opts.tags.map((t) => [`aws:requesttag/${t}`, ['true']])) } : {}),
    ...(opts.transitive ? { 'sts:transitivetagkeys': opts.transitive } : {}),
    ...(opts.sourceIdentity ? { 'sts:sourceidentity': [opts.sourceIdentity] } : {}),
  };
  return {
    assume: decide(d, caller, 'sts:AssumeRole', values),
    ...(opts.tags ? { tag: decide(d, caller, 'sts:TagSession', values) } : {}),
    ...(opts.sourceIdentity ? { sourceIdentity: decide(d, caller, 'sts:SetSourceIdentity', values) } : {}),
  };
}

describe('the approval broker is let in by the trust fix, and only it may set the approval', () => {
  it('approval-session-tag: the broker may assume with leash-approved; others may not set it; the engineer still assumes without it', () => {
    const fix = trustFix({ condition: 'approval-session-tag', brokerRoleArn: BROKER })!;
    const d = fix.after as PolicyDocument;
    expect(session(d, BROKER, { tags: ['leash-approved'], sourceIdentity: 'alice' })).toEqual({ assume: 'allowed', tag: 'allowed', sourceIdentity: 'allowed' });
    // The broker statement lets it make approved sessions only: not without the tag, not without a source identity, never transitive.
    expect(session(d, BROKER, { sourceIdentity: 'alice' }).assume).toBe('not allowed');
    expect(session(d, BROKER, { tags: ['leash-approved'] }).assume).toBe('not allowed');
    expect(session(d, BROKER, { tags: ['leash-approved'], transitive: ['leash-approved'], sourceIdentity: 'alice' }).tag).toBe('denied');
    // Anyone else may not set the tag, whether today's policy names them or not.
    expect(session(d, ENGINEER, { tags: ['leash-approved'], sourceIdentity: 'alice' }).tag).toBe('denied');
    expect(session(d, OTHER, { tags: ['leash-approved'], sourceIdentity: 'alice' })).toEqual({ assume: 'not allowed', tag: 'denied', sourceIdentity: 'not allowed' });
    // A principal allowed today still assumes without the tag (with the source identity every agent session sets).
    expect(session(d, ENGINEER, { tags: ['team'], sourceIdentity: 'alice' })).toEqual({ assume: 'allowed', tag: 'allowed', sourceIdentity: 'allowed' });
    expect(fix.verification.status).not.toBe('not-safe');
    expect(fix.notes.join(' ')).toMatch(/ApprovalBroker.*: the approval broker \(arn:aws:iam::444455556666:role\/approval-broker\) may assume the role/);
  });

  it('approval-source-identity: the broker may assume with an approved-* source identity; nobody else may set one', () => {
    const d = trustFix({ condition: 'approval-source-identity', brokerRoleArn: BROKER })!.after as PolicyDocument;
    expect(session(d, BROKER, { sourceIdentity: 'approved-123-alice' })).toEqual({ assume: 'allowed', sourceIdentity: 'allowed' });
    expect(session(d, BROKER, { sourceIdentity: 'alice' }).assume).toBe('not allowed');
    expect(session(d, ENGINEER, { sourceIdentity: 'approved-123-alice' }).sourceIdentity).toBe('denied');
    expect(session(d, ENGINEER, { sourceIdentity: 'alice' })).toEqual({ assume: 'allowed', sourceIdentity: 'allowed' });
  });

  it('controls: no broker configured (placeholder: not safe, held back) or mfa-present: no broker statement, and the broker is not let in', () => {
    for (const approval of [{ condition: 'approval-session-tag' }, { condition: 'mfa-present', brokerRoleArn: BROKER }]) {
      const fix = trustFix(approval)!;
      const d = fix.after as PolicyDocument;
      expect(d.statements.filter((s) => s.sid?.startsWith('ApprovalBroker')), approval.condition).toEqual([]);
      expect(session(d, BROKER, { tags: ['leash-approved'], sourceIdentity: 'alice' }).assume).toBe('not allowed');
      // Today's caller is still let in (the fix adds the source identity it requires).
      expect(session(d, ENGINEER, { sourceIdentity: 'alice' }).assume).toBe('allowed');
    }
    expect(trustFix({ condition: 'approval-session-tag' })!.verification.status).toBe('not-safe');
  });

  it('planned again over the trust policy it wrote, nothing changes (the broker statements are not tightened again; control: today\'s policy is)', () => {
    for (const condition of ['approval-session-tag', 'approval-source-identity']) {
      const first = trustFix({ condition, brokerRoleArn: BROKER })!;
      expect(first, condition).toBeDefined();
      expect(trustFix({ condition, brokerRoleArn: BROKER }, policyToJson(first.after as PolicyDocument) as ReturnType<typeof doc>), condition).toBeUndefined();
    }
  });
});
