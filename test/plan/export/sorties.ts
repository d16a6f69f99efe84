import type { Polygon, Position } from 'geojson';
import { LocalFrame } from '../../../src/geo/index.js';
import { planSettings } from '../../../src/plan/settings.js';
import type { PatrolPlan, PlanSettings, Sortie, Waypoint } from '../../../src/plan/types.js';
import type { LaunchPoint, SiteRegistry } from '../../../src/sites/types.js';
import { HOME } from '../../helpers/sim-gcs.js';

/** Hand-made sorties and a small registry around the simulator's home, until the planner builds them. */

const frame = new LocalFrame(HOME);

export function at(northM: number, eastM: number): { latDeg: number; lonDeg: number } {
  const { latDeg, lonDeg } = frame.toGeo({ northM, eastM, upM: 0 });
  return { latDeg, lonDeg };
}

function position(northM: number, eastM: number): Position {
  const p = at(northM, eastM);
  return [p.lonDeg, p.latDeg];
}

/** A counter-clockwise square, `sideM` wide, centred `northM`/`eastM` from home. */
export function square(northM: number, eastM: number, sideM: number): Polygon {
  const h = sideM / 2;
  const ring = [
    position(northM - h, eastM - h),
    position(northM - h, eastM + h),
    position(northM + h, eastM + h),
    position(northM + h, eastM - h),
    position(northM - h, eastM - h),
  ];
  return { type: 'Polygon', coordinates: [ring] };
}

export const LAUNCH: LaunchPoint = {
  id: 'dock-a',
  latDeg: HOME.latDeg,
  lonDeg: HOME.lonDeg,
  altAmslM: HOME.altAmslM,
};
const SECOND_LAUNCH: LaunchPoint = { id: 'dock-b', ...at(-300, 400), altAmslM: null };

function site(id: string, geometry: Polygon, index: number): SiteRegistry['sites'][number] {
  return {
    id,
    name: `Site ${id} <east & west>`,
    contractor: 'Zhongyuan Build',
    address: null,
    riskLevel: null,
    pattern: null,
    geometry,
    properties: { id },
    featureIndex: index,
    source: 'hand-made',
  };
}

/** Two sites, a no-fly zone in two parts, an operating area with a hole, two launch points. */
export function registry(): SiteRegistry {
  const area = square(0, 0, 2000);
  area.coordinates.push([...square(-600, -600, 100).coordinates[0]].reverse());
  return {
    sites: [site('A', square(150, 0, 60), 0), site('B', square(0, 200, 40), 1)],
    noFlyZones: [
      {
        id: 'school',
        name: 'Primary school',
        geometry: {
          type: 'MultiPolygon',
          coordinates: [square(400, 400, 80).coordinates, square(500, 400, 40).coordinates],
        },
        featureIndex: 2,
        source: 'hand-made',
      },
    ],
    operatingArea: area,
    launchPoints: [LAUNCH, SECOND_LAUNCH],
    sources: ['hand-made'],
    warnings: [],
  };
}

function wp(northM: number, eastM: number, altRelM: number, extra: Partial<Waypoint> = {}): Waypoint {
  return { ...at(northM, eastM), altRelM, role: 'transit', ...extra };
}

/** Test settings: low transit so flights are short. */
export function settings(): PlanSettings {
  return planSettings({ transitAltitudeRelM: 40, altitudeRelM: 30 });
}

/**
 * A short sortie: climb out, perimeter of site A looking at its centre, point watch on site B with
 * the gimbal pitched down, home. About 1 km.
 */
export function shortSortie(): Sortie {
  const roiA = { ...at(150, 0), altRelM: 0 };
  const pattern = (northM: number, eastM: number): Waypoint =>
    wp(northM, eastM, 30, { role: 'pattern', siteId: 'A', roi: roiA });
  const waypoints: Waypoint[] = [
    wp(0, 0, 40),
    pattern(100, -50),
    pattern(100, 50),
    pattern(200, 50),
    pattern(200, -50),
    wp(0, 150, 30, { role: 'pattern', siteId: 'B', roi: null, gimbalPitchDeg: -45, holdS: 3 }),
    wp(0, 60, 40, { gimbalPitchDeg: -45 }),
  ];
  return {
    index: 1,
    launch: LAUNCH,
    visits: [
      { siteId: 'A', kind: 'perimeter', fromIndex: 0, toIndex: 3, reversed: false, lengthM: 400, timeS: 40 },
      { siteId: 'B', kind: 'point', fromIndex: 0, toIndex: 0, reversed: false, lengthM: 0, timeS: 3 },
    ],
    waypoints,
    distanceM: 1050,
    timeS: 180,
    batteryPct: 14,
  };
}

/** A second sortie from the other launch point, over site B alone. */
export function secondSortie(): Sortie {
  const { launch, ...rest } = shortSortie();
  return {
    ...rest,
    index: 2,
    launch: SECOND_LAUNCH,
    visits: [rest.visits[1]],
    waypoints: [
      wp(-300, 400, 40),
      wp(0, 200, 30, { role: 'pattern', siteId: 'B', holdS: 10, gimbalPitchDeg: -60 }),
    ],
  };
}

export function patrolPlan(sorties: Sortie[] = [shortSortie(), secondSortie()]): PatrolPlan {
  return {
    sorties,
    patterns: [
      {
        siteId: 'A',
        kind: 'perimeter',
        waypoints: [],
        lengthM: 400,
        timeS: 40,
        reversible: true,
        closed: true,
      },
      { siteId: 'B', kind: 'point', waypoints: [], lengthM: 0, timeS: 3, reversible: true, closed: false },
    ],
    settings: settings(),
  };
}
