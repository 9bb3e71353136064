// Text from a scan (principal names, tags, titles that quote them, error messages) goes to chat.
// Names are hostile: one function makes them safe for Slack mrkdwn, one for plain JSON fields.

/** C0/C1 controls, DEL, and the bidi/zero-width characters that make text read other than it is. */
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;

/** Longest single field in a message; a 64-character IAM name fits many times over. */
export const MAX_FIELD_CHARS = 300;

/** One line, no control or direction-changing characters, bounded. For JSON fields and plain text. */
export function plainText(value: string, max = MAX_FIELD_CHARS): string {
  const oneLine = value.replace(/\s*[\r\n\t]+\s*/g, ' ').replace(CONTROLS, '').trim();
  return oneLine.length <= max ? oneLine : `${oneLine.slice(0, max - 1)}…`;
}

/**
 * Text for Slack mrkdwn (and the Slack-compatible hooks of Mattermost, Rocket.Chat, Discord's
 * /slack endpoint). `<…>` is how Slack spells mentions and links (`<!channel>`, `<@U123>`,
 * `<https://evil|click here>`), so `&`, `<`, `>` are escaped as Slack documents; `@channel`,
 * `@here`, `@everyone` typed plainly are mentions on some compatible servers, so a zero-width
 * joiner (U+2060, invisible) follows every `@`.
 */
export function slackText(value: string, max = MAX_FIELD_CHARS): string {
  return plainText(value, max).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/@/g, '@\u2060');
}

/** A name in a code span: mrkdwn formatting (`*`, `_`, `~`) does not apply inside, and a backtick cannot end it. */
export function slackCode(value: string, max = MAX_FIELD_CHARS): string {
  return `\`${slackText(value.replace(/`/g, 'ˋ'), max)}\``;
}
