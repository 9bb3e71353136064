// SDK outputs → the plain JSON the AWS CLI would print: Dates as ISO strings, no `$metadata`,
// no undefined fields, policy documents URL-decoded and parsed.

/** Deep copy with Date → ISO string and undefined/`$metadata` dropped. */
export function plainJson(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(plainJson);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined || k === '$metadata') continue;
      out[k] = plainJson(v);
    }
    return out;
  }
  return value;
}

export type DecodedDocument = { ok: true; document: unknown } | { ok: false; expected: string };

/**
 * IAM returns documents URL-encoded per RFC 3986; the SDK does not decode them (toolchain.md P7).
 * Plain JSON text and already-parsed objects pass through, so either form is accepted.
 */
export function decodePolicyDocument(value: unknown): DecodedDocument {
  if (value !== null && typeof value === 'object') return { ok: true, document: value };
  if (typeof value !== 'string') return { ok: false, expected: 'a policy document string' };
  let text = value.trim();
  if (!text.startsWith('{')) {
    try {
      text = decodeURIComponent(text);
    } catch {
      return { ok: false, expected: 'a URL-encoded JSON policy document' };
    }
  }
  try {
    const document: unknown = JSON.parse(text);
    if (document === null || typeof document !== 'object' || Array.isArray(document)) return { ok: false, expected: 'a JSON object' };
    return { ok: true, document };
  } catch (e) {
    return { ok: false, expected: `valid JSON (${(e as Error).message})` };
  }
}
