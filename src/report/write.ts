// Writes a report bundle atomically: every file goes into a temp dir beside the target, which is
// renamed into place only when complete. A write that fails or is killed leaves at most a
// `.leash-tmp-*` dir, which history listing ignores and pruneScans removes; readers never see a
// half-written report. Same-filesystem rename is what makes this atomic, hence "beside the target".
import { lstat, mkdir, mkdtemp, open, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { InputError } from '../model/errors.js';
import { BUNDLE_MARKER, inspectBundle, listSome } from './bundle.js';
import { jsonPieces, LazyList, writeJsonTo, writePieces, type JsonLayout } from './json-stream.js';
import { storedReportStream } from './documents.js';
import { jsonAsciiText } from '../safe/text.js';
import type { Report } from '../model/report.js';
import { asffFindings } from './asff.js';
import { FORMAT_FILES, type Format } from './formats.js';
import { writeGzipJsonFile, writeReportFile, type ReportCompression } from './report-file.js';
import { isAsffComparable, SCAN_INDEX_FILE, scanIndexPieces, type ComparableScan } from './scan-index.js';
import { accountDir, compareScanNames, isScanDirName, readLatestPointer, scanDirName, TEMP_PREFIX, writeLatestPointer } from './history.js';
import { toMarkdown } from './markdown.js';
import { toSarif, type SarifOptions } from './sarif.js';
import { toCsv, toNdjson } from './rows.js';
import { toHtml } from './html.js';

export interface WriteBundleOptions {
  /** Root of the scan history (`reports`); the bundle goes to `<root>/<account>/<timestamp>/`. */
  readonly reportsRoot: string;
  /** `--output DIR`: write exactly here instead (replacing an older bundle there); `latest` is not moved. */
  readonly outputDir?: string;
  readonly formats: readonly Format[];
  /**
   * The scan before this one: "since last scan" in summary.md and report.html (its index is
   * enough), and ASFF's RESOLVED findings when it holds what they need (isAsffComparable: a Report,
   * or an index read with `asff`).
   */
  readonly previous?: ComparableScan;
  /** Writes fix artefacts into the bundle dir (it is the temp dir at that point, so they are atomic too). */
  readonly fixesWriter?: (dir: string) => Promise<void>;
  /** Region for ASFF (Security Hub is regional; IAM is not). Default `AWS_REGION` or us-east-1. */
  readonly asffRegion?: string;
  readonly asffProductArn?: string;
  readonly sarif?: SarifOptions;
  /** Abort abandons the write: the temp dir is removed and nothing appears at the target. */
  readonly signal?: AbortSignal;
  /** report.json or report.json.gz (report-file.ts); default `auto`: gzip past COMPRESS_ABOVE_BYTES. */
  readonly reportCompression?: ReportCompression;
  /** The `auto` bound in bytes (tests). */
  readonly compressAboveBytes?: number;
}

export interface WrittenBundle {
  readonly dir: string;
  /** Absolute paths of the files written for `formats` (fix artefacts are the fixesWriter's business). */
  readonly files: string[];
}

/** What rendering a format needs beyond the report (the rest of WriteBundleOptions is about where to write). */
export type RenderOptions = Pick<WriteBundleOptions, 'previous' | 'asffRegion' | 'asffProductArn' | 'sarif'>;

/** The text of one format's file, exactly as a bundle holds it (`leash report` renders through this too). */
export function renderFormat(report: Report, format: Format, opts: RenderOptions = {}): string {
  const v = renderFormatValue(report, format, opts);
  return typeof v === 'string' ? v : [...(v as Iterable<string>)].join('');
}

/**
 * The same text in pieces: the per-finding exports are generated line by line and written as they
 * come. `escape`: what a JSON format's text goes through (json-stream.ts; default jsonTextSafe).
 */
export function renderChunks(report: Report, format: Format, opts: RenderOptions = {}, escape?: (json: string) => string): string | Iterable<string> {
  const v = renderFormatValue(report, format, opts, true) as string | Iterable<string> | { json: unknown; layout: JsonLayout };
  if (typeof v === 'string' || !('json' in v)) return v;
  // JSON formats piece by piece too: no string of a whole report.json is built to print it.
  return (function* () {
    yield* jsonPieces(v.json, v.layout, undefined, '', escape);
    yield '\n';
  })();
}

/**
 * A JSON format's value (written in pieces, see json-stream.ts), or the text (or lines) of a text
 * format. report.json, SARIF and the ASFF list are laid out one record per line (jsonPieces'
 * `records` layout).
 */
function renderFormatValue(report: Report, format: Format, opts: RenderOptions, asValue = false): unknown {
  const json = (v: unknown, layout: JsonLayout = 'records'): unknown => (asValue ? { json: v, layout } : `${[...jsonPieces(v, layout)].join('')}\n`);
  switch (format) {
    case 'ndjson':
      return toNdjson(report);
    case 'csv':
      return toCsv(report);
    case 'html':
      return toHtml(report, opts.previous ? { previous: opts.previous } : {});
    case 'json':
      // Each distinct policy document once, referred to (documents.ts); readers resolve on load.
      return json(storedReportStream(report));
    case 'sarif': {
      // A result per line, like report.json: pretty-printing was a third of the file. The one
      // run is opened so that its results, not the run, are the records.
      const log = toSarif(report, opts.sarif ?? {});
      return json({ ...log, runs: new LazyList(() => log.runs, true) });
    }
    case 'asff': {
      const region = opts.asffRegion ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
      const asffOpts = { region, ...(opts.asffProductArn !== undefined ? { productArn: opts.asffProductArn } : {}), ...(opts.previous && isAsffComparable(opts.previous) ? { previous: opts.previous } : {}) };
      // Generated as written, one finding at a time: never the whole list, never its whole text.
      return json(asffFindings(report, asffOpts));
    }
    case 'md':
      return toMarkdown(report, opts.previous ? { previous: opts.previous } : {});
  }
}

/**
 * Pieces are gathered to about this size (twice: PieceWriter) before each write, so a million short
 * lines are not a million writes. 1 MiB, not 64 KiB: through gzip each write is a round trip to
 * zlib's thread pool, and the scan index (14 MB of JSON at 10k) waited on 220 of them; at 1 MiB it
 * is written in 214–232 ms against 336–348 (SARIF 140 against 159 ms), alternating runs.
 */
const WRITE_BATCH = 1 << 20;

/** Write and flush to disk, so a power cut after the rename cannot leave an empty file behind it. */
async function writeDurable(path: string, data: string | Iterable<string> | { json: unknown; layout?: JsonLayout }): Promise<void> {
  const fh = await open(path, 'wx');
  try {
    if (typeof data === 'string') await fh.writeFile(data, 'utf8');
    else if (typeof data === 'object' && data !== null && 'json' in data) await writeJsonTo(fh, data.json, WRITE_BATCH, data.layout);
    else await writePieces(fh, data as Iterable<string>, WRITE_BATCH);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

export interface FileToWrite {
  /** File name inside the target directory (no path separators). */
  readonly name: string;
  /** Rendered only when its turn comes (a string, or pieces written as they come); a throw here abandons the whole set. */
  readonly content: () => string | Iterable<string>;
}

/**
 * Write a set of files into an existing directory that holds other things (a scan directory, where
 * replacing the whole directory would lose fixes/): each file is rendered and written to a temp file
 * beside its target, flushed, and only when every one is complete are they renamed over their
 * targets. A render or write that fails leaves every target as it was and no temp file behind.
 * Each rename is atomic, so a reader sees the old file or the new one, never a mix.
 */
export async function writeFilesAtomic(dir: string, files: readonly FileToWrite[]): Promise<string[]> {
  const targets = files.map((f) => {
    if (f.name === '' || basename(f.name) !== f.name) throw new Error(`writeFilesAtomic: ${JSON.stringify(f.name)} is not a plain file name`);
    return join(dir, f.name);
  });
  // A directory (or socket…) where a file should go would fail at rename time, after earlier files
  // were already replaced; refuse before anything changes.
  for (const target of targets) {
    const st = await stat(target).catch(() => undefined);
    if (st && !st.isFile()) throw new InputError(target, '', 'a file leash may replace', st.isDirectory() ? 'a directory' : 'something that is not a regular file');
  }
  const temps: string[] = [];
  let renamed = 0;
  try {
    for (const f of files) {
      const tmp = join(dir, `${TEMP_PREFIX}${f.name}-${process.pid}-${Math.random().toString(36).slice(2)}`);
      const text = f.content();
      temps.push(tmp);
      await writeDurable(tmp, text);
    }
    for (; renamed < temps.length; renamed++) await rename(temps[renamed]!, targets[renamed]!);
    return targets;
  } catch (e) {
    await Promise.all(temps.slice(renamed).map((t) => rm(t, { force: true }).catch(() => undefined)));
    throw e;
  }
}

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('report write aborted');
}

async function pathExists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

function isTargetTaken(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'EEXIST' || code === 'ENOTEMPTY' || code === 'EPERM';
}

export async function writeReportBundle(report: Report, opts: WriteBundleOptions): Promise<WrittenBundle> {
  const accountId = report.scan.account.id;
  const inHistory = opts.outputDir === undefined;
  const baseName = scanDirName(report.scan.startedAt);
  const parent = inHistory ? accountDir(opts.reportsRoot, accountId) : dirname(resolve(opts.outputDir!));
  const targetBase = inHistory ? baseName : basename(resolve(opts.outputDir!));
  if (!inHistory) await checkReplaceable(opts.outputDir!);
  await mkdir(parent, { recursive: true });

  // The temp name carries the pid (stale-temp cleanup checks it); the base is cut so a long
  // --output name cannot push the temp name past the 255-byte limit.
  const tmp = await mkdtemp(join(parent, `${TEMP_PREFIX}${targetBase.slice(0, 100)}-${process.pid}-`));
  const tmpFiles: string[] = [];
  try {
    // First, so that every folder leash may later replace or delete says it is leash's.
    await writeFile(join(tmp, BUNDLE_MARKER), `${JSON.stringify({ tool: 'leash', scanId: report.scan.id })}\n`);
    const formats = async (): Promise<void> => {
      for (const format of opts.formats) {
        if (opts.signal?.aborted) throw abortError(opts.signal);
        if (format === 'json') {
          // ASCII where its text is made (jsonAsciiText), as writeReportFile keeps it on disk either
          // way (asciiJson): its pass over the bytes then finds nothing to change.
          const pieces = renderChunks(report, 'json', opts, jsonAsciiText) as Iterable<string>;
          tmpFiles.push(await writeReportFile(tmp, pieces, opts.reportCompression ?? 'auto', { batch: WRITE_BATCH, ...(opts.compressAboveBytes !== undefined ? { above: opts.compressAboveBytes } : {}) }));
          // What the next scan compares with, so that it need not read this report back (scan-index.ts);
          // with what ASFF needs when this scan writes ASFF (the next one that does sends the gone findings RESOLVED).
          await writeGzipJsonFile(join(tmp, SCAN_INDEX_FILE), scanIndexPieces(report, { asff: opts.formats.includes('asff') }), WRITE_BATCH);
          continue;
        }
        const file = join(tmp, FORMAT_FILES[format]);
        await writeDurable(file, renderFormatValue(report, format, opts, true) as string | Iterable<string> | { json: unknown; layout?: JsonLayout });
        tmpFiles.push(FORMAT_FILES[format]);
      }
    };
    // The fix folders are written while the report files are: each waits on the disk (fsync, the
    // thread pool) at times the other can use the CPU. Both settle before anything is decided, so a
    // failure in one never leaves the other writing into a folder being removed.
    const settled = await Promise.allSettled([formats(), opts.fixesWriter ? opts.fixesWriter(tmp) : Promise.resolve()]);
    for (const r of settled) if (r.status === 'rejected') throw r.reason;
    if (opts.signal?.aborted) throw abortError(opts.signal);

    const dir = inHistory ? await renameIntoHistory(tmp, parent, baseName) : await replaceDir(tmp, resolve(opts.outputDir!));
    if (inHistory) {
      // `latest` means newest by scan time: writing an older scan (e.g. an import) must not move it back.
      const current = await readLatestPointer(opts.reportsRoot, accountId);
      const name = basename(dir);
      if (current === undefined || !(await pathExists(join(parent, current))) || compareScanNames(current, name) <= 0) {
        await writeLatestPointer(opts.reportsRoot, accountId, name);
      }
    }
    return { dir, files: tmpFiles.map((f) => join(dir, f)) };
  } catch (e) {
    await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    throw e;
  }
}

/** Two scans can start in the same millisecond (or be written twice): suffix _2, _3… instead of clobbering. */
async function renameIntoHistory(tmp: string, parent: string, baseName: string): Promise<string> {
  for (let n = 1; n < 1000; n++) {
    const name = n === 1 ? baseName : `${baseName}_${n}`;
    if (!isScanDirName(name)) break;
    const target = join(parent, name);
    if (await pathExists(target)) continue;
    try {
      await rename(tmp, target);
      return target;
    } catch (e) {
      // Another writer took the name between the check and the rename.
      if (!isTargetTaken(e)) throw e;
    }
  }
  throw new Error(`could not find a free scan directory name for ${baseName} under ${parent}`);
}

/**
 * `--output DIR` is replaced wholesale, so it must be absent, empty, or an earlier leash bundle
 * (its `.leash-bundle` marker, or a leash report.json for bundles from before markers) holding
 * nothing leash did not write and no apply.sh backup. Checked before anything is written:
 * `--output .` or `--output ~` must never delete a user's files.
 */
export async function checkReplaceable(outputDir: string): Promise<void> {
  const target = resolve(outputDir);
  if (Buffer.byteLength(basename(target)) > 255) throw new InputError(outputDir, '', 'a directory name of at most 255 bytes (--output)', `${Buffer.byteLength(basename(target))} bytes`);
  let st;
  try {
    st = await lstat(target);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    if (code === 'ENAMETOOLONG') throw new InputError(outputDir, '', 'a path the file system accepts (each name at most 255 bytes)', 'a name that is too long');
    throw e;
  }
  if (st.isSymbolicLink()) throw new InputError(outputDir, '', 'a directory for the report bundle (--output)', 'a symbolic link (leash does not replace what a link points to)');
  if (!st.isDirectory()) throw new InputError(outputDir, '', 'a directory for the report bundle (--output)', 'an existing file');
  if ((await readdir(target)).length === 0) return;
  const seen = inspectBundle(target);
  if (seen.backups.length > 0) {
    throw new InputError(outputDir, '', 'a bundle without apply.sh backups (--output replaces it; rollback needs them); move them or use a new directory', `backups in ${listSome(seen.backups)}`);
  }
  if (!seen.marked || seen.foreign.length > 0) {
    throw new InputError(outputDir, '', `an empty directory or an earlier leash bundle (--output replaces it); use a new directory`, seen.foreign.length > 0 ? `a directory holding other files (${listSome(seen.foreign)})` : 'a directory leash did not write (no .leash-bundle marker)');
  }
}

/**
 * `--output DIR` may already hold a bundle. Move it aside, move the new one in, then delete the
 * old one: there is a moment with no DIR, but never a DIR with a mix of old and new files.
 */
async function replaceDir(tmp: string, target: string): Promise<string> {
  if (await pathExists(target)) {
    const aside = `${dirname(target)}/${TEMP_PREFIX}old-${basename(target).slice(0, 100)}-${process.pid}-${Math.random().toString(36).slice(2)}`;
    await rename(target, aside);
    try {
      await rename(tmp, target);
    } catch (e) {
      await rename(aside, target).catch(() => undefined);
      throw e;
    }
    await rm(aside, { recursive: true, force: true });
  } else {
    await rename(tmp, target);
  }
  return target;
}
