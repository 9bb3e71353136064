// Worker threads that read CloudTrail chunks. A worker that cannot start, dies, or fails a chunk
// answers `undefined` for its chunks, and the caller reads them itself: workers only ever speed
// a read up, they never decide its result.
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { spawnWorker } from '../../threads/spawn.js';
import type { ChunkReply, ChunkRequest, ChunkResult } from './ingest-chunk.js';

/**
 * One per spare core on machines with four cores or more; none below that. Measured on two
 * cores: one worker gains ~13 % on a quiet machine, loses ~20 % when the other core is busy, and
 * its peak RSS grows with the corpus (two heaps), so a small machine reads on one thread.
 */
export function defaultWorkerCount(cores = availableParallelism()): number {
  return cores >= 4 ? cores - 1 : 0;
}

/** The worker entry sits beside this module (threads/spawn.ts: built or from source). */
export function spawnIngestWorker(moduleUrl: string = import.meta.url): Worker {
  return spawnWorker('ingest-worker', moduleUrl);
}

export class IngestWorker {
  private readonly waiting = new Map<number, (r: ChunkResult | undefined) => void>();
  private dead = false;
  private ready = false;
  private wakers: (() => void)[] = [];

  constructor(private readonly worker: Worker) {
    worker.on('message', (reply: ChunkReply | { ready: true }) => {
      this.wake();
      if ('ready' in reply) {
        this.ready = true;
        return;
      }
      const resolve = this.waiting.get(reply.chunk);
      this.waiting.delete(reply.chunk);
      resolve?.('failed' in reply ? undefined : reply);
    });
    const die = (): void => {
      this.wake();
      this.dead = true;
      for (const resolve of this.waiting.values()) resolve(undefined);
      this.waiting.clear();
    };
    worker.on('error', die);
    worker.on('exit', die);
  }

  private wake(): void {
    const w = this.wakers;
    this.wakers = [];
    for (const f of w) f();
  }

  /** Resolves at this worker's next message, error or exit. */
  changed(): Promise<void> {
    return new Promise((resolve) => this.wakers.push(resolve));
  }

  get alive(): boolean {
    return !this.dead;
  }

  /** Started and loaded: chunks sent now are read at once. */
  get idleCapacity(): number {
    return this.dead || !this.ready ? 0 : 2 - this.waiting.size;
  }

  /** The chunk's result, or undefined when this worker could not read it. */
  run(req: ChunkRequest): Promise<ChunkResult | undefined> {
    if (this.dead) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      this.waiting.set(req.chunk, resolve);
      this.worker.postMessage(req);
    });
  }

  async close(): Promise<void> {
    this.dead = true;
    await this.worker.terminate();
  }
}

/** Up to `n` workers; fewer (possibly none) when a thread cannot be created. */
export function startWorkers(n: number, spawn: () => Worker = spawnIngestWorker): IngestWorker[] {
  const out: IngestWorker[] = [];
  for (let i = 0; i < n; i++) {
    try {
      out.push(new IngestWorker(spawn()));
    } catch {
      break;
    }
  }
  return out;
}
