import type { Command } from 'commander';
import { RECORDING_FILES } from '../sim/light.js';
import { addSimCameraOptions } from './camera-options.js';
import { parseLatLonAlt, parseNumberIn, percent } from './options.js';

/** The demo district: Erqi District, Zhengzhou. */
export const DEFAULT_HOME = { latDeg: 34.7245, lonDeg: 113.6302, altAmslM: 110 };

/** The breeze over a world when none is given, m/s: enough to make its plumes drift one way. */
export const WORLD_WIND_MS = 3;

export interface SimOptions {
  connect: string;
  signingKey?: string;
  home: { latDeg: number; lonDeg: number; altAmslM: number };
  speedup: number;
  loss: number;
  lossIn?: number;
  lossOut?: number;
  duplicate: number;
  latency: number;
  jitter: number;
  windSpeed?: number;
  windFrom?: number;
  missionCapacity?: number;
  seed: number;
  duration?: number;
  world?: string;
  video?: string;
  record?: string;
  cameraSize: { widthPx: number; heightPx: number };
  cameraFps: number;
  cameraHfov: number;
  positionNoise: number;
  attitudeNoise: number;
}

export function registerSim(program: Command): void {
  const command = program
    .command('sim')
    .description('Run the built-in ArduPilot-like simulated vehicle; any ground station can connect to it')
    .option(
      '--connect <url>',
      'where the vehicle talks: udpout://HOST:PORT, udpin://, tcpin:// (SITL-style)',
      'udpout://127.0.0.1:14550',
    )
    .option(
      '--signing-key <file>',
      "start with this MAVLink 2 signing key (64 hex digits, 32 raw bytes, or 'passphrase: TEXT'), as a " +
        'vehicle given one: sign what it sends, drop what is not signed with it. Without one, a ' +
        "SETUP_SIGNING ('dustpatrol signing setup') gives it a key",
    )
    .option('--home <lat,lon,alt>', 'home position in degrees and metres AMSL', parseLatLonAlt, DEFAULT_HOME)
    .option(
      '--speedup <n>',
      'simulated time runs this many times faster than wall time',
      parseNumberIn(0.1, 100),
      1,
    )
    .option('--loss <pct>', 'packet loss each way, percent', percent, 0)
    .option('--loss-in <pct>', 'packet loss towards the vehicle, percent (overrides --loss)', percent)
    .option('--loss-out <pct>', 'packet loss from the vehicle, percent (overrides --loss)', percent)
    .option('--duplicate <pct>', 'packets delivered twice, percent', percent, 0)
    .option('--latency <ms>', 'added latency each way', parseNumberIn(0, 10_000), 0)
    .option('--jitter <ms>', 'random extra latency each way (reorders packets)', parseNumberIn(0, 10_000), 0)
    .option(
      '--wind-speed <m/s>',
      `steady wind speed (default: 0, or ${WORLD_WIND_MS} with --world)`,
      parseNumberIn(0, 30),
    )
    .option(
      '--wind-from <deg>',
      "direction the wind blows from (default: 0, or the world's wind, the way its plumes drift)",
      parseNumberIn(0, 360),
    )
    .option('--mission-capacity <items>', 'mission items the vehicle can hold', parseNumberIn(1, 65_535))
    .option('--seed <n>', 'random seed for faults and GPS noise', parseNumberIn(0, 2 ** 31), 1)
    .option('--duration <s>', 'stop after this many wall-clock seconds', parseNumberIn(1, 86_400))
    .option(
      '--world <file>',
      'world the camera sees: sites and dust plumes (GeoJSON, see missions/README.md)',
    )
    .option('--video <url>', 'stream the camera as H.264 MPEG-TS to udpout://HOST:PORT (needs --world)')
    .option(
      '--record <dir>',
      `write DIR/${RECORDING_FILES.tlog}, DIR/${RECORDING_FILES.video} and DIR/${RECORDING_FILES.truth} (needs --world)`,
    )
    .option(
      '--position-noise <m>',
      'σ of the error in reported positions (the camera sees the truth)',
      parseNumberIn(0, 100),
      0,
    )
    .option(
      '--attitude-noise <deg>',
      'σ of the error in reported attitude and heading',
      parseNumberIn(0, 45),
      0,
    );
  addSimCameraOptions(command, 'sim time').action(async (opts: SimOptions) => {
    const { runSim } = await import('./sim-run.js');
    await runSim(opts);
  });
}
