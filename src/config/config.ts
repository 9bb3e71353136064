// leash.config.yaml: validated once at the edge with zod; everything inside trusts the type.
import { existsSync, readFileSync } from 'node:fs';
import { parse as parseYaml, LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { InputError, jsonPath } from '../model/errors.js';

const declaredAgent = z.object({
  /** A principal ARN, or a glob on the principal name (e.g. "AWSReservedSSO_Admin*"). */
  match: z.string().min(1),
  tool: z.string().default('ai-agent'),
  note: z.string().optional(),
});

const principalBaseline = z.object({
  match: z.string().min(1),
  profile: z.string().optional(),
  allow: z.array(z.string()).default([]),
  /** Let destructive/escalation actions through behind the approval condition rather than not at all. */
  allowForbiddenWithApproval: z.boolean().default(false),
});

export const configSchema = z.object({
  agents: z.object({
    tag: z.object({ key: z.string(), value: z.string() }).default({ key: 'ai-agent', value: 'true' }),
    namePatterns: z.array(z.string()).default([]),
    declared: z.array(declaredAgent).default([]),
  }).default({ tag: { key: 'ai-agent', value: 'true' }, namePatterns: [], declared: [] }),
  checks: z.object({
    unusedRoleDays: z.number().int().positive().default(90),
    maxSessionSeconds: z.number().int().positive().default(3600),
    disabled: z.array(z.string()).default([]),
  }).default({ unusedRoleDays: 90, maxSessionSeconds: 3600, disabled: [] }),
  baseline: z.object({
    windowDays: z.number().int().positive().default(90),
    /** Evaluate usage as of this time (ISO); default now. For logs downloaded earlier. */
    windowEnd: z.string().datetime({ offset: true }).optional(),
    mode: z.enum(['strict', 'balanced']).default('balanced'),
    profiles: z.record(z.string(), z.object({
      allow: z.array(z.string()).default([]),
      readOnlyForUsedServices: z.boolean().default(false),
    })).default({}),
    principals: z.array(principalBaseline).default([]),
  }).default({ windowDays: 90, mode: 'balanced', profiles: {}, principals: [] }),
  approval: z.object({ condition: z.string().default('mfa-present') }).default({ condition: 'mfa-present' }),
  accounts: z.array(z.object({
    id: z.string().regex(/^\d{12}$/),
    roleArn: z.string(),
    externalId: z.string().optional(),
    sessionName: z.string().optional(),
  })).default([]),
  suppressionsFile: z.string().default('leash.suppressions.yaml'),
});

export type LeashConfig = z.infer<typeof configSchema>;

export const defaultConfig = (): LeashConfig => configSchema.parse({});

/** Load a config file; a missing default file is fine, a missing explicit one is an error. */
export function loadConfig(file: string | undefined): LeashConfig {
  const path = file ?? 'leash.config.yaml';
  if (!existsSync(path)) {
    if (file) throw new InputError(file, '', 'an existing leash config file', 'no such file');
    return defaultConfig();
  }
  const text = readFileSync(path, 'utf8');
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const pos = lineCounter.linePos(e.pos[0]);
    throw new InputError(path, `line ${pos.line}, column ${pos.col}`, 'valid YAML', e.message.split('\n')[0]);
  }
  const result = configSchema.safeParse(parseYaml(text) ?? {});
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new InputError(path, jsonPath(issue.path), issue.message.replace(/^Invalid input: /, ''));
  }
  return result.data;
}
