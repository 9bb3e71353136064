// Blast-radius summaries count without listing (checks call them for every principal): on
// synthetic accounts and inventories (several seeds, resource policies naming principals, other
// accounts and everyone), every summary equals the full per-resource listing it stands for, and a
// summary from the view every principal asked (counts shared between principals reaching the same
// accesses) equals one from a fresh view only this principal asked.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeSnapshots, collectSnapshot } from '../../src/pipeline/scan.js';
import { resourceView, resourceViewOf } from '../../src/resources/blast.js';
import { unapproved } from '../../src/checks/resource-names.js';
import { syntheticAccount } from '../../bench/synthetic-account.js';
import { syntheticInventory } from '../../bench/synthetic-resources.js';
import type { Resource, ResourceInventory } from '../../src/model/inventory.js';
import { parsePolicy } from '../../src/iam/parse.js';

const NOW = new Date('2026-11-24T00:00:00Z');
const ACCOUNT = '123456789012';

function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => ((x = (Math.imul(x ^ (x >>> 15), 0x2c1b3c6d) + 0x9e3779b9) >>> 0), x / 2 ** 32);
}

/**
 * A small account whose identity policies name some buckets and tables by ARN pattern (so those
 * resources are decided one by one), principals that may assume roles with more of them, and
 * bucket policies that grant or deny to particular roles: the shapes summaries shortcut.
 */
function chainWorld(seed: number): { account: unknown; inventory: ResourceInventory } {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const roleArn = (i: number) => `arn:aws:iam::${ACCOUNT}:role/r${i}`;
  const bucketArn = (n: string) => `arn:aws:s3:::${n}`;
  const tableArn = (n: string) => `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/${n}`;
  const actions = ['s3:DeleteBucket', 's3:GetObject', 's3:*', 'dynamodb:DeleteTable', 'dynamodb:GetItem', 'dynamodb:*'];
  const patterns = ['*', bucketArn('prod-*'), bucketArn('b1'), bucketArn('dev-*'), bucketArn('*-2'), tableArn('prod-*'), tableArn('t1')];
  const statements = (self: number) => {
    // Some statements read a resource tag: the index then splits groups by its values.
    const out: unknown[] = Array.from({ length: 1 + Math.floor(r() * 3) }, () => ({ Effect: r() < 0.85 ? 'Allow' : 'Deny', Action: pick(actions), Resource: pick(patterns), ...(r() < 0.3 ? { Condition: { StringEquals: { 'aws:ResourceTag/env': pick(['prod', 'dev']) } } } : {}) }));
    if (r() < 0.7) out.push({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: [roleArn(Math.floor(r() * 6)), roleArn(Math.floor(r() * 6))].filter((a) => a !== roleArn(self)) });
    return { Version: '2012-10-17', Statement: out };
  };
  const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sts:AssumeRole' }] };
  const account = {
    UserDetailList: Array.from({ length: 6 }, (_, i) => ({ Path: '/', UserName: `u${i}`, UserId: `AIDAU${i}`, Arn: `arn:aws:iam::${ACCOUNT}:user/u${i}`, CreateDate: '2026-01-01T00:00:00Z', GroupList: [], UserPolicyList: [{ PolicyName: 'p', PolicyDocument: statements(-1) }], AttachedManagedPolicies: [], Tags: [] })),
    RoleDetailList: Array.from({ length: 6 }, (_, i) => ({ Path: '/', RoleName: `r${i}`, RoleId: `AROAR${i}`, Arn: roleArn(i), CreateDate: '2026-01-01T00:00:00Z', AssumeRolePolicyDocument: trust, InstanceProfileList: [], RolePolicyList: r() < 0.8 ? [{ PolicyName: 'p', PolicyDocument: statements(i) }] : [], AttachedManagedPolicies: [], Tags: [] })),
    GroupDetailList: [], Policies: [],
  };
  const resources: Resource[] = [];
  for (const [type, names, arn] of [['s3:bucket', ['prod-1', 'prod-2', 'dev-1', 'dev-2', 'b1', 'b2', 'logs'], bucketArn], ['dynamodb:table', ['prod-t', 't1', 'dev-t'], tableArn]] as const) {
    for (const name of names) {
      let policy: Resource['policy'];
      if (type === 's3:bucket' && r() < 0.5) {
        const parsed = parsePolicy({ Version: '2012-10-17', Statement: [{ Effect: r() < 0.7 ? 'Allow' : 'Deny', Principal: { AWS: roleArn(Math.floor(r() * 6)) }, Action: pick(['s3:*', 's3:DeleteBucket', 's3:GetObject']), Resource: [arn(name), `${arn(name)}/*`] }] }, 'any');
        if (parsed.ok) policy = parsed.document;
      }
      resources.push({ arn: arn(name), type, name, account: ACCOUNT, region: 'us-east-1', tags: name.startsWith('prod') ? { env: 'prod' } : { env: 'dev' }, ...(policy ? { policy } : {}) });
    }
  }
  return { account, inventory: { resources, sources: [{ kind: 'inventory-file' as never, location: 'test', status: 'ok' }], errors: [] } };
}

