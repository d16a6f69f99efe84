import { describe, expect, it } from 'vitest';
import type { Plume } from '../../src/detect/index.js';
import {
  cameraFromFov,
  flatGround,
  type GeotagResult,
  geotagPlume,
  sourceInFrame,
} from '../../src/geotag/index.js';
import { HOME, poseOver } from './poses.js';

const DEG = Math.PI / 180;

/** 1000 × 800, 90° horizontal FOV: fx = 500 px, centre (500, 400). */
const camera = cameraFromFov({ widthPx: 1000, heightPx: 800, horizontalFovDeg: 90 });
const ground = flatGround(HOME.groundAmslM);

/**
 * Peak at the centre, source (lowest row) 100 px lower, box 200 px square around the centre, and its
 * edge points on a circle of 100 px around the centre (k = 0 up, 4 right, 8 down, 12 left).
 */
const plume: Plume = {
  box: { x0: 400, y0: 300, x1: 600, y1: 500 },
  areaPx: 20_000,
  meanScore: 0.7,
  peakScore: 0.95,
  sourcePx: { x: 500, y: 500 },
  peakPx: { x: 500, y: 400 },
  edgesPx: Array.from({ length: 16 }, (_, k) => ({
    x: 500 + 100 * Math.sin((k * Math.PI) / 8),
    y: 400 - 100 * Math.cos((k * Math.PI) / 8),
  })),
  cutByFrameEdge: false,
};

function ok(result: GeotagResult) {
  if (!result.ok) throw new Error(result.reason);
  return result;
}

