// Writes a principal's fixes to <fixes>/<kind>-<name>/: the policy JSON files, main.tf, apply.sh
// (dry run by default) and a README. Never touches an AWS account.
//
// Every folder name comes from safeName (a role called `..`, `.` or `terraform` is one plain
// folder inside <fixes>), and nothing is replaced that leash did not write: the fixes folder must
// be new, empty or marked as leash's (`.leash-fixes`), and a principal's folder is rewritten only
// when that marker (a manifest of leash's folders: principal and files of each) names the same
// principal there. Rewriting replaces leash's own files one by one and leaves everything else —
// above all apply.sh's backup-<time>/ folders, which rollback needs.
import { lstatSync, mkdirSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { lstat as lstatCb, mkdir as mkdirCb, rename as renameCb, rm as rmCb, writeFile as writeFileCb } from 'node:fs';
import { open, readdir as readdirAsync } from 'node:fs/promises';
import { promisify } from 'node:util';
import { readRegularFileSync } from '../safe/read.js';
import { join, relative, resolve, sep } from 'node:path';
import { InputError } from '../model/errors.js';
import { BOUNDARIES_DIR, BUNDLE_MARKER, FIX_MARKER, FIXES_MARKER, isFixFile, listSome } from '../report/bundle.js';
import { TEMP_PREFIX } from '../report/history.js';
import { safeName } from '../safe/name.js';
import { jsonTextSafe, safeLines } from '../safe/text.js';
import { applyLibFile, policyDigest, renderFixFiles, renderSharedBoundaryFiles, renderVersionsTf, sharedBoundaryDir, type FixPolicy, type RenderedFile } from './render/index.js';
import { reasonsSectionText, type PrincipalFixPlan } from './plan.js';
import { isBoundarySizeNote, REASONS_ANCHOR, renderFixesReadme } from './render/readme.js';
import { groupDirName, groupedBoundary, groupFiles, groupReasonsAnchor, notSafeToApply, type StreamedFile } from './group.js';
import { writePieces } from '../report/json-stream.js';

/** The folder name of a principal's fixes: kind and name, through the one safe-name function. */
export function fixDirName(plan: Pick<PrincipalFixPlan, 'principalName' | 'target'>): string {
  return safeName(plan.target.principalKind, plan.principalName);
}

/**
 * Where a principal's per-action reasons are, relative to the fixes folder (the one place that
 * names it; folders from the one safe-name function): the last section of its README.md, or, for
 * a principal in a boundary group (its shared boundary, and maybe a trust policy), its section of the group's
 * README.md, or of the members page that holds it when the group's README is paged (`groupPage`:
 * groupLayout(…).fileOf of the plan; fix/group-pages.ts). `leash fix` of one member of a group
 * that holds others is the exception: it writes that principal's own folder (writeFixPlans, `partial`).
 */
export function fixReasonsFile(plan: Pick<PrincipalFixPlan, 'principalName' | 'target' | 'fixes'>, groupPage = 'README.md'): string {
  const boundary = groupedBoundary(plan);
  if (boundary !== undefined) return `${groupDirName(boundary)}/${groupPage}#${groupReasonsAnchor(fixDirName(plan))}`;
  return `${fixDirName(plan)}/README.md#${REASONS_ANCHOR}`;
}

interface FixMarker {
  readonly tool: 'leash';
  /** Whose folder: the principal's ARN, or for a boundary group (fix/group.ts) the boundary's policy ARN. */
  readonly principalArn: string;
  readonly files: readonly string[];
  /** A boundary group's folder: the principals it holds. */
  readonly principals?: readonly string[];
}

function lstatOrUndefined(path: string): import('node:fs').Stats | undefined {
  try {
    return lstatSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** A marker's entry for one folder, checked: anything else read from disk is no marker at all. */
function asMarker(m: unknown): FixMarker | undefined {
  const o = m as Partial<FixMarker> | null;
  if (typeof o !== 'object' || o === null || typeof o.principalArn !== 'string' || !Array.isArray(o.files)) return undefined;
  const files = o.files.filter((f): f is string => typeof f === 'string');
  const principals = Array.isArray(o.principals) ? o.principals.filter((f): f is string => typeof f === 'string') : undefined;
  return { tool: 'leash', principalArn: o.principalArn, files, ...(principals ? { principals } : {}) };
}

/** A folder's own `.leash-fix`, as leash wrote one per folder before session 17. */
function readLegacyMarker(dir: string): FixMarker | undefined {
  try {
    const m = JSON.parse(readRegularFileSync(join(dir, FIX_MARKER), 2 ** 20, 'a .leash-fix marker').toString('utf8')) as Partial<FixMarker>;
    return m.tool === 'leash' ? asMarker(m) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The fixes folder's marker, `.leash-fixes`: one manifest for every folder leash wrote there (its
 * principal and files), instead of a marker file in each (3,744 files of a 10k account's bundle,
 * each a create on disk). Written last, whole, beside and renamed over the old one.
 */
interface FixesManifest {
  readonly tool: 'leash';
  readonly folders: Record<string, { readonly principalArn: string; readonly files: readonly string[]; readonly principals?: readonly string[] }>;
}

/** Bounded like any file leash reads; a 50k-principal fixes folder's manifest is ~7 MB. */
const MANIFEST_MAX_BYTES = 64 * 2 ** 20;

/**
 * The folders a fixes folder's manifest names. Folders of an older leash (a plain-text
 * `.leash-fixes`) are not named here: their own `.leash-fix` says whose they are. A manifest that
 * is not one (edited, truncated) names nothing, so no folder is taken for leash's on its word.
 */
function readManifest(root: string): Map<string, FixMarker> {
  const out = new Map<string, FixMarker>();
  const path = join(root, FIXES_MARKER);
  if (!lstatOrUndefined(path)?.isFile()) return out;
  let m: Partial<FixesManifest>;
  try {
    m = JSON.parse(readRegularFileSync(path, MANIFEST_MAX_BYTES, 'the .leash-fixes manifest of a fixes folder').toString('utf8')) as Partial<FixesManifest>;
  } catch (e) {
    if (e instanceof SyntaxError) return out;
    throw e;
  }
  if (m?.tool !== 'leash' || typeof m.folders !== 'object' || m.folders === null) return out;
  for (const [name, entry] of Object.entries(m.folders)) {
    const marker = asMarker(entry);
    // Only a plain folder that is still there: a name the manifest holds for a folder since
    // removed must not make a folder someone else puts there later leash's.
    if (marker && isOneSegment(name) && lstatOrUndefined(join(root, name))?.isDirectory()) out.set(name, marker);
  }
  return out;
}

function isOneSegment(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !/[/\\\0]/.test(name);
}

/** The manifest's text: folders in name order (the same folders, the same bytes). */
function manifestText(folders: ReadonlyMap<string, FixMarker>): string {
  const sorted: FixesManifest['folders'] = {};
  for (const name of [...folders.keys()].sort()) {
    const { principalArn, files, principals } = folders.get(name)!;
    sorted[name] = principals ? { principalArn, files, principals } : { principalArn, files };
  }
  return `${jsonTextSafe(JSON.stringify({ tool: 'leash', folders: sorted } satisfies FixesManifest))}\n`;
}

function writeManifest(root: string, folders: ReadonlyMap<string, FixMarker>): void {
  const tmp = join(root, tempName());
  writeFileSync(tmp, manifestText(folders), { mode: 0o644, flag: 'wx' });
  renameSync(tmp, join(root, FIXES_MARKER));
}

/**
 * `write` with the folders the fixes folder's manifest names (none when it was fresh), then the
 * manifest written back, also when `write` fails part-way: the folders written before are leash's.
 */
async function withManifest<T>(root: string, fresh: boolean, write: (manifest: Map<string, FixMarker>) => Promise<T>): Promise<T> {
  const manifest = fresh ? new Map<string, FixMarker>() : readManifest(root);
  try {
    return await write(manifest);
  } finally {
    writeManifest(root, manifest);
  }
}

/**
 * The fixes folder: created (with its marker) when absent; an existing one must be empty, carry
 * the marker, or be the `fixes/` of a leash bundle. `fix --output ~` is refused, not emptied.
 * True when it was absent or empty: nothing in it can be in the way of a new folder.
 */
export function prepareFixesDir(fixesDir: string, label = fixesDir): boolean {
  const st = lstatOrUndefined(fixesDir);
  if (!st) {
    mkdirSync(fixesDir, { recursive: true });
    writeFileSync(join(fixesDir, FIXES_MARKER), manifestText(new Map()));
    return true;
  }
  if (!st.isDirectory()) throw new InputError(label, '', 'a directory for fix files (--output)', st.isSymbolicLink() ? 'a symbolic link' : 'an existing file');
  const entries = readdirSync(fixesDir);
  if (entries.includes(FIXES_MARKER)) return false;
  const inBundle = lstatOrUndefined(join(fixesDir, '..', BUNDLE_MARKER))?.isFile() === true || lstatOrUndefined(join(fixesDir, '..', 'report.json'))?.isFile() === true;
  if (entries.length === 0 || inBundle) {
    writeFileSync(join(fixesDir, FIXES_MARKER), manifestText(new Map()), { flag: 'wx' });
    return entries.length === 0;
  }
  throw new InputError(label, '', 'an empty directory or one leash wrote fixes to (it holds .leash-fixes); use a new directory', `a directory holding other files (${listSome(entries)})`);
}

function tempName(): string {
  return `${TEMP_PREFIX}fix-${process.pid}-${Math.random().toString(36).slice(2)}`;
}

// The callback API, promisified: fs/promises' writeFile goes through a FileHandle per file and
// measured about twice the CPU of this on 17,000 files (10k principals, tmpfs), with no gain on disk.
const lstat = promisify(lstatCb);
const mkdir = promisify(mkdirCb);
const rename = promisify(renameCb);
const rm = promisify(rmCb);
const writeFile = promisify(writeFileCb);

/**
 * How many principals' folders are in flight at once. Rendering the next principal (JS, on the
 * main thread) overlaps the file-system calls of the ones before it (libuv's thread pool, 4
 * threads by default); more in flight only holds more rendered text in memory.
 */
const FOLDERS_IN_FLIGHT = 8;

/** `fn` over `items`, at most `limit` at a time; every started call settles before the first error is thrown. */
async function eachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (!failure && next < items.length) {
      const item = items[next++]!;
      try {
        await fn(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.error;
}

async function lstatOrUndefinedAsync(path: string): Promise<import('node:fs').Stats | undefined> {
  try {
    return await lstat(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/**
 * One principal's folder, written whole when new, or file by file over leash's own earlier files.
 * `fresh`: the fixes folder was empty when this run began and every folder name is checked
 * unique, so no folder of this name can exist and it is not looked up. `manifest`: the folders
 * the fixes folder's marker names; this folder's entry is set once its files are written.
 */
/** One file, created ('wx': never over anything, never through a link); a StreamedFile from its pieces, 64 KB at a time. */
async function createFile(path: string, f: RenderedFile | StreamedFile): Promise<void> {
  if (!('pieces' in f)) return writeFile(path, f.content, { mode: f.mode, flag: 'wx' });
  const fh = await open(path, 'wx', f.mode);
  try {
    await writePieces(fh, f.pieces(), 1 << 16);
  } finally {
    await fh.close();
  }
}

async function writeFixDir(fixesDir: string, name: string, principalArn: string, files: readonly (RenderedFile | StreamedFile)[], manifest: Map<string, FixMarker>, fresh = false, inTempBundle = false, principals?: readonly string[]): Promise<string> {
  const dir = join(fixesDir, name);
  const entry: FixMarker = { tool: 'leash', principalArn, files: files.map((f) => f.path), ...(principals ? { principals } : {}) };
  // A group folder's trust/ (its members' trust documents): the one sub-folder a fix folder has.
  const subdirs = [...new Set(files.flatMap((f) => (f.path.includes('/') ? [f.path.slice(0, f.path.indexOf('/'))] : [])))];
  // Every file into a new folder: 'wx' creates each one and follows no link.
  const writeNew = async (into: string, sync = false): Promise<unknown> => {
    for (const d of subdirs) await mkdir(join(into, d));
    if (!sync) return Promise.all(files.map((f) => createFile(join(into, f.path), f)));
    // Small files whole, on this thread: creating a file is kernel work either way (~150 µs on
    // this machine's ext4), and through the thread pool each costs three round trips and their
    // callbacks besides: 2,288 trust documents at 10,000 principals took 2.5× the CPU that way
    // (writing stage 4.5 → 3.9 s CPU, alternating runs), and held up the report's gzip chunks
    // queued behind them on the pool. Streamed files (a group's README, main.tf) stay asynchronous.
    const streamed: StreamedFile[] = [];
    for (const f of files) {
      if ('pieces' in f) streamed.push(f);
      else writeFileSync(join(into, f.path), f.content, { mode: f.mode, flag: 'wx' });
    }
    return Promise.all(streamed.map((f) => createFile(join(into, f.path), f)));
  };
  const st = fresh ? undefined : await lstatOrUndefinedAsync(dir);
  if (!st && fresh && inTempBundle) {
    // Inside a bundle still being written (a temp folder renamed into place whole), a folder of
    // its own per principal adds nothing but a mkdir and a rename each: on this machine's disk,
    // file-system calls are most of the writing. mkdir fails on anything already there. Only
    // here are files made synchronously: a scan writing its bundle, not a screen waiting on it.
    await mkdir(dir);
    await writeNew(dir, true);
    manifest.set(name, entry);
    return dir;
  }
  if (!st) {
    // Written in a folder of its own, then renamed into place: a run cut short leaves no half
    // folder under the principal's name. 'wx' creates each file and follows no link.
    const tmp = join(fixesDir, tempName());
    await mkdir(tmp);
    try {
      await writeNew(tmp);
      await rename(tmp, dir);
    } catch (e) {
      await rm(tmp, { recursive: true, force: true });
      throw e;
    }
    manifest.set(name, entry);
    return dir;
  }
  // Whose folder: the manifest's word, or (a folder of an older leash) its own `.leash-fix`.
  const legacy = st.isDirectory() && !manifest.has(name) ? readLegacyMarker(dir) : undefined;
  const old = st.isDirectory() ? (manifest.get(name) ?? legacy) : undefined;
  if (!old || old.principalArn !== principalArn) {
    throw new InputError(dir, '', `a folder leash wrote fixes for ${principalArn} to (the fixes folder's ${FIXES_MARKER} names the principal); it is left as is`, old ? `fixes for ${old.principalArn}` : st.isDirectory() ? 'a folder leash did not write' : 'something that is not a folder');
  }
  // Each file: written beside, then renamed over the old one. Files of the old set that the new
  // set lacks (policy-2.json after a fix shrank, reasons.md and versions.tf of earlier versions)
  // are leash's and go; backups and the rest stay. The manifest names the new set once the run ends.
  // Its sub-folder must be a folder, not a link that would take the renames below elsewhere.
  for (const d of subdirs) {
    const sub = await lstatOrUndefinedAsync(join(dir, d));
    if (!sub) await mkdir(join(dir, d));
    else if (!sub.isDirectory()) throw new InputError(join(dir, d), '', 'a folder leash writes fix files to', sub.isSymbolicLink() ? 'a symbolic link' : 'something that is not a folder');
  }
  const temps: [string, string][] = [];
  try {
    for (const f of files) {
      const tmp = join(dir, tempName());
      await createFile(tmp, f);
      temps.push([tmp, join(dir, f.path)]);
    }
  } catch (e) {
    for (const [tmp] of temps) await rm(tmp, { force: true });
    throw e;
  }
  for (const [tmp, target] of temps) {
    if ((await lstatOrUndefinedAsync(target))?.isDirectory()) throw new InputError(target, '', 'a file leash may replace', 'a directory');
    await rename(tmp, target);
  }
  const keep = new Set(files.map((f) => f.path));
  for (const f of old.files) if (!keep.has(f) && isFixFile(f) && (await lstatOrUndefinedAsync(join(dir, f)))?.isFile()) await rm(join(dir, f));
  manifest.set(name, entry);
  // The older leash's own marker is leash's too; the manifest now speaks for the folder.
  if (legacy && (await lstatOrUndefinedAsync(join(dir, FIX_MARKER)))?.isFile()) await rm(join(dir, FIX_MARKER));
  return dir;
}

/**
 * Every file of a plan, README included (with the per-action reasons as its last section). Data in
 * the README is escaped like any text a person reads.
 */
export function fixFiles(plan: PrincipalFixPlan): RenderedFile[] {
  const reasons = reasonsSectionText(plan);
  return [
    ...renderFixFiles(plan.target, { notSafe: notSafeToApply(plan.fixes, plan.target) }),
    { path: 'README.md', content: safeLines(reasons !== undefined ? `${plan.readme}\n${reasons}` : plan.readme), mode: 0o644 },
  ];
}

/**
 * Every plan's folder (a plan that changes nothing gets none), the shared boundaries' folders and
 * the files they share, under `fixesDir`. Folders are written a few at a time (FOLDERS_IN_FLIGHT),
 * asynchronously; the returned folders are in plan order.
 */
export interface WriteFixPlansOptions {
  /**
   * The fixes folder is inside a bundle being written in a temp folder that is renamed into place
   * whole (report/write.ts): a run cut short leaves nothing visible, so a new principal folder is
   * written in place rather than beside and renamed.
   */
  readonly inTempBundle?: boolean;
  /**
   * The plans are some of the account's (`leash fix`, one principal): a group folder whose
   * manifest names other principals is not rewritten, and these principals get their own folders.
   */
  readonly partial?: boolean;
  /** The byte budget of a boundary group's README and of each of its pages (fix/group-pages.ts; tests make it small). */
  readonly groupPageBytes?: number;
}

export async function writeFixPlans(fixesDir: string, plans: readonly PrincipalFixPlan[], label?: string, opts: WriteFixPlansOptions = {}): Promise<string[]> {
  const root = resolve(fixesDir);
  const fresh = prepareFixesDir(root, label ?? fixesDir);
  // Names first, all of them: two principals, one folder (a 48-bit hash collision, or a
  // case-insensitive file system) is refused before anything is written.
  const used = new Map<string, string>();
  const reserve = (name: string, owner: string): void => {
    const key = name.toLowerCase();
    const other = used.get(key);
    if (other !== undefined && other !== owner) throw new Error(`fix folders of ${other} and ${owner} would share the name ${name}`);
    used.set(key, owner);
    const rel = relative(root, join(root, name));
    if (rel === '' || rel.startsWith('..') || rel.includes(sep)) throw new Error(`fix folder ${JSON.stringify(name)} is not one segment inside ${root}`);
  };
  const own: { plan: PrincipalFixPlan; name: string }[] = [];
  const groups = new Map<string, { name: string; owner: string; accountId: string; plans: PrincipalFixPlan[]; ownDirs: string[] }>();
  for (const plan of plans) {
    // Nothing to change (the boundary leash would propose is already in place): no folder.
    if (plan.fixes.length === 0) continue;
    const name = fixDirName(plan);
    reserve(name, plan.principalArn);
    const boundary = groupedBoundary(plan);
    if (boundary === undefined) {
      own.push({ plan, name });
      continue;
    }
    let g = groups.get(boundary);
    if (!g) groups.set(boundary, (g = { name: groupDirName(boundary), owner: sharedBoundaryArn(partitionOf(plan), plan.target.accountId, boundary), accountId: plan.target.accountId, plans: [], ownDirs: [] }));
    else if (g.accountId !== plan.target.accountId) throw new Error(`shared boundary ${boundary}: two different documents under one name`);
    g.plans.push(plan);
    g.ownDirs.push(name);
  }
  for (const g of groups.values()) reserve(g.name, g.owner);
  // Where each plan's files went, relative to the fixes folder: its own folder or its group's.
  const placed = new Map<PrincipalFixPlan, string>();
  if (own.length > 0 || groups.size > 0) {
    await withManifest(root, fresh, async (manifest) => {
      // The folders leash had written here before this run (their principals), for the stale ones below.
      const before = new Map(manifest);
      // Some of the account's plans only (`leash fix`): a group folder that holds other principals
      // is left whole, and these principals get folders of their own instead.
      if (opts.partial) {
        for (const [boundary, g] of groups) {
          const old = manifest.get(g.name)?.principals;
          if (old === undefined || sameMembers(old, g.plans)) continue;
          groups.delete(boundary);
          g.plans.forEach((plan, i) => own.push({ plan, name: g.ownDirs[i]! }));
        }
      }
      type Item = { plan: PrincipalFixPlan; name: string } | { group: string; name: string };
      const todo: Item[] = [...own, ...[...groups.keys()].map((group) => ({ group, name: groups.get(group)!.name }))];
      // A plan's files are rendered when its turn comes, so only the folders in flight are in memory.
      await eachLimited(todo, FOLDERS_IN_FLIGHT, async (item) => {
        if ('plan' in item) {
          await writeFixDir(root, item.name, item.plan.principalArn, fixFiles(item.plan), manifest, fresh, opts.inTempBundle);
          placed.set(item.plan, item.name);
          return;
        }
        const g = groups.get(item.group)!;
        const files = groupFiles({ boundaryName: item.group, accountId: g.accountId, plans: g.plans, ownDirs: g.ownDirs }, opts.groupPageBytes);
        await writeFixDir(root, g.name, g.owner, files, manifest, fresh, opts.inTempBundle, g.plans.map((p) => p.principalArn));
        for (const p of g.plans) placed.set(p, g.name);
      });
      if (!fresh) await removeSuperseded(root, before, manifest, groups.values(), opts.partial ? undefined : placed);
    });
  }
  const dirs = [...new Set(plans.flatMap((p) => (placed.has(p) ? [join(root, placed.get(p)!)] : [])))];
  dirs.push(...(await writeSharedBoundaries(root, plans, placed)));
  if (dirs.length > 0) for (const f of sharedFiles()) writeSharedFile(root, f, f.path.startsWith('lib/') ? 'the shared apply.sh library' : `the fixes folder's ${f.path}`);
  return dirs;
}

/**
 * Folders of an earlier run into this fixes folder that this run's folders replace: a principal's
 * own folder when it is now a member of a group written here, and (all plans written: not
 * `partial`) a group folder whose every member now has a folder elsewhere. Left beside the new one,
 * such a folder is a second, older plan for the same principal, and its apply.sh would still run.
 * It goes only when it holds nothing but the files the manifest says leash wrote there: one with
 * an apply.sh backup (rollback needs it and the apply.sh beside it) or anything else stays whole.
 */
async function removeSuperseded(
  root: string,
  before: ReadonlyMap<string, FixMarker>,
  manifest: Map<string, FixMarker>,
  groups: Iterable<{ readonly name: string; readonly plans: readonly PrincipalFixPlan[]; readonly ownDirs: readonly string[] }>,
  placed: ReadonlyMap<PrincipalFixPlan, string> | undefined,
): Promise<void> {
  const stale: string[] = [];
  for (const g of groups) {
    g.plans.forEach((plan, i) => {
      const old = before.get(g.ownDirs[i]!);
      if (old !== undefined && old.principals === undefined && old.principalArn === plan.principalArn && g.ownDirs[i] !== g.name) stale.push(g.ownDirs[i]!);
    });
  }
  if (placed !== undefined) {
    const where = new Map([...placed].map(([plan, name]) => [plan.principalArn, name]));
    const written = new Set(placed.values());
    for (const [name, old] of before) {
      if (old.principals === undefined || old.principals.length === 0 || written.has(name)) continue;
      if (old.principals.every((arn) => where.has(arn) && where.get(arn) !== name)) stale.push(name);
    }
  }
  for (const name of stale) {
    const dir = join(root, name);
    const listed = new Set(before.get(name)!.files.filter(isFixFile));
    const entries = (await readdirAsync(dir, { recursive: true, withFileTypes: true })) as import('node:fs').Dirent[];
    const extra = entries.filter((e) => {
      const rel = relative(dir, join(e.parentPath, e.name)).split(sep).join('/');
      return e.isDirectory() ? ![...listed].some((f) => f.startsWith(`${rel}/`)) : !(e.isFile() && listed.has(rel));
    });
    if (extra.length > 0) continue;
    await rm(dir, { recursive: true });
    manifest.delete(name);
  }
}

/** The partition a plan's principal is in (its ARN's second field). */
function partitionOf(plan: Pick<PrincipalFixPlan, 'principalArn'>): string {
  return plan.principalArn.split(':')[1] || 'aws';
}

/** A shared boundary's policy ARN: the owner the manifest names for its folder and its group's. */
function sharedBoundaryArn(partition: string, accountId: string, name: string): string {
  return `arn:${partition}:iam::${accountId}:policy/${name}`;
}

/** The manifest's members of a group folder are these plans' principals, in any order. */
function sameMembers(old: readonly string[], plans: readonly PrincipalFixPlan[]): boolean {
  const now = new Set(plans.map((p) => p.principalArn));
  return old.length === now.size && old.every((a) => now.has(a));
}

/**
 * What every principal's folder shares, once in the fixes folder: the shell every apply.sh sources
 * (lib/leash-apply-<hash>.sh), the one terraform {} block (versions.tf: a principal's folder has
 * none, so every main.tf concatenates into one module with it) and README.md (how to apply, what
 * each approval condition requires).
 */
function sharedFiles(): RenderedFile[] {
  return [applyLibFile(), { path: 'versions.tf', content: renderVersionsTf(), mode: 0o644 }, { path: 'README.md', content: safeLines(renderFixesReadme()), mode: 0o644 }];
}

/**
 * One of sharedFiles: written when absent or not what it should be. The library is never removed,
 * since apply.sh files of earlier runs in this folder name theirs.
 */
function writeSharedFile(root: string, f: RenderedFile, what: string): void {
  const path = join(root, f.path);
  const dir = join(path, '..');
  const st = lstatOrUndefined(dir);
  if (st && !st.isDirectory()) throw new InputError(dir, '', `a folder for ${what}`, 'something that is not a folder');
  if (!st) mkdirSync(dir);
  const cur = lstatOrUndefined(path);
  if (cur?.isFile() && readRegularFileSync(path, 2 ** 20, what).toString('utf8') === f.content) return;
  if (cur && !cur.isFile()) throw new InputError(path, '', `${what}, which leash writes`, 'something that is not a file');
  const tmp = join(dir, tempName());
  writeFileSync(tmp, f.content, { mode: f.mode, flag: 'wx' });
  renameSync(tmp, path);
}

/** A shared boundary's folder as written (its README escaped like any text a person reads): scan and the TUI's `w`. */
export function sharedBoundaryFolderFiles(...args: Parameters<typeof renderSharedBoundaryFiles>): RenderedFile[] {
  return renderSharedBoundaryFiles(...args).map((f) => (f.path === 'README.md' ? { ...f, content: safeLines(f.content) } : f));
}

/** Each boundary shared by content, once, in boundaries/<name>/, naming the principals that attach it. */
async function writeSharedBoundaries(root: string, plans: readonly PrincipalFixPlan[], placed: ReadonlyMap<PrincipalFixPlan, string>): Promise<string[]> {
  const byName = new Map<string, { policy: FixPolicy; digest: string; accountId: string; partition: string; principals: { arn: string; dir: string }[]; sizeNotes: Set<string> }>();
  for (const plan of plans) {
    if (plan.fixes.length === 0) continue;
    for (const p of plan.target.policies) {
      if (p.purpose !== 'boundary' || !p.shared || p.attach === 'none') continue;
      let entry = byName.get(p.name);
      if (!entry) byName.set(p.name, (entry = { policy: p, digest: policyDigest(p.document), accountId: plan.target.accountId, partition: partitionOf(plan), principals: [], sizeNotes: new Set() }));
      // The name is a hash of the content: the same name with other content is a collision, refused.
      else if (entry.accountId !== plan.target.accountId || (p.document !== entry.policy.document && policyDigest(p.document) !== entry.digest)) throw new Error(`shared boundary ${p.name}: two different documents under one name`);
      entry.principals.push({ arn: plan.principalArn, dir: placed.get(plan) ?? fixDirName(plan) });
      // The same document, the same notes: kept as a set all the same, so none is ever lost.
      for (const f of plan.fixes) if (f.kind === 'permissions-boundary') for (const n of f.notes) if (isBoundarySizeNote(n)) entry.sizeNotes.add(n);
    }
  }
  if (byName.size === 0) return [];
  const dir = join(root, BOUNDARIES_DIR);
  const fresh = prepareFixesDir(dir);
  const written: string[] = [];
  await withManifest(dir, fresh, async (manifest) => {
    for (const [name, e] of [...byName].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const folder = sharedBoundaryDir(name).slice(BOUNDARIES_DIR.length + 1);
      const files = sharedBoundaryFolderFiles(e.policy, e.accountId, e.partition, e.principals, [...e.sizeNotes]);
      written.push(await writeFixDir(dir, folder, sharedBoundaryArn(e.partition, e.accountId, name), files, manifest, fresh));
    }
  });
  return written;
}
