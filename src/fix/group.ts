// Boundary groups. At 10,000 principals, 1,456 of 3,744 fix folders held nothing but "attach the
// shared boundary leash-boundary-<hash>": README.md, apply.sh and main.tf each, one decision per
// folder that is really one decision per boundary, and ~4,400 file creations. Such principals are
// written into one folder per boundary, fixes/attach-<boundary>/, beside the principals' folders:
// at the same depth, so every relative link and path their files hold (../README.md, ../lib/,
// ../boundaries/, ../versions.tf) stays right, and in the same manifest (.leash-fixes) as any
// other folder leash writes there. Session 19: a role whose fixes are that boundary plus a
// tighter trust policy joins the group too (2,290 more folders of 4 files each at 10k): its trust
// document is in the group's trust/, applied, backed up and rolled back per role. Session 24: one
// file per distinct document (trust/trust-<hash>.json), not per role: at 10,000 principals 2,288
// roles' new trust policies were 424 documents (1,539 roles of one group shared 2), so a reviewer
// reads each document once, and the bundle has 1,864 fewer files to create.
// Session 20: when the README would pass GROUP_PAGE_BYTES, the members' sections go to pages
// members-001.md, … (group-pages.ts); the README keeps the head and the member table.
import type { PrincipalFixPlan } from './plan.js';
import type { PolicyDocument } from '../model/policy.js';
import { md, reasonsSectionText } from './plan.js';
import { renderPolicyJson, sharedBoundaryDir, type RenderedFile } from './render/index.js';
import { groupTerraformPieces, type GroupTerraformMember } from './render/group-terraform.js';
import { HOW_TO_APPLY_LINE, REASONS_ANCHOR, REASONS_HEADING } from './render/readme.js';
import { renderGroupScript } from './render/group-script.js';
import { TERRAFORM_VERSION_CONSTRAINT } from './render/terraform.js';
import { GROUP_TRUST_DIR, GROUP_TRUST_HASH_CHARS } from '../report/bundle.js';
import { hash } from 'node:crypto';
import { safeName } from '../safe/name.js';
import { safeLines } from '../safe/text.js';
import { GROUP_PAGE_BYTES, groupPageFile, pageRanges, type PageRange } from './group-pages.js';
import { notSafeToApply } from './not-safe.js';

export { notSafeToApply };

/** The kind word of a group folder's safe name: attach-<boundary>; no principal folder starts so (theirs are role-/user-). */
export const GROUP_KIND = 'attach';

/**
 * The shared boundary of a plan that joins that boundary's group, or undefined: its files would
 * be README.md, apply.sh and main.tf (the boundary's JSON is in fixes/boundaries/) plus, for a role,
 * at most one trust document (trust.json: the role's trust policy replaced); no policy or session
 * document of its own, no session length, no replaced policy, no Identity Center permission set
 * (whose apply.sh differs).
 */
export function groupedBoundary(plan: Pick<PrincipalFixPlan, 'fixes' | 'target'>): string | undefined {
  const t = plan.target;
  // A fix leash calls not-safe is never applied with a group's (approved as one): its own folder,
  // whose apply.sh refuses it without --accept-not-safe (notSafeToApply).
  if (plan.fixes.length === 0 || notSafeToApply(plan.fixes, t) !== undefined || t.identityCenter || t.maxSessionDuration !== undefined || (t.replacesPolicies?.length ?? 0) > 0) return undefined;
  let boundary: string | undefined;
  let trust = false;
  for (const p of t.policies) {
    if (p.purpose === 'boundary' && p.shared && p.attach === 'managed' && boundary === undefined) boundary = p.name;
    else if (p.purpose === 'trust' && t.principalKind === 'role' && p.attach !== 'none' && !trust) trust = true;
    else return undefined;
  }
  // A role whose trust policy stays needs today's in the group's main.tf (aws_iam_role requires
  // one); without the scan's (a report that did not carry it), its own folder's main.tf asks for it.
  if (t.principalKind === 'role' && !trust && t.currentTrust === undefined) return undefined;
  return boundary;
}

