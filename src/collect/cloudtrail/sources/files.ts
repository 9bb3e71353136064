// Reads CloudTrail logs from disk: single files (.json, .json.gz), directories (recursively), and
// the S3 delivery layout (AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/*.json.gz). Records are
// folded into an aggregate and dropped, so memory stays flat in corpus size. A bad file is a
// ScanError naming it; the read goes on.
//
// Few files are read on this thread, two to four ahead (forEachLoaded). From 8 files on, chunks
// of consecutive files also go to worker threads (one per spare core); each returns its chunk's
// aggregate, and this thread absorbs them in file order, so the result is the one the sequential
// read gives.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import type { ScanError, SourceInfo } from '../../../model/errors.js';
import type { UsageData } from '../../../model/usage.js';
import type { AggregatorLimits, UsageAggregator } from '../aggregate.js';
import { coverageFor, filterBounds, missingDays, reportedWindow } from '../coverage.js';
import type { DocumentShape } from '../document.js';
import { newAggregator, readFilesInto, type ChunkOptions, type ChunkResult } from '../ingest-chunk.js';
import { forEachLoaded, ingestLoaded, type CloudTrailParser, type FileOutcome } from '../ingest-file.js';
import { defaultWorkerCount, startWorkers, type IngestWorker } from '../ingest-pool.js';

export { jsonErrorLocation } from '../ingest-file.js';

export interface ReadCloudTrailOptions {
  /** Window length in days; records older than end − windowDays are skipped (and counted). */
  readonly windowDays?: number;
  /** Window end, ISO 8601. Default: now when windowDays is given, else the latest record. */
  readonly end?: string;
  /** Called after each file with the running number of records read. */
  readonly onProgress?: (recordsRead: number) => void;
  /** Bad records reported one by one per file before the rest are summarised. */
  readonly maxRecordErrorsPerFile?: number;
  readonly limits?: Partial<AggregatorLimits>;
  /** Clock for the default window end (tests). */
  readonly now?: () => number;
  /** Worker threads: 'auto' (default) = one per spare core with ≥ 4 cores, else none; 0 = this thread only. */
  readonly workers?: number | 'auto';
  /** Workers start from this many files (default 8), or from 2 files holding 32 MiB. */
  readonly minFilesForWorkers?: number;
  /** A chunk closes at this many files (default 256) or bytes on disk (default 8 MiB). */
  readonly chunkFiles?: number;
  readonly chunkBytes?: number;
  /** false: this thread only absorbs what workers read (it still reads if every worker fails). */
  readonly readOnMainThread?: boolean;
  /** 'wasm' (default) or 'scan' (JS): build only the fields usage needs; 'json': JSON.parse every file whole. */
  readonly parser?: CloudTrailParser;
  /** Creates a worker thread (tests; default: the ingest worker beside this module). */
  readonly spawnWorker?: () => Worker;
}

/** How the read was done: which path, and how much of it ran on workers. */
export interface IngestStats {
  /** Worker threads started (0: read on this thread only). */
  readonly workers: number;
  readonly chunks: number;
  /** Chunks whose aggregate came from a worker and was absorbed as is. */
  readonly chunksFromWorkers: number;
  /** Chunks read again here: the worker failed, or its aggregate could not be absorbed exactly. */
  readonly chunksReadAgain: number;
}

export interface CloudTrailReadResult {
  readonly usage: UsageData;
  readonly sources: SourceInfo[];
  readonly errors: ScanError[];
  /** UTC days in the window with no record (first 1,000): why coverage is not complete. */
  readonly missingDays: string[];
  readonly ingest: IngestStats;
}

// Digest files (hash chains) and Insights events share the bucket but are not API calls.
const SKIPPED_DIRS = new Set(['CloudTrail-Digest', 'CloudTrail-Insight']);
const MIN_BYTES_FOR_WORKERS = 32 * 2 ** 20;

export function isCloudTrailFileName(name: string): boolean {
  const n = name.toLowerCase();
  return n.endsWith('.json') || n.endsWith('.json.gz');
}

