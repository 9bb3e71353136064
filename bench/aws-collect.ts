// Live-collection benchmark: a generated 5,000-role account served by the loopback AWS endpoint
// (test/support/fake-aws.ts), collected by the real SDK through leash's client factory. The
// collector runs in a child process so its peak RSS is its own, not the fake server's.
// Run: npx tsx bench/aws-collect.ts [roles]
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { collectAws } from '../src/collect/aws/index.js';
import { generateAccount } from '../test/support/fake-aws-account.js';
import { startFakeAws } from '../test/support/fake-aws.js';

type Row = Record<string, number | string>;

interface ChildResult {
  wallMs: number;
  peakRssMb: number;
  roles: number;
  pages: number;
}

/** Inside the child: collect from the given endpoint and report time and peak RSS as JSON. */
async function child(url: string, accessKeyId: string, pageSize: number): Promise<void> {
  const started = performance.now();
  const result = await collectAws({ region: 'us-east-1', endpointUrl: url, credentials: { accessKeyId, secretAccessKey: 'fake-secret-key' }, maxAttempts: 3, pageSize });
  const wallMs = performance.now() - started;
  const out: ChildResult = {
    wallMs,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    roles: result.authorizationDetails.RoleDetailList.length,
    pages: Number(result.sources[0]?.counts?.['pages'] ?? 0),
  };
  process.stdout.write(JSON.stringify(out));
}

/** Async on purpose: the fake server lives in this process and must keep answering. */
function runChild(url: string, accessKeyId: string, pageSize: number): Promise<ChildResult> {
  const self = fileURLToPath(import.meta.url);
  const args = self.endsWith('.ts') ? ['--import', 'tsx', self] : [self];
  const proc = spawn(process.execPath, [...args, '--child', url, accessKeyId, String(pageSize)], {
    env: { ...process.env, AWS_EC2_METADATA_DISABLED: 'true', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  proc.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  return new Promise((resolveChild, reject) => {
    proc.on('error', reject);
    proc.on('close', (code) => (code === 0 ? resolveChild(JSON.parse(stdout) as ChildResult) : reject(new Error(`collector child failed (${code}): ${stderr}`))));
  });
}

export async function benchAwsCollect(opts: { roles?: number } = {}): Promise<Record<string, number | string>> {
  const roles = opts.roles ?? 5000;
  const account = generateAccount({ roles });
  const row: Row = { roles };
  for (const pageSize of [1000, 100]) {
    const fake = await startFakeAws(account, { pageSize });
    try {
      const r = await runChild(fake.url, fake.credentials.accessKeyId, pageSize);
      const ops = fake.operations();
      row[`page ${pageSize}: calls total`] = ops.length;
      row[`page ${pageSize}: GetAccountAuthorizationDetails calls`] = ops.filter((o) => o === 'GetAccountAuthorizationDetails').length;
      row[`page ${pageSize}: ListRoles calls`] = ops.filter((o) => o === 'ListRoles').length;
      row[`page ${pageSize}: wall ms`] = Math.round(r.wallMs);
      row[`page ${pageSize}: peak RSS MB`] = Math.round(r.peakRssMb);
      if (r.roles !== roles) throw new Error(`collected ${r.roles} roles, expected ${roles}`);
    } finally {
      await fake.close();
    }
  }
  return row;
}

function printTable(row: Row): void {
  const width = Math.max(...Object.keys(row).map((k) => k.length));
  for (const [k, v] of Object.entries(row)) console.log(`${k.padEnd(width)}  ${typeof v === 'number' ? v.toLocaleString('en-US') : v}`);
}

const argv = process.argv;
if (argv[2] === '--child') {
  await child(argv[3] ?? '', argv[4] ?? '', Number(argv[5] ?? 1000));
} else if (argv[1] && resolve(argv[1]) === fileURLToPath(import.meta.url)) {
  const n = argv[2] ? Number(argv[2]) : undefined;
  printTable(await benchAwsCollect(n ? { roles: n } : {}));
}
