// `npm run bench`: every benchmark the issues name, printed as figures. Not a test: nothing
// here passes or fails; the numbers go in the closing note and the README.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { shippedNodeVersion, shippedRuntime, thisRuntime } from './runtimes.js';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const want = (name: string) => only.length === 0 || only.includes(name);

function child(script: string, args: string[], env: Record<string, string> = {}, nodeArgs: readonly string[] = []): Record<string, unknown> {
  const r = spawnSync(process.execPath, [...nodeArgs, '--import', 'tsx', join(here, script), ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env } });
  if (r.status !== 0) throw new Error(`${script} failed: ${r.stderr}`);
  const line = r.stdout.trim().split('\n').pop()!;
  return JSON.parse(line) as Record<string, unknown>;
}

// ---- Targets: each section records the figures it measured against issue 14's targets; the
// table at the end gives every target, measured or "not run", from this run only.
interface Target { readonly id: string; readonly what: string; readonly limit: number; readonly unit: string; readonly at: 'most' | 'least' }
const TARGETS: readonly Target[] = [
  { id: 'full10k-wall', what: '10k principals, full `scan --fixes`: wall', limit: 6, unit: 's', at: 'most' },
  { id: 'full10k-rss', what: '10k principals, full `scan --fixes`: peak RSS', limit: 600, unit: 'MiB', at: 'most' },
  // The same scan the next day, with the first in its history (what every scheduled scan after the first is).
  { id: 'full10k-repeat-wall', what: '10k principals, `scan --fixes` again, previous scan in history: wall', limit: 6, unit: 's', at: 'most' },
  { id: 'full10k-repeat-rss', what: '10k principals, `scan --fixes` again, previous scan in history: peak RSS', limit: 600, unit: 'MiB', at: 'most' },
  { id: 'full10k-bundle', what: '10k principals, full `scan --fixes`: bundle (report.json included)', limit: 40, unit: 'MB', at: 'most' },
  { id: 'analysis10k', what: 'analysis benchmark, 10k principals, graph included (best of 3)', limit: 3, unit: 's', at: 'most' },
  { id: 'full50k-wall', what: '50k principals, full `scan --fixes`: wall', limit: 30, unit: 's', at: 'most' },
  { id: 'full50k-rss', what: '50k principals, full `scan --fixes`: peak RSS', limit: 2048, unit: 'MiB', at: 'most' },
  { id: 'ct-throughput', what: 'CloudTrail 1M records, one thread: throughput ÷ gunzip+JSON.parse', limit: 1.2, unit: '×', at: 'least' },
  // "Flat" made measurable: reading the whole corpus may peak at most 1.2× what a quarter of it does.
  { id: 'ct-memory', what: 'CloudTrail one thread: peak RSS, full corpus ÷ quarter (memory flat)', limit: 1.2, unit: '×', at: 'most' },
];
const measured = new Map<string, { value: number; note: string }>();
const record = (id: string, value: number, note = ''): void => { measured.set(id, { value, note }); };
// A target whose run failed (a timeout, out of memory) is "not met" with the reason, never "not run".
const failed = new Map<string, string>();

/** A bench section: runs when selected; a section that throws is reported and the run goes on. */
async function section(name: string, fn: () => Promise<void> | void): Promise<void> {
  if (!want(name)) return;
  try {
    await fn();
  } catch (e) {
    console.log(`\n(section ${name} failed: ${(e as Error).message.split('\n')[0]})`);
  }
}

interface Measured { readonly measured: Record<string, { value: number; note: string }>; readonly failed: Record<string, string> }

/** One cell of the Targets table: the figure, its ratio to the goal and the margin, and whether it is met. */
function cell(t: Target, m: { value: number; note: string } | undefined, why: string | undefined): [string, string] {
  if (!m && why) return [`failed: ${why.replaceAll('|', '/')}`, 'not met'];
  if (!m) return ['not run', 'not run'];
  const digits = t.unit === 'MiB' ? 0 : 2;
  const margin = t.at === 'most' ? t.limit - m.value : m.value - t.limit;
  const met = t.at === 'most' ? m.value < t.limit : m.value >= t.limit;
  return [`${m.value.toFixed(digits)} ${t.unit}${m.note ? ` (${m.note})` : ''}; ${(m.value / t.limit).toFixed(2)}×, ${Math.abs(margin).toFixed(digits)} ${t.unit} ${margin >= 0 ? 'to spare' : t.at === 'most' ? 'over' : 'short'}`, met ? 'met' : 'not met'];
}

