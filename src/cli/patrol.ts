import { type Command, Option } from 'commander';
import { DEFAULT_CAMERA } from '../camera.js';
import { DEFAULT_PLAN_SETTINGS } from '../plan/light.js';
import type { PatternKind } from '../sites/index.js';
import { PATTERN_KINDS } from '../sites/light.js';
import {
  DEFAULT_ANALYSIS_FPS,
  DEFAULT_DB,
  DEFAULT_VIDEO_LATENCY_MS,
  parseNumberIn,
  parseSize,
  percent,
  repeatable,
  SIGNING_KEY_OPTION,
} from './options.js';

const DEFAULT_DATA_DIR = 'patrols';
const DEFAULT_MIN_BATTERY_PCT = 50;
const DEFAULT_LINK_LOSS_WARN_S = 5;
/** The vehicle's name in the store when the pilot gives none. */
const DEFAULT_VEHICLE = 'drone-1';
export interface PatrolCliOptions {
  connect: string;
  signingKey?: string;
  video?: string;
  db: string;
  dataDir: string;
  sites?: string[];
  sortie: number;
  altitude?: number;
  pattern?: PatternKind;
  cameraSize: { widthPx: number; heightPx: number };
  cameraHfov: number;
  videoLatency: number;
  fps: number;
  minBattery: number;
  reserve: number;
  linkLossWarn: number;
  resume?: boolean;
  vehicle: string;
  serve?: number;
  json?: boolean;
}

export function registerPatrol(program: Command): void {
  program
    .command('patrol')
    .description(
      'Fly a patrol: plan (given sites), check, upload, arm, fly AUTO, analyse the video live and raise ' +
        'geotagged dust alerts; keys p pause, r resume, a abort (RTL)',
    )
    .argument('<plan-or-sites>', 'a .plan / .waypoints mission, or a .geojson / .kml site file to plan')
    .requiredOption('--connect <url>', 'vehicle link: udpin://, udpout://, tcpout://, serial://')
    .option(...SIGNING_KEY_OPTION)
    .option('--video <url>', "the drone's video stream: udp://HOST:PORT (MPEG-TS) or rtsp://…")
    .option('--db <file>', 'alert database (SQLite)', DEFAULT_DB)
    .option('--data-dir <dir>', 'where each flight’s tlog is written', DEFAULT_DATA_DIR)
    .option(
      '--sites <file>',
      'site file for attributing alerts (repeatable; default: the planned one)',
      repeatable(String),
    )
    .option('--sortie <n>', 'which sortie of a planned patrol to fly', parseNumberIn(1, 1000), 1)
    .option('--altitude <m>', 'pattern altitude when planning (default 60)', parseNumberIn(5, 120))
    .addOption(
      new Option('--pattern <kind>', 'one pattern for every site when planning').choices(PATTERN_KINDS),
    )
    .option('--camera-size <WxH>', 'the video’s size', parseSize, {
      widthPx: DEFAULT_CAMERA.widthPx,
      heightPx: DEFAULT_CAMERA.heightPx,
    })
    .option(
      '--camera-hfov <deg>',
      'camera horizontal field of view',
      parseNumberIn(1, 179),
      DEFAULT_CAMERA.hfovDeg,
    )
    .option(
      '--video-latency <ms>',
      'camera to ground-station delay of the video',
      parseNumberIn(0, 10_000),
      DEFAULT_VIDEO_LATENCY_MS,
    )
    .option('--fps <n>', 'frames analysed per second', parseNumberIn(0.1, 30), DEFAULT_ANALYSIS_FPS)
    .option('--min-battery <pct>', 'battery floor for the pre-flight check', percent, DEFAULT_MIN_BATTERY_PCT)
    .option(
      '--reserve <pct>',
      'in the air, at this battery the patrol returns home',
      percent,
      DEFAULT_PLAN_SETTINGS.reservePct,
    )
    .option(
      '--link-loss-warn <s>',
      "link silence before the pilot is told what the vehicle's own failsafe does",
      parseNumberIn(1, 600),
      DEFAULT_LINK_LOSS_WARN_S,
    )
    .option(
      '--resume',
      'continue the last patrol of this plan from its last waypoint reached (after a battery swap)',
    )
    .option('--vehicle <name>', 'the vehicle’s name in the alert store', DEFAULT_VEHICLE)
    .option(
      '--serve <port>',
      'also serve the dashboard on 127.0.0.1:PORT (0: any free port)',
      parseNumberIn(0, 65_535),
    )
    .option('--json', 'print the summary as JSON')
    .action(async (file: string, opts: PatrolCliOptions) => {
      const { runPatrol } = await import('./patrol-run.js');
      await runPatrol(file, opts);
    });
}
