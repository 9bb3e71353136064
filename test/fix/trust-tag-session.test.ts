// Audit (session 30): the trust fix put `Null sts:SourceIdentity false` on statements that also
// allow sts:TagSession. STS authorizes the tags of an AssumeRole as a request of its own
// (sts:TagSession), for which AWS documents no sts:SourceIdentity key (the Service Authorization
// Reference lists aws:RequestTag/*, aws:TagKeys, saml:aud, sts:TransitiveTagKeys), so every
// session passing tags could be refused. Each decision below is leash's own evaluator
// (statementApplies) over the trust fix's document, one request per action STS authorizes; the
// TagSession request carries what the AssumeRole request carries except sts:SourceIdentity.
import { parse } from '@cdktf/hcl2json';
import { describe, expect, it } from 'vitest';
import { analyzePrincipals } from '../../src/checks/analyze.js';
import { defaultConfig } from '../../src/config/config.js';
import { computeNeeded } from '../../src/baseline/needed.js';
import { planFixes } from '../../src/fix/plan.js';
import { catalog } from '../../src/iam/catalog.js';
import { policyToJson } from '../../src/iam/parse.js';
import { statementApplies } from '../../src/iam/evaluate.js';
import { ActionExpander } from '../../src/iam/pattern.js';
import type { PolicyDocument, Statement } from '../../src/model/policy.js';
import { ACCOUNT, doc, snapshotOf } from '../support/snapshot.js';
import { policyDocumentsOf, toSetStatements } from './render/support.js';

const expander = new ActionExpander(catalog());
const ROLE = `arn:aws:iam::${ACCOUNT}:role/kiro-agent`;
const ENGINEER = `arn:aws:iam::${ACCOUNT}:role/engineer`;
const PARTNER = 'arn:aws:iam::444455556666:role/partner';

