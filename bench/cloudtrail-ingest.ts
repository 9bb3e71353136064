// CloudTrail ingestion benchmark: builds a synthetic gzipped S3-layout corpus from real record
// shapes (../shared/fixtures when present, else the repo's own fixture), then measures plain
// read + gunzip + JSON.parse of the same files against readCloudTrail on this thread only
// (sequential) and with worker threads (parallel). Each measurement runs in a fresh child
// process, so peak RSS is that of one pass and memory at 25 % vs 100 % of the corpus can be
// compared. leash is measured as compiled JS (a private tsc build under .cache/, as the CLI ships:
// workers then load plain JS), or from source when that build fails.
// Run: npx tsx bench/cloudtrail-ingest.ts [records]
import { buildForBench } from './build.js';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { gunzip, gzipSync } from 'node:zlib';

const gunzipAsync = promisify(gunzip);
const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '..');
const RECORDS_PER_FILE = 1_000;

type Row = Record<string, number | string>;

function templateRecords(): Record<string, unknown>[] {
  const shared = resolve(repoRoot, '../shared/fixtures/cloudtrail');
  const out: Record<string, unknown>[] = [];
  if (existsSync(shared)) {
    for (const set of ['invictus-ir-aws-dataset', 'stratus-red-team']) {
      for (const f of readdirSync(join(shared, set))) {
        if (f.endsWith('.json')) out.push(...(JSON.parse(readFileSync(join(shared, set, f), 'utf8')) as { Records: Record<string, unknown>[] }).Records);
      }
    }
  }
  if (out.length === 0) out.push(...(JSON.parse(readFileSync(join(repoRoot, 'test/fixtures/cloudtrail/ai-sessions.json'), 'utf8')) as { Records: Record<string, unknown>[] }).Records);
  return out;
}

/** Writes ceil(records / 1000) delivery files over 30 days and 200 principals; returns the file list in walk order. */
export function buildCorpus(dir: string, records: number): { files: string[]; gzBytes: number; rawBytes: number } {
  const templates = templateRecords();
  const files: string[] = [];
  let gzBytes = 0;
  let rawBytes = 0;
  const start = Date.parse('2024-04-01T00:00:00Z');
  const fileCount = Math.ceil(records / RECORDS_PER_FILE);
  for (let f = 0; f < fileCount; f++) {
    const t0 = start + Math.floor((f / fileCount) * 30 * 86_400_000);
    const day = new Date(t0).toISOString();
    const dayDir = join(dir, 'AWSLogs/111122223333/CloudTrail/us-east-1', day.slice(0, 4), day.slice(5, 7), day.slice(8, 10));
    mkdirSync(dayDir, { recursive: true });
    const batch: unknown[] = [];
    for (let i = 0; i < RECORDS_PER_FILE && f * RECORDS_PER_FILE + i < records; i++) {
      const n = f * RECORDS_PER_FILE + i;
      const r = structuredClone(templates[n % templates.length]!) as Record<string, unknown> & { userIdentity?: Record<string, unknown> };
      r.eventTime = new Date(t0 + i * 250).toISOString().replace(/\.\d{3}Z$/, 'Z');
      const who = n % 200;
      const id = r.userIdentity;
      if (id && typeof id.arn === 'string') {
        if (id.type === 'IAMUser') id.arn = `arn:aws:iam::111122223333:user/user-${who}`;
        const issuer = (id.sessionContext as { sessionIssuer?: { arn?: string } } | undefined)?.sessionIssuer;
        if (id.type === 'AssumedRole' && issuer) {
          issuer.arn = `arn:aws:iam::111122223333:role/role-${who}`;
          id.arn = `arn:aws:sts::111122223333:assumed-role/role-${who}/session-${n % 37}`;
        }
      }
      batch.push(r);
    }
    const json = Buffer.from(JSON.stringify({ Records: batch }));
    const gz = gzipSync(json, { level: 6 });
    const name = join(dayDir, `111122223333_CloudTrail_us-east-1_${day.slice(0, 10).replace(/-/g, '')}T0000Z_${String(f).padStart(5, '0')}.json.gz`);
    writeFileSync(name, gz);
    files.push(name);
    gzBytes += gz.length;
    rawBytes += json.length;
  }
  return { files: files.sort(), gzBytes, rawBytes };
}

