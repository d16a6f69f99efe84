import { planeToLatLon, type Vec2 } from '../../geo/index.js';
import type { Waypoint } from '../types.js';
import type { PatternContext } from './context.js';

type CameraFields = Pick<Waypoint, 'holdS' | 'roi' | 'gimbalPitchDeg'>;

/** A pattern waypoint at the pattern altitude over plane point p, with what the camera does there. */
export function patternWaypoint(ctx: PatternContext, p: Vec2, camera: CameraFields = {}): Waypoint {
  const { latDeg, lonDeg } = planeToLatLon(p, ctx.frame);
  const wp: Waypoint = { latDeg, lonDeg, altRelM: ctx.altitudeRelM, role: 'pattern', siteId: ctx.site.id };
  if (camera.holdS !== undefined) wp.holdS = camera.holdS;
  if (camera.roi !== undefined) wp.roi = camera.roi;
  if (camera.gimbalPitchDeg !== undefined) wp.gimbalPitchDeg = camera.gimbalPitchDeg;
  return wp;
}

/** A camera target on the ground at plane point p. */
export function groundRoi(ctx: PatternContext, p: Vec2): NonNullable<Waypoint['roi']> {
  const { latDeg, lonDeg } = planeToLatLon(p, ctx.frame);
  return { latDeg, lonDeg, altRelM: 0 };
}

/** Gimbal pitch, degrees (negative down), from the pattern altitude to a ground point horizontalM away. */
export function pitchTowardDeg(ctx: PatternContext, horizontalM: number): number {
  return (-Math.atan2(ctx.altitudeRelM, horizontalM) * 180) / Math.PI;
}
