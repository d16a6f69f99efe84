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
 * ffmpeg seeks a video with B-frames this much before the time asked (3/23 s, for demuxers that seek
 * by decoding time), so a seek just past a keyframe may land a keyframe earlier.
 */
const FFMPEG_SEEK_BACKOFF_S = 3 / 23;
/** Seeking this far past a keyframe lands on it: well under any frame interval. */
const PAST_KEYFRAME_S = 0.0005;

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
  const { keyframeS, seekS } = await seekToKeyframeBefore(file, fromS);
  const outFile = outFileFor(keyframeS);
  const part = `${outFile}.part`;
  try {
    // A stream copy starts at the keyframe the seek lands on; -t counts from the seek point.
    await ffmpeg(file, [
      ...['-ss', seconds(seekS), '-i', file, '-map', '0:v:0', '-c', 'copy', '-t', seconds(toS - seekS)],
      ...['-avoid_negative_ts', 'make_zero', '-movflags', '+faststart', '-f', 'mp4', '-y', part],
    ]);
    await fs.rename(part, outFile);
  } catch (err) {
    await fs.rm(part, { force: true });
    throw err;
  }
  return { file: outFile, startS: keyframeS, durationS: toS - keyframeS };
}

/**
 * The last keyframe at or before `atS` (s into the file), and a time to seek to that lands a stream copy
 * on it. The packets around `atS` are listed without decoding (framecrc, from a seek that lands at or
 * before that keyframe); then seeks just past it are tried until one lands there (ffmpeg's seek may
 * back off, FFMPEG_SEEK_BACKOFF_S); failing that, the seek to `atS` itself, an earlier keyframe.
 */
async function seekToKeyframeBefore(
  file: string,
  atS: number,
): Promise<{ keyframeS: number; seekS: number }> {
  const around = await packetsFrom(file, atS, ['-t', seconds(PAST_KEYFRAME_S)]);
  const keyframes = around.filter((p) => p.key && p.ptsS <= atS + PAST_KEYFRAME_S);
  if (keyframes.length === 0) throw new UserError(`${file}: no keyframe at or before ${atS.toFixed(1)} s`);
  const keyframeS = Math.max(...keyframes.map((p) => p.ptsS));
  for (const seekS of [keyframeS + PAST_KEYFRAME_S, keyframeS + FFMPEG_SEEK_BACKOFF_S + PAST_KEYFRAME_S]) {
    const [first] = await packetsFrom(file, seekS, ['-frames:v', '1']);
    if (first && Math.abs(first.ptsS - keyframeS) < PAST_KEYFRAME_S) return { keyframeS, seekS };
  }
  return { keyframeS: Math.min(...keyframes.map((p) => p.ptsS)), seekS: atS };
}

/**
 * The video packets a stream copy seeked to `seekS` puts out (framecrc: no decoding), each with its
 * time in the file (s) and whether it is a keyframe; a copy skips the packets before its first keyframe.
 */
async function packetsFrom(
  file: string,
  seekS: number,
  limit: string[],
): Promise<{ ptsS: number; key: boolean }[]> {
  const text = await ffmpeg(file, [
    ...['-ss', seconds(seekS), '-i', file, '-map', '0:v:0', '-c', 'copy', ...limit, '-f', 'framecrc', '-'],
  ]);
  const tb = /^#tb 0: (\d+)\/(\d+)$/m.exec(text);
  if (!tb) return [];
  const packets: { ptsS: number; key: boolean }[] = [];
  for (const line of text.split('\n')) {
    const m = /^0,\s*-?\d+,\s*(-?\d+),/.exec(line);
    // framecrc flags a packet that is not a keyframe with F=0x…; a keyframe has none.
    if (m)
      packets.push({
        ptsS: seekS + (Number(m[1]) * Number(tb[1])) / Number(tb[2]),
        key: !line.includes('F=0x'),
      });
  }
  return packets;
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
