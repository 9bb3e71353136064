// The INI dialect of ~/.aws/config and ~/.aws/credentials: `[section]`, `key = value`, `#`/`;`
// comments, and indented sub-keys under an empty value (e.g. `s3 =\n  max_concurrent_requests = 20`).
// Secret values are replaced while parsing, so they never reach a data structure.

export interface IniValue {
  readonly value: string;
  readonly line: number;
}

export interface IniSection {
  /** Header text as written between the brackets, trimmed (e.g. `profile dev`, `default`). */
  readonly header: string;
  readonly line: number;
  readonly values: ReadonlyMap<string, IniValue>;
}

export interface IniProblem {
  readonly line: number;
  readonly message: string;
}

export interface IniFile {
  readonly sections: readonly IniSection[];
  readonly problems: readonly IniProblem[];
}

/** Called for every key; return the value to keep (e.g. a marker instead of a secret). */
export type IniSanitizer = (key: string, value: string) => string;

export function parseIni(text: string, sanitize: IniSanitizer = (_k, v) => v): IniFile {
  const sections: IniSection[] = [];
  const problems: IniProblem[] = [];
  let current: { header: string; line: number; values: Map<string, IniValue> } | undefined;
  let inSubsection = false;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] ?? '';
    const lineNo = i + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) continue;
    const indented = /^\s/.test(raw);
    if (trimmed.startsWith('[')) {
      const m = /^\[\s*([^\]]*?)\s*\]\s*(?:[#;].*)?$/.exec(trimmed);
      if (!m) {
        problems.push({ line: lineNo, message: 'expected a section header like [profile name]' });
        current = undefined;
        continue;
      }
      current = { header: m[1] ?? '', line: lineNo, values: new Map() };
      sections.push(current);
      inSubsection = false;
      continue;
    }
    // Indented keys under `key =` belong to that key's sub-section (service settings); skip them.
    if (indented && inSubsection) continue;
    const eq = trimmed.indexOf('=');
    if (eq <= 0) {
      problems.push({ line: lineNo, message: 'expected key = value' });
      continue;
    }
    if (!current) {
      problems.push({ line: lineNo, message: 'key outside any [section]' });
      continue;
    }
    const key = trimmed.slice(0, eq).trim().toLowerCase();
    // botocore keeps `#` inside values, but ` #` after whitespace is how people annotate lines.
    const value = trimmed.slice(eq + 1).replace(/\s+[#;].*$/, '').trim();
    inSubsection = value === '';
    if (!inSubsection) current.values.set(key, { value: sanitize(key, value), line: lineNo });
  }
  return { sections, problems };
}
