// `leash activity <principal | session ARN>`: what it did, call by call, from CloudTrail (trail
// files or LookupEvents). The timeline that goes with `leash contain` during an incident.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { InputError } from '../../model/errors.js';
import type { ScanError, SourceInfo } from '../../model/errors.js';
import { TimelineBuilder, DEFAULT_ACTIVITY_LIMIT, type ActivityTarget } from '../../activity/timeline.js';
import { parseAthenaSpec, parseS3Url } from '../../collect/cloudtrail/reader.js';
import { renderTimeline } from '../../activity/render.js';
import { ISO_SECOND, SESSION_ARN, SESSION_NAME } from '../../contain/plan.js';
import { checkAccount, loadReport, resolveReportPath } from '../../report/history.js';
import { jsonTextSafe } from '../../safe/text.js';
import { reportError } from './scan.js';
import { exitCodesHelp } from '../exit-codes.js';
import { checkRegion } from '../hints.js';

interface ActivityOptions {
  cloudtrail?: string[]; live?: boolean; profile?: string; region?: string; endpointUrl?: string;
  since?: string; until?: string; demo?: boolean; maxEvents?: string; session?: string; sourceIdentity?: string; limit: string; regions?: string[];
  report: string; reports: string; account?: string; json?: boolean; cloudtrailAthena?: string; cloudtrailAthenaPartition?: string;
}

const IAM_ARN = /^arn:aws[a-z-]*:iam::\d{12}:(?:role|user)\/[\w+=,.@/-]{1,512}$/;
const RELATIVE = /^(\d{1,5})([mhd])$/;

