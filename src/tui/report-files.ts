// File I/O for the TUI: find and load the newest report, write fix files and exports. Kept out of
// the components so they stay props-in, callbacks-out.
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { notSafeToApply } from '../fix/not-safe.js';
import { applyLibFile, renderFixFiles, renderVersionsTf, sharedBoundaryDir } from '../fix/render/index.js';
import { sharedBoundaryFolderFiles } from '../fix/write.js';
import { renderSourceOf } from '../fix/render/lazy.js';
import { isBoundarySizeNote } from '../fix/render/readme.js';
import type { Fix } from '../model/fix.js';
import type { Report } from '../model/report.js';
import { parseReportBytes } from '../report/history.js';
import { readReportBytesSync, readReportHead, REPORT_FILES } from '../report/report-file.js';
import { safeName, safePart } from '../safe/name.js';

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
    else if (e.isFile() && (REPORT_FILES as readonly string[]).includes(e.name)) out.push(full);
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
    // Only the head of each file: scan.finishedAt is written near the top, and parsing every
    // report whole (145 MB each at 5,000 principals) kept the first frame waiting for seconds.
    const finishedAt = headFinishedAt(path);
    const parsed = finishedAt !== undefined ? Date.parse(finishedAt) : Number.NaN;
    const time = Number.isNaN(parsed) ? statSync(path).mtimeMs : parsed;
    if (!best || time > best.time) best = finishedAt !== undefined ? { path, time, finishedAt } : { path, time };
  }
  if (!best) return undefined;
  return best.finishedAt !== undefined ? { path: best.path, finishedAt: best.finishedAt } : { path: best.path };
}

/** scan.finishedAt from the first 64 KB of a report.json (or .gz), or undefined (then mtime decides). */
export function headFinishedAt(path: string): string | undefined {
  // report.json.gz: its first compressed bytes inflated, as far as they go. An unreadable report
  // still competes by mtime; loading it later reports the problem.
  const head = readReportHead(path);
  if (head === undefined) return undefined;
  // The "scan" object's own key: inside a JSON string a quote would be escaped (\"), so a name
  // holding the text "finishedAt" cannot match here.
  const scanAt = head.search(/"scan"\s*:\s*\{/);
  if (scanAt < 0) return undefined;
  const m = /(?<!\\)"finishedAt"\s*:\s*"([0-9T:.\-+Z]{10,40})"/.exec(head.slice(scanAt));
  return m?.[1];
}

/** Load a report.json (or .gz); a broken file is an InputError naming the file and JSON path. */
export function loadReport(path: string): Report {
  // Bounded and regular-only, like every report read (src/safe/read.ts), inflated size included.
  return parseReportBytes(readReportBytesSync(path), path);
}

/** `role`, `user` or `permission-set` from a fix's principal ARN: a user and a role of one name stay apart. */
export function principalKindOf(arn: string): string {
  const m = /^arn:[^:]*:(?:iam|sso)::[^:]*:(role|user|permissionSet)\//.exec(arn);
  return m?.[1] === 'permissionSet' ? 'permission-set' : (m?.[1] ?? 'principal');
}

/**
 * Default `w` action: the fix's files under <baseDir>/reports/fixes/<kind>-<principal>/<fix kind>/
 * (the folder name scan --fixes uses, from safeName), so writing the boundary after the right-sized
 * policy does not overwrite it, and neither does the fix of a user named like a role.
 *
 * The files are the ones a scan's fixes folder holds, so apply.sh runs as written: the JSON files
 * it reads under their own names (trust.json, boundary.json…), main.tf with versions.tf beside it,
 * and, one folder up where apply.sh looks for them, the shared library it checks and sources and
 * the folder of a boundary shared by content. A fix read from an old report without its render
 * source gets its three renderings as before.
 */
export function writeFixFiles(fix: Fix, principalName: string, baseDir: string = process.cwd()): string {
  const principalDir = join(resolve(baseDir), 'reports', 'fixes', safeName(principalKindOf(fix.principalArn), principalName));
  // The fix's kind comes from report.json, a file anyone may have written: one safe segment.
  const dir = join(principalDir, safePart('fix', fix.kind));
  mkdirSync(dir, { recursive: true });
  const target = renderSourceOf(fix.renderings);
  if (!target) {
    writeFileSync(join(dir, 'policy.json'), ensureNewline(fix.renderings.json));
    writeFileSync(join(dir, 'main.tf'), ensureNewline(fix.renderings.terraform));
    // Not executable on purpose: a human reads it, then runs it with `sh apply.sh`.
    writeFileSync(join(dir, 'apply.sh'), ensureNewline(fix.renderings.cli));
    return dir;
  }
  // Not executable on purpose (apply.sh included): a human reads it, then runs it with `bash apply.sh`.
  for (const f of renderFixFiles(target, { notSafe: notSafeToApply([fix], target) })) writeFileSync(join(dir, f.path), f.content, { mode: 0o644 });
  writeFileSync(join(dir, 'versions.tf'), renderVersionsTf());
  const lib = applyLibFile();
  mkdirSync(dirname(join(principalDir, lib.path)), { recursive: true });
  writeFileSync(join(principalDir, lib.path), lib.content, { mode: 0o644 });
  const partition = fix.principalArn.split(':')[1] || 'aws';
  for (const p of target.policies) {
    if (p.purpose !== 'boundary' || !p.shared || p.attach === 'none') continue;
    // The name is leash-boundary-<hex> of the document; sharedBoundaryDir keeps it one plain folder.
    const folder = join(principalDir, sharedBoundaryDir(p.name));
    mkdirSync(folder, { recursive: true });
    const sizeNotes = fix.notes.filter(isBoundarySizeNote);
    // policy-id.txt is apply.sh's to write (after it creates the policy): never replaced here.
    for (const f of sharedBoundaryFolderFiles(p, target.accountId, partition, [{ arn: fix.principalArn, dir: fix.kind }], sizeNotes)) writeFileSync(join(folder, f.path), f.content, { mode: 0o644 });
  }
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
