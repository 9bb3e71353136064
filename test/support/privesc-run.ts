// Runs leash's real pipeline on a built export: the project's own reader, analyzeSnapshot with
// the default config and a fixed clock. Shared by the catalogue and chain tests.
import { readFileSync } from 'node:fs';
import { normalizeAuthorizationDetails } from '../../src/collect/iam/authorization-details-file.js';
import { analyzeSnapshot, defaultConfig } from '../../src/pipeline/scan.js';
import type { Finding } from '../../src/model/finding.js';
import type { AttachedPolicy } from '../../src/model/policy.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import { parsePolicy } from '../../src/iam/parse.js';
import type { AuthorizationDetailsJson, PolicyJson } from './iam-export-builder.js';
import { sharedFixture, sharedFixturesPresent } from './fixtures.js';

export const CATALOGUE_FILE = sharedFixture('privesc-catalog/pathfinding-cloud-paths.json');

export interface CataloguePath {
  readonly id: string;
  readonly name: string;
  readonly category: string;
  readonly permissions: { readonly required: readonly { readonly permission: string }[] };
  readonly prerequisites: unknown;
}

/** The catalogue, or undefined when ../shared/fixtures is absent. */
export function readCatalogue(): CataloguePath[] | undefined {
  if (!sharedFixturesPresent) return undefined;
  return JSON.parse(readFileSync(CATALOGUE_FILE, 'utf8')) as CataloguePath[];
}

/** The export as leash reads it, plus optional SCPs (one level, applied to the account). */
export function snapshotFromExport(exp: AuthorizationDetailsJson, file: string, opts: { scps?: readonly PolicyJson[]; now: Date }): Snapshot {
  const r = normalizeAuthorizationDetails(JSON.parse(JSON.stringify(exp)) as unknown, file);
  if (r.errors.length > 0) throw new Error(`${file}: the built export did not read cleanly: ${r.errors.map((e) => e.message).join('; ')}`);
  const scps: AttachedPolicy[] = (opts.scps ?? []).map((d, i) => {
    const p = parsePolicy(d, 'identity');
    if (!p.ok) throw new Error(`${file}: SCP ${i} did not parse: ${JSON.stringify(p.error)}`);
    return { origin: { kind: 'scp', name: `scp-${i}`, arn: `arn:aws:organizations::${r.accountId}:policy/o-test/service_control_policy/p-test${i}`, target: r.accountId ?? '' }, document: p.document };
  });
  return {
    account: { id: r.accountId ?? 'unknown' },
    collectedAt: opts.now.toISOString(),
    principals: r.principals,
    managedPolicies: r.managedPolicies,
    groups: r.groups,
    // Each level must allow: FullAWSAccess sits beside the test SCPs, as AWS attaches it by default.
    ...(scps.length ? { scps: [[{ origin: { kind: 'scp', name: 'FullAWSAccess', arn: 'arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess', target: r.accountId ?? '' }, document: parsed(policyAllowAll) }, ...scps]] } : {}),
    sources: [{ kind: 'authorization-details-file', location: file, status: 'ok' }],
    errors: [],
  };
}

const policyAllowAll = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
function parsed(d: unknown) {
  const p = parsePolicy(d, 'identity');
  if (!p.ok) throw new Error('FullAWSAccess did not parse');
  return p.document;
}

/** Every finding of the scan (the real checks, default config, fixed clock). */
export function scanFindings(exp: AuthorizationDetailsJson, file: string, opts: { scps?: readonly PolicyJson[]; now: Date }): readonly Finding[] {
  const snapshot = snapshotFromExport(exp, file, opts);
  const { report } = analyzeSnapshot(snapshot, defaultConfig(), { scanId: 'privesc-catalog', startedAt: opts.now.toISOString(), now: opts.now, fixes: false });
  return report.findings;
}

/** "checkId: title" of the findings on one principal with one of the check ids. */
export function flagged(findings: readonly Finding[], principalArn: string, checkIds: readonly string[]): string[] {
  return findings.filter((f) => f.principalArn === principalArn && checkIds.includes(f.checkId)).map((f) => `${f.checkId}: ${f.title}`);
}
