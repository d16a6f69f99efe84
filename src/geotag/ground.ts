import { UserError } from '../errors.js';

/**
 * The ground's elevation, metres AMSL, at a place. A flat model says so with `flatElevationAmslM`, and
 * rays meet it as a plane; any other model (a terrain grid) is marched along.
 */
export interface GroundModel {
  elevationAmslM(latDeg: number, lonDeg: number): number;
  readonly flatElevationAmslM?: number;
}

/** Level ground at one elevation, e.g. the pose's groundAmslM (home elevation). */
export function flatGround(elevationAmslM: number): GroundModel {
  if (!Number.isFinite(elevationAmslM)) {
    throw new UserError(`ground elevation must be a finite number of metres AMSL, got ${elevationAmslM}`);
  }
  return { elevationAmslM: () => elevationAmslM, flatElevationAmslM: elevationAmslM };
}
