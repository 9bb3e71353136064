// leash's own inventory shape, for what AWS Config lacks (a policy Config does not record, a
// resource outside Config's recorder, a hand-written case):
//   { "leashInventory": 1, "account"?: "111122223333",
//     "resources": [ { "arn", "type"?, "name"?, "account"?, "region"?, "tags"?, "policy"?, "role"? } ],
//     "rcps"?: [ { "target"?: "r-abcd", "policies": [ { "arn", "name"?, "policy" } ] } ] }
// zod at the edge. The file's shape being wrong is an InputError (exit 2, nothing written); one
// bad resource entry is a ScanError naming its JSON path and is skipped; one bad policy makes its
// resource's policy unknown. The rest is read.
import { z } from 'zod';
import type { Resource, ResourceInventory } from '../../model/inventory.js';
import type { PolicyDocument } from '../../model/policy.js';
import { InputError, jsonPath, type ScanError } from '../../model/errors.js';
import { issueExpected, issueGot, issueLocation } from '../../config/zod-issue.js';
import { parsePolicy } from '../../iam/parse.js';
import { RESOURCE_TYPES } from '../../model/inventory.js';
import { toResource } from './resource.js';
import { countByType, dedupeResources } from './merge.js';

const ACCOUNT = z.string().regex(/^\d{12}$/, { error: 'a 12-digit AWS account id' });
const tagList = z.array(z.object({ Key: z.string(), Value: z.string().default('') }).strict());
const tagObject = z.record(z.string(), z.string());

const resourceEntry = z
  .object({
    arn: z.string({ error: 'the resource ARN (a string)' }).min(1),
    type: z.enum(RESOURCE_TYPES).optional(),
    name: z.string().optional(),
    account: ACCOUNT.optional(),
    region: z.string().regex(/^[a-z0-9-]*$/, { error: 'an AWS region such as us-east-1' }).optional(),
    tags: z.union([tagObject, tagList], { error: 'tags as {"key": "value"} or [{"Key": …, "Value": …}]' }).optional(),
    // Object, JSON string or URL-encoded JSON string: parsed by parsePolicy, which names the path.
    policy: z.union([z.record(z.string(), z.unknown()), z.string()], { error: 'a policy document: an object, a JSON string or a URL-encoded JSON string' }).optional(),
    // The role a function or stack runs as (what AWS Config or the live API would say).
    role: z.string({ error: 'the IAM role ARN the function or stack runs as' }).optional(),
  })
  .strict();

const rcpEntry = z.object({
  target: z.string().optional(),
  policies: z.array(z.object({ arn: z.string().min(1), name: z.string().optional(), policy: z.unknown() }).strict()),
}).strict();

const leashFile = z
  .object({
    leashInventory: z.literal(1, { error: 'leashInventory: 1 (the version of this shape)' }),
    account: ACCOUNT.optional(),
    resources: z.array(z.unknown(), { error: 'an array of resources' }),
    rcps: z.array(rcpEntry).optional(),
  })
  .strict();

export function isLeashInventory(raw: unknown): boolean {
  return raw !== null && typeof raw === 'object' && !Array.isArray(raw) && 'leashInventory' in raw;
}

export interface InventoryReadOptions {
  /** The account of resources whose ARN names none (S3 buckets) when the file does not say: the scanned account. */
  readonly defaultAccount?: string;
}

export function normalizeLeashInventory(raw: unknown, file: string, opts: InventoryReadOptions = {}): ResourceInventory {
  const parsed = leashFile.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InputError(file, jsonPath(issueLocation(issue)), issueExpected(issue), issueGot(raw, issue));
  }
  const data = parsed.data;
  const errors: ScanError[] = [];
  const resources: Resource[] = [];
  let skipped = 0;
  const defaultAccount = data.account ?? opts.defaultAccount;
  data.resources.forEach((entry, i) => {
    const path = `$.resources[${i}]`;
    const r = resourceEntry.safeParse(entry);
    if (!r.success) {
      const issue = r.error.issues[0]!;
      const at = `${path}${jsonPath(issueLocation(issue)).slice(1)}`;
      errors.push({ source: 'inventory-file', code: 'invalid-input', location: file, path: at, message: `${file} at ${at}: expected ${issueExpected(issue)}, got ${issueGot(entry, issue)}; resource skipped` });
      skipped++;
      return;
    }
    const e = r.data;
    // Tags and policy are taken from the input itself, not zod's copy: zod rebuilds records with
    // plain assignment, which would turn a key named "__proto__" into a prototype and lose it.
    const original = entry as { tags?: unknown; policy?: unknown };
    const resource = toResource(
      { arn: e.arn, ...(e.type ? { type: e.type } : {}), ...(e.name !== undefined ? { name: e.name } : {}), ...(e.account ? { account: e.account } : {}), ...(e.region !== undefined ? { region: e.region } : {}), ...(e.tags ? { tags: original.tags } : {}), ...(e.policy !== undefined ? { policy: original.policy } : {}), ...(e.role !== undefined ? { role: e.role } : {}) },
      { source: 'inventory-file', location: file, path, ...(defaultAccount ? { defaultAccount } : {}), errors },
    );
    if (resource) resources.push(resource);
    else skipped++;
  });
  const rcps = data.rcps?.map((level, li) =>
    level.policies.flatMap((p, pi): { name: string; arn: string; document: PolicyDocument }[] => {
      const path = `$.rcps[${li}].policies[${pi}].policy`;
      const doc = parsePolicy(p.policy, 'any', path);
      if (!doc.ok) {
        // An RCP that cannot be read cannot be dropped quietly (it may deny): the error says so.
        errors.push({ source: 'inventory-file', code: 'invalid-input', location: file, path: doc.error.path, message: `${file} at ${doc.error.path}: expected ${doc.error.expected}, got ${doc.error.got}; this RCP is left out, so access it denies may be overstated` });
        return [];
      }
      return [{ name: p.name ?? p.arn, arn: p.arn, document: doc.document }];
    }),
  );
  const unique = dedupeResources(resources);
  return {
    resources: unique,
    ...(rcps ? { rcps } : {}),
    sources: [{
      kind: 'inventory-file',
      location: file,
      status: errors.length > 0 ? 'partial' : 'ok',
      counts: {
        resources: unique.length,
        ...countByType(unique),
        withPolicy: unique.filter((r) => r.policy).length,
        policyUnknown: unique.filter((r) => r.policyUnknown !== undefined).length,
        skipped,
        ...(rcps ? { rcps: rcps.reduce((n, l) => n + l.length, 0) } : {}),
      },
    }],
    errors,
  };
}
