// The TUI's loading line while a report opens (session 31): each synchronous step is announced
// before it holds the event loop, and what the line says of the file is list lengths only.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InputError } from '../../src/model/errors.js';
import { parseReport } from '../../src/report/history.js';
import { renderFormat } from '../../src/report/write.js';
import { listSizes, readReportStreaming } from '../../src/tui/stream-report.js';
import { buildReport, principal, roleArn } from '../report/support.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'leash-stream-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function open(name: string, bytes: Buffer): Promise<{ stages: string[]; lines: string[]; result: unknown }> {
  const path = join(dir, name);
  await writeFile(path, bytes);
  const stages: string[] = [];
  const lines: string[] = [];
  let result: unknown;
  try {
    result = await readReportStreaming(path, (stage, detail) => {
      stages.push(String(stage));
      lines.push(`${String(stage)} ${detail ?? ''}`);
    });
  } catch (e) {
    result = e;
  }
  return { stages: [...new Set(stages)], lines, result };
}

describe('readReportStreaming', () => {
  const report = buildReport({ principals: [principal({ arn: roleArn('agent-\u001b[31m'), name: 'agent-\u001b[31m' })] });
  const text = renderFormat(report, 'json');

  it('a gzipped report: reading, inflating, parsing, checking (with its list lengths), then the report', async () => {
    const { stages, lines, result } = await open('report.json.gz', gzipSync(text));
    expect(stages).toEqual(['Reading report', 'Inflating report', 'Parsing report', 'Checking report']);
    expect(lines.at(-1)).toBe(`Checking report ${report.findings.length} findings, 1 principal`);
    expect(result).toEqual(parseReport(text, 'x'));
    // Nothing of the content reaches the line: the hostile name stays in the report.
    expect(lines.join('\n')).not.toContain('\u001b');
  });

  it('a plain report: no inflating step', async () => {
    const { stages, result } = await open('report.json', Buffer.from(text));
    expect(stages).toEqual(['Reading report', 'Parsing report', 'Checking report']);
    expect(result).toEqual(parseReport(text, 'x'));
  });

  it('a report that fails its check stops at checking with the file and JSON path; one that is not JSON at parsing', async () => {
    const bad = JSON.parse(text) as { findings: { severity: string }[] };
    bad.findings[0]!.severity = 'severe';
    const checked = await open('report.json', Buffer.from(JSON.stringify(bad)));
    expect(checked.stages.at(-1)).toBe('Checking report');
    expect(checked.result).toBeInstanceOf(InputError);
    expect((checked.result as InputError).path).toBe('$.findings[0].severity');
    const broken = await open('broken.json', Buffer.from(text.slice(0, 100)));
    expect(broken.stages.at(-1)).toBe('Parsing report');
    expect((broken.result as InputError).path).toMatch(/^line \d+ column \d+$/);
  });

  it('listSizes: lengths of the lists that are lists, nothing else', () => {
    expect(listSizes({ findings: [1, 2], principals: [{ name: 'x' }] })).toBe('2 findings, 1 principal');
    expect(listSizes({ findings: 'many', principals: { length: 5 } })).toBe('');
    expect(listSizes(null)).toBe('');
  });
});
