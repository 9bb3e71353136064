// New principal folders of a bundle being written (a temp folder renamed into place whole),
// created on a thread of their own: 3,744 folders and ~10,000 files at 10,000 principals, whose
// file-system calls cost the main thread ~0.5 s of callbacks on top of the kernel's time, while
// it is also turning report.json into JSON. Only for new folders in a fresh temp bundle; every
// other write (rewrites over earlier fixes, the manifest, shared files) stays where it is.
//
// A folder the thread failed to write fails the same way as in-process (the error's code and
// path). If the thread cannot start or dies, its unfinished folders are removed and written
// in-process: the thread only ever speeds writing up, it never decides what is written.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { spawnWorker } from '../threads/spawn.js';
import type { RenderedFile } from './render/index.js';

export interface FolderJob {
  readonly id: number;
  readonly dir: string;
  readonly files: readonly RenderedFile[];
}

export type FolderReply = { readonly id: number; readonly error?: { readonly message: string; readonly code?: string; readonly path?: string; readonly syscall?: string } };

/** Below this many folders, starting a thread costs more than it saves. */
export const MIN_FOLDERS_FOR_THREAD = 64;

/**
 * The thread holds a few folders' text at a time: a small heap of its own, so that it adds little
 * to the scan's peak RSS (with V8's default young generation it added 20–40 MiB at 10k
 * principals). Past these it exits, and its folders are written in-process.
 */
const THREAD_LIMITS = { maxYoungGenerationSizeMb: 2, maxOldGenerationSizeMb: 48 };

/** What is in flight on the thread: its job, to write in-process should the thread die. */
interface Pending {
  readonly job: FolderJob;
  readonly resolve: () => void;
  readonly reject: (e: unknown) => void;
}

export class FolderWriter {
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private worker: Worker | undefined;

  constructor(spawn: () => Worker = () => spawnWorker('folder-writer-worker', import.meta.url, THREAD_LIMITS)) {
    try {
      this.worker = spawn();
    } catch {
      this.worker = undefined;
      return;
    }
    this.worker.on('message', (r: FolderReply) => {
      const p = this.pending.get(r.id);
      if (!p) return;
      this.pending.delete(r.id);
      if (r.error) p.reject(Object.assign(new Error(r.error.message), r.error));
      else p.resolve();
    });
    const lost = (): void => this.lose();
    this.worker.on('error', lost);
    this.worker.on('exit', lost);
  }

  /** Whether folders still go to the thread (it started and has not died). */
  get onThread(): boolean {
    return this.worker !== undefined;
  }

  /** Create `dir` (it must not exist) with `files` in it. */
  write(dir: string, files: readonly RenderedFile[]): Promise<void> {
    const job: FolderJob = { id: this.nextId++, dir, files: files.map((f) => ({ path: f.path, content: f.content, mode: f.mode })) };
    if (!this.worker) return writeInProcess(job);
    return new Promise<void>((resolve, reject) => {
      this.pending.set(job.id, { job, resolve, reject });
      this.worker!.postMessage(job);
    });
  }

  /** Stop the thread once every folder given to it is settled. */
  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    if (w) {
      w.removeAllListeners('exit');
      w.removeAllListeners('error');
      await w.terminate();
    }
  }

  /** The thread is gone: what it had not answered is written here, from scratch. */
  private lose(): void {
    this.worker = undefined;
    const left = [...this.pending.values()];
    this.pending.clear();
    for (const p of left) {
      // It may have made part of the folder: ours (a fresh temp bundle), removed and made again.
      void rm(p.job.dir, { recursive: true, force: true }).then(() => writeInProcess(p.job)).then(p.resolve, p.reject);
    }
  }
}

async function writeInProcess(job: FolderJob): Promise<void> {
  await mkdir(job.dir);
  await Promise.all(job.files.map((f) => writeFile(join(job.dir, f.path), f.content, { mode: f.mode, flag: 'wx' })));
}
