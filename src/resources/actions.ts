// What can be done to a resource of each inventoried type, in three kinds: delete (the call that
// deletes the resource itself), destructive (the other calls of destructive-actions.json that act
// on the type) and read (the data-plane calls that return its contents). From leash's data files,
// checked against the catalog; each action remembers which ARN a request for it names (a bucket's
// objects are `arn:aws:s3:::bucket/key`, not the bucket).
import { z } from 'zod';
import accessJson from '../data/resource-access.json' with { type: 'json' };
import { RESOURCE_TYPES, type ResourceType } from '../model/inventory.js';
import { destructiveActions } from '../checks/data.js';
import { catalog } from '../iam/catalog.js';

export const ACCESS_KINDS = ['delete', 'destructive', 'read'] as const;
export type AccessKind = (typeof ACCESS_KINDS)[number];

export interface TypeAction {
  readonly action: string;
  readonly kind: AccessKind;
  /** The request names an object of the bucket, not the bucket. */
  readonly onObject: boolean;
}

const typeKey = z.enum(RESOURCE_TYPES);
const data = z.object({
  source: z.string().min(1),
  read: z.partialRecord(typeKey, z.array(z.object({ action: z.string(), on: z.literal('object').optional() }))),
  catalogType: z.record(typeKey, z.string()),
  delete: z.record(typeKey, z.string()),
}).parse(accessJson);

let table: ReadonlyMap<ResourceType, readonly TypeAction[]> | undefined;

/** Actions of interest per type, computed once from the data files and the catalog. */
export function typeActions(): ReadonlyMap<ResourceType, readonly TypeAction[]> {
  if (table) return table;
  const cat = catalog();
  const m = new Map<ResourceType, TypeAction[]>();
  for (const t of RESOURCE_TYPES) {
    const out: TypeAction[] = [];
    const service = t.split(':')[0]!;
    const rt = data.catalogType[t];
    const del = data.delete[t];
    const seen = new Set<string>();
    const add = (a: TypeAction) => { if (!seen.has(a.action.toLowerCase())) { seen.add(a.action.toLowerCase()); out.push(a); } };
    if (del) add({ action: cat.lookup(del)?.key ?? del, kind: 'delete', onObject: false });
    for (const d of destructiveActions()) {
      const ca = cat.lookup(d.action);
      if (!ca || ca.service !== service) continue;
      const names = ca.resourceTypes.map((r) => r.name);
      if (names.includes(rt!)) add({ action: ca.key, kind: 'destructive', onObject: false });
      else if (t === 's3:bucket' && names.includes('object')) add({ action: ca.key, kind: 'destructive', onObject: true });
    }
    for (const r of data.read[t] ?? []) add({ action: cat.lookup(r.action)?.key ?? r.action, kind: 'read', onObject: r.on === 'object' });
    m.set(t, out);
  }
  table = m;
  return m;
}

/** The ARN a request for this action on this resource names. */
export function requestArn(resourceArn: string, a: Pick<TypeAction, 'onObject'>): string {
  // A sample key no real object has: a grant on the bucket's objects (`bucket/*`) matches it, a grant on one prefix does not.
  return a.onObject ? `${resourceArn}/\u0001leash-object` : resourceArn;
}

/** Which type and kind an action belongs to, for `who-can --action`. */
export function actionInfo(type: ResourceType, action: string): TypeAction | undefined {
  return typeActions().get(type)?.find((a) => a.action.toLowerCase() === action.toLowerCase());
}

export const resourceAccessSource = data.source;
