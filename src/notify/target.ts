// `--notify <url>`: which URLs leash will post to, in which shape, and how the URL is shown.
// A webhook URL is itself a secret (anyone holding a Slack hook URL can post to the channel), so
// it is never printed whole: messages name the scheme and host only.
import { InputError } from '../model/errors.js';
import type { NotifyFormat } from './payload.js';

export const NOTIFY_FORMATS = ['auto', 'slack', 'json'] as const;
export type NotifyFormatChoice = (typeof NOTIFY_FORMATS)[number];

export interface NotifyTarget {
  readonly url: URL;
  readonly format: NotifyFormat;
  readonly timeoutMs?: number;
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

/** Hosts whose incoming webhooks take Slack's message shape when the format is `auto`. */
const SLACK_HOSTS = /(^|\.)slack\.com$/i;

/**
 * Parse `--notify`. https only, except to this machine (a local relay, a test server): the
 * payload names accounts and principals and the URL is a credential, neither belongs on the wire
 * in clear. User/password in the URL are refused (fetch would refuse them too, less clearly).
 */
export function parseNotifyTarget(raw: string, format: NotifyFormatChoice = 'auto', flag = '--notify'): NotifyTarget {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new InputError(flag, '', 'a webhook URL (https://hooks.slack.com/services/… or https://your.endpoint/…)', 'not a URL');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.test(url.hostname))) {
    throw new InputError(flag, '', 'an https:// URL (http:// only to localhost)', `${url.protocol}//${url.host}`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new InputError(flag, '', 'a URL without user:password@ (put the secret in the path or token the receiver issues)', `${url.protocol}//…@${url.host}`);
  }
  if (!(NOTIFY_FORMATS as readonly string[]).includes(format)) throw new InputError('--notify-format', '', NOTIFY_FORMATS.join(', '), JSON.stringify(format));
  const resolved: NotifyFormat = format === 'auto' ? (SLACK_HOSTS.test(url.hostname) ? 'slack' : 'json') : format;
  return { url, format: resolved };
}

/** What messages may say about the target: `https://hooks.slack.com/…`. */
export function describeTarget(url: URL): string {
  return `${url.protocol}//${url.host}/…`;
}
