import { type IncomingMessage, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import { UserError } from '../errors.js';
import {
  authenticate,
  BEARER_PROTOCOL_PREFIX,
  type Credential,
  credentialOf,
  type Principal,
  type TokenTable,
  tokenFromProtocols,
} from './auth.js';
import { pathForLog } from './http-util.js';
import type { HubEvent, PatrolHub } from './hub.js';
import { SERVER_LIMITS } from './limits.js';
import type { Log } from './log.js';
import {
  alertView,
  type ClientMessage,
  PROTOCOL_VERSION,
  parseClientMessage,
  type ServerMessage,
  WS_SUBPROTOCOL,
} from './messages.js';
import { RateWindow } from './rate-window.js';

export const WS_PATH = '/ws';
const US_PER_MS = 1000;
const OPEN = 1;

/** WebSocket close codes the server uses. */
export const CLOSE_CODES = {
  goingAway: 1001,
  policyViolation: 1008,
  tooBig: 1009,
  internalError: 1011,
  tryAgainLater: 1013,
} as const;

/** The live feed: authenticates upgrades on /ws, fans hub events out to clients, runs their commands. */
export class WsGateway {
  private readonly wss: WebSocketServer;
  private readonly sessions = new Set<ClientSession>();
  private readonly unsubscribe: () => void;
  private readonly heartbeat: NodeJS.Timeout;

  constructor(
    private readonly hub: PatrolHub,
    private readonly tokens: TokenTable,
    private readonly log: Log,
  ) {
    this.wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      perMessageDeflate: false,
      maxPayload: SERVER_LIMITS.wsMaxPayloadBytes,
      // One message per tick: a client flooding the socket cannot hold the event loop for others.
      allowSynchronousEvents: false,
      handleProtocols: (offered: Set<string>) => {
        if (offered.has(WS_SUBPROTOCOL)) return WS_SUBPROTOCOL;
        // A browser drops a connection whose server picks none of the offered subprotocols.
        return [...offered].find((p) => p.startsWith(BEARER_PROTOCOL_PREFIX)) ?? false;
      },
    });
    this.unsubscribe = hub.subscribe((event) => this.broadcast(event));
    this.heartbeat = setInterval(() => this.checkAlive(), SERVER_LIMITS.wsHeartbeatMs);
    this.heartbeat.unref();
  }

  get clients(): number {
    return this.sessions.size;
  }

  /** Handles an HTTP upgrade: refused (401, 404, 503) before any WebSocket exists, or accepted. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): void {
    socket.on('error', () => {});
    const refuse = (status: number, why: string) => {
      this.log('warn', `refused upgrade GET ${pathForLog(req)} from ${remote(req)}: ${status} ${why}`);
      rejectUpgrade(socket, status, why);
    };
    if (url.pathname !== WS_PATH) {
      refuse(404, 'no WebSocket endpoint here (use /ws)');
      return;
    }
    const fromProtocol = tokenFromProtocols(req);
    const credential: Credential =
      req.headers.authorization === undefined && fromProtocol !== null
        ? { token: fromProtocol }
        : credentialOf(req, url, true);
    const who = authenticate(this.tokens, credential);
    if ('problem' in who) {
      refuse(401, who.problem);
      return;
    }
    if (this.sessions.size >= SERVER_LIMITS.wsMaxClients) {
      refuse(503, `too many WebSocket clients (${SERVER_LIMITS.wsMaxClients})`);
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, who, remote(req)));
  }

  /** Closes every client (1001) and stops listening to the hub; cuts those that do not answer in time. */
  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    this.unsubscribe();
    const closing = [...this.sessions].map((s) => s.shutDown());
    await Promise.all(closing);
    this.wss.close();
  }

  private accept(ws: WebSocket, principal: Principal, address: string): void {
    const session = new ClientSession(ws, principal, address, this.hub, this.log, () => {
      this.sessions.delete(session);
      this.log('info', `ws ${session.who} disconnected (${this.sessions.size} clients)`);
    });
    this.sessions.add(session);
    this.log('info', `ws ${session.who} connected (${this.sessions.size} clients)`);
    try {
      session.send({
        type: 'hello',
        protocol: PROTOCOL_VERSION,
        role: principal.role,
        name: principal.name,
        serverTimeUs: Date.now() * US_PER_MS,
        vehicles: this.hub.vehicles(),
        store: this.hub.storeStatus(),
      });
    } catch (err) {
      this.log('error', `ws ${session.who}: could not say hello: ${(err as Error)?.stack ?? err}`);
      ws.close(CLOSE_CODES.internalError, 'internal error');
    }
  }

  /** Each event is serialised once and handed to every client; a hub listener must never throw. */
  private broadcast(event: HubEvent): void {
    if (this.sessions.size === 0) return;
    try {
      if (event.type === 'telemetry') {
        const text = JSON.stringify({ type: 'telemetry', vehicle: event.vehicle } satisfies ServerMessage);
        for (const s of this.sessions) s.telemetry(event.vehicle.id, text);
        return;
      }
      let message: ServerMessage;
      if (event.type === 'alert') {
        message = { type: 'alert', change: event.change, alert: alertView(event.alert) };
      } else if (event.type === 'review') {
        message = { type: 'review', review: event.review, alert: alertView(event.alert) };
      } else if (event.type === 'event') {
        const { vehicleId, level, text, timeUs } = event;
        message = { type: 'event', vehicleId, level, text, timeUs };
      } else if (event.type === 'store') {
        const { level, text, status, timeUs } = event;
        message = { type: 'store', level, text, status, timeUs };
      } else {
        message = { type: 'plan', plan: event.plan };
      }
      const text = JSON.stringify(message);
      for (const s of this.sessions) s.sendReliable(text);
    } catch (err) {
      this.log(
        'error',
        `could not forward a hub ${event?.type ?? ''} event: ${(err as Error)?.message ?? err}`,
      );
    }
  }

  private checkAlive(): void {
    for (const s of this.sessions) s.heartbeat();
  }
}

