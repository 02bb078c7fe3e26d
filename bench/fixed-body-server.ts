/** The sandbox benchmarks' baseline: a trivial node:http server answering every request with one fixed JSON body. */
import http from 'node:http';
import {AddressInfo} from 'node:net';

export async function startFixedBodyServer(body: Buffer): Promise<{origin: string; close(): Promise<void>}> {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, {'content-type': 'application/json', 'content-length': String(body.length)});
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
