// needed(P) = observed actions (with observed resources) ∪ declared profile − forbidden set.
// Unknown is not unused: a principal the usage data does not cover for the whole window gets
// only its declared profile, and nothing of its grant is called "unused".
import type { PrincipalBaselineSummary } from '../model/report.js';
import type { PrincipalUsage, UsageData } from '../model/usage.js';
import type { LeashConfig } from '../config/config.js';
import { ActionSet } from '../iam/action-set.js';
import type { ActionExpander } from '../iam/pattern.js';
import { globMatches } from '../config/patterns.js';
import type { AnalyzedPrincipal } from '../checks/types.js';
import { forbiddenActions } from './forbidden.js';
import { dataEventActions, dataEventsSeen } from './data-events.js';
import { exfiltrationListActions, sensitiveReadActions } from './sensitive-reads.js';

export interface ObservedAction {
  readonly action: string;
  /** Resource ARNs seen; empty = unknown or the action takes none. */
  readonly resources: readonly string[];
  readonly count: number;
  /** More resources were seen than the aggregation kept: `resources` is a sample, not the list. */
  readonly truncated?: boolean;
}

export interface NeededSet {
  readonly principalArn: string;
  readonly basis: PrincipalBaselineSummary['basis'];
  /** Does usage data cover this principal for the whole window? */
  readonly covered: boolean;
  readonly observed: readonly ObservedAction[];
  /** Action patterns from the declared profile (explicit allow lists and named profiles). */
  readonly declared: readonly string[];
  /** Forbidden actions that were observed or declared: allowed only behind the approval condition, or dropped. */
  readonly gated: readonly string[];
  readonly dropped: readonly string[];
  /** Data-plane actions granted today and kept because the usage had no data events (unknown, not unused). */
  readonly dataEventsUnknown: number;
  /** Every catalog action the principal needs (observed ∪ declared), forbidden ones included only when gated. */
  readonly actions: ActionSet;
  /** Where each needed action came from, for the reasons a fix gives per action. */
  readonly provenance: NeededProvenance;
  readonly summary: PrincipalBaselineSummary;
}

/** Why an action is in the needed set (an action can have several sources; reasons use the first that applies, in this order). */
export interface NeededProvenance {
  readonly observed: ActionSet;
  /** Declared patterns, by where they were declared ("profile read-only-observability", "baseline.principals[0]"). */
  readonly declared: readonly { readonly label: string; readonly actions: ActionSet }[];
  /** Service-last-accessed evidence without action detail: the whole granted service stays. */
  readonly serviceEvidence: ActionSet;
  /** Data-plane actions kept because the trail had no data events (unknown, not unused). */
  readonly dataEventsUnknown: ActionSet;
  /** Read-level siblings of a used service (balanced mode, or a profile's readOnlyForUsedServices). */
  readonly readSiblings: ActionSet;
  /**
   * Sensitive reads (src/data/sensitive-reads.json), and reads the data-exfiltration check flags
   * that are granted on every resource today (src/data/exfiltration-actions.json), a sibling rule
   * would have added: withheld because never observed or declared.
   */
  readonly sensitiveWithheld: ActionSet;
}

export function emptyProvenance(size: number): NeededProvenance {
  return { observed: new ActionSet(size), declared: [], serviceEvidence: new ActionSet(size), dataEventsUnknown: new ActionSet(size), readSiblings: new ActionSet(size), sensitiveWithheld: new ActionSet(size) };
}

function expandAll(patterns: readonly string[], expander: ActionExpander): ActionSet {
  const s = new ActionSet(expander.size);
  for (const p of patterns) s.addAll(expander.expand(p));
  return s;
}

export function isCovered(usage: UsageData | undefined, arn: string): boolean {
  if (!usage) return false;
  return usage.coveredPrincipals === 'all' || usage.coveredPrincipals.includes(arn);
}

