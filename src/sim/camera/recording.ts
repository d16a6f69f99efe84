import fs from 'node:fs/promises';
import path from 'node:path';
import type { SimCameraSpec } from './camera.js';
import { RECORDING_FILES } from './defaults.js';
import { isoUtcMicros } from './encoder.js';
import type { World } from './world.js';

/** What really happened in a recorded flight: for checking what the analytics make of the video and log. */
export interface GroundTruth {
  /** The first frame's Unix time on the sim's clock (the tlog's clock too), µs; null if none was rendered. */
  videoStartUnixUs: number | null;
  videoStartIso: string | null;
  frames: number;
  camera: SimCameraSpec;
  world: { file: string; seed: number; windFromDeg: number };
  plumes: {
    id: string;
    latDeg: number;
    lonDeg: number;
    siteId: string | null;
    lengthM: number;
    widthM: number;
    opacity: number;
    windFromDeg: number;
    /** Sim seconds; null: from the start / to the end. */
    startS: number | null;
    endS: number | null;
  }[];
  /** The errors in the reported telemetry (σ), while the video shows the truth. */
  noise: { positionNoiseM: number; attitudeNoiseDeg: number; gpsNoiseM: number };
  files: typeof RECORDING_FILES;
}

/** The camera as the truth describes it: the built-in one, or a FollowCamera's first video. */
export interface RecordedCamera {
  spec: SimCameraSpec;
  videoStartUnixUs: number | null;
  framesRendered: number;
}

export function groundTruth(
  world: World,
  camera: RecordedCamera,
  noise: { positionNoiseM?: number; attitudeNoiseDeg?: number; gpsNoiseM?: number },
): GroundTruth {
  const start = camera.videoStartUnixUs;
  return {
    videoStartUnixUs: start === null ? null : Math.round(start),
    videoStartIso: start === null ? null : isoUtcMicros(start),
    frames: camera.framesRendered,
    camera: camera.spec,
    world: { file: world.source, seed: world.seed, windFromDeg: world.windFromDeg },
    plumes: world.plumes.map((p) => ({
      id: p.id,
      latDeg: p.latDeg,
      lonDeg: p.lonDeg,
      siteId: p.siteId,
      lengthM: p.lengthM,
      widthM: p.widthM,
      opacity: p.opacity,
      windFromDeg: p.windFromDeg,
      startS: Number.isFinite(p.startS) ? p.startS : null,
      endS: Number.isFinite(p.endS) ? p.endS : null,
    })),
    noise: {
      positionNoiseM: noise.positionNoiseM ?? 0,
      attitudeNoiseDeg: noise.attitudeNoiseDeg ?? 0,
      gpsNoiseM: noise.gpsNoiseM ?? 0,
    },
    files: RECORDING_FILES,
  };
}

/** Writes DIR/truth.json. */
export async function writeGroundTruth(dir: string, truth: GroundTruth): Promise<string> {
  const file = path.join(dir, RECORDING_FILES.truth);
  await fs.writeFile(file, `${JSON.stringify(truth, null, 2)}\n`);
  return file;
}
