// Resources another account, or anyone, can use through their own resource-based policy (a
// bucket policy, key policy, Lambda permission, secret/queue/topic/repository policy). Decided by
// the same request-level evaluation as everything else: the outsider is given an identity policy
// that allows everything (its own account decides that side, and leash cannot see it), so the
// resource policy, its Deny statements and the RCPs over the resource decide.
import { defineCheck, type FindingDraft } from './types.js';
import type { Severity } from '../model/finding.js';
import { policyLabel } from '../resources/evaluate.js';
import { noun, viewFor } from './resource-names.js';
import { conditionKeys } from '../iam/conditions.js';
import { exposureOf, namedAccounts, namedOrganizations, opensToAnyone, STRANGER, type Exposure } from '../resources/exposure.js';
import { organizationValues, ownOrganizationId, snapshotOrganization, type OrgValues } from '../iam/organization.js';

const SOURCE_KEYS = ['aws:sourceaccount', 'aws:sourcearn', 'aws:sourceorgid', 'aws:sourceorgpaths', 'aws:sourceowner'];

function verbs(e: Exposure): string {
  const v = [...(e.read.length > 0 ? ['readable'] : []), ...(e.delete.length > 0 ? ['deletable'] : []), ...(e.other.length > 0 && e.read.length + e.delete.length === 0 ? ['open to destructive changes'] : [])];
  return v.join(' and ');
}

/** An account's organization keys when the --org scan's discovery lists it as a member. */
function orgOf(account: string, discovered: Parameters<typeof organizationValues>[1]): { org?: OrgValues } {
  const org = organizationValues(account, discovered);
  return org ? { org } : {};
}

export const resourceExposed = defineCheck({
  id: 'resource-exposed',
  title: 'A resource is readable or deletable by another account, or by anyone, through its own policy',
  severity: 'critical',
  rationale: 'A bucket policy, key policy, Lambda permission or secret policy can grant access that no identity policy in the account shows: to another AWS account, to any principal, or to an AWS service acting for any account (the confused deputy). leash evaluates each resource policy for an outside principal whose own account allows everything, so only the resource policy, its Deny statements and the RCPs over it decide. Needs a resource inventory.',
  references: [
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html',
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html',
    'https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html',
  ],
  run(ctx) {
    const view = viewFor(ctx);
    if (!view) return [];
    const scanned = new Set([ctx.snapshot.account.id, ...(ctx.graph?.built.accounts ?? [])]);
    // The account's organization, as every stage takes it (src/iam/organization.ts); null: it is in
    // none, so every organization a policy names is another. Unknown: a stranger is outside every
    // organization a policy names (it may be the account's own).
    const ownOrg = ownOrganizationId(snapshotOrganization(ctx.snapshot, ctx.config.resources?.organizationId));
    const out: FindingDraft[] = [];
    for (const r of view.index.resources) {
      if (!r.policy || r.account !== ctx.snapshot.account.id) continue;
      const production = view.index.environment(r).environment === 'production';
      const label = `${noun(r.type, 1)} ${r.name}`;
      const where = `through its ${policyLabel(r)}`;
      const open = opensToAnyone(r.policy);
      const grantees: { account: string; org?: OrgValues; organization?: string }[] = [
        ...(open ? [{ account: STRANGER }] : []),
        // An account an --org scan listed is a member: its principals carry the organization's keys.
        ...[...namedAccounts(r.policy)].filter((a) => !scanned.has(a)).map((account) => ({ account, ...orgOf(account, ctx.snapshot.organization) })),
        // Known to be another organization than the account's: a stranger of it, when anyone is let in.
        ...(ownOrg !== undefined && open ? [...namedOrganizations(r.policy)].filter((o) => o !== ownOrg).map((o) => ({ account: STRANGER, org: { 'aws:principalorgid': [o] }, organization: o })) : []),
      ];
      for (const g of grantees) {
        const e = exposureOf(r, g.account, view.index.rcps, g.org, g.organization);
        if (!e) continue;
        const who = g.organization ? `principals of organization ${g.organization}` : e.grantee === '*' ? 'anyone' : `account ${e.grantee}`;
        const severity: Severity = e.grantee === '*' ? (e.conditional ? 'high' : 'critical') : production ? 'high' : 'medium';
        const actions = [...e.read, ...e.delete, ...e.other];
        out.push({
          principalArn: r.arn, subject: `exposed:${e.grantee}`, severity,
          title: `${label} is ${verbs(e)} by ${who} ${where}${e.conditional ? ' (under a condition leash cannot settle)' : ''}`,
          description: `The ${policyLabel(r)} of ${label}${production ? ' (production)' : ''} lets ${who === 'anyone' ? 'any principal of any account' : g.organization ? `${who} (${ownOrg === null ? 'this account is in no organization' : `not this account's organization, ${ownOrg}`})` : `principals of ${who}`} ${actions.slice(0, 6).join(', ')}${actions.length > 6 ? ` and ${actions.length - 6} more` : ''}, as far as their own account allows.${e.conditional ? ' A condition decides (e.g. a source IP or VPC); check it holds for every request you would accept.' : ''}`,
          evidence: r.policy.statements.filter((s) => s.effect === 'Allow').slice(0, 4).map((s) => ({ kind: 'attribute' as const, name: policyLabel(r), value: `statement ${s.index}${s.sid ? ` (${s.sid})` : ''}` })),
          actions,
          resources: [{ arn: r.arn, type: r.type, name: r.name, account: r.account, environment: view.index.environment(r).environment, actions, grantee: e.grantee }],
          remediation: e.grantee === '*'
            ? 'Name the principals (or add aws:PrincipalOrgID / aws:PrincipalAccount conditions) instead of "*"; an RCP can also keep the organization\'s resources to its own principals.'
            : `Remove ${who} from the ${policyLabel(r)} if it no longer needs the access, or narrow the actions and add conditions.`,
        });
      }
      // AWS services acting for any account: a service principal without a source condition.
      for (const s of r.policy.statements) {
        if (s.effect !== 'Allow' || !s.principal || s.principal === '*') continue;
        const services = s.principal['Service'] ?? [];
        if (services.length === 0) continue;
        const keys = conditionKeys(s.condition).map((k) => k.toLowerCase());
        if (keys.some((k) => SOURCE_KEYS.includes(k))) continue;
        out.push({
          principalArn: r.arn, subject: `confused-deputy:${s.index}`, severity: production ? 'medium' : 'low',
          title: `${label} lets ${services.join(', ')} act on it for any account ${where}`,
          description: `Statement ${s.index} of the ${policyLabel(r)} grants ${services.join(', ')} without aws:SourceAccount or aws:SourceArn: the service may be made to use it on behalf of another account (the confused deputy).`,
          evidence: [{ kind: 'attribute', name: policyLabel(r), value: `statement ${s.index}${s.sid ? ` (${s.sid})` : ''}` }],
          actions: [...(s.action ?? [])],
          resources: [{ arn: r.arn, type: r.type, name: r.name, account: r.account, environment: view.index.environment(r).environment, actions: [...(s.action ?? [])], grantee: services.join(',') }],
          remediation: 'Add a condition on aws:SourceAccount (or aws:SourceArn) naming your own account or resource.',
        });
      }
    }
    return out;
  },
});
