// The one JSON walker (json-stream.ts): whatever the value, its pieces joined are the JSON that
// JSON.stringify writes — byte for byte in the pretty layout, the same value in the records layout
// — and a lazy list is written as the list it yields, to a real file in small chunks too.
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonPieces, LazyList, PieceWriter, writeJsonTo } from '../../src/report/json-stream.js';
import { jsonAsciiText, jsonTextSafe } from '../../src/safe/text.js';
import { asciiJson } from '../../src/report/report-file.js';

/** Some lists of a JSON value made lazy (chosen by the value's own shape, so it is reproducible). */
function withLazyLists(v: unknown, lazy: boolean): unknown {
  if (Array.isArray(v)) {
    const items = v.map((x, i) => withLazyLists(x, (i + v.length) % 2 === 0));
    return lazy ? new LazyList(() => items) : items;
  }
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x], i) => [k, withLazyLists(x, (k.length + i) % 2 === 0)]));
  return v;
}

// Values JSON.stringify drops or turns to null sit among the others.
const value = fc.oneof(
  { weight: 5, arbitrary: fc.jsonValue({ maxDepth: 5 }) },
  { weight: 1, arbitrary: fc.dictionary(fc.string(), fc.oneof(fc.constant(undefined), fc.constant(() => 1), fc.jsonValue({ maxDepth: 2 }), fc.array(fc.oneof(fc.constant(undefined), fc.integer())))) },
);

