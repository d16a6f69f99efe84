import { readdir } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { UserError } from '../errors.js';
import type { Frame, OpenVideoOptions, VideoInfo, VideoSource } from './types.js';

const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png']);

export function isImagePath(file: string): boolean {
  return IMAGE_EXTENSIONS.has(path.extname(file).toLowerCase());
}

/** The JPEG and PNG files of a folder, in natural order (img2 before img10). */
export async function listImages(dir: string): Promise<string[]> {
  const names = (await readdir(dir)).filter(isImagePath);
  names.sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  return names.map((name) => path.join(dir, name));
}

/**
 * Still images as frames, decoded with sharp one at a time as they are read. With no sampling rate
 * each image stands for one second: ptsS = index / (fps ?? 1).
 */
export async function openImageSource(
  input: string,
  files: string[],
  opts: OpenVideoOptions,
): Promise<VideoSource> {
  if (files.length === 0) throw new UserError(`${input}: no JPEG or PNG images in this folder`);
  const fps = opts.fps ?? 1;
  const first = await decodeImage(files[0], opts);
  const info: VideoInfo = {
    width: first.width,
    height: first.height,
    durationS: files.length / fps,
    live: false,
  };
  let closed = false;

  async function* frames(): AsyncGenerator<Frame> {
    for (let index = 0; index < files.length && !closed && !opts.signal?.aborted; index++) {
      const image = index === 0 ? first : await decodeImage(files[index], opts);
      yield { ...image, ptsS: index / fps, index, receivedAtMs: Date.now() };
    }
  }

  return {
    info,
    reconnects: 0,
    droppedFrames: 0,
    [Symbol.asyncIterator]: frames,
    close: async () => {
      closed = true;
    },
  };
}

async function decodeImage(
  file: string,
  opts: OpenVideoOptions,
): Promise<{ data: Buffer; width: number; height: number }> {
  let image = sharp(file);
  if (opts.width !== undefined || opts.height !== undefined) {
    const fit = opts.width !== undefined && opts.height !== undefined ? 'fill' : 'inside';
    image = image.resize({ width: opts.width, height: opts.height, fit });
  }
  try {
    const { data, info } = await image
      .toColourspace('srgb')
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    return { data, width: info.width, height: info.height };
  } catch (err) {
    const reason = (err as Error).message.split('\n')[0];
    throw new UserError(`${file}: not a readable image (${reason})`);
  }
}
