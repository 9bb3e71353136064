// One benchmark run in its own process (so peak RSS is this run's): synthesise N principals,
// then time the offline pipeline from auth-details JSON to a finished report.
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadAwsManagedPolicies, syntheticAccount } from './synthetic-account.js';
import { runScan } from '../src/pipeline/scan.js';

const n = Number(process.argv[2] ?? 1000);
const fixes = process.argv.includes('--fixes');
const shared = resolve(process.cwd(), '../shared/fixtures');
const managed = loadAwsManagedPolicies(shared);
const file = join(mkdtempSync(join(tmpdir(), 'leash-bench-')), `account-${n}.json`);
writeFileSync(file, JSON.stringify(syntheticAccount(n, managed)));
const t0 = performance.now();
const report = await runScan({ input: file, fixes, now: new Date('2026-11-24T00:00:00Z') });
const ms = performance.now() - t0;
const rssMiB = process.resourceUsage().maxRSS / 1024;
process.stdout.write(JSON.stringify({ principals: report.summary.principals, findings: report.findings.length, fixes: report.fixes.length, managedPoliciesAvailable: Object.keys(managed).length, wallMs: Math.round(ms), peakRssMiB: Math.round(rssMiB) }) + '\n');
