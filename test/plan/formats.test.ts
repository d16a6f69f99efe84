import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import type { MissionItem } from '../../src/mavlink/mission-item.js';
import {
  fromMissionItems,
  loadMissionFile,
  type MissionPlan,
  parseQgcPlan,
  parseWaypoints,
  toMissionItems,
  writeQgcPlan,
  writeWaypoints,
} from '../../src/plan/index.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const FIXTURES = path.join(ROOT, 'fixtures/plans');
const SURVEY_PLAN = path.join(FIXTURES, 'site-survey.plan');
const PATROL_WAYPOINTS = path.join(FIXTURES, 'site-patrol.waypoints');

// biome-ignore lint/suspicious/noExplicitAny: test documents are edited freely before parsing
type JsonDoc = any;

const surveyText = fs.readFileSync(SURVEY_PLAN, 'utf8');
const patrolText = fs.readFileSync(PATROL_WAYPOINTS, 'utf8');

function surveyDoc(): JsonDoc {
  return JSON.parse(surveyText);
}

function planText(edit: (doc: JsonDoc) => void): string {
  const doc = surveyDoc();
  edit(doc);
  return JSON.stringify(doc, null, 4);
}

function messageOf(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    return (err as Error).message;
  }
  throw new Error('expected a UserError');
}

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dustpatrol-plan-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('QGroundControl .plan', () => {
  it('loads the survey fixture: home, items with the survey flattened, fence and rally points', async () => {
    const plan = await loadMissionFile(SURVEY_PLAN);
    expect(plan.source).toBe(SURVEY_PLAN);
    expect(plan.home).toEqual({ latDeg: 34.7245, lonDeg: 113.6302, altAmslM: 110 });
    expect(plan).toMatchObject({ firmwareType: 3, vehicleType: 2, cruiseSpeedMs: 15, hoverSpeedMs: 5 });
    // takeoff, change speed, waypoint, 18 survey items, RTL
    expect(plan.items).toHaveLength(22);
    expect(plan.items[0]).toEqual({
      command: 22,
      frame: 3,
      param1: 0,
      param2: 0,
      param3: 0,
      param4: Number.NaN,
      x: 34.7245,
      y: 113.6302,
      z: 30,
      autocontinue: true,
    });
    const survey = plan.items.slice(3, 21);
    expect(survey.filter((i) => i.command === 206).map((i) => i.param1)).toEqual([25, 0]);
    const legs = survey.filter((i) => i.command === 16);
    expect(legs).toHaveLength(16);
    for (const leg of legs) {
      expect(leg).toMatchObject({ frame: 3, z: 40 });
      expect(leg.x).toBeGreaterThan(34.7249);
      expect(leg.x).toBeLessThan(34.726);
      expect(leg.y).toBeGreaterThan(113.6304);
      expect(leg.y).toBeLessThan(113.6317);
    }
    expect(plan.items[21]).toMatchObject({ command: 20, frame: 2 });
    expect(plan.fence.polygons).toHaveLength(1);
    expect(plan.fence.polygons[0].inclusion).toBe(true);
    expect(plan.fence.polygons[0].vertices).toHaveLength(4);
    expect(plan.fence.circles).toEqual([
      { inclusion: false, center: { latDeg: 34.72545803420163, lonDeg: 113.63105127755423 }, radiusM: 12.5 },
    ]);
    expect(plan.rally.map((r) => r.altRelM)).toEqual([30, 30]);
  });

  it('writes the fixture back byte for byte, as QGroundControl laid it out', () => {
    const plan = parseQgcPlan(surveyText, SURVEY_PLAN);
    expect(writeQgcPlan(plan)).toBe(surveyText);
  });

  it('round-trips every field, unknown ones included, and the demo mission', () => {
    const text = planText((doc) => {
      doc.customRoot = { by: 'another tool' };
      doc.mission.customMission = [1, 2];
      doc.mission.items[0].note = 'first';
      doc.mission.items[3].TransectStyleComplexItem.CameraCalc.Extra = true;
      doc.geoFence.polygons[0].label = 'site boundary';
      doc.geoFence.breachReturn = [34.7245, 113.6302, 30];
    });
    expect(JSON.parse(writeQgcPlan(parseQgcPlan(text, 'edited.plan')))).toEqual(JSON.parse(text));

    const demo = fs.readFileSync(path.join(ROOT, 'missions/demo.plan'), 'utf8');
    expect(JSON.parse(writeQgcPlan(parseQgcPlan(demo, 'demo.plan')))).toEqual(JSON.parse(demo));
  });

  it('writes changed items into the document, survey items into the survey, altitude where QGC reads it', () => {
    const plan = parseQgcPlan(surveyText, SURVEY_PLAN);
    plan.items[2] = { ...plan.items[2], z: 45 };
    plan.items[4] = { ...plan.items[4], x: 34.72501 };
    plan.home = { latDeg: 34.7246, lonDeg: 113.6303, altAmslM: 111 };
    plan.rally.pop();
    const doc = JSON.parse(writeQgcPlan(plan));
    expect(doc.mission.items[2]).toMatchObject({
      Altitude: 45,
      params: [0, 0, 0, null, 34.72489012345678, 113.63071283456291, 45],
    });
    expect(doc.mission.items[3].TransectStyleComplexItem.Items[1].params[4]).toBe(34.72501);
    expect(doc.mission.items[3].polygon).toEqual(surveyDoc().mission.items[3].polygon);
    expect(doc.mission.plannedHomePosition).toEqual([34.7246, 113.6303, 111]);
    expect(doc.rallyPoints.points).toHaveLength(1);
  });

  it('writes plain SimpleItems numbered from 1 once items are added or removed', () => {
    const plan = parseQgcPlan(surveyText, SURVEY_PLAN);
    plan.items.splice(1, 1);
    const doc = JSON.parse(writeQgcPlan(plan));
    expect(doc.mission.items).toHaveLength(21);
    expect(doc.mission.items.every((i: JsonDoc) => i.type === 'SimpleItem')).toBe(true);
    expect(doc.mission.items.map((i: JsonDoc) => i.doJumpId)).toEqual(
      Array.from({ length: 21 }, (_, i) => i + 1),
    );
    expect(doc.mission.items[0]).toEqual({
      AMSLAltAboveTerrain: null,
      Altitude: 30,
      AltitudeMode: 1,
      autoContinue: true,
      command: 22,
      doJumpId: 1,
      frame: 3,
      params: [0, 0, 0, null, 34.7245, 113.6302, 30],
      type: 'SimpleItem',
    });
    expect(parseQgcPlan(JSON.stringify(doc), 'again.plan').items).toEqual(plan.items);
  });

  it('writes a new plan in the documented layout and reads it back to the same model', () => {
    const downloaded = toMissionItems(parseQgcPlan(surveyText, SURVEY_PLAN));
    const plan = fromMissionItems(downloaded, 'ardupilot');
    const text = writeQgcPlan(plan);
    const doc = JSON.parse(text);
    expect(Object.keys(doc)).toEqual([
      'fileType',
      'geoFence',
      'groundStation',
      'mission',
      'rallyPoints',
      'version',
    ]);
    expect(doc).toMatchObject({
      fileType: 'Plan',
      version: 1,
      groundStation: 'dustpatrol',
      geoFence: { circles: [], polygons: [], version: 2 },
      rallyPoints: { points: [], version: 2 },
      mission: {
        version: 2,
        firmwareType: 3,
        globalPlanAltitudeMode: 1,
        plannedHomePosition: [34.7245, 113.6302, 110],
      },
    });
    expect(text.split('\n')[1]).toBe('    "fileType": "Plan",');
    const back = parseQgcPlan(text, 'new.plan');
    expect(back.items).toEqual(plan.items);
    expect(back.home).toEqual(plan.home);
  });
});

