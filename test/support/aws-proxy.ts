// A loopback proxy in front of an AWS emulator (moto) that injects faults per service and region:
// AccessDenied or throttling, answered in the protocol the service speaks (XML for query and S3,
// JSON with x-amzn-ErrorType for JSON protocols), so the real SDK parses them as it would AWS's.
// It also records every request's service, region and operation, so a test can prove which calls
// a collector sent, and can answer itself the few operations the emulator does not implement
// (JSON protocols; a query protocol's answer as the test's XML). Nothing leaves 127.0.0.1.
import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Fault = 'AccessDenied' | 'Throttling';

export interface ProxiedRequest {
  readonly service: string;
  readonly region: string;
  /** X-Amz-Target's operation, the query Action, or METHOD + path for REST protocols. */
  readonly operation: string;
  readonly fault?: Fault;
}

/** An answer given here instead of the emulator's (status, and the JSON body of a JSON-protocol service). */
export interface ProxyAnswer {
  readonly status: number;
  readonly body: unknown;
  /** For an error: the x-amzn-ErrorType the SDK and the CLI read. */
  readonly errorType?: string;
  /** A query-protocol service's answer (IAM, STS): this XML as the body, instead of `body` as JSON. */
  readonly xml?: string;
}
/** Answers an operation the emulator does not implement (undefined: forwarded as any other). */
export type ProxyAnswerer = (call: { readonly service: string; readonly operation: string; readonly body: string }) => ProxyAnswer | undefined;

export interface AwsProxy {
  readonly url: string;
  readonly requests: ProxiedRequest[];
  /** `service`, `service@region` or `service:Operation` → fault. May be changed between calls. */
  readonly faults: Map<string, Fault>;
  close(): Promise<void>;
}

const XML_SERVICES = new Set(['s3', 'cloudformation', 'rds', 'sns', 'iam', 'sts']);

function scope(req: IncomingMessage): { service: string; region: string } {
  const m = /Credential=[^/]+\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(String(req.headers.authorization ?? ''));
  return { region: m?.[1] ?? '', service: m?.[2] ?? '' };
}

export async function startAwsProxy(target: string, answer?: ProxyAnswerer): Promise<AwsProxy> {
  const requests: ProxiedRequest[] = [];
  const faults = new Map<string, Fault>();
  const t = new URL(target);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const { service, region } = scope(req);
      const target = String(req.headers['x-amz-target'] ?? '');
      const action = /(?:^|&)Action=([A-Za-z]+)/.exec(body.toString('utf8'))?.[1] ?? /[?&]Action=([A-Za-z]+)/.exec(req.url ?? '')?.[1];
      const operation = target ? target.split('.').pop()! : action ?? `${req.method} ${(req.url ?? '').split('?')[0]}`;
      const fault = faults.get(`${service}:${operation}`) ?? faults.get(`${service}@${region}`) ?? faults.get(service);
      requests.push({ service, region, operation, ...(fault ? { fault } : {}) });
      if (fault) {
        const code = fault === 'AccessDenied' ? (XML_SERVICES.has(service) ? 'AccessDenied' : 'AccessDeniedException') : (XML_SERVICES.has(service) ? 'Throttling' : 'ThrottlingException');
        const status = fault === 'AccessDenied' ? 403 : 400;
        const message = `injected ${fault} for ${service} in ${region}`;
        if (XML_SERVICES.has(service)) {
          res.writeHead(status, { 'content-type': 'text/xml' });
          res.end(service === 's3' ? `<Error><Code>${code}</Code><Message>${message}</Message></Error>` : `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>0</RequestId></ErrorResponse>`);
        } else {
          res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': code });
          res.end(JSON.stringify({ __type: code, message }));
        }
        return;
      }
      const own = answer?.({ service, operation, body: body.toString('utf8') });
      if (own?.xml !== undefined) {
        res.writeHead(own.status, { 'content-type': 'text/xml' });
        res.end(own.xml);
        return;
      }
      if (own) {
        res.writeHead(own.status, { 'content-type': 'application/x-amz-json-1.1', ...(own.errorType ? { 'x-amzn-errortype': own.errorType } : {}) });
        res.end(JSON.stringify(own.body));
        return;
      }
      const up = httpRequest({ host: t.hostname, port: t.port, method: req.method, path: req.url, headers: req.headers }, (ur) => {
        res.writeHead(ur.statusCode ?? 502, ur.headers);
        ur.pipe(res);
      });
      up.on('error', (e) => {
        res.writeHead(502);
        res.end(String(e));
      });
      up.end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    faults,
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}
