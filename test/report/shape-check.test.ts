// shapeChecker (session 31) against zod itself: the report's long lists are checked without zod's
// copy, and must accept and refuse exactly what zod does, with zod's first issue (path, code,
// expected type or values). Records are the demo scan's own, then broken at generated places.
import fc from 'fast-check';
import { z } from 'zod';
import { beforeAll, describe, expect, it } from 'vitest';
import { runScanWithFixes } from '../../src/pipeline/scan.js';
import { resolveTexts } from '../../src/report/documents.js';
import { parseReport, REPORT_RECORD_SHAPES, reportShape } from '../../src/report/history.js';
import { shapeChecker } from '../../src/report/shape-check.js';
import { renderFormat } from '../../src/report/write.js';
import { InputError, describeValue, jsonPath, valueAt } from '../../src/model/errors.js';

let raw: Record<string, unknown>;

beforeAll(async () => {
  const report = (await runScanWithFixes({ demo: true, fixes: true, now: new Date('2026-11-24T00:00:00Z') })).report;
  raw = resolveTexts(JSON.parse(renderFormat(report, 'json')), 'r.json') as Record<string, unknown>;
}, 120_000);

type Path = (string | number)[];

/** Every place in a value (itself included), depth first. */
function places(v: unknown, at: Path = [], out: Path[] = []): Path[] {
  out.push(at);
  if (Array.isArray(v)) v.forEach((e, i) => places(e, [...at, i], out));
  else if (typeof v === 'object' && v !== null) for (const [k, e] of Object.entries(v)) places(e, [...at, k], out);
  return out;
}

const REPLACEMENTS: readonly unknown[] = [null, 0, -1.5, Number.NaN, Number.POSITIVE_INFINITY, '', 'critical', 'x', true, false, [], ['x'], [1], {}, { kind: 1 }, 'approval', 'inferred'];
const mutation = fc.record({ at: fc.nat(), kind: fc.constantFrom('delete', 'replace', 'wrap'), with: fc.constantFrom(...REPLACEMENTS), also: fc.option(fc.nat(), { nil: undefined }) });
type Mutation = { at: number; kind: 'delete' | 'replace' | 'wrap'; with: unknown; also: number | undefined };

/** A deep copy of `value` broken at one generated place (and maybe a second, later one). */
function broken(value: unknown, m: Mutation): unknown {
  const copy = structuredClone(value);
  const all = places(copy);
  for (const n of m.also === undefined ? [m.at] : [m.at, m.also]) {
    const path = all[n % all.length]!;
    if (path.length === 0) return m.kind === 'delete' ? undefined : structuredClone(m.with);
    const parent = valueAt(copy, path.slice(0, -1)) as Record<string | number, unknown>;
    const key = path[path.length - 1]!;
    if (typeof parent !== 'object' || parent === null) continue;
    if (m.kind === 'delete' && !Array.isArray(parent)) delete parent[key];
    else parent[key] = m.kind === 'wrap' ? [parent[key]] : structuredClone(m.with);
  }
  return copy;
}

/** zod's first issue, in the checker's terms. */
function zodIssue(schema: z.ZodType, v: unknown) {
  const r = schema.safeParse(v);
  if (r.success) return undefined;
  const i = r.error.issues[0]!;
  return { code: i.code, path: i.path, ...(i.code === 'invalid_type' ? { expected: i.expected } : {}), ...(i.code === 'invalid_value' ? { values: i.values } : {}) };
}

const records = (): [string, z.ZodType, unknown[]][] => {
  const graph = raw.graph as { hops: unknown[]; reach: unknown[] };
  return [
    ['principals', REPORT_RECORD_SHAPES.principals, raw.principals as unknown[]],
    ['findings', REPORT_RECORD_SHAPES.findings, raw.findings as unknown[]],
    ['hops', REPORT_RECORD_SHAPES.hops, graph.hops],
    ['reach', REPORT_RECORD_SHAPES.reach, graph.reach],
  ];
};

