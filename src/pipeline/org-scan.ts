// `leash scan --org`: list the organization's accounts, assume the scanner role in each (bounded
// concurrency), scan and write each account's own report, and write one organization report over
// them. An account that cannot be entered is a line in the report with the reason; the rest go on.
// Each account is collected, analysed, written and summarised before its memory is let go, so
// memory grows with the accounts in flight, not with the organization.
import { mkdir } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { InputError, type ScanError, type SourceInfo } from '../model/errors.js';
import { SEVERITIES, severityRank, type Severity } from '../model/finding.js';
import {
  ORGANIZATION_REPORT_SCHEMA_VERSION,
  type OrganizationAccountCounts,
  type OrganizationAccountEntry,
  type OrganizationAgentPrincipal,
  type OrganizationReport,
} from '../model/organization-report.js';
import type { Report } from '../model/report.js';
import type { OrganizationFacts } from '../model/organization.js';
import { loadConfig } from '../config/config.js';
import { filterBounds } from '../collect/cloudtrail/coverage.js';
import { parseAthenaSpec, type CloudTrailUsageResult } from '../collect/cloudtrail/reader.js';
import { scanDirName } from '../report/history.js';
import { writeFilesAtomic } from '../report/write.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { awsCollectOptions } from './collect.js';
import { scanAndWrite, type ProgressFn, type ScanOptions, type WriteOptions } from './scan.js';
import type { AwsCollection } from '../collect/aws/collect.js';
import type { OrganizationPolicies } from '../collect/aws/org.js';
import type { OrgDiscovery } from '../collect/aws/organization.js';
import { jsonPieces } from '../report/json-stream.js';

export interface OrgScanOptions {
  /** Role assumed in every member account (default leash-scanner, as docs/scanner-role deploys). */
  readonly roleName?: string;
  readonly externalId?: string;
  readonly sessionName?: string;
  readonly includeAccounts?: readonly string[];
  readonly excludeAccounts?: readonly string[];
  readonly includeOus?: readonly string[];
  readonly excludeOus?: readonly string[];
  /** Accounts scanned at once. Default 4. */
  readonly concurrency?: number;
}

export interface OrgScanResult {
  readonly report: OrganizationReport;
  /** Where organization.json was written. */
  readonly dir: string;
  readonly exitCode: number;
}

export const DEFAULT_SCANNER_ROLE = 'leash-scanner';
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const ORG_ID = /^o-[a-z0-9]{10,32}$/;

