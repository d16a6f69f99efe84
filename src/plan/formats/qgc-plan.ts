import { UserError } from '../../errors.js';
import { type Json, type JsonObject, parseJsonText } from '../../json-text.js';
import { isGlobalFrame, type MissionItem } from '../../mavlink/index.js';
import type { FenceCircle, FencePolygon, LatLon, MissionPlan, RallyPoint } from './mission-plan.js';

/**
 * QGroundControl's .plan format (docs.qgroundcontrol.com, "Plan File Format"): a JSON object with
 * fileType "Plan", version 1, groundStation, mission (version 2), and optionally geoFence and
 * rallyPoints (version 2 each).
 */

/** What a .plan held beyond the model: the document itself, and how its items map onto the model's. */
export interface QgcPlanOriginal {
  format: 'qgc-plan';
  document: JsonObject;
  /** How many of MissionPlan.items each entry of mission.items stands for (1 for a SimpleItem). */
  itemCounts: number[];
}

const PLAN_FILE_VERSION = 1;
const MISSION_VERSION = 2;
const GEOFENCE_VERSION = 2;
const RALLY_VERSION = 2;
const FENCE_SHAPE_VERSION = 1;
const PARAM_COUNT = 7;
const GROUND_STATION = 'dustpatrol';

/** QGroundControl's AltitudeMode for the frames that carry one (QGroundControlQmlGlobal::AltMode). */
const ALTITUDE_MODE_RELATIVE = 1;
const ALTITUDE_MODE_BY_FRAME: Record<number, number> = {
  0: 2, // MAV_FRAME_GLOBAL: AltitudeModeAbsolute
  3: ALTITUDE_MODE_RELATIVE, // MAV_FRAME_GLOBAL_RELATIVE_ALT
  5: 2, // MAV_FRAME_GLOBAL_INT
  6: ALTITUDE_MODE_RELATIVE, // MAV_FRAME_GLOBAL_RELATIVE_ALT_INT
  10: 4, // MAV_FRAME_GLOBAL_TERRAIN_ALT: AltitudeModeTerrainFrame
  11: 4, // MAV_FRAME_GLOBAL_TERRAIN_ALT_INT
};

function describe(value: Json | undefined): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  if (value !== null && typeof value === 'object') return 'an object';
  const text = JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** Typed reads from the parsed document; a wrong field throws one UserError naming its JSON path. */
class PlanFields {
  constructor(private readonly source: string) {}

  fail(path: string, problem: string): never {
    throw new UserError(`${this.source}: ${path}: ${problem}`);
  }

  object(value: Json | undefined, path: string): JsonObject {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      this.fail(path, `expected an object, got ${describe(value)}`);
    }
    return value;
  }

  array(value: Json | undefined, path: string): Json[] {
    if (!Array.isArray(value)) this.fail(path, `expected an array, got ${describe(value)}`);
    return value;
  }

  number(value: Json | undefined, path: string): number {
    if (typeof value !== 'number') this.fail(path, `expected a number, got ${describe(value)}`);
    return value;
  }

  optionalNumber(value: Json | undefined, path: string): number | null {
    return value === undefined ? null : this.number(value, path);
  }

  /** A number, or null for "not set" (NaN in MAVLink). */
  param(value: Json | undefined, path: string): number {
    if (value === null) return Number.NaN;
    if (typeof value !== 'number') this.fail(path, `expected a number or null, got ${describe(value)}`);
    return value;
  }

  integer(value: Json | undefined, path: string, max: number): number {
    const n = this.number(value, path);
    if (!Number.isInteger(n) || n < 0 || n > max) this.fail(path, `expected an integer 0-${max}, got ${n}`);
    return n;
  }

  boolean(value: Json | undefined, path: string): boolean {
    if (typeof value !== 'boolean') this.fail(path, `expected true or false, got ${describe(value)}`);
    return value;
  }

  version(value: Json | undefined, path: string, supported: number): void {
    const n = this.number(value, path);
    if (n !== supported) this.fail(path, `version ${n} is not supported (expected ${supported})`);
  }

  latLon(value: Json | undefined, path: string, length: 2 | 3): number[] {
    const list = this.array(value, path);
    if (list.length !== length) {
      this.fail(
        path,
        `expected [latitude, longitude${length === 3 ? ', altitude' : ''}], got ${list.length} values`,
      );
    }
    const numbers = list.map((v, i) => this.number(v, `${path}[${i}]`));
    this.checkLatLon(numbers[0], numbers[1], path);
    return numbers;
  }

  /** NaN (null in the file) passes: MAVLink's "not set". */
  checkLatLon(latDeg: number, lonDeg: number, path: string): void {
    if (Math.abs(latDeg) > 90) this.fail(path, `latitude ${latDeg} is outside -90..90`);
    if (Math.abs(lonDeg) > 180) this.fail(path, `longitude ${lonDeg} is outside -180..180`);
  }
}

