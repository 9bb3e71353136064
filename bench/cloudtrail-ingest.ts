// CloudTrail ingestion benchmark: builds a synthetic gzipped S3-layout corpus from real record
// shapes (../shared/fixtures when present, else the repo's own fixture), then measures plain
// read + gunzip + JSON.parse of the same files against readCloudTrail. Each measurement runs in a
// fresh child process, so peak RSS is that of one pass and memory at 25 % vs 100 % of the corpus
// can be compared. Run: npx tsx bench/cloudtrail-ingest.ts [records]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
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
  records: number;
  peakRssMB: number;
  peakHeapMB: number;
  /** Heap still in use after a full GC at the end of the pass, with the result held: what the pass keeps. */
  retainedHeapMB: number;
}

export async function childPass(mode: 'raw' | 'leash', root: string, limitFiles: number): Promise<ChildResult> {
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
  if (mode === 'raw') {
    const files = (readdirSync(root, { recursive: true }) as string[]).filter((f) => f.endsWith('.json.gz')).sort().slice(0, limitFiles).map((f) => join(root, f));
    const load = async (f: string): Promise<Buffer> => gunzipAsync(await readFile(f));
    const t = process.hrtime.bigint();
    // Same two-file read-ahead as readCloudTrail, so the difference is the per-record work.
    const inFlight: Promise<Buffer>[] = files.slice(0, 2).map(load);
    for (let i = 0; inFlight.length > 0; i++) {
      const buf: Buffer = await inFlight.shift()!;
      if (files[i + 2]) inFlight.push(load(files[i + 2]!));
      const doc = JSON.parse(buf.toString('utf8')) as { Records: unknown[] };
      records += doc.Records.length;
      sample();
    }
    seconds = Number(process.hrtime.bigint() - t) / 1e9;
  } else {
    const { catalog } = await import('../src/iam/catalog.js');
    const { readCloudTrail } = await import('../src/collect/file/cloudtrail-file.js');
    catalog(); // one-time load, not part of ingestion
    // Read a prefix of the corpus through the public API: a directory per day, cut to limitFiles.
    const dayDirs = [...new Set((readdirSync(root, { recursive: true }) as string[]).filter((f) => f.endsWith('.json.gz')).sort().slice(0, limitFiles).map((f) => dirname(join(root, f))))];
    const t = process.hrtime.bigint();
    const r = await readCloudTrail(dayDirs, { onProgress: sample });
    seconds = Number(process.hrtime.bigint() - t) / 1e9;
    records = r.usage.recordsRead;
    if (r.errors.length > 0) throw new Error(`unexpected errors: ${r.errors[0]!.message}`);
    keep = r;
  }
  clearInterval(timer);
  sample();
  (globalThis as { gc?: () => void }).gc?.();
  const retained = process.memoryUsage().heapUsed;
  void keep;
  return { seconds, records, peakRssMB: peakRss / 2 ** 20, peakHeapMB: peakHeap / 2 ** 20, retainedHeapMB: retained / 2 ** 20 };
}

function runChild(mode: 'raw' | 'leash', root: string, limitFiles: number): ChildResult {
  const self = fileURLToPath(import.meta.url);
  const res = spawnSync(process.execPath, [...process.execArgv, '--expose-gc', self], {
    env: { ...process.env, LEASH_BENCH_CHILD: JSON.stringify({ mode, root, limitFiles }) },
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
    const all = corpus.files.length;
    const quarter = Math.max(1, Math.round(all / 4));
    // The quarter pass reads whole day directories, so it may hold a little more than 25 %.
    // The machine may be shared: alternate the two full passes twice and keep each one's best time.
    const best = (a: ChildResult, b: ChildResult): ChildResult => (a.seconds <= b.seconds ? a : b);
    const raw1 = runChild('raw', dir, all);
    const leash1 = runChild('leash', dir, all);
    const raw = best(raw1, runChild('raw', dir, all));
    const leash = best(leash1, runChild('leash', dir, all));
    const leashQuarter = runChild('leash', dir, quarter);
    const mb = (b: number): number => b / 2 ** 20;
    const round = (n: number, d = 1): number => Math.round(n * 10 ** d) / 10 ** d;
    return {
      records: raw.records,
      files: all,
      corpusGzMB: round(mb(corpus.gzBytes)),
      corpusRawMB: round(mb(corpus.rawBytes)),
      buildSeconds: round(buildSeconds),
      rawSeconds: round(raw.seconds, 2),
      rawRecordsPerSec: Math.round(raw.records / raw.seconds),
      rawGzMBps: round(mb(corpus.gzBytes) / raw.seconds),
      rawUncompressedMBps: round(mb(corpus.rawBytes) / raw.seconds),
      leashSeconds: round(leash.seconds, 2),
      leashRecordsPerSec: Math.round(leash.records / leash.seconds),
      leashGzMBps: round(mb(corpus.gzBytes) / leash.seconds),
      leashUncompressedMBps: round(mb(corpus.rawBytes) / leash.seconds),
      throughputVsRaw: `${Math.round((100 * raw.seconds) / leash.seconds)}%`,
      rawPeakRssMB: round(raw.peakRssMB),
      leashPeakRssMB_quarter: round(leashQuarter.peakRssMB),
      leashPeakRssMB_full: round(leash.peakRssMB),
      leashPeakHeapMB_quarter: round(leashQuarter.peakHeapMB),
      leashPeakHeapMB_full: round(leash.peakHeapMB),
      leashRetainedHeapMB_quarter: round(leashQuarter.retainedHeapMB),
      leashRetainedHeapMB_full: round(leash.retainedHeapMB),
      quarterRecords: leashQuarter.records,
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
  const { mode, root, limitFiles } = JSON.parse(child) as { mode: 'raw' | 'leash'; root: string; limitFiles: number };
  process.stdout.write(`${JSON.stringify(await childPass(mode, root, limitFiles))}\n`);
} else if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const n = process.argv[2] ? Number(process.argv[2]) : undefined;
  printTable(await benchCloudTrailIngest(n ? { records: n } : {}));
}
