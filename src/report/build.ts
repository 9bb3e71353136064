// Snapshot + analysis → the published Report. Pure: no I/O, no clock (times are passed in).
import type { GraphSummary } from '../model/graph.js';
import type { Finding, Severity } from '../model/finding.js';
import { SEVERITIES } from '../model/finding.js';
import type { Fix } from '../model/fix.js';
import type { Coverage, InventoryCoverage, PrincipalBaselineSummary, PrincipalReport, Report, PrincipalBlastReport } from '../model/report.js';
import { REPORT_SCHEMA_VERSION } from '../model/report.js';
import type { ScanError } from '../model/errors.js';
import type { Snapshot } from '../model/snapshot.js';
import type { ResourceInventory } from '../model/inventory.js';
import { policyToJson } from '../iam/parse.js';
import type { ActionExpander } from '../iam/pattern.js';
import { popcount, type ActionSet } from '../iam/action-set.js';
import type { AnalyzedPrincipal, Check } from '../checks/types.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { explainAgentDecision } from '../agents/identify.js';

const WEIGHT: Record<Severity, number> = { critical: 40, high: 15, medium: 5, low: 1, info: 0 };

/**
 * 0–100: unsuppressed findings weighted by severity (agents count a quarter more), on a
 * saturating scale so that a principal with many critical findings still ranks above one
 * with a few: one critical ≈ 28, three ≈ 63, ten ≈ 96.
 */
export function riskScore(findings: readonly Finding[], isAgent: boolean): number {
  const raw = findings.filter((f) => !f.suppressed).reduce((s, f) => s + WEIGHT[f.severity], 0) * (isAgent ? 1.25 : 1);
  return Math.round(1000 * (1 - Math.exp(-raw / 120))) / 10;
}

interface ServiceMap {
  /** Per action id: its service's index in `names`. */
  readonly serviceOf: Int32Array;
  /** Per 32-id word: the one service all its ids belong to, else -1. */
  readonly wordService: Int32Array;
  readonly names: string[];
  /** Scratch counts per service, zeroed again after each call (byService is synchronous). */
  readonly counts: Int32Array;
  readonly touched: Int32Array;
}
const serviceMaps = new WeakMap<ActionExpander, ServiceMap>();

function serviceMapOf(expander: ActionExpander, size: number): ServiceMap {
  let map = serviceMaps.get(expander);
  if (map) return map;
  const services = expander.catalog.actions.map((a) => a.service);
  const index = new Map<string, number>(), names: string[] = [];
  const serviceOf = new Int32Array(services.length);
  for (let id = 0; id < services.length; id++) {
    let i = index.get(services[id]!);
    if (i === undefined) { index.set(services[id]!, (i = names.length)); names.push(services[id]!); }
    serviceOf[id] = i;
  }
  const wordService = new Int32Array((size + 31) >>> 5).fill(-1);
  for (let w = 0; w < wordService.length; w++) {
    const first = w * 32, last = Math.min(first + 31, services.length - 1);
    if (services[first] === services[last]) wordService[w] = serviceOf[first]!;
  }
  map = { serviceOf, wordService, names, counts: new Int32Array(names.length), touched: new Int32Array(names.length) };
  serviceMaps.set(expander, map);
  return map;
}

/**
 * Allowed actions per service. The catalog numbers each service's actions contiguously, so a
 * 32-bit word usually belongs to one service: one popcount per word, not one test per action.
 * Counts go into a per-service array (a string-keyed object per action was most of this
 * function's time at 10k principals); keys come out in the order the ids first reach a service,
 * as before.
 */
export function byService(set: ActionSet, expander: ActionExpander): Record<string, number> {
  const m = serviceMapOf(expander, set.size);
  const { counts, touched } = m;
  let nTouched = 0;
  set.forEachWord((w, bits) => {
    const owner = m.wordService[w]!;
    if (owner >= 0) {
      if (counts[owner] === 0) touched[nTouched++] = owner;
      counts[owner]! += popcount(bits);
    } else {
      for (let b = 0; b < 32; b++) {
        if (bits & (1 << b)) {
          const s = m.serviceOf[w * 32 + b]!;
          if (counts[s] === 0) touched[nTouched++] = s;
          counts[s]!++;
        }
      }
    }
  });
  const out: Record<string, number> = {};
  for (let i = 0; i < nTouched; i++) {
    const s = touched[i]!;
    out[m.names[s]!] = counts[s]!;
    counts[s] = 0;
  }
  return out;
}

