// Agent detection on real traffic: every CloudTrail record of the three public sets in
// ../shared/fixtures/cloudtrail (Stratus Red Team detonations, the Invictus IR incident dataset,
// trailscraper's samples) goes through the scan's own reader and agent identification. None of
// them is an AI tool's call: consoles, Terraform, SDKs, AWS services and attackers. The ground
// truth below classifies each user agent by what it is, independently of leash's registry, so an
// unexplained user agent fails the test instead of passing silently.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { agentEvidenceFromUsage, aiDrivenSessions, matchName, unrecognisedAgentTooling } from '../../src/agents/cloudtrail-evidence.js';
import { agentEvidenceFor, agentKindOf, isPeopleFederatedRole } from '../../src/agents/identify.js';
import { matchUserAgent, unrecognisedMarker } from '../../src/agents/user-agent.js';
import { normalizeAuthorizationDetails } from '../../src/collect/iam/authorization-details-file.js';
import { readCloudTrail } from '../../src/collect/cloudtrail/sources/files.js';
import { defaultConfig } from '../../src/config/config.js';
import type { Principal } from '../../src/model/snapshot.js';
import { runScan } from '../../src/pipeline/scan.js';
import { IamExportBuilder, allow, policy, trust } from '../support/iam-export-builder.js';
import { SKIP_REASON, sharedFixture, sharedFixturesPresent } from '../support/fixtures.js';

const SETS = ['stratus-red-team', 'invictus-ir-aws-dataset', 'trailscraper'].map((s) => sharedFixture(`cloudtrail/${s}`));

interface RawRecord { userAgent?: string; userIdentity?: { type?: string; arn?: string; sessionContext?: { sessionIssuer?: { arn?: string } } } }

/** Every record of the sets, parsed here without leash's reader (.json and .json.gz). */
function rawRecords(): RawRecord[] {
  const out: RawRecord[] = [];
  for (const dir of SETS) {
    for (const f of readdirSync(dir)) {
      if (!/\.json(\.gz)?$/.test(f)) continue;
      const buf = readFileSync(join(dir, f));
      out.push(...(JSON.parse((f.endsWith('.gz') ? gunzipSync(buf) : buf).toString('utf8')) as { Records: RawRecord[] }).Records);
    }
  }
  return out;
}

/**
 * What each user agent is, by its own shape (ground truth, not leash's rules). Order matters:
 * Terraform runs the Go SDK, and a Stratus detonation appends its id to Terraform's user agent.
 */
