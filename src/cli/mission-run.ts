import fs from 'node:fs';
import path from 'node:path';
import { common } from 'node-mavlink';
import { UserError } from '../errors.js';
import {
  clearMission,
  downloadMission,
  type MissionItem,
  MissionType,
  uploadAndVerifyMission,
} from '../mavlink/index.js';
import {
  fromMissionItems,
  loadMissionFile,
  toMissionItems,
  writeQgcPlan,
  writeWaypoints,
} from '../plan/index.js';
import { uploadWhenBooted } from '../vehicle/index.js';
import { connectVehicle } from './connect.js';
import { interruptSignal } from './interrupt.js';
import type { ClearOptions, DownloadOptions, UploadOptions } from './mission.js';
import { LiveLine, progressBar, table } from './output.js';

const MISSION_TYPES: Record<string, MissionType> = {
  mission: MissionType.Mission,
  fence: MissionType.Fence,
  rally: MissionType.Rally,
};

function missionType(value: string): MissionType {
  const type = MISSION_TYPES[value];
  if (type === undefined) throw new UserError(`--type must be mission, fence or rally, not '${value}'`, 2);
  return type;
}

export async function runUpload(file: string, opts: UploadOptions): Promise<void> {
  const items = toMissionItems(await loadMissionFile(file));
  const signal = interruptSignal();
  const { vehicle, close } = await connectVehicle(opts.connect, undefined, signal, opts.signingKey);
  const line = new LiveLine();
  try {
    const upload = () =>
      uploadAndVerifyMission(vehicle.link, vehicle.target, items, {
        signal,
        onProgress: (done, total) =>
          line.update(`upload ${progressBar(done, total)}`, done === total ? 'end' : 'start'),
      });
    await uploadWhenBooted(vehicle, upload, signal);
    line.done();
    process.stdout.write(
      `uploaded and verified ${items.length} items (home + ${items.length - 1}) from ${file}\n`,
    );
  } finally {
    line.done();
    await close();
  }
}

export async function runDownload(opts: DownloadOptions): Promise<void> {
  const type = missionType(opts.type);
  const signal = interruptSignal();
  const { vehicle, close } = await connectVehicle(opts.connect, undefined, signal, opts.signingKey);
  let items: MissionItem[];
  try {
    items = await downloadMission(vehicle.link, vehicle.target, { missionType: type, signal });
  } finally {
    await close();
  }
  if (opts.out) {
    const plan = fromMissionItems(items, vehicle.firmware);
    const ext = path.extname(opts.out).toLowerCase();
    if (ext !== '.plan' && ext !== '.waypoints')
      throw new UserError(`--out must end in .plan or .waypoints: ${opts.out}`, 2);
    fs.writeFileSync(opts.out, ext === '.plan' ? writeQgcPlan(plan) : writeWaypoints(plan));
    process.stdout.write(`wrote ${items.length} items to ${opts.out}\n`);
    return;
  }
  process.stdout.write(`${formatItems(items)}\n`);
}

export async function runClear(opts: ClearOptions): Promise<void> {
  const type = missionType(opts.type);
  const signal = interruptSignal();
  const { vehicle, close } = await connectVehicle(opts.connect, undefined, signal, opts.signingKey);
  try {
    await clearMission(vehicle.link, vehicle.target, { missionType: type, signal });
    process.stdout.write(`cleared the vehicle's ${opts.type}\n`);
  } finally {
    await close();
  }
}

function formatItems(items: MissionItem[]): string {
  if (items.length === 0) return 'the vehicle holds no items';
  return table(
    ['seq', 'command', 'frame', 'lat', 'lon', 'alt m', 'p1', 'p2', 'p3', 'p4'],
    items.map((item, seq) => [
      seq,
      common.MavCmd[item.command] ?? item.command,
      item.frame,
      item.x.toFixed(7),
      item.y.toFixed(7),
      item.z.toFixed(1),
      item.param1,
      item.param2,
      item.param3,
      item.param4,
    ]),
  );
}
