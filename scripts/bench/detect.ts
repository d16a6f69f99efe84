/**
 * Detect pipeline speed: decode only (openVideo, frames read and dropped) against the whole detect
 * pipeline (analysePlumes with the real model, one thread) on a 60 s 1920×1080 30 fps H.264 clip made here
 * with ffmpeg, at 2 fps sampling and at the full rate, in the same run; plus a live figure: the clip
 * streamed as MPEG-TS over UDP and analysed at 5 fps. Run alone: `npx tsx scripts/bench/detect.ts`.
 *
 * `--baseline-model PATH` adds one frame's cost (Detector.detectFrame on a 1920×1080 frame, one
 * inference thread) for the committed model and for PATH (its .json beside it), interleaved in the same
 * run, with the ratio committed / baseline: how much a new model costs against the one it replaces.
 * `--only-frame` runs only those rows (without a baseline: the committed model alone).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { analysePlumes } from '../../src/analytics/index.js';
import { DEFAULT_MODEL_PATH, type Detector, loadDetector } from '../../src/detect/index.js';
import { openVideo, resolveFfmpeg } from '../../src/video/index.js';
import { type BenchRow, formatBenchTable } from './table.js';

const CLIP_S = 60;
const FPS = 30;
const SAMPLE_FPS = 2;
const LIVE_FPS = 5;
const LIVE_S = 20;
const LATENCY_GOAL_MS = 300;
const FIXTURE = fileURLToPath(new URL('../../fixtures/detect/plume-1.jpg', import.meta.url));
const FRAME_WIDTH_PX = 1920;
const FRAME_HEIGHT_PX = 1080;
const FRAME_WARMUP_ROUNDS = 3;
const FRAME_ROUNDS = 30;

interface Run {
  frames: number;
  ms: number;
}

function runFfmpeg(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(resolveFfmpeg(), args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`ffmpeg exited ${code}: ${err.trim().slice(-500)}`)),
    );
  });
}

/** The fixture photo scaled past 1080p and panned (a slow Lissajous crop), so every frame differs. */
async function makeClip(file: string): Promise<void> {
  await runFfmpeg([
    ...['-v', 'error', '-y', '-loop', '1', '-framerate', String(FPS), '-i', FIXTURE],
    ...['-vf', "scale=2112:1188,crop=1920:1080:x='96+80*sin(t)':y='54+50*cos(0.7*t)',format=yuv420p"],
    ...['-t', String(CLIP_S), '-r', String(FPS), '-c:v', 'libx264', '-preset', 'ultrafast', file],
  ]);
}

async function decodeOnly(clip: string, fps: number | undefined): Promise<Run> {
  const start = performance.now();
  const source = await openVideo(clip, fps === undefined ? {} : { fps });
  let frames = 0;
  try {
    for await (const _frame of source) frames++;
  } finally {
    await source.close();
  }
  return { frames, ms: performance.now() - start };
}

async function pipelineRun(clip: string, fps: number | undefined): Promise<Run> {
  const detector = await loadDetector({ threads: 1 });
  const start = performance.now();
  const source = await openVideo(clip, fps === undefined ? {} : { fps });
  let frames = 0;
  try {
    for await (const _analysed of analysePlumes(source, { detector, frameSize: source.info })) frames++;
  } finally {
    await source.close();
  }
  return { frames, ms: performance.now() - start };
}

