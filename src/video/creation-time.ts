import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import { promisify } from 'node:util';
import { UserError } from '../errors.js';
import { STREAM_TIMING } from '../timing.js';
import { resolveFfmpeg } from './ffmpeg-path.js';

const run = promisify(execFile);

/**
 * Stamps a recorded video with when its first frame (pts 0) was taken, µs since the Unix epoch: the
 * container's creation_time, which `dustpatrol replay` reads. A stream copy into a new file, then
 * renamed over the old one, so that a failure leaves the recording as it was.
 */
export async function stampCreationTime(file: string, unixUs: number): Promise<void> {
  const us = Math.round(unixUs);
  const micros = String(us % 1000).padStart(3, '0');
  const iso = new Date(Math.floor(us / 1000)).toISOString().replace(/Z$/, `${micros}Z`);
  const stamped = `${file}.stamping.mkv`;
  const args = ['-hide_banner', '-loglevel', 'error', '-i', file, '-map', '0', '-c', 'copy'];
  try {
    await run(resolveFfmpeg(), [...args, '-metadata', `creation_time=${iso}`, '-y', stamped], {
      timeout: STREAM_TIMING.remuxTimeoutMs,
    });
    await fs.rename(stamped, file);
  } catch (err) {
    await fs.rm(stamped, { force: true });
    throw new UserError(`${file}: could not stamp its start time: ${(err as Error).message.split('\n')[0]}`);
  }
}
