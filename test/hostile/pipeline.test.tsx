// fast-check generated principal names through the whole pipeline (issue 10): scan → fixes →
// report → TUI render → apply.sh (dry run). Whatever the names: every file lands inside the
// bundle, nothing beside it is created or deleted (the parent folder is snapshotted), and no raw
// control/escape byte reaches stdout, any output file, a rendered frame or the script's output.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { renderTui } from '../support/render-tui.js';
import { App } from '../../src/tui/App.js';
import { defaultCallbacks } from '../../src/tui/run.js';
import { parseReport } from '../../src/report/history.js';

afterEach(() => { process.exitCode = 0; });
const ACCOUNT = '111122223333';
// Raw bytes a terminal acts on (C0 but \n and \t, DEL, C1, bidi); \r only as CSV's \r\n line end.
const RAW_ESCAPE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]|\r(?!\n)/;
// In files, CR is also a CSV cell's own data (quoted, RFC 4180).
const RAW_ESCAPE_FILE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

function role(name: string, i: number): Record<string, unknown> {
  return {
    Path: '/', RoleName: name, RoleId: `AROA${String(i).padStart(17, '0')}`, Arn: `arn:aws:iam::${ACCOUNT}:role/${name}`, CreateDate: '2025-09-01T09:00:00Z',
    AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'bedrock.amazonaws.com' }, Action: 'sts:AssumeRole' }] },
    InstanceProfileList: [], AttachedManagedPolicies: [], Tags: [{ Key: 'ai-agent', Value: name }], MaxSessionDuration: 3600,
    RolePolicyList: [{ PolicyName: `p${i}`, PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:*', 'ec2:TerminateInstances'], Resource: '*' }] } }],
  };
}

/** Every path (files and folders) under dir, relative. */
function tree(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[]).map(String).sort();
}

const hostileName = fc.oneof(
  fc.string({ unit: 'binary', minLength: 1, maxLength: 70 }),
  fc.string({ unit: fc.constantFrom('.', '/', '\\', '$', '`', '"', "'", '\n', '\u001b', ']', '\u0007', '\u009b', '\u202e', 'a', 'A', 'і', ' '), minLength: 1, maxLength: 40 }),
  fc.constantFrom('..', '.', '$(touch pwned)', 'x'.repeat(300), 'CON', 'a/../../b'),
);


/** A file's text; a gzipped one (the scan index, a large report) inflated first. */
function textOf(path: string): string {
  const b = readFileSync(path);
  return (b[0] === 0x1f && b[1] === 0x8b ? gunzipSync(b) : b).toString('utf8');
}

describe('generated hostile names through scan, fixes, report, TUI and apply.sh', () => {
  it('keep every write inside the bundle and every output free of raw escapes', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'leash-pipeline-'));
    writeFileSync(join(parent, 'sentinel.txt'), 'keep');
    mkdirSync(join(parent, 'neighbour'));
    writeFileSync(join(parent, 'neighbour', 'file'), 'keep');
    let run = 0;
    await fc.assert(fc.asyncProperty(fc.uniqueArray(hostileName, { minLength: 1, maxLength: 4 }), async (names) => {
      const work = mkdtempSync(join(tmpdir(), 'leash-pipeline-in-'));
      const input = join(work, 'account.json');
      writeFileSync(input, JSON.stringify({ UserDetailList: [], GroupDetailList: [], Policies: [], RoleDetailList: names.map(role) }));
      const before = tree(parent);
      const bundleName = `bundle-${run++}`;
      const bundle = join(parent, bundleName);
      const r = await runCli(['scan', '--input', input, '--fixes', '--output', bundle, '--ci', '--format', 'all']);
      expect([0, 2], r.err).toContain(r.code);
      expect(r.out).not.toMatch(RAW_ESCAPE);
      expect(r.err).not.toMatch(RAW_ESCAPE);
      // Beside the bundle, nothing appeared or went.
      expect(tree(parent).filter((p) => p !== bundleName && !p.startsWith(`${bundleName}/`))).toEqual(before);
      for (const f of tree(bundle)) {
        const p = join(bundle, f);
        expect(relative(bundle, p).startsWith('..')).toBe(false);
        if (statSync(p).isFile()) expect(textOf(p), f).not.toMatch(RAW_ESCAPE_FILE);
      }
      // The report reads back and renders in the TUI without a raw escape in the frame.
      const report = parseReport(readFileSync(join(bundle, 'report.json'), 'utf8'), 'report.json');
      const tui = await renderTui(<App report={report} {...defaultCallbacks(work)} now={() => new Date('2026-11-24T12:00:00Z')} colors={false} />, { columns: 140, rows: 40 });
      try {
        expect(tui.frame()).not.toMatch(RAW_ESCAPE);
        await tui.press('p');
        expect(tui.frame()).not.toMatch(RAW_ESCAPE);
      } finally {
        tui.unmount();
      }
      // apply.sh (dry run: AWS is not contacted) prints its commands escaped, and writes nothing.
      const fixes = join(bundle, 'fixes');
      for (const d of readdirSync(fixes, { withFileTypes: true }).filter((e) => e.isDirectory() && e.name !== 'boundaries' && e.name !== 'lib')) {
        const beforeFix = tree(join(fixes, d.name));
        const dry = spawnSync('bash', [join(fixes, d.name, 'apply.sh')], { cwd: work, encoding: 'utf8' });
        expect(dry.status, dry.stderr).toBe(0);
        expect(dry.stdout).not.toMatch(RAW_ESCAPE);
        expect(tree(join(fixes, d.name))).toEqual(beforeFix);
      }
      expect(readdirSync(work).sort()).toEqual(['account.json']);
    }), { numRuns: 8 });
    expect(readFileSync(join(parent, 'sentinel.txt'), 'utf8')).toBe('keep');
    expect(readFileSync(join(parent, 'neighbour', 'file'), 'utf8')).toBe('keep');
  }, 600_000);
});
