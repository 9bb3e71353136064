// report.html in headless Chromium: the three views render and work (tabs, filter, sort), the page
// loads nothing but itself, and hostile names from the account stay text. Screenshots of each view
// are written to test-output/ (git-ignored) for a person to look at, and checked as images here.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../../src/model/report.js';
import { renderFormat } from '../../../src/report/write.js';
import { chromiumAvailable, CHROMIUM_SKIP_REASON, launchChromium, pngSize } from '../../support/chromium.js';
import { repoRoot } from '../../support/fixtures.js';
import { buildReport, finding, KIRO, principal, roleArn } from '../support.js';

const XSS_NAME = '<img src=x onerror="window.__pwned=1">';
const XSS_SCRIPT = '</script><script>window.__pwned=2</script>';
const XSS_ATTR = '" onmouseover="window.__pwned=3" x="';

function hostileReport(): Report {
  const evil = principal({ arn: roleArn(XSS_NAME.replace(/[^\w=+,.@-]/g, '_')), name: XSS_NAME, isAgent: true, riskScore: 99, agentEvidence: [{ kind: 'tag', detail: XSS_ATTR, confidence: 'high', tool: XSS_ATTR }] });
  const base = buildReport();
  return buildReport({
    principals: [...base.principals, evil],
    findings: [
      ...base.findings,
      finding({ checkId: 'agent-destructive-without-approval', principalArn: evil.arn, subject: 'destructive', title: XSS_SCRIPT, suppressed: { reason: `<a href="http://evil.example/">click</a>` } }),
    ],
  });
}

describe.skipIf(!chromiumAvailable)(`report.html in headless Chromium${chromiumAvailable ? '' : ` (skipped: ${CHROMIUM_SKIP_REASON})`}`, () => {
  let browser: Browser;
  let page: Page;
  let url: string;
  const requests: string[] = [];
  const problems: string[] = [];
  const shots = join(repoRoot, 'test-output', 'html');
  const report = hostileReport();

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'leash-html-'));
    const file = join(dir, 'report.html');
    writeFileSync(file, renderFormat(report, 'html'));
    url = pathToFileURL(file).href;
    mkdirSync(shots, { recursive: true });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('request', (r) => requests.push(r.url()));
    page.on('dialog', (d) => { problems.push(`dialog: ${d.message()}`); void d.dismiss(); });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    // A CSP refusal of our own script (a wrong hash) shows up here.
    page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
    await page.goto(url);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  async function shot(name: string): Promise<void> {
    const png = await page.screenshot({ path: join(shots, `${name}.png`), fullPage: false });
    expect(pngSize(png)).toEqual({ width: 1280, height: 900 });
  }

  it('overview: severity cards, delta line, coverage; nothing but the file itself is requested', async () => {
    expect(await page.isVisible('#overview')).toBe(true);
    expect(await page.isHidden('#findings')).toBe(true);
    const open = report.findings.filter((f) => !f.suppressed);
    expect(await page.textContent('#overview .cards')).toContain(`${report.summary.findingsBySeverity.critical}critical`);
    expect(await page.textContent('nav')).toContain(`Findings (${open.length})`);
    // The critical card is drawn in the critical colour (the stylesheet applied, offline).
    expect(await page.$eval('.sev-critical', (el) => getComputedStyle(el).backgroundColor)).toBe('rgb(122, 0, 25)');
    await shot('overview');
    expect(requests).toEqual([url]);
  });

  it('findings: the filter and the severity menu narrow the table; the tab is linkable', async () => {
    await page.click('nav a[href="#findings"]');
    expect(await page.isVisible('#findings')).toBe(true);
    expect(await page.isHidden('#overview')).toBe(true);
    const rows = () => page.$$eval('#findings tbody tr', (trs) => trs.filter((tr) => !(tr as HTMLElement).hidden).length);
    expect(await rows()).toBe(report.findings.length);
    await page.fill('#filter', 'kiro-dev');
    const kiro = report.findings.filter((f) => f.principalArn === KIRO.arn).length;
    expect(await rows()).toBe(kiro);
    expect(await page.textContent('#shown')).toBe(String(kiro));
    await page.fill('#filter', '');
    await page.selectOption('#severity', 'critical');
    expect(await rows()).toBe(report.findings.filter((f) => f.severity === 'critical').length);
    await page.selectOption('#severity', '');
    await shot('findings');
  });

  it('principals: sorted by risk, a header click re-sorts', async () => {
    await page.goto(`${url}#principals`);
    expect(await page.isVisible('#principals')).toBe(true);
    const risks = () => page.$$eval('#principals tbody tr td:first-child', (tds) => tds.map((td) => Number(td.textContent)));
    const before = await risks();
    expect(before).toEqual([...before].sort((a, b) => b - a));
    await page.click('#principals th:first-child');
    const after = await risks();
    expect(after).toEqual([...before].sort((a, b) => a - b));
    await shot('principals');
  });

  it('hostile names stay text: no script ran, no element was injected, the text shows as written', async () => {
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.$$('main img, main a[href^="http"]')).toHaveLength(0);
    expect(await page.$$('script')).toHaveLength(1);
    await page.goto(`${url}#findings`);
    await page.hover(`#findings tbody tr:last-child td:nth-child(5)`);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    const body = await page.textContent('#findings tbody');
    expect(body).toContain(XSS_SCRIPT);
    expect(body).toContain('<a href="http://evil.example/">click</a>');
    expect(await page.textContent('#principals tbody')).toContain(XSS_NAME);
    expect(problems).toEqual([]);
    expect(requests.every((r) => r.startsWith('file://'))).toBe(true);
  });

  it('reads without JavaScript: every section and row is in the page', async () => {
    const ctx = await browser.newContext({ javaScriptEnabled: false });
    const p = await ctx.newPage();
    await p.goto(url);
    expect(await p.$$eval('#findings tbody tr', (trs) => trs.length)).toBe(report.findings.length);
    expect(await p.isVisible('#principals')).toBe(true);
    await ctx.close();
  });
});
