// A finding's stable id: the same check, principal and subject give the same id in every scan
// (the diff, firstSeen and suppressions match on it). Part of the report contract.
import { hash } from 'node:crypto';

export function findingId(checkId: string, principalArn: string, subject: string): string {
  // One-shot hash: no Hash object per finding (~40k at 10k principals); the same sha256.
  return hash('sha256', `${checkId}\u0000${principalArn}\u0000${subject}`, 'hex').slice(0, 20);
}
