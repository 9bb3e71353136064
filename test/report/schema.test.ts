// The JSON Schema is the published contract: every report a test builds by hand must satisfy it
// too, so no test exercises a shape the pipeline could never produce.
import { describe, expect, it } from 'vitest';
import { buildReport as reportFixture, laterReport } from './support.js';
import { buildReport as tuiReportFixture } from '../tui/support.js';
import { reportSchema, reportSchemaErrors } from '../support/schema.js';

describe('report JSON Schema', () => {
  it.each([
    ['report test builder', () => reportFixture()],
    ['report test builder, later scan with a delta', () => laterReport()],
    ['TUI test builder', () => tuiReportFixture()],
  ])('accepts the %s', (_name, make) => {
    expect(reportSchemaErrors(make())).toEqual([]);
  });

  it('rejects what breaks the contract: unknown severity, missing finding id, extra top-level field', () => {
    const r = JSON.parse(JSON.stringify(reportFixture())) as { findings: { severity: string; id?: string }[]; extra?: boolean };
    r.findings[0]!.severity = 'urgent';
    expect(reportSchemaErrors(r).join('\n')).toMatch(/severity|enum/);
    const r2 = JSON.parse(JSON.stringify(reportFixture())) as { findings: { id?: string }[] };
    delete r2.findings[0]!.id;
    expect(reportSchemaErrors(r2).join('\n')).toMatch(/id/);
    const r3 = { ...JSON.parse(JSON.stringify(reportFixture())), extra: true };
    expect(reportSchemaErrors(r3).join('\n')).toMatch(/additional/);
  });

  it('is a versioned draft-07 schema whose id carries the major version', () => {
    expect(reportSchema).toMatchObject({ $schema: 'http://json-schema.org/draft-07/schema#', $id: expect.stringMatching(/\/1\.json$/) });
  });
});
