// Boundary groups. At 10,000 principals, 1,456 of 3,744 fix folders held nothing but "attach the
// shared boundary leash-boundary-<hash>": README.md, apply.sh and main.tf each, one decision per
// folder that is really one decision per boundary, and ~4,400 file creations. Such principals are
// written into one folder per boundary, fixes/attach-<boundary>/, beside the principals' folders:
// at the same depth, so every relative link and path their files hold (../README.md, ../lib/,
// ../boundaries/, ../versions.tf) stays right, and in the same manifest (.leash-fixes) as any
// other folder leash writes there.
import type { PrincipalFixPlan } from './plan.js';
import { md, reasonsSectionText } from './plan.js';
import { renderTerraform, sharedBoundaryDir, type RenderedFile } from './render/index.js';
import { HOW_TO_APPLY_LINE, REASONS_ANCHOR, REASONS_HEADING } from './render/readme.js';
import { renderGroupScript } from './render/group-script.js';
import { safeName } from '../safe/name.js';
import { safeLines } from '../safe/text.js';

/** The kind word of a group folder's safe name: attach-<boundary>; no principal folder starts so (theirs are role-/user-). */
export const GROUP_KIND = 'attach';

/**
 * The shared boundary a plan only attaches, or undefined: its files would be README.md, apply.sh
 * and main.tf only (no JSON of its own: no policy, trust or session document), with no session
 * length, no replaced policy and no Identity Center permission set (whose apply.sh differs).
 */
export function attachOnlyBoundary(plan: Pick<PrincipalFixPlan, 'fixes' | 'target'>): string | undefined {
  const t = plan.target;
  if (plan.fixes.length === 0 || t.identityCenter || t.maxSessionDuration !== undefined || (t.replacesPolicies?.length ?? 0) > 0) return undefined;
  if (t.policies.length !== 1) return undefined;
  const p = t.policies[0]!;
  return p.purpose === 'boundary' && p.shared && p.attach === 'managed' ? p.name : undefined;
}

/** The group folder of a shared boundary, relative to the fixes folder (the one safe-name rule). */
export function groupDirName(boundaryName: string): string {
  return safeName(GROUP_KIND, boundaryName);
}

/** A principal's anchor in its group's README: its own folder name (safeName), unique in the fixes folder. */
export function groupAnchor(ownDir: string): string {
  return `fix-${ownDir}`;
}

/** The anchor of its "why each action is kept, gated or removed" section there. */
export function groupReasonsAnchor(ownDir: string): string {
  return `${groupAnchor(ownDir)}-why`;
}

/** Code span inside a table cell: no backtick, pipe or line break of the value can end it. */
function cellCode(s: string): string {
  return `\`${s.replace(/[\u0000-\u001f\u007f]/g, ' ').replace(/`/g, "'").replace(/\|/g, '\\|')}\``;
}

/**
 * A principal's README as a section of its group's: headings one level down, an anchor before it
 * and before its reasons, its links to its reasons pointed there; the how-to-apply line, the
 * boundary line and the table of its one fix go (the group's README says them once, its table has
 * the fix's counts). Headings are leash's own lines: text from data is escaped (md), so no line
 * of it starts with `#`.
 */
function memberSection(text: string, ownDir: string): string[] {
  const out: string[] = [`<a id="${groupAnchor(ownDir)}"></a>`, ''];
  const lines = text.replace(/\n+$/, '').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === HOW_TO_APPLY_LINE || /^Permissions boundary `[^`]*`, shared by content: /.test(line) || line.startsWith('| fix | verification |')) {
      // The line, or the whole table, and the blank line after it.
      while (line.startsWith('| ') && lines[i + 1]?.startsWith('| ')) i++;
      if (lines[i + 1] === '') i++;
      continue;
    }
    if (line === `## ${REASONS_HEADING}`) out.push(`<a id="${groupReasonsAnchor(ownDir)}"></a>`, '');
    out.push(/^#{1,5} /.test(line) ? `#${line}` : line.split(`](#${REASONS_ANCHOR})`).join(`](#${groupReasonsAnchor(ownDir)})`));
  }
  return out;
}

const isHeading = (l: string): boolean => /^#{1,6} /.test(l);
/** A line that may be said once for the group: text, not a heading, anchor, table row or blank. */
const isSayable = (l: string): boolean => l !== '' && !isHeading(l) && !l.startsWith('<a id=') && !l.startsWith('|');

/**
 * What every member's section says word for word (at 10,000 principals: the baseline, the
 * boundary's description and verification, its notes and the trust note, ~1.5 KB each of 720
 * members), said once: the lines, under the headings every member has them under, and each
 * section without them (a heading left with nothing under it goes too).
 */
