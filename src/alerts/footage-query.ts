import {
  areaInConvexM2,
  frameAround,
  geometryToPlane,
  type LatLonBox,
  LocalFrame,
  latLonBoxOf,
  orientRing,
  pointInRing,
  polygonsAreaM2,
  type Ring,
} from '../geo/index.js';
import type { SiteGeometry } from '../sites/index.js';
import type { FootageTable, IndexedView, Recording } from './footage.js';

/** A place to find footage of: an area (a site's outline, a drawn polygon) or a point. */
export type FootagePlace =
  | { kind: 'area'; geometry: SiteGeometry }
  | { kind: 'point'; latDeg: number; lonDeg: number };

export interface FootageQuery {
  /** Only footage at or after this time, µs since the epoch. */
  sinceUs?: number;
  /** Only footage at or before this time, µs since the epoch. */
  untilUs?: number;
}

/** A stretch of one recording during which the place was in view. */
export interface FootageRange {
  recording: Recording;
  /** On the vehicle's clock, µs since the epoch. */
  startUs: number;
  endUs: number;
  /** Seconds into the recording. */
  startOffsetS: number;
  endOffsetS: number;
  /** The largest share of the place in one view, 0–1 (a point in view: 1). */
  viewShare: number;
}

/** Views closer than this in time (µs) follow on from each other. */
const CONTIGUOUS_US = 1000;
/** A share of the place below this is a footprint's edge grazing it, not a view of it. */
const MIN_SHARE = 1e-6;

/**
 * The stretches of recordings whose camera had the place in view: each indexed view that shows any of
 * it, joined with the views that follow on in the same recording, cut to [sinceUs, untilUs]. Oldest first.
 */
export function findFootage(
  table: FootageTable,
  place: FootagePlace,
  query: FootageQuery = {},
): FootageRange[] {
  const share = shareOf(place);
  const ranges: FootageRange[] = [];
  let open: FootageRange | null = null;
  for (const view of table.inBox(boxOf(place), query.sinceUs, query.untilUs)) {
    const viewShare = share(view);
    if (viewShare < MIN_SHARE) continue;
    const followsOn =
      open !== null && open.recording.id === view.recording.id && view.startUs <= open.endUs + CONTIGUOUS_US;
    if (open && followsOn) {
      open.endUs = Math.max(open.endUs, view.endUs);
      open.endOffsetS = Math.max(open.endOffsetS, view.endOffsetS);
      open.viewShare = Math.max(open.viewShare, viewShare);
      continue;
    }
    const { recording, startUs, endUs, startOffsetS, endOffsetS } = view;
    open = { recording, startUs, endUs, startOffsetS, endOffsetS, viewShare };
    ranges.push(open);
  }
  return ranges
    .map((r) => cut(r, query.sinceUs, query.untilUs))
    .sort((a, b) => a.startUs - b.startUs || a.recording.id - b.recording.id);
}

function boxOf(place: FootagePlace): LatLonBox {
  if (place.kind === 'area') return latLonBoxOf(place.geometry);
  return {
    minLatDeg: place.latDeg,
    maxLatDeg: place.latDeg,
    minLonDeg: place.lonDeg,
    maxLonDeg: place.lonDeg,
  };
}

/** How much of the place a view shows, 0–1, in a metric frame around the place. */
function shareOf(place: FootagePlace): (view: IndexedView) => number {
  if (place.kind === 'point') {
    const frame = new LocalFrame({ latDeg: place.latDeg, lonDeg: place.lonDeg, altAmslM: 0 });
    return (view) => (pointInRing({ x: 0, y: 0 }, footprintIn(view, frame)) ? 1 : 0);
  }
  const frame = frameAround(place.geometry);
  const polygons = geometryToPlane(place.geometry, frame);
  const areaM2 = polygonsAreaM2(polygons);
  if (!(areaM2 > 0)) return () => 0;
  return (view) => Math.min(1, areaInConvexM2(polygons, footprintIn(view, frame)) / areaM2);
}

function footprintIn(view: IndexedView, frame: LocalFrame): Ring {
  const ring = view.footprint.map((p) => {
    const local = frame.toLocal(p.latDeg, p.lonDeg, 0);
    return { x: local.eastM, y: local.northM };
  });
  return orientRing(ring, true);
}

/** The range cut to [sinceUs, untilUs], its offsets moved with its times. */
function cut(range: FootageRange, sinceUs?: number, untilUs?: number): FootageRange {
  const startUs = Math.max(range.startUs, sinceUs ?? range.startUs);
  const endUs = Math.min(range.endUs, untilUs ?? range.endUs);
  return {
    ...range,
    startUs,
    endUs,
    startOffsetS: range.startOffsetS + (startUs - range.startUs) / 1e6,
    endOffsetS: range.endOffsetS - (range.endUs - endUs) / 1e6,
  };
}
