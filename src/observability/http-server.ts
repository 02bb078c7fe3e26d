/**
 * The operations endpoint on one port, plain node:http: GET /metrics (Prometheus), GET /healthz (liveness:
 * answers while the event loop runs; never depends on Kafka or Pinterest), GET /readyz (200 or 503 with reasons).
 */
import {createServer, type IncomingMessage, type ServerResponse} from 'node:http';
import type {AddressInfo} from 'node:net';

import type {Registry} from 'prom-client';

import type {ReadinessReport} from './readiness';

export interface HttpServerOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** 0 = any free port. */
  port: number;
  registry: Registry;
  /** Readiness at request time; default: always ready. */
  health?: {check(): ReadinessReport};
}

export interface RunningHttpServer {
  /** `http://<host>:<port>`. */
  url: string;
  port: number;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, {'Content-Type': contentType, 'Cache-Control': 'no-store'});
  res.end(body);
}

const json = (res: ServerResponse, status: number, body: unknown) =>
  send(res, status, 'application/json; charset=utf-8', `${JSON.stringify(body)}\n`);

export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const host = options.host ?? '127.0.0.1';
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return json(res, 405, {error: 'method not allowed'});
    }
    switch (path) {
      case '/metrics':
        return send(res, 200, options.registry.contentType, await options.registry.metrics());
      case '/healthz':
      case '/livez':
        return json(res, 200, {status: 'ok'});
      case '/readyz': {
        const report = options.health?.check() ?? {ready: true, reasons: [], notes: []};
        return json(res, report.ready ? 200 : 503, {
          status: report.ready ? 'ready' : 'not ready',
          reasons: report.reasons,
          notes: report.notes,
        });
      }
      default:
        return json(res, 404, {error: 'not found', endpoints: ['/metrics', '/healthz', '/readyz']});
    }
  };
  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) json(res, 500, {error: 'internal error'});
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const {port} = server.address() as AddressInfo;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
