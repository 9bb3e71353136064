// Test cases for the 65 paths of the pathfinding.cloud catalogue (../shared/fixtures/privesc-catalog):
// for each path, one export where the path works (POSITIVE; self-edits of a user get a second one
// through `user/${aws:username}`) and three where it does not
// (NEGATIVE), one of each kind issue 9 names:
//   nothing-to-give       the target is stripped of all permissions, holds only an ECS
//                         task-execution-like policy (ecr pulls + log writes), or is capped by a
//                         permissions boundary the attacker cannot remove;
//   out-of-reach          the attacker's grant names another role/user/group/policy, AWS-owned
//                         policies only, resources of another account, or PassRole only to
//                         another service (iam:PassedToService);
//   condition-never-holds the attacker's key statement carries a date condition that cannot hold
//                         at scan time (aws:CurrentTime / aws:TokenIssueTime / aws:EpochTime before
//                         2019).
// Every case also lists the requests an independent engine (iam-simulate) must decide as stated,
// so a failing leash assertion means leash is wrong, not the fixture (test/graph/privesc-fixtures.test.ts).
import { IamExportBuilder, allow, awsManagedPolicy, policy, trust, trustStatement, type AuthorizationDetailsJson, type PolicyJson, type StatementJson } from './iam-export-builder.js';

export const ACCOUNT = '111111111111';
export const OTHER_ACCOUNT = '222222222222';
/** The scan's clock for these cases. */
export const NOW = new Date('2026-11-24T12:00:00Z');

export type NegativeKind = 'nothing-to-give' | 'out-of-reach' | 'condition-never-holds';
export const NEGATIVE_KINDS: readonly NegativeKind[] = ['nothing-to-give', 'out-of-reach', 'condition-never-holds'];

export interface OracleRequest {
  readonly principalArn: string;
  readonly action: string;
  readonly resource: string;
  readonly context?: Record<string, string>;
  /** Policies the request is evaluated with in addition to the principal's own (e.g. "after the attacker attached AdministratorAccess"). */
  readonly extraIdentity?: readonly PolicyJson[];
  readonly expect: 'Allowed' | 'Denied';
  readonly why: string;
}

export interface PrivescCase {
  readonly pathId: string;
  readonly polarity: 'positive' | 'negative';
  readonly kind?: NegativeKind;
  /** Which way the negative is broken (e.g. `stripped`, `ecs-task-execution`, `decoy-role`, `aws:CurrentTime`). */
  readonly variant: string;
  readonly why: string;
  readonly attackerArn: string;
  readonly export: AuthorizationDetailsJson;
  /** What the path needs that no authorization-details export can show (existing compute, login profile, …). */
  readonly assumptions: readonly string[];
  readonly oracle: readonly OracleRequest[];
}

// ---- shared pieces ----------------------------------------------------------------------------

const ADMIN = 'AdministratorAccess';
const TASK_EXEC = 'AmazonECSTaskExecutionRolePolicy';
const never: readonly { key: string; cond: NonNullable<StatementJson['Condition']> }[] = [
  { key: 'aws:CurrentTime', cond: { DateLessThan: { 'aws:CurrentTime': '2019-01-01T00:00:00Z' } } },
  { key: 'aws:TokenIssueTime', cond: { DateLessThan: { 'aws:TokenIssueTime': '2019-01-01T00:00:00Z' } } },
  { key: 'aws:EpochTime', cond: { DateLessThan: { 'aws:EpochTime': '1546300800' } } },
];
/** An ECS task-execution-like grant (pull images, write logs): "more" actions, no more power. */
const taskExecStatements = (): StatementJson[] => awsManagedPolicy(TASK_EXEC).document.Statement;
const cappedBoundaryDoc = (keep?: string, on = '*'): PolicyJson => policy(...taskExecStatements(), ...(keep ? [allow(keep, on)] : []));
const PROBE = { action: 'iam:CreateUser', resource: `arn:aws:iam::${ACCOUNT}:user/probe` } as const;
const adminDoc = (): PolicyJson => awsManagedPolicy(ADMIN).document;

interface Ctx {
  readonly b: IamExportBuilder;
  readonly variant: number;
}
type Attacker = { kind: 'user' | 'role'; groups?: string[]; boundary?: string };

/** The attacker principal (user or role) with exactly `statements` as one inline policy. */
function addAttacker(b: IamExportBuilder, statements: StatementJson[], a: Attacker = { kind: 'user' }, extra: { managed?: string[] } = {}): string {
  const inline = statements.length ? { 'attacker-policy': policy(...statements) } : {};
  const common = { inline, ...(a.boundary ? { boundary: a.boundary } : {}), ...(extra.managed ? { managed: extra.managed } : {}) };
  return a.kind === 'user'
    ? b.user('attacker', { ...common, ...(a.groups ? { groups: a.groups } : {}) })
    : b.role('attacker', { ...common, trust: trust(b.root) });
}

/** Puts the never-holding date condition number `i` on statement `at` (the key leg). */
function withNever(statements: StatementJson[], at: number, i: number): { statements: StatementJson[]; key: string } {
  const n = never[i % never.length]!;
  return { statements: statements.map((s, j) => (j === at ? { ...s, Condition: { ...(s.Condition ?? {}), ...n.cond } } : s)), key: n.key };
}

function make(pathId: string, polarity: 'positive' | 'negative', kind: NegativeKind | undefined, variant: string, why: string, b: IamExportBuilder, attackerArn: string, assumptions: string[], oracle: OracleRequest[]): PrivescCase {
  return { pathId, polarity, ...(kind ? { kind } : {}), variant, why, attackerArn, export: b.build(), assumptions, oracle };
}

// ---- shape 1: iam:PassRole + a service that runs the passed role ------------------------------

interface PassNewSpec {
  /** Service principals the passed role must trust (any one is enough). */
  trusts: string[];
  /** The service actions besides iam:PassRole, granted on `*`. */
  actions: string[];
  instanceProfile?: boolean;
  /** CloudFormation StackSets: PassRole is on the administration role, which assumes the execution role. */
  stackSet?: boolean;
  /**
   * The service actions alone are another catalogue path against an existing resource that may
   * carry the privileged role (StartBuild → codebuild-002, StartBuildBatch → codebuild-003, code
   * interpreter sessions → bedrock-002). Negatives that keep the privileged role must close that
   * twin too: out-of-reach scopes the service actions to another account as well, and the date
   * condition goes on every statement.
   */
  existingTwin?: { path: string; action: string; sample: string };
  assumptions?: string[];
}

