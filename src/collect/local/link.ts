// Local configs → agent evidence on the principals of a scanned account. An exact role_arn is
// strong evidence; an SSO permission set only narrows it to the AWSReservedSSO_<set>_* role(s).
import type { AgentEvidence } from '../../model/agent.js';
import type { PrincipalKind } from '../../model/snapshot.js';
import { redact } from './redact.js';
import type { LocalAgentConfig, LocalScanResult, SsoRoleMatcher } from './types.js';

export interface LinkablePrincipal {
  readonly arn: string;
  readonly name: string;
  readonly kind: PrincipalKind;
}

interface RoleArnParts { readonly accountId: string; readonly path: string; readonly name: string }

function roleParts(arn: string): RoleArnParts | undefined {
  const m = /^arn:aws[a-z-]*:iam::(\d{12}):role(\/(?:.*\/)?)([^/]+)$/.exec(arn);
  return m ? { accountId: m[1] ?? '', path: m[2] ?? '/', name: m[3] ?? '' } : undefined;
}

/** Does a role ARN from the account belong to this SSO permission set? */
export function matchesSso(principalArn: string, m: SsoRoleMatcher): boolean {
  const p = roleParts(principalArn);
  if (!p || p.accountId !== m.accountId) return false;
  return p.path.toLowerCase().startsWith(m.pathPrefix.toLowerCase()) && p.name.toLowerCase().startsWith(m.roleNamePrefix.toLowerCase());
}

function where(c: LocalAgentConfig): string {
  const what = c.kind === 'mcp-server' ? `MCP server "${c.server ?? ''}"` : c.server === 'environment' ? 'environment' : `${c.server ?? 'settings'}`;
  return `${c.tool} ${what} in ${c.configPath}`;
}

export function linkLocalToSnapshot(result: LocalScanResult, principals: readonly LinkablePrincipal[]): Record<string, AgentEvidence[]> {
  const out: Record<string, AgentEvidence[]> = {};
  const byArn = new Map<string, LinkablePrincipal>();
  const byAccountAndName = new Map<string, LinkablePrincipal>();
  const roles: LinkablePrincipal[] = [];
  for (const p of principals) {
    if (p.kind !== 'role') continue;
    roles.push(p);
    byArn.set(p.arn.toLowerCase(), p);
    const parts = roleParts(p.arn);
    // Role names are unique per account (case-insensitively), whatever their path.
    if (parts) byAccountAndName.set(`${parts.accountId}/${parts.name.toLowerCase()}`, p);
  }
  const add = (arn: string, ev: AgentEvidence): void => {
    const list = (out[arn] ??= []);
    if (!list.some((e) => e.detail === ev.detail)) list.push(ev);
  };

  for (const c of result.tools) {
    const id = c.resolved?.identity;
    const via = c.profile ? ` (profile ${c.profile}${c.resolved && c.resolved.chain.length > 1 ? `, via ${c.resolved.chain.slice(1).join(' → ')}` : ''})` : '';
    if (id?.kind === 'role') {
      const exact = byArn.get(id.roleArn.toLowerCase());
      const parts = roleParts(id.roleArn);
      const p = exact ?? (parts ? byAccountAndName.get(`${parts.accountId}/${parts.name.toLowerCase()}`) : undefined);
      if (p) {
        add(p.arn, {
          kind: 'local-config', confidence: 'high', tool: c.tool,
          detail: redact(`${where(c)} uses role_arn ${id.roleArn}${exact ? '' : ' (matched by name)'}${via}`),
        });
      }
    } else if (id?.kind === 'sso') {
      for (const p of roles) {
        if (!matchesSso(p.arn, id.matcher)) continue;
        add(p.arn, {
          kind: 'local-config', confidence: 'medium', tool: c.tool,
          detail: redact(`${where(c)} uses IAM Identity Center permission set ${id.matcher.permissionSetName} in ${id.matcher.accountId}${via}`),
        });
      }
    }
  }
  return out;
}
