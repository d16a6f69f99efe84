import { common } from 'node-mavlink';
import type { MavLinkConnection } from '../mavlink/index.js';
import { isForVehicle, type VehicleIds } from './addressing.js';

const { MavParamType } = common;

interface ParamDefinition {
  value: number;
  type: common.MavParamType;
}

/**
 * The parameters the simulator flies by, with ArduPilot Copter 4.7's names, units and defaults
 * (speeds in cm/s, distances in cm, times in ms unless the name says otherwise).
 * The battery failsafe thresholds are set (ArduPilot ships them at 0, off) so the failsafe can be tested.
 */
const DEFINITIONS = {
  WPNAV_SPEED: { value: 1000, type: MavParamType.REAL32 },
  WPNAV_SPEED_UP: { value: 250, type: MavParamType.REAL32 },
  WPNAV_SPEED_DN: { value: 150, type: MavParamType.REAL32 },
  WPNAV_ACCEL: { value: 250, type: MavParamType.REAL32 },
  WPNAV_ACCEL_Z: { value: 100, type: MavParamType.REAL32 },
  /** m/s³ */
  WPNAV_JERK: { value: 1, type: MavParamType.REAL32 },
  WPNAV_RADIUS: { value: 200, type: MavParamType.REAL32 },
  WP_YAW_BEHAVIOR: { value: 2, type: MavParamType.INT8 },
  ATC_SLEW_YAW: { value: 6000, type: MavParamType.REAL32 },
  LAND_SPEED: { value: 50, type: MavParamType.INT16 },
  LAND_SPEED_HIGH: { value: 0, type: MavParamType.INT16 },
  LAND_ALT_LOW: { value: 1000, type: MavParamType.INT16 },
  RTL_ALT: { value: 1500, type: MavParamType.INT32 },
  RTL_ALT_FINAL: { value: 0, type: MavParamType.INT32 },
  RTL_LOIT_TIME: { value: 5000, type: MavParamType.INT32 },
  RTL_SPEED: { value: 0, type: MavParamType.INT16 },
  DISARM_DELAY: { value: 10, type: MavParamType.INT8 },
  BATT_CAPACITY: { value: 3300, type: MavParamType.INT32 },
  BATT_LOW_MAH: { value: 660, type: MavParamType.REAL32 },
  BATT_CRT_MAH: { value: 330, type: MavParamType.REAL32 },
  BATT_FS_LOW_ACT: { value: 2, type: MavParamType.INT8 },
  BATT_FS_CRT_ACT: { value: 1, type: MavParamType.INT8 },
  /** GCS failsafe off, as ArduPilot ships it; the timeout is judged in wall time (see Simulator). */
  FS_GCS_ENABLE: { value: 0, type: MavParamType.INT8 },
  /** seconds */
  FS_GCS_TIMEOUT: { value: 5, type: MavParamType.REAL32 },
  /** Geofence off, as ArduPilot ships it; FENCE_ACTION 1: RTL, or land without a position. */
  FENCE_ENABLE: { value: 0, type: MavParamType.INT8 },
  FENCE_ACTION: { value: 1, type: MavParamType.INT8 },
} satisfies Record<string, ParamDefinition>;

export type ParamName = keyof typeof DEFINITIONS;

const INTEGER_TYPES: ReadonlySet<common.MavParamType> = new Set([
  MavParamType.UINT8,
  MavParamType.INT8,
  MavParamType.UINT16,
  MavParamType.INT16,
  MavParamType.UINT32,
  MavParamType.INT32,
]);

/** The vehicle's parameter values; the flight code reads them live, so PARAM_SET changes behaviour. */
export class ParamTable {
  private readonly values = new Map<string, number>(
    Object.entries(DEFINITIONS).map(([name, def]) => [name, def.value]),
  );
  readonly names: readonly string[] = Object.keys(DEFINITIONS);

  get(name: ParamName): number {
    return this.values.get(name) as number;
  }

  has(name: string): boolean {
    return this.values.has(name);
  }

  typeOf(name: string): common.MavParamType {
    return DEFINITIONS[name as ParamName].type;
  }

  /** Sets a known parameter (integer types are rounded, as ArduPilot stores them); false if unknown. */
  set(name: string, value: number): boolean {
    if (!this.has(name) || !Number.isFinite(value)) return false;
    this.values.set(name, INTEGER_TYPES.has(this.typeOf(name)) ? Math.round(value) : value);
    return true;
  }
}

/**
 * Answers PARAM_REQUEST_LIST, PARAM_REQUEST_READ and PARAM_SET with PARAM_VALUE on the vehicle's link.
 * Like ArduPilot, a read or write of an unknown name gets no answer. Returns the unsubscribe function.
 */
export function serveParams(link: MavLinkConnection, table: ParamTable, ids: VehicleIds): () => void {
  const send = (name: string) => {
    const msg = new common.ParamValue();
    msg.paramId = name;
    msg.paramValue = table.get(name as ParamName);
    msg.paramType = table.typeOf(name);
    msg.paramCount = table.names.length;
    msg.paramIndex = table.names.indexOf(name);
    link.send(msg);
  };
  return link.onMessage(({ message }) => {
    if (message instanceof common.ParamRequestList) {
      if (isForVehicle(message.targetSystem, message.targetComponent, ids)) table.names.forEach(send);
    } else if (message instanceof common.ParamRequestRead) {
      if (!isForVehicle(message.targetSystem, message.targetComponent, ids)) return;
      const name = message.paramIndex >= 0 ? table.names[message.paramIndex] : message.paramId;
      if (name !== undefined && table.has(name)) send(name);
    } else if (message instanceof common.ParamSet) {
      if (!isForVehicle(message.targetSystem, message.targetComponent, ids)) return;
      if (table.set(message.paramId, message.paramValue)) send(message.paramId);
    }
  });
}
