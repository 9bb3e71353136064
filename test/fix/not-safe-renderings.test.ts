// Every rendering of a fix leash calls not safe carries the refusal its folder's apply.sh carries
// (session 34 gave it to the folders only): the per-fix renderings of a plan (one thread and
// analysis workers), of report.json read back, the TUI's preview (a marker row) and its written
// copy. A reviewer copying apply.sh from report.json or the TUI is stopped at --apply unless they
// add --accept-not-safe; main.tf says NOT SAFE. Every safe fix's renderings are what they were.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingBoundaryExport } from '../support/missing-boundary-export.js';
import { runCli } from '../support/cli.js';
import { awsStub, RAW_ESCAPE, stubAwsDirs } from '../support/aws-stub.js';
import { parseReportBytes } from '../../src/report/history.js';
import { renderAll, renderSourceOf } from '../../src/fix/render/lazy.js';
import { notSafeToApply } from '../../src/fix/not-safe.js';
import { analyzeSnapshot, collectSnapshot, scanId } from '../../src/pipeline/scan.js';
import { analyzeSnapshotWithWorkers } from '../../src/pipeline/workers.js';
import { writeFixFiles } from '../../src/tui/report-files.js';
import { fixViewRows } from '../../src/tui/screens/FixView.js';
import { FIX_MODES } from '../../src/tui/view.js';
import type { Fix } from '../../src/model/fix.js';
import type { Report } from '../../src/model/report.js';

const ACCOUNT = '111122223333';
// Three in a row: principals are dealt round-robin to the main thread and two workers, so one lands on each.
const MISSINGS = ['missing-boundary-agent-1', 'missing-boundary-agent-2', 'missing-boundary-agent-3'];
const MISSING = MISSINGS[0]!;
// A terminal escape in the missing boundary's name: the reason carries its ARN.
const MISSING_BOUNDARY = 'old-boundary\u001b]0;x\u0007';
const NOW = new Date('2026-11-24T07:00:00Z');

let root: string;
let input: string;
let report: Report;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'leash-not-safe-renderings-'));
  const e = missingBoundaryExport({ account: ACCOUNT, boundaryName: MISSING_BOUNDARY, missing: MISSINGS, plain: ['plain-agent-1'], longSession: 'long-session-agent' });
  input = join(root, 'account.json');
  writeFileSync(input, JSON.stringify(e));
  const r = await runCli(['scan', '--input', input, '--fixes', '--output', join(root, 'bundle'), '--ci']);
  expect(r.code, r.err).toBe(0);
  const file = join(root, 'bundle', 'report.json');
  report = parseReportBytes(readFileSync(file), file);
}, 120_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

const notSafeOf = (f: Fix): string | undefined => notSafeToApply([f], renderSourceOf(f.renderings)!);
const split = (fixes: readonly Fix[]) => ({ notSafe: fixes.filter((f) => notSafeOf(f) !== undefined), safe: fixes.filter((f) => notSafeOf(f) === undefined) });

