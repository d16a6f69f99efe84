import { describe, expect, it } from 'vitest';
import { LocalFrame } from '../../src/geo/index.js';
import {
  cameraFromFov,
  flatGround,
  type GroundModel,
  type GroundProjection,
  pixelToGround,
} from '../../src/geotag/index.js';
import { HOME, poseOver } from './poses.js';

const DEG = Math.PI / 180;
/** 1000 × 800, 90° horizontal FOV: fx = 500 px, centre (500, 400). */
const camera = cameraFromFov({ widthPx: 1000, heightPx: 800, horizontalFovDeg: 90 });
const ground = flatGround(HOME.groundAmslM);
const centre = { x: 500, y: 400 };

function landed(hit: GroundProjection) {
  if (hit.kind !== 'ground') throw new Error(`expected a ground point, got ${hit.kind}: ${hit.reason}`);
  return hit;
}

function expectAt(hit: GroundProjection, eastM: number, northM: number): void {
  const point = landed(hit);
  expect(point.eastM).toBeCloseTo(eastM, 1);
  expect(point.northM).toBeCloseTo(northM, 1);
  // The latitude and longitude agree with the offsets.
  const local = new LocalFrame({ latDeg: HOME.latDeg, lonDeg: HOME.lonDeg, altAmslM: 0 }).toLocal(
    point.latDeg,
    point.lonDeg,
    0,
  );
  expect(local.eastM).toBeCloseTo(eastM, 1);
  expect(local.northM).toBeCloseTo(northM, 1);
  expect(point.altAmslM).toBeCloseTo(HOME.groundAmslM, 6);
}