/** Every target, measured or "not run", from this run only: a column pair per runtime measured. */
function targetsTable(columns: readonly { label: string; results: Measured | { failed: string } }[]): void {
  console.log('\n## Targets (issue 14), from this run; 2-core machine, possibly shared with other work');
  console.log(`| target | goal | ${columns.map((c) => `${c.label} | met`).join(' | ')} |`);
  console.log(`| --- | ---: | ${columns.map(() => '--- | ---').join(' | ')} |`);
  for (const t of TARGETS) {
    const goal = `${t.at === 'most' ? '<' : '≥'} ${t.limit} ${t.unit}`;
    const cells = columns.map((c) => ('measured' in c.results ? cell(t, c.results.measured[t.id], c.results.failed[t.id]) : [`not measured: ${c.results.failed.replaceAll('|', '/')}`, 'not run']));
    console.log(`| ${t.what} | ${goal} | ${cells.map(([f, met]) => `${f} | ${met}`).join(' | ')} |`);
  }
}

function printRow(row: Record<string, unknown>): void {
  const width = Math.max(...Object.keys(row).map((k) => k.length));
  for (const [k, v] of Object.entries(row)) console.log(`${k.padEnd(width)}  ${typeof v === 'number' ? v.toLocaleString('en-US') : String(v)}`);
}

await section('analysis', async () => {
  console.log('\n## Offline analysis: synthetic accounts (auth-details JSON → report), one process per size');
  console.log('target (issue 9/14): 10k principals analysed, access graph included, in < 3 s and < 700 MiB');
  const { buildForBench } = await import('./build.js');
  const build = buildForBench();
  const env: Record<string, string> = build ? { LEASH_BENCH_BUILD: build } : {};
  console.log(`leash code: ${build ? 'compiled (.cache/bench-build)' : 'source (tsx)'}`);
  // This machine is shared and its speed drifts by a quarter between runs: each size runs three
  // times, in fresh processes, and the table gives the best and the median wall time.
  const RUNS = 3;
  const runs = (args: string[]) => {
    const rs = Array.from({ length: RUNS }, () => child('analysis.ts', args, env)).sort((a, b) => Number(a.wallMs) - Number(b.wallMs));
    return { best: rs[0]!, median: rs[Math.floor(RUNS / 2)]!, peak: Math.max(...rs.map((r) => Number(r.peakRssMiB))) };
  };
  const s = (r: Record<string, unknown>) => `${(Number(r.wallMs) / 1000).toFixed(2)} s`;
  console.log(`| principals | findings | graph nodes / edges | wall, best of ${RUNS} | median | peak RSS | stages of the best run (ms) |`);
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: | --- |');
  for (const n of [1000, 10000]) {
    const r = runs([String(n)]);
    if (n === 10000) record('analysis10k', Number(r.best.wallMs) / 1000, `median ${s(r.median)}`);
    const stages = Object.entries((r.best.stages ?? {}) as Record<string, number>).map(([k, v]) => `${k} ${v}`).join(', ');
    console.log(`| ${r.best.principals} | ${r.best.findings} | ${r.best.graphNodes} / ${r.best.graphEdges} | ${s(r.best)} | ${s(r.median)} | ${r.peak} MiB | ${stages} |`);
  }
  // Fix planning is what --analysis-workers splits: the same size with --fixes, on one thread and on two workers.
  const stagesOf = (r: Record<string, unknown>) => Object.entries((r.stages ?? {}) as Record<string, number>).map(([k, v]) => `${k} ${v}`).join(', ');
  for (const w of [0, 2]) {
    const f = runs(['1000', '--fixes', '--workers', String(w)]);
    console.log(`| ${f.best.principals} (with --fixes: ${f.best.fixes} fixes; --analysis-workers ${w}) | ${f.best.findings} | ${f.best.graphNodes} / ${f.best.graphEdges} | ${s(f.best)} | ${s(f.median)} | ${f.peak} MiB | ${stagesOf(f.best)} |`);
  }
});

