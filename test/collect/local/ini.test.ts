import { describe, expect, it } from 'vitest';
import { parseIni } from '../../../src/collect/local/ini.js';

describe('parseIni', () => {
  it('reads sections, keys (lower-cased), comments and line numbers', () => {
    const ini = parseIni('# top\n[profile dev]\nRegion = eu-west-1 # inline note\n; other\nrole_arn=arn:aws:iam::111122223333:role/x\n');
    expect(ini.problems).toEqual([]);
    expect(ini.sections).toHaveLength(1);
    const s = ini.sections[0]!;
    expect(s.header).toBe('profile dev');
    expect(s.line).toBe(2);
    expect(s.values.get('region')).toEqual({ value: 'eu-west-1', line: 3 });
    expect(s.values.get('role_arn')?.value).toBe('arn:aws:iam::111122223333:role/x');
  });

  it('skips indented sub-keys under an empty value (service settings)', () => {
    const ini = parseIni('[default]\ns3 =\n  max_concurrent_requests = 20\nregion = us-east-1\n');
    const values = ini.sections[0]!.values;
    expect(values.has('s3')).toBe(false);
    expect(values.has('max_concurrent_requests')).toBe(false);
    expect(values.get('region')?.value).toBe('us-east-1');
  });

  it('passes every value through the sanitizer so secrets never enter the result', () => {
    const ini = parseIni('[a]\naws_secret_access_key = topsecret\n', (k, v) => (k.includes('secret') ? '<present>' : v));
    expect(ini.sections[0]!.values.get('aws_secret_access_key')?.value).toBe('<present>');
    expect(JSON.stringify([...ini.sections[0]!.values])).not.toContain('topsecret');
  });

  it('reports bad lines with their number and carries on', () => {
    const ini = parseIni('region = x\n[ok]\nnot a pair\n[broken\nk = v\n');
    expect(ini.problems).toEqual([
      { line: 1, message: 'key outside any [section]' },
      { line: 3, message: 'expected key = value' },
      { line: 4, message: 'expected a section header like [profile name]' },
      { line: 5, message: 'key outside any [section]' },
    ]);
    expect(ini.sections.map((s) => s.header)).toEqual(['ok']);
  });
});
