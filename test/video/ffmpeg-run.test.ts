import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ffmpeg from 'fluent-ffmpeg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ffmpegArgs } from '../../src/video/ffmpeg-args.js';
import { FfmpegRun, type RawFrame, type RunEnd } from '../../src/video/ffmpeg-run.js';
import { makeClip } from './ffmpeg-helpers.js';

let dir: string;
let clip: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'dustpatrol-run-'));
  clip = path.join(dir, 'clip.mp4');
  await makeClip(clip, 2);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

it('fluent-ffmpeg starts the command of ffmpegArgs: sampling filter, showinfo last, rawvideo to stdout', async () => {
  const args = ffmpegArgs(clip, { live: true, liveProbeMs: 500, fps: 2, width: 160 });
  const chain = `select='isnan(prev_selected_t)+gt(floor(t*2),floor(prev_selected_t*2))',scale=160:-1,showinfo`;
  const started: string[] = [];
  let argv: string[] | undefined;
  const frames: RawFrame[] = [];
  const end = await new Promise<RunEnd>((resolve) => {
    const run = new FfmpegRun(args, {
      onStart: (commandLine) => {
        started.push(commandLine);
        argv = run.child?.spawnargs.slice(1);
      },
      onFrame: (frame) => frames.push(frame),
      onEnd: resolve,
    });
  });
  // The argument list as spawned; the command line is it joined by spaces.
  expect(argv).toEqual([
    ...['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'info'],
    ...['-analyzeduration', '500000', '-flags', 'low_delay', '-i', clip],
    ...['-filter:v', chain, '-map', '0:v:0', '-vsync', 'passthrough'],
    ...['-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'],
  ]);
  expect(started).toHaveLength(1);
  expect(started[0]).toContain(`-i ${clip} `);
  expect(started[0]).toContain(`-filter:v ${chain} `);
  expect(started[0]).toMatch(/ -f rawvideo -pix_fmt rgb24 pipe:1$/);
  expect(end).toMatchObject({ code: 0, signal: null });
  expect(frames.map((f) => [f.ptsS, f.width, f.height, f.data.length])).toEqual(
    [0, 0.5, 1, 1.5].map((pts) => [pts, 160, 120, 160 * 120 * 3]),
  );
});

it('an ffmpeg that cannot be spawned ends the run once, with the reason, and does not crash', async () => {
  const ends: RunEnd[] = [];
  const run = new FfmpegRun(ffmpegArgs(clip, { live: false, liveProbeMs: 500 }), {
    onFrame: () => {},
    onEnd: (end) => ends.push(end),
  });
  // FfmpegRun set fluent-ffmpeg's (process-wide) ffmpeg path; it spawns a few ticks later.
  ffmpeg().setFfmpegPath(path.join(dir, 'no-ffmpeg-here'));
  await expect.poll(() => ends).toHaveLength(1);
  expect(ends[0]).toEqual({ code: null, signal: null, reason: expect.stringMatching(/ENOENT/) });
  await run.stop(100);
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(ends).toHaveLength(1);
});
