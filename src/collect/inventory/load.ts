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

/** One parsed inventory document, whichever shape it has. Throws InputError for neither shape. */
export function normalizeInventory(raw: unknown, file: string, opts: InventoryReadOptions = {}): ResourceInventory {
  if (isLeashInventory(raw)) return normalizeLeashInventory(raw, file, opts);
  if (isConfigSnapshot(raw)) return normalizeConfigSnapshot(raw, file, opts);
  const got = raw === null ? 'null' : Array.isArray(raw) ? 'an array' : typeof raw === 'object' ? `an object with keys ${Object.keys(raw).slice(0, 5).map((k) => JSON.stringify(k)).join(', ') || '(none)'}` : typeof raw;
  throw new InputError(file, '$', 'a leash inventory ({"leashInventory": 1, "resources": [...]}) or an AWS Config configuration snapshot ({"configurationItems": [...]})', got);
}

export async function readInventoryFile(file: string, opts: InventoryReadOptions = {}): Promise<ResourceInventory> {
  return normalizeInventory(await readInventoryJson(file), resolve(file), opts);
}

/** Every file read (in order; a bad one throws before the scan writes anything), then merged. */
export async function readInventoryFiles(files: readonly string[], opts: InventoryReadOptions = {}): Promise<ResourceInventory> {
  const parts: ResourceInventory[] = [];
  for (const f of files) parts.push(await readInventoryFile(f, opts));
  return mergeInventories(parts);
}
