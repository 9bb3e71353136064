// Where the TUI's Activity screen reads a principal's calls: the report's own CloudTrail sources.
// Local trail files are read again; a source that needs AWS credentials (S3, Athena, LookupEvents)
// is not called from the TUI (a triage screen must not reach into the account on a keypress, and
// it holds no profile): it becomes the `leash activity` command to run instead. Pure.
import type { SourceKind } from '../model/errors.js';
import type { PrincipalReport, Report, SessionSummary } from '../model/report.js';
import { shellQuote } from '../fix/render/aws-cli.js';
import { SESSION_NAME } from '../contain/plan.js';
import { safeText } from '../safe/text.js';
import type { ActivityTarget } from './timeline.js';

export interface ActivityPlan {
  readonly target: ActivityTarget;
  /** From the start of the report's CloudTrail window (else 24h before the report) to now: calls delivered since the scan show too. */
  readonly since: string;
  /** How the window was chosen, for the screen. */
  readonly windowNote: string;
  /** Local `cloudtrail-file` locations, read again. */
  readonly files: readonly string[];
  /** For each source that needs AWS credentials: the command to run instead, shell-quoted then escaped for the screen. */
  readonly commands: readonly { readonly kind: SourceKind; readonly command: string }[];
}

const DAY_MS = 86_400_000;
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d$/;

const second = (iso: string): string => new Date(iso).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The target of a principal, or of one of its sessions (by name, else by source identity; long-term keys: the principal). */
export function activityTarget(principal: PrincipalReport, session?: SessionSummary): ActivityTarget {
  if (session?.name !== undefined && SESSION_NAME.test(session.name)) return { principalArn: principal.arn, sessionName: session.name };
  if (session?.sourceIdentity !== undefined && SESSION_NAME.test(session.sourceIdentity)) return { principalArn: principal.arn, sourceIdentity: session.sourceIdentity };
  return { principalArn: principal.arn };
}

/** LookupEvents regions a source's detail names ("…; regions: us-east-1 ok; eu-west-1 partial (…)"), or its location's. */
function lookupRegionsOf(location: string, detail: string | undefined): string[] {
  const named = [location.split(' ')[1], ...(detail?.split('regions: ')[1]?.split('; ').map((x) => x.split(' ')[0]) ?? [])];
  return [...new Set(named.filter((r): r is string => r !== undefined && REGION.test(r)))];
}

export function activityPlan(report: Report, principal: PrincipalReport, session?: SessionSummary): ActivityPlan {
  const target = activityTarget(principal, session);
  const window = report.scan.coverage.usage.window;
  const since = window ? second(window.start) : second(new Date(Date.parse(report.scan.finishedAt) - DAY_MS).toISOString());
  const windowNote = window ? `from the start of the report's CloudTrail window (${since}) to now` : `from 24h before the report (${since}) to now: the report has no CloudTrail window`;
  const base = ['leash', 'activity', principal.arn, ...(target.sessionName ? ['--session', target.sessionName] : []), ...(target.sourceIdentity ? ['--source-identity', target.sourceIdentity] : []), '--since', since];
  const command = (...more: string[]) => safeText([...base, ...more].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : shellQuote(a))).join(' '));
  const files: string[] = [];
  const commands: { kind: SourceKind; command: string }[] = [];
  for (const s of report.scan.sources) {
    if (s.kind === 'cloudtrail-file') files.push(s.location);
    else if (s.kind === 'cloudtrail-s3') commands.push({ kind: s.kind, command: command('--cloudtrail', s.location) });
    else if (s.kind === 'cloudtrail-athena') commands.push({ kind: s.kind, command: command('--cloudtrail-athena', s.location.replace(/^athena:\/\//, '')) });
    else if (s.kind === 'cloudtrail-api') {
      const regions = lookupRegionsOf(s.location, s.detail);
      commands.push({ kind: s.kind, command: command('--live', ...(regions.length > 0 ? ['--regions', ...regions] : [])) });
    }
  }
  return { target, since, windowNote, files, commands };
}
