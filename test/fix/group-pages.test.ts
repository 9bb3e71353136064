// Pages of a boundary group's README (fix/group-pages.ts, fix/group.ts): when the README would
// pass the byte budget, the members' sections go to members-NNN.md. Proven on the plans of a
// scanned account whose roles carry hostile names (`](`, `#`, newline, backticks, pipes): page
// boundaries (a member never split, every member in exactly one page, table order kept, each page
// within the budget unless it holds one member), every table link and every in-page link resolving
// to an anchor of the file it names (the Markdown parsed, not grepped), nothing of the sections
// lost or changed against the one-file README, file names from leash's counter only, both sides
// of the budget, and the pages in the manifest: rewritten with fewer pages, the extra ones go and
// backups stay.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { PrincipalFixPlan } from '../../src/fix/plan.js';
import { md } from '../../src/fix/plan.js';
import { GROUP_PAGE_BYTES, groupPageFile, pageRanges } from '../../src/fix/group-pages.js';
import { groupDirName, groupedBoundary, groupFiles, groupLayout, type GroupInput, type StreamedFile } from '../../src/fix/group.js';
import { fixDirName, fixReasonsFile, writeFixPlans } from '../../src/fix/write.js';
import type { RenderedFile } from '../../src/fix/render/index.js';
import { runScanWithFixes } from '../../src/pipeline/scan.js';
import { inspectFixesDir, isFixFile } from '../../src/report/bundle.js';
import { anchors, links, tableCells } from '../support/markdown-links.js';

const ACCOUNT = '111122223333';
const HOSTILE = ['a](evil.md)', '](#fix-role-x)', '# heading', 'line\nbreak](x)', '`tick` ``two``', 'pipe | cell', '[link](../../etc/passwd)', '<a id="fix-role-forged"></a>', '..', 'x'.repeat(200)];
const NAMES = [...HOSTILE, ...Array.from({ length: 26 }, (_, i) => `agent-${i}`)];

function role(name: string, i: number): Record<string, unknown> {
  // Every third role is trusted by Bedrock with no source condition: the boundary and a tighter trust policy, still grouped.
  const service = i % 3 === 0 ? 'bedrock.amazonaws.com' : 'ec2.amazonaws.com';
  return {
    Path: '/', RoleName: name, RoleId: `AROA${String(i).padStart(17, '0')}`, Arn: `arn:aws:iam::${ACCOUNT}:role/${name}`, CreateDate: '2025-09-01T09:00:00Z',
    AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }] },
    InstanceProfileList: [], AttachedManagedPolicies: [], Tags: [{ Key: 'ai-agent', Value: 'true' }], MaxSessionDuration: 3600,
    RolePolicyList: [{ PolicyName: `p-${i}`, PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:*', 'iam:PassRole'], Resource: '*' }] } }],
  };
}

let root: string;
let plans: PrincipalFixPlan[];
let boundary: string;

const input = (ps: readonly PrincipalFixPlan[]): GroupInput => ({ boundaryName: boundary, accountId: ACCOUNT, plans: ps, ownDirs: ps.map(fixDirName) });
const textOf = (f: RenderedFile | StreamedFile): string => ('pieces' in f ? [...f.pieces()].join('') : f.content);
/** The group's Markdown files (README.md and pages), by path. */
function markdown(ps: readonly PrincipalFixPlan[], budget?: number): Map<string, string> {
  return new Map(groupFiles(input(ps), budget).filter((f) => f.path.endsWith('.md')).map((f) => [f.path, textOf(f)]));
}
const pagesOf = (files: ReadonlyMap<string, string>) => [...files.keys()].filter((p) => p !== 'README.md');
/** The member table's rows: the principal cell's link, parsed. */
function tableLinks(readme: string): { text: string; target: string }[] {
  return readme.split('\n').filter((l) => l.startsWith('| [')).map((r) => {
    const ls = links(tableCells(r)[0]!);
    expect(ls, r).toHaveLength(1);
    return ls[0]!;
  });
}
/** Member sections only: from the first member anchor on (the head or a page's header before it). */
const sectionsPart = (text: string): string => text.slice(text.indexOf('\n<a id="fix-'));
const bytes = (s: string) => Buffer.byteLength(s);

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'leash-group-pages-'));
  const file = join(root, 'account.json');
  writeFileSync(file, JSON.stringify({ UserDetailList: [], GroupDetailList: [], Policies: [], RoleDetailList: NAMES.map(role) }));
  const { fixPlans } = await runScanWithFixes({ input: file, fixes: true });
  plans = fixPlans.filter((p) => groupedBoundary(p) !== undefined);
  expect(plans.map((p) => p.principalName).sort()).toEqual([...NAMES].sort());
  boundary = groupedBoundary(plans[0]!)!;
  expect(plans.every((p) => groupedBoundary(p) === boundary)).toBe(true);
}, 120_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

