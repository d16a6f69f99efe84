import {
  closestPointOnRings,
  distanceM,
  frameAround,
  geometryToPlane,
  type LatLonBox,
  type LocalFrame,
  latLonBoxesNear,
  latLonBoxOf,
  type PlanePolygon,
  pointInPolygon,
} from '../geo/index.js';
import type { Site } from '../sites/index.js';

/** Where a point belongs: the site and its distance (0 inside), or no site. */
export interface Attribution {
  site: Site | null;
  /** 0 inside the site, the distance to its edge when nearest; null with no site. */
  distanceM: number | null;
}

interface PreparedSite {
  site: Site;
  box: LatLonBox;
  frame: LocalFrame;
  polygons: PlanePolygon[];
}

/**
 * Finds the site a ground point belongs to: the site whose polygon contains it (the first listed,
 * should sites overlap), else the nearest site within `maxM` of it, else none.
 */
export class SiteLocator {
  private readonly prepared: PreparedSite[];

  constructor(readonly sites: readonly Site[]) {
    this.prepared = sites.map((site) => {
      const frame = frameAround(site.geometry);
      return {
        site,
        box: latLonBoxOf(site.geometry),
        frame,
        polygons: geometryToPlane(site.geometry, frame),
      };
    });
  }

  attribute(latDeg: number, lonDeg: number, maxM: number): Attribution {
    const point: LatLonBox = { minLatDeg: latDeg, maxLatDeg: latDeg, minLonDeg: lonDeg, maxLonDeg: lonDeg };
    let nearest: Attribution = { site: null, distanceM: null };
    for (const p of this.prepared) {
      if (!latLonBoxesNear(point, p.box, maxM)) continue;
      const local = p.frame.toLocal(latDeg, lonDeg, 0);
      const v = { x: local.eastM, y: local.northM };
      if (p.polygons.some((polygon) => pointInPolygon(v, polygon))) return { site: p.site, distanceM: 0 };
      const rings = p.polygons.flatMap((polygon) => [polygon.outer, ...polygon.holes]);
      const dM = distanceM(v, closestPointOnRings(v, rings));
      if (dM <= maxM && (nearest.distanceM === null || dM < nearest.distanceM)) {
        nearest = { site: p.site, distanceM: dM };
      }
    }
    return nearest;
  }
}
