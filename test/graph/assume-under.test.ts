// Session 44: build.ts `assumeUnder` — may a principal still assume a role once its policies are
// a fix's? The graph's own caller-side rule (`callerSide`, session 9/43, with the AWS passages it
// quotes from reference_policies_evaluation-logic_policy-eval-denyallow.html) asked with the
// identity, boundary and session policy replaced: a trust naming a user's ARN, a session of the
// caller or anyone needs no Allow and is not limited by a boundary's (or a session policy's)
// implicit deny, only by an explicit Deny; one naming a role's ARN is limited by both; one naming
// the account needs the caller's own Allow; another account's caller always does.
import { describe, expect, it } from 'vitest';
import { analyzeSnapshots, defaultConfig } from '../../src/pipeline/scan.js';
import { assumeUnder, type FixLayers } from '../../src/graph/build.js';
import { parsePolicy } from '../../src/iam/parse.js';
import type { PolicyDocument } from '../../src/model/policy.js';
import { ADMIN, DEV, PROD, allow, arn, deny, doc, snapshot, trust, type AccountSpec, type Doc } from './accounts.js';

const NOW = new Date('2026-12-01T12:00:00Z');
const USER = arn(DEV, 'user', 'dev');
const ROLE = arn(DEV, 'role', 'caller');
const TARGET = arn(DEV, 'role', 'target');
const MFA = { Bool: { 'aws:MultiFactorAuthPresent': 'true' } };
const pol = (d: Doc): PolicyDocument => {
  const r = parsePolicy(d, 'identity');
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.document;
};
const NOTHING = pol(doc(allow('s3:ListBucket', 'arn:aws:s3:::x')));
const ALLOW_ASSUME = pol(doc(allow('sts:AssumeRole', TARGET)));
const DENY_ASSUME = pol(doc(allow('*'), deny('sts:AssumeRole', TARGET)));
const GATE_ASSUME = pol(doc(allow('*'), deny('sts:AssumeRole', TARGET, { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } })));

/** The caller (user `dev` or role `caller`) and `target` (trust as given) in DEV, or target in PROD. */
function ask(callerArn: string, targetTrust: Doc, layers: FixLayers, targetAccount = DEV): ReturnType<typeof assumeUnder> {
  const caller: AccountSpec = callerArn === USER
    ? { users: [{ name: 'dev', inline: [doc(allow('s3:ListBucket', 'arn:aws:s3:::x'))] }] }
    : { roles: [{ name: 'caller', trust: trust({ Service: 'ec2.amazonaws.com' }), inline: [doc(allow('s3:ListBucket', 'arn:aws:s3:::x'))] }] };
  const target: AccountSpec = { id: targetAccount, roles: [{ name: 'target', trust: targetTrust, inline: [ADMIN] }] };
  const specs = targetAccount === DEV ? [{ ...caller, roles: [...(caller.roles ?? []), ...target.roles!] }] : [caller, target];
  const [a] = analyzeSnapshots(specs.map(snapshot), defaultConfig(), { scanId: 't', startedAt: NOW.toISOString(), now: NOW, fixes: false });
  const g = a!.graph;
  return assumeUnder(g.node(callerArn)!, g.node(arn(targetAccount, 'role', 'target'))!, layers);
}

describe('assumeUnder: the caller side with a fix in place', () => {
  it("a role named by its role ARN: open with no boundary; closed by a boundary's or a session policy's implicit deny; open when they allow it", () => {
    const t = trust({ AWS: ROLE });
    expect(ask(ROLE, t, { identity: [NOTHING] })).toBe('none');
    expect(ask(ROLE, t, { identity: [NOTHING], boundary: NOTHING })).toBeUndefined();
    expect(ask(ROLE, t, { identity: [NOTHING], session: NOTHING })).toBeUndefined();
    expect(ask(ROLE, t, { identity: [NOTHING], boundary: ALLOW_ASSUME, session: ALLOW_ASSUME })).toBe('none');
  });

  it("a user's ARN, a session of the role, `*`: a boundary's or session policy's implicit deny does not limit them; an explicit Deny closes them; a Deny unless MFA gates them", () => {
    for (const [who, t] of [[USER, trust({ AWS: USER })], [ROLE, trust({ AWS: `arn:aws:sts::${DEV}:assumed-role/caller/s1` })], [USER, trust({ AWS: '*' })], [ROLE, trust({ AWS: '*' })]] as const) {
      const what = `${who} ${JSON.stringify(t.Statement[0])}`;
      expect(ask(who, t, { identity: [NOTHING], boundary: NOTHING, ...(who === ROLE ? { session: NOTHING } : {}) }), what).toBe('none');
      expect(ask(who, t, { identity: [NOTHING], boundary: DENY_ASSUME }), what).toBeUndefined();
      expect(ask(who, t, { identity: [DENY_ASSUME] }), what).toBeUndefined();
      expect(ask(who, t, { identity: [NOTHING], boundary: GATE_ASSUME }), what).toBe('approval');
    }
  });

  it('the account trusted: needs the identity Allow (and the boundary); another account: needs the Allow whatever the trust names', () => {
    for (const t of [trust({ AWS: DEV }), trust({ AWS: `arn:aws:iam::${DEV}:root` })]) {
      expect(ask(USER, t, { identity: [NOTHING] })).toBeUndefined();
      expect(ask(USER, t, { identity: [ALLOW_ASSUME] })).toBe('none');
      expect(ask(USER, t, { identity: [ALLOW_ASSUME], boundary: NOTHING })).toBeUndefined();
    }
    const x = trust({ AWS: USER });
    expect(ask(USER, x, { identity: [NOTHING] }, PROD)).toBeUndefined();
    expect(ask(USER, x, { identity: [pol(doc(allow('sts:AssumeRole', arn(PROD, 'role', 'target'))))] }, PROD)).toBe('none');
  });

  it("the trust's own verdict stays: an MFA condition in the trust makes the hop need approval; a trust naming someone else is no hop", () => {
    expect(ask(USER, trust({ AWS: USER }, MFA), { identity: [NOTHING] })).toBe('approval');
    expect(ask(USER, trust({ AWS: arn(DEV, 'user', 'other') }), { identity: [ALLOW_ASSUME] })).toBeUndefined();
  });
});
