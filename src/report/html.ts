// report.html: one self-contained page for people who will never open a terminal. No external URL
// (no CDN, font or image: it works offline and from an e-mail attachment), and a Content Security
// Policy that forbids loading anything, with the one inline script allowed by its hash. Every
// value from the report is escaped: role names, tags, titles and suppression reasons are written by
// whoever controls the account, so `<img onerror>` in a role name must show as text. The tables are
// rendered here, so the page reads without JavaScript; the script only adds tabs, a filter and sorting.
// Pure: Report in, HTML pieces out (a big report streams to disk row by row).
import { createHash } from 'node:crypto';
import { SEVERITIES, severityRank, type Severity } from '../model/finding.js';
import type { Report } from '../model/report.js';
import type { ComparableScan } from './scan-index.js';
import { findingRows } from './rows.js';
import { cutText, nowhereCount, nowhereEntries, NOWHERE_HEADING, NOWHERE_LEAD } from './allowed-nowhere.js';

export interface HtmlOptions {
  /** The scan before this one, for the "since last scan" line when the report carries no delta. */
  readonly previous?: ComparableScan;
}

const ENTITY: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text and attribute values: the five characters that can end a text node or an attribute. */
export function escapeHtml(value: string | number | boolean): string {
  // Control characters other than tab/newline have no business in a page; show them as U+FFFD.
  // C1 controls and bidi/zero-width characters (a name that reads backwards) are shown escaped.
  return String(value)
    .replace(/[&<>"']/g, (c) => ENTITY[c]!)
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '\ufffd')
    .replace(/[\u0080-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const SEVERITY_COLOUR: Readonly<Record<Severity, string>> = { critical: '#7a0019', high: '#c0392b', medium: '#b9770e', low: '#2e86c1', info: '#707b7c' };

const STYLE = `
:root{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1f23;background:#f6f8fa}
body{margin:0}header{background:#1b1f23;color:#fff;padding:16px 24px}header h1{margin:0;font-size:20px}
header p{margin:4px 0 0;color:#c9d1d9;font-size:13px}nav{display:flex;gap:4px;padding:0 24px;background:#24292f}
nav a{color:#c9d1d9;text-decoration:none;padding:10px 14px;font-size:14px}nav a.active{color:#fff;border-bottom:3px solid #f0883e}
main{padding:16px 24px}section{margin-bottom:32px}h2{font-size:17px;margin:8px 0 12px}
.cards{display:flex;flex-wrap:wrap;gap:12px}.card{background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:12px 16px;min-width:120px}
.card .n{font-size:28px;font-weight:600}.card .l{font-size:12px;color:#57606a;text-transform:uppercase}
table{border-collapse:collapse;width:100%;background:#fff;font-size:13px}th,td{border:1px solid #d0d7de;padding:6px 8px;text-align:left;vertical-align:top}
th{background:#eaeef2;cursor:pointer;user-select:none;position:sticky;top:0}td.num{text-align:right;font-variant-numeric:tabular-nums}
.sev{display:inline-block;color:#fff;border-radius:10px;padding:1px 8px;font-size:11px;font-weight:600;text-transform:uppercase}
.muted{color:#57606a}.sup{opacity:.6}.toolbar{display:flex;gap:8px;margin-bottom:8px;align-items:center}
input,select{font:inherit;padding:4px 8px;border:1px solid #d0d7de;border-radius:6px}.notes li{margin:2px 0}
code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12px;word-break:break-all}
.wrap{overflow-x:auto;background:#fff}td.nw{white-space:nowrap}td.title{min-width:220px}td code{display:inline-block;max-width:300px}
${SEVERITIES.map((s) => `.sev-${s}{background:${SEVERITY_COLOUR[s]}}`).join('')}
`;

// Tabs, filter and column sort over the rendered tables. Reads only the DOM; data never reaches
// innerHTML, so nothing in it can become markup.
const SCRIPT = `
(function(){
  var tabs=document.querySelectorAll('nav a');var sections=document.querySelectorAll('main>section');
  function show(id){sections.forEach(function(s){s.hidden=s.id!==id});tabs.forEach(function(a){a.classList.toggle('active',a.getAttribute('href')==='#'+id)})}
  function route(){var id=(location.hash||'#overview').slice(1);if(!document.getElementById(id)||!/^(overview|findings|principals)$/.test(id))id='overview';show(id)}
  window.addEventListener('hashchange',route);route();
  var q=document.getElementById('filter');var sev=document.getElementById('severity');var st=document.getElementById('status');var count=document.getElementById('shown');
  function filter(){var text=q.value.toLowerCase();var s=sev.value;var t=st.value;var n=0;
    document.querySelectorAll('#findings tbody tr').forEach(function(r){var ok=(!text||r.getAttribute('data-text').indexOf(text)>=0)&&(!s||r.getAttribute('data-sev')===s)&&(!t||r.getAttribute('data-status')===t);r.hidden=!ok;if(ok)n++});
    count.textContent=String(n)}
  [q,sev,st].forEach(function(el){el.addEventListener('input',filter)});filter();
  document.querySelectorAll('th[data-key]').forEach(function(th){th.addEventListener('click',function(){
    var table=th.closest('table');var body=table.tBodies[0];var i=Array.prototype.indexOf.call(th.parentNode.children,th);var num=th.getAttribute('data-key')==='num';
    var dir=th.getAttribute('data-dir')==='asc'?'desc':'asc';th.setAttribute('data-dir',dir);
    var rows=Array.prototype.slice.call(body.rows);rows.sort(function(a,b){var x=a.cells[i].getAttribute('data-v')||a.cells[i].textContent;var y=b.cells[i].getAttribute('data-v')||b.cells[i].textContent;
      var c=num?Number(x)-Number(y):x.localeCompare(y);return dir==='asc'?c:-c});rows.forEach(function(r){body.appendChild(r)})})});
})();
`;

const SCRIPT_HASH = createHash('sha256').update(SCRIPT, 'utf8').digest('base64');

/** Nothing may be fetched: no network, no other file; only the page's own style and its one script. */
export const HTML_CSP = `default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-${SCRIPT_HASH}'; img-src 'none'; connect-src 'none'; form-action 'none'; base-uri 'none'`;

const badge = (s: Severity): string => `<span class="sev sev-${s}">${s}</span>`;
const card = (label: string, n: number | string, colour?: string): string =>
  `<div class="card"><div class="n"${colour ? ` style="color:${colour}"` : ''}>${escapeHtml(n)}</div><div class="l">${escapeHtml(label)}</div></div>`;

export function* toHtml(report: Report, opts: HtmlOptions = {}): Generator<string> {
  const e = escapeHtml;
  const { scan, summary } = report;
  const account = scan.account.alias ? `${scan.account.id} (${scan.account.alias})` : scan.account.id;
  const open = report.findings.filter((f) => !f.suppressed);
  yield `<!doctype html>\n<html lang="en"><head><meta charset="utf-8">`;
  yield `<meta http-equiv="Content-Security-Policy" content="${e(HTML_CSP)}">`;
  yield `<meta name="viewport" content="width=device-width,initial-scale=1"><meta name="generator" content="leash ${e(report.tool.version)}">`;
  yield `<title>leash — ${e(account)} — ${e(scan.startedAt)}</title><style>${STYLE}</style></head><body>\n`;
  yield `<header><h1>leash report — account ${e(account)}</h1><p>scan ${e(scan.id)} · ${e(scan.startedAt)} → ${e(scan.finishedAt)} · leash ${e(report.tool.version)}</p></header>\n`;
  yield `<nav><a href="#overview">Overview</a><a href="#findings">Findings (${open.length})</a><a href="#principals">Principals (${report.principals.length})</a></nav>\n<main>\n`;

  // Overview
  yield `<section id="overview"><h2>Overview</h2><div class="cards">`;
  for (const s of SEVERITIES) yield card(s, summary.findingsBySeverity[s] ?? 0, SEVERITY_COLOUR[s]);
  yield card('suppressed', summary.suppressedFindings);
  yield card('principals', summary.principals);
  yield card('agent principals', summary.agentPrincipals);
  yield `</div>`;
  const delta = report.delta;
  if (delta) yield `<p id="delta">Since the previous scan (${e(delta.previousScanId)}): <b>${delta.newFindings.length}</b> new, <b>${delta.resolvedFindings.length}</b> resolved, ${delta.changedFindings.length} changed findings; ${delta.principalsAdded.length} principals added, ${delta.principalsRemoved.length} removed.</p>`;
  else if (opts.previous) yield `<p id="delta" class="muted">Previous scan: ${e(opts.previous.scan.id)} (no delta recorded in this report).</p>`;
  else yield `<p id="delta" class="muted">No previous scan to compare with.</p>`;
  const top = [...open].sort((a, b) => severityRank[b.severity] - severityRank[a.severity] || a.id.localeCompare(b.id)).slice(0, 10);
  if (top.length > 0) {
    yield `<h2>Most severe open findings</h2><ol>`;
    for (const f of top) yield `<li>${badge(f.severity)} ${e(f.title)} — <code>${e(f.principalArn)}</code></li>`;
    yield `</ol>`;
  }
  // Actions the effective stage dropped (session 42), bounded: report.json has the whole list.
  const nowhere = nowhereEntries(report);
  if (nowhere.total > 0) {
    yield `<h2 id="allowed-nowhere">${e(NOWHERE_HEADING)}</h2><p class="muted">${e(NOWHERE_LEAD)}</p><ul class="notes">`;
    for (const n of nowhere.entries) {
      const more = n.count - n.shown.length;
      const shown = n.shown.map((x) => `<code>${e(x.action)}</code> (${e(x.why)})`).join('; ');
      yield `<li><b>${e(cutText(n.name, 128))}</b> <span class="muted">(${e(n.kind)}${n.isAgent ? ', agent' : ''})</span>: ${e(nowhereCount(n))} — ${shown}${more > 0 ? `; and ${more}${n.cut ? ' or more' : ''} more in report.json` : ''}.</li>`;
    }
    if (nowhere.total > nowhere.entries.length) yield `<li class="muted">${nowhere.total - nowhere.entries.length} more principals in report.json</li>`;
    yield `</ul>`;
  }
  const cov = scan.coverage;
  yield `<h2>Coverage</h2><ul class="notes"><li>IAM: ${e(cov.iam)}</li><li>Usage: ${e(cov.usage.status)}${cov.usage.window ? ` (${e(cov.usage.window.start)} → ${e(cov.usage.window.end)}, ${cov.usage.coveredPrincipals} principals)` : ''}</li><li>SCPs: ${e(cov.scps)}</li>`;
  for (const n of cov.notes) yield `<li>${e(n)}</li>`;
  yield `</ul>`;
  if (report.errors.length > 0) {
    yield `<h2>Scan errors (${report.errors.length})</h2><ul class="notes">`;
    for (const err of report.errors.slice(0, 100)) yield `<li><b>${e(err.source)}/${e(err.code)}</b> ${e(err.message)}</li>`;
    if (report.errors.length > 100) yield `<li class="muted">${report.errors.length - 100} more in report.json</li>`;
    yield `</ul>`;
  }
  yield `</section>\n`;

  // Findings
  yield `<section id="findings"><h2>Findings</h2><div class="toolbar"><input id="filter" type="search" placeholder="Filter: principal, check, title, tool…" size="40">`;
  yield `<select id="severity"><option value="">all severities</option>${SEVERITIES.map((s) => `<option value="${s}">${s}</option>`).join('')}</select>`;
  yield `<select id="status"><option value="">open and suppressed</option><option value="open">open</option><option value="suppressed">suppressed</option></select>`;
  yield `<span class="muted"><span id="shown">${report.findings.length}</span> shown</span></div>\n`;
  yield `<div class="wrap"><table><thead><tr><th data-key="num">Severity</th><th data-key="text">Title</th><th data-key="text">Principal</th><th data-key="text">Check</th><th data-key="text">Agent tool</th><th data-key="text">Status</th><th data-key="text">First seen</th><th data-key="text">Fixes</th></tr></thead><tbody>\n`;
  for (const r of findingRows(report)) {
    const text = [r.principalName, r.principalArn, r.check, r.title, r.agentTool, r.findingId, r.suppressedReason].join(' ').toLowerCase();
    yield `<tr data-sev="${r.severity}" data-status="${r.status}" data-text="${e(text)}"${r.status === 'suppressed' ? ' class="sup"' : ''}>`
      + `<td data-v="${severityRank[r.severity]}">${badge(r.severity)}</td><td class="title">${e(r.title)}</td>`
      + `<td><b>${e(r.principalName)}</b><br><code>${e(r.principalArn)}</code></td><td>${e(r.check)}</td><td>${e(r.agentTool)}</td>`
      + `<td>${r.status === 'suppressed' ? `suppressed: ${e(r.suppressedReason)}` : 'open'}</td><td class="nw" data-v="${e(r.firstSeen)}" title="${e(r.firstSeen)}">${e(r.firstSeen.slice(0, 10))}</td>`
      + `<td><code>${e(r.fixIds.replace(/;/g, ' '))}</code></td></tr>\n`;
  }
  yield `</tbody></table></div></section>\n`;

  // Principals
  const findingsOf = new Map<string, number>();
  for (const f of open) findingsOf.set(f.principalArn, (findingsOf.get(f.principalArn) ?? 0) + 1);
  yield `<section id="principals"><h2>Principals</h2><div class="wrap"><table><thead><tr><th data-key="num">Risk</th><th data-key="text">Name</th><th data-key="text">Kind</th><th data-key="text">Agent</th><th data-key="num">Allowed actions</th><th data-key="num">Destructive</th><th data-key="num">Escalation paths</th><th data-key="num">Open findings</th><th data-key="text">Last used</th></tr></thead><tbody>\n`;
  const principals = [...report.principals].sort((a, b) => b.riskScore - a.riskScore || a.name.localeCompare(b.name));
  for (const p of principals) {
    const tools = [...new Set(p.agentEvidence.map((ev) => ev.tool).filter((t): t is string => typeof t === 'string'))].sort().join(', ');
    yield `<tr><td class="num">${p.riskScore}</td><td><b>${e(p.name)}</b><br><code>${e(p.arn)}</code></td><td>${e(p.kind)}</td>`
      + `<td>${p.isAgent ? `yes${tools ? ` (${e(tools)})` : ''}` : 'no'}</td><td class="num">${p.permissions.allowedActionCount}</td>`
      + `<td class="num">${p.permissions.destructiveActions.length}</td><td class="num">${p.permissions.escalationTechniques.length}</td>`
      + `<td class="num">${findingsOf.get(p.arn) ?? 0}</td><td>${e(p.usage?.lastSeen ?? '')}</td></tr>\n`;
  }
  yield `</tbody></table></div></section>\n</main>\n<script>${SCRIPT}</script>\n</body></html>\n`;
}
