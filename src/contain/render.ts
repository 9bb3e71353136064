// A containment plan as files a person reads and runs: README.md (what, why, what it leaves
// open), the policy JSON, contain.sh (a dry run unless --apply) and undo.sh (removes only what
// contain.sh put there). Every value from the account is single-quoted in the scripts and escaped
// in the README; the scripts refuse to run against another account.
import { commentText, provisioningShell, shellQuote } from '../fix/render/aws-cli.js';
import { md } from '../fix/plan.js';
import { safeText } from '../safe/text.js';
import { SESSION_NAME, type ContainmentPlan } from './plan.js';

export interface ContainFile { readonly name: string; readonly content: string; readonly mode: number }

const t = (s: string) => md(safeText(s));

const SCOPE_TEXT: Readonly<Record<ContainmentPlan['scope'], string>> = {
  session: 'one session: a Deny of every action for the named session (or source identity) only',
  sessions: 'every session issued before a time: AWS\'s "revoke active sessions" Deny on aws:TokenIssueTime',
  all: 'everything: AWSDenyAll attached (new sessions, access keys and console sign-in refused too)',
};

function head(p: ContainmentPlan, what: string, usesHere = true): string[] {
  return [
    '#!/usr/bin/env bash',
    `# leash contain: ${what} for ${commentText(p.principal.arn)}.`,
    '# A dry run unless given --apply. Written by leash; nothing here runs by itself.',
    'set -euo pipefail',
    `ACCOUNT=${shellQuote(p.account)}`,
    `NAME=${shellQuote(p.principal.name)}`,
    ...(usesHere ? ['here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"'] : []),
    'apply=0',
    'case "${1:-}" in --apply) apply=1 ;; "") ;; *) echo "usage: $0 [--apply]" >&2; exit 2 ;; esac',
    'actual="$(aws sts get-caller-identity --query Account --output text)"',
    'if [ "$actual" != "$ACCOUNT" ]; then echo "These credentials are for account $actual, not $ACCOUNT: nothing done." >&2; exit 1; fi',
    'run() { if [ "$apply" = 1 ]; then "$@"; else printf \'would run:\'; printf \' %q\' "$@"; printf \'\\n\'; fi; }',
  ];
}

/**
 * The shell both Identity Center scripts share: jq (to edit the permission set's inline policy
 * without losing a person's statements), the instance and the permission set looked up by name
 * (or taken from INSTANCE_ARN / PERMISSION_SET_ARN), and provisioning that waits for its end, the
 * same lines an Identity Center fix's apply.sh uses (aws-cli.ts provisioningShell: bounded by
 * PROVISIONING_TIMEOUT, AWS's text cut). These run with Identity Center's credentials (management
 * account or delegated administrator), so instead of the account check they refuse a permission
 * set not provisioned to the account. `notDone`: the script's ps_not_done (what is in force when
 * the provisioning FAILED or did not end in time).
 */
