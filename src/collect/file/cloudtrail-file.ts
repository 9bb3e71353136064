// Reads CloudTrail logs from disk: single files (.json, .json.gz), directories (recursively), and
// the S3 delivery layout (AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/*.json.gz). One file is
// parsed at a time (the next one is read and gunzipped meanwhile), records are folded into the
// aggregate and dropped, so memory stays flat in corpus size. A bad file is a ScanError naming
// it; the read goes on.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import type { ScanError, SourceInfo } from '../../model/errors.js';
import type { UsageData } from '../../model/usage.js';
import { UsageAggregator, type AggregatorLimits } from '../cloudtrail/aggregate.js';
import { coverageFor, filterBounds, missingDays, reportedWindow } from '../cloudtrail/coverage.js';
import { visitDocument, type DocumentShape } from '../cloudtrail/document.js';
import { jsonErrorOffset, lineColumn } from '../cloudtrail/json-error.js';

const gunzipAsync = promisify(gunzip);

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
}

export interface CloudTrailReadResult {
  readonly usage: UsageData;
  readonly sources: SourceInfo[];
  readonly errors: ScanError[];
  /** UTC days in the window with no record (first 1,000): why coverage is not complete. */
  readonly missingDays: string[];
}

// Digest files (hash chains) and Insights events share the bucket but are not API calls.
const SKIPPED_DIRS = new Set(['CloudTrail-Digest', 'CloudTrail-Insight']);

export function isCloudTrailFileName(name: string): boolean {
  const n = name.toLowerCase();
  return n.endsWith('.json') || n.endsWith('.json.gz');
}

interface InputState {
  readonly input: string;
  files: number;
  badFiles: number;
  badRecords: number;
  skippedFiles: number;
  records: number;
  outsideWindow: number;
  missing: boolean;
  readonly shapes: Set<DocumentShape>;
}

async function* walk(dir: string, state: InputState): AsyncGenerator<string> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const full = join(dir, e.name);
    if (e.isDirectory()) {
      if (SKIPPED_DIRS.has(e.name)) continue;
      yield* walk(full, state);
    } else if (e.isFile() || e.isSymbolicLink()) {
      if (isCloudTrailFileName(e.name)) yield full;
      else state.skippedFiles++;
    }
  }
}

/** Every log file of every input, in order, so that read-ahead spans input boundaries. */
async function* allFiles(states: readonly InputState[], errors: ScanError[]): AsyncGenerator<{ state: InputState; file: string }> {
  for (const state of states) {
    try {
      const st = await stat(state.input);
      if (!st.isDirectory()) {
        yield { state, file: state.input };
        continue;
      }
      for await (const file of walk(state.input, state)) yield { state, file };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? String(e);
      if (state.files === 0 && state.skippedFiles === 0) {
        state.missing = true;
        errors.push({ source: 'cloudtrail-file', code: 'not-found', message: `cannot read ${state.input}: ${code}`, location: state.input });
      } else {
        // A directory that vanished or became unreadable mid-walk: keep what was read.
        state.badFiles++;
        errors.push({ source: 'cloudtrail-file', code: 'not-found', message: `${state.input}: stopped reading: ${code}`, location: state.input });
      }
    }
  }
}

type Loaded = { readonly file: string; readonly text: string } | { readonly file: string; readonly error: string; readonly code: ScanError['code'] };

