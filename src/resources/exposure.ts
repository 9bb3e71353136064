// Who outside the scanned accounts a resource's own policy lets in: another account, or anyone.
// The outsider is given an identity policy that allows everything (its own account decides that
// side, and leash cannot see it), so the resource policy, its Deny statements and the RCPs over
// the resource decide — through the same request-level evaluation as everything else.
import type { Resource } from '../model/inventory.js';
import type { PolicyDocument } from '../model/policy.js';
import type { Caller } from '../graph/request.js';
import { decideOnResource, type RcpLevels, type ResourceCaller } from './evaluate.js';
import { requestArn, typeActions } from './actions.js';
import { ORG_ID, organizationValues, type OrgValues } from '../iam/organization.js';
import type { OrganizationFacts } from '../model/organization.js';

/** An account no real principal has: "anyone" in a policy is evaluated as a principal of it. */
export const STRANGER = '000000000000';
const ALLOW_ALL: PolicyDocument = { version: '2012-10-17', statements: [{ index: 0, effect: 'Allow', action: ['*'], resource: ['*'] }] };

/**
 * A principal of `account`. Its organization: `org` when known (an account the scan knows to be a
 * member, or a stranger in an organization a policy names; a path only when given); `'unknown'`:
 * neither key in its context, so a test of them is unknown (it may be in any organization, or
 * none); else one that no policy names (outside every organization the scan knows).
 */
export function outsider(account: string, org?: OrgValues | 'unknown'): ResourceCaller {
  const arn = `arn:aws:iam::${account}:role/outside-principal`;
  const orgKeys = org === 'unknown' ? {} : org ?? { 'aws:principalorgid': ['\u0001another-organization'], 'aws:principalorgpaths': ['\u0001another-organization/'] };
  const caller: Caller = {
    arn, account, identity: { side: 'identity', docs: [{ name: '(its own account\'s policies)', document: ALLOW_ALL }] }, scps: [],
    context: { values: { 'aws:principalarn': [arn], 'aws:principalaccount': [account], 'aws:principaltype': ['AssumedRole'], 'aws:principalisawsservice': ['false'], ...orgKeys } },
  };
  return { caller, kind: 'role', roleName: 'outside-principal' };
}

/** Accounts a policy names in an Allow (by id, root, or a principal's ARN). */
export function namedAccounts(doc: PolicyDocument): Set<string> {
  const out = new Set<string>();
  for (const s of doc.statements) {
    if (s.effect !== 'Allow' || !s.principal || s.principal === '*') continue;
    for (const v of s.principal['AWS'] ?? []) {
      const m = /^(\d{12})$/.exec(v) ?? /^arn:[^:]+:(?:iam|sts)::(\d{12}):/.exec(v);
      if (m) out.add(m[1]!);
    }
  }
  return out;
}

/**
 * Organizations a policy's aws:PrincipalOrgID / aws:PrincipalOrgPaths tests name (ids; a path's
 * first segment, `o-…/r-…/ou-…/`): whose principals it may let in (an Allow for them, a Deny of
 * everyone else). Values leash cannot read as one (a variable, a wildcard) are skipped.
 */
export function namedOrganizations(doc: PolicyDocument): Set<string> {
  const out = new Set<string>();
  for (const s of doc.statements) {
    for (const block of Object.values(s.condition ?? {})) for (const [key, values] of Object.entries(block)) {
      const k = key.toLowerCase();
      if (k !== 'aws:principalorgid' && k !== 'aws:principalorgpaths') continue;
      for (const v of values) {
        const id = k === 'aws:principalorgid' ? v : v.split('/')[0]!;
        if (ORG_ID.test(id)) out.add(id);
      }
    }
  }
  return out;
}

export function opensToAnyone(doc: PolicyDocument): boolean {
  return doc.statements.some((s) => s.effect === 'Allow' && (s.principal === '*' || s.notPrincipal !== undefined || (s.principal !== undefined && (s.principal['AWS'] ?? []).includes('*'))));
}

export interface Exposure { grantee: string; read: string[]; delete: string[]; other: string[]; conditional: boolean }

/** `org`: the outsider's organization when known (see outsider); `grantee`: how the finding names it (default: the account, or `*`). */
export function exposureOf(r: Resource, account: string, rcps: RcpLevels | undefined, org?: OrgValues | 'unknown', grantee?: string): Exposure | undefined {
  const rc = outsider(account, org);
  const e: Exposure = { grantee: grantee ?? (account === STRANGER ? '*' : account), read: [], delete: [], other: [], conditional: false };
  for (const a of typeActions().get(r.type) ?? []) {
    const d = decideOnResource(rc, a.action, requestArn(r.arn, a), r, rcps);
    if (d.decision !== 'Allowed' && !(d.decision === 'Conditional' && d.condition === 'unknown')) continue;
    if (d.decision === 'Conditional') e.conditional = true;
    (a.kind === 'read' ? e.read : a.kind === 'delete' ? e.delete : e.other).push(a.action);
  }
  return e.read.length + e.delete.length + e.other.length > 0 ? e : undefined;
}

/** An outside grantee: `organization` when it stands for "anyone in that organization". */
export interface OutsideExposure extends Exposure { readonly organization?: string }

/**
 * Every outside grantee of a resource's policy (accounts outside `scanned`, or anyone), with what
 * each may do (`leash who-can`). Whose organization is not known is not outside every
 * organization: anyone, and a named account an `--org` scan (`org.discovered`) does not list, have
 * both keys unknown, so a test of them makes the grant conditional. Open to anyone: each
 * organization the policy's tests name, other than the account's own (`org.own`, when known; null: it is in none), is
 * evaluated as a stranger of it, as resource-exposed does.
 */
export function outsideGrantees(r: Resource, scanned: ReadonlySet<string>, rcps: RcpLevels | undefined, org: { readonly discovered?: OrganizationFacts; readonly own?: string | null } = {}): OutsideExposure[] {
  if (!r.policy) return [];
  const open = opensToAnyone(r.policy);
  const grantees: { account: string; org: OrgValues | 'unknown'; organization?: string }[] = [
    ...(open ? [{ account: STRANGER, org: 'unknown' as const }] : []),
    ...[...namedAccounts(r.policy)].filter((a) => !scanned.has(a) && a !== r.account).map((account) => ({ account, org: organizationValues(account, org.discovered) ?? 'unknown' as const })),
    ...(open ? [...namedOrganizations(r.policy)].filter((o) => o !== org.own).map((o) => ({ account: STRANGER, org: { 'aws:principalorgid': [o] }, organization: o })) : []),
  ];
  return grantees.flatMap((g) => {
    const e = exposureOf(r, g.account, rcps, g.org, g.organization);
    return !e ? [] : g.organization ? [{ ...e, organization: g.organization }] : [e];
  });
}
