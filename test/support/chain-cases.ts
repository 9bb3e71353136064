// Chains of two to four hops in one account (issue 9), each with negative controls that break
// exactly one link with one of IAM's real rules: a trust policy that names the account root
// while the identity policy does not allow sts:AssumeRole; an explicit deny; a permissions
// boundary that denies sts:AssumeRole; an SCP; a trust condition that cannot hold.
// Each case lists the hop requests iam-simulate must decide as stated (test/graph/chains.test.ts).
import { IamExportBuilder, allow, deny, policy, trust, trustStatement, type AuthorizationDetailsJson, type PolicyJson } from './iam-export-builder.js';
import { ACCOUNT, type OracleRequest } from './privesc-cases.js';
import type { OracleQuery } from './oracle.js';

export type ChainBreak = 'root-trust-without-identity-grant' | 'explicit-deny' | 'boundary-denies-assume-role' | 'scp' | 'trust-condition-never-holds' | 'trust-names-other-account' | 'trust-names-other-principal';

export interface ChainCase {
  readonly id: string;
  readonly polarity: 'positive' | 'negative';
  /** Hops from the attacker to the prize in the positive. */
  readonly hops: number;
  /** The finding the positive must produce on the attacker. */
  readonly expectCheck: 'reaches-admin' | 'agent-reaches-destructive';
  readonly breaks?: ChainBreak;
  readonly why: string;
  readonly attackerArn: string;
  readonly export: AuthorizationDetailsJson;
  /** Account-level SCPs (beside FullAWSAccess). */
  readonly scps?: readonly PolicyJson[];
  readonly oracle: readonly (OracleRequest & Pick<OracleQuery, 'scps'>)[];
  /**
   * The grants behind the chain's edges (positives): a role's trust policy, or an inline policy
   * of a user/role/group. Removing any one of them breaks the chain (graph-properties.test.ts).
   */
  readonly grants: readonly ChainGrant[];
}

export type ChainGrant =
  | { readonly kind: 'trust'; readonly role: string }
  | { readonly kind: 'inline'; readonly entity: 'user' | 'role' | 'group'; readonly name: string; readonly policy: string };

const GRANTS: Record<string, readonly ChainGrant[]> = {
  'user-role-role-admin': [{ kind: 'trust', role: 'hop-a' }, { kind: 'trust', role: 'admin-b' }],
  'agent-deploy-deletestack': [{ kind: 'inline', entity: 'role', name: 'coding-agent', policy: 'agent-policy' }, { kind: 'trust', role: 'deploy' }, { kind: 'inline', entity: 'role', name: 'deploy', policy: 'deploy' }],
  'assume-then-self-putrolepolicy': [{ kind: 'trust', role: 'self-editor' }, { kind: 'inline', entity: 'role', name: 'self-editor', policy: 'self-edit' }],
  'three-hops': [{ kind: 'inline', entity: 'user', name: 'attacker', policy: 'assume' }, { kind: 'trust', role: 'hop-a' }, { kind: 'trust', role: 'hop-b' }, { kind: 'trust', role: 'admin-c' }],
  'four-hops': [{ kind: 'trust', role: 'hop-a' }, { kind: 'trust', role: 'hop-b' }, { kind: 'trust', role: 'hop-c' }, { kind: 'trust', role: 'admin-d' }],
  'mint-keys-then-assume': [{ kind: 'inline', entity: 'user', name: 'attacker', policy: 'keys' }, { kind: 'trust', role: 'admin-role' }],
  // fn-role's own sts:AssumeRole grant is not on the list: the admin role's trust names fn-role's
  // ARN, which in the same account is enough without it.
  'passrole-then-assume': [{ kind: 'inline', entity: 'user', name: 'attacker', policy: 'lambda' }, { kind: 'trust', role: 'fn-role' }, { kind: 'trust', role: 'admin-role' }],
  'join-group-then-assume': [{ kind: 'inline', entity: 'user', name: 'attacker', policy: 'join' }, { kind: 'inline', entity: 'group', name: 'deployers', policy: 'assume' }, { kind: 'trust', role: 'admin-role' }],
  'agent-two-hops-destructive': [{ kind: 'trust', role: 'ops' }, { kind: 'trust', role: 'deploy' }, { kind: 'inline', entity: 'role', name: 'deploy', policy: 'deploy' }],
};

