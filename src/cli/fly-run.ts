import { loadMissionFile, toFenceItems, toMissionItems, toRallyItems } from '../plan/index.js';
import { flyMission } from '../vehicle/index.js';
import { connectVehicle } from './connect.js';
import type { FlyOptions } from './fly.js';
import { interruptSignal } from './interrupt.js';
import { LiveLine, progressBar, table } from './output.js';
import { formatStatusLine } from './status-line.js';

const STATUS_REFRESH_MS = 1000;
/** Vehicle messages up to this MAV_SEVERITY are shown; INFO ('Mission: 3 WP') would drown the waypoints. */
const MAV_SEVERITY_NOTICE = 5;

export async function runFly(file: string, opts: FlyOptions): Promise<void> {
  const plan = await loadMissionFile(file);
  const items = toMissionItems(plan);
  const signal = interruptSignal();
  const { vehicle, link, close } = await connectVehicle(opts.connect, opts.tlog, signal, opts.signingKey);
  const out = process.stdout;
  const line = new LiveLine(process.stderr);
  out.write(
    `vehicle ${vehicle.state.sysid}/${vehicle.state.compid} (${vehicle.firmware}) on ${link.description}\n`,
  );
  const statusTimer = setInterval(() => {
    line.update(formatStatusLine(vehicle.state, link.stats), vehicle.state.modeName);
  }, STATUS_REFRESH_MS);
  try {
    const summary = await flyMission(vehicle, items, {
      minBatteryPct: opts.minBattery,
      fenceItems: toFenceItems(plan.fence),
      rallyItems: toRallyItems(plan.rally),
      signal,
      listener: {
        stage: (stage) => {
          line.done();
          out.write(`${stage}\n`);
        },
        uploadProgress: (done, total) =>
          line.update(`upload ${progressBar(done, total)}`, done === total ? 'end' : 'start'),
        checks: (checks) => {
          line.done();
          out.write(
            `${table(
              ['check', 'ok', 'detail'],
              checks.map((c) => [c.name, c.ok ? 'yes' : 'NO', c.detail]),
            )}\n`,
          );
        },
        reached: (seq, lastSeq) => {
          line.done();
          out.write(`reached waypoint ${seq}/${lastSeq}\n`);
        },
        statusText: (text, severity) => {
          if (severity > MAV_SEVERITY_NOTICE) return;
          line.done();
          out.write(`vehicle: ${text}\n`);
        },
        linkLost: () => {
          line.done();
          out.write('link lost: no heartbeat from the vehicle; waiting for it to come back\n');
        },
        linkRegained: () => {
          line.done();
          out.write('link back\n');
        },
      },
    });
    line.done();
    out.write(
      `landed and disarmed: ${summary.reachedSeqs.length} waypoints reached, ` +
        `${summary.durationS.toFixed(0)} s, max ${summary.maxAltRelM.toFixed(0)} m above home` +
        `${summary.batteryUsedPct === null ? '' : `, battery used ${summary.batteryUsedPct} %`}` +
        `${opts.tlog ? `, tlog ${opts.tlog}` : ''}\n`,
    );
  } finally {
    clearInterval(statusTimer);
    line.done();
    await close();
  }
}
