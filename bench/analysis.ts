// One benchmark run in its own process (so peak RSS is this run's): synthesise N principals,
// then time the offline pipeline from auth-details JSON to a finished report.
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadAwsManagedPolicies, syntheticAccount } from './synthetic-account.js';
import { pathToFileURL } from 'node:url';
import type { runScan as RunScan } from '../src/pipeline/scan.js';

// LEASH_BENCH_BUILD names a compiled build (bench/build.ts); otherwise the sources under tsx.
const build = process.env.LEASH_BENCH_BUILD;
const { runScan } = (await import(build ? pathToFileURL(join(build, 'src/pipeline/scan.js')).href : '../src/pipeline/scan.js')) as { runScan: typeof RunScan };

const n = Number(process.argv[2] ?? 1000);
const fixes = process.argv.includes('--fixes');
const wi = process.argv.indexOf('--workers');
const analysisWorkers = wi >= 0 ? Number(process.argv[wi + 1]) : 0;
const shared = resolve(process.cwd(), '../shared/fixtures');
const managed = loadAwsManagedPolicies(shared);
const file = join(mkdtempSync(join(tmpdir(), 'leash-bench-')), `account-${n}.json`);
writeFileSync(file, JSON.stringify(syntheticAccount(n, managed)));
const t0 = performance.now();
const stages: Record<string, number> = {};
const report = await runScan({ input: file, fixes, analysisWorkers, now: new Date('2026-11-24T00:00:00Z'), onStage: (s, ms) => { stages[s] = Math.round((stages[s] ?? 0) + ms); } });
const ms = performance.now() - t0;
const rssMiB = process.resourceUsage().maxRSS / 1024;
process.stdout.write(JSON.stringify({ principals: report.summary.principals, findings: report.findings.length, fixes: report.fixes.length, graphNodes: report.graph?.nodes ?? 0, graphEdges: report.graph?.edges ?? 0, stages, managedPoliciesAvailable: Object.keys(managed).length, code: build ? 'compiled' : 'source', wallMs: Math.round(ms), peakRssMiB: Math.round(rssMiB) }) + '\n');
