// `--inventory s3://bucket/key` and `s3://bucket/prefix/`: Config snapshots read where AWS Config
// delivered them (AWSLogs/<account>/Config/<region>/<yyyy>/<m>/<d>/ConfigSnapshot/….json.gz),
// through the read-only factory's S3 client (ListObjectsV2 and GetObject only), bounded like a
// local file. Under a prefix, the newest snapshot of each account and region is read: a delivery
// bucket holds one snapshot series per account and region, and the scan wants the current one of
// each. Any failure is an InputError naming the URL: an inventory the user named and leash cannot
// read stops the scan (exit 2).
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { InputError } from '../../model/errors.js';
import { ReadOnlyViolationError } from '../aws/allowlist.js';
import { errorMessage } from '../aws/errors.js';
import { readBounded } from '../cloudtrail/sources/s3.js';
import { MAX_INVENTORY_FILE_BYTES, parseInventoryBuffer } from './read-file.js';
import { parseS3Inventory, parseS3Object } from './s3-url.js';

export { isS3Spec, parseS3Object, parseS3Inventory } from './s3-url.js';

/** Keys listed under a prefix before leash stops and asks for a narrower one (100 pages). */
export const MAX_LISTED_KEYS = 100_000;
/** Snapshots (account × region series) read from one prefix at most. */
export const MAX_PREFIX_SNAPSHOTS = 50;

export async function readInventoryS3Json(s3: S3Client, url: string, maxBytes = MAX_INVENTORY_FILE_BYTES): Promise<unknown> {
  const { bucket, key } = parseS3Object(url);
  let buf: Buffer | undefined;
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    if (out.ContentLength !== undefined && out.ContentLength > maxBytes) {
      (out.Body as { destroy?: () => void } | undefined)?.destroy?.();
      throw new InputError(url, '', `an inventory object of at most ${maxBytes} bytes`, `${out.ContentLength} bytes`);
    }
    buf = await readBounded(out.Body as AsyncIterable<Uint8Array> | undefined, maxBytes);
  } catch (e) {
    if (e instanceof InputError || e instanceof ReadOnlyViolationError) throw e;
    throw new InputError(url, '', 'a readable S3 object (s3:GetObject)', errorMessage(e));
  }
  if (buf === undefined) throw new InputError(url, '', `an inventory object of at most ${maxBytes} bytes`, 'more');
  return parseInventoryBuffer(buf, url, maxBytes);
}

/** Config's delivery path; the account and region name the series a snapshot belongs to. */
const DELIVERY = /(?:^|\/)AWSLogs\/(?:[^/]+\/)?(\d{12})\/Config\/([a-z0-9-]+)\/\d{4}\/\d{1,2}\/\d{1,2}\/ConfigSnapshot\/[^/]+\.json(?:\.gz)?$/;
/** Config's file name: <account>_Config_<region>_ConfigSnapshot_<yyyymmddThhmmssZ>_<id>.json.gz. */
const FILE_NAME = /(?:^|\/)(\d{12})_Config_([a-z0-9-]+)_ConfigSnapshot_(\d{8}T\d{6}Z)_[^/]*\.json(?:\.gz)?$/;

export interface SnapshotObject {
  readonly key: string;
  /** account/region of the series ('' when neither the path nor the name says). */
  readonly series: string;
  /** Sortable time: the file name's timestamp, else LastModified. */
  readonly at: string;
}

/** A listed key that is a Config snapshot, with its series and time; undefined for anything else (ConfigHistory, notifications). */
export function snapshotObject(key: string, lastModified: Date | undefined): SnapshotObject | undefined {
  if (!/(?:^|\/)ConfigSnapshot\/[^/]+\.json(?:\.gz)?$/.test(key)) return undefined;
  const d = DELIVERY.exec(key);
  const f = FILE_NAME.exec(key);
  const series = d ? `${d[1]}/${d[2]}` : f ? `${f[1]}/${f[2]}` : '';
  const at = f ? f[3]! : lastModified ? lastModified.toISOString().replace(/[-:]|\.\d+/g, '') : '';
  return { key, series, at };
}

/** The newest snapshot per series under a prefix: bounded listing (MAX_LISTED_KEYS), then bounded reads. */
export async function newestSnapshotKeys(s3: S3Client, bucket: string, prefix: string, url: string, maxKeys = MAX_LISTED_KEYS, pageSize?: number): Promise<{ keys: string[]; listed: number }> {
  const newest = new Map<string, SnapshotObject>();
  let listed = 0;
  let token: string | undefined;
  try {
    do {
      const out = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ...(pageSize ? { MaxKeys: pageSize } : {}), ...(token ? { ContinuationToken: token } : {}) }));
      for (const o of out.Contents ?? []) {
        if (!o.Key) continue;
        listed++;
        const s = snapshotObject(o.Key, o.LastModified);
        if (!s) continue;
        const seen = newest.get(s.series);
        if (!seen || s.at > seen.at || (s.at === seen.at && s.key > seen.key)) newest.set(s.series, s);
      }
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
      if (token && listed >= maxKeys) throw new InputError(url, '', `a prefix with at most ${maxKeys} objects under it (name a narrower one, e.g. …/AWSLogs/ACCOUNT/Config/REGION/${new Date().getUTCFullYear()}/)`, `more than ${listed}`);
    } while (token);
  } catch (e) {
    if (e instanceof InputError || e instanceof ReadOnlyViolationError) throw e;
    throw new InputError(url, '', 'a listable S3 prefix (s3:ListBucket)', errorMessage(e));
  }
  if (newest.size === 0) throw new InputError(url, '', 'an AWS Config snapshot under the prefix (…/ConfigSnapshot/….json.gz)', `none among ${listed} object(s)`);
  if (newest.size > MAX_PREFIX_SNAPSHOTS) throw new InputError(url, '', `at most ${MAX_PREFIX_SNAPSHOTS} snapshot series (account × region) under the prefix; name a narrower one (…/AWSLogs/ACCOUNT/)`, `${newest.size}`);
  return { keys: [...newest.values()].map((s) => s.key).sort(), listed };
}

/**
 * The JSON of what an s3:// spec names: one object, or the newest snapshot of each series under
 * a prefix, one at a time (each may be hundreds of MB: the caller normalises one before the next
 * is read).
 */
export async function* readInventoryS3(s3: S3Client, url: string): AsyncGenerator<{ url: string; raw: unknown }> {
  const spec = parseS3Inventory(url);
  if (spec.key !== undefined) {
    yield { url, raw: await readInventoryS3Json(s3, url) };
    return;
  }
  const { keys } = await newestSnapshotKeys(s3, spec.bucket, spec.prefix, url);
  for (const key of keys) {
    const objUrl = `s3://${spec.bucket}/${key}`;
    yield { url: objUrl, raw: await readInventoryS3Json(s3, objUrl) };
  }
}
