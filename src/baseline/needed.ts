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
  readonly summary: PrincipalBaselineSummary;
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
    return { principalArn: a.principal.arn, basis: 'none', covered: false, observed: [], declared: [], gated: [], dropped: [], dataEventsUnknown: 0, actions: new ActionSet(expander.size), summary: { basis: 'none', covered: false, grantedActions: a.allowedCount, neededActions: 0 } };
  }
  const observed = covered ? observedActions(a.usage) : [];
  const declared: string[] = [];
  let readOnlyForUsed = false;
  let allowForbidden = false;
  for (const pb of config.baseline.principals) {
    if (!matches(a, pb.match)) continue;
    declared.push(...pb.allow);
    allowForbidden ||= pb.allowForbiddenWithApproval;
    if (pb.profile) {
      const prof = config.baseline.profiles[pb.profile];
      if (prof) { declared.push(...prof.allow); readOnlyForUsed ||= prof.readOnlyForUsedServices; }
    }
  }
  const needed = new ActionSet(expander.size);
  for (const o of observed) {
    const hit = expander.catalog.lookup(o.action);
    if (hit) needed.add(hit.id);
  }
  for (const pattern of declared) needed.addAll(expander.expand(pattern));
  // Service-level evidence only (last-accessed without action detail): which actions were used
  // is unknown, so everything granted in that service stays needed.
  const actionServices = new Set(observed.map((o) => o.action.split(':')[0]!.toLowerCase()));
  if (covered) {
    for (const svc of a.usage?.servicesOnly ?? []) {
      if (actionServices.has(svc.toLowerCase())) continue;
      const inService = ActionSet.of(expander.size, (expander.catalog.byService.get(svc.toLowerCase()) ?? []).map((x) => x.id));
      needed.or(inService.and(a.effective.allowed));
    }
  }
  // Calls CloudTrail logs only as data events are invisible in a management-events trail: what
  // is granted of them today stays needed (and forbidden ones among them stay behind approval).
  const dataUnknown = covered && !dataEventsSeen(usageData, config)
    ? dataEventActions(expander).clone().and(a.effective.allowed).andNot(needed)
    : new ActionSet(expander.size);
  needed.or(dataUnknown);
  const usedServices = new Set(observed.map((o) => o.action.split(':')[0]!.toLowerCase()));
  if (config.baseline.mode === 'balanced' || readOnlyForUsed) needed.or(readSiblings(usedServices, expander));

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
  return { principalArn: a.principal.arn, basis, covered, observed, declared, gated, dropped, dataEventsUnknown: dataUnknown.count(), actions: needed, summary };
}
