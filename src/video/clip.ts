import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import { promisify } from 'node:util';
import { UserError } from '../errors.js';
import { STREAM_TIMING } from '../timing.js';
import { resolveFfmpeg } from './ffmpeg-path.js';

const run = promisify(execFile);

export interface ClipCut {
  file: string;
  /** Where the clip starts in the recording, s: the keyframe at or before the range asked for. */
  startS: number;
  /** The clip's length, s (to the end of the range asked for). */
  durationS: number;
}

/**
 * Cuts seconds [fromS, toS] of a recording's video into an MP4 without re-encoding (stream copy), from
 * the keyframe at or before fromS, so that the clip plays from its first frame. Written whole or not at
 * all: to FILE.part, then renamed. Offsets are on the timeline ffmpeg decodes the file on (from its start),
 * as the footage index keeps them.
 */
export async function cutClip(
  file: string,
  fromS: number,
  toS: number,
  /** The clip's file, named once its start is known. */
  outFileFor: (startS: number) => string,
): Promise<ClipCut> {
  if (!(toS > fromS) || fromS < 0) throw new UserError(`${file}: no clip from ${fromS} s to ${toS} s`);
  const startS = await keyframeAtOrBefore(file, fromS);
  const outFile = outFileFor(startS);
  const part = `${outFile}.part`;
  try {
    // The same seek as the probe lands on the same keyframe: a stream copy starts at the first keyframe
    // it meets, and -t counts from the seek point.
    await ffmpeg(file, [
      ...['-ss', seconds(fromS), '-i', file, '-map', '0:v:0', '-c', 'copy', '-t', seconds(toS - fromS)],
      ...['-avoid_negative_ts', 'make_zero', '-movflags', '+faststart', '-f', 'mp4', '-y', part],
    ]);
    await fs.rename(part, outFile);
  } catch (err) {
    await fs.rm(part, { force: true });
    throw err;
  }
  return { file: outFile, startS, durationS: toS - startS };
}

/**
 * The keyframe a stream copy of the file seeked to `atS` starts at, s into the file: ffmpeg seeks to a
 * keyframe at or before it (earlier still when the video has B-frames) and, copying, skips to a keyframe.
 * Its first packet, listed (framecrc) without decoding, says where.
 */
export async function keyframeAtOrBefore(file: string, atS: number): Promise<number> {
  const text = await ffmpeg(file, [
    ...['-ss', seconds(atS), '-i', file, '-map', '0:v:0', '-c', 'copy', '-frames:v', '1'],
    ...['-f', 'framecrc', '-'],
  ]);
  const tb = /^#tb 0: (\d+)\/(\d+)$/m.exec(text);
  const packet = /^0,\s*-?\d+,\s*(-?\d+),/m.exec(text);
  if (!tb || !packet) throw new UserError(`${file}: no video frame at or after ${atS.toFixed(1)} s`);
  return atS + (Number(packet[1]) * Number(tb[1])) / Number(tb[2]);
}

async function ffmpeg(file: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await run(
      resolveFfmpeg(),
      ['-hide_banner', '-nostdin', '-loglevel', 'error', ...args],
      {
        timeout: STREAM_TIMING.remuxTimeoutMs,
        maxBuffer: 1024 * 1024,
      },
    );
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    const why = (e.stderr?.trim() || e.message).split('\n')[0];
    throw new UserError(`${file}: ffmpeg could not cut a clip from it: ${why}`);
  }
}

/** Seconds as ffmpeg reads them, to the microsecond. */
function seconds(s: number): string {
  return s.toFixed(6);
}
