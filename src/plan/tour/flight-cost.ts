import { ARDUPILOT_NAV, ENERGY, powerRatio } from '../../energy.js';
import { UserError } from '../../errors.js';
import type { PlanSettings, SitePattern, Waypoint } from '../types.js';

/**
 * What a stretch of flight costs: its time, and its battery in hover-seconds (src/energy.ts: a full
 * battery holds `enduranceS` of them; a second at power ratio r spends r).
 */
export interface Cost {
  timeS: number;
  batteryS: number;
}

const NONE: Cost = { timeS: 0, batteryS: 0 };

/** A horizontal leg of a pattern as the navigator flies it. */
interface Leg {
  speedMs: number;
  headingRad: number;
  /** It also changes height: the copter stops at both ends. */
  climbs: boolean;
}

function plus(...costs: Cost[]): Cost {
  let timeS = 0;
  let batteryS = 0;
  for (const c of costs) {
    timeS += c.timeS;
    batteryS += c.batteryS;
  }
  return { timeS, batteryS };
}

/** Hovering (or standing) for `timeS` at power ratio `ratio`. */
function steady(timeS: number, ratio: number): Cost {
  return { timeS, batteryS: timeS * ratio };
}

/**
 * The objective, kept apart from the algorithms that minimise it: how long a leg, a pattern or a
 * sortie takes and how much battery it uses, flown the way ArduPilot Copter's navigator flies it
 * (src/energy.ts, ARDUPILOT_NAV): horizontal legs on S-curves (WPNAV_ACCEL, WPNAV_JERK), no faster
 * than a leg's length lets the copter reach and brake again, turns blended at the waypoints, a full
 * stop wherever it climbs, descends or holds; take-off, RTL's hover over home and its two-speed
 * landing. Power follows the airspeed and climb rate (ENERGY). The head-wind allowance is flown on
 * every leg: ArduPilot holds its ground speed (DO_CHANGE_SPEED) into the wind, so the wind raises the
 * airspeed and the power, until the airspeed reaches the copter's maximum and the ground speed gives.
 * The tour minimises the battery (the ordering's seconds are hover-seconds); times are for the pilot.
 */
export class FlightCostModel {
  /** Ground speed on a long leg into the head-wind allowance. */
  readonly groundSpeedMs: number;
  /** The battery a full one holds less the reserve, hover-seconds. */
  readonly usableS: number;
  /** Battery per metre of cruise: no leg of any length costs less (the distance bound's rate). */
  readonly batteryPerM: number;

