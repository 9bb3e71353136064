// Opening a big report without a blank screen: the file is read as a stream while the TUI already
// shows a loading line with the bytes read so far, then parsed and checked once complete (a
// report is one JSON object, so nothing can be shown from half of it that is known to be true).
import { createReadStream, statSync } from 'node:fs';
import { InputError } from '../model/errors.js';
import type { Report } from '../model/report.js';
import { checkReport, parseReportJson } from '../report/history.js';
import { READ_LIMITS } from '../safe/read.js';
import { isGzip, reportBytes } from '../report/report-file.js';
import type { ProgressListener } from './scan-loader.js';
import { plural } from '../words.js';

/** Progress lines at most every this many bytes (a 145 MB report gives ~36 updates). */
const PROGRESS_EVERY = 4 * 1024 * 1024;

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}

export async function readReportStreaming(path: string, onProgress: ProgressListener = () => undefined): Promise<Report> {
  let total: number | undefined;
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw new InputError(path, '', 'a report.json file', 'a directory');
    // A pipe is a stream the user chose (`--report <(…)`, the loading test): read, with the loading
    // line, and cut at the size limit below. A device (/dev/zero) or socket is refused.
    if (!st.isFile() && !st.isFIFO()) throw new InputError(path, '', 'a report.json file', 'a device or socket, which is not a regular file');
    if (st.size > READ_LIMITS.report) throw new InputError(path, '', `a report.json of at most ${READ_LIMITS.report} bytes`, `a file of ${st.size} bytes (${formatBytes(st.size)}), over the limit`);
    if (st.isFile()) total = st.size;
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(path, '', 'a readable report.json', (e as NodeJS.ErrnoException).code ?? 'unreadable');
  }
  const of = total !== undefined ? ` of ${formatBytes(total)}` : '';
  onProgress('Reading report', `${formatBytes(0)}${of}`);
  const chunks: Buffer[] = [];
  let read = 0;
  let nextReport = PROGRESS_EVERY;
  try {
    for await (const chunk of createReadStream(path)) {
      const b = chunk as Buffer;
      chunks.push(b);
      read += b.length;
      if (read > READ_LIMITS.report) throw new InputError(path, '', `a report.json of at most ${READ_LIMITS.report} bytes`, 'more bytes than that, read so far');
      if (read >= nextReport) {
        nextReport = read + PROGRESS_EVERY;
        onProgress('Reading report', `${formatBytes(read)}${of}`);
      }
    }
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(path, '', 'a readable report.json', (e as NodeJS.ErrnoException).code ?? 'unreadable');
  }
  const bytes = Buffer.concat(chunks, read);
  chunks.length = 0;
  // The lines below reach the screen before each synchronous step holds the event loop.
  let inflated: Buffer = bytes;
  if (isGzip(bytes)) {
    onProgress('Inflating report', formatBytes(read));
    await nextTurn();
    // report.json.gz: inflated within the same limit (reportBytes).
    inflated = reportBytes(bytes, path);
  }
  onProgress('Parsing report', formatBytes(inflated.length));
  await nextTurn();
  const data = parseReportJson(inflated, path);
  onProgress('Checking report', listSizes(data));
  await nextTurn();
  return checkReport(data, path);
}

function nextTurn(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}

/** "38005 findings, 10000 principals" of a parsed report not yet checked: list lengths only, nothing of their content. */
export function listSizes(data: unknown): string {
  const o = typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : {};
  const n = (k: string, word: string): string | undefined => (Array.isArray(o[k]) ? plural((o[k] as unknown[]).length, word) : undefined);
  return [n('findings', 'finding'), n('principals', 'principal')].filter((x) => x !== undefined).join(', ');
}
