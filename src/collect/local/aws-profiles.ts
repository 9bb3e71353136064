// Named profiles → the IAM identity an AI tool ends up acting as. Follows the AWS CLI's rules:
// `[profile x]`/`[default]` in the config file, `[x]` in the credentials file, role_arn with
// source_profile (chains, loops), SSO (sso_session or legacy keys), credential_process, static keys.
import { FileReadError, READ_LIMITS, readRegularFileSync } from '../../safe/read.js';
import { isAbsolute, join } from 'node:path';
import type { ScanError } from '../../model/errors.js';
import { parseIni, type IniValue } from './ini.js';
import { redact, redactAccessKeyId } from './redact.js';
import type { ResolvedIdentity, ResolvedProfile, StaticKeyNote } from './types.js';

const PRESENT = '<present>';

interface SectionRef {
  readonly file: string;
  readonly line: number;
  readonly values: ReadonlyMap<string, IniValue>;
}

interface ProfileEntry {
  readonly name: string;
  config?: SectionRef;
  credentials?: SectionRef;
}

export interface AwsProfileStore {
  readonly configFile: string;
  readonly credentialsFile: string;
  /** Files that existed and were read. */
  readonly filesRead: readonly string[];
  readonly profileNames: readonly string[];
  readonly errors: readonly ScanError[];
  resolve(name: string): ResolvedProfile;
}

// Secrets are replaced at parse time; access key ids keep only prefix and last four.
function sanitize(key: string, value: string): string {
  if (key === 'aws_access_key_id') return redactAccessKeyId(value);
  if (/secret|token|password/.test(key)) return value === '' ? '' : PRESENT;
  return redact(value);
}

function expandHome(p: string, home: string): string {
  if (p === '~') return home;
  if (p.startsWith('~/')) return join(home, p.slice(2));
  return isAbsolute(p) ? p : join(home, p);
}

function readIniFile(file: string, errors: ScanError[], filesRead: string[]): ReturnType<typeof parseIni> | undefined {
  let text: string;
  try {
    text = readRegularFileSync(file, READ_LIMITS.config, 'a readable AWS config file').toString('utf8');
  } catch (e) {
    if (!(e instanceof FileReadError)) throw e;
    if (e.problem !== 'missing') errors.push({ source: 'local-ai-config', code: 'invalid-input', message: e.message, location: file });
    return undefined;
  }
  filesRead.push(file);
  const parsed = parseIni(text, sanitize);
  for (const p of parsed.problems) {
    errors.push({ source: 'local-ai-config', code: 'invalid-input', message: `${file} line ${p.line}: ${p.message}`, location: file, path: `line ${p.line}` });
  }
  return parsed;
}

interface ArnParts { readonly partition: string; readonly accountId: string; readonly roleName: string }

function parseRoleArn(arn: string): ArnParts | undefined {
  const m = /^arn:(aws[a-z-]*):iam::(\d{12}):role\/(?:.*\/)?([\w+=,.@-]+)$/.exec(arn);
  return m ? { partition: m[1] ?? 'aws', accountId: m[2] ?? '', roleName: m[3] ?? '' } : undefined;
}