// ---- child side: one measured pass --------------------------------------------------------

interface ChildResult {
  seconds: number;
  /** CPU seconds of the pass, every thread of the process (zlib's pool included): less sensitive than wall time to other load on a shared machine. */
  cpuSeconds: number;
  records: number;
  peakRssMB: number;
  peakHeapMB: number;
  /** Heap still in use after a full GC at the end of the pass, with the result held: what the pass keeps. */
  retainedHeapMB: number;
  /** Parallel passes: chunks in all, and how many a worker read. */
  chunks?: number;
  chunksFromWorkers?: number;
}

/** sequential: the default parser; -json, -scan, -wasm: that --cloudtrail-parser (child runs only, for A/B). */
type Mode = 'raw' | 'sequential' | 'sequential-json' | 'sequential-scan' | 'sequential-wasm' | 'parallel';

export async function childPass(mode: Mode, root: string, limitFiles: number, build?: string): Promise<ChildResult> {
  let peakRss = 0;
  let peakHeap = 0;
  const sample = (): void => {
    const m = process.memoryUsage();
    if (m.rss > peakRss) peakRss = m.rss;
    if (m.heapUsed > peakHeap) peakHeap = m.heapUsed;
  };
  const timer = setInterval(sample, 20);
  let records = 0;
  let seconds: number;
  let keep: unknown;
  // Taken where the timed part starts (below), so module loading and the catalog are not counted.
  let cpu0 = process.cpuUsage();
  let chunks: { chunks: number; chunksFromWorkers: number } | undefined;
  if (mode === 'raw') {
    const files = (readdirSync(root, { recursive: true }) as string[]).filter((f) => f.endsWith('.json.gz')).sort().slice(0, limitFiles).map((f) => join(root, f));
    const load = async (f: string): Promise<Buffer> => gunzipAsync(await readFile(f));
    cpu0 = process.cpuUsage();
    const t = process.hrtime.bigint();
    // The same I/O as readCloudTrail on this corpus (files of ~140 KB): four files ahead and a turn
    // of the event loop after each, so the loads in flight move on while this thread parses
    // (ingest-file.ts, forEachLoaded). The ratio then compares the per-record work only.
    const AHEAD = 4;
    const inFlight: Promise<Buffer>[] = files.slice(0, AHEAD).map(load);
    for (let i = 0; inFlight.length > 0; i++) {
      const buf: Buffer = await inFlight.shift()!;
      if (files[i + AHEAD]) inFlight.push(load(files[i + AHEAD]!));
      const doc = JSON.parse(buf.toString('utf8')) as { Records: unknown[] };
      records += doc.Records.length;
      sample();
      await new Promise((r) => setImmediate(r));
    }
    seconds = Number(process.hrtime.bigint() - t) / 1e9;
  } else {
    const from = (rel: string): string => (build ? pathToFileURL(join(build, rel)).href : new URL(`../${rel.replace(/\.js$/, '.ts')}`, import.meta.url).href);
    const { catalog } = (await import(from('src/iam/catalog.js'))) as typeof import('../src/iam/catalog.js');
    const { readCloudTrail } = (await import(from('src/collect/cloudtrail/sources/files.js'))) as typeof import('../src/collect/cloudtrail/sources/files.js');
    catalog(); // one-time load, not part of ingestion (workers load theirs while the main thread reads)
    // Read a prefix of the corpus through the public API: a directory per day, cut to limitFiles.
    const dayDirs = [...new Set((readdirSync(root, { recursive: true }) as string[]).filter((f) => f.endsWith('.json.gz')).sort().slice(0, limitFiles).map((f) => dirname(join(root, f))))];
    cpu0 = process.cpuUsage();
    const t = process.hrtime.bigint();
    const r = await readCloudTrail(dayDirs, { onProgress: sample, workers: mode === 'parallel' ? Math.max(1, availableParallelism() - 1) : 0, ...(mode.startsWith('sequential-') ? { parser: mode.slice('sequential-'.length) as 'json' | 'scan' | 'wasm' } : {}) });
    seconds = Number(process.hrtime.bigint() - t) / 1e9;
    records = r.usage.recordsRead;
    chunks = { chunks: r.ingest.chunks, chunksFromWorkers: r.ingest.chunksFromWorkers };
    if (r.errors.length > 0) throw new Error(`unexpected errors: ${r.errors[0]!.message}`);
    keep = r;
  }
  const cpu = process.cpuUsage(cpu0);
  clearInterval(timer);
  sample();
  (globalThis as { gc?: () => void }).gc?.();
  const retained = process.memoryUsage().heapUsed;
  void keep;
  return { seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, records, peakRssMB: peakRss / 2 ** 20, peakHeapMB: peakHeap / 2 ** 20, retainedHeapMB: retained / 2 ** 20, ...chunks };
}

