import { type Command, InvalidArgumentError } from 'commander';
import { DEFAULT_CAMERA } from '../camera.js';
import { DEFAULT_MODEL_PATH } from '../detect/light.js';
import { parseIsoUtcUs } from '../video/light.js';
import { DEFAULT_DB, parseNumberIn, repeatable } from './options.js';

const DEFAULT_FPS = 2;

export interface ReplayCliOptions {
  tlog: string;
  video: string;
  sites: string[];
  offset: number;
  videoStart?: number;
  db: string;
  fps: number;
  hfov: number;
  width?: number;
  model: string;
  threads: number;
  json?: boolean;
}

export function registerReplay(program: Command): void {
  program
    .command('replay')
    .description('Analyse a recorded flight (tlog + video): geotagged dust alerts into the alert database')
    .requiredOption('--tlog <file>', 'telemetry log of the flight')
    .requiredOption('--video <file>', "the flight's video")
    .requiredOption('--sites <file>', 'site file for attributing alerts (repeatable)', repeatable(String))
    .option(
      '--offset <s>',
      "added to the video's times: a camera clock that is off",
      parseNumberIn(-86_400, 86_400),
      0,
    )
    .option(
      '--video-start <iso>',
      "when the video's first frame was taken, UTC (default: the file's creation_time)",
      parseIso,
    )
    .option('--db <path>', 'alert database (created if missing)', DEFAULT_DB)
    .option('--fps <n>', 'frames analysed per second of video', parseNumberIn(0.1, 60), DEFAULT_FPS)
    .option(
      '--hfov <deg>',
      "camera's horizontal field of view (default: the simulator's)",
      parseNumberIn(1, 179),
      DEFAULT_CAMERA.hfovDeg,
    )
    .option(
      '--width <px>',
      'scale frames to this width for analysis and evidence (default: as recorded)',
      parseWidth,
    )
    .option('--model <path>', 'ONNX model (its .json description beside it)', DEFAULT_MODEL_PATH)
    .option('--threads <n>', 'inference threads', parseNumberIn(1, 16), 1)
    .option('--json', 'print the summary as JSON, for machines')
    .action(async (opts: ReplayCliOptions) => {
      const { runReplay } = await import('./replay-run.js');
      await runReplay(opts);
    });
}

function parseIso(value: string): number {
  const us = parseIsoUtcUs(value.endsWith('Z') ? value : `${value}Z`);
  if (us === undefined)
    throw new InvalidArgumentError(`expected a UTC time like 2026-05-03T09:30:00.250Z, got '${value}'`);
  return us;
}

function parseWidth(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 64 || n > 7680)
    throw new InvalidArgumentError(`expected a whole number of pixels from 64 to 7680, got '${value}'`);
  return n;
}
