// Where a bundle's bytes go (issue 14: measure before cutting): report.json by top-level key and by
// finding/fix field, ASFF by field, fixes/ by file name. Sizes are of compact JSON (the file's
// indentation is left out), so they say which parts weigh, not the exact bytes on disk.
// A `{"$text": i}` reference is charged the text it stands for the first time it is met (the
// table holds each text once), so a field's figure includes the texts only it brought in.
import { reportFileIn, reportText } from '../src/report/report-file.js';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface BundleBreakdown {
  /** report.json: compact bytes per top-level key (`texts` only what no field claimed). */
  readonly report: Record<string, number>;
  readonly findingFields: Record<string, number>;
  readonly fixFields: Record<string, number>;
  /** ASFF: bytes per finding field over every line, and the line count. */
  readonly asff: { readonly lines: number; readonly fields: Record<string, number> };
  /** fixes/: bytes and file count per file name (policy-2.json counted as policy-N.json). */
  readonly fixFiles: Record<string, { bytes: number; files: number }>;
}

const len = (v: unknown): number => Buffer.byteLength(JSON.stringify(v) ?? '');

function add(m: Record<string, number>, k: string, n: number): void {
  m[k] = (m[k] ?? 0) + n;
}

/** Bytes of v with each first-met text reference charged its text's size. */
function charged(v: unknown, texts: readonly unknown[], seen: Set<number>): number {
  let extra = 0;
  const walk = (x: unknown): void => {
    if (Array.isArray(x)) for (const e of x) walk(e);
    else if (x && typeof x === 'object') {
      const ref = (x as { $text?: unknown }).$text;
      if (typeof ref === 'number' && Object.keys(x).length === 1) {
        if (!seen.has(ref)) {
          seen.add(ref);
          extra += len(texts[ref]);
        }
        return;
      }
      for (const e of Object.values(x)) walk(e);
    }
  };
  walk(v);
  return len(v) + extra;
}

function fixesDir(dir: string, out: Record<string, { bytes: number; files: number }>): void {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) fixesDir(p, out);
    else {
      // Numbered and content-named files (policy-2.json, trust-<sha256 hex>.json) by kind.
      const k = e.name.replace(/^trust-[0-9a-f]+\.json$/, 'trust-<sha256>.json').replace(/-\d+(\.json)$/, '-N$1').replace(/^leash-apply-[0-9a-f]+\.sh$/, 'leash-apply-<hash>.sh');
      const o = (out[k] ??= { bytes: 0, files: 0 });
      o.bytes += statSync(p).size;
      o.files++;
    }
  }
}

export function bundleBreakdown(bundle: string, asffFile = 'findings.asff.json'): BundleBreakdown {
  const file = reportFileIn(bundle)!;
  const r = JSON.parse(reportText(readFileSync(file), file)) as Record<string, unknown>;
  const texts = (Array.isArray(r.texts) ? r.texts : []) as unknown[];
  const seen = new Set<number>();
  const findingFields: Record<string, number> = {};
  const fixFields: Record<string, number> = {};
  for (const [list, into] of [[r.findings, findingFields], [r.fixes, fixFields]] as const) {
    for (const item of (Array.isArray(list) ? list : []) as Record<string, unknown>[]) {
      for (const [k, v] of Object.entries(item)) add(into, k, charged(v, texts, seen));
    }
  }
  // A pass of its own (texts charged again, in file order): the fields above took them first.
  const report: Record<string, number> = {};
  const seenTop = new Set<number>();
  for (const [k, v] of Object.entries(r)) if (k !== 'texts') report[k] = charged(v, texts, seenTop);
  report.texts = texts.reduce<number>((a, t, i) => a + (seenTop.has(i) ? 0 : len(t)), 0);
  const asff = { lines: 0, fields: {} as Record<string, number> };
  try {
    for (const line of readFileSync(join(bundle, asffFile), 'utf8').split('\n')) {
      const t = line.trim().replace(/,$/, '');
      if (!t.startsWith('{')) continue;
      asff.lines++;
      for (const [k, v] of Object.entries(JSON.parse(t) as Record<string, unknown>)) add(asff.fields, k, len(v));
    }
  } catch {
    // no ASFF file in this bundle
  }
  const fixFiles: Record<string, { bytes: number; files: number }> = {};
  try {
    fixesDir(join(bundle, 'fixes'), fixFiles);
  } catch {
    // no fixes/
  }
  return { report, findingFields, fixFields, asff, fixFiles };
}

const mb = (n: number): string => (n / 1e6).toFixed(2);
const top = (m: Record<string, number>, n = 8): string =>
  Object.entries(m).sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => `${k} ${mb(v)}`).join(', ');

/** The breakdown as print-out lines (MB). */
export function* breakdownLines(b: BundleBreakdown): Generator<string> {
  yield `  report.json by key (MB, compact) ${top(b.report)}`;
  yield `  report.json finding fields       ${top(b.findingFields)}`;
  yield `  report.json fix fields           ${top(b.fixFields)}`;
  yield `  ASFF ${b.asff.lines.toLocaleString('en-US')} findings, by field  ${top(b.asff.fields)}`;
  yield `  fixes/ by file name              ${Object.entries(b.fixFiles).sort((a, c) => c[1].bytes - a[1].bytes).map(([k, v]) => `${k} ${mb(v.bytes)} (${v.files})`).join(', ')}`;
}
