// The WebAssembly scanner route must give exactly the JS scanner's partial document (and so
// JSON.parse's usage): on the real fixture trails, on generated hostile text, at every position of
// its 16-byte string loop, at JSON's edges, and through readCloudTrail. Where it declines, the
// JSON.parse fallback runs and the usage is the same. The compiled bytes are its source's.
import fc from 'fast-check';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { CloudTrailParser } from '../../../src/collect/cloudtrail/ingest-file.js';
import { scanDocument } from '../../../src/collect/cloudtrail/scan-document.js';
import { scanDocumentWasm } from '../../../src/collect/cloudtrail/scan-wasm.js';
import { readCloudTrail } from '../../../src/collect/cloudtrail/sources/files.js';
import { documentText, ingestWith, placedAt, trailFiles } from '../../support/cloudtrail-text.js';
import { ownFixture, repoRoot, sharedFixture, sharedFixturesPresent, SKIP_REASON } from '../../support/fixtures.js';

const ingest = ingestWith;

function parses(bytes: Buffer): boolean {
  try {
    JSON.parse(bytes.toString('utf8'));
    return true;
  } catch {
    return false;
  }
}

let built = 0;
let declined = 0;

/**
 * The wasm route against the JS scanner: the same partial document, or both undefined; and the
 * same outcome and usage as the JS scanner and JSON.parse routes (node's deep equality: a principal
 * named "constructor" is a key of the usage objects).
 */
function sameAsScanner(bytes: Buffer): void {
  const wasm = scanDocumentWasm(bytes);
  const scan = scanDocument(bytes);
  expect(wasm).toStrictEqual(scan);
  if (wasm === undefined) declined++;
  else built++;
  const viaWasm = ingest(bytes, 'wasm');
  expect(isDeepStrictEqual(viaWasm, ingest(bytes, 'scan'))).toBe(true);
  expect(isDeepStrictEqual(viaWasm, ingest(bytes, 'json'))).toBe(true);
}