  constructor(readonly settings: PlanSettings) {
    const { cruiseSpeedMs, headwindMs, climbSpeedMs, descentSpeedMs, enduranceS, reservePct } = settings;
    const maxAirspeedMs = ENERGY.maxAirspeedMs;
    if (!(cruiseSpeedMs > 0) || !(headwindMs >= 0) || !(maxAirspeedMs > headwindMs)) {
      throw new UserError(
        `cruise speed ${cruiseSpeedMs} m/s into the head-wind margin ${headwindMs} m/s: the copter flies ` +
          `at most ${maxAirspeedMs} m/s through the air, so it must exceed the head-wind`,
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
    this.groundSpeedMs = Math.min(cruiseSpeedMs, maxAirspeedMs - headwindMs);
    this.usableS = (enduranceS * (100 - reservePct)) / 100;
    this.batteryPerM = powerRatio(this.groundSpeedMs + headwindMs) / this.groundSpeedMs;
  }

  /** A straight horizontal leg from a stop to a stop (a transit between sites). */
  leg(distanceM: number): Cost {
    if (!(distanceM > 0)) return NONE;
    const v = this.legSpeedMs(distanceM);
    return plus(this.cruise(distanceM, v), steady(accelTimeS(v), 1));
  }

  /** A climb or descent between two heights, from a hover to a hover. */
  vertical(fromAltM: number, toAltM: number, speedMs?: number): Cost {
    const dz = toAltM - fromAltM;
    if (dz === 0) return NONE;
    const v = speedMs ?? (dz > 0 ? this.settings.climbSpeedMs : this.settings.descentSpeedMs);
    const climbMs = dz > 0 ? v : -v;
    return plus(steady(Math.abs(dz) / v, powerRatio(0, climbMs)), steady(v / ARDUPILOT_NAV.accelZMs2, 1));
  }

  /**
   * What every sortie pays once: arming and spooling up, the take-off climb to transit altitude, and
   * RTL over the launch point: its hover, the descent to LAND_ALT_LOW, the slow landing, disarming.
   */
  sortieOverhead(): Cost {
    const nav = ARDUPILOT_NAV;
    const transit = this.settings.transitAltitudeRelM;
    const landLow = Math.min(nav.landAltLowM, transit);
    return plus(
      steady(nav.spoolUpS, ENERGY.groundIdle),
      this.vertical(0, transit),
      steady(nav.rtlHoverS, 1),
      this.vertical(transit, landLow),
      this.vertical(landLow, 0, nav.landSpeedMs),
      steady(nav.touchdownS, ENERGY.groundIdle),
    );
  }

  /**
   * Pattern waypoints `fromIndex`..`toIndex` (loop indices may run past the end), flown from a hover
   * over the first to a hover over the last, with the descent from and the climb back to transit
   * altitude.
   */
  pattern(pattern: SitePattern, fromIndex: number, toIndex: number): Cost {
    const wps = pattern.waypoints;
    const loop = loopLength(pattern);
    const at = (i: number) => wps[loop > 0 ? i % loop : i];
    const run: Waypoint[] = [];
    for (let i = fromIndex; i <= toIndex; i++) run.push(at(i));
    const transit = this.settings.transitAltitudeRelM;
    return plus(
      this.vertical(transit, run[0].altRelM),
      this.path(run),
      this.vertical(run[run.length - 1].altRelM, transit),
    );
  }

  /** Battery used, percent of a full one. */
  batteryPct(batteryS: number): number {
    return (batteryS / this.settings.enduranceS) * 100;
  }

  /**
   * Waypoints flown in turn from a hover at the first to a hover at the last. Each leg at the slower of
   * the ground speed and the peak its length allows; at a waypoint the copter turns, blending the
   * S-curves of the two legs, or stops (a hold, a change of height).
   */
  private path(run: Waypoint[]): Cost {
    const costs: Cost[] = run.map((wp) => steady(wp.holdS ?? 0, 1));
    const legs: (Leg | null)[] = [];
    for (let i = 1; i < run.length; i++) {
      const a = run[i - 1];
      const b = run[i];
      const { distanceM, headingRad } = planarStep(a, b);
      const climbs = b.altRelM !== a.altRelM;
      if (climbs) costs.push(this.vertical(a.altRelM, b.altRelM));
      if (distanceM > 0) {
        const speedMs = this.legSpeedMs(distanceM);
        costs.push(this.cruise(distanceM, speedMs));
        legs.push({ speedMs, headingRad, climbs });
      } else {
        legs.push(null);
      }
    }
    for (let k = 0; k < run.length; k++) {
      const into = k > 0 ? legs[k - 1] : null;
      const out = k < legs.length ? legs[k] : null;
      const stops = !into || !out || (run[k].holdS ?? 0) > 0 || into.climbs || out.climbs;
      if (!stops) costs.push(steady(turnTimeS(into, out), 1));
      else
        costs.push(
          steady(((into ? accelTimeS(into.speedMs) : 0) + (out ? accelTimeS(out.speedMs) : 0)) / 2, 1),
        );
    }
    return plus(...costs);
  }

  /** Cruising `distanceM` at ground speed `speedMs` into the head-wind allowance. */
  private cruise(distanceM: number, speedMs: number): Cost {
    return steady(distanceM / speedMs, powerRatio(speedMs + this.settings.headwindMs));
  }

  private legSpeedMs(lengthM: number): number {
    return Math.min(this.groundSpeedMs, peakSpeedMs(lengthM));
  }
}

/** S-curve time from a hover to `speedMs` (WPNAV_ACCEL, WPNAV_JERK); half of it is lost against cruising. */
export function accelTimeS(speedMs: number): number {
  const { accelMs2: a, jerkMs3: j } = ARDUPILOT_NAV;
  return speedMs <= (a * a) / j ? 2 * Math.sqrt(speedMs / j) : speedMs / a + a / j;
}

/**
 * The highest speed a leg of this length lets the navigator reach, accelerating from a stop and
 * braking to one within it: ArduPilot plans each leg's S-curve on its own and only blends the ends
 * (SITL held 5.3, 6.5 and 7.3 m/s on perimeter legs of 26, 35 and 42 m; this gives 5.6, 6.8, 7.6).
 */
export function peakSpeedMs(lengthM: number): number {
  const { accelMs2: a, jerkMs3: j } = ARDUPILOT_NAV;
  const jerkLimited = ((lengthM * Math.sqrt(j)) / 2) ** (2 / 3);
  if (jerkLimited <= (a * a) / j) return jerkLimited;
  const k = (a * a) / j;
  return (-k + Math.sqrt(k * k + 4 * a * lengthM)) / 2;
}

/**
 * Time a waypoint costs over flying both legs at their speeds: a turn through θ blends the braking of
 * one leg into the start of the next, costing θ/π of a full stop (SITL: 3.5 s per 90° corner at
 * 10 m/s, a stop and restart 6.5 s); a straight change of speed costs its own S-curve.
 */
function turnTimeS(from: Leg, to: Leg): number {
  let turn = Math.abs(to.headingRad - from.headingRad) % (2 * Math.PI);
  if (turn > Math.PI) turn = 2 * Math.PI - turn;
  const share = turn / Math.PI;
  const stop = (accelTimeS(from.speedMs) + accelTimeS(to.speedMs)) / 2;
  const dv = Math.abs(to.speedMs - from.speedMs);
  const change = dv > 0 ? (accelTimeS(dv) * dv) / (2 * Math.max(from.speedMs, to.speedMs)) : 0;
  return share * stop + (1 - share) * change;
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
    sum += planarStep(a, b).distanceM;
  }
  return sum;
}

const EARTH_RADIUS_M = 6_378_137;
const DEG = Math.PI / 180;

/**
 * Equirectangular distance and heading (radians clockwise from north), as exact as the local frame
 * over a patrol's few kilometres.
 */
function planarStep(
  a: { latDeg: number; lonDeg: number },
  b: { latDeg: number; lonDeg: number },
): { distanceM: number; headingRad: number } {
  const east = (b.lonDeg - a.lonDeg) * DEG * Math.cos(((a.latDeg + b.latDeg) / 2) * DEG) * EARTH_RADIUS_M;
  const north = (b.latDeg - a.latDeg) * DEG * EARTH_RADIUS_M;
  return { distanceM: Math.hypot(east, north), headingRad: Math.atan2(east, north) };
}
