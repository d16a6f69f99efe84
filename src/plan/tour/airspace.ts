import { buffer, feature } from '@turf/turf';
import { UserError } from '../../errors.js';
import type { LocalFrame } from '../../geo/index.js';
import type { NoFlyZone, SiteGeometry } from '../../sites/index.js';
import {
  type Area,
  circleAround,
  cross,
  dist,
  type EdgeSet,
  edgeSet,
  hullVertexIndices,
  pointInArea,
  segmentHitsEdges,
  segmentMissesBox,
  segmentMissesCircle,
  signedArea2,
  toArea,
} from './planar.js';

/** Distance transit legs keep from no-fly zones and from the operating area's edge. */
const TRANSIT_MARGIN_M = 15;
/** Detour corners sit a little further out than the margin, so legs between them clear it. */
const CORNER_OFFSET_M = TRANSIT_MARGIN_M * 1.25 + 2;
/** Segments per quarter circle of a buffered corner: a chord stays within 2 % of the radius. */
const BUFFER_STEPS = 4;
/** Airspaces built lately, by zone set and frame: planning again over the same sites reuses them. */
const CACHE_SIZE = 4;
const cache = new Map<string, Airspace>();

/** The airspace for these zones and operating area, from the cache when they were seen lately. */
export function airspaceFor(
  zones: NoFlyZone[],
  operatingArea: SiteGeometry | null,
  frame: LocalFrame,
): Airspace {
  const key = JSON.stringify([frame.origin, operatingArea, zones.map((z) => [z.id, z.geometry])]);
  let airspace = cache.get(key);
  if (airspace) return airspace;
  airspace = Airspace.build(zones, operatingArea, frame);
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  cache.set(key, airspace);
  return airspace;
}

interface Zone {
  raw: Area;
  keepOut: Area;
  /** A circle round keepOut: most legs miss it, which is quicker to see than the box and edges. */
  cx: number;
  cy: number;
  radiusM: number;
}

interface OperatingArea {
  raw: Area;
  keepIn: Area;
  /** keepIn's edges that a segment between two keepIn points can cross: all but its hull edges. */
  keepInPockets: EdgeSet;
}

/** Where a point lies: which zone margins hold it and how far inside the operating area it is. */
export interface PointClass {
  /** Zones whose margin holds the point (usually none). */
  nearZones: number[];
  inZone: boolean;
  inArea: boolean;
  /** Inside the operating area by at least the margin. */
  inKeepIn: boolean;
}

export const FREE_SPACE: PointClass = { nearZones: [], inZone: false, inArea: true, inKeepIn: true };

/**
 * No-fly zones and the operating area in a local frame, with the corners a transit leg may turn at
 * and the shortest free paths between them (visibility graph + Floyd–Warshall).
 */
export class Airspace {
  readonly cornerX: Float64Array;
  readonly cornerY: Float64Array;
  /** Per corner, its ring neighbours: prevX, prevY, nextX, nextY. */
  private readonly cornerSides: Float64Array;
  readonly cornerCount: number;
  /** Shortest free-path length between corners, cornerCount², metres. */
  readonly between: Float64Array;
  /** Next corner on that path. */
  readonly next: Int32Array;

  private constructor(
    private readonly zones: Zone[],
    private readonly area: OperatingArea | null,
    candidates: number[],
  ) {
    const keep: number[] = [];
    for (let i = 0; i < candidates.length; i += 6) {
      if (this.classify(candidates[i], candidates[i + 1]) === FREE_SPACE) keep.push(i);
    }
    this.cornerX = Float64Array.from(keep, (i) => candidates[i]);
    this.cornerY = Float64Array.from(keep, (i) => candidates[i + 1]);
    this.cornerSides = Float64Array.from(keep.flatMap((i) => candidates.slice(i + 2, i + 6)));
    this.cornerCount = keep.length;
    const { between, next } = this.shortestPaths();
    this.between = between;
    this.next = next;
  }

