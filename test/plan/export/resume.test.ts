import { describe, expect, it } from 'vitest';
import { UserError } from '../../../src/errors.js';
import type { MissionItem } from '../../../src/mavlink/index.js';
import { resumeMission } from '../../../src/plan/index.js';

const CMD = {
  WAYPOINT: 16,
  RTL: 20,
  TAKEOFF: 22,
  JUMP: 177,
  CHANGE_SPEED: 178,
  ROI: 195,
  MOUNT: 205,
  TRIGG_DIST: 206,
  SERVO: 183,
};
const GLOBAL = 0;
const MISSION = 2;
const REL = 3;

function item(command: number, frame: number, params: number[] = [], x = 0, y = 0, z = 0): MissionItem {
  const [param1 = 0, param2 = 0, param3 = 0, param4 = 0] = params;
  return { command, frame, param1, param2, param3, param4, x, y, z, autocontinue: true };
}

const wp = (n: number, altRelM = 40) => item(CMD.WAYPOINT, REL, [], 34.72 + n / 1000, 113.63, altRelM);

/** Home, take-off to 30 m, speed, five waypoints with camera changes between them, RTL. */
function patrol(): MissionItem[] {
  return [
    item(CMD.WAYPOINT, GLOBAL, [], 34.72, 113.63, 110), // 0 home
    item(CMD.TAKEOFF, REL, [], 34.72, 113.63, 30), // 1
    item(CMD.CHANGE_SPEED, MISSION, [1, 8, -1]), // 2
    wp(1), // 3
    item(CMD.MOUNT, MISSION, [-45], 0, 0, 2), // 4
    wp(2), // 5
    item(CMD.CHANGE_SPEED, MISSION, [1, 5, -1]), // 6
    item(CMD.ROI, REL, [], 34.725, 113.631, 0), // 7
    item(CMD.SERVO, MISSION, [9, 1500]), // 8
    wp(3, 25), // 9
    item(CMD.MOUNT, MISSION, [-90], 0, 0, 2), // 10
    wp(4), // 11
    wp(5), // 12
    item(CMD.RTL, MISSION), // 13
  ];
}

describe('resumeMission', () => {
  it('continues from the last waypoint reached with the speed and camera settings in effect there', () => {
    const items = patrol();
    const resumed = resumeMission(items, 9);

    expect(resumed[0]).toEqual(items[0]);
    expect(resumed[1]).toMatchObject({ command: CMD.TAKEOFF, frame: REL, x: 0, y: 0, z: 30 });
    // The last speed and the last camera pointing (the ROI, which overrides the mount angle before it),
    // in their original order; a servo is not a setting.
    expect(resumed.slice(2, 4)).toEqual([items[6], items[7]]);
    // Then waypoint 3 itself (the leg into it is flown again) and everything after.
    expect(resumed.slice(4)).toEqual(items.slice(9));
  });

  it('takes off to the resume point when it is higher than the original take-off', () => {
    const items = patrol();
    items[5] = wp(2, 60);
    expect(resumeMission(items, 5)[1].z).toBe(60);
  });

  it('restarts at the first waypoint when only the take-off was reached, and with nothing reached', () => {
    const items = patrol();
    for (const reached of [1, null]) {
      const resumed = resumeMission(items, reached);
      expect(resumed.slice(2)).toEqual([items[2], ...items.slice(3)]);
    }
  });

  it('renumbers a DO_JUMP in the rest of the mission and refuses one that loops back past the resume point', () => {
    const items = patrol();
    items.splice(13, 0, item(CMD.JUMP, MISSION, [9, 2])); // 13: back to waypoint 3, twice
    const resumed = resumeMission(items, 9);
    const jump = resumed.find((i) => i.command === CMD.JUMP) as MissionItem;
    expect(resumed[jump.param1]).toEqual(items[9]);

    expect(() => resumeMission(items, 11)).toThrow(/DO_JUMP at seq 13 jumps back to seq 9/);
  });

  it('says clearly when nothing is left to fly or the seq is out of range', () => {
    const items = patrol();
    expect(() => resumeMission(items, 12)).toThrow(UserError);
    expect(() => resumeMission(items, 12)).toThrow(/nothing left to fly after seq 12/);
    expect(() => resumeMission(items, 13)).toThrow(/nothing left to fly/);
    expect(() => resumeMission(items, 14)).toThrow(/seq 14 is out of range \(the mission's items are 1-13\)/);
    expect(() => resumeMission(items, -1)).toThrow(/not a mission item number/);
    expect(() => resumeMission(items, 2.5)).toThrow(/not a mission item number/);
    expect(() => resumeMission(items.slice(0, 1), null)).toThrow(/no items after home/);
  });
});