/**
 * Everything a paged or one-file group must hold, checked on its Markdown: returns the pages.
 * `single` is the same group's one-file README (budget large enough), the reference.
 */
function checkLayout(ps: readonly PrincipalFixPlan[], budget: number, single: string): string[] {
  const files = markdown(ps, budget);
  const readme = files.get('README.md')!;
  const pages = pagesOf(files);
  const ownDirs = ps.map(fixDirName);
  // File names: the counter's only, consecutive from 001; nothing of a name.
  expect(pages).toEqual(pages.map((_, k) => groupPageFile(k + 1)));
  for (const p of files.keys()) expect(isFixFile(p) && /^(README|members-\d{3})\.md$/.test(p), p).toBe(true);
  // Both sides of the budget: one file exactly when it fits.
  expect(pages.length === 0).toBe(bytes(single) <= budget);
  if (pages.length === 0) expect(readme).toBe(single);
  // The table: one row per member, in order, its text the escaped name, its link a file of this group and an anchor there.
  const rows = tableLinks(readme);
  expect(rows.map((r) => r.text)).toEqual(ps.map((p) => md(p.principalName)));
  rows.forEach((r, i) => {
    const m = /^(members-\d{3}\.md)?#(fix-[A-Za-z0-9+=,.@_~-]+)$/.exec(r.target);
    expect(m, r.target).not.toBeNull();
    expect(m![2]).toBe(`fix-${ownDirs[i]}`);
    const file = m![1] ?? 'README.md';
    expect(pages.length === 0 ? file === 'README.md' && m![1] === undefined : file !== 'README.md').toBe(true);
    expect(anchors(files.get(file)!)).toContain(m![2]);
    // What groupLayout says, and fixReasonsFile with it, is the file the row links.
    expect(fixReasonsFile(ps[i]!, groupLayout(input(ps), budget).fileOf(i))).toBe(`${groupDirName(boundary)}/${file}#fix-${ownDirs[i]}-why`);
  });
  // Every link in every file that names a file of this group or an anchor resolves; none leaves the folder but to the boundary's and the fixes README.
  for (const [path, text] of files) {
    const own = new Set(anchors(text));
    for (const { target } of links(text)) {
      const [file = '', anchor] = target.split('#');
      if (file === '') expect(own.has(anchor!), `${path}: ${target}`).toBe(true);
      else if (files.has(file)) expect(anchor === undefined || anchors(files.get(file)!).includes(anchor), `${path}: ${target}`).toBe(true);
      else expect(/^(trust\/trust-[0-9a-f]{12}\.json|\.\.\/boundaries\/[a-z0-9-]+\/README\.md(#[a-z0-9-]+)?|\.\.\/README\.md(#[a-z0-9-]+)?|https:\/\/\S+)$/.test(target), `${path}: ${target}`).toBe(true);
    }
  }
  if (pages.length === 0) return pages;
  // The README holds no section; every member's anchor is in exactly one page, pages in table order.
  expect(anchors(readme)).toEqual([]);
  const memberAnchors = (t: string) => anchors(t).filter((a) => !a.endsWith('-why'));
  expect(pages.flatMap((p) => memberAnchors(files.get(p)!))).toEqual(ownDirs.map((d) => `fix-${d}`));
  // Nothing of the sections lost, changed or split: the pages' sections are the one-file README's.
  expect(pages.map((p) => sectionsPart(files.get(p)!)).join('')).toBe(sectionsPart(single));
  let first = 1;
  pages.forEach((p, k) => {
    const text = files.get(p)!;
    const held = memberAnchors(text).length;
    expect(held).toBeGreaterThan(0);
    // Within the budget, unless a page of one member (a section is never split).
    if (held > 1) expect(bytes(text), p).toBeLessThanOrEqual(budget);
    // Its first line: which group, which members; then the way back to README.md.
    const [title = '', , intro = ''] = text.split('\n');
    expect(title).toBe(`# Attach the shared boundary \`${boundary}\`: principals ${first}–${first + held - 1} of ${ps.length} (page ${k + 1} of ${pages.length})`);
    expect(links(intro)[0]).toEqual({ text: "this folder's README.md", target: 'README.md' });
    expect(intro).toContain(' … ');
    first += held;
  });
  return pages;
}

describe('group README pages', () => {
  it('a group whose README fits the default budget is one README, no pages, its links to anchors in it', () => {
    const files = markdown(plans);
    expect([...files.keys()]).toEqual(['README.md']);
    expect(bytes(files.get('README.md')!)).toBeLessThan(GROUP_PAGE_BYTES);
    checkLayout(plans, GROUP_PAGE_BYTES, files.get('README.md')!);
  });

  it('one byte under the one-file README: pages, and the README keeps head and table only; at its size exactly: one file', () => {
    const single = markdown(plans).get('README.md')!;
    expect(checkLayout(plans, bytes(single), single)).toEqual([]);
    // The sections alone fit (the head is what no longer does): one page.
    expect(checkLayout(plans, bytes(single) - 1, single)).toEqual(['members-001.md']);
    const readme = markdown(plans, bytes(single) - 1).get('README.md')!;
    expect(readme).toContain('## What every principal here has in common');
    expect(readme).toContain('members page');
  });

  it('a one-member group: one README at the default budget; past a budget it cannot fit, a README and one page', () => {
    const one = plans.slice(0, 1);
    const single = markdown(one).get('README.md')!;
    expect(checkLayout(one, GROUP_PAGE_BYTES, single)).toEqual([]);
    expect(checkLayout(one, 100, single)).toEqual(['members-001.md']);
  });

  it('property: any members, any budget: boundaries, links and contents hold', () => {
    const singles = new Map<string, string>();
    fc.assert(
      fc.property(fc.integer({ min: 0, max: NAMES.length - 1 }), fc.integer({ min: 1, max: NAMES.length }), fc.integer({ min: 50, max: 80_000 }), (start, count, budget) => {
        const ps = plans.slice(start, start + count);
        const key = `${start}:${ps.length}`;
        if (!singles.has(key)) singles.set(key, markdown(ps).get('README.md')!);
        const files = markdown(ps, budget);
        checkLayout(ps, budget, singles.get(key)!);
        // Tight: a budget one byte under a full page (not the last) must still hold every page of two or more members.
        const full = pagesOf(files).slice(0, -1).find((p) => anchors(files.get(p)!).filter((a) => !a.endsWith('-why')).length > 1);
        if (full !== undefined) checkLayout(ps, bytes(files.get(full)!) - 1, singles.get(key)!);
      }),
      { numRuns: 40 },
    );
  }, 120_000);

  it('hostile names stay text: no link, heading or anchor of their own, no file named after them', () => {
    const single = markdown(plans).get('README.md')!;
    const files = markdown(plans, 20_000);
    expect(pagesOf(files).length).toBeGreaterThan(1);
    for (const [path, text] of files) {
      // Anchors are leash's: one per member and one per reasons section, none forged by a name.
      expect(anchors(text).every((a) => /^fix-role-[A-Za-z0-9+=,.@_~-]+$/.test(a)), path).toBe(true);
      expect(anchors(text)).not.toContain('fix-role-forged');
      expect(text).not.toMatch(/^#+ heading/m);
      // No link a name wrote (checkLayout: every target is leash's own form); its characters only inside safeName's folder name.
      for (const { target } of links(text)) expect(['evil.md', '#fix-role-x', 'x', '../../etc/passwd']).not.toContain(target);
    }
    for (const { target } of links(single)) expect(['evil.md', '#fix-role-x', 'x', '../../etc/passwd']).not.toContain(target);
    checkLayout(plans, 20_000, single);
  });
});

describe('pageRanges', () => {
  it('property: consecutive, covering, never empty, within the budget unless one member, and greedy', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 5_000 }), { maxLength: 200 }), fc.integer({ min: 0, max: 300 }), fc.integer({ min: 1, max: 20_000 }), (sizes, head, budget) => {
        // A header that grows with the last member's number, like a real one's digits and names.
        const header = (first: number, last: number) => head + String(last).length + (first % 7);
        const pages = pageRanges(sizes, header, budget);
        expect(pages.length === 0).toBe(sizes.length === 0);
        let at = 0;
        for (const [k, r] of pages.entries()) {
          expect(r.first).toBe(at);
          expect(r.end).toBeGreaterThan(r.first);
          const sum = sizes.slice(r.first, r.end).reduce((a, b) => a + b, 0);
          if (r.end - r.first > 1) expect(header(r.first, r.end - 1) + sum).toBeLessThanOrEqual(budget);
          // Greedy: the next member would not have fitted.
          if (k < pages.length - 1) expect(header(r.first, r.end) + sum + sizes[r.end]!).toBeGreaterThan(budget);
          at = r.end;
        }
        expect(at).toBe(sizes.length);
      }),
      { numRuns: 300 },
    );
  });

  it('page file names come from the counter only', () => {
    expect([1, 2, 999, 1000].map(groupPageFile)).toEqual(['members-001.md', 'members-002.md', 'members-999.md', 'members-1000.md']);
    for (const bad of [0, -1, 1.5, Number.NaN]) expect(() => groupPageFile(bad)).toThrow();
  });
});

