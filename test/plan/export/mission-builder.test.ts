import { describe, expect, it } from 'vitest';
import { UserError } from '../../../src/errors.js';
import type { MissionItem } from '../../../src/mavlink/mission-item.js';
import { MAV_CMD, MAV_FRAME } from '../../../src/plan/export/mission-builder.js';
import { buildSortieItems } from '../../../src/plan/index.js';
import type { PlanSettings, Sortie, Waypoint } from '../../../src/plan/types.js';
import { at, LAUNCH, settings, shortSortie } from './sorties.js';

/** mulberry32: a small seeded generator, so a failing case can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** A sortie of random waypoints whose camera settings change now and then (often repeating). */
function randomSortie(seed: number, limitM: number): Sortie {
  const rand = random(seed);
  const rois = [null, { ...at(100, 100), altRelM: 0 }, { ...at(-50, 20), altRelM: 5 }];
  const pitches = [-90, -45, -30];
  const waypoints: Waypoint[] = Array.from({ length: 1 + Math.floor(rand() * 40) }, () => {
    const w: Waypoint = {
      ...at((rand() - 0.5) * 3000, (rand() - 0.5) * 3000),
      altRelM: 10 + rand() * (limitM - 10),
      role: rand() < 0.3 ? 'transit' : 'pattern',
    };
    if (rand() < 0.5) w.roi = rois[Math.floor(rand() * rois.length)];
    if (rand() < 0.5) w.gimbalPitchDeg = pitches[Math.floor(rand() * pitches.length)];
    if (rand() < 0.2) w.holdS = Math.round(rand() * 30);
    return w;
  });
  return { ...shortSortie(), waypoints };
}

const isNav = (item: MissionItem) => item.command < 95;

/** An ROI as the mission can carry it. */
function carried(roi: Waypoint['roi']): Waypoint['roi'] {
  if (!roi) return roi;
  const r7 = (v: number) => Math.round(v * 1e7) / 1e7;
  return { latDeg: r7(roi.latDeg), lonDeg: r7(roi.lonDeg), altRelM: Math.round(roi.altRelM * 100) / 100 };
}

