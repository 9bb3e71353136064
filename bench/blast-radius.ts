// One run in its own process (peak RSS is this run's): the synthetic account of N principals with
// a synthetic inventory of M resources; the whole scan (checks that name resources included),
// then the blast radius of every principal, timed on its own.
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadAwsManagedPolicies, syntheticAccount } from './synthetic-account.js';
import { syntheticInventory } from './synthetic-resources.js';
import type * as Scan from '../src/pipeline/scan.js';
import type * as Blast from '../src/resources/blast.js';

const build = process.env.LEASH_BENCH_BUILD;
const load = async <T>(rel: string): Promise<T> => (await import(build ? pathToFileURL(join(build, `${rel}.js`)).href : `../${rel}.js`)) as T;
const { collectSnapshot, analyzeSnapshots } = await load<typeof Scan>('src/pipeline/scan');
const { resourceView } = await load<typeof Blast>('src/resources/blast');

const n = Number(process.argv[2] ?? 10000);
const m = Number(process.argv[3] ?? 50000);
const managed = loadAwsManagedPolicies(resolve(process.cwd(), '../shared/fixtures'));
const account = syntheticAccount(n, managed) as { RoleDetailList: { Arn: string }[]; UserDetailList: { Arn: string }[] };
const file = join(mkdtempSync(join(tmpdir(), 'leash-bench-')), `account-${n}.json`);
writeFileSync(file, JSON.stringify(account));
const inventoryRead = syntheticInventory(m, [...account.RoleDetailList, ...account.UserDetailList].map((p) => p.Arn));
const now = new Date('2026-11-24T00:00:00Z');
const t0 = performance.now();
const stages: Record<string, number> = {};
const c = await collectSnapshot({ input: file, inventoryRead });
// Progress on stderr: a run stopped before the end still says where its time went.
const progress = (what: string) => process.stderr.write(`${Math.round(performance.now() - t0)} ms: ${what}, rss ${Math.round(process.memoryUsage().rss / 2 ** 20)} MiB\n`);
progress(`collected ${n} × ${m}`);
const [a] = analyzeSnapshots([c.snapshot], c.config, { scanId: 'bench', startedAt: now.toISOString(), now, fixes: false, onStage: (s, ms) => { stages[s] = Math.round((stages[s] ?? 0) + ms); progress(`stage ${s} ${Math.round(ms)} ms`); } });
const scanMs = performance.now() - t0;
// The blast radius of every principal (delete, destructive, read; itself and through the graph),
// counted by type with a named sample of 50, on a fresh view (nothing reused from the scan).
const t1 = performance.now();
const view = resourceView({ ...c.snapshot }, a!.graph, c.config)!;
let entries = 0, withNames = 0;
for (const [i, p] of c.snapshot.principals.entries()) {
  if (i > 0 && i % 1000 === 0) progress(`blast radius of ${i} principals`);
  const b = view.summary(p.arn, { kinds: ['delete', 'destructive', 'read'], which: 'any', limit: 50 });
  entries += b.count;
  if (b.count > 0) withNames++;
}
const blastMs = performance.now() - t1;
const named = a!.report.findings.filter((f) => f.resources !== undefined).length;
process.stdout.write(JSON.stringify({ principals: c.snapshot.principals.length, resources: m, findings: a!.report.findings.length, namedFindings: named, stages, scanMs: Math.round(scanMs), blastAllMs: Math.round(blastMs), principalsWithResources: withNames, resourcesNamedTotal: entries, code: build ? 'compiled' : 'source', peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024) }) + '\n');
