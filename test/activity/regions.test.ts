// The account's enabled regions as `leash activity` lists them: names checked before they reach a
// request or the output, the list bounded when printed, and a failure said in leash's words.
import { describe, expect, it } from 'vitest';
import { listEnabledRegions, MAX_REGIONS_SHOWN, REGION_NAME, regionList } from '../../src/activity/regions.js';
import { regionListingNotes } from '../../src/activity/read.js';

describe('REGION_NAME', () => {
  it('accepts AWS region names of every partition; refuses anything else', () => {
    for (const r of ['us-east-1', 'eu-central-2', 'ap-southeast-5', 'il-central-1', 'us-gov-west-1', 'cn-northwest-1', 'mx-central-1']) expect(REGION_NAME.test(r), r).toBe(true);
    for (const r of ['', 'us-east', 'US-EAST-1', 'us east 1', '../us-east-1', 'us-east-1/..', '\u001b[31mus-east-1', 'us-east-1\n', 'us-east-123', 'a-b-1', 'us--east-1']) expect(REGION_NAME.test(r), JSON.stringify(r)).toBe(false);
  });
});

describe('regionList', () => {
  it(`names at most ${MAX_REGIONS_SHOWN} regions and counts the rest; control: a short list is named whole`, () => {
    const many = Array.from({ length: MAX_REGIONS_SHOWN + 5 }, (_, i) => `xx-test-${i}`);
    const text = regionList(many);
    expect(text.startsWith(`${MAX_REGIONS_SHOWN + 5} region(s): xx-test-0, `)).toBe(true);
    expect(text.endsWith(`xx-test-${MAX_REGIONS_SHOWN - 1} and 5 more`)).toBe(true);
    expect(text).not.toContain(`xx-test-${MAX_REGIONS_SHOWN},`);
    expect(regionList(['us-east-1', 'eu-west-1'])).toBe('2 region(s): us-east-1, eu-west-1');
  });
});

describe('listEnabledRegions', () => {
  // A client stub: the SDK's own client is exercised over the loopback endpoint (test/cli/activity.test.ts).
  const client = (answers: (() => unknown)[]) => {
    const sent: unknown[] = [];
    return { sent, send: async (cmd: { input: unknown }) => { sent.push(cmd.input); const a = answers.shift()!(); return a; } } as unknown as Parameters<typeof listEnabledRegions>[0] & { sent: unknown[] };
  };
  const err = (name: string, message: string) => Object.assign(new Error(message), { name });

  it('a failure on the first page is the error\'s name only, never its message; a failure on a later page keeps what was listed, marked incomplete', async () => {
    const denied = await listEnabledRegions(client([() => { throw err('AccessDeniedException', '\u001b]52;c;cGF5bG9hZA==\u0007 not authorized'); }]));
    expect(denied).toEqual({ ok: false, reason: 'AccessDeniedException on account:ListRegions' });
    const odd = await listEnabledRegions(client([() => { throw err('Weird\u001bName', 'x'); }]));
    expect(odd).toEqual({ ok: false, reason: 'account:ListRegions failed (an error)' });
    const throttled = await listEnabledRegions(client([() => { throw err('TooManyRequestsException', 'slow down'); }]));
    expect(throttled).toEqual({ ok: false, reason: 'account:ListRegions throttled past its retries (TooManyRequestsException)' });
    const half = await listEnabledRegions(client([() => ({ Regions: [{ RegionName: 'eu-west-1' }], NextToken: 't' }), () => { throw err('InternalServerException', 'x'); }]));
    expect(half).toEqual({ ok: true, regions: ['eu-west-1'], dropped: 0, pages: 1, complete: false });
    const notes = regionListingNotes(half, ['us-east-1'], ['us-east-1', 'eu-west-1'], ['us-east-1'], 1);
    expect(notes[1]).toBe('account:ListRegions answered only part of the list (1 page(s)): a session assumed through an STS endpoint in a region not listed is not found.');
    // Control: the whole list read says nothing of the kind.
    const whole = await listEnabledRegions(client([() => ({ Regions: [{ RegionName: 'eu-west-1' }] })]));
    expect(whole).toEqual({ ok: true, regions: ['eu-west-1'], dropped: 0, pages: 1, complete: true });
    expect(regionListingNotes(whole, ['us-east-1'], ['us-east-1', 'eu-west-1'], ['us-east-1'], 1)).toHaveLength(1);
  });

  it('a NextToken that never ends stops at the page bound, marked incomplete', async () => {
    const c = client(Array.from({ length: 50 }, () => () => ({ Regions: [{ RegionName: 'eu-west-1' }], NextToken: 'again' })));
    const r = await listEnabledRegions(c);
    expect(c.sent).toHaveLength(10);
    expect(r).toEqual({ ok: true, regions: ['eu-west-1'], dropped: 0, pages: 10, complete: false });
  });
});
