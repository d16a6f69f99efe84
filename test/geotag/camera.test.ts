import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import {
  cameraFromFocalLength,
  cameraFromFov,
  cameraRayToPixel,
  horizontalFovRad,
  pixelToCameraRay,
  scaleCamera,
} from '../../src/geotag/index.js';

const DEG = Math.PI / 180;

describe('camera model', () => {
  it('builds a centred pinhole from the horizontal FOV', () => {
    const camera = cameraFromFov({ widthPx: 1920, heightPx: 1080, horizontalFovDeg: 90 });
    expect(camera.fxPx).toBeCloseTo(960, 9);
    expect(camera.fyPx).toBeCloseTo(960, 9);
    expect(camera.cxPx).toBe(960);
    expect(camera.cyPx).toBe(540);
  });

  it('builds the same camera from the vertical FOV or from focal length and sensor width', () => {
    const vfovDeg = (2 * Math.atan(540 / 960)) / DEG;
    const fromVertical = cameraFromFov({ widthPx: 1920, heightPx: 1080, verticalFovDeg: vfovDeg });
    expect(horizontalFovRad(fromVertical)).toBeCloseTo(90 * DEG, 9);
    const fromLens = cameraFromFocalLength({
      widthPx: 1920,
      heightPx: 1080,
      focalLengthMm: 4.5,
      sensorWidthMm: 9,
    });
    expect(horizontalFovRad(fromLens)).toBeCloseTo(90 * DEG, 9);
  });

  it('rejects bad sizes, FOVs and lenses with messages that say which', () => {
    const bad: [() => unknown, RegExp][] = [
      [() => cameraFromFov({ widthPx: 0, heightPx: 1080, horizontalFovDeg: 90 }), /width .* got 0/],
      [() => cameraFromFov({ widthPx: 1920, heightPx: 10.5, horizontalFovDeg: 90 }), /height .* got 10.5/],
      [
        () => cameraFromFov({ widthPx: 1920, heightPx: 1080, horizontalFovDeg: 180 }),
        /horizontal FOV .* got 180/,
      ],
      [() => cameraFromFov({ widthPx: 1920, heightPx: 1080, verticalFovDeg: -5 }), /vertical FOV .* got -5/],
      [
        () => cameraFromFov({ widthPx: 1920, heightPx: 1080 } as never),
        /exactly one of horizontal FOV or vertical/,
      ],
      [
        () => cameraFromFocalLength({ widthPx: 1920, heightPx: 1080, focalLengthMm: 0, sensorWidthMm: 9 }),
        /focal length .* got 0/,
      ],
      [
        () =>
          cameraFromFocalLength({
            widthPx: 1920,
            heightPx: 1080,
            focalLengthMm: 4,
            sensorWidthMm: Number.NaN,
          }),
        /sensor width/,
      ],
      [
        () =>
          cameraFromFov({
            widthPx: 64,
            heightPx: 48,
            horizontalFovDeg: 60,
            distortion: { k1: Number.POSITIVE_INFINITY, k2: 0, p1: 0, p2: 0 },
          }),
        /distortion coefficient k1/,
      ],
      [
        () => cameraFromFov({ widthPx: 64, heightPx: 48, horizontalFovDeg: 60, mountPitchDeg: -120 }),
        /mount pitch/,
      ],
    ];
    for (const [build, message] of bad) {
      expect(build).toThrow(UserError);
      expect(build).toThrow(message);
    }
  });

  it('casts the centre pixel along the optical axis and the right edge at half the FOV', () => {
    const camera = cameraFromFov({ widthPx: 1000, heightPx: 800, horizontalFovDeg: 60 });
    const [f, r, d] = pixelToCameraRay(camera, 500, 400);
    expect([f, r, d]).toEqual([1, 0, 0]);
    const edge = pixelToCameraRay(camera, 1000, 400);
    expect(Math.atan2(edge[1], edge[0])).toBeCloseTo(30 * DEG, 12);
    expect(Math.hypot(...edge)).toBeCloseTo(1, 12);
    const bottom = pixelToCameraRay(camera, 500, 800);
    expect(bottom[2]).toBeGreaterThan(0);
  });

  it('scales to a frame of another size and casts the same rays through the same image points', () => {
    const camera = cameraFromFov({ widthPx: 1920, heightPx: 1080, horizontalFovDeg: 80 });
    const small = scaleCamera(camera, 640, 360);
    const big = pixelToCameraRay(camera, 1500, 300);
    const scaled = pixelToCameraRay(small, 500, 100);
    for (let i = 0; i < 3; i++) expect(scaled[i]).toBeCloseTo(big[i], 12);
    expect(horizontalFovRad(small)).toBeCloseTo(80 * DEG, 12);
    expect(() => scaleCamera(camera, 640, 0)).toThrow(UserError);
  });

  it('undistorts: a ray projected with distortion casts back to the same ray', () => {
    const camera = cameraFromFov({
      widthPx: 1920,
      heightPx: 1080,
      horizontalFovDeg: 84,
      distortion: { k1: -0.12, k2: 0.03, p1: 0.001, p2: -0.0015 },
    });
    for (const [x, y] of [
      [960, 540],
      [10, 10],
      [1900, 1000],
      [300, 900],
      [1500, 120],
    ]) {
      const ray = pixelToCameraRay(camera, x, y);
      const back = cameraRayToPixel(camera, ray);
      expect(back?.x).toBeCloseTo(x, 6);
      expect(back?.y).toBeCloseTo(y, 6);
    }
    // Barrel distortion pulls edge pixels in: the true ray at the edge is wider than the pinhole one.
    const plain = cameraFromFov({ widthPx: 1920, heightPx: 1080, horizontalFovDeg: 84 });
    const distortedEdge = pixelToCameraRay(camera, 1920, 540);
    const pinholeEdge = pixelToCameraRay(plain, 1920, 540);
    expect(distortedEdge[1] / distortedEdge[0]).toBeGreaterThan(pinholeEdge[1] / pinholeEdge[0]);
  });

  it('refuses a non-finite pixel', () => {
    const camera = cameraFromFov({ widthPx: 64, heightPx: 48, horizontalFovDeg: 60 });
    expect(() => pixelToCameraRay(camera, Number.NaN, 3)).toThrow(/not a finite image point/);
  });
});
