// Review (H5): the trust fix adds StringEquals aws:SourceAccount only for service principals
// documented to send it when they assume a role. A service that never sends the key (EC2 for an
// instance profile) would be locked out by the condition, so it is left unconditioned with a
// note; a statement that mixes such principals is split so the condition lands only where it
// holds. Modelled here as "can this caller still assume the role with the keys it sends?".
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyzePrincipals } from '../../src/checks/analyze.js';
import { defaultConfig } from '../../src/config/config.js';
import { computeNeeded } from '../../src/baseline/needed.js';
import { planFixes, tightenedTrust, trustReview } from '../../src/fix/plan.js';
import { allServiceSourceKeys, serviceSourceKeys } from '../../src/fix/service-source-keys.js';
import { evaluateCondition } from '../../src/iam/conditions.js';
import { catalog } from '../../src/iam/catalog.js';
import { ActionExpander } from '../../src/iam/pattern.js';
import type { PolicyDocument } from '../../src/model/policy.js';
import type { Role } from '../../src/model/snapshot.js';
import { ACCOUNT, doc, snapshotOf } from '../support/snapshot.js';

const OTHER = '999988887777';
const expander = new ActionExpander(catalog());
const roleWith = (...statements: unknown[]) => snapshotOf([{ name: 'agent', trust: doc(...statements), tags: { 'ai-agent': 'true' } }]).principals[0] as Role;

/** The request context a service principal's AssumeRole carries, per the data file. */
function serviceContext(service: string, account = ACCOUNT): Record<string, string[]> {
  const k = serviceSourceKeys(service);
  return {
    ...(k?.sourceAccount ? { 'aws:sourceaccount': [account] } : {}),
    ...(k?.sourceArn ? { 'aws:sourcearn': [`arn:aws:${service.split('.')[0]}:us-east-1:${account}:thing/x`] } : {}),
  };
}

/** Does some Allow statement let `who` assume the role with these request values (closed world)? */
function canAssume(trust: PolicyDocument, kind: 'Service' | 'AWS', who: string, values: Record<string, string[]>): boolean {
  return trust.statements.some((s) => s.effect === 'Allow' && s.principal !== '*' && (s.principal?.[kind] ?? []).includes(who)
    && (s.action ?? []).some((a) => /^sts:(AssumeRole|\*)$/i.test(a))
    && evaluateCondition(s.condition, { values, closedWorld: true }) === true);
}

