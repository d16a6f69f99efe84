import fs from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { COMMON_HEADERS, HttpError } from './http-util.js';

/**
 * The dashboard's files. The build emits only .ts, so both src/server/*.ts and dist/server/*.js find
 * them in the source tree: two folders up is the package root either way.
 */
export const DASHBOARD_DIR = fileURLToPath(new URL('../../src/server/dashboard/', import.meta.url));

/** Leaflet's browser files (node_modules/leaflet/dist), served at /vendor/leaflet/. */
export function leafletDir(): string {
  const pkg = createRequire(import.meta.url).resolve('leaflet/package.json');
  return path.join(path.dirname(pkg), 'dist');
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
};

export interface Mount {
  /** URL prefix ending in '/'. */
  prefix: string;
  dir: string;
}

/**
 * Read-only files from a few folders. A path is served only when every segment is a plain name (no
 * '..', '.', empty, or encoded slash, backslash or NUL), the file's real path lies inside its folder
 * (no symbolic link out), and its extension is a known type; anything else is a 404.
 */
export class StaticFiles {
  private readonly mounts: Mount[];

  constructor(
    mounts: Mount[],
    private readonly htmlHeaders: Record<string, string>,
  ) {
    // Longest prefix first, so /vendor/leaflet/ wins over /.
    this.mounts = [...mounts].sort((a, b) => b.prefix.length - a.prefix.length);
  }

  async serve(res: ServerResponse, pathname: string, headOnly: boolean): Promise<void> {
    const target = pathname === '/' ? '/index.html' : pathname;
    const mount = this.mounts.find((m) => target.startsWith(m.prefix));
    if (!mount) throw new HttpError(404, 'not found');
    const file = await this.resolve(mount, target.slice(mount.prefix.length));
    const type = CONTENT_TYPES[path.extname(file).toLowerCase()];
    if (!type) throw new HttpError(404, 'not found');
    let body: Buffer;
    try {
      body = await fs.readFile(file);
    } catch {
      throw new HttpError(404, 'not found');
    }
    res.writeHead(200, {
      ...COMMON_HEADERS,
      'Content-Type': type,
      'Content-Length': String(body.length),
      'Cache-Control': 'no-cache',
      ...(type.startsWith('text/html') ? this.htmlHeaders : {}),
    });
    res.end(headOnly ? undefined : body);
  }

  private async resolve(mount: Mount, rest: string): Promise<string> {
    const segments = rest.split('/');
    const names: string[] = [];
    for (const raw of segments) {
      let name: string;
      try {
        name = decodeURIComponent(raw);
      } catch {
        throw new HttpError(400, 'malformed percent-encoding in the path');
      }
      if (name === '' || name === '.' || name === '..' || /[/\\\0]/.test(name)) {
        throw new HttpError(404, 'not found (path refused)');
      }
      names.push(name);
    }
    const root = await fs.realpath(mount.dir);
    const candidate = path.join(root, ...names);
    let real: string;
    try {
      real = await fs.realpath(candidate);
      if (!(await fs.stat(real)).isFile()) throw new Error('not a file');
    } catch {
      throw new HttpError(404, 'not found');
    }
    const relative = path.relative(root, real);
    if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) {
      throw new HttpError(404, 'not found (path refused)');
    }
    return real;
  }
}
