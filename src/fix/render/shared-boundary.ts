// Permissions boundaries by content. Every principal whose boundary says the same thing shares
// one managed policy, named from its content (`leash-boundary-<12 hex>`): at thousands of agent
// principals one policy each would pass IAM's per-account quota of customer managed policies
// (1,500 by default), and a reviewer reads each distinct boundary once instead of once per
// principal. The policy lives in fixes/boundaries/<name>/ (its JSON, main.tf, README); a
// principal's folder attaches it by name.
import { hash } from 'node:crypto';
import type { PolicyDocument } from '../../model/policy.js';
import { BOUNDARIES_DIR, POLICY_ID_FILE } from '../../report/bundle.js';
import { safePart } from '../../safe/name.js';
import { renderPolicyJson } from './policy-json.js';

export const SHARED_BOUNDARY_PREFIX = 'leash-boundary-';
export { BOUNDARIES_DIR, POLICY_ID_FILE };

/** sha256 of the policy's JSON text as leash writes it. */
export function policyDigest(doc: PolicyDocument): string {
  return hash('sha256', renderPolicyJson(doc, { compact: true }), 'hex');
}

/** The managed policy name of a boundary with this content. 48 bits: a collision needs ~16 million distinct boundaries in one account. */
export function sharedBoundaryName(doc: PolicyDocument): string {
  return `${SHARED_BOUNDARY_PREFIX}${policyDigest(doc).slice(0, 12)}`;
}

/** The folder of a shared boundary, relative to the fixes folder (through the one safe-name rule). */
export function sharedBoundaryDir(name: string): string {
  return `${BOUNDARIES_DIR}/${safePart('policy', name)}`;
}
