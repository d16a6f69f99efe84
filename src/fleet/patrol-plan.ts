import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Feature, FeatureCollection } from 'geojson';
import type { PatrolRecord } from '../alerts/index.js';
import { UserError } from '../errors.js';
import { isGlobalFrame, type MissionItem } from '../mavlink/index.js';
import {
  loadMissionFile,
  type MissionPlan,
  type PlanSettings,
  planPatrol,
  sortieMissionPlan,
  toMissionItems,
  toRallyItems,
} from '../plan/index.js';
import { loadSiteFiles, type SiteRegistry } from '../sites/index.js';

/** Site files by extension; anything else is taken as a mission (.plan, .waypoints). */
const SITE_FILE = /\.(geojson|kml)$/i;

/** One sortie ready to fly: its mission (home at seq 0), fence and rally points. */
export interface SortiePlan {
  name: string;
  mission: MissionPlan;
  items: MissionItem[];
  rallyItems: MissionItem[];
  /** sha256 of the items, hex: the same mission flown again (or resumed) has the same digest. */
  digest: string;
  /** The sites it was planned over, when it was planned from a site file. */
  registry: SiteRegistry | null;
}

/**
 * A patrol from a pilot's file: a mission (.plan / .waypoints) flown as it is, or site files
 * (.geojson / .kml) planned here with `settings`, flying sortie `sortie` (1-based) of the plan.
 */
export async function loadPatrolPlan(
  file: string,
  options: { settings: PlanSettings; sortie?: number },
): Promise<SortiePlan> {
  if (!SITE_FILE.test(file)) {
    const mission = await loadMissionFile(file);
    return sortiePlanOf(path.basename(file), mission, null);
  }
  const registry = await loadSiteFiles([file]);
  const plan = planPatrol(registry, options.settings);
  const index = (options.sortie ?? 1) - 1;
  const sortie = plan.sorties[index];
  if (!sortie) {
    throw new UserError(
      `${file}: the plan has ${plan.sorties.length} sortie(s); there is no sortie ${options.sortie}`,
    );
  }
  const name = `${path.basename(file)} sortie ${index + 1}/${plan.sorties.length}`;
  return sortiePlanOf(name, sortieMissionPlan(sortie, registry, plan.settings, file), registry);
}

export function sortiePlanOf(name: string, mission: MissionPlan, registry: SiteRegistry | null): SortiePlan {
  const items = toMissionItems(mission);
  return {
    name,
    mission,
    items,
    rallyItems: toRallyItems(mission.rally),
    digest: missionDigest(items),
    registry,
  };
}

export function missionDigest(items: MissionItem[]): string {
  return createHash('sha256').update(JSON.stringify(items)).digest('hex');
}

/** The route for a map: a line through the mission's positions and a point per waypoint (its seq). */
export function routeGeoJson(items: MissionItem[]): FeatureCollection {
  const points: Feature[] = [];
  const line: [number, number][] = [];
  items.forEach((item, seq) => {
    // Items at 0,0 are commands without a position (and home before the vehicle sets it).
    if (!isGlobalFrame(item.frame) || (item.x === 0 && item.y === 0)) return;
    line.push([item.y, item.x]);
    points.push({
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [item.y, item.x] },
      properties: { seq, command: item.command, altM: item.z },
    });
  });
  const route: Feature = {
    type: 'Feature',
    geometry: { type: 'LineString', coordinates: line },
    properties: { kind: 'route' },
  };
  return { type: 'FeatureCollection', features: line.length >= 2 ? [route, ...points] : points };
}

/** What a patrol record keeps of its mission: the items and the fence (enough to adopt its flight). */
interface StoredMission {
  items: MissionItem[];
  fence: MissionPlan['fence'];
}

/** What a patrol record stores of its mission. */
export function storedMission(plan: SortiePlan): string {
  const stored: StoredMission = { items: plan.items, fence: plan.mission.fence };
  return JSON.stringify(stored);
}

/** The mission a patrol record stores, back as a plan (to adopt its flight). */
export function missionOfRecord(record: Pick<PatrolRecord, 'missionJson'>): MissionPlan {
  // JSON writes an unset (NaN) param, as QGroundControl's yaw "keep heading", as null: read it back as NaN,
  // or the mission on board (NaN) would not match it and a restart would not adopt the flight.
  const stored = JSON.parse(record.missionJson, (key, value) =>
    value === null && /^param[1-4]$/.test(key) ? Number.NaN : value,
  ) as StoredMission;
  const [home, ...items] = stored.items;
  return {
    source: 'patrol record',
    home: { latDeg: home.x, lonDeg: home.y, altAmslM: home.z },
    items,
    firmwareType: null,
    vehicleType: null,
    cruiseSpeedMs: null,
    hoverSpeedMs: null,
    fence: stored.fence,
    rally: [],
    original: null,
  };
}
