// Containment during an incident: an agent is acting through a principal *now*, and the on-call
// engineer needs it stopped in minutes, not right-sized next week. planContainment turns a
// report's principal (or a session ARN pasted from CloudTrail or an alert) into the smallest
// Deny that stops it, with what it leaves open. Pure: a report in, a plan out; nothing is applied.
//
// AWS's own ways, which the plan follows (IAM User Guide):
// - id_roles_use_revoke-sessions.html: "AWS attaches a new inline policy to the role that denies
//   all permissions to all actions. It includes a condition that applies the restrictions only if
//   the user assumed the role before the point in time when you revoke the permissions. If the
//   user assumes the role after you revoked the permissions, then the deny policy does not apply."
//   and "You cannot revoke the session for a service-linked role."
// - id_credentials_temp_control-access_disable-perms.html: "Permissions assigned to temporary
//   security credentials are evaluated each time they are used to make an AWS request";
//   "It might take a few minutes for policy updates to take effect"; roles created from IAM
//   Identity Center permission sets cannot be edited in IAM (revoke in Identity Center instead).
// - aws:userid of a role session is `role-id:role-session-name`; an identity policy attached to
//   a role is evaluated for that role's sessions only, so `*:<session>` names one session of it.
// - aws:SourceIdentity persists across role chaining, so a Deny on it follows the agent's sessions.
// An explicit Deny in an identity policy beats every Allow, resource-based policies included.
import type { PrincipalReport, Report, SessionSummary } from '../model/report.js';
import type { PathHop } from '../model/graph.js';
import { InputError } from '../model/errors.js';
import type { Snapshot } from '../model/snapshot.js';
import { whoCanUndo, type Undoer } from './undoers.js';

/** What to stop: one session, every session issued before a time, or everything (new sessions and long-term keys too). */
export type ContainScope = 'session' | 'sessions' | 'all';

/** AWS managed; a Deny of every action. Attached, it stops new sessions and access keys as well. */
export const DENY_ALL_POLICY_ARN = 'arn:aws:iam::aws:policy/AWSDenyAll';

