import { UserError } from '../../errors.js';
import { isGlobalFrame, type MissionItem } from '../../mavlink/index.js';
import type { HomePosition, MissionPlan } from './mission-plan.js';

/**
 * The plain-text mission format Mission Planner, pymavlink and QGroundControl share
 * (mavlink.io "File Formats"): a "QGC WPL 110" line, then one item per line with 12
 * tab-separated fields; row 0 is home. Lines starting with '#' are comments (pymavlink).
 */

/** One data row as read: the line and its fields' text, with the comment or blank lines before it. */
export interface WaypointsRow {
  before: string[];
  line: string;
  fields: string[];
}

/** What a .waypoints file held beyond the model, so unchanged numbers are written back as they were. */
export interface WaypointsOriginal {
  format: 'waypoints';
  header: string;
  lineEnding: '\n' | '\r\n';
  rows: WaypointsRow[];
  /** Lines after the last row. */
  after: string[];
  finalNewline: boolean;
}

const HEADER = 'QGC WPL 110';
const COLUMNS = [
  'index',
  'current',
  'frame',
  'command',
  'param1',
  'param2',
  'param3',
  'param4',
  'latitude (x)',
  'longitude (y)',
  'altitude (z)',
  'autocontinue',
] as const;
const INTEGER = /^[0-9]+$/;
const DECIMAL = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
/** What C (pymavlink's %f) and QGroundControl's QString::arg write for NaN, MAVLink's "not set". */
const NOT_A_NUMBER = /^[+-]?nan$/i;
/** Mission Planner's home row: frame 0, MAV_CMD_NAV_WAYPOINT, params 0 (it writes command 0 when it has no home). */
const HOME_COMMANDS = new Set([0, 16]);
/** Mission Planner writes its files with Windows line endings and these decimals. */
const MISSION_PLANNER_LINE_ENDING = '\r\n';
const HOME_DECIMALS = 6;
const PARAM_DECIMALS = 8;
const ALT_DECIMALS = 6;

/** Reads a QGC WPL 110 file. `source` (usually the path) starts every error message. */
export function parseWaypoints(text: string, source: string): MissionPlan {
  const body = text.startsWith('\ufeff') ? text.slice(1) : text;
  const lineEnding = body.includes('\r\n') ? '\r\n' : '\n';
  const lines = body.split(/\r?\n/);
  const finalNewline = lines.length > 1 && lines[lines.length - 1] === '';
  if (finalNewline) lines.pop();
  const header = lines[0] ?? '';
  if (header.trim() !== HEADER) {
    const problem = header.trim().startsWith('QGC WPL')
      ? `"${header.trim()}" is not supported, only "${HEADER}"`
      : `expected the header "${HEADER}", got "${header.slice(0, 40)}"`;
    throw new UserError(`${source}: line 1: ${problem}`);
  }

  const rows: WaypointsRow[] = [];
  let before: string[] = [];
  let home: HomePosition | null = null;
  const items: MissionItem[] = [];
  for (const [i, line] of lines.entries()) {
    if (i === 0) continue;
    const lineNumber = i + 1;
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) {
      before.push(line);
      continue;
    }
    const at = (column: number) => `${source}: line ${lineNumber}, ${COLUMNS[column]}`;
    const fields = trimmed.split(/\s+/);
    if (fields.length !== COLUMNS.length) {
      throw new UserError(
        `${source}: line ${lineNumber}: expected ${COLUMNS.length} tab-separated fields, got ${fields.length}`,
      );
    }
    const integer = (column: number, max: number): number => {
      const text = fields[column];
      const n = Number(text);
      if (!INTEGER.test(text) || n > max) {
        throw new UserError(`${at(column)}: expected an integer 0-${max}, got "${text}"`);
      }
      return n;
    };
    const decimal = (column: number): number => {
      const text = fields[column];
      if (NOT_A_NUMBER.test(text)) return Number.NaN;
      if (!DECIMAL.test(text)) throw new UserError(`${at(column)}: expected a number, got "${text}"`);
      return Number(text);
    };
    const index = integer(0, 0xffff);
    if (index !== rows.length) {
      throw new UserError(`${at(0)}: expected ${rows.length}, got ${index}`);
    }
    integer(1, 1);
    const frame = integer(2, 0xff);
    const command = integer(3, 0xffff);
    const [param1, param2, param3, param4, x, y, z] = [4, 5, 6, 7, 8, 9, 10].map(decimal);
    const autocontinue = integer(11, 1) === 1;
    if (index === 0 || isGlobalFrame(frame)) {
      // NaN (MAVLink's "not set") passes the range checks.
      if (Math.abs(x) > 90) throw new UserError(`${at(8)}: ${x} is outside -90..90`);
      if (Math.abs(y) > 180) throw new UserError(`${at(9)}: ${y} is outside -180..180`);
    }
    rows.push({ before, line, fields });
    before = [];
    if (index === 0) {
      if (!HOME_COMMANDS.has(command)) {
        throw new UserError(`${at(3)}: row 0 is home, expected MAV_CMD 16 (NAV_WAYPOINT), got ${command}`);
      }
      if (![x, y, z].every(Number.isFinite)) {
        throw new UserError(`${source}: line ${lineNumber}: home needs a latitude, longitude and altitude`);
      }
      home = { latDeg: x, lonDeg: y, altAmslM: z };
      continue;
    }
    items.push({ command, frame, param1, param2, param3, param4, x, y, z, autocontinue });
  }
  if (!home) throw new UserError(`${source}: no rows after the header; row 0 (home) is required`);
  return {
    source,
    home,
    items,
    firmwareType: null,
    vehicleType: null,
    cruiseSpeedMs: null,
    hoverSpeedMs: null,
    fence: { polygons: [], circles: [] },
    rally: [],
    original: { format: 'waypoints', header, lineEnding, rows, after: before, finalNewline },
  };
}