describe('pages on disk', () => {
  it('are in the manifest and the folder is leash\'s; rewritten with fewer pages, the extra ones go and backups stay; then one README again', async () => {
    const out = join(root, 'fixes');
    const groupDir = join(out, groupDirName(boundary));
    const manifestFiles = () => (JSON.parse(readFileSync(join(out, '.leash-fixes'), 'utf8')) as { folders: Record<string, { files: string[] }> }).folders[groupDirName(boundary)]!.files;
    const mdFiles = () => readdirSync(groupDir).filter((f) => f.endsWith('.md')).sort();
    const foreign = () => {
      const seen = { foreign: [] as string[], backups: [] as string[] };
      inspectFixesDir(out, 'fixes/', seen);
      return seen;
    };
    await writeFixPlans(out, plans, undefined, { groupPageBytes: 8_000 });
    const many = mdFiles().filter((f) => f !== 'README.md');
    expect(many.length).toBeGreaterThan(3);
    expect(manifestFiles().filter((f) => f.startsWith('members-')).sort()).toEqual(many);
    expect(foreign()).toEqual({ foreign: [], backups: [] });
    // What is on disk is what groupFiles renders.
    const rendered = markdown(plans, 8_000);
    for (const f of mdFiles()) expect(readFileSync(join(groupDir, f), 'utf8')).toBe(rendered.get(f));
    mkdirSync(join(groupDir, 'backup-20261201T000000Z'));
    await writeFixPlans(out, plans, undefined, { groupPageBytes: 30_000 });
    const fewer = mdFiles().filter((f) => f !== 'README.md');
    expect(fewer.length).toBeLessThan(many.length);
    expect(fewer).toEqual(many.slice(0, fewer.length));
    expect(manifestFiles().filter((f) => f.startsWith('members-')).sort()).toEqual(fewer);
    expect(readdirSync(groupDir)).toContain('backup-20261201T000000Z');
    await writeFixPlans(out, plans);
    expect(mdFiles()).toEqual(['README.md']);
    expect(readFileSync(join(groupDir, 'README.md'), 'utf8')).toBe(markdown(plans).get('README.md'));
    expect(foreign().foreign).toEqual([]);
  }, 60_000);
});