/** One MISSION_ITEM as QGroundControl saves it (MissionItem::save): command, frame, params[7], autoContinue. */
function readMissionItem(fields: PlanFields, json: JsonObject, path: string): MissionItem {
  const command = fields.integer(json.command, `${path}.command`, 0xffff);
  const frame = fields.integer(json.frame, `${path}.frame`, 0xff);
  const list = fields.array(json.params, `${path}.params`);
  if (list.length !== PARAM_COUNT) {
    fields.fail(`${path}.params`, `expected ${PARAM_COUNT} values (param1-4, x, y, z), got ${list.length}`);
  }
  const params = list.map((v, i) => fields.param(v, `${path}.params[${i}]`));
  const autocontinue = fields.boolean(json.autoContinue, `${path}.autoContinue`);
  if (isGlobalFrame(frame)) fields.checkLatLon(params[4], params[5], `${path}.params`);
  const [param1, param2, param3, param4, x, y, z] = params;
  return { command, frame, param1, param2, param3, param4, x, y, z, autocontinue };
}

function readItems(fields: PlanFields, items: Json[]): { flat: MissionItem[]; itemCounts: number[] } {
  const flat: MissionItem[] = [];
  const itemCounts: number[] = [];
  items.forEach((value, i) => {
    const path = `mission.items[${i}]`;
    const json = fields.object(value, path);
    if (json.type === 'SimpleItem') {
      flat.push(readMissionItem(fields, json, path));
      itemCounts.push(1);
      return;
    }
    if (json.type !== 'ComplexItem') {
      fields.fail(`${path}.type`, `is ${describe(json.type)}, expected "SimpleItem" or "ComplexItem"`);
    }
    const kind = typeof json.complexItemType === 'string' ? json.complexItemType : 'complex item';
    if (json.TransectStyleComplexItem === undefined) {
      fields.fail(
        path,
        `a ${kind} stores no mission items (QGroundControl generates them when it uploads), so dustpatrol ` +
          'cannot fly it; replace it with waypoints, or a survey or corridor scan',
      );
    }
    const transect = fields.object(json.TransectStyleComplexItem, `${path}.TransectStyleComplexItem`);
    const inner = fields.array(transect.Items, `${path}.TransectStyleComplexItem.Items`);
    inner.forEach((itemJson, j) => {
      const itemPath = `${path}.TransectStyleComplexItem.Items[${j}]`;
      flat.push(readMissionItem(fields, fields.object(itemJson, itemPath), itemPath));
    });
    itemCounts.push(inner.length);
  });
  return { flat, itemCounts };
}

function readFence(fields: PlanFields, value: Json | undefined): MissionPlan['fence'] {
  if (value === undefined) return { polygons: [], circles: [] };
  const fence = fields.object(value, 'geoFence');
  fields.version(fence.version, 'geoFence.version', GEOFENCE_VERSION);
  const polygons = fields.array(fence.polygons, 'geoFence.polygons').map((entry, i): FencePolygon => {
    const path = `geoFence.polygons[${i}]`;
    const json = fields.object(entry, path);
    const points = fields.array(json.polygon, `${path}.polygon`);
    if (points.length < 3)
      fields.fail(`${path}.polygon`, `a polygon needs at least 3 vertices, got ${points.length}`);
    return {
      inclusion: fields.boolean(json.inclusion, `${path}.inclusion`),
      vertices: points.map((p, j) => toLatLon(fields.latLon(p, `${path}.polygon[${j}]`, 2))),
    };
  });
  const circles = fields.array(fence.circles, 'geoFence.circles').map((entry, i): FenceCircle => {
    const path = `geoFence.circles[${i}]`;
    const json = fields.object(entry, path);
    const circle = fields.object(json.circle, `${path}.circle`);
    const radiusM = fields.number(circle.radius, `${path}.circle.radius`);
    if (radiusM <= 0) fields.fail(`${path}.circle.radius`, `expected a radius above 0 m, got ${radiusM}`);
    return {
      inclusion: fields.boolean(json.inclusion, `${path}.inclusion`),
      center: toLatLon(fields.latLon(circle.center, `${path}.circle.center`, 2)),
      radiusM,
    };
  });
  return { polygons, circles };
}

function readRally(fields: PlanFields, value: Json | undefined): RallyPoint[] {
  if (value === undefined) return [];
  const rally = fields.object(value, 'rallyPoints');
  fields.version(rally.version, 'rallyPoints.version', RALLY_VERSION);
  return fields.array(rally.points, 'rallyPoints.points').map((p, i) => {
    const [latDeg, lonDeg, altRelM] = fields.latLon(p, `rallyPoints.points[${i}]`, 3);
    return { latDeg, lonDeg, altRelM };
  });
}

