// moto (the AWS emulator on the machine image, ../shared/notes/machine.md) as a real component in
// tests: started on a free loopback port, stopped by its own pid. Tests skip, saying why, when
// python3 -m moto.server is not there.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export const motoAvailable = spawnSync('python3', ['-c', 'import moto.server, boto3'], { stdio: 'ignore' }).status === 0;
export const MOTO_SKIP_REASON = 'moto not installed (python3 -m moto.server, see ../shared/notes/machine.md)';

/** Credentials moto accepts for the management account (123456789012 by default). */
export const MOTO_CREDENTIALS = { accessKeyId: 'moto-test-access-key', secretAccessKey: 'moto-test-secret' } as const;

export interface Moto {
  readonly endpoint: string;
  readonly port: number;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

async function waitUp(endpoint: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto exited with code ${child.exitCode} before answering`);
    try {
      const r = await fetch(`${endpoint}/moto-api/`);
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error(`moto did not answer on ${endpoint} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

export async function startMoto(timeoutMs = 30_000): Promise<Moto> {
  process.env['AWS_EC2_METADATA_DISABLED'] = 'true';
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    // moto logs every request on stderr. A pipe would fill while this process sits in a
    // synchronous boto3 setup call and then block moto; a file never does.
    const logFile = join(mkdtempSync(join(tmpdir(), 'leash-moto-')), 'moto.log');
    const log = openSync(logFile, 'w');
    const child = spawn('python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', log] });
    closeSync(log);
    const stderrText = (): string => {
      try {
        return readFileSync(logFile, 'utf8').slice(0, 4000);
      } catch {
        return '';
      }
    };
    child.once('exit', () => rmSync(dirname(logFile), { recursive: true, force: true }));
    const endpoint = `http://127.0.0.1:${port}`;
    // A test that throws before its afterAll must not leave moto running.
    const killOnExit = () => child.kill('SIGTERM');
    process.once('exit', killOnExit);
    child.once('exit', () => process.off('exit', killOnExit));
    try {
      await waitUp(endpoint, child, timeoutMs);
    } catch (e) {
      child.kill('SIGTERM');
      const stderr = stderrText();
      if (attempt < 2 && /in use/i.test(stderr)) continue;
      throw new Error(`${(e as Error).message}\n${stderr}`);
    }
    return {
      endpoint,
      port,
      stop: () =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        }),
    };
  }
}

/** Runs a boto3 script against moto (setup that leash itself must never do: leash only reads). */
export function boto3(moto: Moto, script: string, input?: unknown): unknown {
  const prelude = `
import json, sys, boto3
ENDPOINT = ${JSON.stringify(moto.endpoint)}
def client(name, creds=None, region='us-east-1'):
    kw = dict(endpoint_url=ENDPOINT, region_name=region)
    if creds:
        kw.update(aws_access_key_id=creds['AccessKeyId'], aws_secret_access_key=creds['SecretAccessKey'], aws_session_token=creds['SessionToken'])
    else:
        kw.update(aws_access_key_id=${JSON.stringify(MOTO_CREDENTIALS.accessKeyId)}, aws_secret_access_key=${JSON.stringify(MOTO_CREDENTIALS.secretAccessKey)})
    return boto3.client(name, **kw)
INPUT = json.loads(sys.stdin.read() or 'null')
`;
  const r = spawnSync('python3', ['-c', `${prelude}\n${script}`], { input: JSON.stringify(input ?? null), encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  if (r.status !== 0) throw new Error(`boto3 setup failed: ${r.stderr}`);
  const out = r.stdout.trim();
  return out ? (JSON.parse(out.split('\n').pop()!) as unknown) : undefined;
}
