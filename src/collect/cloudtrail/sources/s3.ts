// CloudTrail read in place from its S3 bucket: ListObjectsV2 and GetObject only, through the
// read-only client factory. The walk descends account and region folders with delimiter listings
// (a few small calls), then lists only the day folders of the window, so it never lists objects
// it will not read. Objects are fetched a few at a time and folded in key order by the same code
// that reads local files (ingest-file.ts), so the same files give the same usage.
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { ScanError, SourceInfo } from '../../../model/errors.js';
import { errorCode, errorMessage } from '../../aws/errors.js';
import { ReadOnlyViolationError } from '../../aws/allowlist.js';
import { coverageFor, filterBounds, missingDays, reportedWindow } from '../coverage.js';
import { newAggregator } from '../ingest-chunk.js';
import { gunzipBounded, ingestLoaded, type LoadedFile } from '../ingest-file.js';
import { ACCOUNT_FOLDER, daysToList, folderName, ORG_FOLDER, prefixLevel, REGION_FOLDER } from './s3-layout.js';
import type { CloudTrailReader, CloudTrailReadOptions, CloudTrailUsageResult } from '../reader.js';


export interface S3ReadOptions extends CloudTrailReadOptions {
  /** Only these account folders (an organization scan reads each account's own). */
  readonly accounts?: readonly string[];
  readonly regions?: readonly string[];
  /** GetObject calls in flight. Default 8. */
  readonly concurrency?: number;
  /** Largest object read, compressed and decompressed alike. Default 256 MiB. */
  readonly maxObjectBytes?: number;
  /** ListObjectsV2 page size (≤ 1000). */
  readonly pageSize?: number;
  readonly maxRecordErrorsPerFile?: number;
}

export interface S3Location {
  readonly bucket: string;
  /** Key prefix, empty or ending in "/". */
  readonly prefix: string;
  readonly url: string;
}

export interface S3ReadResult extends CloudTrailUsageResult {
  readonly calls: { readonly list: number; readonly get: number };
}

const isLogKey = (key: string): boolean => {
  const k = key.toLowerCase();
  return k.endsWith('.json.gz') || k.endsWith('.json');
};

class S3Walk {
  list = 0;
  get = 0;
  readonly errors: ScanError[] = [];
  constructor(
    private readonly s3: S3Client,
    private readonly loc: S3Location,
    private readonly opts: S3ReadOptions,
  ) {}

  private fail(op: string, prefix: string, e: unknown): void {
    if (e instanceof ReadOnlyViolationError) throw e;
    this.errors.push({ source: 'cloudtrail-s3', code: errorCode(e), message: `${op} s3://${this.loc.bucket}/${prefix}: ${errorMessage(e)}`, location: `s3://${this.loc.bucket}/${prefix}` });
  }