export interface BuildInput {
  readonly scanId: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly snapshot: Snapshot;
  readonly analyzed: readonly AnalyzedPrincipal[];
  readonly findings: readonly Finding[];
  readonly fixes: readonly Fix[];
  readonly checks: readonly Check[];
  readonly expander: ActionExpander;
  readonly baselines?: ReadonlyMap<string, PrincipalBaselineSummary>;
  readonly graph?: GraphSummary;
  /** Blast radius by name per principal ARN, when an inventory was read. */
  readonly blast?: ReadonlyMap<string, PrincipalBlastReport>;
  /** Coverage notes from the analysis (what it chose not to do, and why). */
  readonly notes?: readonly string[];
  readonly errors: readonly ScanError[];
}

function inventoryCoverage(inv: ResourceInventory): InventoryCoverage {
  const byType: Record<string, number> = {};
  for (const r of inv.resources) byType[r.type] = (byType[r.type] ?? 0) + 1;
  return {
    status: inv.errors.length > 0 || inv.sources.some((s) => s.status !== 'ok') ? 'partial' : 'complete',
    resources: inv.resources.length,
    byType,
    withPolicy: inv.resources.filter((r) => r.policy).length,
    policyUnknown: inv.resources.filter((r) => r.policyUnknown !== undefined).length,
    rcps: inv.rcps ? 'collected' : 'not-collected',
  };
}

function coverage(input: BuildInput): Coverage {
  const { snapshot } = input;
  const iamErrors = snapshot.errors.some((e) => e.source.startsWith('authorization-details'));
  const unresolved = snapshot.principals.filter((p) => p.unresolvedPolicyArns.length > 0);
  const iamSource = snapshot.sources.find((s) => s.kind.startsWith('authorization-details'));
  const notes: string[] = [
    snapshot.inventory
      ? 'Resource-based policies of the inventoried resources (bucket, key, function, secret, queue, topic, repository policies) are evaluated with identity policies, boundaries, SCPs and RCPs; resources outside the inventory are not named.'
      : 'Resource-based policies (bucket, key, queue policies) are not evaluated; role trust policies are, and cross-account role assumption is followed when every account is scanned together.',
    'Actions allowed on some resource count as allowed; a statement scoped to specific ARNs still grants the action there.',
    ...(input.notes ?? []),
  ];
  if (unresolved.length > 0) notes.push(`${unresolved.length} principal(s) reference policies missing from the input (e.g. ${unresolved[0]!.name}: ${unresolved[0]!.unresolvedPolicyArns[0]}); their permissions may be understated.`);
  if (!snapshot.scps) notes.push('Service control policies were not collected; effective permissions ignore them (they can only reduce access).');
  if (!snapshot.usage) notes.push('No usage data (CloudTrail or last-accessed): nothing is called unused; baselines fall back to declared profiles.');
  else if ((snapshot.usage.dataEventsRead ?? 0) === 0) notes.push('No CloudTrail data events were read (S3 object calls, DynamoDB item calls, Lambda invokes…): those actions are unknown, not unused, and right-sized policies keep what is granted of them today. Set baseline.dataEvents: logged if the trail logs them and none occurred.');
  if (snapshot.principals.some((p) => p.kind === 'role' && p.maxSessionDuration === undefined)) notes.push('MaxSessionDuration is not part of the authorization-details export; the session-duration check only covers roles where it is known.');
  const usage = snapshot.usage;
  const covered = usage ? (usage.coveredPrincipals === 'all' ? snapshot.principals.length : usage.coveredPrincipals.length) : 0;
  return {
    iam: iamSource === undefined ? 'missing' : iamErrors || unresolved.length > 0 || iamSource.status === 'partial' ? 'partial' : 'complete',
    usage: usage
      ? { status: covered >= snapshot.principals.length ? 'complete' : 'partial', window: usage.window, coveredPrincipals: covered, recordsRead: usage.recordsRead, unmappedEvents: usage.unmapped.reduce((s, u) => s + u.count, 0) }
      : { status: 'none', coveredPrincipals: 0, recordsRead: 0, unmappedEvents: 0 },
    scps: snapshot.scps ? 'evaluated' : 'not-collected',
    ...(snapshot.inventory ? { inventory: inventoryCoverage(snapshot.inventory) } : {}),
    notes,
  };
}

