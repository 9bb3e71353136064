// A bash script that applies a fix with the AWS CLI, for a human to read and run. It is a dry
// run unless given --apply, refuses to run against another account, saves the current state
// before changing anything, and can undo the change from that backup (--rollback DIR).
// Every value that came from outside (principal, policy names, ARNs) is single-quoted.
import { createHash } from 'node:crypto';
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
export function commentText(s: string): string {
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
--accept-not-safe   apply a fix leash calls not safe (its README says why), once you have checked it
USAGE
}

DRY_RUN=1
ACCEPT_NOT_SAFE=0
ROLLBACK_DIR=''
PROFILE_ARGS=()
SSO_PROFILE_ARGS=()
while [ "$#" -gt 0 ]; do
  case "$1" in
    --apply) DRY_RUN=0 ;;
    --accept-not-safe) ACCEPT_NOT_SAFE=1 ;;
    --profile) [ "$#" -ge 2 ] || { echo "apply.sh: --profile needs a value" >&2; exit 2; }; PROFILE_ARGS=(--profile "$2"); shift ;;
    --profile=*) PROFILE_ARGS=(--profile "${"$"}{1#--profile=}") ;;
    --sso-profile) [ "$#" -ge 2 ] || { echo "apply.sh: --sso-profile needs a value" >&2; exit 2; }; SSO_PROFILE_ARGS=(--profile "$2"); shift ;;
    --rollback) [ "$#" -ge 2 ] || { echo "apply.sh: --rollback needs a backup directory" >&2; exit 2; }; ROLLBACK_DIR="$2"; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "apply.sh: unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done

PARTITION=aws
FAILED=0
SKIPPED=0
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
 * The shell every apply.sh shares (argument parsing, dry run, backup, undo and sso-admin helpers),
 * written once per fixes folder as lib/leash-apply-<hash>.sh: about 4 KB that every principal's
 * script repeated. The name carries its content hash and each apply.sh checks the whole sha256
 * before sourcing it, so a script only ever runs the library it was written with.
 */
const applyLibText = (): string => [
  // For shellcheck run on the library alone: apply.sh reads ROLLBACK_DIR (SC2034).
  '# shellcheck shell=bash disable=SC2034',
  '# Generated by leash: shell shared by every apply.sh in this fixes folder (each checks its sha256',
  '# before sourcing it). It defines functions and reads the arguments apply.sh was given; it changes',
  '# nothing by itself.',
  PRELUDE.trim(),
  STEP_FUNCTIONS.trim(),
  SSO_HELPERS.trim(),
  SHARED_BOUNDARY_FUNCTIONS.trim(),
  '',
].join('\n');
let libCache: { path: string; sha256: string; content: string } | undefined;
export function lib(): { path: string; sha256: string; content: string } {
  if (!libCache) {
    const content = applyLibText();
    const sha256 = createHash('sha256').update(content).digest('hex');
    libCache = { path: `lib/leash-apply-${sha256.slice(0, 12)}.sh`, sha256, content };
  }
  return libCache;
}

/** The shared library file, relative to the fixes folder (fix/write.ts writes it beside the principals' folders). */
export function applyLibFile(): { readonly path: string; readonly content: string; readonly mode: number } {
  return { path: lib().path, content: lib().content, mode: 0o644 };
}

/**
 * The lines of apply.sh that find, check and source the shared library: its whole sha256 is
 * compared before it is sourced (sha256sum, or shasum on macOS), so a library that is missing or
 * changed by one byte stops the script before anything runs.
 */
export function libLoader(): string[] {
  const { path, sha256 } = lib();
  return [
    'SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"',
    `LEASH_LIB="$SCRIPT_DIR/../${path}"`,
    `[ "$( (sha256sum "$LEASH_LIB" || shasum -a 256 "$LEASH_LIB") 2>/dev/null | cut -d' ' -f1)" = ${sha256} ] || { printf 'apply.sh: %s is missing or is not the library this script was written with: keep the fixes folder whole\\n' "$LEASH_LIB" >&2; exit 2; }`,
    // shellcheck -x follows it from anywhere, and sees the variables apply.sh sets for it used.
    `# shellcheck source-path=SCRIPTDIR source=../${path}`,
    '. "$LEASH_LIB"',
  ];
}

/**
 * The library's steps that are the same for every IAM role (resp. user) but for its name: the
 * backup, the end of a run, the rollback's frame and its boundary step. They read PRINCIPAL_KIND
 * (role or user) and PRINCIPAL_NAME from apply.sh, and each call in apply.sh carries a comment
 * naming the AWS calls it makes, so the script still says all it does.
 */
