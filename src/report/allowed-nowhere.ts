// The actions a principal's policies allow but its layers leave on no resource (session 42: the
// effective stage drops them; report.json names them under `permissions.allowedNowhere`), picked
// for the places people read: the terminal summary, summary.md and report.html (session 43).
// Bounded: a few principals, a few actions each, each reason cut short; the rest is in
// report.json. Raw strings: each renderer escapes what it shows with its own function (names,
// actions and the patterns a reason quotes come from the account and are hostile).
import type { PrincipalReport, Report } from '../model/report.js';

/** report.json lists at most this many per principal (report/build.ts): a list that long may have been cut. */
export const NOWHERE_LISTED = 100;

export interface NowhereEntry {
  readonly name: string;
  readonly arn: string;
  readonly kind: string;
  readonly isAgent: boolean;
  /** Actions listed in report.json (at most NOWHERE_LISTED: then "or more"). */
  readonly count: number;
  readonly cut: boolean;
  /** The first few, each reason cut to the limit. */
  readonly shown: readonly { readonly action: string; readonly why: string }[];
}

export interface NowhereLimits { readonly principals: number; readonly actions: number; readonly whyChars: number }

export const NOWHERE_LIMITS: NowhereLimits = { principals: 10, actions: 3, whyChars: 160 };

/** The heading and the sentence each renderer shows (one wording everywhere). */
export const NOWHERE_HEADING = 'Allowed by a policy, left on no resource';
export const NOWHERE_LEAD = 'Actions a policy allows that the permissions boundary, an SCP or a Deny with NotResource leaves on no resource: not counted as allowed. Check that these grants are meant to stay unusable (a boundary that never lets them through, or a policy that names the wrong resources).';

/** Cut a text to `max` characters (code points, never half a pair), `…` marking the cut. */
export function cutText(text: string, max: number): string {
  const cps = Array.from(text);
  return cps.length <= max ? text : `${cps.slice(0, Math.max(0, max - 1)).join('')}…`;
}

/** The principals with dropped actions in report order (riskiest first), the first `limits.principals`. */
export function nowhereEntries(report: Pick<Report, 'principals'>, limits: NowhereLimits = NOWHERE_LIMITS): { entries: NowhereEntry[]; total: number } {
  const entries: NowhereEntry[] = [];
  let total = 0;
  for (const p of report.principals) {
    const list = p.permissions.allowedNowhere;
    if (!list || list.length === 0) continue;
    total++;
    if (entries.length < limits.principals) entries.push(entryOf(p, list, limits));
  }
  return { entries, total };
}

function entryOf(p: PrincipalReport, list: NonNullable<PrincipalReport['permissions']['allowedNowhere']>, limits: NowhereLimits): NowhereEntry {
  return {
    name: p.name, arn: p.arn, kind: p.kind, isAgent: p.isAgent,
    count: list.length, cut: list.length >= NOWHERE_LISTED,
    shown: list.slice(0, limits.actions).map((x) => ({ action: x.action, why: cutText(x.why, limits.whyChars) })),
  };
}

/** "3 actions", "100 or more actions". */
export function nowhereCount(e: NowhereEntry): string {
  return `${e.count}${e.cut ? ' or more' : ''} ${e.count === 1 && !e.cut ? 'action' : 'actions'}`;
}
