// leash.config.yaml: validated once at the edge with zod; everything inside trusts the type.
import { existsSync } from 'node:fs';
import { READ_LIMITS, readRegularFileSync } from '../safe/read.js';
import { LineCounter, parseDocument } from 'yaml';
import type { Document } from 'yaml';
import { z } from 'zod';
import { InputError, jsonPath } from '../model/errors.js';
import approvalJson from '../data/approval-conditions.json' with { type: 'json' };
import { checks } from '../checks/index.js';
import { issueExpected, issueGot, issueLocation } from './zod-issue.js';
import { linearRegexProblem, MAX_PATTERN_LENGTH } from './patterns.js';

// Unknown keys are errors (strictObject): a typo such as `maxSessionSecond` must not silently
// leave the default in force. Ids that name something (a check, a profile, an approval condition)
// are checked too, for the same reason.
// Config regexes run on a linear-time engine (src/config/patterns.ts): one outside its syntax is
// refused here, with the engine's reason, rather than run on a backtracking engine later.
const regex = z.string().superRefine((p, ctx) => {
  const problem = linearRegexProblem(p);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: `a regular expression in RE2 syntax (leash runs config patterns in linear time: no look-around, no back-references, at most ${MAX_PATTERN_LENGTH} characters); this one is refused: ${problem}` });
});
/** A name or ARN glob (`*`, `?`); matched without a regex, bounded in length. */
const glob = z.string().min(1).max(2048, { error: 'a glob of at most 2048 characters' });
const APPROVAL_IDS = (approvalJson as { conditions: { id: string }[] }).conditions.map((c) => c.id);

const declaredAgent = z.strictObject({
  /** A principal ARN, or a glob on the principal name (e.g. "AWSReservedSSO_Admin*"). */
  match: glob,
  tool: z.string().default('ai-agent'),
  note: z.string().optional(),
});

/** An extra user-agent signature: teaches leash a tool its registry does not know yet. */
const extraSignature = z.strictObject({
  /** Searched for in each CloudTrail userAgent (case-insensitive, RE2 syntax). */
  userAgent: regex,
  tool: z.string().min(1).max(64),
  confidence: z.enum(['high', 'medium', 'low']).default('medium'),
  note: z.string().max(500).optional(),
});

const principalBaseline = z.strictObject({
  match: glob,
  profile: z.string().optional(),
  allow: z.array(z.string()).default([]),
  /** Let destructive/escalation actions through behind the approval condition rather than not at all. */
  allowForbiddenWithApproval: z.boolean().default(false),
});