/** The members of a group as its main.tf takes them (group-terraform.ts): a role's new trust policy, or today's. */
export function groupTerraformMembers(plans: readonly PrincipalFixPlan[]): GroupTerraformMember[] {
  return plans.map((p) => {
    const trust = groupedTrust(p);
    const kind = p.target.principalKind;
    return { kind, name: p.principalName, ...(kind === 'role' ? (trust !== undefined ? { newTrust: trust } : { currentTrust: p.target.currentTrust! }) : {}) };
  });
}

/** The trust document a grouped plan applies (groupedBoundary: at most one), or undefined. */
export function groupedTrust(plan: Pick<PrincipalFixPlan, 'target'>): PolicyDocument | undefined {
  return plan.target.policies.find((p) => p.purpose === 'trust')?.document;
}

/** A group's trust document: its path in the group folder (shared by every member it is for) and its text. */
export interface GroupTrustFile {
  readonly path: string;
  readonly content: string;
}

/**
 * Each member's trust document (undefined: its trust policy stays), one file per distinct text:
 * trust/trust-<first 12 hex of its sha256>.json. Files are told apart by their whole text, never
 * by the name alone: trust policies come from IAM, and 48 bits of a hash can be collided on
 * purpose, so a second text whose short name is taken gets the full 64-hex name instead.
 * (`hashChars` is for tests, which need short names to collide.)
 */
export function groupTrustFiles(plans: readonly Pick<PrincipalFixPlan, 'target'>[], hashChars = GROUP_TRUST_HASH_CHARS): (GroupTrustFile | undefined)[] {
  const byText = new Map<string, GroupTrustFile>();
  const taken = new Set<string>();
  return plans.map((p) => {
    const doc = groupedTrust(p);
    if (doc === undefined) return undefined;
    const content = renderPolicyJson(doc);
    let file = byText.get(content);
    if (file === undefined) {
      const digest = hash('sha256', content, 'hex');
      let path = `${GROUP_TRUST_DIR}/trust-${digest.slice(0, hashChars)}.json`;
      if (taken.has(path)) path = `${GROUP_TRUST_DIR}/trust-${digest}.json`;
      taken.add(path);
      byText.set(content, (file = { path, content }));
    }
    return file;
  });
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

/** An IAM ARN's path (`arn:aws:iam::1:role/team/x` with name `x` → `/team/`); `/` when it has none. */
export function iamPath(arn: string, name: string): string {
  const resource = arn.split(':').slice(5).join(':');
  const slash = resource.indexOf('/');
  const path = slash >= 0 && resource.endsWith(name) ? resource.slice(slash, resource.length - name.length) : '';
  return path.endsWith('/') ? path : '/';
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
function memberSection(text: string, ownDir: string, trustFile: string | undefined): string[] {
  const out: string[] = [`<a id="${groupAnchor(ownDir)}"></a>`, ''];
  // Its own line (never said once): where its trust document is, which apply.sh here applies.
  let trustLine = trustFile !== undefined;
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 10) end--;
  const lines = text.slice(0, end).split('\n');
  const reasonsLink = `](#${REASONS_ANCHOR})`;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === HOW_TO_APPLY_LINE || /^Permissions boundary `[^`]*`, shared by content: /.test(line) || line.startsWith('| fix | verification |')) {
      // The line, or the whole table, and the blank line after it.
      while (line.startsWith('| ') && lines[i + 1]?.startsWith('| ')) i++;
      if (lines[i + 1] === '') i++;
      continue;
    }
    if (line === `## ${REASONS_HEADING}`) out.push(`<a id="${groupReasonsAnchor(ownDir)}"></a>`, '');
    out.push(/^#{1,5} /.test(line) ? `#${line}` : line.includes(reasonsLink) ? line.split(reasonsLink).join(`](#${groupReasonsAnchor(ownDir)})`) : line);
    if (trustLine && line.startsWith('Principal: ')) {
      out.push('', `Trust policy: replaced by [${trustFile}](${trustFile}), which apply.sh here applies after the boundary.`);
      trustLine = false;
    }
  }
  return out;
}

const isHeading = (l: string): boolean => /^#{1,6} /.test(l);
/** A line that may be said once for the group: text, not a heading, anchor, table row or blank. */
const isSayable = (l: string): boolean => l !== '' && !isHeading(l) && !l.startsWith('<a id=') && !l.startsWith('|');

