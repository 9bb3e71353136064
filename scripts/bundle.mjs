// The CLI as leash ships it: `node scripts/bundle.mjs [BUILD_DIR [OUT_DIR [NAME=MODULE…]]]` bundles the compiled
// modules of BUILD_DIR (default dist; `tsc` wrote BUILD_DIR/src) into OUT_DIR (default
// BUILD_DIR/bundle): one file per entry (the CLI, and the two worker-thread entries, which
// spawnWorker finds beside it), the code they share in chunks/ (loaded when first imported, so a
// command never loads what it does not use). Node 20 spends ~1 ms per ES module it loads; leash is
// ~280 of them, which was ~0.3 s of every start. npm packages stay in node_modules, except the
// few small pure-JS ones every command loads (INLINE: zod, yaml and commander were 172 of the 225
// modules an offline scan loaded); their licence texts go to THIRD_PARTY_LICENSES.txt beside it.
// Then the catalog file (src/iam/catalog-cache.ts) beside the bundle's entries. NAME=MODULE adds
// an entry (the bench bundles its full-scan runner, so that it measures the code as it ships).
import { spawnSync } from 'node:child_process';
import { chmodSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
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

/**
 * Packages bundled into leash's chunks rather than loaded from node_modules: pure JS, no files
 * found at run time, loaded by every command. The AWS SDK, ink/react, pg and the IAM data stay
 * external (large, and loaded only by the commands that use them).
 */
const INLINE = new Set(['zod', 'yaml', 'commander', 'croner', 're2js']);
const packageOf = (spec) => (spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);
const inlined = new Set();
/** Every bare import is external unless its package is INLINE (esbuild's `packages: 'external'`, with exceptions). */
const externalPackages = {
  name: 'external-packages',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('node:')) return { external: true };
      const pkg = packageOf(args.path);
      if (!INLINE.has(pkg)) return { external: true };
      inlined.add(pkg);
      return undefined;
    });
  },
};

await build({
  entryPoints: Object.fromEntries(Object.entries(ENTRIES).map(([name, file]) => [name, join(buildDir, file)])),
  outdir: outDir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  plugins: [externalPackages],
  // The bundled CommonJS packages (commander, yaml) require Node's built-ins; ESM has no `require`,
  // so each file gets its own (under a name no module of ours declares).
  banner: { js: "import { createRequire as __leashCreateRequire } from 'node:module'; const require = __leashCreateRequire(import.meta.url);" },
  // The chunks' folder is what code-location.ts looks for (BUNDLE_CHUNKS_DIR).
  chunkNames: 'chunks/[name]-[hash]',
  logLevel: 'warning',
});
chmodSync(join(outDir, 'main.js'), 0o755);
// The licence of each bundled package, as its package ships it (their notices must travel with the code).
const licences = [...inlined].sort().map((pkg) => {
  const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'node_modules', pkg);
  const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.(md|txt))?$/i.test(f));
  if (!file) throw new Error(`bundle: ${pkg} is bundled but ships no licence file`);
  const { version, license } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  return `${pkg} ${version} (${license})\n\n${readFileSync(join(dir, file), 'utf8').trim()}\n`;
});
writeFileSync(join(outDir, 'THIRD_PARTY_LICENSES.txt'), `Packages bundled into leash's code (scripts/bundle.mjs):\n\n${licences.join('\n---\n\n')}`);
const cache = spawnSync(process.execPath, [join(buildDir, 'src/iam/write-catalog-cache.js'), outDir], { stdio: 'inherit' });
if (cache.status !== 0) process.exit(cache.status ?? 1);
