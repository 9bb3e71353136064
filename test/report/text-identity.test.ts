// report.json's texts table looks up the places where one object stands for many (findings'
// evidence entries, fixes' per-service action reasons: interned where they are made) by identity
// before content. That must change nothing: a report whose entries are shared objects is written
// exactly as the same report with every entry a separate copy, and reads back equal. Near-equal
// entries (order, a nested field, key order, an escape) must never meet.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseReport } from '../../src/report/history.js';
import { renderFormat } from '../../src/report/write.js';
import type { Evidence } from '../../src/model/finding.js';
import type { Fix, ServiceReasons } from '../../src/model/fix.js';
import { REPORT_SCHEMA_VERSION, type Report } from '../../src/model/report.js';
import { reportSchemaErrors } from '../support/schema.js';
import { buildReport } from './support.js';

const base = buildReport();
const ADMIN = { kind: 'managed', name: 'AdministratorAccess', arn: 'arn:aws:iam::aws:policy/AdministratorAccess', awsManaged: true } as const;
const STATEMENT = { Effect: 'Allow', Action: '*', Resource: '*' };

/** Evidence contents, each pair differing in one thing only. */
const EVIDENCE: (() => Evidence)[] = [
  () => ({ kind: 'statement', policy: { ...ADMIN }, statementIndex: 0, statement: STATEMENT, grants: ['ec2:TerminateInstances', 's3:DeleteBucket'] }),
  () => ({ kind: 'statement', policy: { ...ADMIN }, statementIndex: 0, statement: STATEMENT, grants: ['s3:DeleteBucket', 'ec2:TerminateInstances'] }),
  () => ({ kind: 'statement', policy: { ...ADMIN, awsManaged: false }, statementIndex: 0, statement: STATEMENT, grants: ['ec2:TerminateInstances', 's3:DeleteBucket'] }),
  () => ({ kind: 'statement', statementIndex: 0, policy: { ...ADMIN }, statement: STATEMENT, grants: ['ec2:TerminateInstances', 's3:DeleteBucket'] }),
  () => ({ kind: 'statement', policy: { ...ADMIN }, statementIndex: 0, statement: { ...STATEMENT, Sid: 'a\u2028b' }, grants: ['ec2:TerminateInstances'] }),
  () => ({ kind: 'statement', policy: { ...ADMIN }, statementIndex: 0, statement: { ...STATEMENT, Sid: 'a\\u2028b' }, grants: ['ec2:TerminateInstances'] }),
  () => ({ kind: 'attribute', name: 'MaxSessionDuration', value: '43200 seconds, the longest IAM allows' }),
];
const REASONS: (() => ServiceReasons)[] = [
  () => ({ service: 's3', kept: 3, gated: 0, removed: 1, groups: [], rest: { decision: 'kept', reason: 'not-restricted', detail: 'no known need to cap to: kept as is', count: 3 } }),
  () => ({ service: 's3', kept: 3, gated: 0, removed: 1, groups: [], rest: { decision: 'kept', reason: 'not-restricted', detail: 'no known need to cap to: kept as is', count: 4 } }),
  () => ({ service: 'ec2', kept: 1, gated: 0, removed: 2, groups: [{ decision: 'kept', reason: 'observed', detail: 'observed 3 times', actions: ['ec2:DescribeInstances'] }, { decision: 'removed', reason: 'unused', actions: ['ec2:RunInstances', 'ec2:StopInstances'] }] }),
  () => ({ service: 'ec2', kept: 1, gated: 0, removed: 2, groups: [{ decision: 'kept', reason: 'observed', detail: 'observed 3 times', actions: ['ec2:DescribeInstances'] }, { decision: 'removed', reason: 'unused', actions: ['ec2:StopInstances', 'ec2:RunInstances'] }] }),
  () => ({ service: 'ec2', kept: 1, gated: 0, removed: 2, groups: [{ decision: 'removed', reason: 'unused', actions: ['ec2:RunInstances', 'ec2:StopInstances'] }, { decision: 'kept', reason: 'observed', detail: 'observed 3 times', actions: ['ec2:DescribeInstances'] }] }),
];

function fix(i: number, actionReasons: ServiceReasons[]): Fix {
  return {
    id: `fix-${i}`, kind: 'permissions-boundary', principalArn: base.principals[i % base.principals.length]!.arn, title: `Boundary ${i}`,
    description: 'Attach the generated permissions boundary.', after: 0,
    renderings: { json: '{}', terraform: '', cli: '' },
    verification: { safe: true, status: 'unverified', observedCallsChecked: 0, observedCallsDenied: [], forbiddenStillAllowed: [], notes: [] },
    actionReasons, resolves: [], notes: [],
  };
}

const json = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

describe('texts table: shared objects by identity', () => {
  it('a report with shared entries is written as the same report with every entry a copy, and reads back equal (property)', () => {
    // Per place: which content, and whether it is the pool's one object for that content or a copy.
    const place = (n: number) => fc.record({ c: fc.nat(n - 1), shared: fc.boolean() });
    fc.assert(
      fc.property(
        fc.array(fc.array(place(EVIDENCE.length), { maxLength: 4 }), { minLength: 1, maxLength: 12 }),
        fc.array(fc.array(place(REASONS.length), { maxLength: 4 }), { maxLength: 8 }),
        (fs, xs) => {
          const evPool = EVIDENCE.map((make) => make());
          const rPool = REASONS.map((make) => make());
          const template = base.findings[0]!;
          const findings = fs.map((ev, i) => ({ ...template, id: `${template.id.slice(0, 14)}${i.toString(16).padStart(6, '0')}`, evidence: ev.map((p) => (p.shared ? evPool[p.c]! : EVIDENCE[p.c]!())) }));
          const fixes = xs.map((rs, i) => fix(i, rs.map((p) => (p.shared ? rPool[p.c]! : REASONS[p.c]!()))));
          const r: Report = { ...base, findings, fixes };
          const copies: Report = { ...r, findings: findings.map((f) => ({ ...f, evidence: f.evidence.map((e) => structuredClone(e)) })), fixes: fixes.map((x) => ({ ...x, actionReasons: x.actionReasons!.map((e) => structuredClone(e)) })) };
          const written = renderFormat(r, 'json');
          expect(renderFormat(copies, 'json')).toBe(written);
          const raw = JSON.parse(written) as { texts: unknown[] };
          expect(reportSchemaErrors(raw)).toEqual([]);
          // No two table entries are equal, and nothing near-equal was merged: the round trip is exact.
          expect(new Set(raw.texts.map((t) => JSON.stringify(t))).size).toBe(raw.texts.length);
          expect(json(parseReport(written, 'r.json'))).toEqual(json({ ...r, schemaVersion: REPORT_SCHEMA_VERSION }));
        },
      ),
      { numRuns: 60, seed: 20261204 },
    );
  });
});
