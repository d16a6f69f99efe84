import type { FootageCamera, FootageView } from '../../src/alerts/index.js';
import { offset, T0_US } from '../alerts/sightings.js';

type Place = { latDeg: number; lonDeg: number };

/** A square footprint `halfM` each side of `centre`, counter-clockwise (flat earth, as the code under test). */
export function squareAround(centre: Place, halfM: number): Place[] {
  return [
    offset(centre, -halfM, -halfM),
    offset(centre, -halfM, halfM),
    offset(centre, halfM, halfM),
    offset(centre, halfM, -halfM),
  ];
}

/**
 * A view of `footprint` from second `fromS` to `toS` of a recording whose second 0 was taken at T0,
 * seen from straight above its first corner unless `camera` says otherwise.
 */
export function footageView(
  fromS: number,
  toS: number,
  footprint: Place[],
  camera: Partial<FootageCamera> = {},
): FootageView {
  return {
    startOffsetS: fromS,
    endOffsetS: toS,
    startUs: T0_US + fromS * 1e6,
    endUs: T0_US + toS * 1e6,
    footprint,
    camera: { ...footprint[0], altRelM: 60, headingDeg: 0, pitchDeg: -90, ...camera },
  };
}
