import { UserError } from '../../errors.js';
import { centreWithin, distanceM, pointInPolygon } from '../../geo/index.js';
import type { SitePattern } from '../types.js';
import type { PatternContext } from './context.js';
import { keepOutOf } from './obstacles.js';
import { groundRoi, patternWaypoint, pitchTowardDeg } from './waypoints.js';

const DIAGONAL = Math.SQRT1_2;
/** Where the hover point may go, in order of preference: south first, then round the compass. */
const DIRECTIONS: readonly [name: string, east: number, north: number][] = [
  ['south', 0, -1],
  ['south-west', -DIAGONAL, -DIAGONAL],
  ['south-east', DIAGONAL, -DIAGONAL],
  ['west', -1, 0],
  ['east', 1, 0],
  ['north-west', -DIAGONAL, DIAGONAL],
  ['north-east', DIAGONAL, DIAGONAL],
  ['north', 0, 1],
];

/**
 * Point watch: hover perimeterOffsetM beyond the site's edge, south of its centre unless a no-fly
 * zone is there, for pointWatchHoldS, looking at the centre.
 */
export function pointWatchPattern(ctx: PatternContext): SitePattern {
  const target = centreWithin(ctx.polygons);
  const keepOut = keepOutOf(ctx.obstacles);
  const outerPoints = ctx.polygons.flatMap((p) => p.outer);
  for (const [name, east, north] of DIRECTIONS) {
    const reachM = Math.max(...outerPoints.map((p) => (p.x - target.x) * east + (p.y - target.y) * north));
    const standM = reachM + ctx.settings.perimeterOffsetM;
    const hover = { x: target.x + east * standM, y: target.y + north * standM };
    if (keepOut.some((p) => pointInPolygon(hover, p))) continue;
    return {
      siteId: ctx.site.id,
      kind: 'point',
      waypoints: [
        patternWaypoint(ctx, hover, {
          holdS: ctx.settings.pointWatchHoldS,
          roi: groundRoi(ctx, target),
          gimbalPitchDeg: pitchTowardDeg(ctx, distanceM(hover, target)),
        }),
      ],
      lengthM: 0,
      timeS: ctx.settings.pointWatchHoldS,
      reversible: true,
      closed: false,
      notes: name === 'south' ? [] : [`hovers ${name} of the site: no-fly zones are nearer elsewhere`],
    };
  }
  throw new UserError(`site ${ctx.site.id} (feature ${ctx.site.featureIndex}): no-fly zones surround it`);
}
