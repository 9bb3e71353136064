// Reading a report from its bytes (session 31): inflated into one buffer, parsed from its escaped
// one-byte text (escapedJsonText). Proven against the plain path: the same value for every JSON
// text, and the same refusal for every text that is not JSON, hostile bytes included.
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runScanWithFixes } from '../../src/pipeline/scan.js';
import { escapedJsonText, reportBytes } from '../../src/report/report-file.js';
import { parseReport, parseReportBytes } from '../../src/report/history.js';
import { renderFormat } from '../../src/report/write.js';
import { InputError } from '../../src/model/errors.js';
import type { Report } from '../../src/model/report.js';
import { buildReport, principal, roleArn } from './support.js';

/** JSON.parse of the text as UTF-8 (a leading BOM dropped, as parseReport does), or the refusal. */
function plain(bytes: Buffer): { value: unknown } | 'refused' {
  const text = bytes.toString('utf8');
  try {
    return { value: JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text) };
  } catch {
    return 'refused';
  }
}

/** The same through escapedJsonText; `undecided` when it leaves the bytes to the plain path. */
function escaped(bytes: Buffer): { value: unknown } | 'refused' | 'undecided' {
  const text = escapedJsonText(bytes);
  if (text === undefined) return 'undecided';
  // One byte per character: what makes V8 keep it as a one-byte string.
  expect(/^[\x00-\x7f]*$/.test(text)).toBe(true);
  try {
    return { value: JSON.parse(text) };
  } catch {
    return 'refused';
  }
}

/** Pieces that make hostile near-JSON: structure, escapes, and non-ASCII bytes valid and not. */
const piece = fc.oneof(
  fc.constantFrom('"', '\\', '{', '}', '[', ']', ':', ',', ' ', 'a', '1', 'u', '00e9', 'null', '\\\\', '\\"'),
  fc.constantFrom('é', '→', '—', '…', '😀', '\u2028', '\ufeff').map((s) => Buffer.from(s, 'utf8')),
  fc.uint8Array({ minLength: 1, maxLength: 4 }).map((a) => Buffer.from(a.map((b) => b | 0x80))),
);
const bytesOf = (parts: (string | Buffer)[]): Buffer => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : p)));

describe('escapedJsonText', () => {
  it('any JSON value, any Unicode in its strings: the same value, as a one-byte text (property)', () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 3 }), fc.string({ unit: 'binary', maxLength: 12 }), fc.boolean(), (v, s, bom) => {
      const bytes = Buffer.concat([Buffer.from(bom ? [0xef, 0xbb, 0xbf] : []), Buffer.from(JSON.stringify({ v, s, [s]: s }), 'utf8')]);
      const out = escaped(bytes);
      expect(out).not.toBe('undecided');
      expect(out).toEqual(plain(bytes));
    }), { numRuns: 500 });
  });

  it('hostile bytes: accepted with the same value or refused as the plain text is, never a different value (property)', () => {
    fc.assert(fc.property(fc.array(piece, { maxLength: 14 }), (parts) => {
      // Inside a string, where non-ASCII bytes are JSON; and bare.
      for (const bytes of [bytesOf(['["', ...parts, '"]']), bytesOf(parts)]) {
        const out = escaped(bytes);
        if (out !== 'undecided') expect(out).toEqual(plain(bytes));
      }
    }), { numRuns: 3000 });
  });

  it('a non-ASCII character after a backslash is left to the plain path (escaped, it would be a valid text); other bytes are not', () => {
    const bad = bytesOf(['["\\', Buffer.from('é'), '"]']);
    expect(plain(bad)).toBe('refused');
    expect(escapedJsonText(bad)).toBeUndefined();
    // Control: an escaped backslash before it is still a backslash before it (undecided, then refused by nobody: plain accepts).
    const ok = bytesOf(['["a', Buffer.from('é'), '\\\\"]']);
    expect(escaped(ok)).toEqual({ value: ['aé\\'] });
  });

  it('invalid UTF-8 inside a string reads as U+FFFD, as the plain decode reads it', () => {
    const bytes = bytesOf(['{"k":"a', Buffer.from([0xe2, 0x86]), 'b', Buffer.from([0xff, 0xc3, 0xa9]), '"}']);
    expect(escaped(bytes)).toEqual(plain(bytes));
    expect(escaped(bytes)).toEqual({ value: { k: 'a\ufffdb\ufffdé' } });
  });
});

describe('parseReportBytes', () => {
  const asJson = (r: Report): unknown => JSON.parse(JSON.stringify(r));

  it('the demo scan with fixes, plain and gzipped: the report parseReport reads from its text', async () => {
    const report = (await runScanWithFixes({ demo: true, fixes: true, now: new Date('2026-11-24T00:00:00Z') })).report;
    const text = renderFormat(report, 'json');
    expect(/[^\x00-\x7f]/.test(text)).toBe(true); // the escaping is exercised: the demo's texts hold → and —
    const expected = asJson(parseReport(text, 'r.json'));
    expect(asJson(parseReportBytes(Buffer.from(text, 'utf8'), 'r.json'))).toEqual(expected);
    expect(asJson(parseReportBytes(reportBytes(gzipSync(text), 'r.json.gz'), 'r.json.gz'))).toEqual(expected);
  }, 120_000);

  it('a generated report with non-ASCII names and a BOM: the same report', () => {
    const report = buildReport({ principals: [principal({ arn: roleArn('agent-é→😀'), name: 'agent-é→😀' })] });
    const text = `\ufeff${renderFormat(report, 'json')}`;
    const read = parseReportBytes(Buffer.from(text, 'utf8'), 'r.json');
    expect(read.principals[0]!.name).toBe('agent-é→😀');
    expect(asJson(read)).toEqual(asJson(parseReport(text, 'r.json')));
  });

  it('a file that is not JSON: the error of the plain text (line and column), escaped or not', () => {
    for (const text of ['{"a": "é" x}', '{"a": "\\é"}', '{"a": é}']) {
      const err = (() => {
        try {
          parseReportBytes(Buffer.from(text, 'utf8'), 'bad.json');
        } catch (e) {
          return e as InputError;
        }
        throw new Error(`accepted ${text}`);
      })();
      expect(err).toBeInstanceOf(InputError);
      expect(err.message).toBe((() => { try { parseReport(text, 'bad.json'); } catch (e) { return (e as Error).message; } return ''; })());
      expect(err.path).toMatch(/^line 1 column \d+$/);
    }
  });
});

describe('reportBytes', () => {
  it('inflates to the bytes written, whatever the trailer says the size is (a wrong one is the file\'s word, not a limit)', () => {
    const body = Buffer.from(JSON.stringify({ a: 'x'.repeat(100_000), b: '→'.repeat(1000) }), 'utf8');
    const gz = gzipSync(body);
    expect(reportBytes(gz, 'r.json.gz').equals(body)).toBe(true);
    for (const stated of [0, 10, body.length - 1, body.length + 1, 0xffffffff]) {
      const lying = Buffer.from(gz);
      lying.writeUInt32LE(stated, lying.length - 4);
      // zlib checks ISIZE at the end of the stream: a wrong one is refused as a broken gzip, never read short or long.
      expect(() => reportBytes(lying, 'r.json.gz')).toThrow(/unreadable gzip stream/);
    }
    // Control: the read limit still holds.
    expect(() => reportBytes(gz, 'r.json.gz', 1000)).toThrow(/inflates to at most 1000 bytes/);
  });
});
