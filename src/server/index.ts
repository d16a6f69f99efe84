import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_ALERT_RULES } from '../alerts/index.js';
import { UserError } from '../errors.js';
import { type Principal, type Role, type TokenConfig, TokenTable } from './auth.js';
import { type ApiOutcome, handleApi, type LedgerRule } from './http-api.js';
import { HttpError, pathForLog, remoteOf, sendError, tooLargeByItsLength } from './http-util.js';
import type { PatrolHub } from './hub.js';
import { SERVER_LIMITS } from './limits.js';
import type { Log, LogLevel } from './log.js';
import { DASHBOARD_DIR, leafletDir, StaticFiles } from './static-files.js';
import { WsGateway } from './websocket.js';

export { ROLES, TOKEN_PATTERN } from './auth.js';
export type {
  HubEvent,
  PatrolHub,
  PlanView,
  VehicleCommand,
  VehicleSnapshot,
} from './hub.js';
export { VEHICLE_COMMANDS } from './hub.js';
export { SERVER_LIMITS } from './limits.js';
export type {
  AlertView,
  ClientMessage,
  FootageRangeView,
  MessageId,
  RecordingView,
  ServerMessage,
} from './messages.js';
export { PROTOCOL_VERSION, WS_SUBPROTOCOL } from './messages.js';
export { CLOSE_CODES, WS_PATH } from './websocket.js';
export type { LedgerRule, Log, LogLevel, Principal, Role, TokenConfig };

export interface ServerOptions {
  hub: PatrolHub;
  /** Address to listen on (default 127.0.0.1: loopback only; anything else is logged as a warning). */
  host?: string;
  /** 0 (default): any free port. */
  port?: number;
  tokens: readonly TokenConfig[];
  /** A Leaflet tile URL template (`https://{s}.tile.example/{z}/{x}/{y}.png`); absent: no tiles. */
  tileUrl?: string;
  /** The blacklist rule of the ledger (default: DEFAULT_ALERT_RULES'). */
  blacklist?: LedgerRule;
  log: Log;
}

const S_PER_DAY = 86_400;

