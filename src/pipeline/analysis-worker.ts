// Worker-thread entry for `--analysis-workers`: one job in, one reply out (src/pipeline/workers.ts).
import { parentPort } from 'node:worker_threads';
import { runJob, type AnalysisJob } from './workers.js';

const port = parentPort;
if (port) port.once('message', (job: AnalysisJob) => port.postMessage(runJob(job)));