function partitionFor(region: string | undefined): string {
  if (region?.startsWith('cn-')) return 'aws-cn';
  if (region?.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

function summarize(accountId: string, report: Report): { counts: OrganizationAccountCounts; agents: OrganizationAgentPrincipal[] } {
  const open = report.findings.filter((f) => !f.suppressed);
  const byPrincipal = new Map<string, { n: number; top?: Severity }>();
  for (const f of open) {
    const e = byPrincipal.get(f.principalArn) ?? { n: 0 };
    e.n++;
    if (!e.top || severityRank[f.severity] > severityRank[e.top]) e.top = f.severity;
    byPrincipal.set(f.principalArn, e);
  }
  const agents = report.principals
    .filter((p) => p.isAgent)
    .map((p): OrganizationAgentPrincipal => {
      const f = byPrincipal.get(p.arn);
      return { accountId, arn: p.arn, name: p.name, kind: p.kind, riskScore: p.riskScore, findings: f?.n ?? 0, ...(f?.top ? { highestSeverity: f.top } : {}), evidence: [...new Set(p.agentEvidence.map((e) => e.kind))].sort() };
    });
  return { counts: { principals: report.summary.principals, agentPrincipals: report.summary.agentPrincipals, findingsBySeverity: report.summary.findingsBySeverity }, agents };
}

export async function scanOrganization(opts: ScanOptions & WriteOptions & OrgScanOptions, onProgress: ProgressFn = () => {}): Promise<OrgScanResult> {
  const roleName = opts.roleName ?? DEFAULT_SCANNER_ROLE;
  if (!ROLE_NAME.test(roleName)) throw new InputError('--role-name', '', 'an IAM role name (letters, digits and +=,.@_-, at most 64)', JSON.stringify(roleName));
  const started = opts.now ?? new Date();
  const config = loadConfig(opts.config);
  const { createAwsClients, collectAccounts, discoverOrganization } = await import('../collect/aws/index.js');
  const { essentialFailure } = await import('../collect/aws/errors.js');
  const connection = { ...(opts.profile ? { profile: opts.profile } : {}), ...(opts.region ? { region: opts.region } : {}), ...(opts.endpointUrl ? { endpointUrl: opts.endpointUrl } : {}) };
  const clients = createAwsClients(connection);
  const sources: SourceInfo[] = [];
  const errors: ScanError[] = [];
  try {
    onProgress('organization', 'listing accounts');
    let discovery;
    try {
      discovery = await discoverOrganization(clients.organizations, {
        ...(opts.includeAccounts ? { includeAccounts: opts.includeAccounts } : {}),
        ...(opts.excludeAccounts ? { excludeAccounts: opts.excludeAccounts } : {}),
        ...(opts.includeOus ? { includeOus: opts.includeOus } : {}),
        ...(opts.excludeOus ? { excludeOus: opts.excludeOus } : {}),
      });
    } catch (e) {
      throw essentialFailure('organizations:ListAccounts', e);
    }
    sources.push({
      kind: 'organizations-accounts',
      location: `organization ${discovery.organizationId}`,
      status: 'ok',
      counts: { accounts: discovery.accounts.length + discovery.skipped.length, selected: discovery.accounts.length, skipped: discovery.skipped.length, calls: discovery.calls },
    });

    // CloudTrail through Athena: ONE query for the whole organization, split per account below.
    let athena: import('../collect/cloudtrail/sources/athena.js').AthenaReadResult | undefined;
    const until = opts.until ?? config.baseline.windowEnd;
    const bounds = filterBounds({ windowDays: config.baseline.windowDays, ...(until ? { end: until } : {}) }, Date.now());
    if (opts.cloudtrailAthena) {
      onProgress('organization', 'CloudTrail aggregate query (Athena)');
      const { readCloudTrailFromAthena } = await import('../collect/cloudtrail/sources/athena.js');
      athena = await readCloudTrailFromAthena(clients.athena, parseAthenaSpec(opts.cloudtrailAthena), {
        windowDays: config.baseline.windowDays,
        ...(until ? { end: until } : {}),
        ...(opts.cloudtrailAthenaPartition ? { partition: { kind: 'date-string' as const, column: opts.cloudtrailAthenaPartition } } : {}),
      });
      sources.push(...athena.sources);
      errors.push(...athena.errors);
    }
    const { accountShare } = athena ? await import('../collect/cloudtrail/sources/athena.js') : { accountShare: undefined };

    const reportsRoot = opts.reportsRoot ?? 'reports';
    const entries = new Map<string, OrganizationAccountEntry>();
    const counts: Record<string, OrganizationAccountCounts> = {};
    const agents: OrganizationAgentPrincipal[] = [];
    let exitCode = 0;
    const partition = partitionFor(opts.region);
    // SCPs (--scps) and RCPs (--scps with --resources) come from the management account, read once
    // and attached by the organization tree; member roles are not asked (they are denied there).
    const { scps: wantScps, inventory: inventoryOpts, ...collectRest } = awsCollectOptions(opts, onProgress);
    const wantRcps = wantScps === true && inventoryOpts?.rcps === true;
    const base = { ...collectRest, ...(inventoryOpts ? { inventory: { regions: inventoryOpts.regions, ...(inventoryOpts.concurrency ? { concurrency: inventoryOpts.concurrency } : {}) } } : {}), clients };
    const { organizationPolicies } = await import('../collect/aws/org.js');
    const orgPolicies = wantScps ? organizationPolicies(clients.organizations, discovery.managementAccountId) : undefined;
    const { output: _output, ...perAccountOpts } = opts;
    const organization = organizationFacts(discovery);

    let next = 0;
    const worker = async (): Promise<void> => {
      for (let i = next++; i < discovery.accounts.length; i = next++) {
        const a = discovery.accounts[i]!;
        onProgress('organization', `account ${a.id} (${i + 1}/${discovery.accounts.length})`);
        const target = { id: a.id, roleArn: `arn:${partition}:iam::${a.id}:role/${roleName}`, ...(opts.externalId !== undefined ? { externalId: opts.externalId } : {}), sessionName: opts.sessionName ?? 'leash-scan' };
        const [collected] = await collectAccounts([target], base, { concurrency: 1 });
        const common = { id: a.id, name: a.name, ...(a.ouPath ? { ouPath: a.ouPath } : {}) };
        if (!collected || !collected.ok) {
          entries.set(a.id, { ...common, status: 'failed', reason: collected && !collected.ok ? collected.error.message : 'not collected' });
          exitCode = Math.max(exitCode, 2);
          continue;
        }
        try {
          const share: CloudTrailUsageResult | undefined = athena && accountShare ? accountShare(athena, a.id, { ...(bounds.start ? { windowStart: bounds.start } : {}), ...(bounds.end ? { windowEnd: bounds.end } : {}) }) : undefined;
          const collection = orgPolicies ? await withOrganizationPolicies(collected.collection, orgPolicies, wantRcps) : collected.collection;
          const res = await scanAndWrite({ ...perAccountOpts, awsCollection: collection, ...(organization ? { organization } : {}), ...(share ? { cloudtrailRead: share } : {}) }, onProgress);
          const s = summarize(a.id, res.report);
          counts[a.id] = s.counts;
          agents.push(...s.agents);
          entries.set(a.id, { ...common, status: 'scanned', reportDir: relative(resolve(reportsRoot), res.dir) || '.', scanId: res.report.scan.id, iamCoverage: res.report.scan.coverage.iam, usageCoverage: res.report.scan.coverage.usage.status });
          exitCode = Math.max(exitCode, res.exitCode);
        } catch (e) {
          entries.set(a.id, { ...common, status: 'failed', reason: `scan failed: ${(e as Error).message.split('\n')[0]}` });
          exitCode = Math.max(exitCode, 2);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency ?? 4, discovery.accounts.length)) }, worker));

    if (orgPolicies) {
      sources.push({ kind: 'organizations-scp', location: `organization ${discovery.organizationId} (management account ${discovery.managementAccountId})`, status: 'ok', detail: `${wantRcps ? 'SCPs and RCPs' : 'SCPs'} read once through the management account and attached to each account by the organization tree (each account's report says what it inherits)`, counts: { calls: orgPolicies.calls() } });
    }
    const accounts: OrganizationAccountEntry[] = [
      ...discovery.accounts.map((a) => entries.get(a.id)!),
      ...discovery.skipped.map((s): OrganizationAccountEntry => ({ id: s.id, name: s.name, status: 'skipped', reason: s.reason })),
    ].sort((x, y) => x.id.localeCompare(y.id));
    const finished = opts.now ?? new Date();
    const report: OrganizationReport = {
      schemaVersion: ORGANIZATION_REPORT_SCHEMA_VERSION,
      kind: 'organization',
      tool: { name: TOOL_NAME, version: TOOL_VERSION },
      scan: { id: `${scanDirName(started.toISOString())}-${discovery.organizationId}`, startedAt: started.toISOString(), finishedAt: finished.toISOString(), organizationId: discovery.organizationId, managementAccountId: discovery.managementAccountId, roleName, sources },
      coverage: {
        accountsListed: accounts.length,
        accountsScanned: accounts.filter((a) => a.status === 'scanned').length,
        accountsFailed: accounts.filter((a) => a.status === 'failed').length,
        accountsSkipped: accounts.filter((a) => a.status === 'skipped').length,
      },
      accounts,
      agentPrincipals: agents.sort((x, y) => y.riskScore - x.riskScore || x.accountId.localeCompare(y.accountId) || x.arn.localeCompare(y.arn)),
      countsByAccount: Object.fromEntries(Object.keys(counts).sort().map((k) => [k, counts[k]!])),
      errors: [
        ...errors,
        ...accounts.filter((a) => a.status === 'failed').map((a): ScanError => ({ source: 'organizations-accounts', code: /AccessDenied|not authorized/i.test(a.reason ?? '') ? 'access-denied' : 'internal', message: `account ${a.id}: ${a.reason ?? 'failed'}`, location: `account ${a.id}` })),
      ],
    };
    if (report.errors.some((e) => e.code === 'invalid-input')) exitCode = Math.max(exitCode, 2);
    const orgDir = ORG_ID.test(discovery.organizationId) ? discovery.organizationId : 'unknown-organization';
    const dir = opts.output ? resolve(opts.output) : join(resolve(reportsRoot), 'organizations', orgDir, scanDirName(started.toISOString()));
    await mkdir(dir, { recursive: true });
    // The same text as JSON.stringify(report, null, 2), in pieces: never one string of the file.
    await writeFilesAtomic(dir, [{ name: 'organization.json', content: () => (function* () { yield* jsonPieces(report, 'pretty'); yield '\n'; })() }]);
    return { report, dir, exitCode };
  } finally {
    clients.destroy();
  }
}

