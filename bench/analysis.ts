// One benchmark run in its own process (so peak RSS is this run's): synthesise N principals,
// then time the offline pipeline from auth-details JSON to a finished report.
// Without a size argument, LEASH_BENCH_ANALYSIS_SIZES (comma list, e.g. "10000") runs this
// script once per size, each in a fresh process, and prints one JSON line per size.
import { spawnSync } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadAwsManagedPolicies, syntheticAccount } from './synthetic-account.js';
import { pathToFileURL } from 'node:url';
import type { runScan as RunScan } from '../src/pipeline/scan.js';

// LEASH_BENCH_BUILD names a compiled build (bench/build.ts); otherwise the sources under tsx.
const build = process.env.LEASH_BENCH_BUILD;
const { runScan } = (await import(build ? pathToFileURL(join(build, 'src/pipeline/scan.js')).href : '../src/pipeline/scan.js')) as { runScan: typeof RunScan };

const sizes = process.env.LEASH_BENCH_ANALYSIS_SIZES;
if (process.argv[2] === undefined && sizes) {
  for (const size of sizes.split(',').map((x) => x.trim()).filter(Boolean)) {
    const r = spawnSync(process.execPath, [...process.execArgv, process.argv[1]!, size], { stdio: ['ignore', 'inherit', 'inherit'] });
    if (r.status !== 0) process.exitCode = r.status ?? 1;
  }
  process.exit();
}

const n = Number(process.argv[2] ?? 1000);
const fixes = process.argv.includes('--fixes');
const wi = process.argv.indexOf('--workers');
const analysisWorkers = wi >= 0 ? Number(process.argv[wi + 1]) : 0;
const shared = resolve(process.cwd(), '../shared/fixtures');
const managed = loadAwsManagedPolicies(shared);
const file = join(mkdtempSync(join(tmpdir(), 'leash-bench-')), `account-${n}.json`);
writeFileSync(file, JSON.stringify(syntheticAccount(n, managed)));
const MiB = 1024 * 1024;
const t0 = performance.now();
const stages: Record<string, number> = {};
// Per stage: CPU (user + system, the whole process: GC helper threads too) since the previous stage ended, and
// the process' RSS and typed-array bytes as it ended. Stages report when they end, so the CPU
// of a stage is the CPU between two reports.
const stageCpuMs: Record<string, number> = {};
const stageRssMiB: Record<string, number> = {};
const stageArrayBuffersMiB: Record<string, number> = {};
let cpu = process.cpuUsage();
const onStage = (s: string, ms: number): void => {
  stages[s] = Math.round((stages[s] ?? 0) + ms);
  const d = process.cpuUsage(cpu);
  cpu = process.cpuUsage();
  stageCpuMs[s] = Math.round((stageCpuMs[s] ?? 0) + (d.user + d.system) / 1000);
  const m = process.memoryUsage();
  stageRssMiB[s] = Math.round(m.rss / MiB);
  stageArrayBuffersMiB[s] = Math.round(m.arrayBuffers / MiB);
};
const cpu0 = process.cpuUsage();
const report = await runScan({ input: file, fixes, analysisWorkers, now: new Date('2026-11-24T00:00:00Z'), onStage });
const ms = performance.now() - t0;
const cpuAll = process.cpuUsage(cpu0);
const rssMiB = process.resourceUsage().maxRSS / 1024;
const mem = process.memoryUsage();
process.stdout.write(JSON.stringify({
  principals: report.summary.principals, findings: report.findings.length, fixes: report.fixes.length, graphNodes: report.graph?.nodes ?? 0, graphEdges: report.graph?.edges ?? 0,
  stages, stageCpuMs, stageRssMiB, stageArrayBuffersMiB,
  managedPoliciesAvailable: Object.keys(managed).length, code: build ? 'compiled' : 'source',
  wallMs: Math.round(ms), cpuMs: Math.round((cpuAll.user + cpuAll.system) / 1000), peakRssMiB: Math.round(rssMiB),
  // The report is still held here: these are what analysis keeps, not a transient peak.
  heapUsedMiB: Math.round(mem.heapUsed / MiB), arrayBuffersMiB: Math.round(mem.arrayBuffers / MiB),
}) + '\n');