describe('Mission Planner .waypoints', () => {
  it('loads the fixture: row 0 is home, the rest are items; no firmware, fence or rally', async () => {
    const plan = await loadMissionFile(PATROL_WAYPOINTS);
    expect(plan.home).toEqual({ latDeg: 34.7245, lonDeg: 113.6302, altAmslM: 110 });
    expect(plan.items.map((i) => i.command)).toEqual([22, 178, 16, 16, 16, 16, 20]);
    expect(plan.items[1]).toEqual({
      command: 178,
      frame: 3,
      param1: 1,
      param2: 5,
      param3: -1,
      param4: 0,
      x: 0,
      y: 0,
      z: 0,
      autocontinue: true,
    });
    expect(plan.items[3]).toMatchObject({ x: 34.725578, y: 113.6326045, z: 30, param1: 2 });
    expect(plan).toMatchObject({
      firmwareType: null,
      vehicleType: null,
      rally: [],
      fence: { polygons: [], circles: [] },
    });
  });

  it('writes the fixture back byte for byte, CRLF and number spellings included', () => {
    expect(writeWaypoints(parseWaypoints(patrolText, PATROL_WAYPOINTS))).toBe(patrolText);
  });

  it('rewrites only the rows that changed, in Mission Planner number format', () => {
    const plan = parseWaypoints(patrolText, PATROL_WAYPOINTS);
    plan.items[2] = { ...plan.items[2], z: 32.5, param1: 1.25 };
    plan.items.push({ ...plan.items[6] });
    const lines = writeWaypoints(plan).split('\r\n');
    const before = patrolText.split('\r\n');
    expect(lines[3]).toBe(before[3]);
    expect(lines[4]).toBe(
      '3\t0\t3\t16\t1.25000000\t0.00000000\t0.00000000\t0.00000000\t34.72557800\t113.63085580\t32.500000\t1',
    );
    expect(lines[9]).toBe(`8${before[8].slice(1)}`);
    expect(lines[10]).toBe('');
  });

  it('keeps comments, spaces and NaN as pymavlink writes them', () => {
    const text = [
      'QGC WPL 110',
      '0\t0\t0\t16\t0.000000\t0.000000\t0.000000\t0.000000\t34.724500\t113.630200\t110.000000\t1',
      '# climb out',
      '1 0 3 22 0.000000 0.000000 0.000000 nan 34.724500 113.630200 30.000000 1',
      '2\t0\t3\t31000\t1.5\t0\t0\t0\t0\t0\t0\t1',
      '',
    ].join('\n');
    const plan = parseWaypoints(text, 'pymavlink.waypoints');
    expect(plan.items[0].param4).toBeNaN();
    expect(plan.items[1]).toMatchObject({ command: 31000, param1: 1.5 });
    expect(writeWaypoints(plan)).toBe(text);
  });

  it('writes a new file as Mission Planner does', () => {
    const plan = parseQgcPlan(surveyText, SURVEY_PLAN);
    const text = writeWaypoints(plan);
    const lines = text.split('\r\n');
    expect(lines[0]).toBe('QGC WPL 110');
    expect(lines[1]).toBe('0\t1\t0\t16\t0\t0\t0\t0\t34.724500\t113.630200\t110.000000\t1');
    expect(lines[2]).toBe(
      '1\t0\t3\t22\t0.00000000\t0.00000000\t0.00000000\tNaN\t34.72450000\t113.63020000\t30.000000\t1',
    );
    expect(lines).toHaveLength(plan.items.length + 3);
    const back = parseWaypoints(text, 'written.waypoints');
    back.items.forEach((item, i) => {
      for (const key of ['x', 'y', 'z', 'param1'] as const) {
        expect(item[key]).toBeCloseTo(plan.items[i][key], 6);
      }
      expect(item.command).toBe(plan.items[i].command);
    });
  });
});