/**
 * What every member's section says word for word (at 10,000 principals: the baseline, the
 * boundary's description, verification and notes, ~1.5 KB of each of 720 members), said once:
 * the lines, under the headings every member has them under, and each section without them (a
 * heading left with nothing under it goes too). With `classOf`, also what every member of a class
 * (here: with a trust change, without one) says besides, once per class: in a group of both, the
 * trust note of every EC2 role (~0.5 KB) or the source-identity line of every trust member is not
 * everywhere, but is in every section of its class. `sectionAt` is read for every member, then
 * again for each as written (prepareGroup keeps each rendering between the two reads); only the
 * first section's lines can be everywhere (the first of a class's, in all its sections), so they
 * are all that is counted.
 */
export function sayOnce(n: number, sectionAt: (i: number) => readonly string[], classOf: (i: number) => number = () => 0): {
  shared: string[];
  /** Per class, in order of first member: what all its sections say besides `shared` (empty when it has one member). */
  byClass: { cls: number; count: number; shared: string[] }[];
  sectionAt: (i: number) => string[];
} {
  if (n < 2) return { shared: [], byClass: [], sectionAt: (i) => [...sectionAt(i)] };
  const candidates = (lines: readonly string[]) => new Set(lines.filter((l) => isSayable(l) || isHeading(l)));
  let first: readonly string[] = [];
  let everywhere = new Set<string>();
  const classes = new Map<number, { first: readonly string[]; everywhere: Set<string>; count: number }>();
  for (let i = 0; i < n; i++) {
    const lines = sectionAt(i);
    const c = classOf(i);
    const cls = classes.get(c);
    if (i === 0) everywhere = candidates((first = lines));
    if (!cls) classes.set(c, { first: lines, everywhere: candidates(lines), count: 1 });
    if (i === 0 && !cls) continue;
    const s = new Set(lines);
    for (const l of everywhere) if (!s.has(l)) everywhere.delete(l);
    if (cls) {
      cls.count++;
      for (const l of cls.everywhere) if (!s.has(l)) cls.everywhere.delete(l);
    }
  }
  const said = new Set<string>();
  const shared = sayLines(first, everywhere, said);
  const byClass: { cls: number; count: number; shared: string[] }[] = [];
  const saidBy = new Map<number, Set<string>>();
  for (const [cls, e] of classes) {
    const own = new Set<string>();
    saidBy.set(cls, own);
    // A class of one says nothing once; a class that is everyone has nothing left to say.
    if (e.count < 2 || e.count === n) continue;
    for (const l of said) e.everywhere.delete(l);
    byClass.push({ cls, count: e.count, shared: sayLines(e.first, e.everywhere, own) });
  }
  return { shared, byClass, sectionAt: (i) => tidy(sectionAt(i).filter((l) => !(isSayable(l) && (said.has(l) || saidBy.get(classOf(i))!.has(l))))) };
}

/**
 * The lines of `first` that are in `everywhere` (and not said yet), each once, with the headings
 * above them that are in `everywhere` too; each line said is added to `said`.
 */
function sayLines(first: readonly string[], everywhere: ReadonlySet<string>, said: Set<string>): string[] {
  const shared: string[] = [];
  // The headings above the current line, by level: the ones every member has come along as context.
  const stack: string[] = [];
  const heads = new Set<string>();
  for (const l of first) {
    if (isHeading(l)) {
      const level = l.indexOf(' ');
      stack.length = level - 1;
      stack[level - 1] = l;
    }
    if (!isSayable(l) || !everywhere.has(l) || said.has(l)) continue;
    for (const h of stack) {
      if (h === undefined || !everywhere.has(h) || heads.has(h) || h.startsWith('## ')) continue;
      shared.push('', h);
      heads.add(h);
    }
    if (!(l.startsWith('- ') && shared.at(-1)?.startsWith('- '))) shared.push('');
    shared.push(l);
    said.add(l);
  }
  return shared;
}

