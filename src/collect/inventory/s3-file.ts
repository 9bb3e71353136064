// `--inventory s3://bucket/key`: a Config snapshot read where AWS Config delivered it
// (AWSLogs/<account>/Config/<region>/…/ConfigSnapshot/….json.gz), through the read-only
// factory's S3 client (GetObject only), bounded like a local file. Any failure is an InputError
// naming the URL: an inventory the user named and leash cannot read stops the scan (exit 2).
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { InputError } from '../../model/errors.js';
import { ReadOnlyViolationError } from '../aws/allowlist.js';
import { errorMessage } from '../aws/errors.js';
import { readBounded } from '../cloudtrail/sources/s3.js';
import { MAX_INVENTORY_FILE_BYTES, parseInventoryBuffer } from './read-file.js';
import { parseS3Object } from './s3-url.js';

export { isS3Spec, parseS3Object } from './s3-url.js';


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