const ADMIN = 'AdministratorAccess';
const PROBE = { action: 'iam:CreateUser', resource: `arn:aws:iam::${ACCOUNT}:user/probe` } as const;
const STACK = `arn:aws:cloudformation:us-east-1:${ACCOUNT}:stack/prod-env/11111111-2222-3333-4444-555555555555`;
const NEVER = { DateLessThan: { 'aws:CurrentTime': '2019-01-01T00:00:00Z' } };
/** A boundary that keeps everything but sts:AssumeRole (the fix issue 9 proposes for agents). */
const denyAssumeBoundary = (): PolicyJson => policy(allow('*', '*'), deny('sts:AssumeRole', '*'));

type Variant = 'positive' | ChainBreak;
const assume = (principalArn: string, role: string, expect: 'Allowed' | 'Denied', why: string, scps?: readonly PolicyJson[]) =>
  ({ principalArn, action: 'sts:AssumeRole', resource: role, expect, why, ...(scps ? { scps } : {}) });

function chainCase(id: string, v: Variant, hops: number, expectCheck: ChainCase['expectCheck'], why: string, b: IamExportBuilder, attackerArn: string, oracle: ChainCase['oracle'], scps?: PolicyJson[]): ChainCase {
  return { id, polarity: v === 'positive' ? 'positive' : 'negative', hops, expectCheck, ...(v === 'positive' ? {} : { breaks: v }), why, attackerArn, export: b.build(), ...(scps ? { scps } : {}), oracle, grants: v === 'positive' ? GRANTS[id] ?? [] : [] };
}

/** user (no policies) → role A (trust names the user) → admin role B (trust names A). */
function userRoleRoleAdmin(v: 'positive' | 'root-trust-without-identity-grant' | 'explicit-deny'): ChainCase {
  const b = new IamExportBuilder(ACCOUNT);
  const attacker = b.user('attacker');
  const aArn = b.roleArn('hop-a');
  b.role('hop-a', { trust: trust(attacker), ...(v === 'explicit-deny' ? { inline: { 'no-assume': policy(deny('sts:AssumeRole', '*')) } } : {}) });
  const admin = b.role('admin-b', { trust: v === 'root-trust-without-identity-grant' ? trust(b.root) : trust(aArn), managed: [ADMIN] });
  const why = {
    positive: 'a user with no policies is named in role A\'s trust, and A is named in admin role B\'s trust: same-account trust naming a principal grants it alone',
    'root-trust-without-identity-grant': 'B trusts the account root, so A would need an identity policy allowing sts:AssumeRole, and has none',
    'explicit-deny': 'A\'s own policy explicitly denies sts:AssumeRole, which overrides B\'s trust',
  }[v];
  return chainCase('user-role-role-admin', v, 2, 'reaches-admin', why, b, attacker, [
    assume(attacker, aArn, 'Allowed', 'the trust names the user'),
    assume(aArn, admin, v === 'positive' ? 'Allowed' : 'Denied', why),
    { principalArn: admin, ...PROBE, expect: 'Allowed', why: 'B is an administrator' },
  ]);
}

