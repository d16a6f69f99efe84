import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import {
  cameraFromFov,
  DEFAULT_POSE_ERRORS,
  flatGround,
  groundUncertaintyM,
} from '../../src/geotag/index.js';
import { HOME, poseOver } from './poses.js';

const DEG = Math.PI / 180;
const camera = cameraFromFov({ widthPx: 1000, heightPx: 800, horizontalFovDeg: 90 });
const ground = flatGround(HOME.groundAmslM);
const centre = { x: 500, y: 400 };

describe('ground uncertainty', () => {
  it('is the GPS error at nadir with no attitude, altitude or timing error', () => {
    const errors = { positionSigmaM: 1.5, altitudeSigmaM: 1, attitudeSigmaRad: 0, timingSigmaS: 0.1 };
    const pose = poseOver({ altRelM: 100 });
    expect(groundUncertaintyM(camera, pose, centre, ground, errors)).toBeCloseTo(1.5, 6);
  });

  it('adds attitude error as altitude × tan(σ) per level axis at nadir', () => {
    const errors = { positionSigmaM: 1.5, altitudeSigmaM: 0, attitudeSigmaRad: 1 * DEG, timingSigmaS: 0 };
    const tiltM = 100 * Math.tan(1 * DEG);
    expect(groundUncertaintyM(camera, poseOver({ altRelM: 100 }), centre, ground, errors)).toBeCloseTo(
      Math.sqrt(1.5 ** 2 + 2 * tiltM ** 2),
      6,
    );
  });

  it('adds speed × timing error', () => {
    const errors = { positionSigmaM: 1.5, altitudeSigmaM: 0, attitudeSigmaRad: 0, timingSigmaS: 0.1 };
    const pose = poseOver({ velocity: { eastMs: 6, northMs: 8, upMs: 0 } });
    expect(groundUncertaintyM(camera, pose, centre, ground, errors)).toBeCloseTo(Math.hypot(1.5, 1), 6);
  });

  it('grows with altitude and with obliquity', () => {
    const at = (altRelM: number, pitchDeg: number) =>
      groundUncertaintyM(camera, poseOver({ altRelM, gimbal: { pitchDeg } }), centre, ground) ?? Number.NaN;
    const byAltitude = [30, 60, 120, 240].map((altRelM) => at(altRelM, -90));
    const byPitch = [-90, -70, -50, -30, -15].map((pitchDeg) => at(100, pitchDeg));
    for (const series of [byAltitude, byPitch]) {
      for (let i = 1; i < series.length; i++) expect(series[i]).toBeGreaterThan(series[i - 1]);
    }
    // Oblique at 45° from 100 m: the along-track tilt alone moves the point by h/sin²θ per radian.
    expect(at(100, -45)).toBeGreaterThan(100 * 2 * DEFAULT_POSE_ERRORS.attitudeSigmaRad);
  });

  it('is null for a pixel above the horizon and infinite when 1σ of attitude loses the ground', () => {
    expect(groundUncertaintyM(camera, poseOver({ gimbal: { pitchDeg: 0 } }), centre, ground)).toBeNull();
    const grazing = groundUncertaintyM(camera, poseOver({ gimbal: { pitchDeg: -0.5 } }), centre, ground);
    expect(grazing).toBe(Number.POSITIVE_INFINITY);
  });

  it('rejects negative or non-finite errors naming the field', () => {
    const pose = poseOver({});
    const bad = { ...DEFAULT_POSE_ERRORS, timingSigmaS: -1 };
    expect(() => groundUncertaintyM(camera, pose, centre, ground, bad)).toThrow(UserError);
    expect(() => groundUncertaintyM(camera, pose, centre, ground, bad)).toThrow(/timingSigmaS/);
  });
});
