/**
 * A registry that does not answer says so (with its URL) instead of the client's made-up "HTTP 400"; a registry
 * that answers with a refusal keeps its reason. The stubbed seam is the registry server: small local HTTP servers
 * that refuse, hang, fail or answer as a Confluent-compatible registry does; the client is the real one.
 */
import {createServer, type Server} from 'node:http';
import type {AddressInfo} from 'node:net';

import {CollectionRegistry} from '../../../src/collections';
import {
  createRegistryClient,
  noAnswerReason,
  SchemaCatalog,
  SchemaRegistrar,
  SchemaRegistrationError,
  type RegistryOutcome,
} from '../../../src/serde';

const catalog = new SchemaCatalog({collections: [new CollectionRegistry().get('boards')]});

async function serve(handler: Parameters<typeof createServer>[1]): Promise<{url: string; server: Server}> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server};
}

const close = (server: Server) =>
  new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });

async function register(url: string, timeoutMs = 5000) {
  const outcomes: RegistryOutcome[] = [];
  const registrar = new SchemaRegistrar(createRegistryClient({url, timeoutMs}), catalog, 'p', {
    url,
    retryDelayMs: 10,
    hooks: {onRequest: (e) => outcomes.push(e.outcome)},
  });
  const error = await registrar.registerAll().then(
    () => undefined,
    (e: unknown) => e
  );
  return {error: error as SchemaRegistrationError | undefined, outcomes};
}

describe('SchemaRegistrar against a registry that does not answer', () => {
  it('connection refused: "did not answer", retriable, counted as unavailable', async () => {
    const {url, server} = await serve(() => {});
    await close(server); // nothing listens there any more
    const {error, outcomes} = await register(url);
    expect(error).toBeInstanceOf(SchemaRegistrationError);
    expect(error!.message).toBe(
      `Schema registration for subject p.boards-key failed: schema registry at ${url} did not answer ` +
        `(3 attempts): ` +
        `connect ECONNREFUSED ${url.slice('http://'.length)}`
    );
    expect(error!.message).not.toMatch(/HTTP 400/);
    expect(error!.retriable).toBe(true);
    expect(outcomes).toEqual(['unavailable', 'unavailable', 'unavailable']);
  });

  it('a registry that accepts the connection and never answers times out', async () => {
    const {url, server} = await serve(() => {});
    try {
      const {error, outcomes} = await register(url, 300);
      expect(error!.message).toMatch(
        new RegExp(`schema registry at ${url} did not answer \\(3 attempts\\): Timeout \\(300ms\\)`)
      );
      expect(outcomes).toEqual(['unavailable', 'unavailable', 'unavailable']);
    } finally {
      await close(server);
    }
  });

  it('a 5xx is the registry failing, not a verdict', async () => {
    const {url, server} = await serve((_req, res) => {
      res.writeHead(503, {'content-type': 'text/html'}).end('<html>Service Unavailable</html>');
    });
    try {
      const {error} = await register(url);
      expect(error!.message).toContain(
        `schema registry at ${url} did not answer (3 attempts): HTTP 503: <html>Service Unavailable</html>`
      );
      expect(error!.retriable).toBe(true);
    } finally {
      await close(server);
    }
  });
});

describe('SchemaRegistrar against a registry that leaves one request unanswered', () => {
  it('asks again and registers every subject (registering is idempotent)', async () => {
    const json = {'content-type': 'application/vnd.schemaregistry.v1+json'};
    let posts = 0;
    const {url, server} = await serve((req, res) => {
      if (req.method === 'GET')
        return res.writeHead(404, json).end('{"error_code":40401,"message":"Subject not found"}');
      if (req.method === 'PUT') return res.writeHead(200, json).end('{"compatibility":"BACKWARD"}');
      posts += 1;
      if (posts === 2) return; // the second registration never gets an answer
      return res.writeHead(200, json).end(`{"id":${posts}}`);
    });
    try {
      const {error, outcomes} = await register(url, 300);
      expect(error).toBeUndefined();
      expect(outcomes).toEqual(['success', 'unavailable', 'success']);
      expect(posts).toBe(3);
    } finally {
      await close(server);
    }
  });
});

describe('SchemaRegistrar against a registry that answers', () => {
  it('registers (counted as success) and keeps a refusal with the registry reason (counted as refused)', async () => {
    const json = {'content-type': 'application/vnd.schemaregistry.v1+json'};
    const {url, server} = await serve((req, res) => {
      if (req.method === 'GET')
        return res.writeHead(404, json).end('{"error_code":40401,"message":"Subject not found"}');
      if (req.method === 'PUT') return res.writeHead(200, json).end('{"compatibility":"BACKWARD"}');
      if (req.url?.includes('boards-value'))
        return res
          .writeHead(409, json)
          .end(
            '{"error_code":409,"message":"Schema being registered is incompatible with an earlier schema"}'
          );
      return res.writeHead(200, json).end('{"id":7}');
    });
    try {
      const {error, outcomes} = await register(url);
      expect(outcomes).toEqual(['success', 'refused']);
      expect(error!.message).toBe(
        'Schema registration for subject p.boards-value failed: Confluent_Schema_Registry - Schema being ' +
          'registered is incompatible with an earlier schema (HTTP 409)'
      );
      expect(error!.retriable).toBe(false);
    } finally {
      await close(server);
    }
  });

  it('registers again after the 409 of a concurrent creation of the subject (instances starting together)', async () => {
    const json = {'content-type': 'application/vnd.schemaregistry.v1+json'};
    let posts = 0;
    const {url, server} = await serve((req, res) => {
      if (req.method === 'GET')
        return res.writeHead(404, json).end('{"error_code":40401,"message":"Subject not found"}');
      posts += 1;
      if (posts === 1)
        return res
          .writeHead(409, json)
          .end('{"error_code":409,"message":"A rule named \'COMPATIBILITY\' already exists."}');
      return res.writeHead(200, json).end('{"id":7}');
    });
    try {
      const {error, outcomes} = await register(url);
      expect(error).toBeUndefined();
      expect(outcomes).toEqual(['refused', 'success', 'success']);
    } finally {
      await close(server);
    }
  });

  it("tells a socket failure behind the client's made-up 400 from a real 400", () => {
    const made = (status: number, message: string) => Object.assign(new Error(message), {status});
    expect(
      noAnswerReason(
        made(400, 'Confluent_Schema_Registry - Error, status 400: getaddrinfo ENOTFOUND registry')
      )
    ).toBe('getaddrinfo ENOTFOUND registry');
    expect(noAnswerReason(made(400, 'Confluent_Schema_Registry - Invalid schema'))).toBeUndefined();
    expect(noAnswerReason(made(422, 'Confluent_Schema_Registry - Invalid schema'))).toBeUndefined();
    expect(
      noAnswerReason(new Error('Compatibility does not match the configuration (BACKWARD != NONE)'))
    ).toBeUndefined();
  });
});