async function load(file: string): Promise<Loaded> {
  let buf: Buffer;
  try {
    buf = await readFile(file);
  } catch (e) {
    return { file, error: `cannot read file: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, code: 'not-found' };
  }
  if (buf.length === 0) return { file, error: 'empty file (0 bytes): expected a CloudTrail log file; interrupted download?', code: 'invalid-input' };
  // Trust the gzip magic number over the file name: S3 downloads sometimes lose or add ".gz".
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) {
    try {
      buf = await gunzipAsync(buf);
    } catch (e) {
      return { file, error: `not a readable gzip file (${(e as Error).message}); truncated download?`, code: 'invalid-input' };
    }
  }
  return { file, text: buf.toString('utf8') };
}

/** "line L column C" of the first syntax error of a text JSON.parse rejected. */
export function jsonErrorLocation(text: string): string {
  const at = jsonErrorOffset(text);
  return lineColumn(text, at < 0 ? text.length : at);
}

export async function readCloudTrail(paths: readonly string[], opts: ReadCloudTrailOptions = {}): Promise<CloudTrailReadResult> {
  const now = opts.now ?? Date.now;
  const bounds = filterBounds(opts, now());
  const agg = new UsageAggregator({
    ...(bounds.start !== undefined ? { windowStart: bounds.start } : {}),
    ...(bounds.end !== undefined ? { windowEnd: bounds.end } : {}),
    ...(opts.limits ? { limits: opts.limits } : {}),
  });
  const errors: ScanError[] = [];
  const maxRecordErrors = opts.maxRecordErrorsPerFile ?? 5;
  const states: InputState[] = paths.map((input) => ({ input, files: 0, badFiles: 0, badRecords: 0, skippedFiles: 0, records: 0, outsideWindow: 0, missing: false, shapes: new Set() }));

  // Read ahead: the next files' reads and gunzips run on the thread pool while this one is parsed.
  // Two in flight keep the pool busy when one gunzip takes longer than a parse; memory stays
  // bounded by READ_AHEAD files, never the corpus.
  const READ_AHEAD = 2;
  const files = allFiles(states, errors);
  const start = (n: IteratorResult<{ state: InputState; file: string }>) => (n.done ? undefined : { state: n.value.state, loading: load(n.value.file) });
  const queue: { state: InputState; loading: Promise<Loaded> }[] = [];
  let exhausted = false;
  const refill = async () => {
    while (!exhausted && queue.length < READ_AHEAD) {
      const next = start(await files.next());
      if (next) queue.push(next);
      else exhausted = true;
    }
  };
  await refill();
  let pending = queue.shift();
  while (pending) {
    const { state } = pending;
    const loaded = await pending.loading;
    await refill();
    pending = queue.shift();
    state.files++;
    if ('error' in loaded) {
      state.badFiles++;
      errors.push({ source: 'cloudtrail-file', code: loaded.code, message: `${loaded.file}: ${loaded.error}`, location: loaded.file });
      continue;
    }
    let doc: unknown;
    try {
      doc = JSON.parse(loaded.text);
    } catch {
      state.badFiles++;
      const where = jsonErrorLocation(loaded.text);
      errors.push({ source: 'cloudtrail-file', code: 'invalid-input', message: `${loaded.file}: invalid JSON at ${where}: expected a CloudTrail log file`, location: loaded.file, path: where });
      continue;
    }
    let reported = 0;
    const outsideBefore = agg.outsideWindow;
    const visit = visitDocument(
      doc,
      (r) => {
        agg.add(r);
      },
      (p) => {
        state.badRecords++;
        if (reported++ < maxRecordErrors) {
          errors.push({ source: 'cloudtrail-file', code: 'invalid-input', message: `${loaded.file} at ${p.path}: ${p.expected}`, location: loaded.file, path: p.path });
        }
      },
    );
    if (!visit.ok) {
      state.badFiles++;
      errors.push({ source: 'cloudtrail-file', code: 'invalid-input', message: `${loaded.file} at ${visit.path}: expected ${visit.expected}, got ${visit.got}`, location: loaded.file, path: visit.path });
      continue;
    }
    state.shapes.add(visit.shape);
    state.records += visit.records;
    state.outsideWindow += agg.outsideWindow - outsideBefore;
    if (reported > maxRecordErrors) {
      errors.push({ source: 'cloudtrail-file', code: 'invalid-input', message: `${loaded.file}: ${reported - maxRecordErrors} more bad records not listed`, location: loaded.file });
    }
    opts.onProgress?.(agg.recordsRead);
  }

  const window = reportedWindow(bounds, agg.earliest, agg.latest);
  return {
    usage: agg.finish(window, coverageFor(window, agg.daysSeen)),
    sources: states.map(sourceInfo),
    errors,
    missingDays: agg.daysSeen.size === 0 ? [] : missingDays(window, agg.daysSeen),
  };
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