const STEP_FUNCTIONS = String.raw`
# ---- steps of an IAM role's or user's apply.sh (PRINCIPAL_KIND is role or user) ----
who_args() { WHO=(--"$PRINCIPAL_KIND"-name "$PRINCIPAL_NAME"); }
# require_files FILE...: stops before anything when a JSON file apply.sh reads is not beside it.
require_files() {
  local f
  for f in "$@"; do [ -f "$SCRIPT_DIR/$f" ] || die "missing $SCRIPT_DIR/$f: keep apply.sh beside the JSON files leash wrote"; done
}
# refuse_not_safe WHY: leash calls a change this script makes not safe as it stands (WHY); --apply
# stops before anything unless --accept-not-safe is given too.
refuse_not_safe() {
  if [ "$DRY_RUN" = 1 ]; then printf 'Not safe as it stands, says leash: %s\n  With --apply this script stops here unless --accept-not-safe is given too (after you have checked it).\n' "$1"; return 0; fi
  [ "$ACCEPT_NOT_SAFE" = 1 ] || die "leash calls this fix not safe as it stands: $1. Read README.md here; once you have checked it, run again with --accept-not-safe to apply it anyway"
  printf 'Applying a fix leash calls not safe (--accept-not-safe): %s\n' "$1"
}
# require_new_policy NAME: with --apply, stops when a managed policy of that name already exists.
require_new_policy() {
  [ "$DRY_RUN" = 0 ] || return 0
  if aws_ iam get-policy --policy-arn "arn:$PARTITION:iam::$ACCOUNT_ID:policy/$1" >/dev/null 2>&1; then die "managed policy $1 already exists; rename it in the plan or delete it first (if an earlier run of this script created it, its --rollback deletes it)"; fi
}
# A run again after a successful one. apply.sh sets PLAN_FILES (itself and the files it reads,
# relative to it), CREATED_POLICIES (the managed policies it creates) and INLINE_POLICIES (the
# inline ones it puts). plan_digest: their sha256s. state_now: what AWS holds of all it sets, read
# only: the principal's boundary, (a role's) session length and trust policy, the ARNs attached,
# the inline names, each inline policy it puts, and each policy it created's PolicyId and default
# version (another policy under the name, or a new version of it, differs).
plan_digest() {
  local f
  for f in ${"$"}{PLAN_FILES[@]+"${"$"}{PLAN_FILES[@]}"}; do { sha256sum "$SCRIPT_DIR/$f" || shasum -a 256 "$SCRIPT_DIR/$f"; } 2>/dev/null | cut -d' ' -f1; done
}
state_now() {
  local k="$PRINCIPAL_KIND" K=User n failed=0
  [ "$k" = role ] && K=Role
  who_args
  aws_ iam "get-$k" "${"$"}{WHO[@]}" --query "$K.PermissionsBoundary.PermissionsBoundaryArn" --output text || failed=1
  if [ "$k" = role ]; then aws_ iam get-role "${"$"}{WHO[@]}" --query '[Role.MaxSessionDuration,Role.AssumeRolePolicyDocument]' --output json || failed=1; fi
  aws_ iam "list-attached-$k-policies" "${"$"}{WHO[@]}" --query 'AttachedPolicies[].PolicyArn' --output text | tr '\t' '\n' | sort || failed=1
  aws_ iam "list-$k-policies" "${"$"}{WHO[@]}" --query PolicyNames --output text | tr '\t' '\n' | sort || failed=1
  for n in ${"$"}{CREATED_POLICIES[@]+"${"$"}{CREATED_POLICIES[@]}"}; do aws_ iam get-policy --policy-arn "arn:$PARTITION:iam::$ACCOUNT_ID:policy/$n" --query '[Policy.PolicyId,Policy.DefaultVersionId]' --output text || failed=1; done
  for n in ${"$"}{INLINE_POLICIES[@]+"${"$"}{INLINE_POLICIES[@]}"}; do aws_ iam "get-$k-policy" "${"$"}{WHO[@]}" --policy-name "$n" --query PolicyDocument --output json || failed=1; done
  return "$failed"
}
# record_state: after a successful run, plan_digest and state_now into the backup (--apply only);
# nothing when a read fails (a run again then checks as a first run does).
record_state() {
  [ "$DRY_RUN" = 0 ] || return 0
  if state_now > "$BACKUP_DIR/state-now.tmp" 2>/dev/null; then
    plan_digest > "$BACKUP_DIR/applied-plan.sha256"
    mv "$BACKUP_DIR/state-now.tmp" "$BACKUP_DIR/applied-state.txt"
  else
    rm -f "$BACKUP_DIR/state-now.tmp"
    echo "(Could not read back what this run left: a run again will check as a first run does.)"
  fi
}
# already_applied: with --apply, when the newest backup here is of a successful run made from these
# same files and AWS still holds what it left, says so and exits 0: running again changes nothing.
# Otherwise (a policy of the name leash did not create, or one changed since) the checks go on.
already_applied() {
  local b last='' now
  if [ "$DRY_RUN" = 1 ]; then echo "[dry run] (with --apply: if the last run here is still in place and was made from these files, nothing is done)"; return 0; fi
  for b in "$SCRIPT_DIR"/backup-*/; do if [ -d "$b" ]; then last="${"$"}{b%/}"; fi; done
  { [ -n "$last" ] && [ -f "$last/applied-state.txt" ] && [ -f "$last/applied-plan.sha256" ]; } || return 0
  [ "$(plan_digest)" = "$(cat "$last/applied-plan.sha256")" ] || return 0
  now="$(state_now 2>/dev/null)" || return 0
  [ "$now" = "$(cat "$last/applied-state.txt")" ] || return 0
  echo "Already applied: AWS holds what this plan sets, as the run saved in $last left it (the policies it created unchanged). Nothing to do."
  exit 0
}
# backup_begin: names BACKUP_DIR (backup-<UTC time>/ beside apply.sh) and creates it (--apply only).
backup_begin() {
  BACKUP_DIR="$SCRIPT_DIR/backup-$(date -u +%Y%m%dT%H%M%SZ)"
  if [ "$DRY_RUN" = 0 ]; then mkdir -p "$BACKUP_DIR"; fi
  if [ "$DRY_RUN" = 1 ]; then echo "[dry run] would save the current state to $BACKUP_DIR"; else echo "Saving the current state to $BACKUP_DIR"; fi
}
# backup_done: from here on, a failed step prints how to undo what was changed.
backup_done() {
  trap 'if [ "$CHANGED" = 1 ]; then printf "Failed part-way. To undo what was changed: %q --rollback %q --apply
" "$0" "$BACKUP_DIR" >&2; fi' ERR
}
# backup_principal: the principal's current state into BACKUP_DIR, read-only: iam get-<kind>
# (whole, and its boundary ARN), for a role its trust policy and MaxSessionDuration (get-role),
# list-<kind>-policies, list-attached-<kind>-policies, and get-<kind>-policy of each inline policy.
backup_principal() {
  local k="$PRINCIPAL_KIND" K=User name
  [ "$k" = role ] && K=Role
  who_args
  backup_begin
  save "get-$k.json" iam "get-$k" "${"$"}{WHO[@]}" --output json
  save permissions-boundary-arn.txt iam "get-$k" "${"$"}{WHO[@]}" --query "$K.PermissionsBoundary.PermissionsBoundaryArn" --output text
  if [ "$k" = role ]; then
    save trust-policy.json iam get-role "${"$"}{WHO[@]}" --query Role.AssumeRolePolicyDocument --output json
    save max-session-duration.txt iam get-role "${"$"}{WHO[@]}" --query Role.MaxSessionDuration --output text
  fi
  save "list-$k-policies.json" iam "list-$k-policies" "${"$"}{WHO[@]}" --output json
  save "list-attached-$k-policies.json" iam "list-attached-$k-policies" "${"$"}{WHO[@]}" --output json
  if [ "$DRY_RUN" = 0 ]; then
    aws_ iam "list-$k-policies" "${"$"}{WHO[@]}" --query PolicyNames --output text | tr '	' '
' > "$BACKUP_DIR/inline-policy-names.txt"
    while IFS= read -r name; do
      { [ -n "$name" ] && [ "$name" != None ]; } || continue
      # Every character outside IAM's name alphabet becomes _: a policy name never leaves the backup folder.
      save "$k-policy-$(printf '%s' "$name" | tr -c 'A-Za-z0-9+=,.@_-' '_').json" iam "get-$k-policy" "${"$"}{WHO[@]}" --policy-name "$name" --query PolicyDocument --output json
    done < "$BACKUP_DIR/inline-policy-names.txt"
  else
    echo "[dry run] (and get-$k-policy for each inline policy that list-$k-policies returns)"
  fi
  backup_done
}
# finish: the end of a run: dry run over, or where the backup is and how to roll back.
finish() {
  if [ "$DRY_RUN" = 1 ]; then
    echo "Dry run finished. Run again with --apply to make these changes."
  else
    echo "Done. The previous state is in $BACKUP_DIR."
    printf 'To roll back: %q --rollback %q --apply
' "$0" "$BACKUP_DIR"
  fi
}
# rollback_begin DIR MARKER: refuses a folder without MARKER (not a backup of this script), then check_account.
rollback_begin() {
  [ -f "$1/$2" ] || die "$1 is not a backup made by this script (no $2 in it)"
  check_account
  echo "Rolling back from $1"
}
rollback_end() {
  if [ "$FAILED" -gt 0 ]; then echo "Rollback finished with $FAILED failed step(s); see above." >&2; exit 1; fi
  if [ "$SKIPPED" -gt 0 ]; then echo "Rollback finished; $SKIPPED setting(s) changed since apply.sh were left as they are (see above)." >&2; exit 1; fi
  echo "Rollback finished."
}
# applied_value FILE: the setting a backup file holds, as AWS has it now (trust-policy.json,
# max-session-duration.txt, permissions-boundary-arn.txt), read the way backup_principal reads it.
applied_value() {
  local k="$PRINCIPAL_KIND" K=User
  [ "$k" = role ] && K=Role
  who_args
  case "$1" in
    trust-policy.json) aws_ iam get-role "${"$"}{WHO[@]}" --query Role.AssumeRolePolicyDocument --output json ;;
    max-session-duration.txt) aws_ iam get-role "${"$"}{WHO[@]}" --query Role.MaxSessionDuration --output text ;;
    permissions-boundary-arn.txt) aws_ iam "get-$k" "${"$"}{WHO[@]}" --query "$K.PermissionsBoundary.PermissionsBoundaryArn" --output text ;;
  esac
}
# record_applied FILE...: after the changes, each setting as this run left it (applied-FILE in the
# backup: APPLIED_DIR, a group member's sub-folder, else BACKUP_DIR), so that a rollback puts back
# only what nobody has changed since (--apply only).
record_applied() {
  [ "$DRY_RUN" = 0 ] || return 0
  local f dir="${"$"}{APPLIED_DIR:-$BACKUP_DIR}"
  for f in "$@"; do applied_value "$f" > "$dir/applied-$f"; done
}
# unchanged_since_apply DIR FILE: true when the setting is still what apply.sh left (or the backup
# did not record it); otherwise the rollback leaves it, so a change someone made since is not lost.
unchanged_since_apply() {
  [ -f "$1/applied-$2" ] || return 0
  if [ "$DRY_RUN" = 1 ]; then echo "[dry run] (only if $2 is still what apply.sh left; a later change is kept)"; return 0; fi
  [ "$(applied_value "$2")" = "$(cat "$1/applied-$2")" ] && return 0
  SKIPPED=$((SKIPPED + 1))
  printf 'Left as is: %s changed after apply.sh set it, so putting back %q would undo that change. Put it back by hand if you mean to.\n' "$2" "$1/$2" >&2
  return 1
}
# undo_boundary DIR: iam put-<kind>-permissions-boundary with the ARN saved in DIR, or
# iam delete-<kind>-permissions-boundary when the principal had none; left as is when the
# boundary in place is no longer the one apply.sh set.
undo_boundary() {
  local previous
  unchanged_since_apply "$1" permissions-boundary-arn.txt || return 0
  previous="$(cat "$1/permissions-boundary-arn.txt")"
  who_args
  if [ "$previous" = None ] || [ -z "$previous" ]; then
    undo iam "delete-$PRINCIPAL_KIND-permissions-boundary" "${"$"}{WHO[@]}"
  else
    undo iam "put-$PRINCIPAL_KIND-permissions-boundary" "${"$"}{WHO[@]}" --permissions-boundary "$previous"
  fi
}
`;

