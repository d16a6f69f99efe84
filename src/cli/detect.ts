import type { Command } from 'commander';
import { DEFAULT_MODEL_PATH } from '../detect/light.js';
import { parseNumberIn } from './options.js';

const DEFAULT_FPS = 2;

export interface DetectOptions {
  fps: number;
  model: string;
  out: string;
  threads: number;
  json?: boolean;
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
    .option('--json', 'print the summary as JSON, for machines')
    .action(async (input: string, opts: DetectOptions) => {
      const { runDetect } = await import('./detect-run.js');
      await runDetect(input, opts);
    });
}
