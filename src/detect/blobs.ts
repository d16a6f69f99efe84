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
}

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
    });
  }
  return blobs.sort((a, b) => b.areaPx - a.areaPx);
}