function passNew(id: string, s: PassNewSpec): PrivescCase[] {
  const service = s.trusts[0]!;
  const build = (mode: 'positive' | 'stripped' | 'ecs-task-execution' | 'decoy-role' | 'passed-to-other-service' | 'never', neverIdx = 0) => {
    const b = new IamExportBuilder(ACCOUNT);
    const targetPolicies = mode === 'stripped' ? {} : mode === 'ecs-task-execution' ? { managed: [TASK_EXEC] } : { managed: [ADMIN] };
    let passTarget: string;
    let powerHolder: string;
    if (s.stackSet) {
      // AWS's self-managed StackSet roles: the administration role (trusted by CloudFormation)
      // may assume the execution role, which trusts the account and does the work.
      passTarget = b.role('AWSCloudFormationStackSetAdministrationRole', { trust: trust(service), inline: { 'assume-execution': policy(allow('sts:AssumeRole', 'arn:aws:iam::*:role/AWSCloudFormationStackSetExecutionRole')) } });
      powerHolder = b.role('AWSCloudFormationStackSetExecutionRole', { trust: trust(b.root), ...targetPolicies });
    } else {
      passTarget = b.role('privileged-service-role', { trust: trust(...s.trusts), ...targetPolicies, ...(s.instanceProfile ? { instanceProfiles: ['privileged-instance-profile'] } : {}) });
      powerHolder = passTarget;
    }
    let passResource = passTarget;
    if (mode === 'decoy-role') {
      passResource = b.role('decoy-service-role', { trust: trust(...s.trusts), ...(s.instanceProfile ? { instanceProfiles: ['decoy-instance-profile'] } : {}) });
    }
    const passStmt = allow('iam:PassRole', passResource, mode === 'passed-to-other-service' ? { StringEquals: { 'iam:PassedToService': 'sns.amazonaws.com' } } : undefined);
    const twinClosed = s.existingTwin && (mode === 'decoy-role' || mode === 'passed-to-other-service');
    let statements = [passStmt, allow(s.actions, twinClosed ? `arn:aws:${s.actions[0]!.split(':')[0]}:*:${OTHER_ACCOUNT}:*` : '*')];
    let neverKey = '';
    if (mode === 'never') {
      ({ statements, key: neverKey } = withNever(statements, 0, neverIdx));
      if (s.existingTwin) statements = withNever(statements, 1, neverIdx).statements;
    }
    const attacker = addAttacker(b, statements);
    const pass = (expect: 'Allowed' | 'Denied', why: string): OracleRequest => ({ principalArn: attacker, action: 'iam:PassRole', resource: passTarget, context: { 'iam:PassedToService': service }, expect, why });
    const power = (expect: 'Allowed' | 'Denied', why: string): OracleRequest => ({ principalArn: powerHolder, ...PROBE, expect, why });
    const oracle: OracleRequest[] = [];
    if (s.existingTwin && mode !== 'positive' && mode !== 'stripped' && mode !== 'ecs-task-execution') {
      oracle.push({ principalArn: attacker, action: s.existingTwin.action, resource: s.existingTwin.sample, expect: 'Denied', why: `${s.existingTwin.path} is closed too: no existing resource of the account can be started` });
    }
    if (s.stackSet) oracle.push({ principalArn: passTarget, action: 'sts:AssumeRole', resource: powerHolder, expect: 'Allowed', why: 'the administration role may assume the execution role (both sides allow)' });
    return { b, attacker, neverKey, pass, power, oracle };
  };
  const assumptions = s.assumptions ?? [];
  const out: PrivescCase[] = [];
  {
    const r = build('positive');
    out.push(make(id, 'positive', undefined, 'admin-role', `the attacker may pass a role trusting ${service} that holds ${ADMIN}, and may start the compute that runs it`, r.b, r.attacker, assumptions, [...r.oracle, r.pass('Allowed', 'the attacker may pass the privileged role to the service'), r.power('Allowed', 'the passed role is an administrator')]));
  }
  const strip = id.charCodeAt(id.length - 1) % 2 === 0 ? 'stripped' : 'ecs-task-execution';
  {
    const r = build(strip);
    out.push(make(id, 'negative', 'nothing-to-give', strip, strip === 'stripped' ? 'the only role the service can run has no permissions' : 'the only role the service can run holds only an ECS task-execution policy (ecr pulls, log writes)', r.b, r.attacker, assumptions, [...r.oracle, r.pass('Allowed', 'the pass itself still works'), r.power('Denied', 'but the role has nothing to give')]));
  }
  const reach = id.charCodeAt(id.length - 1) % 2 === 0 ? 'passed-to-other-service' : 'decoy-role';
  {
    const r = build(reach);
    const twin = s.existingTwin ? ` (and the service actions name only account ${OTHER_ACCOUNT}, which closes ${s.existingTwin.path} against an existing resource carrying the privileged role)` : '';
    out.push(make(id, 'negative', 'out-of-reach', reach, `${reach === 'decoy-role' ? 'iam:PassRole names only a powerless decoy role, not the privileged one' : 'iam:PassRole holds only when the role is passed to sns.amazonaws.com, not to the service that would run it'}${twin}`, r.b, r.attacker, assumptions, [...r.oracle, r.pass('Denied', 'the privileged role cannot be passed to the service'), r.power('Allowed', 'the privileged role is still an administrator')]));
  }
  {
    const r = build('never', id.length + id.charCodeAt(id.length - 1));
    out.push(make(id, 'negative', 'condition-never-holds', r.neverKey, `the iam:PassRole statement${s.existingTwin ? ` and the service statement (closing ${s.existingTwin.path})` : ''} hold${s.existingTwin ? '' : 's'} only while ${r.neverKey} is before 2019`, r.b, r.attacker, assumptions, [...r.oracle, r.pass('Denied', 'the date condition cannot hold at scan time'), r.power('Allowed', 'the privileged role is still an administrator')]));
  }
  return out;
}

// ---- shape 2: existing compute that already carries a role ------------------------------------

interface ExistingSpec {
  /** Service principals the compute's role trusts. */
  trusts: string[];
  actions: string[];
  /** The leg(s) that act on the existing compute (indices into actions). */
  onCompute: number[];
  /** ARN of the compute in the account (for the oracle) and the same pattern in another account. */
  sample: string;
  instanceProfile?: boolean;
  /** Extra AWS managed policies the compute role needs to work at all (e.g. SSM's core policy). */
  alsoManaged?: string[];
  stripOnly?: boolean;
  assumptions: string[];
}

