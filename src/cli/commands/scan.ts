import type { Command } from 'commander';
import { Option } from 'commander';
import { SEVERITIES, type Severity } from '../../model/finding.js';
import { InputError } from '../../model/errors.js';
import { scanAccounts, scanAndWrite, scanManyAndWrite, type ScanOptions, type WriteOptions } from '../../pipeline/scan.js';
import type { OrgScanOptions } from '../../pipeline/org-scan.js';
import { OU_ID } from '../../collect/aws/org-ids.js';
import { cloudTrailSpecs } from '../../collect/cloudtrail/reader.js';
import type { CloudTrailParser } from '../../collect/cloudtrail/ingest-file.js';
import { DEFAULT_FORMATS, parseFormats } from '../../report/formats.js';
import { renderSummary } from '../../report/summary-text.js';
import { EXIT_ERROR, exitCodesHelp } from '../exit-codes.js';
import { addNotifyOptions, notifyAfterScan, notifyTargetOf, type NotifyCliOptions } from '../notify-options.js';
import { addInventoryOptions, inventoryScanOptions, type InventoryCliOptions } from '../inventory-options.js';
import { isQuiet, outputWidth } from '../output.js';
import { checkRegion, describeError } from '../hints.js';
import { safeLines, safeText } from '../../safe/text.js';
import { writeJsonToStream } from '../../report/json-stream.js';
import { storedReportStream } from '../../report/documents.js';
import { shellQuote } from '../../fix/render/aws-cli.js';
import { COMPRESS_ABOVE_BYTES, REPORT_COMPRESSIONS, REPORT_FILE_GZ, reportFileIn, type ReportCompression } from '../../report/report-file.js';

export interface ScanCliOptions extends InventoryCliOptions {
  input?: string[]; accountId?: string; demo?: boolean; config?: string; output?: string; reports?: string; json?: boolean;
  failOn?: Severity; failOnNew?: boolean; format?: string; ci?: boolean; compressReport?: ReportCompression;
  cloudtrail?: string[]; fixes?: boolean; mode?: 'strict' | 'balanced';
  local?: boolean; home?: string; project?: string[];
  aws?: boolean; profile?: string; region?: string; endpointUrl?: string; cloudtrailLookup?: string;
  lastAccessed?: string[]; liveLastAccessed?: boolean; scps?: boolean; until?: string; allAccounts?: boolean;
  cloudtrailWorkers?: string; analysisWorkers?: string; cloudtrailParser?: string; history?: string; keep?: string;
  cloudtrailAthena?: string; cloudtrailAthenaPartition?: string;
  org?: boolean; roleName?: string; externalId?: string; includeAccounts?: string[]; excludeAccounts?: string[];
  includeOus?: string[]; excludeOus?: string[]; concurrency?: string;
}

function accountIds(flag: string, v: string[] | undefined): string[] | undefined {
  if (!v) return undefined;
  const ids = v.flatMap((x) => x.split(',')).map((x) => x.trim()).filter(Boolean);
  const bad = ids.find((x) => !/^\d{12}$/.test(x));
  if (bad !== undefined) throw new InputError(flag, '', '12-digit AWS account ids (space- or comma-separated)', JSON.stringify(bad));
  return ids;
}

function ouIds(flag: string, v: string[] | undefined): string[] | undefined {
  if (!v) return undefined;
  const ids = v.flatMap((x) => x.split(',')).map((x) => x.trim()).filter(Boolean);
  const bad = ids.find((x) => !OU_ID.test(x));
  if (bad !== undefined) throw new InputError(flag, '', 'organizational unit ids (ou-xxxx-xxxxxxxx) or the root id (r-xxxx)', JSON.stringify(bad));
  return ids;
}

export function toOrgOptions(o: ScanCliOptions): OrgScanOptions {
  let concurrency: number | undefined;
  if (o.concurrency !== undefined) {
    concurrency = Number(o.concurrency);
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 32) throw new InputError('--concurrency', '', 'a whole number of accounts scanned at once, 1 to 32', o.concurrency);
  }
  const include = accountIds('--include-accounts', o.includeAccounts);
  const exclude = accountIds('--exclude-accounts', o.excludeAccounts);
  const includeOus = ouIds('--include-ous', o.includeOus);
  const excludeOus = ouIds('--exclude-ous', o.excludeOus);
  return {
    ...(o.roleName ? { roleName: o.roleName } : {}),
    ...(o.externalId !== undefined ? { externalId: o.externalId } : {}),
    ...(include ? { includeAccounts: include } : {}),
    ...(exclude ? { excludeAccounts: exclude } : {}),
    ...(includeOus ? { includeOus } : {}),
    ...(excludeOus ? { excludeOus } : {}),
    ...(concurrency !== undefined ? { concurrency } : {}),
  };
}
type ScanCommandOptions = ScanCliOptions & NotifyCliOptions;

