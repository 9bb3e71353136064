// Audit (session 29): the boundary leash proposes for an Identity Center admin session did not deny
// the permission-set edits that lift it (sso:DeletePermissionsBoundaryFromPermissionSet…) or give
// the session more rights (a policy on its permission set, an account assignment): the
// permission-set form of iam:DeleteRolePermissionsBoundary. They are an escalation technique now,
// so every boundary denies them unless approved (outright where approval cannot be met).
import { describe, expect, it } from 'vitest';
import { runScanWithFixes } from '../../src/pipeline/scan.js';
import { evaluate } from '../../src/iam/evaluate.js';
import type { PolicyDocument } from '../../src/model/policy.js';
import { analyzePrincipals } from '../../src/checks/analyze.js';
import { ActionExpander } from '../../src/iam/pattern.js';
import { catalog } from '../../src/iam/catalog.js';
import { defaultConfig } from '../../src/config/config.js';
import { doc, snapshotOf } from '../support/snapshot.js';

const EDITS = ['sso:DeletePermissionsBoundaryFromPermissionSet', 'sso:PutPermissionsBoundaryToPermissionSet', 'sso:PutInlinePolicyToPermissionSet', 'sso:AttachManagedPolicyToPermissionSet', 'sso:CreateAccountAssignment'];

describe('Identity Center permission-set edits', () => {
  it('the demo SSO admin session\'s boundary denies every one of them; a read of the same service stays allowed (control)', async () => {
    const { report } = await runScanWithFixes({ demo: true, fixes: true, now: new Date('2026-11-24T00:00:00Z') });
    const sso = report.principals.find((p) => p.name.startsWith('AWSReservedSSO_AdministratorAccess'))!;
    const boundary = report.fixes.find((f) => f.principalArn === sso.arn && f.kind === 'permissions-boundary')!.after as PolicyDocument;
    const admin: PolicyDocument = { version: '2012-10-17', statements: [{ index: 0, effect: 'Allow', action: ['*'], resource: ['*'] }] };
    const decide = (action: string) => evaluate({ action, resource: '*', context: { values: {} } }, { identity: [admin], boundary: [boundary] }).decision;
    for (const a of EDITS) expect(decide(a), a).toBe('ExplicitlyDenied');
    expect(decide('sso:DescribePermissionSet')).toBe('Allowed');
  });

  it('a principal allowed to edit permission sets has the escalation technique; one allowed only to read them has not', () => {
    const x = new ActionExpander(catalog());
    const s = snapshotOf([
      { name: 'editor', inline: [doc({ Effect: 'Allow', Action: 'sso:PutInlinePolicyToPermissionSet', Resource: '*' })] },
      { name: 'reader', inline: [doc({ Effect: 'Allow', Action: ['sso:DescribePermissionSet', 'sso:ListPermissionSets', 'sso:ProvisionPermissionSet'], Resource: '*' })] },
    ]);
    const hits = (name: string) => analyzePrincipals(s, defaultConfig(), x).find((a) => a.principal.name === name)!.escalation.map((e) => e.techniqueId);
    expect(hits('editor')).toContain('sso-permission-set-edit');
    expect(hits('reader')).not.toContain('sso-permission-set-edit');
  });
});
