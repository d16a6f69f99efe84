import { describe, expect, it } from 'vitest';
import { cameraFromFov, flatGround, groundFootprint, pixelToGround } from '../../src/geotag/index.js';
import { HOME, poseOver } from './poses.js';

const DEG = Math.PI / 180;
const camera = cameraFromFov({ widthPx: 1280, heightPx: 720, horizontalFovDeg: 82 });
/** The picture's vertical field of view, from the same focal length. */
const VFOV_RAD = 2 * Math.atan(720 / 2 / camera.fyPx);

function extentM(ring: { x: number; y: number }[]) {
  const xs = ring.map((p) => p.x);
  const ys = ring.map((p) => p.y);
  return { minX: Math.min(...xs), maxX: Math.max(...xs), minY: Math.min(...ys), maxY: Math.max(...ys) };
}

describe('the ground a picture shows', () => {
  it('straight down from 60 m: the rectangle the field of view spans, across the track as wide as 2·h·tan(41°)', () => {
    const pose = poseOver({ altRelM: 60, yawDeg: 0 });
    const fp = groundFootprint(camera, pose, 180);
    expect(fp).not.toBeNull();
    const e = extentM(fp?.ringM ?? []);
    const halfWidthM = 60 * Math.tan(41 * DEG);
    const halfHeightM = 60 * Math.tan(VFOV_RAD / 2);
    // Nose north: the image's width lies east–west.
    expect(e.maxX).toBeCloseTo(halfWidthM, 3);
    expect(e.minX).toBeCloseTo(-halfWidthM, 3);
    expect(e.maxY).toBeCloseTo(halfHeightM, 3);
    expect(e.minY).toBeCloseTo(-halfHeightM, 3);
    expect(fp?.areaM2).toBeCloseTo(4 * halfWidthM * halfHeightM, 0);
    expect(fp?.camera).toMatchObject({ altRelM: 60, pitchDeg: expect.closeTo(-90, 6) });
  });

  it('puts its corners where pixelToGround puts the picture corners', () => {
    const pose = poseOver({ altRelM: 60, yawDeg: 30, gimbal: { pitchDeg: -50 } });
    const fp = groundFootprint(camera, pose, 1000);
    const ground = flatGround(HOME.groundAmslM);
    for (const corner of [
      { x: 0, y: 720 },
      { x: 1280, y: 720 },
      { x: 1280, y: 0 },
      { x: 0, y: 0 },
    ]) {
      const hit = pixelToGround(camera, pose, corner, ground);
      if (hit.kind !== 'ground') throw new Error(`corner ${corner.x},${corner.y}: ${hit.kind}`);
      const nearest = Math.min(
        ...(fp?.ringM ?? []).map((p) => Math.hypot(p.x - hit.eastM, p.y - hit.northM)),
      );
      expect(nearest).toBeLessThan(0.01);
    }
  });

  it('looking at the horizon: the ground out to the range and no farther, in the direction the camera looks', () => {
    const pose = poseOver({ altRelM: 60, yawDeg: 90, gimbal: { pitchDeg: 0 } });
    const fp = groundFootprint(camera, pose, 180);
    const far = Math.max(...(fp?.ringM ?? []).map((p) => Math.hypot(p.x, p.y)));
    expect(far).toBeLessThanOrEqual(180 + 1e-6);
    expect(far).toBeGreaterThan(170);
    // Looking east: all of it east of the drone, from where the bottom edge meets the ground.
    const nearestEastM = 60 / Math.tan(VFOV_RAD / 2);
    expect(Math.min(...(fp?.ringM ?? []).map((p) => p.x))).toBeCloseTo(nearestEastM, 0);
  });

  it('sees no ground when the camera looks above the horizon, when all it sees lies beyond the range, or from the ground', () => {
    expect(groundFootprint(camera, poseOver({ altRelM: 60, gimbal: { pitchDeg: 30 } }), 180)).toBeNull();
    // Tilted up 10°: the bottom edge meets the ground 209 m off, beyond 3 × 60 m.
    expect(groundFootprint(camera, poseOver({ altRelM: 60, gimbal: { pitchDeg: 10 } }), 180)).toBeNull();
    expect(groundFootprint(camera, poseOver({ altRelM: 0 }), 180)).toBeNull();
  });
});
