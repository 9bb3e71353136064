// Alert → request body. Two shapes: a Slack incoming-webhook message (`text` in mrkdwn, also read
// by Mattermost, Rocket.Chat and Discord's /slack endpoint) and leash's own JSON (`leash.alert/1`)
// for anything else (PagerDuty/Opsgenie transformers, a Lambda, a ticketing bridge).
// Every string from the scan goes through text.ts; the body is bounded (MAX_PAYLOAD_BYTES).
import { TOOL_VERSION } from '../version.js';
import type { Alert, AlertFinding } from './alert.js';
import { plainText, slackCode, slackText } from './text.js';
import { redact } from '../collect/local/redact.js';

/** Error text may quote input (a config value, an env dump): access keys and secrets are masked before it leaves. */
function errorText(s: string): string {
  return redact(s);
}

export type NotifyFormat = 'slack' | 'json';

/** Slack truncates messages past 40,000 characters and generic receivers have smaller limits; stay far below. */
export const MAX_PAYLOAD_BYTES = 16_384;

function accountLabel(account: string, alias: string | undefined, code: (s: string) => string): string {
  return alias !== undefined ? `${code(account)} (${code(alias)})` : code(account);
}

function slackLines(alert: Alert, listed: number): string[] {
  switch (alert.kind) {
    case 'new-findings': {
      const head = `:rotating_light: *leash*: ${alert.total} ${alert.firstScan ? 'open' : 'new'} finding${alert.total === 1 ? '' : 's'} at or above *${alert.threshold.toUpperCase()}* in account ${accountLabel(alert.account, alert.accountAlias, (s) => slackCode(s))}${alert.firstScan ? ' (first scan of this account: nothing to compare with)' : ''}`;
      const rows = alert.findings.slice(0, listed).map((f) => `• *${f.severity.toUpperCase()}* ${slackCode(f.principalName)} ${slackCode(f.checkId)}: ${slackText(f.title)} (${slackCode(f.id.slice(0, 8))})`);
      const more = alert.total - Math.min(listed, alert.findings.length);
      return [head, ...rows, ...(more > 0 ? [`…and ${more} more`] : []), `Report: ${slackCode(alert.reportPath)}`];
    }
    case 'run-failed':
      return [
        `:x: *leash schedule*: ${alert.consecutiveFailures} scheduled run${alert.consecutiveFailures === 1 ? '' : 's'} in a row failed${alert.stopped ? ' — the schedule has *stopped*' : ` (stops at ${alert.limit})`}`,
        `Last error: ${slackText(errorText(alert.error))}`,
        `Last successful run: ${alert.lastOkAt !== undefined ? slackText(alert.lastOkAt) : 'none since the schedule started'}`,
        `Failure marker: ${slackCode(alert.markerPath)}`,
      ];
    case 'run-stale':
      return [
        `:warning: *leash schedule*: no successful scan for more than ${Math.round(alert.staleAfterSeconds / 60)} min (${slackText(errorText(alert.reason))})`,
        `Last successful run: ${alert.lastOkAt !== undefined ? slackText(alert.lastOkAt) : `none since ${slackText(alert.since)}`}`,
        `Reports: ${slackCode(alert.reportsRoot)}`,
      ];
  }
}

function plainFinding(f: AlertFinding): AlertFinding {
  return { id: plainText(f.id), severity: f.severity, checkId: plainText(f.checkId), title: plainText(f.title), principalArn: plainText(f.principalArn), principalName: plainText(f.principalName) };
}

function jsonBody(alert: Alert, listed: number): Record<string, unknown> {
  const base = { schema: 'leash.alert/1', tool: { name: 'leash', version: TOOL_VERSION }, event: alert.kind };
  switch (alert.kind) {
    case 'new-findings':
      return {
        ...base,
        account: { id: plainText(alert.account), ...(alert.accountAlias !== undefined ? { alias: plainText(alert.accountAlias) } : {}) },
        scanId: plainText(alert.scanId),
        reportPath: plainText(alert.reportPath, 1000),
        threshold: alert.threshold,
        firstScan: alert.firstScan,
        total: alert.total,
        findings: alert.findings.slice(0, listed).map(plainFinding),
        omitted: alert.total - Math.min(listed, alert.findings.length),
      };
    case 'run-failed':
      return { ...base, consecutiveFailures: alert.consecutiveFailures, limit: alert.limit, stopped: alert.stopped, error: plainText(errorText(alert.error)), ...(alert.lastOkAt !== undefined ? { lastOkAt: alert.lastOkAt } : {}), reportsRoot: plainText(alert.reportsRoot, 1000), markerPath: plainText(alert.markerPath, 1000) };
    case 'run-stale':
      return { ...base, ...(alert.lastOkAt !== undefined ? { lastOkAt: alert.lastOkAt } : {}), since: alert.since, staleAfterSeconds: alert.staleAfterSeconds, reason: plainText(errorText(alert.reason)), reportsRoot: plainText(alert.reportsRoot, 1000) };
  }
}

function render(alert: Alert, format: NotifyFormat, listed: number): string {
  if (format === 'json') return JSON.stringify(jsonBody(alert, listed));
  // unfurl_*: a name that looks like a URL must not make Slack fetch it.
  return JSON.stringify({ text: slackLines(alert, listed).join('\n'), mrkdwn: true, unfurl_links: false, unfurl_media: false });
}

/** The request body, at most MAX_PAYLOAD_BYTES: fewer findings are listed until it fits. */
export function renderPayload(alert: Alert, format: NotifyFormat): string {
  let listed = alert.kind === 'new-findings' ? alert.findings.length : 0;
  let body = render(alert, format, listed);
  while (Buffer.byteLength(body) > MAX_PAYLOAD_BYTES && listed > 0) {
    listed = Math.floor(listed / 2);
    body = render(alert, format, listed);
  }
  // Fields are capped at a few hundred characters, so only absurd paths can still be too big.
  if (Buffer.byteLength(body) > MAX_PAYLOAD_BYTES) throw new Error(`alert payload is ${Buffer.byteLength(body)} bytes even with no finding listed (limit ${MAX_PAYLOAD_BYTES})`);
  return body;
}
