// Where a boundary group keeps one member's new trust document, as its apply.sh says: each member
// line is `  <kind> <name> '<own folder>' '<trust file>'` (the own folder is a safe name, quoted
// plainly). One reading for tests that follow a role to its document, whatever the file is named.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export function memberTrustFile(groupDir: string, ownDir: string): string | undefined {
  const text = readFileSync(join(groupDir, 'apply.sh'), 'utf8');
  const dir = ownDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const m = new RegExp(` '${dir}' '(trust/[^']+)'$`, 'm').exec(text);
  return m ? join(groupDir, m[1]!) : undefined;
}