/** One connected client: its throttles, its limits and its commands. */
class ClientSession {
  readonly who: string;
  private alive = true;
  private ended = false;
  private readonly lastTelemetryMs = new Map<string, number>();
  private readonly pendingTelemetry = new Map<string, string>();
  private readonly telemetryTimers = new Map<string, NodeJS.Timeout>();
  private readonly malformed = new RateWindow(
    SERVER_LIMITS.wsMaxMalformed,
    SERVER_LIMITS.wsMalformedWindowMs,
  );
  private readonly messages = new RateWindow(SERVER_LIMITS.wsMaxMessages, SERVER_LIMITS.wsMessageWindowMs);
  private readonly closed: Promise<void>;

  constructor(
    private readonly ws: WebSocket,
    private readonly principal: Principal,
    address: string,
    private readonly hub: PatrolHub,
    private readonly log: Log,
    onClose: () => void,
  ) {
    this.who = `${principal.role} ${JSON.stringify(principal.name)} from ${address}`;
    this.closed = new Promise((resolve) => {
      ws.on('close', () => {
        this.ended = true;
        for (const t of this.telemetryTimers.values()) clearTimeout(t);
        this.telemetryTimers.clear();
        onClose();
        resolve();
      });
    });
    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    ws.on('pong', () => {
      this.alive = true;
    });
    ws.on('error', (err: Error & { code?: string }) => {
      // ws closes the connection itself (1009 for an oversize frame, 1002 for a protocol error).
      this.log(
        'warn',
        `ws ${this.who}: ${err.message}${err.code ? ` (${err.code})` : ''}; connection closed`,
      );
    });
  }

  send(message: ServerMessage): void {
    this.sendReliable(JSON.stringify(message));
  }

  /** Alerts, events, plans, replies: never skipped; a client too far behind is closed instead (1013). */
  sendReliable(text: string): void {
    if (!this.isOpen()) return;
    if (this.ws.bufferedAmount > SERVER_LIMITS.wsMaxBufferedBytes) {
      this.closeWith(CLOSE_CODES.tryAgainLater, 'too far behind; reconnect', 'too far behind');
      return;
    }
    this.ws.send(text);
  }

  /**
   * Telemetry at most every wsTelemetryIntervalMs per vehicle, held back while the client's queue is
   * long; a held snapshot is replaced by newer ones and the latest is always sent in the end.
   */
  telemetry(vehicleId: string, text: string): void {
    if (!this.isOpen()) return;
    this.pendingTelemetry.set(vehicleId, text);
    if (this.telemetryTimers.has(vehicleId)) return;
    // Monotonic time: a wall clock set back an hour would hold telemetry back an hour.
    const sinceLast = performance.now() - (this.lastTelemetryMs.get(vehicleId) ?? Number.NEGATIVE_INFINITY);
    if (sinceLast >= SERVER_LIMITS.wsTelemetryIntervalMs) this.flushTelemetry(vehicleId);
    else this.scheduleTelemetry(vehicleId, SERVER_LIMITS.wsTelemetryIntervalMs - sinceLast);
  }