interface InputState {
  readonly input: string;
  /** Log files the walk found (files counts those read). */
  found: number;
  files: number;
  badFiles: number;
  badRecords: number;
  skippedFiles: number;
  records: number;
  outsideWindow: number;
  missing: boolean;
  readonly shapes: Set<DocumentShape>;
}

/** A log file to read, or a walk error; both stay in input order so errors list in that order. */
type Item = { readonly state: InputState; readonly file: string; size: number } | { readonly state: InputState; readonly error: ScanError };

/** Every log file under `dir`, in name order; digest and Insights folders left out, other files counted by `onOther`. */
export async function* walkLogFiles(dir: string, onOther?: () => void): AsyncGenerator<string> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const full = join(dir, e.name);
    if (e.isDirectory()) {
      if (SKIPPED_DIRS.has(e.name)) continue;
      yield* walkLogFiles(full, onOther);
    } else if (e.isFile() || e.isSymbolicLink()) {
      if (isCloudTrailFileName(e.name)) yield full;
      else onOther?.();
    }
  }
}

/** Every log file of every input, in order, so that read-ahead and chunks span input boundaries. */
async function* allItems(states: readonly InputState[]): AsyncGenerator<Item> {
  for (const state of states) {
    try {
      const st = await stat(state.input);
      if (!st.isDirectory()) {
        state.found++;
        yield { state, file: state.input, size: st.size };
        continue;
      }
      for await (const file of walkLogFiles(state.input, () => state.skippedFiles++)) {
        state.found++;
        yield { state, file, size: -1 };
      }
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? String(e);
      if (state.found === 0 && state.skippedFiles === 0) {
        state.missing = true;
        yield { state, error: { source: 'cloudtrail-file', code: 'not-found', message: `cannot read ${state.input}: ${code}`, location: state.input } };
      } else {
        // A directory that vanished or became unreadable mid-walk: keep what was read.
        state.badFiles++;
        yield { state, error: { source: 'cloudtrail-file', code: 'not-found', message: `${state.input}: stopped reading: ${code}`, location: state.input } };
      }
    }
  }
}

async function sizeOf(item: Item): Promise<number> {
  if (!('file' in item)) return 0;
  if (item.size < 0) item.size = await stat(item.file).then((s) => s.size, () => 0);
  return item.size;
}

async function* prepend<T>(head: readonly T[], rest: AsyncIterator<T>): AsyncGenerator<T> {
  yield* head;
  for (let n = await rest.next(); !n.done; n = await rest.next()) yield n.value;
}

interface Chunk {
  readonly index: number;
  readonly items: readonly Item[];
  readonly files: string[];
}

async function* chunksOf(items: AsyncIterator<Item>, maxFiles: number, maxBytes: number): AsyncGenerator<Chunk> {
  let index = 0;
  let current: Item[] = [];
  let files: string[] = [];
  let bytes = 0;
  for (let n = await items.next(); !n.done; n = await items.next()) {
    current.push(n.value);
    if (!('file' in n.value)) continue;
    files.push(n.value.file);
    bytes += await sizeOf(n.value);
    if (files.length >= maxFiles || bytes >= maxBytes) {
      yield { index: index++, items: current, files };
      current = [];
      files = [];
      bytes = 0;
    }
  }
  if (current.length > 0) yield { index, items: current, files };
}