/** A role session ARN as CloudTrail and alerts show it: partition, account, role name, session name. */
export const SESSION_ARN = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([\w+=,.@-]{1,64})\/([\w+=,.@-]{2,64})$/;
/** Role session names and source identities: IAM's alphabet for them, which holds no `*`, `?` or `$`. */
export const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
/** A UTC time to the second, as --at and --since take it. */
export const ISO_SECOND = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
/** An Identity Center role: `AWSReservedSSO_<permission set name>_<16 hex>` (as collect reads it). */
const SSO_ROLE = /^AWSReservedSSO_(.+)_[0-9a-f]{16}$/;
/** Identity Center's path, with the instance's region when it is not us-east-1's (`/aws-reserved/sso.amazonaws.com/eu-west-1/`). */
const SSO_PATH = /^\/aws-reserved\/sso\.amazonaws\.com\/(?:([a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d)\/)?$/;
/** Identity store user ids: a UUID, optionally behind a 10-hex-digit store prefix. */
export const IDENTITY_STORE_USER_ID = /^(?:[0-9a-f]{10}-)?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface ContainRequest {
  /** A principal's name or ARN, or a role session ARN (arn:aws:sts::<account>:assumed-role/<role>/<session>). */
  readonly target: string;
  readonly scope?: ContainScope;
  /** Role session name to stop (scope `session`); taken from a session ARN when one is given. */
  readonly session?: string;
  /** sts:SourceIdentity of the agent's sessions (scope `session`). */
  readonly sourceIdentity?: string;
  /** The person's identity store user id (scope `session`, Identity Center roles only). */
  readonly userId?: string;
  /** A user's active access keys are deactivated too (scope `all`): a Deny someone removes leaves them dead. */
  readonly deactivateKeys?: boolean;
  /** Sessions issued before this instant are revoked (scope `sessions`); absent: the time contain.sh runs. */
  readonly at?: string;
  /** When the plan is made (the policy name's stamp); the caller's clock. */
  readonly now: Date;
  /** The account's export, when the plan is made from one: then who could undo the containment is decided too. */
  readonly snapshot?: Snapshot;
  /** config `resources.organizationId`: settles organization conditions of those who could undo it. */
  readonly organizationId?: string;
  /** The snapshot is the export a report was made from, read again now (its path, for the README). */
  readonly snapshotFrom?: string;
  /** The snapshot is the account read live when planning (its time): who could remove the Deny is today's. */
  readonly snapshotLive?: string;
  /** A report's export that could not be read again: why who could undo it is not decided. */
  readonly snapshotMissing?: string;
  /** The principal's recent sessions read live from CloudTrail (`--aws`): they replace the report's. */
  readonly sessionsLive?: LiveSessions;
}

/**
 * What the live CloudTrail read of the principal's recent calls covered (`leash contain --aws`):
 * the window, what it found, where it looked and what it could not read. Optional: a read that
 * failed is said here, the plan is written all the same.
 */
export interface SessionsRead {
  /** The window read: calls at or after `since`, until `until` (when it was read). */
  readonly since: string;
  readonly until: string;
  /** Calls of the principal read (a lower bound when `unread` says a read stopped at its bound). */
  readonly calls: number;
  /** Distinct sessions those calls were made in (a user's own calls count as one). */
  readonly sessions: number;
  /** A role's sessions an AssumeRole* event named (from 12 hours before `since`) of which no call was read. */
  readonly assumedOnly: number;
  /** AI tools the user agents of those calls name (high or medium signatures). */
  readonly tools: readonly string[];
  readonly lastSeen?: string;
  /** Where it looked and what that search cannot see, in leash's words (as `leash activity --live` says them). */
  readonly notes: readonly string[];
  /** What could not be read, or only in part: each LookupEvents source that did not answer whole, a read that failed. */
  readonly unread: readonly string[];
}

/** Sessions and what the read covered, as the CLI hands them to the plan. */
export interface LiveSessions {
  readonly sessions: readonly SessionSummary[];
  readonly read: SessionsRead;
}

export interface ContainPolicy {
  /** Inline policy name: leash's own, so the undo deletes nothing a person put there. */
  readonly name: string;
  readonly file: string;
  readonly document: Record<string, unknown>;
  /** The TokenIssueTime the document holds, when contain.sh replaces it with the time it runs. */
  readonly timeFilledAtApply?: string;
}

/** A principal on the other side of a graph hop: one that can become the contained principal, or one it can become. */
export interface LinkedPrincipal {
  readonly arn: string;
  readonly label: string;
  /** The hop's technique and its first actions. */
  readonly how: string;
}

export interface ContainmentPlan {
  readonly account: string;
  readonly principal: { readonly arn: string; readonly kind: 'role' | 'user'; readonly name: string; readonly path: string; readonly uniqueId?: string };
  readonly scope: ContainScope;
  readonly session?: { readonly name?: string; readonly sourceIdentity?: string; readonly userId?: string };
  /**
   * An IAM Identity Center role: IAM refuses changes to it, so the Deny's statements (Sids
   * beginning with `sidPrefix`) are merged into its permission set's inline policy and the
   * permission set is provisioned; the undo takes out only those statements.
   */
  readonly identityCenter?: {
    readonly permissionSetName: string;
    /** The instance's region, when the role's path names one. */
    readonly region?: string;
    readonly sidPrefix: string;
    /** Provision to every account the permission set is in (a person's Deny follows them), or to this account only. */
    readonly allAccounts: boolean;
  };
  /** Inline Deny to put (scopes `session` and `sessions`). */
  readonly inline?: ContainPolicy;
  /** Managed Deny to attach (scope `all`). */
  readonly attach?: string;
  /** A user's active access keys are deactivated as well; undo.sh reactivates exactly those. */
  readonly deactivateKeys?: boolean;
  /** Why leash writes no IAM change for this principal (service-linked, Identity Center), and what to do instead. */
  readonly cannot?: string;
  /** What the change leaves working, said plainly. */
  readonly leavesOpen: readonly string[];
  /** Principals that can become it (a new session, new keys): from the report's access graph. */
  readonly reentry: readonly LinkedPrincipal[];
  /**
   * Principals it can become. A session it already opened there (a chained AssumeRole, keys it
   * minted) is not touched by a Deny on this principal: those need containing too.
   */
  readonly onward: readonly LinkedPrincipal[];
  /** True when the report's graph left hops out: both lists are lower bounds. */
  readonly graphPartial: boolean;
  /** Principals whose policies let them remove the Deny (decided from an export); absent when planned from a report alone. */
  readonly undoers?: readonly Undoer[];
  /** The undoers were decided from the export a report was made from, read again when planning (its path). */
  readonly undoersFrom?: string;
  /** The undoers were decided from the account read live when planning (the time it was read). */
  readonly undoersLive?: string;
  /** Why the undoers are not decided although the report names its export (it could not be read again). */
  readonly undoersNotDecided?: string;
  /** AI tools the report links to this principal. */
  readonly agents: readonly string[];
  /** A role's most recent sessions as the report's CloudTrail showed them (schema 1.9.0), or as read live (`sessionsRead`), latest first. */
  readonly sessionsSeen: readonly SessionSummary[];
  /** The sessions were read live from CloudTrail when planning (`--aws`): the window, where, what could not be read. */
  readonly sessionsRead?: SessionsRead;
  /** `arn:<partition>:sts::<account>:assumed-role/<role>/`: a seen session's ARN is this plus its name. */
  readonly sessionArnPrefix?: string;
  readonly plannedAt: string;
}

function stamp(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** `/path/` of an IAM ARN (`/` when none). */
function arnPath(arn: string, kind: 'role' | 'user'): string {
  const resource = arn.split(':').slice(5).join(':');
  const rest = resource.slice(kind.length + 1);
  const cut = rest.lastIndexOf('/');
  return cut < 0 ? '/' : `/${rest.slice(0, cut + 1)}`;
}

/** The principal a target names (a name, an ARN, a role session ARN), for reading its sessions before planning. */
export function containedPrincipal(report: Report, target: string): { readonly arn: string; readonly kind: 'role' | 'user' } {
  const { principal } = findPrincipal(report, target);
  return { arn: principal.arn, kind: principal.kind };
}

function findPrincipal(report: Report, target: string): { principal: PrincipalReport; session?: string } {
  const m = SESSION_ARN.exec(target);
  if (m) {
    const [, , account, role, session] = m;
    if (account !== report.scan.account.id) throw new InputError('leash contain', '<principal>', `a session of account ${report.scan.account.id} (the report's)`, `a session of account ${account}`);
    const principal = report.principals.find((p) => p.kind === 'role' && p.name === role);
    if (!principal) throw new InputError('leash contain', '<principal>', 'a session of a role the report holds', JSON.stringify(role));
    return { principal, session: session! };
  }
  const byArn = report.principals.find((p) => p.arn === target);
  if (byArn) return { principal: byArn };
  const byName = report.principals.filter((p) => p.name === target);
  if (byName.length === 1) return { principal: byName[0]! };
  if (byName.length > 1) throw new InputError('leash contain', '<principal>', 'one principal: a user and a role share this name, give the ARN', byName.map((p) => p.arn).join(', '));
  throw new InputError('leash contain', '<principal>', 'a principal of the report (name or ARN) or a role session ARN (arn:aws:sts::<account>:assumed-role/<role>/<session>)', JSON.stringify(target));
}

function denyDocument(sid: string, condition?: Record<string, Record<string, string>>): Record<string, unknown> {
  return { Version: '2012-10-17', Statement: [{ Sid: sid, Effect: 'Deny', Action: '*', Resource: '*', ...(condition ? { Condition: condition } : {}) }] };
}

/** Escalation techniques that change a policy of the contained principal's kind (its own among them, possibly). */
const POLICY_EDITS: Readonly<Record<'role' | 'user', readonly string[]>> = {
  role: ['iam-put-role-policy', 'iam-attach-role-policy', 'iam-create-policy-version', 'iam-set-default-policy-version', 'iam-remove-permissions-boundary'],
  user: ['iam-put-user-policy', 'iam-attach-user-policy', 'iam-put-group-policy', 'iam-attach-group-policy', 'iam-add-user-to-group', 'iam-create-policy-version', 'iam-set-default-policy-version', 'iam-remove-permissions-boundary'],
};

function linksOf(report: Report, arn: string): { into: LinkedPrincipal[]; onward: LinkedPrincipal[]; partial: boolean } {
  const graph = report.graph;
  if (!graph) return { into: [], onward: [], partial: true };
  const names = new Map(report.principals.map((p) => [p.arn, p.name]));
  const label = (id: string) => names.get(id) ?? graph.labels?.[id] ?? id;
  const base = (id: string) => id.split('#')[0]!;
  const isHub = (id: string) => id.startsWith('hub:');
  const how = (h: PathHop) => `${h.technique}${h.actions.length > 0 ? ` (${h.actions.slice(0, 3).join(', ')})` : ''}`;
  // A hub (anyone able to mint a user's keys, say) stands between the principals with a hop into
  // it and those it leads to; fold it away. Hops to states (`<arn>#…`) and ceilings are a
  // principal's own gains, not another principal.
  const into = new Map<string, PathHop[]>();
  const outOf = new Map<string, PathHop[]>();
  for (const h of graph.hops) {
    if (isHub(h.to)) into.set(h.to, [...(into.get(h.to) ?? []), h]);
    if (isHub(h.from)) outOf.set(h.from, [...(outOf.get(h.from) ?? []), h]);
  }
  const isPrincipal = (id: string) => !isHub(id) && !id.startsWith('ceiling:') && !id.includes('#');
  const inList = new Map<string, LinkedPrincipal>();
  const onList = new Map<string, LinkedPrincipal>();
  const put = (m: Map<string, LinkedPrincipal>, id: string, h: PathHop) => {
    const a = base(id);
    if (a === arn || m.has(a)) return;
    m.set(a, { arn: a, label: label(a), how: how(h) });
  };
  for (const h of graph.hops) {
    if (h.to === arn) {
      if (isHub(h.from)) for (const x of into.get(h.from) ?? []) put(inList, x.from, h);
      else put(inList, h.from, h);
    }
    if (base(h.from) === arn) {
      if (isHub(h.to)) for (const x of outOf.get(h.to) ?? []) { if (isPrincipal(x.to)) put(onList, x.to, x); }
      else if (isPrincipal(h.to)) put(onList, h.to, h);
    }
  }
  const sorted = (m: Map<string, LinkedPrincipal>) => [...m.values()].sort((a, b) => a.label.localeCompare(b.label));
  return { into: sorted(inList), onward: sorted(onList), partial: (graph.hopsOmitted ?? 0) > 0 };
}

export function planContainment(report: Report, req: ContainRequest): ContainmentPlan {
  const plan = planOnly(report, req);
  // Identity Center's administrators, not principals of this account, can edit a permission set.
  if (plan.cannot || plan.identityCenter) return plan;
  if (!req.snapshot) return req.snapshotMissing ? { ...plan, undoersNotDecided: req.snapshotMissing } : plan;
  const target = req.snapshot.principals.find((p) => p.arn === plan.principal.arn);
  // A report's export read again may have changed since: without the principal it says nothing of it.
  if (!target) return req.snapshotFrom ? { ...plan, undoersNotDecided: `${req.snapshotFrom} no longer holds ${plan.principal.arn}` } : plan;
  return { ...plan, undoers: whoCanUndo(req.snapshot, plan.principal, plan.inline !== undefined, plan.scope !== 'all', req.organizationId), ...(req.snapshotFrom ? { undoersFrom: req.snapshotFrom } : {}), ...(req.snapshotLive ? { undoersLive: req.snapshotLive } : {}) };
}

function planOnly(report: Report, req: ContainRequest): ContainmentPlan {
  const { principal, session: fromArn } = findPrincipal(report, req.target);
  if (fromArn && req.session && req.session !== fromArn) throw new InputError('--session', '', `the session the ARN names (${fromArn}) or no --session`, JSON.stringify(req.session));
  const sessionName = req.session ?? fromArn;
  for (const [flag, v] of [['--session', sessionName], ['--source-identity', req.sourceIdentity]] as const) {
    if (v !== undefined && !SESSION_NAME.test(v)) throw new InputError(flag, '', '2–64 characters of A–Z, a–z, 0–9 and +=,.@_-', JSON.stringify(v));
  }
  if (req.userId !== undefined && !IDENTITY_STORE_USER_ID.test(req.userId)) throw new InputError('--user-id', '', 'an identity store user id (a UUID, possibly behind a 10-hex-digit prefix: aws identitystore list-users)', JSON.stringify(req.userId));
  if (req.at !== undefined && !(ISO_SECOND.test(req.at) && !Number.isNaN(Date.parse(req.at)))) throw new InputError('--at', '', 'a UTC time to the second, such as 2026-12-06T01:30:00Z', JSON.stringify(req.at));
  const kind = principal.kind;
  const named = sessionName !== undefined || req.sourceIdentity !== undefined || req.userId !== undefined;
  const scope: ContainScope = req.scope ?? (named ? 'session' : kind === 'role' ? 'sessions' : 'all');
  if (scope === 'session' && !named) throw new InputError('--scope', '', 'session with --session NAME, --source-identity ID, --user-id ID or a session ARN', 'session without one');
  if (req.deactivateKeys && kind !== 'user') throw new InputError('--deactivate-keys', '', 'a user (roles have no access keys: their sessions end with the Deny)', principal.arn);
  if (kind === 'user' && scope !== 'all') {
    throw new InputError('--scope', '', 'all for a user (long-term access keys carry no session time or name, so only a Deny of everything stops them)', scope);
  }
  const path = arnPath(principal.arn, kind);
  const ssoPath = kind === 'role' ? SSO_PATH.exec(path) : null;
  if (req.userId !== undefined && !ssoPath) throw new InputError('--user-id', '', 'an IAM Identity Center role (AWSReservedSSO_…): identity store users act only through those', principal.arn);
  const plannedAt = stamp(req.now);
  const policyName = `LeashContain-${plannedAt.replace(/[-:]/g, '')}`;
  const { into: reentry, onward, partial } = linksOf(report, principal.arn);
  const edits = principal.permissions.escalationTechniques.filter((t) => POLICY_EDITS[kind].includes(t));
  const selfEdit = edits.length > 0 ? [`It may change IAM policies itself (${edits.join(', ')}): a session this Deny does not cover could remove it. --scope all covers every session.`] : [];
  const agents = [...new Set(principal.agentEvidence.map((e) => e.tool).filter((t): t is string => t !== undefined))].sort();
  const base = {
    account: report.scan.account.id,
    principal: { arn: principal.arn, kind, name: principal.name, path, ...(principal.uniqueId ? { uniqueId: principal.uniqueId } : {}) },
    scope,
    ...(named ? { session: { ...(sessionName ? { name: sessionName } : {}), ...(req.sourceIdentity ? { sourceIdentity: req.sourceIdentity } : {}), ...(req.userId ? { userId: req.userId } : {}) } } : {}),
    reentry,
    onward,
    graphPartial: partial,
    agents,
    sessionsSeen: kind === 'role' ? req.sessionsLive?.sessions ?? principal.usage?.sessions ?? [] : [],
    ...(req.sessionsLive ? { sessionsRead: req.sessionsLive.read } : {}),
    ...(kind === 'role' ? { sessionArnPrefix: `arn:${principal.arn.split(':')[1]}:sts::${report.scan.account.id}:assumed-role/${principal.name}/` } : {}),
    plannedAt,
  };

  if (kind === 'role' && path.startsWith('/aws-service-role/')) {
    return { ...base, cannot: 'a service-linked role: AWS does not let anyone change its policies or revoke its sessions. Contain the principals that drive the service (below), or the service\'s own resources.', leavesOpen: [] };
  }
  if (kind === 'role' && path.startsWith('/aws-reserved/sso.amazonaws.com/')) {
    const permissionSet = SSO_ROLE.exec(principal.name)?.[1];
    if (!ssoPath || permissionSet === undefined) {
      return { ...base, cannot: 'a role IAM Identity Center made from a permission set, whose permission set leash cannot tell from its name or path: it cannot be edited in IAM. Revoke the person\'s active sessions in IAM Identity Center (a Deny on identitystore:userId in the permission set, or an SCP), stop their access-portal session and disable their sign-in.', leavesOpen: [] };
    }
    return identityCenterPlan(base, { permissionSet, ...(ssoPath[1] ? { region: ssoPath[1] } : {}) }, scope, { name: sessionName, sourceIdentity: req.sourceIdentity, userId: req.userId }, req.at, plannedAt);
  }

  if (scope === 'all') {
    const leavesOpen = kind === 'role'
      ? ['Every use of the role stops, people\'s and services\' included (a Lambda function or instance running as it fails its calls too).', 'Compute the agent already launched runs as its own role: check CloudTrail for RunInstances, CreateFunction and the like by this principal.']
      : [
        req.deactivateKeys
          ? 'Its active access keys are deactivated too, so removing the Deny does not bring them back; undo.sh reactivates exactly those. Console sign-in is refused by the Deny but its password stays.'
          : 'The user\'s access keys and console sign-in are refused, but stay valid: whoever removes the Deny brings them back. --deactivate-keys deactivates the keys as well (undo.sh reactivates them).',
        'Compute the agent already launched runs as its own role: check CloudTrail for RunInstances, CreateFunction and the like by this principal.',
      ];
    return { ...base, attach: DENY_ALL_POLICY_ARN, ...(req.deactivateKeys && kind === 'user' ? { deactivateKeys: true } : {}), leavesOpen };
  }

  if (scope === 'session') {
    const doc = sessionName && req.sourceIdentity
      ? { Version: '2012-10-17', Statement: [
        { Sid: 'LeashDenySession', Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringLike: { 'aws:userid': `*:${sessionName}` } } },
        { Sid: 'LeashDenySourceIdentity', Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringEquals: { 'aws:SourceIdentity': req.sourceIdentity } } },
      ] }
      : sessionName
        ? denyDocument('LeashDenySession', { StringLike: { 'aws:userid': `*:${sessionName}` } })
        : denyDocument('LeashDenySourceIdentity', { StringEquals: { 'aws:SourceIdentity': req.sourceIdentity! } });
    const leavesOpen = [
      ...(sessionName ? ['A new session under another name is not stopped: whoever holds the credentials that assumed the role can assume it again. Use --scope sessions or all if that is the risk.'] : []),
      ...(req.sourceIdentity ? ['Sessions without that source identity (other people, other tools) keep working.'] : []),
      ...selfEdit,
    ];
    return { ...base, inline: { name: policyName, file: 'deny-session.json', document: doc }, leavesOpen };
  }

  const at = req.at ?? plannedAt;
  const doc = denyDocument('LeashRevokeOlderSessions', { DateLessThan: { 'aws:TokenIssueTime': at } });
  return {
    ...base,
    inline: { name: policyName, file: 'revoke-sessions.json', document: doc, ...(req.at === undefined ? { timeFilledAtApply: at } : {}) },
    leavesOpen: [
      `Sessions issued ${req.at === undefined ? 'after contain.sh runs' : `at or after ${at}`} keep working: whoever can assume the role (the agent's own source credentials included) can start a new one. Use --scope all to stop those too.`,
      'Every session of the role issued before that time is refused, people\'s included: they sign in again.',
      ...selfEdit,
    ],
  };
}

