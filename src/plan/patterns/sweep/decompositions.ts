import { type PlanePolygon, pointInRing, type Ring, type Vec2 } from '../../../geo/index.js';
import { keepOutOf, NO_FLY_MARGIN_M, type Obstacle } from '../obstacles.js';
import { type Band, bandOf, extentInStrip } from './band.js';
import { decompose } from './decompose.js';
import type { Reach } from './swaths.js';
import type { SweepFrame } from './sweep-frame.js';

/** A site to sweep, in its metric frame. */
export interface CoverageProblem {
  site: PlanePolygon[];
  /** The site less the no-fly keep-out areas: what may be flown over. */
  flyable: PlanePolygon[];
  obstacles: Obstacle[];
  spacingM: number;
  turnaroundM: number;
}

/** Stretches of the site to lay transects over, each with what its transects must see beyond it. */
export type Decomposition = (problem: CoverageProblem, frame: SweepFrame) => { band: Band; reach: Reach }[];

export function ringsIn(frame: SweepFrame, polygons: readonly PlanePolygon[]): Ring[] {
  return polygons.flatMap((p) => [p.outer, ...p.holes]).map((r) => frame.ringToSweep(r));
}

/**
 * The whole site as one band: transects fly straight across notches, holes and gaps between parts,
 * the cheapest way when what lies between is not no-fly (a transect cut by a keep-out area fails).
 */
export const wholeSite: Decomposition = (problem, frame) => [
  { band: bandOf(ringsIn(frame, problem.site)), reach: { belowM: 0, aboveM: 0 } },
];

/**
 * Boustrophedon cells of what may be flown, each swept on its own. A cell that ends against a
 * keep-out area also sees the strip of site the area hides.
 */
export const flyableCells: Decomposition = (problem, frame) => {
  const keepOut = ringsIn(frame, keepOutOf(problem.obstacles));
  const site = ringsIn(frame, problem.site);
  return decompose(ringsIn(frame, problem.flyable)).map((band) => ({
    band,
    reach: {
      belowM: hiddenBeyond(band, band.yMinM, -1, site, keepOut) ? NO_FLY_MARGIN_M : 0,
      aboveM: hiddenBeyond(band, band.yMaxM, 1, site, keepOut) ? NO_FLY_MARGIN_M : 0,
    },
  }));
};

/** Distance past a cell's edge at which to look for site area under a keep-out area. */
const PROBE_M = 0.5;

/** True when just past the band's edge at yEdgeM (side -1 below, +1 above) is site under a keep-out area. */
function hiddenBeyond(band: Band, yEdgeM: number, side: -1 | 1, site: Ring[], keepOut: Ring[]): boolean {
  const edge = extentInStrip(band.edges, yEdgeM, yEdgeM);
  if (!edge) return false;
  const probe = { x: (edge.minXM + edge.maxXM) / 2, y: yEdgeM + side * PROBE_M };
  return insideEvenOdd(probe, site) && keepOut.some((r) => pointInRing(probe, r));
}

function insideEvenOdd(p: Vec2, rings: readonly Ring[]): boolean {
  return rings.reduce((inside, r) => (pointInRing(p, r) ? !inside : inside), false);
}
