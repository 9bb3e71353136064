// New fix folders of a bundle being written go through a thread of their own (fix/folder-writer.ts):
// what lands on disk is what was sent (bytes and modes), a folder that cannot be written fails with
// the file system's own error, and a thread that cannot start or dies costs nothing: its folders
// are written in-process, whole.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FolderWriter, MIN_FOLDERS_FOR_THREAD } from '../../src/fix/folder-writer.js';
import type { PrincipalFixPlan } from '../../src/fix/plan.js';
import { writeFixPlans } from '../../src/fix/write.js';
import { runScanWithFixes } from '../../src/pipeline/scan.js';

const roots: string[] = [];
const newRoot = (): string => {
  const r = mkdtempSync(join(tmpdir(), 'leash-folder-writer-'));
  roots.push(r);
  return r;
};
afterAll(() => { for (const r of roots) rmSync(r, { recursive: true, force: true }); });

const tree = (dir: string): string[] => (readdirSync(dir, { recursive: true }) as string[]).sort();
const mode = (p: string): number => statSync(p).mode & 0o777;
/** Whether the owner may run it (a umask never takes that away from a file leash writes 0o755). */
const runnable = (m: number): boolean => (m & 0o100) !== 0;

describe('FolderWriter', () => {
  it('writes each folder with exactly the files sent: any text, their modes', async () => {
    const root = newRoot();
    const writer = new FolderWriter();
    const file = fc.record({ path: fc.constantFrom('README.md', 'apply.sh', 'main.tf', 'trust.json'), content: fc.string({ unit: 'binary', maxLength: 300 }), mode: fc.constantFrom(0o644, 0o755) });
    const folders = fc.sample(fc.uniqueArray(file, { selector: (f) => f.path, minLength: 1, maxLength: 4 }), { numRuns: 40, seed: 18 });
    try {
      await Promise.all(folders.map((files, i) => writer.write(join(root, `f${i}`), files)));
      // Written by the thread, within its heap limits: it is still there.
      expect(writer.onThread).toBe(true);
    } finally {
      await writer.close();
    }
    folders.forEach((files, i) => {
      expect(readdirSync(join(root, `f${i}`)).sort()).toEqual(files.map((f) => f.path).sort());
      for (const f of files) {
        expect(readFileSync(join(root, `f${i}`, f.path), 'utf8')).toBe(Buffer.from(f.content, 'utf8').toString('utf8'));
        expect(runnable(mode(join(root, `f${i}`, f.path)))).toBe(runnable(f.mode));
      }
    });
  });

  it('fails a folder that is already there with the file system\'s error, and writes nothing into it', async () => {
    const root = newRoot();
    mkdirSync(join(root, 'taken'));
    writeFileSync(join(root, 'taken', 'mine.txt'), 'not leash');
    const writer = new FolderWriter();
    try {
      const failed = writer.write(join(root, 'taken'), [{ path: 'README.md', content: 'x', mode: 0o644 }]);
      await expect(failed).rejects.toMatchObject({ code: 'EEXIST', path: join(root, 'taken') });
      // Negative control: the next folder is written all the same.
      await writer.write(join(root, 'next'), [{ path: 'README.md', content: 'y', mode: 0o644 }]);
    } finally {
      await writer.close();
    }
    expect(readdirSync(join(root, 'taken'))).toEqual(['mine.txt']);
    expect(readFileSync(join(root, 'next', 'README.md'), 'utf8')).toBe('y');
  });

  it('without a thread (it cannot start), writes in-process', async () => {
    const root = newRoot();
    const writer = new FolderWriter(() => { throw new Error('no threads here'); });
    expect(writer.onThread).toBe(false);
    await writer.write(join(root, 'a'), [{ path: 'apply.sh', content: '#!/bin/sh\n', mode: 0o755 }]);
    await writer.close();
    expect(readFileSync(join(root, 'a', 'apply.sh'), 'utf8')).toBe('#!/bin/sh\n');
    expect(runnable(mode(join(root, 'a', 'apply.sh')))).toBe(true);
  });

  it('when the thread dies with folders unanswered, removes what it made of them and writes them whole in-process', async () => {
    const root = newRoot();
    // A thread that makes half of the first folder it is sent, then dies.
    const dying = (): Worker => new Worker(`
      const { parentPort } = require('node:worker_threads'); const fs = require('node:fs');
      parentPort.once('message', (job) => { fs.mkdirSync(job.dir); fs.writeFileSync(job.dir + '/half', 'partial'); process.exit(3); });`, { eval: true });
    const writer = new FolderWriter(dying);
    const files = [{ path: 'README.md', content: 'whole', mode: 0o644 }, { path: 'main.tf', content: 'tf', mode: 0o644 }];
    await Promise.all([writer.write(join(root, 'one'), files), writer.write(join(root, 'two'), files)]);
    await writer.close();
    for (const d of ['one', 'two']) {
      expect(readdirSync(join(root, d)).sort()).toEqual(['README.md', 'main.tf']);
      expect(readFileSync(join(root, d, 'README.md'), 'utf8')).toBe('whole');
    }
  });
});

describe('writeFixPlans through the thread', () => {
  let plans: PrincipalFixPlan[];
  beforeAll(async () => {
    const { fixPlans } = await runScanWithFixes({ demo: true, fixes: true, now: new Date('2026-11-24T07:00:00Z') });
    const base = fixPlans.filter((p) => p.fixes.length > 0);
    const copies = Math.ceil(MIN_FOLDERS_FOR_THREAD / base.length) + 1;
    plans = Array.from({ length: copies }, (_, n) => base.map((p) => ({ ...p, principalName: `${p.principalName}-${n}`, principalArn: `${p.principalArn}-${n}` }))).flat();
  });

  it('writes the same tree, byte for byte and mode for mode, as writing in-process', async () => {
    expect(plans.length).toBeGreaterThanOrEqual(MIN_FOLDERS_FOR_THREAD);
    const plain = join(newRoot(), 'fixes');
    const threaded = join(newRoot(), 'fixes');
    await writeFixPlans(plain, plans);
    await writeFixPlans(threaded, plans, undefined, { inTempBundle: true });
    expect(tree(threaded)).toEqual(tree(plain));
    for (const e of tree(plain)) {
      const p = join(plain, e);
      if (!statSync(p).isFile()) continue;
      expect(readFileSync(join(threaded, e), 'utf8')).toBe(readFileSync(p, 'utf8'));
      expect(mode(join(threaded, e))).toBe(mode(p));
    }
  });
});
