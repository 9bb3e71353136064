// Progress of a live collection. The collector only calls a listener; printing is the caller's
// choice, and the printer below writes only to a terminal so cron logs and pipes stay clean.

export type ProgressEvent =
  | { readonly kind: 'caller'; readonly accountId: string }
  | { readonly kind: 'iam-page'; readonly pages: number; readonly principals: number; readonly policies: number }
  | { readonly kind: 'last-accessed'; readonly done: number; readonly total: number }
  | { readonly kind: 'cloudtrail-page'; readonly pages: number; readonly events: number }
  | { readonly kind: 'scps'; readonly targets: number; readonly policies: number }
  | { readonly kind: 'inventory'; readonly done: number; readonly total: number }
  | { readonly kind: 'account'; readonly accountId: string; readonly status: 'started' | 'done' | 'failed'; readonly done: number; readonly total: number };

export type ProgressListener = (event: ProgressEvent) => void;

export function describeProgress(e: ProgressEvent): string {
  switch (e.kind) {
    case 'caller':
      return `account ${e.accountId}`;
    case 'iam-page':
      return `IAM: ${e.pages} page${e.pages === 1 ? '' : 's'}, ${e.principals} principals, ${e.policies} managed policies`;
    case 'last-accessed':
      return `service last accessed: ${e.done}/${e.total} principals`;
    case 'cloudtrail-page':
      return `CloudTrail: ${e.pages} page${e.pages === 1 ? '' : 's'}, ${e.events} events`;
    case 'scps':
      return `SCPs: ${e.targets} targets, ${e.policies} policies`;
    case 'inventory':
      return `resources: ${e.done}/${e.total} service-regions`;
    case 'account':
      return `accounts: ${e.done}/${e.total} (${e.accountId} ${e.status})`;
  }
}

interface ProgressStream {
  readonly isTTY?: boolean;
  write(chunk: string): boolean;
}

/**
 * A one-line progress printer for stderr, or undefined when the stream is not a terminal.
 * Call `done()` to clear the line before printing anything else.
 */
export function ttyProgress(stream: ProgressStream = process.stderr): { listener: ProgressListener; done(): void } | undefined {
  if (!stream.isTTY) return undefined;
  let shown = false;
  return {
    listener: (e) => {
      stream.write(`\r\u001B[2Kleash: ${describeProgress(e)}`);
      shown = true;
    },
    done: () => {
      if (shown) stream.write('\r\u001B[2K');
      shown = false;
    },
  };
}
