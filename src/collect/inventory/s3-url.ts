// s3://bucket/key of one inventory object, checked before anything is read. No SDK import here:
// offline scans load this module too.
import { InputError } from '../../model/errors.js';

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export function isS3Spec(spec: string): boolean {
  return spec.startsWith('s3://');
}

/** s3://bucket/key of one object; a prefix (ending in "/") or a bad bucket name is an InputError. */
export function parseS3Object(url: string): { bucket: string; key: string } {
  const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(url);
  if (!m || !BUCKET.test(m[1]!) || m[2]!.endsWith('/') || /[\u0000-\u001f]/.test(m[2]!)) {
    throw new InputError('--inventory', '', 's3://BUCKET/KEY of one object (a Config snapshot, e.g. s3://config-bucket/AWSLogs/111122223333/Config/us-east-1/2026/12/1/ConfigSnapshot/….json.gz)', JSON.stringify(url));
  }
  return { bucket: m[1]!, key: m[2]! };
}

