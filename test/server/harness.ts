// The server under test on 127.0.0.1 with its log captured, and a WebSocket client that queues messages.
import http from 'node:http';
import WebSocket from 'ws';
import type { PatrolHub } from '../../src/server/hub.js';
import {
  type LedgerRule,
  type RunningServer,
  type ServerMessage,
  startServer,
} from '../../src/server/index.js';

export const PILOT_TOKEN = 'pilot-0123456789abcdef0123';
export const VIEWER_TOKEN = 'viewer-0123456789abcdef012';
export const REVIEWER_TOKEN = 'reviewer-0123456789abcdef01';
export const UNKNOWN_TOKEN = 'nobody-0123456789abcdef012';
export const TOKENS = [
  { token: PILOT_TOKEN, role: 'pilot' as const, name: 'Pat Pilot' },
  { token: VIEWER_TOKEN, role: 'viewer' as const, name: 'Vic Viewer' },
  { token: REVIEWER_TOKEN, role: 'reviewer' as const, name: 'Rita Reviewer' },
];

export interface LogLine {
  level: 'info' | 'warn' | 'error';
  message: string;
}

export interface TestServer {
  server: RunningServer;
  url: string;
  logs: LogLine[];
  /** Log lines at `level` logged since the mark (`logs.length` taken before the request). */
  logsSince(mark: number, level?: LogLine['level']): LogLine[];
  /** The test tokens (pilot, viewer, unknown) found in any log line: none, ever, is the rule. */
  tokensLogged(): string[];
  close(): Promise<void>;
}

export async function startTestServer(
  hub: PatrolHub,
  tileUrl?: string,
  blacklist?: LedgerRule,
): Promise<TestServer> {
  const logs: LogLine[] = [];
  const server = await startServer({
    hub,
    port: 0,
    tokens: TOKENS,
    tileUrl,
    blacklist,
    log: (level, message) => logs.push({ level, message }),
  });
  return {
    server,
    url: server.url,
    logs,
    logsSince: (mark, level) => logs.slice(mark).filter((l) => level === undefined || l.level === level),
    tokensLogged: () =>
      [PILOT_TOKEN, VIEWER_TOKEN, REVIEWER_TOKEN, UNKNOWN_TOKEN].filter((token) =>
        logs.some((l) => l.message.includes(token)),
      ),
    close: () => server.close(),
  };
}

export const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

/** A raw HTTP request whose path is sent exactly as given (fetch would normalise `..`). */
export function rawGet(
  url: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: hostname, port, path, method: 'GET', headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => {
        body += d;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Polls `condition` until it holds or `timeoutMs` passes (then fails naming `what`). */
export async function waitUntil(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A WebSocket client that keeps every message and its close code. */
export class TestClient {
  readonly messages: ServerMessage[] = [];
  closeCode: number | null = null;
  private readonly closed: Promise<number>;

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => this.messages.push(JSON.parse(String(data)) as ServerMessage));
    this.closed = new Promise((resolve) => {
      ws.on('close', (code) => {
        this.closeCode = code;
        resolve(code);
      });
    });
    ws.on('error', () => {});
  }

  /** Opens /ws; resolves once the server's hello has arrived. */
  static async open(
    url: string,
    opts: { token?: string; protocols?: string[]; path?: string } = {},
  ): Promise<TestClient> {
    const wsUrl = new URL(opts.path ?? '/ws', url.replace(/^http/, 'ws'));
    if (opts.token) wsUrl.searchParams.set('token', opts.token);
    const client = new TestClient(new WebSocket(wsUrl, opts.protocols));
    await client.next((m) => m.type === 'hello');
    return client;
  }

  /** Tries to open /ws and reports how the upgrade was refused: the HTTP status, or 101 if accepted. */
  static refusal(url: string, opts: { token?: string; protocols?: string[]; path?: string } = {}) {
    const wsUrl = new URL(opts.path ?? '/ws', url.replace(/^http/, 'ws'));
    if (opts.token) wsUrl.searchParams.set('token', opts.token);
    const ws = new WebSocket(wsUrl, opts.protocols);
    return new Promise<{ status: number; body: string }>((resolve, reject) => {
      ws.on('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (d: Buffer) => {
          body += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      ws.on('open', () => {
        ws.close();
        resolve({ status: 101, body: '' });
      });
      ws.on('error', (err) => {
        if (!String(err.message).includes('Unexpected server response')) reject(err);
      });
    });
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** The first message (already received or coming) that matches, after skipping `from` messages. */
  async next<T extends ServerMessage>(
    match: (m: ServerMessage) => boolean,
    { from = 0, timeoutMs = 10_000 }: { from?: number; timeoutMs?: number } = {},
  ): Promise<T> {
    let found: ServerMessage | undefined;
    await waitUntil(
      () => {
        found = this.messages.slice(from).find(match);
        return found !== undefined;
      },
      'a matching WebSocket message',
      timeoutMs,
    );
    return found as T;
  }

  waitClosed(timeoutMs = 10_000): Promise<number> {
    return Promise.race([
      this.closed,
      new Promise<number>((_, reject) =>
        setTimeout(() => reject(new Error('WebSocket not closed in time')), timeoutMs).unref(),
      ),
    ]);
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    this.ws.close();
    await this.waitClosed().catch(() => this.ws.terminate());
  }
}

/** A response's JSON body, for tests that check it field by field. */
// biome-ignore lint/suspicious/noExplicitAny: the tests assert on the fields they read
export const json = (res: Response): Promise<any> => res.json();