export const configSchema = z.strictObject({
  agents: z.strictObject({
    tag: z.strictObject({ key: z.string(), value: z.string() }).default({ key: 'ai-agent', value: 'true' }),
    namePatterns: z.array(regex).default([]),
    declared: z.array(declaredAgent).default([]),
    signatures: z.array(extraSignature).default([]),
  }).default({ tag: { key: 'ai-agent', value: 'true' }, namePatterns: [], declared: [], signatures: [] }),
  checks: z.strictObject({
    unusedRoleDays: z.number().int().positive().default(90),
    maxSessionSeconds: z.number().int().positive().default(3600),
    disabled: z.array(z.string().refine((id) => checks.some((c) => c.id === id), { error: `a check id (${checks.map((c) => c.id).join(', ')})` })).default([]),
  }).default({ unusedRoleDays: 90, maxSessionSeconds: 3600, disabled: [] }),
  baseline: z.strictObject({
    windowDays: z.number().int().positive().default(90),
    /** Evaluate usage as of this time (ISO); default now. For logs downloaded earlier. */
    windowEnd: z.string().datetime({ offset: true, error: 'an ISO 8601 date-time in quotes, e.g. "2026-11-23T23:59:59Z"' }).optional(),
    mode: z.enum(['strict', 'balanced']).default('balanced'),
    /**
     * Did the trail log data events? auto: yes when any were read. When not, data-plane actions
     * (S3 objects, DynamoDB items, Lambda invokes…) are unknown and right-sized policies keep them.
     */
    dataEvents: z.enum(['auto', 'logged', 'not-logged']).default('auto'),
    profiles: z.record(z.string(), z.strictObject({
      allow: z.array(z.string()).default([]),
      readOnlyForUsedServices: z.boolean().default(false),
    })).default({}),
    principals: z.array(principalBaseline).default([]),
  }).default({ windowDays: 90, mode: 'balanced', dataEvents: 'auto', profiles: {}, principals: [] }).superRefine((b, ctx) => {
    b.principals.forEach((p, i) => {
      if (p.profile !== undefined && !Object.hasOwn(b.profiles, p.profile)) {
        ctx.addIssue({ code: 'custom', path: ['principals', i, 'profile'], message: `a profile defined under baseline.profiles (${Object.keys(b.profiles).join(', ') || 'none defined'})` });
      }
    });
  }),
  approval: z.strictObject({
    condition: z.enum(APPROVAL_IDS as [string, ...string[]]).default('mfa-present'),
    /**
     * The role of the human-approval broker (approval-session-tag, approval-source-identity): the
     * only caller the agent roles' trust policies let set the approval. Without it the trust fix
     * carries a placeholder and is not safe to apply.
     */
    brokerRoleArn: z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@\/-]{1,512}$/, { error: 'a role ARN, e.g. "arn:aws:iam::111122223333:role/approval-broker"' }).optional(),
  }).default({ condition: 'mfa-present' }),
  accounts: z.array(z.strictObject({
    id: z.string({ error: 'a 12-digit account id in quotes, e.g. "111122223333" (unquoted, YAML reads a number)' }).regex(/^\d{12}$/, { error: 'a 12-digit account id in quotes, e.g. "111122223333"' }),
    roleArn: z.string(),
    externalId: z.string().optional(),
    sessionName: z.string().optional(),
  })).default([]),
  suppressionsFile: z.string().default('leash.suppressions.yaml'),
  /** Worker threads for the per-principal analysis (fixes); 0 = in-process. `--analysis-workers` overrides. */
  analysisWorkers: z.number().int().min(0).max(64).default(0),
  /** Resource inventories (issue 15): what marks a resource production, and how fixes use it. */
  resources: z.strictObject({
    production: z.strictObject({
      tagKeys: z.array(z.string().min(1).max(128)).min(1).optional(),
      productionValues: z.array(z.string().min(1).max(256)).min(1).optional(),
      nameTokens: z.array(z.string().min(1).max(64)).optional(),
      namePatterns: z.array(glob).optional(),
    }).default({}),
    /** The organization the scanned accounts belong to (aws:PrincipalOrgID of their principals); unknown otherwise. */
    organizationId: z.string().regex(/^o-[a-z0-9]{10,32}$/, { error: 'an organization id such as "o-a1b2c3d4e5"' }).optional(),
    /** The boundary's approval deny applies only to production-tagged resources (aws:ResourceTag), as the fix text then says. */
    approvalOnlyForProduction: z.boolean().default(false),
  }).default({ production: {}, approvalOnlyForProduction: false }),
});

export type LeashConfig = z.infer<typeof configSchema>;

export const defaultConfig = (): LeashConfig => configSchema.parse({});

/** Line of the YAML node at `path` (or its nearest existing parent), so errors point into the file. */
function lineOf(doc: Document, counter: LineCounter, path: readonly PropertyKey[]): number | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n) as unknown[], true) as { range?: [number, number, number] } | undefined;
    if (node && typeof node === 'object' && node.range) return counter.linePos(node.range[0]).line;
  }
  return undefined;
}

/** Load a config file; a missing default file is fine, a missing explicit one is an error. */
export function loadConfig(file: string | undefined): LeashConfig {
  const path = file ?? 'leash.config.yaml';
  if (!existsSync(path)) {
    if (file) throw new InputError(file, '', 'an existing leash config file', 'no such file');
    return defaultConfig();
  }
  const text = readRegularFileSync(path, READ_LIMITS.config, 'a leash.config.yaml file').toString('utf8').replace(/^\uFEFF/, '');
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const pos = lineCounter.linePos(e.pos[0]);
    throw new InputError(path, `line ${pos.line}, column ${pos.col}`, 'valid YAML', e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, ''));
  }
  const data: unknown = doc.toJS() ?? {};
  const result = configSchema.safeParse(data);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const line = lineOf(doc, lineCounter, issueLocation(issue));
    throw new InputError(path, `${line !== undefined ? `line ${line}, ` : ''}${jsonPath(issue.path)}`, issueExpected(issue), issueGot(data, issue));
  }
  return result.data;
}