function ssoHead(p: ContainmentPlan, ic: NonNullable<ContainmentPlan['identityCenter']>, what: string, usesHere: boolean, script: string, notDone: string[]): string[] {
  return [
    '#!/usr/bin/env bash',
    `# leash contain: ${what} for ${commentText(p.principal.arn)},`,
    `# through IAM Identity Center permission set ${commentText(ic.permissionSetName)} (IAM refuses changes to the role itself).`,
    '# Run it with Identity Center\'s credentials: the management account or its delegated administrator.',
    '# A dry run unless given --apply. Written by leash; nothing here runs by itself.',
    '# It waits for the provisioning it starts (sso-admin describe-permission-set-provisioning-status, every 5 s):',
    '# at most PROVISIONING_TIMEOUT seconds (environment; default 300, 0 reads once). Exit 0 when it SUCCEEDED,',
    '# 1 when it FAILED or was refused before any change (its reason shown: not contained), 3 when it is still in',
    '# progress then or its status cannot be read (not known to be contained).',
    'set -euo pipefail',
    `ACCOUNT=${shellQuote(p.account)}`,
    `PERMISSION_SET=${shellQuote(ic.permissionSetName)}`,
    `SID_PREFIX=${shellQuote(ic.sidPrefix)}`,
    ic.allAccounts ? 'TARGET=(--target-type ALL_PROVISIONED_ACCOUNTS)' : 'TARGET=(--target-type AWS_ACCOUNT --target-id "$ACCOUNT")',
    ic.region ? `REGION_ARGS=(--region ${shellQuote(ic.region)})` : 'REGION_ARGS=()',
    ...(usesHere ? ['here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"'] : []),
    'apply=0',
    'case "${1:-}" in --apply) apply=1 ;; "") ;; *) echo "usage: $0 [--apply]" >&2; exit 2 ;; esac',
    '# sso_aws: aws with these credentials in the instance\'s region; sso_show LABEL ARGS…: such a call, printed quoted.',
    'sso_aws() { aws ${REGION_ARGS[@]+"${REGION_ARGS[@]}"} "$@"; }',
    'sso_show() { printf \'%s aws\' "$1"; shift; LC_ALL=C printf \' %q\' ${REGION_ARGS[@]+"${REGION_ARGS[@]}"} "$@"; printf \'\\n\'; }',
    '',
    ...provisioningShell({
      script, ps: '--instance-arn "$instance" --permission-set-arn "$ps"', instance: '"$instance"', target: '"${TARGET[@]}"',
      dryRun: '[ "$apply" = 0 ]', dryRunLabel: 'would run:', nameVar: 'PERMISSION_SET', marksChange: false, notDone,
    }),
    '# ps_stale_here: the accounts this plan provisions to that hold an older copy of the permission set (read-only; fails when unreadable).',
    'ps_stale_here() {',
    '  local ids',
    '  ids=$(ps_accounts LATEST_PERMISSION_SET_NOT_PROVISIONED) || return 1',
    ic.allAccounts ? '  printf \'%s\' "$ids"' : '  case " $ids " in *" $ACCOUNT "*) printf \'%s\' "$ACCOUNT" ;; esac',
    '}',
    '',
    'command -v jq >/dev/null || { echo "This script needs jq to edit the permission set\'s inline policy without losing its other statements: nothing done." >&2; exit 1; }',
    'sso() { aws sso-admin ${REGION_ARGS[@]+"${REGION_ARGS[@]}"} "$@"; }',
    'run_sso() { if [ "$apply" = 1 ]; then sso "$@"; else printf \'would run: aws sso-admin\'; printf \' %q\' ${REGION_ARGS[@]+"${REGION_ARGS[@]}"} "$@"; printf \'\\n\'; fi; }',
    'instance="${INSTANCE_ARN:-$(sso list-instances --query \'Instances[0].InstanceArn\' --output text)}"',
    'if [ -z "$instance" ] || [ "$instance" = None ]; then echo "These credentials see no IAM Identity Center instance: use the management account\'s (or the delegated administrator\'s) in Identity Center\'s region. Nothing done." >&2; exit 1; fi',
    'ps="${PERMISSION_SET_ARN:-}"',
    'if [ -z "$ps" ]; then',
    '  while read -r arn; do',
    '    if [ -n "$arn" ] && [ "$(sso describe-permission-set --instance-arn "$instance" --permission-set-arn "$arn" --query PermissionSet.Name --output text)" = "$PERMISSION_SET" ]; then ps="$arn"; break; fi',
    '  done < <(sso list-permission-sets-provisioned-to-account --instance-arn "$instance" --account-id "$ACCOUNT" --output json | jq -r \'.PermissionSets[]?\')',
    'fi',
    'if [ -z "$ps" ]; then echo "No permission set named $PERMISSION_SET is provisioned to account $ACCOUNT in $instance: nothing done." >&2; exit 1; fi',
    'current="$(sso get-inline-policy-for-permission-set --instance-arn "$instance" --permission-set-arn "$ps" --output json | jq -r \'.InlinePolicy // ""\')"',
    '# Statement as a list (a policy may hold one statement object); ours($p): a statement of this plan.',
    '# shellcheck disable=SC2016 # $p is jq\'s, not the shell\'s',
    String.raw`JQ_DEFS='def stmts: (.Statement // []) | if type == "array" then . else [.] end; def ours($p): (.Sid // "") | tostring | startswith($p);'`,
    String.raw`count_ours() { printf '%s' "$1" | jq --arg p "$SID_PREFIX" "$JQ_DEFS"' [stmts[] | select(ours($p))] | length'; }`,
  ];
}

/** Where the plan's provisioning goes, in words (shell text: $ACCOUNT expands). */
const whereText = (ic: NonNullable<ContainmentPlan['identityCenter']>) => (ic.allAccounts ? 'every account it is provisioned to' : 'account $ACCOUNT');

/**
 * A run again, and the provisioning of a run: `again` prints what the permission set holds when it
 * already holds the change (the plan's Deny, or none of it) and provisions again only when an
 * account of the plan holds an older copy; nothing to provision sends no provisioning and no
 * status read. `done` is said once a provisioning SUCCEEDED.
 */
function provisionLines(mode: 'contain' | 'undo', holds: string, pending: string, done: string, dryRun: string): string[] {
  return [
    `  if ! stale=$(ps_stale_here); then echo "${holds}; whether its accounts hold its latest copy could not be read (sso-admin list-accounts-for-provisioned-permission-set failed): see the permission set's accounts in the IAM Identity Center console." >&2; exit 3; fi`,
    '  if [ -n "$stale" ]; then',
    `    echo "${holds}, but account(s) $stale hold an older copy${mode === 'contain' ? ' without it' : ', which may still hold the Deny'}: provisioning again (nothing else is changed)."`,
    `    if ! ps_provision; then ps_not_done ${mode} "" 1 "account(s) $stale hold an older copy (provisioning could not be started)"; fi`,
    `    if [ "$apply" = 1 ]; then echo "${pending}"; fi`,
    `    ps_wait_provisioning ${mode} ""`,
    `    if [ "$PS_OUTCOME" = SUCCEEDED ]; then echo "${done}"; else echo "${dryRun}"; fi`,
    '    exit 0',
    '  fi',
  ];
}

/** "permission set NAME", the name as the shell quotes it (printf %q: no control character reaches the terminal). */
const PS_NAME = '$(LC_ALL=C printf \'%q\' "$PERMISSION_SET")';

