// The shared fixture trails laid out as CloudTrail delivers them to S3 (and as Athena's
// CloudTrail table reads them): AWSLogs/[<org-id>/]<account>/CloudTrail/<region>/<yyyy>/<mm>/<dd>/<file>.
// Each file goes to the folder of its first record, as CloudTrail files it.
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { sharedFixture } from './fixtures.js';

export interface LaidOutFile {
  /** Absolute path of the fixture file. */
  readonly path: string;
  /** S3 key (relative to the trail prefix). */
  readonly key: string;
  readonly account: string;
  readonly region: string;
  /** yyyy/mm/dd of its folder. */
  readonly day: string;
}

export const FIXTURE_TRAIL_SETS = ['cloudtrail/trailscraper', 'cloudtrail/stratus-red-team', 'cloudtrail/invictus-ir-aws-dataset'] as const;

/** Every fixture file of the given sets, with its delivery key; org sets go under AWSLogs/<orgId>/. */
export function layOutFixtureTrails(opts: { orgId?: string; orgSets?: readonly string[]; sets?: readonly string[] } = {}): LaidOutFile[] {
  const out: LaidOutFile[] = [];
  for (const set of opts.sets ?? FIXTURE_TRAIL_SETS) {
    const dir = sharedFixture(set);
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      let raw = readFileSync(path);
      if (raw[0] === 0x1f && raw[1] === 0x8b) raw = gunzipSync(raw);
      const first = (JSON.parse(raw.toString('utf8')) as { Records: { eventTime: string; awsRegion?: string; recipientAccountId?: string; userIdentity?: { accountId?: string } }[] }).Records[0]!;
      const account = first.recipientAccountId ?? first.userIdentity?.accountId ?? '000000000000';
      const region = first.awsRegion ?? 'us-east-1';
      const day = `${first.eventTime.slice(0, 4)}/${first.eventTime.slice(5, 7)}/${first.eventTime.slice(8, 10)}`;
      const org = opts.orgId && opts.orgSets?.includes(set) ? `${opts.orgId}/` : '';
      // Keep names unique across sets: two sets may hold files of one account and day.
      out.push({ path, key: `AWSLogs/${org}${account}/CloudTrail/${region}/${day}/${set.split('/')[1]}-${basename(name)}`, account, region, day });
    }
  }
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
