// The actions the effective stage drops (session 42, report.json `permissions.allowedNowhere`)
// shown where people read (session 43): the terminal summary, summary.md and report.html. Shown
// when present, absent when none, every shown string escaped, bounded.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { PrincipalReport } from '../../src/model/report.js';
import { toMarkdown } from '../../src/report/markdown.js';
import { toHtml } from '../../src/report/html.js';
import { renderSummary } from '../../src/report/summary-text.js';
import { cutText, NOWHERE_HEADING, NOWHERE_LIMITS, nowhereEntries } from '../../src/report/allowed-nowhere.js';
import { analyzeSnapshots, defaultConfig } from '../../src/pipeline/scan.js';
import { DEV, allow, arn, doc, snapshot } from '../graph/accounts.js';
import { buildReport, principal, roleArn } from './support.js';

const html = (r: ReturnType<typeof buildReport>) => [...toHtml(r)].join('');
const views = (r: ReturnType<typeof buildReport>) => ({ md: toMarkdown(r), html: html(r), text: renderSummary(r, { color: false, width: Infinity }) });

const dropped = (n: number, why = 'the permissions boundary allows it only on arn:aws:s3:::scratch-*, where the identity policies do not') =>
  Array.from({ length: n }, (_, i) => ({ action: `s3:Action${String(i).padStart(3, '0')}`, why }));
const withNowhere = (name: string, list: { action: string; why: string }[], riskScore = 50) =>
  principal({ arn: roleArn(name.replace(/[^A-Za-z0-9+=,.@_-]/g, 'x')), name, riskScore, permissions: { allowedActionCount: 3, destructiveActions: [], escalationTechniques: [], byService: { s3: 3 }, allowedNowhere: list } });

