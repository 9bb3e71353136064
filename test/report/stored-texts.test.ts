// Schema 1.6: report.json refers to principals' permission lists, policies and agent evidence, the
// graph's hop texts, reach powers and paths in `texts`, keeps only values used twice or more there,
// and says the most common firstSeen of findings once (firstSeenDefault). Readers put everything back:
// the report read equals the report written (property), and a report written as 1.5 still reads.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isTextRef, storedReport, storedReportStream } from '../../src/report/documents.js';
import { jsonPieces } from '../../src/report/json-stream.js';
import { parseReport } from '../../src/report/history.js';
import { renderFormat } from '../../src/report/write.js';
import { REPORT_SCHEMA_VERSION, type Report } from '../../src/model/report.js';
import type { GraphPath, GraphSummary, PathHop, PowerSummary } from '../../src/model/graph.js';
import type { Finding } from '../../src/model/finding.js';
import { reportSchemaErrors } from '../support/schema.js';
import { ACCOUNT, buildReport, principal, roleArn } from './support.js';

const base = buildReport();
const START = base.scan.startedAt;
const EARLIER = '2026-11-01T00:00:00.000Z';

const power = (n: number, admin = false): PowerSummary => ({ admin, iamWrite: n % 3, destructive: n % 5, credentialAccess: 0, dataRead: n % 2, total: n });
const hopOf = (from: string, to: string, why: string): PathHop => ({
  from, to, technique: 'assume-role', actions: ['sts:AssumeRole'], condition: 'none', target: 'proven', why,
  evidence: [{ side: 'trust', principalArn: to, policy: 'trust', statementIndex: 0 }], adds: 'admin',
});
const WHYS = ['its trust policy lets the caller assume it', 'may pass the role to Lambda and invoke it', 'short'];
const ADMINS = [roleArn('admin'), roleArn('break-glass')];

/** Count `{"$text": i}` references in a parsed report.json, per index. */
function refCounts(raw: unknown, out = new Map<number, number>()): Map<number, number> {
  if (isTextRef(raw)) out.set(raw.$text, (out.get(raw.$text) ?? 0) + 1);
  else if (Array.isArray(raw)) for (const v of raw) refCounts(v, out);
  else if (typeof raw === 'object' && raw !== null) for (const [k, v] of Object.entries(raw)) if (k !== 'texts') refCounts(v, out);
  return out;
}

const json = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