await section('fullscan', async () => {
  // Issue 14: the whole `leash scan --fixes` (collect, analyse, write the bundle to a temp dir),
  // compiled, one process per run, so that peak RSS is the scan's own.
  console.log('\n## Full scan: `leash scan --fixes` of synthetic exports, bundle written to a temp dir');
  const { buildForBench } = await import('./build.js');
  const build = buildForBench();
  const { fullScanRows } = await import('./full-scan-run.js');
  // The Targets table takes the shipped default (0 workers); the 2-worker figures are printed above it.
  for (const line of fullScanRows(build, (f) => {
    if (f.workers !== 0 || (f.principals !== 10_000 && f.principals !== 50_000)) return;
    const k = f.principals === 10_000 ? 'full10k' : 'full50k';
    record(`${k}-wall`, f.wallS, 'one run, 0 workers');
    record(`${k}-rss`, f.rssMiB);
    if (k === 'full10k') record('full10k-bundle', f.bundleMB);
  }, (principals, workers, why) => {
    if (workers !== 0 || (principals !== 10_000 && principals !== 50_000)) return;
    const k = principals === 10_000 ? 'full10k' : 'full50k';
    for (const id of [`${k}-wall`, `${k}-rss`, ...(k === 'full10k' ? ['full10k-bundle'] : [])]) failed.set(id, why);
  }, (f) => {
    if (f.workers !== 0 || f.principals !== 10_000) return;
    record('full10k-repeat-wall', f.wallS, 'one run, 0 workers');
    record('full10k-repeat-rss', f.rssMiB);
  })) console.log(line);
});

await section('blast', async () => {
  // Issue 15: blast radius by name at scale, without a cross product.
  console.log('\n## Blast radius: synthetic inventory × synthetic principals (scan with named findings, then every principal\'s blast radius)');
  const { buildForBench } = await import('./build.js');
  const build = buildForBench();
  const env: Record<string, string> = build ? { LEASH_BENCH_BUILD: build } : {};
  console.log('| principals | resources | findings (named) | scan wall | of which checks / report (ms) | every principal\'s blast radius | peak RSS |');
  console.log('| ---: | ---: | ---: | ---: | --- | ---: | ---: |');
  // The issue's 10,000 × 50,000 figure is in the default (about 5 minutes and 7.5 GiB on this
  // machine: Node's default heap of ~4 GiB is too small, so that child gets 12 GiB; see the notes).
  // LEASH_BENCH_BLAST_SIZES=500x5000 for a quick run.
  const sizes = (process.env.LEASH_BENCH_BLAST_SIZES ?? '500x5000,10000x50000').split(',').map((x) => x.split('x').map(Number) as [number, number]);
  for (const [n, m] of sizes) {
    const r = child('blast-radius.ts', [String(n), String(m)], env, n * m >= 100_000_000 ? ['--max-old-space-size=12288'] : []);
    const st = r.stages as Record<string, number>;
    console.log(`| ${r.principals} | ${r.resources} | ${r.findings} (${r.namedFindings}) | ${(Number(r.scanMs) / 1000).toFixed(1)} s | ${st.checks} / ${st.report} | ${(Number(r.blastAllMs) / 1000).toFixed(1)} s | ${r.peakRssMiB} MiB |`);
  }
});

