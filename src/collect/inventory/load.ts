// `--inventory FILE` (repeatable): each file is told apart by content — a leash inventory
// (`leashInventory: 1`) or an AWS Config configuration snapshot (`configurationItems`) — and
// all are merged, resources deduplicated by ARN (see merge.ts).
import { resolve } from 'node:path';
import type { ResourceInventory } from '../../model/inventory.js';
import { InputError } from '../../model/errors.js';
import { readInventoryJson } from './read-file.js';
import { isLeashInventory, normalizeLeashInventory, type InventoryReadOptions } from './leash-file.js';
import { isConfigSnapshot, normalizeConfigSnapshot } from './config-snapshot.js';
import { mergeInventories } from './merge.js';
import type { S3Client } from '@aws-sdk/client-s3';

/** One parsed inventory document, whichever shape it has. Throws InputError for neither shape. */
export function normalizeInventory(raw: unknown, file: string, opts: InventoryReadOptions = {}): ResourceInventory {
  if (isLeashInventory(raw)) return normalizeLeashInventory(raw, file, opts);
  if (isConfigSnapshot(raw)) return normalizeConfigSnapshot(raw, file, opts);
  const got = raw === null ? 'null' : Array.isArray(raw) ? 'an array' : typeof raw === 'object' ? `an object with keys ${Object.keys(raw).slice(0, 5).map((k) => JSON.stringify(k)).join(', ') || '(none)'}` : typeof raw;
  throw new InputError(file, '$', 'a leash inventory ({"leashInventory": 1, "resources": [...]}) or an AWS Config configuration snapshot ({"configurationItems": [...]})', got);
}

export interface InventoryFileOptions extends InventoryReadOptions {
  /** The S3 client for s3:// specs (from the read-only factory); asked for only when one is named. */
  readonly s3?: () => S3Client | Promise<S3Client>;
}

/** A local file, s3://bucket/key of one object, or s3://bucket/prefix/ (its newest snapshot per account and region; needs `opts.s3`). */
export async function readInventoryFile(file: string, opts: InventoryFileOptions = {}): Promise<ResourceInventory> {
  if (file.startsWith('s3://')) {
    if (!opts.s3) throw new InputError(file, '', 'a local inventory file here (s3:// needs AWS credentials: leash scan --inventory s3://…)', file);
    const { readInventoryS3 } = await import('./s3-file.js');
    const parts: ResourceInventory[] = [];
    for await (const { url, raw } of readInventoryS3(await opts.s3(), file)) parts.push(normalizeInventory(raw, url, opts));
    return parts.length === 1 ? parts[0]! : mergeInventories(parts);
  }
  return normalizeInventory(await readInventoryJson(file), resolve(file), opts);
}

/** Every file read (in order; a bad one throws before the scan writes anything), then merged. */
export async function readInventoryFiles(files: readonly string[], opts: InventoryFileOptions = {}): Promise<ResourceInventory> {
  const parts: ResourceInventory[] = [];
  for (const f of files) parts.push(await readInventoryFile(f, opts));
  return mergeInventories(parts);
}
