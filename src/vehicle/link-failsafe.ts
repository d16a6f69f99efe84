import { readParam } from '../mavlink/index.js';
import type { Vehicle } from './vehicle.js';

/** What the vehicle itself does when it stops hearing the ground station, read from its parameters. */
export interface LinkFailsafe {
  /** One sentence for the pilot. */
  description: string;
  /** The parameters it was read from, as the vehicle reports them; empty when none could be read. */
  params: Record<string, number>;
  /** The vehicle's own silence timeout, seconds; null when unknown. */
  timeoutS: number | null;
}

/** ArduPilot Copter's FS_GCS_ENABLE actions (ArduCopter/Parameters.cpp, failsafe_gcs_on_event). */
const ARDUPILOT_GCS_ACTIONS: Record<number, string> = {
  1: 'returns to launch (RTL)',
  2: 'carries on with the mission if in AUTO, otherwise returns to launch (RTL)',
  3: 'returns along its path (SmartRTL), or RTL when it cannot',
  4: 'returns along its path (SmartRTL), or lands where it is when it cannot',
  5: 'lands where it is (LAND)',
  6: "flies to the mission's DO_LAND_START and lands there, or RTL when there is none",
  7: 'brakes and holds position (BRAKE), or lands when it cannot',
};
/** ArduPilot before 4.1 had no FS_GCS_TIMEOUT and waited a fixed 5 s (also 4.1+'s default). */
const ARDUPILOT_DEFAULT_GCS_TIMEOUT_S = 5;

/** PX4's NAV_DLL_ACT actions (data link loss), with COM_DL_LOSS_T as the timeout. */
const PX4_DLL_ACTIONS: Record<number, string> = {
  1: 'holds position (Hold mode)',
  2: 'returns to launch (Return mode)',
  3: 'lands where it is (Land mode)',
  5: 'terminates the flight (outputs to their failsafe values)',
  6: 'disarms (lockdown)',
};
const PX4_DEFAULT_DL_LOSS_S = 10;

export function describeArduPilotGcsFailsafe(enable: number, timeoutS: number | null): string {
  const settings = `FS_GCS_ENABLE ${enable}${timeoutS === null ? '' : `, FS_GCS_TIMEOUT ${timeoutS} s`}`;
  if (enable === 0) {
    return (
      `its GCS failsafe is off (${settings}): it carries on in its present mode without the ground ` +
      'station (in AUTO it flies the rest of the mission on its own)'
    );
  }
  const action = ARDUPILOT_GCS_ACTIONS[enable];
  const afterS = timeoutS ?? ARDUPILOT_DEFAULT_GCS_TIMEOUT_S;
  if (!action) return `its GCS failsafe has a value dustpatrol does not know (${settings}); check it`;
  return `its GCS failsafe (${settings}): after ${afterS} s without the ground station it ${action}`;
}

export function describePx4DataLinkLoss(action: number, timeoutS: number | null): string {
  const settings = `NAV_DLL_ACT ${action}${timeoutS === null ? '' : `, COM_DL_LOSS_T ${timeoutS} s`}`;
  if (action === 0) {
    return `its data link loss failsafe is off (${settings}): it carries on in its present mode`;
  }
  const what = PX4_DLL_ACTIONS[action];
  if (!what)
    return `its data link loss failsafe has a value dustpatrol does not know (${settings}); check it`;
  const afterS = timeoutS ?? PX4_DEFAULT_DL_LOSS_S;
  return `its data link loss failsafe (${settings}): after ${afterS} s without the ground station it ${what}`;
}

/**
 * Reads the vehicle's link-loss failsafe settings. Never throws for a parameter the vehicle lacks or
 * does not answer: the description then says what could not be read, so the pilot checks by hand.
 */
export async function readLinkFailsafe(vehicle: Vehicle, signal?: AbortSignal): Promise<LinkFailsafe> {
  const firmware = vehicle.firmware;
  if (firmware === 'other') {
    return {
      description:
        'an autopilot dustpatrol does not know: what it does without the ground station is unknown',
      params: {},
      timeoutS: null,
    };
  }
  const [actionName, timeoutName] =
    firmware === 'ardupilot' ? ['FS_GCS_ENABLE', 'FS_GCS_TIMEOUT'] : ['NAV_DLL_ACT', 'COM_DL_LOSS_T'];
  const read = (name: string) =>
    readParam(vehicle.link, vehicle.target, name, { signal, clock: vehicle.clock }).then(
      (p) => p.value,
      (err: Error) => err,
    );
  const [action, timeout] = await Promise.all([read(actionName), read(timeoutName)]);
  if (action instanceof Error) {
    return {
      description: `could not read ${actionName} (${action.message}): check its link-loss failsafe by hand`,
      params: {},
      timeoutS: null,
    };
  }
  const params: Record<string, number> = { [actionName]: action };
  const timeoutS = timeout instanceof Error ? null : timeout;
  if (timeoutS !== null) params[timeoutName] = timeoutS;
  const description =
    firmware === 'ardupilot'
      ? describeArduPilotGcsFailsafe(action, timeoutS)
      : describePx4DataLinkLoss(action, timeoutS);
  return {
    description,
    params,
    timeoutS:
      timeoutS ?? (firmware === 'ardupilot' ? ARDUPILOT_DEFAULT_GCS_TIMEOUT_S : PX4_DEFAULT_DL_LOSS_S),
  };
}
