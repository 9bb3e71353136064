// `leash contain <principal|session ARN>`: during an incident, the Deny that stops an agent now,
// as files a person reviews and runs (contain.sh, undo.sh). Reads a report, an export or the
// account live (IAM, and CloudTrail for the principal's recent sessions); changes nothing.
import type { Command } from 'commander';
import { Option } from 'commander';
import type { Report } from '../../model/report.js';
import type { Snapshot } from '../../model/snapshot.js';
import type { ScanOptions } from '../../pipeline/scan.js';
import { checkAccount, loadReport, resolveReportPath } from '../../report/history.js';
import { planContainment, type ContainScope } from '../../contain/plan.js';
import { containSummary } from '../../contain/render.js';
import { CONTAIN_DIR, writeContainment } from '../../contain/write.js';
import { reportExport } from '../../contain/report-export.js';
import { jsonTextSafe, safeText } from '../../safe/text.js';
import { reportError } from './scan.js';
import { exitCodesHelp } from '../exit-codes.js';
import { InputError } from '../../model/errors.js';
import type { Signature } from '../../agents/user-agent.js';
import type { LiveSessions } from '../../contain/plan.js';
import { parseSince } from './activity.js';
import { CONTAIN_MAX_EVENTS } from '../../contain/sessions.js';

interface ContainOptions { since?: string; sessions?: boolean; maxEvents?: string; input?: string; aws?: boolean; profile?: string; region?: string; endpointUrl?: string; config?: string; report: string; reports: string; account?: string; demo?: boolean; scope?: ContainScope; session?: string; sourceIdentity?: string; userId?: string; deactivateKeys?: boolean; at?: string; output: string; json?: boolean }

interface Planned { report: Report; snapshot?: Snapshot; organizationId?: string; snapshotFrom?: string; snapshotMissing?: string; snapshotLive?: string; signatures?: readonly Signature[] }

/** Live AWS asked for: `--aws`, or what implies it as in `leash scan` (a profile, a region, an endpoint). */
const isLive = (o: ContainOptions): boolean => Boolean(o.aws || o.profile !== undefined || o.region !== undefined || o.endpointUrl !== undefined);

async function reportFor(o: ContainOptions): Promise<Planned> {
  const sources = [o.demo ? '--demo' : undefined, o.input !== undefined ? '--input' : undefined, isLive(o) ? 'live AWS (--aws, --profile, --region, --endpoint-url)' : undefined].filter((x) => x !== undefined);
  if (sources.length > 1) throw new InputError('(command line)', '', 'one of --demo, --input FILE or live AWS', sources.join(' and '));
  if (isLive(o)) return liveReport(o);
  // A fresh export (or the demo): analysed here, nothing written but the plan.
  if (o.demo || o.input) return analysedNow({ ...(o.input ? { input: o.input } : { demo: true }), ...(o.config !== undefined ? { config: o.config } : {}) });
  const path = await resolveReportPath(o.report, { reportsRoot: o.reports, ...(o.account !== undefined ? { accountId: o.account } : {}) });
  const report = await loadReport(path);
  checkAccount(report, o.account, path);
  return { report, ...(await reportExport(report)) };
}

/**
 * The account as it is now, read live with the scan's read-only collector (IAM's authorization
 * details, Identity Center where readable, the organization it is in) and analysed here: the plan
 * and who could remove the Deny are decided from today's policies, not a report's. The recent
 * sessions are read afterwards (liveSessions), once the principal is known.
 */
async function liveReport(o: ContainOptions): Promise<Planned> {
  const planned = await analysedNow({ aws: true, ...(o.profile !== undefined ? { profile: o.profile } : {}), ...(o.region !== undefined ? { region: o.region } : {}), ...(o.endpointUrl !== undefined ? { endpointUrl: o.endpointUrl } : {}), ...(o.config !== undefined ? { config: o.config } : {}) }, o.account);
  return { ...planned, snapshotLive: planned.snapshot!.collectedAt };
}

