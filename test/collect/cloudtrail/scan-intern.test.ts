// The scanner keeps repeated values (ARNs, user agents, IPs, event names) in an intern table of
// V8-internalized strings and hands out the kept string when the bytes match. Whatever the table
// holds — values that share a slot, values that are special as property names, values too long
// or not ASCII (never kept), escaped values (never interned) — each value read must be exactly
// JSON.parse's, and the aggregate the same both ways, however often values recur.
import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { UsageAggregator } from '../../../src/collect/cloudtrail/aggregate.js';
import { ingestLoaded, type CloudTrailParser } from '../../../src/collect/cloudtrail/ingest-file.js';
import { scanDocument } from '../../../src/collect/cloudtrail/scan-document.js';

// Same length, same last 10 bytes and same third byte: one intern slot, different text.
const sameSlot = ['arn:aws:iam::111122223333:role/app-0000000001', 'arn:aws:iam::111122223333:role/xyz-0000000001', 'arQ:aws:iam::111122223333:role/app-0000000001'];
const special = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', '0', '123', '4294967295', '-0', '1e3', '', ' '];
const sized = ['a'.repeat(511), 'a'.repeat(512), 'a'.repeat(513), 'é-agent/1.0', 'агент', '\u{1F600}', 'x\ty', 'quote"and\\backslash', 'line\nbreak', 'aws-cli/2.15.0 Python/3.11'];
const value = fc.oneof(fc.constantFrom(...sameSlot, ...special, ...sized), fc.string({ maxLength: 12 }));

const record = fc.record({ ua: value, ip: value, name: value, arn: value, issuer: value, region: value }).map((v) => ({
  eventTime: '2024-05-01T09:00:00Z',
  eventSource: 's3.amazonaws.com',
  eventName: v.name,
  awsRegion: v.region,
  userAgent: v.ua,
  sourceIPAddress: v.ip,
  userIdentity: { type: 'AssumedRole', arn: v.arn, sessionContext: { sessionIssuer: { arn: v.issuer } } },
}));

function usage(bytes: Buffer, parser: CloudTrailParser) {
  const agg = new UsageAggregator();
  const outcome = ingestLoaded({ file: 'f.json', bytes }, agg, 3, parser);
  return { outcome, usage: agg.finish({ start: '2000-01-01T00:00:00Z', end: '2100-01-01T00:00:00Z' }, []) };
}

describe('scanner intern table', () => {
  it('every interned field reads as JSON.parse reads it, across documents that repeat values', () => {
    fc.assert(
      fc.property(fc.array(fc.array(record, { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 4 }), (docs) => {
        for (const records of docs) {
          const bytes = Buffer.from(JSON.stringify({ Records: records }));
          const scanned = scanDocument(bytes) as { Records: Record<string, unknown>[] } | undefined;
          expect(scanned).toBeDefined();
          const parsed = JSON.parse(bytes.toString('utf8')) as { Records: typeof records };
          scanned!.Records.forEach((r, i) => {
            const want = parsed.Records[i]!;
            expect([r.eventName, r.awsRegion, r.userAgent, r.sourceIPAddress]).toStrictEqual([want.eventName, want.awsRegion, want.userAgent, want.sourceIPAddress]);
            expect(r.userIdentity).toStrictEqual(want.userIdentity);
          });
          // node's deep equality: vitest's compares own "constructor" properties as classes, and a
          // principal or user agent named "constructor" is a key of the usage objects here.
          expect(isDeepStrictEqual(usage(bytes, 'scan'), usage(bytes, 'json'))).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('negative controls: a record whose interned field has the wrong type is still reported, a broken file still fails', () => {
    const good = { eventTime: '2024-05-01T09:00:00Z', eventSource: 's3.amazonaws.com', eventName: 'GetObject', userIdentity: { type: 'IAMUser', arn: sameSlot[0] } };
    const bytes = Buffer.from(JSON.stringify({ Records: [good, { ...good, eventName: 7 }, { ...good, eventSource: ['__proto__'] }] }));
    const scan = usage(bytes, 'scan');
    expect(isDeepStrictEqual(scan, usage(bytes, 'json'))).toBe(true);
    expect(scan.outcome.badRecords).toBe(2);
    expect(scan.outcome.records).toBe(1);
    const cut = bytes.subarray(0, bytes.length - 3);
    expect(scanDocument(cut)).toBeUndefined();
    expect(usage(cut, 'scan').outcome.ok).toBe(false);
  });

  it('eventTime repeated from the previous record reads as JSON.parse reads it (same-as-last reuse), whatever the sequence', () => {
    // Same length, differing in one byte; an escaped spelling of the same text; a time with
    // milliseconds; non-ASCII; a non-string; and one the record check refuses.
    const times = ['2024-05-01T09:00:00Z', '2024-05-01T09:00:01Z', '2024-05-01T09:00:00Z', '2024-05-01T09:00:00\u005a', '2024-05-01T09:00:00.123Z', '2024-05-01T09:00:0éZ', 7, '2024-05-01T09:00Z'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...times), { minLength: 1, maxLength: 12 }), (seq) => {
        const body = seq
          .map((t, i) => `{"eventTime":${typeof t === 'string' ? `"${t}"` : t},"eventSource":"s3.amazonaws.com","eventName":"GetObject","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/u${i % 3}"}}`)
          .join(',');
        const bytes = Buffer.from(`{"Records":[${body}]}`);
        const scanned = scanDocument(bytes) as { Records: { eventTime: unknown }[] } | undefined;
        const parsed = JSON.parse(bytes.toString('utf8')) as { Records: { eventTime: unknown }[] };
        expect(scanned!.Records.map((r) => r.eventTime)).toStrictEqual(parsed.Records.map((r) => r.eventTime));
        expect(isDeepStrictEqual(usage(bytes, 'scan'), usage(bytes, 'json'))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('negative control: a different time of the same length right after a repeated one is read as itself', () => {
    const rec = (t: string): string => `{"eventTime":"${t}","eventSource":"s3.amazonaws.com","eventName":"GetObject","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/u"}}`;
    const bytes = Buffer.from(`{"Records":[${rec('2024-05-01T09:00:00Z')},${rec('2024-05-01T09:00:00Z')},${rec('2024-05-01T09:00:01Z')}]}`);
    const [a, b, c] = (scanDocument(bytes) as { Records: { eventTime: string }[] }).Records.map((r) => r.eventTime);
    expect([a, b, c]).toEqual(['2024-05-01T09:00:00Z', '2024-05-01T09:00:00Z', '2024-05-01T09:00:01Z']);
  });
});
