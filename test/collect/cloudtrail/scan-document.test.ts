// The scanner route must give what the JSON.parse route gives: the same partial document (every
// wanted path exactly as JSON.parse has it), the same aggregate, the same errors and locations —
// on the real fixture trails and on generated hostile text (escapes, unicode, invalid UTF-8,
// duplicate keys, braces in strings, odd types, whitespace, broken files).
import { recordProblem } from '../../../src/collect/cloudtrail/record.js';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { UsageAggregator } from '../../../src/collect/cloudtrail/aggregate.js';
import { TOP, scanDocument, type WantNode } from '../../../src/collect/cloudtrail/scan-document.js';
import { documentText, ingestWith, placedAt, project, trailFiles } from '../../support/cloudtrail-text.js';
import { ownFixture, sharedFixture, sharedFixturesPresent, SKIP_REASON } from '../../support/fixtures.js';


const ingest = ingestWith;

/** How many documents the scanner built itself (rather than handing them to JSON.parse). */
let scannedDocs = 0;

function sameEverywhere(bytes: Buffer): void {
  const text = bytes.toString('utf8');
  let parsed: unknown;
  let valid = true;
  try {
    parsed = JSON.parse(text);
  } catch {
    valid = false;
  }
  const scanned = scanDocument(bytes);
  if (!valid) expect(scanned).toBeUndefined();
  else if (scanned !== undefined) {
    scannedDocs++;
    expect(scanned).toStrictEqual(project(parsed, TOP));
  }
  expect(ingest(bytes, 'scan')).toStrictEqual(ingest(bytes, 'json'));
}


describe('scanDocument against JSON.parse', () => {
  it.skipIf(!sharedFixturesPresent)('every shared fixture trail: same partial document and same aggregate' + (sharedFixturesPresent ? '' : ` (${SKIP_REASON})`), () => {
    const files = trailFiles(sharedFixture('cloudtrail'));
    expect(files.length).toBeGreaterThan(50);
    let scannedRecords = 0;
    for (const f of files) {
      const bytes = readFileSync(f);
      const doc = scanDocument(bytes);
      // Real delivery files are all scanned (not handed back to JSON.parse).
      if (doc !== undefined && Array.isArray(doc.Records)) scannedRecords += doc.Records.length;
      sameEverywhere(bytes);
    }
    expect(scannedRecords).toBeGreaterThan(1000);
  });

  it("the repository's own fixture trails, good and bad, give the same outcome both ways", () => {
    const files = trailFiles(ownFixture('cloudtrail'));
    expect(files.length).toBeGreaterThan(3);
    for (const f of files) sameEverywhere(readFileSync(f));
  });

  it('builds only the wanted fields, and the aggregate depends on them (negative control)', () => {
    const rec = {
      eventVersion: '1.08',
      eventTime: '2024-05-01T09:00:00Z',
      eventSource: 's3.amazonaws.com',
      eventName: 'GetObject',
      userAgent: 'claude-code/1.0',
      userIdentity: { type: 'AssumedRole', arn: 'arn:aws:sts::111122223333:assumed-role/r/s', principalId: 'X', sessionContext: { sessionIssuer: { arn: 'arn:aws:iam::111122223333:role/r', userName: 'r' }, attributes: { mfaAuthenticated: 'false' } } },
      requestParameters: { bucketName: 'b', key: 'k', huge: 'x'.repeat(10_000) },
      responseElements: null,
    };
    const bytes = Buffer.from(JSON.stringify({ Records: [rec] }));
    const doc = scanDocument(bytes) as { Records: Record<string, unknown>[] };
    expect(Object.keys(doc.Records[0]!).sort()).toEqual(['eventName', 'eventSource', 'eventTime', 'requestParameters', 'responseElements', 'userAgent', 'userIdentity']);
    expect(doc.Records[0]!.requestParameters).toEqual({ bucketName: 'b', key: 'k' });
    expect(doc.Records[0]!.userIdentity).toEqual({ type: 'AssumedRole', arn: rec.userIdentity.arn, sessionContext: { sessionIssuer: { arn: rec.userIdentity.sessionContext.sessionIssuer.arn } } });
    // The comparison is sensitive: another user agent changes the aggregate.
    const other = Buffer.from(JSON.stringify({ Records: [{ ...rec, userAgent: 'kiro/1.0' }] }));
    expect(ingest(other, 'scan').usage).not.toStrictEqual(ingest(bytes, 'scan').usage);
  });

  it('the aggregator reads no record path the scanner leaves out (read through a Proxy)', () => {
    const files = sharedFixturesPresent ? trailFiles(sharedFixture('cloudtrail')).slice(0, 40) : trailFiles(ownFixture('cloudtrail'));
    const read = new Set<string>();
    const watch = (v: unknown, path: string): unknown =>
      typeof v !== 'object' || v === null
        ? v
        : new Proxy(v as object, {
            get(t, k, r) {
              const key = typeof k === 'string' ? (/^\d+$/.test(k) ? '[]' : k) : String(k);
              if (typeof k === 'string' && k !== 'length') read.add(`${path}.${key}`);
              return watch(Reflect.get(t, k, r), `${path}.${key}`);
            },
          });
    const agg = new UsageAggregator();
    for (const f of files) {
      let doc: { Records?: unknown[] };
      try {
        doc = JSON.parse(readFileSync(f, 'utf8')) as { Records?: unknown[] };
      } catch {
        continue; // the deliberately broken fixture files: readers reject them whole
      }
      for (const r of doc.Records ?? []) if (!recordProblem(r)) agg.add(watch(r, '$') as never); // what the readers pass on
    }
    const wanted = new Set<string>();
    const walk = (n: WantNode, path: string): void => {
      for (const [k, w] of n.byName) {
        wanted.add(`${path}.${k}`);
        if (w.kind !== 'leaf') walk(w.node, w.kind === 'array' ? `${path}.${k}.[]` : `${path}.${k}`);
      }
    };
    const rec = TOP.byName.get('Records')!;
    if (rec.kind !== 'array') throw new Error('Records is scanned as an array');
    walk(rec.node, '$');
    // Below a leaf the value is exact: reads inside it are covered.
    const covered = (p: string): boolean => wanted.has(p) || [...wanted].some((w) => p.startsWith(`${w}.`));
    expect(read.size).toBeGreaterThan(10);
    expect([...read].filter((p) => !covered(p))).toEqual([]);
  });
});

