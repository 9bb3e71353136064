// File I/O for the TUI: find and load the newest report, write fix files and exports. Kept out of
// the components so they stay props-in, callbacks-out.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { InputError } from '../model/errors.js';
import type { Fix } from '../model/fix.js';
import type { Report } from '../model/report.js';
import { safeSegment } from './format.js';

export interface LatestReport {
  readonly path: string;
  readonly finishedAt?: string;
}

/** Directories under reports/ that hold no scans. */
const SKIP_DIRS = new Set(['fixes', 'schema', 'node_modules']);
const MAX_DEPTH = 4;

function reportFiles(dir: string, depth: number, out: string[]): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const full = join(dir, e.name);
    if (e.isDirectory() && depth < MAX_DEPTH && !SKIP_DIRS.has(e.name)) reportFiles(full, depth + 1, out);
    else if (e.isFile() && e.name === 'report.json') out.push(full);
  }
}

/**
 * The newest report.json under `dir` (layout reports/<account>/<timestamp>/report.json), by
 * scan.finishedAt, falling back to the file's mtime when the report does not say.
 */
export function findLatestReport(dir: string): LatestReport | undefined {
  const files: string[] = [];
  reportFiles(resolve(dir), 0, files);
  let best: { path: string; time: number; finishedAt?: string } | undefined;
  for (const path of files) {
    let finishedAt: string | undefined;
    try {
      const raw = JSON.parse(readFileSync(path, 'utf8')) as { scan?: { finishedAt?: unknown } };
      if (typeof raw.scan?.finishedAt === 'string') finishedAt = raw.scan.finishedAt;
    } catch {
      // An unreadable report still competes by mtime; loading it later reports the problem.
    }
    const parsed = finishedAt !== undefined ? Date.parse(finishedAt) : Number.NaN;
    const time = Number.isNaN(parsed) ? statSync(path).mtimeMs : parsed;
    if (!best || time > best.time) best = finishedAt !== undefined ? { path, time, finishedAt } : { path, time };
  }
  if (!best) return undefined;
  return best.finishedAt !== undefined ? { path: best.path, finishedAt: best.finishedAt } : { path: best.path };
}

// Only what the TUI reads is checked; the full contract is the JSON Schema under reports/schema.
const severityCounts = z.object({ critical: z.number(), high: z.number(), medium: z.number(), low: z.number(), info: z.number() });
const reportShape = z.object({
  schemaVersion: z.string(),
  scan: z.object({
    id: z.string(),
    finishedAt: z.string(),
    account: z.object({ id: z.string() }),
    sources: z.array(z.object({ kind: z.string(), location: z.string(), status: z.string() })),
    coverage: z.object({ notes: z.array(z.string()) }),
  }),
  summary: z.object({ principals: z.number(), agentPrincipals: z.number(), findingsBySeverity: severityCounts }),
  principals: z.array(
    z.object({
      arn: z.string(),
      name: z.string(),
      isAgent: z.boolean(),
      riskScore: z.number(),
      agentEvidence: z.array(z.object({ kind: z.string(), detail: z.string(), confidence: z.string() })),
      permissions: z.object({ allowedActionCount: z.number(), byService: z.record(z.string(), z.number()) }),
      policies: z.array(z.object({ kind: z.string(), name: z.string() })),
    }),
  ),
  findings: z.array(z.object({ id: z.string(), severity: z.enum(['critical', 'high', 'medium', 'low', 'info']), principalArn: z.string(), title: z.string(), evidence: z.array(z.object({ kind: z.string() })), fixIds: z.array(z.string()) })),
  fixes: z.array(z.object({ id: z.string(), principalArn: z.string(), renderings: z.object({ json: z.string(), terraform: z.string(), cli: z.string() }) })),
  errors: z.array(z.object({ message: z.string() })),
});

function jsonPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, k) => (typeof k === 'number' ? `${acc}[${k}]` : `${acc}.${String(k)}`), '$');
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let cur = root;
  for (const k of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[k];
  }
  return cur;
}

function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `string "${v.length > 40 ? `${v.slice(0, 37)}...` : v}"`;
  return typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`;
}

/** Load a report.json; a broken file is an InputError naming the file and JSON path. */
export function loadReport(path: string): Report {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new InputError(path, '', 'a readable report.json', (e as NodeJS.ErrnoException).code ?? 'unreadable');
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new InputError(path, '$', 'valid JSON', (e as Error).message);
  }
  const parsed = reportShape.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InputError(path, jsonPath(issue.path), issue.code === 'invalid_type' ? issue.expected : issue.message, describeValue(valueAt(raw, issue.path)));
  }
  return raw as Report;
}

/** Default `w` action: the three renderings under <baseDir>/reports/fixes/<principal-name>/. */
export function writeFixFiles(fix: Fix, principalName: string, baseDir: string = process.cwd()): string {
  const dir = join(resolve(baseDir), 'reports', 'fixes', safeSegment(principalName));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'policy.json'), ensureNewline(fix.renderings.json));
  writeFileSync(join(dir, 'main.tf'), ensureNewline(fix.renderings.terraform));
  // Not executable on purpose: a human reads it, then runs it with `sh apply.sh`.
  writeFileSync(join(dir, 'apply.sh'), ensureNewline(fix.renderings.cli));
  return dir;
}

function ensureNewline(s: string): string {
  return s.endsWith('\n') ? s : `${s}\n`;
}

/** Write an export next to the cwd with a name that does not clobber an earlier one. */
export function writeExportFile(baseName: string, ext: 'json' | 'md', content: string, baseDir: string = process.cwd()): string {
  const dir = resolve(baseDir);
  let path = join(dir, `${baseName}.${ext}`);
  for (let n = 2; existsSync(path); n++) path = join(dir, `${baseName}-${n}.${ext}`);
  writeFileSync(path, ensureNewline(content));
  return path;
}