/** An export, the demo or the live account collected and analysed here (no fixes); `account`, when given, must be the one read. */
async function analysedNow(opts: ScanOptions, account?: string): Promise<Planned> {
  const { collectSnapshot, analyzeSnapshots } = await import('../../pipeline/scan.js');
  const c = await collectSnapshot(opts);
  if (account !== undefined && c.snapshot.account.id !== account) throw new InputError('--account', '', `the account the credentials belong to (${c.snapshot.account.id})`, account);
  const now = new Date();
  const organizationId = c.config.resources?.organizationId;
  // The AI tools a session's user agents name: the registry's and the config's, as a scan's report names them.
  const { configSignatures, REGISTRY_SIGNATURES } = await import('../../agents/user-agent.js');
  const signatures = [...REGISTRY_SIGNATURES, ...configSignatures(c.config.agents.signatures)];
  return { report: analyzeSnapshots([c.snapshot], c.config, { scanId: 'contain', startedAt: now.toISOString(), now, fixes: false })[0]!.report, snapshot: c.snapshot, signatures, ...(organizationId ? { organizationId } : {}) };
}

/** LookupEvents holds the last 90 days of management events: a window reaching further reads nothing more. */
const LOOKUP_DAYS = 90;

/**
 * The window of the live session read (`--since`, default 24 hours back), checked before anything
 * is read; undefined when no CloudTrail is to be read (a report, or --no-sessions).
 */
function sessionWindow(o: ContainOptions, now: Date): { since: string; until: string; maxEvents?: number } | undefined {
  const live = isLive(o) && o.sessions !== false;
  for (const [flag, v] of [['--since', o.since], ['--max-events', o.maxEvents]] as const) {
    if (v !== undefined && !live) throw new InputError(flag, '', 'to be used with --aws (the recent sessions read live; a report\'s sessions are its own)', JSON.stringify(v));
  }
  if (!live) return undefined;
  const since = parseSince(o.since ?? '24h', now);
  const until = now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  if (Date.parse(since) < Date.parse(until) - LOOKUP_DAYS * 86_400_000) throw new InputError('--since', '', `at most ${LOOKUP_DAYS} days back (LookupEvents keeps ${LOOKUP_DAYS} days of management events)`, JSON.stringify(o.since));
  if (since >= until) throw new InputError('--since', '', 'a time before now', JSON.stringify(o.since));
  if (o.maxEvents !== undefined && (!/^\d{1,7}$/.test(o.maxEvents) || Number(o.maxEvents) < 1)) throw new InputError('--max-events', '', 'a whole number from 1 to 9999999', JSON.stringify(o.maxEvents));
  return { since, until, ...(o.maxEvents !== undefined ? { maxEvents: Number(o.maxEvents) } : {}) };
}

/** The contained principal's recent sessions, read live with the read-only factory's clients (the same connection as the IAM read). */
async function liveSessions(o: ContainOptions, planned: Planned, target: string, window: { since: string; until: string; maxEvents?: number }): Promise<LiveSessions> {
  const { containedPrincipal } = await import('../../contain/plan.js');
  const principal = containedPrincipal(planned.report, target);
  // The plan waits for this read (2 LookupEvents requests a second per region): say what it waits for.
  process.stderr.write(`leash: reading the recent sessions of ${safeText(principal.arn)} from CloudTrail since ${window.since} (LookupEvents, read-only; --no-sessions skips it)\n`);
  const { createAwsClients } = await import('../../collect/aws/client-factory.js');
  const { readSessionsLive } = await import('../../contain/sessions.js');
  const clients = createAwsClients({ ...(o.profile !== undefined ? { profile: o.profile } : {}), ...(o.region !== undefined ? { region: o.region } : {}), ...(o.endpointUrl !== undefined ? { endpointUrl: o.endpointUrl } : {}) });
  try {
    return await readSessionsLive(clients, principal, { since: window.since, until: window.until }, { ...(window.maxEvents !== undefined ? { maxEvents: window.maxEvents } : {}), ...(planned.signatures ? { signatures: planned.signatures } : {}) });
  } finally {
    clients.destroy();
  }
}

