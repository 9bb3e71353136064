// `--history <dir | s3://bucket/prefix>`: the scan history that outlives an ephemeral runner (a CI
// job starts from a fresh checkout, so reports/ is empty every night). Before writing, a scan reads
// the previous report from here (firstSeen, --fail-on-new, resolved/archived findings need it);
// after writing its own bundle it stores its report and appends the trend.
//
// Layout, the same for a directory and for S3 (keys under the prefix):
//   <account>/<scan-dir-name>/report.json.gz   this scan's report.json, gzip
//   <account>/<scan-dir-name>/index.json.gz    its scan index (report/scan-index.ts): what the next scan reads
//   <account>/trend.ndjson                      one trend line per scan (trend.ts)
//   <account>/latest                            one line: the newest scan-dir-name
//   <account>/latest-complete                   the newest whose IAM read was complete
// The report object is written before the pointers, so a reader that follows a pointer always
// finds a whole report. The store is written only by this module; it never deletes.
import { createGzip } from 'node:zlib';
import { asciiJson, isGzip, reportBytes } from '../report-file.js';
import { InputError } from '../../model/errors.js';
import type { Report } from '../../model/report.js';
import { compareScanNames, isScanDirName, parseReportBytes, scanDirName } from '../history.js';
import { appendTrend, TREND_FILE, trendLine } from '../trend.js';
import { storedReportStream } from '../documents.js';
import { jsonPieces } from '../json-stream.js';
import { comparableOf, isAsffComparable, parseScanIndex, scanIndexPieces, type ComparableScan, type ScanIndexOptions } from '../scan-index.js';

/**
 * Text pieces gzipped as they come: no string of the whole text is ever built. `ascii`: escaped
 * as the bundle's report.json is (asciiJson; batches end between pieces, never inside a character).
 */
async function gzipPieces(pieces: Iterable<string>, tail = '', ascii = false): Promise<Buffer> {
  const bytes = (text: string): Buffer => (ascii ? asciiJson(Buffer.from(text, 'utf8')) : Buffer.from(text, 'utf8'));
  const gz = createGzip();
  const out: Buffer[] = [];
  gz.on('data', (b: Buffer) => out.push(b));
  const done = new Promise<void>((res, rej) => { gz.on('end', res); gz.on('error', rej); });
  let buf = '';
  for (const piece of pieces) {
    buf += piece;
    if (buf.length >= 1 << 16) {
      if (!gz.write(bytes(buf))) await new Promise<void>((r) => gz.once('drain', () => r()));
      buf = '';
    }
  }
  gz.end(bytes(`${buf}${tail}`));
  await done;
  return Buffer.concat(out);
}

/**
 * The report as report.json holds it (documents once, a record per line), gzipped piece by piece
 * (at 10,000 principals a string of the whole report would pass V8's limit).
 */
export async function gzipReport(report: Report): Promise<Buffer> {
  return gzipPieces(jsonPieces(storedReportStream(report), 'records'), '\n', true);
}

const INDEX_OBJECT = 'index.json.gz';

/** Bytes under keys relative to the store's root. */
export interface BlobStore {
  /** Where the store is, for messages (`s3://bucket/prefix`, a directory path). */
  readonly location: string;
  /** undefined when there is no such key. */
  get(key: string): Promise<Buffer | undefined>;
  put(key: string, body: Buffer, contentType: string): Promise<void>;
  close(): void;
}

const ACCOUNT_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** Bounded read: a pointer file is one line; anything bigger is not ours. */
const MAX_POINTER_BYTES = 256;

function accountKey(accountId: string): string {
  if (!ACCOUNT_RE.test(accountId) || accountId.includes('..')) throw new InputError('--history', '', 'an account id that is a plain name', JSON.stringify(accountId));
  return accountId;
}

export interface PreviousScan {
  readonly report: Report;
  /** `<location>/<account>/<scan>/report.json.gz`, for messages. */
  readonly source: string;
}

export class HistoryStore {
  constructor(readonly blobs: BlobStore) {}

  get location(): string {
    return this.blobs.location;
  }

  private async pointer(account: string, name: 'latest' | 'latest-complete'): Promise<string | undefined> {
    const body = await this.blobs.get(`${account}/${name}`);
    if (body === undefined) return undefined;
    const text = body.subarray(0, MAX_POINTER_BYTES).toString('utf8').trim();
    if (!isScanDirName(text)) throw new InputError(`${this.location}/${account}/${name}`, '', 'one line naming a scan (e.g. 2026-11-24T03-00-00.000Z)', JSON.stringify(text.slice(0, 60)));
    return text;
  }

  private async readScan(account: string, scan: string): Promise<PreviousScan> {
    const key = `${account}/${scan}/report.json.gz`;
    const where = `${this.location}/${key}`;
    const body = await this.blobs.get(key);
    if (body === undefined) throw new InputError(where, '', 'the report the pointer names', 'no such object');
    // Inflated within READ_LIMITS.report, like every report read: anyone who can write the
    // history's prefix could leave a gzip bomb there.
    if (!isGzip(body)) throw new InputError(where, '', 'a gzip-compressed report.json', 'bytes that are not gzip');
    const report = parseReportBytes(reportBytes(body, where), where);
    if (report.scan.account.id !== account) {
      throw new InputError(where, '$.scan.account.id', `a scan of account ${account} (the history it is filed under)`, JSON.stringify(report.scan.account.id));
    }
    return { report, source: where };
  }