function toLatLon([latDeg, lonDeg]: number[]): LatLon {
  return { latDeg, lonDeg };
}

/** Reads a QGroundControl .plan. `source` (usually the path) starts every error message. */
export function parseQgcPlan(text: string, source: string): MissionPlan {
  const fields = new PlanFields(source);
  const parsed = parseJsonText(text, source);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new UserError(`${source}: a .plan file holds one JSON object, not ${describe(parsed)}`);
  }
  const document = parsed;
  if (document.fileType !== 'Plan')
    fields.fail('fileType', `is ${describe(document.fileType)}, expected "Plan"`);
  fields.version(document.version, 'version', PLAN_FILE_VERSION);
  if (typeof document.groundStation !== 'string') {
    fields.fail(
      'groundStation',
      `expected the name of the ground station, got ${describe(document.groundStation)}`,
    );
  }
  const mission = fields.object(document.mission, 'mission');
  fields.version(mission.version, 'mission.version', MISSION_VERSION);
  const [latDeg, lonDeg, altAmslM] = fields.latLon(
    mission.plannedHomePosition,
    'mission.plannedHomePosition',
    3,
  );
  const { flat, itemCounts } = readItems(fields, fields.array(mission.items, 'mission.items'));
  return {
    source,
    home: { latDeg, lonDeg, altAmslM },
    items: flat,
    firmwareType: fields.integer(mission.firmwareType, 'mission.firmwareType', 0xff),
    vehicleType:
      mission.vehicleType === undefined
        ? null
        : fields.integer(mission.vehicleType, 'mission.vehicleType', 0xff),
    cruiseSpeedMs: fields.optionalNumber(mission.cruiseSpeed, 'mission.cruiseSpeed'),
    hoverSpeedMs: fields.optionalNumber(mission.hoverSpeed, 'mission.hoverSpeed'),
    fence: readFence(fields, document.geoFence),
    rally: readRally(fields, document.rallyPoints),
    original: { format: 'qgc-plan', document, itemCounts },
  };
}

/** NaN (MAVLink's "not set") is null in a .plan. */
function jsonNumber(value: number): number | null {
  return Number.isNaN(value) ? null : value;
}

function paramsJson(item: MissionItem): (number | null)[] {
  return [item.param1, item.param2, item.param3, item.param4, item.x, item.y, item.z].map(jsonNumber);
}

/** A SimpleItem as QGroundControl writes it: altitude fields for items in a frame that has one. */
function newSimpleItem(item: MissionItem, doJumpId: number): JsonObject {
  const json: JsonObject = {
    autoContinue: item.autocontinue,
    command: item.command,
    doJumpId,
    frame: item.frame,
    params: paramsJson(item),
    type: 'SimpleItem',
  };
  const altitudeMode = ALTITUDE_MODE_BY_FRAME[item.frame];
  if (altitudeMode !== undefined) {
    json.AMSLAltAboveTerrain = null;
    json.Altitude = jsonNumber(item.z);
    json.AltitudeMode = altitudeMode;
  }
  return json;
}

/** Writes the model's item over the item JSON it was read from, keeping every other field. */
function overwriteSimpleItem(json: JsonObject, item: MissionItem): void {
  const before = Array.isArray(json.params) ? json.params[6] : undefined;
  const frameBefore = json.frame;
  json.command = item.command;
  json.frame = item.frame;
  json.autoContinue = item.autocontinue;
  json.params = paramsJson(item);
  // QGroundControl takes a SimpleItem's altitude from Altitude/AltitudeMode when they are present.
  if ('Altitude' in json && before !== jsonNumber(item.z)) json.Altitude = jsonNumber(item.z);
  if (
    'AltitudeMode' in json &&
    frameBefore !== item.frame &&
    ALTITUDE_MODE_BY_FRAME[item.frame] !== undefined
  ) {
    json.AltitudeMode = ALTITUDE_MODE_BY_FRAME[item.frame];
  }
}

function writeItems(plan: MissionPlan, original: QgcPlanOriginal | null): Json[] {
  if (!original || original.itemCounts.reduce((sum, n) => sum + n, 0) !== plan.items.length) {
    // A new plan, or one whose items changed in number: plain SimpleItems numbered from 1.
    return plan.items.map((item, i) => newSimpleItem(item, i + 1));
  }
  const items = structuredClone((original.document.mission as JsonObject).items as JsonObject[]);
  let next = 0;
  items.forEach((json, i) => {
    if (json.type === 'SimpleItem') {
      overwriteSimpleItem(json, plan.items[next]);
    } else {
      const inner = (json.TransectStyleComplexItem as JsonObject).Items as JsonObject[];
      inner.forEach((innerJson, j) => {
        overwriteSimpleItem(innerJson, plan.items[next + j]);
      });
    }
    next += original.itemCounts[i];
  });
  return items;
}

