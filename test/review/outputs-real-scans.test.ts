// Review R2: what leaves leash, produced by real scans (not hand-built reports). Every report.json
// must satisfy the published schema, SARIF must satisfy the 2.1.0 schema and rank each alert at its
// finding's severity in GitHub, and ids must not move between two scans of the same input.
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/model/report.js';
import { runScan } from '../../src/pipeline/scan.js';
import { toAsff } from '../../src/report/asff.js';
import { toSarif } from '../../src/report/sarif.js';
import { ownFixture, repoRoot, sharedFixture, sharedFixturesPresent, SKIP_REASON } from '../support/fixtures.js';
import { reportSchemaErrors } from '../support/schema.js';

const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const validateSarif = ajv.compile(JSON.parse(readFileSync(ownFixture('sarif/sarif-schema-2.1.0-subset.json'), 'utf8')) as object);
const NOW = new Date('2026-11-24T03:00:00.000Z');

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'leash-r2-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** GitHub reads security-severity from the rule only: the rule must carry the finding's own severity. */
function sarifSeverityMismatches(report: Report): string[] {
  const run = toSarif(report).runs[0]!;
  return run.results
    .filter((r) => run.tool.driver.rules[r.ruleIndex]!.properties.severity !== r.properties.severity)
    .map((r) => `${r.ruleId}: rule ${run.tool.driver.rules[r.ruleIndex]!.properties.severity}, finding ${r.properties.severity}`);
}

function checkAllOutputs(report: Report): void {
  expect(reportSchemaErrors(report)).toEqual([]);
  const sarif = JSON.parse(JSON.stringify(toSarif(report))) as unknown;
  expect(validateSarif(sarif) ? '' : ajv.errorsText(validateSarif.errors)).toBe('');
  expect(sarifSeverityMismatches(report)).toEqual([]);
  const run = toSarif(report).runs[0]!;
  for (const r of run.results) {
    expect(r.ruleId).toBe(run.tool.driver.rules[r.ruleIndex]!.id);
    expect(r.locations[0]!.physicalLocation.artifactLocation.uri).not.toBe('');
    expect(Object.values(r.partialFingerprints)).toEqual([report.findings.find((f) => f.id === r.partialFingerprints['leashFindingId/v1'])!.id]);
  }
  expect(new Set(run.tool.driver.rules.map((r) => r.id)).size).toBe(run.tool.driver.rules.length);
  for (const a of toAsff(report, { region: 'eu-west-1' })) {
    expect(a.Title.length).toBeLessThanOrEqual(256);
    expect(a.Description.length).toBeLessThanOrEqual(1024);
    // Sent only for findings Security Hub may hold with other values (asff.test.ts); then equal to the top level.
    if (a.FindingProviderFields) {
      expect(a.FindingProviderFields.Severity).toEqual(a.Severity);
      expect(a.FindingProviderFields.Types).toEqual(a.Types);
    }
  }
}

describe('the demo scan (usage, suppressions, a broken CloudTrail file, fixes)', () => {
  let first: Report;
  let second: Report;
  beforeAll(async () => {
    const demo = await runScan({ demo: true, fixes: true, now: NOW });
    const sup = join(tmp, 'leash.suppressions.yaml');
    // Reasons with pipes and backticks, as people write them.
    await writeFile(sup, `suppressions:\n${demo.findings.slice(0, 2).map((f) => `  - findingId: ${f.id}\n    reason: "accepted | see \`SEC-1\`"\n`).join('')}`);
    const ct = join(tmp, 'ct');
    await mkdir(ct, { recursive: true });
    await writeFile(join(ct, 'broken.json'), '{"Records": [');
    const opts = { demo: true, fixes: true, suppressionsFile: sup, cloudtrail: [join(repoRoot, 'demo/cloudtrail'), ct], now: NOW };
    first = await runScan(opts);
    second = await runScan(opts);
  }, 60_000);

  it('has suppressions, errors and fixes, and every output format accepts it', () => {
    expect(first.findings.filter((f) => f.suppressed)).toHaveLength(2);
    expect(first.errors.length).toBeGreaterThan(0);
    expect(first.fixes.length).toBeGreaterThan(0);
    checkAllOutputs(first);
  });

  it('findings of one check at several severities land on rules of those severities (GitHub ranks by the rule)', () => {
    const severitiesByCheck = new Map<string, Set<string>>();
    for (const f of first.findings) severitiesByCheck.set(f.checkId, (severitiesByCheck.get(f.checkId) ?? new Set()).add(f.severity));
    expect([...severitiesByCheck.values()].some((s) => s.size > 1) || first.findings.some((f) => first.checks.find((c) => c.id === f.checkId)!.severity !== f.severity)).toBe(true);
    expect(sarifSeverityMismatches(first)).toEqual([]);
  });

  it('keeps finding ids, fix ids and SARIF rule ids across two scans of the same input', () => {
    const ids = (r: Report) => ({ findings: r.findings.map((f) => f.id).sort(), fixes: r.fixes.map((f) => f.id).sort(), rules: toSarif(r).runs[0]!.results.map((x) => `${x.ruleId}|${x.partialFingerprints['leashFindingId/v1']}`).sort() });
    expect(ids(second)).toEqual(ids(first));
  });
});

describe('an empty account', () => {
  it('writes valid, empty outputs', async () => {
    const file = join(tmp, 'empty.json');
    await writeFile(file, JSON.stringify({ UserDetailList: [], GroupDetailList: [], RoleDetailList: [], Policies: [] }));
    const report = await runScan({ input: file, accountId: '444455556666', fixes: true, now: NOW });
    expect(report.findings).toEqual([]);
    checkAllOutputs(report);
  });
});

describe.skipIf(!sharedFixturesPresent)('the real authorization-details exports', () => {
  it.each(['cloudsplaining-example-authz-details.json', 'cloudmapper-demo-authorization-details.json'])('%s: every output format accepts the scan', async (name) => {
    const report = await runScan({ input: sharedFixture(`authorization-details/${name}`), fixes: true, now: NOW });
    expect(report.findings.length).toBeGreaterThan(0);
    checkAllOutputs(report);
  }, 60_000);
});
if (!sharedFixturesPresent) it.skip(SKIP_REASON, () => {});
