// What is wrong with how an AI tool is wired to AWS on this machine. Name-based judgements
// (admin) are heuristics; the scan of the account confirms or refutes them.
import type { Severity } from '../../model/finding.js';
import { severityRank } from '../../model/finding.js';
import type { LocalConfigData } from './locations.js';
import type { LocalAgentConfig, LocalIssue } from './types.js';

export interface BroadMatch {
  readonly severity: Severity;
  readonly why: string;
  readonly name: string;
}

/** Role or permission-set name that says "administrator" (or near it). */
export function broadRoleMatch(name: string, data: LocalConfigData): BroadMatch | undefined {
  for (const p of data.broadRoleNames) {
    if (new RegExp(p.pattern, 'i').test(name)) return { severity: p.severity, why: p.why, name };
  }
  return undefined;
}

function identityName(c: LocalAgentConfig): string | undefined {
  const id = c.resolved?.identity;
  if (id?.kind === 'role') return `role ${id.roleName}`;
  if (id?.kind === 'sso') return `IAM Identity Center permission set ${id.matcher.permissionSetName}`;
  return undefined;
}

function bump(s: Severity): Severity {
  return s === 'medium' ? 'high' : s === 'low' ? 'medium' : s;
}

export function issuesFor(c: LocalAgentConfig, data: LocalConfigData): LocalIssue[] {
  const out: LocalIssue[] = [];
  const who = c.kind === 'mcp-server' ? `MCP server "${c.server ?? ''}"` : `${c.tool} ${c.server ?? 'settings'}`;
  const base = {
    tool: c.tool,
    configPath: c.configPath,
    jsonPath: c.jsonPath,
    ...(c.server !== undefined ? { server: c.server } : {}),
    ...(c.profile !== undefined ? { profile: c.profile } : {}),
  };
  const add = (kind: LocalIssue['kind'], severity: Severity, message: string): void => { out.push({ kind, severity, ...base, message }); };

  if (c.envStaticKey) {
    add('static-keys-in-config', 'high',
      `${who} has ${c.envStaticKey.longTerm ? 'long-term ' : ''}AWS access keys in its env block${c.envStaticKey.accessKeyId ? ` (${c.envStaticKey.accessKeyId})` : ''}${c.scope === 'project' ? '; this is a project file and may be committed' : ''}. Use a profile with short-lived credentials (SSO or a role) instead.`);
  }
  for (const k of c.resolved?.staticKeys ?? []) {
    if (!k.longTerm) continue;
    const direct = c.resolved?.identity.kind === 'static-keys';
    add('static-keys-in-profile', direct ? 'high' : 'medium',
      `profile ${c.profile ?? ''} ${direct ? 'uses' : 'assumes its role with'} long-term access keys${k.accessKeyId ? ` ${k.accessKeyId}` : ''} from ${k.location}. Prefer IAM Identity Center or a role with short sessions.`);
  }

  const idName = identityName(c);
  const id = c.resolved?.identity;
  const broad = id?.kind === 'role' ? broadRoleMatch(id.roleName, data) : id?.kind === 'sso' ? broadRoleMatch(id.matcher.permissionSetName, data) : undefined;
  if (broad && idName) {
    add('admin-profile', broad.severity, `${who} acts as ${idName} through profile ${c.profile ?? ''} (${broad.why}). An agent with administrator rights can delete and recreate live environments; give it a dedicated least-privilege role.`);
  } else if (c.profile && /admin/i.test(c.profile)) {
    add('admin-profile', 'low', `profile name ${c.profile} suggests administrator access${idName ? ` (it resolves to ${idName})` : ''}; confirm against the account scan.`);
  }

  if (c.readOnly === 'write' && c.kind === 'mcp-server') {
    add('write-mode', broad ? bump('medium') : 'medium', `${who} can change resources: ${c.readOnlyDetail}. Turn on its read-only switch unless the agent must write.`);
  }
  if (c.sensitiveDataAccess) {
    add('sensitive-data-access', 'medium', `${who} may read sensitive data (${c.sensitiveDataAccess}).`);
  }

  if (c.trustAll) {
    add('trust-all', 'high', `${who} runs tools without asking (${c.autoApprove.length ? c.autoApprove.join(', ') : 'trust all'}); nothing stands between the agent's choice and an AWS call.`);
  } else if (c.autoApprove.length > 0) {
    // A tool setting in write mode is a built-in AWS tool (use_aws) approved as a whole.
    add('auto-approve', c.kind === 'tool-setting' && c.readOnly === 'write' ? 'high' : 'medium', `${who} auto-approves ${c.autoApprove.join(', ')}; those calls run without a human seeing them.`);
  }

  if (c.bedrock && (broad || c.envStaticKey || id?.kind === 'static-keys')) {
    add('bedrock-broad-profile', 'high', `Claude Code runs in Bedrock mode with ${broad && idName ? idName : 'static access keys'}; Bedrock needs only bedrock:InvokeModel*, so use a dedicated profile (Anthropic's docs recommend a dedicated account).`);
  }

  if (id?.kind === 'unresolved' && (c.profileSource === 'env' || c.profileSource === 'args' || c.profileSource === 'settings')) {
    add('profile-not-found', 'low', `${who} names profile ${c.profile ?? ''}, which leash could not resolve: ${id.reason}.`);
  }
  return out;
}

export function sortIssues(issues: LocalIssue[]): LocalIssue[] {
  return issues.sort((a, b) => severityRank[b.severity] - severityRank[a.severity] || a.configPath.localeCompare(b.configPath) || a.kind.localeCompare(b.kind));
}
