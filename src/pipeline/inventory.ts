// The resource inventory of a snapshot: files named with --inventory (and the demo's own), read
// and merged by ARN. Resources whose ARN names no account (S3 buckets) and whose source did not
// say take the scanned account: a bucket listed for this scan belongs to it unless stated.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ResourceInventory } from '../model/inventory.js';
import { InputError } from '../model/errors.js';
import { demoDir } from './paths.js';
import type { ProgressFn, ScanOptions } from './scan.js';
import { parseS3Inventory } from '../collect/inventory/s3-url.js';
import type { InventoryFileOptions } from '../collect/inventory/load.js';

/** s3:// inventories are read with the scan's connection (profile, region, endpoint), through the read-only factory. */
function s3Access(opts: ScanOptions): { options: InventoryFileOptions; close(): void } {
  let clients: { s3: import('@aws-sdk/client-s3').S3Client; destroy(): void } | undefined;
  return {
    options: {
      s3: async () => {
        if (!clients) {
          const { createAwsClients } = await import('../collect/aws/client-factory.js');
          clients = createAwsClients({ ...(opts.profile ? { profile: opts.profile } : {}), ...(opts.region ? { region: opts.region } : {}), ...(opts.endpointUrl ? { endpointUrl: opts.endpointUrl } : {}) });
        }
        return clients.s3;
      },
    },
    close: () => clients?.destroy(),
  };
}

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
  for (const f of opts.inventory ?? []) if (f.startsWith('s3://')) parseS3Inventory(f);
  for (const f of opts.inventory ?? []) if (!f.startsWith('s3://') && !existsSync(f)) throw new InputError(f, '', 'a resource inventory file (--inventory): an AWS Config snapshot or a leash inventory', 'no such file or directory');
}

export async function collectInventory(opts: ScanOptions, accountId: string | undefined, onProgress: ProgressFn, live?: ResourceInventory): Promise<ResourceInventory | undefined> {
  // Live first: a file named on the command line fills or overrides what the API said (merge order).
  const parts: ResourceInventory[] = live ? [live] : [];
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
      const s3 = s3Access(opts);
      try {
        parts.push(await readInventoryFiles(files, s3.options));
      } finally {
        s3.close();
      }
    }
  }
  if (parts.length === 0) return undefined;
  return inArnOrder(withDefaultAccount(parts.length === 1 ? parts[0]! : mergeInventories(parts), accountId));
}

/**
 * The snapshot's resources in ARN order (code units), whatever the route. The live reader
 * finishes services in whatever order the network gives and a Config snapshot lists items in
 * Config's order; findings that name "1 production function, 1 production KMS key…" list types
 * in the order resources come, so without this the two routes (and two live runs) word the same
 * finding differently (test/pipeline/routes-agree-moto.test.ts found it).
 */
export function inArnOrder(inv: ResourceInventory): ResourceInventory {
  const sorted = [...inv.resources].sort((a, b) => (a.arn < b.arn ? -1 : a.arn > b.arn ? 1 : 0));
  return sorted.every((r, i) => r === inv.resources[i]) ? inv : { ...inv, resources: sorted };
}

/** The --inventory files and objects alone (several accounts scanned together read them once). */
export async function readNamedInventories(opts: ScanOptions): Promise<ResourceInventory> {
  const { readInventoryFiles } = await import('../collect/inventory/load.js');
  checkInventoryPaths(opts);
  const s3 = s3Access(opts);
  try {
    return await readInventoryFiles(opts.inventory ?? [], s3.options);
  } finally {
    s3.close();
  }
}