/** No heading without a body (but the section's own), no blank line twice. */
function tidy(lines: readonly string[]): string[] {
  const out: string[] = [];
  lines.forEach((l, i) => {
    if (l === '' && out.at(-1) === '') return;
    if (/^#{3,} /.test(l)) {
      let j = i + 1;
      while (lines[j] === '') j++;
      const next = lines[j];
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

/** The head of the group's README: title, what the folder is, how to apply, the member table, what every member shares. */
function groupHead(g: GroupInput, said: Pick<ReturnType<typeof sayOnce>, 'shared' | 'byClass'>, trustFiles: readonly (GroupTrustFile | undefined)[], fileOf?: (i: number) => string): string {
  const b = g.boundaryName;
  const boundaryDir = sharedBoundaryDir(b);
  const counts = (f: PrincipalFixPlan['fixes'][number], k: 'allowedActions' | 'destructiveActions' | 'escalationTechniques') =>
    (f.countsBefore && f.countsAfter ? `${f.countsBefore[k]} → ${f.countsAfter[k]}` : '');
  const trusts = trustFiles.filter((f) => f !== undefined).length;
  const documents = new Set(trustFiles.filter((f) => f !== undefined)).size;
  const n = g.plans.length;
  // Paged (fileOf given): each section is in a members page, which the table row links.
  const where = fileOf ? `in its section of a members page (\`members-001.md\`, …; its row in the table below links it)` : 'in its section below';
  const lines = [
    `# Attach the shared boundary ${cellCode(b)} (${n} principal${n === 1 ? '' : 's'}${trusts > 0 ? `, ${trusts} with a tighter trust policy` : ''})`,
    '',
    `Account ${cellCode(g.accountId)}. Every principal below gets the permissions boundary ${cellCode(b)}, shared by content: what it allows and denies, and how it is created, are in [its README](../${boundaryDir}/README.md). One review of that boundary covers them all. ${trusts > 0 ? `The boundary is the only fix of the principals whose trust column says "unchanged"; the others are roles whose trust policy is also replaced, each by a document in \`${GROUP_TRUST_DIR}/\`: ${documents === 1 ? 'one document for all of them' : `${documents} distinct documents, a file each (roles given the same document share its file)`} (the column links it; review each document once). ` : ''}Each principal's own notes, and why each of its actions is kept, gated or removed, are ${where}.`,
    '',
    HOW_TO_APPLY_LINE,
    '',
    `\`apply.sh\` here attaches the boundary to every principal listed${trusts > 0 ? ` and replaces the trust policy of each role with a document in \`${GROUP_TRUST_DIR}/\`` : ''}, or does so for those named by \`--only role/NAME\` / \`--only user/NAME\` only (repeatable; a name not listed stops it before anything). With \`--apply\` it saves each principal's current state (a role's trust policy too) to \`backup-<UTC time>/<kind>-<name>/\` first; \`./apply.sh --rollback <that folder> --apply\` puts each one back: its boundary, and its trust policy when that run replaced it, each only while it is still what that run left (a change made since is left as is, and said; \`--only\` works there too). \`main.tf\` attaches the boundary${trusts > 0 ? ' and replaces those trust policies' : ''} with Terraform (${TERRAFORM_VERSION_CONSTRAINT}) instead: one line per principal in a \`locals\` block (for a role whose trust policy is replaced, its new one; for a role whose trust policy stays, today's, which Terraform is told never to write), and \`import\` and resource blocks with \`for_each\` over those lines.`,
    '',
    // The trust column only where some member has a trust change.
    // The path, not the ARN: the account is the title's and the name is the row's (an ARN column
    // was a fifth of the table, which at 10k members is itself most of the README).
    `| principal | kind | path | allowed | destructive | escalation | verification |${trusts > 0 ? ' trust policy |' : ''}`,
    `| --- | --- | --- | --- | --- | --- | --- |${trusts > 0 ? ' --- |' : ''}`,
  ];
  g.plans.forEach((p, i) => {
    // Its boundary fix (the counts are the boundary's; a trust fix has none of its own).
    const f = p.fixes.find((x) => x.kind === 'permissions-boundary') ?? p.fixes[0]!;
    const v = f.verification;
    const t = p.fixes.find((x) => x.kind === 'trust-policy');
    const file = trustFiles[i];
    const trust = file === undefined ? 'unchanged' : `[replaced](${file.path})${t ? ` (${t.verification.status ?? (t.verification.safe ? 'verified' : 'not-safe')})` : ''}`;
    // The link's target is leash's own: a page name from its counter, an anchor from the safe folder name.
    lines.push(`| [${md(p.principalName)}](${fileOf ? fileOf(i) : ''}#${groupAnchor(g.ownDirs[i]!)}) | ${p.target.principalKind} | ${cellCode(iamPath(p.principalArn, p.principalName))} | ${counts(f, 'allowedActions')} | ${counts(f, 'destructiveActions')} | ${counts(f, 'escalationTechniques')} | ${v.status ?? (v.safe ? 'verified' : 'not-safe')} |${trusts > 0 ? ` ${trust} |` : ''}`);
  });
  const leaves = fileOf ? "each principal's section (in the members pages) leaves it out" : "each principal's section below leaves it out";
  if (said.shared.length > 0) lines.push('', '## What every principal here has in common', '', `Said once here; ${leaves}.`, ...said.shared);
  for (const c of said.byClass) {
    if (c.shared.length === 0) continue;
    const which = c.cls === 1 ? 'with a trust change' : 'whose trust policy is unchanged';
    lines.push('', `## What every principal here ${which} (${c.count}) also has in common`, '', `Said once here; the section of each principal ${which} leaves it out${fileOf ? ' (in the members pages)' : ''}.`, ...c.shared);
  }
  lines.push('');
  return lines.join('\n');
}

/**
 * The first lines of a members page: which group (a link back to README.md), which members
 * (numbers and first … last), and the next and previous pages. Names are code spans (cellCode).
 */
function pageHeader(g: GroupInput, page: number, pages: number, r: PageRange): string {
  const n = g.plans.length;
  const nav = [...(page > 1 ? [`previous: [${groupPageFile(page - 1)}](${groupPageFile(page - 1)})`] : []), ...(page < pages ? [`next: [${groupPageFile(page + 1)}](${groupPageFile(page + 1)})`] : [])];
  return [
    `# Attach the shared boundary ${cellCode(g.boundaryName)}: principals ${r.first + 1}–${r.end} of ${n} (page ${page} of ${pages})`,
    '',
    `A page of [this folder's README.md](README.md), which says what the folder is and how to apply and roll back, lists every principal (each row links its section), and says once what every principal's section would say alike (left out of the sections here). This page holds ${cellCode(g.plans[r.first]!.principalName)} … ${cellCode(g.plans[r.end - 1]!.principalName)}${nav.length > 0 ? `; ${nav.join(', ')}` : ''}.`,
    '',
  ].join('\n');
}

/** Where each member's section goes. */
export interface GroupLayout {
  /** Empty when the whole README (head and every section) fits the budget; else the members pages (group-pages.ts), in order. */
  readonly pages: readonly PageRange[];
  /** The file, in the group folder, that holds member i's section: README.md or its page. */
  readonly fileOf: (i: number) => string;
}

interface PreparedGroup extends GroupLayout {
  readonly said: ReturnType<typeof sayOnce>;
  /** Member i's section as written (escaped), with the line break before it. */
  readonly sectionText: (i: number) => string;
  /** Member i's trust document (groupTrustFiles). */
  readonly trustFiles: readonly (GroupTrustFile | undefined)[];
}

/**
 * What is said once (sayOnce), then each section as written (measured and kept), then the layout.
 * Every member's section is held from its rendering until it is made into its text, about as
 * much as the texts kept for writing (a few MB per group at 10,000 principals, where the scan's
 * peak RSS did not move; +20 MiB at 50,000).
 */
function prepareGroup(g: GroupInput, budget: number): PreparedGroup {
  const n = g.plans.length;
  const trustFiles = groupTrustFiles(g.plans);
  // Each section is rendered once: sayOnce reads every section, then each is read again to be
  // written without what is said once, and dropped (rendering it twice was half the group's CPU).
  const rendered: (string[] | undefined)[] = new Array(n);
  const section = (i: number): string[] => {
    let lines = rendered[i];
    if (lines === undefined) {
      const p = g.plans[i]!;
      const reasons = reasonsSectionText(p);
      rendered[i] = lines = memberSection(reasons !== undefined ? `${p.readme}\n${reasons}` : p.readme, g.ownDirs[i]!, trustFiles[i]?.path);
    }
    return lines;
  };
  // Class 1: a trust change; 0: none. What each class alone says alike is said once for it too.
  const said = sayOnce(n, section, (i) => (trustFiles[i] !== undefined ? 1 : 0));
  // safeLines escapes character by character (line breaks kept): piece by piece is the same text.
  // Each section as written is made once here to measure, and kept for writing: what is kept is
  // what the README and its pages will hold (a few MB at 10,000 principals).
  const texts: string[] = new Array(n);
  const sectionText = (i: number): string => texts[i]!;
  const sizes: number[] = new Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    total += sizes[i] = Buffer.byteLength((texts[i] = safeLines(`\n${said.sectionAt(i).join('\n')}`)));
    rendered[i] = undefined;
  }
  if (Buffer.byteLength(safeLines(groupHead(g, said, trustFiles))) + total <= budget) return { pages: [], fileOf: () => 'README.md', said, sectionText, trustFiles };
  // A page's header, at most as long as any it is written with: numbered page n of n + 1 (no page
  // number or count the layout ends with has more digits), so with both a previous and a next link.
  const pages = pageRanges(sizes, (first, last) => Buffer.byteLength(safeLines(pageHeader(g, n, n + 1, { first, end: last + 1 }))), budget);
  const pageOf = new Uint32Array(n);
  pages.forEach((r, k) => pageOf.fill(k + 1, r.first, r.end));
  return { pages, fileOf: (i) => groupPageFile(pageOf[i]!), said, sectionText, trustFiles };
}

/** Which file holds each member's section (README.md, or a members page), as groupFiles writes them. */
export function groupLayout(g: GroupInput, budget = GROUP_PAGE_BYTES): GroupLayout {
  const { pages, fileOf } = prepareGroup(g, budget);
  return { pages, fileOf };
}

/** A file written from pieces, never held whole (a group's README.md and main.tf: megabytes each at 10k). */
export interface StreamedFile {
  readonly path: string;
  readonly mode: number;
  /** Called once per write: the file's text, in order. */
  readonly pieces: () => Iterable<string>;
}

/**
 * The group folder's files: README.md (escaped like any text a person reads) and, when it would
 * pass `budget`, members-NNN.md pages holding the members' sections (group-pages.ts), apply.sh,
 * main.tf, and trust/trust-<hash>.json for each distinct trust document members get. The README and
 * pages are streamed: the head, then one section at a time.
 */
export function groupFiles(g: GroupInput, budget = GROUP_PAGE_BYTES): (RenderedFile | StreamedFile)[] {
  const { pages, fileOf, said, sectionText, trustFiles } = prepareGroup(g, budget);
  const members = g.plans.map((p, i) => ({ kind: p.target.principalKind, name: p.principalName, dir: g.ownDirs[i]!, ...(trustFiles[i] !== undefined ? { trustFile: trustFiles[i]!.path } : {}) }));
  const files: (RenderedFile | StreamedFile)[] = [
    { path: 'main.tf', pieces: () => groupTerraformPieces(g.accountId, g.boundaryName, groupTerraformMembers(g.plans)), mode: 0o644 },
    { path: 'apply.sh', content: renderGroupScript(g.accountId, g.boundaryName, members), mode: 0o755 },
    {
      path: 'README.md',
      pieces: function* () {
        yield safeLines(groupHead(g, said, trustFiles, pages.length > 0 ? fileOf : undefined));
        if (pages.length === 0) for (let i = 0; i < g.plans.length; i++) yield sectionText(i);
      },
      mode: 0o644,
    },
  ];
  pages.forEach((r, k) => {
    files.push({
      path: groupPageFile(k + 1),
      pieces: function* () {
        yield safeLines(pageHeader(g, k + 1, pages.length, r));
        for (let i = r.first; i < r.end; i++) yield sectionText(i);
      },
      mode: 0o644,
    });
  });
  // Each distinct document once (members given it share one object), in the order members first use it.
  for (const f of new Set(trustFiles)) if (f !== undefined) files.push({ path: f.path, content: f.content, mode: 0o644 });
  return files;
}