/** A not-safe fix's renderings refuse; a safe fix's are exactly the renderer's without a refusal (what they were before session 35). */
function expectRenderings(fixes: readonly Fix[]): void {
  const { notSafe, safe } = split(fixes);
  expect(notSafe.map((f) => `${f.kind} ${f.principalArn.split('/').pop()}`).sort()).toEqual(MISSINGS.map((n) => `permissions-boundary ${n}`));
  expect(safe.length).toBeGreaterThanOrEqual(3);
  for (const f of notSafe) {
    expect(f.renderings.cli).toContain('# NOT SAFE as it stands, says leash:');
    expect(f.renderings.cli).toMatch(/^refuse_not_safe '.*' # no AWS call/m);
    expect(f.renderings.terraform).toContain('# NOT SAFE as it stands, says leash:');
    for (const t of [f.renderings.cli, f.renderings.terraform]) expect(t).not.toMatch(RAW_ESCAPE);
    // The policy JSON holds no comment: unchanged.
    expect(f.renderings.json).toBe(renderAll(renderSourceOf(f.renderings)!).json);
  }
  for (const f of safe) {
    expect({ ...f.renderings }, f.id).toEqual({ ...renderAll(renderSourceOf(f.renderings)!) });
    expect(f.renderings.cli + f.renderings.terraform).not.toContain('NOT SAFE');
  }
}

describe('per-fix renderings of a not-safe fix', () => {
  it('report.json read back: the not-safe fix refuses (cli) and says NOT SAFE (terraform); every other fix as before', () => {
    expectRenderings(report.fixes);
  });

  it('a plan made on one thread and on analysis workers: the same renderings, the refusal in both', async () => {
    const { snapshot, config } = await collectSnapshot({ input, now: NOW });
    const opts = { scanId: scanId(ACCOUNT, NOW), startedAt: NOW.toISOString(), now: NOW, fixes: true } as const;
    const one = analyzeSnapshot(snapshot, config, opts).report.fixes;
    const two = (await analyzeSnapshotWithWorkers(snapshot, config, opts, 2)).report.fixes;
    expectRenderings(one);
    expectRenderings(two);
    expect(two.map((f) => ({ id: f.id, ...f.renderings }))).toEqual(one.map((f) => ({ id: f.id, ...f.renderings })));
    // And report.json's, read back, are the same text.
    expect(report.fixes.map((f) => ({ id: f.id, ...f.renderings }))).toEqual(one.map((f) => ({ id: f.id, ...f.renderings })));
  }, 120_000);

  it("the report's apply.sh, as the TUI writes it, stops --apply before any AWS call without --accept-not-safe", () => {
    const fix = split(report.fixes).notSafe.find((f) => f.principalArn.endsWith(`/${MISSING}`))!;
    const dir = writeFixFiles(fix, MISSING, join(root, 'tui'));
    const script = join(dir, 'apply.sh');
    // The file written is the rendering report.json gives (what a reviewer would copy).
    expect(readFileSync(script, 'utf8')).toBe(fix.renderings.cli);
    expect(readFileSync(join(dir, 'main.tf'), 'utf8')).toBe(fix.renderings.terraform);
    const { bin, cwd } = stubAwsDirs(join(root, 'tui'), awsStub(ACCOUNT, ['*"--query Role.PermissionsBoundary"*) echo None ;;', '*"--query PolicyNames"*) echo p ;;']));
    const run = (args: string[]) => {
      const log = mkdtempSync(join(root, 'argv-'));
      const r = spawnSync('bash', [script, ...args], { cwd, env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, AWS_ARGV_DIR: log }, encoding: 'utf8' });
      return { ...r, calls: readdirSync(log).map((f) => readFileSync(join(log, f), 'utf8').split('\0').slice(0, -1)) };
    };
    const refused = run(['--apply']);
    expect(refused.status).toBe(1);
    expect(refused.calls).toEqual([]);
    expect(refused.stderr).toContain('leash calls this fix not safe as it stands');
    expect(refused.stderr).not.toMatch(RAW_ESCAPE);
    const accepted = run(['--apply', '--accept-not-safe']);
    expect(accepted.status, accepted.stderr).toBe(0);
    expect(accepted.calls.some((c) => c[1] === 'put-role-permissions-boundary' && c[3] === MISSING)).toBe(true);
  });
});

describe("the TUI's fix preview", () => {
  const rowsText = (fix: Fix, mode: (typeof FIX_MODES)[number]) => fixViewRows({ report, fix, state: { mode, scroll: 0 }, width: 200, height: 60 })
    .map((r) => (typeof r === 'string' ? r : r.map((s) => s.text).join('')));

  it.each(FIX_MODES)('%s mode: a NOT SAFE marker above the rendering of the not-safe fix, none above a safe one', (mode) => {
    const { notSafe, safe } = split(report.fixes);
    const marked = rowsText(notSafe[0]!, mode);
    const at = marked.findIndex((l) => l.startsWith('⚠ NOT SAFE to apply as it stands'));
    expect(at, marked.join('\n')).toBeGreaterThan(0);
    // Above the body: before the rule that starts it.
    expect(at).toBeLessThan(marked.findIndex((l) => /^─+$/.test(l)));
    if (mode === 'cli') expect(marked[at]).toContain('--accept-not-safe');
    for (const f of safe) expect(rowsText(f, mode).join('\n'), f.id).not.toContain('NOT SAFE to apply');
  });

  it('a fix from an old report (renderings as text, no target): marked by its verification', () => {
    const f = split(report.fixes).notSafe[0]!;
    const old: Fix = { ...f, renderings: { json: f.renderings.json, terraform: 'resource "x" "y" {}', cli: 'echo old' } };
    expect(rowsText(old, 'cli').some((l) => l.startsWith('⚠ NOT SAFE'))).toBe(true);
    const safe = split(report.fixes).safe[0]!;
    expect(rowsText({ ...safe, renderings: { ...safe.renderings } }, 'cli').some((l) => l.startsWith('⚠ NOT SAFE'))).toBe(false);
  });
});
