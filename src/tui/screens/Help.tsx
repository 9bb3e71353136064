import { Rows, seg } from '../components/Rows.js';
import type { Row } from '../components/Rows.js';

export const HELP_KEYS: readonly (readonly [string, string])[] = [
  ['↑ ↓  j k', 'move / scroll (PgUp PgDn or space: a page)'],
  ['g G  Home End', 'first / last row'],
  ['enter  f', 'open: agent → principal → finding\'s fix (a list when it has several)'],
  ['esc', 'back (clears the search first)'],
  ['p', 'all principals, sorted by risk'],
  ['/', 'search names, actions, checks and finding text'],
  ['a v', 'principals: agents only on/off · cycle severity filter'],
  ['o x n', 'principals: sort (risk/name/findings/last used) · suppressed · new only'],
  ['tab ⇧tab  ← →', 'principal: switch section (Fixes lists all; Can become shows reach) · fix: Diff by action / JSON / Terraform / CLI'],
  ['s u', 'suppress the selected finding (reason required) · unsuppress it'],
  ['w', 'fix: write policy.json, main.tf, apply.sh'],
  ['c', 'principal: an agent is acting now: write the Deny that stops it (contain/, nothing applied)'],
  // Read from the report's local trail files only: the TUI never calls AWS (S3, Athena, LookupEvents get the command).
  ['a', 'principal: what it did (local trail files; never calls AWS) · tab: one session'],
  ['e', 'export this view as JSON or Markdown'],
  ['? q', 'this help · quit'],
];

export function helpRows(): Row[] {
  return [
    [seg('Keys', { bold: true })],
    ' ',
    ...HELP_KEYS.map(([k, what]): Row => [seg(`  ${k.padEnd(16)}`, { color: 'cyan' }), seg(what)]),
    ' ',
    'leash never changes your AWS account: fixes are files for a human to review and apply.',
    [seg('Press any key to close.', { dim: true })],
  ];
}

export function Help({ width }: { readonly width: number }) {
  return <Rows rows={helpRows()} width={width} />;
}
