// The terraform binary in tests: `fmt -check` needs nothing else; `init`, `validate` and `console`
// need the AWS provider, which cannot be downloaded here, so they run only when a local plugin
// folder holds it (the machine image has one at /opt/tf-plugins; LEASH_TF_PLUGIN_DIR names
// another). Tests skip, saying why, when either is missing.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** No CLI configuration file (the machine has none; terraform warns on stderr without this). */
const ENV = { ...process.env, TF_CLI_CONFIG_FILE: '/dev/null', TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1' };

export const terraformAvailable = spawnSync('terraform', ['version'], { encoding: 'utf8', env: ENV }).status === 0;

function pluginDir(): string | undefined {
  for (const dir of [process.env['LEASH_TF_PLUGIN_DIR'], '/opt/tf-plugins']) {
    if (!dir) continue;
    const aws = join(dir, 'registry.terraform.io', 'hashicorp', 'aws');
    if (existsSync(aws) && readdirSync(aws).length > 0) return dir;
  }
  return undefined;
}

/** A local folder holding the hashicorp/aws provider (for init -plugin-dir), or undefined. */
export const TF_PLUGIN_DIR = terraformAvailable ? pluginDir() : undefined;
export const TERRAFORM_SKIP = 'terraform not installed';
export const TF_PROVIDER_SKIP = terraformAvailable ? 'no local hashicorp/aws provider (/opt/tf-plugins or LEASH_TF_PLUGIN_DIR): init, validate and console need it' : TERRAFORM_SKIP;

export interface TfRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function terraform(dir: string, args: readonly string[], input?: string, env: Record<string, string> = {}): TfRun {
  // A provider waiting for a state that never comes (moto's GetUser has no PermissionsBoundary) would wait for ever: 5 minutes, then SIGTERM (terraform stops as on ^C).
  const r = spawnSync('terraform', [...args], { cwd: dir, encoding: 'utf8', env: { ...ENV, ...env }, input, maxBuffer: 1 << 28, timeout: 300_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr + (r.error ? `\n${r.error.message}` : '') };
}

/** `terraform fmt -check -diff` of a folder: its diff (empty when clean) and exit status. */
export function fmtCheck(dir: string): TfRun {
  return terraform(dir, ['fmt', '-check', '-diff', '-no-color', '.']);
}

/** `terraform init` from the local provider folder (no backend, nothing downloaded), then `validate`. */
export function initAndValidate(dir: string): TfRun {
  const init = terraform(dir, ['init', '-backend=false', '-input=false', '-no-color', `-plugin-dir=${TF_PLUGIN_DIR}`]);
  if (init.status !== 0) return init;
  return terraform(dir, ['validate', '-no-color']);
}

/**
 * The warnings of a terraform run (`validate`, `plan`): each `Warning: …` heading line, from stdout
 * and stderr (validate prints them on stdout, init on stderr). Empty when there are none.
 */
export function tfWarnings(r: TfRun): string[] {
  return [...`${r.stdout}\n${r.stderr}`.matchAll(/^[│╷\s]*Warning: (.*)$/gm)].map((m) => m[1]!.trim());
}

/**
 * The value of an expression as Terraform evaluates it in an initialised folder (`terraform
 * console`; locals only, no AWS call), as JSON: base64 of jsonencode, so nothing in it depends on
 * how the console prints strings.
 */
export function consoleJson(dir: string, expression: string): unknown {
  const r = terraform(dir, ['console'], `base64encode(jsonencode(${expression}))\n`, { AWS_ACCESS_KEY_ID: 'unused', AWS_SECRET_ACCESS_KEY: 'unused', AWS_REGION: 'us-east-1' });
  if (r.status !== 0) throw new Error(`terraform console: ${r.stderr}`);
  const m = /^"([A-Za-z0-9+/=]*)"\s*$/.exec(r.stdout.trim());
  if (!m) throw new Error(`terraform console printed ${JSON.stringify(r.stdout.slice(0, 200))}`);
  return JSON.parse(Buffer.from(m[1]!, 'base64').toString('utf8'));
}
