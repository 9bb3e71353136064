// The folder writer's thread (folder-writer.ts): creates each folder and its files with plain
// synchronous calls, one folder per message, and answers each. It only ever writes what it is
// sent, where it is sent: names were checked by the caller (safeName, one segment, unique).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parentPort } from 'node:worker_threads';
import type { FolderJob, FolderReply } from './folder-writer.js';

parentPort!.on('message', (job: FolderJob) => {
  let reply: FolderReply;
  try {
    // mkdir fails on anything already there; 'wx' creates each file and follows no link.
    mkdirSync(job.dir);
    for (const f of job.files) writeFileSync(join(job.dir, f.path), f.content, { mode: f.mode, flag: 'wx' });
    reply = { id: job.id };
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    reply = { id: job.id, error: { message: err.message, ...(err.code !== undefined ? { code: err.code } : {}), ...(err.path !== undefined ? { path: err.path } : {}), ...(err.syscall !== undefined ? { syscall: err.syscall } : {}) } };
  }
  parentPort!.postMessage(reply);
});
