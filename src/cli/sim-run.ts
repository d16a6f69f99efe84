import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';
import { TlogWriter } from '../mavlink/index.js';
import {
  groundTruth,
  loadWorld,
  normaliseStreamUrl,
  RECORDING_FILES,
  SimCamera,
  startSimulator,
  writeGroundTruth,
} from '../sim/index.js';
import { interruptSignal, stopped } from './interrupt.js';
import { LiveLine } from './output.js';
import { readSigningKeyFlag } from './signing-key.js';
import { type SimOptions, WORLD_WIND_MS } from './sim.js';

const REFRESH_MS = 1000;

export async function runSim(opts: SimOptions): Promise<void> {
  if ((opts.video || opts.record) && !opts.world) {
    throw new UserError('sim: --video and --record need --world FILE (what the camera sees)');
  }
  const signingKey = readSigningKeyFlag(opts.signingKey);
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
    signingKey,
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
      `speed-up ×${opts.speedup}${signingKey ? `, signing with the key of ${opts.signingKey}` : ''} (Ctrl-C to stop)\n`,
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
  await stopped(signal, opts.duration);
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
}

/** The recording folder: made if missing; refused if it already holds a recording. */
export function prepareRecordDir(dir: string): void {
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
