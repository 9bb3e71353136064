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
  return TEST.test(s) ? s.replace(UNSAFE_KEEP_LINES, escapeChar) : s;
}

/** True when the text holds nothing safeText would escape. */
export function isSafeText(s: string): boolean {
  return !TEST.test(s);
}

/** Text for a `#` comment line (shell, HCL): one line, nothing a terminal `cat` could act on. */
export function commentText(s: string): string {
  return safeText(s);
}