const HUMAN_OR_MACHINE: readonly (readonly [string, (ua: string) => boolean])[] = [
  ['console (browser)', (ua) => ua.startsWith('Mozilla/5.0 ')],
  ['AWS console backend / AWS Internal', (ua) => ua === 'AWS Internal' || /(^|\[)(S3Console|RDS Console|AWSCloudTrail)[/,]/.test(ua)],
  ['AWS service principal', (ua) => /^[a-z0-9-]+\.amazonaws\.com$/.test(ua)],
  ['Terraform', (ua) => /^\[?APN\/1\.0 HashiCorp\/1\.0 Terraform\//.test(ua)],
  ['Stratus Red Team detonation', (ua) => /^\[?stratus-red-team_[0-9a-f-]{36}\]?$/.test(ua)],
  ['Grimoire (Stratus runner, Go SDK)', (ua) => /^aws-sdk-go-v2\/\S+ .* exec-env\/grimoire_[0-9a-f-]{36} /.test(ua)],
  ['SSM agent (Go SDK)', (ua) => /^aws-sdk-go\/\S+ \(.*\) amazon-ssm-agent\/$/.test(ua)],
  ['AWS SDK for Go v2', (ua) => /^aws-sdk-go-v2\/[\d.]+ os\/linux lang\/go\/[\d.]+ md\/GOOS\/linux md\/GOARCH\/amd64 api\/[a-z0-9]+\/[\d.]+$/.test(ua)],
  ['Boto3', (ua) => /^\[?Boto3\/[\d.]+ Python\/[\d.]+ Linux\/\S+ Botocore\/[\d.]+\]?$/.test(ua)],
  ['trailscraper placeholder', (ua) => ua === 'example-user-agent-string'],
];
const kindOf = (ua: string) => HUMAN_OR_MACHINE.find(([, test]) => test(ua))?.[0];

/** Principals of each account the trail names, made into an export and read as a scan reads one. */
function principalsOf(arns: readonly string[]): Principal[] {
  const byAccount = new Map<string, IamExportBuilder>();
  for (const arn of arns) {
    const m = /^arn:aws:iam::(\d{12}):(user|role)(\/(?:.*\/)?)([^/]+)$/.exec(arn);
    if (!m) continue;
    const [, account, kind, path, name] = m;
    const b = byAccount.get(account!) ?? new IamExportBuilder(account);
    byAccount.set(account!, b);
    if (kind === 'user') b.user(name!, { path: path! });
    else b.role(name!, { path: path!, trust: trust(`arn:aws:iam::${account}:root`) });
  }
  return [...byAccount.values()].flatMap((b) => normalizeAuthorizationDetails(b.build(), 'trail-principals.json').principals);
}

describe.skipIf(!sharedFixturesPresent)(`agent detection on the public CloudTrail sets${sharedFixturesPresent ? '' : ` — skipped: ${SKIP_REASON}`}`, async () => {
  const records = sharedFixturesPresent ? rawRecords() : [];
  const read = sharedFixturesPresent ? await readCloudTrail(SETS) : undefined;
  const usage = read?.usage;

  it('the scan reads every record of the three sets', () => {
    expect(records.length).toBeGreaterThanOrEqual(3215);
    expect(usage!.recordsRead).toBe(records.length);
  });

  it('every distinct user agent is explained by the ground truth, and none names an AI tool or carries an agent marker', () => {
    const uas = [...new Set(records.map((r) => r.userAgent ?? ''))];
    expect(uas.length).toBeGreaterThan(150);
    const unexplained = uas.filter((ua) => kindOf(ua) === undefined);
    expect(unexplained).toEqual([]);
    const kinds = new Set(uas.map(kindOf));
    // The sets hold people at a console, Terraform, SDK programs, AWS services and AWS Internal.
    for (const k of ['console (browser)', 'AWS console backend / AWS Internal', 'AWS service principal', 'Terraform', 'Boto3', 'AWS SDK for Go v2']) expect(kinds, k).toContain(k);
    const called = uas.map((ua) => ({ ua, tools: matchUserAgent(ua).map((m) => `${m.rule.tool} (${m.rule.id})`), marker: unrecognisedMarker(ua) })).filter((x) => x.tools.length > 0 || x.marker !== undefined);
    expect(called).toEqual([]);
  });

  it('per principal: no AI-tool evidence from user agents, session names or sourceIdentity, and no principal is an agent', () => {
    const arns = Object.keys(usage!.byPrincipal);
    expect(arns.length).toBeGreaterThan(30);
    const principals = principalsOf(arns);
    // Every IAM user and role the trail names (services and the root user are not principals).
    expect(principals.length).toBeGreaterThan(30);
    const peopleFederatedRoles = new Set(principals.filter(isPeopleFederatedRole).map((p) => p.arn));
    const fromTrail = agentEvidenceFromUsage(usage!, { peopleFederatedRoles });
    expect(fromTrail).toEqual({});
    const config = defaultConfig();
    const verdicts = principals.map((p) => {
      const ev = agentEvidenceFor(p, config, fromTrail[p.arn] ?? []);
      return { arn: p.arn, kind: agentKindOf(p, ev), evidence: ev.map((e) => `${e.kind}:${e.confidence}:${e.tool ?? ''}`) };
    });
    expect(verdicts.filter((v) => v.kind !== undefined || v.evidence.length > 0)).toEqual([]);
    // The person-named users (christophe, benjamin, bert-jan) and the Identity Center admin are among them.
    expect(principals.map((p) => p.name)).toEqual(expect.arrayContaining(['christophe', 'benjamin', 'bert-jan', 'AWSReservedSSO_account-admin_599c9e90e350d2ff']));
    expect(aiDrivenSessions(usage!, { peopleFederatedRoles })).toEqual([]);
    expect(unrecognisedAgentTooling(usage!)).toEqual([]);
  });

  it('no session name or sourceIdentity in them names a tool (aws-go-sdk-…, i-…, cli, SLRManagement, AutoScalingDescribeHandlerSession)', () => {
    const names = Object.values(usage!.byPrincipal).flatMap((p) => p.sessions.flatMap((s) => [s.sessionName, s.sourceIdentity])).filter((n): n is string => Boolean(n));
    expect(names).toEqual(expect.arrayContaining(['cli', 'SLRManagement', 'AutoScalingDescribeHandlerSession']));
    expect(names.filter((n) => matchName(n).length > 0)).toEqual([]);
  });

  it('a whole scan of the Invictus IR account (export of its trail principals + its trail) finds no agent', async () => {
    const ACCT = '123837392027';
    const b = new IamExportBuilder(ACCT);
    const admin = policy(allow('*', '*'));
    for (const arn of Object.keys(usage!.byPrincipal).filter((a) => a.startsWith(`arn:aws:iam::${ACCT}:`))) {
      const m = /^arn:aws:iam::\d{12}:(user|role)(\/(?:.*\/)?)([^/]+)$/.exec(arn);
      if (!m) continue;
      if (m[1] === 'user') b.user(m[3]!, { path: m[2]!, inline: { admin } });
      else b.role(m[3]!, { path: m[2]!, trust: trust(`arn:aws:iam::${ACCT}:root`), inline: { admin } });
    }
    const dir = mkdtempSync(join(tmpdir(), 'leash-real-traffic-'));
    const input = join(dir, 'auth.json');
    writeFileSync(input, JSON.stringify(b.build()));
    const report = await runScan({ input, cloudtrail: [sharedFixture('cloudtrail/invictus-ir-aws-dataset')], now: new Date('2023-07-11T00:00:00Z') });
    expect(report.principals.length).toBeGreaterThan(5);
    expect(report.principals.map((p) => p.name)).toEqual(expect.arrayContaining(['benjamin', 'bert-jan']));
    expect(report.principals.filter((p) => p.isAgent || p.agentEvidence.length > 0).map((p) => p.name)).toEqual([]);
    expect(report.findings.filter((f) => f.checkId === 'human-session-driven-by-agent')).toEqual([]);
  });
});

describe.skipIf(!sharedFixturesPresent)(`the same path on a real record given an AI tool's marker (positive control)${sharedFixturesPresent ? '' : ` — skipped: ${SKIP_REASON}`}`, () => {
  it('bert-jan\'s own calls, re-sent by Claude Code through the AWS CLI, make bert-jan an agent principal; his real user agents do not', async () => {
    const dir = sharedFixture('cloudtrail/invictus-ir-aws-dataset');
    const mine = readdirSync(dir).filter((f) => f.endsWith('.json'))
      .flatMap((f) => (JSON.parse(readFileSync(join(dir, f), 'utf8')) as { Records: RawRecord[] }).Records)
      .filter((r) => r.userIdentity?.arn?.endsWith(':user/bert-jan'));
    expect(mine.length).toBeGreaterThan(0);
    const claude = 'aws-cli/2.36.7 md/awscrt#0.28.4 ua/2.1 os/linux#6.8.0 md/arch#x86_64 lang/python#3.13.7 md/pyimpl#CPython m/E,AN,b cfg/retry-mode#standard md/command#s3.ls';
    const tmp = mkdtempSync(join(tmpdir(), 'leash-real-traffic-'));
    writeFileSync(join(tmp, 'as-is.json'), JSON.stringify({ Records: mine }));
    writeFileSync(join(tmp, 'claude.json'), JSON.stringify({ Records: mine.map((r) => ({ ...r, userAgent: claude })) }));
    const [p] = principalsOf(['arn:aws:iam::123837392027:user/bert-jan']);
    const kind = async (f: string) => {
      const { usage } = await readCloudTrail([join(tmp, f)]);
      return agentKindOf(p!, agentEvidenceFor(p!, defaultConfig(), agentEvidenceFromUsage(usage)[p!.arn] ?? []));
    };
    expect(await kind('as-is.json')).toBeUndefined();
    expect(await kind('claude.json')).toBe('agent-principal');
  });
});
