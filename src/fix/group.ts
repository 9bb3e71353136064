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
 * and before its reasons, its links to its reasons pointed there; the how-to-apply line and the
 * boundary line go (the group's README says them once). Headings are leash's own lines: text from
 * data is escaped (md), so no line of it starts with `#`.
 */
function memberSection(text: string, ownDir: string): string[] {
  const out: string[] = [`<a id="${groupAnchor(ownDir)}"></a>`, ''];
  const lines = text.replace(/\n+$/, '').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === HOW_TO_APPLY_LINE || /^Permissions boundary `[^`]*`, shared by content: /.test(line)) {
      if (lines[i + 1] === '') i++;
      continue;
    }
    if (line === `## ${REASONS_HEADING}`) out.push(`<a id="${groupReasonsAnchor(ownDir)}"></a>`, '');
    out.push(/^#{1,5} /.test(line) ? `#${line}` : line.split(`](#${REASONS_ANCHOR})`).join(`](#${groupReasonsAnchor(ownDir)})`));
  }
  out.push('');
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
    const f = p.fixes[0]!;
    const v = f.verification;
    lines.push(`| [${md(p.principalName)}](#${groupAnchor(g.ownDirs[i]!)}) | ${p.target.principalKind} | ${cellCode(p.principalArn)} | ${counts(f, 'allowedActions')} | ${counts(f, 'destructiveActions')} | ${counts(f, 'escalationTechniques')} | ${v.status ?? (v.safe ? 'verified' : 'not-safe')} |`);
  });
  lines.push('');
  g.plans.forEach((p, i) => {
    const reasons = reasonsSectionText(p);
    lines.push(...memberSection(reasons !== undefined ? `${p.readme}\n${reasons}` : p.readme, g.ownDirs[i]!));
  });
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