/**
 * contain.sh's ps_not_done: containment is urgent, so it says first what is in force (the Deny is
 * in the permission set, but an account has it only once a provisioning reaches it), then how to
 * go on: run again (provisions only), or an SCP, which takes effect without Identity Center.
 */
function containNotDone(ic: NonNullable<ContainmentPlan['identityCenter']>, file: string): string[] {
  const where = whereText(ic);
  return notDoneFunction([
    '  if [ "$code" = 1 ]; then',
    '    echo "NOT CONTAINED: permission set $name holds the Deny, but $who: where a copy is older the Deny is not in force, and the role\'s sessions there act without it." >&2',
    '    echo "Once the reason above is dealt with, run ./contain.sh --apply again: it provisions again the accounts that hold an older copy, nothing else." >&2',
    '  else',
    `    echo "NOT KNOWN TO BE CONTAINED yet: permission set $name holds the Deny, but $who: the Deny is in force in ${where} only once the provisioning has reached it." >&2`,
    '    echo "Once it has ended, run ./contain.sh --apply again: it says whether the Deny is in force and provisions again the accounts that hold an older copy." >&2',
    '  fi',
    `  echo "Meanwhile, to stop the role without Identity Center: attach the statements of ${file} as an SCP on ${ic.allAccounts ? 'every account the permission set is provisioned to' : 'account $ACCOUNT'} in AWS Organizations. Undo: ./undo.sh --apply" >&2`,
  ]);
}

/** undo.sh's ps_not_done: the Deny is out of the permission set, but still in force where the copy is older. */
function undoNotDone(ic: NonNullable<ContainmentPlan['identityCenter']>): string[] {
  return notDoneFunction([
    '  if [ "$code" = 1 ]; then',
    '    echo "NOT UNDONE everywhere: permission set $name no longer holds the Deny, but $who: where a copy is older the Deny is still in force." >&2',
    '    echo "Once the reason above is dealt with, run ./undo.sh --apply again: it provisions again the accounts that hold an older copy, nothing else." >&2',
    '  else',
    `    echo "NOT KNOWN TO BE UNDONE yet: permission set $name no longer holds the Deny, but $who: the Deny stays in force in ${whereText(ic)} until the provisioning has reached it." >&2`,
    '    echo "Once it has ended, run ./undo.sh --apply again: it says whether the accounts hold the latest copy and provisions again those that do not." >&2',
    '  fi',
  ]);
}

/** The shell function ps_not_done around a script's own lines (they read $code, $who and $name). */
function notDoneFunction(body: string[]): string[] {
  return [
    '# ps_not_done MODE DIR CODE WHO: the provisioning FAILED (CODE 1) or did not end in time (CODE 3): what is in force, what to do; exits CODE.',
    'ps_not_done() {',
    '  local code="$3" who="$4" name',
    '  name=$(LC_ALL=C printf \'%q\' "$PERMISSION_SET")',
    ...body,
    '  exit "$code"',
    '}',
  ];
}

/** The provisioning of a run that changed the permission set: what is in force while it is pending, the wait, the end. */
function provisionAndWait(mode: 'contain' | 'undo', pending: string, done: string): string[] {
  return [
    `if ! ps_provision; then ps_not_done ${mode} "" 1 "no account got the change: sso-admin provision-permission-set failed (above)"; fi`,
    `if [ "$apply" = 1 ]; then echo "${pending}"; fi`,
    `ps_wait_provisioning ${mode} ""`,
    `if [ "$PS_OUTCOME" = SUCCEEDED ]; then echo "${done}"; else echo "Dry run: nothing changed. Run again with --apply."; fi`,
  ];
}

