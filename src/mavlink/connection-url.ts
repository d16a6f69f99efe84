import { UserError } from '../errors.js';

/** Where a link goes, named by a MAVSDK 2-style connection URL. */
export type ConnectionUrl =
  | { kind: 'udpin'; host: string; port: number }
  | { kind: 'udpout'; host: string; port: number }
  | { kind: 'tcpin'; host: string; port: number }
  | { kind: 'tcpout'; host: string; port: number }
  | { kind: 'serial'; path: string; baudRate: number };

const EXAMPLES =
  'udpin://0.0.0.0:14550, udpout://127.0.0.1:14550, tcpout://127.0.0.1:5760, tcpin://127.0.0.1:5760, serial:///dev/ttyUSB0:57600';

const SERIAL_BAUD_RATES = new Set([
  1200, 2400, 4800, 9600, 19200, 38400, 57600, 111100, 115200, 230400, 460800, 500000, 921600, 1500000,
]);

export function parseConnectionUrl(url: string): ConnectionUrl {
  const bad = (why: string) =>
    new UserError(`connection URL '${url}': ${why} (expected one of ${EXAMPLES})`, 2);
  const scheme = /^([a-z]+):\/\/(.*)$/.exec(url.trim());
  if (!scheme) throw bad('no scheme');
  const [, kind, rest] = scheme;

  if (kind === 'serial') {
    const m = /^(\/[^:]+):(\d+)$/.exec(rest);
    if (!m) throw bad('serial needs a device path and a baud rate');
    const baudRate = Number(m[2]);
    if (!SERIAL_BAUD_RATES.has(baudRate)) throw bad(`unsupported baud rate ${baudRate}`);
    return { kind, path: m[1], baudRate };
  }
  if (kind !== 'udpin' && kind !== 'udpout' && kind !== 'tcpin' && kind !== 'tcpout') {
    throw bad(`unknown scheme '${kind}'`);
  }
  const m = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]*):(\d+)$/.exec(rest);
  if (!m) throw bad('needs HOST:PORT');
  const port = Number(m[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw bad(`port ${m[2]} out of range 1-65535`);
  const host = m[1].replace(/^\[|\]$/g, '') || (kind.endsWith('in') ? '0.0.0.0' : '');
  if (!host) throw bad('needs a host to send to');
  return { kind, host, port };
}

export function formatConnectionUrl(url: ConnectionUrl): string {
  return url.kind === 'serial'
    ? `serial://${url.path}:${url.baudRate}`
    : `${url.kind}://${url.host}:${url.port}`;
}

/** 127.0.0.0/8, ::1 and localhost: reachable from this machine only. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * The warning for a udpin/tcpin link that listens beyond this machine (null when it does not):
 * MAVLink without signing takes commands from anyone who can reach the port.
 */
export function openListenWarning(url: ConnectionUrl): string | null {
  if ((url.kind !== 'udpin' && url.kind !== 'tcpin') || isLoopbackHost(url.host)) return null;
  return (
    `${formatConnectionUrl(url)} listens on ${url.host}, not loopback: anyone who can reach the port ` +
    'can command the vehicle (MAVLink is unsigned); listen on 127.0.0.1 or the radio network only'
  );
}
