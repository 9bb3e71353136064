// The one way data becomes text a person reads: stdout, stderr, the TUI, summary.md, comments in
// apply.sh and main.tf. Names, tags, paths, session names and user agents may carry control
// characters and escape sequences (ESC [ … CSI, ESC ] 52 … OSC that writes the clipboard, C1
// controls such as U+009B, which some terminals read as CSI), a newline that splits a list, or a
// bidi override that makes text read differently from what it is. Each of those is shown as a
// visible escape instead: `\x1b`, `\n`, `\u202e`. Everything else passes unchanged.

// C0 controls, DEL, C1 controls, bidi embeddings/overrides/isolates, line/paragraph separators,
// zero-width and BOM characters that hide text, and lone surrogates.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const UNSAFE_KEEP_LINES = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const TEST = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ud800-\udfff]/;
// TEST without `\n`: a multi-line text (a README, apply.sh) with nothing else to escape is returned as is, not scanned twice.
const TEST_KEEP_LINES = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ud800-\udfff]/;

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeChar(c: string): string {
  const named = NAMED[c];
  if (named) return named;
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** One line of display text: every control, escape and bidi character shown escaped (newlines too). */
export function safeText(s: string): string {
  return TEST.test(s) ? s.replace(UNSAFE, escapeChar) : s;
}

/** Display text that may span lines (a message, a rendered file): like safeText, but `\n` stays a line break. */
export function safeLines(s: string): string {
  return TEST_KEEP_LINES.test(s) ? s.replace(UNSAFE_KEEP_LINES, escapeChar) : s;
}

/** True when the text holds nothing safeText would escape. */
export function isSafeText(s: string): boolean {
  return !TEST.test(s);
}

/** Text for a `#` comment line (shell, HCL): one line, nothing a terminal `cat` could act on. */
export function commentText(s: string): string {
  return safeText(s);
}

/**
 * A copy of a value (a report, a scan result) with every string, and every object key, passed
 * through safeText, for renderers that print many fields. Parts with nothing to escape are shared,
 * not copied, so a clean report costs one walk.
 */
export function safeDeep<T>(value: T): T {
  return walk(value) as T;
}

function walk(v: unknown): unknown {
  if (typeof v === 'string') return safeText(v);
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const w = walk(v[i]);
      if (w !== v[i]) (out ??= v.slice())[i] = w;
    }
    return out ?? v;
  }
  if (Object.getPrototypeOf(v) !== Object.prototype && Object.getPrototypeOf(v) !== null) return v;
  let changed = false;
  const entries: [string, unknown][] = [];
  for (const [k, x] of Object.entries(v)) {
    const sk = safeText(k);
    const w = walk(x);
    if (sk !== k || w !== x) changed = true;
    entries.push([sk, w]);
  }
  return changed ? Object.fromEntries(entries) : v;
}

/**
 * JSON text with the characters JSON.stringify leaves raw (DEL, C1 controls, bidi and
 * line-separator characters) written as \u escapes: the same value to any JSON reader, and
 * nothing a terminal acts on when the file is printed. They can only occur inside strings.
 */
export function jsonTextSafe(json: string): string {
  return JSON_RAW.test(json) ? json.replace(JSON_RAW_G, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) : json;
}
const JSON_RAW = /[\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/;
const JSON_RAW_G = /[\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

/**
 * JSON text with every character past ASCII written as its \u escape (a character past U+FFFF as
 * its two surrogates, as JSON.stringify already writes a lone one): jsonTextSafe's characters
 * included, the same value to any JSON reader, and the very bytes report-file.ts's asciiJson
 * would make of it (lowercase hex), so report.json is made ASCII where its text is made instead
 * of in a second pass over its bytes (~0.15 s of CPU at 10,000 principals).
 */
export function jsonAsciiText(json: string): string {
  return NON_ASCII.test(json) ? json.replace(NON_ASCII_G, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) : json;
}
const NON_ASCII = /[^\u0000-\u007e]/;
const NON_ASCII_G = /[^\u0000-\u007e]/g;
