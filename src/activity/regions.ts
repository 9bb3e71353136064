// The account's enabled regions (account:ListRegions), for `leash activity --live` of a role: STS
// logs an AssumeRole made through a regional endpoint only in that region's CloudTrail, so the
// role's sessions are searched for in every region the account has enabled, not only the ones the
// user's profile and us-east-1 name. Optional: refused, throttled past the SDK's retries or failed
// otherwise, the caller searches the regions it already had and says so; never fatal.
import type { AccountClient } from '@aws-sdk/client-account';
import { ReadOnlyViolationError } from '../collect/aws/allowlist.js';
import { errorCode, errorName } from '../collect/aws/errors.js';

/**
 * A region name as AWS spells them (us-east-1, ap-southeast-2, us-gov-west-1, eu-central-2): the
 * API's answer is hostile data that goes into request signing scopes, endpoints and output text,
 * so anything else (an ESC, `../`, a space, an upper-case letter) is dropped and counted.
 */
export const REGION_NAME = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;

/** Pages read at most (50 regions a page: AWS has about 35 today), so a looping NextToken ends. */
export const MAX_REGION_PAGES = 10;

export type EnabledRegions =
  | { readonly ok: true; readonly regions: readonly string[]; readonly dropped: number; readonly pages: number; readonly complete: boolean }
  | { readonly ok: false; readonly reason: string };

/**
 * The regions enabled for the account (opted in, and those enabled by default), in the API's
 * order, each once. A failure on a later page gives what earlier pages listed as incomplete
 * (complete: false) rather than nothing: the caller still searches them, plus its own regions.
 */
export async function listEnabledRegions(client: AccountClient): Promise<EnabledRegions> {
  // Loaded here: read.ts (and so a trail-file read) uses this module's text helpers without the SDK.
  const { ListRegionsCommand } = await import('@aws-sdk/client-account');
  const regions = new Set<string>();
  let dropped = 0, pages = 0;
  let token: string | undefined;
  try {
    do {
      const out = await client.send(new ListRegionsCommand({ RegionOptStatusContains: ['ENABLED', 'ENABLED_BY_DEFAULT'], MaxResults: 50, ...(token ? { NextToken: token } : {}) }));
      pages++;
      for (const r of out.Regions ?? []) {
        const name = r.RegionName;
        if (typeof name === 'string' && REGION_NAME.test(name)) regions.add(name);
        else dropped++;
      }
      // A token that is not a string is not sent back (it would be put in the request body).
      token = typeof out.NextToken === 'string' && out.NextToken.length > 0 && out.NextToken.length <= 1000 ? out.NextToken : undefined;
    } while (token && pages < MAX_REGION_PAGES);
  } catch (e) {
    if (e instanceof ReadOnlyViolationError) throw e;
    if (pages === 0) return { ok: false, reason: failureReason(e) };
    return { ok: true, regions: [...regions], dropped, pages, complete: false };
  }
  return { ok: true, regions: [...regions], dropped, pages, complete: token === undefined };
}

/**
 * Why the listing failed, in words leash chooses: the error's name only when it is a plain
 * identifier (the endpoint sets it), never its message (hostile text of any length).
 */
function failureReason(e: unknown): string {
  const name = errorName(e);
  const shown = /^[A-Za-z][A-Za-z0-9]{0,63}$/.test(name) ? name : 'an error';
  switch (errorCode(e)) {
    case 'access-denied': return `${shown} on account:ListRegions`;
    case 'throttled': return `account:ListRegions throttled past its retries (${shown})`;
    case 'network': return `account:ListRegions unreachable (${shown})`;
    default: return `account:ListRegions failed (${shown})`;
  }
}

/** Region names shown in a note at most; the rest are counted (an account may enable 30 or more). */
export const MAX_REGIONS_SHOWN = 40;

/** `n region(s): a, b, c` with at most MAX_REGIONS_SHOWN names and "and N more". */
export function regionList(regions: readonly string[]): string {
  const shown = regions.slice(0, MAX_REGIONS_SHOWN).join(', ');
  const more = regions.length - Math.min(regions.length, MAX_REGIONS_SHOWN);
  return `${regions.length} region(s): ${shown}${more > 0 ? ` and ${more} more` : ''}`;
}
