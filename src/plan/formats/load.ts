import fs from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../../errors.js';
import type { MissionPlan } from './mission-plan.js';
import { parseQgcPlan } from './qgc-plan.js';
import { parseWaypoints } from './waypoints.js';

const PLAN_EXTENSIONS = new Set(['.plan']);
const WAYPOINTS_EXTENSIONS = new Set(['.waypoints', '.txt']);

/**
 * Reads a QGroundControl .plan or a QGC WPL 110 (.waypoints) mission, told apart by content
 * ('{' or 'QGC WPL'), else by extension. Every problem is one UserError naming the file and where.
 */
export async function loadMissionFile(file: string): Promise<MissionPlan> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserError(`${file}: no such mission file`);
    if (code === 'EISDIR') throw new UserError(`${file}: is a directory, not a mission file`);
    if (code === 'EACCES') throw new UserError(`${file}: permission denied`);
    throw err;
  }
  const start = text.replace(/^\ufeff/, '').trimStart();
  if (start === '') throw new UserError(`${file}: the mission file is empty`);
  const extension = path.extname(file).toLowerCase();
  if (start.startsWith('QGC WPL')) return parseWaypoints(text, file);
  if (start.startsWith('{') || PLAN_EXTENSIONS.has(extension)) return parseQgcPlan(text, file);
  if (WAYPOINTS_EXTENSIONS.has(extension)) return parseWaypoints(text, file);
  throw new UserError(
    `${file}: not a mission file: expected a QGroundControl .plan (JSON) or a "QGC WPL 110" .waypoints file`,
  );
}
