import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { UserError } from '../errors.js';

/**
 * What a token may do, each role all that the one before it may: a viewer reads; a reviewer also
 * confirms or dismisses alerts; a pilot also commands the vehicles.
 */
export type Role = 'viewer' | 'reviewer' | 'pilot';
export const ROLES: readonly Role[] = ['viewer', 'reviewer', 'pilot'];

/** Whether `role` may do what `needed` may. */
export function roleAtLeast(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

/** One accepted token: who holds it (for the log) and what it may do. */
export interface TokenConfig {
  token: string;
  role: Role;
  name?: string;
}

/** Who made a request, as far as the server knows. */
export interface Principal {
  role: Role;
  name: string;
}

/**
 * Tokens are 16 or more characters from a URL- and header-safe alphabet, so one fits an Authorization
 * header, a query string and a Sec-WebSocket-Protocol value alike (e.g. `openssl rand -hex 24`).
 */
export const TOKEN_PATTERN = /^[A-Za-z0-9._~-]{16,256}$/;

/** The WebSocket subprotocol value that carries a token: `bearer.TOKEN`. */
export const BEARER_PROTOCOL_PREFIX = 'bearer.';

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/** The configured tokens; looks one up in time that does not depend on how much of it matched. */
export class TokenTable {
  private readonly entries: { digest: Buffer; principal: Principal }[];

  constructor(tokens: readonly TokenConfig[]) {
    const seen = new Set<string>();
    this.entries = tokens.map((t, i) => {
      const where = `tokens[${i}]${t.name ? ` (${t.name})` : ''}`;
      if (typeof t.token !== 'string' || !TOKEN_PATTERN.test(t.token)) {
        throw new UserError(
          `${where}: a token must be 16 to 256 characters from A-Z a-z 0-9 . _ ~ - (e.g. openssl rand -hex 24)`,
        );
      }
      if (!ROLES.includes(t.role)) {
        throw new UserError(`${where}: role must be ${ROLES.join(', ')}, not ${JSON.stringify(t.role)}`);
      }
      if (seen.has(t.token)) throw new UserError(`${where}: the same token is given twice`);
      seen.add(t.token);
      return { digest: digest(t.token), principal: { role: t.role, name: t.name ?? `token ${i + 1}` } };
    });
  }

  get size(): number {
    return this.entries.length;
  }

  lookup(token: string): Principal | null {
    // Equal-length digests compared in constant time, every entry every time.
    const d = digest(token);
    let found: Principal | null = null;
    for (const e of this.entries) {
      if (timingSafeEqual(e.digest, d)) found = e.principal;
    }
    return found;
  }
}

/** A token taken from a request, or why there is none. */
export type Credential = { token: string } | { problem: string };

/**
 * The request's token: `Authorization: Bearer TOKEN`, else (where `allowQuery`) `?token=TOKEN`. An
 * <img>, a <video> or a browser WebSocket cannot send headers, so only those endpoints allow the query string.
 */
export function credentialOf(req: IncomingMessage, url: URL, allowQuery: boolean): Credential {
  const header = req.headers.authorization;
  if (header !== undefined) {
    const m = /^Bearer +(\S+) *$/i.exec(header);
    return m
      ? { token: m[1] as string }
      : { problem: 'malformed Authorization header (expected "Bearer TOKEN")' };
  }
  const query = url.searchParams.get('token');
  if (query !== null) {
    return allowQuery
      ? { token: query }
      : {
          problem:
            'a token in the query string is accepted only for snapshots, recordings and /ws (send a header)',
        };
  }
  return { problem: 'no token' };
}

/** The token offered as a `bearer.TOKEN` WebSocket subprotocol, if any. */
export function tokenFromProtocols(req: IncomingMessage): string | null {
  const header = req.headers['sec-websocket-protocol'];
  if (typeof header !== 'string') return null;
  for (const p of header.split(',')) {
    const value = p.trim();
    if (value.startsWith(BEARER_PROTOCOL_PREFIX)) return value.slice(BEARER_PROTOCOL_PREFIX.length);
  }
  return null;
}

/** Checks a credential against the table: the principal, or why the request is refused. */
export function authenticate(tokens: TokenTable, credential: Credential): Principal | { problem: string } {
  if ('problem' in credential) return credential;
  return tokens.lookup(credential.token) ?? { problem: 'unknown token' };
}
