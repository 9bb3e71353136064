// Navigation and per-screen UI state, kept in App so going back restores where you were.
import type { Severity } from '../model/finding.js';
import type { SortKey } from './format.js';

export type View =
  | { readonly screen: 'overview' }
  | { readonly screen: 'principals' }
  | { readonly screen: 'principal'; readonly arn: string }
  | { readonly screen: 'fix'; readonly fixId: string }
  /** A list of fixes: those of one finding (findingId), or all of a principal's. */
  | { readonly screen: 'fixes'; readonly arn: string; readonly findingId?: string }
  /** What a principal did (`leash activity`'s timeline). */
  | { readonly screen: 'activity'; readonly arn: string };

export const DETAIL_TABS = ['findings', 'fixes', 'access', 'policies', 'agent', 'reach', 'blast'] as const;
export type DetailTab = (typeof DETAIL_TABS)[number];

export const FIX_MODES = ['diff', 'json', 'terraform', 'cli'] as const;
export type FixMode = (typeof FIX_MODES)[number];

export interface ListState {
  readonly selected: number;
  readonly query: string;
  readonly agentsOnly: boolean;
  readonly minSeverity: Severity | undefined;
  readonly sort: SortKey;
  readonly showSuppressed: boolean;
  readonly newOnly: boolean;
}

export interface DetailState {
  readonly tab: DetailTab;
  readonly selected: number;
  /** The selected row of the Fixes tab. */
  readonly fixSelected?: number;
  readonly scroll: number;
}

export interface FixListState {
  readonly selected: number;
}

export interface FixState {
  readonly mode: FixMode;
  readonly scroll: number;
}

export function cycle<T>(list: readonly T[], current: T, step: 1 | -1): T {
  const i = list.indexOf(current);
  return list[(i + step + list.length) % list.length]!;
}
