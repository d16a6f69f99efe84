import { describe, expect, it } from 'vitest';
import type { GeoFence } from '../../src/plan/index.js';
import {
  describeArduPilotGcsFailsafe,
  describePx4DataLinkLoss,
  fenceBreach,
} from '../../src/vehicle/index.js';
import { toLatLon } from './patrol-geo.js';

const square = (halfM: number, northM = 0, eastM = 0) =>
  [
    [-halfM, -halfM],
    [halfM, -halfM],
    [halfM, halfM],
    [-halfM, halfM],
  ].map(([n, e]) => toLatLon({ northM: northM + n, eastM: eastM + e }));

describe('fenceBreach (the patrol’s own geofence check)', () => {
  const fence: GeoFence = {
    polygons: [
      { inclusion: true, vertices: square(200) },
      { inclusion: false, vertices: square(20, 100, 100) },
    ],
    circles: [
      { inclusion: true, center: toLatLon({ northM: 0, eastM: 0 }), radiusM: 250 },
      { inclusion: false, center: toLatLon({ northM: -100, eastM: -100 }), radiusM: 30 },
    ],
  };

  it('allows a position inside every inclusion zone and outside every exclusion zone', () => {
    expect(fenceBreach(fence, toLatLon({ northM: 0, eastM: 0 }))).toBeNull();
    expect(fenceBreach(fence, toLatLon({ northM: 150, eastM: -150 }))).toBeNull();
  });

  it('names the zone broken', () => {
    expect(fenceBreach(fence, toLatLon({ northM: 210, eastM: 0 }))).toBe('outside inclusion polygon 1');
    expect(fenceBreach(fence, toLatLon({ northM: 100, eastM: 110 }))).toBe('inside exclusion polygon 2');
    // Inside the square's corner but beyond the circle: both inclusion zones must hold (ArduPilot).
    expect(fenceBreach(fence, toLatLon({ northM: 190, eastM: 190 }))).toBe(
      'outside inclusion circle 1 (269 m from its centre, radius 250 m)',
    );
    expect(fenceBreach(fence, toLatLon({ northM: -110, eastM: -100 }))).toBe(
      'inside exclusion circle 2 (10 m from its centre, radius 30 m)',
    );
  });

  it('has nothing to say about an empty fence', () => {
    expect(fenceBreach({ polygons: [], circles: [] }, toLatLon({ northM: 5000, eastM: 0 }))).toBeNull();
  });
});

describe("the vehicle's own link-loss failsafe, in words", () => {
  it('ArduPilot FS_GCS_ENABLE, each value', () => {
    expect(describeArduPilotGcsFailsafe(0, 5)).toMatch(
      /^its GCS failsafe is off \(FS_GCS_ENABLE 0, FS_GCS_TIMEOUT 5 s\)/,
    );
    expect(describeArduPilotGcsFailsafe(1, 5)).toBe(
      'its GCS failsafe (FS_GCS_ENABLE 1, FS_GCS_TIMEOUT 5 s): after 5 s without the ground station it returns to launch (RTL)',
    );
    expect(describeArduPilotGcsFailsafe(2, null)).toMatch(
      /after 5 s .* carries on with the mission if in AUTO/,
    );
    expect(describeArduPilotGcsFailsafe(3, 5)).toMatch(/SmartRTL\), or RTL when it cannot$/);
    expect(describeArduPilotGcsFailsafe(4, 5)).toMatch(/SmartRTL\), or lands where it is when it cannot$/);
    expect(describeArduPilotGcsFailsafe(5, 5)).toMatch(/lands where it is \(LAND\)$/);
    expect(describeArduPilotGcsFailsafe(6, 5)).toMatch(
      /DO_LAND_START and lands there, or RTL when there is none$/,
    );
    expect(describeArduPilotGcsFailsafe(7, 5)).toMatch(
      /brakes and holds position \(BRAKE\), or lands when it cannot$/,
    );
    expect(describeArduPilotGcsFailsafe(9, 5)).toMatch(/a value dustpatrol does not know/);
  });

  it('PX4 NAV_DLL_ACT with COM_DL_LOSS_T', () => {
    expect(describePx4DataLinkLoss(0, 10)).toMatch(/^its data link loss failsafe is off \(NAV_DLL_ACT 0/);
    expect(describePx4DataLinkLoss(2, 10)).toBe(
      'its data link loss failsafe (NAV_DLL_ACT 2, COM_DL_LOSS_T 10 s): after 10 s without the ground station it returns to launch (Return mode)',
    );
    expect(describePx4DataLinkLoss(1, 10)).toMatch(/holds position \(Hold mode\)$/);
    expect(describePx4DataLinkLoss(3, 10)).toMatch(/lands where it is \(Land mode\)$/);
  });
});
