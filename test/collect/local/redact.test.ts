import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { redact, redactAccessKeyId, redactArgs, redactDeep } from '../../../src/collect/local/redact.js';

const keyChar = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'.split(''));
const accessKeyId = fc.tuple(fc.constantFrom('AKIA', 'ASIA'), fc.array(keyChar, { minLength: 16, maxLength: 16 })).map(([p, c]) => p + c.join(''));
const b64 = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+'.split(''));
// Real secret keys mix cases and digits; force one of each so the generator only makes secret-shaped strings.
const secretKey = fc.array(b64, { minLength: 37, maxLength: 37 }).map((c) => `aZ7${c.join('')}`);

describe('redact', () => {
  it('keeps prefix and last four of an access key id', () => {
    //Given a long-term key id in text / When redacted / Then only AKIA and the tail remain
    expect(redact('key AKIAFAKEFAKEFAKE0001 here')).toBe('key AKIA****0001 here');
    expect(redactAccessKeyId('ASIAFAKEFAKEFAKE0004')).toBe('ASIA****0004');
  });

  it('masks 40-character secrets but leaves a lowercase hex git SHA alone', () => {
    expect(redact('secret=wJalrXUtnFEMI/K7MDENG/bPxRfiCYFAKEFAKE01')).not.toContain('wJalrXUtnFEMI');
    const sha = '100b55b6d92f731bc8d23486ce9efd5bbf90c606';
    expect(redact(`commit ${sha}`)).toBe(`commit ${sha}`);
  });

  it('masks bearer tokens, Authorization headers and long session tokens', () => {
    expect(redact('"headers": {"Authorization": "Bearer abc.def-ghi"}')).toBe('"headers": {"Authorization": "****"}');
    expect(redact('Authorization: Basic dXNlcjpwYXNz')).toBe('Authorization: ****');
    expect(redact('curl -H "X-Api-Key: k-123"')).toBe('curl -H "X-Api-Key: ****"');
    expect(redact(`token ${'IQoJb3JpZ2luX2Vj'.repeat(10)}`)).toBe('token ****');
  });

  it('masks URL credentials and secret query parameters', () => {
    expect(redact('https://bob:hunter2@example.com/mcp?api_key=XYZ&region=us-east-1')).toBe('https://****@example.com/mcp?api_key=****&region=us-east-1');
  });

  it('never lets a generated access key id or secret through, in any surrounding text', () => {
    fc.assert(fc.property(accessKeyId, secretKey, fc.string(), fc.string(), (id, secret, before, after) => {
      const out = redact(`${before} ${id} ${after} aws_secret_access_key = ${secret} ${secret}\n`);
      expect(out).not.toContain(id);
      expect(out).not.toContain(secret);
    }));
  });

  it('is idempotent', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), accessKeyId.map((k) => `Authorization: Bearer ${k} ${k}`), secretKey), (s) => {
      const once = redact(s);
      expect(redact(once)).toBe(once);
    }));
  });

  it('redacts keys and values deep inside objects and arrays', () => {
    const out = redactDeep({ a: ['AKIAFAKEFAKEFAKE0001'], b: { c: 'Bearer tok123' }, n: 3, t: true, z: null });
    expect(out).toEqual({ a: ['AKIA****0001'], b: { c: 'Bearer ****' }, n: 3, t: true, z: null });
  });

  it('masks the value after a secret-looking flag, in both spellings', () => {
    const re = /(key|token|secret)/i;
    expect(redactArgs(['--api-key', 'abc', '--token=xyz', '--profile', 'dev'], re)).toEqual(['--api-key', '****', '--token=****', '--profile', 'dev']);
  });
});