function ssoContainScript(p: ContainmentPlan, ic: NonNullable<ContainmentPlan['identityCenter']>, inline: NonNullable<ContainmentPlan['inline']>): string {
  const where = whereText(ic);
  const pending = `The Deny is in permission set ${PS_NAME} now, but in force in ${where} only once this provisioning ends there: until then the role's sessions there act without it.`;
  const done = `Contained: the Deny is in force in ${where} (IAM may take a few minutes to apply it everywhere). Undo: ./undo.sh --apply`;
  const lines = ssoHead(p, ic, 'stop it now', true, 'contain.sh', containNotDone(ic, inline.file));
  lines.push(
    '# A run again: nothing to do while the accounts hold the Deny; provisioned again (nothing else) where one holds an older copy.',
    'if [ -n "$current" ] && [ "$(count_ours "$current")" != 0 ]; then',
    ...provisionLines('contain', "The permission set already holds this plan's Deny ($SID_PREFIX)", pending, done, 'Dry run: nothing changed. Run again with --apply.'),
    `  echo "The permission set already holds this plan's Deny ($SID_PREFIX), and ${where} holds its latest copy: nothing to do."`,
    '  exit 0',
    'fi',
    'work="$(mktemp -d)"',
    'trap \'rm -rf "$work"\' EXIT',
  );
  if (inline.timeFilledAtApply) {
    lines.push(
      'now="$(date -u +%Y-%m-%dT%H:%M:%SZ)"',
      `sed "s/${inline.timeFilledAtApply}/$now/" "$here/${inline.file}" > "$work/deny.json"`,
      'if grep -q "$now" "$work/deny.json"; then echo "Sessions issued before $now will be refused."; else echo "The file\'s time was edited: it is applied as written."; fi',
    );
  } else lines.push(`cp "$here/${inline.file}" "$work/deny.json"`);
  lines.push(
    String.raw`base="$current"; [ -n "$base" ] || base='{"Version":"2012-10-17","Statement":[]}'`,
    '# The permission set\'s statements as they are, then this plan\'s.',
    String.raw`printf '%s' "$base" | jq -c --slurpfile add "$work/deny.json" "$JQ_DEFS"' . + {Statement: (stmts + $add[0].Statement)}' > "$work/policy.json"`,
    '# Identity Center\'s quota (docs.aws.amazon.com/singlesignon/latest/userguide/limits.html, "Maximum size of',
    '# inline policy per permission set"): 32,768 bytes, of which at most 10,240 bytes of non-whitespace characters.',
    '# Checked before any change, dry run included: a refused put would leave the person\'s session running.',
    'bytes=$(( $(wc -c < "$work/policy.json") ))',
    "chars=$(( $(tr -d '[:space:]' < \"$work/policy.json\" | wc -c) ))",
    'if [ "$bytes" -gt 32768 ] || [ "$chars" -gt 10240 ]; then',
    '  echo "The permission set\'s inline policy with this Deny would be $chars bytes without whitespace ($bytes in all): IAM Identity Center allows 10,240 (32,768 in all). Nothing done." >&2',
    `  echo "Make room first (move statements of its inline policy into a customer managed policy attached to the permission set), or attach the statements of ${inline.file} from this folder as an SCP ${ic.allAccounts ? 'on the accounts the permission set is provisioned to' : 'on account $ACCOUNT'} in AWS Organizations, which stops the role there without touching the permission set." >&2`,
    // 1, as every refusal before a change: not contained, and known to be (3 is "not known").
    '  exit 1',
    'fi',
    'if [ "$apply" = 0 ]; then echo "The permission set\'s inline policy would become:"; jq . "$work/policy.json"; fi',
    'run_sso put-inline-policy-to-permission-set --instance-arn "$instance" --permission-set-arn "$ps" --inline-policy "file://$work/policy.json"',
    'if [ "$apply" = 1 ]; then',
    '  # What the permission set held before (the first run only), and what was put.',
    '  [ -e "$here/permission-set-inline-before.json" ] || printf \'%s\' "$current" > "$here/permission-set-inline-before.json"',
    '  cp "$work/deny.json" "$here/applied.json"',
    'fi',
    '# Recorded before the wait: the permission set holds the Deny whether or not every account takes it.',
    ...provisionAndWait('contain', pending, done),
    '',
  );
  return lines.join('\n');
}

function ssoUndoScript(p: ContainmentPlan, ic: NonNullable<ContainmentPlan['identityCenter']>): string {
  const where = whereText(ic);
  const pending = `The Deny is out of permission set ${PS_NAME} now, but still in force in ${where} until this provisioning ends there.`;
  const done = `Undone: the Deny is out of ${where} too.`;
  const lines = ssoHead(p, ic, 'undo the containment', false, 'undo.sh', undoNotDone(ic));
  lines.push(
    '# A run again: nothing to do while the accounts hold the latest copy; provisioned again (nothing else) where one holds an older one.',
    'if [ -z "$current" ] || [ "$(count_ours "$current")" = 0 ]; then',
    ...provisionLines('undo', "The permission set holds none of this plan's statements ($SID_PREFIX)", pending, done, 'Dry run: nothing changed. Run again with --apply.'),
    `  echo "The permission set holds none of this plan's statements ($SID_PREFIX), and ${where} holds its latest copy: nothing to undo."`,
    '  exit 0',
    'fi',
    'work="$(mktemp -d)"',
    'trap \'rm -rf "$work"\' EXIT',
    '# Every statement but leash\'s, as they are now: a change someone made since stays.',
    String.raw`printf '%s' "$current" | jq -c --arg p "$SID_PREFIX" "$JQ_DEFS"' . + {Statement: [stmts[] | select(ours($p) | not)]}' > "$work/policy.json"`,
    'if [ "$apply" = 0 ]; then echo "The permission set\'s inline policy would become:"; jq . "$work/policy.json"; fi',
    'if [ "$(jq \'.Statement | length\' "$work/policy.json")" = 0 ]; then',
    '  run_sso delete-inline-policy-from-permission-set --instance-arn "$instance" --permission-set-arn "$ps"',
    'else',
    '  run_sso put-inline-policy-to-permission-set --instance-arn "$instance" --permission-set-arn "$ps" --inline-policy "file://$work/policy.json"',
    'fi',
    ...provisionAndWait('undo', pending, done),
    '',
  );
  return lines.join('\n');
}

