// Screens build their content as rows of styled segments and hand them here, so each screen
// controls its height exactly (ink would otherwise wrap long lines and push the footer off).
import { Box, Text } from 'ink';
import { fg, useColors } from '../theme.js';
import { isSafeText, safeText } from '../../safe/text.js';

export interface Segment {
  readonly text: string;
  readonly color?: string | undefined;
  readonly bold?: boolean | undefined;
  readonly dim?: boolean | undefined;
  readonly inverse?: boolean | undefined;
}

export type Row = string | readonly Segment[];

export function seg(text: string, style: Omit<Segment, 'text'> = {}): Segment {
  return { text, ...style };
}

/** Every row reaches the terminal through here: data in it is shown escaped (safeText). */
function segments(row: Row): readonly Segment[] {
  return typeof row === 'string' ? [{ text: safeText(row) }] : row.map((s) => (isSafeText(s.text) ? s : { ...s, text: safeText(s.text) }));
}

/** Cut a row to `width` characters across its segments, marking the cut with an ellipsis. */
export function fitRow(row: Row, width: number): Segment[] {
  const out: Segment[] = [];
  let left = width;
  const all = segments(row);
  const total = all.reduce((n, s) => n + s.text.length, 0);
  const cut = total > width;
  let budget = cut ? Math.max(0, width - 1) : width;
  for (const s of all) {
    if (budget <= 0) break;
    const text = s.text.length > budget ? s.text.slice(0, budget) : s.text;
    out.push({ ...s, text });
    budget -= text.length;
    left -= text.length;
  }
  if (cut && left > 0) out.push({ text: '…' });
  return out;
}

export function rowText(row: Row): string {
  return segments(row).map((s) => s.text).join('');
}

export function Rows({ rows, width }: { readonly rows: readonly Row[]; readonly width: number }) {
  const colors = useColors();
  return (
    <Box flexDirection="column">
      {rows.map((row, i) => {
        const parts = fitRow(row, width);
        return (
          <Text key={i} wrap="truncate">
            {parts.length === 0 || rowText(parts) === '' ? ' ' : parts.map((s, j) => (
              <Text key={j} {...fg(colors, s.color)} bold={s.bold === true} dimColor={colors && s.dim === true} inverse={s.inverse === true}>
                {s.text}
              </Text>
            ))}
          </Text>
        );
      })}
    </Box>
  );
}
