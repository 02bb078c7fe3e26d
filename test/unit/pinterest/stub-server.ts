/**
 * A tiny in-test HTTP stub (node:http) for the Pinterest client's unit tests: the ONE allowed seam while the
 * sandbox (src/sandbox) is being written. Each test scripts the answers; the stub records what it was asked.
 */
import * as http from 'node:http';
import type {AddressInfo} from 'node:net';

export interface StubRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface StubAnswer {
  status?: number;
  body?: unknown;
  /** Sent as is (for malformed JSON). */
  raw?: string;
  headers?: Record<string, string>;
  /** Destroy the socket instead of answering. */
  reset?: boolean;
}

export type StubHandler = (req: StubRequest) => StubAnswer | Promise<StubAnswer>;

export interface Stub {
  baseUrl: string;
  origin: string;
  requests: StubRequest[];
  close(): Promise<void>;
}

export async function startStub(handler: StubHandler): Promise<Stub> {
  const requests: StubRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://stub');
      const recorded: StubRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(recorded);
      Promise.resolve(handler(recorded)).then(
        (answer) => {
          if (answer.reset) {
            req.socket.destroy();
            return;
          }
          const text = answer.raw ?? JSON.stringify(answer.body ?? {});
          res.writeHead(answer.status ?? 200, {'content-type': 'application/json', ...answer.headers});
          res.end(text);
        },
        () => {
          res.writeHead(599);
          res.end();
        }
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const {port} = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    baseUrl: `http://127.0.0.1:${port}/v5`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A token endpoint that rotates: `pinr.<n>` -> `pinr.<n+1>`, access `pina.<n+1>`, refusing retired tokens. */
export class RotatingTokens {
  current = 'pinr.stub-refresh-0';
  issued = 0;
  validAccess = new Set<string>();

  answer(req: StubRequest, ttlSeconds = 3600): StubAnswer {
    const form = new URLSearchParams(req.body);
    if (form.get('refresh_token') !== this.current) {
      return {
        status: 400,
        body: {code: 1104, message: 'The token you provided is not valid or has expired.'},
      };
    }
    this.issued += 1;
    this.current = `pinr.stub-refresh-${this.issued}`;
    const access = `pina.stub-access-${this.issued}`;
    this.validAccess.add(access);
    return {
      body: {
        access_token: access,
        refresh_token: this.current,
        expires_in: ttlSeconds,
        refresh_token_expires_in: 5_184_000,
        token_type: 'bearer',
        response_type: 'refresh_token',
      },
    };
  }

  authorised(req: StubRequest): boolean {
    const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
    return token !== undefined && this.validAccess.has(token);
  }
}

export const CLIENT_SECRET = 'sec-stub-client-secret-XYZ';

export const fastRetry = {
  maxRetries: 4,
  baseDelayMs: 5,
  maxDelayMs: 20,
  maxElapsedMs: 10_000,
  maxRateLimitRetries: 5,
};

/** The fields tests read from a caught client error. */
export type Caught = Error & {
  retriable: boolean;
  reason?: string;
  reportStatus?: string;
  resumeAt: Date;
  status?: number;
};
export const caught = (error: unknown): Caught => error as Caught;

/** Resolves with the error `promise` fails with; fails the test if it succeeds. */
export function failureOf(promise: Promise<unknown>): Promise<Caught> {
  return promise.then(() => {
    throw new Error('expected the call to fail');
  }, caught);
}
