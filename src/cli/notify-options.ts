// `--notify`, `--notify-on`, `--notify-format` for `leash scan` and `leash schedule`: option
// definitions and the step after a scan. Kept out of the command files so each command adds one
// line to take part.
import { reportFileIn } from '../report/report-file.js';
import type { Command } from 'commander';
import { Option } from 'commander';
import { SEVERITIES, type Severity } from '../model/finding.js';
import type { Report } from '../model/report.js';
import { newFindingsAlert, type Alert } from '../notify/alert.js';
import { DEFAULT_NOTIFY_TIMEOUT_MS, sendAlert, type SendResult } from '../notify/send.js';
import { InputError } from '../model/errors.js';
import { NOTIFY_FORMATS, parseNotifyTarget, type NotifyFormatChoice, type NotifyTarget } from '../notify/target.js';
import { join } from 'node:path';

export interface NotifyCliOptions {
  readonly notify?: string;
  readonly notifyOn?: Severity;
  readonly notifyFormat?: NotifyFormatChoice;
  readonly notifyTimeout?: string;
}

export const DEFAULT_NOTIFY_ON: Severity = 'high';

export function addNotifyOptions(cmd: Command, what: string): Command {
  return cmd
    .option('--notify <url>', `POST an alert to this webhook ${what} (https; Slack incoming webhooks and generic JSON)`)
    .addOption(new Option('--notify-on <severity>', 'with --notify: alert on new open findings at or above this severity').choices([...SEVERITIES]).default(DEFAULT_NOTIFY_ON))
    .option('--notify-timeout <seconds>', 'with --notify: give up on the webhook after this long (a failed alert never fails the scan)', '10')
    .addOption(new Option('--notify-format <format>', 'with --notify: slack (mrkdwn text), json (leash.alert/1), or auto: slack for *.slack.com, else json').choices([...NOTIFY_FORMATS]).default('auto'));
}

/** The parsed target, or undefined without --notify; a bad URL is an InputError (exit 2) before any scan. */
export function notifyTargetOf(o: NotifyCliOptions): NotifyTarget | undefined {
  if (o.notify === undefined) return undefined;
  return { ...parseNotifyTarget(o.notify, o.notifyFormat ?? 'auto'), timeoutMs: timeoutMs(o.notifyTimeout) };
}

function timeoutMs(v: string | undefined): number {
  if (v === undefined) return DEFAULT_NOTIFY_TIMEOUT_MS;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0 || n > 300) throw new InputError('--notify-timeout', '', 'a number of seconds above 0, at most 300', JSON.stringify(v));
  return Math.round(n * 1000);
}

/** Send, and say what happened on stderr. Never throws: a failed notify is reported, not fatal. */
export async function deliver(target: NotifyTarget, alert: Alert, err: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<SendResult> {
  const r = await sendAlert(target, alert, target.timeoutMs !== undefined ? { timeoutMs: target.timeoutMs } : {});
  if (!r.ok) err(`leash: could not notify ${r.target}: ${r.error} (the scan itself is unaffected)`);
  return r;
}

/** After a scan was written: alert on new findings at or above the threshold. */
export async function notifyAfterScan(o: NotifyCliOptions, dir: string, report: Report, err?: (line: string) => void): Promise<SendResult | undefined> {
  const target = notifyTargetOf(o);
  if (!target) return undefined;
  const alert = newFindingsAlert(report, reportFileIn(dir) ?? join(dir, 'report.json'), o.notifyOn ?? DEFAULT_NOTIFY_ON);
  return alert ? deliver(target, alert, err) : undefined;
}
