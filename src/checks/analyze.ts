// Per-principal analysis every check reads: effective permissions (identity ∩ boundary ∩ SCPs,
// minus denies), agent evidence, destructive actions and escalation techniques within reach.
import type { AgentEvidence } from '../model/agent.js';
import type { Snapshot } from '../model/snapshot.js';
import type { LeashConfig } from '../config/config.js';
import { ActionSet } from '../iam/action-set.js';
import { effectivePermissions, grantingStatements, principalPolicyInput, type EffectivePermissions } from '../iam/effective.js';
import type { ActionExpander } from '../iam/pattern.js';
import type { CatalogAction } from '../iam/catalog.js';
import { snapshotOrganization, type OrgValues } from '../iam/organization.js';
import { agentEvidenceFor, agentKindOf, isHumanSessionRole } from '../agents/identify.js';
import { destructiveActions, escalationTechniques } from './data.js';
import type { AnalyzedPrincipal, EscalationHit } from './types.js';
import type { Principal } from '../model/snapshot.js';
import { inventoryComplete, PassableRoles } from './passable-roles.js';
import { makesInstanceProfiles } from '../iam/instance-profile.js';
import { isAdminSet } from '../graph/power.js';

export interface ActionIndex {
  readonly destructive: ActionSet;
  readonly techniques: readonly { readonly t: ReturnType<typeof escalationTechniques>[number]; readonly groups: readonly (readonly number[])[] }[];
  /** Every action some technique requires (~90): a principal allowed none of them has no technique. */
  readonly techniqueActions: ActionSet;
}

const indexCache = new WeakMap<ActionExpander, ActionIndex>();

export function actionIndex(expander: ActionExpander): ActionIndex {
  let idx = indexCache.get(expander);
  if (idx) return idx;
  const ids = (actions: readonly string[]) => actions.map((a) => expander.catalog.lookup(a)?.id).filter((x): x is number => x !== undefined);
  const techniques = escalationTechniques().map((t) => ({ t, groups: t.requires.map((g) => ids(g)) }));
  idx = {
    destructive: ActionSet.of(expander.size, ids(destructiveActions().map((d) => d.action))),
    techniques,
    techniqueActions: ActionSet.of(expander.size, techniques.flatMap(({ groups }) => groups.flat())),
  };
  indexCache.set(expander, idx);
  return idx;
}

const SELF_SCOPED = /\$\{aws:(username|userid|PrincipalTag\/[^}]+)\}/i;

/**
 * An IAM user-targeting action granted only on the caller's own user (`…:user/${aws:username}`)
 * cannot reach another principal, so it does not escalate.
 */
function onlySelfScopedAction(p: Principal, a: CatalogAction, org: OrgValues | undefined): boolean {
  if (a.service !== 'iam' || !a.resourceTypes.some((r) => r.name === 'user')) return false;
  const grants = grantingStatements(p.policies, a.key, p, org);
  return grants.length > 0 && grants.every((g) => (g.statement.resource ?? []).length > 0 && (g.statement.resource ?? []).every((r) => SELF_SCOPED.test(r)));
}

export function escalationHits(p: Principal, eff: EffectivePermissions, expander: ActionExpander, passable?: PassableRoles, org?: OrgValues): EscalationHit[] {
  const hits: EscalationHit[] = [];
  const idx = actionIndex(expander);
  // Two in three principals at 10k are allowed no technique action: one intersection answers
  // for all ~60 techniques; the others test a Set of their few allowed ones.
  const held = idx.techniqueActions.intersectionIds(eff.allowed);
  if (held.length === 0) return hits;
  const allowed = new Set(held);
  for (const { t, groups } of idx.techniques) {
    let conditional = false;
    let actions: string[] | undefined;
    let reachable = groups.length > 0;
    // Groups are a handful of actions: indexed loops, no set copies (this runs techniques × principals).
    for (const g of groups) {
      let found = false;
      for (let i = 0; i < g.length; i++) {
        const id = g[i]!;
        if (!allowed.has(id)) continue;
        const a = expander.catalog.actions[id]!;
        if (!onlySelfScopedAction(p, a, org)) { (actions ??= []).push(a.key); found = true; }
      }
      if (!found) { reachable = false; break; }
      let some = false;
      for (let i = 0; i < g.length && !some; i++) some = eff.unconditional.has(g[i]!);
      if (!some) conditional = true;
    }
    if (!reachable) continue;
    let passableRoles: readonly string[] | undefined;
    if (t.passedTo && passable) {
      const r = passable.find(p, eff.unconditional, t.passedTo, makesInstanceProfiles(eff.allowed, expander));
      if (r.status === 'none') continue; // no role it can pass gives it anything more
      if (r.status === 'found') passableRoles = r.roles;
    }
    hits.push({ techniqueId: t.id, name: t.name, severity: t.severity, conditional, actions: [...new Set(actions!)], description: t.description, references: t.references, ...(passableRoles ? { passableRoles } : {}) });
  }
  return hits;
}

/** With `now`, conditions on the request time (aws:CurrentTime, aws:TokenIssueTime…) are judged against it. */
export function analyzePrincipals(snapshot: Snapshot, config: LeashConfig, expander: ActionExpander, now?: Date): AnalyzedPrincipal[] {
  const idx = actionIndex(expander);
  // The account's organization (aws:PrincipalOrgID / OrgPaths), once for all its principals.
  const org = snapshotOrganization(snapshot, config.resources?.organizationId);
  const base = snapshot.principals.map((p) => {
    const effective = effectivePermissions(principalPolicyInput(p, snapshot.scps, now, org), expander);
    const external: readonly AgentEvidence[] = snapshot.externalEvidence?.[p.arn] ?? [];
    const agentEvidence = agentEvidenceFor(p, config, external);
    const destrAll = idx.destructive.intersectionIds(effective.allowed).filter((id) => !onlySelfScopedAction(p, expander.catalog.actions[id]!, org));
    // Deleting one's own access key or MFA device (granted on `user/${aws:username}`) destroys nothing shared.
    const uncondIds = idx.destructive.intersectionIds(effective.unconditional).filter((id) => !onlySelfScopedAction(p, expander.catalog.actions[id]!, org));
    const uncond = new Set(uncondIds);
    const key = (id: number) => expander.catalog.actions[id]!.key;
    const usage = snapshot.usage?.byPrincipal[p.arn];
    return {
      principal: p,
      effective,
      isAdmin: isAdminSet(effective.allResources, expander),
      allowedCount: effective.allowed.count(),
      agentEvidence,
      // One definition for every output (src/agents/identify.ts agentKindOf): an engineer's session
      // role driven by an AI tool is an agent principal too, of kind ai-driven-human-session.
      isAgent: agentKindOf(p, agentEvidence) !== undefined,
      ...(agentKindOf(p, agentEvidence) ? { agentKind: agentKindOf(p, agentEvidence)! } : {}),
      humanSession: isHumanSessionRole(p),
      destructive: { unconditional: uncondIds.map(key), conditional: destrAll.filter((id) => !uncond.has(id)).map(key) },
      ...(usage ? { usage } : {}),
    };
  });
  // Escalation needs every role's permissions first: PassRole only escalates through a role
  // that can do more than the principal.
  const passable = new PassableRoles(
    base.flatMap((a) => (a.principal.kind === 'role' ? [{ role: a.principal, unconditional: a.effective.unconditional }] : [])),
    inventoryComplete(snapshot),
    org,
  );
  return base.map((a) => ({ ...a, escalation: escalationHits(a.principal, a.effective, expander, passable, org) }));
}
