// POST one alert. Bounded in every direction: the body (payload.ts), the time (a timeout covers
// connect, headers and body), the response (never read beyond its status). Redirects are refused:
// following one would hand the payload to a host the user did not name. A failure is a value, not
// an exception: an alert that cannot be delivered must never fail the scan it reports on.
import type { Alert } from './alert.js';
import { renderPayload } from './payload.js';
import { describeTarget, type NotifyTarget } from './target.js';
import { TOOL_VERSION } from '../version.js';

export const DEFAULT_NOTIFY_TIMEOUT_MS = 10_000;

export type SendResult = { readonly ok: true; readonly status: number; readonly target: string } | { readonly ok: false; readonly error: string; readonly target: string };

export interface SendOptions {
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
}

export async function sendAlert(target: NotifyTarget, alert: Alert, opts: SendOptions = {}): Promise<SendResult> {
  const where = describeTarget(target.url);
  let body: string;
  try {
    body = renderPayload(alert, target.format);
  } catch (e) {
    return { ok: false, error: (e as Error).message, target: where };
  }
  const timeoutMs = opts.timeoutMs ?? DEFAULT_NOTIFY_TIMEOUT_MS;
  try {
    const res = await (opts.fetch ?? fetch)(target.url, {
      method: 'POST',
      // Only these headers: no Authorization, nothing from the environment.
      headers: { 'content-type': 'application/json; charset=utf-8', 'user-agent': `leash/${TOOL_VERSION}` },
      body,
      redirect: 'error',
      signal: AbortSignal.timeout(timeoutMs),
    });
    // The body is not needed; cancel it so a huge or endless reply costs nothing.
    await res.body?.cancel().catch(() => undefined);
    if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status, target: where };
    return { ok: false, error: `HTTP ${res.status}`, target: where };
  } catch (e) {
    const err = e as Error & { cause?: { code?: string; message?: string } };
    const reason = err.name === 'TimeoutError' ? `no answer within ${timeoutMs / 1000} s` : err.cause?.code ?? err.cause?.message ?? err.message;
    // The reason never includes the URL (undici puts none in its messages; the host is enough).
    return { ok: false, error: reason.replace(target.url.href, where), target: where };
  }
}