  /** Sub-folders of a prefix (CommonPrefixes), every page. */
  async folders(prefix: string): Promise<string[]> {
    const out: string[] = [];
    let token: string | undefined;
    try {
      do {
        this.list++;
        const page = await this.s3.send(
          new ListObjectsV2Command({ Bucket: this.loc.bucket, Prefix: prefix, Delimiter: '/', ...(token ? { ContinuationToken: token } : {}) }),
          this.opts.signal ? { abortSignal: this.opts.signal } : {},
        );
        for (const p of page.CommonPrefixes ?? []) if (p.Prefix) out.push(p.Prefix);
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    } catch (e) {
      this.fail('ListObjectsV2', prefix, e);
    }
    return out;
  }

  /** Every log file key under a prefix, in key order, page by page. */
  async *keys(prefix: string): AsyncGenerator<string> {
    let token: string | undefined;
    try {
      do {
        this.list++;
        const page = await this.s3.send(
          new ListObjectsV2Command({ Bucket: this.loc.bucket, Prefix: prefix, ...(this.opts.pageSize ? { MaxKeys: this.opts.pageSize } : {}), ...(token ? { ContinuationToken: token } : {}) }),
          this.opts.signal ? { abortSignal: this.opts.signal } : {},
        );
        for (const o of page.Contents ?? []) {
          // Digest/Insight folders only appear when the user named a prefix above them.
          if (o.Key && isLogKey(o.Key) && !/\/CloudTrail-(?:Digest|Insight)\//.test(o.Key)) yield o.Key;
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    } catch (e) {
      this.fail('ListObjectsV2', prefix, e);
    }
  }

  /** account → its folder prefix (ending in "<account>/"), org-trail folders expanded. */
  async accountFolders(awsLogs: string): Promise<string[]> {
    const out: string[] = [];
    for (const f of await this.folders(awsLogs)) {
      const name = folderName(f);
      if (ACCOUNT_FOLDER.test(name)) out.push(f);
      else if (ORG_FOLDER.test(name)) for (const a of await this.folders(f)) if (ACCOUNT_FOLDER.test(folderName(a))) out.push(a);
    }
    return out;
  }

  /** The prefixes to list objects under: region folders, or their day folders of the window. */
  async leafPrefixes(days: readonly string[] | undefined): Promise<string[]> {
    const level = prefixLevel(this.loc.prefix);
    let regionPrefixes: string[];
    if (level.level === 'exact') return [level.prefix];
    if (level.level === 'region') regionPrefixes = [level.prefix];
    else {
      const accounts =
        level.level === 'account'
          ? [level.prefix]
          : level.level === 'org'
            ? (await this.folders(level.prefix)).filter((a) => ACCOUNT_FOLDER.test(folderName(a)))
            : await this.accountFolders(level.level === 'awslogs' ? level.prefix : `${level.prefix}AWSLogs/`);
      const wanted = this.opts.accounts ? new Set(this.opts.accounts) : undefined;
      regionPrefixes = [];
      for (const a of accounts) {
        if (wanted && !wanted.has(folderName(a))) continue;
        for (const r of await this.folders(`${a}CloudTrail/`)) {
          const region = folderName(r);
          if (REGION_FOLDER.test(region) && (!this.opts.regions || this.opts.regions.includes(region))) regionPrefixes.push(r);
        }
      }
    }
    return days ? regionPrefixes.flatMap((r) => days.map((d) => `${r}${d}`)) : regionPrefixes;
  }

  async fetch(key: string, maxBytes: number): Promise<LoadedFile> {
    const file = `s3://${this.loc.bucket}/${key}`;
    try {
      this.get++;
      const out = await this.s3.send(new GetObjectCommand({ Bucket: this.loc.bucket, Key: key }), this.opts.signal ? { abortSignal: this.opts.signal } : {});
      if (out.ContentLength !== undefined && out.ContentLength > maxBytes) {
        (out.Body as { destroy?: () => void } | undefined)?.destroy?.();
        return { file, error: `object of ${out.ContentLength} bytes exceeds the ${maxBytes}-byte limit for one log file`, code: 'invalid-input' };
      }
      let buf = await readBounded(out.Body as AsyncIterable<Uint8Array> | undefined, maxBytes);
      if (buf === undefined) return { file, error: `object exceeds the ${maxBytes}-byte limit for one log file`, code: 'invalid-input' };
      if (buf.length === 0) return { file, error: 'empty object (0 bytes): expected a CloudTrail log file', code: 'invalid-input' };
      if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) {
        try {
          buf = await gunzipBounded(buf, maxBytes);
        } catch (e) {
          return { file, error: `not a readable gzip object (${(e as Error).message})`, code: 'invalid-input' };
        }
      }
      return { file, bytes: buf };
    } catch (e) {
      if (e instanceof ReadOnlyViolationError) throw e;
      if (this.opts.signal?.aborted) throw e;
      return { file, error: `GetObject: ${errorMessage(e)}`, code: errorCode(e) };
    }
  }
}

/** The body's bytes, or undefined past `max` (the stream is then abandoned). */
export async function readBounded(body: AsyncIterable<Uint8Array> | undefined, max: number): Promise<Buffer | undefined> {
  if (!body) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let n = 0;
  for await (const c of body) {
    n += c.length;
    if (n > max) {
      (body as { destroy?: () => void }).destroy?.();
      return undefined;
    }
    chunks.push(c);
  }
  return Buffer.concat(chunks, n);
}

/** Runs `load` up to `ahead` items at a time and hands results to `use` in item order. */
async function inOrder<T, R>(items: AsyncIterator<T>, load: (t: T) => Promise<R>, use: (t: T, r: R) => void, ahead: number): Promise<void> {
  const queue: { item: T; result: Promise<R> }[] = [];
  let done = false;
  const refill = async (): Promise<void> => {
    while (!done && queue.length < ahead) {
      const n = await items.next();
      if (n.done) done = true;
      else {
        const result = load(n.value);
        result.catch(() => undefined); // awaited below, in order
        queue.push({ item: n.value, result });
      }
    }
  };
  await refill();
  while (queue.length > 0) {
    const head = queue.shift()!;
    const r = await head.result;
    await refill();
    use(head.item, r);
  }
}

/** What walking a trail's log objects did: calls made, listing errors, prefixes listed. */
export interface S3LogWalk {
  readonly list: number;
  readonly get: number;
  readonly errors: readonly ScanError[];
  readonly prefixes: number;
}

/**
 * Every log object under `loc` (only the day folders of `days` when given), fetched a few at a
 * time and handed to `use` in key order, each bounded in size; a failed fetch is a LoadedFile error.
 */
export async function walkS3LogFiles(s3: S3Client, loc: S3Location, opts: S3ReadOptions, days: readonly string[] | undefined, use: (key: string, loaded: LoadedFile) => void): Promise<S3LogWalk> {
  const walk = new S3Walk(s3, loc, opts);
  const leaves = await walk.leafPrefixes(days);
  async function* allKeys(): AsyncGenerator<string> {
    for (const p of leaves) yield* walk.keys(p);
  }
  const maxBytes = opts.maxObjectBytes ?? 256 * 2 ** 20;
  await inOrder(allKeys(), (key) => walk.fetch(key, maxBytes), use, Math.max(1, opts.concurrency ?? 8));
  return { list: walk.list, get: walk.get, errors: walk.errors, prefixes: leaves.length };
}

export async function readCloudTrailFromS3(s3: S3Client, loc: S3Location, opts: S3ReadOptions = {}): Promise<S3ReadResult> {
  const now = opts.now ?? Date.now;
  const bounds = filterBounds(opts, now());
  const maxRecordErrors = opts.maxRecordErrorsPerFile ?? 5;
  const agg = newAggregator({
    ...(bounds.start !== undefined ? { windowStart: bounds.start } : {}),
    ...(bounds.end !== undefined ? { windowEnd: bounds.end } : {}),
    ...(opts.limits ? { limits: opts.limits } : {}),
    maxRecordErrors,
  });
  const days = bounds.start !== undefined && bounds.end !== undefined ? daysToList(bounds.start, bounds.end) : undefined;
  const errors: ScanError[] = [];
  let files = 0;
  let badFiles = 0;
  let records = 0;
  let badRecords = 0;
  let outsideWindow = 0;
  const walk = await walkS3LogFiles(s3, loc, opts, days, (_key, loaded) => {
    files++;
    const o = ingestLoaded(loaded, agg, maxRecordErrors);
    errors.push(...o.errors.map((e) => ({ ...e, source: 'cloudtrail-s3' as const })));
    if (!o.ok) badFiles++;
    records += o.records;
    badRecords += o.badRecords;
    outsideWindow += o.outsideWindow;
    opts.onProgress?.(records);
  });
  errors.unshift(...walk.errors);
  const window = reportedWindow(bounds, agg.earliest, agg.latest);
  const good = files - badFiles;
  const status: SourceInfo['status'] = good <= 0 ? 'unavailable' : badFiles > 0 || badRecords > 0 || walk.errors.length > 0 ? 'partial' : 'ok';
  const detail = [
    days ? `listed ${walk.prefixes} day folder(s) of the window` : `listed ${walk.prefixes} folder(s) whole (no window start)`,
    walk.errors.length > 0 ? `${walk.errors.length} listing error(s)` : '',
    files === 0 ? 'no CloudTrail log objects found' : '',
  ].filter(Boolean);
  const source: SourceInfo = {
    kind: 'cloudtrail-s3',
    location: loc.url,
    status,
    detail: detail.join('; '),
    counts: { files, badFiles, records, badRecords, outsideWindow, listCalls: walk.list, getCalls: walk.get, prefixes: walk.prefixes },
  };
  return {
    usage: agg.finish(window, walk.errors.length > 0 ? [] : coverageFor(window, agg.daysSeen)),
    sources: [source],
    errors,
    missingDays: agg.daysSeen.size === 0 ? [] : missingDays(window, agg.daysSeen),
    calls: { list: walk.list, get: walk.get },
  };
}

export function s3Reader(s3: S3Client, loc: S3Location, base: Omit<S3ReadOptions, keyof CloudTrailReadOptions> = {}): CloudTrailReader {
  return { location: loc.url, read: (opts) => readCloudTrailFromS3(s3, loc, { ...base, ...opts }) };
}