/** An agent role (tag ai-agent=true) → a deploy role that may cloudformation:DeleteStack. */
function agentDeployDeleteStack(v: 'positive' | 'boundary-denies-assume-role' | 'trust-names-other-principal'): ChainCase {
  const b = new IamExportBuilder(ACCOUNT);
  const ci = b.role('ci-runner', { trust: trust('codebuild.amazonaws.com') });
  const deploy = b.roleArn('deploy');
  const boundary = v === 'boundary-denies-assume-role' ? b.customerPolicy('agent-boundary', denyAssumeBoundary()) : undefined;
  const agent = b.role('coding-agent', {
    trust: trust(b.root), tags: { 'ai-agent': 'true' },
    inline: { 'agent-policy': policy(allow(['cloudformation:DescribeStacks', 'logs:GetLogEvents'], '*'), allow('sts:AssumeRole', deploy)) },
    ...(boundary ? { boundary } : {}),
  });
  b.role('deploy', { trust: v === 'trust-names-other-principal' ? trust(ci) : trust(b.root), inline: { deploy: policy(allow(['cloudformation:DeleteStack', 'cloudformation:CreateStack', 'cloudformation:DescribeStacks'], '*')) } });
  const why = {
    positive: 'the agent may assume the deploy role (trust: account root; identity: sts:AssumeRole on it), which may delete stacks',
    'boundary-denies-assume-role': 'the agent\'s permissions boundary denies sts:AssumeRole',
    'trust-names-other-principal': 'the deploy role trusts only the CI role, so the agent\'s own sts:AssumeRole grant is not enough',
  }[v];
  return chainCase('agent-deploy-deletestack', v, 1, 'agent-reaches-destructive', why, b, agent, [
    assume(agent, deploy, v === 'positive' ? 'Allowed' : 'Denied', why),
    { principalArn: deploy, action: 'cloudformation:DeleteStack', resource: STACK, expect: 'Allowed', why: 'the deploy role may delete stacks' },
  ]);
}

/** user → role R (trust names the user) → R may PutRolePolicy on itself. */
function assumeThenSelfPutRolePolicy(v: 'positive' | 'scp'): ChainCase {
  const b = new IamExportBuilder(ACCOUNT);
  const attacker = b.user('attacker');
  const rArn = b.roleArn('self-editor');
  b.role('self-editor', { trust: trust(attacker), inline: { 'self-edit': policy(allow('iam:PutRolePolicy', rArn)) } });
  const scps = v === 'scp' ? [policy(deny(['iam:PutRolePolicy', 'iam:AttachRolePolicy'], '*'))] : undefined;
  const why = v === 'positive' ? 'the user may assume role R (its trust names the user), and R may put any inline policy on itself' : 'an SCP denies iam:PutRolePolicy in the account, so R cannot rewrite itself';
  return chainCase('assume-then-self-putrolepolicy', v, 2, 'reaches-admin', why, b, attacker, [
    assume(attacker, rArn, 'Allowed', 'the trust names the user', scps),
    { principalArn: rArn, action: 'iam:PutRolePolicy', resource: rArn, expect: v === 'positive' ? 'Allowed' : 'Denied', why, ...(scps ? { scps } : {}) },
  ], scps);
}

/** user → A (trust root + identity grant) → B (trust names A) → C admin (trust names B). */
function threeHops(v: 'positive' | 'boundary-denies-assume-role'): ChainCase {
  const b = new IamExportBuilder(ACCOUNT);
  const [aArn, bArn, cArn] = [b.roleArn('hop-a'), b.roleArn('hop-b'), b.roleArn('admin-c')];
  const attacker = b.user('attacker', { inline: { assume: policy(allow('sts:AssumeRole', aArn)) } });
  b.role('hop-a', { trust: trust(b.root) });
  const boundary = v === 'boundary-denies-assume-role' ? b.customerPolicy('hop-b-boundary', denyAssumeBoundary()) : undefined;
  b.role('hop-b', { trust: trust(aArn), ...(boundary ? { boundary } : {}) });
  b.role('admin-c', { trust: trust(bArn), managed: [ADMIN] });
  const why = v === 'positive' ? 'the user may assume A (root trust + its own grant), A is named in B\'s trust, B in admin C\'s trust' : 'B\'s permissions boundary denies sts:AssumeRole, so B cannot take the last hop';
  return chainCase('three-hops', v, 3, 'reaches-admin', why, b, attacker, [
    assume(attacker, aArn, 'Allowed', 'root trust and the user\'s own grant'),
    assume(aArn, bArn, 'Allowed', 'B\'s trust names A'),
    assume(bArn, cArn, v === 'positive' ? 'Allowed' : 'Denied', why),
    { principalArn: cArn, ...PROBE, expect: 'Allowed', why: 'C is an administrator' },
  ]);
}