/** The entries of `list` written over the original entries when there are as many, else fresh ones. */
function writeList<T>(
  originals: Json | undefined,
  list: T[],
  write: (entry: T, base: JsonObject) => JsonObject,
): JsonObject[] {
  const bases = Array.isArray(originals) && originals.length === list.length ? originals : null;
  return list.map((entry, i) => {
    const base = bases?.[i];
    const kept =
      base !== null && typeof base === 'object' && !Array.isArray(base)
        ? structuredClone(base)
        : { version: FENCE_SHAPE_VERSION };
    return write(entry, kept);
  });
}

function writeFence(document: JsonObject, plan: MissionPlan, fresh: boolean): void {
  const { polygons, circles } = plan.fence;
  const before = document.geoFence;
  if (before === undefined && !fresh && polygons.length === 0 && circles.length === 0) return;
  const fence: JsonObject =
    before !== null && typeof before === 'object' && !Array.isArray(before)
      ? before
      : { version: GEOFENCE_VERSION };
  fence.polygons = writeList(fence.polygons, polygons, (polygon, json) => {
    json.inclusion = polygon.inclusion;
    json.polygon = polygon.vertices.map((v) => [v.latDeg, v.lonDeg]);
    return json;
  });
  fence.circles = writeList(fence.circles, circles, (circle, json) => {
    json.circle = { center: [circle.center.latDeg, circle.center.lonDeg], radius: circle.radiusM };
    json.inclusion = circle.inclusion;
    return json;
  });
  document.geoFence = fence;
}

function writeRally(document: JsonObject, plan: MissionPlan, fresh: boolean): void {
  const before = document.rallyPoints;
  if (before === undefined && !fresh && plan.rally.length === 0) return;
  const rally: JsonObject =
    before !== null && typeof before === 'object' && !Array.isArray(before)
      ? before
      : { version: RALLY_VERSION };
  rally.points = plan.rally.map((p) => [p.latDeg, p.lonDeg, p.altRelM]);
  document.rallyPoints = rally;
}

function setOrDelete(json: JsonObject, key: string, value: number | null): void {
  if (value === null) delete json[key];
  else json[key] = value;
}

/** QJsonObject keeps its keys sorted, so QGroundControl's files list them in that order. */
function sortKeys(value: Json): Json {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const sorted: JsonObject = {};
  for (const key of Object.keys(value).sort()) sorted[key] = sortKeys(value[key]);
  return sorted;
}

/**
 * Writes a QGroundControl .plan: 4-space indents and sorted keys as QGroundControl writes them.
 * A plan read from a .plan is written over its original document, so every field QGroundControl
 * or anyone else put there survives; complex items keep their definition while their Items take
 * the model's values.
 */
export function writeQgcPlan(plan: MissionPlan): string {
  if (!plan.home) throw new UserError(`${plan.source}: no home position; a .plan needs plannedHomePosition`);
  if (plan.firmwareType === null) {
    throw new UserError(
      `${plan.source}: firmware type (MAV_AUTOPILOT) unknown; a .plan needs mission.firmwareType`,
    );
  }
  const original = plan.original?.format === 'qgc-plan' ? plan.original : null;
  const document: JsonObject = original
    ? structuredClone(original.document)
    : { fileType: 'Plan', groundStation: GROUND_STATION, version: PLAN_FILE_VERSION };
  const missionBefore = document.mission;
  const mission: JsonObject =
    original && missionBefore !== null && typeof missionBefore === 'object' && !Array.isArray(missionBefore)
      ? missionBefore
      : { globalPlanAltitudeMode: ALTITUDE_MODE_RELATIVE };
  mission.version = MISSION_VERSION;
  mission.firmwareType = plan.firmwareType;
  setOrDelete(mission, 'vehicleType', plan.vehicleType);
  setOrDelete(mission, 'cruiseSpeed', plan.cruiseSpeedMs);
  setOrDelete(mission, 'hoverSpeed', plan.hoverSpeedMs);
  mission.plannedHomePosition = [plan.home.latDeg, plan.home.lonDeg, plan.home.altAmslM];
  mission.items = writeItems(plan, original);
  document.mission = mission;
  writeFence(document, plan, original === null);
  writeRally(document, plan, original === null);
  return `${JSON.stringify(sortKeys(document), null, 4)}\n`;
}
