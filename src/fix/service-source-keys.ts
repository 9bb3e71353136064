// Which AWS services send aws:SourceAccount / aws:SourceArn when they assume a role. A trust
// condition on a key the service never sends locks the service out, so the trust fix adds one
// only where the service's own documentation shows it (src/data/service-principal-source-keys.json).
import { z } from 'zod';
import data from '../data/service-principal-source-keys.json' with { type: 'json' };

const entry = z.strictObject({
  principal: z.string().regex(/^[a-z0-9.-]+\.amazonaws\.com(\.cn)?$/),
  sourceAccount: z.boolean(),
  sourceArn: z.boolean(),
  source: z.url({ protocol: /^https$/ }),
  why: z.string().min(1),
});
const file = z.strictObject({ source: z.string().min(1), services: z.array(entry).min(1) });

export type ServiceSourceKeys = z.infer<typeof entry>;

const parsed = file.parse(data);
const byPrincipal = new Map(parsed.services.map((e) => [e.principal.toLowerCase(), e]));

/** What leash knows about a service principal, or undefined when it knows nothing. */
export function serviceSourceKeys(principal: string): ServiceSourceKeys | undefined {
  return byPrincipal.get(principal.toLowerCase());
}

export function allServiceSourceKeys(): readonly ServiceSourceKeys[] {
  return parsed.services;
}
