// IAM names as a hostile export may carry them (IAM itself would refuse most): path tricks, shell
// substitution, quotes, a newline, terminal escapes (OSC title and clipboard, C1 CSI), a long name,
// a look-alike, something that reads as options, a glob. One list for every hostile-name test.
export const HOSTILE_NAMES = [
  '..',
  '.',
  '$(touch pwned-subst)',
  '`touch pwned-backtick`',
  `it's "quoted" \\ back`,
  'line-one\nline-two; touch pwned-newline',
  'title\u001b]0;pwned\u0007osc52\u001b]52;c;aGk=\u0007\u009b31m',
  'x'.repeat(300),
  'kіro-agent', // Cyrillic і: looks like kiro-agent, is not
  '-rf --profile evil',
  '*',
] as const;
