import { describe, expect, it } from 'vitest';
import { visitDocument, type RecordProblem } from '../../../src/collect/cloudtrail/document.js';
import type { CloudTrailRecord } from '../../../src/collect/cloudtrail/record.js';

const record = { eventTime: '2024-05-01T09:00:00Z', eventSource: 'sts.amazonaws.com', eventName: 'GetCallerIdentity', userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/a' } };

function visit(doc: unknown) {
  const records: CloudTrailRecord[] = [];
  const problems: RecordProblem[] = [];
  const result = visitDocument(doc, (r) => records.push(r), (p) => problems.push(p));
  return { result, records, problems };
}

describe('visitDocument', () => {
  it('reads S3 delivery files ({Records})', () => {
    const v = visit({ Records: [record, record] });
    expect(v.result).toEqual({ ok: true, shape: 'records', records: 2, problems: 0 });
    expect(v.records[0]).toEqual(record);
  });

  it('reads lookup-events output, parsing each CloudTrailEvent string', () => {
    const v = visit({ Events: [{ EventName: 'GetCallerIdentity', CloudTrailEvent: JSON.stringify(record) }, { CloudTrailEvent: '{"broken' }, { EventName: 'x' }], NextToken: 't' });
    expect(v.result).toEqual({ ok: true, shape: 'lookup-events', records: 1, problems: 2 });
    expect(v.problems).toEqual([
      { path: '$.Events[1].CloudTrailEvent', expected: 'a JSON string holding one CloudTrail record' },
      { path: '$.Events[2]', expected: 'an event with CloudTrailEvent (JSON string)' },
    ]);
  });

  it('reads bare arrays of records or of lookup events', () => {
    expect(visit([record, { CloudTrailEvent: JSON.stringify(record) }]).result).toEqual({ ok: true, shape: 'array', records: 2, problems: 0 });
  });

  it('names the JSON path and the missing field of a bad record and goes on', () => {
    const v = visit({ Records: [record, { ...record, eventName: 5 }, record] });
    expect(v.records).toHaveLength(2);
    expect(v.problems).toEqual([{ path: '$.Records[1]', expected: 'expected eventName (string)' }]);
  });

  it.each([[{ records: [] }, 'an object with keys records'], [null, 'null'], ['x', 'string'], [{}, 'an empty object']])('rejects the wrong shape %j', (doc, got) => {
    const v = visit(doc);
    expect(v.result).toMatchObject({ ok: false, path: '$', got });
  });
});
