// forEachLoaded: order, loads matching their items, and how far ahead it reads (session 21:
// loads now open their file at once and read it in one step, up to four files ahead).
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { forEachLoaded, loadLogFile, type LoadedFile } from '../../../src/collect/cloudtrail/ingest-file.js';

const tmp = mkdtempSync(join(tmpdir(), 'leash-ingest-file-'));

type Item = { name: string; file?: string };

function files(n: number, bytes = 100, gzip = true): Item[] {
  const out: Item[] = [];
  for (let i = 0; i < n; i++) {
    const gz = gzip && i % 2 === 1;
    const file = join(tmp, `f${n}-${bytes}-${i}.json${gz ? '.gz' : ''}`);
    const text = JSON.stringify({ Records: [], pad: String(i).padEnd(bytes, '.') });
    writeFileSync(file, gz ? gzipSync(text) : text);
    out.push({ name: `file ${i}`, file });
  }
  return out;
}

async function run(items: Item[], readAhead?: Parameters<typeof forEachLoaded>[3]): Promise<{ used: [string, LoadedFile | undefined][]; aheadAtUse: number[] }> {
  let pulled = 0;
  const used: [string, LoadedFile | undefined][] = [];
  const aheadAtUse: number[] = [];
  const it = items[Symbol.iterator]();
  const counting: Iterator<Item> = { next: () => { const n = it.next(); if (!n.done) pulled++; return n; } };
  await forEachLoaded(
    counting,
    (x) => x.file,
    (x, loaded) => {
      aheadAtUse.push(pulled - used.length - 1);
      used.push([x.name, loaded]);
    },
    readAhead,
  );
  return { used, aheadAtUse };
}

describe('forEachLoaded', () => {
  it('hands items over in order, each with its own file loaded (plain and gzip), and non-file items without a load', async () => {
    const fs = files(9);
    const items: Item[] = [{ name: 'walk error' }, ...fs.slice(0, 4), { name: 'between' }, ...fs.slice(4), { name: 'missing', file: join(tmp, 'nope.json') }];
    const { used } = await run(items);
    expect(used.map(([n]) => n)).toEqual(items.map((x) => x.name));
    for (const [name, loaded] of used) {
      const item = items.find((x) => x.name === name)!;
      if (item.file === undefined) expect(loaded).toBeUndefined();
      else if (name === 'missing') expect(loaded).toEqual({ file: item.file, error: 'cannot read file: ENOENT', code: 'not-found' });
      else {
        expect(loaded && 'bytes' in loaded && JSON.parse(loaded.bytes.toString('utf8')).pad.startsWith(name.slice(5))).toBe(true);
        expect(loaded!.file).toBe(item.file);
      }
    }
  });

  it('gives the same bytes as loadLogFile', async () => {
    const fs = files(3, 5000);
    const { used } = await run(fs);
    for (let i = 0; i < fs.length; i++) expect(used[i]![1]).toEqual(await loadLogFile(fs[i]!.file!));
  });

  it('reads up to four files ahead while they are small, two when they are large (bounded by bytes on disk)', async () => {
    const small = await run(files(10));
    expect(Math.max(...small.aheadAtUse)).toBe(4);
    // Files over the byte budget between them: never more than two ahead.
    const large = await run(files(6, 3000, false), { minFiles: 2, maxFiles: 4, maxBytes: 5000 });
    expect(Math.max(...large.aheadAtUse)).toBe(2);
    const one = await run(files(5), { minFiles: 1, maxFiles: 1, maxBytes: 0 });
    expect(Math.max(...one.aheadAtUse)).toBe(1);
  });

});

describe('loadLogFile reads', () => {
  it('a file whose size the file system gives as 0 to its end (/proc), and an empty file as empty', async () => {
    if (existsSync('/proc/self/status')) {
      const r = await loadLogFile('/proc/self/status');
      expect('bytes' in r && r.bytes.toString('utf8')).toMatch(/^Name:/);
    }
    const empty = join(tmp, 'empty.json');
    writeFileSync(empty, '');
    expect(await loadLogFile(empty)).toMatchObject({ error: expect.stringMatching(/^empty file/) });
  });

  it('a file of several MB whole, and a plain and a gzip copy alike', async () => {
    const text = JSON.stringify({ Records: Array.from({ length: 20000 }, (_, i) => ({ eventID: `id-${i}-${'x'.repeat(i % 200)}` })) });
    const plain = join(tmp, 'big.json');
    const gz = join(tmp, 'big.json.gz');
    writeFileSync(plain, text);
    writeFileSync(gz, gzipSync(text));
    for (const f of [plain, gz]) {
      const r = await loadLogFile(f);
      expect('bytes' in r && r.bytes.toString('utf8') === text).toBe(true);
    }
  });
});