function existingCompute(id: string, s: ExistingSpec): PrivescCase[] {
  // Everything of that service in another account: compute there can only carry that account's roles.
  const otherPattern = `arn:aws:${s.sample.split(':')[2]}:*:${OTHER_ACCOUNT}:*`;
  const build = (mode: 'positive' | 'stripped' | 'ecs-task-execution' | 'other-account' | 'never', neverIdx = 0) => {
    const b = new IamExportBuilder(ACCOUNT);
    const managed = mode === 'stripped' ? [] : mode === 'ecs-task-execution' ? [TASK_EXEC] : [...(s.alsoManaged ?? []), ADMIN];
    const role = b.role('compute-role', { trust: trust(...s.trusts), managed, ...(s.instanceProfile ? { instanceProfiles: ['compute-instance-profile'] } : {}) });
    const onCompute = s.actions.filter((_, i) => s.onCompute.includes(i));
    const rest = s.actions.filter((_, i) => !s.onCompute.includes(i));
    let statements = [allow(onCompute, mode === 'other-account' ? otherPattern : '*'), ...(rest.length ? [allow(rest, '*')] : [])];
    let neverKey = '';
    if (mode === 'never') ({ statements, key: neverKey } = withNever(statements, 0, neverIdx));
    const attacker = addAttacker(b, statements);
    const act = (expect: 'Allowed' | 'Denied', why: string): OracleRequest => ({ principalArn: attacker, action: onCompute[0]!, resource: s.sample, expect, why });
    const power = (expect: 'Allowed' | 'Denied', why: string): OracleRequest => ({ principalArn: role, ...PROBE, expect, why });
    return { b, attacker, neverKey, act, power };
  };
  const out: PrivescCase[] = [];
  {
    const r = build('positive');
    out.push(make(id, 'positive', undefined, 'admin-compute-role', `the attacker may take over existing compute (${s.onCompute.map((i) => s.actions[i]).join(', ')}), and the only role such compute can carry (it trusts ${s.trusts.join(', ')}) holds ${ADMIN}`, r.b, r.attacker, s.assumptions, [r.act('Allowed', 'the attacker may act on the compute'), r.power('Allowed', 'the compute role is an administrator')]));
  }
  const strip = s.stripOnly || id.charCodeAt(id.length - 1) % 2 === 0 ? 'stripped' : 'ecs-task-execution';
  {
    const r = build(strip);
    out.push(make(id, 'negative', 'nothing-to-give', strip, strip === 'stripped' ? 'the only role such compute can carry has no permissions' : 'the only role such compute can carry holds only an ECS task-execution policy (ecr pulls, log writes)', r.b, r.attacker, s.assumptions, [r.act('Allowed', 'the attacker may still act on the compute'), r.power('Denied', 'but its role has nothing to give')]));
  }
  {
    const r = build('other-account');
    out.push(make(id, 'negative', 'out-of-reach', 'other-account', `the grant names only resources of account ${OTHER_ACCOUNT} (${otherPattern}); compute there cannot carry this account's roles`, r.b, r.attacker, s.assumptions, [r.act('Denied', 'no compute of this account is in the grant'), r.power('Allowed', 'the compute role is still an administrator')]));
  }
  {
    const r = build('never', id.length + id.charCodeAt(id.length - 1));
    out.push(make(id, 'negative', 'condition-never-holds', r.neverKey, `the statement acting on the compute holds only while ${r.neverKey} is before 2019`, r.b, r.attacker, s.assumptions, [r.act('Denied', 'the date condition cannot hold at scan time'), r.power('Allowed', 'the compute role is still an administrator')]));
  }
  return out;
}

// ---- shape 3: self-escalation (the attacker rewrites its own permissions) ---------------------

type SelfTarget = 'own-policy' | 'self' | 'own-group';
interface SelfSpec { action: string; attacker: 'user' | 'role'; target: SelfTarget; }