function matches(p: AnalyzedPrincipal, match: string): boolean {
  // A config glob: matched without a regex, so no pattern can make it take exponential time.
  return match.startsWith('arn:') ? globMatches(match, p.principal.arn) : globMatches(match, p.principal.name, true);
}

/** Read-level siblings: List/Read actions of every service the principal used. */
function readSiblings(services: Iterable<string>, expander: ActionExpander): ActionSet {
  const s = new ActionSet(expander.size);
  for (const svc of services) {
    for (const a of expander.catalog.byService.get(svc) ?? []) {
      if (a.accessLevels.every((l) => l === 'Read' || l === 'List')) s.add(a.id);
    }
  }
  return s;
}

export function observedActions(usage: PrincipalUsage | undefined): ObservedAction[] {
  // Calls IAM refused were attempted, not needed-and-granted: they do not enter the baseline.
  return (usage?.actions ?? []).filter((a) => a.count > 0).map((a) => ({ action: a.action, resources: a.resources, count: a.count, ...(a.truncated ? { truncated: true } : {}) }));
}

export function computeNeeded(a: AnalyzedPrincipal, usageData: UsageData | undefined, config: LeashConfig, expander: ActionExpander): NeededSet {
  const covered = isCovered(usageData, a.principal.arn);
  if (!covered && !config.baseline.principals.some((pb) => matches(a, pb.match))) {
    // Nothing observed with coverage and nothing declared: the need is unknown.
    return { principalArn: a.principal.arn, basis: 'none', covered: false, observed: [], declared: [], gated: [], dropped: [], dataEventsUnknown: 0, actions: new ActionSet(expander.size), provenance: emptyProvenance(expander.size), summary: { basis: 'none', covered: false, grantedActions: a.allowedCount, neededActions: 0 } };
  }
  const observed = covered ? observedActions(a.usage) : [];
  const declared: string[] = [];
  const declaredSets: { label: string; actions: ActionSet }[] = [];
  let readOnlyForUsed = false;
  let allowForbidden = false;
  config.baseline.principals.forEach((pb, i) => {
    if (!matches(a, pb.match)) return;
    declared.push(...pb.allow);
    if (pb.allow.length > 0) declaredSets.push({ label: `leash.config.yaml baseline.principals[${i}] (${pb.match})`, actions: expandAll(pb.allow, expander) });
    allowForbidden ||= pb.allowForbiddenWithApproval;
    if (pb.profile) {
      const prof = config.baseline.profiles[pb.profile];
      if (prof) {
        declared.push(...prof.allow);
        declaredSets.push({ label: `profile ${pb.profile}`, actions: expandAll(prof.allow, expander) });
        readOnlyForUsed ||= prof.readOnlyForUsedServices;
      }
    }
  });
  const needed = new ActionSet(expander.size);
  const observedIds = new ActionSet(expander.size);
  for (const o of observed) {
    const hit = expander.catalog.lookup(o.action);
    if (hit) observedIds.add(hit.id);
  }
  needed.or(observedIds);
  const declaredIds = new ActionSet(expander.size);
  for (const d of declaredSets) declaredIds.or(d.actions);
  needed.or(declaredIds);
  const serviceEvidence = new ActionSet(expander.size);
  // Service-level evidence only (last-accessed without action detail): which actions were used
  // is unknown, so everything granted in that service stays needed.
  const actionServices = new Set(observed.map((o) => o.action.split(':')[0]!.toLowerCase()));
  if (covered) {
    for (const svc of a.usage?.servicesOnly ?? []) {
      if (actionServices.has(svc.toLowerCase())) continue;
      const inService = ActionSet.of(expander.size, (expander.catalog.byService.get(svc.toLowerCase()) ?? []).map((x) => x.id));
      serviceEvidence.or(inService.and(a.effective.allowed));
    }
  }
  needed.or(serviceEvidence);
  // Calls CloudTrail logs only as data events are invisible in a management-events trail: what
  // is granted of them today stays needed (and forbidden ones among them stay behind approval).
  const dataUnknown = covered && !dataEventsSeen(usageData, config)
    ? dataEventActions(expander).clone().and(a.effective.allowed).andNot(needed)
    : new ActionSet(expander.size);
  needed.or(dataUnknown);
  const usedServices = new Set(observed.map((o) => o.action.split(':')[0]!.toLowerCase()));
  // Balanced widening never reaches into reads that return secrets, credentials, decrypted data or
  // whole tables (src/data/sensitive-reads.json), nor into a read the data-exfiltration check
  // flags that is granted on every resource today (dynamodb:GetItem, logs:GetLogEvents on `*`):
  // kept, it would leave that finding open after the fix. Those stay only when observed or declared.
  let siblings = new ActionSet(expander.size);
  let sensitiveWithheld = new ActionSet(expander.size);
  if (config.baseline.mode === 'balanced' || readOnlyForUsed) {
    const all = readSiblings(usedServices, expander).andNot(needed);
    const exfiltration = all.clone().and(exfiltrationListActions(expander)).and(a.effective.allResources);
    sensitiveWithheld = all.clone().and(sensitiveReadActions(expander)).and(a.effective.allowed).or(exfiltration);
    siblings = all.andNot(sensitiveReadActions(expander)).andNot(exfiltration);
    needed.or(siblings);
  }

  // Forbidden actions leave the needed set for agents, unless config lets them through behind approval.
  const forbidden = forbiddenActions(expander);
  const forbiddenNeeded = expander.keys(needed.clone().and(forbidden));
  const gated: string[] = [];
  const dropped: string[] = [];
  if (a.isAgent || a.humanSession) {
    const observedSet = new Set(observed.map((o) => o.action.toLowerCase()));
    for (const f of forbiddenNeeded) {
      // Something the principal demonstrably did (or may have done, unseen) stays possible, but only with human approval.
      if (allowForbidden || observedSet.has(f.toLowerCase()) || dataUnknown.has(expander.catalog.lookup(f)!.id)) gated.push(f);
      else dropped.push(f);
    }
    for (const d of dropped) needed.andNot(ActionSet.of(expander.size, [expander.catalog.lookup(d)!.id]));
  }

  // Needed never exceeds what is granted today: a fix must not add access.
  needed.and(a.effective.allowed);
  const sawUse = observed.length > 0 || (covered && (a.usage?.servicesOnly?.length ?? 0) > 0);
  const basis: NeededSet['basis'] = sawUse && declared.length > 0 ? 'observed+declared' : sawUse ? 'observed' : declared.length > 0 ? 'declared' : 'none';
  const granted = a.effective.allowed.count();
  const neededCount = needed.count();
  const summary: PrincipalBaselineSummary = covered
    ? (() => {
        const unused = a.effective.allowed.clone().andNot(needed);
        const grantedServices = new Set(expander.keys(a.effective.allowed).map((k) => k.split(':')[0]!));
        const neededServices = new Set(expander.keys(needed).map((k) => k.split(':')[0]!));
        return {
          basis, covered, grantedActions: granted, neededActions: neededCount,
          unusedActions: unused.count(),
          unusedServices: [...grantedServices].filter((s) => !neededServices.has(s)).sort().slice(0, 500),
          excessPercent: granted === 0 ? 0 : Math.round((1000 * (granted - neededCount)) / granted) / 10,
        };
      })()
    : { basis, covered, grantedActions: granted, neededActions: neededCount };
  const provenance: NeededProvenance = {
    observed: observedIds, declared: declaredSets, serviceEvidence, dataEventsUnknown: dataUnknown,
    readSiblings: siblings.and(a.effective.allowed), sensitiveWithheld,
  };
  return { principalArn: a.principal.arn, basis, covered, observed, declared, gated, dropped, dataEventsUnknown: dataUnknown.count(), actions: needed, provenance, summary };
}
