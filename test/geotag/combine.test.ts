import { describe, expect, it } from 'vitest';
import { LocalFrame } from '../../src/geo/index.js';
import { combineGeotags, type GeotaggedPlume } from '../../src/geotag/index.js';

const frame = new LocalFrame({ latDeg: 34.7245, lonDeg: 113.6302, altAmslM: 0 });

/** A single-frame placement at (east, north) metres from the origin. */
function placedAt(
  eastM: number,
  northM: number,
  uncertaintyM = 3,
  areaM2: number | null = 400,
): GeotaggedPlume {
  const { latDeg, lonDeg } = frame.toGeo({ eastM, northM, upM: 0 });
  return {
    ok: true,
    latDeg,
    lonDeg,
    eastM,
    northM,
    rangeM: 60,
    groundDistanceM: 0,
    uncertaintyM,
    areaM2,
    pointPx: { x: 0, y: 0 },
    point: 'upwind-edge',
    cameraPitchRad: -Math.PI / 2,
    cameraHeadingRad: 0,
  };
}

describe('combineGeotags', () => {
  it('places a plume at the median of its frames, unmoved by one mis-shaped frame', () => {
    const tags = [
      placedAt(10, 20),
      placedAt(11, 19),
      placedAt(9, 21),
      placedAt(10.5, 20.5),
      placedAt(60, -40),
    ];
    const combined = combineGeotags(tags);
    const p = frame.toLocal(combined.latDeg, combined.lonDeg, 0);
    expect(p.eastM).toBeCloseTo(10.5, 1);
    expect(p.northM).toBeCloseTo(20, 1);
    expect(combined.views).toBe(5);
    // Frames share their drifting pose errors: the typical frame's radius, not divided by √5.
    expect(combined.uncertaintyM).toBe(3);
  });

  it('takes the footprint from the frames that could project one', () => {
    expect(combineGeotags([placedAt(0, 0, 2, null), placedAt(1, 1, 4, 300)]).areaM2).toBe(300);
    expect(combineGeotags([placedAt(0, 0, 2, null)]).areaM2).toBeNull();
  });
});