describe('pixel to ground', () => {
  it('nadir: the centre pixel lands straight below, the right edge alt·tan(hfov/2) east', () => {
    const pose = poseOver({ altRelM: 100, gimbal: { pitchDeg: -90 } });
    const below = landed(pixelToGround(camera, pose, centre, ground));
    expectAt(below, 0, 0);
    expect(below.rangeM).toBeCloseTo(100, 6);
    expectAt(pixelToGround(camera, pose, { x: 1000, y: 400 }, ground), 100 * Math.tan(45 * DEG), 0);
    // The top of the image points along the heading.
    expectAt(pixelToGround(camera, pose, { x: 500, y: 0 }, ground), 0, 100 * (400 / 500));
  });

  it('oblique: pitch −45° from 100 m lands the centre 100 m ahead', () => {
    const hit = landed(pixelToGround(camera, poseOver({ gimbal: { pitchDeg: -45 } }), centre, ground));
    expectAt(hit, 0, 100);
    expect(hit.groundDistanceM).toBeCloseTo(100, 6);
    expect(hit.rangeM).toBeCloseTo(100 * Math.SQRT2, 6);
  });

  it('yawed: heading 90° puts ahead to the east, whether the vehicle or the gimbal turns', () => {
    expectAt(
      pixelToGround(camera, poseOver({ yawDeg: 90, gimbal: { pitchDeg: -45 } }), centre, ground),
      100,
      0,
    );
    expectAt(
      pixelToGround(camera, poseOver({ gimbal: { pitchDeg: -45, yawDeg: 90 } }), centre, ground),
      100,
      0,
    );
    // Vehicle 30° + gimbal 60° relative to the nose.
    expectAt(
      pixelToGround(camera, poseOver({ yawDeg: 30, gimbal: { pitchDeg: -45, yawDeg: 60 } }), centre, ground),
      100,
      0,
    );
    // An earth-frame gimbal yaw ignores the vehicle's heading.
    expectAt(
      pixelToGround(
        camera,
        poseOver({ yawDeg: 90, gimbal: { pitchDeg: -45, yawDeg: 180, earth: true } }),
        centre,
        ground,
      ),
      0,
      -100,
    );
    // Nadir, heading east: the top of the image points east, its right edge south.
    const east = poseOver({ yawDeg: 90, gimbal: { pitchDeg: -90 } });
    expectAt(pixelToGround(camera, east, { x: 500, y: 0 }, ground), 80, 0);
    expectAt(pixelToGround(camera, east, { x: 1000, y: 400 }, ground), 0, -100);
  });

  it('rolled: a level camera rolled 90° right looks down with its right edge, 45° below the horizon', () => {
    const pose = poseOver({ gimbal: { pitchDeg: 0, rollDeg: 90 } });
    expectAt(pixelToGround(camera, pose, { x: 1000, y: 400 }, ground), 0, 100);
    expect(pixelToGround(camera, pose, { x: 0, y: 400 }, ground).kind).toBe('above-horizon');
  });

  it('without a gimbal the body-fixed camera follows the vehicle: rolled 10° right it looks to the left', () => {
    const downCamera = cameraFromFov({
      widthPx: 1000,
      heightPx: 800,
      horizontalFovDeg: 90,
      mountPitchDeg: -90,
    });
    const level = poseOver({ gimbal: null });
    expectAt(pixelToGround(downCamera, level, centre, ground), 0, 0);
    const rolled = poseOver({ gimbal: null, rollDeg: 10 });
    expectAt(pixelToGround(downCamera, rolled, centre, ground), -100 * Math.tan(10 * DEG), 0);
    // Nose down 15° on a forward-looking mount at −30°: the camera looks 45° down, 100 m ahead.
    const forwardCamera = cameraFromFov({
      widthPx: 1000,
      heightPx: 800,
      horizontalFovDeg: 90,
      mountPitchDeg: -30,
    });
    const noseDown = poseOver({ gimbal: null, pitchDeg: -15, yawDeg: 90 });
    expectAt(pixelToGround(forwardCamera, noseDown, centre, ground), 100, 0);
  });

  it('refuses a ray at or above the horizon and says so', () => {
    const level = poseOver({ gimbal: { pitchDeg: 0 } });
    const atHorizon = pixelToGround(camera, level, centre, ground);
    expect(atHorizon.kind).toBe('above-horizon');
    if (atHorizon.kind === 'above-horizon') expect(atHorizon.reason).toMatch(/horizon/);
    expect(pixelToGround(camera, level, { x: 500, y: 0 }, ground).kind).toBe('above-horizon');
    expectAt(pixelToGround(camera, level, { x: 500, y: 800 }, ground), 0, 100 / (400 / 500));
  });

  it('refuses a camera that is not above the ground, and a ray that meets it only very far away', () => {
    const pose = poseOver({ gimbal: { pitchDeg: -45 } });
    const underground = pixelToGround(camera, pose, centre, flatGround(HOME.groundAmslM + 150));
    expect(underground.kind).toBe('no-ground');
    const grazing = pixelToGround(camera, poseOver({ gimbal: { pitchDeg: -0.1 } }), centre, ground);
    expect(grazing.kind).toBe('no-ground');
    if (grazing.kind === 'no-ground') expect(grazing.reason).toMatch(/beyond 20 km/);
  });

  it('terrain: marches along the ray to a sloped ground, and agrees with the plane on flat ground', () => {
    const frame = new LocalFrame({ latDeg: HOME.latDeg, lonDeg: HOME.lonDeg, altAmslM: 0 });
    const flatTerrain: GroundModel = { elevationAmslM: () => HOME.groundAmslM };
    const pose = poseOver({ gimbal: { pitchDeg: -45 } });
    const planeHit = landed(pixelToGround(camera, pose, { x: 700, y: 600 }, ground));
    const marched = landed(pixelToGround(camera, pose, { x: 700, y: 600 }, flatTerrain));
    expect(marched.eastM).toBeCloseTo(planeHit.eastM, 1);
    expect(marched.northM).toBeCloseTo(planeHit.northM, 1);
    // Rising 1 m per 10 m northward: 100 − n = 0.1 n.
    const slope: GroundModel = {
      elevationAmslM: (latDeg, lonDeg) => HOME.groundAmslM + 0.1 * frame.toLocal(latDeg, lonDeg, 0).northM,
    };
    const hit = landed(pixelToGround(camera, pose, centre, slope));
    expect(hit.northM).toBeCloseTo(100 / 1.1, 1);
    expect(hit.eastM).toBeCloseTo(0, 1);
    expect(hit.altAmslM).toBeCloseTo(HOME.groundAmslM + 10 / 1.1, 1);
  });
});