function runChild(mode: Mode, root: string, limitFiles: number, build: string | undefined): ChildResult {
  const self = fileURLToPath(import.meta.url);
  const res = spawnSync(process.execPath, [...process.execArgv, '--expose-gc', self], {
    env: { ...process.env, LEASH_BENCH_CHILD: JSON.stringify({ mode, root, limitFiles, build }) },
    encoding: 'utf8',
    maxBuffer: 16 * 2 ** 20,
  });
  if (res.status !== 0) throw new Error(`bench child (${mode}) failed: ${res.stderr}`);
  const line = res.stdout.trim().split('\n').at(-1)!;
  return JSON.parse(line) as ChildResult;
}

// ---- parent side ------------------------------------------------------------------------

export async function benchCloudTrailIngest(opts: { records?: number } = {}): Promise<Row> {
  const records = opts.records ?? 1_000_000;
  const dir = mkdtempSync(join(tmpdir(), 'leash-bench-ct-'));
  try {
    const tBuild = Date.now();
    const corpus = buildCorpus(dir, records);
    const buildSeconds = (Date.now() - tBuild) / 1000;
    const tCompile = Date.now();
    const build = buildForBench();
    const compileSeconds = (Date.now() - tCompile) / 1000;
    const all = corpus.files.length;
    const quarter = Math.max(1, Math.round(all / 4));
    // The quarter pass reads whole day directories, so it may hold a little more than 25 %.
    // The machine may be shared: alternate the full passes twice and keep each one's best time.
    const best = (a: ChildResult, b: ChildResult): ChildResult => (a.seconds <= b.seconds ? a : b);
    // sequential is the default parser (wasm); -json and -scan the other two, to compare.
    const modes = ['raw', 'sequential', 'parallel', 'sequential-json', 'sequential-scan'] as const;
    const first = modes.map((m) => runChild(m, dir, all, build));
    const [raw, seq, par, seqJson, seqScan] = modes.map((m, i) => best(first[i]!, runChild(m, dir, all, build))) as [ChildResult, ChildResult, ChildResult, ChildResult, ChildResult];
    const seqQuarter = runChild('sequential', dir, quarter, build);
    const parQuarter = runChild('parallel', dir, quarter, build);
    const mb = (b: number): number => b / 2 ** 20;
    const round = (n: number, d = 1): number => Math.round(n * 10 ** d) / 10 ** d;
    const pct = (r: ChildResult): string => `${Math.round((100 * raw.seconds) / r.seconds)}%`;
    const ratio = (r: ChildResult): string => `${(raw.seconds / r.seconds).toFixed(2)}×`;
    return {
      records: raw.records,
      files: all,
      cores: availableParallelism(),
      leashCode: build ? 'compiled (.cache/bench-build)' : 'source (tsx)',
      corpusGzMB: round(mb(corpus.gzBytes)),
      corpusRawMB: round(mb(corpus.rawBytes)),
      buildSeconds: round(buildSeconds),
      compileSeconds: round(compileSeconds),
      rawSeconds: round(raw.seconds, 2),
      sequentialSeconds: round(seq.seconds, 2),
      parallelSeconds: round(par.seconds, 2),
      rawRecordsPerSec: Math.round(raw.records / raw.seconds),
      sequentialRecordsPerSec: Math.round(seq.records / seq.seconds),
      parallelRecordsPerSec: Math.round(par.records / par.seconds),
      rawUncompressedMBps: round(mb(corpus.rawBytes) / raw.seconds),
      sequentialUncompressedMBps: round(mb(corpus.rawBytes) / seq.seconds),
      parallelUncompressedMBps: round(mb(corpus.rawBytes) / par.seconds),
      target: 'one-thread ingest ≥ 1.2× plain gunzip + JSON.parse (issue 14), memory flat in corpus size',
      sequentialVsRaw: `${ratio(seq)} (${pct(seq)})`,
      parallelVsRaw: `${ratio(par)} (${pct(par)})`,
      sequentialJsonParseRouteSeconds: round(seqJson.seconds, 2),
      sequentialJsonParseRouteVsRaw: `${ratio(seqJson)} (--cloudtrail-parser json)`,
      sequentialVsJsonRoute: `${(seqJson.seconds / seq.seconds).toFixed(2)}×`,
      sequentialJsScanRouteSeconds: round(seqScan.seconds, 2),
      sequentialJsScanRouteVsRaw: `${ratio(seqScan)} (--cloudtrail-parser scan)`,
      cpuSecondsRawSequentialJsonScan: `${round(raw.cpuSeconds, 2)} / ${round(seq.cpuSeconds, 2)} / ${round(seqJson.cpuSeconds, 2)} / ${round(seqScan.cpuSeconds, 2)}`,
      sequentialVsRawByCpu: `${(raw.cpuSeconds / seq.cpuSeconds).toFixed(2)}×`,
      jsonRouteVsRawByCpu: `${(raw.cpuSeconds / seqJson.cpuSeconds).toFixed(2)}×`,
      parallelVsSequential: `${Math.round((100 * seq.seconds) / par.seconds)}%`,
      parallelChunksFromWorkers: `${par.chunksFromWorkers ?? 0} of ${par.chunks ?? 0}`,
      rawPeakRssMB: round(raw.peakRssMB),
      sequentialPeakRssMB_quarter: round(seqQuarter.peakRssMB),
      sequentialPeakRssMB_full: round(seq.peakRssMB),
      parallelPeakRssMB_quarter: round(parQuarter.peakRssMB),
      parallelPeakRssMB_full: round(par.peakRssMB),
      sequentialRetainedHeapMB_quarter: round(seqQuarter.retainedHeapMB),
      sequentialRetainedHeapMB_full: round(seq.retainedHeapMB),
      parallelRetainedHeapMB_quarter: round(parQuarter.retainedHeapMB),
      parallelRetainedHeapMB_full: round(par.retainedHeapMB),
      quarterRecords: seqQuarter.records,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function printTable(row: Row): void {
  const width = Math.max(...Object.keys(row).map((k) => k.length));
  for (const [k, v] of Object.entries(row)) console.log(`${k.padEnd(width)}  ${typeof v === 'number' ? v.toLocaleString('en-US') : v}`);
}

const child = process.env.LEASH_BENCH_CHILD;
if (child) {
  const { mode, root, limitFiles, build } = JSON.parse(child) as { mode: Mode; root: string; limitFiles: number; build?: string };
  process.stdout.write(`${JSON.stringify(await childPass(mode, root, limitFiles, build))}\n`);
} else if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const n = process.argv[2] ? Number(process.argv[2]) : undefined;
  printTable(await benchCloudTrailIngest(n ? { records: n } : {}));
}
