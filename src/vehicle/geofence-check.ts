import { common } from 'node-mavlink';
import { LocalFrame, pointInRing, type Vec2 } from '../geo/index.js';
import type { ReceivedMessage } from '../mavlink/index.js';
import type { GeoFence } from '../plan/index.js';

/**
 * Where a position stands against a plan's geofence, as ArduPilot judges it: inside every inclusion
 * zone and outside every exclusion zone (AC_PolyFence_loader::breached). Returns a short reason for a
 * breach ("outside inclusion polygon 1"), or null when the position is allowed.
 */
export function fenceBreach(fence: GeoFence, position: { latDeg: number; lonDeg: number }): string | null {
  const frame = new LocalFrame({ ...position, altAmslM: 0 });
  const plane = (p: { latDeg: number; lonDeg: number }): Vec2 => {
    const local = frame.toLocal(p.latDeg, p.lonDeg, 0);
    return { x: local.eastM, y: local.northM };
  };
  const here: Vec2 = { x: 0, y: 0 };
  for (const [i, polygon] of fence.polygons.entries()) {
    if (polygon.vertices.length < 3) continue;
    const inside = pointInRing(here, polygon.vertices.map(plane));
    if (polygon.inclusion && !inside) return `outside inclusion polygon ${i + 1}`;
    if (!polygon.inclusion && inside) return `inside exclusion polygon ${i + 1}`;
  }
  for (const [i, circle] of fence.circles.entries()) {
    const centre = plane(circle.center);
    const distanceM = Math.hypot(centre.x, centre.y);
    const where = `${distanceM.toFixed(0)} m from its centre, radius ${circle.radiusM} m`;
    if (circle.inclusion && distanceM > circle.radiusM) return `outside inclusion circle ${i + 1} (${where})`;
    if (!circle.inclusion && distanceM < circle.radiusM) return `inside exclusion circle ${i + 1} (${where})`;
  }
  return null;
}

export function fenceIsEmpty(fence: GeoFence | undefined): boolean {
  return !fence || (fence.polygons.length === 0 && fence.circles.length === 0);
}

const BREACH_TYPES: Record<number, string> = {
  1: 'below the minimum altitude',
  2: 'above the maximum altitude',
  3: 'outside the boundary',
};

/** A FENCE_STATUS that reports a breach, as a short reason; null for any other message or no breach. */
export function reportedBreach(rx: ReceivedMessage): string | null {
  const m = rx.message;
  if (!(m instanceof common.FenceStatus) || m.breachStatus === 0) return null;
  return `the vehicle reports a fence breach (${BREACH_TYPES[m.breachType] ?? `type ${m.breachType}`})`;
}