function trustFix(current: ReturnType<typeof doc>) {
  const config = defaultConfig();
  const s = snapshotOf([{ name: 'kiro-agent', trust: current, inline: [doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' })], tags: { 'ai-agent': 'true' } }]);
  const a = analyzePrincipals(s, config, expander).find((x) => x.principal.arn === ROLE)!;
  return planFixes(a, computeNeeded(a, s.usage, config, expander), s, config, expander, []).fixes.find((f) => f.kind === 'trust-policy');
}

const names = (s: Statement, caller: string) => s.principal === '*' || (s.principal?.AWS ?? []).some((p) => p === '*' || p === caller || p === `arn:aws:iam::${caller.split(':')[4]}:root`);
function decide(d: PolicyDocument, caller: string, action: string, values: Record<string, string[]>): 'allowed' | 'denied' | 'not allowed' {
  const req = { action, resource: ROLE, context: { values: { 'aws:principalarn': [caller], 'aws:principalaccount': [caller.split(':')[4]!], ...values }, closedWorld: true } };
  const applies = (s: Statement) => names(s, caller) && statementApplies(s, req, true) === true;
  if (d.statements.some((s) => s.effect === 'Deny' && applies(s))) return 'denied';
  return d.statements.some((s) => s.effect === 'Allow' && applies(s)) ? 'allowed' : 'not allowed';
}
/** AssumeRole passing tags: sts:AssumeRole (with the source identity when set) and sts:TagSession (without it). */
function session(d: PolicyDocument, caller: string, opts: { sourceIdentity?: string; extra?: Record<string, string[]> }) {
  const common = { 'aws:tagkeys': ['team'], 'aws:requesttag/team': ['payments'], ...(opts.extra ?? {}) };
  return {
    assume: decide(d, caller, 'sts:AssumeRole', { ...common, ...(opts.sourceIdentity ? { 'sts:sourceidentity': [opts.sourceIdentity] } : {}) }),
    tag: decide(d, caller, 'sts:TagSession', common),
  };
}

describe('the trust fix keeps sts:TagSession apart from the source identity it requires', () => {
  it('a statement allowing AssumeRole and TagSession: tags stay allowed under the statement\'s other conditions, AssumeRole needs the source identity', async () => {
    const org = { StringEquals: { 'aws:PrincipalOrgID': 'o-abc123' } };
    const before = doc({ Sid: 'Engineers', Effect: 'Allow', Principal: { AWS: ENGINEER }, Action: ['sts:AssumeRole', 'sts:TagSession'], Condition: org });
    const fix = trustFix(before)!;
    const d = fix.after as PolicyDocument;
    const inOrg = { 'aws:principalorgid': ['o-abc123'] };
    expect(session(d, ENGINEER, { sourceIdentity: 'alice', extra: inOrg })).toEqual({ assume: 'allowed', tag: 'allowed' });
    // The source identity is still required where AWS documents it: AssumeRole without one is refused.
    expect(session(d, ENGINEER, { extra: inOrg }).assume).toBe('not allowed');
    // The statement's own condition holds on both: outside the organization neither is allowed.
    expect(session(d, ENGINEER, { sourceIdentity: 'alice', extra: { 'aws:principalorgid': ['o-other'] } })).toEqual({ assume: 'not allowed', tag: 'not allowed' });
    const tags = d.statements.filter((s) => s.action?.some((x) => x.toLowerCase() === 'sts:tagsession'));
    expect(tags).toHaveLength(1);
    expect(tags[0]).toMatchObject({ sid: 'EngineersTagSession', action: ['sts:TagSession'], condition: { StringEquals: { 'aws:PrincipalOrgID': ['o-abc123'] } } });
    expect(fix.notes.join(' ')).toMatch(/sts:TagSession has a statement of its own/);
    // Terraform says what the JSON says.
    const parsed = await parse('main.tf', fix.renderings.terraform);
    const tf = [...policyDocumentsOf(parsed).entries()].find(([k]) => k.endsWith('_trust'));
    expect(tf?.[1]).toEqual(toSetStatements(d));
  });

  it('another account: the ExternalId the fix adds is on the TagSession statement too, the source identity is not', () => {
    const d = trustFix(doc({ Effect: 'Allow', Principal: { AWS: PARTNER }, Action: ['sts:AssumeRole', 'sts:TagSession'] }))!.after as PolicyDocument;
    const ext = { 'sts:externalid': ['REPLACE-WITH-EXTERNAL-ID'] };
    expect(session(d, PARTNER, { sourceIdentity: 'bob', extra: ext })).toEqual({ assume: 'allowed', tag: 'allowed' });
    expect(session(d, PARTNER, { sourceIdentity: 'bob' })).toEqual({ assume: 'not allowed', tag: 'not allowed' });
    const tag = d.statements.find((s) => s.action?.includes('sts:TagSession'))!;
    expect(tag.condition).toEqual({ StringEquals: { 'sts:ExternalId': ['REPLACE-WITH-EXTERNAL-ID'] } });
  });

  it('sts:* keeps its wildcard (with the source identity) and gains a TagSession statement without it', () => {
    const d = trustFix(doc({ Effect: 'Allow', Principal: { AWS: ENGINEER }, Action: 'sts:*' }))!.after as PolicyDocument;
    expect(session(d, ENGINEER, { sourceIdentity: 'alice' })).toEqual({ assume: 'allowed', tag: 'allowed' });
    expect(session(d, ENGINEER, {}).assume).toBe('not allowed');
    expect(d.statements.map((s) => s.action)).toEqual([['sts:*'], ['sts:TagSession']]);
  });

  it('control: a statement without TagSession is not split, and tags stay refused as before', () => {
    const before = doc({ Effect: 'Allow', Principal: { AWS: ENGINEER }, Action: 'sts:AssumeRole' });
    const fix = trustFix(before)!;
    expect(session(fix.before as PolicyDocument, ENGINEER, { sourceIdentity: 'alice' }).tag).toBe('not allowed');
    const d = fix.after as PolicyDocument;
    expect(d.statements).toHaveLength(1);
    expect(d.statements[0]!.condition).toEqual({ Null: { 'sts:SourceIdentity': ['false'] } });
    expect(session(d, ENGINEER, { sourceIdentity: 'alice' })).toEqual({ assume: 'allowed', tag: 'not allowed' });
    expect(fix.notes.join(' ')).not.toMatch(/TagSession/);
  });

  it('planned again over the trust policy it wrote, nothing changes (control: today\'s policy does)', () => {
    const first = trustFix(doc({ Effect: 'Allow', Principal: { AWS: ENGINEER }, Action: ['sts:AssumeRole', 'sts:TagSession'] }))!;
    expect(first).toBeDefined();
    expect(trustFix(policyToJson(first.after as PolicyDocument) as ReturnType<typeof doc>)).toBeUndefined();
  });
});
