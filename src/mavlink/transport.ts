import dgram from 'node:dgram';
import { EventEmitter } from 'node:events';
import net from 'node:net';
import { SerialPort } from 'serialport';
import { UserError } from '../errors.js';
import { LINK_TIMING } from '../timing.js';
import { type ConnectionUrl, formatConnectionUrl } from './connection-url.js';
import { FrameSplitter, heartbeatSender } from './framing.js';
import { isAutopilotKind } from './sender-kind.js';

/**
 * Bytes to and from a vehicle. Emits 'data' (Buffer) for every datagram or stream chunk,
 * 'connected' and 'disconnected' when a stream transport gains or loses its peer, and 'ignored'
 * (byte count) for each datagram a udpin transport drops because it came from another address.
 */
export interface Transport extends EventEmitter {
  readonly url: ConnectionUrl;
  /** True when each 'data' chunk is one whole datagram: frames never span two chunks. */
  readonly datagrams?: boolean;
  /** Sends bytes; returns false when there is nobody to send to yet (udpin before its peer spoke). */
  write(bytes: Buffer): boolean;
  close(): Promise<void>;
  /**
   * udpin: a heartbeat chooses the peer only when `check` passes its frame (a signed link's: signed
   * with its key), so that a stranger's heartbeat cannot turn the answers to itself.
   */
  setHeartbeatCheck?(check: (frame: Buffer) => boolean): void;
}

/**
 * Whom a udpin transport answers. 'autopilot' (a ground station's link): the first address whose
 * datagram carries a CRC-valid HEARTBEAT from an autopilot, kept until it falls silent. 'any' (a
 * vehicle's link, the simulator's): the address of the latest valid HEARTBEAT from any system, as
 * ArduPilot answers the ground station that spoke last, so that a restarted ground station on a new
 * port is answered at once.
 */
export type UdpinPeer = 'autopilot' | 'any';

export interface TransportOptions {
  /** udpin only (default 'any'). */
  answers?: UdpinPeer;
}

export async function openTransport(url: ConnectionUrl, options: TransportOptions = {}): Promise<Transport> {
  switch (url.kind) {
    case 'udpin':
    case 'udpout':
      return UdpTransport.open(url, options.answers ?? 'any');
    case 'tcpout':
      return TcpClientTransport.open(url);
    case 'tcpin':
      return TcpServerTransport.open(url);
    case 'serial':
      return SerialTransport.open(url);
  }
}

function openError(url: ConnectionUrl, err: unknown): UserError {
  const e = err as NodeJS.ErrnoException;
  return new UserError(
    `cannot open ${formatConnectionUrl(url)}: ${e.code ?? e.message}${e.code ? ` (${e.message})` : ''}`,
  );
}

type UdpAddress = { address: string; port: number };

/**
 * udpout sends to a fixed address and hears replies. udpin listens and answers one peer: the first
 * address that sends a valid heartbeat of the kind it waits for; datagrams from any other address are
 * then dropped unread ('ignored'), so a stranger can neither be answered nor crowd out the vehicle.
 * A ground station's peer silent for vehicleLostAfterMs gives way to the next one that sends such a
 * heartbeat (a vehicle back from a new address after a radio or NAT reset); a vehicle's link turns
 * to any address that sends a valid heartbeat (UdpinPeer).
 */
class UdpTransport extends EventEmitter implements Transport {
  readonly datagrams = true;
  private peer: UdpAddress | null;
  private lastFromPeerMs = 0;
  private closed = false;
  private readonly heartbeats: { type: number; autopilot: number }[] = [];
  private heartbeatCheck: (frame: Buffer) => boolean = () => true;
  /** Finds heartbeats in a udpin datagram before its sender is chosen. */
  private readonly heartbeatFinder = new FrameSplitter((frame) => {
    const sender = heartbeatSender(frame);
    if (sender && this.heartbeatCheck(frame)) this.heartbeats.push(sender);
  });

  private constructor(
    readonly url: Extract<ConnectionUrl, { kind: 'udpin' | 'udpout' }>,
    private readonly socket: dgram.Socket,
    private readonly answers: UdpinPeer,
  ) {
    super();
    this.peer = url.kind === 'udpout' ? { address: url.host, port: url.port } : null;
    socket.on('message', (msg, rinfo) => {
      if (url.kind === 'udpin' && !this.admit(msg, rinfo)) {
        this.emit('ignored', msg.length);
        return;
      }
      this.emit('data', msg);
    });
    // After bind, socket errors (ICMP unreachable and the like) are transient on a datagram link.
    socket.on('error', () => {});
  }

