import { booleanIntersects, booleanPointInPolygon, lineString, point, polygonToLine } from '@turf/turf';
import type { Feature, LineString, MultiPolygon, Polygon } from 'geojson';
import { ENERGY, powerRatio } from '../../../src/energy.js';
import type { PatrolPlan, PlanSettings, SitePattern, Sortie, Waypoint } from '../../../src/plan/types.js';
import type { SiteRegistry } from '../../../src/sites/types.js';

/**
 * Properties every plan must have, each check returning what is wrong (empty when all is well).
 * Written apart from the planner: they look at the waypoints flown, not at the planner's own records.
 */

type LonLat = [number, number];

function route(sortie: Sortie): LonLat[] {
  const at = (p: { latDeg: number; lonDeg: number }): LonLat => [p.lonDeg, p.latDeg];
  return [at(sortie.launch), ...sortie.waypoints.map(at), at(sortie.launch)];
}

function same(a: Waypoint, b: Waypoint): boolean {
  return a.latDeg === b.latDeg && a.lonDeg === b.lonDeg && a.altRelM === b.altRelM;
}

/** Pattern edges a run of flown waypoints covers: the run must be a stretch of the pattern, either way. */
function edgesOfRun(pattern: SitePattern, run: Waypoint[]): number[] | null {
  const wps = pattern.waypoints;
  const loop = pattern.closed ? wps.length - 1 : 0;
  const at = (i: number) => (loop > 0 ? ((i % loop) + loop) % loop : i);
  for (const dir of [1, -1]) {
    for (let start = 0; start < wps.length; start++) {
      const edges: number[] = [];
      let ok = true;
      for (let k = 0; k < run.length && ok; k++) {
        const i = start + dir * k;
        if (loop === 0 && (i < 0 || i >= wps.length)) ok = false;
        else if (!same(wps[at(i)], run[k])) ok = false;
        else if (k > 0) edges.push(at(dir > 0 ? i - 1 : i));
      }
      if (ok) return edges;
    }
  }
  return null;
}

/** Every site's every pattern leg (a one-point pattern: its point) flown in some sortie. */
export function coverageProblems(plan: PatrolPlan): string[] {
  const problems: string[] = [];
  const byId = new Map(plan.patterns.map((p) => [p.siteId, p]));
  const flown = new Map<string, Set<number>>(plan.patterns.map((p) => [p.siteId, new Set()]));
  const seen = new Set<string>();
  for (const sortie of plan.sorties) {
    const runs: { siteId: string; wps: Waypoint[] }[] = [];
    sortie.waypoints.forEach((wp, i) => {
      if (wp.role !== 'pattern' || !wp.siteId) return;
      const last = runs.at(-1);
      const continues = i > 0 && sortie.waypoints[i - 1].role === 'pattern';
      if (last && last.siteId === wp.siteId && continues) last.wps.push(wp);
      else runs.push({ siteId: wp.siteId, wps: [wp] });
    });
    for (const run of runs) {
      const pattern = byId.get(run.siteId);
      const edges = pattern && edgesOfRun(pattern, run.wps);
      if (!pattern || !edges) {
        problems.push(`sortie ${sortie.index}: a run at ${run.siteId} is no stretch of its pattern`);
        continue;
      }
      seen.add(run.siteId);
      for (const e of edges) flown.get(run.siteId)?.add(e);
    }
  }
  for (const p of plan.patterns) {
    if (!seen.has(p.siteId)) {
      problems.push(`${p.siteId}: never flown`);
      continue;
    }
    const legs = p.waypoints.length - 1;
    const missing = Array.from({ length: legs }, (_, e) => e).filter((e) => !flown.get(p.siteId)?.has(e));
    if (missing.length > 0) problems.push(`${p.siteId}: legs ${missing.join(',')} never flown`);
  }
  return problems;
}

/**
 * Battery use plus reserve within capacity, and the recorded time and battery no less than a plain
 * estimate from the waypoints: every leg at cruise speed into the head-wind (its ground speed capped
 * by the copter's top airspeed) with the power of that airspeed, climbs and descents with theirs,
 * holds at hover; no turns, no S-curves, no take-off or landing stages.
 */
