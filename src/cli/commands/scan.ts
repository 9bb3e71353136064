import type { Command } from 'commander';
import { Option } from 'commander';
import { SEVERITIES, type Severity } from '../../model/finding.js';
import { InputError } from '../../model/errors.js';
import { scanAccounts, scanAndWrite, type ScanOptions, type WriteOptions } from '../../pipeline/scan.js';
import { parseFormats } from '../../report/formats.js';
import { renderSummary } from '../../report/summary-text.js';
import { EXIT_ERROR, exitCodesHelp } from '../exit-codes.js';
import { jsonTextSafe, safeLines, safeText } from '../../safe/text.js';
import { writeJsonToStream } from '../../report/json-stream.js';

export interface ScanCliOptions {
  input?: string; accountId?: string; demo?: boolean; config?: string; output?: string; reports?: string; json?: boolean;
  failOn?: Severity; failOnNew?: boolean; format?: string; ci?: boolean;
  cloudtrail?: string[]; fixes?: boolean; mode?: 'strict' | 'balanced';
  local?: boolean; home?: string; project?: string[];
  aws?: boolean; profile?: string; region?: string; endpointUrl?: string; cloudtrailLookup?: string;
  lastAccessed?: string[]; liveLastAccessed?: boolean; scps?: boolean; until?: string; allAccounts?: boolean;
  cloudtrailWorkers?: string; keep?: string;
}

function workers(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 64) throw new InputError('--cloudtrail-workers', '', 'a whole number of worker threads from 0 (read on one thread) to 64', v);
  return n;
}

function keepCount(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InputError('--keep', '', 'a whole number of scans to keep, at least 1', v);
  return n;
}

function days(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 90) throw new InputError('--cloudtrail-lookup', '', 'a whole number of days from 1 to 90 (LookupEvents keeps 90 days)', v);
  return n;
}

function accountId(o: ScanCliOptions): string | undefined {
  if (o.accountId === undefined) return undefined;
  const id = o.accountId.trim();
  if (!/^\d{12}$/.test(id)) throw new InputError('--account-id', '', 'a 12-digit AWS account id (e.g. 111122223333)', JSON.stringify(o.accountId));
  if (o.allAccounts) throw new InputError('--account-id', '', 'one account, not used with --all-accounts (each account there has its own id in leash.config.yaml)', id);
  return id;
}

export function toScanOptions(o: ScanCliOptions): ScanOptions & WriteOptions {
  // Alone it would silently never fail a build, which is the opposite of what it was added for.
  if (o.failOnNew && !o.failOn) throw new InputError('--fail-on-new', '', 'to be used with --fail-on SEVERITY (e.g. --fail-on high --fail-on-new)', 'no --fail-on');
  const account = accountId(o);
  return {
    ...(o.input ? { input: o.input } : {}),
    ...(account !== undefined ? { accountId: account } : {}),
    ...(o.demo ? { demo: true } : {}),
    ...(o.config ? { config: o.config } : {}),
    ...(o.cloudtrail ? { cloudtrail: o.cloudtrail } : {}),
    ...(o.cloudtrailWorkers !== undefined ? { cloudtrailWorkers: workers(o.cloudtrailWorkers)! } : {}),
    ...(o.fixes ? { fixes: true } : {}),
    ...(o.local ? { local: true } : {}),
    ...(o.aws ? { aws: true } : {}),
    ...(o.profile ? { profile: o.profile } : {}),
    ...(o.region ? { region: o.region } : {}),
    ...(o.endpointUrl ? { endpointUrl: o.endpointUrl } : {}),
    ...(o.cloudtrailLookup ? { cloudtrailLookupDays: days(o.cloudtrailLookup)! } : {}),
    ...(o.lastAccessed ? { lastAccessed: o.lastAccessed } : {}),
    ...(o.liveLastAccessed ? { liveLastAccessed: true } : {}),
    ...(o.scps ? { scps: true } : {}),
    ...(o.until ? { until: o.until } : {}),
    ...(o.home ? { localHome: o.home } : {}),
    ...(o.project ? { localProjects: o.project } : {}),
    ...(o.mode ? { mode: o.mode } : {}),
    reportsRoot: o.reports ?? 'reports',
    ...(o.output ? { output: o.output } : {}),
    formats: parseFormats(o.format ?? 'all'),
    ...(o.failOn ? { failOn: o.failOn } : {}),
    ...(o.failOnNew ? { failOnNew: true } : {}),
    ...(o.keep !== undefined ? { keep: keepCount(o.keep) } : {}),
  };
}

/** Print an error the way a tired engineer wants it: file, place, what was expected. */
export function reportError(e: unknown): number {
  const message = e instanceof InputError ? e.message : e instanceof Error ? e.message : String(e);
  process.stderr.write(`leash: ${safeLines(message)}\n`);
  return EXIT_ERROR;
}

