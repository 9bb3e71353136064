// Writes the issue 9 corpus as export files, for trying the CLI by hand (`leash scan --input`,
// `leash paths`, a two-account scan of a dev/prod pair):
//   npx tsx test/support/write-fixture-files.ts /tmp/leash-corpus
// Layout: catalogue/<path-id>/<positive|negative-kind>.json, chains/<id>-<positive|break>.json
// (+ .scps.json when the case has SCPs), cross-account/<id>-<positive|break>/{dev,prod}.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chainCases } from './chain-cases.js';
import { crossAccountPairs } from './cross-account-cases.js';
import { coveredPathIds, privescCases } from './privesc-cases.js';

export function writeFixtureFiles(dir: string): number {
  let n = 0;
  const put = (rel: string, data: unknown) => {
    const file = join(dir, rel);
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
    n++;
  };
  for (const id of coveredPathIds()) {
    for (const c of privescCases(id)) put(`catalogue/${id}/${c.polarity === 'positive' ? `positive-${c.variant}` : `negative-${c.kind}`}.json`.replace(/[^\w./-]/g, '_'), c.export);
  }
  for (const c of chainCases()) {
    const base = `chains/${c.id}-${c.breaks ?? 'positive'}`;
    put(`${base}.json`, c.export);
    if (c.scps) put(`${base}.scps.json`, c.scps);
  }
  for (const p of crossAccountPairs()) {
    const base = `cross-account/${p.id}-${p.breaks ?? 'positive'}`;
    put(`${base}/dev.json`, p.dev);
    put(`${base}/prod.json`, p.prod);
  }
  return n;
}

if (process.argv[1]?.endsWith('write-fixture-files.ts')) {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: npx tsx test/support/write-fixture-files.ts OUTPUT_DIR');
    process.exit(2);
  }
  console.log(`${writeFixtureFiles(dir)} files written under ${dir}`);
}
