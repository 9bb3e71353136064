import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { jsonPath, readConfigJson, stripJsonComments } from '../../../src/collect/local/json-file.js';
import { localFixture } from '../../support/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'leash-json-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const write = (name: string, text: string): string => { const p = join(dir, name); writeFileSync(p, text); return p; };

describe('stripJsonComments', () => {
  it('removes line and block comments and trailing commas, keeping strings and positions', () => {
    const text = '{\n  // note\n  "a": "http://x//y", /* b */\n  "c": [1, 2,],\n}\n';
    const out = stripJsonComments(text);
    expect(out).toHaveLength(text.length);
    expect(out.split('\n').length).toBe(text.split('\n').length);
    expect(JSON.parse(out)).toEqual({ a: 'http://x//y', c: [1, 2] });
  });

  it('leaves valid JSON unchanged', () => {
    fc.assert(fc.property(fc.jsonValue(), (v) => {
      const text = JSON.stringify(v, null, 1);
      expect(stripJsonComments(text)).toBe(text);
    }));
  });
});

describe('readConfigJson', () => {
  it('says missing for a file that is not there', () => {
    expect(readConfigJson(join(dir, 'nope.json'), 'json')).toEqual({ status: 'missing' });
  });

  it('gives file, line and column for malformed JSON, and never quotes a secret', () => {
    const r = readConfigJson(localFixture('home-cursor/.codeium/windsurf/mcp_config.json'), 'json');
    expect(r.status).toBe('error');
    if (r.status !== 'error') return;
    expect(r.error).toMatchObject({ source: 'local-ai-config', code: 'invalid-input', path: 'line 6, column 7' });
    expect(r.error.message).toContain('mcp_config.json at line 6, column 7: expected valid JSON');
    expect(r.error.message).not.toContain('WINDsurf');
  });

  it('accepts comments in jsonc files but not in json files', () => {
    const p = write('c.json', '{\n  // hi\n  "a": 1\n}\n');
    expect(readConfigJson(p, 'jsonc')).toEqual({ status: 'ok', value: { a: 1 } });
    expect(readConfigJson(p, 'json')).toMatchObject({ status: 'error', error: { path: 'line 2, column 3' } });
  });

  it('reports truncated files at their end and reads an empty file as an empty object', () => {
    expect(readConfigJson(write('t.json', '{\n "a": [1,'), 'json')).toMatchObject({ status: 'error', error: { path: 'line 2, column 10' } });
    expect(readConfigJson(write('e.json', '  \n'), 'json')).toEqual({ status: 'ok', value: {} });
  });
});

describe('jsonPath', () => {
  it('uses dots for plain keys and brackets for the rest', () => {
    expect(jsonPath(['mcpServers', 'aws-api', 'args', 0])).toBe('$.mcpServers["aws-api"].args[0]');
    expect(jsonPath(['projects', '/home/dev/app', 'mcpServers'])).toBe('$.projects["/home/dev/app"].mcpServers');
  });
});