/** user → A → B → C → D admin, every trust naming the previous hop. */
function fourHops(v: 'positive' | 'trust-condition-never-holds' | 'explicit-deny'): ChainCase {
  const b = new IamExportBuilder(ACCOUNT);
  const attacker = b.user('attacker');
  const names = ['hop-a', 'hop-b', 'hop-c', 'admin-d'];
  const arns = names.map((n) => b.roleArn(n));
  names.forEach((n, i) => {
    const prev = i === 0 ? attacker : arns[i - 1]!;
    const t = n === 'admin-d' && v === 'trust-condition-never-holds' ? policy(trustStatement(prev, NEVER)) : trust(prev);
    b.role(n, { trust: t, ...(n === 'admin-d' ? { managed: [ADMIN] } : {}), ...(n === 'hop-b' && v === 'explicit-deny' ? { inline: { 'no-chaining': policy(deny('sts:AssumeRole', arns[2]!)) } } : {}) });
  });
  const why = {
    positive: 'four hops, each trust naming the previous principal: user → A → B → C → admin D',
    'trust-condition-never-holds': 'D\'s trust statement holds only while aws:CurrentTime is before 2019',
    'explicit-deny': 'B\'s own policy explicitly denies sts:AssumeRole on C',
  }[v];
  return chainCase('four-hops', v, 4, 'reaches-admin', why, b, attacker, [
    assume(attacker, arns[0]!, 'Allowed', 'A trusts the user'),
    assume(arns[0]!, arns[1]!, 'Allowed', 'B trusts A'),
    assume(arns[1]!, arns[2]!, v === 'explicit-deny' ? 'Denied' : 'Allowed', v === 'explicit-deny' ? why : 'C trusts B'),
    assume(arns[2]!, arns[3]!, v === 'trust-condition-never-holds' ? 'Denied' : 'Allowed', v === 'trust-condition-never-holds' ? why : 'D trusts C'),
    { principalArn: arns[3]!, ...PROBE, expect: 'Allowed', why: 'D is an administrator' },
  ]);
}

/** user → (CreateAccessKey) user U with no policies → admin role trusting U. */
function mintKeysThenAssume(v: 'positive' | 'root-trust-without-identity-grant'): ChainCase {
  const b = new IamExportBuilder(ACCOUNT);
  const deployer = b.user('deployer');
  const attacker = b.user('attacker', { inline: { keys: policy(allow('iam:CreateAccessKey', deployer)) } });
  const admin = b.role('admin-role', { trust: v === 'positive' ? trust(deployer) : trust(b.root), managed: [ADMIN] });
  const why = v === 'positive' ? 'the attacker may create access keys for user U, and the admin role\'s trust names U' : 'the admin role trusts the account root and U has no identity policy allowing sts:AssumeRole';
  return chainCase('mint-keys-then-assume', v, 2, 'reaches-admin', why, b, attacker, [
    { principalArn: attacker, action: 'iam:CreateAccessKey', resource: deployer, expect: 'Allowed', why: 'CreateAccessKey on U' },
    assume(deployer, admin, v === 'positive' ? 'Allowed' : 'Denied', why),
  ]);
}

/** user → (PassRole + Lambda) function role → admin role trusting the function role. */
function passRoleThenAssume(v: 'positive' | 'explicit-deny'): ChainCase {
  const b = new IamExportBuilder(ACCOUNT);
  const fnArn = b.roleArn('fn-role');
  const adminArn = b.roleArn('admin-role');
  b.role('fn-role', { trust: trust('lambda.amazonaws.com'), inline: { chain: policy(allow('sts:AssumeRole', adminArn), ...(v === 'explicit-deny' ? [deny('sts:AssumeRole', '*')] : [])) } });
  b.role('admin-role', { trust: trust(fnArn), managed: [ADMIN] });
  const attacker = b.user('attacker', { inline: { lambda: policy(allow('iam:PassRole', fnArn), allow(['lambda:CreateFunction', 'lambda:InvokeFunction'], '*')) } });
  const why = v === 'positive' ? 'the attacker may pass a Lambda role (which trusts Lambda) to a new function; that role is named in the admin role\'s trust' : 'the Lambda role explicitly denies itself sts:AssumeRole';
  return chainCase('passrole-then-assume', v, 2, 'reaches-admin', why, b, attacker, [
    { principalArn: attacker, action: 'iam:PassRole', resource: fnArn, context: { 'iam:PassedToService': 'lambda.amazonaws.com' }, expect: 'Allowed', why: 'PassRole on the function role' },
    assume(fnArn, adminArn, v === 'positive' ? 'Allowed' : 'Denied', why),
  ]);
}