describe('upload list', () => {
  it('puts home first, from plannedHomePosition or row 0, then the items', async () => {
    for (const file of [SURVEY_PLAN, PATROL_WAYPOINTS]) {
      const plan = await loadMissionFile(file);
      const items = toMissionItems(plan);
      expect(items[0]).toEqual({
        command: 16,
        frame: 0,
        param1: 0,
        param2: 0,
        param3: 0,
        param4: 0,
        x: 34.7245,
        y: 113.6302,
        z: 110,
        autocontinue: true,
      });
      expect(items.slice(1)).toEqual(plan.items);
    }
  });

  it('refuses a plan without home and an item whose altitude QGroundControl left to terrain data', () => {
    const px4: MissionItem[] = toMissionItems(parseWaypoints(patrolText, 'x')).slice(1);
    const noHome = fromMissionItems(px4, 'px4');
    expect(noHome.home).toBeNull();
    expect(noHome.firmwareType).toBe(12);
    expect(messageOf(() => toMissionItems(noHome))).toBe(
      'vehicle: no home position; ArduPilot missions start with home as item 0',
    );
    expect(messageOf(() => writeQgcPlan(noHome))).toBe(
      'vehicle: no home position; a .plan needs plannedHomePosition',
    );
    const terrain = parseQgcPlan(
      planText((doc) => {
        doc.mission.items[2].AltitudeMode = 3;
        doc.mission.items[2].frame = 0;
        doc.mission.items[2].params[6] = null;
      }),
      'terrain.plan',
    );
    expect(messageOf(() => toMissionItems(terrain))).toBe(
      'terrain.plan: item 3 (MAV_CMD 16, frame 0) has no altitude ' +
        '(QGroundControl leaves it empty when it computes it from terrain)',
    );
  });
});

