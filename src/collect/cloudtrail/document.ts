// The three shapes a CloudTrail file comes in: S3 delivery (`{"Records": [...]}`), the output of
// `aws cloudtrail lookup-events` (`{"Events": [{"CloudTrailEvent": "<json>"}]}`), and a bare
// array of either. Each record is handed over with its JSON path, so errors can point at it.
import type { CloudTrailRecord } from './record.js';
import { recordProblem } from './record.js';

export type DocumentShape = 'records' | 'lookup-events' | 'array';

export interface RecordProblem {
  readonly path: string;
  readonly expected: string;
}

export type DocumentVisit =
  | { readonly ok: true; readonly shape: DocumentShape; readonly records: number; readonly problems: number }
  | { readonly ok: false; readonly path: string; readonly expected: string; readonly got: string };

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') {
    const keys = Object.keys(v as object).slice(0, 5);
    return keys.length ? `an object with keys ${keys.join(', ')}` : 'an empty object';
  }
  return typeof v;
}

/**
 * Calls `onRecord` for every well-formed record and `onProblem` for each bad one (the visit goes
 * on). A document of the wrong shape is one problem for the whole file.
 */
export function visitDocument(
  doc: unknown,
  onRecord: (r: CloudTrailRecord) => void,
  onProblem: (p: RecordProblem) => void,
): DocumentVisit {
  let list: unknown[];
  let base: string;
  let shape: DocumentShape;
  if (Array.isArray(doc)) {
    list = doc;
    base = '$';
    shape = 'array';
  } else if (typeof doc === 'object' && doc !== null && Array.isArray((doc as { Records?: unknown }).Records)) {
    list = (doc as { Records: unknown[] }).Records;
    base = '$.Records';
    shape = 'records';
  } else if (typeof doc === 'object' && doc !== null && Array.isArray((doc as { Events?: unknown }).Events)) {
    list = (doc as { Events: unknown[] }).Events;
    base = '$.Events';
    shape = 'lookup-events';
  } else {
    return { ok: false, path: '$', expected: 'an object with a Records array (S3 delivery), an Events array (lookup-events), or an array of records', got: describe(doc) };
  }
  let records = 0;
  let problems = 0;
  for (let i = 0; i < list.length; i++) {
    let item = list[i];
    // The path is spelled out only for a problem: building it for every record cost a number
    // conversion and a concatenation each.
    let wrapped = false;
    // LookupEvents wraps each record as a JSON string; a bare array may hold either form.
    if (typeof item === 'object' && item !== null && typeof (item as { CloudTrailEvent?: unknown }).CloudTrailEvent === 'string') {
      wrapped = true;
      try {
        item = JSON.parse((item as { CloudTrailEvent: string }).CloudTrailEvent);
      } catch {
        problems++;
        onProblem({ path: `${base}[${i}].CloudTrailEvent`, expected: 'a JSON string holding one CloudTrail record' });
        continue;
      }
    } else if (shape === 'lookup-events') {
      problems++;
      onProblem({ path: `${base}[${i}]`, expected: 'an event with CloudTrailEvent (JSON string)' });
      continue;
    }
    const problem = recordProblem(item);
    if (problem !== undefined) {
      problems++;
      onProblem({ path: wrapped ? `${base}[${i}].CloudTrailEvent` : `${base}[${i}]`, expected: problem });
      continue;
    }
    records++;
    onRecord(item as CloudTrailRecord);
  }
  return { ok: true, shape, records, problems };
}
