// Child process for schedule-command.test.ts: `leash schedule` with a stand-in scan that writes a
// real bundle, so SIGTERM handling is exercised in a real process.
import { Command } from 'commander';
import { register } from '../../src/cli/commands/schedule.js';
import { writeReportBundle } from '../../src/report/write.js';
import { buildReport } from '../report/support.js';

const program = new Command('leash');
program.command('scan').option('--reports <dir>', 'reports root', 'reports').action(() => undefined);
register(program, {
  loadScan: async () => async (opts) => {
    // LEASH_TEST_FAIL: every run fails the way an expired session does (retryable, not fatal).
    if (process.env.LEASH_TEST_FAIL) throw Object.assign(new Error('The security token included in the request is expired'), { name: 'ExpiredToken' });
    const report = buildReport({ startedAt: new Date().toISOString() });
    const { dir } = await writeReportBundle(report, { reportsRoot: String(opts.reports), formats: ['json'], ...(opts.signal ? { signal: opts.signal } : {}) });
    return { dir, report, exitCode: 1 };
  },
});
await program.parseAsync(process.argv);
