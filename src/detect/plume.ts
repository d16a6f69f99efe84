import type { Blob } from './blobs.js';
import type { Box } from './box.js';

/** A point in frame pixels (x right, y down). */
export interface PointPx {
  x: number;
  y: number;
}

/** One dust plume found in one frame, in that frame's pixels. */
export interface Plume {
  box: Box;
  /** Plume pixels, scaled from the model grid to frame pixels. */
  areaPx: number;
  meanScore: number;
  peakScore: number;
  /**
   * Where the plume meets the ground, the point to geotag: the centroid of the blob's lowest row.
   * Dust rises from its source and drifts, so in the oblique views a patrol camera mostly has, the
   * lowest part of a plume is where it leaves the ground. In a nadir view the lowest row means
   * nothing; use peakPx there (detect does not know the camera's pitch; geotag does).
   */
  sourcePx: PointPx;
  /** The highest-probability pixel: the densest dust, near the source in most nadir views. */
  peakPx: PointPx;
  /**
   * The plume's outermost points by direction, EDGE_DIRECTIONS of them clockwise from up (see
   * Blob.edgesXy). Seen from above, a plume leaves its source at its upwind edge: geotag picks the one
   * facing the wind.
   */
  edgesPx: PointPx[];
  /** The plume reaches the frame's edge: part of it, perhaps its source, may be outside the picture. */
  cutByFrameEdge: boolean;
}

/** Maps a blob from the model grid to frame pixels; the model input is the whole frame stretched. */
export function blobToPlume(blob: Blob, scaleX: number, scaleY: number): Plume {
  const { box } = blob;
  const centre = ([x, y]: [number, number]): PointPx => ({ x: (x + 0.5) * scaleX, y: (y + 0.5) * scaleY });
  return {
    box: { x0: box.x0 * scaleX, y0: box.y0 * scaleY, x1: box.x1 * scaleX, y1: box.y1 * scaleY },
    areaPx: blob.areaPx * scaleX * scaleY,
    meanScore: blob.meanScore,
    peakScore: blob.peakScore,
    sourcePx: centre(blob.baseXy),
    peakPx: centre(blob.peakXy),
    edgesPx: blob.edgesXy.map(centre),
    cutByFrameEdge: blob.touchesEdge,
  };
}