export function batteryProblems(plan: PatrolPlan, settings: PlanSettings): string[] {
  const problems: string[] = [];
  const { headwindMs, climbSpeedMs, descentSpeedMs, enduranceS } = settings;
  const groundMs = Math.min(settings.cruiseSpeedMs, ENERGY.maxAirspeedMs - headwindMs);
  for (const s of plan.sorties) {
    if (s.batteryPct + settings.reservePct > 100 + 1e-9) {
      problems.push(`sortie ${s.index}: ${s.batteryPct.toFixed(2)} % + ${settings.reservePct} % reserve`);
    }
    const heights = [0, ...s.waypoints.map((w) => w.altRelM), 0];
    const track = route(s);
    let estimateS = 0;
    let batteryS = 0;
    for (let i = 1; i < track.length; i++) {
      const dz = heights[i] - heights[i - 1];
      const flatS = distanceM(track[i - 1], track[i]) / groundMs;
      const verticalS = dz > 0 ? dz / climbSpeedMs : -dz / descentSpeedMs;
      estimateS += flatS + verticalS;
      batteryS += flatS * powerRatio(groundMs + headwindMs);
      batteryS += verticalS * powerRatio(0, dz > 0 ? climbSpeedMs : -descentSpeedMs);
    }
    for (const w of s.waypoints) {
      estimateS += w.holdS ?? 0;
      batteryS += w.holdS ?? 0;
    }
    if (s.timeS < estimateS * (1 - 1e-3)) {
      problems.push(
        `sortie ${s.index}: ${s.timeS.toFixed(0)} s recorded, flying it takes ${estimateS.toFixed(0)} s`,
      );
    }
    const estimatePct = (batteryS / enduranceS) * 100;
    if (s.batteryPct < estimatePct * (1 - 1e-3)) {
      problems.push(
        `sortie ${s.index}: ${s.batteryPct.toFixed(1)} % recorded, flying it takes ${estimatePct.toFixed(1)} %`,
      );
    }
  }
  return problems;
}

function distanceM([lonA, latA]: LonLat, [lonB, latB]: LonLat): number {
  const rad = Math.PI / 180;
  const x = (lonB - lonA) * rad * Math.cos(((latA + latB) / 2) * rad);
  const y = (latB - latA) * rad;
  return 6_378_137 * Math.hypot(x, y);
}

function bbox(coords: LonLat[]): [number, number, number, number] {
  const lons = coords.map((c) => c[0]);
  const lats = coords.map((c) => c[1]);
  return [Math.min(...lons), Math.min(...lats), Math.max(...lons), Math.max(...lats)];
}

function geometryBox(g: Polygon | MultiPolygon): [number, number, number, number] {
  const rings = g.type === 'Polygon' ? g.coordinates : g.coordinates.flat();
  return bbox(rings.flat() as LonLat[]);
}

function overlaps(a: number[], b: number[]): boolean {
  return a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3];
}

/**
 * No leg (launch to first waypoint, between waypoints, last back to launch) touches a no-fly zone or
 * leaves the operating area; every waypoint lies inside the area and within the altitude limit; every
 * sortie starts and ends over its launch point.
 */
export function airspaceProblems(plan: PatrolPlan, registry: SiteRegistry, settings: PlanSettings): string[] {
  const problems: string[] = [];
  const zones = registry.noFlyZones.map((z) => ({
    id: z.id,
    geometry: z.geometry,
    box: geometryBox(z.geometry),
  }));
  const area = registry.operatingArea;
  const areaEdge = area ? (polygonToLine(area) as Feature<LineString> | Feature<MultiPolygon>) : null;
  for (const s of plan.sorties) {
    const first = s.waypoints[0];
    const last = s.waypoints.at(-1);
    if (!first || !last || first.latDeg !== s.launch.latDeg || last.lonDeg !== s.launch.lonDeg) {
      problems.push(`sortie ${s.index}: does not start and end over launch point ${s.launch.id}`);
    }
    for (const w of s.waypoints) {
      if (w.altRelM > settings.maxAltitudeAglM || w.altRelM < 0) {
        problems.push(`sortie ${s.index}: waypoint at ${w.altRelM} m`);
      }
      if (area && !booleanPointInPolygon(point([w.lonDeg, w.latDeg]), area)) {
        problems.push(`sortie ${s.index}: waypoint ${w.latDeg},${w.lonDeg} outside the operating area`);
      }
    }
    const track = route(s);
    for (let i = 1; i < track.length; i++) {
      const leg = [track[i - 1], track[i]];
      if (leg[0][0] === leg[1][0] && leg[0][1] === leg[1][1]) continue;
      const box = bbox(leg);
      const line = lineString(leg);
      for (const z of zones) {
        if (overlaps(box, z.box) && booleanIntersects(line, z.geometry)) {
          problems.push(`sortie ${s.index}: leg ${i} touches no-fly zone ${z.id}`);
        }
      }
      if (areaEdge && booleanIntersects(line, areaEdge)) {
        problems.push(`sortie ${s.index}: leg ${i} crosses the operating area's edge`);
      }
    }
  }
  return problems;
}

/** Every property at once, for tests that only need "all is well". */
export function planProblems(plan: PatrolPlan, registry: SiteRegistry, settings: PlanSettings): string[] {
  return [
    ...coverageProblems(plan),
    ...batteryProblems(plan, settings),
    ...airspaceProblems(plan, registry, settings),
  ];
}