/**
 * A boundary shared by content (shared-boundary.ts) lives in ../boundaries/<name>/. The first
 * principal's apply.sh creates it there and keeps its PolicyId beside its JSON; every later one
 * attaches it only when the live policy has that PolicyId, so a policy someone else created under
 * the predictable name (an agent with iam:CreatePolicy, say) is never taken for leash's.
 */
function sharedBoundaryLines(name: string, dir: string): { check: string[]; create: string[] } {
  const args = `${shellQuote(name)} ${shellQuote(dir)}`;
  return {
    check: [`shared_boundary_check ${args} # iam get-policy: stops if a policy of that name exists that was not created from there`],
    create: [`shared_boundary_create ${args} # iam create-policy from boundary.json there, by the first principal only (its PolicyId kept in ${POLICY_ID_FILE})`],
  };
}

/** The library's half of sharedBoundaryLines: $1 the policy name, $2 its folder relative to the fixes folder. */
const SHARED_BOUNDARY_FUNCTIONS = String.raw`
# A boundary shared by content lives in ../boundaries/<name>/ (its README says more). It is
# attached only when the live policy is the one created from there: its PolicyId is in
# ${POLICY_ID_FILE} beside its JSON. A policy someone else created under the (predictable) name
# stops the script before anything changes.
shared_boundary_check() {
  local name="$1" dir="$SCRIPT_DIR/../$2"
  [ -f "$dir/boundary.json" ] || die "missing $dir/boundary.json: the boundary this fix attaches is shared and written once under fixes/boundaries/; keep the fixes folder whole"
  BOUNDARY_POLICY_ID=''
  [ "$DRY_RUN" = 0 ] || return 0
  if BOUNDARY_POLICY_ID="$(aws_ iam get-policy --policy-arn "arn:$PARTITION:iam::$ACCOUNT_ID:policy/$name" --query Policy.PolicyId --output text 2>/dev/null)"; then
    { [ -f "$dir/${POLICY_ID_FILE}" ] && [ "$(cat "$dir/${POLICY_ID_FILE}")" = "$BOUNDARY_POLICY_ID" ]; } || die "managed policy $name exists but was not created from $dir (its PolicyId $BOUNDARY_POLICY_ID is not in ${POLICY_ID_FILE} there). Compare its default version with boundary.json there; if they match, write $BOUNDARY_POLICY_ID to that ${POLICY_ID_FILE} and run again"
  else
    BOUNDARY_POLICY_ID=''
  fi
}
shared_boundary_create() {
  local name="$1" dir="$SCRIPT_DIR/../$2"
  local description="leash: permissions boundary shared by every principal it is the same for (fixes/$2/README.md)"
  if [ "$DRY_RUN" = 1 ]; then
    show '[dry run]' iam create-policy --policy-name "$name" --description "$description" --policy-document "file://$dir/boundary.json"
    echo "    (only if $name does not exist yet)"
  elif [ -z "$BOUNDARY_POLICY_ID" ]; then
    CHANGED=1
    show '+' iam create-policy --policy-name "$name" --description "$description" --policy-document "file://$dir/boundary.json"
    aws_ iam create-policy --policy-name "$name" --description "$description" --policy-document "file://$dir/boundary.json" --query Policy.PolicyId --output text > "$dir/${POLICY_ID_FILE}"
  fi
}
`;

/** What the script is told besides its target (from the plan's fixes, not stored in the target). */
export interface CliScriptOptions {
  /** Why leash calls a change it makes not safe (group.ts notSafeToApply): --apply refuses without --accept-not-safe. */
  readonly notSafe?: string | undefined;
}

/** The lines that hold a not-safe fix back: a comment at the top, and the check before any AWS call. */
function notSafeLines(notSafe: string | undefined): { head: string[]; check: string[] } {
  if (notSafe === undefined) return { head: [], check: [] };
  return {
    head: [`# NOT SAFE as it stands, says leash: ${commentText(notSafe)}. --apply stops unless --accept-not-safe is given too.`],
    // One line of display text (safeText): the message reaches the terminal as it is.
    check: [`refuse_not_safe ${shellQuote(safeText(notSafe))} # no AWS call: --apply stops here without --accept-not-safe`],
  };
}

