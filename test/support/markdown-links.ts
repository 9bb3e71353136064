// A small reader of the Markdown leash writes, for tests that check its links resolve: table
// cells split on unescaped pipes, `[text](target)` links outside code spans (an escaped `\]` or
// `\[` is text, not a link), and `<a id="…"></a>` anchors on lines of their own. Enough for
// leash's own output (GFM tables, inline links, HTML anchors); not a general Markdown parser.

/** Cells of a table row `| a | b |`, split on pipes not escaped with a backslash. */
export function tableCells(row: string): string[] {
  const cells: string[] = [];
  let cur = '';
  for (let i = 0; i < row.length; i++) {
    const c = row[i]!;
    if (c === '\\' && i + 1 < row.length) {
      cur += c + row[++i];
      continue;
    }
    if (c === '|') {
      cells.push(cur.trim());
      cur = '';
    } else cur += c;
  }
  cells.push(cur.trim());
  // The row starts and ends with a pipe: the text before the first and after the last is not a cell.
  return cells.slice(1, -1);
}

/** Inline code spans (single backticks, as leash writes them) replaced by spaces of the same length: what they hold is never a link. */
function withoutCode(text: string): string {
  return text.replace(/`[^`\n]*`/g, (m) => ' '.repeat(m.length));
}

/** Every inline link `[text](target)` outside code spans, in order; escaped brackets are text. */
export function links(text: string): { text: string; target: string }[] {
  const s = withoutCode(text);
  const out: { text: string; target: string }[] = [];
  const open: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '[') open.push(i);
    else if (c === ']' && open.length > 0) {
      const start = open.pop()!;
      if (s[i + 1] !== '(') continue;
      const end = s.indexOf(')', i + 2);
      if (end < 0) continue;
      out.push({ text: text.slice(start + 1, i), target: s.slice(i + 2, end) });
      i = end;
      open.length = 0;
    }
  }
  return out;
}

/** The ids of `<a id="…"></a>` anchors, each on a line of its own, in order. */
export function anchors(text: string): string[] {
  return [...text.matchAll(/^<a id="([^"]*)"><\/a>$/gm)].map((m) => m[1]!);
}
