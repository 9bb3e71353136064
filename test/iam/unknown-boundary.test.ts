// A permissions boundary the export names but does not hold (a filtered export). Decided (session
// 34, after a first version counted its grants as conditional and so turned an administrator into
// an info finding): counted as the worst case, no boundary, so nothing is ever understated; every
// grant-based finding on it says it is uncertain, the coverage names the boundary, and its fixes
// are not-safe (test/fix/boundary-replaced.test.ts).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyzePrincipals } from '../../src/checks/analyze.js';
import { analyzeSnapshot, defaultConfig } from '../../src/pipeline/scan.js';
import { ActionSet } from '../../src/iam/action-set.js';
import { catalog } from '../../src/iam/catalog.js';
import { effectivePermissions, principalPolicyInput } from '../../src/iam/effective.js';
import { parsePolicy } from '../../src/iam/parse.js';
import { ActionExpander } from '../../src/iam/pattern.js';
import type { PolicyDocument } from '../../src/model/policy.js';
import type { Principal } from '../../src/model/snapshot.js';
import { policyArb, type JsonPolicy } from '../support/arbitraries.js';
import { IamExportBuilder, allow, policy, trust } from '../support/iam-export-builder.js';
import { snapshotFromExport } from '../support/privesc-run.js';

const expander = new ActionExpander(catalog());
const NOW = new Date('2026-11-24T12:00:00Z');
const ACCOUNT = '111122223333';
const BOUNDARY_ARN = `arn:aws:iam::${ACCOUNT}:policy/old-boundary`;

function doc(p: JsonPolicy): PolicyDocument {
  const r = parsePolicy(p, 'identity');
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.document;
}
const subset = (a: ActionSet, b: ActionSet) => a.clone().andNot(b).isEmpty();
const role = (identity: readonly PolicyDocument[], boundary?: { arn: string; document?: PolicyDocument }): Principal => ({
  kind: 'role', arn: `arn:aws:iam::${ACCOUNT}:role/agent`, id: 'AROAEXAMPLE', name: 'agent', path: '/', tags: {},
  policies: identity.map((d, i) => ({ origin: { kind: 'inline', name: `p${i}` }, document: d })),
  unresolvedPolicyArns: boundary && !boundary.document ? [boundary.arn] : [],
  trustPolicy: { version: '2012-10-17', statements: [] }, instanceProfiles: [],
  ...(boundary ? { boundaryArn: boundary.arn } : {}),
  ...(boundary?.document ? { boundary: { origin: { kind: 'boundary', name: 'old-boundary', arn: boundary.arn, awsManaged: false }, document: boundary.document } } : {}),
});
const effectiveOf = (p: Principal) => effectivePermissions(principalPolicyInput(p), expander);

describe('the effective permissions of a principal whose boundary is not in the export', () => {
  it('property: never less than any boundary of any content would leave (allowed, unconditional, every resource), and exactly the identity policies alone', () => {
    let capped = 0;
    fc.assert(
      fc.property(fc.array(policyArb(), { minLength: 1, maxLength: 3 }), policyArb(), (identityJson, boundaryJson) => {
        const identity = identityJson.map(doc);
        const missing = effectiveOf(role(identity, { arn: BOUNDARY_ARN }));
        for (const b of [doc(boundaryJson), doc({ Version: '2012-10-17', Statement: [] } as unknown as JsonPolicy)]) {
          const present = effectiveOf(role(identity, { arn: BOUNDARY_ARN, document: b }));
          expect(subset(present.allowed, missing.allowed)).toBe(true);
          expect(subset(present.unconditional, missing.unconditional)).toBe(true);
          expect(subset(present.allResources, missing.allResources)).toBe(true);
          if (!subset(missing.unconditional, present.unconditional)) capped++;
        }
        const none = effectiveOf(role(identity));
        expect(none.allowed.equals(missing.allowed) && none.unconditional.equals(missing.unconditional) && none.allResources.equals(missing.allResources)).toBe(true);
      }),
      { numRuns: 300, seed: 34 },
    );
    // The property compared cases where a real boundary would have taken something away.
    expect(capped).toBeGreaterThan(100);
  });
});

describe('findings and coverage of a principal whose boundary is not in the export', () => {
  function scan(boundary: 'missing' | 'none') {
    const b = new IamExportBuilder(ACCOUNT);
    const old = b.customerPolicy('old-boundary', policy(allow('s3:GetObject', '*')));
    const arn = b.role('agent', { trust: trust('ec2.amazonaws.com'), inline: { p: policy(allow(['s3:*', 'ec2:*', 'iam:*'], '*')) }, tags: { 'ai-agent': 'true' }, ...(boundary === 'missing' ? { boundary: old } : {}) });
    const e = b.build();
    e.Policies = e.Policies.filter((x) => x.Arn !== old);
    const snapshot = snapshotFromExport(e, 'x.json', { now: NOW });
    const { report } = analyzeSnapshot(snapshot, defaultConfig(), { scanId: 's', startedAt: NOW.toISOString(), now: NOW, fixes: false });
    return { report, arn, analyzed: analyzePrincipals(snapshot, defaultConfig(), expander, NOW).find((a) => a.principal.arn === arn)! };
  }
  const mark = (f: { evidence: readonly unknown[] }) => f.evidence.some((e) => (e as { name?: string; value?: string }).name === 'PermissionsBoundary' && String((e as { value?: string }).value).includes('is not in the export'));

  it('its destructive grants stay critical (the worst case), its findings say they are uncertain, and the coverage names the boundary', () => {
    const { report, arn, analyzed } = scan('missing');
    expect(analyzed.destructive.unconditional).toContain('ec2:TerminateInstances');
    const mine = report.findings.filter((f) => f.principalArn === arn);
    expect(mine.some((f) => f.checkId === 'destructive-actions' && f.severity === 'critical')).toBe(true);
    for (const f of mine.filter((x) => !['trust-policy-too-broad', 'unused-role', 'long-session-duration'].includes(x.checkId))) expect(mark(f), f.checkId).toBe(true);
    expect(report.scan.coverage.notes.join('\n')).toContain(`permissions boundary missing from the input (agent: ${BOUNDARY_ARN})`);
    expect(report.scan.coverage.notes.join('\n')).not.toContain('their permissions may be understated');
  });

  it('control: without a boundary, the same grants are unconditional (critical) and nothing is marked uncertain', () => {
    const { report, arn, analyzed } = scan('none');
    expect(analyzed.destructive.unconditional).toContain('ec2:TerminateInstances');
    const mine = report.findings.filter((f) => f.principalArn === arn);
    expect(mine.some((f) => f.checkId === 'destructive-actions' && f.severity === 'critical')).toBe(true);
    expect(mine.some(mark)).toBe(false);
    expect(report.scan.coverage.notes.join('\n')).not.toContain('permissions boundary missing from the input');
  });
});
