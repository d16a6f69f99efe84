import { LocalFrame } from '../geo/index.js';
import type { GeotaggedPlume } from './geotag-plume.js';

/** One plume placed from several frames. */
export interface CombinedGeotag {
  latDeg: number;
  lonDeg: number;
  /** The typical single-frame 1-σ radius, metres (pose errors wander slowly, so frames share them). */
  uncertaintyM: number;
  /** Median of the frames' footprints, m²; null when no frame could project one. */
  areaM2: number | null;
  /** How many frames placed it. */
  views: number;
}

/**
 * The median position of a plume placed from several frames. One frame's placement moves with the
 * plume's billows and the pose errors of that moment; the median over a pass is steadier and shrugs off
 * the odd frame whose blob was mis-shaped. The uncertainty is not divided by √n: GPS and attitude
 * errors drift over seconds, so nearby frames share most of them.
 */
export function combineGeotags(tags: readonly GeotaggedPlume[]): CombinedGeotag {
  if (tags.length === 0) throw new Error('combineGeotags needs at least one placement');
  const frame = new LocalFrame({ latDeg: tags[0].latDeg, lonDeg: tags[0].lonDeg, altAmslM: 0 });
  const local = tags.map((t) => frame.toLocal(t.latDeg, t.lonDeg, 0));
  const centre = frame.toGeo({
    eastM: median(local.map((p) => p.eastM)),
    northM: median(local.map((p) => p.northM)),
    upM: 0,
  });
  const areas = tags.map((t) => t.areaM2).filter((a): a is number => a !== null);
  return {
    latDeg: centre.latDeg,
    lonDeg: centre.lonDeg,
    uncertaintyM: median(tags.map((t) => t.uncertaintyM)),
    areaM2: areas.length > 0 ? median(areas) : null,
    views: tags.length,
  };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
