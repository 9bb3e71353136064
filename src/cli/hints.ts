// Common mistakes, said in one line with what to do. The SDK's own messages ("Could not resolve
// credentials using profile: [x] in configuration/credentials file(s).", "The security token
// included in the request is expired") name the symptom, not the fix. Anything not recognised
// keeps its own message (leash's own errors already say file, place and what was expected).
import { InputError } from '../model/errors.js';

interface ErrorLike {
  readonly name?: string;
  readonly code?: string;
  readonly message?: string;
  readonly hostname?: string;
  readonly cause?: unknown;
}

/** The error and its causes, outermost first (bounded: a cause cycle must not hang the CLI). */
function chain(e: unknown): ErrorLike[] {
  const out: ErrorLike[] = [];
  let cur: unknown = e;
  while (cur !== null && typeof cur === 'object' && out.length < 6) {
    out.push(cur as ErrorLike);
    cur = (cur as ErrorLike).cause;
  }
  return out;
}

const EXPIRED_NAMES = new Set(['ExpiredToken', 'ExpiredTokenException', 'TokenRefreshRequired', 'RequestExpired']);
const INVALID_NAMES = new Set(['InvalidClientTokenId', 'UnrecognizedClientException', 'AuthFailure', 'InvalidAccessKeyId']);
const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN']);

/** AWS region names as every partition spells them: us-east-1, eu-central-2, us-gov-west-1, cn-north-1. */
export const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/** `--region` that cannot be an AWS region is a usage error before any call. */
export function checkRegion(region: string | undefined, flag = '--region'): void {
  if (region === undefined) return;
  if (!REGION_PATTERN.test(region)) throw new InputError(flag, '', 'an AWS region such as us-east-1 or eu-west-2 (`aws ec2 describe-regions` lists them)', JSON.stringify(region));
}

/** A known mistake as one line with what to do, or undefined. */
export function hintFor(e: unknown): string | undefined {
  // Innermost first: the SDK's own error names the mistake; wrappers only repeat its message.
  const errs = chain(e).reverse();
  for (const err of errs) {
    const name = err.name ?? '';
    const msg = String(err.message ?? '');
    const profile = /Could not resolve credentials using profile: \[([^\]]*)\]/.exec(msg)?.[1];
    if (profile !== undefined) {
      const files = `${process.env.AWS_CONFIG_FILE ?? '~/.aws/config'} or ${process.env.AWS_SHARED_CREDENTIALS_FILE ?? '~/.aws/credentials'}`;
      return `AWS profile "${profile}" is not defined in ${files}: check the name with \`aws configure list-profiles\`, or add it with \`aws configure --profile ${profile}\``;
    }
    if (/Could not load credentials from any providers/i.test(msg)) {
      return 'no AWS credentials found: pass --profile NAME, set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run where a role is attached';
    }
    if (EXPIRED_NAMES.has(name) || /(token|session|credentials?)[^.]*\b(has |is )?expired/i.test(msg)) {
      return `the AWS credentials have expired (${name || 'expired'}): refresh them (\`aws sso login --profile NAME\` for SSO, or get a new session) and run again`;
    }
    if (INVALID_NAMES.has(name)) {
      return `AWS does not recognise these credentials (${name}): the access key was deleted or rotated, or belongs to another partition; check \`aws sts get-caller-identity\``;
    }
    if (DNS_CODES.has(err.code ?? '') || DNS_CODES.has(name)) {
      const host = err.hostname ?? /(?:ENOTFOUND|EAI_AGAIN)\s+(\S+)/.exec(msg)?.[1];
      return `cannot resolve ${host ?? 'the AWS endpoint'}: check the region (--region or AWS_REGION${process.env.AWS_REGION ? `, now ${process.env.AWS_REGION}` : ''}) and --endpoint-url, and that this machine has DNS and network access`;
    }
  }
  return undefined;
}

/** The message `leash: …` prints for an error: a hint when the mistake is a known one. */
export function describeError(e: unknown): string {
  const hint = hintFor(e);
  if (hint !== undefined) return hint;
  return e instanceof Error ? e.message : String(e);
}