export function loadAwsProfiles(opts: { home: string; env?: Readonly<Record<string, string | undefined>> }): AwsProfileStore {
  const env = opts.env ?? {};
  const configFile = expandHome(env.AWS_CONFIG_FILE ?? '~/.aws/config', opts.home);
  const credentialsFile = expandHome(env.AWS_SHARED_CREDENTIALS_FILE ?? '~/.aws/credentials', opts.home);
  const errors: ScanError[] = [];
  const filesRead: string[] = [];
  const profiles = new Map<string, ProfileEntry>();
  const ssoSessions = new Map<string, SectionRef>();
  const entry = (name: string): ProfileEntry => {
    let e = profiles.get(name);
    if (!e) { e = { name }; profiles.set(name, e); }
    return e;
  };

  const config = readIniFile(configFile, errors, filesRead);
  for (const s of config?.sections ?? []) {
    const ref: SectionRef = { file: configFile, line: s.line, values: s.values };
    if (s.header === 'default') entry('default').config = ref;
    else if (s.header.startsWith('profile ')) entry(s.header.slice('profile '.length).trim()).config = ref;
    else if (s.header.startsWith('sso-session ')) ssoSessions.set(s.header.slice('sso-session '.length).trim(), ref);
    // [services x] and unknown headers carry no identity.
  }
  const credentials = readIniFile(credentialsFile, errors, filesRead);
  for (const s of credentials?.sections ?? []) {
    entry(s.header).credentials = { file: credentialsFile, line: s.line, values: s.values };
  }

  const get = (e: ProfileEntry, key: string): IniValue | undefined => e.credentials?.values.get(key) ?? e.config?.values.get(key);
  const where = (e: ProfileEntry): string => {
    const ref = e.config ?? e.credentials;
    return ref ? `${ref.file}:${ref.line}` : '';
  };
  const staticKeyOf = (e: ProfileEntry): StaticKeyNote | undefined => {
    const id = get(e, 'aws_access_key_id');
    const secret = get(e, 'aws_secret_access_key');
    if (!id && !secret) return undefined;
    const ref = e.credentials?.values.has('aws_access_key_id') || e.credentials?.values.has('aws_secret_access_key') ? e.credentials : e.config;
    const keyId = id?.value;
    const temporary = keyId?.startsWith('ASIA') === true || get(e, 'aws_session_token') !== undefined;
    return {
      location: `${ref?.file ?? ''} [${e.name}]${ref ? ` line ${ref.line}` : ''}`,
      ...(keyId ? { accessKeyId: keyId } : {}),
      longTerm: !temporary,
    };
  };

  const cache = new Map<string, ResolvedProfile>();
  const reported = new Set<string>();
  const loopError = (chain: readonly string[], e: ProfileEntry): void => {
    const key = [...new Set(chain)].sort().join('>');
    if (reported.has(key)) return;
    reported.add(key);
    const src = get(e, 'source_profile');
    errors.push({
      source: 'local-ai-config', code: 'invalid-input',
      message: `${configFile}: source_profile loop ${chain.join(' → ')}; expected a chain ending in credentials`,
      location: configFile,
      path: src ? `line ${src.line} [profile ${e.name}] source_profile` : `[profile ${e.name}]`,
    });
  };

  function resolveFrom(name: string, seen: readonly string[]): ResolvedProfile {
    const cached = cache.get(name);
    if (cached && seen.length === 0) return cached;
    const e = profiles.get(name);
    const chain = [...seen, name];
    if (!e) return { name, chain, identity: { kind: 'unresolved', reason: `profile ${name} not found in ${configFile} or ${credentialsFile}` }, staticKeys: [] };
    const region = get(e, 'region')?.value;
    const own = staticKeyOf(e);
    const base = { name, chain, ...(region ? { region } : {}), ...(where(e) ? { location: where(e) } : {}) };
    const roleArn = get(e, 'role_arn')?.value;
    if (roleArn) {
      const parts = parseRoleArn(roleArn);
      const source = get(e, 'source_profile')?.value;
      let staticKeys: StaticKeyNote[] = [];
      let broken: string | undefined;
      if (source !== undefined && source !== '') {
        // `source_profile = <itself>` is legal: the profile's own static keys assume its role.
        if (source === name && own) staticKeys = [own];
        else if (chain.includes(source)) {
          loopError([...chain, source], e);
          broken = `source_profile loop: ${[...chain, source].join(' → ')}`;
        } else {
          const upstream = resolveFrom(source, chain);
          staticKeys = [...upstream.staticKeys];
          if (upstream.identity.kind === 'unresolved') broken = upstream.identity.reason;
          return finish({ ...base, chain: upstream.chain, identity: broken ? { kind: 'unresolved', reason: broken } : roleIdentity(roleArn, parts), staticKeys });
        }
      }
      const identity: ResolvedIdentity = broken ? { kind: 'unresolved', reason: broken } : roleIdentity(roleArn, parts);
      return finish({ ...base, identity, staticKeys });
    }
    const ssoAccount = get(e, 'sso_account_id')?.value;
    const ssoRole = get(e, 'sso_role_name')?.value;
    if (ssoAccount && ssoRole) {
      const sessionName = get(e, 'sso_session')?.value;
      const session = sessionName ? ssoSessions.get(sessionName) : undefined;
      const ssoRegion = session?.values.get('sso_region')?.value ?? get(e, 'sso_region')?.value;
      const ssoStartUrl = session?.values.get('sso_start_url')?.value ?? get(e, 'sso_start_url')?.value;
      return finish({
        ...base,
        identity: {
          kind: 'sso',
          matcher: {
            accountId: ssoAccount, permissionSetName: ssoRole,
            roleNamePrefix: `AWSReservedSSO_${ssoRole}_`, pathPrefix: '/aws-reserved/sso.amazonaws.com/',
            ...(ssoRegion ? { ssoRegion } : {}), ...(ssoStartUrl ? { ssoStartUrl } : {}),
          },
        },
        staticKeys: [],
      });
    }
    if (own) return finish({ ...base, identity: { kind: 'static-keys', key: own }, staticKeys: [own] });
    const process = get(e, 'credential_process')?.value;
    if (process) return finish({ ...base, identity: { kind: 'credential-process', command: process }, staticKeys: [] });
    const credentialSource = get(e, 'credential_source')?.value;
    const reason = credentialSource
      ? `profile ${name} takes credentials from ${credentialSource} and names no role`
      : `profile ${name} has no role_arn, SSO role, credential_process or keys`;
    return finish({ ...base, identity: { kind: 'unresolved', reason }, staticKeys: [] });

    function finish(p: ResolvedProfile): ResolvedProfile {
      if (seen.length === 0) cache.set(name, p);
      return p;
    }
  }

  function roleIdentity(roleArn: string, parts: ArnParts | undefined): ResolvedIdentity {
    return parts
      ? { kind: 'role', roleArn, accountId: parts.accountId, roleName: parts.roleName }
      : { kind: 'unresolved', reason: `role_arn ${roleArn} is not an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>)` };
  }

  return {
    configFile,
    credentialsFile,
    filesRead,
    profileNames: [...profiles.keys()],
    errors,
    resolve: (name: string) => resolveFrom(name, []),
  };
}
