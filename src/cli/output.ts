// How much the CLI says, and how wide it may say it. `--quiet` (a program-wide option) silences
// summaries and notes on success; errors and explicitly asked-for output (--json) still print.
// Width: names are cut to fit only on a terminal; a pipe or a file gets them whole.
let quiet = false;

export function setQuiet(value: boolean): void {
  quiet = value;
}

export function isQuiet(): boolean {
  return quiet;
}

/** Columns to fit text into: the terminal's, or unbounded when the stream is not a terminal. */
export function outputWidth(stream: { readonly isTTY?: boolean; readonly columns?: number } = process.stdout): number {
  return stream.isTTY ? stream.columns ?? 80 : Number.POSITIVE_INFINITY;
}
