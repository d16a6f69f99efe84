import type { SiteLocator } from './attribute.js';
import type { PatrolRecord } from './types.js';

/**
 * Which sites a patrol covered, from its record: the mission it flew (as stored) and how far it got.
 * A site is covered by a navigation waypoint inside it that the vehicle reached, or by a camera ROI
 * inside it once the waypoint before that ROI was reached (ArduPilot points the camera from the leg
 * after that waypoint on). A patrol that completed covered every site its mission visits.
 */

/** MAV_CMDs that fly to a place (common.xml): waypoint, loiters, spline waypoint. */
const NAV_TO_PLACE: ReadonlySet<number> = new Set([16, 17, 18, 19, 31, 82]);
/** MAV_CMD_DO_SET_ROI_LOCATION: the camera looks at a place. */
const DO_SET_ROI_LOCATION = 195;
/** Every MAV_CMD up to this one is a navigation command (NAV_ROI, 80, points the camera instead). */
const NAV_LAST = 95;
const NAV_ROI = 80;
/** MAV_FRAME_MISSION: an item whose x, y are not a place. */
const FRAME_MISSION = 2;

interface StoredItem {
  command: number;
  frame: number;
  x: number;
  y: number;
}

/** The ids of the sites a patrol covered (empty when it reached nothing or its mission cannot be read). */
export function sitesCoveredBy(record: PatrolRecord, reachedSeq: number, locator: SiteLocator): Set<string> {
  const covered = new Set<string>();
  const items = storedItems(record.missionJson);
  let lastNavSeq = 0;
  for (let seq = 1; seq < items.length; seq++) {
    const item = items[seq] as StoredItem;
    const isNav = item.command <= NAV_LAST && item.command !== NAV_ROI;
    const looksAt = item.command === DO_SET_ROI_LOCATION || item.command === NAV_ROI;
    const counts = NAV_TO_PLACE.has(item.command) ? seq <= reachedSeq : looksAt && lastNavSeq <= reachedSeq;
    if (isNav) lastNavSeq = seq;
    if (!counts || item.frame === FRAME_MISSION || (item.x === 0 && item.y === 0)) continue;
    const site = locator.attribute(item.x, item.y, 0).site;
    if (site) covered.add(site.id);
  }
  return covered;
}

/**
 * The highest seq of each record's own mission it reached: all of it once completed. A resumed patrol
 * counts progress in its plan's seqs (the first patrol of that plan, by digest), while its mission
 * has a head of its own; its seqs run ahead by the difference in length.
 */
export function reachedSeqs(records: readonly PatrolRecord[]): Map<PatrolRecord, number> {
  const planLength = new Map<string, number>();
  for (const r of records) {
    if (!planLength.has(r.planDigest)) planLength.set(r.planDigest, storedItems(r.missionJson).length);
  }
  const reached = new Map<PatrolRecord, number>();
  for (const r of records) {
    const length = storedItems(r.missionJson).length;
    if (r.outcome === 'completed') reached.set(r, length);
    else if (r.lastReachedSeq === null) reached.set(r, 0);
    else reached.set(r, r.lastReachedSeq + length - (planLength.get(r.planDigest) ?? length));
  }
  return reached;
}

function storedItems(missionJson: string): StoredItem[] {
  try {
    const stored = JSON.parse(missionJson) as { items?: unknown };
    return Array.isArray(stored.items) ? (stored.items as StoredItem[]) : [];
  } catch {
    return [];
  }
}
