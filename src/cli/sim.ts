import fs from 'node:fs';
import path from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { DEFAULT_CAMERA } from '../camera.js';
import { UserError } from '../errors.js';
import { TlogWriter } from '../mavlink/index.js';
import {
  DEFAULT_CAMERA_FPS,
  groundTruth,
  loadWorld,
  normaliseStreamUrl,
  RECORDING_FILES,
  SimCamera,
  startSimulator,
  writeGroundTruth,
} from '../sim/index.js';
import { interruptSignal } from './connect.js';
import { parseLatLonAlt, parseNumberIn, percent } from './options.js';
import { LiveLine } from './output.js';

/** The demo district: Erqi District, Zhengzhou. */
export const DEFAULT_HOME = { latDeg: 34.7245, lonDeg: 113.6302, altAmslM: 110 };
const REFRESH_MS = 1000;

/** The breeze over a world when none is given, m/s: enough to make its plumes drift one way. */
const WORLD_WIND_MS = 3;

interface SimOptions {
  connect: string;
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

export function parseSize(value: string): { widthPx: number; heightPx: number } {
  const m = /^(\d+)x(\d+)$/i.exec(value.trim());
  const widthPx = m ? Number(m[1]) : Number.NaN;
  const heightPx = m ? Number(m[2]) : Number.NaN;
  const ok = (v: number) => Number.isInteger(v) && v >= 16 && v <= 7680 && v % 2 === 0;
  if (!ok(widthPx) || !ok(heightPx)) {
    throw new InvalidArgumentError(
      `expected WIDTHxHEIGHT in even pixels from 16 to 7680, e.g. 1280x720, got '${value}'`,
    );
  }
  return { widthPx, heightPx };
}

export function registerSim(program: Command): void {
  program
    .command('sim')
    .description('Run the built-in ArduPilot-like simulated vehicle; any ground station can connect to it')
    .option(
      '--connect <url>',
      'where the vehicle talks: udpout://HOST:PORT, udpin://, tcpin:// (SITL-style)',
      'udpout://127.0.0.1:14550',
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
    .option('--camera-size <WxH>', 'camera frame size in pixels', parseSize, {
      widthPx: DEFAULT_CAMERA.widthPx,
      heightPx: DEFAULT_CAMERA.heightPx,
    })
    .option(
      '--camera-fps <n>',
      'camera frames per second of sim time',
      parseNumberIn(1, 60),
      DEFAULT_CAMERA_FPS,
    )
    .option(
      '--camera-hfov <deg>',
      'camera horizontal field of view',
      parseNumberIn(10, 150),
      DEFAULT_CAMERA.hfovDeg,
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
    )
    .action(async (opts: SimOptions) => {
      if ((opts.video || opts.record) && !opts.world) {
        throw new UserError('sim: --video and --record need --world FILE (what the camera sees)');
      }
      const world = opts.world ? await loadWorld(opts.world, { windFromDeg: opts.windFrom }) : null;
      // The world's plumes drift with its wind: the vehicle feels (and reports in WIND) the same one.
      const windSpeedMs = opts.windSpeed ?? (world ? WORLD_WIND_MS : 0);
      const windFromDeg = world?.windFromDeg ?? opts.windFrom ?? 0;
      const streamUrl = opts.video ? normaliseStreamUrl(opts.video) : undefined;
      const recordDir = opts.record;
      if (recordDir) prepareRecordDir(recordDir);
      const tlog = recordDir ? new TlogWriter(path.join(recordDir, RECORDING_FILES.tlog)) : undefined;
      const sim = await startSimulator({
        positionNoiseM: opts.positionNoise,
        attitudeNoiseDeg: opts.attitudeNoise,
        tlog,
        connect: opts.connect,
        home: opts.home,
        speedup: opts.speedup,
        seed: opts.seed,
        missionCapacity: opts.missionCapacity,
        windSpeedMs,
        windFromDeg,
        faults: {
          lossIn: (opts.lossIn ?? opts.loss) / 100,
          lossOut: (opts.lossOut ?? opts.loss) / 100,
          duplicate: opts.duplicate / 100,
          latencyMs: opts.latency,
          jitterMs: opts.jitter,
        },
      });
      process.stdout.write(
        `simulated copter on ${opts.connect}, home ${opts.home.latDeg},${opts.home.lonDeg},${opts.home.altAmslM}, ` +
          `speed-up ×${opts.speedup} (Ctrl-C to stop)\n`,
      );
      const camera =
        world && (streamUrl || recordDir)
          ? new SimCamera(sim, {
              world,
              camera: { ...opts.cameraSize, fps: opts.cameraFps, hfovDeg: opts.cameraHfov },
              streamUrl,
              recordFile: recordDir ? path.join(recordDir, RECORDING_FILES.video) : undefined,
              onError: (err) => process.stderr.write(`\ndustpatrol: ${err.message}\n`),
            })
          : null;
      if (world && camera) {
        const { widthPx, heightPx, fps, hfovDeg } = camera.spec;
        process.stdout.write(
          `camera ${widthPx}x${heightPx} ${fps} fps ${hfovDeg}° over ${world.source} ` +
            `(${world.sites.length} sites, ${world.plumes.length} plumes)` +
            `${streamUrl ? `, streaming MPEG-TS to ${streamUrl}` : ''}\n`,
        );
      }
      if (recordDir) {
        process.stdout.write(
          `recording to ${recordDir}: ${RECORDING_FILES.tlog} (every packet the vehicle sends), ` +
            `${RECORDING_FILES.video}, ${RECORDING_FILES.truth}\n`,
        );
      }
      const line = new LiveLine();
      const timer = setInterval(() => {
        const s = sim.state();
        line.update(
          `t ${s.simTimeS.toFixed(0)} s | ${s.modeName} ${s.armed ? 'ARMED' : 'disarmed'} | ` +
            `${s.latDeg.toFixed(6)},${s.lonDeg.toFixed(6)} alt ${s.altRelM.toFixed(1)} m | bat ${s.batteryPct.toFixed(0)} %`,
          `${s.modeName} ${s.armed}`,
        );
      }, REFRESH_MS);
      const signal = interruptSignal();
      await new Promise<void>((resolve) => {
        signal.addEventListener('abort', () => resolve(), { once: true });
        if (opts.duration !== undefined) setTimeout(resolve, opts.duration * 1000);
      });
      clearInterval(timer);
      line.done();
      await camera?.close();
      await sim.close();
      tlog?.close();
      if (recordDir && world && camera) {
        const noise = { positionNoiseM: opts.positionNoise, attitudeNoiseDeg: opts.attitudeNoise };
        await writeGroundTruth(recordDir, groundTruth(world, camera, noise));
        process.stdout.write(
          `recorded ${camera.framesRendered} frames and ${tlog?.packets ?? 0} packets in ${recordDir}\n`,
        );
      }
    });
}

/** The recording folder: made if missing; refused if it already holds a recording. */
function prepareRecordDir(dir: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new UserError(`${dir}: cannot make the recording folder (${(err as Error).message})`);
  }
  if (!fs.statSync(dir).isDirectory()) throw new UserError(`${dir}: not a folder`);
  for (const name of Object.values(RECORDING_FILES)) {
    if (fs.existsSync(path.join(dir, name))) {
      throw new UserError(`${dir}: already holds ${name}; record into a new folder`);
    }
  }
}
