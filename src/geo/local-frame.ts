/** A point in a local tangent frame: metres north and east of the origin, metres above it. */
export interface LocalPoint {
  northM: number;
  eastM: number;
  upM: number;
}

export interface GeoPoint {
  latDeg: number;
  lonDeg: number;
  altAmslM: number;
}

const EARTH_RADIUS_M = 6_378_137;
const DEG = Math.PI / 180;

/**
 * Flat-earth conversion around home, as ArduPilot's own Location offsets do: exact enough for the
 * few kilometres a patrol sortie covers.
 */
export class LocalFrame {
  private readonly metresPerDegLat = EARTH_RADIUS_M * DEG;
  private readonly metresPerDegLon: number;

  constructor(readonly origin: GeoPoint) {
    this.metresPerDegLon = EARTH_RADIUS_M * DEG * Math.cos(origin.latDeg * DEG);
  }

  toGeo(p: LocalPoint): GeoPoint {
    return {
      latDeg: this.origin.latDeg + p.northM / this.metresPerDegLat,
      lonDeg: this.origin.lonDeg + p.eastM / this.metresPerDegLon,
      altAmslM: this.origin.altAmslM + p.upM,
    };
  }

  /** `altRelM` is above home; pass the local altitude through unchanged. */
  toLocal(latDeg: number, lonDeg: number, altRelM: number): LocalPoint {
    return {
      northM: (latDeg - this.origin.latDeg) * this.metresPerDegLat,
      eastM: (lonDeg - this.origin.lonDeg) * this.metresPerDegLon,
      upM: altRelM,
    };
  }
}

export function horizontalDistanceM(a: LocalPoint, b: LocalPoint): number {
  return Math.hypot(b.northM - a.northM, b.eastM - a.eastM);
}

/** Bearing from a to b, radians clockwise from north in [0, 2π). */
export function bearingRad(a: LocalPoint, b: LocalPoint): number {
  return wrapTwoPi(Math.atan2(b.eastM - a.eastM, b.northM - a.northM));
}

export function wrapTwoPi(rad: number): number {
  const r = rad % (2 * Math.PI);
  return r < 0 ? r + 2 * Math.PI : r;
}

/** Wraps an angle difference to (-π, π]. */
export function wrapPi(rad: number): number {
  const r = wrapTwoPi(rad);
  return r > Math.PI ? r - 2 * Math.PI : r;
}
