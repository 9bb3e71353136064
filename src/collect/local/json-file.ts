// Config files are read as values: a missing file is "not there", a malformed one is a ScanError
// naming file, line and column, and the scan goes on with the other files.
import type { ScanError } from '../../model/errors.js';
import { redact } from './redact.js';
import { FileReadError, READ_LIMITS, readRegularFileSync } from '../../safe/read.js';

export type JsonRead =
  | { readonly status: 'missing' }
  | { readonly status: 'ok'; readonly value: unknown }
  | { readonly status: 'error'; readonly error: ScanError };

/**
 * VS Code and Cursor accept comments and trailing commas. Blank them out with spaces so that
 * positions in JSON.parse errors still point at the right line and column.
 */
export function stripJsonComments(text: string): string {
  let out = '';
  let i = 0;
  let inString = false;
  while (i < text.length) {
    const c = text[i] ?? '';
    const next = text[i + 1];
    if (inString) {
      out += c;
      if (c === '\\') { out += next ?? ''; i += 2; continue; }
      if (c === '"') inString = false;
      i++;
      continue;
    }
    if (c === '"') { inString = true; out += c; i++; continue; }
    if (c === '/' && next === '/') {
      while (i < text.length && text[i] !== '\n') { out += ' '; i++; }
      continue;
    }
    if (c === '/' && next === '*') {
      out += '  ';
      i += 2;
      while (i < text.length && !(text[i] === '*' && text[i + 1] === '/')) { out += text[i] === '\n' ? '\n' : ' '; i++; }
      if (i < text.length) { out += '  '; i += 2; }
      continue;
    }
    if (c === ',') {
      // A trailing comma before } or ] (whitespace and blanked comments between) is dropped.
      let j = i + 1;
      while (j < text.length && /\s/.test(text[j] ?? '')) j++;
      const after = text[j];
      const isComment = after === '/' && (text[j + 1] === '/' || text[j + 1] === '*');
      if (after === '}' || after === ']') { out += ' '; i++; continue; }
      if (isComment) {
        // Look past the comment for the closing bracket.
        const rest = stripJsonComments(text.slice(j)).trimStart();
        if (rest.startsWith('}') || rest.startsWith(']')) { out += ' '; i++; continue; }
      }
    }
    out += c;
    i++;
  }
  return out;
}

export function lineColumn(text: string, position: number): { line: number; column: number } {
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  return { line, column: position - before.lastIndexOf('\n') };
}

function syntaxPosition(message: string, text: string): number | undefined {
  const pos = /at position (\d+)/.exec(message);
  if (pos) return Number(pos[1]);
  const lc = /line (\d+) column (\d+)/.exec(message);
  if (lc) {
    const lines = text.split('\n');
    let p = 0;
    for (let i = 0; i < Number(lc[1]) - 1; i++) p += (lines[i]?.length ?? 0) + 1;
    return p + Number(lc[2]) - 1;
  }
  if (/Unexpected end of JSON input/.test(message)) return text.length;
  return undefined;
}

/** Largest AI tool config file read; past it the file is reported in errors[] and skipped. */
export const MAX_CONFIG_BYTES = READ_LIMITS.config;

export function readConfigJson(file: string, format: 'json' | 'jsonc'): JsonRead {
  let text: string;
  try {
    // Only a regular file, opened without blocking (a FIFO), and at most MAX_CONFIG_BYTES read
    // (a config linked to /dev/zero would otherwise grow memory forever).
    text = readRegularFileSync(file, MAX_CONFIG_BYTES, 'a readable JSON config file').toString('utf8');
  } catch (e) {
    if (!(e instanceof FileReadError)) throw e;
    if (e.problem === 'missing') return { status: 'missing' };
    return { status: 'error', error: { source: 'local-ai-config', code: 'invalid-input', message: e.message, location: file } };
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const source = format === 'jsonc' ? stripJsonComments(text) : text;
  if (source.trim() === '') return { status: 'ok', value: {} };
  try {
    return { status: 'ok', value: JSON.parse(source) as unknown };
  } catch (e) {
    // V8's message may quote the offending text, which can be a secret: it goes through redact().
    const message = redact((e as Error).message);
    const position = syntaxPosition((e as Error).message, source);
    const at = position === undefined ? undefined : lineColumn(source, position);
    const path = at ? `line ${at.line}, column ${at.column}` : '';
    return {
      status: 'error',
      error: {
        source: 'local-ai-config', code: 'invalid-input',
        message: `${file}${path ? ` at ${path}` : ''}: expected valid ${format === 'jsonc' ? 'JSON (comments allowed)' : 'JSON'}, got ${message}`,
        location: file,
        ...(path ? { path } : {}),
      },
    };
  }
}

/** `$.mcpServers["aws api"]` style paths for error messages and evidence. */
export { jsonPath } from '../../model/errors.js';