await section('cloudtrail', async () => {
  console.log('\n## CloudTrail ingest');
  const { benchCloudTrailIngest } = await import('./cloudtrail-ingest.js');
  // LEASH_BENCH_CT_RECORDS: a smaller corpus for a quick run (the target is stated at 1M records).
  const records = process.env.LEASH_BENCH_CT_RECORDS ? Number(process.env.LEASH_BENCH_CT_RECORDS) : undefined;
  const row = await benchCloudTrailIngest(records ? { records } : {});
  printRow(row);
  const n = Number(row.records);
  const of = n === 1_000_000 ? '' : `${n.toLocaleString('en-US')} records, not 1M`;
  record('ct-throughput', Number(row.rawSeconds) / Number(row.sequentialSeconds), of);
  record('ct-memory', Number(row.sequentialPeakRssMB_full) / Number(row.sequentialPeakRssMB_quarter), `${row.sequentialPeakRssMB_quarter} → ${row.sequentialPeakRssMB_full} MB${of ? `; ${of}` : ''}`);
});

await section('aws', async () => {
  console.log('\n## Live collection from the loopback AWS endpoint');
  const { benchAwsCollect } = await import('./aws-collect.js');
  printRow(await benchAwsCollect());
});

await section('organization', async () => {
  // Issue 12: the S3 and Athena CloudTrail routes and the organization scan (moto on loopback).
  const { runOrganizationBench } = await import('./organization.js');
  console.log('\n## CloudTrail from S3 (moto on loopback) against local files, same corpus (200k records)');
  console.log('target: S3 ≥ 50 % of the local-file throughput');
  printRow(runOrganizationBench('s3', 200_000));
  console.log('\n## Athena aggregate (the one SQL, on DuckDB) over the fixture trails against the local reader');
  printRow(runOrganizationBench('athena'));
  console.log('\n## leash scan --org: 3 member accounts × 2,000 roles (moto), bounded memory');
  printRow(runOrganizationBench('org', 2_000));
});

await section('duckdb', async () => {
  console.log('\n## Local trails: DuckDB route against the current reader, 1M records (one thread each)');
  const { runOrganizationBench } = await import('./organization.js');
  printRow(runOrganizationBench('duckdb', 1_000_000));
});

await section('inventory', async () => {
  console.log('\n## Resource inventory: an AWS Config snapshot (gzipped) read, parsed and normalised');
  for (const n of [10_000, 50_000]) printRow(child('inventory-read.ts', [String(n)]));
});

const mine: Measured = { measured: Object.fromEntries(measured), failed: Object.fromEntries(failed) };
if (process.env.LEASH_BENCH_RESULTS) {
  // A run under another runtime (below): its figures go to the parent's table.
  writeFileSync(process.env.LEASH_BENCH_RESULTS, JSON.stringify(mine));
} else {
  const columns: { label: string; results: Measured | { failed: string } }[] = [{ label: thisRuntime().label, results: mine }];
  // The sections with targets again, under the runtime leash ships when it is not this one
  // (LEASH_BENCH_RUNTIMES=this: this runtime only). Its output prints here as it runs.
  const sections = ['analysis', 'fullscan', 'cloudtrail'].filter(want);
  if (sections.length > 0 && process.env.LEASH_BENCH_RUNTIMES !== 'this') {
    const shipped = shippedRuntime();
    if ('failed' in shipped) columns.push({ label: `Node ${shippedNodeVersion() ?? '?'}, as leash's image and action run it`, results: shipped });
    else if (shipped.version !== process.version || (shipped.flags?.length ?? 0) > 0) {
      console.log(`\n# The same sections under ${shipped.label}: ${shipped.node}`);
      const dir = mkdtempSync(join(tmpdir(), 'leash-bench-rt-'));
      try {
        const out = join(dir, 'results.json');
        const { buildForBench } = await import('./build.js');
        // Its flags reach every process of that run (the scans are children of children).
        const nodeOptions = [process.env.NODE_OPTIONS ?? '', ...(shipped.flags ?? [])].filter(Boolean).join(' ');
        const r = spawnSync(shipped.node, ['--import', 'tsx', join(here, 'run.ts'), ...sections], { stdio: 'inherit', env: { ...process.env, ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}), LEASH_BENCH_RESULTS: out, LEASH_BENCH_BUILT: buildForBench() ?? '', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } });
        columns.push({ label: shipped.label, results: existsSync(out) ? (JSON.parse(readFileSync(out, 'utf8')) as Measured) : { failed: `the run under ${shipped.version} ended with ${r.status ?? r.signal}` } });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }
  targetsTable(columns);
}
