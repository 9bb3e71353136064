// Typed access to leash's own judgement lists that are plain action lists. Every entry must
// exist in the catalog (test/checks/action-lists.test.ts).
import { z } from 'zod';
import { ActionSet } from '../iam/action-set.js';
import type { ActionExpander } from '../iam/pattern.js';
import exfiltration from '../data/exfiltration-actions.json' with { type: 'json' };
import credentialExposure from '../data/credential-exposure-actions.json' with { type: 'json' };
import loggingTampering from '../data/logging-tampering-actions.json' with { type: 'json' };
import persistence from '../data/persistence-actions.json' with { type: 'json' };

const list = z.object({ source: z.string().min(1), actions: z.array(z.object({ action: z.string().regex(/^[a-z0-9-]+:[A-Za-z0-9]+$/), why: z.string().min(1) })).min(1) });
export type ActionList = z.infer<typeof list>;

export const exfiltrationActions: ActionList = list.parse(exfiltration);
export const credentialExposureActions: ActionList = list.parse(credentialExposure);
export const loggingTamperingActions: ActionList = list.parse(loggingTampering);

export const PERSISTENCE_KINDS = ['credential', 'session', 'identity', 'permission', 'trust', 'code', 'access'] as const;
export type PersistenceKind = (typeof PERSISTENCE_KINDS)[number];
const persistenceList = z.object({
  source: z.string().min(1),
  kinds: z.record(z.enum(PERSISTENCE_KINDS), z.string().min(1)),
  actions: z.array(z.object({ action: z.string().regex(/^[a-z0-9-]+:[A-Za-z0-9]+$/), kind: z.enum(PERSISTENCE_KINDS), why: z.string().min(1), references: z.array(z.url()).min(1) })).min(1),
});
export type PersistenceList = z.infer<typeof persistenceList>;
/** What a principal can leave behind that outlives its session (leash activity's "left behind"). */
export const persistenceActions: PersistenceList = persistenceList.parse(persistence);

const setCache = new WeakMap<ActionExpander, Map<ActionList, ActionSet>>();
/** A list's actions as catalog ids (entries the catalog lacks drop out), built once per catalog. */
export function actionListSet(list: ActionList, expander: ActionExpander): ActionSet {
  let byList = setCache.get(expander);
  if (!byList) setCache.set(expander, (byList = new Map()));
  let s = byList.get(list);
  if (!s) byList.set(list, (s = ActionSet.of(expander.size, list.actions.map((a) => expander.catalog.lookup(a.action)?.id).filter((x): x is number => x !== undefined))));
  return s;
}
