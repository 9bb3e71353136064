// The CLI as leash ships it: `node scripts/bundle.mjs [BUILD_DIR [OUT_DIR [NAME=MODULE…]]]` bundles the compiled
// modules of BUILD_DIR (default dist; `tsc` wrote BUILD_DIR/src) into OUT_DIR (default
// BUILD_DIR/bundle): one file per entry (the CLI, and the two worker-thread entries, which
// spawnWorker finds beside it), the code they share in chunks/ (loaded when first imported, so a
// command never loads what it does not use), npm packages left to node_modules. Node 20 spends
// ~1 ms per ES module it loads; leash is ~280 of them, which was ~0.3 s of every start.
// Then the catalog file (src/iam/catalog-cache.ts) beside the bundle's entries. NAME=MODULE adds
// an entry (the bench bundles its full-scan runner, so that it measures the code as it ships).
import { spawnSync } from 'node:child_process';
import { chmodSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

const buildDir = resolve(process.argv[2] ?? 'dist');
const outDir = resolve(process.argv[3] ?? join(buildDir, 'bundle'));
/** Entry name → compiled module. Worker entry names are what spawnWorker asks for (src/threads/spawn.ts). */
const ENTRIES = {
  main: 'src/cli/main.js',
  'analysis-worker': 'src/pipeline/analysis-worker.js',
  'ingest-worker': 'src/collect/cloudtrail/ingest-worker.js',
  ...Object.fromEntries(process.argv.slice(4).map((arg) => arg.split('='))),
};

await build({
  entryPoints: Object.fromEntries(Object.entries(ENTRIES).map(([name, file]) => [name, join(buildDir, file)])),
  outdir: outDir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  // The chunks' folder is what code-location.ts looks for (BUNDLE_CHUNKS_DIR).
  chunkNames: 'chunks/[name]-[hash]',
  logLevel: 'warning',
});
chmodSync(join(outDir, 'main.js'), 0o755);
const cache = spawnSync(process.execPath, [join(buildDir, 'src/iam/write-catalog-cache.js'), outDir], { stdio: 'inherit' });
if (cache.status !== 0) process.exit(cache.status ?? 1);
