import { distanceM, turnRad, type Vec2 } from '../../geo/index.js';
import type { Swath } from './sweep/swaths.js';

/**
 * Acceleration a multirotor uses between waypoints (ArduPilot's WPNAV_ACCEL default). A full stop
 * and restart costs speed / accel seconds over flying straight through; a turn costs its share of that.
 */
export const WAYPOINT_ACCEL_MS2 = 2.5;

export function turnPenaltyS(turnAngleRad: number, speedMs: number): number {
  return (Math.abs(turnAngleRad) / Math.PI) * (speedMs / WAYPOINT_ACCEL_MS2);
}

/** Objective for every pattern: time to fly the path at speedMs, turns included. */
export function pathTimeS(points: readonly Vec2[], speedMs: number): number {
  let timeS = 0;
  let prev: Vec2 | null = null;
  for (let i = 1; i < points.length; i++) {
    const legM = distanceM(points[i - 1], points[i]);
    if (legM === 0) continue;
    timeS += legM / speedMs;
    if (prev) timeS += turnPenaltyS(turnRad(prev, points[i - 1], points[i]), speedMs);
    prev = points[i - 1];
  }
  return timeS;
}

/**
 * A floor under pathTimeS for any route through these groups of transects (each group flown in
 * order, turning back between transects): their lengths, the gaps between them, and the cost of
 * turning through π at each reversal, however the turn is split. Links between groups only add.
 */
export function swathsLowerBoundS(groups: readonly Swath[][], speedMs: number): number {
  let lengthM = 0;
  let reversals = 0;
  for (const group of groups) {
    group.forEach((s, i) => {
      lengthM += s.toXM - s.fromXM;
      if (i > 0) lengthM += Math.abs(s.yM - group[i - 1].yM);
    });
    reversals += Math.max(0, group.length - 1);
  }
  return lengthM / speedMs + reversals * turnPenaltyS(Math.PI, speedMs);
}
