// The parent side of the full-scan benchmark (bench/full-scan.ts runs each scan in its own
// process): generate the exports once, scan each size, print every figure against its target.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './build.js';
import { breakdownLines, type BundleBreakdown } from './full-scan-breakdown.js';

interface Target { readonly wallS: number; readonly rssMiB: number; readonly bundleMB?: number }

/** Issue 14's targets for the full scan on this 2-core machine. */
export const FULL_SCAN_TARGETS: Readonly<Record<number, Target>> = {
  10_000: { wallS: 6, rssMiB: 600, bundleMB: 40 },
  50_000: { wallS: 30, rssMiB: 2048 },
};

function run(build: string | undefined, args: string[]): Record<string, unknown> {
  return runWithEnv(build, args, {});
}

/** The runner: bundled as the CLI ships (bench/build.ts), else compiled, else the sources under tsx. */
function runnerCmd(build: string | undefined, args: string[]): string[] {
  if (!build) return ['--import', 'tsx', join(repoRoot, 'bench/full-scan.ts'), ...args];
  const bundled = join(build, 'bundle/full-scan.js');
  return [existsSync(bundled) ? bundled : join(build, 'bench/full-scan.js'), ...args];
}

function runWithEnv(build: string | undefined, args: string[], env: Record<string, string>): Record<string, unknown> {
  const cmd = runnerCmd(build, args);
  // A size that cannot finish (50k took > 25 min and 6.6 GiB before) must not hold up the rest of
  // the run and its Targets table: each child gets LEASH_BENCH_FULL_TIMEOUT_S seconds (default 900).
  const timeoutS = Number(process.env.LEASH_BENCH_FULL_TIMEOUT_S ?? 900);
  const r = spawnSync(process.execPath, cmd, { cwd: repoRoot, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024, timeout: timeoutS * 1000, env: { ...process.env, ...env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT') return { failed: `not finished within ${timeoutS} s (LEASH_BENCH_FULL_TIMEOUT_S)` };
  if (r.status !== 0) return { failed: `exit ${r.status ?? r.signal}: ${(r.stderr || '').trim().split('\n').slice(-3).join(' / ')}` };
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
}

/**
 * Two scans of the same export at once, each in its own process: their wall times. What this
 * machine's cores give work shaped like a scan (GC helper threads, the compiler, the kernel's page
 * faults and file writes all take CPU besides the main thread), which bounds what any split of one
 * scan over threads could reach here.
 */
function runPair(build: string | undefined, args: string[]): number[] | { failed: string } {
  const cmd = runnerCmd(build, args);
  const script = `const { spawn } = require('node:child_process'); const cmd = JSON.parse(process.argv[1]); const out = ['', '']; const kids = []; let done = 0;
for (let i = 0; i < 2; i++) { const c = spawn(process.execPath, cmd, { stdio: ['ignore', 'pipe', 'inherit'] }); kids.push(c); c.stdout.on('data', (d) => (out[i] += d));
  c.on('close', (code) => { if (code !== 0) { for (const k of kids) k.kill(); process.exit(code ?? 1); } if (++done === 2) console.log(JSON.stringify(out.map((o) => JSON.parse(o.trim().split('\\n').pop()).wallMs))); }); }`;
  const timeoutS = Number(process.env.LEASH_BENCH_FULL_TIMEOUT_S ?? 900);
  const r = spawnSync(process.execPath, ['-e', script, JSON.stringify(cmd)], { cwd: repoRoot, encoding: 'utf8', timeout: timeoutS * 1000, env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } });
  if (r.status !== 0) return { failed: `exit ${r.status ?? r.signal}: ${(r.stderr || '').trim().split('\n').slice(-2).join(' / ')}` };
  return (JSON.parse(r.stdout.trim().split('\n').pop()!) as number[]).map((ms) => ms / 1000);
}

/** "4.2 s (target < 6 s: 0.70×, 1.8 s to spare)": the figure, its ratio to the target and the margin. */
function against(value: number, target: number, unit: string, digits = 1): string {
  const margin = target - value;
  return `${value.toFixed(digits)} ${unit} (target < ${target} ${unit}: ${(value / target).toFixed(2)}×, ${margin >= 0 ? `${margin.toFixed(digits)} ${unit} to spare` : `${(-margin).toFixed(digits)} ${unit} over`})`;
}

/**
 * Each size: the export generated in its own process (so its JSON is not in the scan's peak RSS),
 * then `scan --fixes` RUNS times (LEASH_BENCH_FULL_RUNS, default 1: one 10k scan is a minute on
 * a busy machine); sizes from LEASH_BENCH_FULL_SIZES (default 10000,50000).
 */
export interface FullScanFigure { readonly principals: number; readonly workers: number; readonly wallS: number; readonly rssMiB: number; readonly bundleMB: number }

/** Each size is scanned with each worker count of LEASH_BENCH_FULL_WORKERS (default 0,2: one thread, then two workers). */
export function* fullScanRows(build: string | undefined, onFigure: (f: FullScanFigure) => void = () => {}, onFailure: (principals: number, workers: number, why: string) => void = () => {}, onRepeat: (f: FullScanFigure) => void = () => {}): Generator<string> {
  const sizes = (process.env.LEASH_BENCH_FULL_SIZES ?? '10000,50000').split(',').map(Number);
  const runs = Number(process.env.LEASH_BENCH_FULL_RUNS ?? 1);
  const workerCounts = (process.env.LEASH_BENCH_FULL_WORKERS ?? '0,2').split(',').map(Number);
  yield `leash code: ${build ? (existsSync(join(build, 'bundle/full-scan.js')) ? 'bundled as the CLI ships (.cache/bench-build/bundle)' : 'compiled (.cache/bench-build)') : 'source (tsx)'}; ${runs} run(s) per size, best kept; --analysis-workers ${workerCounts.join(' then ')}`;
  const dir = mkdtempSync(join(tmpdir(), 'leash-bench-full-'));
  try {
    for (const n of sizes) {
      const file = join(dir, `account-${n}.json`);
      const gen = run(build, ['gen', String(n), file]);
      if (gen.failed) {
        for (const workers of workerCounts) onFailure(n, workers, `export not generated (${String(gen.failed)})`);
        yield `${n}: export not generated (${String(gen.failed)})`;
        continue;
      }
      for (const workers of workerCounts) {
      const rs = Array.from({ length: runs }, () => run(build, ['scan', file, '--fixes', '--workers', String(workers)]));
      const ok = rs.filter((r) => !r.failed).sort((a, b) => Number(a.wallMs) - Number(b.wallMs));
      yield '';
      yield `### ${n.toLocaleString('en-US')} principals, scan --fixes --analysis-workers ${workers} (export ${(Number(gen.bytes) / 1e6).toFixed(1)} MB)`;
      if (ok.length === 0) {
        onFailure(n, workers, String(rs[0]!.failed));
        yield `failed: ${String(rs[0]!.failed)}`;
        continue;
      }
      const best = ok[0]!;
      const t = FULL_SCAN_TARGETS[n];
      const wallS = Number(best.wallMs) / 1000;
      const rss = Math.max(...ok.map((r) => Number(r.peakRssMiB)));
      const bundleMB = Number(best.bundleBytes) / 1e6;
      onFigure({ principals: n, workers, wallS, rssMiB: rss, bundleMB });
      yield `wall        ${t ? against(wallS, t.wallS, 's') : `${wallS.toFixed(1)} s`}${ok.length > 1 ? `; all runs ${ok.map((r) => (Number(r.wallMs) / 1000).toFixed(1)).join(', ')} s` : ''}`;
      yield `            from the process' start to the terminal summary, as \`leash scan\` runs; scanAndWrite alone ${(Number(best.scanMs) / 1000).toFixed(1)} s (the figure before session 20)`;
      yield `peak RSS    ${t ? against(rss, t.rssMiB, 'MiB', 0) : `${rss} MiB`}`;
      yield `bundle      ${t?.bundleMB ? against(bundleMB, t.bundleMB, 'MB') : `${bundleMB.toFixed(1)} MB`}, ${Number(best.bundleFiles).toLocaleString('en-US')} files`;
      const reportName = String(best.reportFile ?? 'report.json');
      const gzNote = reportName.endsWith('.gz') ? ` (${(Number(best.reportJsonBytes) / 1e6).toFixed(1)} MB of JSON, gzip: --compress-report auto)` : '';
      yield `${reportName} ${(Number(best.reportBytes) / 1e6).toFixed(1)} MB${gzNote}; other files: ${Object.entries(best.perFile as Record<string, number>).filter(([k]) => k !== reportName && !k.startsWith('.')).map(([k, v]) => `${k} ${(v / 1e6).toFixed(1)} MB`).join(', ')}; fixes/ ${((Number(best.bundleBytes) - Object.values(best.perFile as Record<string, number>).reduce((a, b) => a + b, 0)) / 1e6).toFixed(1)} MB`;
      const asffOnRequest = best.asffOnRequest as { bytes: number; ms: number } | undefined;
      if (asffOnRequest) yield `ASFF        not in the default bundle (--format asff): ${(asffOnRequest.bytes / 1e6).toFixed(1)} MB more, written in ${asffOnRequest.ms.toLocaleString('en-US')} ms, after the scan`;
      if (best.breakdown) yield* breakdownLines(best.breakdown as BundleBreakdown);
      yield `content     ${Number(best.findings).toLocaleString('en-US')} findings, ${Number(best.fixes).toLocaleString('en-US')} fixes, exit ${String(best.exitCode)}`;
      yield `stages (ms) ${Object.entries(best.stages as Record<string, number>).map(([k, v]) => `${k} ${v.toLocaleString('en-US')}`).join(', ')}`;
      // CPU of every thread (GC helpers, the file-system pool) and the kernel's share of it: a
      // stage whose CPU is far under its wall time waits; system CPU is file creation, mostly.
      const cpu = best.stagesCpuMs as Record<string, number> | undefined;
      const sys = best.stagesSystemCpuMs as Record<string, number> | undefined;
      if (cpu) yield `stages CPU (ms, system in brackets) ${Object.entries(cpu).map(([k, v]) => `${k} ${v.toLocaleString('en-US')}${sys?.[k] !== undefined ? ` [${sys[k]!.toLocaleString('en-US')}]` : ''}`).join(', ')}`;
      yield `RSS after   ${Object.entries((best.rssAfterMiB ?? {}) as Record<string, number>).map(([k, v]) => `${k} ${v} MiB`).join(', ')} (then writing, to the peak)`;
      // A scheduled scan always has a previous one: the same export scanned again into the
      // history of a first scan (up to LEASH_BENCH_FULL_REPEAT_MAX principals, default 10,000).
      if (workers === 0 && n <= Number(process.env.LEASH_BENCH_FULL_REPEAT_MAX ?? 10_000)) {
        const history = join(dir, `history-${n}`);
        const seed = run(build, ['scan', file, '--fixes', '--workers', '0', '--reports-root', history]);
        const again = seed.failed ? seed : runWithEnv(build, ['scan', file, '--fixes', '--workers', '0', '--reports-root', history], { LEASH_BENCH_FULL_NOW: '2026-11-25T00:00:00Z' });
        rmSync(history, { recursive: true, force: true });
        if (again.failed) yield `repeat      failed: ${String(again.failed)}`;
        else {
          const w = Number(again.wallMs) / 1000;
          const r = Number(again.peakRssMiB);
          onRepeat({ principals: n, workers, wallS: w, rssMiB: r, bundleMB: Number(again.bundleBytes) / 1e6 });
          yield `repeat      ${t ? against(w, t.wallS, 's') : `${w.toFixed(1)} s`}, peak RSS ${t ? against(r, t.rssMiB, 'MiB', 0) : `${r} MiB`}: the same export scanned again the next day, compared with the first scan (its scan index); stages (ms) ${Object.entries(again.stages as Record<string, number>).map(([k, v]) => `${k} ${v.toLocaleString('en-US')}`).join(', ')}`;
        }
      }
      // The same with ASFF in the bundle (a Security Hub user's scheduled scan): the gone findings
      // are sent RESOLVED, from what the first scan's index holds for ASFF (not a target row).
      if (workers === 0 && n <= Number(process.env.LEASH_BENCH_FULL_REPEAT_MAX ?? 10_000)) {
        const history = join(dir, `history-asff-${n}`);
        const withAsff = ['--formats', 'json,sarif,md,asff'];
        const seed = run(build, ['scan', file, '--fixes', '--workers', '0', '--reports-root', history, ...withAsff]);
        const again = seed.failed ? seed : runWithEnv(build, ['scan', file, '--fixes', '--workers', '0', '--reports-root', history, ...withAsff], { LEASH_BENCH_FULL_NOW: '2026-11-25T00:00:00Z' });
        rmSync(history, { recursive: true, force: true });
        if (again.failed) yield `repeat+ASFF failed: ${String(again.failed)}`;
        else yield `repeat+ASFF ${(Number(again.wallMs) / 1000).toFixed(1)} s, peak RSS ${Number(again.peakRssMiB)} MiB (first scan with ASFF ${(Number(seed.wallMs) / 1000).toFixed(1)} s, ${Number(seed.peakRssMiB)} MiB): --format json,sarif,md,asff, the previous scan read through its index's asff section`;
      }
      // Once per size up to LEASH_BENCH_FULL_PAIR_MAX principals (default 10,000; 0: never), with
      // the one-thread run: how much two cores give a scan here, against the best single run.
      if (workers === 0 && n <= Number(process.env.LEASH_BENCH_FULL_PAIR_MAX ?? 10_000)) {
        const pair = runPair(build, ['scan', file, '--fixes', '--workers', '0']);
        if ('failed' in pair) yield `two at once failed: ${pair.failed}`;
        else {
          const gain = (2 * wallS) / Math.max(...pair);
          yield `two at once ${pair.map((x) => x.toFixed(1)).join(', ')} s (two scans of this export, each its own process): ${availableParallelism()} cores give ${gain.toFixed(2)}× one scan's throughput, so even a perfect split of one scan over them would take ≥ ${(wallS / gain).toFixed(1)} s here`;
        }
      }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
