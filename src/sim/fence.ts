import { type LocalFrame, pointInRing, type Vec2 } from '../geo/index.js';
import type { MissionItem } from '../mavlink/index.js';

/** MAV_CMDs of MAV_MISSION_TYPE_FENCE items (common.xml). */
const POLYGON_INCLUSION = 5001;
const POLYGON_EXCLUSION = 5002;
const CIRCLE_INCLUSION = 5003;
const CIRCLE_EXCLUSION = 5004;

interface Zone {
  inclusion: boolean;
  /** A polygon's vertices in the local plane (x east, y north), or a circle's centre and radius. */
  ring?: Vec2[];
  circle?: { centre: Vec2; radiusM: number };
}

/**
 * The uploaded geofence, judged as ArduPilot's polygon fence does (FENCE_TYPE's polygon bit): the
 * vehicle must be inside every inclusion zone and outside every exclusion zone. Polygon vertices come
 * in runs whose param1 is the vertex count. The altitude limits and the home-centred circle of
 * FENCE_TYPE are not simulated.
 */
export class SimFence {
  private zones: Zone[] = [];

  constructor(private readonly frame: LocalFrame) {}

  /** Reads the stored fence items; malformed runs are skipped (ArduPilot refuses them at upload). */
  load(items: MissionItem[]): void {
    const plane = (item: MissionItem): Vec2 => {
      const p = this.frame.toLocal(item.x, item.y, 0);
      return { x: p.eastM, y: p.northM };
    };
    const zones: Zone[] = [];
    for (let i = 0; i < items.length; ) {
      const item = items[i];
      if (item.command === POLYGON_INCLUSION || item.command === POLYGON_EXCLUSION) {
        const count = Math.round(item.param1);
        const run = items.slice(i, i + Math.max(count, 1));
        if (count >= 3 && run.length === count && run.every((v) => v.command === item.command)) {
          zones.push({ inclusion: item.command === POLYGON_INCLUSION, ring: run.map(plane) });
        }
        i += Math.max(count, 1);
        continue;
      }
      if (item.command === CIRCLE_INCLUSION || item.command === CIRCLE_EXCLUSION) {
        zones.push({
          inclusion: item.command === CIRCLE_INCLUSION,
          circle: { centre: plane(item), radiusM: item.param1 },
        });
      }
      i++;
    }
    this.zones = zones;
  }

  get empty(): boolean {
    return this.zones.length === 0;
  }

  /** True when the local position (north, east) is outside what the fence allows. */
  breached(northM: number, eastM: number): boolean {
    const p: Vec2 = { x: eastM, y: northM };
    return this.zones.some((zone) => {
      const inside = zone.ring
        ? pointInRing(p, zone.ring)
        : zone.circle
          ? Math.hypot(p.x - zone.circle.centre.x, p.y - zone.circle.centre.y) <= zone.circle.radiusM
          : true;
      return zone.inclusion ? !inside : inside;
    });
  }
}
