// `leash agents --local` / `scan --local`: read the AI tool configs on this machine, find what
// reaches AWS, resolve it to IAM identities through ~/.aws, and say what is risky. Reads only;
// partial failure (one malformed file) is an error value and the other files still count.
import { dirname, resolve } from 'node:path';
import type { ScanError } from '../../model/errors.js';
import { loadAwsProfiles } from './aws-profiles.js';
import { issuesFor, sortIssues } from './issues.js';
import { jsonPath, readConfigJson } from './json-file.js';
import { configTargets, localConfigData, type ConfigFileTarget, type LocalConfigData } from './locations.js';
import { redact, redactDeep } from './redact.js';
import { analyzeServer, analyzeToolSetting, approvalsFor, flagValue, isRecord, isTruthy, type AnalyzeContext, type FileApprovals } from './servers.js';
import type { LocalAgentConfig, LocalScanResult } from './types.js';

export interface LocalScanOptions {
  readonly home: string;
  readonly projectDirs: readonly string[];
  /** The environment AI tools inherit (AWS_PROFILE, AWS_CONFIG_FILE…). Defaults to none, not process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** Values at a dotted path where `*` spans every key of an object: `projects.*.mcpServers`. */
function valuesAt(root: unknown, dotted: string): { value: unknown; path: (string | number)[] }[] {
  let level: { value: unknown; path: (string | number)[] }[] = [{ value: root, path: [] }];
  for (const seg of dotted.split('.')) {
    const next: typeof level = [];
    for (const { value, path } of level) {
      if (!isRecord(value)) continue;
      if (seg === '*') for (const [k, v] of Object.entries(value)) next.push({ value: v, path: [...path, k] });
      else if (seg in value) next.push({ value: value[seg], path: [...path, seg] });
    }
    level = next;
  }
  return level;
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** File-level approvals: agent allowedTools / autoAllowReadonly, Claude Code permissions. */
function fileApprovals(doc: unknown, data: LocalConfigData): FileApprovals & { builtinAws: string[] } {
  const entries: string[] = [];
  const builtinAws: string[] = [];
  let trustAll = false;
  for (const rule of data.autoApprove.filter((r) => r.level === 'file')) {
    for (const { value } of valuesAt(doc, rule.path)) {
      if (rule.value !== undefined) {
        if (value === rule.value) { entries.push(`${rule.path}=${String(rule.value)}`); trustAll ||= rule.trustAll; }
        continue;
      }
      if (value === true) { builtinAws.push(`${rule.path}=true`); continue; }
      for (const e of strings(value)) {
        entries.push(e);
        if (e === '*') trustAll = true;
        // The built-in AWS tool of Kiro CLI / Q agents, and Claude Code's Bash rules for the AWS CLI.
        if (/^(use_aws|aws|@builtin)$/i.test(e) || /^Bash\(\s*aws[\s:*)]/i.test(e)) builtinAws.push(e);
      }
    }
  }
  return { entries, trustAll, builtinAws };
}

/** Claude Code approvals live in settings files and reach servers defined in other files. */
interface ClaudeApprovals { readonly root: string; readonly user: boolean; readonly approvals: FileApprovals }

/**
 * `permissions.allow: ["mcp__aws-api"]` or `defaultMode: bypassPermissions` in ~/.claude/settings.json
 * applies to every Claude Code server; in <project>/.claude/settings*.json to that project's servers.
 */
function applyClaudeApprovals(tools: LocalAgentConfig[], settings: readonly ClaudeApprovals[], home: string): LocalAgentConfig[] {
  if (settings.length === 0) return tools;
  return tools.map((c) => {
    if (c.tool !== 'claude-code' || c.kind !== 'mcp-server' || c.server === undefined) return c;
    const root = c.configPath === resolve(home, '.claude.json') ? undefined : dirname(c.configPath);
    const applicable = settings.filter((s) => s.user || (root !== undefined && s.root === root));
    if (applicable.length === 0) return c;
    const merged: FileApprovals = {
      entries: applicable.flatMap((s) => s.approvals.entries),
      trustAll: applicable.some((s) => s.approvals.trustAll),
    };
    const a = approvalsFor(c.server, c.autoApprove, merged);
    // Mode switches (`permissions.defaultMode=bypassPermissions`) name no server but cover them all.
    const modes = merged.entries.filter((e) => e.includes('='));
    return { ...c, autoApprove: [...new Set([...a.list, ...modes])], trustAll: c.trustAll || a.trustAll };
  });
}

function scanDocument(doc: unknown, target: ConfigFileTarget, ctx: AnalyzeContext, counts: { nonAws: number }, claude: ClaudeApprovals[]): LocalAgentConfig[] {
  const { data } = ctx;
  const out: LocalAgentConfig[] = [];
  if (!isRecord(doc)) {
    ctx.errors.push({ source: 'local-ai-config', code: 'invalid-input', message: `${target.path} at $: expected a JSON object, got ${Array.isArray(doc) ? 'an array' : doc === null ? 'null' : typeof doc}`, location: target.path, path: '$' });
    return out;
  }
  const approvals = fileApprovals(doc, data);
  const serverApprovals: FileApprovals = { entries: approvals.entries.filter((e) => e === '*' || e.startsWith('@') || e.startsWith('mcp__')), trustAll: approvals.trustAll };

  for (const key of target.spec.serverKeys) {
    for (const { value, path } of valuesAt(doc, key)) {
      if (value === undefined || value === null) continue;
      if (!isRecord(value)) {
        ctx.errors.push({ source: 'local-ai-config', code: 'invalid-input', message: `${target.path} at ${jsonPath(path)}: expected an object of servers keyed by name, got ${Array.isArray(value) ? 'an array' : typeof value}`, location: target.path, path: jsonPath(path) });
        continue;
      }
      for (const [name, entry] of Object.entries(value)) {
        const c = analyzeServer(name, entry, [...path, name], ctx, serverApprovals);
        if (c) out.push(c);
        else if (isRecord(entry)) counts.nonAws++;
      }
    }
  }

  if (target.spec.kind === 'agent') {
    // The agent's built-in AWS tool uses the CLI's own credentials: the inherited profile.
    const tools = strings(doc.tools);
    const settings = isRecord(doc.toolsSettings) ? doc.toolsSettings : {};
    const usesAws = tools.some((t) => /^(\*|use_aws|aws|@builtin)$/i.test(t)) || 'use_aws' in settings || 'aws' in settings;
    if (usesAws) {
      const unprompted = approvals.builtinAws.filter((e) => !e.endsWith('autoAllowReadonly=true'));
      const c = analyzeToolSetting({
        server: 'use_aws (built-in)', rawEnv: {}, path: ['tools'], ctx,
        approvals: { entries: [...approvals.builtinAws, ...(approvals.trustAll ? ['*'] : [])], trustAll: approvals.trustAll },
        readOnly: approvals.trustAll || unprompted.length > 0
          ? { status: 'write', detail: 'use_aws runs every call without a prompt' }
          : { status: 'consent', detail: 'use_aws asks before calls that are not read-only' },
        force: true,
      });
      if (c) out.push(c);
    }
  }

  if (target.spec.kind === 'settings') {
    claude.push({
      root: target.spec.scope === 'user' ? '' : dirname(dirname(target.path)),
      user: target.spec.scope === 'user',
      approvals: { entries: approvals.entries.filter((e) => e.startsWith('mcp__') || e.includes('=')), trustAll: approvals.trustAll },
    });
    const rawEnv: Record<string, string> = {};
    if (isRecord(doc.env)) for (const [k, v] of Object.entries(doc.env)) if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') rawEnv[k] = String(v);
    // awsAuthRefresh / awsCredentialExport are shell commands; a `--profile x` in them names the profile.
    const refresh = [doc.awsAuthRefresh, doc.awsCredentialExport].filter((x): x is string => typeof x === 'string');
    const settingsProfile = refresh.map((cmd) => flagValue(cmd.split(/\s+/), data.profileArgs.map((a) => a.flag))).find((p) => p !== undefined);
    const c = analyzeToolSetting({
      server: 'settings', rawEnv, path: ['env'], ctx,
      approvals: { entries: approvals.builtinAws.concat(approvals.trustAll ? approvals.entries.filter((e) => e.includes('=')) : []), trustAll: approvals.trustAll },
      ...(settingsProfile !== undefined ? { settingsProfile } : {}),
      readOnly: { status: 'no-switch', detail: 'Claude Code has no AWS read-only switch; IAM is the only limit' },
      force: approvals.trustAll || approvals.builtinAws.length > 0,
    });
    if (c) out.push(c);
  }
  return out;
}

export async function scanLocalConfigs(opts: LocalScanOptions): Promise<LocalScanResult> {
  const data = localConfigData();
  const env = opts.env ?? {};
  const home = resolve(opts.home);
  const projectDirs = opts.projectDirs.map((d) => resolve(d));
  const profiles = loadAwsProfiles({ home, env });
  const errors: ScanError[] = [];
  const filesRead: string[] = [];
  const tools: LocalAgentConfig[] = [];
  const counts = { nonAws: 0 };
  const claude: ClaudeApprovals[] = [];

  for (const target of configTargets(home, projectDirs, data)) {
    const read = readConfigJson(target.path, target.spec.format);
    if (read.status === 'missing') continue;
    filesRead.push(target.path);
    if (read.status === 'error') { errors.push(read.error); continue; }
    const ctx: AnalyzeContext = { target, data, profiles, inheritedEnv: env, errors };
    tools.push(...scanDocument(read.value, target, ctx, counts, claude));
  }

  // Claude Code in Bedrock mode set in the shell rather than in a settings file.
  if (isTruthy(env.CLAUDE_CODE_USE_BEDROCK)) {
    const spec = data.configFiles.find((f) => f.id === 'claude-code-user-settings');
    if (spec) {
      const target: ConfigFileTarget = { spec, tool: 'claude-code', path: 'environment' };
      const ctx: AnalyzeContext = { target, data, profiles, inheritedEnv: env, errors };
      const rawEnv: Record<string, string> = {};
      for (const k of ['CLAUDE_CODE_USE_BEDROCK', 'AWS_PROFILE', 'AWS_REGION']) { const v = env[k]; if (v !== undefined) rawEnv[k] = v; }
      const c = analyzeToolSetting({ server: 'environment', rawEnv, path: [], ctx, approvals: { entries: [], trustAll: false }, readOnly: { status: 'no-switch', detail: 'Claude Code has no AWS read-only switch; IAM is the only limit' } });
      if (c) tools.push(c);
    }
  }

  const approved = applyClaudeApprovals(tools, claude, home);
  const issues = sortIssues(approved.flatMap((c) => issuesFor(c, data)));
  // Every string leaving the collector goes through redact(), whatever path produced it.
  return redactDeep({
    home,
    projectDirs,
    filesRead,
    awsConfigFiles: [...profiles.filesRead],
    tools: approved,
    nonAwsServers: counts.nonAws,
    issues,
    errors: [...errors, ...profiles.errors].map((e) => ({ ...e, message: redact(e.message) })),
  });
}
