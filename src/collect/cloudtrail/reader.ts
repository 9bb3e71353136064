// One interface for every way leash reads CloudTrail: local files, an S3 trail in place, Athena
// over the trail table (and LookupEvents, which the live collector still calls itself). Each gives
// the same UsageData, folded by the same aggregator (aggregate.ts), plus what it read and what failed.
import { InputError, type ScanError, type SourceInfo } from '../../model/errors.js';
import type { UsageData } from '../../model/usage.js';
import type { AggregatorLimits } from './aggregate.js';

export interface CloudTrailReadOptions {
  /** Window length in days; records older than end − windowDays are skipped. */
  readonly windowDays?: number;
  /** Window end, ISO 8601. Default: now when windowDays is given, else the latest record. */
  readonly end?: string;
  readonly limits?: Partial<AggregatorLimits>;
  /** Called now and then with the running number of records read (or rows, for Athena). */
  readonly onProgress?: (recordsRead: number) => void;
  readonly now?: () => number;
  readonly signal?: AbortSignal;
}

/** What every reader returns. readCloudTrail's result (local files) has this shape and more. */
export interface CloudTrailUsageResult {
  readonly usage: UsageData;
  readonly sources: SourceInfo[];
  readonly errors: ScanError[];
  /** UTC days in the window with no record (first 1,000): why coverage is not complete. */
  readonly missingDays: string[];
}

export interface CloudTrailReader {
  /** Where it reads from, for messages (a path list, an s3:// URL, workgroup/database.table). */
  readonly location: string;
  read(opts: CloudTrailReadOptions): Promise<CloudTrailUsageResult>;
}

/** The --cloudtrail / --cloudtrail-athena arguments, told apart once. */
export type CloudTrailSpec =
  | { readonly kind: 'files'; readonly paths: readonly string[] }
  | { readonly kind: 's3'; readonly bucket: string; readonly prefix: string; readonly url: string }
  | { readonly kind: 'athena'; readonly workgroup: string; readonly database: string; readonly table: string };

// Bucket names: 3–63 of lower-case letters, digits, dots and hyphens (the S3 naming rules).
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export function parseS3Url(url: string, flag = '--cloudtrail'): { bucket: string; prefix: string; url: string } {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url);
  if (!m || !BUCKET.test(m[1]!)) throw new InputError(flag, '', 's3://BUCKET/PREFIX with a valid S3 bucket name (e.g. s3://org-trail-logs/AWSLogs/)', JSON.stringify(url));
  const rest = m[2]!;
  if (rest.includes('..') || /[\u0000-\u001f]/.test(rest)) throw new InputError(flag, '', 'an S3 key prefix without ".." or control characters', JSON.stringify(url));
  const prefix = rest === '' || rest.endsWith('/') ? rest : `${rest}/`;
  return { bucket: m[1]!, prefix, url: `s3://${m[1]}/${prefix}` };
}

// Athena names: workgroups allow [a-zA-Z0-9._-]; Glue databases and tables are lower-case
// letters, digits and underscores. Quoted in SQL anyway; anything else is refused here.
const WORKGROUP = /^[A-Za-z0-9._-]{1,128}$/;
const GLUE_NAME = /^[A-Za-z0-9_]{1,255}$/;

export function parseAthenaSpec(spec: string): { workgroup: string; database: string; table: string } {
  const m = /^([^/]+)\/([^.]+)\.(.+)$/.exec(spec);
  if (!m || !WORKGROUP.test(m[1]!) || !GLUE_NAME.test(m[2]!) || !GLUE_NAME.test(m[3]!)) {
    throw new InputError('--cloudtrail-athena', '', 'WORKGROUP/DATABASE.TABLE (e.g. primary/security.cloudtrail_logs; letters, digits, underscores)', JSON.stringify(spec));
  }
  return { workgroup: m[1]!, database: m[2]!.toLowerCase(), table: m[3]!.toLowerCase() };
}

/** --cloudtrail values: s3:// URLs each become an S3 spec, everything else is local paths. */
export function cloudTrailSpecs(cloudtrail: readonly string[] = [], athena?: string): CloudTrailSpec[] {
  const specs: CloudTrailSpec[] = [];
  const paths = cloudtrail.filter((p) => !p.startsWith('s3://'));
  if (paths.length > 0) specs.push({ kind: 'files', paths });
  for (const u of cloudtrail.filter((p) => p.startsWith('s3://'))) specs.push({ kind: 's3', ...parseS3Url(u) });
  if (athena !== undefined) specs.push({ kind: 'athena', ...parseAthenaSpec(athena) });
  return specs;
}
