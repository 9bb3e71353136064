// Validates reports against the published JSON Schema (reports/schema/report.schema.json).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { repoRoot } from './fixtures.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
export const reportSchema = JSON.parse(readFileSync(join(repoRoot, 'reports/schema/report.schema.json'), 'utf8')) as object;
const validate = ajv.compile(reportSchema);

/** Returns the schema errors (empty when valid); reports go through JSON first, as consumers see them. */
export function reportSchemaErrors(report: unknown): string[] {
  const data = JSON.parse(JSON.stringify(report)) as unknown;
  return validate(data) ? [] : (validate.errors ?? []).slice(0, 10).map((e) => `${e.instancePath} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}

export const organizationReportSchema = JSON.parse(readFileSync(join(repoRoot, 'reports/schema/organization-report.schema.json'), 'utf8')) as object;
const validateOrg = ajv.compile(organizationReportSchema);

export function organizationReportSchemaErrors(report: unknown): string[] {
  const data = JSON.parse(JSON.stringify(report)) as unknown;
  return validateOrg(data) ? [] : (validateOrg.errors ?? []).slice(0, 10).map((e) => `${e.instancePath} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}
