import { isNavCommand, type MissionItem } from '../mavlink/index.js';
import type { VehicleState } from './state.js';
import type { Vehicle } from './vehicle.js';

/**
 * Calls `onReached(seq)` for every mission item the vehicle reaches, in mission order: from
 * MISSION_ITEM_REACHED, and where one was lost on the way (a radio drops packets; so does a loaded
 * ground station's socket) from the navigation items the vehicle has gone past: a later item reached,
 * or MISSION_CURRENT moving on in AUTO. ArduPilot reports the items it verifies (navigation and
 * conditions), not a DO command it passes through, so only navigation items are inferred.
 * `afterSeq`: items up to it were reached before (home, or an adopted flight's progress). Returns the
 * function that stops watching.
 */
export function watchReachedItems(
  vehicle: Vehicle,
  items: MissionItem[],
  afterSeq: number,
  onReached: (seq: number) => void,
): () => void {
  let lastSeq = afterSeq;
  /** Reported since the mission last went back (a DO_JUMP), so a late or repeated report is not said twice. */
  const reported = new Set<number>();
  /** MISSION_CURRENT as last seen in AUTO; null until seen, so a stale one from before AUTO infers nothing. */
  let currentSeq: number | null = null;
  const report = (seq: number) => {
    reported.add(seq);
    lastSeq = Math.max(lastSeq, seq);
    onReached(seq);
  };
  const passedUpTo = (seq: number) => {
    for (let s = lastSeq + 1; s < seq; s++) {
      const item = items[s];
      if (item && isNavCommand(item.command) && !reported.has(s)) report(s);
    }
  };
  const onItemReached = (seq: number) => {
    if (reported.has(seq)) return;
    passedUpTo(seq);
    report(seq);
  };
  const onChange = (state: VehicleState) => {
    const seq = state.missionCurrentSeq;
    if (seq === null || state.modeName !== 'AUTO' || !state.armed) return;
    if (currentSeq !== null && seq < currentSeq) {
      // Back to an earlier item (DO_JUMP): its items will be reached again.
      reported.clear();
      lastSeq = seq - 1;
    } else if (currentSeq !== null && seq > currentSeq) passedUpTo(seq);
    currentSeq = seq;
  };
  vehicle.on('reached', onItemReached);
  vehicle.on('change', onChange);
  return () => {
    vehicle.off('reached', onItemReached);
    vehicle.off('change', onChange);
  };
}
