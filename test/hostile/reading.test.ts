// Hostile inputs to the readers (issue 10): a gzip bomb, /dev/zero, a FIFO, a truncated gzip.
// Each ends with a clear error for that file, the rest is read, and usage is never called complete.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { loadLogFile } from '../../src/collect/cloudtrail/ingest-file.js';
import { readCloudTrail } from '../../src/collect/cloudtrail/sources/files.js';
import { readConfigJson } from '../../src/collect/local/json-file.js';

const tmp = mkdtempSync(join(tmpdir(), 'leash-hostile-read-'));

function record(day: string): Record<string, unknown> {
  return { eventVersion: '1.08', eventTime: `${day}T12:00:00Z`, eventSource: 's3.amazonaws.com', eventName: 'ListBuckets', awsRegion: 'us-east-1', userIdentity: { type: 'AssumedRole', arn: 'arn:aws:sts::111122223333:assumed-role/kiro/s', accountId: '111122223333', sessionContext: { sessionIssuer: { type: 'Role', arn: 'arn:aws:iam::111122223333:role/kiro', accountId: '111122223333' } } } };
}

describe('CloudTrail files', () => {
  it('a gzip bomb stops at the inflation limit with an error naming the file (bounded bytes)', async () => {
    const bomb = join(tmp, 'bomb.json.gz');
    writeFileSync(bomb, gzipSync(Buffer.alloc(8 * 2 ** 20, 0x20)));
    const r = await loadLogFile(bomb, 2 ** 20);
    expect('error' in r && r.error).toMatch(/more than the 1048576-byte limit/);
    // Negative control: under the limit the same file reads.
    const ok = await loadLogFile(bomb, 16 * 2 ** 20);
    expect('bytes' in ok && ok.bytes.length).toBe(8 * 2 ** 20);
  });

  it('/dev/zero behind a .json name and a FIFO are refused as not regular files, without blocking', async () => {
    const zero = join(tmp, 'zero.json');
    symlinkSync('/dev/zero', zero);
    const fifo = join(tmp, 'fifo.json');
    execFileSync('mkfifo', [fifo]);
    for (const f of [zero, fifo]) {
      const r = await loadLogFile(f);
      expect('error' in r && r.error, f).toMatch(/not a regular file/);
    }
  });

  it('a truncated file makes usage partial (nothing covered) and the source partial; negative control complete', async () => {
    const dir = join(tmp, 'trail');
    mkdirSync(dir);
    const days = ['2026-11-01', '2026-11-02', '2026-11-03'];
    days.forEach((d, i) => writeFileSync(join(dir, `f${i}.json.gz`), gzipSync(JSON.stringify({ Records: [record(d)] }))));
    const clean = await readCloudTrail([dir], { workers: 0 });
    expect(clean.usage.coveredPrincipals).toBe('all');
    const full = gzipSync(JSON.stringify({ Records: [record('2026-11-02')] }));
    writeFileSync(join(dir, 'f9.json.gz'), full.subarray(0, full.length - 8));
    const bad = await readCloudTrail([dir], { workers: 0 });
    expect(bad.usage.coveredPrincipals).toEqual([]);
    expect(bad.sources[0]!.status).toBe('partial');
    expect(bad.errors.some((e) => e.location?.endsWith('f9.json.gz'))).toBe(true);
  });

  it('a name over 255 bytes gets a name-too-long error', async () => {
    const r = await loadLogFile(join(tmp, `${'x'.repeat(300)}.json`));
    expect('error' in r && r.error).toMatch(/too long/);
  });
});

describe('AI tool config files', () => {
  it('a .mcp.json linked to /dev/zero or a FIFO is an error for that file, not a hang', () => {
    const zero = join(tmp, 'mcp-zero.json');
    symlinkSync('/dev/zero', zero);
    const fifo = join(tmp, 'mcp-fifo.json');
    execFileSync('mkfifo', [fifo]);
    for (const f of [zero, fifo]) {
      const r = readConfigJson(f, 'json');
      expect(r.status).toBe('error');
      expect(r.status === 'error' && r.error.message).toMatch(/not a regular file/);
    }
    const good = join(tmp, 'mcp-ok.json');
    writeFileSync(good, '{"mcpServers":{}}');
    expect(readConfigJson(good, 'json')).toEqual({ status: 'ok', value: { mcpServers: {} } });
    expect(readFileSync(good, 'utf8')).toContain('mcpServers');
  });
});
