/** The HTTP server: routes /v5 (API), /_reports (report downloads) and /_sandbox (control) on 127.0.0.1. */
import http from 'node:http';
import {AddressInfo, Socket} from 'node:net';

import {parseLosslessJson, stringifyLosslessJson} from '../events/lossless-json';
import {ANALYTICS_ROUTES, buildReport} from './api-analytics';
import {ENTITY_ROUTES} from './api-entities';
import {ApiError, AUTH_FAILED, COST_LIMIT_MESSAGE, METHOD_NOT_ALLOWED} from './api-error';
import {OAUTH_ROUTES, presentedRefreshToken, TOKEN_PATH} from './api-oauth';
import {createControl, SandboxControl} from './control';
import {handleControl} from './control-http';
import {FaultDecision} from './faults';
import {resolveOptions, SandboxOptions} from './options';
import {REPORT_FILE_PREFIX, unknownReportFile} from './reports';
import {hash32, Rand} from './rng';
import {ApiResponse, compile, CompiledRoute, ok} from './route';
import {createServerState, SandboxState, ServerState} from './state';

export interface RunningSandbox {
  baseUrl: string;
  controlUrl: string;
  /** The app's client credentials and the first user's initial refresh token. */
  credentials: {clientId: string; clientSecret: string; refreshToken: string};
  /** Every user with the initial refresh token it was started with. */
  users: {name: string; refreshToken: string}[];
  control: SandboxControl;
  close(): Promise<void>;
}

// Analytics routes first: `/ads/analytics` must not be read as `/ads/{ad_id}`.
const ROUTES: CompiledRoute[] = [...ANALYTICS_ROUTES, ...OAUTH_ROUTES, ...ENTITY_ROUTES].map(compile);

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function match(
  method: string,
  path: string
): {route?: CompiledRoute; params: Record<string, string>; wrongMethod: boolean} {
  let wrongMethod = false;
  for (const route of ROUTES) {
    const m = route.regex.exec(path);
    if (!m) continue;
    if (route.method !== method) {
      wrongMethod = true;
      continue;
    }
    const params: Record<string, string> = {};
    route.keys.forEach((k, i) => (params[k] = decodeURIComponent(m[i + 1] ?? '')));
    return {route, params, wrongMethod: false};
  }
  return {params: {}, wrongMethod};
}

class Server {
  private readonly sockets = new Set<Socket>();
  private rid = 0;
  readonly http: http.Server;
  origin = '';