function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket('udp4');
    socket.on('error', reject);
    socket.bind(0, '127.0.0.1', () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

interface LiveResult {
  frames: number;
  fps: number;
  medianLatencyMs: number;
  p95LatencyMs: number;
  dropped: number;
}

async function live(clip: string): Promise<LiveResult> {
  const port = await freeUdpPort();
  const url = `udp://127.0.0.1:${port}`;
  const detector = await loadDetector({ threads: 1 });
  const sender: ChildProcess = spawn(
    resolveFfmpeg(),
    [
      '-v',
      'error',
      '-re',
      '-stream_loop',
      '-1',
      '-i',
      clip,
      '-c',
      'copy',
      '-f',
      'mpegts',
      `${url}?pkt_size=1316`,
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const senderExit = new Promise<void>((resolve) => sender.once('close', () => resolve()));
  const source = await openVideo(url, { fps: LIVE_FPS });
  const latencies: number[] = [];
  let firstAt = 0;
  let lastAt = 0;
  try {
    for await (const { frame } of analysePlumes(source, { detector, frameSize: source.info })) {
      const now = Date.now();
      latencies.push(now - frame.receivedAtMs);
      if (firstAt === 0) firstAt = performance.now();
      lastAt = performance.now();
      if (lastAt - firstAt >= LIVE_S * 1000) break;
    }
  } finally {
    await source.close();
    sender.kill('SIGTERM');
    await senderExit;
  }
  const spanS = (lastAt - firstAt) / 1000;
  return {
    frames: latencies.length,
    // Frames after the first, over the time from the first to the last.
    fps: spanS > 0 ? (latencies.length - 1) / spanS : 0,
    medianLatencyMs: median(latencies),
    p95LatencyMs: [...latencies].sort((a, b) => a - b)[Math.floor(latencies.length * 0.95)] ?? 0,
    dropped: source.droppedFrames,
  };
}

interface FrameTimes {
  totalMs: number[];
  inferenceMs: number[];
}

/**
 * One 1920×1080 frame through each detector (pre-processing, inference and blobs), rounds interleaved
 * between the detectors so that a noisy machine slows both alike.
 */
async function frameTimes(detectors: Detector[]): Promise<FrameTimes[]> {
  const { data, info } = await sharp(FIXTURE)
    .resize(FRAME_WIDTH_PX, FRAME_HEIGHT_PX, { fit: 'fill' })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const frame = { data, width: info.width, height: info.height, ptsS: 0 };
  const times = detectors.map(() => ({ totalMs: [] as number[], inferenceMs: [] as number[] }));
  for (let round = 0; round < FRAME_WARMUP_ROUNDS + FRAME_ROUNDS; round++) {
    for (const [i, detector] of detectors.entries()) {
      const detection = await detector.detectFrame(frame);
      if (round < FRAME_WARMUP_ROUNDS) continue;
      times[i].totalMs.push(detection.totalMs);
      times[i].inferenceMs.push(detection.inferenceMs);
    }
  }
  return times;
}

/** The committed model's cost per frame, beside the baseline model's when one is given. */
async function frameRows(baselineModel: string | undefined): Promise<BenchRow[]> {
  const models = [DEFAULT_MODEL_PATH, ...(baselineModel === undefined ? [] : [baselineModel])];
  const detectors: Detector[] = [];
  try {
    for (const modelPath of models) detectors.push(await loadDetector({ modelPath, threads: 1 }));
    process.stderr.write(`one ${FRAME_WIDTH_PX}×${FRAME_HEIGHT_PX} frame, ${FRAME_ROUNDS} rounds…\n`);
    const [committed, baseline] = await frameTimes(detectors);
    const input = `${FRAME_WIDTH_PX}x${FRAME_HEIGHT_PX} RGB frame (fixture plume-1 stretched)`;
    const condition = (name: string) => `${name}, 1 thread`;
    const note = (t: FrameTimes, extra: string) =>
      `${extra}pre-processing + inference + blobs, of which inference ${median(t.inferenceMs).toFixed(1)} ms; ` +
      `median of ${FRAME_ROUNDS} rounds`;
    const committedMs = median(committed.totalMs);
    if (!baseline) {
      return [
        {
          benchmark: 'detect one frame',
          input,
          condition: condition('committed models/dust-plume.onnx'),
          medianMs: committedMs,
          ratio: 1,
          note: note(committed, 'no --baseline-model given; '),
        },
      ];
    }
    const baselineMs = median(baseline.totalMs);
    const inferenceRatio = median(committed.inferenceMs) / median(baseline.inferenceMs);
    return [
      {
        benchmark: 'detect one frame',
        input,
        condition: condition(`baseline ${models[1]}`),
        medianMs: baselineMs,
        ratio: 1,
        note: note(baseline, 'baseline; '),
      },
      {
        benchmark: 'detect one frame',
        input,
        condition: condition('committed models/dust-plume.onnx'),
        medianMs: committedMs,
        ratio: committedMs / baselineMs,
        note: note(committed, `new / baseline (inference alone x${inferenceRatio.toFixed(2)}); `),
      },
    ];
  } finally {
    for (const detector of detectors) await detector.close();
  }
}

export interface DetectBench {
  clipS: number;
  rows: BenchRow[];
}

export interface DetectBenchOptions {
  /** A model to measure the committed one against, one frame each (see the file's comment). */
  baselineModel?: string;
  /** Only the one-frame rows, not the clip and live ones. */
  onlyFrame?: boolean;
}

export async function benchDetect(options: DetectBenchOptions = {}): Promise<DetectBench> {
  if (options.onlyFrame) return { clipS: 0, rows: await frameRows(options.baselineModel) };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dustpatrol-bench-detect-'));
  try {
    const clip = path.join(dir, 'clip.mp4');
    const made = performance.now();
    await makeClip(clip);
    const makeS = (performance.now() - made) / 1000;
    const input = `${CLIP_S} s 1920x1080 ${FPS} fps H.264`;
    process.stderr.write(`clip made in ${makeS.toFixed(1)} s\n`);

    const rows: BenchRow[] = [];
    for (const fps of [SAMPLE_FPS, undefined]) {
      const rate = fps === undefined ? `full rate (${FPS} fps)` : `${fps} fps sampling`;
      process.stderr.write(`decode only, ${rate}…\n`);
      const decode = await decodeOnly(clip, fps);
      process.stderr.write(`pipeline, ${rate}…\n`);
      const detect = await pipelineRun(clip, fps);
      const perFrame = (r: Run) => r.ms / Math.max(1, r.frames);
      const note = (r: Run, extra: string) =>
        `${extra}${(r.frames / (r.ms / 1000)).toFixed(1)} frames/s, ${perFrame(r).toFixed(1)} ms/frame, ` +
        `${r.frames} frames in ${(r.ms / 1000).toFixed(1)} s`;
      rows.push({
        benchmark: 'decode only',
        input,
        condition: rate,
        medianMs: perFrame(decode),
        ratio: 1,
        note: note(decode, 'baseline; '),
      });
      rows.push({
        benchmark: 'detect pipeline',
        input,
        condition: rate,
        medianMs: perFrame(detect),
        ratio: detect.ms / decode.ms,
        note: note(detect, `${((decode.ms / detect.ms) * 100).toFixed(0)}% of decode speed; `),
      });
    }

    process.stderr.write(`live UDP, ${LIVE_S} s…\n`);
    const l = await live(clip);
    rows.push({
      benchmark: 'live detect',
      input: 'UDP MPEG-TS 1080p30 (-re)',
      condition: `${LIVE_FPS} fps sampling, ${LIVE_S} s`,
      medianMs: l.medianLatencyMs,
      ratio: l.medianLatencyMs / LATENCY_GOAL_MS,
      note:
        `median frame-to-detection latency (p95 ${l.p95LatencyMs.toFixed(0)} ms); ` +
        `${l.fps.toFixed(2)} analysed frames/s, ${l.frames} frames, ${l.dropped} dropped`,
    });
    if (options.baselineModel !== undefined) rows.push(...(await frameRows(options.baselineModel)));
    return { clipS: CLIP_S, rows };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({
    options: { 'baseline-model': { type: 'string' }, 'only-frame': { type: 'boolean' } },
  });
  const baselineModel = values['baseline-model'];
  const onlyFrame = values['only-frame'] ?? false;
  const { clipS, rows } = await benchDetect({ baselineModel, onlyFrame });
  const frameHelp =
    'detect one frame: median Detector.detectFrame ms; x baseline: committed model / --baseline-model ' +
    '(interleaved rounds, same frame)\n';
  if (onlyFrame) {
    process.stdout.write(`detect speed on ${os.cpus().length} cores;\n${frameHelp}`);
  } else {
    process.stdout.write(
      `detect speed on ${os.cpus().length} cores, clip ${clipS} s, one round each (no median over rounds);\n` +
        'median ms: ms per frame (decode, pipeline) or median latency (live); x baseline: pipeline time / ' +
        `decode time at the same rate (goal at ${SAMPLE_FPS} fps: <= 1.25), live: latency / ${LATENCY_GOAL_MS} ms goal;\n` +
        'live latency = detection done - frame.receivedAtMs, which is taken after decode: network and decode delay excluded\n' +
        (baselineModel === undefined ? '' : frameHelp),
    );
  }
  process.stdout.write(`${formatBenchTable(rows)}\n`);
}
