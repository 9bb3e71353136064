// Worker-thread entry: reads the chunks it is sent, one at a time, and posts back each chunk's
// aggregate state and per-file outcomes. Nothing per record leaves the thread.
import { parentPort } from 'node:worker_threads';
import { catalog } from '../../iam/catalog.js';
import { readChunk, type ChunkReply, type ChunkRequest } from './ingest-chunk.js';

const port = parentPort;
if (port) {
  // Load the IAM catalog before saying ready, so the first chunk is not slower than the rest.
  catalog();
  port.postMessage({ ready: true });
  let tail: Promise<void> = Promise.resolve();
  port.on('message', (req: ChunkRequest) => {
    tail = tail.then(async () => {
      let reply: ChunkReply;
      try {
        reply = { chunk: req.chunk, ...(await readChunk(req)) };
      } catch (e) {
        // A bug, not bad input (bad input is an outcome): the main thread reads the chunk itself.
        reply = { chunk: req.chunk, failed: e instanceof Error ? (e.stack ?? e.message) : String(e) };
      }
      port.postMessage(reply);
    });
  });
}