export function register(program: Command): void {
  program
    .command('contain')
    .description('An agent is acting now: write the Deny that stops it (one session, sessions so far, or everything), with contain.sh and undo.sh to review and run')
    .argument('<principal>', 'principal name or ARN, or a role session ARN from CloudTrail (arn:aws:sts::<account>:assumed-role/<role>/<session>)')
    .addOption(new Option('--scope <scope>', 'session: that session only; sessions: every session issued so far (a role\'s default); all: everything, new sessions and keys too (a user\'s only choice)').choices(['session', 'sessions', 'all']))
    .option('--session <name>', 'role session name to stop (scope session)')
    .option('--source-identity <id>', 'sts:SourceIdentity of the agent\'s sessions to stop (scope session)')
    .option('--user-id <id>', 'identity store user id of the person whose sessions to stop (scope session; IAM Identity Center roles: aws identitystore list-users)')
    .option('--deactivate-keys', 'a user (scope all): deactivate its active access keys as well; undo.sh reactivates them')
    .option('--at <time>', 'revoke sessions issued before this UTC time (default: when contain.sh runs)')
    .option('--report <path>', 'report.json, its directory, or latest', 'latest')
    .option('--reports <dir>', 'root of the scan history', 'reports')
    .option('--account <id>', 'account whose history latest refers to (needed when --reports holds several)')
    .option('-i, --input <file>', 'a fresh export (aws iam get-account-authorization-details) instead of a report (a report made from an export lists who could remove the Deny from that export, read again)')
    .option('--aws', 'plan from the account as it is now, read live (read-only, the credential chain) instead of a report: who could remove the Deny is decided from today\'s policies, and its recent sessions are read from CloudTrail')
    .option('--profile <name>', 'live, with this AWS profile (implies --aws)')
    .option('--region <region>', 'live, in this region (implies --aws; Identity Center is read where its instance is)')
    .option('--endpoint-url <url>', 'live, through an AWS-compatible endpoint (implies --aws)')
    .option('--since <time>', 'with --aws: the recent sessions read live from CloudTrail (LookupEvents) since this UTC time or this far back (30m, 12h, 7d; default 24h, at most 90d)')
    .option('--no-sessions', 'with --aws: read no CloudTrail (the plan then lists no recent sessions)')
    .option('--max-events <n>', `with --aws: events read at most per LookupEvents read and region (default ${CONTAIN_MAX_EVENTS}; the newest first)`)
    .option('-c, --config <file>', 'leash.config.yaml for a live or --input plan (organization id, approval conditions)')
    .option('--demo', 'plan against the bundled demo account')
    .option('-o, --output <dir>', 'folder to write the plan under (a new sub-folder each time)', CONTAIN_DIR)
    .option('--json', 'print the plan (and its folder) as JSON instead of the summary')
    .addHelpText('after', exitCodesHelp({ 0: 'plan written (nothing applied: run contain.sh --apply after reading it)', 2: 'no such principal or session, a bad option, or an unreadable report' }))
    .action(async (target: string, o: ContainOptions) => {
      try {
        const window = sessionWindow(o, new Date());
        const planned = await reportFor(o);
        const { report, snapshot, organizationId, snapshotFrom, snapshotMissing, snapshotLive } = planned;
        const sessionsLive = window ? await liveSessions(o, planned, target, window) : undefined;
        const now = new Date();
        const plan = planContainment(report, { target, now, ...(sessionsLive ? { sessionsLive } : {}), ...(snapshot ? { snapshot } : {}), ...(organizationId ? { organizationId } : {}), ...(snapshotFrom ? { snapshotFrom } : {}), ...(snapshotMissing ? { snapshotMissing } : {}), ...(snapshotLive ? { snapshotLive } : {}), ...(o.scope ? { scope: o.scope } : {}), ...(o.session !== undefined ? { session: o.session } : {}), ...(o.sourceIdentity !== undefined ? { sourceIdentity: o.sourceIdentity } : {}), ...(o.userId !== undefined ? { userId: o.userId } : {}), ...(o.deactivateKeys ? { deactivateKeys: true } : {}), ...(o.at !== undefined ? { at: o.at } : {}) });
        const dir = await writeContainment(o.output, plan);
        if (o.json) process.stdout.write(jsonTextSafe(JSON.stringify({ dir, plan }, null, 2)) + '\n');
        else process.stdout.write(containSummary(plan, dir));
      } catch (e) {
        process.exitCode = reportError(e);
      }
    });
}
