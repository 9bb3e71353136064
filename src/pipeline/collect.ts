// collect → Snapshot: the only I/O on the way in. Every source can fail partly; what failed is
// recorded in sources/errors, and only a missing IAM picture stops the scan.
import { existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { AgentEvidence } from '../model/agent.js';
import type { AttachedPolicy } from '../model/policy.js';
import type { Snapshot, IdentityCenterInfo } from '../model/snapshot.js';
import type { UsageData } from '../model/usage.js';
import { InputError, type ScanError, type SourceInfo } from '../model/errors.js';
import { loadConfig, type LeashConfig } from '../config/config.js';
import { normalizeAuthorizationDetails, readAuthorizationDetailsFile, type AuthorizationDetailsResult } from '../collect/iam/authorization-details-file.js';
import { readCloudTrail } from '../collect/cloudtrail/sources/files.js';
import { lastAccessedFromJson, readLastAccessed, splitFileAndArn } from '../collect/iam/last-accessed-file.js';
import { mergeUsage } from '../collect/cloudtrail/merge-usage.js';
import { alignUsageToPrincipals } from '../collect/cloudtrail/align.js';
import { UsageAggregator } from '../collect/cloudtrail/aggregate.js';
import { recordProblem, type CloudTrailRecord } from '../collect/cloudtrail/record.js';
import { coverageFor, filterBounds, reportedWindow } from '../collect/cloudtrail/coverage.js';
import { checkTrailMatches } from '../collect/cloudtrail/mismatch.js';
import { cloudTrailSpecs, type CloudTrailUsageResult } from '../collect/cloudtrail/reader.js';
import { readRemoteCloudTrail } from '../collect/cloudtrail/read-remote.js';
import { agentEvidenceFromUsage } from '../agents/cloudtrail-evidence.js';
import { isPeopleFederatedRole } from '../agents/identify.js';
import { configSignatures, REGISTRY_SIGNATURES } from '../agents/user-agent.js';
import { linkLocalToSnapshot, localSourceInfo, scanLocalConfigs } from '../collect/local/index.js';
import { parsePolicy } from '../iam/parse.js';
import { ownOrganization } from '../iam/organization.js';
import type { Membership } from '../model/organization.js';
import type { ProgressFn, ScanOptions } from './scan.js';
import { demoDir } from './paths.js';
import { checkInventoryPaths, collectInventory } from './inventory.js';
import type { AuthorizationDetails, CollectAwsOptions } from '../collect/aws/index.js';

export interface Collected {
  readonly snapshot: Snapshot;
  readonly config: LeashConfig;
}

interface IamPart {
  readonly auth: AuthorizationDetailsResult;
  readonly accountId?: string;
  readonly sources: SourceInfo[];
  readonly errors: ScanError[];
  readonly usage?: UsageData;
  readonly scps?: (readonly AttachedPolicy[])[];
  readonly identityCenter?: IdentityCenterInfo;
  /** The live resource inventory (--resources), when read. */
  readonly inventory?: import('../model/inventory.js').ResourceInventory;
  /** The account's organization as DescribeOrganization gave it (a live scan of one account). */
  readonly membership?: Membership;
}

const isLive = (o: ScanOptions) => Boolean(o.aws || o.profile || o.endpointUrl || o.region || o.awsCollection);

/** What to ask the live collector for, from scan options (shared by one- and many-account scans). */
export function awsCollectOptions(opts: ScanOptions, onProgress: ProgressFn): CollectAwsOptions {
  const windowEnd = opts.until ? new Date(opts.until) : new Date();
  return {
    ...(opts.profile ? { profile: opts.profile } : {}),
    ...(opts.region ? { region: opts.region } : {}),
    ...(opts.endpointUrl ? { endpointUrl: opts.endpointUrl } : {}),
    ...(opts.liveLastAccessed ? { lastAccessed: { principalArns: (d: AuthorizationDetails) => [...d.RoleDetailList, ...d.UserDetailList].map((p) => String(p.Arn)).filter((arn) => LIKELY_AGENT.test(arn)) } } : {}),
    ...(opts.cloudtrailLookupDays ? { cloudTrail: { startTime: new Date(windowEnd.getTime() - opts.cloudtrailLookupDays * 86_400_000), endTime: windowEnd } } : {}),
    // LookupEvents in the --regions too (plus us-east-1, where global service events are: lookupRegions).
    ...(opts.cloudtrailLookupDays && opts.regions ? { cloudTrailRegions: opts.regions } : {}),
    ...(opts.scps ? { scps: true } : {}),
    // Resource control policies are read with the inventory when Organizations is read (--scps).
    ...(opts.resources ? { inventory: { regions: opts.regions ?? [opts.region ?? process.env['AWS_REGION'] ?? process.env['AWS_DEFAULT_REGION'] ?? 'us-east-1'], ...(opts.scps ? { rcps: true } : {}) } } : {}),
    onProgress: (e: unknown) => onProgress('collect', typeof e === 'object' && e !== null && 'kind' in e ? String((e as { kind: unknown }).kind) : undefined),
  };
}

// Action-level last-accessed is one job per principal: ask only for the ones that look like agents.
const LIKELY_AGENT = /agent|kiro|claude|cursor|copilot|mcp|bedrock|amazonq|q-developer|AWSReservedSSO_/i;

async function collectLive(opts: ScanOptions, config: LeashConfig, onProgress: ProgressFn): Promise<IamPart> {
  // Loaded only for live scans: the SDK is the slowest import leash has.
  const { collectAws, ttyProgress } = await import('../collect/aws/index.js');
  let c = opts.awsCollection;
  if (!c) {
    const tty = ttyProgress();
    // One account, live: ask which organization it is in (many-account and --org scans hand their
    // collections in: an --org scan knows the organization from discovery).
    c = await collectAws({ ...awsCollectOptions(opts, onProgress), organization: true, ...(tty ? { onProgress: tty.listener } : {}) });
    tty?.done();
  }
  const windowEnd = opts.until ? new Date(opts.until) : new Date();
  const auth = normalizeAuthorizationDetails(c.authorizationDetails, `account ${c.accountId} (GetAccountAuthorizationDetails)`);
  const errors: ScanError[] = [...c.errors, ...auth.errors.map((e) => ({ ...e, source: 'authorization-details-api' as const }))];
  let usage: UsageData | undefined;
  if (c.cloudTrailRecords) {
    const bounds = filterBounds({ windowDays: opts.cloudtrailLookupDays ?? config.baseline.windowDays, end: windowEnd.toISOString() }, Date.now());
    const agg = new UsageAggregator({ ...(bounds.start ? { windowStart: bounds.start } : {}), ...(bounds.end ? { windowEnd: bounds.end } : {}) });
    for (const r of c.cloudTrailRecords) if (!recordProblem(r)) agg.add(r as CloudTrailRecord);
    const window = reportedWindow(bounds, agg.earliest, agg.latest);
    usage = agg.finish(window, coverageFor(window, agg.daysSeen));
  }
  for (const [arn, raw] of Object.entries(c.lastAccessed ?? {})) {
    const la = lastAccessedFromJson(raw, `GetServiceLastAccessedDetails(${arn})`, arn);
    errors.push(...la.errors);
    if (la.usage) usage = usage ? mergeUsage(usage, la.usage) : la.usage;
  }
  let scps: (readonly AttachedPolicy[])[] | undefined;
  if (c.scps) {
    scps = c.scps.map((level) => level.policies.flatMap((p): AttachedPolicy[] => {
      const parsed = parsePolicy(p.document, 'identity');
      if (!parsed.ok) {
        errors.push({ source: 'organizations-scp', code: 'invalid-input', message: `SCP ${p.arn} at ${parsed.error.path}: expected ${parsed.error.expected}`, location: p.arn, path: parsed.error.path });
        return [];
      }
      return [{ origin: { kind: 'scp', name: p.name, arn: p.arn, target: level.targetId }, document: parsed.document }];
    }));
  }
  return { auth, accountId: c.accountId, sources: c.sources, errors, ...(usage ? { usage } : {}), ...(scps ? { scps } : {}), ...(c.identityCenter ? { identityCenter: c.identityCenter } : {}), ...(c.inventory ? { inventory: c.inventory } : {}), ...(c.membership ? { membership: c.membership } : {}) };
}

function collectFile(input: string, onProgress: ProgressFn, statedAccount: string | undefined): IamPart {
  onProgress('collect', `reading ${input}`);
  const auth = readAuthorizationDetailsFile(input);
  const errors = [...auth.errors];
  if (statedAccount !== undefined) {
    const other = auth.accounts.find((a) => a.id !== statedAccount);
    if (other) throw new InputError(input, other.example.path, `ARNs of account ${statedAccount} (--account-id)`, `${other.example.arn}${other.count > 1 ? ` and ${other.count - 1} more ARN(s) of account ${other.id}` : ''}`);
  } else if (auth.accountId === undefined) {
    errors.push({ source: 'authorization-details-file', code: 'not-found', location: resolve(input), message: `${input}: no ARN in it names an account (no users, groups, roles or customer-managed policies), so this scan is filed under account "unknown"; pass --account-id 123456789012 to state it` });
  }
  return {
    auth,
    ...(statedAccount !== undefined ? { accountId: statedAccount } : {}),
    sources: [{ kind: 'authorization-details-file', location: resolve(input), status: auth.errors.length > 0 ? 'partial' : 'ok', counts: auth.counts }],
    errors,
  };
}

/** Paths typed on the command line: a typo is an error before anything is read or written. */
function checkNamedPaths(opts: ScanOptions): void {
  for (const path of opts.cloudtrail ?? []) {
    if (!path.startsWith('s3://') && !existsSync(path)) throw new InputError(path, '', 'a CloudTrail file or directory (--cloudtrail)', 'no such file or directory');
  }
  for (const spec of opts.lastAccessed ?? []) {
    const { file } = splitFileAndArn(spec);
    let isDir: boolean;
    try {
      isDir = statSync(file).isDirectory();
    } catch {
      throw new InputError(file, '', 'the output of `aws iam get-service-last-accessed-details` (--last-accessed FILE or FILE@ARN)', 'no such file');
    }
    if (isDir) throw new InputError(file, '', 'a file from `aws iam get-service-last-accessed-details` (--last-accessed FILE or FILE@ARN)', 'a directory');
  }
}

export async function collectSnapshot(opts: ScanOptions, onProgress: ProgressFn = () => {}): Promise<Collected> {
  const demoConfig = join(demoDir, 'leash.config.yaml');
  const configPath = opts.config ?? (opts.demo && existsSync(demoConfig) ? demoConfig : existsSync('leash.config.yaml') ? 'leash.config.yaml' : undefined);
  const config = loadConfig(configPath);
  checkNamedPaths(opts);
  checkInventoryPaths(opts);
  const input = opts.demo ? join(demoDir, 'authorization-details.json') : opts.input;
  let iam: IamPart;
  if (input && opts.resources) throw new InputError('--resources', '', 'a live scan (--aws, --profile P); offline, pass the inventory with --inventory FILE (an AWS Config snapshot or a leash inventory)', input);
  if (input) iam = collectFile(input, onProgress, opts.accountId);
  else if (isLive(opts)) iam = await collectLive(opts, config, onProgress);
  else throw new InputError('(command line)', '', 'an input: --input FILE, --demo, or live AWS (--aws, --profile P)', 'none');
  if (opts.accountId !== undefined && iam.accountId !== opts.accountId) {
    throw new InputError('--account-id', '', `the account the credentials belong to (${iam.accountId ?? 'unknown'})`, opts.accountId);
  }
  const { auth } = iam;
  const sources: SourceInfo[] = [...iam.sources];
  const errors: ScanError[] = [...iam.errors];
  if (configPath) sources.push({ kind: 'config', location: resolve(configPath), status: 'ok' });

  // Usage: CloudTrail files, service-last-accessed files, and whatever the live collector read.
  let usage = iam.usage;
  const until = opts.until ?? config.baseline.windowEnd;
  const specs = cloudTrailSpecs(opts.cloudtrail, opts.cloudtrailAthena);
  const trails = opts.demo && !opts.cloudtrail ? [join(demoDir, 'cloudtrail')] : specs.flatMap((s) => (s.kind === 'files' ? s.paths : []));
  const remote: CloudTrailUsageResult[] = opts.cloudtrailRead ? [opts.cloudtrailRead] : [];
  // An organization scan hands each account its share of the one Athena query (cloudtrailRead).
  const toRead = specs.filter((s) => s.kind === 's3' || (s.kind === 'athena' && !opts.cloudtrailRead));
  if (toRead.length > 0) {
    onProgress('collect', 'CloudTrail (remote)');
    remote.push(
      ...(await readRemoteCloudTrail(toRead, {
        connection: { ...(opts.profile ? { profile: opts.profile } : {}), ...(opts.region ? { region: opts.region } : {}), ...(opts.endpointUrl ? { endpointUrl: opts.endpointUrl } : {}) },
        ...(iam.accountId ?? auth.accountId ? { accountId: (iam.accountId ?? auth.accountId)! } : {}),
        ...(opts.cloudtrailAthenaPartition ? { athenaPartition: { kind: 'date-string' as const, column: opts.cloudtrailAthenaPartition } } : {}),
        windowDays: config.baseline.windowDays,
        ...(until ? { end: until } : {}),
        onProgress: (n) => onProgress('collect', `CloudTrail: ${n} records`),
      })),
    );
  }
  for (const ct of remote) {
    sources.push(...ct.sources);
    errors.push(...ct.errors);
    if (ct.missingDays.length > 0) errors.push({ source: ct.sources[0]?.kind ?? 'cloudtrail-s3', code: 'not-found', message: `${ct.sources[0]?.location ?? 'CloudTrail'} has no records on ${ct.missingDays.length} day(s) of the ${config.baseline.windowDays}-day window (e.g. ${ct.missingDays.slice(0, 3).join(', ')}): usage is incomplete, so nothing is called unused` });
    if (ct.sources.some((s) => s.status !== 'unavailable')) usage = usage ? mergeUsage(usage, ct.usage) : ct.usage;
  }
  if (trails.length > 0) {
    onProgress('collect', 'CloudTrail');
    const ct = await readCloudTrail(trails, { windowDays: config.baseline.windowDays, ...(until ? { end: until } : {}), ...(opts.cloudtrailWorkers !== undefined ? { workers: opts.cloudtrailWorkers } : {}), ...(opts.cloudtrailParser ? { parser: opts.cloudtrailParser } : {}), onProgress: (n) => onProgress('collect', `CloudTrail: ${n} records`) });
    sources.push(...ct.sources);
    // A path the user named that cannot be read is bad input (exit 2), not a quiet gap in usage.
    const named = new Set(trails);
    errors.push(...ct.errors.map((e) => (e.code === 'not-found' && e.location !== undefined && named.has(e.location) ? { ...e, code: 'invalid-input' as const } : e)));
    for (const s of ct.sources) {
      if (s.kind === 'cloudtrail-file' && s.status === 'unavailable' && s.counts?.files === 0) {
        const skipped = s.counts.skippedFiles ?? 0;
        errors.push({ source: 'cloudtrail-file', code: 'invalid-input', location: s.location, message: `${s.location}: expected CloudTrail .json or .json.gz files, found none${skipped ? ` (${skipped} other file(s) skipped)` : ''}` });
      }
    }
    if (ct.missingDays.length > 0) errors.push({ source: 'cloudtrail-file', code: 'not-found', message: `CloudTrail has no records on ${ct.missingDays.length} day(s) of the ${config.baseline.windowDays}-day window (e.g. ${ct.missingDays.slice(0, 3).join(', ')}): usage is incomplete, so nothing is called unused` });
    // Another account's trail, or one from another time, is a mistake to name, not usage to count.
    const matched = checkTrailMatches(ct.usage, ct.sources, iam.accountId ?? auth.accountId);
    errors.push(...matched.errors);
    usage = usage ? mergeUsage(usage, matched.usage) : matched.usage;
  }
  for (const spec of opts.lastAccessed ?? []) {
    const la = await readLastAccessed(spec);
    sources.push(...la.sources);
    // An unreadable file the user named is bad input (exit 2), as for every other input file.
    errors.push(...la.errors.map((e) => (e.code === 'not-found' ? { ...e, code: 'invalid-input' as const } : e)));
    if (la.usage) usage = usage ? mergeUsage(usage, la.usage) : la.usage;
  }

  const externalEvidence: Record<string, AgentEvidence[]> = {};
  const addEvidence = (more: Readonly<Record<string, readonly AgentEvidence[]>>) => {
    for (const [arn, ev] of Object.entries(more)) (externalEvidence[arn] ??= []).push(...ev);
  };
  // Usage keyed by a role ARN CloudTrail rebuilt without its path belongs to the role with that name.
  if (usage) usage = alignUsageToPrincipals(usage, auth.principals);
  if (usage) {
    // Session names of roles people sign in to through SAML are the people's names; extra
    // signatures from the config teach the registry tools it does not know yet.
    const peopleFederatedRoles = new Set(auth.principals.filter(isPeopleFederatedRole).map((p) => p.arn));
    addEvidence(agentEvidenceFromUsage(usage, { peopleFederatedRoles, signatures: [...REGISTRY_SIGNATURES, ...configSignatures(config.agents.signatures)] }));
  }
  if (opts.local) {
    onProgress('collect', 'AI tool configs on this machine');
    const local = await scanLocalConfigs({ home: opts.localHome ?? homedir(), projectDirs: opts.localProjects ?? [process.cwd()], env: process.env });
    addEvidence(linkLocalToSnapshot(local, auth.principals));
    sources.push(localSourceInfo(local));
    errors.push(...local.errors);
  }
  // Resources and their resource-based policies, when asked for (--inventory, --resources, --demo).
  const inventory = await collectInventory(opts, iam.accountId ?? auth.accountId, onProgress, iam.inventory);
  if (inventory) {
    sources.push(...inventory.sources);
    errors.push(...inventory.errors);
  }
  // The organization AWS named for the account, against config resources.organizationId (which wins).
  const accountId = iam.accountId ?? auth.accountId ?? 'unknown';
  const own = iam.membership && !opts.organization ? ownOrganization(accountId, iam.membership, config.resources?.organizationId) : undefined;
  const withUse = own ? sources.map((s) => (s.kind === 'organizations-membership' ? { ...s, detail: `${s.detail ?? ''}; ${own.use}` } : s)) : sources;
  const organization = opts.organization ?? own?.facts;
  const snapshot: Snapshot = {
    account: { id: accountId },
    collectedAt: (opts.now ?? new Date()).toISOString(),
    principals: auth.principals,
    managedPolicies: auth.managedPolicies,
    groups: auth.groups,
    ...(iam.scps ? { scps: iam.scps } : {}),
    ...(iam.identityCenter ? { identityCenter: iam.identityCenter } : {}),
    ...(usage ? { usage } : {}),
    ...(Object.keys(externalEvidence).length > 0 ? { externalEvidence } : {}),
    ...(inventory ? { inventory } : {}),
    ...(organization ? { organization } : {}),
    ...(!organization && own?.none ? { noOrganization: true as const } : {}),
    ...(own?.note ? { notes: [own.note] } : {}),
    sources: withUse,
    errors,
  };
  return { snapshot, config };
}
