// Reads that hand the caller secrets, credentials, decrypted data or whole tables
// (src/data/sensitive-reads.json). Balanced right-sizing widens a used service to its read-level
// siblings, but never into these: they stay only when observed or declared.
import { z } from 'zod';
import sensitiveJson from '../data/sensitive-reads.json' with { type: 'json' };
import { ActionSet } from '../iam/action-set.js';
import type { ActionExpander } from '../iam/pattern.js';
import { InputError, jsonPath } from '../model/errors.js';
import { actionListSet, exfiltrationActions } from '../checks/action-lists.js';

const FILE = 'src/data/sensitive-reads.json';
export const SENSITIVE_RETURNS = ['secret', 'credential', 'decrypted-data', 'whole-table', 'object-data'] as const;

const schema = z.object({
  source: z.string().min(1),
  description: z.string(),
  derivation: z.object({ pattern: z.string(), excludePrefix: z.string() }),
  actions: z.array(z.object({ action: z.string().regex(/^[a-z0-9-]+:[A-Za-z0-9]+$/), returns: z.enum(SENSITIVE_RETURNS), why: z.string().min(1) })),
  reviewed: z.array(z.object({ action: z.string().regex(/^[a-z0-9-]+:[A-Za-z0-9]+$/), why: z.string().min(1) })),
});
export type SensitiveReadsFile = z.infer<typeof schema>;

export function parseSensitiveReads(raw: unknown): SensitiveReadsFile {
  const r = schema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new InputError(FILE, jsonPath(issue.path), issue.message);
  }
  return r.data;
}

let parsed: SensitiveReadsFile | undefined;
export function sensitiveReads(): SensitiveReadsFile {
  return (parsed ??= parseSensitiveReads(sensitiveJson));
}

const cache = new WeakMap<ActionExpander, ActionSet>();
/** The catalog actions of the list; an entry the catalog does not know is a bug in the data file. */
export function sensitiveReadActions(expander: ActionExpander): ActionSet {
  let s = cache.get(expander);
  if (!s) {
    s = new ActionSet(expander.size);
    for (const [i, a] of sensitiveReads().actions.entries()) {
      const hit = expander.catalog.lookup(a.action);
      if (!hit) throw new InputError(FILE, `$.actions[${i}].action`, 'an action the IAM catalog knows', a.action);
      s.add(hit.id);
    }
    cache.set(expander, s);
  }
  return s;
}

/** Why one action is a sensitive read, for reasons shown to reviewers. */
export function sensitiveReadWhy(action: string): string | undefined {
  const a = sensitiveReads().actions.find((x) => x.action.toLowerCase() === action.toLowerCase());
  return a ? `${a.returns}: ${a.why}` : undefined;
}

/**
 * The data-exfiltration check's list (src/data/exfiltration-actions.json) as catalog actions. The
 * check flags these when allowed on every resource, so right-sizing must not widen into them.
 */
export function exfiltrationListActions(expander: ActionExpander): ActionSet {
  return actionListSet(exfiltrationActions, expander);
}

/** Why one action is a sensitive read, or one the data-exfiltration check flags on every resource. */
export function withheldReadWhy(action: string): string | undefined {
  const sensitive = sensitiveReadWhy(action);
  if (sensitive) return sensitive;
  const x = exfiltrationActions.actions.find((e) => e.action.toLowerCase() === action.toLowerCase());
  return x ? `granted on every resource today, where the data-exfiltration check flags it: ${x.why}` : undefined;
}