describe('report.json schema 1.6', () => {
  it('resolve(stored(report)) equals the report for principals, graph and findings with values shared, unique or short (property)', () => {
    const actions = fc.constantFrom(['s3:DeleteBucket', 'ec2:TerminateInstances', 'iam:DeleteRole'], ['s3:DeleteBucket'], [], ['rds:DeleteDBInstance', 'dynamodb:DeleteTable', 'lambda:DeleteFunction', 'kms:ScheduleKeyDeletion']);
    const byService = fc.oneof(fc.constantFrom({ s3: 120, ec2: 431, iam: 80 }, { s3: 1 }), fc.dictionary(fc.constantFrom('s3', 'ec2', 'iam', 'kms', 'sts'), fc.nat(500)));
    const arbPrincipal = fc.record({ destructive: actions, escalation: fc.constantFrom(['iam-passrole-lambda', 'iam-create-access-key'], []), byService, policies: fc.constantFrom([{ kind: 'managed', name: 'AdministratorAccess', arn: 'arn:aws:iam::aws:policy/AdministratorAccess' }], [], [{ kind: 'inline', name: 'deploy' }]), withPath: fc.boolean(), admin: fc.nat(ADMINS.length - 1), why: fc.nat(WHYS.length - 1), hops: fc.integer({ min: 1, max: 3 }), pathFromElsewhere: fc.boolean(), power: fc.nat(6) });
    fc.assert(
      fc.property(fc.array(arbPrincipal, { minLength: 1, maxLength: 12 }), fc.array(fc.constantFrom('start', 'earlier', 'absent'), { maxLength: 8 }), (ps, seen) => {
        const principals = ps.map((p, i) => principal({ arn: roleArn(`p${i}`), name: `p${i}`, policies: p.policies, permissions: { allowedActionCount: i, destructiveActions: p.destructive, escalationTechniques: p.escalation, byService: p.byService } }));
        const hops: PathHop[] = [];
        const reach = ps.map((p, i) => {
          const from = principals[i]!.arn;
          let path: GraphPath | undefined;
          if (p.withPath) {
            // A chain through shared middle roles to an administrator: the same after its first hop for many principals.
            const stops = [from, ...Array.from({ length: p.hops - 1 }, (_, k) => roleArn(`mid${k}`)), ADMINS[p.admin]!];
            const ph = stops.slice(1).map((to, k) => hopOf(stops[k]!, to, WHYS[p.why]!));
            hops.push(...ph);
            // A path that does not start at its principal (never written so, but readers must not assume) stays whole.
            path = { from: p.pathFromElsewhere ? roleArn('elsewhere') : from, to: stops[stops.length - 1]!, hops: ph, condition: 'none', target: 'proven' };
          }
          return { principalArn: from, principals: p.hops, power: power(p.power), reachPower: power(6, true), ...(path ? { gains: 'admin' as const, path } : {}) };
        });
        // hopsOmitted set: storedGraph keeps the hops as they are, so the whole graph must come back.
        const graph: GraphSummary = { nodes: principals.length + 4, edges: hops.length, hops, hopsOmitted: 0, reach, accounts: [ACCOUNT], admins: ADMINS };
        const findings = base.findings.map((f, i) => {
          const { firstSeen: _x, ...rest } = f;
          const s = seen[i % Math.max(seen.length, 1)] ?? 'start';
          return s === 'absent' ? rest : { ...rest, firstSeen: s === 'start' ? START : EARLIER };
        });
        const r: Report = { ...base, principals, findings, graph };
        const written = renderFormat(r, 'json');
        // The stored lists are made as they are written: written twice, the same text, and the
        // same text as the stored report with every list made at once.
        const stream = storedReportStream(r);
        const once = [...jsonPieces(stream, 'records')].join('');
        expect([...jsonPieces(stream, 'records')].join('')).toBe(once);
        expect(`${once}\n`).toBe(written);
        expect(`${[...jsonPieces(storedReport(r), 'records')].join('')}\n`).toBe(written);
        const raw = JSON.parse(written) as { schemaVersion: string; firstSeenDefault?: string; texts: unknown[]; findings: { firstSeen?: string }[]; graph: { reach: { principalArn: string; path?: unknown }[] } };
        expect(raw.schemaVersion).toBe(REPORT_SCHEMA_VERSION);
        expect(reportSchemaErrors(raw)).toEqual([]);
        // Every table entry is referred to at least twice, and no two are equal.
        const counts = refCounts(raw);
        expect(raw.texts.every((_, i) => (counts.get(i) ?? 0) >= 2)).toBe(true);
        expect(new Set(raw.texts.map((t) => JSON.stringify(t))).size).toBe(raw.texts.length);
        // The most common firstSeen is said once, when every finding has one.
        const common = raw.firstSeenDefault;
        if (common !== undefined) expect(raw.findings.some((f) => f.firstSeen === common)).toBe(false);
        else expect(r.findings.some((f) => f.firstSeen === undefined) || new Set(r.findings.map((f) => f.firstSeen)).size === r.findings.length).toBe(true);
        // A path in the table has no start of its own; a path that is not its principal's stays inline and whole.
        for (const e of raw.graph.reach) {
          if (isTextRef(e.path)) {
            const t = raw.texts[e.path.$text] as { from?: string; hops: { from?: string }[] };
            expect(t.from).toBeUndefined();
            expect(t.hops[0]!.from).toBeUndefined();
          } else if (e.path !== undefined) expect((e.path as GraphPath).from).toBeDefined();
        }
        // Read back: the same report, in this version's encoding whichever version it was built as.
        expect(json(parseReport(written, 'r.json'))).toEqual(json({ ...r, schemaVersion: REPORT_SCHEMA_VERSION }));
      }),
      { numRuns: 40, seed: 20261204 },
    );
  });

  it('statement evidence: equal entries made apart are one text, entries differing in any part are apart, odd shapes still keyed by content (property)', () => {
    // Parts an entry can differ in: policy, index, sid (absent or not), statement, grants (absent or not); plus an entry
    // with a key statementEntry never writes (keyed by its JSON instead) and an attribute entry.
    const policies = [
      { kind: 'managed', name: 'AdministratorAccess', arn: 'arn:aws:iam::aws:policy/AdministratorAccess', awsManaged: true },
      { kind: 'inline', name: 'deploy' },
    ] as const;
    const statements = [{ Effect: 'Allow', Action: '*', Resource: '*' }, { Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::logs-*' }];
    const part = fc.record({ policy: fc.nat(1), index: fc.nat(1), sid: fc.constantFrom(undefined, 'AllowAll', 'a"b'), statement: fc.nat(1), grants: fc.constantFrom(undefined, ['s3:DeleteBucket'], ['s3:DeleteBucket', 'iam:PassRole'], ['s3:DeleteBucket,iam:PassRole']), odd: fc.constantFrom(false, false, false, true), attribute: fc.constantFrom(false, false, false, false, true) });
    const entryOf = (x: { policy: number; index: number; sid: string | undefined; statement: number; grants: readonly string[] | undefined; odd: boolean; attribute: boolean }): Finding['evidence'][number] => {
      if (x.attribute) return { kind: 'attribute', name: 'PermissionsBoundary', value: `none set on a principal that holds ${x.grants?.join(', ') ?? 'nothing'}` };
      // A fresh copy of every part each time: only content can make two entries one.
      const e: Record<string, unknown> = { kind: 'statement', policy: { ...policies[x.policy]! }, statementIndex: x.index };
      if (x.sid !== undefined) e.sid = x.sid;
      e.statement = { ...statements[x.statement]! };
      if (x.grants !== undefined) e.grants = [...x.grants];
      if (x.odd) e.note = 'written by something other than statementEntry';
      return e as unknown as Finding['evidence'][number];
    };
    fc.assert(
      fc.property(fc.array(fc.array(part, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 10 }), (lists) => {
        const f0 = base.findings[0]!;
        const findings = lists.map((xs, i) => ({ ...f0, id: `${f0.id}-${i}`, subject: `s${i}`, evidence: xs.map(entryOf) }));
        const r: Report = { ...base, findings };
        const written = renderFormat(r, 'json');
        const raw = JSON.parse(written) as { texts: unknown[]; findings: { evidence: unknown[] }[] };
        // Every entry met twice or more is one text referred to from each place; every other stays inline.
        const byContent = new Map<string, number>();
        for (const f of raw.findings) for (const e of f.evidence) if (!isTextRef(e)) byContent.set(JSON.stringify(e), (byContent.get(JSON.stringify(e)) ?? 0) + 1);
        for (const [k, n] of byContent) expect(n, `inline twice: ${k}`).toBe(1);
        const texts = raw.texts.map((t) => JSON.stringify(t));
        expect(new Set(texts).size).toBe(texts.length);
        for (const k of byContent.keys()) expect(texts).not.toContain(k);
        expect(json(parseReport(written, 'r.json').findings)).toEqual(json(findings));
      }),
      { numRuns: 150, seed: 20261207 },
    );
  });

  it('principals with the same permission lists and the same path to an administrator store them once', () => {
    const principals = Array.from({ length: 20 }, (_, i) => principal({ arn: roleArn(`same${i}`), name: `same${i}`, permissions: { allowedActionCount: 900, destructiveActions: ['s3:DeleteBucket', 'ec2:TerminateInstances', 'iam:DeleteRole'], escalationTechniques: ['iam-passrole-lambda'], byService: { s3: 120, ec2: 431, iam: 80 } } }));
    const reach = principals.map((p) => ({ principalArn: p.arn, principals: 1, power: power(3), reachPower: power(6, true), gains: 'admin' as const, path: { from: p.arn, to: ADMINS[0]!, hops: [hopOf(p.arn, ADMINS[0]!, WHYS[0]!)], condition: 'none' as const, target: 'proven' as const } }));
    const r: Report = { ...base, principals, graph: { nodes: 21, edges: 20, hops: reach.map((x) => x.path.hops[0]!), hopsOmitted: 0, reach, accounts: [ACCOUNT], admins: [ADMINS[0]!] } };
    const stored = json(storedReport(r)) as unknown as { texts: unknown[]; principals: { permissions: Record<string, unknown> }[]; graph: { reach: { path: unknown; power: unknown; reachPower: unknown }[] } };
    expect(stored.principals.every((p) => isTextRef(p.permissions.destructiveActions))).toBe(true);
    const paths = new Set(stored.graph.reach.map((e) => JSON.stringify(e.path)));
    expect(paths.size).toBe(1);
    expect(stored.graph.reach.every((e) => isTextRef(e.path) && isTextRef(e.power) && isTextRef(e.reachPower))).toBe(true);
    // The texts table is charged in full: still less than half of what the principals and reach took inline.
    const inline = JSON.stringify([r.principals, r.graph!.reach]).length;
    expect(JSON.stringify([stored.principals, stored.graph.reach, stored.texts]).length).toBeLessThan(inline / 2);
  });

  it('a report written as schema 1.5 (leash at dd67193, `scan --demo --format json`) reads as before, and written again as 1.6 reads back the same', () => {
    const text = readFileSync(join(import.meta.dirname, '..', 'fixtures', 'report', 'report-1.5.json'), 'utf8');
    const raw = JSON.parse(text) as { schemaVersion: string; findings: { firstSeen?: string }[] };
    expect(raw.schemaVersion).toBe('1.5.0');
    const old = parseReport(text, 'report-1.5.json');
    expect(old.findings.length).toBeGreaterThan(0);
    expect(old.findings.every((f) => f.firstSeen === raw.findings[old.findings.indexOf(f)]!.firstSeen)).toBe(true);
    expect(old.principals.every((p) => Array.isArray(p.permissions.destructiveActions) && Array.isArray(p.policies))).toBe(true);
    expect(old.graph!.reach.some((e) => e.path !== undefined && e.path.from === e.principalArn)).toBe(true);
    const again = renderFormat(old, 'json');
    expect(JSON.parse(again).schemaVersion).toBe(REPORT_SCHEMA_VERSION);
    expect(json(parseReport(again, 'again.json'))).toEqual({ ...json(old), schemaVersion: REPORT_SCHEMA_VERSION });
    // Its findings share one firstSeen: said once in the 1.6 file.
    expect(JSON.parse(again).firstSeenDefault).toBe(raw.findings[0]!.firstSeen);
    // A finding without firstSeen keeps none: no firstSeenDefault is written then.
    const { firstSeen: _f, ...noSeen } = old.findings[0]!;
    const partial = renderFormat({ ...old, findings: [noSeen, ...old.findings.slice(1)] }, 'json');
    expect(JSON.parse(partial).firstSeenDefault).toBeUndefined();
    expect(parseReport(partial, 'partial.json').findings[0]!.firstSeen).toBeUndefined();
    // A firstSeenDefault that is not a date is refused with its path.
    expect(() => parseReport(JSON.stringify({ ...JSON.parse(again), firstSeenDefault: 12 }), 'bad.json')).toThrow(/bad\.json.*\$\.firstSeenDefault/s);
  });
});
