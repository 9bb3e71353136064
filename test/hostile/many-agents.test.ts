// 7,000 agent principals with --fixes (issue 10): this once failed with `Invalid string length`
// and wrote nothing. Through the CLI end to end: every fix is written (to its own folder, or its
// boundary's group folder), the report parses and validates against the schema. Not timed: speed is for `npm run bench`.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { IamExportBuilder, allow, policy, trust } from '../support/iam-export-builder.js';
import { reportSchemaErrors } from '../support/schema.js';
import { COMPRESS_ABOVE_BYTES, readReportText, reportFileIn } from '../../src/report/report-file.js';

afterEach(() => { process.exitCode = 0; });
const AGENTS = 7_000;

describe(`${AGENTS} agent principals with --fixes`, () => {
  it('writes every fix and a report that parses and validates', async () => {
    const b = new IamExportBuilder('111122223333');
    // One shared over-broad policy keeps the export small; each agent still gets its own fixes.
    const broad = b.customerPolicy('agents-broad', policy(allow(['s3:*', 'dynamodb:*', 'iam:PassRole'], '*')));
    for (let i = 0; i < AGENTS; i++) b.role(`agent-${i}`, { trust: trust('bedrock.amazonaws.com'), managed: [broad], tags: { 'ai-agent': 'true' } });
    const dir = mkdtempSync(join(tmpdir(), 'leash-many-'));
    const input = join(dir, 'account.json');
    writeFileSync(input, JSON.stringify(b.build()));
    const out = join(dir, 'bundle');
    const r = await runCli(['scan', '--input', input, '--fixes', '--output', out, '--ci', '--format', 'json,md']);
    expect(r.code, r.err).toBe(0);

    // Past 16 MiB of JSON the report is report.json.gz (--compress-report auto); the same JSON inside.
    const file = reportFileIn(out)!;
    const text = await readReportText(file);
    expect(file.endsWith('report.json.gz')).toBe(Buffer.byteLength(text) > COMPRESS_ABOVE_BYTES);
    const report = JSON.parse(text) as { principals: unknown[]; fixes: { principalArn: string }[] };
    expect(reportSchemaErrors(report)).toEqual([]);
    expect(report.principals.length).toBeGreaterThanOrEqual(AGENTS);
    const wanted = new Set(report.fixes.map((f) => f.principalArn));
    expect(wanted.size).toBe(AGENTS);

    const folders = readdirSync(join(out, 'fixes'), { withFileTypes: true }).filter((e) => e.isDirectory() && e.name !== 'boundaries' && e.name !== 'lib');
    // Their boundaries are shared by content: far fewer folders than principals, each naming its users.
    const shared = readdirSync(join(out, 'fixes', 'boundaries'), { withFileTypes: true }).filter((e) => e.isDirectory());
    expect(shared.length).toBeGreaterThan(0);
    expect(shared.length).toBeLessThan(AGENTS / 10);
    const users = shared.reduce((n, e) => n + (readFileSync(join(out, 'fixes', 'boundaries', e.name, 'README.md'), 'utf8').match(/^- `arn:/gm)?.length ?? 0), 0);
    expect(users).toBe(AGENTS);
    // Each principal is written: in a folder of its own, or as a member of its boundary's group
    // folder (the shared boundary and a tighter trust policy: fix/group.ts), with its trust document there.
    const written = new Set<string>();
    const manifest = JSON.parse(readFileSync(join(out, 'fixes', '.leash-fixes'), 'utf8')) as { folders: Record<string, { principalArn: string; files: string[]; principals?: string[] }> };
    expect(folders.length).toBeLessThan(AGENTS);
    for (const f of folders) {
      const marker = manifest.folders[f.name]!;
      const present = new Set(readdirSync(join(out, 'fixes', f.name), { recursive: true }) as string[]);
      for (const file of marker.files) expect(present.has(file), `${f.name}/${file}`).toBe(true);
      expect(present.has('apply.sh')).toBe(true);
      for (const a of marker.principals ?? [marker.principalArn]) written.add(a);
      if (marker.principals) {
        // 7,000 roles trusted alike get one new trust document: one file, each member's line names it.
        const docs = marker.files.filter((x) => x.startsWith('trust/'));
        expect(docs).toHaveLength(1);
        const lines = readFileSync(join(out, 'fixes', f.name, 'apply.sh'), 'utf8').match(/^ {2}role .*$/gm)!;
        expect(lines).toHaveLength(marker.principals.length);
        for (const l of lines) expect(l.endsWith(` '${docs[0]}'`), l).toBe(true);
      }
    }
    expect([...wanted].filter((a) => !written.has(a))).toEqual([]);
  }, 1_200_000);
});