describe('trust fix for service principals', () => {
  it('leaves an EC2 instance role unconditioned and says why in the fix README', () => {
    const role = roleWith({ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' });
    const review = trustReview(role, ACCOUNT, true);
    expect(review.changed).toBe(false);
    expect(tightenedTrust(role, ACCOUNT, true)).toBeUndefined();
    expect(review.notes.join('\n')).toMatch(/no aws:SourceAccount condition for ec2\.amazonaws\.com/);
    const snapshot = snapshotOf([{ name: 'agent', trust: doc({ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }), tags: { 'ai-agent': 'true' }, inline: [doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' })] }]);
    const a = analyzePrincipals(snapshot, defaultConfig(), expander)[0]!;
    const plan = planFixes(a, computeNeeded(a, undefined, defaultConfig(), expander), snapshot, defaultConfig(), expander, []);
    expect(plan.fixes.map((f) => f.kind)).not.toContain('trust-policy');
    expect(plan.readme).toMatch(/## Trust policy left as is[\s\S]*ec2\.amazonaws\.com/);
  });

  it('restricts Lambda to this account, and the function can still assume the role', () => {
    const t = tightenedTrust(roleWith({ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }), ACCOUNT, true)!;
    expect(t.document.statements[0]!.condition).toEqual({ StringEquals: { 'aws:SourceAccount': [ACCOUNT] } });
    expect(canAssume(t.document, 'Service', 'lambda.amazonaws.com', serviceContext('lambda.amazonaws.com'))).toBe(true);
    expect(canAssume(t.document, 'Service', 'lambda.amazonaws.com', serviceContext('lambda.amazonaws.com', OTHER))).toBe(false);
    expect(t.notes.join(' ')).toContain(serviceSourceKeys('lambda.amazonaws.com')!.source);
  });

  it('splits a statement trusting EC2 and Lambda: the condition goes only to Lambda', () => {
    const t = tightenedTrust(roleWith({ Sid: 'Compute', Effect: 'Allow', Principal: { Service: ['ec2.amazonaws.com', 'lambda.amazonaws.com'] }, Action: 'sts:AssumeRole' }), ACCOUNT, true)!;
    expect(t.document.statements.map((s) => s.principal)).toEqual([{ Service: ['ec2.amazonaws.com'] }, { Service: ['lambda.amazonaws.com'] }]);
    expect(t.document.statements.map((s) => s.sid)).toEqual(['Compute', 'ComputeInAccount']);
    expect(t.document.statements.map((s) => s.index)).toEqual([0, 1]);
    expect(canAssume(t.document, 'Service', 'ec2.amazonaws.com', {})).toBe(true);
    expect(canAssume(t.document, 'Service', 'lambda.amazonaws.com', serviceContext('lambda.amazonaws.com'))).toBe(true);
    expect(canAssume(t.document, 'Service', 'lambda.amazonaws.com', serviceContext('lambda.amazonaws.com', OTHER))).toBe(false);
  });

  it('gives a service it knows nothing about no condition, and a note saying why', () => {
    const t = trustReview(roleWith({ Effect: 'Allow', Principal: { Service: ['states.amazonaws.com', 'bedrock.amazonaws.com'] }, Action: 'sts:AssumeRole' }), ACCOUNT, true);
    expect(t.changed).toBe(true);
    expect(canAssume(t.document, 'Service', 'states.amazonaws.com', {})).toBe(true);
    expect(canAssume(t.document, 'Service', 'bedrock.amazonaws.com', serviceContext('bedrock.amazonaws.com', OTHER))).toBe(false);
    expect(t.notes.find((n) => n.includes('states.amazonaws.com'))).toMatch(/no documentation that this service sends aws:SourceAccount/);
  });

  it('does not ask a service for a source identity meant for the people who assume the role', () => {
    const t = tightenedTrust(roleWith({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root`, Service: 'bedrock-agentcore.amazonaws.com' }, Action: 'sts:AssumeRole' }), ACCOUNT, true)!;
    // The service keeps working with what it sends (no source identity) ...
    expect(canAssume(t.document, 'Service', 'bedrock-agentcore.amazonaws.com', serviceContext('bedrock-agentcore.amazonaws.com'))).toBe(true);
    // ... and people still must set one.
    expect(canAssume(t.document, 'AWS', `arn:aws:iam::${ACCOUNT}:root`, {})).toBe(false);
    expect(canAssume(t.document, 'AWS', `arn:aws:iam::${ACCOUNT}:root`, { 'sts:sourceidentity': ['alice'] })).toBe(true);
    expect(t.requiresSourceIdentity).toBe(true);
  });

  it('never locks a service out, and restricts every service that sends aws:SourceAccount (property)', () => {
    const known = allServiceSourceKeys().map((e) => e.principal);
    const services = [...known, 'states.amazonaws.com', 'sagemaker.amazonaws.com', 'codebuild.amazonaws.com'];
    fc.assert(fc.property(
      fc.array(fc.record({ services: fc.uniqueArray(fc.constantFrom(...services), { minLength: 1, maxLength: 4 }), withAws: fc.boolean(), sid: fc.option(fc.constantFrom('Trust', 'A'), { nil: undefined }) }), { minLength: 1, maxLength: 3 }),
      (specs) => {
        const statements = specs.map((x) => ({ ...(x.sid ? { Sid: x.sid } : {}), Effect: 'Allow', Principal: { Service: x.services, ...(x.withAws ? { AWS: `arn:aws:iam::${ACCOUNT}:root` } : {}) }, Action: 'sts:AssumeRole' }));
        const role = roleWith(...statements);
        const t = trustReview(role, ACCOUNT, true);
        // A rewritten policy has unique Sids; an unchanged one is today's, as it is.
        const sids = t.document.statements.map((s) => s.sid).filter((s) => s !== undefined);
        if (t.changed) expect(new Set(sids).size).toBe(sids.length);
        else expect(t.document).toBe(role.trustPolicy);
        for (const svc of new Set(specs.flatMap((x) => x.services))) {
          expect(canAssume(t.document, 'Service', svc, serviceContext(svc)), svc).toBe(true);
          if (serviceSourceKeys(svc)?.sourceAccount) expect(canAssume(t.document, 'Service', svc, serviceContext(svc, OTHER)), svc).toBe(false);
          else expect(t.notes.some((n) => n.includes(svc)), svc).toBe(true);
        }
      },
    ), { numRuns: 150, seed: 20261125 });
  });
});
