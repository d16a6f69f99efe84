import fs from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { COMMON_HEADERS, HttpError } from './http-util.js';

const VIDEO_TYPES: Record<string, string> = {
  '.mkv': 'video/x-matroska',
  '.mp4': 'video/mp4',
  '.m4v': 'video/mp4',
  '.mov': 'video/quicktime',
  '.ts': 'video/mp2t',
  '.webm': 'video/webm',
};

/** Bytes [start, end] of a file, both included. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * The one range a `Range` header asks of a file of `size` bytes (RFC 9110 §14): null to send the whole
 * file (no header, another unit, a malformed or multi-range request: a server may ignore those),
 * 'unsatisfiable' when it starts past the end.
 */
export function byteRangeOf(header: string | undefined, size: number): ByteRange | null | 'unsatisfiable' {
  if (header === undefined) return null;
  const m = /^bytes=(\d*)-(\d*)$/i.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return null;
  if (m[1] === '') {
    // The last N bytes.
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const last = m[2] === '' ? Number.POSITIVE_INFINITY : Number(m[2]);
  if (last < start) return null;
  if (start >= size) return 'unsatisfiable';
  return { start, end: Math.min(last, size - 1) };
}

/**
 * Sends a video file, or the byte range the request asks for (206 Partial Content with Content-Range;
 * 416 past its end), so that a player can seek in it. `If-Range` with another version of the file
 * (its ETag or date) gets the whole file. The caller chose the file: nothing in the request names it.
 */
export async function sendVideoFile(req: IncomingMessage, res: ServerResponse, file: string): Promise<void> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, 'r');
  } catch {
    throw new HttpError(404, 'the recording is missing from its folder');
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new HttpError(404, 'the recording is not a file');
    const etag = `"${stats.size.toString(16)}-${Math.floor(stats.mtimeMs).toString(16)}"`;
    const lastModified = stats.mtime.toUTCString();
    const ifRange = req.headers['if-range'];
    const current = ifRange === undefined || ifRange === etag || ifRange === lastModified;
    const range = current ? byteRangeOf(req.headers.range, stats.size) : null;
    const headers: Record<string, string> = {
      ...COMMON_HEADERS,
      'Content-Type': VIDEO_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
      'Accept-Ranges': 'bytes',
      ETag: etag,
      'Last-Modified': lastModified,
      'Cache-Control': 'private, no-cache',
    };
    if (range === 'unsatisfiable') {
      throw new HttpError(416, `the range is past the end of the recording (${stats.size} bytes)`, {
        'Content-Range': `bytes */${stats.size}`,
        'Accept-Ranges': 'bytes',
      });
    }
    const { start, end } = range ?? { start: 0, end: stats.size - 1 };
    const length = Math.max(0, end - start + 1);
    if (range) headers['Content-Range'] = `bytes ${start}-${end}/${stats.size}`;
    res.writeHead(range ? 206 : 200, { ...headers, 'Content-Length': String(length) });
    if (req.method === 'HEAD' || length === 0) {
      res.end();
      return;
    }
    // A client that goes away mid-file ends the copy; the handle is closed either way.
    await pipeline(handle.createReadStream({ start, end, autoClose: false }), res).catch(() => res.destroy());
  } finally {
    await handle.close();
  }
}
