// Report bytes (session 31): report.json is written as ASCII (each non-ASCII character escaped),
// so a reader parses a one-byte string; a report with raw UTF-8 (older, edited, hand-made) reads
// as before. Proven on the value: the same JSON for any text, the same report read back, the same
// errors; and on the bytes: what writeReportFile writes is ASCII.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { isAscii } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runScanWithFixes } from '../../src/pipeline/scan.js';
import { asciiJson, reportBytes, reportJsonText, writeReportFile } from '../../src/report/report-file.js';
import { parseReport, parseReportBytes } from '../../src/report/history.js';
import { jsonPieces } from '../../src/report/json-stream.js';
import { renderFormat } from '../../src/report/write.js';
import { InputError } from '../../src/model/errors.js';
import type { Report } from '../../src/model/report.js';
import { buildReport, principal, roleArn } from './support.js';

describe('asciiJson', () => {
  it('any JSON value, any Unicode in its strings and keys: ASCII bytes of the same value (property)', () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 3 }), fc.string({ unit: 'binary', maxLength: 12 }), fc.boolean(), (v, s, pretty) => {
      const text = JSON.stringify({ v, s, [s]: [s, `\\${s}`] }, null, pretty ? 2 : undefined);
      const out = asciiJson(Buffer.from(text, 'utf8'));
      expect(isAscii(out)).toBe(true);
      expect(JSON.parse(reportJsonText(out))).toEqual(JSON.parse(text));
    }), { numRuns: 500 });
  });

  it('bytes that are not UTF-8 inside a JSON string: ASCII, and the value a UTF-8 reader sees (U+FFFD for what is invalid) (property)', () => {
    const quote = 0x22;
    const slash = 0x5c;
    fc.assert(fc.property(fc.uint8Array({ maxLength: 24 }), (raw) => {
      const inner = Buffer.from(raw.filter((x) => x >= 0x20 && x !== quote && x !== slash));
      const bytes = Buffer.concat([Buffer.from('["'), inner, Buffer.from('"]')]);
      const out = asciiJson(bytes);
      expect(isAscii(out)).toBe(true);
      expect(JSON.parse(reportJsonText(out))).toEqual(JSON.parse(bytes.toString('utf8')));
    }), { numRuns: 1000 });
  });

  it('ASCII bytes are passed through as they are (no copy)', () => {
    const b = Buffer.from('{"a":"b"}');
    expect(asciiJson(b)).toBe(b);
    // Control: a non-ASCII one is a new buffer, the escape in it.
    expect(asciiJson(Buffer.from('{"a":"→"}', 'utf8')).toString('latin1')).toBe('{"a":"\\u2192"}');
  });
});

describe('reportJsonText', () => {
  it('reads ASCII as one-byte text and anything else as UTF-8 (invalid bytes as U+FFFD, a BOM kept for parseReport)', () => {
    expect(reportJsonText(Buffer.from('{"a":"\\u2192"}'))).toBe('{"a":"\\u2192"}');
    const raw = Buffer.from('\ufeff{"a":"é→"}', 'utf8');
    expect(reportJsonText(raw)).toBe(raw.toString('utf8'));
    const bad = Buffer.from([0x22, 0xe2, 0x86, 0x22]);
    expect(reportJsonText(bad)).toBe('"\ufffd"');
  });
});

describe('writeReportFile', () => {
  it('writes report.json and report.json.gz as ASCII; read back, the same report (names with é → 😀 and a control character)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'leash-ascii-'));
    try {
      const name = 'agent-é→😀\u001b[31m';
      const report = buildReport({ principals: [principal({ arn: roleArn(name), name })] });
      for (const [sub, compression] of [['plain', 'never'], ['gz', 'always']] as const) {
        const at = join(dir, sub);
        await import('node:fs/promises').then((f) => f.mkdir(at));
        const file = join(at, await writeReportFile(at, jsonPieces(report), compression, { batch: 256 }));
        const stored = await readFile(file);
        const bytes = compression === 'always' ? gunzipSync(stored) : stored;
        expect(isAscii(bytes)).toBe(true);
        expect(bytes.toString('latin1')).toContain('agent-\\u00e9\\u2192\\ud83d\\ude00');
        const back = parseReportBytes(reportBytes(stored, file), file);
        expect(back.principals[0]!.name).toBe(name);
        expect(back).toEqual(JSON.parse(JSON.stringify(report)));
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('parseReportBytes', () => {
  const asJson = (r: Report): unknown => JSON.parse(JSON.stringify(r));

  it('the demo scan with fixes, plain and gzipped: the report parseReport reads from its text', async () => {
    const report = (await runScanWithFixes({ demo: true, fixes: true, now: new Date('2026-11-24T00:00:00Z') })).report;
    const text = renderFormat(report, 'json');
    expect(/[^\x00-\x7f]/.test(text)).toBe(true); // both paths are exercised: the demo's texts hold → and —
    const expected = asJson(parseReport(text, 'r.json'));
    // Raw UTF-8 (a report written before session 31), and as written now (ASCII), plain and gzipped.
    expect(asJson(parseReportBytes(Buffer.from(text, 'utf8'), 'r.json'))).toEqual(expected);
    const ascii = asciiJson(Buffer.from(text, 'utf8'));
    expect(asJson(parseReportBytes(ascii, 'r.json'))).toEqual(expected);
    expect(asJson(parseReportBytes(reportBytes(gzipSync(ascii), 'r.json.gz'), 'r.json.gz'))).toEqual(expected);
  }, 120_000);

  it('a generated report with non-ASCII names and a BOM: the same report', () => {
    const report = buildReport({ principals: [principal({ arn: roleArn('agent-é→😀'), name: 'agent-é→😀' })] });
    const text = `\ufeff${renderFormat(report, 'json')}`;
    const read = parseReportBytes(Buffer.from(text, 'utf8'), 'r.json');
    expect(read.principals[0]!.name).toBe('agent-é→😀');
    expect(asJson(read)).toEqual(asJson(parseReport(text, 'r.json')));
  });

  it('a file that is not JSON: the error of the plain text (line and column), ASCII or not', () => {
    for (const text of ['{"a": "é" x}', '{"a": "\\é"}', '{"a": é}', '{"a": "x" x}', '{"a": \\u00e9}']) {
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
