// The AI-tool registry (src/data/agents/ai-tools.json) and the user-agent matcher. Every registry
// signature is tested from its real example string and must not fire on its look-alike; user
// agents the real AWS SDK for JavaScript renders are matched too.
import { STSClient, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/fixtures.js';
import registry from '../../src/data/agents/ai-tools.json' with { type: 'json' };
import localConfigs from '../../src/data/agents/local-configs.json' with { type: 'json' };
import { businessMetrics, configSignatures, matchUserAgent, REGISTRY_SIGNATURES, sanitise, tokens, TOOLS, unrecognisedMarker } from '../../src/agents/user-agent.js';

describe('ai-tools.json: every tool and signature is sourced', () => {
  it('names every tool the issue lists, with signatures or a reason why there are none', () => {
    const ids = TOOLS.map((t) => t.id);
    for (const id of ['kiro', 'amazon-q', 'claude-code', 'cursor', 'copilot', 'cline', 'roo-code', 'windsurf', 'codex', 'gemini-cli', 'continue', 'aider', 'openhands', 'goose', 'amp',
      'strands-agents', 'langchain-aws', 'crewai', 'bedrock-agents', 'bedrock-agentcore', 'mcp-server']) expect(ids, id).toContain(id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const t of TOOLS) {
      if (t.signatures.length === 0) expect(t.why, `${t.id} has no signature and must say why`).toMatch(/.{20,}/);
    }
  });

  it('is listed in the README table, one row per tool', () => {
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## AI tools leash recognises'), readme.indexOf('### Patterns in'));
    for (const t of TOOLS) expect(section, t.name).toContain(`| ${t.name} |`);
  });

  it('points every tool at local-config entries that exist (what agents --local reads for it)', () => {
    const ids = new Set(localConfigs.configFiles.map((c) => c.id));
    for (const t of TOOLS) for (const id of t.localConfigs) expect(ids, `${t.id} → ${id}`).toContain(id);
    expect(TOOLS.find((t) => t.id === 'roo-code')!.localConfigs).toEqual(['roo-code-project-mcp', 'roo-code-user-mcp']);
  });

  it('gives every signature a unique id, an https source, the date checked, a reason, an example and a look-alike; unverified ones are low', () => {
    const ids = REGISTRY_SIGNATURES.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    const raw = (registry.tools as { signatures: { id: string; checked: string; sources?: string[] }[] }[]).flatMap((t) => t.signatures);
    for (const s of REGISTRY_SIGNATURES) {
      expect(s.source, s.id).toMatch(/^https:\/\/(github\.com\/[\w.-]+\/[\w.-]+\/|www\.npmjs\.com\/package\/)/);
      // A verified signature was read in a file: at a commit, not a branch that moves on, or in a
      // published package version (npm never lets a version be published twice). An open
      // proposal (unverified) may cite its pull request, which has no commit on any branch.
      if (s.verified) expect(s.source, s.id).toMatch(PINNED);
      for (const more of raw.find((r) => r.id === s.id)!.sources ?? []) expect(more, s.id).toMatch(PINNED);
      expect(raw.find((r) => r.id === s.id)!.checked, s.id).toMatch(/^2026-\d\d-\d\d$/);
      expect(s.why.length, s.id).toBeGreaterThan(10);
      expect(s.example, s.id).toBeTruthy();
      expect(s.lookAlike, s.id).toBeTruthy();
      if (!s.verified) expect(s.confidence, `${s.id} is unverified`).toBe('low');
    }
  });
});

/** A file or folder on GitHub at a commit (40 hex), not at a branch or tag that moves on. */
const PERMALINK = /^https:\/\/github\.com\/[\w.-]+\/[\w.-]+\/(blob|tree)\/[0-9a-f]{40}\//;
/** A pinned source: a GitHub permalink, or one published version of an npm package. */
const PINNED = /^https:\/\/(github\.com\/[\w.-]+\/[\w.-]+\/(blob|tree)\/[0-9a-f]{40}\/|www\.npmjs\.com\/package\/(@[\w.-]+\/)?[\w.-]+\/v\/\d+\.\d+\.\d+$)/;
const GITHUB_LINK = /https:\/\/(?:github\.com|raw\.githubusercontent\.com)\/[^\s)"',]+/g;

/** GitHub links in `text` that name a file or folder without pinning a commit (issues, pull requests and repositories name no file). */
function unpinnedGithubLinks(text: string): string[] {
  return [...text.matchAll(GITHUB_LINK)].map((m) => m[0]).filter((u) => {
    const raw = /^https:\/\/raw\.githubusercontent\.com\/[^/]+\/[^/]+\/([^/]+)\//.exec(u);
    if (raw) return !/^[0-9a-f]{40}$/.test(raw[1]!);
    const ref = /^https:\/\/github\.com\/[^/]+\/[^/]+\/(?:blob|tree|raw)\/([^/#?]+)/.exec(u);
    return ref !== null && !/^[0-9a-f]{40}$/.test(ref[1]!);
  });
}

describe('data files cite GitHub files at a commit', () => {
  const dataDir = join(repoRoot, 'src/data');
  const files = readdirSync(dataDir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.json'));

  it('finds the data files, the agent registries among them', () => {
    expect(files).toEqual(expect.arrayContaining([join('agents', 'ai-tools.json'), join('agents', 'local-configs.json'), join('agents', 'principals.json'), 'escalation-techniques.json']));
  });

  it.each(files)('%s: every GitHub file or folder it cites is a commit permalink', (f) => {
    expect(unpinnedGithubLinks(readFileSync(join(dataDir, f), 'utf8'))).toEqual([]);
  });

  it('the check rejects branch, tag and short-hash links and accepts permalinks, issues, pull requests and repositories (controls)', () => {
    const sha = '0c5aa058e16d93d7a74cfbbacbbc41640992dbc1';
    expect(unpinnedGithubLinks([
      'https://github.com/vercel/ai/blob/main/packages/amazon-bedrock/src/bedrock-sigv4-fetch.ts',
      'see https://github.com/o/r/tree/v1.2.3/src)',
      `https://github.com/o/r/blob/${sha.slice(0, 39)}/x.py#L3`,
      'https://raw.githubusercontent.com/o/r/HEAD/README.md',
    ].join(' '))).toHaveLength(4);
    expect(unpinnedGithubLinks([
      `https://github.com/vercel/ai/blob/${sha}/packages/amazon-bedrock/src/bedrock-sigv4-fetch.ts#L44-L48`,
      `https://github.com/o/r/tree/${sha}/src`,
      `https://raw.githubusercontent.com/o/r/${sha}/README.md`,
      'https://github.com/aws/aws-cli/pull/10584', 'https://github.com/kirodotdev/Kiro/issues/8174', 'https://github.com/BishopFox/iam-vulnerable',
    ].join(' '))).toEqual([]);
    expect('https://github.com/strands-agents/tools/blob/main/src/strands_tools/use_aws.py').not.toMatch(PERMALINK);
    expect(`https://github.com/strands-agents/tools/blob/${sha}/src/strands_tools/use_aws.py#L241`).toMatch(PERMALINK);
    // A published npm version is pinned; the package page (latest, moves on) is not.
    expect('https://www.npmjs.com/package/@anthropic-ai/claude-code/v/2.1.332').toMatch(PINNED);
    for (const moving of ['https://www.npmjs.com/package/@anthropic-ai/claude-code', 'https://www.npmjs.com/package/@anthropic-ai/claude-code/v/latest', 'https://github.com/strands-agents/tools/blob/main/src/x.py']) expect(moving).not.toMatch(PINNED);
  });
});

describe.each(REGISTRY_SIGNATURES.map((s) => [s.id, s] as const))('signature %s', (_id, sig) => {
  it('matches its real example', () => {
    const m = matchUserAgent(sig.example!);
    expect(m.map((x) => x.rule.id)).toContain(sig.id);
  });

  it('does not match its look-alike, nor does any other signature of the same tool', () => {
    const m = matchUserAgent(sig.lookAlike!);
    expect(m.filter((x) => x.rule.tool === sig.tool).map((x) => x.rule.id)).toEqual([]);
  });
});

describe('the strongest signature names the tool', () => {
  it.each([
    // An awslabs server driven by Claude Code: the server's own marker (high) comes before the client's (medium).
    ['Boto3/1.40.0 md/Botocore#1.40.0 ua/2.1 lang/python#3.12.3 m/b Botocore/1.40.0 md/awslabs#mcp#aws-api-mcp-server#1.2.0 md/via/AWS-API-MCP-Server MCPClient/claude-code#1.0.98 cfg/ro#1', 'mcp-server', 'awslabs-mcp-server'],
    // A CrewAI tool through the AgentCore SDK: the SDK's marker is the strong one.
    ['Boto3/1.40.0 md/Botocore#1.43.11 ua/2.1 lang/python#3.11.7 m/e,Z Botocore/1.43.11 bedrock-agentcore/1.0.3 (integration_source=crewai)', 'bedrock-agentcore', 'bedrock-agentcore-sdk'],
    // Q CLI inside CloudShell: the specific CLI rule (high) before the generic AmazonQ-For exec-env (medium).
    ['aws-cli/2.36.7 ua/2.1 os/linux#6.8.0 lang/python#3.13.7 exec-env/CloudShell-AmazonQ-For-CLI-Version-1.12.1 m/E md/command#s3.ls', 'amazon-q', 'amazon-q-cli-exec-env'],
    // The IDE's agentic chat, appended to an existing exec-env.
    ['aws-cli/2.36.7 ua/2.1 os/linux#6.8.0 lang/python#3.13.7 exec-env/VSCode-AmazonQ-For-IDE-Version-1.90.0 m/E md/command#s3.ls', 'amazon-q', 'amazon-q-ide-exec-env'],
  ])('%s → %s', (ua, tool, id) => {
    const first = matchUserAgent(ua)[0]!;
    expect([first.rule.tool, first.rule.id]).toEqual([tool, id]);
  });
});

describe('user agents the real AWS SDK for JavaScript renders', () => {
  const saved = process.env.AWS_EXECUTION_ENV;
  afterEach(() => {
    if (saved === undefined) delete process.env.AWS_EXECUTION_ENV;
    else process.env.AWS_EXECUTION_ENV = saved;
  });

  /** The User-Agent header the SDK would send (captured before anything leaves the machine). */
  async function renderedUserAgent(config: { userAgentAppId?: string; customUserAgent?: [string, string][] }): Promise<string> {
    const client = new STSClient({ region: 'us-east-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'not-a-secret' }, ...config });
    let ua = '';
    client.middlewareStack.add((_next) => async (args) => {
      ua = String((args.request as { headers: Record<string, string> }).headers['user-agent']);
      throw new Error('captured');
    }, { step: 'finalizeRequest', priority: 'low' });
    await expect(client.send(new GetCallerIdentityCommand({}))).rejects.toThrow('captured');
    return ua;
  }

  it('Cline and Roo Code app ids become app/<id> tokens that name the tool', async () => {
    const cline = await renderedUserAgent({ userAgentAppId: 'cline#3.17.0' });
    expect(cline).toContain('app/cline#3.17.0');
    expect(matchUserAgent(cline)[0]?.rule.tool).toBe('cline');
    const roo = await renderedUserAgent({ userAgentAppId: 'RooCode#3.25.1' });
    expect(matchUserAgent(roo)[0]?.rule.tool).toBe('roo-code');
  });

  it('an app id that merely contains the word is no tool (negative control)', async () => {
    const ua = await renderedUserAgent({ userAgentAppId: 'declined-payments#2.1.0' });
    expect(matchUserAgent(ua)).toEqual([]);
    expect(matchUserAgent(await renderedUserAgent({}))).toEqual([]);
  });

  it('the Amazon Q extension product names Amazon Q; the AWS Toolkit does not', async () => {
    const q = await renderedUserAgent({ customUserAgent: [['AmazonQ-For-VSCode', '1.90.0']] });
    expect(matchUserAgent(q).map((m) => m.rule.id)).toEqual(['amazon-q-ide-extension']);
    const toolkit = await renderedUserAgent({ customUserAgent: [['AWS-Toolkit-For-VSCode', '3.74.0']] });
    expect(matchUserAgent(toolkit)).toEqual([]);
  });

  it('an exec-env set by Amazon Q for the commands it runs is matched in the SDK rendering too', async () => {
    process.env.AWS_EXECUTION_ENV = 'AmazonQ-For-IDE Version/1.90.0';
    const ua = await renderedUserAgent({});
    expect(ua).toMatch(/exec-env\/AmazonQ-For-IDE/);
    expect(matchUserAgent(ua)[0]?.rule.id).toBe('amazon-q-ide-exec-env');
    process.env.AWS_EXECUTION_ENV = 'AWS_Lambda_nodejs20.x';
    expect(matchUserAgent(await renderedUserAgent({}))).toEqual([]);
  });
});

describe('business-metric codes', () => {
  it('name a tool only in a user agent of the SDK whose table defines them (the AWS CLI\'s)', () => {
    const claude = (ua: string) => matchUserAgent(ua).filter((m) => m.rule.id === 'aws-cli-agent-claude-code');
    expect(claude('aws-cli/2.36.7 ua/2.1 os/linux#6.8.0 lang/python#3.13.7 m/AN,E md/command#s3.ls')).toHaveLength(1);
    expect(claude('[aws-cli/2.36.7 ua/2.1 lang/python#3.13.7 m/E,AN]')).toHaveLength(1);
    // Controls: the same code from SDKs that do not define it (botocore stops at AI, the JS SDK at AD).
    expect(claude('Boto3/1.40.0 md/Botocore#1.43.11 ua/2.1 lang/python#3.11.7 m/AN,E Botocore/1.43.11')).toEqual([]);
    expect(claude('aws-sdk-js/3.975.1 ua/2.1 os/linux#6.8.0 lang/js md/nodejs#20.20.2 api/sts#3.975.1 m/AN,E')).toEqual([]);
    expect(claude('aws-cli-helper/1.0 m/AN')).toEqual([]);
    for (const s of REGISTRY_SIGNATURES) if (s.match && 'metric' in s.match) expect(s.match.sdk, s.id).toBe('aws-cli');
  });

  it('are whole, case-sensitive elements of the m/ list', () => {
    expect(businessMetrics('aws-cli/2.36.7 m/E,AN,b cfg/retry-mode#standard')).toEqual(['E', 'AN', 'b']);
    for (const ua of ['aws-cli/2.36.7 m/ANX,E', 'aws-cli/2.36.7 m/an', 'ANSIBLE/2.16 Boto3/1.34.0', 'Mozilla/5.0 (X11; Linux x86_64) m/XAN', 'aws-cli/2.36.7 m/E md/command#s3.AN']) {
      expect(matchUserAgent(ua).filter((m) => m.rule.match && 'metric' in m.rule.match), ua).toEqual([]);
    }
  });
});

describe('ordinary user agents match nothing and carry no agent marker', () => {
  it.each([
    ['plain AWS CLI', 'aws-cli/2.36.7 md/awscrt#0.28.4 ua/2.1 os/linux#6.8.0 md/arch#x86_64 lang/python#3.13.7 md/pyimpl#CPython m/E,b cfg/retry-mode#standard md/installer#exe md/prompt#off md/command#s3.ls'],
    ['plain boto3', 'Boto3/1.40.0 md/Botocore#1.43.11 ua/2.1 os/linux#6.8.0 md/arch#x86_64 lang/python#3.11.7 md/pyimpl#CPython m/D,b,e,Z cfg/retry-mode#legacy Botocore/1.43.11'],
    ['a person in the console (Chrome)', 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'],
    ['a person in Firefox', 'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:102.0) Gecko/20100101 Firefox/102.0'],
    ['Terraform', 'APN/1.0 HashiCorp/1.0 Terraform/1.1.2 (+https://www.terraform.io) terraform-provider-aws/dev'],
    ['the SSM agent (an agent, not an AI one)', 'aws-sdk-go/1.41.4 (go1.18.3; linux; amd64) amazon-ssm-agent/3.2.1241.0'],
    ['the S3 console', '[S3Console/0.4, aws-internal/3 aws-sdk-java/1.12.488 Linux/5.10]'],
    ['the AWS Toolkit', 'aws-sdk-js/3.1172.0 ua/2.1 os/darwin#24.6.0 lang/js md/nodejs#20.20.2 api/sts#3.1172.0 m/E AWS-Toolkit-For-VSCode/3.74.0 Visual-Studio-Code/1.103.0'],
    ['Stratus Red Team', 'stratus-red-team_fccf7123-0651-41f5-b06c-460da5ee1c94'],
    ['a McPherson tool', 'Boto3/1.40.0 Botocore/1.43.11 mcpherson-billing/2.0'],
  ])('%s', (_what, ua) => {
    expect(matchUserAgent(ua)).toEqual([]);
    expect(unrecognisedMarker(ua)).toBeUndefined();
  });
});

describe('unrecognised agent tooling', () => {
  it.each([
    ['an unknown MCP server in md/', 'Boto3/1.40.12 md/Botocore#1.40.12 ua/2.1 lang/python#3.12.8 m/b,Z Botocore/1.40.12 md/orders-mcp#order-lookup-server#0.3.1', 'md/orders-mcp#order-lookup-server#0.3.1'],
    ['an unknown framework tag', 'Boto3/1.40.0 Botocore/1.43.11 x-client-framework:llamaindex', 'x-client-framework:llamaindex'],
    ['an unknown AgentCore integration', 'Boto3/1.40.0 Botocore/1.43.11 (integration_source=deepagents-cli)', '(integration_source=deepagents-cli)'],
    ['a pydantic-ai app id', 'aws-sdk-js/3.1172.0 ua/2.1 lang/js m/E app/pydantic-ai-bot#0.1', 'app/pydantic-ai-bot#0.1'],
  ])('%s is reported with its marker', (_what, ua, marker) => {
    expect(matchUserAgent(ua)).toEqual([]);
    expect(unrecognisedMarker(ua)).toBe(marker);
  });

  it('is not reported when a known signature names the tool', () => {
    expect(unrecognisedMarker('Boto3/1.40.0 Botocore/1.43.11 x-client-framework:langchain-aws')).toBeUndefined();
  });

  it('shows control characters escaped, and bounds the marker', () => {
    const marker = unrecognisedMarker(`Boto3/1.40.0 md/evil-mcp#\u001b]0;pwned\u0007#1.0`)!;
    expect(marker).not.toMatch(/[\u0000-\u001f]/);
    expect(marker).toContain('\\u{1b}');
    expect(unrecognisedMarker(`Boto3 md/${'x'.repeat(500)}-mcp`)!.length).toBeLessThanOrEqual(120);
    expect(sanitise('a\u202eb')).toBe('a\\u{202e}b');
  });
});

describe('signatures from leash.config.yaml', () => {
  it('name a tool the registry does not know, at the configured confidence', () => {
    const extra = configSignatures([{ userAgent: 'md/orders-mcp#', tool: 'orders-assistant', confidence: 'high' }]);
    const ua = 'Boto3/1.40.12 Botocore/1.40.12 md/orders-mcp#order-lookup-server#0.3.1';
    const m = matchUserAgent(ua, [...REGISTRY_SIGNATURES, ...extra]);
    expect(m.map((x) => [x.rule.tool, x.rule.confidence, x.rule.origin])).toEqual([['orders-assistant', 'high', 'config']]);
    expect(unrecognisedMarker(ua, [...REGISTRY_SIGNATURES, ...extra])).toBeUndefined();
    // Negative control: the same signature leaves other user agents alone.
    expect(matchUserAgent('Boto3/1.40.12 Botocore/1.40.12 md/orders#0.3.1', extra)).toEqual([]);
  });

  it('run on the linear engine: a catastrophic-backtracking pattern on a long user agent returns', () => {
    const [sig] = configSignatures([{ userAgent: '^(a+)+$', tool: 'x', confidence: 'low' }]);
    expect(matchUserAgent('a'.repeat(64), [sig!]).length).toBe(1);
    expect(matchUserAgent(`${'a'.repeat(4000)}!`, [sig!])).toEqual([]);
  });
});

// Audit (session 29): CloudTrail writes some user agents inside one pair of brackets (S3 data
// events in the invictus-ir set: `[Boto3/1.26.165 … Botocore/1.29.165]`).
describe('user agents CloudTrail wrapped in brackets', () => {
  const BOTO = 'Boto3/1.40.0 md/Botocore#1.43.11 ua/2.1 os/linux#6.8.0 lang/python#3.11.7 Botocore/1.43.11';
  it.each([
    [`[${BOTO} x-client-framework:langchain-aws]`, 'langchain-aws-framework'],
    ['[aws-cli/2.36.7 ua/2.1 os/linux#6.8.0 lang/python#3.13.7 m/E,AN md/command#s3.ls]', 'aws-cli-agent-claude-code'],
    [`[${BOTO} bedrock-agentcore/1.0.3 (integration_source=crewai)]`, 'crewai-agentcore-integration'],
  ])('%s matches %s as the unwrapped string does', (ua, id) => {
    expect(matchUserAgent(ua).map((m) => m.rule.id)).toContain(id);
    expect(matchUserAgent(ua).map((m) => m.rule.id)).toEqual(matchUserAgent(ua.slice(1, -1)).map((m) => m.rule.id));
    expect(unrecognisedMarker(ua)).toBeUndefined();
  });
  it('only one enclosing pair is taken off; a bracket inside a token stays (negative controls)', () => {
    expect(matchUserAgent(`${BOTO} x-client-framework:langchain-aws]`).map((m) => m.rule.id)).not.toContain('langchain-aws-framework');
    expect(matchUserAgent(`[[${BOTO} x-client-framework:langchain-aws]]`).map((m) => m.rule.id)).not.toContain('langchain-aws-framework');
    expect(tokens('[S3Console/0.4, aws-internal/3]')).toEqual(['S3Console/0.4,', 'aws-internal/3']);
  });
});

describe('Strands: the SDK by its whole product name, its tools by their prefix', () => {
  const BOTO = 'Boto3/1.40.0 md/Botocore#1.43.11 ua/2.1 os/linux#6.8.0 lang/python#3.11.7 Botocore/1.43.11';
  it.each([
    [`${BOTO} strands-agents`, 'strands-agents-sdk', 'high'],
    [`${BOTO} strands-agents/1.2.0`, 'strands-agents-sdk', 'high'],
    [`${BOTO} strands-agents-memory`, 'strands-agents-tools', 'medium'],
  ])('%s → %s (%s)', (ua, id, confidence) => {
    expect(matchUserAgent(ua)[0]).toMatchObject({ rule: { id, confidence } });
  });
  it('strands-agentsmith is not Strands', () => {
    expect(matchUserAgent(`${BOTO} strands-agentsmith/2.0`)).toEqual([]);
  });
});