/** Every principal, kind and side: the summary's count, production count and sample are the listing's. */
async function expectSummariesMatchListing(file: string, inventoryRead: ResourceInventory): Promise<{ nonEmpty: number; through: number; split: number }> {
  const c = await collectSnapshot({ input: file, inventoryRead });
  const [a] = analyzeSnapshots([c.snapshot], c.config, { scanId: 't', startedAt: NOW.toISOString(), now: NOW, fixes: false });
  const view = resourceView(c.snapshot, a!.graph, c.config)!;
  let nonEmpty = 0, through = 0;
  for (const p of c.snapshot.principals) {
    const alone = resourceViewOf(view.index, a!.graph);
    for (const kinds of [['delete'], ['read'], ['delete', 'destructive', 'read']] as const) {
      const entries = view.blast(p.arn, kinds).entries;
      for (const which of ['own', 'through', 'any'] as const) {
        const listed = entries.filter((e) => unapproved(e, kinds, which).length > 0 && (which !== 'through' || e.grants.some((g) => g.through && kinds.includes(g.kind as never) && g.condition !== 'approval' && !e.grants.some((o) => !o.through && o.action === g.action && o.condition !== 'approval'))));
        const sum = view.summary(p.arn, { kinds, which, limit: 100_000 });
        expect(sum.count, `${p.name} ${kinds.join()} ${which}`).toBe(listed.length);
        expect(sum.production).toBe(listed.filter((e) => e.environment === 'production').length);
        expect(new Set(sum.sample.map((e) => e.resource.arn))).toEqual(new Set(listed.map((e) => e.resource.arn)));
        // A short sample (which resources it names, not only how many) is not the asking order's.
        expect(view.summary(p.arn, { kinds, which, limit: 3 }), `${p.name} ${kinds.join()} ${which} shared`).toEqual(alone.summary(p.arn, { kinds, which, limit: 3 }));
        if (sum.count > 0) nonEmpty++;
        if (which === 'through' && sum.count > 0) through++;
      }
    }
  }
  return { nonEmpty, through, split: view.index.splitTags.size };
}

describe('summaries agree with the full listing on synthetic accounts', () => {
  it.each([3, 11])('seed %i: 60 principals × 600 resources, every principal, kind and side', async (seed) => {
    const account = syntheticAccount(60, {}, seed) as { RoleDetailList: { Arn: string }[]; UserDetailList: { Arn: string }[] };
    const file = join(mkdtempSync(join(tmpdir(), 'leash-summary-')), 'account.json');
    writeFileSync(file, JSON.stringify(account));
    // Resource policies name roles other principals can become, so that resources decided by a
    // reached node (not by the principal itself) occur: the case summaries shortcut most.
    const bare = await collectSnapshot({ input: file });
    const [g] = analyzeSnapshots([bare.snapshot], bare.config, { scanId: 't', startedAt: NOW.toISOString(), now: NOW, fixes: false });
    const reached = new Set<string>();
    for (const p of bare.snapshot.principals) for (const n of g!.graph.reachable(p.arn, 'possible')) if (n.id !== p.arn && n.caller) reached.add(n.id);
    expect(reached.size).toBeGreaterThan(0);
    const inventoryRead = syntheticInventory(600, [...reached].sort(), seed);
    const { nonEmpty, through } = await expectSummariesMatchListing(file, inventoryRead);
    // The cases that matter are exercised: something counted, and something reached only through another node.
    expect(nonEmpty).toBeGreaterThan(50);
    expect(through).toBeGreaterThan(0);
  }, 120_000);

  it.each([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])('seed %i: role chains onto buckets and tables named by ARN pattern and bucket policy', async (seed) => {
    const { account, inventory } = chainWorld(seed);
    const file = join(mkdtempSync(join(tmpdir(), 'leash-summary-')), 'account.json');
    writeFileSync(file, JSON.stringify(account));
    const { nonEmpty, split } = await expectSummariesMatchListing(file, inventory);
    expect(nonEmpty).toBeGreaterThan(0);
    // Groups were split by the env tag that some statements read.
    expect(split).toBe(1);
  }, 60_000);
});
