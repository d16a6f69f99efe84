/** Where the patrol tests fly: home, and metres north and east of it (no simulator: checks import it alone). */
export const HOME = { latDeg: 34.7245, lonDeg: 113.6302, altAmslM: 110 };
const M_PER_DEG_LAT = 111_319.49;
const M_PER_DEG_LON = M_PER_DEG_LAT * Math.cos((HOME.latDeg * Math.PI) / 180);

/** Metres north and east of home. */
export interface NorthEast {
  northM: number;
  eastM: number;
}

export function toLatLon(p: NorthEast): { latDeg: number; lonDeg: number } {
  return { latDeg: HOME.latDeg + p.northM / M_PER_DEG_LAT, lonDeg: HOME.lonDeg + p.eastM / M_PER_DEG_LON };
}

export function fromLatLon(latDeg: number, lonDeg: number): NorthEast {
  return { northM: (latDeg - HOME.latDeg) * M_PER_DEG_LAT, eastM: (lonDeg - HOME.lonDeg) * M_PER_DEG_LON };
}