describe('shapeChecker', () => {
  it('the demo report\'s records pass both (the lists are not empty)', () => {
    for (const [name, schema, list] of records()) {
      expect(list.length, name).toBeGreaterThan(0);
      const check = shapeChecker(schema);
      for (const rec of list) {
        expect(zodIssue(schema, rec)).toBeUndefined();
        expect(check(rec)).toBeUndefined();
      }
    }
  });

  it('records broken at generated places: the same accept or refuse, and zod\'s first issue (property)', () => {
    let refused = 0;
    for (const [name, schema, list] of records()) {
      const check = shapeChecker(schema);
      fc.assert(fc.property(fc.nat(), mutation, (n, m) => {
        const v = broken(list[n % list.length], m as Mutation);
        const want = zodIssue(schema, v);
        if (want) refused++;
        expect(check(v), name).toEqual(want);
      }), { numRuns: 400 });
    }
    // Both sides were exercised: most mutations break a checked field, some touch only unchecked ones.
    expect(refused).toBeGreaterThan(400);
    expect(refused).toBeLessThan(1600);
  });

  it('refuses a schema kind it does not mirror, instead of passing what zod would refuse', () => {
    expect(() => shapeChecker(z.object({ a: z.string().min(1) }))).toThrow(/checks/);
    expect(() => shapeChecker(z.union([z.string(), z.number()]))).toThrow(/union/);
    expect(() => shapeChecker(z.strictObject({ a: z.string() }))).toThrow(/catchall/);
    // Control: the kinds the report's records use.
    expect(() => shapeChecker(z.looseObject({ a: z.array(z.enum(['x'])), b: z.record(z.string(), z.number()).optional(), c: z.boolean() }))).not.toThrow();
  });
});

describe('parseReport with the records checked by shapeChecker', () => {
  it('a whole report broken at generated places: the error zod\'s check of the whole reportShape gave (property)', () => {
    let refused = 0;
    fc.assert(fc.property(mutation, (m) => {
      // What the file says once written (NaN and a deleted root read back as null).
      const text = JSON.stringify(broken(raw, m as Mutation)) ?? 'null';
      const v: unknown = JSON.parse(text);
      const r = reportShape.safeParse(v);
      let got: unknown;
      try {
        parseReport(text, 'r.json');
      } catch (e) {
        got = e;
      }
      if (r.success) {
        // Not a shape error: the checks after it (documents, render targets, schema version) may still refuse.
        if (got !== undefined) expect((got as InputError).expected).toMatch(/reference|render target|documents|report schema/);
        return;
      }
      refused++;
      const i = r.error.issues[0]!;
      const expected = i.code === 'invalid_type' ? `${i.expected === 'array' ? 'an' : 'a'} ${i.expected}` : i.code === 'invalid_value' ? `one of ${i.values.map((x) => JSON.stringify(x)).join(', ')}` : i.message;
      expect(got).toBeInstanceOf(InputError);
      expect({ path: (got as InputError).path, expected: (got as InputError).expected, got: (got as InputError).got }).toEqual({ path: jsonPath(i.path), expected, got: describeValue(valueAt(v, i.path)) });
    }), { numRuns: 200 });
    expect(refused).toBeGreaterThan(20);
  }, 60_000);

  it('two broken lists: the one reportShape lists first is reported (principals before a hop; summary before principals)', () => {
    const v = structuredClone(raw) as { principals: { riskScore: unknown }[]; summary: { principals: unknown }; graph: { hops: { to: unknown }[] } };
    v.graph.hops[0]!.to = 1;
    v.principals[1]!.riskScore = 'x';
    expect(() => parseReport(JSON.stringify(v), 'r.json')).toThrow(/at \$\.principals\[1\]\.riskScore: expected a number, got "x"/);
    v.summary.principals = null;
    expect(() => parseReport(JSON.stringify(v), 'r.json')).toThrow(/at \$\.summary\.principals: expected a number, got null/);
    // Control: the hop alone.
    const h = structuredClone(raw) as { graph: { hops: { to: unknown }[] } };
    h.graph.hops[0]!.to = 1;
    expect(() => parseReport(JSON.stringify(h), 'r.json')).toThrow(/at \$\.graph\.hops\[0\]\.to: expected a string, got 1/);
  });
});