  constructor(
    private readonly state: ServerState,
    private readonly control: SandboxControl
  ) {
    this.http = http.createServer((req, res) => {
      this.handle(req, res).catch((e: unknown) => {
        if (!res.headersSent) this.send(res, 500, {code: 500, message: `sandbox error: ${String(e)}`}, {});
        else res.destroy();
      });
    });
    // Node closes an idle keep-alive connection after 5 s; a client that reuses it a moment later (a large answer
    // parsed on a loaded machine) meets "other side closed". Load balancers in front of real APIs keep idle
    // connections about a minute, and so does the sandbox.
    this.http.keepAliveTimeout = 65_000;
    this.http.headersTimeout = 66_000;
    this.http.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  private requestId(): string {
    return new Rand(hash32(this.state.options.seed, 0x5e1d, ++this.rid)).hex(32);
  }

  /**
   * The user a request acts for: the holder of its bearer token, or for the token endpoint the holder of the
   * presented refresh token (else the first user, who refuses it). Undefined when no user issued the bearer token.
   */
  private userOf(path: string, authorization: string | undefined, body: Buffer): SandboxState | undefined {
    const users = this.state.users;
    if (path === TOKEN_PATH) {
      const presented = presentedRefreshToken(body);
      return (presented && users.find((u) => u.tokens.knowsRefreshToken(presented))) || users[0];
    }
    const bearer = /^Bearer (\S+)$/.exec(authorization ?? '')?.[1];
    return bearer === undefined ? undefined : users.find((u) => u.tokens.knowsAccessToken(bearer));
  }

  private send(
    res: http.ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string>,
    fault?: FaultDecision
  ): void {
    // Records a test set through the control API may hold integers beyond 2^53 (bigints): written as digits.
    let payload = Buffer.from(stringifyLosslessJson(body));
    const contentType = 'application/json';
    if (status === 200 && fault?.kind === 'malformed') {
      payload = Buffer.concat([
        payload.subarray(0, Math.max(1, Math.floor(payload.length / 2))),
        Buffer.from('<!-- upstream -->'),
      ]);
    }
    res.writeHead(status, {
      'content-type': contentType,
      'content-length': String(payload.length),
      ...headers,
    });
    if (status === 200 && fault?.kind === 'truncated') {
      res.write(payload.subarray(0, Math.floor(payload.length / 2)), () => res.destroy());
      return;
    }
    res.end(payload);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.origin);
    const path = url.pathname;
    const method = req.method ?? 'GET';
    const body = await readBody(req);
    if (path.startsWith('/_sandbox')) {
      let parsed: unknown = {};
      try {
        parsed = body.length ? parseLosslessJson(body.toString('utf8')) : {};
      } catch {
        this.send(res, 400, {error: 'body is not JSON'}, {});
        return;
      }
      const answer = handleControl(this.control, method, path, url.searchParams, parsed);
      this.send(res, answer.status, answer.body, {});
      return;
    }
    const isReport = path.startsWith('/_reports/');
    const user = isReport ? undefined : this.userOf(path, req.headers.authorization, body);
    const stats = user?.stats ?? this.state.stats;
    const matched = isReport ? {params: {}, wrongMethod: false} : match(method, path);
    const endpoint = isReport
      ? 'GET /_reports/{file}'
      : matched.route
        ? `${method} ${matched.route.template}`
        : 'unknown';
    const category = matched.route?.categories[0];
    const headers: Record<string, string> = {'x-pinterest-rid': this.requestId()};

    const fault = this.state.faults.decide(path, user?.user.name);
    if (fault.latencyMs > 0) await sleep(fault.latencyMs);
    if (fault.kind === 'reset') {
      stats.record(endpoint, category, 'reset');
      req.socket.destroy();
      return;
    }
    if (fault.kind === 'timeout') {
      // Held until the client gives up or the sandbox closes.
      stats.record(endpoint, category, 'timeout');
      return;
    }
    if (fault.kind === 'error') {
      const status = this.state.faults.errorStatus;
      stats.record(endpoint, category, status);
      // [I] Pinterest-like body; code = HTTP status as the spec's 5xx examples do.
      this.send(
        res,
        status,
        {code: status, message: 'Service temporarily unavailable. Please try again later.'},
        headers
      );
      return;
    }

    if (isReport) {
      const file =
        (path.startsWith(REPORT_FILE_PREFIX) &&
          this.state.users.map((u) => u.reports.download(path, url.searchParams)).find((f) => f)) ||
        unknownReportFile();
      this.state.stats.record(endpoint, undefined, file.status);
      if (file.status === 200 && fault.kind !== 'malformed' && fault.kind !== 'truncated') {
        res.writeHead(200, {
          'content-type': file.contentType,
          'content-length': String(file.body.length),
          ...headers,
        });
        res.end(file.body);
      } else if (file.status === 200) {
        this.send(res, 200, JSON.parse(file.body.toString('utf8')), headers, fault);
      } else {
        res.writeHead(file.status, {'content-type': file.contentType, ...headers});
        res.end(file.body);
      }
      return;
    }

    let answer: ApiResponse;
    try {
      if (!matched.route) {
        if (matched.wrongMethod) throw METHOD_NOT_ALLOWED();
        // [I] body for an unknown path.
        throw new ApiError(404, 404, 'Not found.');
      }
      const route = matched.route;
      if (!user) throw AUTH_FAILED();
      if (route.auth) {
        const bearer = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
        if (!user.tokens.accessValid(bearer)) throw AUTH_FAILED();
      }
      Object.assign(headers, user.limiter.take(route.categories).headers);
      if (route.analytics && fault.kind === 'cost_limit') throw new ApiError(429, 2726, COST_LIMIT_MESSAGE);
      answer =
        route.list && fault.kind === 'empty_listing'
          ? ok({items: []})
          : route.handle(user, {
              method,
              path,
              params: matched.params,
              query: url.searchParams,
              headers: req.headers,
              body,
              origin: this.origin,
            });
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      Object.assign(headers, e.headers);
      answer = {status: e.status, body: e.body};
    }
    stats.record(endpoint, category, answer.status);
    this.send(res, answer.status, answer.body, headers, fault);
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.http.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    this.http.closeAllConnections();
    await closed;
  }
}

export async function startSandbox(options: SandboxOptions = {}): Promise<RunningSandbox> {
  const resolved = resolveOptions(options);
  const state = createServerState(resolved, buildReport);
  const control = createControl(state);
  const server = new Server(state, control);
  await new Promise<void>((resolve, reject) => {
    server.http.once('error', reject);
    server.http.listen(resolved.port, '127.0.0.1', () => resolve());
  });
  const port = (server.http.address() as AddressInfo).port;
  server.origin = `http://127.0.0.1:${port}`;
  return {
    baseUrl: `${server.origin}/v5`,
    controlUrl: `${server.origin}/_sandbox`,
    credentials: {
      clientId: resolved.clientId,
      clientSecret: resolved.clientSecret,
      refreshToken: resolved.refreshToken,
    },
    users: resolved.users.map((u) => ({name: u.name, refreshToken: u.refreshToken})),
    control,
    close: () => server.close(),
  };
}