  static build(zones: NoFlyZone[], operatingArea: SiteGeometry | null, frame: LocalFrame): Airspace {
    const builtZones = zones.map((z) => {
      const keepOut = toArea(buffered(z.geometry, TRANSIT_MARGIN_M, z.id), frame);
      return { raw: toArea(z.geometry, frame), keepOut, ...circleAround(keepOut) };
    });
    const area = operatingArea ? buildOperatingArea(operatingArea, frame) : null;
    const corners: number[] = [];
    for (const z of zones) {
      usefulCorners(toArea(buffered(z.geometry, CORNER_OFFSET_M, z.id), frame), false, corners);
    }
    if (operatingArea) {
      const inner = buffer(feature(operatingArea), -CORNER_OFFSET_M, {
        units: 'meters',
        steps: BUFFER_STEPS,
      });
      if (inner) usefulCorners(toArea(inner.geometry, frame), true, corners);
    }
    return new Airspace(builtZones, area, corners);
  }

  classify(x: number, y: number): PointClass {
    let nearZones: number[] | null = null;
    let inZone = false;
    for (let z = 0; z < this.zones.length; z++) {
      if (!pointInArea(this.zones[z].keepOut, x, y)) continue;
      nearZones ??= [];
      nearZones.push(z);
      inZone ||= pointInArea(this.zones[z].raw, x, y);
    }
    const inArea = this.area === null || pointInArea(this.area.raw, x, y);
    const inKeepIn = this.area === null || (inArea && pointInArea(this.area.keepIn, x, y));
    if (nearZones === null && inArea && inKeepIn) return FREE_SPACE;
    return { nearZones: nearZones ?? [], inZone, inArea, inKeepIn };
  }

  /**
   * True when the straight leg a–b keeps out of every no-fly zone and inside the operating area: by the
   * margin where both ends allow it, else (an end already within the margin) by the zone's own edge.
   */
  isClear(ax: number, ay: number, ca: PointClass, bx: number, by: number, cb: PointClass): boolean {
    if (ca.inZone || cb.inZone || !ca.inArea || !cb.inArea) return false;
    for (let z = 0; z < this.zones.length; z++) {
      const zone = this.zones[z];
      if (segmentMissesBox(zone.keepOut.box, ax, ay, bx, by)) continue;
      if (segmentMissesCircle(zone.cx, zone.cy, zone.radiusM, ax, ay, bx, by)) continue;
      const near = ca.nearZones.includes(z) || cb.nearZones.includes(z);
      if (segmentHitsEdges((near ? zone.raw : zone.keepOut).edges, ax, ay, bx, by)) return false;
    }
    if (this.area === null) return true;
    const edges = ca.inKeepIn && cb.inKeepIn ? this.area.keepInPockets : this.area.raw.edges;
    return !segmentHitsEdges(edges, ax, ay, bx, by);
  }

  /**
   * True when a path from (px, py) may bend at corner c: both of the corner's ring neighbours lie on
   * one side of the line to it. A shortest path only ever wraps round a corner like that.
   */
  isTangent(c: number, px: number, py: number): boolean {
    const x = this.cornerX[c];
    const y = this.cornerY[c];
    const k = 4 * c;
    const sides = this.cornerSides;
    return cross(px, py, x, y, sides[k], sides[k + 1]) * cross(px, py, x, y, sides[k + 2], sides[k + 3]) >= 0;
  }

  /** True when the leg a–b touches no no-fly zone and leaves not the operating area (no margin). */
  isLegal(ax: number, ay: number, bx: number, by: number): boolean {
    const ca = this.classify(ax, ay);
    const cb = this.classify(bx, by);
    if (ca.inZone || cb.inZone || !ca.inArea || !cb.inArea) return false;
    for (const zone of this.zones) {
      if (segmentHitsEdges(zone.raw.edges, ax, ay, bx, by)) return false;
    }
    return this.area === null || !segmentHitsEdges(this.area.raw.edges, ax, ay, bx, by);
  }