export function register(program: Command): void {
  program
    .command('scan')
    .description('Scan an account (offline export, live AWS, or the bundled demo) and write a report')
    .option('-i, --input <file>', 'output of `aws iam get-account-authorization-details`')
    .option('--account-id <id>', 'the 12-digit account scanned, for an export whose ARNs name none (checked against them)')
    .option('--demo', 'scan the bundled demo account (with its demo CloudTrail)')
    .option('-c, --config <file>', 'leash.config.yaml (default: ./leash.config.yaml if present)')
    .option('--cloudtrail <path...>', 'CloudTrail logs: .json/.json.gz files, directories, or an S3 delivery tree')
    .option('--cloudtrail-workers <n>', 'worker threads reading CloudTrail files (default: one per spare core on 4+ cores, else 0)')
    .option('--aws', 'scan live AWS with the default credential chain')
    .option('--profile <name>', 'scan live AWS with this profile (SSO, role_arn and credential_process profiles work)')
    .option('--region <region>', 'AWS region (CloudTrail is regional; IAM is global)')
    .option('--endpoint-url <url>', 'an AWS-compatible endpoint for every service')
    .option('--cloudtrail-lookup <days>', 'live: read CloudTrail LookupEvents for the last N days (management events, 2 req/s)')
    .option('--live-last-accessed', 'live: action-level service-last-accessed for agent-looking principals')
    .option('--scps', 'live: read service control policies from AWS Organizations')
    .option('--all-accounts', 'live: scan every account listed in leash.config.yaml `accounts`, assuming its role')
    .option('--last-accessed <file...>', 'output of `aws iam get-service-last-accessed-details` (FILE or FILE@PRINCIPAL_ARN)')
    .option('--until <iso-date>', 'end of the usage window (default: now, or baseline.windowEnd in the config)')
    .option('--local', 'read AI tool / MCP configs on this machine and link their AWS profiles to principals')
    .option('--home <dir>', 'home directory for --local (default: yours)')
    .option('--project <dir...>', 'project directories for --local (default: the current directory)')
    .option('--fixes', 'plan fixes for agent principals and write them under fixes/')
    .addOption(new Option('--mode <mode>', 'right-sizing mode').choices(['strict', 'balanced']))
    .option('-o, --output <dir>', 'write the bundle exactly here (default: <reports>/<account>/<timestamp>/)')
    .option('--reports <dir>', 'root of the scan history', 'reports')
    .option('--format <list>', 'comma-separated: json,sarif,asff,md or all', 'all')
    .option('--keep <n>', 'retention: keep the newest N scans of the account (scans holding apply.sh backups are never deleted)')
    .option('--json', 'print report.json to stdout instead of the summary')
    .addOption(new Option('--fail-on <severity>', 'exit 1 when an open finding at or above this severity exists').choices([...SEVERITIES]))
    .option('--fail-on-new', 'with --fail-on: only findings that are new since the previous scan count')
    .option('--ci', 'non-interactive: no colour, no progress (implied when stdout is not a terminal)')
    .addHelpText('after', exitCodesHelp({
      0: 'scanned and written; nothing at or above --fail-on (always 0 without --fail-on)',
      1: 'scanned and written; open findings at or above --fail-on (only new ones with --fail-on-new)',
      2: 'bad input or an error; the message names the file and place. A bad policy inside a good export is 2 with the report still written',
    }))
    .action(async (o: ScanCliOptions) => {
      try {
        const interactive = Boolean(process.stderr.isTTY) && !o.ci && !o.json;
        const progress = interactive ? (stage: string, detail?: string) => process.stderr.write(`\r\u001b[2K${stage}${detail ? `: ${detail}` : ''}`) : undefined;
        if (o.allAccounts) {
          const results = await scanAccounts(toScanOptions(o), progress);
          if (interactive) process.stderr.write('\r\u001b[2K');
          for (const r of results) {
            if (r.ok && r.report) process.stdout.write(o.json ? jsonTextSafe(JSON.stringify(r.report)) + '\n' : safeLines(`${r.accountId}: ${r.report.findings.filter((f) => !f.suppressed).length} findings → ${r.dir}\n`));
            else process.stderr.write(safeLines(`leash: account ${r.accountId} failed: ${r.error ?? 'unknown error'}\n`));
          }
          process.exitCode = Math.max(0, ...results.map((r) => r.exitCode));
          return;
        }
        const { dir, report, exitCode } = await scanAndWrite(toScanOptions(o), progress);
        if (interactive) process.stderr.write('\r\u001b[2K');
        // Exit 2 with the report written: say why on stderr too, where --json and CI logs look.
        const bad = report.errors.filter((e) => e.code === 'invalid-input');
        if (bad.length > 0) process.stderr.write(`leash: ${bad.length} input error(s); the rest was scanned and written to ${safeText(dir)}. First: ${safeText(bad[0]!.message)}\n`);
        if (o.json) await writeJsonToStream(process.stdout, report);
        else process.stdout.write(renderSummary(report, { color: Boolean(process.stdout.isTTY) && !o.ci && !process.env.NO_COLOR, ...(process.stdout.columns ? { width: process.stdout.columns } : {}) }, dir) + '\n');
        process.exitCode = exitCode;
      } catch (e) {
        process.exitCode = reportError(e);
      }
    });
}