function selfEscalation(id: string, s: SelfSpec): PrivescCase[] {
  const build = (mode: 'positive' | 'positive-policy-variable' | 'capped' | 'out-of-reach' | 'never', neverIdx = 0) => {
    const b = new IamExportBuilder(ACCOUNT);
    let target: string;
    let resource: string;
    const groups: string[] = [];
    let managed: string[] | undefined;
    const selfArn = s.attacker === 'user' ? b.userArn('attacker') : b.roleArn('attacker');
    const bystander = b.user('bystander', { groups: s.target === 'own-group' ? ['bystanders'] : [] });
    let reachVariant = '';
    if (s.target === 'own-policy') {
      // The policy grants CreatePolicyVersion on itself and is attached to the attacker.
      target = b.policyArn('attacker-managed-policy');
      resource = target;
      if (mode === 'out-of-reach') { resource = 'arn:aws:iam::aws:policy/*'; reachVariant = 'aws-owned-policies'; }
      b.customerPolicy('attacker-managed-policy', policy(allow(s.action, resource)));
      managed = [target];
    } else if (s.target === 'self') {
      target = selfArn;
      // The self-service idiom: `user/${aws:username}` is the caller's own user, so this is still self-escalation.
      resource = mode === 'positive-policy-variable' ? `arn:aws:iam::${ACCOUNT}:user/\${aws:username}` : target;
      if (mode === 'out-of-reach') {
        resource = s.attacker === 'user' ? bystander : b.role('decoy-role', { trust: trust(bystander) });
        reachVariant = s.attacker === 'user' ? 'other-user' : 'decoy-role';
      }
    } else {
      target = b.group('attacker-group');
      groups.push('attacker-group');
      resource = target;
      b.group('bystanders');
      if (mode === 'out-of-reach') { resource = b.groupArn('bystanders'); reachVariant = 'other-group'; }
    }
    // The boundary keeps the edit on the attacker's own policy only: a boundary that let it version
    // every policy would let it rewrite the boundary too, once its own policy allows that (an
    // escalation in two edits, not a cap: test/graph/combined-edits.test.ts).
    const boundary = mode === 'capped' ? b.customerPolicy('attacker-boundary', cappedBoundaryDoc(s.action, s.target === 'own-policy' ? target : '*')) : undefined;
    let statements = s.target === 'own-policy' ? [] : [allow(s.action, resource)];
    let neverKey = '';
    if (mode === 'never') {
      if (s.target === 'own-policy') {
        // Rebuild the attached policy with the condition on its only statement.
        const n = withNever([allow(s.action, resource)], 0, neverIdx);
        b.customerPolicy('attacker-managed-policy', policy(...n.statements));
        neverKey = n.key;
      } else ({ statements, key: neverKey } = withNever(statements, 0, neverIdx));
    }
    const attacker = addAttacker(b, statements, { kind: s.attacker, ...(groups.length ? { groups } : {}), ...(boundary ? { boundary } : {}) }, managed ? { managed } : {});
    const act = (expect: 'Allowed' | 'Denied', why: string): OracleRequest => ({ principalArn: attacker, action: s.action, resource: target, expect, why });
    const after = (expect: 'Allowed' | 'Denied', why: string): OracleRequest => ({ principalArn: attacker, ...PROBE, extraIdentity: [adminDoc()], expect, why });
    return { b, attacker, neverKey, reachVariant, act, after };
  };
  const what = { 'own-policy': 'a customer-managed policy attached to itself', self: 'itself', 'own-group': 'a group it is a member of' }[s.target];
  const out: PrivescCase[] = [];
  {
    const r = build('positive');
    out.push(make(id, 'positive', undefined, s.target, `the attacker (a ${s.attacker}) may use ${s.action} on ${what}, and so grant itself anything`, r.b, r.attacker, [], [r.act('Allowed', `${s.action} on ${what}`), r.after('Allowed', 'once rewritten, the attacker is an administrator')]));
  }
  if (s.target === 'self' && s.attacker === 'user') {
    const r = build('positive-policy-variable');
    out.push(make(id, 'positive', undefined, 'self-via-aws:username', `the attacker may use ${s.action} on user/\${aws:username} — its own user — and so grant itself anything`, r.b, r.attacker, [], [r.act('Allowed', `${s.action} on its own user through the policy variable`), r.after('Allowed', 'once rewritten, the attacker is an administrator')]));
  }
  {
    const r = build('capped');
    out.push(make(id, 'negative', 'nothing-to-give', 'capped-by-boundary', `the attacker's own permissions boundary allows only ${s.action} and task-execution actions: whatever it writes, the boundary caps it (it cannot remove the boundary)`, r.b, r.attacker, [], [r.act('Allowed', 'the edit itself is allowed'), r.after('Denied', 'the boundary caps the result')]));
  }
  {
    const r = build('out-of-reach');
    const why = r.reachVariant === 'aws-owned-policies' ? 'iam:CreatePolicyVersion is allowed only on arn:aws:iam::aws:policy/* (AWS-owned policies no customer can version); the attacker\'s attached policy is customer-managed and out of the grant'
      : `${s.action} names only ${r.reachVariant === 'other-group' ? 'a group the attacker is not in' : r.reachVariant === 'decoy-role' ? 'a decoy role nobody reachable can use' : 'another user whose credentials the attacker cannot get'}`;
    out.push(make(id, 'negative', 'out-of-reach', r.reachVariant, why, r.b, r.attacker, [], [r.act('Denied', 'the grant does not cover the attacker\'s own principal/policy/group')]));
  }
  {
    const r = build('never', id.length + id.charCodeAt(id.length - 1));
    out.push(make(id, 'negative', 'condition-never-holds', r.neverKey, `the ${s.action} statement holds only while ${r.neverKey} is before 2019`, r.b, r.attacker, [], [r.act('Denied', 'the date condition cannot hold at scan time')]));
  }
  return out;
}

// ---- shape 4: act as an existing privileged principal ------------------------------------------
// Credential minting on an admin user, rewriting an admin role's trust, assuming an admin role,
// joining an admin group.

interface BecomeSpec {
  actions: string[];
  target: 'user' | 'role-trusting-other' | 'role-trusting-root' | 'group';
  assumptions?: string[];
}

function becomeExisting(id: string, s: BecomeSpec): PrivescCase[] {
  const build = (mode: 'positive' | 'stripped' | 'ecs-task-execution' | 'out-of-reach' | 'never', neverIdx = 0) => {
    const b = new IamExportBuilder(ACCOUNT);
    const give = mode === 'stripped' ? {} : mode === 'ecs-task-execution' ? { managed: [TASK_EXEC] } : { managed: [ADMIN] };
    const bystander = b.user('bystander', { groups: s.target === 'group' ? ['bystanders'] : [] });
    let target: string;
    let reach: string;
    let reachVariant: string;
    if (s.target === 'user') {
      target = b.user('admin-user', { ...give, ...(id === 'iam-006' ? { passwordLastUsed: '2026-11-01T09:00:00Z' } : {}) });
      // Rotate between another user and the caller's own user (the CreateAccessKey self-service pattern).
      reachVariant = id === 'iam-002' ? 'self-only' : 'other-user';
      reach = reachVariant === 'self-only' ? `arn:aws:iam::${ACCOUNT}:user/\${aws:username}` : bystander;
    } else if (s.target === 'group') {
      target = b.group('admins', give);
      b.group('bystanders');
      reach = b.groupArn('bystanders');
      reachVariant = 'other-group';
    } else {
      target = b.role('admin-role', { trust: s.target === 'role-trusting-root' ? trust(b.root) : trust(bystander), ...give });
      reach = b.role('decoy-role', { trust: s.target === 'role-trusting-root' ? trust(b.root) : trust(bystander) });
      reachVariant = 'decoy-role';
    }
    let statements = [allow(s.actions, mode === 'out-of-reach' ? reach : target)];
    let neverKey = '';
    if (mode === 'never') ({ statements, key: neverKey } = withNever(statements, 0, neverIdx));
    const attacker = addAttacker(b, statements);
    const act = (expect: 'Allowed' | 'Denied', why: string): OracleRequest => ({ principalArn: attacker, action: s.actions[0]!, resource: target, expect, why });
    const power = (expect: 'Allowed' | 'Denied', why: string): OracleRequest => (s.target === 'group'
      ? { principalArn: bystander, ...PROBE, extraIdentity: mode === 'stripped' ? [] : mode === 'ecs-task-execution' ? [awsManagedPolicy(TASK_EXEC).document] : [adminDoc()], expect, why: `${why} (a member of the group would get its policies)` }
      : { principalArn: target, ...PROBE, expect, why });
    return { b, attacker, neverKey, reachVariant, act, power };
  };
  const what = { user: 'an administrator user', 'role-trusting-other': 'an administrator role', 'role-trusting-root': 'an administrator role trusting the account', group: 'an administrator group' }[s.target];
  const assumptions = s.assumptions ?? [];
  const out: PrivescCase[] = [];
  {
    const r = build('positive');
    out.push(make(id, 'positive', undefined, s.target, `the attacker may use ${s.actions.join(' + ')} on ${what}`, r.b, r.attacker, assumptions, [r.act('Allowed', `${s.actions[0]} on the target`), r.power('Allowed', 'the target is an administrator')]));
  }
  const strip = id.charCodeAt(id.length - 1) % 2 === 0 ? 'stripped' : 'ecs-task-execution';
  {
    const r = build(strip);
    out.push(make(id, 'negative', 'nothing-to-give', strip, strip === 'stripped' ? 'the target has no permissions at all' : 'the target holds only an ECS task-execution policy (ecr pulls, log writes)', r.b, r.attacker, assumptions, [r.act('Allowed', 'the technique itself still works'), r.power('Denied', 'but the target has nothing to give')]));
  }
  {
    const r = build('out-of-reach');
    const why = r.reachVariant === 'self-only' ? 'the grant is on `user/${aws:username}` only: the attacker can mint credentials for itself, not for the administrator'
      : `the grant names only ${r.reachVariant === 'other-group' ? 'a powerless group' : r.reachVariant === 'decoy-role' ? 'a powerless decoy role' : 'a powerless bystander user'}`;
    out.push(make(id, 'negative', 'out-of-reach', r.reachVariant, why, r.b, r.attacker, assumptions, [r.act('Denied', 'the administrator is outside the grant'), r.power('Allowed', 'the target is still an administrator')]));
  }
  {
    const r = build('never', id.length + id.charCodeAt(id.length - 1));
    out.push(make(id, 'negative', 'condition-never-holds', r.neverKey, `the statement holds only while ${r.neverKey} is before 2019`, r.b, r.attacker, assumptions, [r.act('Denied', 'the date condition cannot hold at scan time'), r.power('Allowed', 'the target is still an administrator')]));
  }
  return out;
}

