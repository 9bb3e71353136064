// A bash script that applies a fix with the AWS CLI, for a human to read and run. It is a dry
// run unless given --apply, refuses to run against another account, saves the current state
// before changing anything, and can undo the change from that backup (--rollback DIR).
// Every value that came from outside (principal, policy names, ARNs) is single-quoted.
import { isSafeText, safeText } from '../../safe/text.js';
import type { FixTarget } from './index.js';
import { POLICY_ID_FILE, sharedBoundaryDir } from './shared-boundary.js';

/**
 * Quote a value for bash. Plain values are single-quoted: nothing inside is special except the
 * quote itself. A value holding a control, escape or bidi character is written in ANSI-C quoting
 * with those characters as `\xNN` bytes (`$'role\x1b]52;…'`), so the script passes the exact value
 * to aws while `cat apply.sh` shows no raw escape sequence.
 */
export function shellQuote(value: string): string {
  if (isSafeText(value)) return `'${value.replace(/'/g, `'\\''`)}'`;
  let out = '';
  for (const ch of value) {
    if (ch === '\\' || ch === "'") out += `\\${ch}`;
    else if (isSafeText(ch)) out += ch;
    else for (const b of Buffer.from(ch, 'utf8')) out += `\\x${b.toString(16).padStart(2, '0')}`;
  }
  return `$'${out}'`;
}

/**
 * The backup file of an inline policy: `<kind>-policy-<name>.json`, with every character outside
 * IAM's name alphabet as `_` (the script's `tr` does the same at apply time), so a policy name from
 * the account can never put a file outside the backup folder.
 */
export function backupFile(kind: 'role' | 'user', policyName: string): string {
  // Byte by byte, as tr counts: a non-ASCII character becomes one `_` per UTF-8 byte.
  const bytes = [...Buffer.from(policyName, 'utf8')].map((b) => (/[A-Za-z0-9+=,.@_-]/.test(String.fromCharCode(b)) && b < 0x80 ? String.fromCharCode(b) : '_'));
  return `${kind}-policy-${bytes.join('')}.json`;
}

/** One-line text safe inside a `#` comment (a newline in a name would end the comment; an escape would reach the terminal). */
function commentText(s: string): string {
  return safeText(JSON.stringify(s));
}

const FILE_STEM: Record<FixTarget['policies'][number]['purpose'], string> = {
  identity: 'policy',
  boundary: 'boundary',
  trust: 'trust',
  session: 'session-policy',
};

/** The JSON file the script reads for `target.policies[index]`: policy.json, policy-2.json, boundary.json, trust.json, session-policy.json. */
export function policyFileName(target: FixTarget, index: number): string {
  const p = target.policies[index];
  if (!p) throw new RangeError(`no policy at index ${index}`);
  const nth = target.policies.slice(0, index + 1).filter((x) => x.purpose === p.purpose).length;
  return `${FILE_STEM[p.purpose]}${nth > 1 ? `-${nth}` : ''}.json`;
}

const PRELUDE = String.raw`
usage() {
  cat <<'USAGE'
Usage: apply.sh [--apply] [--profile NAME]
       apply.sh --rollback BACKUP_DIR [--apply] [--profile NAME]

Without --apply nothing is sent to AWS: the commands are printed (dry run).
--apply           run the commands: back up the current state, then change it
--rollback DIR    undo a previous --apply from the backup it saved in DIR
--profile NAME    passed to every aws command
--sso-profile NAME  Identity Center fixes: profile for the sso-admin calls (management account)
USAGE
}

DRY_RUN=1
ROLLBACK_DIR=''
PROFILE_ARGS=()
SSO_PROFILE_ARGS=()
while [ "$#" -gt 0 ]; do
  case "$1" in
    --apply) DRY_RUN=0 ;;
    --profile) [ "$#" -ge 2 ] || { echo "apply.sh: --profile needs a value" >&2; exit 2; }; PROFILE_ARGS=(--profile "$2"); shift ;;
    --profile=*) PROFILE_ARGS=(--profile "${"$"}{1#--profile=}") ;;
    --sso-profile) [ "$#" -ge 2 ] || { echo "apply.sh: --sso-profile needs a value" >&2; exit 2; }; SSO_PROFILE_ARGS=(--profile "$2"); shift ;;
    --rollback) [ "$#" -ge 2 ] || { echo "apply.sh: --rollback needs a backup directory" >&2; exit 2; }; ROLLBACK_DIR="$2"; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "apply.sh: unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done

SCRIPT_DIR="$(cd "$(dirname "${"$"}{BASH_SOURCE[0]}")" && pwd)"
PARTITION=aws
FAILED=0
CHANGED=0

die() { printf 'apply.sh: %s\n' "$*" >&2; exit 1; }
aws_() { aws ${"$"}{PROFILE_ARGS[@]+"${"$"}{PROFILE_ARGS[@]}"} "$@"; }
show() {
  printf '%s aws' "$1"; shift
  # LC_ALL=C: every byte past ASCII is shown as an escape (IAM names are ASCII; a bidi or C1
  # character from data never reaches the terminal raw).
  LC_ALL=C printf ' %q' ${"$"}{PROFILE_ARGS[@]+"${"$"}{PROFILE_ARGS[@]}"} "$@"; printf '\n'
}
# change: a command that modifies the account; only printed in a dry run.
change() {
  if [ "$DRY_RUN" = 1 ]; then show '[dry run]' "$@"; return 0; fi
  CHANGED=1
  show '+' "$@"
  aws_ "$@"
}
# undo: like change, but a rollback carries on past a step that fails (it may never have happened).
undo() {
  change "$@" || { FAILED=$((FAILED + 1)); echo "  ^ failed; if this step was never applied that is expected" >&2; }
}
# save: the output of a read-only command, into the backup directory.
save() {
  local file="$BACKUP_DIR/$1"; shift
  if [ "$DRY_RUN" = 1 ]; then show '[dry run]' "$@"; LC_ALL=C printf '    > %q\n' "$file"; return 0; fi
  aws_ "$@" > "$file"
}
check_account() {
  if [ "$DRY_RUN" = 1 ]; then echo "Dry run: AWS is not contacted (policy ARNs below assume the aws partition). Pass --apply to run these commands."; return 0; fi
  local actual
  actual="$(aws_ sts get-caller-identity --query Account --output text)"
  [ "$actual" = "$ACCOUNT_ID" ] || die "these credentials are for account $actual, but this fix is for $ACCOUNT_ID"
  PARTITION="$(aws_ sts get-caller-identity --query Arn --output text | cut -d: -f2)"
}
`;

/**
 * A boundary shared by content (shared-boundary.ts) lives in ../boundaries/<name>/. The first
 * principal's apply.sh creates it there and keeps its PolicyId beside its JSON; every later one
 * attaches it only when the live policy has that PolicyId, so a policy someone else created under
 * the predictable name (an agent with iam:CreatePolicy, say) is never taken for leash's.
 */
function sharedBoundaryLines(name: string, dir: string): { check: string[]; create: string[] } {
  const q = shellQuote;
  const arn = `"arn:$PARTITION:iam::$ACCOUNT_ID:policy/"${q(name)}`;
  const where = `"$SCRIPT_DIR/../"${q(dir)}`;
  const idFile = `"$SCRIPT_DIR/../"${q(`${dir}/${POLICY_ID_FILE}`)}`;
  const description = q(`leash: permissions boundary shared by every principal it is the same for (fixes/${dir}/README.md)`);
  return {
    check: [
      `[ -f ${where}/boundary.json ] || die "missing "${where}"/boundary.json: the boundary this fix attaches is shared and written once under fixes/boundaries/; keep the fixes folder whole"`,
      'if [ "$DRY_RUN" = 0 ]; then',
      `  if BOUNDARY_POLICY_ID="$(aws_ iam get-policy --policy-arn ${arn} --query Policy.PolicyId --output text 2>/dev/null)"; then`,
      `    [ -f ${idFile} ] && [ "$(cat ${idFile})" = "$BOUNDARY_POLICY_ID" ] || die "managed policy "${q(name)}" exists but was not created from "${where}" (its PolicyId $BOUNDARY_POLICY_ID is not in ${POLICY_ID_FILE} there). Compare its default version with boundary.json there; if they match, write $BOUNDARY_POLICY_ID to that ${POLICY_ID_FILE} and run again"`,
      '  else',
      "    BOUNDARY_POLICY_ID=''",
      '  fi',
      'fi',
    ],
    create: [
      `# The shared boundary: created by the first principal that needs it (its PolicyId kept in ${dir}/${POLICY_ID_FILE}), only attached after.`,
      'if [ "$DRY_RUN" = 1 ]; then',
      `  show '[dry run]' iam create-policy --policy-name ${q(name)} --description ${description} --policy-document "file://$SCRIPT_DIR/../"${q(`${dir}/boundary.json`)}`,
      `  echo "    (only if "${q(name)}" does not exist yet)"`,
      'elif [ -z "$BOUNDARY_POLICY_ID" ]; then',
      '  CHANGED=1',
      `  show '+' iam create-policy --policy-name ${q(name)} --description ${description} --policy-document "file://$SCRIPT_DIR/../"${q(`${dir}/boundary.json`)}`,
      `  aws_ iam create-policy --policy-name ${q(name)} --description ${description} --policy-document "file://$SCRIPT_DIR/../"${q(`${dir}/boundary.json`)} --query Policy.PolicyId --output text > ${idFile}`,
      'fi',
    ],
  };
}

/** The apply/rollback script for a fix. It expects the policy JSON files (policyFileName) beside it. */
export function renderCliScript(target: FixTarget): string {
  if (target.identityCenter && target.principalKind === 'role') return renderIdentityCenterScript(target, target.identityCenter);
  const kind = target.principalKind;
  const K = kind === 'role' ? 'Role' : 'User';
  const q = shellQuote;
  const who = `--${kind}-name "$PRINCIPAL_NAME"`;
  const file = (i: number) => `"file://$SCRIPT_DIR/"${q(policyFileName(target, i))}`;
  const arnOf = (name: string) => `"arn:$PARTITION:iam::$ACCOUNT_ID:policy/"${q(name)}`;
  const isRole = kind === 'role';

  const files = target.policies.flatMap((p, i) => (p.shared ? [] : [q(policyFileName(target, i))]));
  const sharedBoundary = target.policies.find((p) => p.purpose === 'boundary' && p.shared && p.attach !== 'none');
  const shared = sharedBoundary && sharedBoundaryLines(sharedBoundary.name, sharedBoundaryDir(sharedBoundary.name));
  const created: { name: string; i: number; boundary: boolean }[] = [];
  const inline: { name: string; i: number }[] = [];
  let boundary: { name: string; i: number } | undefined;
  let trust: number | undefined;
  const notes: string[] = [];
  target.policies.forEach((p, i) => {
    if (p.attach === 'none' || p.purpose === 'session') return;
    if (p.purpose === 'identity' && p.attach === 'inline') inline.push({ name: p.name, i });
    else if (p.purpose === 'identity') created.push({ name: p.name, i, boundary: false });
    else if (p.purpose === 'boundary') {
      if (!p.shared) created.push({ name: p.name, i, boundary: true });
      boundary = { name: p.name, i };
    } else if (p.purpose === 'trust') {
      if (isRole) trust = i;
      else notes.push(`# IAM users have no trust policy; ${policyFileName(target, i)} is not applied.`);
    }
  });
  const maxSession = isRole ? target.maxSessionDuration : undefined;
  if (!isRole && target.maxSessionDuration !== undefined) notes.push('# maxSessionDuration applies to roles only; not applied to a user.');
  // A replaced policy that the fix rewrites under the same name is already gone once the new one is in.
  const replaced = (target.replacesPolicies ?? []).filter((r) =>
    r.kind === 'inline' ? !inline.some((n) => n.name === r.name) : !created.some((c) => c.name === r.name && r.arn === undefined),
  );
  const replacedArn = (r: { name: string; arn?: string }) => (r.arn !== undefined ? q(r.arn) : arnOf(r.name));

  const L: string[] = [
    '#!/usr/bin/env bash',
    `# Generated by leash: least-privilege fix for IAM ${kind} ${commentText(target.principalName)} in account ${commentText(target.accountId)}.`,
    '# Read it before running it. leash never changes an AWS account; this script does, but only',
    '# with --apply. It first saves the current state to backup-<UTC time>/ beside this script, and',
    '# `apply.sh --rollback <that dir> --apply` puts it back.',
    ...target.policies.filter((p) => p.purpose === 'session').map(() => '# The session policy is not applied here: pass it when assuming the role (aws sts assume-role ... --policy file://session-policy.json).'),
    ...notes,
    'set -Eeuo pipefail',
    '',
    `PRINCIPAL_NAME=${q(target.principalName)}`,
    `ACCOUNT_ID=${q(target.accountId)}`,
    PRELUDE.trim(),
    '',
    '# ---- rollback ------------------------------------------------------------------------------',
    'rollback() {',
    '  local dir="$1"',
    `  [ -f "$dir/get-${kind}.json" ] || die "$dir is not a backup made by this script (no get-${kind}.json in it)"`,
    '  check_account',
    '  echo "Rolling back from $dir"',
  ];
  for (const r of [...replaced].reverse()) {
    if (r.kind === 'managed') L.push(`  undo iam attach-${kind}-policy ${who} --policy-arn ${replacedArn(r)}`);
    else L.push(`  undo iam put-${kind}-policy ${who} --policy-name ${q(r.name)} --policy-document "file://$dir/"${q(backupFile(kind, r.name))}`);
  }
  if (maxSession !== undefined) L.push('  undo iam update-role --role-name "$PRINCIPAL_NAME" --max-session-duration "$(cat "$dir/max-session-duration.txt")"');
  if (trust !== undefined) L.push('  undo iam update-assume-role-policy --role-name "$PRINCIPAL_NAME" --policy-document "file://$dir/trust-policy.json"');
  if (boundary) {
    L.push(
      '  local previous_boundary',
      '  previous_boundary="$(cat "$dir/permissions-boundary-arn.txt")"',
      '  if [ "$previous_boundary" = None ] || [ -z "$previous_boundary" ]; then',
      `    undo iam delete-${kind}-permissions-boundary ${who}`,
      '  else',
      `    undo iam put-${kind}-permissions-boundary ${who} --permissions-boundary "$previous_boundary"`,
      '  fi',
    );
  }
  for (const n of [...inline].reverse()) {
    L.push(
      `  if [ -f "$dir/"${q(backupFile(kind, n.name))} ]; then`,
      `    undo iam put-${kind}-policy ${who} --policy-name ${q(n.name)} --policy-document "file://$dir/"${q(backupFile(kind, n.name))}`,
      '  else',
      `    undo iam delete-${kind}-policy ${who} --policy-name ${q(n.name)}`,
      '  fi',
    );
  }
  for (const c of [...created].reverse()) {
    if (!c.boundary) L.push(`  undo iam detach-${kind}-policy ${who} --policy-arn ${arnOf(c.name)}`);
    L.push(`  undo iam delete-policy --policy-arn ${arnOf(c.name)}`);
  }
  if (sharedBoundary) L.push(`  echo "The shared boundary "${q(sharedBoundary.name)}" stays: other principals may use it (fixes/${sharedBoundaryDir(sharedBoundary.name)}/README.md says how to remove it)."`);
  L.push(
    '  if [ "$FAILED" -gt 0 ]; then echo "Rollback finished with $FAILED failed step(s); see above." >&2; exit 1; fi',
    '  echo "Rollback finished."',
    '}',
    '',
    'if [ -n "$ROLLBACK_DIR" ]; then rollback "$ROLLBACK_DIR"; exit 0; fi',
    '',
    '# ---- checks --------------------------------------------------------------------------------',
    `for f in ${files.length > 0 ? files.join(' ') : "''"}; do`,
    '  [ -z "$f" ] || [ -f "$SCRIPT_DIR/$f" ] || die "missing $SCRIPT_DIR/$f: keep apply.sh beside the JSON files leash wrote"',
    'done',
    'check_account',
  );
  if (shared) L.push(...shared.check);
  if (created.length > 0) {
    L.push('if [ "$DRY_RUN" = 0 ]; then');
    for (const c of created) {
      L.push(`  if aws_ iam get-policy --policy-arn ${arnOf(c.name)} >/dev/null 2>&1; then die "managed policy "${q(c.name)}" already exists; rename it in the plan or delete it first"; fi`);
    }
    L.push('fi');
  }
  L.push(
    '',
    '# ---- 1. backup of the current state -------------------------------------------------------',
    'BACKUP_DIR="$SCRIPT_DIR/backup-$(date -u +%Y%m%dT%H%M%SZ)"',
    'if [ "$DRY_RUN" = 0 ]; then mkdir -p "$BACKUP_DIR"; fi',
    'if [ "$DRY_RUN" = 1 ]; then echo "[dry run] would save the current state to $BACKUP_DIR"; else echo "Saving the current state to $BACKUP_DIR"; fi',
    `save get-${kind}.json iam get-${kind} ${who} --output json`,
    `save permissions-boundary-arn.txt iam get-${kind} ${who} --query ${K}.PermissionsBoundary.PermissionsBoundaryArn --output text`,
  );
  if (isRole) {
    L.push(
      'save trust-policy.json iam get-role --role-name "$PRINCIPAL_NAME" --query Role.AssumeRolePolicyDocument --output json',
      'save max-session-duration.txt iam get-role --role-name "$PRINCIPAL_NAME" --query Role.MaxSessionDuration --output text',
    );
  }
  L.push(
    `save list-${kind}-policies.json iam list-${kind}-policies ${who} --output json`,
    `save list-attached-${kind}-policies.json iam list-attached-${kind}-policies ${who} --output json`,
    'if [ "$DRY_RUN" = 0 ]; then',
    `  aws_ iam list-${kind}-policies ${who} --query PolicyNames --output text | tr '\\t' '\\n' > "$BACKUP_DIR/inline-policy-names.txt"`,
    '  while IFS= read -r name; do',
    '    [ -n "$name" ] && [ "$name" != None ] || continue',
    // The same file name backupFile gives: a policy name never leaves the backup folder.
    `    save "${kind}-policy-$(printf '%s' "$name" | tr -c 'A-Za-z0-9+=,.@_-' '_').json" iam get-${kind}-policy ${who} --policy-name "$name" --query PolicyDocument --output json`,
    '  done < "$BACKUP_DIR/inline-policy-names.txt"',
    'else',
    `  echo "[dry run] (and get-${kind}-policy for each inline policy that list-${kind}-policies returns)"`,
    'fi',
    '',
    "trap 'if [ \"$CHANGED\" = 1 ]; then printf \"Failed part-way. To undo what was changed: %q --rollback %q --apply\\n\" \"$0\" \"$BACKUP_DIR\" >&2; fi' ERR",
    '',
    '# ---- 2. changes ----------------------------------------------------------------------------',
  );
  for (const c of created) {
    const description = c.boundary ? `leash: permissions boundary for ${kind} ${target.principalName}` : `leash: least-privilege policy for ${kind} ${target.principalName}`;
    L.push(`change iam create-policy --policy-name ${q(c.name)} --description ${q(description.slice(0, 1000))} --policy-document ${file(c.i)}`);
  }
  if (shared) L.push(...shared.create);
  for (const c of created) if (!c.boundary) L.push(`change iam attach-${kind}-policy ${who} --policy-arn ${arnOf(c.name)}`);
  for (const n of inline) L.push(`change iam put-${kind}-policy ${who} --policy-name ${q(n.name)} --policy-document ${file(n.i)}`);
  if (boundary) L.push(`change iam put-${kind}-permissions-boundary ${who} --permissions-boundary ${arnOf(boundary.name)}`);
  if (trust !== undefined) L.push(`change iam update-assume-role-policy --role-name "$PRINCIPAL_NAME" --policy-document ${file(trust)}`);
  if (maxSession !== undefined) L.push(`change iam update-role --role-name "$PRINCIPAL_NAME" --max-session-duration ${q(String(maxSession))}`);
  if (replaced.length > 0) L.push('# The policies this fix replaces go last, so the principal is never left without what it needs.');
  for (const r of replaced) {
    if (r.kind === 'managed') L.push(`change iam detach-${kind}-policy ${who} --policy-arn ${replacedArn(r)}`);
    else L.push(`change iam delete-${kind}-policy ${who} --policy-name ${q(r.name)}`);
  }
  L.push(
    '',
    'if [ "$DRY_RUN" = 1 ]; then',
    '  echo "Dry run finished. Run again with --apply to make these changes."',
    'else',
    '  echo "Done. The previous state is in $BACKUP_DIR."',
    '  printf \'To roll back: %q --rollback %q --apply\\n\' "$0" "$BACKUP_DIR"',
    'fi',
  );
  return `${L.join('\n')}\n`;
}

const SSO_HELPERS = String.raw`
# The sso-admin calls go to the Identity Center instance (management account or delegated admin).
sso_aws() { aws ${"$"}{SSO_PROFILE_ARGS[@]+"${"$"}{SSO_PROFILE_ARGS[@]}"} "$@"; }
sso_show() { printf '%s aws' "$1"; shift; LC_ALL=C printf ' %q' ${"$"}{SSO_PROFILE_ARGS[@]+"${"$"}{SSO_PROFILE_ARGS[@]}"} "$@"; printf '\n'; }
sso_change() {
  if [ "$DRY_RUN" = 1 ]; then sso_show '[dry run]' "$@"; return 0; fi
  CHANGED=1
  sso_show '+' "$@"
  sso_aws "$@"
}
sso_undo() { sso_change "$@" || { FAILED=$((FAILED + 1)); echo "  ^ failed; if this step was never applied that is expected" >&2; }; }
sso_save() {
  local file="$BACKUP_DIR/$1"; shift
  if [ "$DRY_RUN" = 1 ]; then sso_show '[dry run]' "$@"; LC_ALL=C printf '    > %q\n' "$file"; return 0; fi
  sso_aws "$@" > "$file"
}
`;

/**
 * apply.sh for an IAM Identity Center role: IAM refuses changes to AWSReservedSSO_* roles, so the
 * boundary policy is created in the account and set on the permission set (and a right-sized
 * policy, if any, becomes the permission set's inline policy); then the permission set is
 * provisioned. The backup is the permission set's current boundary and inline policy.
 */
function renderIdentityCenterScript(target: FixTarget, ic: NonNullable<FixTarget['identityCenter']>): string {
  const q = shellQuote;
  const file = (i: number) => `"file://$SCRIPT_DIR/"${q(policyFileName(target, i))}`;
  const arnOf = (name: string) => `"arn:$PARTITION:iam::$ACCOUNT_ID:policy/"${q(name)}`;
  const boundaryIdx = target.policies.findIndex((p) => p.purpose === 'boundary');
  const boundary = boundaryIdx >= 0 ? target.policies[boundaryIdx]! : undefined;
  const inlineIdx = target.policies.findIndex((p) => p.purpose === 'identity');
  const ps = '--instance-arn "$INSTANCE_ARN" --permission-set-arn "$PERMISSION_SET_ARN"';
  const files = target.policies.filter((p) => p.purpose !== 'session' && p.purpose !== 'trust' && !p.shared).map((p) => q(policyFileName(target, target.policies.indexOf(p))));
  const shared = boundary?.shared ? sharedBoundaryLines(boundary.name, sharedBoundaryDir(boundary.name)) : undefined;
  const L: string[] = [
    '#!/usr/bin/env bash',
    `# Generated by leash: fix for IAM Identity Center permission set ${commentText(ic.permissionSetName)} (role ${commentText(target.principalName)} in account ${commentText(target.accountId)}).`,
    '# IAM refuses changes to AWSReservedSSO_* roles, and Identity Center would overwrite them: this script',
    '# changes the permission set and provisions it. Dry run unless given --apply; it saves the current',
    '# state first, and `apply.sh --rollback <that dir> --apply` puts it back. Use --profile for this',
    '# account (the boundary policy is created here) and --sso-profile for the Identity Center instance.',
    'set -Eeuo pipefail',
    '',
    `PRINCIPAL_NAME=${q(target.principalName)}`,
    `ACCOUNT_ID=${q(target.accountId)}`,
    `PERMISSION_SET_NAME=${q(ic.permissionSetName)}`,
    `# ${ic.instanceArn ? 'Read by the scan (sso-admin ListInstances).' : 'Not collected by the scan: fill in, or export INSTANCE_ARN (aws sso-admin list-instances).'}`,
    `INSTANCE_ARN="\${INSTANCE_ARN:-${ic.instanceArn ?? 'REPLACE-WITH-IDENTITY-CENTER-INSTANCE-ARN'}}"`,
    `# ${ic.permissionSetArn ? 'Read by the scan (sso-admin ListPermissionSets + DescribePermissionSet).' : 'Not collected by the scan: fill in, or export PERMISSION_SET_ARN (aws sso-admin list-permission-sets, then describe-permission-set to match the name).'}`,
    `PERMISSION_SET_ARN="\${PERMISSION_SET_ARN:-${ic.permissionSetArn ?? 'REPLACE-WITH-PERMISSION-SET-ARN'}}"`,
    PRELUDE.trim(),
    SSO_HELPERS.trim(),
    '',
    '# ---- rollback ------------------------------------------------------------------------------',
    'rollback() {',
    '  local dir="$1"',
    '  [ -f "$dir/permission-set-boundary.json" ] || die "$dir is not a backup made by this script (no permission-set-boundary.json in it)"',
    '  check_account',
    '  echo "Rolling back from $dir"',
  ];
  if (inlineIdx >= 0) {
    L.push(
      '  if [ -s "$dir/permission-set-inline-policy.json" ] && [ "$(cat "$dir/permission-set-inline-policy.json")" != None ]; then',
      `    sso_undo sso-admin put-inline-policy-to-permission-set ${ps} --inline-policy "file://$dir/permission-set-inline-policy.json"`,
      '  else',
      `    sso_undo sso-admin delete-inline-policy-from-permission-set ${ps}`,
      '  fi',
    );
  }
  if (boundary) {
    L.push(
      '  if [ "$(cat "$dir/permission-set-boundary.json")" != null ]; then',
      `    sso_undo sso-admin put-permissions-boundary-to-permission-set ${ps} --permissions-boundary "file://$dir/permission-set-boundary.json"`,
      '  else',
      `    sso_undo sso-admin delete-permissions-boundary-from-permission-set ${ps}`,
      '  fi',
    );
  }
  L.push(`  sso_undo sso-admin provision-permission-set ${ps} --target-type ALL_PROVISIONED_ACCOUNTS`);
  if (boundary && !shared) L.push(`  undo iam delete-policy --policy-arn ${arnOf(boundary.name)}`);
  if (boundary && shared) L.push(`  echo "The shared boundary "${q(boundary.name)}" stays: other principals may use it (fixes/${sharedBoundaryDir(boundary.name)}/README.md says how to remove it)."`);
  L.push(
    '  if [ "$FAILED" -gt 0 ]; then echo "Rollback finished with $FAILED failed step(s); see above." >&2; exit 1; fi',
    '  echo "Rollback finished."',
    '}',
    '',
    'if [ -n "$ROLLBACK_DIR" ]; then rollback "$ROLLBACK_DIR"; exit 0; fi',
    '',
    '# ---- checks --------------------------------------------------------------------------------',
    `for f in ${files.length > 0 ? files.join(' ') : "''"}; do`,
    '  [ -z "$f" ] || [ -f "$SCRIPT_DIR/$f" ] || die "missing $SCRIPT_DIR/$f: keep apply.sh beside the JSON files leash wrote"',
    'done',
    'if [ "$DRY_RUN" = 0 ]; then',
    '  case "$INSTANCE_ARN$PERMISSION_SET_ARN" in *REPLACE-WITH-*) die "fill in INSTANCE_ARN and PERMISSION_SET_ARN (or export them) before --apply" ;; esac',
    'fi',
    'check_account',
  );
  if (shared) L.push(...shared.check);
  else if (boundary) L.push('if [ "$DRY_RUN" = 0 ]; then', `  if aws_ iam get-policy --policy-arn ${arnOf(boundary.name)} >/dev/null 2>&1; then die "managed policy "${q(boundary.name)}" already exists; rename it in the plan or delete it first"; fi`, 'fi');
  L.push(
    '',
    '# ---- 1. backup of the current state -------------------------------------------------------',
    'BACKUP_DIR="$SCRIPT_DIR/backup-$(date -u +%Y%m%dT%H%M%SZ)"',
    'if [ "$DRY_RUN" = 0 ]; then mkdir -p "$BACKUP_DIR"; fi',
    'if [ "$DRY_RUN" = 1 ]; then echo "[dry run] would save the current state to $BACKUP_DIR"; else echo "Saving the current state to $BACKUP_DIR"; fi',
    `sso_save permission-set.json sso-admin describe-permission-set ${ps} --output json`,
    '# No boundary yet is an error from the API: recorded as null, which rollback turns into a delete.',
    `if [ "$DRY_RUN" = 1 ]; then sso_show '[dry run]' sso-admin get-permissions-boundary-for-permission-set ${ps} --query PermissionsBoundary --output json; else sso_aws sso-admin get-permissions-boundary-for-permission-set ${ps} --query PermissionsBoundary --output json > "$BACKUP_DIR/permission-set-boundary.json" 2>/dev/null || echo null > "$BACKUP_DIR/permission-set-boundary.json"; fi`,
    `sso_save permission-set-inline-policy.json sso-admin get-inline-policy-for-permission-set ${ps} --query InlinePolicy --output text`,
    '',
    "trap 'if [ \"$CHANGED\" = 1 ]; then printf \"Failed part-way. To undo what was changed: %q --rollback %q --apply\\n\" \"$0\" \"$BACKUP_DIR\" >&2; fi' ERR",
    '',
    '# ---- 2. changes ----------------------------------------------------------------------------',
  );
  if (boundary) {
    if (shared) L.push(...shared.create);
    else L.push(`change iam create-policy --policy-name ${q(boundary.name)} --description ${q(`leash: permissions boundary for permission set ${ic.permissionSetName}`.slice(0, 1000))} --policy-document ${file(boundaryIdx)}`);
    L.push(`sso_change sso-admin put-permissions-boundary-to-permission-set ${ps} --permissions-boundary ${q(JSON.stringify({ CustomerManagedPolicyReference: { Name: boundary.name, Path: '/' } }))}`);
  }
  if (inlineIdx >= 0) L.push(`sso_change sso-admin put-inline-policy-to-permission-set ${ps} --inline-policy ${file(inlineIdx)}`);
  L.push(
    '# Pushes the change to every account the permission set is provisioned to.',
    `sso_change sso-admin provision-permission-set ${ps} --target-type ALL_PROVISIONED_ACCOUNTS`,
    '',
    'if [ "$DRY_RUN" = 1 ]; then',
    '  echo "Dry run finished. Run again with --apply to make these changes."',
    'else',
    '  echo "Done. The previous state is in $BACKUP_DIR."',
    '  printf \'To roll back: %q --rollback %q --apply\\n\' "$0" "$BACKUP_DIR"',
    'fi',
  );
  return `${L.join('\n')}\n`;
}
