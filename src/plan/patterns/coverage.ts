import { UserError } from '../../errors.js';
import { pathLengthM } from '../../geo/index.js';
import type { SitePattern } from '../types.js';
import { swathSpacing } from './camera.js';
import type { PatternContext } from './context.js';
import { NO_FLY_MARGIN_M } from './obstacles.js';
import { bestCoverageRoute, coverageProblem } from './sweep/index.js';
import { patternWaypoint } from './waypoints.js';

/**
 * Room past the site's edge at each end of a transect, for the vehicle to settle on the next line
 * before the camera reaches the site; cut back (turning inside) where a no-fly zone is closer.
 */
export const TURNAROUND_M = 10;

/** Area coverage at the fastest sweep direction, or at headingDeg when given. */
export function coveragePattern(ctx: PatternContext, headingDeg?: number): SitePattern {
  const { swathWidthM, spacingM } = swathSpacing(ctx.settings, ctx.altitudeRelM);
  const problem = coverageProblem(ctx.polygons, ctx.obstacles, spacingM, TURNAROUND_M);
  const headings = headingDeg === undefined ? undefined : [(headingDeg * Math.PI) / 180];
  const route = bestCoverageRoute(problem, ctx.settings.cruiseSpeedMs, headings);
  const zones = ctx.obstacles.map((o) => o.id).join(', ');
  if (!route) {
    throw new UserError(
      `site ${ctx.site.id} (feature ${ctx.site.featureIndex}): ` +
        `no coverage route keeps ${NO_FLY_MARGIN_M} m from no-fly zones ${zones}`,
    );
  }
  const sweepHeadingDeg = (route.headingRad * 180) / Math.PI;
  const notes = [
    `transects at ${sweepHeadingDeg.toFixed(1)}°, ${route.decomposition}, ` +
      `swath ${swathWidthM.toFixed(1)} m every ${spacingM.toFixed(1)} m`,
  ];
  if (zones) notes.push(`keeps ${NO_FLY_MARGIN_M} m from no-fly zones ${zones}`);
  return {
    siteId: ctx.site.id,
    kind: 'coverage',
    // Camera straight down from either end, so the pattern may be flown backwards.
    waypoints: route.path.map((p, i) =>
      patternWaypoint(
        ctx,
        p,
        i === 0 || i === route.path.length - 1 ? { gimbalPitchDeg: -90, roi: null } : {},
      ),
    ),
    lengthM: pathLengthM(route.path),
    timeS: route.timeS,
    reversible: true,
    closed: false,
    sweepHeadingDeg,
    notes,
  };
}
