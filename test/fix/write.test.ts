// The fix folders are written a few at a time, asynchronously (fix/write.ts): what lands on disk is
// exactly what fixFiles renders, folders come back in plan order, a run that fails leaves no temp
// folder behind, and a folder written by an earlier leash (reasons.md, versions.tf of its own) is
// rewritten over its own files only: its apply.sh backup stays.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrincipalFixPlan } from '../../src/fix/plan.js';
import { fixDirName, fixFiles, writeFixPlans } from '../../src/fix/write.js';
import { runScanWithFixes } from '../../src/pipeline/scan.js';
import { TEMP_PREFIX } from '../../src/report/history.js';

let plans: PrincipalFixPlan[];
const roots: string[] = [];
const newRoot = (): string => {
  const r = mkdtempSync(join(tmpdir(), 'leash-fix-write-'));
  roots.push(r);
  return r;
};
beforeAll(async () => {
  const { fixPlans } = await runScanWithFixes({ demo: true, fixes: true, now: new Date('2026-11-24T07:00:00Z') });
  // More plans than folders in flight: the demo's, each again under 4 other names.
  const base = fixPlans.filter((p) => p.fixes.length > 0);
  plans = [...base, ...[1, 2, 3, 4].flatMap((n) => base.map((p) => ({ ...p, principalName: `${p.principalName}-${n}`, principalArn: `${p.principalArn}-${n}` })))];
});
afterAll(() => { for (const r of roots) rmSync(r, { recursive: true, force: true }); });

/** Every entry under dir, relative, recursively. */
const tree = (dir: string): string[] => (readdirSync(dir, { recursive: true }) as string[]).sort();

