import { describe, expect, it } from 'vitest';
import { describeProgress, ttyProgress } from '../../../src/collect/aws/progress.js';

function stream(isTTY: boolean): { isTTY: boolean; out: string[]; write(s: string): boolean } {
  const out: string[] = [];
  return { isTTY, out, write: (s) => out.push(s) > 0 };
}

describe('progress', () => {
  it('prints nothing and returns no printer when stderr is not a terminal', () => {
    expect(ttyProgress(stream(false))).toBeUndefined();
  });

  it('rewrites one line on a terminal and clears it when done', () => {
    const s = stream(true);
    const p = ttyProgress(s);
    p?.listener({ kind: 'iam-page', pages: 1, principals: 9, policies: 0 });
    p?.listener({ kind: 'cloudtrail-page', pages: 2, events: 100 });
    p?.done();
    expect(s.out).toEqual(['\r\u001B[2Kleash: IAM: 1 page, 9 principals, 0 managed policies', '\r\u001B[2Kleash: CloudTrail: 2 pages, 100 events', '\r\u001B[2K']);
  });

  it.each([
    [{ kind: 'last-accessed', done: 3, total: 10 } as const, 'service last accessed: 3/10 principals'],
    [{ kind: 'scps', targets: 3, policies: 4 } as const, 'SCPs: 3 targets, 4 policies'],
    [{ kind: 'account', accountId: '111111111111', status: 'failed', done: 1, total: 2 } as const, 'accounts: 1/2 (111111111111 failed)'],
    [{ kind: 'caller', accountId: '111111111111' } as const, 'account 111111111111'],
  ])('describes %o', (event, text) => {
    expect(describeProgress(event)).toBe(text);
  });
});
