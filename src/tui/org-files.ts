// Loading an organization report (organization.json of `leash scan --org`) for the TUI: the report
// itself, and the findings of each scanned account read from that account's own report.json.
// Everything read is hostile: the file is checked for the fields the view uses, and an account's
// reportDir must stay inside the reports root.
import { closeSync, existsSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { READ_LIMITS, readRegularFileSync } from '../safe/read.js';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { InputError } from '../model/errors.js';
import type { Severity } from '../model/finding.js';
import type { OrganizationReport } from '../model/organization-report.js';
import { loadReport } from './report-files.js';
import { reportFileIn } from '../report/report-file.js';

export const ORGANIZATION_FILE = 'organization.json';

/** One finding of one member account, as the organization view lists it. */
export interface OrgFinding {
  readonly accountId: string;
  readonly severity: Severity;
  readonly checkId: string;
  readonly title: string;
  readonly principalArn: string;
  readonly principalName: string;
  readonly suppressed: boolean;
}

export interface OrganizationView {
  readonly report: OrganizationReport;
  readonly findings: readonly OrgFinding[];
  /** Scanned accounts whose report could not be read: said in the view, not fatal. */
  readonly unreadable: readonly { readonly accountId: string; readonly reason: string }[];
}

/** organization.json itself, or a folder holding one; undefined for anything else (a per-account report). */
export function organizationReportPath(spec: string): string | undefined {
  const p = resolve(spec);
  try {
    if (statSync(p).isDirectory()) return existsSync(join(p, ORGANIZATION_FILE)) ? join(p, ORGANIZATION_FILE) : undefined;
  } catch {
    return undefined;
  }
  if (p.endsWith(`${sep}${ORGANIZATION_FILE}`) || p === ORGANIZATION_FILE) return p;
  // Any other JSON file that says it is one (renamed or copied by hand).
  // Only the first 4 KiB of a regular file: a pipe (a report still arriving) or a device is never
  // an organization report, and reading it here would consume what the report reader needs.
  try {
    if (!statSync(p).isFile()) return undefined;
    const fd = openSync(p, 'r');
    try {
      const buf = Buffer.alloc(4096);
      const head = buf.subarray(0, readSync(fd, buf, 0, buf.length, 0)).toString('utf8');
      return /"kind"\s*:\s*"organization"/.test(head) ? p : undefined;
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
}

/** The newest organization.json under <reports>/organizations/<org>/<time>/, by folder name (a UTC time). */
export function findLatestOrganizationReport(reportsDir: string): string | undefined {
  const root = join(resolve(reportsDir), 'organizations');
  let best: { path: string; key: string } | undefined;
  const list = (d: string): string[] => {
    try {
      return readdirSync(d, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
    } catch {
      return [];
    }
  };
  for (const org of list(root)) {
    for (const time of list(join(root, org))) {
      const path = join(root, org, time, ORGANIZATION_FILE);
      if (existsSync(path) && (!best || time > best.key)) best = { path, key: time };
    }
  }
  return best?.path;
}

function expectField(ok: boolean, path: string, jsonPath: string, expected: string, got: unknown): void {
  if (!ok) throw new InputError(path, jsonPath, expected, JSON.stringify(got)?.slice(0, 60) ?? String(got));
}

/** Reads and checks organization.json (the fields the view relies on). */
export function loadOrganizationReport(path: string): OrganizationReport {
  let doc: unknown;
  try {
    doc = JSON.parse(readRegularFileSync(path, READ_LIMITS.report, 'an organization.json (leash scan --org)').toString('utf8'));
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(path, '', 'a readable organization.json (JSON)', e instanceof SyntaxError ? 'invalid JSON' : ((e as NodeJS.ErrnoException).code ?? 'unreadable'));
  }
  const o = doc as Partial<OrganizationReport> | null;
  expectField(typeof o === 'object' && o !== null && o.kind === 'organization', path, '$.kind', '"organization" (an organization report of leash scan --org)', o?.kind);
  expectField(typeof o!.schemaVersion === 'string' && /^1\./.test(o!.schemaVersion), path, '$.schemaVersion', 'a 1.x schema version', o!.schemaVersion);
  expectField(Array.isArray(o!.accounts), path, '$.accounts', 'an array of accounts', o!.accounts);
  expectField(Array.isArray(o!.agentPrincipals), path, '$.agentPrincipals', 'an array of agent principals', o!.agentPrincipals);
  o!.accounts!.forEach((a, i) => expectField(typeof a?.id === 'string' && typeof a.status === 'string', path, `$.accounts[${i}]`, 'an account with id and status', a));
  o!.agentPrincipals!.forEach((a, i) => expectField(typeof a?.accountId === 'string' && typeof a.name === 'string' && typeof a.riskScore === 'number', path, `$.agentPrincipals[${i}]`, 'an agent principal with accountId, name and riskScore', a));
  return o as OrganizationReport;
}

/**
 * Where an account's report.json (or report.json.gz) is: its reportDir under the reports root (the folder three levels
 * above organizations/<org>/<time>/, else `reportsDir`). A reportDir that is absolute or climbs
 * out of the root is refused.
 */
function accountReportPath(orgPath: string, reportDir: string, reportsDir: string | undefined): string | undefined {
  if (isAbsolute(reportDir) || reportDir.split(/[\\/]/).includes('..')) return undefined;
  const roots = [resolve(dirname(orgPath), '..', '..', '..'), ...(reportsDir !== undefined ? [resolve(reportsDir)] : [])];
  for (const root of roots) {
    const p = reportFileIn(join(root, reportDir));
    if (p !== undefined) return p;
  }
  return undefined;
}

export function loadOrganizationView(path: string, reportsDir?: string): OrganizationView {
  const report = loadOrganizationReport(path);
  const findings: OrgFinding[] = [];
  const unreadable: { accountId: string; reason: string }[] = [];
  for (const a of report.accounts) {
    if (a.status !== 'scanned' || typeof a.reportDir !== 'string') continue;
    const file = accountReportPath(path, a.reportDir, reportsDir);
    if (file === undefined) {
      unreadable.push({ accountId: a.id, reason: `no report.json under ${a.reportDir}` });
      continue;
    }
    try {
      const r = loadReport(file);
      const names = new Map(r.principals.map((p) => [p.arn, p.name]));
      for (const f of r.findings) {
        findings.push({
          accountId: a.id,
          severity: f.severity,
          checkId: f.checkId,
          title: f.title,
          principalArn: f.principalArn,
          principalName: names.get(f.principalArn) ?? f.principalArn.split('/').pop() ?? f.principalArn,
          suppressed: f.suppressed !== undefined,
        });
      }
    } catch (e) {
      unreadable.push({ accountId: a.id, reason: e instanceof Error ? e.message : String(e) });
    }
  }
  const rank: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3, info: 4 };
  findings.sort((x, y) => rank[x.severity] - rank[y.severity] || x.accountId.localeCompare(y.accountId) || x.principalName.localeCompare(y.principalName) || x.checkId.localeCompare(y.checkId));
  return { report, findings, unreadable };
}
