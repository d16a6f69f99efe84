import { stat } from 'node:fs/promises';
import { UserError } from '../errors.js';
import { openFfmpegSource } from './ffmpeg-source.js';
import { isImagePath, listImages, openImageSource } from './image-source.js';
import type { OpenVideoOptions, VideoSource } from './types.js';

const LIVE_URL = /^(udp|rtsp|rtsps):\/\//i;

/**
 * Opens a video file, a live stream (udp://HOST:PORT MPEG-TS, listening; rtsp://…), a JPEG/PNG image
 * or a folder of them. Resolves once the first frame is decoded; a bad input rejects with one
 * UserError that names it, and leaves no ffmpeg process behind.
 */
export async function openVideo(input: string, opts: OpenVideoOptions = {}): Promise<VideoSource> {
  checkOptions(input, opts);
  if (LIVE_URL.test(input)) return openFfmpegSource(input, true, opts);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(input)) {
    throw new UserError(`${input}: unsupported URL (use a file, udp://HOST:PORT or rtsp://…)`);
  }
  const stats = await stat(input).catch(() => undefined);
  if (!stats) throw new UserError(`${input}: no such file or folder`);
  if (stats.isDirectory()) return openImageSource(input, await listImages(input), opts);
  if (stats.size === 0) throw new UserError(`${input}: file is empty`);
  if (isImagePath(input)) return openImageSource(input, [input], opts);
  return openFfmpegSource(input, false, opts);
}

function checkOptions(input: string, opts: OpenVideoOptions): void {
  for (const key of ['fps', 'width', 'height'] as const) {
    const value = opts[key];
    if (value !== undefined && !(Number.isFinite(value) && value > 0)) {
      throw new UserError(`${input}: ${key} must be a positive number, got ${value}`);
    }
  }
  for (const key of ['width', 'height'] as const) {
    if (opts[key] !== undefined && !Number.isInteger(opts[key])) {
      throw new UserError(`${input}: ${key} must be a whole number of pixels, got ${opts[key]}`);
    }
  }
}
