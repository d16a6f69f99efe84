/**
 * Replay speed for 1080p30 video at 2 fps analysis. Flies the simulator with its camera over the demo
 * world's plumes at 60 m (as scripts/bench/geotag.ts did before it became a sweep of generated worlds),
 * re-encodes the first SPEED_CLIP_S of the video at 1920×1080 30 fps with temporal grain (so every
 * frame differs and costs a real decode), and replays it against the flight's tlog through the real
 * pipeline (model, geotag, alert store), beside decoding that video alone (the limit) in the same run.
 * Run alone: `npx tsx scripts/bench/replay-speed.ts` (about 4 minutes on 2 cores).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { table } from '../../src/cli/output.js';
import { openVideo, resolveFfmpeg } from '../../src/video/index.js';
import { flySimFlight, replaySimFlight } from '../../test/helpers/sim-flight.js';

const ANALYSIS_FPS = 2;
const SPEEDUP = 10;
const CAMERA = { widthPx: 1280, heightPx: 720, hfovDeg: 82, fps: 5 };
const SPEED_CLIP_S = 120;
/** Over the demo world's plumes in D-01, D-04 and D-05. */
const ROUTE = [
  { latDeg: 34.7261, lonDeg: 113.63155 },
  { latDeg: 34.7283, lonDeg: 113.6349 },
  { latDeg: 34.7196, lonDeg: 113.6266 },
];

/** The flight's video as 1080p30 H.264 with grain, keeping its creation_time (the replay's clock). */
async function toFullHd30(video: string, out: string): Promise<void> {
  const args = [
    ...['-v', 'error', '-y', '-i', video, '-t', String(SPEED_CLIP_S), '-map_metadata', '0'],
    ...['-vf', 'scale=1920:1080,fps=30,noise=alls=10:allf=t,format=yuv420p'],
    ...['-c:v', 'libx264', '-preset', 'veryfast', '-g', '30', out],
  ];
  await promisify(execFile)(resolveFfmpeg(), args);
}

export async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dustpatrol-bench-replay-speed-'));
  try {
    process.stderr.write('flying at 60 m…\n');
    const flight = await flySimFlight({ dir, route: ROUTE, altRelM: 60, camera: CAMERA, speedup: SPEEDUP });
    process.stderr.write(`making ${SPEED_CLIP_S} s of 1080p30 video…\n`);
    const video = path.join(dir, 'video-1080p30.mkv');
    await toFullHd30(flight.video, video);
    const decodeStart = performance.now();
    const source = await openVideo(video, { fps: ANALYSIS_FPS });
    let decoded = 0;
    for await (const _frame of source) decoded++;
    const decodeS = (performance.now() - decodeStart) / 1000;
    const { summary } = await replaySimFlight(
      { ...flight, video },
      { db: path.join(dir, 'alerts.db'), fps: ANALYSIS_FPS, camera: CAMERA },
    );
    const videoS = summary.videoDurationS;
    const m = (v: number) => v.toFixed(1);
    process.stdout.write(
      `${table(
        ['1080p30 video', 'seconds', 'frames at 2 fps', 'wall s', '× real time', 'x decode-only'],
        [
          ['decode only (the limit)', m(videoS), decoded, m(decodeS), m(videoS / decodeS), '1.00'],
          [
            'replay (detect, geotag, store)',
            m(videoS),
            decoded,
            m(summary.wallS),
            m(videoS / summary.wallS),
            (decodeS / summary.wallS).toFixed(2),
          ],
        ],
      )}\n`,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
// Exit even if a simulator socket or an ffmpeg child still holds the event loop.
process.exit(0);
