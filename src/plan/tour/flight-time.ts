import { UserError } from '../../errors.js';
import type { PlanSettings, SitePattern } from '../types.js';

/**
 * The objective, kept apart from the algorithms that minimise it: how long a leg, a pattern or a
 * sortie takes and how much battery it uses. Every horizontal leg is flown against the head-wind
 * margin; climbs and descents add their own time. Times only: the simulator's FlightModel is the
 * one that flies (a point mass with drag, wind and limits).
 */
export class FlightTimeModel {
  /** Ground speed into the head-wind margin. */
  readonly groundSpeedMs: number;
  /** Flight time a battery allows once the reserve is set aside. */
  readonly usableS: number;

  constructor(readonly settings: PlanSettings) {
    const { cruiseSpeedMs, headwindMs, climbSpeedMs, descentSpeedMs, enduranceS, reservePct } = settings;
    if (!(cruiseSpeedMs > headwindMs)) {
      throw new UserError(
        `cruise speed ${cruiseSpeedMs} m/s must exceed the head-wind margin ${headwindMs} m/s`,
      );
    }
    if (!(climbSpeedMs > 0) || !(descentSpeedMs > 0)) {
      throw new UserError(
        `climb and descent speeds must be positive (${climbSpeedMs}, ${descentSpeedMs} m/s)`,
      );
    }
    if (!(enduranceS > 0) || !(reservePct >= 0 && reservePct < 100)) {
      throw new UserError(`endurance ${enduranceS} s and reserve ${reservePct} % leave no usable battery`);
    }
    this.groundSpeedMs = cruiseSpeedMs - headwindMs;
    this.usableS = (enduranceS * (100 - reservePct)) / 100;
  }

  horizontalTimeS(distanceM: number): number {
    return distanceM / this.groundSpeedMs;
  }

  verticalTimeS(fromAltM: number, toAltM: number): number {
    const dz = toAltM - fromAltM;
    return dz >= 0 ? dz / this.settings.climbSpeedMs : -dz / this.settings.descentSpeedMs;
  }

  /** Take-off climb to transit altitude plus the final descent: what every sortie pays once. */
  sortieOverheadS(): number {
    const { transitAltitudeRelM: transit } = this.settings;
    return this.verticalTimeS(0, transit) + this.verticalTimeS(transit, 0);
  }

  /**
   * Time to fly pattern waypoints `fromIndex`..`toIndex` (loop indices may run past the end), descent
   * from and climb back to transit altitude included. The pattern's own time (turns, holds) is
   * prorated by length and its moving part slowed by the head-wind margin.
   */
  patternTimeS(pattern: SitePattern, fromIndex: number, toIndex: number): number {
    const wps = pattern.waypoints;
    const loop = loopLength(pattern);
    const at = (i: number) => wps[loop > 0 ? i % loop : i];
    let holdS = 0;
    let totalHoldS = 0;
    for (const wp of wps) totalHoldS += wp.holdS ?? 0;
    for (let i = fromIndex; i <= toIndex; i++) holdS += at(i).holdS ?? 0;
    const lengthM = visitLengthM(pattern, fromIndex, toIndex);
    const share = pattern.lengthM > 0 ? lengthM / pattern.lengthM : 1;
    const movingS = Math.max(0, pattern.timeS - totalHoldS) * share;
    const first = at(fromIndex).altRelM;
    const last = at(toIndex).altRelM;
    const transit = this.settings.transitAltitudeRelM;
    return (
      (movingS * this.settings.cruiseSpeedMs) / this.groundSpeedMs +
      holdS +
      this.verticalTimeS(transit, first) +
      this.verticalTimeS(last, transit)
    );
  }

  batteryPct(timeS: number): number {
    return (timeS / this.settings.enduranceS) * 100;
  }
}

/** Distinct vertices of a closed pattern (its last waypoint repeats the first); 0 for an open one. */
export function loopLength(pattern: SitePattern): number {
  return pattern.closed && pattern.waypoints.length > 1 ? pattern.waypoints.length - 1 : 0;
}

/** Length flown over pattern waypoints `fromIndex`..`toIndex`: the pattern's own when it is all of it. */
export function visitLengthM(pattern: SitePattern, fromIndex: number, toIndex: number): number {
  const whole = toIndex - fromIndex === pattern.waypoints.length - 1;
  return whole ? pattern.lengthM : pathLengthM(pattern, fromIndex, toIndex);
}

/** Horizontal length along pattern waypoints `fromIndex`..`toIndex`, loop indices wrapping. */
function pathLengthM(pattern: SitePattern, fromIndex: number, toIndex: number): number {
  const wps = pattern.waypoints;
  const loop = loopLength(pattern);
  let sum = 0;
  for (let i = fromIndex; i < toIndex; i++) {
    const a = wps[loop > 0 ? i % loop : i];
    const b = wps[loop > 0 ? (i + 1) % loop : i + 1];
    sum += geoDistanceM(a.latDeg, a.lonDeg, b.latDeg, b.lonDeg);
  }
  return sum;
}

const EARTH_RADIUS_M = 6_378_137;
const DEG = Math.PI / 180;

/** Equirectangular distance, as exact as the local frame over a patrol's few kilometres. */
function geoDistanceM(latA: number, lonA: number, latB: number, lonB: number): number {
  const x = (lonB - lonA) * DEG * Math.cos(((latA + latB) / 2) * DEG);
  const y = (latB - latA) * DEG;
  return EARTH_RADIUS_M * Math.hypot(x, y);
}