/**
 * What discovery read of the organization, as the graph takes it: every listed account is a member
 * (aws:PrincipalOrgID of its principals), skipped ones too; OU paths (root first) only where OU
 * filters made discovery read the tree. None when the organization's id is not one.
 */
export function organizationFacts(discovery: Pick<OrgDiscovery, 'organizationId' | 'accounts' | 'skipped'>): OrganizationFacts | undefined {
  if (!ORG_ID.test(discovery.organizationId)) return undefined;
  return {
    id: discovery.organizationId,
    members: Object.fromEntries([...discovery.skipped.map((s) => [s.id, {}] as const), ...discovery.accounts.map((a) => [a.id, a.ouPath ? { ouPath: a.ouPath } : {}] as const)]),
  };
}

/**
 * A member account's collection with the SCPs (and RCPs, with the inventory) the management
 * account says bound it: the member's own "organizations-scp" source (skipped: it was not asked)
 * is replaced by where they came from; AccessDenied there is a coverage error, never a crash.
 */
export async function withOrganizationPolicies(c: AwsCollection, policies: OrganizationPolicies, rcps: boolean): Promise<AwsCollection> {
  const scp = await policies.forAccount(c.accountId, 'SERVICE_CONTROL_POLICY');
  let inventory = c.inventory;
  if (inventory && rcps) {
    const r = await policies.forAccount(c.accountId, 'RESOURCE_CONTROL_POLICY');
    const { rcpLevels } = await import('../collect/inventory/live.js');
    const errors = [...inventory.errors, ...r.errors];
    const levels = rcpLevels(r, errors);
    inventory = { ...inventory, ...(levels ? { rcps: levels } : {}), sources: [...inventory.sources.filter((s) => s.kind !== 'organizations-rcp'), r.source], errors };
  }
  return {
    ...c,
    ...(scp.scps ? { scps: scp.scps } : {}),
    ...(inventory ? { inventory } : {}),
    sources: [...c.sources.filter((s) => s.kind !== 'organizations-scp'), scp.source],
    errors: [...c.errors, ...scp.errors],
  };
}

/** Severity counts across the organization, for the one-line summary. */
export function orgFindingTotals(r: OrganizationReport): Record<Severity, number> {
  const out = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const c of Object.values(r.countsByAccount)) for (const s of SEVERITIES) out[s] += c.findingsBySeverity[s] ?? 0;
  return out;
}