/** The apply/rollback script for a fix. It expects the policy JSON files (policyFileName) beside it. */
export function renderCliScript(target: FixTarget, opts: CliScriptOptions = {}): string {
  if (target.identityCenter && target.principalKind === 'role') return renderIdentityCenterScript(target, target.identityCenter, opts);
  const notSafe = notSafeLines(opts.notSafe);
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
    if (p.purpose === 'trust' && p.heldBack !== undefined) {
      notes.push(`# ${policyFileName(target, i)} is held back, not applied: ${commentText(p.heldBack)}. Once that is resolved: aws iam update-assume-role-policy --role-name <role> --policy-document file://${policyFileName(target, i)}`);
      return;
    }
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

  const libName = `fixes/${lib().path}`;
  const L: string[] = [
    '#!/usr/bin/env bash',
    `# Generated by leash: least-privilege fix for IAM ${kind} ${commentText(target.principalName)} in account ${commentText(target.accountId)}.`,
    '# Read it before running it. leash never changes an AWS account; this script does, but only',
    '# with --apply. It first saves the current state to backup-<UTC time>/ beside this script, and',
    '# `apply.sh --rollback <that dir> --apply` puts it back. The steps every fix shares are functions',
    `# of ${libName}; a comment beside each call names the AWS calls it makes.`,
    ...target.policies.filter((p) => p.purpose === 'session').map(() => '# The session policy is not applied here: pass it when assuming the role (aws sts assume-role ... --policy file://session-policy.json).'),
    ...notes,
    ...notSafe.head,
    'set -Eeuo pipefail',
    '',
    `PRINCIPAL_KIND=${kind}`,
    `PRINCIPAL_NAME=${q(target.principalName)}`,
    `ACCOUNT_ID=${q(target.accountId)}`,
    '# What a run again compares with the last (already_applied): this plan\'s files, the policies it creates and the inline ones it puts.',
    `PLAN_FILES=(apply.sh${files.map((f) => ` ${f}`).join('')}${shared ? ` ${q(`../${sharedBoundaryDir(sharedBoundary!.name)}/boundary.json`)}` : ''})`,
    `CREATED_POLICIES=(${created.map((c) => q(c.name)).join(' ')})`,
    `INLINE_POLICIES=(${inline.map((n) => q(n.name)).join(' ')})`,
    ...libLoader(),
    '',
    '# ---- rollback (--rollback DIR) ----',
    'rollback() {',
    '  local dir="$1"',
    `  rollback_begin "$dir" get-${kind}.json # sts get-caller-identity (the account check)`,
  ];
  for (const r of [...replaced].reverse()) {
    if (r.kind === 'managed') L.push(`  undo iam attach-${kind}-policy ${who} --policy-arn ${replacedArn(r)}`);
    else L.push(`  undo iam put-${kind}-policy ${who} --policy-name ${q(r.name)} --policy-document "file://$dir/"${q(backupFile(kind, r.name))}`);
  }
  // A setting someone changed after apply.sh is left as they made it (unchanged_since_apply).
  if (maxSession !== undefined) L.push('  if unchanged_since_apply "$dir" max-session-duration.txt; then undo iam update-role --role-name "$PRINCIPAL_NAME" --max-session-duration "$(cat "$dir/max-session-duration.txt")"; fi # iam get-role (the value now)');
  if (trust !== undefined) L.push('  if unchanged_since_apply "$dir" trust-policy.json; then undo iam update-assume-role-policy --role-name "$PRINCIPAL_NAME" --policy-document "file://$dir/trust-policy.json"; fi # iam get-role (the trust policy now)');
  if (boundary) L.push(`  undo_boundary "$dir" # iam put-${kind}-permissions-boundary (the saved ARN), or delete-${kind}-permissions-boundary if it had none`);
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
    '  rollback_end',
    '}',
    'if [ -n "$ROLLBACK_DIR" ]; then rollback "$ROLLBACK_DIR"; exit 0; fi',
    '',
    '# ---- checks: nothing changes unless all pass ----',
    ...notSafe.check,
    ...(files.length > 0 ? [`require_files ${files.join(' ')}`] : []),
    'check_account # sts get-caller-identity: the credentials must be for ACCOUNT_ID',
  );
  L.push(`already_applied # read-only (iam get-${kind}, list-attached-${kind}-policies, list-${kind}-policies, get-policy, get-${kind}-policy): stops, saying so, when the last run here is still in place`);
  if (shared) L.push(...shared.check);
  for (const c of created) L.push(`require_new_policy ${q(c.name)} # iam get-policy: stops if it already exists`);
  L.push(
    '',
    '# ---- 1. backup of the current state ----',
    `backup_principal # read-only: iam get-${kind}, list-${kind}-policies, list-attached-${kind}-policies, get-${kind}-policy of each inline policy`,
    '',
    '# ---- 2. changes ----',
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
  const settings = [...(trust !== undefined ? ['trust-policy.json'] : []), ...(maxSession !== undefined ? ['max-session-duration.txt'] : []), ...(boundary ? ['permissions-boundary-arn.txt'] : [])];
  if (settings.length > 0) L.push(`record_applied ${settings.join(' ')} # read-only: iam get-${kind}, the settings as this run left them (a rollback keeps later changes)`);
  L.push(`record_state # read-only, as already_applied reads: what this run left, so that running it again does nothing`, 'finish');
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
 * What an Identity Center apply.sh records in its backup after a run (applied-FILE, written by the
 * library's record_applied through this script's applied_value): a run again compares the
 * permission set with them, and so does a rollback, which keeps a change made since.
 */
const PS_BOUNDARY_FILE = 'permission-set-boundary.json';
const PS_INLINE_FILE = 'permission-set-inline-policy.json';
/** A boundary policy the script creates itself (not shared): its PolicyId and default version. */
const PS_POLICY_FILE = 'boundary-policy.txt';
/** In a backup whose run found the boundary policy an earlier run created, and so did not create it. */
const PS_KEPT_FILE = 'boundary-policy-not-created.txt';
/** Written last, once the rest is recorded: the plan's files' sha256s and the permission set's ARNs. */
const PS_PLAN_FILE = 'applied-plan.sha256';

/**
 * A rollback deletes the boundary policy its run created only when that cannot leave a role with
 * neither its old boundary nor this one. Identity Center puts a permission set's boundary on the
 * role in each account when it provisions (a CustomerManagedPolicyReference needs the policy to
 * exist in every account it is provisioned to, the Identity Center API reference says), and IAM's
 * DeletePolicy refuses a policy still attached (DeleteConflict): so the rollback deletes it only
 * after its own provisioning SUCCEEDED, while the permission set no longer names it and no account
 * holds an older copy; otherwise it stays, said, and a rollback run again deletes it then. It
 * deletes only the policy the run created (its PolicyId and default version, as recorded).
 */
function ownBoundaryLines(ps: string, name: string): string[] {
  const q = shellQuote;
  return String.raw`
# ps_boundary_policy_ours DIR (--apply only; read-only): true while the boundary policy is the one the run saved
# in DIR created, as it left it (applied-__FILE__); one created again or changed since is left, said.
ps_boundary_policy_ours() {
  [ "$DRY_RUN" = 0 ] || return 0
  [ -f "$1/applied-__FILE__" ] || return 0
  local now
  if ! now=$(applied_value __FILE__ 2>&1); then
    case "$now" in *NoSuchEntity*) echo "The boundary policy "__NAME__" is gone already: nothing to delete."; return 1 ;; esac
    FAILED=$((FAILED + 1))
    echo "The boundary policy "__NAME__" stays: it could not be read (iam get-policy failed), so whether it is the one this run created is not known." >&2
    return 1
  fi
  [ "$now" != "$(cat "$1/applied-__FILE__")" ] || return 0
  SKIPPED=$((SKIPPED + 1))
  LC_ALL=C printf 'Left as is: the boundary policy %s is not as the run saved in %q left it (created again, or a new default version since): delete it by hand if you mean to.\n' __NAME__ "$1" >&2
  return 1
}
# ps_boundary_policy_unused PUT (read-only): true when no account can still hold the boundary policy as its role's
# boundary: this rollback's provisioning (PUT=1: one was started) SUCCEEDED, the permission set no longer names
# it, and no account holds an older copy of the permission set. Otherwise says why it stays (a failed step).
ps_boundary_policy_unused() {
  if [ "$DRY_RUN" = 1 ]; then echo "[dry run] (deleted only once the rollback's provisioning SUCCEEDED and no account holds a copy of the permission set that uses it)"; return 0; fi
  local why='' stale
  if [ "$1" = 1 ] && [ "$PS_OUTCOME" != SUCCEEDED ]; then why="this rollback's provisioning did not succeed (above), so accounts may still hold the copy of the permission set that uses it as their role's boundary"
  elif [ "$(sso_aws sso-admin get-permissions-boundary-for-permission-set __PS__ --query PermissionsBoundary.CustomerManagedPolicyReference.Name --output text 2>/dev/null)" = __NAME__ ]; then why="the permission set still names it as its boundary"
  elif ! stale=$(ps_accounts LATEST_PERMISSION_SET_NOT_PROVISIONED); then why="whether every account holds the permission set's latest copy could not be read (list-accounts-for-provisioned-permission-set failed)"
  elif [ -n "$stale" ]; then why="account(s) $stale hold an older copy of the permission set, which may use it as their role's boundary"
  fi
  [ -n "$why" ] || return 0
  FAILED=$((FAILED + 1))
  echo "The boundary policy "__NAME__" stays: $why. Deleting it now could leave a role with neither its old boundary nor this one. Once a provisioning of the permission set has SUCCEEDED everywhere, run this rollback again: it deletes it then, nothing else." >&2
  return 1
}`.trim().split('\n').map((l) => l.replaceAll('__FILE__', PS_POLICY_FILE).replaceAll('__NAME__', q(name)).replaceAll('__PS__', ps));
}

/**
 * apply.sh for an IAM Identity Center role: IAM refuses changes to AWSReservedSSO_* roles, so the
 * boundary policy is created in the account and set on the permission set (and a right-sized
 * policy, if any, becomes the permission set's inline policy); then the permission set is
 * provisioned. The backup is the permission set's current boundary and inline policy. Run again,
 * it changes nothing while the permission set holds what the last run here left (same decisions
 * as a group's apply.sh, group-script.ts); its own lines, not the library's, so every other
 * apply.sh stays byte for byte what it was.
 */
function renderIdentityCenterScript(target: FixTarget, ic: NonNullable<FixTarget['identityCenter']>, opts: CliScriptOptions): string {
  const notSafe = notSafeLines(opts.notSafe);
  const q = shellQuote;
  const file = (i: number) => `"file://$SCRIPT_DIR/"${q(policyFileName(target, i))}`;
  const arnOf = (name: string) => `"arn:$PARTITION:iam::$ACCOUNT_ID:policy/"${q(name)}`;
  const boundaryIdx = target.policies.findIndex((p) => p.purpose === 'boundary');
  const boundary = boundaryIdx >= 0 ? target.policies[boundaryIdx]! : undefined;
  const inlineIdx = target.policies.findIndex((p) => p.purpose === 'identity');
  const ps = '--instance-arn "$INSTANCE_ARN" --permission-set-arn "$PERMISSION_SET_ARN"';
  const files = target.policies.filter((p) => p.purpose !== 'session' && p.purpose !== 'trust' && !p.shared).map((p) => q(policyFileName(target, target.policies.indexOf(p))));
  const shared = boundary?.shared ? sharedBoundaryLines(boundary.name, sharedBoundaryDir(boundary.name)) : undefined;
  const own = boundary !== undefined && !shared; // a boundary policy this script creates, and its rollback deletes
  const settings = [...(boundary ? [PS_BOUNDARY_FILE] : []), ...(inlineIdx >= 0 ? [PS_INLINE_FILE] : []), ...(own ? [PS_POLICY_FILE] : [])];
  const held = [...(boundary ? ['permissions boundary'] : []), ...(inlineIdx >= 0 ? ['inline policy'] : [])].join(' and ');
  const L: string[] = [
    '#!/usr/bin/env bash',
    `# Generated by leash: fix for IAM Identity Center permission set ${commentText(ic.permissionSetName)} (role ${commentText(target.principalName)} in account ${commentText(target.accountId)}).`,
    '# IAM refuses changes to AWSReservedSSO_* roles, and Identity Center would overwrite them: this script',
    '# changes the permission set and provisions it. Dry run unless given --apply; it saves the current',
    '# state first, and `apply.sh --rollback <that dir> --apply` puts it back. Use --profile for this',
    '# account (the boundary policy is created here) and --sso-profile for the Identity Center instance.',
    '# Run again, it does nothing while the permission set holds what the last run here left.',
    '# After each provisioning it starts it waits for its end (sso-admin describe-permission-set-provisioning-status,',
    `# every ${PS_POLL_SECONDS} s): at most PROVISIONING_TIMEOUT seconds (environment; default ${PS_TIMEOUT_SECONDS}, 0 reads once). Exit 1 when`,
    '# it FAILED (its reason shown), 3 when it is still IN_PROGRESS at the timeout or its status cannot be read.',
    `# The steps every fix shares are functions of fixes/${lib().path}.`,
    ...notSafe.head,
    'set -Eeuo pipefail',
    '',
    `PRINCIPAL_NAME=${q(target.principalName)}`,
    `ACCOUNT_ID=${q(target.accountId)}`,
    '# shellcheck disable=SC2034 # for the reader: the permission set the ARNs below must name',
    `PERMISSION_SET_NAME=${q(ic.permissionSetName)}`,
    `# ${ic.instanceArn ? 'Read by the scan (sso-admin ListInstances).' : 'Not collected by the scan: fill in, or export INSTANCE_ARN (aws sso-admin list-instances).'}`,
    `INSTANCE_ARN="\${INSTANCE_ARN:-${ic.instanceArn ?? 'REPLACE-WITH-IDENTITY-CENTER-INSTANCE-ARN'}}"`,
    `# ${ic.permissionSetArn ? 'Read by the scan (sso-admin ListPermissionSets + DescribePermissionSet).' : 'Not collected by the scan: fill in, or export PERMISSION_SET_ARN (aws sso-admin list-permission-sets, then describe-permission-set to match the name).'}`,
    `PERMISSION_SET_ARN="\${PERMISSION_SET_ARN:-${ic.permissionSetArn ?? 'REPLACE-WITH-PERMISSION-SET-ARN'}}"`,
    "# What a run again compares with the last (ps_already_applied): this plan's files, and the ARNs above.",
    `PLAN_FILES=(apply.sh${files.map((f) => ` ${f}`).join('')}${shared ? ` ${q(`../${sharedBoundaryDir(boundary!.name)}/boundary.json`)}` : ''})`,
    ...libLoader(),
    '',
    ...provisioningLines(ps, held),
    '',
    "# applied_value FILE: the library's, for a permission set: a setting this script makes, as it is now,",
    '# read the way the backup reads it. The library\'s record_applied and unchanged_since_apply call it.',
    'applied_value() {',
    '  case "$1" in',
    // No boundary is an error from the API: null, as in the backup.
    ...(boundary ? [`    ${PS_BOUNDARY_FILE}) sso_aws sso-admin get-permissions-boundary-for-permission-set ${ps} --query PermissionsBoundary --output json 2>/dev/null || echo null ;;`] : []),
    ...(inlineIdx >= 0 ? [`    ${PS_INLINE_FILE}) sso_aws sso-admin get-inline-policy-for-permission-set ${ps} --query InlinePolicy --output text ;;`] : []),
    ...(own ? [`    ${PS_POLICY_FILE}) aws_ iam get-policy --policy-arn ${arnOf(boundary.name)} --query '[Policy.PolicyId,Policy.DefaultVersionId]' --output text ;;`] : []),
    '  esac',
    '}',
    '',
    '# ps_put_back DIR FILE (--apply only; read-only): true when the setting already holds what DIR saved (a rollback run again).',
    'ps_put_back() { [ "$DRY_RUN" = 0 ] && [ -f "$1/$2" ] && [ "$(applied_value "$2" 2>/dev/null)" = "$(cat "$1/$2")" ]; }',
    ...(own ? ownBoundaryLines(ps, boundary.name) : []),
    '',
    '# ---- rollback (--rollback DIR) ----',
    'rollback() {',
    '  local dir="$1" put=0',
    '  rollback_begin "$dir" permission-set-boundary.json # sts get-caller-identity (the account check)',
    '  # A setting that already holds what was saved (a rollback run again) is not put back again, nor provisioned for.',
    '  # A setting changed after apply.sh set it is left as it is, said (unchanged_since_apply).',
  ];
  // A saved setting put back, or removed when there was none, while it is still what that run left.
  const restore = (file: string, now: string, saved: string, put: string, remove: string) => [
    `  if ps_put_back "$dir" ${file}; then`,
    `    echo "Already put back: ${file} holds what $(LC_ALL=C printf '%q' "$dir") saved."`,
    `  elif unchanged_since_apply "$dir" ${file}; then # ${now}`,
    '    put=1',
    `    if ${saved}; then`,
    `      sso_undo ${put}`,
    '    else',
    `      sso_undo ${remove}`,
    '    fi',
    '  fi',
  ];
  if (inlineIdx >= 0) {
    L.push(...restore(PS_INLINE_FILE, 'sso-admin get-inline-policy-for-permission-set (the policy now)',
      // None, or empty (Identity Center's answer for a permission set without one: the text output is a blank line): deleted.
      '[ -n "$(tr -d \'[:space:]\' < "$dir/permission-set-inline-policy.json")" ] && [ "$(cat "$dir/permission-set-inline-policy.json")" != None ]',
      `sso-admin put-inline-policy-to-permission-set ${ps} --inline-policy "file://$dir/permission-set-inline-policy.json"`,
      `sso-admin delete-inline-policy-from-permission-set ${ps}`));
  }
  if (boundary) {
    L.push(...restore(PS_BOUNDARY_FILE, 'sso-admin get-permissions-boundary-for-permission-set (the boundary now)',
      '[ "$(cat "$dir/permission-set-boundary.json")" != null ]',
      `sso-admin put-permissions-boundary-to-permission-set ${ps} --permissions-boundary "file://$dir/permission-set-boundary.json"`,
      `sso-admin delete-permissions-boundary-from-permission-set ${ps}`));
  }
  L.push(
    '  # Provisioned only when something was put back: a change kept is its author\'s to provision.',
    '  if [ "$put" = 1 ]; then',
    '    if ps_provision; then ps_wait_provisioning rollback "$dir"; else FAILED=$((FAILED + 1)); echo "  ^ failed: the permission set holds the saved state again, but no account was provisioned with it" >&2; fi',
    '  fi',
  );
  // Deleted only by the rollback of the run that created it (a run again found it in place: PS_KEPT_FILE),
  // only while it is the policy that run created, and only once no account can hold it as its role's
  // boundary any more (ps_boundary_policy_unused): the old control back in every account first.
  if (own) {
    L.push(
      `  if [ -f "$dir/${PS_KEPT_FILE}" ]; then echo "The boundary policy "${q(boundary.name)}" stays: an earlier run here created it (the rollback of that run deletes it).";`,
      `  elif ps_boundary_policy_ours "$dir" && ps_boundary_policy_unused "$put"; then`,
      `    if ! change iam delete-policy --policy-arn ${arnOf(boundary.name)}; then`,
      '      FAILED=$((FAILED + 1))',
      `      echo "  ^ failed: the boundary policy "${q(boundary.name)}" stays (IAM refuses to delete a policy a role still holds as its boundary: DeleteConflict). Once no role uses it, run this rollback again, or:" >&2`,
      `      show '  ' iam delete-policy --policy-arn ${arnOf(boundary.name)} >&2`,
      '    fi',
      '  fi',
    );
  }
  if (boundary && shared) L.push(`  echo "The shared boundary "${q(boundary.name)}" stays: other principals may use it (fixes/${sharedBoundaryDir(boundary.name)}/README.md says how to remove it)."`);
  L.push(
    '  rollback_end',
    '}',
    'if [ -n "$ROLLBACK_DIR" ]; then rollback "$ROLLBACK_DIR"; exit 0; fi',
    '',
    '# ---- a run again: nothing to do while the permission set holds what the last run here left ----',
    "# ps_plan_digest: the plan's files (the library's plan_digest) and the permission set they are applied to.",
    'ps_plan_digest() { plan_digest; printf \'%s\\n\' "$INSTANCE_ARN" "$PERMISSION_SET_ARN"; }',
    `# ps_already_applied: with --apply, when the newest backup here is of a successful run made from these`,
    `# same files (${PS_PLAN_FILE}) and each setting is still what it left (applied-*), says so and exits 0:`,
    '# no backup, no change, no provisioning unless an account holds an older copy of the permission set',
    '# (then it is provisioned again, nothing else). Changed since (a boundary removed or replaced, an inline policy',
    '# edited): applied again, saying so, its current state saved first (so a rollback of that run puts it back).',
    ...(own ? ['# BOUNDARY_OURS=1: the boundary policy that run created is still there, unchanged: not created again.', 'BOUNDARY_OURS=0'] : []),
    'ps_already_applied() {',
    `  local b last='' f settings=(${settings.join(' ')})`,
    '  if [ "$DRY_RUN" = 1 ]; then echo "[dry run] (with --apply: if the permission set still holds what the last run here left from these files, nothing is done)"; return 0; fi',
    '  for b in "$SCRIPT_DIR"/backup-*/; do if [ -d "$b" ]; then last="${b%/}"; fi; done',
    `  { [ -n "$last" ] && [ -f "$last/${PS_PLAN_FILE}" ]; } || return 0`,
    `  [ "$(ps_plan_digest)" = "$(cat "$last/${PS_PLAN_FILE}")" ] || return 0`,
    ...(own ? [`  if [ "$(applied_value ${PS_POLICY_FILE} 2>/dev/null)" = "$(cat "$last/applied-${PS_POLICY_FILE}")" ]; then BOUNDARY_OURS=1; fi`] : []),
    '  for f in "${settings[@]}"; do',
    '    if [ ! -f "$last/applied-$f" ] || [ "$(applied_value "$f" 2>/dev/null)" != "$(cat "$last/applied-$f")" ]; then f=changed; break; fi',
    '  done',
    // The shared boundary policy gone since (shared_boundary_check found none): created again.
    ...(shared ? ['  if [ -z "$BOUNDARY_POLICY_ID" ]; then f=changed; fi'] : []),
    '  if [ "$f" = changed ]; then',
    '    echo "Changed since the run saved in $last: permission set $(LC_ALL=C printf \'%q\' "$PERMISSION_SET_NAME") no longer holds what it left; applied again (its current state is saved first, so a rollback of this run puts that back)."',
    '    return 0',
    '  fi',
      // Provisioning is asynchronous and per account: it can fail in one after the run reported
    // success, or an account added since holds an older copy. Those accounts are provisioned again;
    // nothing else is changed (the permission set already holds what the run left).
    '  local stale',
    `  if ! stale=$(sso_aws sso-admin list-accounts-for-provisioned-permission-set ${ps} --provisioning-status LATEST_PERMISSION_SET_NOT_PROVISIONED --query AccountIds --output text 2>/dev/null); then`,
    `    echo "Already applied: permission set $(LC_ALL=C printf '%q' "$PERMISSION_SET_NAME") holds the ${held} the run saved in $last left. Nothing done; whether every account holds the latest copy could not be read (sso-admin list-accounts-for-provisioned-permission-set failed): see the permission set's accounts in the IAM Identity Center console."`,
    '    exit 0',
    '  fi',
    "  stale=$(printf '%s' \"$stale\" | tr -s '[:space:]' ' ' | tr -cd '0-9 ' | sed 's/^ *//; s/ *$//')",
    '  if [ -n "$stale" ]; then',
    `    echo "Already applied, not provisioned everywhere: permission set $(LC_ALL=C printf '%q' "$PERMISSION_SET_NAME") holds the ${held} the run saved in $last left, but account(s) $stale hold an older copy; provisioned again (no backup, no other change)."`,
    '    ps_provision',
    '    ps_wait_provisioning again "$last"',
    '    exit 0',
    '  fi',
    `  echo "Already applied: permission set $(LC_ALL=C printf '%q' "$PERMISSION_SET_NAME") holds the ${held} the run saved in $last left, in every account it is provisioned to. Nothing to do (no backup, no change, not provisioned again)."`,
    '  exit 0',
    '}',
    '',
    '# ---- checks: nothing changes unless all pass ----',
    ...notSafe.check,
    ...(files.length > 0 ? [`require_files ${files.join(' ')}`] : []),
    'if [ "$DRY_RUN" = 0 ]; then',
    '  case "$INSTANCE_ARN$PERMISSION_SET_ARN" in *REPLACE-WITH-*) die "fill in INSTANCE_ARN and PERMISSION_SET_ARN (or export them) before --apply" ;; esac',
    'fi',
    'check_account # sts get-caller-identity: the credentials must be for ACCOUNT_ID',
  );
  if (shared) L.push(...shared.check);
  L.push(`ps_already_applied # read-only (sso-admin get-permissions-boundary-for-permission-set${inlineIdx >= 0 ? ', get-inline-policy-for-permission-set' : ''}${own ? ', iam get-policy' : ''}, list-accounts-for-provisioned-permission-set): stops, saying so, when the last run here is still in place (provisioning again accounts that hold an older copy)`);
  if (own) L.push(`if [ "$BOUNDARY_OURS" = 0 ]; then require_new_policy ${q(boundary.name)}; fi # iam get-policy: stops if it already exists (unless a run here created it)`);
  L.push(
    '',
    '# ---- 1. backup of the current state ----',
    'backup_begin # backup-<UTC time>/ beside this script',
    `sso_save permission-set.json sso-admin describe-permission-set ${ps} --output json`,
    '# No boundary yet is an error from the API: recorded as null, which rollback turns into a delete.',
    `if [ "$DRY_RUN" = 1 ]; then sso_show '[dry run]' sso-admin get-permissions-boundary-for-permission-set ${ps} --query PermissionsBoundary --output json; else sso_aws sso-admin get-permissions-boundary-for-permission-set ${ps} --query PermissionsBoundary --output json > "$BACKUP_DIR/permission-set-boundary.json" 2>/dev/null || echo null > "$BACKUP_DIR/permission-set-boundary.json"; fi`,
    `sso_save permission-set-inline-policy.json sso-admin get-inline-policy-for-permission-set ${ps} --query InlinePolicy --output text`,
    ...(own ? [`if [ "$DRY_RUN" = 0 ] && [ "$BOUNDARY_OURS" = 1 ]; then : > "$BACKUP_DIR/${PS_KEPT_FILE}"; fi # this run does not create the boundary policy: its rollback keeps it`] : []),
    'backup_done',
    '',
    '# ---- 2. changes ----',
  );
  if (boundary) {
    if (shared) L.push(...shared.create);
    else L.push(`if [ "$BOUNDARY_OURS" = 0 ]; then change iam create-policy --policy-name ${q(boundary.name)} --description ${q(`leash: permissions boundary for permission set ${ic.permissionSetName}`.slice(0, 1000))} --policy-document ${file(boundaryIdx)}; fi`);
    L.push(`sso_change sso-admin put-permissions-boundary-to-permission-set ${ps} --permissions-boundary ${q(JSON.stringify({ CustomerManagedPolicyReference: { Name: boundary.name, Path: '/' } }))}`);
  }
  if (inlineIdx >= 0) L.push(`sso_change sso-admin put-inline-policy-to-permission-set ${ps} --inline-policy ${file(inlineIdx)}`);
  L.push(
    '# Pushes the change to every account the permission set is provisioned to (sso-admin provision-permission-set).',
    'ps_provision',
  );
  if (settings.length > 0) L.push(`record_applied ${settings.join(' ')} # read-only, as ps_already_applied reads: what this run left (a run again and a rollback compare with it)`);
  L.push(
    `if [ "$DRY_RUN" = 0 ]; then ps_plan_digest > "$BACKUP_DIR/${PS_PLAN_FILE}"; fi # last of the changes: a run that stopped before it is not taken for applied`,
    '# Recorded before the wait: the permission set holds this run\'s change whether or not every account takes it,',
    '# and a run again then provisions only the accounts that hold an older copy.',
    'ps_wait_provisioning apply "$BACKUP_DIR" # read-only: sso-admin describe-permission-set-provisioning-status until it ends, list-accounts-for-provisioned-permission-set',
    'finish',
  );
  return `${L.join('\n')}\n`;
}

/**
 * A bash function NAME TEXT that prints text AWS returned (a provisioning's FailureReason) as one line
 * of letters, digits, spaces and . , : ; _ / = + @ ( ) ' - only, at most 500 characters, as scripts
 * cut account ids to digits: no escape sequence, no $, backquote or backslash reaches the terminal
 * or a line someone copies from it. One definition for apply.sh and contain.sh.
 */
export function shellSafeTextFunction(name: string): string {
  return `${name}() { printf '%s' "$1" | LC_ALL=C tr -s '[:space:]' ' ' | LC_ALL=C tr -cd "A-Za-z0-9 .,:;_/=+@()'-" | cut -c1-500; }`;
}

/** How often (seconds) an Identity Center apply.sh reads a provisioning's status, and how long it waits by default. */
const PS_POLL_SECONDS = 5;
const PS_TIMEOUT_SECONDS = 300;
/** The longest wait PROVISIONING_TIMEOUT may ask for (a day): bash arithmetic is only given a number it holds. */
const PS_TIMEOUT_MAX = 86400;

/**
 * Provisioning is asynchronous: ProvisionPermissionSet answers with a request (usually IN_PROGRESS)
 * that DescribePermissionSetProvisioningStatus follows to SUCCEEDED or FAILED. A reviewer running
 * apply.sh needs to know whether it took, so every provisioning the script starts (the run, a run
 * again for accounts holding an older copy, a rollback) is followed to its end, bounded by
 * PROVISIONING_TIMEOUT, with reads only. The FailureReason is AWS's text, so hostile: cut to safe
 * characters as account ids are cut to digits. The script's own lines, not the library's: every
 * other apply.sh stays byte for byte what it was. `ps` is the script's instance and permission-set
 * arguments; `held` what the permission set is given (its boundary, inline policy).
 */
function provisioningLines(ps: string, held: string): string[] {
  return provisioningShell({
    script: 'apply.sh', ps, instance: '"$INSTANCE_ARN"', target: '--target-type ALL_PROVISIONED_ACCOUNTS',
    dryRun: '[ "$DRY_RUN" = 1 ]', dryRunLabel: '[dry run]', nameVar: 'PERMISSION_SET_NAME', marksChange: true,
    notDone: applyNotDone(ps, held),
  });
}

/**
 * apply.sh's ps_not_done MODE DIR CODE WHO: after a provisioning that FAILED (CODE 1) or whose end is
 * not known (CODE 3), what the permission set holds and how to go on or back (WHO: the accounts that
 * hold an older copy, if known); exits CODE, except in a rollback, where it is one more failed step
 * (rollback_end exits 1).
 */
function applyNotDone(ps: string, held: string): string[] {
  return String.raw`
# ps_not_done MODE DIR CODE WHO: after a provisioning that FAILED (CODE 1) or whose end is not known (CODE 3),
# what the permission set holds and how to go on or back (WHO: the accounts that hold an older copy, if
# known); exits CODE, except in a rollback, where it is one more failed step (rollback_end exits 1).
ps_not_done() {
  local mode="$1" dir="$2" code="$3" who="$4" name next='Once the reason above is dealt with'
  name=$(LC_ALL=C printf '%q' "$PERMISSION_SET_NAME")
  [ "$code" = 1 ] || next='If it ends FAILED, once its reason is dealt with'
  case "$mode" in
    apply) echo "Permission set $name holds this run's change (its __HELD__); $who. $next, run this script again with --apply: it provisions again only the accounts that hold an older copy, nothing else. Or undo this run:" >&2 ;;
    again) echo "Permission set $name holds what the run saved in $dir left (its __HELD__); $who. $next, run this script again with --apply. Or undo that run:" >&2 ;;
    rollback) echo "Permission set $name holds the state saved in $dir again; $who. $next, provision it again:" >&2
      sso_show '  ' sso-admin provision-permission-set __PS__ --target-type ALL_PROVISIONED_ACCOUNTS >&2
      FAILED=$((FAILED + 1))
      return 0 ;;
  esac
  LC_ALL=C printf '  %q --rollback %q --apply\n' "$0" "$dir" >&2
  exit "$code"
}`.trim().split('\n').map((l) => l.replaceAll('__PS__', ps).replaceAll('__HELD__', held || 'change'));
}

/** How an Identity Center script provisions and waits: its own names for what differs between apply.sh and contain's scripts. */
export interface ProvisioningShell {
  /** The script's name, in its messages. */
  readonly script: string;
  /** The instance and permission-set arguments of sso-admin. */
  readonly ps: string;
  /** The instance ARN as a shell word (the status read takes only it). */
  readonly instance: string;
  /** provision-permission-set's target arguments. */
  readonly target: string;
  /** A shell test that is true in a dry run. */
  readonly dryRun: string;
  /** What a dry run prints before the provisioning it would start. */
  readonly dryRunLabel: string;
  /** The shell variable holding the permission set's name. */
  readonly nameVar: string;
  /** apply.sh's library counts a provisioning as a change (CHANGED=1). */
  readonly marksChange: boolean;
  /**
   * The script's ps_not_done MODE DIR CODE WHO: what it says and does after a provisioning that
   * FAILED (CODE 1) or whose end is not known (CODE 3); WHO names the accounts that hold an older copy.
   */
  readonly notDone: readonly string[];
}

/**
 * The provisioning every Identity Center script shares (apply.sh, contain.sh, undo.sh): the
 * PROVISIONING_TIMEOUT check, ps_safe_text, ps_accounts, ps_provision and ps_wait_provisioning. The
 * script defines sso_aws (aws with its Identity Center credentials) and sso_show (prints such a
 * call, quoted) before calling them.
 */
export function provisioningShell(o: ProvisioningShell): string[] {
  const text = String.raw`
# ---- provisioning, and waiting for it to end ----
# PROVISIONING_TIMEOUT (environment): how many seconds --apply waits for a provisioning it starts to end,
# reading its status every __POLL__ s (default __TIMEOUT__; 0 reads it once). Checked before anything is sent.
PROVISIONING_TIMEOUT="${"$"}{PROVISIONING_TIMEOUT:-__TIMEOUT__}"
case "$PROVISIONING_TIMEOUT" in
  ''|*[!0-9]*|??????*) LC_ALL=C printf '__SCRIPT__: PROVISIONING_TIMEOUT must be a whole number of seconds from 0 to __MAX__, not %q\n' "$PROVISIONING_TIMEOUT" >&2; exit 2 ;;
esac
PROVISIONING_TIMEOUT=$((10#$PROVISIONING_TIMEOUT)) # 10#: a leading 0 is not octal
[ "$PROVISIONING_TIMEOUT" -le __MAX__ ] || { echo "__SCRIPT__: PROVISIONING_TIMEOUT must be at most __MAX__ seconds (a day), not $PROVISIONING_TIMEOUT" >&2; exit 2; }
PS_REQUEST_ID=''
# PS_OUTCOME: how the last provisioning ps_wait_provisioning followed ended: SUCCEEDED, FAILED, UNKNOWN ('' before one).
# shellcheck disable=SC2034 # (here and in the two functions below) read by a rollback that deletes the boundary policy it created, and by contain's scripts
PS_OUTCOME=''
# ps_safe_text TEXT: text AWS returned (a FailureReason, a status) as one line of letters, digits, spaces and
# . , : ; _ / = + @ ( ) ' - only, at most 500 characters, as account ids are cut to digits: no escape
# sequence, no $, backquote or backslash reaches the terminal or a line someone copies from it.
__SAFE_TEXT__
# ps_accounts STATUS: the accounts, digits only, that list-accounts-for-provisioned-permission-set names
# with that ProvisioningStatus (read-only); fails when the listing does.
ps_accounts() {
  local ids
  ids=$(sso_aws sso-admin list-accounts-for-provisioned-permission-set __PS__ --provisioning-status "$1" --query AccountIds --output text 2>/dev/null) || return 1
  printf '%s' "$ids" | tr -s '[:space:]' ' ' | tr -cd '0-9 ' | sed 's/^ *//; s/ *$//'
}
# ps_provision: sso-admin provision-permission-set to every account the permission set is provisioned to
# (a change: only printed in a dry run). PS_REQUEST_ID: the request it started (its answer's
# PermissionSetProvisioningStatus.RequestId, cut to letters, digits and -), which ps_wait_provisioning follows.
# shellcheck disable=SC2034 # PS_OUTCOME
ps_provision() {
  PS_REQUEST_ID=''
  PS_OUTCOME=''
  if __DRY__; then
    sso_show '__DRY_LABEL__' sso-admin provision-permission-set __PS__ __TARGET__
    echo "    (then waits for it to end, at most $PROVISIONING_TIMEOUT s: sso-admin describe-permission-set-provisioning-status every __POLL__ s)"
    return 0
  fi
__CHANGED__
  sso_show '+' sso-admin provision-permission-set __PS__ __TARGET__
  PS_REQUEST_ID=$(sso_aws sso-admin provision-permission-set __PS__ __TARGET__ --query PermissionSetProvisioningStatus.RequestId --output text) || return 1
  PS_REQUEST_ID=$(printf '%s' "$PS_REQUEST_ID" | LC_ALL=C tr -cd 'A-Za-z0-9-' | cut -c1-128)
}
__NOT_DONE__
# ps_wait_provisioning MODE DIR (--apply only; read-only): reads the status of the request ps_provision
# started until it is SUCCEEDED or FAILED, every __POLL__ s for at most PROVISIONING_TIMEOUT seconds, and says
# which. MODE: apply (this run's change, DIR its backup), again (a run again that provisioned accounts
# holding an older copy, DIR the backup of the run it found) or rollback (DIR the backup put back).
# shellcheck disable=SC2317,SC2034 # the returns after ps_not_done (apply.sh's returns in a rollback, contain's scripts' exits); PS_OUTCOME
ps_wait_provisioning() {
  if __DRY__; then return 0; fi
  local mode="$1" dir="$2" out status='' unread=0 reason accounts start="$SECONDS" waited name
  name=$(LC_ALL=C printf '%q' "$__NAME_VAR__")
  if [ -z "$PS_REQUEST_ID" ]; then
    echo "Provisioning started, but sso-admin provision-permission-set answered without a request id: whether it took is not known; see the permission set's accounts in the IAM Identity Center console." >&2
    PS_OUTCOME=UNKNOWN
    ps_not_done "$mode" "$dir" 3 "some accounts may hold an older copy"
    return 0
  fi
  echo "Waiting for provisioning request $PS_REQUEST_ID to end (at most $PROVISIONING_TIMEOUT s; PROVISIONING_TIMEOUT sets it) ..."
  while :; do
    if ! out=$(sso_aws sso-admin describe-permission-set-provisioning-status --instance-arn __INSTANCE__ --provision-permission-set-request-id "$PS_REQUEST_ID" --query 'PermissionSetProvisioningStatus.[Status,FailureReason]' --output text 2>/dev/null); then
      unread=1
      break
    fi
    # Text output: the status, a tab, the reason (None when there is none).
    status=${"$"}{out%%$'\t'*}
    case "$status" in
      SUCCEEDED)
        if ! accounts=$(ps_accounts LATEST_PERMISSION_SET_PROVISIONED); then accounts='every account it is provisioned to (which ones could not be read: list-accounts-for-provisioned-permission-set failed)'
        elif [ -z "$accounts" ]; then accounts='every account it is provisioned to (none listed)'
        else accounts="account(s) $accounts"; fi
        echo "Provisioned: permission set $name is in effect in $accounts (request $PS_REQUEST_ID SUCCEEDED)."
        PS_OUTCOME=SUCCEEDED
        return 0 ;;
      FAILED)
        reason=''
        case "$out" in *$'\t'*) reason=$(ps_safe_text "${"$"}{out#*$'\t'}") ;; esac
        { [ -n "$reason" ] && [ "$reason" != None ]; } || reason='(no reason given)'
        echo "Provisioning FAILED (request $PS_REQUEST_ID): $reason" >&2
        if ! accounts=$(ps_accounts LATEST_PERMISSION_SET_NOT_PROVISIONED); then accounts='which accounts hold an older copy could not be read (list-accounts-for-provisioned-permission-set failed)'
        elif [ -z "$accounts" ]; then accounts='no account is listed as holding an older copy'
        else accounts="account(s) $accounts hold an older copy"; fi
        PS_OUTCOME=FAILED
        ps_not_done "$mode" "$dir" 1 "$accounts"
        return 0 ;;
    esac
    waited=$((SECONDS - start))
    [ "$waited" -lt "$PROVISIONING_TIMEOUT" ] || break
    sleep $((PROVISIONING_TIMEOUT - waited < __POLL__ ? PROVISIONING_TIMEOUT - waited : __POLL__))
  done
  if [ "$unread" = 1 ]; then
    echo "Provisioning request $PS_REQUEST_ID: its status could not be read (sso-admin describe-permission-set-provisioning-status failed), so whether it took is not known. Check with:" >&2
  else
    echo "Provisioning request $PS_REQUEST_ID is still $(ps_safe_text "$status") after $PROVISIONING_TIMEOUT s (PROVISIONING_TIMEOUT), so whether it took is not known yet. Check with:" >&2
  fi
  sso_show '  ' sso-admin describe-permission-set-provisioning-status --instance-arn __INSTANCE__ --provision-permission-set-request-id "$PS_REQUEST_ID" >&2
  echo "  (Status SUCCEEDED or FAILED; a FailureReason says why it failed.)" >&2
  PS_OUTCOME=UNKNOWN
  ps_not_done "$mode" "$dir" 3 "its accounts may hold an older copy until it ends"
}
`;
  return text.trim().split('\n').flatMap((l) => {
    if (l === '__NOT_DONE__') return [...o.notDone];
    if (l === '__CHANGED__') return o.marksChange ? ['  CHANGED=1'] : [];
    return [l.replaceAll('__SCRIPT__', o.script).replaceAll('__PS__', o.ps).replaceAll('__TARGET__', o.target).replaceAll('__INSTANCE__', o.instance)
      .replaceAll('__DRY_LABEL__', o.dryRunLabel).replaceAll('__DRY__', o.dryRun).replaceAll('__NAME_VAR__', o.nameVar)
      .replaceAll('__SAFE_TEXT__', shellSafeTextFunction('ps_safe_text')).replaceAll('__POLL__', String(PS_POLL_SECONDS)).replaceAll('__TIMEOUT__', String(PS_TIMEOUT_SECONDS)).replaceAll('__MAX__', String(PS_TIMEOUT_MAX))];
  });
}
