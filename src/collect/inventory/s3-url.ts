// s3://bucket/key of one inventory object, or s3://bucket/prefix/ under which AWS Config delivers
// its snapshots, checked before anything is read. No SDK import here: offline scans load this
// module too.
import { InputError } from '../../model/errors.js';

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export function isS3Spec(spec: string): boolean {
  return spec.startsWith('s3://');
}

const EXPECTED = 's3://BUCKET/KEY of one object (a Config snapshot, e.g. s3://config-bucket/AWSLogs/111122223333/Config/us-east-1/2026/12/1/ConfigSnapshot/….json.gz) or s3://BUCKET/PREFIX/ ending in "/" (the newest snapshot under it is read)';

/** One object (`key`) or a prefix (`prefix`, ending in "/" or empty for the whole bucket). */
export type S3Inventory = { readonly bucket: string; readonly key: string; readonly prefix?: undefined } | { readonly bucket: string; readonly prefix: string; readonly key?: undefined };

/** s3://bucket/key or s3://bucket/prefix/ (s3://bucket/ is the whole bucket); anything else is an InputError. */
export function parseS3Inventory(url: string): S3Inventory {
  const m = /^s3:\/\/([^/]+)\/(.*)$/.exec(url);
  if (!m || !BUCKET.test(m[1]!) || /[\u0000-\u001f]/.test(m[2]!) || m[2]!.startsWith('/') || m[2]!.includes('//')) {
    throw new InputError('--inventory', '', EXPECTED, JSON.stringify(url));
  }
  const rest = m[2]!;
  return rest === '' || rest.endsWith('/') ? { bucket: m[1]!, prefix: rest } : { bucket: m[1]!, key: rest };
}

/** s3://bucket/key of one object; a prefix (ending in "/") or a bad bucket name is an InputError. */
export function parseS3Object(url: string): { bucket: string; key: string } {
  const p = parseS3Inventory(url);
  if (p.key === undefined) throw new InputError('--inventory', '', 's3://BUCKET/KEY of one object here', JSON.stringify(url));
  return { bucket: p.bucket, key: p.key };
}
