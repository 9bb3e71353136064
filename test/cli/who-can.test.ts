// `leash who-can` and `leash blast` through the real CLI on the demo account and its inventory.
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

const STACK = 'arn:aws:cloudformation:us-east-1:111122223333:stack/api-prod/7d1c9e40-8a2b-11ef-9c1e-0a1b2c3d4e5f';

describe('leash who-can', () => {
  it('lists the agents that can delete a production stack first, with the deciding statement', async () => {
    const r = await runCli(['who-can', STACK, '--demo', '--action', 'cloudformation:DeleteStack']);
    expect(r.code).toBe(0);
    const lines = r.out.split('\n').filter((l) => /^\S|^agent/.test(l));
    expect(lines[0]).toMatch(/^agent /);
    expect(r.out).toMatch(/agent {2}kiro-agent {2}cloudformation:DeleteStack\n {9}by kiro-agent policy platform-deploy \(Deploy\)/);
  });

  it('names the outside account a bucket policy lets read the bucket (negative: it cannot delete it)', async () => {
    const read = await runCli(['who-can', 'arn:aws:s3:::acme-prod-data', '--demo', '--action', 's3:GetObject']);
    expect(read.out).toContain('outside account 444455556666  s3:GetObject');
    const del = await runCli(['who-can', 'arn:aws:s3:::acme-prod-data', '--demo', '--action', 's3:DeleteBucket']);
    expect(del.out).not.toContain('444455556666');
  });

  it('shows the path for a principal that can act only as another one (JSON)', async () => {
    const r = await runCli(['who-can', 'arn:aws:ecs:us-east-1:111122223333:service/prod/orders-api', '--demo', '--action', 'ecs:DeleteService', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as { principals: { name: string; actor: string; path?: { hops: unknown[] } }[] };
    const kiro = j.principals.find((p) => p.name === 'kiro-agent')!;
    expect(kiro.actor).toBe('arn:aws:iam::111122223333:role/prod-stack-deployer');
    expect(kiro.path!.hops).toHaveLength(1);
  });

  it('an ARN the inventory does not hold is exit 2 with what was expected', async () => {
    const r = await runCli(['who-can', 'arn:aws:s3:::no-such-bucket', '--demo']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('the ARN of a resource in the inventory');
  });
});

describe('leash blast', () => {
  it('lists what kiro-agent can delete, production first, with the hop for what it reaches as another role', async () => {
    const r = await runCli(['blast', 'kiro-agent', '--demo', '--kind', 'delete']);
    expect(r.code).toBe(0);
    expect(r.out.indexOf('production:')).toBeLessThan(r.out.indexOf('non-production:'));
    expect(r.out).toContain('cloudformation:stack api-prod  delete');
    expect(r.out).toMatch(/ecs:service orders-api {2}delete\n {6}as prod-stack-deployer: ecs:DeleteService — kiro-agent assumes prod-stack-deployer/);
  });
  it('negative control: a read-only role can delete nothing', async () => {
    const r = await runCli(['blast', 'mcp-cost-explorer-readonly', '--demo', '--kind', 'delete']);
    expect(r.out).toContain('can delete, change or read none of the inventoried resources');
  });
});