// ---- generated text (test/support/cloudtrail-text.ts) ------------------------------------------

describe('scanDocument on generated hostile documents', () => {
  it('valid documents: the partial document equals JSON.parse projected, and the aggregates are equal', () => {
    scannedDocs = 0;
    fc.assert(fc.property(documentText, (text) => sameEverywhere(Buffer.from(text))), { numRuns: 400 });
    // Valid generated documents are scanned, not handed back to JSON.parse.
    expect(scannedDocs).toBeGreaterThan(350);
  });

  it('invalid UTF-8 bytes inside strings decode as JSON.parse of the whole text decodes them', () => {
    fc.assert(
      fc.property(documentText, fc.array(fc.integer({ min: 0x80, max: 0xff }), { minLength: 1, maxLength: 4 }), fc.nat(), (text, bad, at) => {
        const bytes = Buffer.from(text);
        // Only after an opening quote of some string value, so the text stays structurally the same.
        const quotes = [...text.matchAll(/"/g)].map((m) => Buffer.byteLength(text.slice(0, m.index + 1)));
        if (quotes.length === 0) return;
        const pos = quotes[at % quotes.length]!;
        sameEverywhere(Buffer.concat([bytes.subarray(0, pos), Buffer.from(bad), bytes.subarray(pos)]));
      }),
      { numRuns: 200 },
    );
  });

  it('broken documents (cut, or one byte changed) give the same error and location both ways', () => {
    fc.assert(
      fc.property(documentText, fc.nat(), fc.integer({ min: 0, max: 255 }), fc.boolean(), (text, at, byte, cut) => {
        const bytes = Buffer.from(text);
        const i = at % Math.max(1, bytes.length);
        const broken = cut ? bytes.subarray(0, i) : Buffer.concat([bytes.subarray(0, i), Buffer.from([byte]), bytes.subarray(i + 1)]);
        sameEverywhere(broken);
      }),
      { numRuns: 400 },
    );
  });

  // JSON's grammar at its edges, in a skipped field, a wanted object and a wanted leaf: each text
  // JSON.parse refuses is declined, each it accepts is scanned to the same result (controls).
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
    ['a missing colon', '{"a" 1}', '{"a": 1}'],
    ['a single-quoted string', "'a'", '"a"'],
    ['a misspelled literal', 'tru', 'true'],
    ['an unclosed object', '{"a":[1]', '{"a":[1]}'],
  ])('%s: declined like JSON.parse, the corrected text scanned', (_name, broken, fixed) => {
    const at = (v: string): Buffer[] => [
      Buffer.from(`{"Records":[{"eventTime":"2024-05-01T09:00:00Z","eventName":"GetObject","tlsDetails":${v}}]}`),
      Buffer.from(`{"Records":[{"eventTime":"2024-05-01T09:00:00Z","eventName":"GetObject","requestParameters":{"other":${v},"bucketName":"b"}}]}`),
      Buffer.from(`{"Records":[{"eventTime":"2024-05-01T09:00:00Z","eventName":"GetObject","errorCode":${v}}]}`),
    ];
    for (const bytes of at(broken)) {
      expect(() => JSON.parse(bytes.toString('utf8'))).toThrow();
      expect(scanDocument(bytes)).toBeUndefined();
      sameEverywhere(bytes);
    }
    for (const bytes of at(fixed)) {
      expect(scanDocument(bytes)).toBeDefined();
      sameEverywhere(bytes);
    }
  });

  it('deep nesting in a skipped field is validated without recursion', () => {
    const deep = '['.repeat(200_000) + ']'.repeat(200_000);
    const good = Buffer.from(`{"Records":[{"eventTime":"2024-05-01T09:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/u"},"additionalEventData":${deep}}]}`);
    expect((scanDocument(good) as { Records: unknown[] }).Records).toHaveLength(1);
    sameEverywhere(good);
    const bad = Buffer.from(good.toString().replace(']]]]}', ']]]}'));
    expect(scanDocument(bad)).toBeUndefined();
  });
});