describe('the wasm scanner against the JS scanner', () => {
  it.skipIf(!sharedFixturesPresent)('every shared fixture trail: same partial document, same outcome and usage; real delivery files are built, not declined' + (sharedFixturesPresent ? '' : ` (${SKIP_REASON})`), () => {
    const files = trailFiles(sharedFixture('cloudtrail'));
    expect(files.length).toBeGreaterThan(50);
    let records = 0;
    for (const f of files) {
      const bytes = readFileSync(f);
      const doc = scanDocumentWasm(bytes);
      // Whatever the JS scanner builds, the wasm route builds too.
      if (scanDocument(bytes) !== undefined) expect(doc).toBeDefined();
      if (doc !== undefined && Array.isArray(doc.Records)) records += doc.Records.length;
      sameAsScanner(bytes);
    }
    expect(records).toBeGreaterThan(1000);
  });

  it("the repository's own fixture trails, good and bad", () => {
    const files = trailFiles(ownFixture('cloudtrail'));
    expect(files.length).toBeGreaterThan(3);
    for (const f of files) sameAsScanner(readFileSync(f));
  });

  it('negative control: a document that differs in one wanted value gives a different partial document and usage', () => {
    const rec = { eventTime: '2024-05-01T09:00:00Z', eventSource: 's3.amazonaws.com', eventName: 'GetObject', userAgent: 'claude-code/1.0', userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/u' }, requestParameters: { bucketName: 'b', policyDocument: '{}' } };
    const a = Buffer.from(JSON.stringify({ Records: [rec] }));
    const b = Buffer.from(JSON.stringify({ Records: [{ ...rec, userAgent: 'kiro/1.0' }] }));
    expect(scanDocumentWasm(a)).toStrictEqual(scanDocument(a));
    expect(scanDocumentWasm(a)).not.toStrictEqual(scanDocumentWasm(b));
    expect(isDeepStrictEqual(ingest(a, 'wasm').usage, ingest(b, 'wasm').usage)).toBe(false);
    // Only wanted keys are built (policyDocument is not).
    expect((scanDocumentWasm(a) as { Records: { requestParameters: unknown }[] }).Records[0]!.requestParameters).toStrictEqual({ bucketName: 'b' });
  });
});

describe('the wasm scanner on generated hostile documents', () => {
  it('generated documents: every one JSON.parse accepts is built (none declined), the rest declined', () => {
    // The generator's escaped keys now and then make invalid text (a key starting with an escaped character).
    let valid = 0;
    fc.assert(
      fc.property(documentText, (text) => {
        const bytes = Buffer.from(text);
        if (parses(bytes)) {
          valid++;
          expect(scanDocumentWasm(bytes)).toBeDefined();
        } else expect(scanDocumentWasm(bytes)).toBeUndefined();
        sameAsScanner(bytes);
      }),
      { numRuns: 400 },
    );
    expect(valid).toBeGreaterThan(350);
  });

  it('invalid UTF-8 inside strings, and each document shifted in its buffer by 1–3 bytes', () => {
    fc.assert(
      fc.property(documentText, fc.array(fc.integer({ min: 0x80, max: 0xff }), { minLength: 1, maxLength: 4 }), fc.nat(), fc.integer({ min: 0, max: 3 }), (text, bad, at, offset) => {
        const bytes = Buffer.from(text);
        const quotes = [...text.matchAll(/"/g)].map((m) => Buffer.byteLength(text.slice(0, m.index + 1)));
        const pos = quotes.length === 0 ? 0 : quotes[at % quotes.length]!;
        sameAsScanner(placedAt(Buffer.concat([bytes.subarray(0, pos), Buffer.from(bad), bytes.subarray(pos)]), offset));
      }),
      { numRuns: 200 },
    );
  });

  it('broken documents (cut, or one byte changed): declined exactly where JSON.parse refuses', () => {
    built = declined = 0;
    fc.assert(
      fc.property(documentText, fc.nat(), fc.integer({ min: 0, max: 255 }), fc.boolean(), (text, at, byte, cut) => {
        const bytes = Buffer.from(text);
        const i = at % Math.max(1, bytes.length);
        const broken = cut ? bytes.subarray(0, i) : Buffer.concat([bytes.subarray(0, i), Buffer.from([byte]), bytes.subarray(i + 1)]);
        if (!parses(broken)) expect(scanDocumentWasm(broken)).toBeUndefined();
        sameAsScanner(broken);
      }),
      { numRuns: 400 },
    );
    // Both kinds were drawn: some still valid (a changed byte inside a string), most not.
    expect(built).toBeGreaterThan(10);
    expect(declined).toBeGreaterThan(100);
  });

  it('every cut of a small document is declined, the whole one built; bytes after it are declined', () => {
    const text = Buffer.from('{"Records":[{"eventTime":"2024-05-01T09:00:00Z","eventName":"Get\\"Object","managementEvent":true,"errorCode":null,"resources":[{"ARN":"arn:x"},7,-1.5e+3,false],"userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/u"}}]}');
    expect(scanDocumentWasm(text)).toBeDefined();
    for (let i = 0; i < text.length; i++) {
      expect(scanDocumentWasm(text.subarray(0, i))).toBeUndefined();
    }
    for (const tail of [' ', '\n', '\t\r\n ']) expect(scanDocumentWasm(Buffer.concat([text, Buffer.from(tail)]))).toBeDefined();
    for (const tail of ['\u0000', 'x', ',', '}', '{}', '\u000b']) expect(scanDocumentWasm(Buffer.concat([text, Buffer.from(tail)]))).toBeUndefined();
  });

  it.each([
    ['a trailing comma in an array', '[1,]', '[1]'],
    ['a trailing comma in an object', '{"a":1,}', '{"a":1}'],
    ['a leading zero', '01', '0'],
    ['a negative leading zero', '-01', '-0'],
    ['a bare minus', '-', '-1'],
    ['a fraction without digits', '1.', '1.5'],
    ['an exponent without digits', '1e+', '1e+5'],
    ['vertical tab as whitespace', '[1,\u000b2]', '[1,\t2]'],
    ['form feed as whitespace', '[1,\u000c2]', '[1,\n2]'],
    ['a control character in a string', '"a\u0001b"', '"a\\u0001b"'],
    ['an unknown escape', '"a\\qb"', '"a\\nb"'],
    ['a short unicode escape', '"\\u12"', '"\\u1234"'],
    ['a non-hex unicode escape', '"\\u12g4"', '"\\u12f4"'],
    ['a missing colon', '{"a" 1}', '{"a": 1}'],
    ['a single-quoted string', "'a'", '"a"'],
    ['a misspelled literal', 'tru', 'true'],
    ['a literal cut short', 'fals', 'false'],
    ['a literal with a wrong last letter', 'falsy', 'false'],
    ['a literal in the wrong case', 'falsE', 'false'],
    ['an unclosed object', '{"a":[1]', '{"a":[1]}'],
    ['a mismatched bracket', '{"a":[1}}', '{"a":[1]}'],
    ['an empty array closed by a brace', '[}', '[]'],
    ['an empty object closed by a bracket', '{]', '{}'],
    ['a nested empty array closed by a brace', '[[}]', '[[]]'],
  ])('%s: declined like JSON.parse in a skipped field, a wanted object, a wanted leaf and an array element; the corrected text built', (_name, broken, fixed) => {
    const at = (v: string): Buffer[] => [
      Buffer.from(`{"Records":[{"eventTime":"2024-05-01T09:00:00Z","eventName":"GetObject","tlsDetails":${v}}]}`),
      Buffer.from(`{"Records":[{"eventTime":"2024-05-01T09:00:00Z","eventName":"GetObject","requestParameters":{"other":${v},"bucketName":"b"}}]}`),
      Buffer.from(`{"Records":[{"eventTime":"2024-05-01T09:00:00Z","eventName":"GetObject","errorCode":${v}}]}`),
      Buffer.from(`{"Records":[{"eventTime":"2024-05-01T09:00:00Z","eventName":"GetObject","resources":[{"ARN":"a"},${v}]}]}`),
    ];
    for (const bytes of at(broken)) {
      expect(parses(bytes)).toBe(false);
      expect(scanDocumentWasm(bytes)).toBeUndefined();
      sameAsScanner(bytes);
    }
    for (const bytes of at(fixed)) {
      expect(scanDocumentWasm(bytes)).toBeDefined();
      sameAsScanner(bytes);
    }
  });

  it('keys with escapes, duplicate keys and wanted keys holding the wrong shape: as the JS scanner builds them', () => {
    const docs = [
      // An escaped spelling of a wanted key (object, leaf, array, the document's Records) and of a skipped one.
      '{"Records":[{"user\\u0049dentity":{"type":"IAMUser","arn":"a","x":1},"event\\u004eame":"Get","re\\u0073ources":[{"ARN":"r","y":2},5],"e\\u0078tra":{"a":[1]}}]}',
      '{"Re\\u0063ords":[{"eventName":"A","userIdentity":{"arn":"b"}}]}',
      '{"Records":[{"userIdentity":{"sessionContext":{"session\\u0049ssuer":{"arn":"i","userName":"u"}}}}]}',
      // Duplicates: the last one wins, whatever the shapes.
      '{"Records":[{"userIdentity":{"arn":"a"},"userIdentity":{"type":"Root"}}]}',
      '{"Records":[{"userIdentity":{"arn":"a"},"userIdentity":5}]}',
      '{"Records":[{"userIdentity":"x","userIdentity":{"arn":"c"}}]}',
      '{"Records":[{"eventName":"A","event\\u004eame":"B"}]}',
      '{"Records":[],"Records":[{"eventName":"A"}]}',
      '{"Records":[{"eventName":"A"}],"Records":7}',
      '{"Records":7,"Events":[{"eventName":"A"}]}',
      // Wrong shapes where an object or array is wanted.
      '{"Records":[{"userIdentity":[1,{"arn":"a"}],"resources":{"ARN":"x"},"requestParameters":"s","responseElements":{"role":[{"arn":"r"}]}}]}',
      '{"Records":[5,"x",null,[{"eventName":"A"}],{"eventName":"B"}]}',
      '{"Records":{"eventName":"A"}}',
      '{"Events":[{"CloudTrailEvent":"{\\"eventName\\":\\"A\\"}"}]}',
      '{}',
      '[]',
      '"Records"',
      // Empty objects: the shared empty object.
      '{"Records":[{"userIdentity":{},"requestParameters":{"other":1},"resources":[{},{"type":"t"}]}]}',
    ];
    for (const d of docs) sameAsScanner(Buffer.from(d));
    const parsed = scanDocumentWasm(Buffer.from(docs[0]!)) as { Records: Record<string, unknown>[] };
    expect(parsed.Records[0]).toStrictEqual({ userIdentity: { type: 'IAMUser', arn: 'a' }, eventName: 'Get', resources: [{ ARN: 'r' }, 5] });
    expect(scanDocumentWasm(Buffer.from(docs[4]!))).toStrictEqual({ Records: [{ userIdentity: 5 }] });
  });
});

// WASM reads strings 16 bytes at a time and every document sits at the same aligned place in
// its memory: a stop byte is tried at each of the 16 lane positions (a prefix moves the string)
// and a string end at each position relative to the end of the document.
describe('the wasm scanner reads strings 16 bytes at a time', () => {
  const stops: readonly { byte: number; valid: boolean }[] = [
    { byte: 0x00, valid: false },
    { byte: 0x09, valid: false },
    { byte: 0x1f, valid: false },
    { byte: 0x20, valid: true },
    { byte: 0x21, valid: true },
    { byte: 0x23, valid: true },
    { byte: 0x5b, valid: true },
    { byte: 0x7f, valid: true },
    { byte: 0x80, valid: true },
    { byte: 0xa2, valid: true }, // `"` | 0x80
    { byte: 0xdc, valid: true }, // `\` | 0x80
    { byte: 0x9f, valid: true },
    { byte: 0xff, valid: true },
  ];

  it('a byte at each lane of a wanted and a skipped string, the string at each of 16 offsets', () => {
    let checked = 0;
    for (const field of ['eventName', 'eventID']) {
      for (const { byte, valid } of stops) {
        for (let at = 0; at < 18; at++) {
          for (let shift = 0; shift < 16; shift++) {
            const value = Buffer.from('GetObjectXYZabcdefghij', 'latin1');
            value[at] = byte;
            const bytes = Buffer.concat([Buffer.from(`{"Records":[{"p":"${'x'.repeat(shift)}","${field}":"`), value, Buffer.from('","eventSource":"s3.amazonaws.com"}]}')]);
            const wasm = scanDocumentWasm(bytes);
            if (!valid) {
              expect(parses(bytes)).toBe(false);
              expect(wasm).toBeUndefined();
            } else expect(wasm).toStrictEqual(scanDocument(bytes));
            checked++;
          }
        }
      }
    }
    expect(checked).toBe(2 * stops.length * 18 * 16);
  });

  it('escapes at each lane position decode as JSON.parse decodes them', () => {
    for (let at = 0; at < 18; at++) {
      for (const esc of ['\\"', '\\\\', '\\/', '\\b', '\\f', '\\n', '\\r', '\\t', '\\u00e9', '\\ud83d\\ude00']) {
        const v = `${'GetObjectXYZabcdefghij'.slice(0, at)}${esc}${'GetObjectXYZabcdefghij'.slice(at)}`;
        const bytes = Buffer.from(`{"Records":[{"eventName":"${v}","eventID":"${v}"}]}`);
        const wasm = scanDocumentWasm(bytes) as { Records: { eventName: string }[] };
        expect(wasm.Records[0]!.eventName).toBe((JSON.parse(bytes.toString()) as { Records: { eventName: string }[] }).Records[0]!.eventName);
      }
    }
  });

  it('a document ending at every position of the last 16-byte load: read to its last byte, never past it', () => {
    for (let pad = 0; pad < 40; pad++) {
      const good = Buffer.from(`{"Records":[{"eventName":"${'y'.repeat(pad)}"}]}`);
      expect(scanDocumentWasm(good)).toStrictEqual({ Records: [{ eventName: 'y'.repeat(pad) }] });
      // The same bytes inside a larger buffer whose next bytes would close the string: still cut.
      const room = Buffer.from(`{"Records":[{"eventName":"${'y'.repeat(pad)}"}]}`);
      expect(scanDocumentWasm(room.subarray(0, room.length - 4))).toBeUndefined();
      expect(scanDocumentWasm(Buffer.from(`{"Records":[{"eventName":"${'y'.repeat(pad)}\\`))).toBeUndefined();
      expect(scanDocumentWasm(Buffer.from(`{"Records":[{"eventName":"${'y'.repeat(pad)}\\u00`))).toBeUndefined();
    }
  });
});

describe('the wasm scanner: depth, size, memory', () => {
  it('deep nesting in a skipped field: built to its bound, declined past it, the usage the same either way', () => {
    const doc = (depth: number): Buffer =>
      Buffer.from(`{"Records":[{"eventTime":"2024-05-01T09:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/u"},"additionalEventData":${'['.repeat(depth)}${']'.repeat(depth)}}]}`);
    const within = doc(200_000);
    expect((scanDocumentWasm(within) as { Records: unknown[] }).Records).toHaveLength(1);
    sameAsScanner(within);
    // Past the bound (393,216 levels): declined, the JSON.parse fallback gives the same usage.
    const past = doc(400_000);
    expect(scanDocumentWasm(past)).toBeUndefined();
    expect(scanDocument(past)).toBeDefined();
    expect(isDeepStrictEqual(ingest(past, 'wasm'), ingest(past, 'scan'))).toBe(true);
    // Mixed objects and arrays in depth, one bracket wrong: declined.
    const mixed = `${'[{"a":'.repeat(5000)}1${'}]'.repeat(5000)}`;
    sameAsScanner(Buffer.from(`{"Records":[{"eventName":"A","x":${mixed}}]}`));
    sameAsScanner(Buffer.from(`{"Records":[{"eventName":"A","x":${mixed.replace('}]}]', '}]]]')}}]}`));
  });

  it('a document whose tape needs more than the first reservation (many small wanted values), then a larger and a smaller one', () => {
    const many = Buffer.from(`{"Records":[{"eventName":"A","resources":[${'{},1,'.repeat(50_000)}{}]}]}`);
    const wasm = scanDocumentWasm(many) as { Records: { resources: unknown[] }[] };
    expect(wasm.Records[0]!.resources).toHaveLength(100_001);
    sameAsScanner(many);
    const big = Buffer.from(JSON.stringify({ Records: Array.from({ length: 20_000 }, (_, i) => ({ eventName: `E${i}`, userIdentity: { arn: `arn:aws:iam::1:user/u${i % 50}` }, requestParameters: { key: 'k'.repeat(i % 300) } })) }));
    sameAsScanner(big);
    sameAsScanner(Buffer.from('{"Records":[{"eventName":"small"}]}'));
    sameAsScanner(big);
  });

  it('40,000 ARNs of one length differing in their last three bytes, each twice: read back exactly (the intern table over WASM memory)', () => {
    const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
    const arns: string[] = [];
    for (let n = 0; arns.length < 40_000; n++) arns.push(`arn:aws:iam::111122223333:user/agent-ai-${alphabet[n % 62]}${alphabet[Math.floor(n / 62) % 62]}${alphabet[Math.floor(n / 3844) % 62]}`);
    const records = [...arns, ...arns.slice().reverse()].map((arn) => `{"eventTime":"2024-05-01T09:00:00Z","eventName":"GetUser","userIdentity":{"type":"IAMUser","arn":"${arn}"}}`);
    const got = (scanDocumentWasm(Buffer.from(`{"Records":[${records.join(',')}]}`)) as { Records: { userIdentity: { arn: string } }[] }).Records.map((r) => r.userIdentity.arn);
    expect(got.slice(0, arns.length)).toEqual(arns);
    expect(got.slice(arns.length)).toEqual(arns.slice().reverse());
  });

  it('values first seen in a document that is then declined (or whose tape overflowed) read back exactly in the next one', () => {
    const doc = (arns: readonly string[], tail = ''): Buffer =>
      Buffer.from(`{"Records":[${arns.map((a) => `{"eventName":"N-${a.slice(-6)}","userIdentity":{"type":"IAMUser","arn":"${a}"}}`).join(',')}]}${tail}`);
    for (const count of [3, 20_000]) {
      // 20,000 new values: more than the scan's log of written slots (every slot is emptied then).
      const arns = Array.from({ length: count }, (_, i) => `arn:aws:iam::111122223333:user/declined-${count}-${i}`);
      for (const broken of [doc(arns, 'x'), doc(arns).subarray(0, doc(arns).length - 1), Buffer.from(doc(arns).toString().replace('"type"', '"ty\u0001pe"'))]) {
        expect(scanDocumentWasm(broken)).toBeUndefined();
        const got = (scanDocumentWasm(doc(arns)) as { Records: { eventName: string; userIdentity: { arn: string } }[] }).Records;
        expect(got.map((r) => r.userIdentity.arn)).toEqual(arns);
        expect(got.map((r) => r.eventName)).toEqual(arns.map((a) => `N-${a.slice(-6)}`));
      }
    }
    // A tape that overflows its first reservation with new values in it, then the same values again.
    const many = Array.from({ length: 3000 }, (_, i) => `r${i}`);
    const overflow = Buffer.from(`{"Records":[{"eventName":"A","resources":[${many.map((a) => `{"ARN":"${a}"},{},{}`).join(',')}]}]}`);
    sameAsScanner(overflow);
    sameAsScanner(Buffer.from(`{"Records":[{"eventName":"A","resources":[${many.map((a) => `{"ARN":"${a}"}`).join(',')}]}]}`));
  });

  it('two values with the same intern hash and length (constructed against the WASM hash): each read as itself; a 2 MiB value read whole', () => {
    // wasm/cloudtrail-scan.ts intern(): h = len·0x9e3779b1, then per 4-byte word h = rotl(h ^ w, 13)·0x01000193.
    // Every step is invertible, so for a value a = (w1, w2) and any first word v1, the second word
    // v2 = h1(a) ^ h1(v1) ^ w2 gives b the same hash; v1 is drawn until v2's bytes are plain ASCII.
    const step = (h: number, w: number): number => Math.imul(((h ^ w) << 13) | ((h ^ w) >>> 19), 0x01000193);
    const word = (t: string, i: number): number => t.charCodeAt(i) | (t.charCodeAt(i + 1) << 8) | (t.charCodeAt(i + 2) << 16) | (t.charCodeAt(i + 3) << 24);
    const text = (w: number): string => String.fromCharCode(w & 255, (w >>> 8) & 255, (w >>> 16) & 255, (w >>> 24) & 255);
    const plainAscii = (w: number): boolean => [0, 8, 16, 24].every((k) => ((w >>> k) & 255) >= 0x30 && ((w >>> k) & 255) <= 0x7a && ((w >>> k) & 255) !== 0x5c);
    const a = 'kiro/1.0';
    const h0 = Math.imul(8, 0x9e3779b1);
    const pairs: string[] = [];
    let seed = 1;
    for (let n = 0; pairs.length < 5 && n < 5_000_000; n++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      const v1 = (seed & 0x3f3f3f3f) | 0x40404040;
      const v2 = step(h0, word(a, 0)) ^ step(h0, v1) ^ word(a, 4);
      if (plainAscii(v1) && plainAscii(v2)) pairs.push(text(v1) + text(v2));
    }
    expect(pairs.length).toBe(5);
    for (const b of pairs) {
      expect(b).not.toBe(a);
      expect(step(step(h0, word(b, 0)), word(b, 4))).toBe(step(step(h0, word(a, 0)), word(a, 4)));
      const doc = Buffer.from(`{"Records":[{"userAgent":"${a}"},{"userAgent":"${b}"},{"userAgent":"${a}"}]}`);
      expect(scanDocumentWasm(doc)).toStrictEqual({ Records: [{ userAgent: a }, { userAgent: b }, { userAgent: a }] });
    }
    // Longer than the intern arena: never interned (a copy would run past the arena), read whole.
    const huge = Array.from({ length: 2 * 2 ** 20 }, (_, i) => String.fromCharCode(97 + ((i * 7 + (i >> 10)) % 26))).join('');
    const big = Buffer.from(`{"Records":[{"userAgent":"${huge}","eventName":"A"},{"userAgent":"${huge}","eventName":"B"}]}`);
    sameAsScanner(big);
    expect((scanDocumentWasm(big) as { Records: { userAgent: string }[] }).Records[1]!.userAgent).toBe(huge);
  });

  it('eventTime repeated from the previous record (same-as-last), whatever the sequence', () => {
    const times = ['2024-05-01T09:00:00Z', '2024-05-01T09:00:01Z', '2024-05-01T09:00:00Z', '2024-05-01T09:00:00\\u005a', '2024-05-01T09:00:00.123Z', '2024-05-01T09:00:0éZ', 7, '2024-05-01T09:00Z'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...times), { minLength: 1, maxLength: 12 }), (seq) => {
        const body = seq.map((t, i) => `{"eventTime":${typeof t === 'string' ? `"${t}"` : t},"eventSource":"s3.amazonaws.com","eventName":"GetObject","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/u${i % 3}"}}`).join(',');
        sameAsScanner(Buffer.from(`{"Records":[${body}]}`));
      }),
      { numRuns: 200 },
    );
  });
});

