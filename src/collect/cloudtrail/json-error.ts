// Where invalid JSON goes wrong, as "line L column C". V8's JSON.parse messages give a position
// only for some errors ("Unexpected token" carries a text excerpt instead), so on failure the
// text is re-scanned by a small JSON syntax checker. It runs only for files that failed to parse.

/** Offset of the first JSON syntax error in `text`, or -1 when it is valid. */
export function jsonErrorOffset(text: string): number {
  let i = 0;
  const n = text.length;
  class Bad {
    constructor(readonly at: number) {}
  }
  const ws = (): void => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 9 || c === 10 || c === 13) i++;
      else break;
    }
  };
  const expect = (ch: string): void => {
    if (text[i] !== ch) throw new Bad(i);
    i++;
  };
  const str = (): void => {
    expect('"');
    while (i < n) {
      const c = text[i]!;
      if (c === '"') {
        i++;
        return;
      }
      if (c === '\\') {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) throw new Bad(i);
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else throw new Bad(i);
      } else if (text.charCodeAt(i) < 0x20) throw new Bad(i);
      else i++;
    }
    throw new Bad(n);
  };
  const num = (): void => {
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m) throw new Bad(i);
    i += m[0].length;
  };
  // Iterative (a stack of open containers): a hostile file nested thousands deep is located, not a stack overflow.
  const value = (): void => {
    const open: number[] = []; // 1 object, 2 array
    for (;;) {
      ws();
      const c = text[i];
      if (c === '{') {
        i++;
        ws();
        if (text[i] === '}') i++;
        else {
          open.push(1);
          ws();
          str();
          ws();
          expect(':');
          continue;
        }
      } else if (c === '[') {
        i++;
        ws();
        if (text[i] === ']') i++;
        else {
          open.push(2);
          continue;
        }
      } else if (c === '"') str();
      else if (c === 't' || c === 'f' || c === 'n') {
        const word = c === 't' ? 'true' : c === 'f' ? 'false' : 'null';
        if (text.startsWith(word, i)) i += word.length;
        else throw new Bad(i);
      } else num();
      // After a value: the next member or element, or close containers until one goes on.
      for (;;) {
        const top = open[open.length - 1];
        if (top === undefined) return;
        ws();
        if (text[i] === ',') {
          i++;
          if (top === 1) {
            ws();
            str();
            ws();
            expect(':');
          }
          break;
        }
        expect(top === 1 ? '}' : ']');
        open.pop();
      }
    }
  };
  try {
    value();
    ws();
    return i === n ? -1 : i;
  } catch (e) {
    if (e instanceof Bad) return e.at;
    throw e;
  }
}

/** "line L column C" (1-based) of an offset. */
export function lineColumn(text: string, offset: number): string {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return `line ${line} column ${offset - lineStart + 1}`;
}
