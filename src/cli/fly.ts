import type { Command } from 'commander';
import { loadMissionFile, toFenceItems, toMissionItems, toRallyItems } from '../plan/index.js';
import { flyMission } from '../vehicle/index.js';
import { connectVehicle, interruptSignal } from './connect.js';
import { percent } from './options.js';
import { LiveLine, progressBar, table } from './output.js';
import { formatStatusLine } from './status-line.js';

const STATUS_REFRESH_MS = 1000;
/** Vehicle messages up to this MAV_SEVERITY are shown; INFO ('Mission: 3 WP') would drown the waypoints. */
const MAV_SEVERITY_NOTICE = 5;
const DEFAULT_MIN_BATTERY_PCT = 50;

export function registerFly(program: Command): void {
  program
    .command('fly')
    .description(
      'Upload a mission (.plan or .waypoints), verify it, arm, take off, fly it in AUTO and wait for landing',
    )
    .argument('<file>', 'QGroundControl .plan or Mission Planner .waypoints file')
    .requiredOption('--connect <url>', 'vehicle link: udpin://, udpout://, tcpout://, serial://')
    .option('--tlog <path>', 'write every packet in and out to this telemetry log')
    .option('--min-battery <pct>', 'battery floor for the pre-flight check', percent, DEFAULT_MIN_BATTERY_PCT)
    .action(runFly);
}

export interface FlyOptions {
  connect: string;
  tlog?: string;
  minBattery: number;
}

export async function runFly(file: string, opts: FlyOptions): Promise<void> {
  const plan = await loadMissionFile(file);
  const items = toMissionItems(plan);
  const signal = interruptSignal();
  const { vehicle, link, close } = await connectVehicle(opts.connect, opts.tlog, signal);
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