describe('geotagPlume', () => {
  it('in a nadir view without wind geotags the peak, and measures the footprint', () => {
    const tagged = ok(
      geotagPlume(
        camera,
        poseOver({ gimbal: { pitchDeg: -90 } }),
        { plume, frameWidthPx: 1000, frameHeightPx: 800 },
        ground,
      ),
    );
    expect(tagged.point).toBe('peak');
    expect(tagged.eastM).toBeCloseTo(0, 1);
    expect(tagged.northM).toBeCloseTo(0, 1);
    // 200 px at 500 px focal from 100 m: 40 m square.
    expect(tagged.areaM2).toBeCloseTo(1600, 0);
    expect(tagged.uncertaintyM).toBeGreaterThan(1);
    expect(tagged.uncertaintyM).toBeLessThan(5);
    expect(tagged.cameraHeadingRad).toBeCloseTo(0, 6);
  });

  it('in a nadir view with wind geotags the edge facing the wind, where the dust leaves its source', () => {
    const fromEast = { fromRad: Math.PI / 2, speedMs: 4 };
    const at = (headingDeg: number, wind = fromEast) => {
      const pose = { ...poseOver({ yawDeg: headingDeg, gimbal: { pitchDeg: -90 } }), wind };
      return ok(geotagPlume(camera, pose, { plume, frameWidthPx: 1000, frameHeightPx: 800 }, ground));
    };
    // Heading north, east is the right of the picture: the right edge, 100 px at 500 px focal from
    // 100 m = 20 m east of the drone.
    const north = at(0);
    expect(north.point).toBe('upwind-edge');
    expect(north.pointPx).toEqual(plume.edgesPx[4]);
    expect(north.eastM).toBeCloseTo(20, 1);
    expect(north.northM).toBeCloseTo(0, 1);
    // Heading east, east is the top of the picture: the same ground point.
    const east = at(90);
    expect(east.pointPx).toEqual(plume.edgesPx[0]);
    expect(east.eastM).toBeCloseTo(20, 1);
    expect(east.northM).toBeCloseTo(0, 1);
    // A breath of wind moves no dust one way: the peak.
    expect(at(0, { fromRad: Math.PI / 2, speedMs: 0.3 }).point).toBe('peak');
  });

  it('in an oblique view geotags the source, where the plume meets the ground', () => {
    const tagged = ok(
      geotagPlume(
        camera,
        poseOver({ gimbal: { pitchDeg: -45 } }),
        { plume, frameWidthPx: 1000, frameHeightPx: 800 },
        ground,
      ),
    );
    expect(tagged.point).toBe('source');
    expect(tagged.pointPx).toEqual(plume.sourcePx);
    // 100 px below the centre at 500 px focal: 45° + atan(0.2) below the horizon.
    const depressionRad = Math.PI / 4 + Math.atan(0.2);
    expect(tagged.northM).toBeCloseTo(100 / Math.tan(depressionRad), 1);
    expect(tagged.areaM2).not.toBeNull();
    // Just steeper than −60° flips to the view from above.
    expect(
      ok(
        geotagPlume(
          camera,
          poseOver({ gimbal: { pitchDeg: -61 } }),
          { plume, frameWidthPx: 1000, frameHeightPx: 800 },
          ground,
        ),
      ).point,
    ).toBe('peak');
    expect(
      ok(
        geotagPlume(
          camera,
          poseOver({ gimbal: { pitchDeg: -59 } }),
          { plume, frameWidthPx: 1000, frameHeightPx: 800 },
          ground,
        ),
      ).point,
    ).toBe('source');
  });

  it('in an oblique view in a wind geotags where the plume leaves the ground upwind, not its lowest row', () => {
    // Seen from the south, 30° down: a plume leaving its source at the left and widening as it drifts
    // right, so that its lowest row (its near edge, downwind) lies right of the source.
    const drifting: Plume = {
      ...plume,
      box: { x0: 300, y0: 300, x1: 700, y1: 500 },
      sourcePx: { x: 600, y: 500 },
      edgesPx: Array.from({ length: 16 }, (_, k) => ({
        x: 500 + 200 * Math.sin((k * Math.PI) / 8),
        y: 400 - 100 * Math.cos((k * Math.PI) / 8),
      })),
    };
    const view = (fromDeg: number) =>
      ok(
        geotagPlume(
          camera,
          { ...poseOver({ gimbal: { pitchDeg: -30 } }), wind: { fromRad: fromDeg * DEG, speedMs: 4 } },
          { plume: drifting, frameWidthPx: 1000, frameHeightPx: 800 },
          ground,
        ),
      );
    const lowestRow = ok(
      geotagPlume(
        camera,
        poseOver({ gimbal: { pitchDeg: -30 } }),
        { plume: drifting, frameWidthPx: 1000, frameHeightPx: 800 },
        ground,
      ),
    );
    expect(lowestRow.pointPx).toEqual(drifting.sourcePx);

    // Wind from the west: the dust drifts east, and leaves the ground at the plume's west end.
    const fromWest = view(270);
    expect(fromWest.point).toBe('source');
    expect(fromWest.pointPx).toEqual(drifting.edgesPx[12]);
    // On the centre row, 200 px left at 500 px focal, 200 m away along the ray: 80 m west.
    expect(fromWest.eastM).toBeCloseTo(-80, 0);
    expect(fromWest.eastM).toBeLessThan(lowestRow.eastM - 100);
    // Wind from the east: the east end, where the lowest row is not either.
    expect(view(90).pointPx).toEqual(drifting.edgesPx[4]);
  });

  it('in an oblique view follows the wind against where the camera looks, whatever the heading', () => {
    // The same picture, 30° down, with the camera turned to each heading and the wind from each side.
    const view = (headingDeg: number, fromDeg: number) =>
      ok(
        geotagPlume(
          camera,
          {
            ...poseOver({ yawDeg: headingDeg, gimbal: { pitchDeg: -30 } }),
            wind: { fromRad: fromDeg * DEG, speedMs: 4 },
          },
          { plume, frameWidthPx: 1000, frameHeightPx: 800 },
          ground,
        ),
      );
    for (const headingDeg of [0, 70, 180, 290]) {
      // From the camera's right: the right edge; from behind the camera: the bottom edge (its near end,
      // where the dust meets the ground); from its left: the left edge.
      expect(view(headingDeg, headingDeg + 90).pointPx).toEqual(plume.edgesPx[4]);
      expect(view(headingDeg, headingDeg + 180).pointPx).toEqual(plume.edgesPx[8]);
      expect(view(headingDeg, headingDeg - 90).pointPx).toEqual(plume.edgesPx[12]);
      // From ahead the plume drifts toward the camera: its far edge is raised dust seen against the
      // ground beyond the source, and its lowest row is its downwind end. The peak is placed.
      const ahead = view(headingDeg, headingDeg);
      expect(ahead.point).toBe('peak');
      expect(ahead.pointPx).toEqual(plume.peakPx);
    }
  });

  it('places a plume drifting toward the camera while its far, upwind edge is in the picture', () => {
    const frame = { frameWidthPx: 1000, frameHeightPx: 800 };
    // Looking north, 45° down, wind from the north: the dust drifts toward the camera, down the picture.
    const pose = { ...poseOver({ gimbal: { pitchDeg: -45 } }), wind: { fromRad: 0, speedMs: 4 } };
    const down = (dyPx: number): Plume => ({
      ...plume,
      cutByFrameEdge: true,
      box: { ...plume.box, y0: plume.box.y0 + dyPx, y1: plume.box.y1 + dyPx },
      peakPx: { x: 500, y: 400 + dyPx },
      edgesPx: plume.edgesPx.map((p) => ({ x: p.x, y: p.y + dyPx })),
    });
    // Its downwind end runs out of the bottom of the picture: its upwind edge (y 300) is inside.
    expect(sourceInFrame(camera, pose, { plume: down(0), ...frame })).toBe(true);
    // Shifted up until that edge meets the top of the picture: the source may be beyond it.
    expect(sourceInFrame(camera, pose, { plume: down(-290), ...frame })).toBe(false);
  });

  it('takes plume pixels from a frame scaled from the camera calibration', () => {
    const half: Plume = {
      ...plume,
      box: { x0: 200, y0: 150, x1: 300, y1: 250 },
      sourcePx: { x: 250, y: 250 },
      peakPx: { x: 250, y: 200 },
    };
    const full = ok(
      geotagPlume(
        camera,
        poseOver({ gimbal: { pitchDeg: -45 } }),
        { plume, frameWidthPx: 1000, frameHeightPx: 800 },
        ground,
      ),
    );
    const scaled = ok(
      geotagPlume(
        camera,
        poseOver({ gimbal: { pitchDeg: -45 } }),
        { plume: half, frameWidthPx: 500, frameHeightPx: 400 },
        ground,
      ),
    );
    expect(scaled.northM).toBeCloseTo(full.northM, 6);
    expect(scaled.areaM2 ?? 0).toBeCloseTo(full.areaM2 ?? -1, 3);
  });

  it('has no footprint when the box reaches above the horizon, and refuses a source above it', () => {
    const level = poseOver({ gimbal: { pitchDeg: -10 } });
    const tall: Plume = { ...plume, box: { x0: 400, y0: 0, x1: 600, y1: 800 }, sourcePx: { x: 500, y: 790 } };
    const tagged = ok(
      geotagPlume(camera, level, { plume: tall, frameWidthPx: 1000, frameHeightPx: 800 }, ground),
    );
    expect(tagged.areaM2).toBeNull();
    const high: Plume = { ...plume, sourcePx: { x: 500, y: 100 } };
    const refused = geotagPlume(
      camera,
      level,
      { plume: high, frameWidthPx: 1000, frameHeightPx: 800 },
      ground,
    );
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.reason).toMatch(/source pixel: .*horizon/);
  });

  it('can place a plume cut by the frame edge only while its source side is in the picture', () => {
    const frame = { frameWidthPx: 1000, frameHeightPx: 800 };
    const overhead = poseOver({ gimbal: { pitchDeg: -90 } });
    const fromEast = { ...overhead, wind: { fromRad: Math.PI / 2, speedMs: 4 } };
    const cut = { ...plume, cutByFrameEdge: true };
    expect(sourceInFrame(camera, overhead, { plume, ...frame })).toBe(true);
    // Wind from the east, heading north: the source is the right edge, at x 600: inside.
    expect(sourceInFrame(camera, fromEast, { plume: cut, ...frame })).toBe(true);
    // The same plume shifted right until its upwind edge meets the frame's edge.
    const shifted = { ...cut, edgesPx: cut.edgesPx.map((p) => ({ x: p.x + 395, y: p.y })) };
    expect(sourceInFrame(camera, fromEast, { plume: shifted, ...frame })).toBe(false);
    // Without wind the peak stands in for the source, and the cut part may hold a denser one.
    expect(sourceInFrame(camera, overhead, { plume: cut, ...frame })).toBe(false);
  });
});
