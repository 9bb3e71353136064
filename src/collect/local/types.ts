// What `leash agents --local` / `leash scan --local` learn from an engineer's machine. Every string
// in here has been through redact(): no secret value is ever stored, only the fact that one exists.
import type { ScanError } from '../../model/errors.js';
import type { Severity } from '../../model/finding.js';

export type LocalTool =
  | 'kiro'
  | 'amazon-q'
  | 'claude-code'
  | 'claude-desktop'
  | 'cursor'
  | 'vscode'
  | 'copilot'
  | 'windsurf'
  | 'cline'
  | 'roo-code';

/**
 * IAM Identity Center role names end in a hash leash cannot know from the config
 * (`AWSReservedSSO_<PermissionSetName>_<hash>`), so an SSO profile resolves to a matcher, not an ARN.
 */
export interface SsoRoleMatcher {
  readonly accountId: string;
  readonly permissionSetName: string;
  /** `AWSReservedSSO_<PermissionSetName>_` */
  readonly roleNamePrefix: string;
  /** `/aws-reserved/sso.amazonaws.com/` (a region segment may follow) */
  readonly pathPrefix: string;
  readonly ssoRegion?: string;
  readonly ssoStartUrl?: string;
}

export interface StaticKeyNote {
  /** Where the key sits: `~/.aws/credentials [name]`, or a config file's env block. */
  readonly location: string;
  /** Redacted, e.g. `AKIA****0001`. */
  readonly accessKeyId?: string;
  /** AKIA… keys are long-term IAM user keys; ASIA… are temporary. */
  readonly longTerm: boolean;
}

export type ResolvedIdentity =
  | { readonly kind: 'role'; readonly roleArn: string; readonly accountId: string; readonly roleName: string }
  | { readonly kind: 'sso'; readonly matcher: SsoRoleMatcher }
  | { readonly kind: 'static-keys'; readonly key: StaticKeyNote }
  | { readonly kind: 'credential-process'; readonly command: string }
  | { readonly kind: 'unresolved'; readonly reason: string };

export interface ResolvedProfile {
  readonly name: string;
  /** Profile names followed through source_profile, starting with this one. */
  readonly chain: readonly string[];
  readonly identity: ResolvedIdentity;
  readonly region?: string;
  /** Long-term or pasted keys anywhere in the chain (the root of a role chain, or the profile itself). */
  readonly staticKeys: readonly StaticKeyNote[];
  /** `~/.aws/config` line of the profile section, when found. */
  readonly location?: string;
}

export type ReadOnlyStatus =
  /** A read-only switch exists and is on (or the server is read-only unless a write switch is given). */
  | 'read-only'
  /** Mutations need a human's consent (aws-api-mcp-server REQUIRE_MUTATION_CONSENT). */
  | 'consent'
  /** A read-only switch exists and is off, or a write switch is given. */
  | 'write'
  /** leash knows of no read-only switch for this server or tool. */
  | 'no-switch';

export type ProfileSource = 'env' | 'args' | 'settings' | 'inherited-env' | 'default';

export interface LocalAgentConfig {
  /** Stable within a scan: `<tool>:<configPath>#<jsonPath>`. */
  readonly id: string;
  readonly tool: LocalTool;
  readonly configId: string;
  readonly configPath: string;
  readonly scope: 'user' | 'project';
  /** Where in the file, e.g. `$.mcpServers["aws-api"]` or `$.env`. */
  readonly jsonPath: string;
  readonly kind: 'mcp-server' | 'tool-setting';
  readonly server?: string;
  readonly command?: string;
  readonly args: readonly string[];
  readonly url?: string;
  /** Known package name found in command/args, e.g. `awslabs.aws-api-mcp-server`. */
  readonly package?: string;
  readonly disabled: boolean;
  readonly profile?: string;
  readonly profileSource?: ProfileSource;
  /** Profile resolved through ~/.aws/config; absent when the config carries its own static keys. */
  readonly resolved?: ResolvedProfile;
  /** Static credentials in the config's own env block. */
  readonly envStaticKey?: StaticKeyNote;
  readonly roleArn?: string;
  readonly ssoMatcher?: SsoRoleMatcher;
  readonly accountId?: string;
  readonly region?: string;
  readonly readOnly: ReadOnlyStatus;
  readonly readOnlyDetail: string;
  /** A switch that lets the server read secrets/data (e.g. `--allow-sensitive-data-access`), when given. */
  readonly sensitiveDataAccess?: string;
  /** Tools that run without a prompt; `*` means all. */
  readonly autoApprove: readonly string[];
  readonly trustAll: boolean;
  readonly bedrock: boolean;
}

export type LocalIssueKind =
  | 'admin-profile'
  | 'static-keys-in-config'
  | 'static-keys-in-profile'
  | 'write-mode'
  | 'sensitive-data-access'
  | 'auto-approve'
  | 'trust-all'
  | 'bedrock-broad-profile'
  | 'profile-not-found';

export interface LocalIssue {
  readonly kind: LocalIssueKind;
  readonly severity: Severity;
  readonly tool: LocalTool;
  readonly configPath: string;
  readonly jsonPath?: string;
  readonly server?: string;
  readonly profile?: string;
  readonly message: string;
}

export interface LocalScanResult {
  readonly home: string;
  readonly projectDirs: readonly string[];
  /** Config files that existed and were read (parsed or not). */
  readonly filesRead: readonly string[];
  readonly awsConfigFiles: readonly string[];
  readonly tools: readonly LocalAgentConfig[];
  /** Servers found that have nothing to do with AWS (counted, not listed). */
  readonly nonAwsServers: number;
  readonly issues: readonly LocalIssue[];
  readonly errors: readonly ScanError[];
}