export function buildReport(input: BuildInput): Report {
  const { snapshot, analyzed, findings, expander } = input;
  const findingsBy = new Map<string, Finding[]>();
  for (const f of findings) {
    let list = findingsBy.get(f.principalArn);
    if (!list) findingsBy.set(f.principalArn, (list = []));
    list.push(f);
  }
  const principals: PrincipalReport[] = analyzed.map((a) => {
    const p = a.principal;
    const usage = a.usage;
    const base = input.baselines?.get(p.arn);
    const usedByService: Record<string, number> = {};
    const used = (usage?.actions ?? []).filter((u) => u.count > 0);
    const denied = (usage?.actions ?? []).filter((u) => (u.deniedCount ?? 0) > 0).map((u) => u.action);
    for (const u of used) {
      const s = u.action.split(':')[0]!;
      usedByService[s] = (usedByService[s] ?? 0) + 1;
    }
    return {
      arn: p.arn,
      kind: p.kind,
      name: p.name,
      isAgent: a.isAgent,
      ...(a.agentKind ? { agentKind: a.agentKind } : {}),
      agentEvidence: a.agentEvidence,
      ...(a.agentEvidence.length > 0 ? { agentDecision: explainAgentDecision(a.agentEvidence, a.isAgent, a.humanSession) } : {}),
      riskScore: riskScore(findingsBy.get(p.arn) ?? [], a.isAgent),
      permissions: {
        allowedActionCount: a.allowedCount,
        destructiveActions: a.destructive.unconditional,
        escalationTechniques: a.escalation.filter((e) => !e.conditional).map((e) => e.techniqueId),
        byService: byService(a.effective.allowed, expander),
      },
      policies: [
        ...p.policies.map((x) => ({ kind: x.origin.kind, name: 'group' in x.origin ? `${x.origin.group}/${x.origin.name}` : x.origin.name, ...('arn' in x.origin ? { arn: x.origin.arn } : {}) })),
      ],
      ...(input.blast?.has(p.arn) ? { blast: input.blast.get(p.arn)! } : {}),
      ...(p.boundary && 'arn' in p.boundary.origin ? { boundaryArn: p.boundary.origin.arn } : {}),
      ...(p.kind === 'role' ? { trustPolicy: policyToJson(p.trustPolicy) } : {}),
      ...(usage ? { usage: { actionsUsed: used.length, byService: usedByService, userAgents: Object.keys(usage.userAgents).slice(0, 20), lastSeen: usage.lastSeen, actions: [...used].sort((a, b) => b.count - a.count || a.action.localeCompare(b.action)).slice(0, 200).map((u) => ({ action: u.action, count: u.count, lastSeen: u.lastSeen })), ...(denied.length ? { deniedActions: denied.slice(0, 100) } : {}) } } : {}),
      ...(base ? { baseline: base } : {}),
    };
  });
  principals.sort((a, b) => b.riskScore - a.riskScore || Number(b.isAgent) - Number(a.isAgent) || a.arn.localeCompare(b.arn));
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const f of findings) if (!f.suppressed) bySeverity[f.severity]++;
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    scan: {
      id: input.scanId,
      startedAt: input.startedAt,
      finishedAt: input.finishedAt,
      account: snapshot.account,
      sources: snapshot.sources,
      coverage: coverage(input),
    },
    summary: {
      principals: principals.length,
      agentPrincipals: principals.filter((p) => p.isAgent).length,
      findingsBySeverity: bySeverity,
      suppressedFindings: findings.filter((f) => f.suppressed).length,
    },
    principals,
    findings: [...findings],
    fixes: [...input.fixes],
    checks: input.checks.map((c) => ({ id: c.id, title: c.title, severity: c.severity, rationale: c.rationale, references: [...c.references] })),
    ...(snapshot.usage && snapshot.usage.unmapped.length > 0 ? { unmappedEvents: snapshot.usage.unmapped } : {}),
    ...(input.graph ? { graph: input.graph } : {}),
    ...unrecognisedTooling(principals),
    errors: [...snapshot.errors, ...input.errors],
  };
}

/**
 * User agents with an agent-framework or MCP marker no registry signature knows, gathered from
 * the principals' evidence so the registry can grow from what scans see (bounded: 50).
 */
function unrecognisedTooling(principals: readonly PrincipalReport[]): Pick<Report, 'unrecognisedAgentTooling'> {
  const list = principals.flatMap((p) => p.agentEvidence.filter((e) => e.kind === 'unrecognised-agent-tooling').map((e) => ({ principalArn: p.arn, userAgent: e.userAgent ?? '', detail: e.detail })));
  return list.length > 0 ? { unrecognisedAgentTooling: list.slice(0, 50) } : {};
}
