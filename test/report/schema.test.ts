// The JSON Schema is the published contract: every report a test builds by hand must satisfy it
// too, so no test exercises a shape the pipeline could never produce.
import { describe, expect, it } from 'vitest';
import { buildReport as reportFixture, laterReport } from './support.js';
import { buildReport as tuiReportFixture } from '../tui/support.js';
import { reportSchema, reportSchemaErrors } from '../support/schema.js';
import { verifyFix } from '../../src/fix/verify.js';
import { parsePolicy } from '../../src/iam/parse.js';
import { catalog } from '../../src/iam/catalog.js';
import { ActionExpander } from '../../src/iam/pattern.js';

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

  it('accepts a verification that checked a sample of resources (schema 1.8.0), and rejects a malformed one', () => {
    const policy = parsePolicy({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] }, 'identity');
    if (!policy.ok) throw new Error('test policy does not parse');
    const observed = [{ action: 's3:GetObject', resources: ['arn:aws:s3:::lake/a', 'arn:aws:s3:::lake/b'], count: 80, truncated: true }];
    const verification = verifyFix({ identity: [policy.document], observed, gated: [], documents: [] }, new ActionExpander(catalog()));
    expect(verification.sampled).toEqual({ actions: ['s3:GetObject'], resourcesPerAction: 2 });
    const withSample = (v: unknown) => {
      const r = JSON.parse(JSON.stringify(tuiReportFixture())) as { fixes: { verification: unknown }[] };
      r.fixes[0]!.verification = v;
      return r;
    };
    expect(reportSchemaErrors(withSample(verification))).toEqual([]);
    expect(reportSchemaErrors(withSample({ ...verification, sampled: { actions: [], resourcesPerAction: 0 } })).join('\n')).toMatch(/sampled/);
  });

  it('is a versioned draft-07 schema whose id carries the major version', () => {
    expect(reportSchema).toMatchObject({ $schema: 'http://json-schema.org/draft-07/schema#', $id: expect.stringMatching(/\/1\.json$/) });
  });
});
