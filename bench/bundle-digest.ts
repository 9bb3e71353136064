// Proof that a change to the engine changes no result: writes the demo bundle and a synthetic
// N-principal bundle (with --fixes, a fixed clock) and prints one sha256 per file (report.json.gz:
// of its JSON, which holds the temp paths). Run it with two builds and diff the outputs:
//   npx tsc -p . --outDir .cache/before   (on the old commit)   … and .cache/after
//   LEASH_BENCH_BUILD=.cache/before npx tsx bench/bundle-digest.ts 1500 > before.txt
//   LEASH_BENCH_BUILD=.cache/after  npx tsx bench/bundle-digest.ts 1500 > after.txt && diff before.txt after.txt
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadAwsManagedPolicies, syntheticAccount } from './synthetic-account.js';
import type { scanAndWrite as ScanAndWrite } from '../src/pipeline/scan.js';
import { reportText } from '../src/report/report-file.js';

const build = process.env.LEASH_BENCH_BUILD;
const { scanAndWrite } = (await import(build ? pathToFileURL(join(resolve(build), 'src/pipeline/scan.js')).href : '../src/pipeline/scan.js')) as { scanAndWrite: typeof ScanAndWrite };

const n = Number(process.argv[2] ?? 1500);
const now = new Date('2026-11-24T07:00:00Z');
const tmp = mkdtempSync(join(tmpdir(), 'leash-digest-'));
try {
  const input = join(tmp, `account-${n}.json`);
  writeFileSync(input, JSON.stringify(syntheticAccount(n, loadAwsManagedPolicies(resolve(process.cwd(), '../shared/fixtures')))));
  for (const [name, source] of [['demo', { demo: true as const }], [`synthetic-${n}`, { input }]] as const) {
    const output = join(tmp, name);
    await scanAndWrite({ ...source, fixes: true, now, output, reportsRoot: join(tmp, `${name}-reports`) });
    const files: string[] = [];
    const walk = (d: string): void => { for (const e of readdirSync(d).sort()) { const p = join(d, e); if (statSync(p).isDirectory()) walk(p); else files.push(p); } };
    walk(output);
    // Source locations name the build and the temp dir: those alone may differ between runs.
    const roots = [build ? resolve(build) : resolve('.'), tmp];
    // report.json.gz (past 16 MiB of JSON) is compared by its JSON: the paths are inside the gzip.
    const bytes = (f: string): string => roots.reduce((text, r) => text.split(r).join('<root>'), reportText(readFileSync(f), f));
    for (const f of files) process.stdout.write(`${createHash('sha256').update(bytes(f)).digest('hex')}  ${name}/${relative(output, f)}\n`);
  }
} finally {
  // LEASH_DIGEST_KEEP=1 keeps the bundles for a diff (their directory goes to stderr).
  if (process.env.LEASH_DIGEST_KEEP) process.stderr.write(`bundles kept in ${tmp}\n`);
  else rmSync(tmp, { recursive: true, force: true });
}
