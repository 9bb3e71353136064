// In-process A/B of CloudTrail document parsers on decompressed files of the bench corpus (session
// 41): JSON.parse, the JS scanner (scan-document.ts) and the WebAssembly route, alternating in one
// process, CPU time (process.cpuUsage, user + system) per pass over all files, best and median of
// the rounds. Copying each file into WASM memory counts against the WASM side.
// Run: npx tsx bench/wasm-scan-ab.ts [corpusDir=/tmp/w/ct] [files=100] [rounds=6] [wasmFile]
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { scanDocument } from '../src/collect/cloudtrail/scan-document.js';
import { scanDocumentWasm } from '../src/collect/cloudtrail/scan-wasm.js';
import { isDeepStrictEqual } from 'node:util';

const [root = '/tmp/w/ct', nFiles = '100', nRounds = '6', wasmFile = '/tmp/cts.wasm'] = process.argv.slice(2);

function gzFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) gzFiles(p, out);
    else if (name.endsWith('.json.gz')) out.push(p);
  }
  return out;
}

const docs = gzFiles(root).slice(0, Number(nFiles)).map((f) => gunzipSync(readFileSync(f)));
const total = docs.reduce((s, d) => s + d.length, 0);

const { instance } = await WebAssembly.instantiate(readFileSync(wasmFile));
const ex = instance.exports as { memory: WebAssembly.Memory; inputAt(): number; reserve(len: number): number; validate(len: number): number };
const at = ex.inputAt();

function wasmValidate(d: Buffer): number {
  if (!ex.reserve(d.length)) throw new Error('no memory');
  new Uint8Array(ex.memory.buffer, at, d.length).set(d);
  return ex.validate(d.length);
}

const routes: Record<string, (d: Buffer) => unknown> = {
  json: (d) => JSON.parse(d.toString('utf8')),
  scan: (d) => scanDocument(d),
  wasmValidate: (d) => wasmValidate(d),
  wasm: (d) => scanDocumentWasm(d),
};

// Sanity: every route accepts every file; the WASM count of records equals JSON.parse's.
for (const d of docs) {
  const n = (JSON.parse(d.toString('utf8')) as { Records: unknown[] }).Records.length;
  if (wasmValidate(d) !== n) throw new Error(`wasm count ${wasmValidate(d)} != ${n}`);
  const s = scanDocument(d);
  if (s === undefined) throw new Error('scan declined');
  if (!isDeepStrictEqual(scanDocumentWasm(d), s)) throw new Error('wasm differs from scan');
}

const times: Record<string, number[]> = Object.fromEntries(Object.keys(routes).map((k) => [k, []]));
for (let r = 0; r < Number(nRounds); r++) {
  const order = r % 2 === 0 ? Object.keys(routes) : Object.keys(routes).reverse();
  for (const k of order) {
    const f = routes[k]!;
    const t0 = process.cpuUsage();
    for (const d of docs) f(d);
    const t = process.cpuUsage(t0);
    times[k]!.push((t.user + t.system) / 1e6);
  }
}
const mb = total / 1e6;
console.log(`${docs.length} files, ${mb.toFixed(1)} MB decompressed, ${nRounds} rounds, node ${process.version}`);
for (const [k, ts] of Object.entries(times)) {
  const s = [...ts].sort((a, b) => a - b);
  console.log(`${k.padEnd(14)} best ${(mb / s[0]!).toFixed(0)} MB/s  median ${(mb / s[s.length >> 1]!).toFixed(0)} MB/s  (best ${s[0]!.toFixed(3)} s)`);
}
