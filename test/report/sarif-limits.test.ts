// SARIF capped at GitHub code scanning's per-run limit, with the cut stated in the run.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SEVERITIES, severityRank, type Finding, type Severity } from '../../src/model/finding.js';
import { GITHUB_LIMITS, sarifCut, toSarif } from '../../src/report/sarif.js';
import { ownFixture } from '../support/fixtures.js';
import { buildReport, finding, KIRO } from './support.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
const validate = ajv.compile(JSON.parse(readFileSync(ownFixture('sarif/sarif-schema-2.1.0-subset.json'), 'utf8')) as object);

/** n findings cycling through the severities; every 7th is suppressed. */
function many(n: number): Finding[] {
  const out: Finding[] = [];
  for (let i = 0; i < n; i++) {
    const severity: Severity = SEVERITIES[i % SEVERITIES.length]!;
    const f = finding({ checkId: 'agent-unused-permissions', principalArn: KIRO.arn, subject: `s${i}`, severity, actions: Array.from({ length: 80 }, (_, j) => `s3:Action${j}`) });
    out.push(i % 7 === 0 ? { ...f, suppressed: { reason: 'accepted' } } : f);
  }
  return out;
}

describe('SARIF and GitHub limits', () => {
  it(`keeps the ${GITHUB_LIMITS.resultsPerRun} most severe open findings and says what was cut`, () => {
    const findings = many(6_200);
    const sarif = toSarif(buildReport({ findings }));
    const run = sarif.runs[0]!;
    expect(run.results).toHaveLength(5_000);
    // Every critical and high open finding survives the cut; what is cut is the least severe.
    const keptIds = new Set(run.results.map((r) => r.partialFingerprints['leashFindingId/v1']));
    for (const f of findings) if (!f.suppressed && (f.severity === 'critical' || f.severity === 'high')) expect(keptIds.has(f.id)).toBe(true);
    const t = run.properties.truncated!;
    expect(t).toMatchObject({ limit: 5000, totalResults: 6200, includedResults: 5000, omittedResults: 1200 });
    expect(Object.values(t.omittedBySeverity).reduce((a, b) => a + b, 0)).toBe(1200);
    // Suppressed findings go first (886 of them here), then the least severe open ones.
    const omitted = findings.filter((f) => !keptIds.has(f.id));
    expect(omitted.filter((f) => f.suppressed)).toHaveLength(findings.filter((f) => f.suppressed).length);
    expect(new Set(omitted.filter((f) => !f.suppressed).map((f) => f.severity))).toEqual(new Set(['info']));
    const note = run.invocations[0]!.toolExecutionNotifications!.find((n) => n.properties.code === 'results-truncated')!;
    expect(note.message.text).toMatch(/^1200 of 6200 findings are not in this SARIF run: GitHub code scanning keeps at most 5000/);
    expect(validate(sarif), ajv.errorsText(validate.errors)).toBe(true);
    // The other documented limits hold too.
    expect(sarif.runs.length).toBeLessThanOrEqual(GITHUB_LIMITS.runsPerFile);
    expect(run.tool.driver.rules.length).toBeLessThanOrEqual(GITHUB_LIMITS.rulesPerRun);
    for (const rule of run.tool.driver.rules) expect(rule.properties.tags.length).toBeLessThanOrEqual(GITHUB_LIMITS.tagsPerRule);
    for (const r of run.results) expect(r.locations.length).toBeLessThanOrEqual(GITHUB_LIMITS.locationsPerResult);
    expect(gzipSync(JSON.stringify(sarif)).length).toBeLessThan(GITHUB_LIMITS.gzipBytes);
  });

  it('the cut is the same whatever order the findings come in', () => {
    const findings = many(5_300);
    const a = toSarif(buildReport({ findings })).runs[0]!.results.map((r) => r.partialFingerprints['leashFindingId/v1']).sort();
    const b = toSarif(buildReport({ findings: [...findings].reverse() })).runs[0]!.results.map((r) => r.partialFingerprints['leashFindingId/v1']).sort();
    expect(a).toEqual(b);
  });

  it('negative control: at the limit nothing is cut or said', () => {
    const run = toSarif(buildReport({ findings: many(5_000) })).runs[0]!;
    expect(run.results).toHaveLength(5_000);
    expect(run.properties.truncated).toBeUndefined();
    expect(run.invocations[0]!.toolExecutionNotifications).toBeUndefined();
  });

  it('sarifCut keeps what sorting every finding and taking the first `limit` keeps, in report order (property)', () => {
    const startedAt = '2026-11-24T00:00:00.000Z';
    // The cut as it was: every finding sorted, the first `limit` kept.
    const reference = (findings: readonly Finding[], limit: number): { kept: Finding[]; omitted: Record<string, number> } => {
      const order = [...findings].sort((a, b) =>
        Number(a.suppressed !== undefined) - Number(b.suppressed !== undefined)
        || severityRank[b.severity] - severityRank[a.severity]
        || (a.firstSeen ?? startedAt).localeCompare(b.firstSeen ?? startedAt)
        || a.id.localeCompare(b.id));
      const keep = new Set(order.slice(0, limit));
      const omitted: Record<string, number> = Object.fromEntries(SEVERITIES.map((sv) => [sv, 0]));
      for (const f of order.slice(limit)) omitted[f.severity]!++;
      return { kept: findings.filter((f) => keep.has(f)), omitted };
    };
    const arbFinding = fc.record({
      id: fc.stringMatching(/^[0-9a-f]{1,4}$/),
      severity: fc.constantFrom(...SEVERITIES),
      suppressed: fc.boolean(),
      firstSeen: fc.option(fc.constantFrom('2026-11-01T00:00:00.000Z', '2026-11-20T00:00:00.000Z', '2026-12-01T00:00:00.000Z'), { nil: undefined }),
    }).map(({ suppressed, firstSeen, ...rest }) => ({
      ...finding({ checkId: 'destructive-actions', principalArn: KIRO.arn, subject: rest.id, severity: rest.severity }),
      id: rest.id,
      ...(suppressed ? { suppressed: { reason: 'accepted' } } : {}),
      ...(firstSeen !== undefined ? { firstSeen } : {}),
    }) as Finding);
    fc.assert(fc.property(fc.array(arbFinding, { maxLength: 60 }), fc.nat(70), (findings, limit) => {
      const got = sarifCut(findings, limit, startedAt);
      const want = reference(findings, limit);
      expect(got.kept).toEqual(want.kept);
      // The same objects, not equal copies: the run's results are built from them.
      got.kept.forEach((f, i) => expect(f).toBe(want.kept[i]));
      expect(got.omittedBySeverity).toEqual(want.omitted);
    }), { seed: 17, numRuns: 400 });
  });
});