export async function readCloudTrail(paths: readonly string[], opts: ReadCloudTrailOptions = {}): Promise<CloudTrailReadResult> {
  const now = opts.now ?? Date.now;
  const bounds = filterBounds(opts, now());
  const chunkOptions: ChunkOptions = {
    ...(bounds.start !== undefined ? { windowStart: bounds.start } : {}),
    ...(bounds.end !== undefined ? { windowEnd: bounds.end } : {}),
    ...(opts.limits ? { limits: opts.limits } : {}),
    maxRecordErrors: opts.maxRecordErrorsPerFile ?? 5,
    ...(opts.parser ? { parser: opts.parser } : {}),
  };
  const agg = newAggregator(chunkOptions);
  const errors: ScanError[] = [];
  const states: InputState[] = paths.map((input) => ({ input, found: 0, files: 0, badFiles: 0, badRecords: 0, skippedFiles: 0, records: 0, outsideWindow: 0, missing: false, shapes: new Set() }));
  let recordsSoFar = 0;
  const apply = (state: InputState, o: FileOutcome): void => {
    state.files++;
    errors.push(...o.errors);
    if (!o.ok) {
      state.badFiles++;
      return;
    }
    if (o.shape) state.shapes.add(o.shape);
    state.records += o.records;
    state.badRecords += o.badRecords;
    state.outsideWindow += o.outsideWindow;
    recordsSoFar += o.records;
    opts.onProgress?.(recordsSoFar);
  };

  // Look ahead far enough to choose the path.
  const items = allItems(states);
  const minFiles = opts.minFilesForWorkers ?? 8;
  const head: Item[] = [];
  let headFiles = 0;
  let headBytes = 0;
  while (headFiles < minFiles && headBytes < MIN_BYTES_FOR_WORKERS) {
    const n = await items.next();
    if (n.done) break;
    head.push(n.value);
    if ('file' in n.value) {
      headFiles++;
      headBytes += await sizeOf(n.value);
    }
  }
  const workerCount = opts.workers === undefined || opts.workers === 'auto' ? defaultWorkerCount() : opts.workers;
  const worthIt = headFiles >= minFiles || (headFiles >= 2 && headBytes >= MIN_BYTES_FOR_WORKERS);
  const all = prepend(head, items);

  let ingest: IngestStats;
  if (workerCount > 0 && worthIt) {
    ingest = await readInParallel(chunksOf(all, opts.chunkFiles ?? 256, opts.chunkBytes ?? 8 * 2 ** 20), agg, chunkOptions, workerCount, opts, (chunk, outcomes) => {
      let i = 0;
      for (const item of chunk.items) {
        if ('file' in item) apply(item.state, outcomes[i++]!);
        else errors.push(item.error);
      }
    });
  } else {
    await forEachLoaded(
      all,
      (item) => ('file' in item ? item.file : undefined),
      (item, loaded) => {
        if ('error' in item) errors.push(item.error);
        else apply(item.state, ingestLoaded(loaded!, agg, chunkOptions.maxRecordErrors, chunkOptions.parser));
      },
    );
    ingest = { workers: 0, chunks: 0, chunksFromWorkers: 0, chunksReadAgain: 0 };
  }

  const window = reportedWindow(bounds, agg.earliest, agg.latest);
  // A file that could not be read may have held any principal's calls on any day: with one, usage
  // is partial for the whole window, and nothing is called unused (nor a fix verified on it).
  const failedFiles = states.reduce((n, st) => n + st.badFiles, 0);
  return {
    usage: agg.finish(window, failedFiles > 0 ? [] : coverageFor(window, agg.daysSeen)),
    sources: states.map(sourceInfo),
    errors,
    missingDays: agg.daysSeen.size === 0 ? [] : missingDays(window, agg.daysSeen),
    ingest,
  };
}

interface Pending {
  readonly chunk: Chunk;
  readonly result: Promise<ChunkResult | undefined>;
  readonly fromWorker: boolean;
}

/**
 * Workers each hold up to two chunks (one read, one waiting) once they are loaded, so they never
 * idle; this thread reads a chunk itself whenever they are full (unless told not to), and absorbs
 * finished chunks in order. It stays a bounded number of chunks ahead of the oldest unfinished
 * one, so the aggregates held at once stay bounded.
 */
