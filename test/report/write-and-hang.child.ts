// Child process for write.test.ts: starts writing a bundle, says "halfway" once files are on disk
// in the temp dir, then hangs so the test can SIGKILL it mid-write.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeReportBundle } from '../../src/report/write.js';
import { laterReport } from './support.js';

const reportsRoot = process.argv[2]!;
await writeReportBundle(laterReport(), {
  reportsRoot,
  formats: ['json', 'sarif', 'asff', 'md'],
  fixesWriter: async (dir) => {
    await writeFile(join(dir, 'partial-fix.json'), '{"Version":"2012-10-17","Statem');
    process.stdout.write('halfway\n');
    await new Promise(() => setInterval(() => undefined, 1000));
  },
});