// ---- shape 5: modify a powerless principal, then become it --------------------------------------

type ModifyLeg = 'iam:AttachRolePolicy' | 'iam:PutRolePolicy' | 'iam:CreatePolicyVersion' | 'iam:AttachUserPolicy' | 'iam:PutUserPolicy';
type UseLeg = 'sts:AssumeRole' | 'iam:UpdateAssumeRolePolicy' | 'iam:CreateAccessKey';
interface ModifySpec { modify: ModifyLeg; use: UseLeg; }

function modifyThenBecome(id: string, s: ModifySpec): PrivescCase[] {
  const isUser = s.use === 'iam:CreateAccessKey';
  const build = (mode: 'positive' | 'capped' | 'out-of-reach' | 'never', neverIdx = 0) => {
    const b = new IamExportBuilder(ACCOUNT);
    const attackerArn = b.userArn('attacker');
    const bystander = b.user('bystander');
    const boundary = mode === 'capped' ? b.customerPolicy('target-boundary', cappedBoundaryDoc()) : undefined;
    const harmless = policy(allow('sts:GetCallerIdentity', '*'));
    let target: string;
    let modifyResource: string;
    let decoy: string;
    let reachVariant = 'decoy-role';
    if (isUser) {
      target = b.user('target-user', boundary ? { boundary } : {});
      decoy = bystander;
      reachVariant = 'other-user';
      modifyResource = target;
    } else {
      // The role trusts the attacker's ARN directly when the path assumes it; otherwise only a bystander.
      const roleTrust = s.use === 'sts:AssumeRole' ? trust(attackerArn) : trust(bystander);
      if (s.modify === 'iam:CreatePolicyVersion') {
        const pol = b.customerPolicy('target-role-policy', harmless);
        target = b.role('target-role', { trust: roleTrust, managed: [pol], ...(boundary ? { boundary } : {}) });
        modifyResource = pol;
        if (mode === 'out-of-reach' && s.use === 'sts:AssumeRole') {
          decoy = 'arn:aws:iam::aws:policy/*';
          reachVariant = 'aws-owned-policies';
        } else {
          const decoyPol = b.customerPolicy('decoy-role-policy', harmless);
          b.role('decoy-role', { trust: trust(bystander), managed: [decoyPol] });
          decoy = decoyPol;
        }
      } else {
        target = b.role('target-role', { trust: roleTrust, ...(boundary ? { boundary } : {}) });
        modifyResource = target;
        decoy = b.role('decoy-role', { trust: trust(bystander) });
      }
    }
    let statements = [allow(s.modify, mode === 'out-of-reach' ? decoy : modifyResource), allow(s.use, target)];
    let neverKey = '';
    if (mode === 'never') ({ statements, key: neverKey } = withNever(statements, 0, neverIdx));
    const attacker = addAttacker(b, statements);
    const oracle = (modifyExpect: 'Allowed' | 'Denied', afterExpect: 'Allowed' | 'Denied', why: [string, string]): OracleRequest[] => [
      { principalArn: attacker, action: s.modify, resource: modifyResource, expect: modifyExpect, why: why[0] },
      s.use === 'sts:AssumeRole'
        ? { principalArn: attacker, action: 'sts:AssumeRole', resource: target, expect: 'Allowed', why: 'the target role trusts the attacker and the attacker may assume it' }
        : { principalArn: attacker, action: s.use, resource: target, expect: 'Allowed', why: `${s.use} on the target` },
      { principalArn: target, ...PROBE, extraIdentity: [adminDoc()], expect: afterExpect, why: why[1] },
    ];
    return { b, attacker, neverKey, reachVariant, oracle };
  };
  const out: PrivescCase[] = [];
  const kindName = isUser ? 'user' : 'role';
  {
    const r = build('positive');
    out.push(make(id, 'positive', undefined, `target-${kindName}`, `the attacker may use ${s.modify} on a powerless ${kindName} and then ${s.use} to become it`, r.b, r.attacker, [], r.oracle('Allowed', 'Allowed', [`${s.modify} on the target`, 'after the edit the target is an administrator'])));
  }
  {
    const r = build('capped');
    out.push(make(id, 'negative', 'nothing-to-give', 'capped-by-boundary', `the target ${kindName} has a permissions boundary allowing only task-execution actions: whatever the attacker grants it stays capped`, r.b, r.attacker, [], r.oracle('Allowed', 'Denied', ['the edit itself is allowed', 'the boundary caps what the target can do'])));
  }
  {
    const r = build('out-of-reach');
    const why = r.reachVariant === 'aws-owned-policies' ? 'iam:CreatePolicyVersion is allowed only on arn:aws:iam::aws:policy/* (AWS-owned, cannot be versioned by customers), not on the customer-managed policy of the role the attacker can assume'
      : `${s.modify} names only a ${r.reachVariant === 'other-user' ? 'bystander user' : 'decoy role'}, while ${s.use} names the target: the two legs never meet on one principal`;
    out.push(make(id, 'negative', 'out-of-reach', r.reachVariant, why, r.b, r.attacker, [], r.oracle('Denied', 'Allowed', ['the target is outside the edit grant', 'the target could be made an administrator by someone else'])));
  }
  {
    const r = build('never', id.length + id.charCodeAt(id.length - 1));
    out.push(make(id, 'negative', 'condition-never-holds', r.neverKey, `the ${s.modify} statement holds only while ${r.neverKey} is before 2019`, r.b, r.attacker, [], r.oracle('Denied', 'Allowed', ['the date condition cannot hold at scan time', 'the target could be made an administrator by someone else'])));
  }
  return out;
}