type PlanBase = Omit<ContainmentPlan, 'leavesOpen' | 'inline' | 'attach' | 'cannot' | 'identityCenter'>;

/**
 * The Deny for a role Identity Center made: statements for the permission set's inline policy,
 * each Sid beginning with leash's stamp, so the undo removes them and nothing else. A person's
 * Deny goes to every account the permission set is in (their access-portal session reaches all of
 * them); a Deny of everyone's sessions only to this account.
 */
function identityCenterPlan(
  base: PlanBase,
  sso: { readonly permissionSet: string; readonly region?: string },
  scope: ContainScope,
  who: { readonly name: string | undefined; readonly sourceIdentity: string | undefined; readonly userId: string | undefined },
  at: string | undefined,
  plannedAt: string,
): ContainmentPlan {
  const sidPrefix = `LeashContain${plannedAt.replace(/[-:]/g, '')}`;
  const deny = (sid: string, condition?: Record<string, Record<string, string>>) => ({ Sid: `${sidPrefix}${sid}`, Effect: 'Deny', Action: '*', Resource: '*', ...(condition ? { Condition: condition } : {}) });
  const statements: Record<string, unknown>[] = [];
  if (scope === 'session') {
    if (who.name) statements.push(deny('Session', { StringLike: { 'aws:userid': `*:${who.name}` } }));
    if (who.sourceIdentity) statements.push(deny('SourceIdentity', { StringEquals: { 'aws:SourceIdentity': who.sourceIdentity } }));
    if (who.userId) statements.push(deny('UserId', { StringEquals: { 'identitystore:userId': who.userId } }));
  } else if (scope === 'sessions') statements.push(deny('Revoke', { DateLessThan: { 'aws:TokenIssueTime': at ?? plannedAt } }));
  else statements.push(deny('All'));
  const allAccounts = scope === 'session';
  const ps = `permission set ${sso.permissionSet}`;
  const leavesOpen = [
    ...(scope === 'session'
      ? [
        `It reaches every account the ${ps} is provisioned to; other permission sets the person holds are untouched. Their access-portal session stays valid, and with it (or the SSO token cache an agent on their machine can read, ~/.aws/sso/cache) new credentials for those: in IAM Identity Center, disable the user and end their active sessions.`,
        ...(who.name ? ['The session name of an Identity Center role is the person\'s user name: a Deny on it follows them until the statement is removed.'] : []),
      ]
      : scope === 'sessions'
        ? [
          `Sessions issued ${at === undefined ? 'after contain.sh runs' : `at or after ${at}`} keep working: whoever holds an access-portal session for the ${ps} can start a new one. Use --scope all to stop those too.`,
          `Everyone's sessions of the ${ps} in account ${base.account} issued before that time are refused: they sign in again.`,
        ]
        : [`Every use of the ${ps} in account ${base.account} stops, for everyone assigned it.`]),
    ...(allAccounts ? [] : [`Only account ${base.account} is provisioned: Identity Center shows the ${ps}'s other accounts as outdated, and they get the Deny the next time it is provisioned to them (undo.sh takes it out of the permission set first).`]),
    'Whoever administers IAM Identity Center (the management account or its delegated administrator) can take the statements out again.',
  ];
  return {
    ...base,
    identityCenter: { permissionSetName: sso.permissionSet, ...(sso.region ? { region: sso.region } : {}), sidPrefix, allAccounts },
    inline: {
      name: sidPrefix,
      file: 'deny-statements.json',
      document: { Version: '2012-10-17', Statement: statements },
      ...(scope === 'sessions' && at === undefined ? { timeFilledAtApply: plannedAt } : {}),
    },
    leavesOpen,
  };
}
