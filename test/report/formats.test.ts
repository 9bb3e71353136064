import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/model/errors.js';
import { FORMAT_FILES, FORMATS, parseFormats } from '../../src/report/formats.js';

describe('parseFormats', () => {
  it('reads comma lists, aliases and all, in a fixed order without duplicates', () => {
    expect(parseFormats('sarif,json')).toEqual(['json', 'sarif']);
    expect(parseFormats(' Markdown , md,securityhub ')).toEqual(['asff', 'md']);
    expect(parseFormats('all')).toEqual([...FORMATS]);
    expect(parseFormats('csv,jsonl,html')).toEqual(['ndjson', 'csv', 'html']);
  });

  it('names the flag and the allowed values for an unknown or empty format', () => {
    expect(() => parseFormats('json,pdf')).toThrow(InputError);
    expect(() => parseFormats('json,pdf')).toThrow('--format: expected one or more of json, sarif, asff, md, ndjson, csv, html or all, comma-separated, got pdf');
    expect(() => parseFormats(' , ')).toThrow(/got an empty list/);
  });

  it('gives every format its own file name', () => {
    expect(new Set(Object.values(FORMAT_FILES)).size).toBe(FORMATS.length);
  });
});
