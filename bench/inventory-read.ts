// One inventory-read run in its own process (peak RSS is this run's): a synthetic Config snapshot
// of N configuration items, gzipped, read through the real file reader.
import { mkdtempSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { syntheticConfigSnapshot } from './synthetic-inventory.js';
import { readInventoryFile } from '../src/collect/inventory/load.js';

const n = Number(process.argv[2] ?? 50_000);
const file = join(mkdtempSync(join(tmpdir(), 'leash-bench-inv-')), 'snapshot.json.gz');
const json = JSON.stringify(syntheticConfigSnapshot(n));
writeFileSync(file, gzipSync(json));
const rssBefore = process.memoryUsage().rss / 2 ** 20;
const t0 = performance.now();
const inv = await readInventoryFile(file);
const ms = performance.now() - t0;
process.stdout.write(JSON.stringify({
  configurationItems: n, jsonMiB: Math.round(json.length / 2 ** 20), gzMiB: +(statSync(file).size / 2 ** 20).toFixed(1),
  resources: inv.resources.length, withPolicy: inv.resources.filter((r) => r.policy).length, errors: inv.errors.length,
  wallMs: Math.round(ms), rssBeforeMiB: Math.round(rssBefore), peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
}) + '\n');
