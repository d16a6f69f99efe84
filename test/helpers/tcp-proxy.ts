import net from 'node:net';

/**
 * A TCP relay between a ground station and a vehicle's TCP port (SITL's 5760 + 10 × I) that a test
 * can cut: while cut, bytes either way are dropped, the connections stay open — a radio link that
 * went quiet, not one that was closed. Each client gets its own upstream connection; when one side
 * closes, so does the other (the client's tcpout then reconnects, as it would to the vehicle).
 */
export interface TcpProxy {
  /** Where the ground station connects: tcpout://127.0.0.1:PORT. */
  url: string;
  cut(): void;
  restore(): void;
  /** Bytes dropped while cut, both ways. */
  readonly droppedBytes: number;
  close(): Promise<void>;
}

export async function startTcpProxy(upstream: { host: string; port: number }): Promise<TcpProxy> {
  let cut = false;
  let dropped = 0;
  const sockets = new Set<net.Socket>();
  const relay = (from: net.Socket, to: net.Socket) => {
    from.on('data', (chunk) => {
      if (cut) dropped += chunk.length;
      else if (!to.destroyed) to.write(chunk);
    });
    from.on('close', () => to.destroy());
    from.on('error', () => to.destroy());
  };
  const server = net.createServer((client) => {
    const vehicle = net.connect(upstream);
    for (const s of [client, vehicle]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    }
    relay(client, vehicle);
    relay(vehicle, client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `tcpout://127.0.0.1:${port}`,
    cut: () => {
      cut = true;
    },
    restore: () => {
      cut = false;
    },
    get droppedBytes() {
      return dropped;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
