// Schema 1.3: report.json stores each distinct policy document once and refers to it. Proven on
// the real pipeline (the demo account scanned with fixes) and on the shared fixture exports: the
// written file is schema-valid, every reference resolves, reading it gives back the report the
// scan held in memory, and a file that refers to nothing it holds is refused with its JSON path.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScanWithFixes } from '../../src/pipeline/scan.js';
import { storedReport, isDocumentRef, isTextRef, resolveTexts } from '../../src/report/documents.js';
import { parseReport, loadReport } from '../../src/report/history.js';
import { renderChunks, renderFormat, writeReportBundle } from '../../src/report/write.js';
import { asciiJson } from '../../src/report/report-file.js';
import { InputError } from '../../src/model/errors.js';
import { REPORT_SCHEMA_VERSION, type Report } from '../../src/model/report.js';
import { reportSchemaErrors } from '../support/schema.js';
import { buildReport } from './support.js';

const NOW = new Date('2026-11-24T00:00:00Z');
let report: Report;
let root: string;

beforeAll(async () => {
  report = (await runScanWithFixes({ demo: true, fixes: true, now: NOW })).report;
  root = await mkdtemp(join(tmpdir(), 'leash-docs-'));
}, 120_000);
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Every `{ "$doc": key }` in a parsed report.json, with where it stands. */
function refs(raw: unknown, path = '$', out: { path: string; key: string }[] = []): { path: string; key: string }[] {
  if (isDocumentRef(raw)) out.push({ path, key: raw.$doc });
  else if (Array.isArray(raw)) raw.forEach((v, i) => refs(v, `${path}[${i}]`, out));
  else if (typeof raw === 'object' && raw !== null) for (const [k, v] of Object.entries(raw)) if (k !== 'documents' || path !== '$') refs(v, `${path}.${k}`, out);
  return out;
}

