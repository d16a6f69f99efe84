import type { Ring } from '../../../geo/index.js';
import { type Band, type Extent, extentInStrip } from './band.js';

/** One transect in the sweep frame, flown along x at height yM. */
export interface Swath {
  yM: number;
  fromXM: number;
  toXM: number;
}

/** Trimmed transect ends stay this far from a keep-out area, so that they are plainly outside it. */
const KEEP_OUT_CLEARANCE_M = 0.1;
/** How much of a transect's own stretch over the region may be lost to a keep-out area before it fails. */
const CORE_SLACK_M = 1;

/** How far past a band's lower and upper edge its transects must also see (site under a keep-out area). */
export interface Reach {
  belowM: number;
  aboveM: number;
}

const NO_REACH: Reach = { belowM: 0, aboveM: 0 };

/**
 * Transects over a band: strips of equal height, at most spacingM, tile the band and its reach;
 * each transect flies mid-strip (the first and last half a spacing inside the band's edges, never a
 * missing last swath), or as near as the band allows when the strip lies partly in its reach. Each
 * spans the band's extent over its strip, so sloped edges leave no uncovered corners, plus
 * turnaroundM on each end, cut back where a keep-out area begins. Null when a keep-out area cuts
 * a transect's stretch over the region itself.
 */
export function placeSwaths(
  band: Band,
  spacingM: number,
  turnaroundM: number,
  keepOutRings: readonly Ring[],
  reach: Reach = NO_REACH,
): Swath[] | null {
  const fromM = band.yMinM - reach.belowM;
  const heightM = band.yMaxM + reach.aboveM - fromM;
  const count = Math.max(1, Math.ceil(heightM / spacingM - 1e-9));
  const stripM = heightM / count;
  const swaths: Swath[] = [];
  for (let j = 0; j < count; j++) {
    const yLoM = Math.max(fromM + stripM * j, band.yMinM);
    const yHiM = Math.min(fromM + stripM * (j + 1), band.yMaxM);
    const yM = clamp(
      fromM + stripM * (j + 0.5),
      band.yMinM + KEEP_OUT_CLEARANCE_M,
      band.yMaxM - KEEP_OUT_CLEARANCE_M,
    );
    // In a band thinner than its reach, strips may clamp to one height: fly it once.
    if (swaths.length > 0 && yM - swaths[swaths.length - 1].yM < KEEP_OUT_CLEARANCE_M) continue;
    const extent = extentInStrip(band.edges, Math.min(yLoM, yM), Math.max(yHiM, yM));
    if (!extent) continue;
    const core = extentInStrip(band.edges, yM, yM) ?? { minXM: extent.minXM, maxXM: extent.minXM };
    const free = freeRun(keepOutRings, yM, (core.minXM + core.maxXM) / 2);
    if (!free || free.minXM > core.minXM + CORE_SLACK_M || free.maxXM < core.maxXM - CORE_SLACK_M)
      return null;
    swaths.push({
      yM,
      fromXM: Math.max(extent.minXM - turnaroundM, free.minXM),
      toXM: Math.min(extent.maxXM + turnaroundM, free.maxXM),
    });
  }
  return swaths;
}

/** Clamps to [lo, hi], or the middle of the two when they cross (a band thinner than the clearances). */
function clamp(v: number, lo: number, hi: number): number {
  return lo > hi ? (lo + hi) / 2 : Math.min(hi, Math.max(lo, v));
}

/** The stretch of line y around x that no keep-out ring covers; null when x itself is covered. */
function freeRun(rings: readonly Ring[], yM: number, xM: number): Extent | null {
  let minXM = -Infinity;
  let maxXM = Infinity;
  for (const ring of rings) {
    const crossings: number[] = [];
    for (let i = 0; i < ring.length; i++) {
      const a = ring[i];
      const b = ring[(i + 1) % ring.length];
      if (a.y > yM !== b.y > yM) crossings.push(a.x + ((b.x - a.x) * (yM - a.y)) / (b.y - a.y));
    }
    crossings.sort((p, q) => p - q);
    for (let k = 0; k + 1 < crossings.length; k += 2) {
      const lo = crossings[k] - KEEP_OUT_CLEARANCE_M;
      const hi = crossings[k + 1] + KEEP_OUT_CLEARANCE_M;
      if (lo <= xM && xM <= hi) return null;
      if (hi < xM) minXM = Math.max(minXM, hi);
      else maxXM = Math.min(maxXM, lo);
    }
  }
  return { minXM, maxXM };
}