/** The field's text as read when it still says `value`, else the value written with `digits` decimals. */
function keep(original: string | undefined, value: number, digits: number): string {
  if (original !== undefined) {
    const read = NOT_A_NUMBER.test(original) ? Number.NaN : Number(original);
    if (Object.is(read, value)) return original;
  }
  return value.toFixed(digits);
}

/** Home's row as Mission Planner writes it; only its position comes from the model. */
function homeFields(home: HomePosition, original: string[] | undefined): string[] {
  return [
    ...(original?.slice(0, 8) ?? ['0', '1', '0', '16', '0', '0', '0', '0']),
    keep(original?.[8], home.latDeg, HOME_DECIMALS),
    keep(original?.[9], home.lonDeg, HOME_DECIMALS),
    keep(original?.[10], home.altAmslM, HOME_DECIMALS),
    original?.[11] ?? '1',
  ];
}

function itemFields(row: number, item: MissionItem, original: string[] | undefined): string[] {
  return [
    keep(original?.[0], row, 0),
    original?.[1] ?? '0',
    keep(original?.[2], item.frame, 0),
    keep(original?.[3], item.command, 0),
    keep(original?.[4], item.param1, PARAM_DECIMALS),
    keep(original?.[5], item.param2, PARAM_DECIMALS),
    keep(original?.[6], item.param3, PARAM_DECIMALS),
    keep(original?.[7], item.param4, PARAM_DECIMALS),
    keep(original?.[8], item.x, PARAM_DECIMALS),
    keep(original?.[9], item.y, PARAM_DECIMALS),
    keep(original?.[10], item.z, ALT_DECIMALS),
    keep(original?.[11], item.autocontinue ? 1 : 0, 0),
  ];
}

/**
 * Writes a QGC WPL 110 file as Mission Planner does (tab-separated, CRLF, home with 6 decimals,
 * params and positions with 8, altitudes with 6). A plan read from a .waypoints file keeps its
 * lines, comments and number spellings wherever the values did not change.
 */
export function writeWaypoints(plan: MissionPlan): string {
  if (!plan.home) throw new UserError(`${plan.source}: no home position; a .waypoints file starts with it`);
  const original = plan.original?.format === 'waypoints' ? plan.original : null;
  const lines = [original?.header ?? HEADER];
  const rows = [homeFields(plan.home, original?.rows[0]?.fields)];
  plan.items.forEach((item, i) => {
    rows.push(itemFields(i + 1, item, original?.rows[i + 1]?.fields));
  });
  rows.forEach((fields, row) => {
    const read = original?.rows[row];
    if (read) lines.push(...read.before);
    lines.push(read && fields.every((f, i) => f === read.fields[i]) ? read.line : fields.join('\t'));
  });
  if (original) lines.push(...original.after);
  const lineEnding = original?.lineEnding ?? MISSION_PLANNER_LINE_ENDING;
  const finalNewline = original?.finalNewline ?? true;
  return lines.join(lineEnding) + (finalNewline ? lineEnding : '');
}