// ---- the catalogue → shapes -------------------------------------------------------------------

const svcArn = (svc: string, rest: string) => `arn:aws:${svc}:us-east-1:${ACCOUNT}:${rest}`;
const EXISTING_COMPUTE_NOTE = (what: string) => `a ${what} exists and carries the role (an authorization-details export has no compute inventory; only the role trusting the service shows)`;

const CASES: Record<string, () => PrivescCase[]> = {
  'apprunner-001': () => passNew('apprunner-001', { trusts: ['tasks.apprunner.amazonaws.com'], actions: ['apprunner:CreateService'] }),
  'apprunner-002': () => existingCompute('apprunner-002', { trusts: ['tasks.apprunner.amazonaws.com'], actions: ['apprunner:UpdateService'], onCompute: [0], sample: svcArn('apprunner', 'service/web/0123456789abcdef'), assumptions: [EXISTING_COMPUTE_NOTE('App Runner service')] }),
  'bedrock-001': () => passNew('bedrock-001', { trusts: ['bedrock-agentcore.amazonaws.com'], actions: ['bedrock-agentcore:CreateCodeInterpreter', 'bedrock-agentcore:StartCodeInterpreterSession', 'bedrock-agentcore:InvokeCodeInterpreter'], existingTwin: { path: 'bedrock-002', action: 'bedrock-agentcore:StartCodeInterpreterSession', sample: svcArn('bedrock-agentcore', 'code-interpreter-custom/interp-0123456789') } }),
  'bedrock-002': () => existingCompute('bedrock-002', { trusts: ['bedrock-agentcore.amazonaws.com'], actions: ['bedrock-agentcore:StartCodeInterpreterSession', 'bedrock-agentcore:InvokeCodeInterpreter'], onCompute: [0, 1], sample: svcArn('bedrock-agentcore', 'code-interpreter-custom/interp-0123456789'), assumptions: [EXISTING_COMPUTE_NOTE('Bedrock AgentCore code interpreter')] }),
  'cloudformation-001': () => passNew('cloudformation-001', { trusts: ['cloudformation.amazonaws.com'], actions: ['cloudformation:CreateStack'] }),
  'cloudformation-002': () => existingCompute('cloudformation-002', { trusts: ['cloudformation.amazonaws.com'], actions: ['cloudformation:UpdateStack'], onCompute: [0], sample: svcArn('cloudformation', 'stack/app/11111111-2222-3333-4444-555555555555'), assumptions: [EXISTING_COMPUTE_NOTE('CloudFormation stack with a service role')] }),
  'cloudformation-003': () => passNew('cloudformation-003', { trusts: ['cloudformation.amazonaws.com'], actions: ['cloudformation:CreateStackSet', 'cloudformation:CreateStackInstances'], stackSet: true }),
  'cloudformation-004': () => passNew('cloudformation-004', { trusts: ['cloudformation.amazonaws.com'], actions: ['cloudformation:UpdateStackSet'], stackSet: true, assumptions: ['a StackSet exists with at least one stack instance (not in an export)'] }),
  'cloudformation-005': () => existingCompute('cloudformation-005', { trusts: ['cloudformation.amazonaws.com'], actions: ['cloudformation:CreateChangeSet', 'cloudformation:ExecuteChangeSet'], onCompute: [0, 1], sample: svcArn('cloudformation', 'stack/app/11111111-2222-3333-4444-555555555555'), assumptions: [EXISTING_COMPUTE_NOTE('CloudFormation stack with a service role')] }),
  'codebuild-001': () => passNew('codebuild-001', { trusts: ['codebuild.amazonaws.com'], actions: ['codebuild:CreateProject', 'codebuild:StartBuild'], existingTwin: { path: 'codebuild-002', action: 'codebuild:StartBuild', sample: svcArn('codebuild', 'project/build') } }),
  'codebuild-002': () => existingCompute('codebuild-002', { trusts: ['codebuild.amazonaws.com'], actions: ['codebuild:StartBuild'], onCompute: [0], sample: svcArn('codebuild', 'project/build'), assumptions: [EXISTING_COMPUTE_NOTE('CodeBuild project allowing buildspec overrides')] }),
  'codebuild-003': () => existingCompute('codebuild-003', { trusts: ['codebuild.amazonaws.com'], actions: ['codebuild:StartBuildBatch'], onCompute: [0], sample: svcArn('codebuild', 'project/build'), assumptions: [EXISTING_COMPUTE_NOTE('CodeBuild project configured for batch builds')] }),
  'codebuild-004': () => passNew('codebuild-004', { trusts: ['codebuild.amazonaws.com'], actions: ['codebuild:CreateProject', 'codebuild:StartBuildBatch'], existingTwin: { path: 'codebuild-003', action: 'codebuild:StartBuildBatch', sample: svcArn('codebuild', 'project/build') } }),
  'datapipeline-001': () => passNew('datapipeline-001', { trusts: ['datapipeline.amazonaws.com', 'elasticmapreduce.amazonaws.com', 'ec2.amazonaws.com'], actions: ['datapipeline:CreatePipeline', 'datapipeline:PutPipelineDefinition', 'datapipeline:ActivatePipeline'], instanceProfile: true }),
  'ec2-001': () => passNew('ec2-001', { trusts: ['ec2.amazonaws.com'], actions: ['ec2:RunInstances'], instanceProfile: true }),
  'ec2-002': () => existingCompute('ec2-002', { trusts: ['ec2.amazonaws.com'], actions: ['ec2:ModifyInstanceAttribute', 'ec2:StopInstances', 'ec2:StartInstances'], onCompute: [0, 1, 2], sample: svcArn('ec2', 'instance/i-0123456789abcdef0'), instanceProfile: true, assumptions: ['an EC2 instance runs with the instance profile (the export shows the profile, not the instance)'] }),
  'ec2-003': () => passNew('ec2-003', { trusts: ['ec2.amazonaws.com'], actions: ['ec2:RequestSpotInstances'], instanceProfile: true }),
  'ec2-004': () => existingCompute('ec2-004', { trusts: ['ec2.amazonaws.com'], actions: ['ec2:CreateLaunchTemplateVersion', 'ec2:ModifyLaunchTemplate'], onCompute: [0, 1], sample: svcArn('ec2', 'launch-template/lt-0123456789abcdef0'), instanceProfile: true, assumptions: ['a launch template referencing the instance profile exists and is launched from (not in an export)'] }),
  'ec2instanceconnect-003': () => existingCompute('ec2instanceconnect-003', { trusts: ['ec2.amazonaws.com'], actions: ['ec2-instance-connect:SendSSHPublicKey', 'ec2:DescribeInstances'], onCompute: [0], sample: svcArn('ec2', 'instance/i-0123456789abcdef0'), instanceProfile: true, assumptions: ['a running EC2 instance with Instance Connect and SSH reachable carries the profile (not in an export)'] }),
  'ecs-001': () => passNew('ecs-001', { trusts: ['ecs-tasks.amazonaws.com'], actions: ['ecs:CreateCluster', 'ecs:RegisterTaskDefinition', 'ecs:CreateService'] }),
  'ecs-002': () => passNew('ecs-002', { trusts: ['ecs-tasks.amazonaws.com'], actions: ['ecs:CreateCluster', 'ecs:RegisterTaskDefinition', 'ecs:RunTask'] }),
  'ecs-003': () => passNew('ecs-003', { trusts: ['ecs-tasks.amazonaws.com'], actions: ['ecs:RegisterTaskDefinition', 'ecs:CreateService'], assumptions: ['an ECS cluster exists (not in an export)'] }),
  'ecs-004': () => passNew('ecs-004', { trusts: ['ecs-tasks.amazonaws.com'], actions: ['ecs:RegisterTaskDefinition', 'ecs:RunTask'], assumptions: ['an ECS cluster exists (not in an export)'] }),
  'ecs-005': () => passNew('ecs-005', { trusts: ['ecs-tasks.amazonaws.com'], actions: ['ecs:RegisterTaskDefinition', 'ecs:StartTask'], assumptions: ['an ECS cluster with a registered EC2 container instance exists (not in an export)'] }),
  'glue-001': () => passNew('glue-001', { trusts: ['glue.amazonaws.com'], actions: ['glue:CreateDevEndpoint'] }),
  'glue-002': () => existingCompute('glue-002', { trusts: ['glue.amazonaws.com'], actions: ['glue:UpdateDevEndpoint'], onCompute: [0], sample: svcArn('glue', 'devEndpoint/dev'), assumptions: [EXISTING_COMPUTE_NOTE('Glue development endpoint')] }),
  'glue-003': () => passNew('glue-003', { trusts: ['glue.amazonaws.com'], actions: ['glue:CreateJob', 'glue:StartJobRun'] }),
  'glue-004': () => passNew('glue-004', { trusts: ['glue.amazonaws.com'], actions: ['glue:CreateJob', 'glue:CreateTrigger'] }),
  'glue-005': () => passNew('glue-005', { trusts: ['glue.amazonaws.com'], actions: ['glue:UpdateJob', 'glue:StartJobRun'], assumptions: ['a Glue job exists to update (not in an export)'] }),
  'glue-006': () => passNew('glue-006', { trusts: ['glue.amazonaws.com'], actions: ['glue:UpdateJob', 'glue:CreateTrigger'], assumptions: ['a Glue job exists to update (not in an export)'] }),
  'iam-001': () => selfEscalation('iam-001', { action: 'iam:CreatePolicyVersion', attacker: 'user', target: 'own-policy' }),
  'iam-002': () => becomeExisting('iam-002', { actions: ['iam:CreateAccessKey'], target: 'user', assumptions: ['the target user has fewer than two access keys (an export does not list keys)'] }),
  'iam-003': () => becomeExisting('iam-003', { actions: ['iam:CreateAccessKey', 'iam:DeleteAccessKey'], target: 'user', assumptions: ['the target user has two access keys, one of which the attacker deletes (an export does not list keys)'] }),
  'iam-004': () => becomeExisting('iam-004', { actions: ['iam:CreateLoginProfile'], target: 'user', assumptions: ['the target user has no login profile yet (an export cannot show it; PasswordLastUsed absent is consistent)'] }),
  'iam-005': () => selfEscalation('iam-005', { action: 'iam:PutRolePolicy', attacker: 'role', target: 'self' }),
  'iam-006': () => becomeExisting('iam-006', { actions: ['iam:UpdateLoginProfile'], target: 'user', assumptions: ['the target user already has a login profile: an export cannot show it; PasswordLastUsed is set as the only hint it carries'] }),
  'iam-007': () => selfEscalation('iam-007', { action: 'iam:PutUserPolicy', attacker: 'user', target: 'self' }),
  'iam-008': () => selfEscalation('iam-008', { action: 'iam:AttachUserPolicy', attacker: 'user', target: 'self' }),
  'iam-009': () => selfEscalation('iam-009', { action: 'iam:AttachRolePolicy', attacker: 'role', target: 'self' }),
  'iam-010': () => selfEscalation('iam-010', { action: 'iam:AttachGroupPolicy', attacker: 'user', target: 'own-group' }),
  'iam-011': () => selfEscalation('iam-011', { action: 'iam:PutGroupPolicy', attacker: 'user', target: 'own-group' }),
  'iam-012': () => becomeExisting('iam-012', { actions: ['iam:UpdateAssumeRolePolicy'], target: 'role-trusting-other' }),
  'iam-013': () => becomeExisting('iam-013', { actions: ['iam:AddUserToGroup'], target: 'group' }),
  'iam-014': () => modifyThenBecome('iam-014', { modify: 'iam:AttachRolePolicy', use: 'sts:AssumeRole' }),
  'iam-015': () => modifyThenBecome('iam-015', { modify: 'iam:AttachUserPolicy', use: 'iam:CreateAccessKey' }),
  'iam-016': () => modifyThenBecome('iam-016', { modify: 'iam:CreatePolicyVersion', use: 'sts:AssumeRole' }),
  'iam-017': () => modifyThenBecome('iam-017', { modify: 'iam:PutRolePolicy', use: 'sts:AssumeRole' }),
  'iam-018': () => modifyThenBecome('iam-018', { modify: 'iam:PutUserPolicy', use: 'iam:CreateAccessKey' }),
  'iam-019': () => modifyThenBecome('iam-019', { modify: 'iam:AttachRolePolicy', use: 'iam:UpdateAssumeRolePolicy' }),
  'iam-020': () => modifyThenBecome('iam-020', { modify: 'iam:CreatePolicyVersion', use: 'iam:UpdateAssumeRolePolicy' }),
  'iam-021': () => modifyThenBecome('iam-021', { modify: 'iam:PutRolePolicy', use: 'iam:UpdateAssumeRolePolicy' }),
  'lambda-001': () => passNew('lambda-001', { trusts: ['lambda.amazonaws.com'], actions: ['lambda:CreateFunction', 'lambda:InvokeFunction'] }),
  'lambda-002': () => passNew('lambda-002', { trusts: ['lambda.amazonaws.com'], actions: ['lambda:CreateFunction', 'lambda:CreateEventSourceMapping'], assumptions: ['an event source (DynamoDB stream, Kinesis stream or SQS queue) exists (not in an export)'] }),
  'lambda-003': () => existingCompute('lambda-003', { trusts: ['lambda.amazonaws.com'], actions: ['lambda:UpdateFunctionCode'], onCompute: [0], sample: svcArn('lambda', 'function:worker'), assumptions: [EXISTING_COMPUTE_NOTE('Lambda function that is invoked'), 'the function is invoked by something else (a trigger)'] }),
  'lambda-004': () => existingCompute('lambda-004', { trusts: ['lambda.amazonaws.com'], actions: ['lambda:UpdateFunctionCode', 'lambda:InvokeFunction'], onCompute: [0, 1], sample: svcArn('lambda', 'function:worker'), assumptions: [EXISTING_COMPUTE_NOTE('Lambda function')] }),
  'lambda-005': () => existingCompute('lambda-005', { trusts: ['lambda.amazonaws.com'], actions: ['lambda:UpdateFunctionCode', 'lambda:AddPermission'], onCompute: [0, 1], sample: svcArn('lambda', 'function:worker'), assumptions: [EXISTING_COMPUTE_NOTE('Lambda function')] }),
  'lambda-006': () => passNew('lambda-006', { trusts: ['lambda.amazonaws.com'], actions: ['lambda:CreateFunction', 'lambda:AddPermission'] }),
  'sagemaker-001': () => passNew('sagemaker-001', { trusts: ['sagemaker.amazonaws.com'], actions: ['sagemaker:CreateNotebookInstance'] }),
  'sagemaker-002': () => passNew('sagemaker-002', { trusts: ['sagemaker.amazonaws.com'], actions: ['sagemaker:CreateTrainingJob'], assumptions: ['an S3 bucket for training data and output is reachable (not in an export)'] }),
  'sagemaker-003': () => passNew('sagemaker-003', { trusts: ['sagemaker.amazonaws.com'], actions: ['sagemaker:CreateProcessingJob'], assumptions: ['an S3 bucket for input/output is reachable (not in an export)'] }),
  'sagemaker-004': () => existingCompute('sagemaker-004', { trusts: ['sagemaker.amazonaws.com'], actions: ['sagemaker:CreatePresignedNotebookInstanceUrl'], onCompute: [0], sample: svcArn('sagemaker', 'notebook-instance/nb'), assumptions: [EXISTING_COMPUTE_NOTE('SageMaker notebook instance (InService)')] }),
  'sagemaker-005': () => existingCompute('sagemaker-005', { trusts: ['sagemaker.amazonaws.com'], actions: ['sagemaker:CreateNotebookInstanceLifecycleConfig', 'sagemaker:StopNotebookInstance', 'sagemaker:UpdateNotebookInstance', 'sagemaker:StartNotebookInstance'], onCompute: [1, 2, 3], sample: svcArn('sagemaker', 'notebook-instance/nb'), assumptions: [EXISTING_COMPUTE_NOTE('SageMaker notebook instance')] }),
  // SSM needs the instance role to carry AmazonSSMManagedInstanceCore; that policy reads SSM
  // parameters (credential access), so the nothing-to-give control strips the role entirely.
  'ssm-001': () => existingCompute('ssm-001', { trusts: ['ec2.amazonaws.com'], actions: ['ssm:StartSession'], onCompute: [0], sample: svcArn('ec2', 'instance/i-0123456789abcdef0'), instanceProfile: true, alsoManaged: ['AmazonSSMManagedInstanceCore'], stripOnly: true, assumptions: ['a running EC2 instance with the SSM agent carries the profile (not in an export)'] }),
  'ssm-002': () => existingCompute('ssm-002', { trusts: ['ec2.amazonaws.com'], actions: ['ssm:SendCommand'], onCompute: [0], sample: svcArn('ec2', 'instance/i-0123456789abcdef0'), instanceProfile: true, alsoManaged: ['AmazonSSMManagedInstanceCore'], stripOnly: true, assumptions: ['a running EC2 instance with the SSM agent carries the profile (not in an export)'] }),
  'sts-001': () => becomeExisting('sts-001', { actions: ['sts:AssumeRole'], target: 'role-trusting-root' }),
};

/** Path ids this module has cases for. */
export const coveredPathIds = (): string[] => Object.keys(CASES).sort();

/** The cases for one catalogue path id; throws for an id the catalogue gained and this module lacks. */
export function privescCases(pathId: string): PrivescCase[] {
  const f = CASES[pathId];
  if (!f) throw new Error(`no test cases for catalogue path ${pathId}: add it to test/support/privesc-cases.ts`);
  return f();
}

/** `trustStatement` is re-exported for chain builders that need conditions on trust. */
export { trustStatement };