/** user → (AddUserToGroup) group whose policy may assume an admin role trusting the account. */
function joinGroupThenAssume(v: 'positive' | 'trust-names-other-account'): ChainCase {
  const b = new IamExportBuilder(ACCOUNT);
  const adminArn = b.roleArn('admin-role');
  const groupPolicy = policy(allow('sts:AssumeRole', adminArn));
  const group = b.group('deployers', { inline: { assume: groupPolicy } });
  const attacker = b.user('attacker', { inline: { join: policy(allow('iam:AddUserToGroup', group)) } });
  b.role('admin-role', { trust: v === 'positive' ? trust(b.root) : trust('arn:aws:iam::333333333333:root'), managed: [ADMIN] });
  const why = v === 'positive' ? 'the attacker may add itself to a group whose policy may assume an admin role that trusts the account' : 'the admin role trusts another account (333333333333), not this one';
  return chainCase('join-group-then-assume', v, 2, 'reaches-admin', why, b, attacker, [
    { principalArn: attacker, action: 'iam:AddUserToGroup', resource: group, expect: 'Allowed', why: 'AddUserToGroup on the group' },
    { ...assume(attacker, adminArn, v === 'positive' ? 'Allowed' : 'Denied', `${why} (as a member of the group)`), extraIdentity: [groupPolicy] },
  ]);
}

/** agent → ops role → deploy role (DeleteStack): three principals, two assumptions. */
function agentTwoHopsDestructive(v: 'positive' | 'scp'): ChainCase {
  const b = new IamExportBuilder(ACCOUNT);
  const [ops, deploy] = [b.roleArn('ops'), b.roleArn('deploy')];
  const agent = b.role('kiro-agent', { trust: trust(b.root), tags: { 'ai-agent': 'true' }, inline: { read: policy(allow(['cloudwatch:GetMetricData', 'logs:FilterLogEvents'], '*')) } });
  b.role('ops', { trust: trust(agent) });
  b.role('deploy', { trust: trust(ops), inline: { deploy: policy(allow(['cloudformation:DeleteStack', 'cloudformation:UpdateStack'], '*')) } });
  const scps = v === 'scp' ? [policy(deny(['cloudformation:DeleteStack', 'cloudformation:UpdateStack'], '*'))] : undefined;
  const why = v === 'positive' ? 'the agent is named in the ops role\'s trust, ops in the deploy role\'s, and the deploy role may delete stacks' : 'an SCP denies cloudformation:DeleteStack and UpdateStack in the account';
  return chainCase('agent-two-hops-destructive', v, 2, 'agent-reaches-destructive', why, b, agent, [
    assume(agent, ops, 'Allowed', 'ops trusts the agent', scps),
    assume(ops, deploy, 'Allowed', 'deploy trusts ops', scps),
    { principalArn: deploy, action: 'cloudformation:DeleteStack', resource: STACK, expect: v === 'positive' ? 'Allowed' : 'Denied', why, ...(scps ? { scps } : {}) },
  ], scps);
}

/** Every chain case: positives first, each followed by its negatives. */
export function chainCases(): ChainCase[] {
  return [
    userRoleRoleAdmin('positive'), userRoleRoleAdmin('root-trust-without-identity-grant'), userRoleRoleAdmin('explicit-deny'),
    agentDeployDeleteStack('positive'), agentDeployDeleteStack('boundary-denies-assume-role'), agentDeployDeleteStack('trust-names-other-principal'),
    assumeThenSelfPutRolePolicy('positive'), assumeThenSelfPutRolePolicy('scp'),
    threeHops('positive'), threeHops('boundary-denies-assume-role'),
    fourHops('positive'), fourHops('trust-condition-never-holds'), fourHops('explicit-deny'),
    mintKeysThenAssume('positive'), mintKeysThenAssume('root-trust-without-identity-grant'),
    passRoleThenAssume('positive'), passRoleThenAssume('explicit-deny'),
    joinGroupThenAssume('positive'), joinGroupThenAssume('trust-names-other-account'),
    agentTwoHopsDestructive('positive'), agentTwoHopsDestructive('scp'),
  ];
}
