// A stand-in `aws` for tests that run leash's apply.sh under bash: each call's arguments go
// NUL-separated into a file of their own under AWS_ARGV_DIR (no byte is lost), and the reads
// apply.sh makes before changing anything get canned answers (no policy of the planned name
// exists yet). `cases`: more `pattern) answer ;;` lines, tried before the catch-all.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function awsStub(account: string, cases: readonly string[] = []): string {
  return `#!/bin/bash
n=$(ls "$AWS_ARGV_DIR" | wc -l)
printf '%s\\0' "$@" > "$AWS_ARGV_DIR/$(printf '%05d' "$n")"
case "$*" in
  *"get-caller-identity --query Account"*) echo ${account} ;;
  *"get-caller-identity --query Arn"*) echo arn:aws:sts::${account}:assumed-role/admin/s ;;
  *"iam get-policy "*) echo 'An error occurred (NoSuchEntity)' >&2; exit 254 ;;
${cases.map((c) => `  ${c}\n`).join('')}  *) echo '{}' ;;
esac
`;
}

/** Terminal control characters and bidi overrides: none may reach a script or README raw. */
export const RAW_ESCAPE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** `root/bin/aws` (the stub, executable) and an empty `root/cwd` for scripts to run in. */
export function stubAwsDirs(root: string, stub: string): { bin: string; cwd: string } {
  const bin = join(root, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'aws'), stub);
  chmodSync(join(bin, 'aws'), 0o755);
  const cwd = join(root, 'cwd');
  mkdirSync(cwd);
  return { bin, cwd };
}
