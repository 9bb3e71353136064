// One redaction pass for everything the local scan emits (result fields, error messages, CLI
// output). Config files on engineers' machines hold real keys; none may leave through leash.

const MASK = '****';

// Access key ids: keep the prefix (says long-term vs temporary) and the last four (lets an
// engineer tell which key it is), drop the middle.
const ACCESS_KEY_ID = /(?<![A-Z0-9])(AKIA|ASIA)[A-Z0-9]{12,}(?![A-Z0-9])/g;
// Secret access keys are 40 base64 characters; git SHAs (hex, one case) are left alone.
const SECRET_40 = /(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+])/g;
// Session tokens and other long opaque blobs.
const LONG_BLOB = /[A-Za-z0-9/+=]{100,}/g;
const BEARER = /\b(Bearer|Basic|Token)\s+[A-Za-z0-9._~+/=:-]+/gi;
// `Authorization: x`, `"Authorization": "x"`, `x-api-key=…` in headers, env dumps or JSON text.
const AUTH_FIELD = /(["']?(?:authorization|proxy-authorization|x-api-key|api[-_]?key|x-amz-security-token|aws_secret_access_key|aws_session_token|secret[-_]?access[-_]?key|session[-_]?token)["']?\s*[:=]\s*["']?)((?:(?:Bearer|Basic|Token)\s+)?[^"'\s,}&]+)/gi;
const URL_USERINFO = /(\b[a-z][a-z0-9+.-]*:\/\/)[^/\s:@]+:[^/\s@]+@/gi;
const URL_SECRET_PARAM = /([?&](?:[a-z0-9_-]*token|[a-z0-9_-]*key|secret|password|sig|signature|x-amz-signature|x-amz-credential|x-amz-security-token)=)[^&\s"'#]+/gi;

/** An access key id keeps its kind prefix and last four characters: `AKIA…0001` → `AKIA****0001`. */
export function redactAccessKeyId(id: string): string {
  const t = id.trim();
  if (t.length < 12) return MASK;
  return `${t.slice(0, 4)}${MASK}${t.slice(-4)}`;
}

function looksLikeSecret(s: string): boolean {
  return /[a-z]/.test(s) && /[A-Z]/.test(s) && /[0-9]/.test(s);
}

/** Mask credentials in free text. Idempotent: redact(redact(x)) === redact(x). */
export function redact(text: string): string {
  return text
    .replace(AUTH_FIELD, (_m, head: string, value: string) => (value === MASK ? `${head}${value}` : `${head}${MASK}`))
    .replace(BEARER, (m, scheme: string) => (m.endsWith(MASK) ? m : `${scheme} ${MASK}`))
    .replace(URL_USERINFO, `$1${MASK}@`)
    .replace(URL_SECRET_PARAM, `$1${MASK}`)
    .replace(ACCESS_KEY_ID, (m) => redactAccessKeyId(m))
    .replace(LONG_BLOB, MASK)
    .replace(SECRET_40, (m) => (looksLikeSecret(m) ? MASK : m));
}

/** redact() every string inside a JSON-like value (keys included). */
export function redactDeep<T>(value: T): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => redactDeep(v)) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[redact(k)] = redactDeep(v);
    return out as T;
  }
  return value;
}

/** Arguments after a flag whose name says it carries a secret (`--api-key X`, `--token=X`) are masked. */
export function redactArgs(args: readonly string[], secretArgPattern: RegExp): string[] {
  const out: string[] = [];
  let maskNext = false;
  for (const a of args) {
    if (maskNext) {
      out.push(MASK);
      maskNext = false;
      continue;
    }
    const m = /^(--?[A-Za-z0-9_-]+)(=(.*))?$/.exec(a);
    if (m && secretArgPattern.test(m[1] ?? '')) {
      if (m[2] !== undefined) out.push(`${m[1]}=${MASK}`);
      else { out.push(a); maskNext = true; }
      continue;
    }
    out.push(redact(a));
  }
  return out;
}