/** `--since`: a UTC time to the second, or a span back from now (30m, 12h, 7d). */
export function parseSince(value: string, now: Date, flag = '--since'): string {
  const rel = RELATIVE.exec(value);
  if (rel) {
    const ms = Number(rel[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[rel[2] as 'm' | 'h' | 'd'];
    return new Date(now.getTime() - ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
  if (ISO_SECOND.test(value) && !Number.isNaN(Date.parse(value))) return value;
  throw new InputError(flag, '', 'a UTC time to the second (2026-12-06T01:30:00Z) or a span back from now (30m, 12h, 7d)', JSON.stringify(value));
}

/** The principal (and session) whose calls to show: an ARN as is, or a name looked up in the latest report. */
async function targetOf(target: string, o: ActivityOptions): Promise<ActivityTarget> {
  const withSession = (t: ActivityTarget): ActivityTarget => {
    for (const [flag, v] of [['--session', o.session], ['--source-identity', o.sourceIdentity]] as const) {
      if (v !== undefined && !SESSION_NAME.test(v)) throw new InputError(flag, '', '2–64 characters of A–Z, a–z, 0–9 and +=,.@_-', JSON.stringify(v));
    }
    if (t.sessionName !== undefined && o.session !== undefined && o.session !== t.sessionName) throw new InputError('--session', '', `the session the ARN names (${t.sessionName}) or no --session`, JSON.stringify(o.session));
    return { ...t, ...(o.session !== undefined ? { sessionName: o.session } : {}), ...(o.sourceIdentity !== undefined ? { sourceIdentity: o.sourceIdentity } : {}) };
  };
  const s = SESSION_ARN.exec(target);
  if (s) return withSession({ principalArn: `arn:${s[1]}:iam::${s[2]}:role/${s[3]}`, sessionName: s[4]! });
  if (IAM_ARN.test(target)) return withSession({ principalArn: target });
  if (o.demo) {
    // The demo account's export says which principal a name is.
    const { readAuthorizationDetailsFile } = await import('../../collect/iam/authorization-details-file.js');
    const { demoDir } = await import('../../pipeline/paths.js');
    const { principals } = readAuthorizationDetailsFile(join(demoDir, 'authorization-details.json'));
    const found = principals.filter((p) => p.name === target);
    if (found.length !== 1) throw new InputError('leash activity', '<principal>', 'a principal of the demo account (name or ARN) or a role session ARN', JSON.stringify(target));
    return withSession({ principalArn: found[0]!.arn });
  }
  // A name: the latest report says which principal (and its path).
  const path = await resolveReportPath(o.report, { reportsRoot: o.reports, ...(o.account !== undefined ? { accountId: o.account } : {}) }).catch(() => {
    throw new InputError('leash activity', '<principal>', 'a principal ARN or role session ARN (a name needs a report to look it up: --report)', JSON.stringify(target));
  });
  const report = await loadReport(path);
  checkAccount(report, o.account, path);
  const found = report.principals.filter((p) => p.name === target || p.arn === target);
  if (found.length !== 1) throw new InputError('leash activity', '<principal>', found.length > 1 ? 'one principal: a user and a role share this name, give the ARN' : 'a principal of the report (name or ARN) or a role session ARN', JSON.stringify(target));
  return withSession({ principalArn: found[0]!.arn });
}

export function register(program: Command): void {
  program
    .command('activity')
    .description('What a principal or one of its sessions did, call by call, from CloudTrail: destructive and escalation-relevant calls first (pairs with `leash contain`)')
    .argument('<principal>', 'principal ARN or name (looked up in the latest report), or a role session ARN from CloudTrail (arn:aws:sts::<account>:assumed-role/<role>/<session>)')
    .option('--cloudtrail <path...>', 'CloudTrail log files or folders (a copy of the trail\'s bucket), or s3://BUCKET/PREFIX (read in place, with --profile)')
    .option('--cloudtrail-athena <workgroup/database.table>', 'CloudTrail through Athena: one query for the principal\'s events in the window (with --profile)')
    .option('--cloudtrail-athena-partition <column>', "with --cloudtrail-athena: the partition column holding 'yyyy/MM/dd', to prune by the window")
    .option('--live', 'read the account\'s CloudTrail LookupEvents (management events of the last 90 days) with --profile')
    .option('--profile <name>', 'AWS profile for --live and s3:// trails')
    .option('--region <region>', 'region for --live (LookupEvents is regional; us-east-1, where IAM and STS calls are looked up, is read too)')
    .option('--regions <regions...>', 'more regions for --live, space- or comma-separated')
    .option('--endpoint-url <url>', 'an AWS-compatible endpoint for --live')
    .option('--max-events <n>', 'events read at most: per region with --live (at 2 requests/s), the most recent with --cloudtrail-athena (default 10000)')
    .option('--demo', 'the bundled demo account\'s CloudTrail (every call it holds unless --since)')
    .option('--since <time>', 'calls at or after this UTC time, or this far back (30m, 12h, 7d; default 24h)')
    .option('--until <time>', 'calls before this UTC time')
    .option('--session <name>', 'only this role session')
    .option('--source-identity <id>', 'only sessions carrying this sts:SourceIdentity')
    .option('--limit <n>', 'most recent calls listed (counts cover all)', String(DEFAULT_ACTIVITY_LIMIT))
    .option('--report <path>', 'report.json, its directory, or latest (to look a name up)', 'latest')
    .option('--reports <dir>', 'root of the scan history', 'reports')
    .option('--account <id>', 'account whose history latest refers to')
    .option('--json', 'print the timeline as JSON')
    .addHelpText('after', exitCodesHelp({ 0: 'timeline printed (also when it is empty)', 2: 'a bad option, no CloudTrail source, an unknown principal, or an unreadable report' }))
    .action(async (target: string, o: ActivityOptions) => {
      try {
        const now = new Date();
        // The demo's calls are from its own day: all of them unless asked otherwise.
        const since = o.since !== undefined ? parseSince(o.since, now) : o.demo ? '2000-01-01T00:00:00Z' : parseSince('24h', now);
        const until = o.until !== undefined ? parseSince(o.until, now, '--until') : undefined;
        if (until !== undefined && until <= since) throw new InputError('--until', '', `a time after --since (${since})`, JSON.stringify(o.until));
        const limit = Number(o.limit);
        if (!/^\d{1,6}$/.test(o.limit) || limit < 1) throw new InputError('--limit', '', 'a whole number from 1 to 999999', JSON.stringify(o.limit));
        if (o.demo) {
          const { demoDir } = await import('../../pipeline/paths.js');
          o.cloudtrail = [...(o.cloudtrail ?? []), join(demoDir, 'cloudtrail')];
        }
        const maxEvents = o.maxEvents === undefined ? undefined : Number(o.maxEvents);
        if (o.maxEvents !== undefined && (!/^\d{1,7}$/.test(o.maxEvents) || maxEvents! < 1)) throw new InputError('--max-events', '', 'a whole number from 1 to 9999999', JSON.stringify(o.maxEvents));
        checkRegion(o.region);
        const regions = o.regions?.flatMap((r) => r.split(',')).map((r) => r.trim()).filter(Boolean) ?? [];
        for (const r of regions) checkRegion(r, '--regions');
        if (regions.length > 0 && !o.live) throw new InputError('--regions', '', 'to be used with --live (the regions whose LookupEvents are read)', regions.join(' '));
        const athena = o.cloudtrailAthena !== undefined ? parseAthenaSpec(o.cloudtrailAthena) : undefined;
        if (o.cloudtrailAthenaPartition !== undefined && !athena) throw new InputError('--cloudtrail-athena-partition', '', 'to be used with --cloudtrail-athena', JSON.stringify(o.cloudtrailAthenaPartition));
        if (o.cloudtrailAthenaPartition !== undefined && !/^[A-Za-z0-9_]{1,255}$/.test(o.cloudtrailAthenaPartition)) throw new InputError('--cloudtrail-athena-partition', '', "the table's partition column holding 'yyyy/MM/dd' (letters, digits, underscores)", JSON.stringify(o.cloudtrailAthenaPartition));
        if (!o.cloudtrail?.length && !o.live && !athena) throw new InputError('leash activity', '', '--cloudtrail <files or folders>, --cloudtrail-athena or --live (LookupEvents)', 'no CloudTrail source');
        const who = await targetOf(target, o);
        const builder = new TimelineBuilder(who, { since, ...(until ? { until } : {}), limit });
        const sources: SourceInfo[] = [];
        const errors: ScanError[] = [];
        const notes: string[] = [];
        const paths = (o.cloudtrail ?? []).filter((p) => !p.startsWith('s3://'));
        // A path that is not there is a mistyped argument, not an empty trail: say so before reading.
        for (const p of paths) if (!existsSync(p)) throw new InputError('--cloudtrail', p, 'a CloudTrail log file or folder that exists (or s3://BUCKET/PREFIX)', 'nothing at that path');
        const buckets = (o.cloudtrail ?? []).filter((p) => p.startsWith('s3://')).map((u) => parseS3Url(u));
        const { readActivityFiles, readActivityLiveFrom, readActivityS3 } = await import('../../activity/read.js');
        const take = (r: { sources: readonly SourceInfo[]; errors: readonly ScanError[]; notes?: readonly string[] }) => {
          sources.push(...r.sources);
          errors.push(...r.errors);
          notes.push(...(r.notes ?? []));
        };
        if (paths.length > 0) take(await readActivityFiles(paths, builder, since));
        if (buckets.length > 0 || o.live || athena) {
          const { createAwsClients } = await import('../../collect/aws/client-factory.js');
          const clients = createAwsClients({ ...(o.profile ? { profile: o.profile } : {}), ...(o.region ? { region: o.region } : {}), ...(o.endpointUrl ? { endpointUrl: o.endpointUrl } : {}) });
          try {
            // The principal's own account folders only (an organization trail holds every account's).
            const account = /^arn:[^:]*:iam::(\d{12}):/.exec(who.principalArn)?.[1];
            const end = until ?? now.toISOString().replace(/\.\d{3}Z$/, 'Z');
            for (const loc of buckets) take(await readActivityS3(clients.s3, loc, builder, { since, until: end }, account));
            if (athena) {
              const { readActivityAthena } = await import('../../activity/athena.js');
              const partition = o.cloudtrailAthenaPartition !== undefined ? { kind: 'date-string' as const, column: o.cloudtrailAthenaPartition } : undefined;
              take(await readActivityAthena(clients.athena, athena, builder, who, { since, until: end }, { ...(maxEvents ? { maxEvents } : {}), ...(partition ? { partition } : {}) }));
            }
            // No --regions: every live read also looks in the account's enabled regions (a role's
            // session search, a session's, a user's or a whole read); --regions given, the user chose where to read.
            if (o.live) take(await readActivityLiveFrom(clients, regions, builder, who, { since, ...(until ? { until } : {}) }, maxEvents));
          } finally {
            clients.destroy();
          }
        }
        const timeline = builder.finish();
        const window = { since, ...(until ? { until } : {}) };
        if (o.json) process.stdout.write(`${jsonTextSafe(JSON.stringify({ window, sources, errors, notes, ...timeline }, null, 2))}\n`);
        else process.stdout.write(renderTimeline(timeline, { window, sources, errors, notes }));
      } catch (e) {
        process.exitCode = reportError(e);
      }
    });
}