export interface RunningServer {
  /** `http://HOST:PORT` */
  url: string;
  port: number;
  /** Closes the WebSocket clients (1001) and the HTTP server. */
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/**
 * Starts the daemon's HTTP + WebSocket server: the JSON API under /api, the live feed at /ws and the
 * dashboard page at /. It only reads the hub and forwards commands to it.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const { hub, log } = options;
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new UserError(`port must be a whole number from 0 to 65535, not ${port}`);
  }
  const tokens = new TokenTable(options.tokens);
  if (tokens.size === 0) throw new UserError('no tokens: every request but /api/health needs one');
  const tileUrl = checkTileUrl(options.tileUrl);
  // Monotonic: the uptime does not jump with the wall clock.
  const startedAtMs = performance.now();

  const files = new StaticFiles(
    [
      { prefix: '/vendor/leaflet/', dir: leafletDir() },
      { prefix: '/', dir: DASHBOARD_DIR },
    ],
    { 'Content-Security-Policy': contentSecurityPolicy(tileUrl) },
  );
  const gateway = new WsGateway(hub, tokens, log);
  const blacklist = options.blacklist ?? {
    confirmedAlerts: DEFAULT_ALERT_RULES.flagThreshold,
    windowDays: DEFAULT_ALERT_RULES.flagWindowS / S_PER_DAY,
  };
  const api = { hub, tokens, tileUrl, startedAtMs, blacklist };

  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse) => {
    void handleRequest(req, res).catch((err: unknown) => {
      log('error', `request handler failed: ${(err as Error)?.stack ?? err}`);
      res.destroy();
    });
  };
  const server = http.createServer(
    { requestTimeout: SERVER_LIMITS.requestTimeoutMs, headersTimeout: SERVER_LIMITS.headersTimeoutMs },
    onRequest,
  );
  // `Expect: 100-continue`: a body declared over the limit is refused before the client sends it (Node
  // would answer 100 Continue by itself, take the body and cut the connection while throwing it away).
  server.on('checkContinue', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const refusal = tooLargeByItsLength(req);
    if (!refusal) {
      res.writeContinue();
      onRequest(req, res);
      return;
    }
    log(
      'warn',
      `refused ${req.method ?? '?'} ${pathForLog(req)} from ${remoteOf(req)} before its body: ${refusal.status} ${refusal.message}`,
    );
    sendError(res, refusal.status, refusal.message, refusal.headers);
  });

  async function handleRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const method = req.method ?? '?';
    const url = requestUrl(req);
    const outcome: ApiOutcome = { principal: null };
    try {
      if (!url) throw new HttpError(400, 'malformed request target');
      if (url.pathname === '/api' || url.pathname.startsWith('/api/')) {
        await handleApi(api, req, res, url, outcome);
        if (method !== 'GET' && method !== 'HEAD') {
          log(
            'info',
            `${describe(outcome.principal)} ${method} ${url.pathname} from ${remoteOf(req)}: ${res.statusCode}`,
          );
        }
      } else if (method === 'GET' || method === 'HEAD') {
        await files.serve(res, url.pathname, method === 'HEAD');
      } else {
        throw new HttpError(405, `method ${method} not allowed here (allowed: GET, HEAD)`, {
          Allow: 'GET, HEAD',
        });
      }
    } catch (err) {
      const path = pathForLog(req);
      if (err instanceof HttpError) {
        log(
          'warn',
          `refused ${method} ${path} from ${remoteOf(req)}${by(outcome.principal)}: ${err.status} ${err.message}`,
        );
        sendError(res, err.status, err.message, err.headers);
      } else {
        log('error', `${method} ${path} from ${remoteOf(req)} failed: ${(err as Error)?.stack ?? err}`);
        sendError(res, 500, 'internal error (see the server log)');
      }
    }
  }

  server.on('upgrade', (req: http.IncomingMessage, socket, head: Buffer) => {
    const url = requestUrl(req);
    if (!url) {
      socket.destroy();
      return;
    }
    try {
      gateway.handleUpgrade(req, socket, head, url);
    } catch (err) {
      log('error', `upgrade from ${remoteOf(req)} failed: ${(err as Error)?.stack ?? err}`);
      socket.destroy();
    }
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      gateway.close().catch(() => {});
      reject(new UserError(`cannot listen on ${host}:${port}: ${err.code ?? err.message}`));
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  server.on('error', (err) => log('error', `HTTP server: ${err.message}`));

  const actualPort = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${actualPort}`;
  log('info', `listening on ${url} (dashboard at ${url}/?token=…)`);
  if (!LOOPBACK.has(host)) {
    log('warn', `listening on ${host}, not loopback: tokens travel in clear text; put TLS in front`);
  }

  let closing: Promise<void> | null = null;
  return {
    url,
    port: actualPort,
    close: () => {
      closing ??= (async () => {
        await gateway.close();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
      })();
      return closing;
    },
  };
}

/** The request's URL; null for a target that is not a path (absolute-form or garbage). */
function requestUrl(req: http.IncomingMessage): URL | null {
  const target = req.url ?? '';
  if (!target.startsWith('/')) return null;
  try {
    // Prefixed rather than resolved against a base, so `//host/x` stays a path and never a host.
    return new URL(`http://localhost${target}`);
  } catch {
    return null;
  }
}

function describe(principal: Principal | null): string {
  return principal ? `${principal.role} ${JSON.stringify(principal.name)}` : 'anonymous';
}

function by(principal: Principal | null): string {
  return principal ? ` (${describe(principal)})` : '';
}

function checkTileUrl(tileUrl: string | undefined): string | null {
  if (tileUrl === undefined || tileUrl === '') return null;
  let parsed: URL | null = null;
  try {
    parsed = new URL(tileUrl.replace(/\{[a-z]+\}/g, 'x'));
  } catch {
    parsed = null;
  }
  if (
    !parsed ||
    !['http:', 'https:'].includes(parsed.protocol) ||
    !['{z}', '{x}', '{y}'].every((p) => tileUrl.includes(p))
  ) {
    throw new UserError(
      `tile URL must be an http(s) template with {z}, {x} and {y} (e.g. https://tile.example/{z}/{x}/{y}.png), not ${JSON.stringify(tileUrl)}`,
    );
  }
  return tileUrl;
}

/** The page may load only its own scripts; pictures also from the tile server when there is one. */
function contentSecurityPolicy(tileUrl: string | null): string {
  const tiles = tileUrl ? ` ${new URL(tileUrl.replace(/\{[a-z]+\}/g, 'x')).protocol}` : '';
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    `img-src 'self' data: blob:${tiles}`,
    "connect-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}