  static async open(
    url: Extract<ConnectionUrl, { kind: 'udpin' | 'udpout' }>,
    answers: UdpinPeer,
  ): Promise<UdpTransport> {
    const host = url.kind === 'udpin' ? url.host : url.host === 'localhost' ? '127.0.0.1' : url.host;
    const socket = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', (err) => reject(openError(url, err)));
      if (url.kind === 'udpin') socket.bind(url.port, url.host, () => resolve());
      else socket.bind(0, () => resolve());
    });
    socket.removeAllListeners('error');
    return new UdpTransport(url, socket, answers);
  }

  /** udpin: whether a datagram from `from` goes on to the link; chooses the peer on its heartbeat. */
  private admit(datagram: Buffer, from: UdpAddress): boolean {
    // Monotonic: a wall clock set back must not keep a silent peer's place for an hour.
    const nowMs = performance.now();
    const peer = this.peer;
    if (peer && peer.address === from.address && peer.port === from.port) {
      this.lastFromPeerMs = nowMs;
      return true;
    }
    const peerSilent = nowMs - this.lastFromPeerMs > LINK_TIMING.vehicleLostAfterMs;
    if (peer && !peerSilent && this.answers === 'autopilot') return false;
    if (this.carriesWantedHeartbeat(datagram)) {
      this.peer = { address: from.address, port: from.port };
      this.lastFromPeerMs = nowMs;
      return true;
    }
    // No peer yet: the link still hears everything (and its framing drops what is not MAVLink).
    return peer === null;
  }

  private carriesWantedHeartbeat(datagram: Buffer): boolean {
    this.heartbeats.length = 0;
    this.heartbeatFinder.pushDatagram(datagram);
    return this.heartbeats.some((hb) => this.answers === 'any' || isAutopilotKind(hb));
  }

  setHeartbeatCheck(check: (frame: Buffer) => boolean): void {
    this.heartbeatCheck = check;
  }

  write(bytes: Buffer): boolean {
    if (this.closed || !this.peer) return false;
    this.socket.send(bytes, this.peer.port, this.peer.address);
    return true;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }
}

/** tcpout: connects (bounded attempts), and reconnects after a drop until closed. */
class TcpClientTransport extends EventEmitter implements Transport {
  private socket: net.Socket | null = null;
  private closed = false;
  private reconnectTimer: NodeJS.Timeout | null = null;

  private constructor(readonly url: Extract<ConnectionUrl, { kind: 'tcpout' }>) {
    super();
  }

  static async open(url: Extract<ConnectionUrl, { kind: 'tcpout' }>): Promise<TcpClientTransport> {
    const transport = new TcpClientTransport(url);
    let lastError: unknown;
    for (let attempt = 0; attempt < LINK_TIMING.tcpConnectAttempts; attempt++) {
      try {
        transport.adopt(await connectTcp(url));
        return transport;
      } catch (err) {
        lastError = err;
        await new Promise((r) => setTimeout(r, LINK_TIMING.tcpReconnectDelayMs));
      }
    }
    throw openError(url, lastError);
  }

  private adopt(socket: net.Socket): void {
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk) => this.emit('data', chunk));
    socket.on('error', () => {});
    socket.on('close', () => {
      this.socket = null;
      if (this.closed) return;
      this.emit('disconnected');
      this.scheduleReconnect();
    });
  }

  private scheduleReconnect(): void {
    this.reconnectTimer = setTimeout(async () => {
      try {
        const socket = await connectTcp(this.url);
        if (this.closed) {
          socket.destroy();
          return;
        }
        this.adopt(socket);
        this.emit('connected');
      } catch {
        if (!this.closed) this.scheduleReconnect();
      }
    }, LINK_TIMING.tcpReconnectDelayMs);
  }

  write(bytes: Buffer): boolean {
    if (!this.socket) return false;
    this.socket.write(bytes);
    return true;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.socket?.destroy();
  }
}

function connectTcp(url: { host: string; port: number }): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: url.host, port: url.port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(Object.assign(new Error('connect timed out'), { code: 'ETIMEDOUT' }));
    }, LINK_TIMING.tcpConnectTimeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/** tcpin: listens like ArduPilot SITL's port 5760; every connected client hears everything. */
class TcpServerTransport extends EventEmitter implements Transport {
  private readonly clients = new Set<net.Socket>();

  private constructor(
    readonly url: Extract<ConnectionUrl, { kind: 'tcpin' }>,
    private readonly server: net.Server,
  ) {
    super();
    server.on('connection', (socket) => {
      socket.setNoDelay(true);
      this.clients.add(socket);
      socket.on('data', (chunk) => this.emit('data', chunk));
      socket.on('error', () => {});
      socket.on('close', () => {
        this.clients.delete(socket);
        this.emit('disconnected');
      });
      this.emit('connected');
    });
  }

  static async open(url: Extract<ConnectionUrl, { kind: 'tcpin' }>): Promise<TcpServerTransport> {
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err) => reject(openError(url, err)));
      server.listen(url.port, url.host, () => resolve());
    });
    return new TcpServerTransport(url, server);
  }

  write(bytes: Buffer): boolean {
    for (const client of this.clients) client.write(bytes);
    return this.clients.size > 0;
  }

  async close(): Promise<void> {
    for (const client of this.clients) client.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

class SerialTransport extends EventEmitter implements Transport {
  private closed = false;

  private constructor(
    readonly url: Extract<ConnectionUrl, { kind: 'serial' }>,
    private readonly port: SerialPort,
  ) {
    super();
    port.on('data', (chunk: Buffer) => this.emit('data', chunk));
    port.on('error', () => {});
    port.on('close', () => {
      if (!this.closed) this.emit('disconnected');
    });
  }

  static async open(url: Extract<ConnectionUrl, { kind: 'serial' }>): Promise<SerialTransport> {
    const port = new SerialPort({ path: url.path, baudRate: url.baudRate, autoOpen: false });
    await new Promise<void>((resolve, reject) =>
      port.open((err) => (err ? reject(openError(url, err)) : resolve())),
    );
    return new SerialTransport(url, port);
  }

  write(bytes: Buffer): boolean {
    if (!this.port.isOpen) return false;
    this.port.write(bytes);
    return true;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.port.isOpen) await new Promise<void>((resolve) => this.port.close(() => resolve()));
  }
}