describe('bad mission files', () => {
  it.each([
    [
      'bad/syntax-error.plan',
      `invalid JSON at line 46, column 9: expected ',' or '}' after a property value, found '"'`,
    ],
    ['bad/wrong-filetype.plan', 'fileType: is "Mission", expected "Plan"'],
    ['bad/text-param.plan', 'mission.items[2].params[4]: expected a number or null, got "34.72489012345678"'],
    [
      'bad/structure-scan.plan',
      'mission.items[3]: a StructureScan stores no mission items (QGroundControl generates them when it uploads)',
    ],
    ['bad/non-numeric-field.waypoints', 'line 4, param1: expected a number, got "1,0"'],
    ['bad/short-row.waypoints', 'line 5: expected 12 tab-separated fields, got 11'],
    ['bad/wpl-100.waypoints', 'line 1: "QGC WPL 100" is not supported, only "QGC WPL 110"'],
    [
      'bad/notes.kml',
      'not a mission file: expected a QGroundControl .plan (JSON) or a "QGC WPL 110" .waypoints file',
    ],
    ['missing.plan', 'no such mission file'],
  ])('%s: one UserError that says what and where', async (name, problem) => {
    const file = path.join(FIXTURES, name);
    const load = loadMissionFile(file);
    await expect(load).rejects.toThrow(UserError);
    await expect(load).rejects.toThrow(`${file}: ${problem}`);
  });

  it('refuses an empty file', async () => {
    const file = path.join(dir, 'empty.plan');
    fs.writeFileSync(file, '\n');
    await expect(loadMissionFile(file)).rejects.toThrow(`${file}: the mission file is empty`);
  });

  it.each<[string, (doc: JsonDoc) => void, string]>([
    ['plan version', (doc) => (doc.version = 2), 'version: version 2 is not supported (expected 1)'],
    [
      'mission version',
      (doc) => (doc.mission.version = 1),
      'mission.version: version 1 is not supported (expected 2)',
    ],
    [
      'no home',
      (doc) => delete doc.mission.plannedHomePosition,
      'mission.plannedHomePosition: expected an array, got nothing',
    ],
    [
      'latitude',
      (doc) => (doc.mission.plannedHomePosition[0] = 134.7),
      'mission.plannedHomePosition: latitude 134.7 is outside -90..90',
    ],
    [
      'item type',
      (doc) => (doc.mission.items[1].type = 'Foo'),
      'mission.items[1].type: is "Foo", expected "SimpleItem" or "ComplexItem"',
    ],
    [
      'command',
      (doc) => (doc.mission.items[0].command = 22.5),
      'mission.items[0].command: expected an integer 0-65535, got 22.5',
    ],
    [
      'params',
      (doc) => doc.mission.items[0].params.pop(),
      'mission.items[0].params: expected 7 values (param1-4, x, y, z), got 6',
    ],
    [
      'survey item',
      (doc) => (doc.mission.items[3].TransectStyleComplexItem.Items[5].autoContinue = 1),
      'mission.items[3].TransectStyleComplexItem.Items[5].autoContinue: expected true or false, got 1',
    ],
    [
      'fence polygon',
      (doc) => doc.geoFence.polygons[0].polygon.splice(2),
      'geoFence.polygons[0].polygon: a polygon needs at least 3 vertices, got 2',
    ],
    [
      'fence circle',
      (doc) => (doc.geoFence.circles[0].circle.radius = 0),
      'geoFence.circles[0].circle.radius: expected a radius above 0 m, got 0',
    ],
    [
      'rally point',
      (doc) => doc.rallyPoints.points[1].pop(),
      'rallyPoints.points[1]: expected [latitude, longitude, altitude], got 2 values',
    ],
    [
      'firmware',
      (doc) => delete doc.mission.firmwareType,
      'mission.firmwareType: expected a number, got nothing',
    ],
  ])('.plan %s: names the field', (_name, edit, problem) => {
    expect(messageOf(() => parseQgcPlan(planText(edit), 'x.plan'))).toBe(`x.plan: ${problem}`);
  });

  it('.plan that is not an object', () => {
    expect(messageOf(() => parseQgcPlan('[1, 2]', 'x.plan'))).toBe(
      'x.plan: a .plan file holds one JSON object, not an array',
    );
  });

  it.each<[string, (lines: string[]) => void, string]>([
    ['index gap', (lines) => lines.splice(3, 1), 'line 4, index: expected 2, got 3'],
    [
      'home command',
      (lines) => (lines[1] = lines[1].replace('\t16\t', '\t22\t')),
      'line 2, command: row 0 is home, expected MAV_CMD 16 (NAV_WAYPOINT), got 22',
    ],
    [
      'autocontinue',
      (lines) => (lines[2] = lines[2].replace(/1$/, '2')),
      'line 3, autocontinue: expected an integer 0-1, got "2"',
    ],
    [
      'frame',
      (lines) => (lines[2] = lines[2].replace('\t3\t22\t', '\t3.0\t22\t')),
      'line 3, frame: expected an integer 0-255, got "3.0"',
    ],
    ['no rows', (lines) => lines.splice(1), 'no rows after the header; row 0 (home) is required'],
    [
      'latitude',
      (lines) => (lines[2] = lines[2].replace('34.72450000', '134.72450000')),
      'line 3, latitude (x): 134.7245 is outside -90..90',
    ],
    [
      'home',
      (lines) => (lines[1] = lines[1].replace('110.000000', 'nan')),
      'line 2: home needs a latitude, longitude and altitude',
    ],
  ])('.waypoints %s: names the line and column', (_name, edit, problem) => {
    const lines = patrolText.split('\r\n');
    edit(lines);
    expect(messageOf(() => parseWaypoints(lines.join('\r\n'), 'x.waypoints'))).toBe(
      `x.waypoints: ${problem}`,
    );
  });
});

describe('fromMissionItems', () => {
  it('takes ArduPilot home from item 0 and keeps the rest', () => {
    const items = toMissionItems(parseWaypoints(patrolText, 'x'));
    const plan: MissionPlan = fromMissionItems(items, 'ardupilot');
    expect(plan.home).toEqual({ latDeg: 34.7245, lonDeg: 113.6302, altAmslM: 110 });
    expect(plan.items).toEqual(items.slice(1));
    expect(plan.firmwareType).toBe(3);
    expect(fromMissionItems(items, 'other').firmwareType).toBe(0);
  });
});