export function sayOnce(sections: readonly string[][]): { shared: string[]; sections: string[][] } {
  if (sections.length < 2) return { shared: [], sections: sections.map((s) => [...s]) };
  const count = new Map<string, number>();
  for (const s of sections) for (const l of new Set(s)) if (isSayable(l) || isHeading(l)) count.set(l, (count.get(l) ?? 0) + 1);
  const everywhere = (l: string) => count.get(l) === sections.length;
  const shared: string[] = [];
  // The headings above the current line, by level: the ones every member has come along as context.
  const stack: string[] = [];
  const said = new Set<string>();
  for (const l of sections[0]!) {
    if (isHeading(l)) {
      const level = l.indexOf(' ');
      stack.length = level - 1;
      stack[level - 1] = l;
    }
    if (!isSayable(l) || !everywhere(l) || said.has(l)) continue;
    for (const h of stack) {
      if (h === undefined || !everywhere(h) || said.has(h) || h.startsWith('## ')) continue;
      shared.push('', h);
      said.add(h);
    }
    if (!(l.startsWith('- ') && shared.at(-1)?.startsWith('- '))) shared.push('');
    shared.push(l);
    said.add(l);
  }
  return { shared, sections: sections.map((s) => tidy(s.filter((l) => !(isSayable(l) && said.has(l))))) };
}

/** No heading without a body (but the section's own), no blank line twice. */
function tidy(lines: readonly string[]): string[] {
  const out: string[] = [];
  lines.forEach((l, i) => {
    if (l === '' && out.at(-1) === '') return;
    if (/^#{3,} /.test(l)) {
      const next = lines.slice(i + 1).find((x) => x !== '');
      if (next === undefined || (isHeading(next) && next.indexOf(' ') <= l.indexOf(' ')) || next.startsWith('<a id=')) return;
    }
    out.push(l);
  });
  if (out.at(-1) !== '') out.push('');
  return out;
}

export interface GroupInput {
  readonly boundaryName: string;
  readonly accountId: string;
  readonly plans: readonly PrincipalFixPlan[];
  /** Each plan's own folder name (fixDirName): its anchor and backup sub-folder. */
  readonly ownDirs: readonly string[];
}

function groupReadme(g: GroupInput): string {
  const b = g.boundaryName;
  const boundaryDir = sharedBoundaryDir(b);
  const counts = (f: PrincipalFixPlan['fixes'][number], k: 'allowedActions' | 'destructiveActions' | 'escalationTechniques') =>
    (f.countsBefore && f.countsAfter ? `${f.countsBefore[k]} → ${f.countsAfter[k]}` : '');
  const lines = [
    `# Attach the shared boundary ${cellCode(b)} (${g.plans.length} principal${g.plans.length === 1 ? '' : 's'})`,
    '',
    `Account ${cellCode(g.accountId)}. The one planned fix of every principal below is to attach the permissions boundary ${cellCode(b)}, shared by content: what it allows and denies, and how it is created, are in [its README](../${boundaryDir}/README.md). One review of that boundary covers them all; each principal's own notes, and why each of its actions is kept, gated or removed, are in its section below.`,
    '',
    HOW_TO_APPLY_LINE,
    '',
    "`apply.sh` here attaches the boundary to every principal listed, or to those named by `--only role/NAME` / `--only user/NAME` (repeatable; a name not listed stops it before anything). With `--apply` it saves each principal's current state to `backup-<UTC time>/<kind>-<name>/` first; `./apply.sh --rollback <that folder> --apply` puts each one back (`--only` works there too). `main.tf` is every principal's Terraform, concatenated (block names start with the principal).",
    '',
    '| principal | kind | ARN | allowed | destructive | escalation | verification |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  g.plans.forEach((p, i) => {
    // Its boundary fix (the one fix such a plan has; a note-only fix beside it would have no counts of its own).
    const f = p.fixes.find((x) => x.kind === 'permissions-boundary') ?? p.fixes[0]!;
    const v = f.verification;
    lines.push(`| [${md(p.principalName)}](#${groupAnchor(g.ownDirs[i]!)}) | ${p.target.principalKind} | ${cellCode(p.principalArn)} | ${counts(f, 'allowedActions')} | ${counts(f, 'destructiveActions')} | ${counts(f, 'escalationTechniques')} | ${v.status ?? (v.safe ? 'verified' : 'not-safe')} |`);
  });
  const { shared, sections } = sayOnce(g.plans.map((p, i) => {
    const reasons = reasonsSectionText(p);
    return memberSection(reasons !== undefined ? `${p.readme}\n${reasons}` : p.readme, g.ownDirs[i]!);
  }));
  if (shared.length > 0) lines.push('', '## What every principal here has in common', '', 'Said once here; each principal\'s section below leaves it out.', ...shared);
  lines.push('');
  for (const s of sections) lines.push(...s);
  return lines.join('\n');
}

/** The group folder's files: README.md (escaped like any text a person reads), apply.sh, main.tf. */
export function groupFiles(g: GroupInput): RenderedFile[] {
  const members = g.plans.map((p, i) => ({ kind: p.target.principalKind, name: p.principalName, dir: g.ownDirs[i]! }));
  return [
    { path: 'main.tf', content: g.plans.map((p) => renderTerraform(p.target)).join('\n'), mode: 0o644 },
    { path: 'apply.sh', content: renderGroupScript(g.accountId, g.boundaryName, members), mode: 0o755 },
    { path: 'README.md', content: safeLines(groupReadme(g)), mode: 0o644 },
  ];
}