  /**
   * A stored scan's index, when it is one of this scan of this account (its startedAt names the
   * scan's key); undefined when absent, unreadable or of another scan: the caller reads the report.
   */
  private async readIndex(account: string, scan: string, opts: ScanIndexOptions): Promise<ComparableScan | undefined> {
    const key = `${account}/${scan}/${INDEX_OBJECT}`;
    try {
      const body = await this.blobs.get(key);
      if (body === undefined) return undefined;
      const index = parseScanIndex(body, `${this.location}/${key}`, opts);
      return index.scan.account.id === account && scanDirName(index.scan.startedAt) === scan && (!opts.asff || isAsffComparable(index)) ? index : undefined;
    } catch {
      return undefined;
    }
  }

  /** A stored scan as the next scan compares with it: its index, else its report reduced (comparableOf). */
  private async readComparable(account: string, scan: string, opts: ScanIndexOptions): Promise<ComparableScan> {
    return (await this.readIndex(account, scan, opts)) ?? comparableOf((await this.readScan(account, scan)).report, opts);
  }

  /**
   * The scan to compare with: the newest, or, when the newest read IAM only in part, the newest
   * complete one (compared with a partial scan, the findings it missed would all look new);
   * undefined when the history has no scan of the account yet. As comparing (and, with `asff`,
   * ASFF) reads it: from the stored index when there is one, so the whole previous report is
   * neither read nor held.
   */
  async readPreviousComparable(accountId: string, opts: ScanIndexOptions = {}): Promise<ComparableScan | undefined> {
    const account = accountKey(accountId);
    const latest = await this.pointer(account, 'latest');
    if (latest === undefined) return undefined;
    const prev = await this.readComparable(account, latest, opts);
    if (prev.scan.coverage.iam === 'complete') return prev;
    const complete = await this.pointer(account, 'latest-complete');
    return complete !== undefined && complete !== latest ? this.readComparable(account, complete, opts) : prev;
  }

  async readTrend(accountId: string): Promise<string> {
    const body = await this.blobs.get(`${accountKey(accountId)}/${TREND_FILE}`);
    return body === undefined ? '' : body.toString('utf8');
  }

  /**
   * Store this scan: report, its index, trend, then the pointers. Returns the report's location.
   * `gzipped` and `index`: the bundle's own report.json.gz and scan index of this report, stored as
   * they are instead of made again.
   */
  async write(report: Report, gzipped?: Buffer, index?: Buffer): Promise<string> {
    const account = accountKey(report.scan.account.id);
    const scan = scanDirName(report.scan.startedAt);
    const key = `${account}/${scan}/report.json.gz`;
    await this.blobs.put(key, gzipped ?? (await gzipReport(report)), 'application/gzip');
    await this.blobs.put(`${account}/${scan}/${INDEX_OBJECT}`, index ?? (await gzipPieces(scanIndexPieces(report, { asff: true }))), 'application/gzip');
    const trend = appendTrend(await this.readTrend(account), `${this.location}/${account}/${TREND_FILE}`, trendLine(report));
    await this.blobs.put(`${account}/${TREND_FILE}`, Buffer.from(trend, 'utf8'), 'application/x-ndjson');
    // `latest` means newest by scan time: storing an older scan must not move it back.
    const current = await this.pointer(account, 'latest').catch(() => undefined);
    if (current === undefined || compareScanNames(current, scan) <= 0) await this.blobs.put(`${account}/latest`, Buffer.from(`${scan}\n`), 'text/plain');
    if (report.scan.coverage.iam === 'complete') {
      const currentComplete = await this.pointer(account, 'latest-complete').catch(() => undefined);
      if (currentComplete === undefined || compareScanNames(currentComplete, scan) <= 0) await this.blobs.put(`${account}/latest-complete`, Buffer.from(`${scan}\n`), 'text/plain');
    }
    return `${this.location}/${key}`;
  }

  close(): void {
    this.blobs.close();
  }
}

export interface HistoryConnection {
  readonly profile?: string;
  readonly region?: string;
  readonly endpointUrl?: string;
}

/** `--history` value → store. `s3://bucket[/prefix]` is S3 (history-store/s3.ts), anything else a directory. */
export async function openHistoryStore(spec: string, conn: HistoryConnection = {}): Promise<HistoryStore> {
  if (/^s3:\/\//i.test(spec)) {
    const { parseS3Url, createHistoryS3Writer } = await import('./s3.js');
    return new HistoryStore(createHistoryS3Writer({ ...parseS3Url(spec), ...conn }));
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(spec)) throw new InputError('--history', '', 'a directory or s3://bucket/prefix', JSON.stringify(spec));
  const { dirBlobStore } = await import('./dir.js');
  return new HistoryStore(dirBlobStore(spec));
}
