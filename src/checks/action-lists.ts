// Typed access to leash's own judgement lists that are plain action lists. Every entry must
// exist in the catalog (test/checks/action-lists.test.ts).
import { z } from 'zod';
import exfiltration from '../data/exfiltration-actions.json' with { type: 'json' };
import credentialExposure from '../data/credential-exposure-actions.json' with { type: 'json' };
import loggingTampering from '../data/logging-tampering-actions.json' with { type: 'json' };

const list = z.object({ source: z.string().min(1), actions: z.array(z.object({ action: z.string().regex(/^[a-z0-9-]+:[A-Za-z0-9]+$/), why: z.string().min(1) })).min(1) });
export type ActionList = z.infer<typeof list>;

export const exfiltrationActions: ActionList = list.parse(exfiltration);
export const credentialExposureActions: ActionList = list.parse(credentialExposure);
export const loggingTamperingActions: ActionList = list.parse(loggingTampering);
