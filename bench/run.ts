// `npm run bench`: every benchmark the issues name, printed as figures. Not a test: nothing
// here passes or fails; the numbers go in the closing note and the README.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const want = (name: string) => only.length === 0 || only.includes(name);

function child(script: string, args: string[], env: Record<string, string> = {}): Record<string, unknown> {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(here, script), ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env } });
  if (r.status !== 0) throw new Error(`${script} failed: ${r.stderr}`);
  const line = r.stdout.trim().split('\n').pop()!;
  return JSON.parse(line) as Record<string, unknown>;
}

function printRow(row: Record<string, unknown>): void {
  const width = Math.max(...Object.keys(row).map((k) => k.length));
  for (const [k, v] of Object.entries(row)) console.log(`${k.padEnd(width)}  ${typeof v === 'number' ? v.toLocaleString('en-US') : String(v)}`);
}

if (want('analysis')) {
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
    const stages = Object.entries((r.best.stages ?? {}) as Record<string, number>).map(([k, v]) => `${k} ${v}`).join(', ');
    console.log(`| ${r.best.principals} | ${r.best.findings} | ${r.best.graphNodes} / ${r.best.graphEdges} | ${s(r.best)} | ${s(r.median)} | ${r.peak} MiB | ${stages} |`);
  }
  const f = runs(['1000', '--fixes']);
  console.log(`| ${f.best.principals} (with --fixes: ${f.best.fixes} fixes) | ${f.best.findings} | ${s(f.best)} | ${s(f.median)} | ${f.peak} MiB |`);
}

if (want('fullscan')) {
  // Issue 14: the whole `leash scan --fixes` (collect, analyse, write the bundle to a temp dir),
  // compiled, one process per run, so that peak RSS is the scan's own.
  console.log('\n## Full scan: `leash scan --fixes` of synthetic exports, bundle written to a temp dir');
  const { buildForBench } = await import('./build.js');
  const build = buildForBench();
  const { fullScanRows } = await import('./full-scan-run.js');
  for (const line of fullScanRows(build)) console.log(line);
}

if (want('blast')) {
  // Issue 15: blast radius by name at scale, without a cross product.
  console.log('\n## Blast radius: synthetic inventory × synthetic principals (scan with named findings, then every principal\'s blast radius)');
  const { buildForBench } = await import('./build.js');
  const build = buildForBench();
  const env: Record<string, string> = build ? { LEASH_BENCH_BUILD: build } : {};
  console.log('| principals | resources | findings (named) | scan wall | of which checks / report (ms) | every principal\'s blast radius | peak RSS |');
  console.log('| ---: | ---: | ---: | ---: | --- | ---: | ---: |');
  // The 10,000 × 50,000 figure: LEASH_BENCH_BLAST_SIZES=10000x50000 (hours on this machine today: see the notes).
  const sizes = (process.env.LEASH_BENCH_BLAST_SIZES ?? '500x5000').split(',').map((x) => x.split('x').map(Number) as [number, number]);
  for (const [n, m] of sizes) {
    const r = child('blast-radius.ts', [String(n), String(m)], env);
    const st = r.stages as Record<string, number>;
    console.log(`| ${r.principals} | ${r.resources} | ${r.findings} (${r.namedFindings}) | ${(Number(r.scanMs) / 1000).toFixed(1)} s | ${st.checks} / ${st.report} | ${(Number(r.blastAllMs) / 1000).toFixed(1)} s | ${r.peakRssMiB} MiB |`);
  }
}

if (want('cloudtrail')) {
  console.log('\n## CloudTrail ingest');
  const { benchCloudTrailIngest } = await import('./cloudtrail-ingest.js');
  printRow(await benchCloudTrailIngest());
}

if (want('aws')) {
  console.log('\n## Live collection from the loopback AWS endpoint');
  const { benchAwsCollect } = await import('./aws-collect.js');
  printRow(await benchAwsCollect());
}

if (want('organization')) {
  // Issue 12: the S3 and Athena CloudTrail routes and the organization scan (moto on loopback).
  const { runOrganizationBench } = await import('./organization.js');
  console.log('\n## CloudTrail from S3 (moto on loopback) against local files, same corpus (200k records)');
  console.log('target: S3 ≥ 50 % of the local-file throughput');
  printRow(runOrganizationBench('s3', 200_000));
  console.log('\n## Athena aggregate (the one SQL, on DuckDB) over the fixture trails against the local reader');
  printRow(runOrganizationBench('athena'));
  console.log('\n## leash scan --org: 3 member accounts × 2,000 roles (moto), bounded memory');
  printRow(runOrganizationBench('org', 2_000));
}

if (want('duckdb')) {
  console.log('\n## Local trails: DuckDB route against the current reader, 1M records (one thread each)');
  const { runOrganizationBench } = await import('./organization.js');
  printRow(runOrganizationBench('duckdb', 1_000_000));
}

if (want('inventory')) {
  console.log('\n## Resource inventory: an AWS Config snapshot (gzipped) read, parsed and normalised');
  for (const n of [10_000, 50_000]) printRow(child('inventory-read.ts', [String(n)]));
}
