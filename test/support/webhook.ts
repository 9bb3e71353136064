// A loopback webhook receiver: records every request (method, path, headers, parsed body) and
// answers with the status the test sets, or never (to exercise timeouts).
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly raw: string;
  readonly body: unknown;
}

export interface Webhook {
  readonly url: string;
  readonly received: Received[];
  /** Status to answer with; 'hang' never answers. */
  status: number | 'hang' | 'redirect';
  /** Resolves at the next request. */
  next(): Promise<Received>;
  close(): Promise<void>;
}

export async function startWebhook(): Promise<Webhook> {
  const received: Received[] = [];
  const waiters: ((r: Received) => void)[] = [];
  const hanging: ServerResponse[] = [];
  const hook: Webhook = {
    url: '',
    received,
    status: 200,
    next: () => new Promise((r) => waiters.push(r)),
    close: async () => {
      for (const res of hanging) res.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  const server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (raw += c));
    req.on('end', () => {
      let body: unknown;
      try {
        body = JSON.parse(raw);
      } catch {
        body = undefined;
      }
      const r: Received = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, raw, body };
      received.push(r);
      for (const w of waiters.splice(0)) w(r);
      if (hook.status === 'hang') hanging.push(res);
      else if (hook.status === 'redirect') res.writeHead(307, { location: 'http://127.0.0.2:9/elsewhere' }).end();
      else res.writeHead(hook.status, { 'content-type': 'text/plain' }).end(hook.status < 300 ? 'ok' : 'no');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  (hook as { url: string }).url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/T000/B000/secret-token`;
  return hook;
}
