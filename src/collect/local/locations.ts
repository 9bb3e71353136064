// The judgement data (src/data/agents/local-configs.json), validated once at load, and the
// expansion of its relative paths into the concrete files to read for one home and some projects.
import { readdirSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import raw from '../../data/agents/local-configs.json' with { type: 'json' };
import type { LocalTool } from './types.js';

const tool = z.enum(['kiro', 'amazon-q', 'claude-code', 'claude-desktop', 'cursor', 'vscode', 'copilot', 'windsurf', 'cline', 'roo-code']);

const configFile = z.object({
  id: z.string(),
  tool,
  scope: z.enum(['user', 'project']),
  kind: z.enum(['mcp', 'agent', 'settings']),
  paths: z.array(z.string()).min(1),
  serverKeys: z.array(z.string()),
  format: z.enum(['json', 'jsonc']),
  source: z.string().min(1),
});

const knownServer = z.object({
  package: z.string(),
  defaultMode: z.enum(['read-only', 'write']),
  readOnlyArg: z.string().optional(),
  readOnlyEnv: z.string().optional(),
  consentEnv: z.string().optional(),
  writeArg: z.string().optional(),
  writeEnv: z.string().optional(),
  sensitiveArg: z.string().optional(),
  sensitiveEnv: z.string().optional(),
  source: z.string().min(1),
});

const dataSchema = z.object({
  source: z.string(),
  configFiles: z.array(configFile),
  envKeys: z.array(z.object({ name: z.string(), role: z.enum(['profile', 'region', 'access-key-id', 'secret', 'role-arn', 'switch', 'bedrock']), why: z.string() })),
  profileArgs: z.array(z.object({ flag: z.string(), source: z.string() })),
  regionArgs: z.array(z.object({ flag: z.string(), source: z.string() })),
  secretArgPattern: z.string(),
  knownServers: z.array(knownServer),
  awsPackagePatterns: z.array(z.object({ pattern: z.string(), why: z.string() })),
  awsUrlPatterns: z.array(z.object({ pattern: z.string(), why: z.string() })),
  autoApprove: z.array(z.object({ path: z.string(), level: z.enum(['server', 'file']), trustAll: z.boolean(), value: z.union([z.string(), z.boolean()]).optional(), why: z.string() })),
  broadRoleNames: z.array(z.object({ pattern: z.string(), severity: z.enum(['critical', 'high', 'medium', 'low', 'info']), why: z.string() })),
});

export type LocalConfigData = z.infer<typeof dataSchema>;
export type ConfigFileSpec = z.infer<typeof configFile>;
export type KnownServer = z.infer<typeof knownServer>;

let cached: LocalConfigData | undefined;

/** The data file, validated; a broken data file is a bug in leash, so this throws. */
export function localConfigData(): LocalConfigData {
  cached ??= dataSchema.parse(raw);
  return cached;
}

export interface ConfigFileTarget {
  readonly spec: ConfigFileSpec;
  readonly tool: LocalTool;
  readonly path: string;
}

function expandGlob(path: string): string[] {
  const name = basename(path);
  if (!name.includes('*')) return [path];
  // Only `dir/*.ext` is needed (agent directories); anything fancier is not a config location.
  const [prefix, suffix] = name.split('*') as [string, string];
  const dir = dirname(path);
  try {
    return readdirSync(dir)
      .filter((f) => f.startsWith(prefix) && f.endsWith(suffix))
      .sort()
      .map((f) => join(dir, f));
  } catch {
    return [];
  }
}

/** Every file worth trying: user-scope paths under home, project-scope paths under each project dir. */
export function configTargets(home: string, projectDirs: readonly string[], data: LocalConfigData = localConfigData()): ConfigFileTarget[] {
  const out: ConfigFileTarget[] = [];
  const seen = new Set<string>();
  const roots = (spec: ConfigFileSpec): string[] => (spec.scope === 'user' ? [home] : projectDirs.map((d) => resolve(d)));
  for (const spec of data.configFiles) {
    for (const root of roots(spec)) {
      for (const rel of spec.paths) {
        for (const path of expandGlob(join(root, rel))) {
          // A project dir that is the home dir would list ~/.kiro/settings/mcp.json twice.
          const key = `${spec.tool}|${path}`;
          if (seen.has(key)) continue;
          seen.add(key);
          out.push({ spec, tool: spec.tool, path });
        }
      }
    }
  }
  return out;
}