describe('report.json documents table (schema 1.3)', () => {
  it('the demo scan with fixes: written once each, referred to, schema-valid, read back whole', async () => {
    expect(report.fixes.length).toBeGreaterThan(0);
    const { dir } = await writeReportBundle(report, { reportsRoot: join(root, 'reports'), formats: ['json'] });
    const text = await readFile(join(dir, 'report.json'), 'utf8');
    const raw = JSON.parse(text) as { documents: Record<string, unknown>; fixes: { after: unknown }[]; principals: { trustPolicy?: unknown }[] };
    expect(reportSchemaErrors(raw)).toEqual([]);
    // A document's statements are entries of the table too (schema 1.4): references from inside it count.
    const found = [...refs(raw), ...refs(raw.documents, '$.documents')];
    const keys = new Set(found.map((r) => r.key));
    // Every reference has its document, and every document is referred to.
    expect([...keys].sort()).toEqual(Object.keys(raw.documents).sort());
    // Shared documents are stored once: the demo's roles share trust policies and statements.
    expect(keys.size).toBeLessThan(found.length);
    expect(raw.fixes.every((f) => typeof f.after === 'number' || isDocumentRef(f.after))).toBe(true);
    expect(raw.principals.filter((p) => p.trustPolicy !== undefined).every((p) => isDocumentRef(p.trustPolicy))).toBe(true);
    // Readers see whole documents: what the scan held, as JSON.
    const back = await loadReport(join(dir, 'report.json'));
    // The graph keeps the hops toward what principals gain (stored-graph.test.ts); the rest is whole.
    const { graph: g1, ...rest1 } = back;
    const { graph: g0, ...rest0 } = JSON.parse(JSON.stringify(report)) as Report;
    expect(rest1).toEqual(rest0);
    expect({ ...g1, hops: [], hopsOmitted: 0 }).toEqual({ ...g0, hops: [], hopsOmitted: 0 });
    expect(g1!.hops.length + g1!.hopsOmitted!).toBe(g0!.hops.length);
    expect(refs(back)).toEqual([]);
    // `leash report --format json` renders exactly the bundle's file, which is that text as ASCII
    // (session 31: non-ASCII characters escaped, so readers parse a one-byte string).
    const rendered = renderFormat(report, 'json');
    expect(/[^\x00-\x7f]/.test(rendered)).toBe(true);
    expect(asciiJson(Buffer.from(rendered, 'utf8')).toString('latin1')).toBe(text);
    const chunks = renderChunks(report, 'json');
    expect(typeof chunks).not.toBe('string');
    expect([...chunks].join('')).toBe(rendered);
  });

  it('one record per line: each finding, fix and principal is a line of its own that parses alone', async () => {
    const text = renderFormat(report, 'json');
    const lines = text.split('\n');
    for (const f of report.findings.slice(0, 20)) {
      const line = lines.find((l) => l.includes(`"id":"${f.id}"`) && l.includes('"checkId"'));
      expect(line, f.id).toBeDefined();
      expect((JSON.parse(line!.trim().replace(/,$/, '')) as { id: string }).id).toBe(f.id);
    }
    expect(lines.length).toBeGreaterThan(report.findings.length + report.fixes.length + report.principals.length);
  });

  it('renderings are stored as what they are rendered from, and read back as the same text', async () => {
    const raw = JSON.parse(renderFormat(report, 'json')) as { fixes: { renderings: Record<string, unknown> }[] };
    expect(raw.fixes.every((f) => Object.keys(f.renderings).join() === '$render')).toBe(true);
    const back = parseReport(JSON.stringify(raw), 'report.json');
    for (const [i, f] of report.fixes.entries()) {
      expect(back.fixes[i]!.renderings.json).toBe(f.renderings.json);
      expect(back.fixes[i]!.renderings.terraform).toBe(f.renderings.terraform);
      expect(back.fixes[i]!.renderings.cli).toBe(f.renderings.cli);
    }
    // A report written with the strings (1.2) reads as it is (negative control for the derivation).
    const old = JSON.parse(JSON.stringify(report)) as { fixes: { renderings: { cli: string } }[] };
    old.fixes[0]!.renderings.cli = '#!/bin/sh\necho hand-edited\n';
    expect(parseReport(JSON.stringify(old), 'old.json').fixes[0]!.renderings.cli).toBe('#!/bin/sh\necho hand-edited\n');
  });

  it('a render target that is not what leash writes is refused before any renderer runs', () => {
    const raw = JSON.parse(renderFormat(report, 'json')) as { fixes: { renderings: { $render: { principalKind: string } } }[] };
    raw.fixes[0]!.renderings.$render.principalKind = 'group; rm -rf /';
    expect(() => parseReport(JSON.stringify(raw), 'bad.json')).toThrow(/bad\.json.*\$\.fixes\[0\]\.renderings\.\$render\.principalKind/s);
  });

  it("a document's statements are stored once across documents and evidence (schema 1.4); a statement reference to a document is refused", () => {
    const raw = JSON.parse(renderFormat(report, 'json')) as { documents: Record<string, { statements?: unknown[] }> };
    const inDocs = Object.values(raw.documents).flatMap((d) => d.statements ?? []);
    expect(inDocs.length).toBeGreaterThan(0);
    expect(inDocs.every((st) => isDocumentRef(st))).toBe(true);
    const [docKey, doc] = Object.entries(raw.documents).find(([, d]) => (d.statements?.length ?? 0) > 0)!;
    const bad = structuredClone(raw);
    bad.documents[docKey]!.statements![0] = { $doc: docKey };
    expect(() => parseReport(JSON.stringify(bad), 'bad.json')).toThrow(/bad\.json.*statements\[0\].*a reference to a statement/s);
    expect(doc.statements!.length).toBeGreaterThan(0);
  });

  it('a reference to a key the table lacks is refused with its JSON path', () => {
    const raw = JSON.parse(renderFormat(report, 'json')) as { documents: Record<string, unknown> };
    const first = refs(raw)[0]!;
    delete raw.documents[first.key];
    let err: unknown;
    try {
      parseReport(JSON.stringify(raw), 'bad/report.json');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toContain('bad/report.json');
    expect((err as Error).message).toContain(first.path);
    expect((err as Error).message).toContain('$.documents');
  });

  it('a report written before schema 1.3 (no table, documents inline) reads unchanged; a hand-built one round-trips', () => {
    const old = buildReport();
    const inline = JSON.stringify(old);
    expect(parseReport(inline, 'old.json')).toEqual(JSON.parse(inline));
    const stored = storedReport(old);
    expect(reportSchemaErrors(stored)).toEqual([]);
    // Written in this version's encoding, whichever version it was built as.
    expect(parseReport(JSON.stringify(stored), 'new.json')).toEqual({ ...JSON.parse(inline), schemaVersion: REPORT_SCHEMA_VERSION });
  });
});

describe('report.json texts table (schema 1.4)', () => {
  /** The report as a reader sees it after the round trip (the graph keeps fewer hops by design). */
  const plain = (r: Report): unknown => {
    const { graph: _g, ...rest } = JSON.parse(JSON.stringify(r)) as Report;
    return rest;
  };

  it('resolve(stored(report)) equals the report, for reports with texts repeated, unique, short or absent (property)', () => {
    const text = fc.oneof(fc.constantFrom('short', 'a description long enough to be kept once in the table', 'another long remediation text that many findings share'), fc.string({ maxLength: 40 }));
    fc.assert(
      fc.property(
        fc.array(fc.record({ at: fc.nat(), description: text, remediation: fc.option(text, { nil: undefined }), actions: fc.array(fc.constantFrom('iam:PassRole', 's3:DeleteBucket', 'ec2:TerminateInstances'), { maxLength: 3 }) }), { maxLength: 30 }),
        fc.array(fc.record({ at: fc.nat(), description: text, notes: fc.array(text, { maxLength: 3 }) }), { maxLength: 8 }),
        (fs, xs) => {
          const findings = fs.map((o, i) => {
            const f = report.findings[o.at % report.findings.length]!;
            const { remediation: _r, ...rest } = f;
            return { ...rest, id: `${f.id.slice(0, 14)}${i.toString(16).padStart(6, '0')}`, description: o.description, actions: o.actions, ...(o.remediation !== undefined ? { remediation: o.remediation } : {}) };
          });
          const fixes = xs.map((o) => ({ ...report.fixes[o.at % report.fixes.length]!, description: o.description, notes: o.notes }));
          const r: Report = { ...report, findings, fixes };
          const written = renderFormat(r, 'json');
          const raw = JSON.parse(written) as { texts: unknown[] };
          expect(reportSchemaErrors(raw)).toEqual([]);
          // Each text once: no two entries of the table are equal.
          expect(new Set(raw.texts.map((t) => JSON.stringify(t))).size).toBe(raw.texts.length);
          expect(plain(parseReport(written, 'r.json'))).toEqual(plain(r));
        },
      ),
      { numRuns: 25, seed: 20261204 },
    );
  });

  it('the demo scan: repeated texts are referred to, and the file is smaller than with every text inline', () => {
    const written = renderFormat(report, 'json');
    const raw = JSON.parse(written) as { texts: unknown[]; findings: Record<string, unknown>[]; fixes: Record<string, unknown>[] };
    expect(raw.texts.length).toBeGreaterThan(0);
    expect(raw.findings.some((f) => isTextRef(f.description))).toBe(true);
    expect(raw.fixes.some((x) => isTextRef(x.verification))).toBe(true);
    const compact = JSON.stringify(raw).length;
    const inline = JSON.stringify(resolveTexts(JSON.parse(written), 'r.json')).length;
    expect(compact).toBeLessThan(inline);
  });

  it('a reference past the end of the table is refused with its JSON path; a 1.3 report (no table) reads', () => {
    const raw = JSON.parse(renderFormat(report, 'json')) as { texts: unknown[]; findings: Record<string, unknown>[]; schemaVersion: string };
    const i = raw.findings.findIndex((f) => isTextRef(f.description));
    raw.findings[i]!.description = { $text: raw.texts.length };
    expect(() => parseReport(JSON.stringify(raw), 'bad/report.json')).toThrow(new RegExp(`bad/report\\.json.*\\$\\.findings\\[${i}\\]\\.description.*\\$\\.texts`, 's'));
    const old = { ...(JSON.parse(JSON.stringify(report)) as Report), schemaVersion: '1.3.0' };
    expect(plain(parseReport(JSON.stringify(old), 'old.json'))).toEqual(plain(old));
  });
});