  private shortestPaths(): { between: Float64Array; next: Int32Array } {
    const { cornerX: cx, cornerY: cy, cornerCount: n } = this;
    const between = new Float64Array(n * n).fill(Infinity);
    const next = new Int32Array(n * n).fill(-1);
    for (let i = 0; i < n; i++) {
      between[i * n + i] = 0;
      next[i * n + i] = i;
      for (let j = i + 1; j < n; j++) {
        if (!this.isTangent(i, cx[j], cy[j]) || !this.isTangent(j, cx[i], cy[i])) continue;
        if (!this.isClear(cx[i], cy[i], FREE_SPACE, cx[j], cy[j], FREE_SPACE)) continue;
        const d = dist(cx[i], cy[i], cx[j], cy[j]);
        between[i * n + j] = d;
        between[j * n + i] = d;
        next[i * n + j] = j;
        next[j * n + i] = i;
      }
    }
    for (let k = 0; k < n; k++) {
      for (let i = 0; i < n; i++) {
        const ik = between[i * n + k];
        if (ik === Infinity) continue;
        for (let j = 0; j < n; j++) {
          const d = ik + between[k * n + j];
          if (d < between[i * n + j]) {
            between[i * n + j] = d;
            next[i * n + j] = next[i * n + k];
          }
        }
      }
    }
    return { between, next };
  }
}

function buffered(geometry: SiteGeometry, radiusM: number, id: string): SiteGeometry {
  const out = buffer(feature(geometry), radiusM, { units: 'meters', steps: BUFFER_STEPS });
  if (!out)
    throw new UserError(`no-fly zone ${id}: its geometry gives no polygon when widened by ${radiusM} m`);
  return out.geometry;
}

function buildOperatingArea(geometry: SiteGeometry, frame: LocalFrame): OperatingArea {
  const inner = buffer(feature(geometry), -TRANSIT_MARGIN_M, { units: 'meters', steps: BUFFER_STEPS });
  const raw = toArea(geometry, frame);
  const keepIn = inner ? toArea(inner.geometry, frame) : raw;
  return { raw, keepIn, keepInPockets: pocketEdges(keepIn) };
}

/** A segment between two points inside a polygon never crosses its hull edges; only the rest can. */
function pocketEdges(area: Area): EdgeSet {
  const outers = area.rings.filter((r) => r.outer);
  if (outers.length !== 1) return area.edges;
  const edges: number[] = [];
  for (const { xy, outer } of area.rings) {
    const n = xy.length / 2;
    const onHull = new Uint8Array(n);
    if (outer) for (const i of hullVertexIndices(xy)) onHull[i] = 1;
    for (let i = 0; i < n; i++) {
      const j = (i + 1) % n;
      if (outer && onHull[i] && onHull[j]) continue;
      edges.push(xy[2 * i], xy[2 * i + 1], xy[2 * j], xy[2 * j + 1]);
    }
  }
  return edgeSet(edges);
}

/**
 * The vertices a shortest path can turn at: those where free space is reflex, each as x, y and its
 * ring neighbours. `freeInside` says whether free space is the polygon's inside (operating area) or
 * outside (no-fly zone).
 */
function usefulCorners(area: Area, freeInside: boolean, out: number[]): void {
  for (const { xy, outer } of area.rings) {
    const wantCcw = freeInside === outer;
    const sign = signedArea2(xy) > 0 === wantCcw ? 1 : -1;
    const n = xy.length / 2;
    for (let i = 0; i < n; i++) {
      const p = (i + n - 1) % n;
      const q = (i + 1) % n;
      const turn = cross(xy[2 * p], xy[2 * p + 1], xy[2 * i], xy[2 * i + 1], xy[2 * q], xy[2 * q + 1]);
      if (sign * turn < 0)
        out.push(xy[2 * i], xy[2 * i + 1], xy[2 * p], xy[2 * p + 1], xy[2 * q], xy[2 * q + 1]);
    }
  }
}
