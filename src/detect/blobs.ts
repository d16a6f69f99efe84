import type { Box } from './box.js';
import { labelComponents } from './components.js';
import { dilateSquare } from './dilate.js';

/** A plume blob on the model's output grid (pixels of the probability map). */
export interface Blob {
  box: Box;
  areaPx: number;
  meanScore: number;
  peakScore: number;
  /** The highest-probability pixel. */
  peakXy: [number, number];
  /** Centroid x of the blob's lowest row, and that row. */
  baseXy: [number, number];
  /**
   * The blob's outermost points by direction: entry k is the centroid of its pixels within EDGE_SHARE
   * of its extent from its far side toward k × 360/EDGE_DIRECTIONS degrees clockwise from up (k = 0 up,
   * 4 right, 8 down, 12 left).
   */
  edgesXy: [number, number][];
  /** The blob reaches the edge of the grid: the plume may go on outside the frame. */
  touchesEdge: boolean;
}

/** Directions of a blob's edge points, evenly spaced clockwise from up. */
export const EDGE_DIRECTIONS = 16;
/** The share of a blob's extent, from its far side in a direction, whose centroid is its edge point there. */
const EDGE_SHARE = 0.1;

export interface BlobOptions {
  /** A pixel is plume when its probability is at least this. */
  threshold: number;
  /** Blobs with fewer plume pixels are dropped. */
  minAreaPx: number;
  /** Fragments closer than about 2 × this form one blob; 0 groups touching pixels only. */
  mergeGapPx: number;
}

/**
 * The reference post-processing (scripts/dust/metrics.py find_blobs): prob ≥ threshold → 8-connected
 * components of that mask dilated by mergeGapPx (a plume's thin edges break it into nearby fragments)
 * → drop blobs under minAreaPx → per blob box, area, mean and peak score, from its own plume pixels
 * only. Largest first.
 */
export function findBlobs(
  prob: Float32Array,
  widthPx: number,
  heightPx: number,
  options: BlobOptions,
): Blob[] {
  const { threshold, minAreaPx, mergeGapPx } = options;
  const mask = new Uint8Array(prob.length);
  for (let i = 0; i < prob.length; i++) mask[i] = prob[i] >= threshold ? 1 : 0;
  const grouping = mergeGapPx > 0 ? dilateSquare(mask, widthPx, heightPx, mergeGapPx) : mask;
  const { labels, count } = labelComponents(grouping, widthPx, heightPx);
  const stats = Array.from({ length: count + 1 }, () => ({
    x0: widthPx,
    y0: heightPx,
    x1: 0,
    y1: 0,
    areaPx: 0,
    scoreSum: 0,
    peakScore: -1,
    peakXy: [0, 0] as [number, number],
    baseRow: -1,
    baseXSum: 0,
    baseCount: 0,
    pixels: [] as number[],
  }));
  for (let y = 0; y < heightPx; y++) {
    for (let x = 0; x < widthPx; x++) {
      const i = y * widthPx + x;
      const label = labels[i];
      if (label === 0 || mask[i] === 0) continue;
      const s = stats[label];
      const score = prob[i];
      s.x0 = Math.min(s.x0, x);
      s.y0 = Math.min(s.y0, y);
      s.x1 = Math.max(s.x1, x + 1);
      s.y1 = Math.max(s.y1, y + 1);
      s.areaPx++;
      s.scoreSum += score;
      if (score > s.peakScore) {
        s.peakScore = score;
        s.peakXy = [x, y];
      }
      // Rows come in order, so a new row for this label is its lowest so far.
      if (y > s.baseRow) {
        s.baseRow = y;
        s.baseXSum = 0;
        s.baseCount = 0;
      }
      s.baseXSum += x;
      s.baseCount++;
      s.pixels.push(i);
    }
  }
  const blobs: Blob[] = [];
  for (const s of stats.slice(1)) {
    if (s.areaPx < minAreaPx) continue;
    blobs.push({
      box: { x0: s.x0, y0: s.y0, x1: s.x1, y1: s.y1 },
      areaPx: s.areaPx,
      meanScore: s.scoreSum / s.areaPx,
      peakScore: s.peakScore,
      peakXy: s.peakXy,
      baseXy: [s.baseXSum / s.baseCount, s.baseRow],
      edgesXy: edgePoints(s.pixels, widthPx),
      touchesEdge: s.x0 === 0 || s.y0 === 0 || s.x1 === widthPx || s.y1 === heightPx,
    });
  }
  return blobs.sort((a, b) => b.areaPx - a.areaPx);
}

/** Entry k: the centroid of the pixels (grid indices) outermost toward direction k (see Blob.edgesXy). */
function edgePoints(pixels: readonly number[], widthPx: number): [number, number][] {
  const xs = pixels.map((i) => i % widthPx);
  const ys = pixels.map((i) => Math.floor(i / widthPx));
  return Array.from({ length: EDGE_DIRECTIONS }, (_, k) => {
    const angle = (2 * Math.PI * k) / EDGE_DIRECTIONS;
    // Clockwise from up in image coordinates (y down): up is (0, −1), right (1, 0).
    const [ux, uy] = [Math.sin(angle), -Math.cos(angle)];
    let farthest = Number.NEGATIVE_INFINITY;
    let nearest = Number.POSITIVE_INFINITY;
    const along = xs.map((x, j) => x * ux + ys[j] * uy);
    for (const t of along) {
      farthest = Math.max(farthest, t);
      nearest = Math.min(nearest, t);
    }
    const from = farthest - (farthest - nearest) * EDGE_SHARE;
    let sx = 0;
    let sy = 0;
    let count = 0;
    along.forEach((t, j) => {
      if (t < from) return;
      sx += xs[j];
      sy += ys[j];
      count++;
    });
    return [sx / count, sy / count];
  });
}
