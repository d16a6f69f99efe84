import { type PlanePolygon, type Ring, subtractPolygons, type Vec2 } from '../../../geo/index.js';
import { pathTimeS, swathsLowerBoundS } from '../objective.js';
import { keepOutOf, type Obstacle } from '../obstacles.js';
import {
  type CoverageProblem,
  type Decomposition,
  flyableCells,
  ringsIn,
  wholeSite,
} from './decompositions.js';
import { candidateHeadingsRad } from './headings.js';
import { routeSwaths } from './route.js';
import { placeSwaths, type Swath } from './swaths.js';
import { SweepFrame } from './sweep-frame.js';

export interface CoverageRoute {
  headingRad: number;
  /** Which decomposition gave it. */
  decomposition: string;
  path: Vec2[];
  timeS: number;
}

export function coverageProblem(
  site: PlanePolygon[],
  obstacles: Obstacle[],
  spacingM: number,
  turnaroundM: number,
): CoverageProblem {
  const flyable = obstacles.length > 0 ? subtractPolygons(site, keepOutOf(obstacles)) : site;
  return { site, flyable, obstacles, spacingM, turnaroundM };
}

/**
 * Headings at which cells are tried when straight lines also work there: the best few by the lines'
 * own time. Cells only gain where lines cross a gap, and then mostly near the lines' best heading.
 */
const CELL_HEADINGS = 4;

/**
 * Coverage as stages (decomposition → swaths → route) under one objective, flight time: the fastest
 * route over every heading and decomposition. Straight lines across the whole site are tried first;
 * cells where those lines fail (a keep-out area cuts them) and at the most promising headings where
 * they cross a gap in the site (elsewhere cells would fly the same lines with more turns). Cells
 * are only routed when their swaths alone could beat the best so far.
 */
export function bestCoverageRoute(
  problem: CoverageProblem,
  speedMs: number,
  headingsRad: readonly number[] = candidateHeadingsRad(problem.site),
): CoverageRoute | null {
  let best: CoverageRoute | null = null;
  const consider = (frame: SweepFrame, decomposition: string, groups: Swath[][]): number => {
    if (best && swathsLowerBoundS(groups, speedMs) >= best.timeS) return Infinity;
    const path = routeSwaths(groups, frame, problem.obstacles);
    if (!path) return Infinity;
    const timeS = pathTimeS(path, speedMs);
    if (!best || timeS < best.timeS) best = { headingRad: frame.headingRad, decomposition, path, timeS };
    return timeS;
  };
  const blocked: SweepFrame[] = [];
  const gapped: { frame: SweepFrame; timeS: number }[] = [];
  for (const headingRad of headingsRad) {
    const frame = new SweepFrame(headingRad);
    const lines = swathGroups(problem, frame, wholeSite);
    if (!lines) blocked.push(frame);
    else {
      const timeS = consider(frame, 'across gaps', lines);
      if (crossesGap(lines[0], ringsIn(frame, problem.site))) gapped.push({ frame, timeS });
    }
  }
  gapped.sort((a, b) => a.timeS - b.timeS);
  for (const frame of [...blocked, ...gapped.slice(0, CELL_HEADINGS).map((g) => g.frame)]) {
    const cells = swathGroups(problem, frame, flyableCells);
    if (cells) consider(frame, 'by cells', cells);
  }
  return best;
}

/**
 * True when some transect's line runs out of the site and back in (a notch, a hole, another part)
 * or misses it altogether.
 */
function crossesGap(swaths: readonly Swath[], siteRings: readonly Ring[]): boolean {
  return swaths.some((s) => {
    let crossings = 0;
    for (const ring of siteRings) {
      for (let i = 0; i < ring.length; i++) {
        const a = ring[i];
        const b = ring[(i + 1) % ring.length];
        if (a.y > s.yM !== b.y > s.yM) crossings++;
      }
    }
    return crossings !== 2;
  });
}

/** Each band's transects; null when a keep-out area cuts one. */
function swathGroups(problem: CoverageProblem, frame: SweepFrame, bands: Decomposition): Swath[][] | null {
  const keepOut = ringsIn(frame, keepOutOf(problem.obstacles));
  const groups: Swath[][] = [];
  for (const { band, reach } of bands(problem, frame)) {
    const swaths = placeSwaths(band, problem.spacingM, problem.turnaroundM, keepOut, reach);
    if (!swaths) return null;
    groups.push(swaths);
  }
  return groups;
}
