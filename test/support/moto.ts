// A real AWS emulator for tests: `python3 -m moto.server` on a free loopback port, started by the
// test that needs it and stopped in its afterAll. Tests skip, saying why, when moto is not installed.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

export const motoAvailable = spawnSync('python3', ['-c', 'import moto.server'], { stdio: 'ignore' }).status === 0;
export const MOTO_SKIP_REASON = 'moto is not installed (python3 -m moto.server); see ../shared/notes/machine.md';

/** Credentials moto accepts; never real ones. */
export const MOTO_CREDENTIALS = { accessKeyId: 'AKIAMOTOTESTTESTTEST', secretAccessKey: 'moto-test-secret' } as const;

async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => res(port));
    });
  });
}

export interface Moto {
  readonly endpoint: string;
  stop(): Promise<void>;
}

/** Start moto and wait (bounded: 150 polls of 200 ms) until /moto-api/ answers. */
export async function startMoto(): Promise<Moto> {
  const port = await freePort();
  const child: ChildProcess = spawn('python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-4000); });
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((res) => child.once('exit', () => res()));
    child.kill('SIGTERM');
    await exited;
  };
  for (let i = 0; i < 150; i++) {
    if (child.exitCode !== null) throw new Error(`moto exited early (${child.exitCode}): ${stderr}`);
    try {
      const r = await fetch(`${endpoint}/moto-api/`);
      if (r.ok) return { endpoint, stop };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  await stop();
  throw new Error(`moto did not answer on ${endpoint}: ${stderr}`);
}
