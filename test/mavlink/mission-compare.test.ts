import { common } from 'node-mavlink';
import { describe, expect, it } from 'vitest';
import { type MissionItem, missionsDiffer } from '../../src/mavlink/index.js';
import { loadMissionFile, toMissionItems } from '../../src/plan/index.js';
import { REPO_ROOT } from '../helpers/cli.js';
import { missionItem } from '../helpers/mission-item.js';

const { MavCmd, MavFrame } = common;
const WP = { x: 34.7256, y: 113.6309, z: 30 };

/** What ArduPilot reads back: unused (NaN) params as 0, items without a position in frame 0. */
const asArduPilotStores = (items: MissionItem[]): MissionItem[] =>
  items.map((item) => ({
    ...item,
    frame: item.frame === MavFrame.MISSION ? MavFrame.GLOBAL : item.frame,
    param1: Number.isNaN(item.param1) ? 0 : item.param1,
    param2: Number.isNaN(item.param2) ? 0 : item.param2,
    param3: Number.isNaN(item.param3) ? 0 : item.param3,
    param4: Number.isNaN(item.param4) ? 0 : item.param4,
  }));

describe('comparing a plan with the mission on board', () => {
  it('accepts the QGroundControl demo plan (unused params null) as ArduPilot reads it back', async () => {
    const planned = toMissionItems(await loadMissionFile(`${REPO_ROOT}/missions/demo.plan`));
    expect(planned.some((item) => Number.isNaN(item.param4))).toBe(true);
    expect(planned.some((item) => item.frame === MavFrame.MISSION)).toBe(true);
    expect(missionsDiffer(planned, asArduPilotStores(planned), { skipHome: true })).toBeUndefined();
  });

  it('lets an item planned without a position (MAV_FRAME_MISSION) be in any frame on the vehicle', () => {
    const rtl = missionItem(MavCmd.NAV_RETURN_TO_LAUNCH, { frame: MavFrame.MISSION });
    const planned = [missionItem(MavCmd.NAV_WAYPOINT), rtl];
    expect(
      missionsDiffer(planned, [planned[0], { ...rtl, frame: MavFrame.GLOBAL }], { skipHome: true }),
    ).toBeUndefined();
  });

  it('lets a NaN in the plan match any value on the vehicle', () => {
    const planned = [
      missionItem(MavCmd.NAV_WAYPOINT),
      missionItem(MavCmd.NAV_WAYPOINT, { ...WP, param4: NaN }),
    ];
    for (const onBoard of [0, Number.NaN, 90]) {
      const vehicle = [planned[0], { ...planned[1], param4: onBoard }];
      expect(missionsDiffer(planned, vehicle, { skipHome: true })).toBeUndefined();
    }
  });

  it('still reports every other difference with its seq and field', () => {
    const planned = [
      missionItem(MavCmd.NAV_WAYPOINT),
      missionItem(MavCmd.NAV_WAYPOINT, { ...WP, param1: 5, param4: NaN }),
    ];
    const differ = (change: Partial<MissionItem>) =>
      missionsDiffer(planned, [planned[0], { ...planned[1], ...change }], { skipHome: true });
    expect(differ({ param1: 0 })).toBe('seq 1, field param1: expected 5, vehicle has 0');
    expect(differ({ z: 45 })).toBe('seq 1, field z: expected 30, vehicle has 45');
    expect(differ({ frame: MavFrame.GLOBAL })).toBe('seq 1, field frame: expected 3, vehicle has 0');
    expect(differ({ x: 34.7257 })).toBe('seq 1, field x: expected 34.7256, vehicle has 34.7257');
    // A value planned is not satisfied by NaN on the vehicle.
    const zeroPlanned = [planned[0], { ...planned[1], param4: 0 }];
    expect(missionsDiffer(zeroPlanned, [planned[0], planned[1]], { skipHome: true })).toBe(
      'seq 1, field param4: expected 0, vehicle has NaN',
    );
    expect(missionsDiffer(planned, planned.slice(0, 1), { skipHome: true })).toBe(
      'vehicle has 1 items, expected 2',
    );
  });
});