function containScript(p: ContainmentPlan): string {
  if (p.identityCenter && p.inline) return ssoContainScript(p, p.identityCenter, p.inline);
  const k = p.principal.kind;
  const lines = head(p, 'stop it now');
  if (p.inline) {
    lines.push(`POLICY_NAME=${shellQuote(p.inline.name)}`);
    if (p.inline.timeFilledAtApply) {
      // The reviewed document holds the planning time; the Deny must cover sessions issued up to now.
      lines.push(
        'doc="$(mktemp)"',
        'trap \'rm -f "$doc"\' EXIT',
        'now="$(date -u +%Y-%m-%dT%H:%M:%SZ)"',
        `sed "s/${p.inline.timeFilledAtApply}/$now/" "$here/${p.inline.file}" > "$doc"`,
        // A reviewer who changed the time in the file keeps their time; say which one applies.
        'if grep -q "$now" "$doc"; then echo "Sessions issued before $now will be refused."; else echo "The file\'s time was edited: it is applied as written."; fi',
      );
    } else lines.push(`doc="$here/${p.inline.file}"`);
    lines.push(
      `run aws iam put-${k}-policy --${k}-name "$NAME" --policy-name "$POLICY_NAME" --policy-document "file://$doc"`,
      ...(p.inline.timeFilledAtApply ? ['if [ "$apply" = 1 ]; then cp "$doc" "$here/applied.json"; echo "$now" > "$here/applied-at.txt"; fi'] : []),
    );
  }
  if (p.attach) {
    lines.push(
      `POLICY_ARN=${shellQuote(p.attach)}`,
      `attached="$(aws iam list-attached-${k}-policies --${k}-name "$NAME" --query "AttachedPolicies[?PolicyArn=='$POLICY_ARN'].PolicyArn" --output text)"`,
      'if [ -n "$attached" ] && [ "$attached" != "None" ]; then',
      '  echo "AWSDenyAll is already attached: nothing to do (undo.sh will leave it)."',
      'else',
      `  run aws iam attach-${k}-policy --${k}-name "$NAME" --policy-arn "$POLICY_ARN"`,
      '  if [ "$apply" = 1 ]; then : > "$here/.attached-by-leash"; fi',
      'fi',
    );
  }
  if (p.deactivateKeys) {
    lines.push(
      '# Active access keys: deactivated, each recorded so that undo.sh reactivates exactly these.',
      'keys="$(aws iam list-access-keys --user-name "$NAME" --query "AccessKeyMetadata[?Status==\'Active\'].AccessKeyId" --output text)"',
      'for key in $keys; do',
      '  case "$key" in None) continue ;; *[!A-Z0-9]*) echo "Not an access key id: $key (skipped)." >&2; continue ;; esac',
      '  run aws iam update-access-key --user-name "$NAME" --access-key-id "$key" --status Inactive',
      '  if [ "$apply" = 1 ]; then echo "$key" >> "$here/deactivated-keys.txt"; fi',
      'done',
    );
  }
  lines.push('if [ "$apply" = 1 ]; then echo "Done. AWS: policy updates can take a few minutes to take effect. Undo: ./undo.sh --apply"; else echo "Dry run: nothing changed. Run again with --apply."; fi', '');
  return lines.join('\n');
}

function undoScript(p: ContainmentPlan): string {
  if (p.identityCenter) return ssoUndoScript(p, p.identityCenter);
  const k = p.principal.kind;
  const lines = head(p, 'undo the containment', p.attach !== undefined || p.deactivateKeys === true);
  if (p.inline) {
    lines.push(
      `POLICY_NAME=${shellQuote(p.inline.name)}`,
      `run aws iam delete-${k}-policy --${k}-name "$NAME" --policy-name "$POLICY_NAME"`,
    );
  }
  if (p.attach) {
    lines.push(
      `POLICY_ARN=${shellQuote(p.attach)}`,
      'if [ -e "$here/.attached-by-leash" ]; then',
      `  run aws iam detach-${k}-policy --${k}-name "$NAME" --policy-arn "$POLICY_ARN"`,
      '  if [ "$apply" = 1 ]; then rm -f "$here/.attached-by-leash"; fi',
      'else',
      '  echo "contain.sh did not attach AWSDenyAll here (already attached, or never run with --apply): left as it is."',
      'fi',
    );
  }
  if (p.deactivateKeys) {
    lines.push(
      'if [ -e "$here/deactivated-keys.txt" ]; then',
      '  while read -r key; do',
      '    case "$key" in ""|*[!A-Z0-9]*) continue ;; esac',
      '    run aws iam update-access-key --user-name "$NAME" --access-key-id "$key" --status Active',
      '  done < "$here/deactivated-keys.txt"',
      '  if [ "$apply" = 1 ]; then rm -f "$here/deactivated-keys.txt"; fi',
      'else',
      '  echo "contain.sh deactivated no key here (none was active, or it never ran with --apply)."',
      'fi',
    );
  }
  lines.push('if [ "$apply" = 1 ]; then echo "Undone."; else echo "Dry run: nothing changed. Run again with --apply."; fi', '');
  return lines.join('\n');
}

/** The command that stops one seen session, when its name (or source identity) is one IAM could have issued. */
function containOne(p: ContainmentPlan, x: ContainmentPlan['sessionsSeen'][number]): string {
  if (x.name !== undefined && SESSION_NAME.test(x.name) && p.sessionArnPrefix) return `\`leash contain ${t(p.sessionArnPrefix + x.name)}\``;
  if (x.sourceIdentity !== undefined && SESSION_NAME.test(x.sourceIdentity)) return `\`leash contain ${t(p.principal.arn)} --source-identity ${x.sourceIdentity}\``;
  return '';
}

