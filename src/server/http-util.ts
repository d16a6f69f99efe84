import type { IncomingMessage, ServerResponse } from 'node:http';
import { SERVER_LIMITS } from './limits.js';

/** A request the server refuses: the status and the one-line reason the client (and the log) gets. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** Headers every response carries. */
export const COMMON_HEADERS: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
};

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...COMMON_HEADERS,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(text);
}

export function sendError(res: ServerResponse, status: number, message: string, headers = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, status, { error: message }, headers);
}

/**
 * Reads a JSON request body of at most `limitBytes`: 415 unless it says it is JSON, 413 when too large
 * (the rest is thrown away and the connection closed after the reply), 400 when it does not parse.
 */
export async function readJsonBody(
  req: IncomingMessage,
  limitBytes: number = SERVER_LIMITS.maxBodyBytes,
): Promise<unknown> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') {
    drain(req);
    throw new HttpError(415, 'the body must be JSON (Content-Type: application/json)');
  }
  const declaredTooLarge = tooLargeByItsLength(req, limitBytes);
  if (declaredTooLarge) {
    drain(req);
    throw declaredTooLarge;
  }
  const chunks = await new Promise<Buffer[]>((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limitBytes) {
        parts.push(chunk);
        return;
      }
      req.off('data', onData);
      req.off('end', onEnd);
      drain(req);
      reject(tooLarge(limitBytes));
    };
    const onEnd = () => resolve(parts);
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', reject);
  });
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') throw new HttpError(400, 'the body is empty (expected a JSON object)');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new HttpError(400, `the body is not valid JSON: ${(err as Error).message}`);
  }
}

/** The 413 for a request whose Content-Length says its body is over the limit; null otherwise. */
export function tooLargeByItsLength(
  req: IncomingMessage,
  limitBytes: number = SERVER_LIMITS.maxBodyBytes,
): HttpError | null {
  const declared = Number(req.headers['content-length']);
  return Number.isFinite(declared) && declared > limitBytes ? tooLarge(limitBytes) : null;
}

function tooLarge(limitBytes: number): HttpError {
  return new HttpError(413, `the body is larger than ${limitBytes} bytes`, { Connection: 'close' });
}

/** Reads and drops the rest of a refused body, up to a limit; past it the connection is cut. */
function drain(req: IncomingMessage): void {
  let drained = 0;
  req.on('data', (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > SERVER_LIMITS.maxDrainBytes) req.socket.destroy();
  });
  req.on('error', () => {});
  req.resume();
}

/** The client's address for the log. */
export function remoteOf(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? 'unknown';
}

/**
 * The request's path as the client sent it (before `..` is resolved, so an attack reads as one), without
 * the query string (where a token may be), cut short and with anything unprintable escaped.
 */
export function pathForLog(req: IncomingMessage): string {
  const target = (req.url ?? '').split('?')[0] as string;
  const shown = target.length > 200 ? `${target.slice(0, 200)}…` : target;
  return shown.replace(/[^\x21-\x7e…]/g, (c) => encodeURIComponent(c));
}