function workers(v: string | undefined, flag = '--cloudtrail-workers', zero = 'read on one thread'): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || !Number.isInteger(n) || n < 0 || n > 64) throw new InputError(flag, '', `a whole number of worker threads from 0 (${zero}) to 64`, v);
  return n;
}

function parser(v: string): CloudTrailParser {
  if (v !== 'wasm' && v !== 'scan' && v !== 'json') throw new InputError('--cloudtrail-parser', '', "'wasm' (default: the byte loop in WebAssembly, only the fields usage needs), 'scan' (the same in JavaScript) or 'json' (JSON.parse of every file)", v);
  return v;
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

function athenaPartition(v: string): string {
  if (!/^[A-Za-z0-9_]{1,255}$/.test(v)) throw new InputError('--cloudtrail-athena-partition', '', "the table's partition column holding 'yyyy/MM/dd' (letters, digits, underscores)", JSON.stringify(v));
  return v;
}

export function toScanOptions(o: ScanCliOptions, many = false): ScanOptions & WriteOptions {
  // Only `leash scan` analyses several exports together; elsewhere the second would be dropped unseen.
  if (!many && o.input && o.input.length > 1) throw new InputError('--input', '', 'one file here (`leash scan --input A --input B` analyses several accounts together)', o.input.join(' '));
  // s3:// and Athena arguments are checked before anything is read.
  cloudTrailSpecs(o.cloudtrail, o.cloudtrailAthena);
  // Alone it would silently never fail a build, which is the opposite of what it was added for.
  if (o.failOnNew && !o.failOn) throw new InputError('--fail-on-new', '', 'to be used with --fail-on SEVERITY (e.g. --fail-on high --fail-on-new)', 'no --fail-on');
  const account = accountId(o);
  return {
    ...inventoryScanOptions(o),
    ...(o.input && o.input.length > 0 ? { input: o.input[0]! } : {}),
    ...(account !== undefined ? { accountId: account } : {}),
    ...(o.demo ? { demo: true } : {}),
    ...(o.config ? { config: o.config } : {}),
    ...(o.cloudtrail ? { cloudtrail: o.cloudtrail } : {}),
    ...(o.cloudtrailAthena !== undefined ? { cloudtrailAthena: o.cloudtrailAthena } : {}),
    ...(o.cloudtrailAthenaPartition !== undefined ? { cloudtrailAthenaPartition: athenaPartition(o.cloudtrailAthenaPartition) } : {}),
    ...(o.cloudtrailWorkers !== undefined ? { cloudtrailWorkers: workers(o.cloudtrailWorkers)! } : {}),
    ...(o.analysisWorkers !== undefined ? { analysisWorkers: workers(o.analysisWorkers, '--analysis-workers', 'analyse on one thread')! } : {}),
    ...(o.cloudtrailParser !== undefined ? { cloudtrailParser: parser(o.cloudtrailParser) } : {}),
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
    formats: o.format === undefined ? [...DEFAULT_FORMATS] : parseFormats(o.format),
    ...(o.compressReport ? { reportCompression: o.compressReport } : {}),
    ...(o.failOn ? { failOn: o.failOn } : {}),
    ...(o.failOnNew ? { failOnNew: true } : {}),
    ...(o.history !== undefined ? { history: o.history } : {}),
    ...(o.keep !== undefined ? { keep: keepCount(o.keep) } : {}),
  };
}

/** A line saying the report was gzipped (--compress-report: auto past the bound, or always), so nobody looks for report.json in vain. */
function gzippedReportLine(dir: string): string {
  const file = reportFileIn(dir);
  if (!file?.endsWith('.gz')) return '';
  return `the report is ${REPORT_FILE_GZ} (gzip): zcat ${shellQuote(file)} | jq …  (--compress-report never writes report.json)\n`;
}

/** Print an error the way a tired engineer wants it: file, place, what was expected. */
export function reportError(e: unknown): number {
  process.stderr.write(`leash: ${safeLines(describeError(e))}\n`);
  return EXIT_ERROR;
}

export function register(program: Command): void {
  const cmd = program
    .command('scan')
    .description('Scan an account (offline export, live AWS, or the bundled demo) and write a report')
    .option('-i, --input <file...>', 'output of `aws iam get-account-authorization-details`; several files (one per account) are analysed as one access graph')
    .option('--account-id <id>', 'the 12-digit account scanned, for an export whose ARNs name none (checked against them)')
    .option('--demo', 'scan the bundled demo account (with its demo CloudTrail)')
    .option('-c, --config <file>', 'leash.config.yaml (default: ./leash.config.yaml if present)')
    .option('--cloudtrail <path...>', 'CloudTrail logs: .json/.json.gz files, directories, a delivery tree, or s3://bucket/prefix of a trail read in place')
    .option('--cloudtrail-athena <workgroup/database.table>', "CloudTrail through Athena: one aggregate query over the trail table")
    .option('--cloudtrail-athena-partition <column>', "with --cloudtrail-athena: the partition column holding 'yyyy/MM/dd', to prune by the window")
    .option('--cloudtrail-workers <n>', 'worker threads reading CloudTrail files (default: one per spare core on 4+ cores, else 0)')
    .option('--analysis-workers <n>', 'worker threads planning fixes, split by principal (default: the config\'s analysisWorkers, 0 = in-process); same report for any n')
    .option('--cloudtrail-parser <wasm|scan|json>', "how CloudTrail files are parsed: 'wasm' (default: WebAssembly checks the text and finds the fields usage needs), 'scan' (the same in JavaScript) or 'json' (JSON.parse of every file); same results")
    .option('--aws', 'scan live AWS with the default credential chain')
    .option('--profile <name>', 'scan live AWS with this profile (SSO, role_arn and credential_process profiles work)')
    .option('--region <region>', 'AWS region (CloudTrail is regional; IAM is global)')
    .option('--endpoint-url <url>', 'an AWS-compatible endpoint for every service')
    .option('--cloudtrail-lookup <days>', 'live: read CloudTrail LookupEvents for the last N days (management events, 2 req/s per region) in the scan region, us-east-1 (where IAM and STS calls are looked up) and the --regions')
    .option('--live-last-accessed', 'live: action-level service-last-accessed for agent-looking principals')
    .option('--scps', 'live: read service control policies from AWS Organizations')
    .option('--all-accounts', 'live: scan every account listed in leash.config.yaml `accounts`, assuming its role')
    .option('--org', 'live: scan every account of the AWS Organization, assuming --role-name in each, and write an organization report')
    .option('--role-name <name>', 'with --org: the role assumed in each account', 'leash-scanner')
    .option('--external-id <id>', 'with --org: the external id the scanner role requires')
    .option('--include-accounts <ids...>', 'with --org: only these account ids')
    .option('--exclude-accounts <ids...>', 'with --org: not these account ids')
    .option('--include-ous <ids...>', 'with --org: only accounts under these OUs (ou-… or r-…)')
    .option('--exclude-ous <ids...>', 'with --org: not accounts under these OUs')
    .option('--concurrency <n>', 'with --org: accounts scanned at once (default 4)')
    .option('--last-accessed <file...>', 'output of `aws iam get-service-last-accessed-details` (FILE or FILE@PRINCIPAL_ARN)')
    .option('--until <iso-date>', 'end of the usage window (default: now, or baseline.windowEnd in the config)')
    .option('--local', 'read AI tool / MCP configs on this machine and link their AWS profiles to principals')
    .option('--home <dir>', 'home directory for --local (default: yours)')
    .option('--project <dir...>', 'project directories for --local (default: the current directory)')
    .option('--fixes', 'plan fixes for agent principals and write them under fixes/')
    .addOption(new Option('--mode <mode>', 'right-sizing mode').choices(['strict', 'balanced']))
    .option('-o, --output <dir>', 'write the bundle exactly here (default: <reports>/<account>/<timestamp>/)')
    .option('--reports <dir>', 'root of the scan history', 'reports')
    .option('--format <list>', 'comma-separated: json,sarif,asff,md,ndjson,csv,html or all (default: json,sarif,md; add asff for a Security Hub import)')
    .addOption(new Option('--compress-report <when>', `report.json as report.json.gz: auto (past ${COMPRESS_ABOVE_BYTES / 2 ** 20} MiB of JSON, ~2,500 principals), always, never`).choices([...REPORT_COMPRESSIONS]).default('auto'))
    .option('--history <dir|s3-url>', 'read the previous scan from, and store this one in, a directory or s3://bucket/prefix (for runners that start empty)')
    .option('--keep <n>', 'retention: keep the newest N scans of the account (scans holding apply.sh backups are never deleted)')
    .option('--json', 'print report.json to stdout instead of the summary')
    .addOption(new Option('--fail-on <severity>', 'exit 1 when an open finding at or above this severity exists').choices([...SEVERITIES]))
    .option('--fail-on-new', 'with --fail-on: only findings that are new since the previous scan count')
    .option('--ci', 'non-interactive: no colour, no progress (implied when stdout is not a terminal)');
  addNotifyOptions(cmd, 'when the scan finds new open findings at or above --notify-on');
  addInventoryOptions(cmd);
  cmd
    .addHelpText('after', exitCodesHelp({
      0: 'scanned and written; nothing at or above --fail-on (always 0 without --fail-on)',
      1: 'scanned and written; open findings at or above --fail-on (only new ones with --fail-on-new)',
      2: 'bad input or an error; the message names the file and place. A bad policy inside a good export is 2 with the report still written',
    }))
    .action(async (o: ScanCommandOptions) => {
      try {
        // A bad --notify URL or --region stops the scan before anything is read.
        notifyTargetOf(o);
        checkRegion(o.region);
        const interactive = Boolean(process.stderr.isTTY) && !o.ci && !o.json && !isQuiet();
        const progress = interactive ? (stage: string, detail?: string) => process.stderr.write(`\r\u001b[2K${stage}${detail ? `: ${detail}` : ''}`) : undefined;
        if (o.org) {
          const { scanOrganization, orgFindingTotals } = await import('../../pipeline/org-scan.js');
          const r = await scanOrganization({ ...toScanOptions(o), ...toOrgOptions(o) }, progress);
          if (interactive) process.stderr.write('\r\u001b[2K');
          if (o.json) await writeJsonToStream(process.stdout, r.report);
          else {
            const t = orgFindingTotals(r.report);
            const c = r.report.coverage;
            process.stdout.write(safeLines(`organization ${r.report.scan.organizationId}: ${c.accountsScanned} scanned, ${c.accountsFailed} failed, ${c.accountsSkipped} skipped; ${r.report.agentPrincipals.length} agent principals; findings ${Object.entries(t).map(([k, v]) => `${k} ${v}`).join(', ')} → ${r.dir}\n`));
            for (const a of r.report.accounts.filter((x) => x.status !== 'scanned')) process.stderr.write(`leash: account ${a.id} ${a.status}: ${a.reason ?? ''}\n`);
          }
          process.exitCode = r.exitCode;
          return;
        }
        if (o.allAccounts) {
          const results = await scanAccounts(toScanOptions(o), progress);
          if (interactive) process.stderr.write('\r\u001b[2K');
          for (const r of results) {
            if (r.ok && r.report) {
              // A report per line, walked a record at a time: no string of a whole report.
              if (o.json) await writeJsonToStream(process.stdout, storedReportStream(r.report), undefined, 'line');
              else if (!isQuiet()) process.stdout.write(safeLines(`${r.accountId}: ${r.report.findings.filter((f) => !f.suppressed).length} findings → ${r.dir}\n`));
              if (r.dir) await notifyAfterScan(o, r.dir, r.report);
            } else process.stderr.write(safeLines(`leash: account ${r.accountId} failed: ${r.error ?? 'unknown error'}\n`));
          }
          process.exitCode = Math.max(0, ...results.map((r) => r.exitCode));
          return;
        }
        if (o.input && o.input.length > 1) {
          if (o.accountId) throw new InputError('--account-id', '', 'one --input (each export names its own account)', o.accountId);
          const { results, crossDir } = await scanManyAndWrite(o.input, toScanOptions(o, true), progress);
          if (interactive) process.stderr.write('\r\u001b[2K');
          for (const r of results) {
            if (o.json) await writeJsonToStream(process.stdout, storedReportStream(r.report), undefined, 'line');
            else if (!isQuiet()) process.stdout.write(renderSummary(r.report, { color: Boolean(process.stdout.isTTY) && !o.ci && !process.env.NO_COLOR, width: outputWidth() }, r.dir) + '\n' + gzippedReportLine(r.dir) + '\n');
          }
          if (!o.json && !isQuiet()) process.stdout.write(`cross-account view written to ${safeText(crossDir)}\n`);
          process.exitCode = Math.max(...results.map((r) => r.exitCode));
          return;
        }
        const { dir, report, exitCode } = await scanAndWrite(toScanOptions(o), progress);
        if (interactive) process.stderr.write('\r\u001b[2K');
        // Exit 2 with the report written: say why on stderr too, where --json and CI logs look.
        const bad = report.errors.filter((e) => e.code === 'invalid-input');
        if (bad.length > 0) process.stderr.write(`leash: ${bad.length} input error(s); the rest was scanned and written to ${safeText(dir)}. First: ${safeText(bad[0]!.message)}\n`);
        // The same document as report.json (documents once, a record per line).
        if (o.json) await writeJsonToStream(process.stdout, storedReportStream(report), undefined, 'records');
        else if (!isQuiet()) process.stdout.write(renderSummary(report, { color: Boolean(process.stdout.isTTY) && !o.ci && !process.env.NO_COLOR, width: outputWidth() }, dir) + '\n' + gzippedReportLine(dir));
        await notifyAfterScan(o, dir, report);
        process.exitCode = exitCode;
      } catch (e) {
        process.exitCode = reportError(e);
      }
    });
}
