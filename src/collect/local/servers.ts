// One MCP server entry (or a tool's own AWS settings) → what AWS identity it acts as and whether
// it can write. Only AWS-related entries are kept; everything else is counted and dropped.
import type { ScanError } from '../../model/errors.js';
import type { AwsProfileStore } from './aws-profiles.js';
import { jsonPath } from './json-file.js';
import type { ConfigFileTarget, KnownServer, LocalConfigData } from './locations.js';
import { redact, redactAccessKeyId, redactArgs } from './redact.js';
import type { LocalAgentConfig, ProfileSource, ReadOnlyStatus, StaticKeyNote } from './types.js';

type Env = Readonly<Record<string, string | undefined>>;

export interface AnalyzeContext {
  readonly target: ConfigFileTarget;
  readonly data: LocalConfigData;
  readonly profiles: AwsProfileStore;
  /** The environment the tool itself runs in (stands in for the engineer's shell). */
  readonly inheritedEnv: Env;
  readonly errors: ScanError[];
}

/** File-level approvals that reach a server (agent `allowedTools`, Claude `permissions.allow`). */
export interface FileApprovals {
  readonly entries: readonly string[];
  readonly trustAll: boolean;
}

const TRUTHY = new Set(['true', 'yes', '1', 'on']);
export const isTruthy = (v: string | undefined): boolean => v !== undefined && TRUTHY.has(v.trim().toLowerCase());

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `${env:X}` (VS Code, Cursor), `${X}` / `${X:-default}` (Claude Code); `${input:x}` is asked at start, unknown here. */
export function expandVars(value: string, env: Env): { value?: string; unresolved?: string } {
  let unresolved: string | undefined;
  const out = value.replace(/\$\{([^}]+)\}/g, (whole, expr: string) => {
    const m = /^(?:env:)?([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$/.exec(expr);
    if (m && !expr.startsWith('input:')) {
      const v = env[m[1] ?? ''] ?? m[2];
      if (v !== undefined) return v;
    }
    unresolved ??= whole;
    return whole;
  });
  return unresolved ? { unresolved } : { value: out };
}

function stringArray(v: unknown, where: string, ctx: AnalyzeContext): string[] {
  if (v === undefined) return [];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  ctx.errors.push({ source: 'local-ai-config', code: 'invalid-input', message: `${ctx.target.path} at ${where}: expected an array of strings, got ${Array.isArray(v) ? 'an array with non-strings' : typeof v}`, location: ctx.target.path, path: where });
  return [];
}

function stringRecord(v: unknown, where: string, ctx: AnalyzeContext): Record<string, string> {
  if (v === undefined) return {};
  if (isRecord(v)) {
    const out: Record<string, string> = {};
    for (const [k, x] of Object.entries(v)) {
      if (typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean') out[k] = String(x);
      else ctx.errors.push({ source: 'local-ai-config', code: 'invalid-input', message: `${ctx.target.path} at ${where}.${k}: expected a string, got ${x === null ? 'null' : typeof x}`, location: ctx.target.path, path: `${where}.${k}` });
    }
    return out;
  }
  ctx.errors.push({ source: 'local-ai-config', code: 'invalid-input', message: `${ctx.target.path} at ${where}: expected an object of strings, got ${Array.isArray(v) ? 'an array' : typeof v}`, location: ctx.target.path, path: where });
  return {};
}

/** Package/module/image named in command or args, normalised to `awslabs.<name>-mcp-server` form. */
export function packageOf(command: string | undefined, args: readonly string[], data: LocalConfigData): string | undefined {
  const tokens = [command ?? '', ...args].filter((t) => t !== '' && !t.startsWith('-'));
  const patterns = data.awsPackagePatterns.map((p) => new RegExp(p.pattern, 'i'));
  for (const t of tokens) {
    const lower = t.toLowerCase().replace(/_/g, '-');
    // Docker images: public.ecr.aws/awslabs-mcp/awslabs/aws-api-mcp-server:latest
    const image = /awslabs[./]([a-z0-9-]+-mcp-server)/.exec(lower);
    if (image) return `awslabs.${image[1]}`;
    const known = data.knownServers.find((k) => lower === k.package || lower.startsWith(`${k.package}@`) || lower.startsWith(`${k.package}==`) || lower.startsWith(`${k.package}.`));
    if (known) return known.package;
    // Strip a version: name@1.2.3, @scope/name@latest, name==1.2
    const bare = lower.replace(/==.*$/, '').replace(/(.)@[^/]*$/, '$1');
    const base = bare.split('/').pop() ?? bare;
    if (patterns.some((re) => re.test(bare) || re.test(base))) return bare;
  }
  return undefined;
}

function flagValue(args: readonly string[], flags: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? '';
    for (const f of flags) {
      if (a === f) return args[i + 1];
      if (a.startsWith(`${f}=`)) return a.slice(f.length + 1);
    }
  }
  return undefined;
}

export function readOnlyOf(pkg: string | undefined, args: readonly string[], env: Env, data: LocalConfigData): { status: ReadOnlyStatus; detail: string; sensitive?: string } {
  const has = (flag: string): boolean => args.some((a) => a === flag || a.startsWith(`${flag}=`));
  const known: KnownServer | undefined = pkg ? data.knownServers.find((k) => k.package === pkg) : undefined;
  if (!known) {
    if (pkg?.startsWith('awslabs.')) {
      if (has('--allow-write')) return { status: 'write', detail: '--allow-write given' };
      if (has('--readonly') || has('--read-only')) return { status: 'read-only', detail: 'read-only flag given' };
    }
    return { status: 'no-switch', detail: pkg ? `leash knows no read-only switch for ${pkg}; IAM is the only limit` : 'no read-only switch known; IAM is the only limit' };
  }
  const sensitive = (known.sensitiveArg && has(known.sensitiveArg) ? known.sensitiveArg : undefined)
    ?? (known.sensitiveEnv && isTruthy(env[known.sensitiveEnv]) ? `${known.sensitiveEnv}=${env[known.sensitiveEnv] ?? ''}` : undefined);
  const withSensitive = <T extends object>(r: T): T & { sensitive?: string } => (sensitive ? { ...r, sensitive } : r);
  if (known.readOnlyEnv) {
    if (isTruthy(env[known.readOnlyEnv])) return withSensitive({ status: 'read-only', detail: `${known.readOnlyEnv}=${env[known.readOnlyEnv] ?? ''}` });
    if (known.consentEnv && isTruthy(env[known.consentEnv])) return withSensitive({ status: 'consent', detail: `${known.consentEnv}=${env[known.consentEnv] ?? ''}; ${known.readOnlyEnv} not set` });
    return withSensitive({ status: 'write', detail: `${known.readOnlyEnv} is ${env[known.readOnlyEnv] === undefined ? 'not set' : `"${env[known.readOnlyEnv] ?? ''}"`} (set it to true for read-only)` });
  }
  if (known.readOnlyArg) {
    const negated = `--no-${known.readOnlyArg.replace(/^--/, '')}`;
    if (has(negated)) return withSensitive({ status: 'write', detail: `${negated} given` });
    if (has(known.readOnlyArg)) return withSensitive({ status: 'read-only', detail: `${known.readOnlyArg} given` });
    return withSensitive({ status: 'write', detail: `${known.readOnlyArg} not given` });
  }
  if (known.writeArg) {
    return has(known.writeArg)
      ? withSensitive({ status: 'write', detail: `${known.writeArg} given` })
      : withSensitive({ status: 'read-only', detail: `read-only unless ${known.writeArg}` });
  }
  if (known.writeEnv) {
    return isTruthy(env[known.writeEnv])
      ? withSensitive({ status: 'write', detail: `${known.writeEnv}=${env[known.writeEnv] ?? ''}` })
      : withSensitive({ status: 'read-only', detail: `read-only unless ${known.writeEnv}=true` });
  }
  return withSensitive(known.defaultMode === 'read-only' ? { status: 'read-only', detail: 'read-only by default' } : { status: 'write', detail: 'writes by default' });
}

interface Identity {
  profile?: string;
  profileSource?: ProfileSource;
  envStaticKey?: StaticKeyNote;
  region?: string;
}

function envRole(data: LocalConfigData, role: string): string[] {
  return data.envKeys.filter((k) => k.role === role).map((k) => k.name);
}

/** Which credentials the process ends up with: env keys beat a profile, as in every AWS SDK. */
function identityOf(env: Env, args: readonly string[], ctx: AnalyzeContext, where: string, inherit: boolean, extraProfile?: string): Identity {
  const { data } = ctx;
  const out: Identity = {};
  const keyId = env.AWS_ACCESS_KEY_ID;
  if (keyId !== undefined || env.AWS_SECRET_ACCESS_KEY !== undefined) {
    out.envStaticKey = {
      location: `${ctx.target.path} ${where}.env`,
      ...(keyId ? { accessKeyId: redactAccessKeyId(keyId) } : {}),
      longTerm: !(keyId?.startsWith('ASIA') === true || env.AWS_SESSION_TOKEN !== undefined),
    };
  }
  // AWS_API_MCP_PROFILE_NAME first: aws-api-mcp-server prefers it over AWS_PROFILE.
  const profileKeys = ['AWS_API_MCP_PROFILE_NAME', ...envRole(data, 'profile').filter((k) => k !== 'AWS_API_MCP_PROFILE_NAME')];
  const fromEnv = profileKeys.map((k) => env[k]).find((v) => v !== undefined && v !== '');
  const fromArgs = flagValue(args, data.profileArgs.map((a) => a.flag));
  const inherited = ['AWS_PROFILE', 'AWS_DEFAULT_PROFILE'].map((k) => ctx.inheritedEnv[k]).find((v) => v !== undefined && v !== '');
  if (fromEnv !== undefined) { out.profile = fromEnv; out.profileSource = 'env'; }
  else if (fromArgs !== undefined) { out.profile = fromArgs; out.profileSource = 'args'; }
  else if (extraProfile !== undefined) { out.profile = extraProfile; out.profileSource = 'settings'; }
  else if (inherit && !out.envStaticKey && inherited !== undefined) { out.profile = inherited; out.profileSource = 'inherited-env'; }
  else if (inherit && !out.envStaticKey && ctx.profiles.profileNames.includes('default')) { out.profile = 'default'; out.profileSource = 'default'; }
  const region = envRole(data, 'region').map((k) => env[k]).find((v) => v !== undefined && v !== '') ?? flagValue(args, data.regionArgs.map((a) => a.flag));
  if (region !== undefined) out.region = region;
  return out;
}

function assemble(base: Omit<LocalAgentConfig, 'profile' | 'profileSource' | 'resolved' | 'envStaticKey' | 'roleArn' | 'ssoMatcher' | 'accountId' | 'region'>, id: Identity, ctx: AnalyzeContext): LocalAgentConfig {
  const resolved = id.profile === undefined || id.envStaticKey
    ? undefined
    : id.profile.includes('${')
      ? { name: id.profile, chain: [id.profile], identity: { kind: 'unresolved' as const, reason: `the profile is ${id.profile}, filled in when the server starts` }, staticKeys: [] }
      : ctx.profiles.resolve(id.profile);
  const ident = resolved?.identity;
  const region = id.region ?? resolved?.region;
  return {
    ...base,
    ...(id.profile !== undefined ? { profile: redact(id.profile) } : {}),
    ...(id.profileSource ? { profileSource: id.profileSource } : {}),
    ...(resolved ? { resolved } : {}),
    ...(id.envStaticKey ? { envStaticKey: id.envStaticKey } : {}),
    ...(ident?.kind === 'role' ? { roleArn: ident.roleArn, accountId: ident.accountId } : {}),
    ...(ident?.kind === 'sso' ? { ssoMatcher: ident.matcher, accountId: ident.matcher.accountId } : {}),
    ...(region !== undefined ? { region } : {}),
  };
}

/** Resolve `${…}` in env values; an unresolvable one (e.g. `${input:profile}`) is left out and noted. */
function expandEnv(raw: Record<string, string>, ctx: AnalyzeContext): { env: Record<string, string>; unresolved: string[] } {
  const env: Record<string, string> = {};
  const unresolved: string[] = [];
  for (const [k, v] of Object.entries(raw)) {
    const x = expandVars(v, ctx.inheritedEnv);
    if (x.value !== undefined) env[k] = x.value;
    else {
      // Kept as written: "asked at start" is different from "not set".
      env[k] = v;
      unresolved.push(k);
    }
  }
  return { env, unresolved };
}

export function approvalsFor(server: string, own: readonly string[], file: FileApprovals): { list: string[]; trustAll: boolean } {
  const lower = server.toLowerCase();
  const fromFile = file.entries.filter((e) => {
    const x = e.toLowerCase();
    return x === '*' || x === `@${lower}` || x.startsWith(`@${lower}/`) || x === `mcp__${lower}` || x.startsWith(`mcp__${lower}__`);
  });
  const list = [...new Set([...own, ...fromFile])];
  return { list, trustAll: file.trustAll || list.includes('*') || list.some((e) => e.toLowerCase() === `@${lower}` || e.toLowerCase() === `mcp__${lower}`) };
}

/** One entry under mcpServers/servers. Returns undefined when it has nothing to do with AWS. */
export function analyzeServer(name: string, entry: unknown, path: readonly (string | number)[], ctx: AnalyzeContext, file: FileApprovals): LocalAgentConfig | undefined {
  const where = jsonPath(path);
  const { data, target } = ctx;
  if (!isRecord(entry)) {
    ctx.errors.push({ source: 'local-ai-config', code: 'invalid-input', message: `${target.path} at ${where}: expected an object with command or url, got ${Array.isArray(entry) ? 'an array' : entry === null ? 'null' : typeof entry}`, location: target.path, path: where });
    return undefined;
  }
  const command = typeof entry.command === 'string' ? entry.command : undefined;
  const url = typeof entry.url === 'string' ? entry.url : typeof entry.serverUrl === 'string' ? entry.serverUrl : undefined;
  const args = stringArray(entry.args, `${where}.args`, ctx);
  const rawEnv = stringRecord(entry.env, `${where}.env`, ctx);
  const { env } = expandEnv(rawEnv, ctx);
  const pkg = packageOf(command, args, data);
  const awsEnv = Object.keys(rawEnv).some((k) => k.startsWith('AWS_') || data.envKeys.some((e) => e.name === k && e.role !== 'switch'));
  const awsArgs = flagValue(args, data.profileArgs.map((a) => a.flag)) !== undefined;
  const awsUrl = url !== undefined && data.awsUrlPatterns.some((p) => new RegExp(p.pattern, 'i').test(url));
  const awsCommand = command !== undefined && /(^|\/)aws(\.exe)?$/.test(command);
  if (!pkg && !awsEnv && !awsArgs && !awsUrl && !awsCommand) return undefined;

  const own = [...stringArray(entry.autoApprove, `${where}.autoApprove`, ctx), ...stringArray(entry.alwaysAllow, `${where}.alwaysAllow`, ctx)];
  const approvals = approvalsFor(name, own, file);
  const ro = readOnlyOf(pkg, args, env, data);
  const secretArg = new RegExp(data.secretArgPattern, 'i');
  // A remote (url) server authenticates with its own headers; only local processes inherit the shell's profile.
  const id = identityOf(env, args, ctx, where, command !== undefined);
  return assemble({
    id: `${target.tool}:${target.path}#${where}`,
    tool: target.tool,
    configId: target.spec.id,
    configPath: target.path,
    scope: target.spec.scope,
    jsonPath: where,
    kind: 'mcp-server',
    server: redact(name),
    ...(command !== undefined ? { command: redact(command) } : {}),
    args: redactArgs(args, secretArg),
    ...(url !== undefined ? { url: redact(url) } : {}),
    ...(pkg !== undefined ? { package: pkg } : {}),
    disabled: entry.disabled === true || entry.enabled === false,
    readOnly: ro.status,
    readOnlyDetail: redact(ro.detail),
    autoApprove: approvals.list.map(redact),
    trustAll: approvals.trustAll,
    bedrock: false,
    ...(ro.sensitive ? { sensitiveDataAccess: redact(ro.sensitive) } : {}),
  }, id, ctx);
}

/**
 * A tool's own AWS use outside MCP: Claude Code's `env` block (Bedrock mode, AWS_PROFILE,
 * awsAuthRefresh), or the built-in `use_aws` tool of a Kiro CLI / Amazon Q agent.
 */
export function analyzeToolSetting(opts: {
  server: string;
  rawEnv: Record<string, string>;
  path: readonly (string | number)[];
  ctx: AnalyzeContext;
  approvals: FileApprovals;
  /** Profile named elsewhere in the settings (e.g. `--profile x` inside awsAuthRefresh). */
  settingsProfile?: string;
  readOnly: { status: ReadOnlyStatus; detail: string };
  force?: boolean;
}): LocalAgentConfig | undefined {
  const { ctx, rawEnv } = opts;
  const { env } = expandEnv(rawEnv, ctx);
  const bedrock = isTruthy(env.CLAUDE_CODE_USE_BEDROCK);
  const awsEnv = Object.keys(rawEnv).some((k) => k.startsWith('AWS_'));
  if (!opts.force && !bedrock && !awsEnv && opts.settingsProfile === undefined) return undefined;
  const where = jsonPath(opts.path);
  const id = identityOf(env, [], ctx, where, true, opts.settingsProfile);
  return assemble({
    id: `${ctx.target.tool}:${ctx.target.path}#${where}`,
    tool: ctx.target.tool,
    configId: ctx.target.spec.id,
    configPath: ctx.target.path,
    scope: ctx.target.spec.scope,
    jsonPath: where,
    kind: 'tool-setting',
    server: opts.server,
    args: [],
    disabled: false,
    readOnly: opts.readOnly.status,
    readOnlyDetail: opts.readOnly.detail,
    autoApprove: opts.approvals.entries.map(redact),
    trustAll: opts.approvals.trustAll,
    bedrock,
  }, id, ctx);
}

export { isRecord, flagValue };