/** Checks every property a flyable ArduPilot sortie mission must have, against the sortie. */
function checkMission(items: MissionItem[], sortie: Sortie, s: PlanSettings): void {
  expect(items[0]).toMatchObject({ command: MAV_CMD.NAV_WAYPOINT, frame: MAV_FRAME.GLOBAL });
  expect(items[0].x).toBeCloseTo(sortie.launch.latDeg, 6);
  expect(items[0].y).toBeCloseTo(sortie.launch.lonDeg, 6);
  expect(items[1]).toMatchObject({
    command: MAV_CMD.NAV_TAKEOFF,
    frame: MAV_FRAME.GLOBAL_RELATIVE_ALT,
    z: s.transitAltitudeRelM,
  });
  const firstWaypoint = items.findIndex((item, seq) => seq > 1 && isNav(item));
  const speed = items.slice(2, firstWaypoint).find((item) => item.command === MAV_CMD.DO_CHANGE_SPEED);
  expect(speed).toMatchObject({ frame: MAV_FRAME.MISSION, param2: s.cruiseSpeedMs });
  expect(items.at(-1)).toMatchObject({ command: MAV_CMD.NAV_RETURN_TO_LAUNCH });
  expect(items.filter((item) => item.command === MAV_CMD.NAV_RETURN_TO_LAUNCH)).toHaveLength(1);

  // Walk the mission as the vehicle would: the camera state on each leg matches the sortie's.
  const navs = items.slice(2, -1).filter(isNav);
  expect(navs).toHaveLength(sortie.waypoints.length);
  let roi: Waypoint['roi'] = null;
  let pitchDeg: number | null = null;
  let roiItems = 0;
  let pitchItems = 0;
  let wpIndex = -1;
  let expectedRoi: Waypoint['roi'] = null;
  let expectedPitch: number | null = null;
  const checkLeg = () => {
    if (wpIndex < 0) return;
    expect(roi).toEqual(expectedRoi);
    expect(pitchDeg).toBe(expectedPitch);
  };
  for (const item of items.slice(2, -1)) {
    if (item.command === MAV_CMD.NAV_WAYPOINT) {
      checkLeg();
      wpIndex++;
      const w = sortie.waypoints[wpIndex];
      expect(item.frame).toBe(MAV_FRAME.GLOBAL_RELATIVE_ALT);
      expect(item.x).toBeCloseTo(w.latDeg, 7);
      expect(item.y).toBeCloseTo(w.lonDeg, 7);
      expect(item.z).toBeCloseTo(w.altRelM, 2);
      expect(item.param1).toBe(w.holdS ?? 0);
      if (w.roi !== undefined) expectedRoi = carried(w.roi);
      if (w.gimbalPitchDeg !== undefined) expectedPitch = w.gimbalPitchDeg;
    } else if (item.command === MAV_CMD.DO_SET_ROI_LOCATION) {
      expect(item.frame).toBe(MAV_FRAME.GLOBAL_RELATIVE_ALT);
      const next = { latDeg: item.x, lonDeg: item.y, altRelM: item.z };
      expect(next).not.toEqual(roi);
      roi = next;
      roiItems++;
    } else if (item.command === MAV_CMD.DO_SET_ROI_NONE) {
      expect(item.frame).toBe(MAV_FRAME.MISSION);
      expect(roi).not.toBeNull();
      roi = null;
      roiItems++;
    } else if (item.command === MAV_CMD.DO_MOUNT_CONTROL) {
      expect(item.frame).toBe(MAV_FRAME.MISSION);
      expect(item.param1).not.toBe(pitchDeg);
      pitchDeg = item.param1;
      pitchItems++;
    } else {
      expect(item.command).toBe(MAV_CMD.DO_CHANGE_SPEED);
    }
  }
  checkLeg();

  // Only on change: exactly as many camera items as the sortie has changes.
  let changes = { roi: 0, pitch: 0 };
  let current: { roi: Waypoint['roi']; pitch: number | null } = { roi: null, pitch: null };
  for (const w of sortie.waypoints) {
    if (w.roi !== undefined && JSON.stringify(w.roi) !== JSON.stringify(current.roi)) {
      changes = { ...changes, roi: changes.roi + 1 };
      current = { ...current, roi: w.roi };
    }
    if (w.gimbalPitchDeg !== undefined && w.gimbalPitchDeg !== current.pitch) {
      changes = { ...changes, pitch: changes.pitch + 1 };
      current = { ...current, pitch: w.gimbalPitchDeg };
    }
  }
  expect({ roiItems, pitchItems }).toEqual({ roiItems: changes.roi, pitchItems: changes.pitch });

  for (const item of items.slice(1)) {
    if (item.frame === MAV_FRAME.GLOBAL_RELATIVE_ALT) expect(item.z).toBeLessThanOrEqual(s.maxAltitudeAglM);
    expect(item.autocontinue).toBe(true);
  }
}

describe('sortie → ArduPilot mission items', () => {
  it('the hand-made sortie: home, take-off, speed, perimeter with ROI, point watch with gimbal, RTL', () => {
    const sortie = shortSortie();
    const items = buildSortieItems(sortie, settings());
    checkMission(items, sortie, settings());
    expect(items.map((i) => i.command)).toEqual([16, 22, 178, 16, 16, 195, 16, 16, 16, 16, 197, 205, 16, 20]);
    expect(items[0].z).toBe(LAUNCH.altAmslM);
    // The point watch hovers: param1 is the hold time.
    expect(items[9]).toMatchObject({ command: 16, param1: 3 });
  });

  it('holds for 200 random sorties', () => {
    const s = settings();
    for (let seed = 1; seed <= 200; seed++) {
      const sortie = randomSortie(seed, s.maxAltitudeAglM);
      checkMission(buildSortieItems(sortie, s), sortie, s);
    }
  });

  it('keeps positions to the 1e-7 degree a MISSION_ITEM_INT carries, altitudes and values to 0.01', () => {
    const items = buildSortieItems(randomSortie(7, 120), settings());
    for (const item of items) {
      for (const value of [item.x, item.y]) expect(Math.round(value * 1e7) / 1e7).toBe(value);
      for (const value of [item.z, item.param1, item.param2])
        expect(Math.round(value * 100) / 100).toBe(value);
    }
  });

  it('refuses a waypoint above the altitude limit, naming it', () => {
    const sortie = shortSortie();
    sortie.waypoints[2] = { ...sortie.waypoints[2], altRelM: 121 };
    expect(() => buildSortieItems(sortie, settings())).toThrow(UserError);
    expect(() => buildSortieItems(sortie, settings())).toThrow(
      'sortie 1: waypoint 3 is 121 m above launch, over the 120 m limit',
    );
  });
});
