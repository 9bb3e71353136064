// Mounts the App on the real terminal with the default file-writing callbacks.
import { userInfo } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { render } from 'ink';
import { removeSuppression, SUPPRESSIONS_FILE, saveSuppression } from '../config/suppressions.js';
import { App } from './App.js';
import { OrgApp, type OrgAppProps } from './OrgApp.js';
import type { AppProps, TuiCallbacks } from './App.js';
import { writeExportFile, writeFixFiles } from './report-files.js';
import { planContainment } from '../contain/plan.js';
import { CONTAIN_DIR, writeContainment } from '../contain/write.js';
import { activityPlan } from '../activity/sources.js';

function whoAmI(): string | undefined {
  try {
    return userInfo().username || undefined;
  } catch {
    return process.env.USER || undefined;
  }
}

/** The callbacks `leash` uses: fix files under reports/fixes, suppressions and exports in `cwd`. */
export function defaultCallbacks(cwd: string = process.cwd()): TuiCallbacks & Required<Pick<TuiCallbacks, 'onUnsuppress' | 'onContain' | 'onActivity'>> {
  return {
    // The report's local trail files read again, bounded as `leash activity --cloudtrail` reads them;
    // loaded on first use (the event map and catalog are not needed to open a report).
    onActivity: async (report, principal, session) => {
      const plan = activityPlan(report, principal, session);
      const { TimelineBuilder } = await import('../activity/timeline.js');
      const { readActivityFiles } = await import('../activity/read.js');
      const builder = new TimelineBuilder(plan.target, { since: plan.since });
      const read = await readActivityFiles(plan.files.map((f) => resolve(cwd, f)), builder, plan.since);
      return { timeline: builder.finish(), read: { window: { since: plan.since }, ...read } };
    },
    // The command's default scope (a role's sessions so far, a user's everything), in ./contain/,
    // planned as `leash contain --report` plans it: the report's export read again decides who
    // could remove the Deny (reportExport). The sessions are the report's (--aws reads them live).
    onContain: async (report, principal) => {
      const { reportExport } = await import('../contain/report-export.js');
      const plan = planContainment(report, { target: principal.arn, now: new Date(), ...(await reportExport(report)) });
      return relative(cwd, await writeContainment(join(cwd, CONTAIN_DIR), plan));
    },
    onWriteFix: async (fix, principal) => writeFixFiles(fix, principal?.name ?? fix.principalArn.split('/').pop() ?? fix.principalArn, cwd),
    onSuppress: async (finding, input) => {
      const file = join(cwd, SUPPRESSIONS_FILE);
      const by = whoAmI();
      const saved = saveSuppression(file, {
        findingId: finding.id,
        checkId: finding.checkId,
        principalArn: finding.principalArn,
        reason: input.reason,
        ...(by !== undefined ? { by } : {}),
        ...(input.until !== undefined ? { until: input.until } : {}),
      });
      const suppressed = { reason: saved.reason, ...(saved.by !== undefined ? { by: saved.by } : {}), ...(saved.until !== undefined ? { until: saved.until } : {}) };
      return { suppressed, file: SUPPRESSIONS_FILE };
    },
    onUnsuppress: async (finding) => {
      const file = join(cwd, SUPPRESSIONS_FILE);
      // Not in the file (matched by id elsewhere, or already removed): say so rather than pretend.
      if (!removeSuppression(file, finding.id)) throw new Error(`no suppression for this finding in ${SUPPRESSIONS_FILE}`);
      return { file: SUPPRESSIONS_FILE };
    },
    onExport: async (view, format) =>
      writeExportFile(view.name, format === 'json' ? 'json' : 'md', format === 'json' ? JSON.stringify(view.json, null, 2) : view.markdown, cwd),
  };
}

export type RunTuiOptions = Omit<AppProps, keyof TuiCallbacks> & Partial<TuiCallbacks>;

/** Render until the user quits. Resolves to the process exit code. */
export async function runTui(options: RunTuiOptions): Promise<number> {
  const defaults = defaultCallbacks();
  const props: AppProps = {
    ...options,
    onWriteFix: options.onWriteFix ?? defaults.onWriteFix,
    onSuppress: options.onSuppress ?? defaults.onSuppress,
    onExport: options.onExport ?? defaults.onExport,
    onUnsuppress: options.onUnsuppress ?? defaults.onUnsuppress!,
    onContain: options.onContain ?? defaults.onContain,
    onActivity: options.onActivity ?? defaults.onActivity,
  };
  const instance = render(<App {...props} />, { exitOnCtrlC: true });
  await instance.waitUntilExit();
  return 0;
}

/** The organization view (organization.json of `leash scan --org`) until the user quits. */
export async function runOrgTui(props: OrgAppProps): Promise<number> {
  const instance = render(<OrgApp {...props} />, { exitOnCtrlC: true });
  await instance.waitUntilExit();
  return 0;
}
