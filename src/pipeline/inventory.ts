// The resource inventory of a snapshot: files named with --inventory (and the demo's own), read
// and merged by ARN. Resources whose ARN names no account (S3 buckets) and whose source did not
// say take the scanned account: a bucket listed for this scan belongs to it unless stated.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ResourceInventory } from '../model/inventory.js';
import { InputError } from '../model/errors.js';
import { demoDir } from './paths.js';
import type { ProgressFn, ScanOptions } from './scan.js';

export function withDefaultAccount(inv: ResourceInventory, accountId: string | undefined): ResourceInventory {
  if (!accountId || !inv.resources.some((r) => r.account === '')) return inv;
  return { ...inv, resources: inv.resources.map((r) => (r.account === '' ? { ...r, account: accountId } : r)) };
}

/** Inventory files this scan reads: the demo's, then --inventory in order. */
export function inventoryFiles(opts: ScanOptions): string[] {
  const demo = join(demoDir, 'inventory.json');
  return [...(opts.demo && existsSync(demo) ? [demo] : []), ...(opts.inventory ?? [])];
}

/** Named files that do not exist are a typo: an error before anything is read. */
export function checkInventoryPaths(opts: ScanOptions): void {
  for (const f of opts.inventory ?? []) if (!existsSync(f)) throw new InputError(f, '', 'a resource inventory file (--inventory): an AWS Config snapshot or a leash inventory', 'no such file or directory');
}

export async function collectInventory(opts: ScanOptions, accountId: string | undefined, onProgress: ProgressFn): Promise<ResourceInventory | undefined> {
  const parts: ResourceInventory[] = [];
  const { readInventoryFiles, mergeInventories } = await import('../collect/inventory/index.js');
  if (opts.inventoryRead) {
    parts.push(opts.inventoryRead);
    // The demo's own file still belongs to a demo scan that was handed other files already read.
    if (opts.demo) {
      const demo = inventoryFiles({ demo: true });
      if (demo.length > 0) parts.push(await readInventoryFiles(demo));
    }
  } else {
    const files = inventoryFiles(opts);
    if (files.length > 0) {
      onProgress('collect', `resource inventory (${files.length} file${files.length === 1 ? '' : 's'})`);
      parts.push(await readInventoryFiles(files));
    }
  }
  if (parts.length === 0) return undefined;
  return withDefaultAccount(parts.length === 1 ? parts[0]! : mergeInventories(parts), accountId);
}
