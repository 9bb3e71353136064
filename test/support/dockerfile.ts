// A strict little Dockerfile reader for tests (no Docker daemon on this machine): instructions
// with their line numbers, continuation lines joined, comments and parser directives skipped,
// flags (--from=build) split from arguments, and exec-form (JSON array) arguments parsed.

export interface Instruction {
  readonly line: number;
  readonly keyword: string;
  /** Raw text after the keyword and its flags. */
  readonly text: string;
  readonly flags: Readonly<Record<string, string>>;
  /** Exec form (`["node", "x.js"]`) parsed; undefined for shell form. */
  readonly exec?: readonly string[];
}

export interface Stage {
  readonly from: Instruction;
  readonly image: string;
  readonly name?: string;
  readonly instructions: readonly Instruction[];
}

const KEYWORDS = new Set(['FROM', 'RUN', 'CMD', 'LABEL', 'EXPOSE', 'ENV', 'ADD', 'COPY', 'ENTRYPOINT', 'VOLUME', 'USER', 'WORKDIR', 'ARG', 'ONBUILD', 'STOPSIGNAL', 'HEALTHCHECK', 'SHELL', 'MAINTAINER']);

export function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let raw = lines[i]!;
    if (/^\s*(#.*)?$/.test(raw)) continue;
    while (/\\\s*$/.test(raw) && i + 1 < lines.length) {
      i++;
      const next = lines[i]!;
      if (/^\s*#/.test(next)) continue; // comment lines inside a continuation are dropped, as BuildKit does
      raw = raw.replace(/\\\s*$/, ' ') + next.trim();
    }
    const m = /^\s*([A-Za-z]+)\s+(.*)$/.exec(raw);
    if (!m) throw new Error(`Dockerfile line ${start + 1}: expected INSTRUCTION arguments, got ${JSON.stringify(raw)}`);
    const keyword = m[1]!.toUpperCase();
    if (!KEYWORDS.has(keyword)) throw new Error(`Dockerfile line ${start + 1}: unknown instruction ${m[1]}`);
    let rest = m[2]!.trim();
    const flags: Record<string, string> = {};
    for (let f = /^--([a-z-]+)(?:=(\S+))?\s*/.exec(rest); f; f = /^--([a-z-]+)(?:=(\S+))?\s*/.exec(rest)) {
      if (keyword === 'RUN' && !['mount', 'network', 'security'].includes(f[1]!)) break;
      flags[f[1]!] = f[2] ?? 'true';
      rest = rest.slice(f[0].length);
    }
    let exec: string[] | undefined;
    if (rest.startsWith('[')) {
      try {
        const parsed = JSON.parse(rest) as unknown;
        if (Array.isArray(parsed) && parsed.every((x) => typeof x === 'string')) exec = parsed as string[];
      } catch {
        throw new Error(`Dockerfile line ${start + 1}: ${keyword} looks like exec form but is not a JSON array of strings`);
      }
    }
    out.push({ line: start + 1, keyword, text: rest, flags, ...(exec ? { exec } : {}) });
  }
  return out;
}

export function stages(instructions: readonly Instruction[]): Stage[] {
  const out: { from: Instruction; image: string; name?: string; instructions: Instruction[] }[] = [];
  for (const ins of instructions) {
    if (ins.keyword === 'FROM') {
      const [image, as, name] = ins.text.split(/\s+/);
      out.push({ from: ins, image: image!, ...(as?.toUpperCase() === 'AS' && name ? { name } : {}), instructions: [] });
    } else {
      if (out.length === 0) {
        if (ins.keyword === 'ARG') continue;
        throw new Error(`Dockerfile line ${ins.line}: ${ins.keyword} before the first FROM`);
      }
      out[out.length - 1]!.instructions.push(ins);
    }
  }
  return out;
}