/**
 * What the live CloudTrail read found and covered: a responder must know that "no session" means
 * none in these regions and this window, not none at all, and what could not be read.
 */
function readSection(p: ContainmentPlan, r: NonNullable<ContainmentPlan['sessionsRead']>): string[] {
  const subject = p.principal.kind === 'role' ? 'its sessions' : 'it';
  const found = r.calls === 0
    ? `No call by ${subject} was found in CloudTrail's LookupEvents from ${t(r.since)} to ${t(r.until)} (management events only; a session that made only data-event calls, such as S3 object reads, is not there).`
    : `${r.calls} call(s) by ${subject} in CloudTrail's LookupEvents from ${t(r.since)} to ${t(r.until)}${p.principal.kind === 'role' ? `, in ${r.sessions} session(s)` : ''}, the latest at ${t(r.lastSeen ?? '')}; AI tools their user agents name: ${r.tools.length > 0 ? r.tools.map(t).join(', ') : 'none'}.`;
  const quiet = r.assumedOnly > 0 ? ` ${r.assumedOnly} session(s) of the role were assumed (AssumeRole* events from 12 hours before the window) of which no call was read.` : '';
  return [
    '## Recent sessions, read live',
    '',
    `${found}${quiet} Read as \`leash activity ${safeText(shellQuote(p.principal.arn))} --live\` reads it (read-only; \`--since\` widens the window, up to 90 days)${r.notes.length > 0 ? ':' : '.'}`,
    '',
    ...r.notes.map((n) => `- ${t(n)}`),
    ...(r.unread.length > 0 ? ['', 'Not read, or only in part (the list of sessions may miss some):', '', ...r.unread.map((u) => `- ${t(u)}`)] : []),
    '',
  ];
}

