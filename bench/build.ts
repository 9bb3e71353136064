// The benchmarks measure leash as it ships: compiled JS (a private tsc build under .cache/, not
// dist/, which tests and the CLI use), falling back to the TypeScript sources under tsx.
import { existsSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

let built: string | undefined | null = null;

/** Compiles the project into .cache/bench-build once per process; undefined if that fails. */
export function buildForBench(): string | undefined {
  if (built !== null) return built;
  const out = join(repoRoot, '.cache/bench-build');
  // A bench run under another runtime (bench/runtimes.ts) measures the build its parent made: compiled JS is the same for both.
  if (process.env.LEASH_BENCH_BUILT === out && existsSync(join(out, 'bundle/full-scan.js'))) return (built = out);
  rmSync(out, { recursive: true, force: true });
  // tsc emits even when some file has type errors; only the files the benchmarks read must come out.
  spawnSync(process.execPath, [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', repoRoot, '--outDir', out], { encoding: 'utf8' });
  const needed = ['src/pipeline/scan.js', 'src/collect/cloudtrail/sources/files.js', 'src/collect/cloudtrail/ingest-worker.js', 'src/pipeline/analysis-worker.js', 'src/iam/catalog.js'];
  built = needed.every((f) => existsSync(join(out, f))) ? out : undefined;
  // The catalog file `npm run build` writes beside catalog.js (iam/catalog-cache.ts): without it
  // the build loads the catalog from its package, as a source run does, ~0.1 s slower to start.
  if (built) spawnSync(process.execPath, [join(out, 'src/iam/write-catalog-cache.js')], { encoding: 'utf8' });
  // The full-scan runner bundled as the CLI ships (scripts/bundle.mjs): its start is leash's.
  if (built) spawnSync(process.execPath, [join(repoRoot, 'scripts/bundle.mjs'), out, join(out, 'bundle'), 'full-scan=bench/full-scan.js'], { encoding: 'utf8' });
  return built;
}
