// Text for the CloudTrail scanners' tests (scan-document, scan-wasm): what a scanner should build
// from JSON.parse's value, fixture trail files, generated hostile documents, unaligned copies.
import fc from 'fast-check';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Want, WantNode } from '../../src/collect/cloudtrail/scan-document.js';
import { UsageAggregator } from '../../src/collect/cloudtrail/aggregate.js';
import { ingestLoaded, type CloudTrailParser } from '../../src/collect/cloudtrail/ingest-file.js';

/** What the scanner should build from JSON.parse's value: the wanted keys only, exact below a leaf. */
export function project(v: unknown, node: WantNode): unknown {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [k, w] of node.byName) if (Object.hasOwn(v, k)) out[k] = projectWant((v as Record<string, unknown>)[k], w);
  return out;
}
export function projectWant(v: unknown, w: Want): unknown {
  if (w.kind === 'leaf') return v;
  if (w.kind === 'object') return project(v, w.node);
  return Array.isArray(v) ? v.map((e) => project(e, w.node)) : v;
}

export function trailFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true })
    .map((f) => join(dir, String(f)))
    .filter((f) => statSync(f).isFile() && f.endsWith('.json'));
}

export const hostileString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.constantFrom('{"a":[1,2]}', '}]},{', '\\', '"', '\u2028', '\u0000', '\ud800', 'arn:aws:iam::111122223333:role/x', 'AssumedRole', 'IAMUser', 's3.amazonaws.com', 'GetObject', '2024-05-01T09:00:00Z', 'AccessDenied'),
);
export const leafValue: fc.Arbitrary<unknown> = fc.oneof(hostileString, fc.jsonValue({ maxDepth: 2 }), fc.constant(null), fc.boolean(), fc.double({ noNaN: true, noDefaultInfinity: true }));

/** JSON text of an object from [key, value-text] entries: keys may repeat (the last one counts). */
export function objectText(entries: readonly (readonly [string, string])[], ws: string): string {
  return `{${ws}${entries.map(([k, v]) => `${keyText(k)}${ws}:${ws}${v}`).join(`,${ws}`)}${ws}}`;
}
/** A key, sometimes with a letter written as a \\u escape (JSON.parse reads it as the same key). */
export function keyText(k: string): string {
  const t = JSON.stringify(k);
  return k.length > 3 && k.charCodeAt(1) % 3 === 0 ? `"${t.slice(1, 2)}\\u${k.charCodeAt(1).toString(16).padStart(4, '0')}${t.slice(3)}` : t;
}

export const ws = fc.constantFrom('', '', ' ', '\n', '\t', '\r\n  ');
export const entriesOf = (keys: readonly string[], value: fc.Arbitrary<string>) => fc.array(fc.tuple(fc.oneof(fc.constantFrom(...keys), fc.string({ maxLength: 6 })), value), { maxLength: keys.length + 3 });
export const valueText = leafValue.map((v) => JSON.stringify(v) ?? 'null');

export const issuerText = fc.tuple(entriesOf(['arn', 'type', 'userName'], valueText), ws).map(([e, w]) => objectText(e, w));
export const contextText = fc.tuple(entriesOf(['sessionIssuer', 'sourceIdentity', 'attributes'], fc.oneof(issuerText, valueText)), ws).map(([e, w]) => objectText(e, w));
export const identityText = fc.tuple(entriesOf(['type', 'arn', 'accountId', 'sessionContext', 'invokedBy'], fc.oneof(contextText, valueText, fc.constantFrom('"AssumedRole"', '"IAMUser"', '"Root"'))), ws).map(([e, w]) => objectText(e, w));
export const resourcesText = fc.array(fc.oneof(fc.tuple(entriesOf(['ARN', 'type'], valueText), ws).map(([e, w]) => objectText(e, w)), valueText), { maxLength: 3 }).map((a) => `[${a.join(',')}]`);
export const recordText = fc
  .record({
    time: fc.constantFrom('"2024-05-01T09:00:00Z"', '"2024-05-02T10:00:00.123Z"', '"yesterday"', '5'),
    source: fc.constantFrom('"s3.amazonaws.com"', '"iam.amazonaws.com"', '"lambda.amazonaws.com"', '"sts.amazonaws.com"', '"ec2.amazonaws.com"', '"x.example"'),
    name: fc.constantFrom('"GetObject"', '"CreateRole"', '"Invoke"', '"AssumeRole"', '"DescribeInstances"', '"Nope"'),
    identity: fc.oneof({ weight: 4, arbitrary: identityText }, { weight: 1, arbitrary: valueText }),
    extra: entriesOf(['userAgent', 'errorCode', 'eventType', 'eventCategory', 'managementEvent', 'awsRegion', 'recipientAccountId', 'sourceIPAddress', 'requestParameters', 'responseElements', 'resources', 'eventID'], fc.oneof(valueText, resourcesText, identityText)),
    params: fc.tuple(entriesOf(['bucketName', 'key', 'policyArn', 'functionName', 'roleArn', 'policyDocument'], valueText), ws).map(([e, w]) => objectText(e, w)),
    w: ws,
  })
  .map(({ time, source, name, identity, extra, params, w }) => objectText([['eventTime', time], ['eventSource', source], ['eventName', name], ['userIdentity', identity], ['requestParameters', params], ...extra], w));
export const documentText = fc.tuple(fc.array(fc.oneof({ weight: 8, arbitrary: recordText }, { weight: 1, arbitrary: valueText }), { maxLength: 6 }), ws, fc.boolean()).map(([recs, w, dup]) => {
  const list = `[${w}${recs.join(`,${w}`)}${w}]`;
  return dup ? `{"Records":[],${w}"Records":${list}}` : `{${w}"Records":${w}${list}}`;
});

/** The bytes at `offset` into a fresh ArrayBuffer: 0 is word-aligned, 1–3 are not. */
export function placedAt(bytes: Buffer, offset: number): Buffer {
  const room = Buffer.alloc(bytes.length + 8);
  bytes.copy(room, offset);
  return room.subarray(offset, offset + bytes.length);
}

/** One file's bytes through a parser into a fresh aggregator: the file's outcome and the usage over every time. */
export function ingestWith(bytes: Buffer, parser: CloudTrailParser) {
  const agg = new UsageAggregator();
  const outcome = ingestLoaded({ file: 'f.json', bytes }, agg, 3, parser);
  return { outcome, usage: agg.finish({ start: '2000-01-01T00:00:00Z', end: '2100-01-01T00:00:00Z' }, []) };
}
