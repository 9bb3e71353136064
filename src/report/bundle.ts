// What leash recognises as its own on disk, so that nothing else is ever replaced or deleted.
//
// A bundle (a scan directory, or `scan --output DIR`) holds a marker file `.leash-bundle`, the
// format files, and `fixes/` (marker `.leash-fixes`, naming each folder's principal and files)
// with one folder per principal (older leash wrote a `.leash-fix` marker into each; still
// recognised), or per shared boundary for the principals whose fix attaches it
// (`attach-<boundary>/`, fix/group.ts: a fix folder like any other, its members' trust documents
// in its trust/, its backups one sub-folder per principal). Inside a fix folder, `apply.sh --apply` writes
// `backup-<time>/`: the only copy of the policies it replaced, which `apply.sh --rollback` needs.
// A folder is leash's to replace or delete only when every entry in it is one of these and none
// is a backup.
import { closeSync, constants, lstatSync, openSync, readdirSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { FORMAT_FILES } from './formats.js';
import { REPORT_FILE_GZ } from './report-file.js';
import { SCAN_INDEX_FILE } from './scan-index.js';

export const BUNDLE_MARKER = '.leash-bundle';
export const FIXES_MARKER = '.leash-fixes';
export const FIX_MARKER = '.leash-fix';

/** Every action of a principal's fixes with why it is kept, gated or removed (fixReasonsFile names its path). */
export const REASONS_FILE = 'reasons.md';
/** Files leash writes into a principal's fix folder; members-NNN.md: a boundary group's README pages (fix/group-pages.ts). */
export const FIX_FILE_RE = /^(?:(?:policy|boundary|trust|session-policy)(?:-\d{1,3})?\.json|main\.tf|versions\.tf|apply\.sh|README\.md|reasons\.md|members-\d{3,6}\.md)$/;
/**
 * A boundary group's trust documents (fix/group.ts): one per distinct document,
 * trust/trust-<12 or 64 hex>.json; leash before session 24 wrote one per member,
 * trust/<member's folder>.json, still recognised as its own.
 */
export const GROUP_TRUST_DIR = 'trust';
/** Hex digits of a trust document's sha256 in its file name (the full 64 when another document has those). */
export const GROUP_TRUST_HASH_CHARS = 12;
const GROUP_TRUST_FILE_RE = new RegExp(`^(?:trust-[0-9a-f]{${GROUP_TRUST_HASH_CHARS}}(?:[0-9a-f]{${64 - GROUP_TRUST_HASH_CHARS}})?|(?:role|user)-[A-Za-z0-9+=,.@_~-]+)\\.json$`);
/** A file leash writes in a fix folder, by its path there: FIX_FILE_RE, or a group's trust document. */
export function isFixFile(path: string): boolean {
  const i = path.indexOf('/');
  return i < 0 ? FIX_FILE_RE.test(path) : path.slice(0, i) === GROUP_TRUST_DIR && GROUP_TRUST_FILE_RE.test(path.slice(i + 1));
}
/** Shared boundaries' folders, inside the fixes folder (fix/render/shared-boundary.ts); no principal folder is called this (theirs start with role- or user-). */
export const BOUNDARIES_DIR = 'boundaries';
/** The shell every apply.sh sources, inside the fixes folder (fix/render/aws-cli.ts). */
export const APPLY_LIB_DIR = 'lib';
export const APPLY_LIB_RE = /^leash-apply-[0-9a-f]{12}\.sh$/;
/** Written by apply.sh beside a shared boundary it created: the policy's PolicyId (kept like a backup). */
export const POLICY_ID_FILE = 'policy-id.txt';
/** What apply.sh --apply creates beside itself. */
export const BACKUP_DIR_RE = /^backup-/;

const BUNDLE_FILES: ReadonlySet<string> = new Set([...Object.values(FORMAT_FILES), REPORT_FILE_GZ, BUNDLE_MARKER, SCAN_INDEX_FILE]);

export interface BundleInspection {
  /** The folder carries leash's marker (or, for bundles written before markers, a leash report.json). */
  readonly marked: boolean;
  /** Entries leash did not write (relative paths, first few). */
  readonly foreign: string[];
  /** apply.sh backup folders inside (relative paths): rollback needs them. */
  readonly backups: string[];
}

function isFile(path: string): boolean {
  try {
    return lstatSync(path).isFile();
  } catch {
    return false;
  }
}

function isDir(path: string): boolean {
  try {
    return lstatSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** A report.json leash wrote (bundles from before markers): its tool name says so. */
function isLeashReport(path: string): boolean {
  try {
    if (!isFile(path)) return false;
    // The head only: the tool name is written first, and a big file need not be read whole.
    const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    let head: string;
    try {
      const buf = Buffer.alloc(4096);
      head = buf.subarray(0, readSync(fd, buf, 0, buf.length, 0)).toString('utf8');
    } finally {
      closeSync(fd);
    }
    return /"tool"\s*:\s*\{\s*"name"\s*:\s*"leash"/.test(head);
  } catch {
    return false;
  }
}

/** One principal's fix folder: its files, its marker; backups and anything else are reported. */
export function inspectFixDir(dir: string, rel: string, out: { foreign: string[]; backups: string[] }): void {
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (e === FIX_MARKER || FIX_FILE_RE.test(e)) {
      if (!isFile(p)) out.foreign.push(`${rel}/${e}`);
    } else if (BACKUP_DIR_RE.test(e) && isDir(p)) out.backups.push(`${rel}/${e}`);
    else if (e === GROUP_TRUST_DIR && isDir(p)) {
      for (const f of readdirSync(p)) if (!(isFixFile(`${e}/${f}`) && isFile(join(p, f)))) out.foreign.push(`${rel}/${e}/${f}`);
    }
    // A shared boundary's PolicyId: a live policy was created from here, so the folder is kept like a backup.
    else if (e === POLICY_ID_FILE && isFile(p)) out.backups.push(`${rel}/${e}`);
    else out.foreign.push(`${rel}/${e}`);
  }
}

/** The `fixes/` folder of a bundle (or a `fix --output` folder). */
export function inspectFixesDir(dir: string, rel: string, out: { foreign: string[]; backups: string[] }): void {
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    // The one terraform {} block shared by every principal's main.tf, and the README every fix README links to (written by writeFixPlans).
    if ((e === FIXES_MARKER || e === 'versions.tf' || e === 'README.md') && isFile(p)) continue;
    if (e === BOUNDARIES_DIR && isDir(p)) inspectFixesDir(p, `${rel}${e}/`, out);
    else if (e === APPLY_LIB_DIR && isDir(p)) {
      for (const f of readdirSync(p)) if (!(APPLY_LIB_RE.test(f) && isFile(join(p, f)))) out.foreign.push(`${rel}${e}/${f}`);
    }
    else if (isDir(p) && !e.startsWith('.')) inspectFixDir(p, `${rel}${e}`, out);
    else out.foreign.push(`${rel}${e}`);
  }
}

/** Does `dir` hold a leash bundle and nothing else? Throws when it cannot be read. */
export function inspectBundle(dir: string): BundleInspection {
  const out = { foreign: [] as string[], backups: [] as string[] };
  const entries = readdirSync(dir);
  const marked = (entries.includes(BUNDLE_MARKER) && isFile(join(dir, BUNDLE_MARKER))) || (entries.includes(FORMAT_FILES.json) && isLeashReport(join(dir, FORMAT_FILES.json)));
  for (const e of entries) {
    const p = join(dir, e);
    if (BUNDLE_FILES.has(e) && isFile(p)) continue;
    if (e === 'fixes' && isDir(p)) inspectFixesDir(p, 'fixes/', out);
    else out.foreign.push(e);
  }
  return { marked, foreign: out.foreign, backups: out.backups };
}

/** A short list for an error message. */
export function listSome(names: readonly string[], n = 3): string {
  return `${names.slice(0, n).join(', ')}${names.length > n ? ', …' : ''}`;
}
