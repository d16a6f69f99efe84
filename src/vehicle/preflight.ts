import { downloadMission, type MissionItem, MissionType, missionsDiffer } from '../mavlink/index.js';
import type { VehicleState } from './state.js';
import type { Vehicle } from './vehicle.js';

export interface PreflightCheck {
  name: string;
  ok: boolean;
  /** What was seen, or why it fails: read by a pilot. */
  detail: string;
}

export interface PreflightOptions {
  /** Lowest battery charge a sortie may start with. */
  minBatteryPct: number;
  /** The plan the vehicle must hold (home at seq 0 included); omitted: not checked. */
  plannedItems?: MissionItem[];
  signal?: AbortSignal;
}

const GPS_FIX_3D = 3;

/** The checks that need telemetry only; the fly command waits for these before arming. */
export function telemetryChecks(state: VehicleState, minBatteryPct: number): PreflightCheck[] {
  const gps = state.gps;
  const battery = state.battery?.remainingPct ?? null;
  return [
    {
      name: 'GPS',
      ok: gps !== null && gps.fixType >= GPS_FIX_3D,
      detail: gps ? `fix type ${gps.fixType}, ${gps.satellites ?? '?'} satellites` : 'no GPS_RAW_INT yet',
    },
    {
      name: 'EKF position',
      ok: state.ekfPositionOk,
      detail: state.ekfPositionOk ? 'absolute horizontal position good' : 'EKF not using GPS yet',
    },
    {
      name: 'home',
      ok: state.home !== null,
      detail: state.home
        ? `${state.home.latDeg.toFixed(6)}, ${state.home.lonDeg.toFixed(6)}, ${state.home.altAmslM.toFixed(1)} m AMSL`
        : 'home position not set',
    },
    {
      name: 'battery',
      ok: battery !== null && battery >= minBatteryPct,
      detail: battery === null ? 'no battery level reported' : `${battery} % (floor ${minBatteryPct} %)`,
    },
  ];
}

/** Every check with its reason; the mission check reads the vehicle's mission back. */
export async function runPreflightChecks(
  vehicle: Vehicle,
  options: PreflightOptions,
): Promise<PreflightCheck[]> {
  const checks = telemetryChecks(vehicle.state, options.minBatteryPct);
  if (options.plannedItems) checks.push(await missionCheck(vehicle, options.plannedItems, options.signal));
  return checks;
}

async function missionCheck(
  vehicle: Vehicle,
  planned: MissionItem[],
  signal?: AbortSignal,
): Promise<PreflightCheck> {
  const name = 'mission on board';
  try {
    const difference = await missionOnBoardDiffers(vehicle, planned, signal);
    return difference
      ? { name, ok: false, detail: `differs from the plan: ${difference}` }
      : { name, ok: true, detail: `${planned.length - 1} items match the plan` };
  } catch (err) {
    return { name, ok: false, detail: `could not read it back: ${(err as Error).message}` };
  }
}

/** Reads the vehicle's mission back: its first difference from `planned`, undefined when it is the same. */
export async function missionOnBoardDiffers(
  vehicle: Vehicle,
  planned: MissionItem[],
  signal?: AbortSignal,
): Promise<string | undefined> {
  const onBoard = await downloadMission(vehicle.link, vehicle.target, {
    missionType: MissionType.Mission,
    signal,
    clock: vehicle.clock,
  });
  // Seq 0 is home, which ArduPilot overwrites with its own.
  return missionsDiffer(planned, onBoard, { skipHome: true });
}
