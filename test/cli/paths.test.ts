// `leash paths` and the multi-account scan, end to end through the real CLI.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { ADMIN, DEV, PROD, allow, arn, doc, exportOf, trust } from '../graph/accounts.js';

function world(devPolicy = doc(allow('sts:AssumeRole', arn(PROD, 'role', 'prod-admin')))) {
  const dir = mkdtempSync(join(tmpdir(), 'leash-paths-'));
  writeFileSync(join(dir, 'dev.json'), JSON.stringify(exportOf({ id: DEV, users: [{ name: 'dev-agent', tags: { 'ai-agent': 'true' }, inline: [devPolicy] }] })));
  writeFileSync(join(dir, 'prod.json'), JSON.stringify(exportOf({ id: PROD, roles: [{ name: 'prod-admin', trust: trust({ AWS: DEV }), inline: [ADMIN] }] })));
  return dir;
}

describe('leash paths', () => {
  it('on the demo: kiro-agent reaches the deploy role that can delete ECS clusters, with the trust statement that allows it', async () => {
    const r = await runCli(['paths', 'kiro-agent', '--demo', '--to', 'ecs:DeleteCluster']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('kiro-agent → prod-stack-deployer  (1 hop, proven)');
    expect(r.out).toContain('trust: prod-stack-deployer AssumeRolePolicyDocument (KiroDeploys) statement 0');
  });

  it('negative: an action nothing it reaches may perform', async () => {
    const r = await runCli(['paths', 'kiro-agent', '--demo', '--to', 'organizations:LeaveOrganization']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/reaches no organizations:LeaveOrganization/);
  });

  it('reads the latest report when no input is given, and refuses an action goal there with what to do', async () => {
    const reports = mkdtempSync(join(tmpdir(), 'leash-paths-r-'));
    expect((await runCli(['scan', '--demo', '--reports', reports, '--format', 'json'])).code).toBe(0);
    const ok = await runCli(['paths', 'kiro-agent', '--to', 'prod-stack-deployer', '--reports', reports]);
    expect(ok.out).toContain('kiro-agent assumes prod-stack-deployer');
    const bad = await runCli(['paths', 'kiro-agent', '--to', 'ecs:DeleteCluster', '--reports', reports]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/needs --input FILE or --demo/);
    const who = await runCli(['paths', 'nobody', '--reports', reports]);
    expect(who.code).toBe(2);
  });

  it('across two accounts', async () => {
    const dir = world();
    const r = await runCli(['paths', 'dev-agent', '--input', join(dir, 'dev.json'), join(dir, 'prod.json'), '--json']);
    const paths = JSON.parse(r.out) as { to: string; hops: { evidence: { side: string }[] }[] }[];
    expect(paths.map((p) => p.to)).toEqual([arn(PROD, 'role', 'prod-admin')]);
    expect(paths[0]!.hops[0]!.evidence.map((e) => e.side)).toEqual(['identity', 'trust']);
  });
});

describe('leash scan with several inputs', () => {
  it('finds the cross-account chain, writes each account and one view across them', async () => {
    const dir = world();
    const reports = join(dir, 'reports');
    const r = await runCli(['scan', '--input', join(dir, 'dev.json'), join(dir, 'prod.json'), '--reports', reports, '--format', 'json']);
    expect(r.code).toBe(0);
    expect(readdirSync(reports).sort()).toEqual([DEV, PROD, 'cross-account']);
    const cross = readdirSync(join(reports, 'cross-account'));
    const view = JSON.parse(readFileSync(join(reports, 'cross-account', cross[0]!, 'paths.json'), 'utf8')) as { paths: { principalArn: string; gains: string }[] };
    expect(view.paths).toEqual([expect.objectContaining({ principalArn: arn(DEV, 'user', 'dev-agent'), gains: 'admin' })]);
  });
  it('negative: without the dev-side grant, no cross-account path', async () => {
    const dir = world(doc(allow('s3:ListBucket')));
    const reports = join(dir, 'reports');
    await runCli(['scan', '--input', join(dir, 'dev.json'), join(dir, 'prod.json'), '--reports', reports, '--format', 'json']);
    const cross = readdirSync(join(reports, 'cross-account'));
    const view = JSON.parse(readFileSync(join(reports, 'cross-account', cross[0]!, 'paths.json'), 'utf8')) as { paths: unknown[]; crossAccountEdges: unknown[] };
    expect(view.paths).toEqual([]);
  });
  it('refuses several inputs where only one can be used', async () => {
    const dir = world();
    const r = await runCli(['scan', '--input', join(dir, 'dev.json'), join(dir, 'dev.json'), '--reports', join(dir, 'r')]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/one export per account/);
  });
});
