import { EventEmitter } from 'node:events';
import { common } from 'node-mavlink';
import { expect, it } from 'vitest';
import type { Vehicle } from '../../src/vehicle/index.js';
import { watchReachedItems } from '../../src/vehicle/reached-items.js';
import { missionItem } from '../helpers/mission-item.js';

const { MavCmd } = common;

/** What the watcher reads of a vehicle: MISSION_ITEM_REACHED ('reached') and MISSION_CURRENT in its state. */
class FakeVehicle extends EventEmitter {
  state = { armed: true, modeName: 'AUTO', missionCurrentSeq: null as number | null };

  current(seq: number, modeName = 'AUTO'): void {
    Object.assign(this.state, { missionCurrentSeq: seq, modeName });
    this.emit('change', this.state);
  }
}

const item = (command: number) => missionItem(command, { z: 30 });
// 0 home, 1 take-off, 2 waypoint, 3 camera (DO), 4 waypoint, 5 waypoint, 6 RTL
const ITEMS = [
  item(MavCmd.NAV_WAYPOINT),
  item(MavCmd.NAV_TAKEOFF),
  item(MavCmd.NAV_WAYPOINT),
  item(MavCmd.DO_MOUNT_CONTROL),
  item(MavCmd.NAV_WAYPOINT),
  item(MavCmd.NAV_WAYPOINT),
  item(MavCmd.NAV_RETURN_TO_LAUNCH),
];

function watch(afterSeq = 0) {
  const vehicle = new FakeVehicle();
  const reached: number[] = [];
  const stop = watchReachedItems(vehicle as unknown as Vehicle, ITEMS, afterSeq, (seq) => reached.push(seq));
  return { vehicle, reached, stop };
}

it('reports each MISSION_ITEM_REACHED once, in order, late repeats ignored', () => {
  const { vehicle, reached } = watch();
  for (const seq of [1, 2, 2, 4, 5]) vehicle.emit('reached', seq);
  expect(reached).toEqual([1, 2, 4, 5]);
});

it('fills in the navigation items a lost MISSION_ITEM_REACHED hid, never a DO command', () => {
  const { vehicle, reached } = watch();
  vehicle.emit('reached', 2); // the take-off's report was lost
  vehicle.emit('reached', 5); // and waypoint 4's
  expect(reached).toEqual([1, 2, 4, 5]);
});

it('infers a lost report from MISSION_CURRENT moving on in AUTO, and not from a stale one before it', () => {
  const { vehicle, reached } = watch();
  vehicle.current(4, 'GUIDED'); // left over from another mission, before AUTO
  vehicle.current(1);
  vehicle.current(2); // take-off done, its report lost
  vehicle.emit('reached', 2);
  vehicle.current(4);
  vehicle.current(6); // 4 and 5 passed while their reports were lost
  vehicle.emit('reached', 5); // a late one: already said
  expect(reached).toEqual([1, 2, 4, 5]);
});

it('after a DO_JUMP back, reports the items again as the vehicle reaches them again', () => {
  const { vehicle, reached } = watch();
  vehicle.current(1);
  for (const seq of [1, 2, 4]) vehicle.emit('reached', seq);
  vehicle.current(5);
  vehicle.current(2); // jumped back
  vehicle.emit('reached', 2);
  vehicle.current(5);
  expect(reached).toEqual([1, 2, 4, 2, 4]);
});

it('an adopted flight: nothing before its last reached seq is inferred; stops when told', () => {
  const { vehicle, reached, stop } = watch(4);
  vehicle.emit('reached', 6);
  stop();
  vehicle.emit('reached', 6);
  expect(reached).toEqual([5, 6]);
});
