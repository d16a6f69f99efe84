import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { type Box, DEFAULT_MODEL_PATH, loadDetector, PlumeTracker } from '../detect/index.js';
import { type ConfirmedPlume, detectVideo } from '../pipeline/index.js';
import { encodeSnapshot, openVideo } from '../video/index.js';
import { interruptSignal } from './connect.js';
import { parseNumberIn } from './options.js';
import { LiveLine, progressBar, table } from './output.js';

const DEFAULT_FPS = 2;

interface DetectOptions {
  fps: number;
  model: string;
  out: string;
  threads: number;
}

export function registerDetect(program: Command): void {
  program
    .command('detect')
    .description(
      'Find dust plumes in a video file, an image, a folder of images or a stream (udp://, rtsp://)',
    )
    .argument('<input>', 'video file, image, folder of images, or stream URL')
    .option('--fps <n>', 'frames analysed per second of video', parseNumberIn(0.1, 60), DEFAULT_FPS)
    .option('--model <path>', 'ONNX model (its .json description beside it)', DEFAULT_MODEL_PATH)
    .option('--out <dir>', 'folder for detections.jsonl and plume snapshots', 'detections')
    .option('--threads <n>', 'inference threads', parseNumberIn(1, 16), 1)
    .action(runDetect);
}

async function runDetect(input: string, opts: DetectOptions): Promise<void> {
  const detector = await loadDetector({ modelPath: opts.model, threads: opts.threads });
  const signal = interruptSignal();
  const source = await openVideo(input, { fps: opts.fps, signal });
  fs.mkdirSync(opts.out, { recursive: true });
  const jsonl = fs.openSync(path.join(opts.out, 'detections.jsonl'), 'w');
  const line = new LiveLine(process.stderr);
  const plumes: ConfirmedPlume[] = [];
  const expectedFrames =
    source.info.durationS === undefined ? null : Math.ceil(source.info.durationS * opts.fps);
  let frames = 0;
  let confirmedCount = 0;
  try {
    const onPlume = async (plume: ConfirmedPlume) => {
      plumes.push(plume);
      const { track, evidence } = plume;
      const { box } = track.best.plume;
      const jpeg = await encodeSnapshot(
        evidence,
        [
          {
            x: box.x0,
            y: box.y0,
            width: box.x1 - box.x0,
            height: box.y1 - box.y0,
            label: `plume ${track.id}`,
          },
        ],
        {
          caption: `${path.basename(input)}  t=${track.best.ptsS.toFixed(1)} s  peak ${track.best.plume.peakScore.toFixed(2)}`,
        },
      );
      fs.writeFileSync(path.join(opts.out, `plume-${String(track.id).padStart(3, '0')}.jpg`), jpeg);
    };
    for await (const analysed of detectVideo(source, detector, new PlumeTracker(), { ended: onPlume })) {
      frames++;
      confirmedCount += analysed.confirmed.length;
      const { detection } = analysed;
      const record = {
        ptsS: detection.ptsS,
        inferenceMs: Number(detection.inferenceMs.toFixed(1)),
        plumes: detection.plumes,
        confirmed: analysed.confirmed.map((t) => t.id),
      };
      fs.writeSync(jsonl, `${JSON.stringify(record)}\n`);
      const done =
        expectedFrames === null
          ? `${frames} frames`
          : progressBar(Math.min(frames, expectedFrames), expectedFrames);
      // Off a terminal, a line at each quarter (or every 100 frames of a stream), not one per frame.
      const milestone =
        expectedFrames === null ? Math.floor(frames / 100) : Math.floor((4 * frames) / expectedFrames);
      line.update(`detect ${done} | plumes confirmed ${confirmedCount}`, String(milestone));
    }
  } finally {
    line.done();
    fs.closeSync(jsonl);
    await source.close();
    await detector.close();
  }
  const rows = plumes.map(({ track }) => [
    track.id,
    `${track.firstSeenS.toFixed(1)}–${track.lastSeenS.toFixed(1)}`,
    track.hits,
    track.best.plume.peakScore.toFixed(2),
    formatBox(track.best.plume.box),
  ]);
  if (rows.length > 0)
    process.stdout.write(`${table(['plume', 'seen s', 'frames', 'peak', 'box px'], rows)}\n`);
  process.stdout.write(
    `${frames} frames analysed, ${plumes.length} plume${plumes.length === 1 ? '' : 's'} confirmed; ` +
      `detections in ${path.join(opts.out, 'detections.jsonl')}${plumes.length > 0 ? ', snapshots beside it' : ''}\n`,
  );
}

function formatBox(box: Box): string {
  const [x, y, w, h] = [box.x0, box.y0, box.x1 - box.x0, box.y1 - box.y0].map(Math.round);
  return `${x},${y} ${w}×${h}`;
}