async function readInParallel(
  chunks: AsyncGenerator<Chunk>,
  agg: UsageAggregator,
  options: ChunkOptions,
  workerCount: number,
  opts: ReadCloudTrailOptions,
  applyChunk: (chunk: Chunk, outcomes: readonly FileOutcome[]) => void,
): Promise<IngestStats> {
  const workers: IngestWorker[] = startWorkers(workerCount, opts.spawnWorker);
  const readOnMain = opts.readOnMainThread ?? true;
  const pending = new Map<number, Pending>();
  const settled = new Set<number>();
  const maxAhead = 2 * workers.length + 2;
  let nextToAbsorb = 0;
  let total = 0;
  let fromWorkers = 0;
  let readAgain = 0;
  let exhausted = false;

  const take = async (): Promise<Chunk | undefined> => {
    if (exhausted) return undefined;
    const n = await chunks.next();
    if (n.done) {
      exhausted = true;
      return undefined;
    }
    total++;
    return n.value;
  };
  const track = (chunk: Chunk, result: Promise<ChunkResult | undefined>, fromWorker: boolean): void => {
    pending.set(chunk.index, { chunk, result, fromWorker });
    void result.then(() => settled.add(chunk.index));
  };
  const absorbNext = async (): Promise<void> => {
    const p = pending.get(nextToAbsorb)!;
    pending.delete(nextToAbsorb);
    settled.delete(nextToAbsorb);
    nextToAbsorb++;
    if (p.chunk.files.length === 0) {
      applyChunk(p.chunk, []);
      return;
    }
    const result = await p.result;
    if (result && agg.absorb(result.state)) {
      if (p.fromWorker) fromWorkers++;
      applyChunk(p.chunk, result.outcomes);
      return;
    }
    readAgain++;
    applyChunk(p.chunk, await readFilesInto(agg, p.chunk.files, options.maxRecordErrors, options.parser));
  };
  const readHere = async (chunk: Chunk): Promise<void> => {
    if (chunk.index === nextToAbsorb && pending.size === 0) {
      // Everything before it is absorbed: read straight into the result.
      nextToAbsorb++;
      applyChunk(chunk, await readFilesInto(agg, chunk.files, options.maxRecordErrors, options.parser));
      return;
    }
    const local = newAggregator(options, true);
    const outcomes = await readFilesInto(local, chunk.files, options.maxRecordErrors, options.parser);
    track(chunk, Promise.resolve({ outcomes, state: local.state() }), false);
  };

  try {
    for (;;) {
      for (const w of workers) {
        while (w.idleCapacity > 0) {
          const chunk = await take();
          if (!chunk) break;
          if (chunk.files.length === 0) track(chunk, Promise.resolve(undefined), false);
          else track(chunk, w.run({ chunk: chunk.index, files: chunk.files, options }), true);
        }
      }
      if (pending.has(nextToAbsorb) && (settled.has(nextToAbsorb) || pending.size >= maxAhead)) {
        await absorbNext();
        continue;
      }
      if (readOnMain || !workers.some((w) => w.alive)) {
        const chunk = await take();
        if (!chunk) break;
        await readHere(chunk);
        continue;
      }
      if (exhausted) break;
      // Checked with no await since the loop's top: a worker freed meanwhile is not missed.
      if (workers.some((w) => w.idleCapacity > 0)) continue;
      await Promise.race(workers.map((w) => w.changed()));
    }
    while (pending.size > 0) await absorbNext();
  } finally {
    await Promise.all(workers.map((w) => w.close()));
  }
  return { workers: workers.length, chunks: total, chunksFromWorkers: fromWorkers, chunksReadAgain: readAgain };
}

function sourceInfo(s: InputState): SourceInfo {
  if (s.missing) return { kind: 'cloudtrail-file', location: s.input, status: 'unavailable', detail: 'path not found or not readable' };
  const good = s.files - s.badFiles;
  const status: SourceInfo['status'] = good <= 0 ? 'unavailable' : s.badFiles > 0 || s.badRecords > 0 ? 'partial' : 'ok';
  const detail = [
    s.shapes.has('records') ? 'S3 delivery files' : '',
    s.shapes.has('lookup-events') ? 'lookup-events output (management events only)' : '',
    s.shapes.has('array') ? 'record arrays' : '',
    good <= 0 ? (s.files === 0 ? 'no .json or .json.gz files found' : 'no readable CloudTrail file') : '',
  ].filter(Boolean);
  return {
    kind: 'cloudtrail-file',
    location: s.input,
    status,
    ...(detail.length ? { detail: detail.join('; ') } : {}),
    counts: { files: s.files, badFiles: s.badFiles, records: s.records, badRecords: s.badRecords, skippedFiles: s.skippedFiles, outsideWindow: s.outsideWindow },
  };
}
