// Writes a principal's fixes to <fixes>/<kind>-<name>/: the policy JSON files, main.tf, apply.sh
// (dry run by default) and a README. Never touches an AWS account.
//
// Every folder name comes from safeName (a role called `..`, `.` or `terraform` is one plain
// folder inside <fixes>), and nothing is replaced that leash did not write: the fixes folder must
// be new, empty or marked as leash's (`.leash-fixes`), and a principal's folder is rewritten only
// when its marker names the same principal. Rewriting replaces leash's own files one by one and
// leaves everything else — above all apply.sh's backup-<time>/ folders, which rollback needs.
import { lstatSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { readRegularFileSync } from '../safe/read.js';
import { join, relative, resolve, sep } from 'node:path';
import { InputError } from '../model/errors.js';
import { BOUNDARIES_DIR, BUNDLE_MARKER, FIX_FILE_RE, FIX_MARKER, FIXES_MARKER, listSome } from '../report/bundle.js';
import { TEMP_PREFIX } from '../report/history.js';
import { safeName } from '../safe/name.js';
import { jsonTextSafe, safeLines } from '../safe/text.js';
import { applyLibFile, policyDigest, renderFixFiles, renderSharedBoundaryFiles, renderVersionsTf, sharedBoundaryDir, type FixPolicy, type RenderedFile } from './render/index.js';
import { reasonsSectionText, type PrincipalFixPlan } from './plan.js';
import { REASONS_ANCHOR, renderFixesReadme } from './render/readme.js';

/** The folder name of a principal's fixes: kind and name, through the one safe-name function. */
export function fixDirName(plan: Pick<PrincipalFixPlan, 'principalName' | 'target'>): string {
  return safeName(plan.target.principalKind, plan.principalName);
}

/**
 * Where a principal's per-action reasons are, relative to the fixes folder: the last section of
 * its README.md (the one place that names it; its folder from the one safe-name function).
 */
export function fixReasonsFile(plan: Pick<PrincipalFixPlan, 'principalName' | 'target'>): string {
  return `${fixDirName(plan)}/README.md#${REASONS_ANCHOR}`;
}

interface FixMarker {
  readonly tool: 'leash';
  readonly principalArn: string;
  readonly files: readonly string[];
}

function lstatOrUndefined(path: string): import('node:fs').Stats | undefined {
  try {
    return lstatSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

function readMarker(dir: string): FixMarker | undefined {
  try {
    const m = JSON.parse(readRegularFileSync(join(dir, FIX_MARKER), 2 ** 20, 'a .leash-fix marker').toString('utf8')) as Partial<FixMarker>;
    if (m.tool !== 'leash' || typeof m.principalArn !== 'string' || !Array.isArray(m.files)) return undefined;
    return { tool: 'leash', principalArn: m.principalArn, files: m.files.filter((f): f is string => typeof f === 'string') };
  } catch {
    return undefined;
  }
}

/**
 * The fixes folder: created (with its marker) when absent; an existing one must be empty, carry
 * the marker, or be the `fixes/` of a leash bundle. `fix --output ~` is refused, not emptied.
 */
export function prepareFixesDir(fixesDir: string, label = fixesDir): void {
  const st = lstatOrUndefined(fixesDir);
  if (!st) {
    mkdirSync(fixesDir, { recursive: true });
    writeFileSync(join(fixesDir, FIXES_MARKER), 'leash fix folders\n');
    return;
  }
  if (!st.isDirectory()) throw new InputError(label, '', 'a directory for fix files (--output)', st.isSymbolicLink() ? 'a symbolic link' : 'an existing file');
  const entries = readdirSync(fixesDir);
  if (entries.includes(FIXES_MARKER)) return;
  const inBundle = lstatOrUndefined(join(fixesDir, '..', BUNDLE_MARKER))?.isFile() === true || lstatOrUndefined(join(fixesDir, '..', 'report.json'))?.isFile() === true;
  if (entries.length === 0 || inBundle) {
    writeFileSync(join(fixesDir, FIXES_MARKER), 'leash fix folders\n');
    return;
  }
  throw new InputError(label, '', 'an empty directory or one leash wrote fixes to (it holds .leash-fixes); use a new directory', `a directory holding other files (${listSome(entries)})`);
}

function tempName(): string {
  return `${TEMP_PREFIX}fix-${process.pid}-${Math.random().toString(36).slice(2)}`;
}

function writeFiles(dir: string, files: readonly RenderedFile[]): void {
  for (const f of files) writeFileSync(join(dir, f.path), f.content, { mode: f.mode, flag: 'wx' });
}

/** One principal's folder, written whole when new, or file by file over leash's own earlier files. */
function writeFixDir(fixesDir: string, name: string, principalArn: string, files: readonly RenderedFile[]): string {
  const dir = join(fixesDir, name);
  const marker = (): string => `${jsonTextSafe(JSON.stringify({ tool: 'leash', principalArn, files: files.map((f) => f.path) } satisfies FixMarker))}\n`;
  const st = lstatOrUndefined(dir);
  if (!st) {
    const tmp = join(fixesDir, tempName());
    mkdirSync(tmp);
    try {
      writeFiles(tmp, files);
      writeFileSync(join(tmp, FIX_MARKER), marker());
      renameSync(tmp, dir);
    } catch (e) {
      rmSync(tmp, { recursive: true, force: true });
      throw e;
    }
    return dir;
  }
  const old = st.isDirectory() ? readMarker(dir) : undefined;
  if (!old || old.principalArn !== principalArn) {
    throw new InputError(dir, '', `a folder leash wrote fixes for ${principalArn} to (its ${FIX_MARKER} names the principal); it is left as is`, old ? `fixes for ${old.principalArn}` : st.isDirectory() ? 'a folder leash did not write' : 'something that is not a folder');
  }
  // Each file: written beside, then renamed over the old one. Files of the old set that the new
  // set lacks (policy-2.json after a fix shrank) are leash's and go; backups and the rest stay.
  const temps: [string, string][] = [];
  try {
    for (const f of files) {
      const tmp = join(dir, tempName());
      writeFileSync(tmp, f.content, { mode: f.mode, flag: 'wx' });
      temps.push([tmp, join(dir, f.path)]);
    }
  } catch (e) {
    for (const [tmp] of temps) rmSync(tmp, { force: true });
    throw e;
  }
  for (const [tmp, target] of temps) {
    if (lstatOrUndefined(target)?.isDirectory()) throw new InputError(target, '', 'a file leash may replace', 'a directory');
    renameSync(tmp, target);
  }
  const keep = new Set(files.map((f) => f.path));
  for (const f of old.files) if (!keep.has(f) && FIX_FILE_RE.test(f) && lstatOrUndefined(join(dir, f))?.isFile()) rmSync(join(dir, f));
  writeFileSync(join(dir, FIX_MARKER), marker());
  return dir;
}

/**
 * Every file of a plan, README included (with the per-action reasons as its last section). Data in
 * the README is escaped like any text a person reads.
 */
export function fixFiles(plan: PrincipalFixPlan): RenderedFile[] {
  const reasons = reasonsSectionText(plan);
  return [
    ...renderFixFiles(plan.target),
    { path: 'README.md', content: safeLines(reasons !== undefined ? `${plan.readme}\n${reasons}` : plan.readme), mode: 0o644 },
  ];
}

export function writeFixPlans(fixesDir: string, plans: readonly PrincipalFixPlan[], label?: string): string[] {
  const root = resolve(fixesDir);
  prepareFixesDir(root, label ?? fixesDir);
  const written: string[] = [];
  const used = new Map<string, string>();
  for (const plan of plans) {
    // Nothing to change (the boundary leash would propose is already in place): no folder.
    if (plan.fixes.length === 0) continue;
    const name = fixDirName(plan);
    // Two principals, one folder (a 48-bit hash collision, or a case-insensitive file system):
    // refuse rather than let the second overwrite the first.
    const key = name.toLowerCase();
    const other = used.get(key);
    if (other !== undefined && other !== plan.principalArn) throw new Error(`fix folders of ${other} and ${plan.principalArn} would share the name ${name}`);
    used.set(key, plan.principalArn);
    const dir = join(root, name);
    const rel = relative(root, dir);
    if (rel === '' || rel.startsWith('..') || rel.includes(sep)) throw new Error(`fix folder ${JSON.stringify(name)} is not one segment inside ${root}`);
    written.push(writeFixDir(root, name, plan.principalArn, fixFiles(plan)));
  }
  written.push(...writeSharedBoundaries(root, plans));
  if (written.length > 0) for (const f of sharedFiles()) writeSharedFile(root, f, f.path.startsWith('lib/') ? 'the shared apply.sh library' : `the fixes folder's ${f.path}`);
  return written;
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

/** Each boundary shared by content, once, in boundaries/<name>/, naming the principals that attach it. */
function writeSharedBoundaries(root: string, plans: readonly PrincipalFixPlan[]): string[] {
  const byName = new Map<string, { policy: FixPolicy; digest: string; accountId: string; partition: string; principals: { arn: string; dir: string }[] }>();
  for (const plan of plans) {
    if (plan.fixes.length === 0) continue;
    for (const p of plan.target.policies) {
      if (p.purpose !== 'boundary' || !p.shared || p.attach === 'none') continue;
      let entry = byName.get(p.name);
      if (!entry) byName.set(p.name, (entry = { policy: p, digest: policyDigest(p.document), accountId: plan.target.accountId, partition: plan.principalArn.split(':')[1] || 'aws', principals: [] }));
      // The name is a hash of the content: the same name with other content is a collision, refused.
      else if (entry.accountId !== plan.target.accountId || (p.document !== entry.policy.document && policyDigest(p.document) !== entry.digest)) throw new Error(`shared boundary ${p.name}: two different documents under one name`);
      entry.principals.push({ arn: plan.principalArn, dir: fixDirName(plan) });
    }
  }
  if (byName.size === 0) return [];
  const dir = join(root, BOUNDARIES_DIR);
  prepareFixesDir(dir);
  const written: string[] = [];
  for (const [name, e] of [...byName].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const folder = sharedBoundaryDir(name).slice(BOUNDARIES_DIR.length + 1);
    const files = renderSharedBoundaryFiles(e.policy, e.accountId, e.partition, e.principals).map((f) => (f.path === 'README.md' ? { ...f, content: safeLines(f.content) } : f));
    written.push(writeFixDir(dir, folder, `arn:${e.partition}:iam::${e.accountId}:policy/${name}`, files));
  }
  return written;
}