describe('writeFixPlans', () => {
  it('writes what fixFiles renders, one folder per plan, returned in plan order, no temp folder left', async () => {
    const fixes = join(newRoot(), 'fixes');
    const dirs = await writeFixPlans(fixes, plans);
    expect(plans.length).toBeGreaterThan(20);
    //Then the first folders are the plans', in their order, and the rest are shared boundaries
    expect(dirs.slice(0, plans.length)).toEqual(plans.map((p) => join(fixes, fixDirName(p))));
    expect(dirs.slice(plans.length).every((d) => d.startsWith(join(fixes, 'boundaries')))).toBe(true);
    //And each folder holds exactly the rendered files, byte for byte, with their modes, and the
    //fixes folder's one marker names its principal and files (no marker file in the folder)
    const manifest = JSON.parse(readFileSync(join(fixes, '.leash-fixes'), 'utf8')) as { tool: string; folders: Record<string, unknown> };
    expect(manifest.tool).toBe('leash');
    expect(Object.keys(manifest.folders).sort()).toEqual(plans.map(fixDirName).sort());
    for (const p of plans) {
      const dir = join(fixes, fixDirName(p));
      const files = fixFiles(p);
      expect(readdirSync(dir).sort()).toEqual(files.map((f) => f.path).sort());
      for (const f of files) {
        expect(readFileSync(join(dir, f.path), 'utf8')).toBe(f.content);
        expect(statSync(join(dir, f.path)).mode & 0o111).toBe(f.mode & 0o111);
      }
      expect(manifest.folders[fixDirName(p)]).toEqual({ principalArn: p.principalArn, files: files.map((f) => f.path) });
    }
    expect(tree(fixes).filter((e) => e.includes(TEMP_PREFIX))).toEqual([]);
    //And the shared files are there once
    for (const f of ['README.md', 'versions.tf']) expect(existsSync(join(fixes, f))).toBe(true);
  });

  it('inside a bundle being written (inTempBundle), writes the same tree in place; over an earlier folder it still goes file by file', async () => {
    const plain = join(newRoot(), 'fixes');
    const inPlace = join(newRoot(), 'fixes');
    await writeFixPlans(plain, plans);
    const dirs = await writeFixPlans(inPlace, plans, undefined, { inTempBundle: true });
    expect(dirs.slice(0, plans.length)).toEqual(plans.map((p) => join(inPlace, fixDirName(p))));
    expect(tree(inPlace)).toEqual(tree(plain));
    // Byte for byte and mode for mode: in place, whole files are made synchronously, streamed ones through the pool.
    for (const e of tree(plain)) {
      if (!statSync(join(plain, e)).isFile()) continue;
      expect(readFileSync(join(inPlace, e), 'utf8')).toBe(readFileSync(join(plain, e), 'utf8'));
      expect(statSync(join(inPlace, e)).mode).toBe(statSync(join(plain, e)).mode);
    }
    expect(tree(inPlace).some((e) => e.endsWith('apply.sh') && (statSync(join(inPlace, e)).mode & 0o111) !== 0)).toBe(true);
    // Negative control: a fixes folder that was not empty is not fresh, and its folders are not
    // taken to be new: a planted folder under a principal's name is refused, not written into.
    const planted = join(newRoot(), 'fixes');
    mkdirSync(join(planted, fixDirName(plans[0]!)), { recursive: true });
    writeFileSync(join(planted, fixDirName(plans[0]!), 'mine.txt'), 'not leash');
    await expect(writeFixPlans(planted, plans, undefined, { inTempBundle: true })).rejects.toThrow(planted);
    expect(readdirSync(join(planted, fixDirName(plans[0]!)))).toEqual(['mine.txt']);
  });

  it('rewrites a folder an earlier leash wrote over its own files only: its reasons.md and versions.tf go, its backup stays', async () => {
    const fixes = join(newRoot(), 'fixes');
    const p = plans.find((x) => x.principalName === 'kiro-agent')!;
    await writeFixPlans(fixes, [p]);
    const dir = join(fixes, fixDirName(p));
    //Given the folder as an earlier version left it, with a backup apply.sh made
    writeFileSync(join(dir, 'reasons.md'), '# old reasons\n');
    writeFileSync(join(dir, 'versions.tf'), 'terraform {}\n');
    const manifest = JSON.parse(readFileSync(join(fixes, '.leash-fixes'), 'utf8')) as { folders: Record<string, { files: string[] }> };
    const entry = manifest.folders[fixDirName(p)]!;
    entry.files.push('reasons.md', 'versions.tf');
    writeFileSync(join(fixes, '.leash-fixes'), JSON.stringify(manifest));
    mkdirSync(join(dir, 'backup-20261201T000000Z'));
    writeFileSync(join(dir, 'backup-20261201T000000Z', 'get-role.json'), '{}');
    //When it is written again
    await writeFixPlans(fixes, [p]);
    //Then leash's old files are gone, the backup is kept, and the rest is the new rendering
    expect(readdirSync(dir).sort()).toEqual([...fixFiles(p).map((f) => f.path), 'backup-20261201T000000Z'].sort());
    expect(readFileSync(join(dir, 'backup-20261201T000000Z', 'get-role.json'), 'utf8')).toBe('{}');
    expect(readFileSync(join(dir, 'README.md'), 'utf8')).toContain('## Why each action is kept, gated or removed');
    expect(tree(fixes).filter((e) => e.includes(TEMP_PREFIX))).toEqual([]);
  });

  it("refuses a folder name taken by something leash did not write, touches it not, and leaves no temp folder (negative control: the others' folders)", async () => {
    const fixes = join(newRoot(), 'fixes');
    await writeFixPlans(fixes, plans.slice(0, 2));
    const taken = join(fixes, fixDirName(plans[10]!));
    mkdirSync(taken);
    writeFileSync(join(taken, 'terraform.tfstate'), '{}');
    await expect(writeFixPlans(fixes, plans)).rejects.toThrow(/leash did not write/);
    expect(readdirSync(taken)).toEqual(['terraform.tfstate']);
    expect(tree(fixes).filter((e) => e.includes(TEMP_PREFIX))).toEqual([]);
    expect(existsSync(join(fixes, fixDirName(plans[0]!), 'apply.sh'))).toBe(true);
  });

  describe('the fixes folder\'s manifest (.leash-fixes) says whose each folder is', () => {
    const manifestOf = (fixes: string): { tool: string; folders: Record<string, { principalArn: string; files: string[] }> } => JSON.parse(readFileSync(join(fixes, '.leash-fixes'), 'utf8'));

    it('rewrites a folder an older leash marked with its own .leash-fix, and the manifest takes over; one naming another principal is refused', async () => {
      const [a, b] = plans;
      const fixes = join(newRoot(), 'fixes');
      //Given a fixes folder as leash wrote it before the manifest: a text marker, one .leash-fix per folder
      for (const p of [a!, b!]) {
        const dir = join(fixes, fixDirName(p));
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, 'apply.sh'), '# old\n');
        writeFileSync(join(dir, 'reasons.md'), '# old reasons\n');
        writeFileSync(join(dir, '.leash-fix'), JSON.stringify({ tool: 'leash', principalArn: p === a ? p.principalArn : 'arn:aws:iam::123456789012:role/someone-else', files: ['apply.sh', 'reasons.md'] }));
      }
      writeFileSync(join(fixes, '.leash-fixes'), 'leash fix folders\n');
      //When a's fixes are written: its folder is rewritten, its old files go, its own marker too
      await writeFixPlans(fixes, [a!]);
      const dirA = join(fixes, fixDirName(a!));
      expect(readdirSync(dirA).sort()).toEqual(fixFiles(a!).map((f) => f.path).sort());
      expect(manifestOf(fixes).folders[fixDirName(a!)]!.principalArn).toBe(a!.principalArn);
      //Negative control: b's folder is marked for another principal, so it is left as is
      await expect(writeFixPlans(fixes, [b!])).rejects.toThrow(/fixes for arn:aws:iam::123456789012:role\/someone-else/);
      expect(readFileSync(join(fixes, fixDirName(b!), 'apply.sh'), 'utf8')).toBe('# old\n');
      //And the manifest written after that failure still names a's folder: a third run rewrites it
      expect(Object.keys(manifestOf(fixes).folders)).toEqual([fixDirName(a!)]);
      await expect(writeFixPlans(fixes, [a!])).resolves.toHaveLength(1 + readdirSync(join(fixes, 'boundaries')).filter((e) => !e.startsWith('.')).length);
    });

    it('takes no folder for leash\'s on a manifest entry naming another principal, a removed folder, or a name that is not one segment', async () => {
      const [a] = plans;
      const name = fixDirName(a!);
      const fixes = join(newRoot(), 'fixes');
      await writeFixPlans(fixes, [a!]);
      //Given the manifest edited to name another principal for a's folder
      const m = manifestOf(fixes);
      m.folders[name] = { principalArn: 'arn:aws:iam::123456789012:role/other', files: ['apply.sh'] };
      m.folders['../escape'] = { principalArn: a!.principalArn, files: ['apply.sh'] };
      writeFileSync(join(fixes, '.leash-fixes'), JSON.stringify(m));
      const before = readFileSync(join(fixes, name, 'apply.sh'), 'utf8');
      await expect(writeFixPlans(fixes, [a!])).rejects.toThrow(/fixes for arn:aws:iam::123456789012:role\/other/);
      expect(readFileSync(join(fixes, name, 'apply.sh'), 'utf8')).toBe(before);
      //And the entry that is not one segment is dropped when the manifest is written again
      expect(Object.keys(manifestOf(fixes).folders)).not.toContain('../escape');

      //Given a's folder removed, and a run for another principal in between
      const fixes2 = join(newRoot(), 'fixes');
      await writeFixPlans(fixes2, [a!]);
      rmSync(join(fixes2, name), { recursive: true });
      await writeFixPlans(fixes2, plans.slice(1, 2));
      //Then the manifest no longer names the removed folder, so a folder someone puts there later is not leash's
      expect(Object.keys(manifestOf(fixes2).folders)).toEqual([fixDirName(plans[1]!)]);
      mkdirSync(join(fixes2, name));
      writeFileSync(join(fixes2, name, 'apply.sh'), 'mine\n');
      await expect(writeFixPlans(fixes2, [a!])).rejects.toThrow(/leash did not write/);
      expect(readFileSync(join(fixes2, name, 'apply.sh'), 'utf8')).toBe('mine\n');

      //Given a manifest past its size limit (a sparse file), the run stops with the size named and writes nothing
      const fixes4 = join(newRoot(), 'fixes');
      await writeFixPlans(fixes4, [a!]);
      const before4 = tree(fixes4);
      truncateSync(join(fixes4, '.leash-fixes'), 64 * 2 ** 20 + 1);
      await expect(writeFixPlans(fixes4, plans.slice(1, 2))).rejects.toThrow(/\.leash-fixes.*(67108865|64)/s);
      expect(tree(fixes4)).toEqual(before4);

      //Given a manifest that is not JSON at all, a folder without a .leash-fix of its own is refused
      const fixes3 = join(newRoot(), 'fixes');
      await writeFixPlans(fixes3, [a!]);
      writeFileSync(join(fixes3, '.leash-fixes'), '{"tool":"leash","folders":');
      await expect(writeFixPlans(fixes3, [a!])).rejects.toThrow(/leash did not write/);
    });
  });
});
