// Which fixes leash calls not safe to apply, in one place for every rendering of a fix: a
// principal's folder (fix/write.ts), the per-fix renderings of report.json and the TUI
// (render/lazy.ts), the TUI's written copy (tui/report-files.ts), and the group rule (group.ts).
import type { Fix } from '../model/fix.js';
import type { FixTarget } from './render/index.js';

/**
 * Why leash calls a change apply.sh would make not safe (the not-safe fixes' summaries, one line),
 * or undefined. A session policy (passed when assuming the role) and a held-back trust policy are
 * not applied by apply.sh, so theirs do not count.
 */
export function notSafeToApply(fixes: readonly Pick<Fix, 'kind' | 'verification'>[], target: Pick<FixTarget, 'policies'>): string | undefined {
  let why: string[] | undefined;
  for (const f of fixes) {
    const v = f.verification;
    if (f.kind === 'session-policy' || (v.status ?? (v.safe ? 'verified' : 'not-safe')) !== 'not-safe') continue;
    if (f.kind === 'trust-policy' && target.policies.some((p) => p.purpose === 'trust' && p.attach === 'none')) continue;
    const line = `${f.kind}: ${v.summary ?? 'not safe'}`;
    if (!why?.includes(line)) (why ??= []).push(line);
  }
  return why?.join('; ');
}