  heartbeat(): void {
    if (!this.isOpen()) return;
    if (!this.alive) {
      this.log('warn', `ws ${this.who}: no answer to the last ping; connection dropped`);
      this.ws.terminate();
      return;
    }
    this.alive = false;
    this.ws.ping();
  }

  shutDown(): Promise<void> {
    if (this.ws.readyState === OPEN) this.ws.close(CLOSE_CODES.goingAway, 'server shutting down');
    const cut = setTimeout(() => this.ws.terminate(), SERVER_LIMITS.wsCloseGraceMs);
    return this.closed.finally(() => clearTimeout(cut));
  }

  private isOpen(): boolean {
    return !this.ended && this.ws.readyState === OPEN;
  }

  private flushTelemetry(vehicleId: string): void {
    this.telemetryTimers.delete(vehicleId);
    const text = this.pendingTelemetry.get(vehicleId);
    if (text === undefined || !this.isOpen()) return;
    if (this.ws.bufferedAmount > SERVER_LIMITS.wsTelemetryBackpressureBytes) {
      this.scheduleTelemetry(vehicleId, SERVER_LIMITS.wsTelemetryIntervalMs);
      return;
    }
    this.pendingTelemetry.delete(vehicleId);
    this.lastTelemetryMs.set(vehicleId, performance.now());
    this.ws.send(text);
  }

  private scheduleTelemetry(vehicleId: string, delayMs: number): void {
    const timer = setTimeout(() => this.flushTelemetry(vehicleId), delayMs);
    timer.unref();
    this.telemetryTimers.set(vehicleId, timer);
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    // Frames that were already on the wire when the server closed the connection are ignored.
    if (!this.isOpen()) return;
    if (!this.messages.hit()) {
      this.closeWith(CLOSE_CODES.policyViolation, 'too many messages', 'too many messages');
      return;
    }
    const parsed = parseClientMessage(toBuffer(data), isBinary, SERVER_LIMITS.wsMaxMessageBytes);
    if (!parsed.ok) {
      this.log('warn', `ws ${this.who}: message refused: ${parsed.error}`);
      if (!this.malformed.hit()) {
        this.closeWith(
          CLOSE_CODES.policyViolation,
          'too many malformed messages',
          'too many malformed messages',
        );
        return;
      }
      this.send({
        type: 'error',
        error: parsed.error,
        ...(parsed.id !== undefined ? { id: parsed.id } : {}),
      });
      return;
    }
    const message = parsed.message;
    if (message.type === 'ping') {
      this.send({ type: 'pong', id: message.id ?? null, serverTimeUs: Date.now() * US_PER_MS });
      return;
    }
    void this.command(message);
  }

  private async command(message: Extract<ClientMessage, { type: 'command' }>): Promise<void> {
    const { id, vehicleId, command } = message;
    const what = `command ${command} on ${JSON.stringify(vehicleId)}`;
    const fail = (error: string) => this.send({ type: 'result', id, ok: false, error });
    if (this.principal.role !== 'pilot') {
      this.log('warn', `ws ${this.who}: ${what} refused: pilot role needed`);
      return fail(`commands need a pilot token; this connection is a ${this.principal.role}'s`);
    }
    try {
      if (!this.hub.vehicles().some((v) => v.id === vehicleId)) {
        this.log('warn', `ws ${this.who}: ${what} refused: no such vehicle`);
        return fail(`no vehicle ${JSON.stringify(vehicleId)}`);
      }
      const text = await this.hub.command(vehicleId, command);
      this.log('info', `ws ${this.who}: ${what}: ${text}`);
      this.send({ type: 'result', id, ok: true, text });
    } catch (err) {
      if (err instanceof UserError) {
        this.log('warn', `ws ${this.who}: ${what} refused: ${err.message}`);
        return fail(err.message);
      }
      this.log('error', `ws ${this.who}: ${what} failed: ${(err as Error)?.stack ?? err}`);
      fail('internal error (see the server log)');
    }
  }

  private closeWith(code: number, reason: string, logged: string): void {
    if (!this.isOpen()) return;
    this.log('warn', `ws ${this.who}: closed with ${code}: ${logged}`);
    this.ws.close(code, reason);
    // Frames still queued are read and ignored; a client that never answers the close is cut.
    setTimeout(() => this.ws.terminate(), SERVER_LIMITS.wsCloseGraceMs).unref();
  }
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

function remote(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? 'unknown';
}

function rejectUpgrade(socket: Duplex, status: number, message: string): void {
  const body = JSON.stringify({ error: message });
  const extra = status === 401 ? 'WWW-Authenticate: Bearer\r\n' : '';
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nConnection: close\r\n${extra}` +
      `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
