// The fix files a user would review for the demo account, end to end: every main.tf parses as HCL
// and holds exactly the statements of the JSON next to it, every apply.sh is valid bash, every
// JSON file is a valid policy. (The renderers have their own property tests; this checks the
// composite files the pipeline actually writes.)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parse } from '@cdktf/hcl2json';
import { beforeAll, describe, expect, it } from 'vitest';
import { parsePolicy } from '../../src/iam/parse.js';
import { runScanWithFixes } from '../../src/pipeline/scan.js';
import { writeFixPlans } from '../../src/fix/write.js';
import { policyDocumentsOf, toSetStatements } from './render/support.js';

let root: string;
let dirs: string[] = [];
beforeAll(async () => {
  const { fixPlans } = await runScanWithFixes({ demo: true, fixes: true, now: new Date('2026-11-24T07:00:00Z') });
  root = mkdtempSync(join(tmpdir(), 'leash-demo-fixes-'));
  dirs = await writeFixPlans(root, fixPlans);
});

describe('demo fix files', () => {
  it('are written for every agent principal and the AI-driven human session', () => {
    const names = readdirSync(root).sort();
    expect(names).toEqual(expect.arrayContaining(['.leash-fixes', 'role-kiro-agent', 'user-cursor-ci-bot', 'role-mcp-cost-explorer-readonly']));
    expect(names.some((n) => n.startsWith('role-AWSReservedSSO_AdministratorAccess'))).toBe(true);
  });

  // Principal folders, and the folders of boundaries shared by content (fixes/boundaries/<name>/).
  const principalDirs = () => dirs.filter((d) => !d.includes(`${join('boundaries', 'leash-boundary-')}`));
  const boundaryDirs = () => dirs.filter((d) => d.includes(`${join('boundaries', 'leash-boundary-')}`));

  it('main.tf parses and each policy document in it equals its JSON file', async () => {
    expect(boundaryDirs().length).toBeGreaterThan(0);
    for (const dir of dirs) {
      const hcl = await parse('main.tf', readFileSync(join(dir, 'main.tf'), 'utf8'));
      const docs = policyDocumentsOf(hcl as Record<string, unknown>);
      const jsonFiles = readdirSync(dir).filter((f) => f.endsWith('.json'));
      const fromJson = jsonFiles.map((f) => {
        const parsed = parsePolicy(JSON.parse(readFileSync(join(dir, f), 'utf8')), f === 'trust.json' ? 'trust' : 'identity');
        expect(parsed.ok, `${dir}/${f}`).toBe(true);
        return parsed.ok ? JSON.stringify(toSetStatements(parsed.document)) : '';
      });
      const fromHcl = [...docs.values()].map((s) => JSON.stringify(s));
      for (const j of fromJson) expect(fromHcl, `${dir}: a JSON policy has no equal data source in main.tf`).toContain(j);
    }
  });

  it('each principal looks its shared boundary up by name, and that boundary has its folder with the policy resource', async () => {
    let lookups = 0;
    for (const dir of principalDirs()) {
      const hcl = (await parse('main.tf', readFileSync(join(dir, 'main.tf'), 'utf8'))) as { data?: { aws_iam_policy?: Record<string, { name: string }[]> } };
      for (const [, [lookup]] of Object.entries(hcl.data?.aws_iam_policy ?? {})) {
        lookups++;
        const folder = join(root, 'boundaries', lookup!.name);
        const shared = (await parse('main.tf', readFileSync(join(folder, 'main.tf'), 'utf8'))) as { resource: { aws_iam_policy: Record<string, { name: string }[]> } };
        expect(Object.values(shared.resource.aws_iam_policy).map(([r]) => r!.name)).toEqual([lookup!.name]);
        const manifest = JSON.parse(readFileSync(join(root, '.leash-fixes'), 'utf8')) as { folders: Record<string, { principalArn: string }> };
        expect(readFileSync(join(folder, 'README.md'), 'utf8')).toContain(manifest.folders[basename(dir)]!.principalArn);
      }
    }
    // Every folder whose apply.sh attaches a shared boundary looks it up (a trust-only fix has none).
    expect(lookups).toBe(principalDirs().filter((d) => readFileSync(join(d, 'apply.sh'), 'utf8').includes('leash-boundary-')).length);
    expect(lookups).toBeGreaterThan(3);
  });

  it('apply.sh is valid bash and a dry run by default', () => {
    for (const dir of principalDirs()) {
      execFileSync('bash', ['-n', join(dir, 'apply.sh')]);
      expect(readFileSync(join(dir, 'apply.sh'), 'utf8')).toMatch(/--apply/);
    }
  });
});