describe('allowed nowhere in the summary, summary.md and report.html', () => {
  it('shown when present: the heading, the principal, the count, the first actions and why, and what is left in report.json', () => {
    const r = buildReport({ principals: [withNowhere('kiro-agent', dropped(5))] });
    const { md, html: page, text } = views(r);
    for (const v of [md, page, text]) {
      expect(v).toContain(NOWHERE_HEADING);
      expect(v).toContain('kiro-agent');
      expect(v).toContain('5 actions');
      expect(v).toContain('s3:Action000');
      expect(v).toContain('s3:Action002');
      expect(v).not.toContain('s3:Action003'); // three shown
      expect(v).toContain('2 more in report.json');
      expect(v).toContain('where the identity policies do not');
    }
    expect(md).toContain('- `kiro-agent` (role): 5 actions — `s3:Action000` (the permissions boundary allows it only on arn:aws:s3:::scratch-*');
  });

  it('absent when no principal has any (negative control), also with an empty list', () => {
    for (const r of [buildReport(), buildReport({ principals: [withNowhere('empty', [])] })]) {
      const { md, html: page, text } = views(r);
      for (const v of [md, page, text]) expect(v).not.toContain(NOWHERE_HEADING);
    }
  });

  it('a list of 100 (report.json cut it there) says "or more"', () => {
    const { md } = views(buildReport({ principals: [withNowhere('big', dropped(100))] }));
    expect(md).toContain('100 or more actions');
    expect(md).toContain('and 97 or more more in report.json');
  });

  it('escapes hostile names, actions and reasons in each format', () => {
    const name = 'evil\u001b]52;c;cGF5bG9hZA==\u0007<img src=x onerror=alert(1)>|`x`\n- fake';
    const list = [{ action: 's3:Get<script>\u001b[31m', why: 'only on arn:aws:s3:::a`b|c\n## forged heading <b>bold</b>\u202e' }];
    const { md, html: page, text } = views(buildReport({ principals: [withNowhere(name, list)] }));
    for (const v of [md, text]) {
      expect(v).not.toMatch(/\u001b|\u0007|\u202e/);
      expect(v).toContain('\\x1b');
      expect(v).not.toContain('\n## forged heading');
      expect(v).not.toContain('\n- fake');
    }
    // summary.md: the name and action are code spans whose backticks cannot be closed from inside.
    expect(md).toContain("`evil\\x1b]52;c;cGF5bG9hZA==\\x07<img src=x onerror=alert(1)>|'x'\\n- fake`");
    expect(page).not.toContain('<img src=x');
    expect(page.split('<script>').length).toBe(2); // the page's own script only
    expect(page).toContain('<code>s3:Get&lt;script&gt;');
    expect(page).not.toContain('<b>bold</b>');
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(page).toContain('\\u202e');
  });

  it('bounded: at most 10 principals in the files and 5 in the terminal, 3 actions each, reasons cut', () => {
    const many = Array.from({ length: 30 }, (_, i) => withNowhere(`p${String(i).padStart(2, '0')}`, dropped(40, 'x'.repeat(5000)), 100 - i));
    const { md, html: page, text } = views(buildReport({ principals: many }));
    expect(md).toContain('p09');
    expect(md).not.toContain('`p10`');
    expect(md).toContain('…and 20 more principals in report.json.');
    expect(page).toContain('20 more principals in report.json');
    expect(text).toContain('p04');
    expect(text).not.toContain('p05');
    expect(text).toContain('… 25 more principals');
    // The section's size does not grow with the reasons' length.
    const section = md.slice(md.indexOf(NOWHERE_HEADING), md.indexOf('## Since the last scan'));
    expect(section.length).toBeLessThan(10 * 3 * (NOWHERE_LIMITS.whyChars + 40) + 2000);
    expect(text.split('\n').filter((l) => l.includes('xxxx')).every((l) => l.length < 200)).toBe(true);
  });

  it('property: every shown reason is at most the limit (in code points) and a prefix of the reason', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 400 }), fc.integer({ min: 1, max: 300 }), (why, max) => {
      const cut = cutText(why, max);
      const cps = Array.from(cut);
      expect(cps.length).toBeLessThanOrEqual(Math.max(max, 1));
      if (cut === why) return;
      expect(cut.endsWith('…')).toBe(true);
      expect(why.startsWith(cut.slice(0, -1))).toBe(true);
    }));
    const r = { principals: [withNowhere('a', dropped(2, 'y'.repeat(1000)))] as PrincipalReport[] };
    expect(nowhereEntries(r).entries[0]!.shown.every((x) => Array.from(x.why).length === NOWHERE_LIMITS.whyChars)).toBe(true);
  });

  it('through the real scan: an action the boundary leaves on no resource is listed in summary.md with its reason', () => {
    // dev may delete buckets prod-* only; its boundary allows deletes on scratch-* only: nowhere.
    const spec = {
      users: [{ name: 'dev', inline: [doc(allow('s3:DeleteBucket', 'arn:aws:s3:::prod-*'), allow('s3:ListAllMyBuckets'))], boundary: 'cap' }],
      policies: { cap: doc(allow('s3:DeleteBucket', 'arn:aws:s3:::scratch-*'), allow('s3:ListAllMyBuckets')) },
    };
    const now = new Date('2026-12-01T12:00:00Z');
    const [a] = analyzeSnapshots([snapshot(spec)], defaultConfig(), { scanId: 't', startedAt: now.toISOString(), now, fixes: false });
    const p = a!.report.principals.find((x) => x.arn === arn(DEV, 'user', 'dev'))!;
    expect(p.permissions.allowedNowhere?.map((x) => x.action)).toEqual(['s3:DeleteBucket']);
    const md = toMarkdown(a!.report);
    expect(md).toContain('- `dev` (user): 1 action — `s3:DeleteBucket` (the permissions boundary allows it only on');
    // Control: without the boundary nothing is dropped and the section is absent.
    const [b] = analyzeSnapshots([snapshot({ users: [{ name: 'dev', inline: spec.users[0]!.inline }] })], defaultConfig(), { scanId: 't', startedAt: now.toISOString(), now, fixes: false });
    expect(toMarkdown(b!.report)).not.toContain(NOWHERE_HEADING);
  });
});
