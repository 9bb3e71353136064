// Snapshot + analysis → the published Report. Pure: no I/O, no clock (times are passed in).
import type { GraphSummary } from '../model/graph.js';
import type { Finding, Severity } from '../model/finding.js';
import { SEVERITIES } from '../model/finding.js';
import type { Fix } from '../model/fix.js';
import type { Coverage, InventoryCoverage, PrincipalBaselineSummary, PrincipalReport, Report, PrincipalBlastReport, SessionSummary } from '../model/report.js';
import type { SessionUsage } from '../model/usage.js';
import { REGISTRY_SIGNATURES, toolsNamedBy, type Signature } from '../agents/user-agent.js';
import { REPORT_SCHEMA_VERSION } from '../model/report.js';
import type { ScanError } from '../model/errors.js';
import type { Snapshot } from '../model/snapshot.js';
import type { ResourceInventory } from '../model/inventory.js';
import { policyToJson } from '../iam/parse.js';
import type { ActionExpander } from '../iam/pattern.js';
import type { ActionSet } from '../iam/action-set.js';
import { countByService } from '../iam/service-counts.js';
import type { NowhereAction } from '../iam/layer-intersect.js';
import { patternsText } from '../checks/scope.js';
import { NOWHERE_LISTED } from './allowed-nowhere.js';
import type { AnalyzedPrincipal, Check, EscalationHit } from '../checks/types.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { explainAgentDecision, isServiceLinkedRole } from '../agents/identify.js';

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

/**
 * Allowed actions per service, counted a word at a time (iam/service-counts.ts); keys come out in
 * the order the ids first reach a service. A prototype-less object is a dictionary from the start:
 * each principal's own sequence of service keys added to a plain object (or made by
 * Object.fromEntries) gave V8 a hidden class and descriptor array per sequence — ~1.3 s of the 50k
 * report stage, and 13 MB more heap at 10k than this. Principals with the same effective
 * permissions share one set, and so one (frozen) record. Same keys, order and JSON.
 */
export function byService(set: ActionSet, expander: ActionExpander): Readonly<Record<string, number>> {
  let memo = byServiceMemo.get(expander);
  if (!memo) byServiceMemo.set(expander, (memo = new WeakMap()));
  let out = memo.get(set);
  if (!out) {
    const { names, counts, reached } = countByService(set, expander);
    const record = Object.create(null) as Record<string, number>;
    for (const s of reached) record[names[s]!] = counts[s]!;
    memo.set(set, (out = Object.freeze(record)));
  }
  return out;
}
const byServiceMemo = new WeakMap<ActionExpander, WeakMap<ActionSet, Readonly<Record<string, number>>>>();

const SESSIONS_KEPT = 10;
const SESSION_AGENTS_READ = 5;

