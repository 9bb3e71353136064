// The engine against every AWS managed policy (iann0036/iam-dataset snapshot, 1,645 default
// versions): each must parse and expand, and the well-known ones must mean what AWS says they mean.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { catalog, isWriteLike } from '../../src/iam/catalog.js';
import { effectivePermissions } from '../../src/iam/effective.js';
import { parsePolicy, policyToJson } from '../../src/iam/parse.js';
import { ActionExpander, actionMatches } from '../../src/iam/pattern.js';
import type { PolicyDocument } from '../../src/model/policy.js';
import { SKIP_REASON, sharedFixture, sharedFixturesPresent } from '../support/fixtures.js';

interface ManagedPolicyEntry {
  readonly arn: string;
  readonly document: unknown;
}

describe.skipIf(!sharedFixturesPresent)(`AWS managed policies${sharedFixturesPresent ? '' : ` (skipped: ${SKIP_REASON})`}`, () => {
  let policies: Record<string, ManagedPolicyEntry>;
  const documents = new Map<string, PolicyDocument>();
  const expander = new ActionExpander(catalog());

  beforeAll(() => {
    policies = JSON.parse(readFileSync(sharedFixture('aws-managed-policies/aws-managed-policies.json'), 'utf8')) as Record<string, ManagedPolicyEntry>;
    for (const [name, p] of Object.entries(policies)) {
      const r = parsePolicy(p.document, 'identity', `$.${name}.document`);
      if (r.ok) documents.set(name, r.document);
    }
  });

  const effective = (name: string) => {
    const doc = documents.get(name);
    if (!doc) throw new Error(`${name} missing from the snapshot`);
    return effectivePermissions({ identity: [doc] }, expander);
  };

  it('all 1,645 parse as identity policies, each error naming its policy and JSON path', () => {
    const errors = Object.entries(policies).flatMap(([name, p]) => {
      const r = parsePolicy(p.document, 'identity', `$.${name}.document`);
      return r.ok ? [] : [r.error];
    });
    expect(errors).toEqual([]);
    expect(Object.keys(policies)).toHaveLength(1645);
    expect(documents.size).toBe(1645);
  });

  it('all expand to catalog-sized action sets and survive a policyToJson round trip unchanged', () => {
    const size = catalog().actions.length;
    for (const [name, doc] of documents) {
      const e = effectivePermissions({ identity: [doc] }, expander);
      expect(e.allowed.size, name).toBe(size);
      const again = parsePolicy(policyToJson(doc), 'identity');
      expect(again.ok && again.document, name).toEqual(doc);
    }
  });

  it('AdministratorAccess allows every catalog action on every resource, unconditionally', () => {
    const e = effective('AdministratorAccess');
    expect(e.allResources.count()).toBe(catalog().actions.length);
    expect(e.allowed.count()).toBe(catalog().actions.length);
  });

  it('ReadOnlyAccess grants no Write or Permissions-management action except 8 the catalog labels Write', () => {
    // These eight come from ReadOnlyAccess's own Get*/List* wildcards or are listed by name; the
    // Service Authorization Reference labels them Write (or Permissions management) because they
    // mint a session or token, or expose a resource policy. Each is pinned with the pattern that
    // grants it, so a new one (a real widening of ReadOnlyAccess, or a relabel) fails this test.
    const expected: Record<string, string> = {
      'athena:GetSessionEndpoint': 'athena:Get*', // returns a Spark session endpoint URL
      'backup:ListIndexedRecoveryPointsForSearch': 'backup:List*',
      'billing:GetResourcePolicy': 'billing:GetResourcePolicy', // reads a resource policy
      'cognito-idp:GetTokensFromRefreshToken': 'cognito-idp:Get*', // mints tokens
      'iot:GetConnection': 'iot:Get*',
      'iot:ListSubscriptions': 'iot:List*',
      's3express:CreateSession': 's3express:CreateSession', // S3 Express reads need a session
      'ssm-sap:GetResourcePermission': 'ssm-sap:GetResourcePermission', // reads a resource policy
    };
    const e = effective('ReadOnlyAccess');
    const writeLike = expander.keys(e.allowed).filter((k) => isWriteLike(catalog().lookup(k)!));
    expect(writeLike.sort()).toEqual(Object.keys(expected).sort());
    const statements = documents.get('ReadOnlyAccess')!.statements;
    for (const [action, pattern] of Object.entries(expected)) {
      const granting = statements.flatMap((s) => (s.effect === 'Allow' ? (s.action ?? []) : [])).filter((p) => actionMatches(p, action));
      expect(granting, action).toContain(pattern);
    }
    // And the bulk of it is what the name says.
    const levels = expander.keys(e.allowed).flatMap((k) => catalog().lookup(k)!.accessLevels);
    expect(levels.filter((l) => l === 'Read' || l === 'List').length).toBeGreaterThan(6000);
  });

  it('PowerUserAccess allows no iam:* action except the three it lists', () => {
    const e = effective('PowerUserAccess');
    const iam = expander.keys(e.allowed).filter((k) => k.startsWith('iam:'));
    expect(iam.sort()).toEqual(['iam:CreateServiceLinkedRole', 'iam:DeleteServiceLinkedRole', 'iam:ListRoles']);
    // NotAction with Allow grants the complement: everything outside iam/organizations/account.
    expect(e.allowed.has(catalog().lookup('ec2:TerminateInstances')!.id)).toBe(true);
    expect(e.allowed.has(catalog().lookup('organizations:LeaveOrganization')!.id)).toBe(false);
    expect(e.allowed.has(catalog().lookup('organizations:DescribeOrganization')!.id)).toBe(true);
  });

  it('38 policies name 168 action patterns the catalog does not know (retired services, renamed actions)', () => {
    const fresh = new ActionExpander(catalog());
    const byPolicy = new Map<string, string[]>();
    for (const [name, doc] of documents) {
      effectivePermissions({ identity: [doc] }, fresh);
      const unknown = doc.statements.flatMap((s) => [...(s.action ?? []), ...(s.notAction ?? [])]).filter((p) => fresh.expand(p).length === 0);
      if (unknown.length > 0) byPolicy.set(name, unknown);
    }
    const patterns = [...fresh.unknownPatterns].sort();
    console.log(`unknown action patterns (${patterns.length}) in ${byPolicy.size} managed policies:\n${patterns.join(' ')}`);
    expect(patterns).toHaveLength(168);
    expect(byPolicy.size).toBe(38);
    // Mostly services AWS has retired (DeepLens, DeepRacer, Mobile Hub, IoT 1-Click, RoboRunner).
    for (const service of ['deeplens:*', 'deepracer:*', 'mobilehub:*', 'iot1click:*', 'iotroborunner:*']) expect(patterns).toContain(service);
    // None of the big, widely attached policies depend on an unknown pattern to be understood.
    for (const name of ['AdministratorAccess', 'PowerUserAccess', 'IAMFullAccess', 'AmazonS3FullAccess']) expect(byPolicy.has(name), name).toBe(false);
  });
});