// Strings are read four bytes at a time where the bytes are word-aligned (plainFrom): every stop
// byte in every lane, bytes that differ from `"` or `\` only in the high bit, and unaligned copies
// (read byte by byte) must all give what JSON.parse gives.
describe('scanDocument reads strings a word at a time', () => {
  const stops: readonly { byte: number; valid: boolean }[] = [
    { byte: 0x00, valid: false },
    { byte: 0x09, valid: false }, // a raw tab inside a string
    { byte: 0x1f, valid: false },
    { byte: 0x20, valid: true },
    { byte: 0x21, valid: true },
    { byte: 0x23, valid: true },
    { byte: 0x5b, valid: true },
    { byte: 0x5d, valid: true },
    { byte: 0x7f, valid: true },
    { byte: 0xa2, valid: true }, // `"` | 0x80
    { byte: 0xdc, valid: true }, // `\` | 0x80
    { byte: 0x9f, valid: true }, // 0x1f | 0x80
    { byte: 0xff, valid: true },
  ];
  const docWith = (field: string, value: Buffer): Buffer =>
    Buffer.concat([
      Buffer.from(`{"Records":[{"eventTime":"2024-05-01T09:00:00Z","eventSource":"s3.amazonaws.com","${field}":"`),
      value,
      Buffer.from('","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/u"}}]}'),
    ]);

  it('a byte in each lane of a wanted and a skipped string: scanned as JSON.parse reads it, declined where it refuses', () => {
    let checked = 0;
    for (const field of ['eventName', 'eventID']) {
      for (const { byte, valid } of stops) {
        for (let at = 0; at < 9; at++) {
          const value = Buffer.from('GetObjectXYZ', 'latin1');
          value[at] = byte;
          for (let offset = 0; offset < 4; offset++) {
            const bytes = placedAt(docWith(field, value), offset);
            const scanned = scanDocument(bytes);
            if (!valid) {
              expect(() => JSON.parse(bytes.toString('utf8'))).toThrow(SyntaxError);
              expect(scanned).toBeUndefined();
            } else expect(scanned).toStrictEqual(project(JSON.parse(bytes.toString('utf8')), TOP));
            checked++;
          }
        }
      }
    }
    expect(checked).toBe(2 * stops.length * 9 * 4);
  });

  it('a closing quote and an escape in each lane end and continue the string where they stand', () => {
    for (let at = 0; at < 9; at++) {
      for (let offset = 0; offset < 4; offset++) {
        // The value ends early at `at` (a closing quote there, then a skipped member holding the rest).
        const cut = Buffer.from(`${'GetObjectXYZ'.slice(0, at)}","eventID":"${'GetObjectXYZ'.slice(at)}`, 'latin1');
        const bytes = placedAt(docWith('eventName', cut), offset);
        const scanned = scanDocument(bytes) as { Records: { eventName: string }[] };
        expect(scanned.Records[0]!.eventName).toBe('GetObjectXYZ'.slice(0, at));
        // An escaped quote and backslash at `at`: decoded as JSON.parse decodes them.
        const esc = Buffer.from(`${'GetObjectXYZ'.slice(0, at)}\\"\\\\${'GetObjectXYZ'.slice(at)}`, 'latin1');
        const escBytes = placedAt(docWith('eventName', esc), offset);
        expect((scanDocument(escBytes) as { Records: { eventName: string }[] }).Records[0]!.eventName).toBe(`${'GetObjectXYZ'.slice(0, at)}"\\${'GetObjectXYZ'.slice(at)}`);
      }
    }
  });

  it('generated documents give the same outcome at every alignment', () => {
    fc.assert(
      fc.property(documentText, fc.integer({ min: 1, max: 3 }), fc.nat(), fc.integer({ min: 0, max: 255 }), fc.boolean(), (text, offset, at, byte, change) => {
        const bytes = Buffer.from(text);
        if (change && bytes.length > 0) bytes[at % bytes.length] = byte;
        const aligned = placedAt(bytes, 0);
        const shifted = placedAt(bytes, offset);
        const expected = scanDocument(aligned);
        expect(scanDocument(shifted)).toStrictEqual(expected);
        let valid = true;
        try {
          JSON.parse(bytes.toString('utf8'));
        } catch {
          valid = false;
        }
        if (!valid) expect(expected).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });
});

describe('scanDocument interns repeated values, confirming every hit', () => {
  it('40,000 values of one length that differ only in their last three bytes (more than the table has slots, so many share one): each read back as written, at every alignment', () => {
    const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
    const arns: string[] = [];
    for (let n = 0; arns.length < 40_000; n++) arns.push(`arn:aws:iam::111122223333:user/agent-ai-${alphabet[n % 62]}${alphabet[Math.floor(n / 62) % 62]}${alphabet[Math.floor(n / 3844) % 62]}`);
    // Every value the same length, its last three bytes (where they differ) a partial last lane.
    expect(new Set(arns.map((a) => a.length))).toEqual(new Set([arns[0]!.length]));
    expect(arns[0]!.length % 4).toBe(3);
    // Each value twice, far apart, so the second read may find another value in its slot.
    const records = [...arns, ...arns.slice().reverse()].map((arn) => `{"eventTime":"2024-05-01T09:00:00Z","eventSource":"iam.amazonaws.com","eventName":"GetUser","userIdentity":{"type":"IAMUser","arn":"${arn}"}}`);
    const text = Buffer.from(`{"Records":[${records.join(',')}]}`);
    for (let offset = 0; offset < 4; offset++) {
      const scanned = scanDocument(placedAt(text, offset)) as { Records: { userIdentity: { arn: string } }[] };
      const got = scanned.Records.map((r) => r.userIdentity.arn);
      expect(got.slice(0, arns.length)).toEqual(arns);
      expect(got.slice(arns.length)).toEqual(arns.slice().reverse());
    }
  });
});
