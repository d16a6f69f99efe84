import type { Pose } from '../../src/geotag/index.js';

const DEG = Math.PI / 180;

export const HOME = { latDeg: 52.2297, lonDeg: 21.0122, groundAmslM: 110 };

/** A pose over HOME, level, heading north, with a stabilised gimbal (angles in degrees). */
export function poseOver(options: {
  altRelM?: number;
  yawDeg?: number;
  rollDeg?: number;
  pitchDeg?: number;
  gimbal?: { pitchDeg: number; yawDeg?: number; rollDeg?: number; earth?: boolean } | null;
  velocity?: { eastMs: number; northMs: number; upMs: number };
}): Pose {
  const altRelM = options.altRelM ?? 100;
  const pose: Pose = {
    timeUs: 1_700_000_000_000_000,
    latDeg: HOME.latDeg,
    lonDeg: HOME.lonDeg,
    altAmslM: HOME.groundAmslM + altRelM,
    altRelM,
    groundAmslM: HOME.groundAmslM,
    velocityEnuMs: options.velocity ?? { eastMs: 0, northMs: 0, upMs: 0 },
    rollRad: (options.rollDeg ?? 0) * DEG,
    pitchRad: (options.pitchDeg ?? 0) * DEG,
    yawRad: (options.yawDeg ?? 0) * DEG,
  };
  const g = options.gimbal === undefined ? { pitchDeg: -90 } : options.gimbal;
  if (g) {
    pose.gimbal = {
      pitchRad: g.pitchDeg * DEG,
      rollRad: (g.rollDeg ?? 0) * DEG,
      yawRad: (g.yawDeg ?? 0) * DEG,
      yawFrame: g.earth ? 'earth' : 'vehicle',
    };
  }
  return pose;
}