function readme(p: ContainmentPlan): string {
  const out = [
    `# Contain ${t(p.principal.kind)} ${t(p.principal.name)}`,
    '',
    `- Principal: \`${t(p.principal.arn)}\`${p.principal.uniqueId ? ` (unique id \`${t(p.principal.uniqueId)}\`)` : ''}`,
    `- Account: ${t(p.account)}; planned ${p.plannedAt}`,
    ...(p.agents.length > 0 ? [`- AI tools seen acting through it: ${p.agents.map(t).join(', ')}`] : []),
    ...(p.session?.name ? [`- Session: \`${t(p.session.name)}\``] : []),
    ...(p.session?.sourceIdentity ? [`- Source identity: \`${t(p.session.sourceIdentity)}\``] : []),
    ...(p.session?.userId ? [`- Identity store user id: \`${t(p.session.userId)}\``] : []),
    ...(p.identityCenter ? [`- IAM Identity Center permission set: \`${t(p.identityCenter.permissionSetName)}\`${p.identityCenter.region ? ` (instance in ${t(p.identityCenter.region)})` : ''}`] : []),
    `- Scope: ${SCOPE_TEXT[p.scope]}`,
    '',
  ];
  if (p.cannot) {
    out.push('## leash writes no IAM change here', '', `This is ${t(p.cannot)}`, '');
  } else if (p.identityCenter && p.inline) {
    const ic = p.identityCenter;
    out.push(
      '## Run it',
      '',
      'IAM refuses changes to a role IAM Identity Center made, so the Deny goes into its permission set. Run these with Identity Center\'s credentials (the management account or its delegated administrator; `AWS_PROFILE=…`), with `jq` installed:',
      '',
      '```sh',
      './contain.sh            # dry run: looks the permission set up and prints the calls that change it',
      './contain.sh --apply    # merges the Deny into its inline policy and provisions it',
      './undo.sh --apply       # takes out only the statements this plan put there, and provisions again',
      '```',
      '',
      `It adds the statements of \`${t(p.inline.file)}\` (Sids beginning \`${t(ic.sidPrefix)}\`) to the inline policy of permission set \`${t(ic.permissionSetName)}\`, keeping the statements already there, then provisions it to ${ic.allAccounts ? 'every account it is provisioned to' : `account ${t(p.account)}`} and waits for that to finish, at most \`PROVISIONING_TIMEOUT\` seconds (environment; default 300). Until the provisioning reaches an account the Deny is not in force there, and contain.sh says so: it exits 0 once it SUCCEEDED (naming the accounts), 1 when it FAILED (AWS's reason shown: run it again to provision again, or attach the statements as an SCP), 3 when it is still in progress (the command to check it is shown; run it again later). An explicit Deny beats every Allow, resource-based policies included.${p.inline.timeFilledAtApply ? ' The file holds the planning time; contain.sh puts the time it runs in its place (applied.json keeps what was put).' : ''} The permission set is found by name among those provisioned to account ${t(p.account)}; \`INSTANCE_ARN\` and \`PERMISSION_SET_ARN\` in the environment skip the lookup. contain.sh first checks Identity Center's size quota for the merged policy (10,240 bytes without whitespace, 32,768 in all) and, past it, exits 1 with nothing changed (3 always means "not known yet"): make room in the inline policy, or attach the same statements as an SCP on the account from AWS Organizations, which does the same.`,
      '',
    );
  } else {
    out.push(
      '## Run it',
      '',
      '```sh',
      './contain.sh            # dry run: prints the AWS CLI calls',
      './contain.sh --apply    # makes them (credentials of this account)',
      './undo.sh --apply       # removes only what contain.sh put there',
      '```',
      '',
      p.inline
        ? `It puts the inline policy \`${t(p.inline.name)}\` (${t(p.inline.file)}) on the ${t(p.principal.kind)}. An explicit Deny beats every Allow, resource-based policies included.${p.inline.timeFilledAtApply ? ` The file holds the planning time; contain.sh puts the time it runs in its place, so every session issued until then is covered (applied.json keeps what was put).` : ''} If IAM refuses it for size (a ${p.principal.kind === 'role' ? 'role\'s inline policies total at most 10,240' : 'user\'s at most 2,048'} characters), use \`--scope all\`.`
        : `It attaches AWS's managed \`AWSDenyAll\` to the ${t(p.principal.kind)}${p.deactivateKeys ? ' and deactivates its active access keys (deactivated-keys.txt lists them; undo.sh reactivates exactly those)' : ''}. If IAM refuses it (the limit of attached managed policies), use \`--scope sessions\` for a role.`,
      '',
    );
  }
  if (p.leavesOpen.length > 0) out.push('## What it leaves open', '', ...p.leavesOpen.map((l) => `- ${t(l)}`), '');
  if (p.sessionsRead) out.push(...readSection(p, p.sessionsRead));
  const named = p.sessionsSeen.filter((x) => x.name !== undefined || x.sourceIdentity !== undefined);
  if (named.length > 0 && p.sessionArnPrefix) {
    out.push(
      p.sessionsRead ? `## Sessions CloudTrail showed since ${t(p.sessionsRead.since)} (read live, latest first)` : '## Sessions the report saw (latest first)',
      '',
      'To stop one of them only, leaving the role\'s other users at work:',
      '',
      ...(named.some((x) => x.events === 0) ? ['A session with 0 events was found only through the AssumeRole* event that created it (last seen: when it was assumed): no management call of it was read in the window. It may still act, through data-event calls (S3 objects, Lambda invocations) or in a region not read.', ''] : []),
      '| session | source identity | AI tools | last seen | events | contain only it |',
      '| --- | --- | --- | --- | ---: | --- |',
      ...named.map((x) => `| ${x.name !== undefined ? `\`${t(x.name)}\`` : ''} | ${x.sourceIdentity !== undefined ? `\`${t(x.sourceIdentity)}\`` : ''} | ${(x.tools ?? []).map(t).join(', ')} | ${t(x.lastSeen)} | ${x.events} | ${containOne(p, x)} |`),
      '',
    );
  }
  const subject = p.session?.name && p.sessionArnPrefix ? p.sessionArnPrefix + p.session.name : p.principal.arn;
  out.push(
    '## What it did',
    '',
    'Call by call, from CloudTrail (the account\'s LookupEvents with its credentials, or trail files): a blow to logging first, then destructive and escalation-relevant calls, then what it may have left behind that this Deny does not touch (access keys, login profiles, federation tokens, new users and roles, trust policy changes, function code), to check and remove:',
    '',
    // An indented block, not a fence: no name can close it.
    `    leash activity ${safeText(shellQuote(subject))} --live --since ${p.sessionsRead ? safeText(p.sessionsRead.since) : '24h'}`,
    `    leash activity ${safeText(shellQuote(subject))} --cloudtrail ./trail --since 7d`,
    '',
  );
  if (p.onward.length > 0) {
    out.push(
      '## Where it may already be',
      '',
      'It can become these principals (the report\'s access graph). A session it already opened as one of them, or keys it made for one, are not touched by a Deny here: check CloudTrail for them, and contain them too. A source identity, when its sessions carry one, follows them through role chaining: `--source-identity` on each.',
      '',
      ...p.onward.map((r) => `- ${t(r.label)} (${t(r.how)})`),
      '',
    );
  }
  if (p.reentry.length > 0) {
    out.push('## Who can come back in', '', 'These can become it again (a new session, new keys). Contain them too if the agent may hold their credentials.', '', ...p.reentry.map((r) => `- ${t(r.label)} (${t(r.how)})`), '');
  }
  if (p.identityCenter) {
    out.push('## Who can remove it', '', 'Whoever may edit or provision the permission set: IAM Identity Center\'s administrators in the management account or its delegated administrator. An export of this account does not show them.', '');
  } else if (!p.cannot) {
    if (p.undoers === undefined) {
      const why = p.undoersNotDecided ? `Not decided: the export the report was made from could not be read again (${t(p.undoersNotDecided)}). ` : 'Not decided from a report alone: ';
      out.push('## Who can remove it', '', `${why}\`leash contain … --aws\` (the account read live, read-only) or \`--input <export>\` (a fresh \`aws iam get-account-authorization-details\`) lists every principal whose policies let it delete the Deny.`, '');
    } else {
      const from = p.undoersFrom ? ` (the export the report was made from, \`${t(p.undoersFrom)}\`, as it is now; a fresh one with \`--input\`, or \`--aws\`, shows today's)` : '';
      const whose = p.undoersLive ? `of the account as read live at ${t(p.undoersLive)} (when this plan was made)` : `of the export${from}`;
      out.push('## Who can remove it', '', p.undoers.length === 0 ? `No principal ${whose} may delete or overwrite it (the account root and IAM Identity Center administrators aside).` : `Principals ${whose} whose policies let them take the Deny off again:`, '');
      for (const u of p.undoers) out.push(`- ${t(u.name)}${u.arn === p.principal.arn ? ' (itself: a session the Deny does not cover)' : ''}: ${u.actions.map(t).join(', ')}${u.conditional ? ' (only if a condition holds)' : ''}`);
      if (p.undoers.length > 0) out.push('');
    }
  }
  if (p.graphPartial) out.push('The report keeps only part of the access graph, so the lists above may be incomplete: `leash paths` with `--input` asks the whole graph.', '');
  return out.join('\n');
}