describe('jsonPieces', () => {
  it('pretty: joined pieces are exactly JSON.stringify(v, null, 2), at any walk depth (property)', () => {
    fc.assert(fc.property(value, fc.integer({ min: 0, max: 6 }), (v, depth) => {
      expect([...jsonPieces(v, 'pretty', depth)].join('')).toBe(JSON.stringify(v, null, 2) ?? 'null');
    }), { numRuns: 300, seed: 20261204 });
  });

  it('records: joined pieces parse to what JSON.stringify gives, one list element per line (property)', () => {
    fc.assert(fc.property(value, (v) => {
      const text = [...jsonPieces(v, 'records')].join('');
      expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(v) ?? 'null'));
      // No element of a top-level list spans lines.
      if (Array.isArray(v)) expect(text.split('\n').length).toBe(v.length === 0 ? 1 : v.length + 2);
    }), { numRuns: 300, seed: 20261204 });
  });

  it('line: joined pieces are exactly the compact JSON.stringify(v), one line (property)', () => {
    fc.assert(fc.property(value, (v) => {
      const text = [...jsonPieces(v, 'line')].join('');
      expect(text).toBe(jsonTextSafe(JSON.stringify(v) ?? 'null'));
      expect(text).not.toContain('\n');
    }), { numRuns: 300, seed: 20261204 });
  });

  it('records with jsonAsciiText: ASCII only, the same value, and the very bytes asciiJson made of the plain text (property)', () => {
    // Strings of any UTF-16 units: → and —, astral characters (two surrogates), lone surrogates, C1 and bidi controls.
    const unicode = fc.jsonValue({ maxDepth: 4, stringUnit: fc.oneof(fc.constantFrom('→', '—', '😀', '\u2028', '\u202e', '\u0085', '\ud800', '\udfff', '\u007f', '~', 'a', '"', '\\', '\n'), fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c))) });
    fc.assert(fc.property(unicode, fc.boolean(), (v, lazy) => {
      const w = withLazyLists(v, lazy);
      const ascii = [...jsonPieces(w, 'records', Infinity, '', jsonAsciiText)].join('');
      expect(/^[\x00-\x7e]*$/.test(ascii)).toBe(true);
      expect(JSON.parse(ascii)).toEqual(JSON.parse(JSON.stringify(v)));
      // What report.json held before the escape moved: the default walker's UTF-8, through asciiJson.
      expect(Buffer.from(ascii, 'latin1').equals(asciiJson(Buffer.from([...jsonPieces(w, 'records')].join(''), 'utf8')))).toBe(true);
    }), { numRuns: 400, seed: 20261207 });
  });

  it('jsonAsciiText leaves ASCII text as the same string and escapes what is past it (controls: DEL and U+2192)', () => {
    const plain = '{"a":"b~c"}';
    expect(jsonAsciiText(plain)).toBe(plain);
    expect(jsonAsciiText('"x\u007fy→z😀"')).toBe('"x\\u007fy\\u2192z\\ud83d\\ude00"');
    expect(JSON.parse(jsonAsciiText('"x\u007fy→z😀"'))).toBe('x\u007fy→z😀');
  });

  it('a lazy list is written as the list it yields, in both layouts, and JSON.stringify agrees (property)', () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 5 }), fc.boolean(), (v, top) => {
      const lazy = withLazyLists(v, top);
      expect(JSON.stringify(lazy)).toBe(JSON.stringify(v));
      expect([...jsonPieces(lazy, 'pretty')].join('')).toBe(JSON.stringify(v, null, 2));
      expect(JSON.parse([...jsonPieces(lazy, 'records')].join(''))).toEqual(JSON.parse(JSON.stringify(v)));
      expect([...jsonPieces(lazy, 'line')].join('')).toBe(JSON.stringify(v));
    }), { numRuns: 200, seed: 20261204 });
  });

  it('a lazy list is generated while it is written, one element at a time', () => {
    let made = 0;
    const list = new LazyList(function* () {
      for (let i = 0; i < 3; i++) {
        made++;
        yield { i };
      }
    });
    const pieces = jsonPieces(list, 'records');
    // A record comes as one piece with the separator before it.
    expect(pieces.next().value).toBe('[\n  {"i":0}');
    expect(made).toBe(1);
    expect(pieces.next().value).toBe(',\n  {"i":1}');
    expect(made).toBe(2);
    expect([...pieces].join('')).toBe(',\n  {"i":2}\n]');
    expect(made).toBe(3);
  });

  it('an open lazy list has its elements opened in the records layout: their lists hold the records (SARIF runs)', () => {
    const log = { version: '2.1.0', runs: new LazyList(() => [{ tool: { name: 'leash' }, results: [{ ruleId: 'a', level: 'error' }, { ruleId: 'b' }] }], true) };
    const text = [...jsonPieces(log, 'records')].join('');
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(log)));
    expect(text.split('\n')).toContain('        {"ruleId":"a","level":"error"},');
  });

  it('writeJsonTo a real file in small chunks writes the same text (property)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'leash-json-stream-'));
    try {
      await fc.assert(fc.asyncProperty(fc.jsonValue({ maxDepth: 4 }), fc.constantFrom<'pretty' | 'records' | 'line'>('pretty', 'records', 'line'), fc.integer({ min: 1, max: 64 }), async (v, layout, chunk) => {
        const file = join(dir, 'out.json');
        const fh = await open(file, 'w');
        try {
          await writeJsonTo(fh, withLazyLists(v, true), chunk, layout);
        } finally {
          await fh.close();
        }
        expect(await readFile(file, 'utf8')).toBe(`${[...jsonPieces(v, layout)].join('')}\n`);
      }), { numRuns: 50, seed: 20261204 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('PieceWriter', () => {
  it('the file holds every piece in order, whatever their sizes and characters, for any buffer size (property)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'leash-piecewriter-'));
    try {
      // Multi-byte and astral characters (a surrogate pair is 4 bytes), pieces larger than a buffer.
      const piece = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 200 }));
      let n = 0;
      await fc.assert(fc.asyncProperty(fc.array(piece, { maxLength: 60 }), fc.integer({ min: 4, max: 300 }), async (pieces, bytes) => {
        const file = join(dir, `f${n++}`);
        const fh = await open(file, 'wx');
        try {
          const out = new PieceWriter(fh, bytes);
          for (const p of pieces) {
            const wait = out.write(p);
            if (wait) await wait;
          }
          await out.end();
        } finally {
          await fh.close();
        }
        expect(await readFile(file, 'utf8')).toBe(pieces.join(''));
      }), { seed: 23, numRuns: 150 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a write that fails rejects end(), and no rejection goes unhandled', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'leash-piecewriter-'));
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown): void => { unhandled.push(e); };
    process.on('unhandledRejection', onUnhandled);
    try {
      await (await open(join(dir, 'ro'), 'wx')).close();
      // Opened read-only: every write fails (EBADF), the first one while the next buffer fills.
      const fh = await open(join(dir, 'ro'), 'r');
      try {
        const out = new PieceWriter(fh, 64);
        const run = async (): Promise<void> => {
          for (const p of Array.from({ length: 40 }, (_, i) => `piece${i}`)) {
            const wait = out.write(p);
            if (wait) await wait;
          }
          await out.end();
        };
        await expect(run()).rejects.toThrow(/EBADF|bad file/i);
      } finally {
        await fh.close();
      }
      await new Promise((r) => setImmediate(r));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      await rm(dir, { recursive: true, force: true });
    }
  });
});
