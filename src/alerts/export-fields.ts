import { isoUtcUs } from './time.js';
import type { Alert } from './types.js';

/**
 * The flat fields of an alert that exports carry (GeoJSON properties, CSV columns): the alert's own
 * scalars (rounded), its severity as text, its times also as ISO UTC, and its review state.
 */
export type AlertFields = Pick<
  Alert,
  | 'code'
  | 'id'
  | 'siteId'
  | 'siteName'
  | 'contractor'
  | 'siteDistanceM'
  | 'severity'
  | 'firstSeenUs'
  | 'lastSeenUs'
  | 'frames'
  | 'sightings'
  | 'latDeg'
  | 'lonDeg'
  | 'uncertaintyM'
  | 'areaM2'
  | 'meanScore'
  | 'peakScore'
  | 'flightId'
  | 'caption'
  | 'reviewState'
> & {
  firstSeenUtc: string;
  lastSeenUtc: string;
  /** The latest review's reason (`dust`, or what a dismissed alert was instead); null while pending. */
  reviewReason: string | null;
};

export function alertFields(a: Alert): AlertFields {
  return {
    code: a.code,
    id: a.id,
    siteId: a.siteId,
    siteName: a.siteName,
    contractor: a.contractor,
    siteDistanceM: a.siteDistanceM === null ? null : round(a.siteDistanceM, 1),
    severity: a.severity,
    firstSeenUtc: isoUtcUs(a.firstSeenUs),
    lastSeenUtc: isoUtcUs(a.lastSeenUs),
    firstSeenUs: a.firstSeenUs,
    lastSeenUs: a.lastSeenUs,
    frames: a.frames,
    sightings: a.sightings,
    latDeg: round(a.latDeg, 7),
    lonDeg: round(a.lonDeg, 7),
    uncertaintyM: round(a.uncertaintyM, 1),
    areaM2: a.areaM2 === null ? null : round(a.areaM2, 1),
    meanScore: round(a.meanScore, 3),
    peakScore: round(a.peakScore, 3),
    flightId: a.flightId,
    caption: a.caption,
    reviewState: a.reviewState,
    reviewReason: a.review?.reason ?? null,
  };
}

function round(value: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}