/** The most recent sessions, each with the AI tools its user agents match: what `leash contain` offers to stop. */
function sessionsOf(sessions: readonly SessionUsage[], signatures: readonly Signature[] = REGISTRY_SIGNATURES): { sessions?: SessionSummary[] } {
  if (sessions.length === 0) return {};
  const recent = [...sessions].sort((a, b) => b.lastSeen.localeCompare(a.lastSeen)).slice(0, SESSIONS_KEPT);
  return {
    sessions: recent.map((x) => {
      const tools = [...new Set(x.userAgents.slice(0, SESSION_AGENTS_READ).flatMap((ua) => toolsNamedBy(ua, signatures).slice(0, 1)))].sort();
      return {
        ...(x.sessionName !== undefined ? { name: x.sessionName } : {}),
        ...(x.sourceIdentity !== undefined ? { sourceIdentity: x.sourceIdentity } : {}),
        firstSeen: x.firstSeen, lastSeen: x.lastSeen, events: x.eventCount,
        ...(tools.length > 0 ? { tools } : {}),
      };
    }),
  };
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
  /** User-agent signatures (registry and config) that name the AI tool of a session. */
  readonly signatures?: readonly Signature[];
  readonly errors: readonly ScanError[];
  /**
   * A principal's escalation hits as privilege-escalation counts them (src/checks/escalation-hits.ts
   * `escalationOf`: a trust-only one included, session 44); absent: the effective stage's alone.
   */
  readonly escalationOf?: (a: AnalyzedPrincipal) => readonly EscalationHit[];
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
    'Actions allowed on some resource count as allowed; a statement scoped to specific ARNs still grants the action there. Destructive actions and credential reads granted only on named resources (no production word in the name) are one severity step lower and say where; which resources those names match is not known without an inventory.',
    ...(input.notes ?? []),
    ...(snapshot.notes ?? []),
  ];
  // A missing boundary overstates what is granted, a missing identity policy understates it: said apart.
  const understated = unresolved.filter((p) => p.unresolvedPolicyArns.some((x) => x !== p.boundaryArn));
  if (understated.length > 0) notes.push(`${understated.length} principal(s) reference policies missing from the input (e.g. ${understated[0]!.name}: ${understated[0]!.unresolvedPolicyArns.find((x) => x !== understated[0]!.boundaryArn)}); their permissions may be understated.`);
  const unknownBoundary = unresolved.filter((p) => p.boundary === undefined && p.boundaryArn !== undefined);
  if (unknownBoundary.length > 0) notes.push(`${unknownBoundary.length} principal(s) have a permissions boundary missing from the input (${unknownBoundary.slice(0, 5).map((p) => `${p.name}: ${p.boundaryArn}`).join('; ')}${unknownBoundary.length > 5 ? '; …' : ''}): what it allows is unknown, so they are judged as if no boundary capped them (the worst case: nothing is understated), their findings say they are uncertain, and their boundary and right-sized fixes are not-safe.`);
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
      ...(p.id ? { uniqueId: p.id } : {}),
      isAgent: a.isAgent,
      ...(a.agentKind ? { agentKind: a.agentKind } : {}),
      agentEvidence: a.agentEvidence,
      ...(a.agentEvidence.length > 0 ? { agentDecision: explainAgentDecision(a.agentEvidence, a.isAgent, a.humanSession, isServiceLinkedRole(a.principal)) } : {}),
      riskScore: riskScore(findingsBy.get(p.arn) ?? [], a.isAgent),
      permissions: {
        allowedActionCount: a.allowedCount,
        destructiveActions: a.destructive.unconditional,
        escalationTechniques: (input.escalationOf?.(a) ?? a.escalation).filter((e) => !e.conditional).map((e) => e.techniqueId),
        byService: byService(a.effective.allowed, expander),
        ...(a.effective.nowhere ? { allowedNowhere: a.effective.nowhere.slice(0, NOWHERE_LISTED).map((x) => ({ action: x.action, why: nowhereWhy(x) })) } : {}),
      },
      policies: [
        ...p.policies.map((x) => ({ kind: x.origin.kind, name: 'group' in x.origin ? `${x.origin.group}/${x.origin.name}` : x.origin.name, ...('arn' in x.origin ? { arn: x.origin.arn } : {}) })),
      ],
      ...(input.blast?.has(p.arn) ? { blast: input.blast.get(p.arn)! } : {}),
      ...(p.boundary && 'arn' in p.boundary.origin ? { boundaryArn: p.boundary.origin.arn } : {}),
      ...(p.kind === 'role' ? { trustPolicy: policyToJson(p.trustPolicy) } : {}),
      ...(usage ? { usage: { actionsUsed: used.length, byService: usedByService, userAgents: Object.keys(usage.userAgents).slice(0, 20), lastSeen: usage.lastSeen, actions: [...used].sort((a, b) => b.count - a.count || a.action.localeCompare(b.action)).slice(0, 200).map((u) => ({ action: u.action, count: u.count, lastSeen: u.lastSeen })), ...(denied.length ? { deniedActions: denied.slice(0, 100) } : {}), ...sessionsOf(usage.sessions, input.signatures) } } : {}),
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

/** Why an action was dropped as allowed nowhere (schema 1.13.0): the layer that left nothing. */
function nowhereWhy(x: NowhereAction): string {
  const where = patternsText(x.allows);
  const why = x.layer === 'boundary' ? `the permissions boundary allows it only on ${where}, where the identity policies do not`
    : x.layer === 'scp' ? `an SCP level allows it only on ${where}, where the policies and levels before it do not`
    : `a Deny with NotResource leaves it only on ${where}, where its Allows do not grant it`;
  return x.approvalOnly ? `${why} without approval (allowed only with approval)` : why;
}
