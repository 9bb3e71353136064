// `--inventory FILE` (repeatable), `--resources` and `--regions` for every command that collects
// a snapshot (scan, fix, paths, who-can, …): option definitions and their translation into
// ScanOptions, in one place so each command adds one line to take part.
import type { Command } from 'commander';
import { InputError } from '../model/errors.js';
import { checkRegion } from './hints.js';

export interface InventoryCliOptions {
  readonly inventory?: string[];
  readonly resources?: boolean;
  readonly regions?: string[];
}

/** What collectSnapshot takes from these options (a subset of ScanOptions). */
export interface InventoryScanOptions {
  readonly inventory?: readonly string[];
  readonly resources?: boolean;
  readonly regions?: readonly string[];
}

/** `live`: also offer --resources/--regions (commands that can scan live AWS). */
export function addInventoryOptions(cmd: Command, opts: { live?: boolean } = {}): Command {
  cmd.option('--inventory <file...>', 'resource inventory: an AWS Config configuration snapshot or a leash inventory file (.json/.json.gz), s3://BUCKET/KEY of one, or s3://BUCKET/PREFIX/ (the newest Config snapshot per account and region under it); repeatable, merged by ARN');
  if (opts.live !== false) {
    cmd
      .option('--resources', 'live: also read the resource inventory (stacks, buckets, tables, DBs, functions, ECS/EKS, keys, secrets, queues, topics, repositories) and their resource-based policies')
      .option('--regions <regions...>', 'with --resources: regions to inventory; with --cloudtrail-lookup: regions whose LookupEvents are read too (space- or comma-separated; default: the scan region)');
  }
  return cmd;
}

/** Validated ScanOptions fields; a bad region is an InputError (exit 2) before anything is read. */
export function inventoryScanOptions(o: InventoryCliOptions & { readonly cloudtrailLookup?: unknown }): InventoryScanOptions {
  const regions = o.regions?.flatMap((r) => r.split(',')).map((r) => r.trim()).filter(Boolean);
  for (const r of regions ?? []) checkRegion(r, '--regions');
  if (regions && !o.resources && o.cloudtrailLookup === undefined) throw new InputError('--regions', '', 'to be used with --resources (the regions of the live resource inventory) or --cloudtrail-lookup (regions whose LookupEvents are read)', regions.join(' '));
  return {
    ...(o.inventory && o.inventory.length > 0 ? { inventory: o.inventory } : {}),
    ...(o.resources ? { resources: true } : {}),
    ...(regions && regions.length > 0 ? { regions: [...new Set(regions)] } : {}),
  };
}
