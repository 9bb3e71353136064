// report.html as text (Chromium-free checks; html-chromium.test.ts renders it).
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { escapeHtml, HTML_CSP } from '../../../src/report/html.js';
import { renderFormat } from '../../../src/report/write.js';
import { buildReport, principal, roleArn } from '../support.js';

describe('report.html', () => {
  const evil = principal({ arn: roleArn('x'), name: '<script>alert(1)</script>&"\'' });
  const html = renderFormat(buildReport({ principals: [evil] }), 'html');

  it('names no external URL: no src/href to http(s), no @import, no url()', () => {
    expect(html).not.toMatch(/(?:src|href)\s*=\s*["']?(?:https?:)?\/\//i);
    expect(html).not.toMatch(/@import|url\(/i);
  });

  it('allows exactly its one inline script by hash', () => {
    const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
    expect(scripts).toHaveLength(1);
    const hash = createHash('sha256').update(scripts[0]!, 'utf8').digest('base64');
    expect(HTML_CSP).toContain(`script-src 'sha256-${hash}'`);
    expect(HTML_CSP).toMatch(/default-src 'none'/);
  });

  it('escapes data: a hostile name appears only escaped', () => {
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&amp;&quot;&#39;');
  });

  it.each([['<', '&lt;'], ['>', '&gt;'], ['&', '&amp;'], ['"', '&quot;'], ["'", '&#39;'], ['a\u0000b', 'a\ufffdb'], ['plain', 'plain']])('escapeHtml(%j) = %j', (input, out) => {
    expect(escapeHtml(input)).toBe(out);
  });
});
