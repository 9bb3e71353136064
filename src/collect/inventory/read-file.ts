// Inventory files are read whole (a Config snapshot is one JSON document), so the read is
// bounded: only a regular file, at most MAX_INVENTORY_FILE_BYTES on disk and after gunzip.
// Every failure is an InputError naming the file: an inventory the user named and leash cannot
// read is bad input (exit 2), never a quiet gap in the blast radius.
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { InputError } from '../../model/errors.js';
import { decodeText } from '../iam/authorization-details-file.js';
import { jsonErrorOffset, lineColumn } from '../cloudtrail/json-error.js';

const gunzipAsync = promisify(gunzip) as (buf: Buffer, opts: { maxOutputLength: number }) => Promise<Buffer>;

/**
 * Largest inventory file, on disk and after gunzip. A Config snapshot of 50,000 resources with
 * their configurations is ~150–250 MB of JSON; V8 strings stop at 512 MB.
 */
export const MAX_INVENTORY_FILE_BYTES = 256 * 2 ** 20;

const WHAT = 'an inventory file (.json or .json.gz: a leash inventory or an AWS Config configuration snapshot)';

export async function readInventoryJson(file: string, maxBytes = MAX_INVENTORY_FILE_BYTES): Promise<unknown> {
  let buf: Buffer;
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer; only a regular file is read.
    const fh = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      const st = await fh.stat();
      if (!st.isFile()) throw new InputError(file, '', WHAT, st.isDirectory() ? 'a directory' : 'something that is not a regular file (a device, FIFO or socket)');
      if (st.size > maxBytes) throw new InputError(file, '', `${WHAT} of at most ${maxBytes} bytes`, `${st.size} bytes`);
      buf = await fh.readFile();
    } finally {
      await fh.close();
    }
  } catch (e) {
    if (e instanceof InputError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(file, '', WHAT, code === 'ENOENT' ? 'no such file' : code === 'ENAMETOOLONG' ? 'a file name over 255 bytes' : (code ?? String(e)));
  }
  return parseInventoryBuffer(buf, file, maxBytes);
}

/** Bytes of an inventory (a file, an S3 object) → JSON: gunzip by magic number, bounded; BOMs and UTF-16 decoded. */
export async function parseInventoryBuffer(buf: Buffer, file: string, maxBytes = MAX_INVENTORY_FILE_BYTES): Promise<unknown> {
  if (buf.length === 0) throw new InputError(file, '', WHAT, 'an empty file (0 bytes)');
  // Trust the gzip magic number over the file name: S3 downloads lose or add ".gz".
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) {
    try {
      // Bounded inflation: a small file that inflates past the limit (a gzip bomb) stops there.
      buf = await gunzipAsync(buf, { maxOutputLength: maxBytes });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError) throw new InputError(file, '', `${WHAT} that decompresses to at most ${maxBytes} bytes`, 'more');
      throw new InputError(file, '', 'a readable gzip file', `${(e as Error).message} (truncated download?)`);
    }
  }
  const text = decodeText(buf);
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    const at = jsonErrorOffset(text);
    // The parser's message may quote the file's bytes; the position is enough.
    throw new InputError(file, lineColumn(text, at < 0 ? text.length : at), 'valid JSON', (e as Error).message.replace(/"[^"]*"/g, '…').slice(0, 120));
  }
}