export function renderContainment(p: ContainmentPlan): ContainFile[] {
  const files: ContainFile[] = [{ name: 'README.md', content: readme(p), mode: 0o644 }];
  if (p.cannot) return files;
  if (p.inline) files.push({ name: p.inline.file, content: `${JSON.stringify(p.inline.document, null, 2)}\n`, mode: 0o644 });
  files.push({ name: 'contain.sh', content: containScript(p), mode: 0o755 }, { name: 'undo.sh', content: undoScript(p), mode: 0o755 });
  return files;
}

/** The live read in one line: what it found since when, and whether anything could not be read. */
function readLine(r: NonNullable<ContainmentPlan['sessionsRead']>): string {
  const found = `${r.calls === 0 ? 'no call found' : `${r.calls} call(s) in ${r.sessions} session(s), latest ${safeText(r.lastSeen ?? '')}${r.tools.length > 0 ? ` (AI tools: ${r.tools.map(safeText).join(', ')})` : ''}`}${r.assumedOnly > 0 ? `; ${r.assumedOnly} session(s) assumed of which no call was read` : ''}`;
  return `CloudTrail read live since ${safeText(r.since)}: ${found}${r.unread.length > 0 ? `; not read whole (${r.unread.length} source(s), README.md): the sessions listed may be incomplete` : ''}`;
}

/** The terminal's few lines: what was written and the one command to run. */
export function containSummary(p: ContainmentPlan, dir: string): string {
  const lines = [`${safeText(p.principal.arn)}: ${SCOPE_TEXT[p.scope]}.`];
  if (p.cannot) lines.push(`leash writes no IAM change: ${safeText(p.cannot)}`);
  else if (p.identityCenter) lines.push(`Review, then, with IAM Identity Center's credentials (management account or delegated administrator) and jq: ${safeText(dir)}/contain.sh --apply   (dry run without --apply; undo: undo.sh --apply)`);
  else lines.push(`Review, then: ${safeText(dir)}/contain.sh --apply   (dry run without --apply; undo: undo.sh --apply)`);
  for (const l of p.leavesOpen) lines.push(`  leaves open: ${safeText(l)}`);
  const agentSession = p.scope !== 'session' && p.sessionArnPrefix ? p.sessionsSeen.find((x) => x.name !== undefined && SESSION_NAME.test(x.name) && (x.tools?.length ?? 0) > 0) : undefined;
  if (p.sessionsRead) lines.push(`  ${readLine(p.sessionsRead)}`);
  if (agentSession && p.sessionArnPrefix) lines.push(`  latest AI-tool session seen: ${safeText(agentSession.name!)} (${(agentSession.tools ?? []).map(safeText).join(', ')}, ${safeText(agentSession.lastSeen)}); that one only: leash contain ${safeText(p.sessionArnPrefix + agentSession.name!)}`);
  const plural = (n: number) => `${n} principal${n === 1 ? '' : 's'}`;
  if (p.onward.length > 0) lines.push(`  it can become ${plural(p.onward.length)}${p.graphPartial ? ' at least' : ''}, where its sessions are not touched: ${p.onward.slice(0, 5).map((r) => safeText(r.label)).join(', ')}${p.onward.length > 5 ? ', …' : ''} (README.md)`);
  if (p.undoers && p.undoers.length > 0) lines.push(`  ${plural(p.undoers.length)} may remove the Deny: ${p.undoers.slice(0, 5).map((u) => safeText(u.name)).join(', ')}${p.undoers.length > 5 ? ', …' : ''} (README.md)`);
  else if (p.undoers === undefined && !p.cannot && !p.identityCenter) lines.push(`  who may remove the Deny: not decided (${p.undoersNotDecided ? 'the export the report was made from could not be read again' : 'from a report alone'}); --aws reads the account now (read-only)`);
  if (p.reentry.length > 0) lines.push(`  ${plural(p.reentry.length)}${p.graphPartial ? ' at least' : ''} can become it again: ${p.reentry.slice(0, 5).map((r) => safeText(r.label)).join(', ')}${p.reentry.length > 5 ? ', …' : ''} (README.md)`);
  return `${lines.join('\n')}\n`;
}