describe('the wasm route without WebAssembly', () => {
  it('node --jitless (no WebAssembly): the JS scanner reads the file, same partial document; with WebAssembly the same', () => {
    const text = '{"Records":[{"eventName":"A","userIdentity":{"arn":"arn:aws:iam::1:user/u","x":1},"tls":{}}]}';
    const run = (flags: string[]) => {
      const r = spawnSync(process.execPath, [...flags, '--import', 'tsx', join(repoRoot, 'test/support/wasm-route-child.ts'), text], { cwd: repoRoot, encoding: 'utf8' });
      expect(r.status).toBe(0);
      return JSON.parse(r.stdout) as { webAssembly: string; doc: unknown };
    };
    const without = run(['--jitless', '--no-warnings']);
    const withWasm = run([]);
    expect(without.webAssembly).toBe('undefined');
    expect(withWasm.webAssembly).toBe('object');
    expect(without.doc).toStrictEqual(scanDocument(Buffer.from(text)));
    expect(withWasm.doc).toStrictEqual(without.doc);
  });
});

describe('readCloudTrail with parser wasm', () => {
  const dirs = sharedFixturesPresent ? [sharedFixture('cloudtrail')] : [ownFixture('cloudtrail')];
  it(`the usage, sources and errors of the fixture trails are identical for parser wasm, scan and json (${sharedFixturesPresent ? 'shared fixtures' : `own fixtures only: ${SKIP_REASON}`})`, async () => {
    const read = (parser: CloudTrailParser) => readCloudTrail(dirs, { parser, workers: 0, windowDays: 100_000, now: () => Date.parse('2026-01-01T00:00:00Z') });
    const [wasm, scan, json] = [await read('wasm'), await read('scan'), await read('json')];
    expect(Object.keys(wasm.usage.byPrincipal).length).toBeGreaterThan(0);
    expect(isDeepStrictEqual(wasm, scan)).toBe(true);
    expect(isDeepStrictEqual(wasm, json)).toBe(true);
  });
});

describe('the committed WebAssembly bytes', () => {
  const script = join(repoRoot, 'scripts/build-wasm.mjs');
  it('are exactly what wasm/cloudtrail-scan.ts compiles to now; a changed copy is refused', () => {
    const ok = spawnSync(process.execPath, [script, '--check'], { cwd: repoRoot, encoding: 'utf8' });
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    const committed = readFileSync(join(repoRoot, 'src/collect/cloudtrail/scan-wasm-bytes.ts'), 'utf8');
    const changed = join(mkdtempSync(join(tmpdir(), 'leash-wasm-')), 'bytes.ts');
    // One base64 character of the module changed.
    const at = committed.indexOf("'AGFzbQ") + 20;
    writeFileSync(changed, committed.slice(0, at) + (committed[at] === 'A' ? 'B' : 'A') + committed.slice(at + 1));
    const bad = spawnSync(process.execPath, [script, '--check', changed], { cwd: repoRoot, encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('not what wasm/cloudtrail-scan.ts compiles to');
  });
});
