// The output formats a report bundle can hold, and the file each one is written to. File names are
// part of the contract: CI jobs and the GitHub workflow pick them up by name.
import { InputError } from '../model/errors.js';

export const FORMATS = ['json', 'sarif', 'asff', 'md', 'ndjson', 'csv', 'html'] as const;
export type Format = (typeof FORMATS)[number];

export const FORMAT_FILES: Readonly<Record<Format, string>> = {
  json: 'report.json',
  sarif: 'report.sarif',
  asff: 'findings.asff.json',
  md: 'summary.md',
  ndjson: 'findings.ndjson',
  csv: 'findings.csv',
  html: 'report.html',
};

/**
 * What `leash scan` writes when --format is not given. The dashboard exports and ASFF are asked for
 * by name or with `all`: ASFF is one Security Hub record per finding, a third of the bundle at
 * 10,000 principals (59 MB of 182), and only a Security Hub import reads it; Prowler likewise writes
 * json-asff only with its Security Hub integration (its --output-formats default: csv, json-ocsf, html).
 */
export const DEFAULT_FORMATS: readonly Format[] = ['json', 'sarif', 'md'];

/** Names people type for a format (e.g. `--format markdown`) mapped to the canonical one. */
const ALIASES: Readonly<Record<string, Format>> = {
  json: 'json',
  sarif: 'sarif',
  asff: 'asff',
  securityhub: 'asff',
  md: 'md',
  markdown: 'md',
  ndjson: 'ndjson',
  jsonl: 'ndjson',
  csv: 'csv',
  html: 'html',
};

export function isFormat(value: string): value is Format {
  return (FORMATS as readonly string[]).includes(value);
}

/**
 * Parse a `--format` value: a comma-separated list (`json,sarif`), or `all`. Duplicates collapse;
 * order follows FORMATS so bundles always list files the same way.
 */
export function parseFormats(value: string, source = '--format'): Format[] {
  const wanted = new Set<Format>();
  for (const raw of value.split(',')) {
    const name = raw.trim().toLowerCase();
    if (name === '') continue;
    if (name === 'all') {
      for (const f of FORMATS) wanted.add(f);
      continue;
    }
    const format = ALIASES[name];
    if (format === undefined) throw new InputError(source, '', `one or more of ${FORMATS.join(', ')} or all, comma-separated`, raw.trim());
    wanted.add(format);
  }
  if (wanted.size === 0) throw new InputError(source, '', `one or more of ${FORMATS.join(', ')} or all, comma-separated`, 'an empty list');
  return FORMATS.filter((f) => wanted.has(f));
}
