/**
 * A loopback TCP proxy that can be taken down and brought back on the same port: while down, connections are
 * refused and open ones are cut, as when a server is stopped, without touching the server itself (the local
 * stack's registry keeps its schemas in memory: restarting it would lose them, a different fault).
 */
import net from 'node:net';

export interface TcpProxy {
  readonly port: number;
  /** refuse new connections and cut the open ones */
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(
  target: {host: string; port: number},
  options: {startDown?: boolean} = {}
) {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve((server.address() as net.AddressInfo).port);
      });
    });
  const port = await listen(0);
  let listening = true;
  const down = async () => {
    if (!listening) return;
    listening = false;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const s of sockets) s.destroy();
    await closed;
  };
  if (options.startDown) await down();
  const proxy: TcpProxy = {
    port,
    down,
    async up() {
      if (listening) return;
      await listen(port);
      listening = true;
    },
    close: down,
  };
  return proxy;
}
