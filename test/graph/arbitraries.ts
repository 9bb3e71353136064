// Generated accounts for graph properties (fast-check): three users and five roles with random
// policies, trusts, boundaries and SCPs, and an optional second account that trusts the first.
import fc from 'fast-check';
import { ADMIN, DEV, PROD, allow, arn, deny, doc, trust, type AccountSpec, type Doc } from './accounts.js';

const USERS = ['u0', 'u1', 'u2'];
const ROLES = ['app-a', 'app-b', 'glue-x', 'svc-y', 'web-z'];
export const role = (name: string) => arn(DEV, 'role', name);
const actionArb = fc.constantFrom(
  'sts:AssumeRole', 'iam:PassRole', 'ec2:RunInstances', 'ec2:AssociateIamInstanceProfile', 'lambda:CreateFunction', 'lambda:InvokeFunction', 'lambda:UpdateFunctionCode',
  'iam:PutRolePolicy', 'iam:AttachUserPolicy', 'iam:UpdateAssumeRolePolicy', 'iam:CreateAccessKey', 'iam:AddUserToGroup', 'iam:PutGroupPolicy', 'iam:CreatePolicyVersion',
  'iam:DeleteRolePermissionsBoundary', 's3:GetObject', 'sts:*', 'iam:*',
);
const resourceArb = fc.constantFrom('*', '*', `arn:aws:iam::${DEV}:role/*`, `arn:aws:iam::*:role/app-*`, role('glue-x'), role('svc-y'), `arn:aws:iam::${DEV}:user/*`,
  arn(DEV, 'user', 'u1'), arn(DEV, 'group', 'g0'), arn(DEV, 'policy', 'shared'), 'arn:aws:s3:::bucket/*', `arn:aws:iam::${DEV}:role/s?c-*`, `arn:aws:iam::${DEV}:role/*-z`, 'arn:aws:iam::*:*',
  `arn:aws:iam::${DEV}:user/u*`);
const passedTo = (svc: string) => ({ StringEquals: { 'iam:PassedToService': `${svc}.amazonaws.com` } });
const conditionArb = fc.constantFrom<unknown>(undefined, undefined, undefined, passedTo('ec2'), passedTo('lambda'), { Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
  { StringEquals: { 'aws:ResourceTag/team': 'a' } }, { StringEquals: { 'aws:PrincipalTag/team': 'a' } });
const statementArb = fc.record({ deny: fc.integer({ min: 0, max: 5 }).map((x) => x === 0), actions: fc.uniqueArray(actionArb, { minLength: 1, maxLength: 4 }), resources: fc.uniqueArray(resourceArb, { minLength: 1, maxLength: 2 }), condition: conditionArb })
  .map((s) => (s.deny ? deny : allow)(s.actions, s.resources, s.condition));
const policyArb: fc.Arbitrary<Doc> = fc.array(statementArb, { minLength: 1, maxLength: 4 }).map((st) => doc(...st));
const trustArb = fc.constantFrom(
  trust({ Service: 'ec2.amazonaws.com' }), trust({ Service: 'lambda.amazonaws.com' }), trust({ AWS: `arn:aws:iam::${DEV}:root` }), trust({ AWS: `arn:aws:iam::${DEV}:root` }),
  trust({ AWS: '*' }), trust({ AWS: arn(DEV, 'user', 'u0') }), trust({ AWS: role('app-a') }), trust({ AWS: '*' }, { StringEquals: { 'aws:PrincipalTag/team': 'a' } }),
  trust({ AWS: `arn:aws:iam::${DEV}:root` }, { StringEquals: { 'aws:PrincipalTag/team': 'a' } }), trust({ AWS: 'arn:aws:iam::333333333333:root' }),
);
export const accountArb: fc.Arbitrary<AccountSpec> = fc.record({
  users: fc.tuple(...USERS.map((name) => fc.record({ inline: fc.array(policyArb, { maxLength: 2 }), shared: fc.boolean(), tags: fc.boolean(), group: fc.boolean(), bounded: fc.boolean() }).map((u) => ({ name, ...u })))),
  roles: fc.tuple(...ROLES.map((name) => fc.record({ trust: trustArb, inline: fc.array(fc.oneof(policyArb, policyArb, fc.constant(ADMIN)), { maxLength: 2 }), instanceProfile: fc.boolean(), shared: fc.boolean(), bounded: fc.boolean() }).map((r) => ({ name, ...r })))),
  group: fc.oneof(policyArb, fc.constant(ADMIN)),
  shared: policyArb,
  boundary: policyArb,
  scp: fc.option(policyArb.map((d) => doc(allow('*'), ...d.Statement)), { freq: 4 }),
}).map((a) => ({
  users: a.users.map((u) => ({ name: u.name, inline: u.inline, ...(u.shared ? { managed: ['shared'] } : {}), ...(u.tags ? { tags: { team: 'a' } } : {}), ...(u.group ? { groups: ['g0'] } : {}), ...(u.bounded ? { boundary: 'edge' } : {}) })),
  roles: a.roles.map((r) => ({ name: r.name, trust: r.trust, inline: r.inline, instanceProfile: r.instanceProfile, ...(r.shared ? { managed: ['shared'] } : {}), ...(r.bounded ? { boundary: 'edge' } : {}) })),
  groups: [{ name: 'g0', inline: [a.group] }, { name: 'g1', inline: [ADMIN] }],
  policies: { shared: a.shared, edge: a.boundary },
  ...(a.scp ? { scps: [a.scp] } : {}),
}));

// A second account analysed with the first: its roles trust the first account or one of its
// principals, its principals may act on the first's roles (cross-account edges, and lists of
// another account's principals in every reach).
export const otherArb: fc.Arbitrary<AccountSpec | undefined> = fc.option(fc.record({
  policy: policyArb,
  trusts: fc.tuple(fc.constantFrom(trust({ AWS: `arn:aws:iam::${DEV}:root` }), trust({ AWS: arn(DEV, 'user', 'u1') }), trust({ AWS: role('app-b') }), trust({ Service: 'ec2.amazonaws.com' })), fc.constantFrom(trust({ AWS: `arn:aws:iam::${DEV}:root` }), trust({ AWS: '*' }))),
  admin: fc.boolean(),
}).map((o) => ({
  id: PROD,
  users: [{ name: 'p0', inline: [o.policy] }],
  roles: [{ name: 'app-a', trust: o.trusts[0], inline: o.admin ? [ADMIN] : [o.policy] }, { name: 'ops', trust: o.trusts[1], inline: [o.policy] }],
})), { freq: 2 });
