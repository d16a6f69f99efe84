import { common, minimal } from 'node-mavlink';
import { FrameEncoder } from '../../src/mavlink/codec.js';
import { TlogWriter } from '../../src/mavlink/index.js';

export interface HoverLog {
  startUs: number;
  endUs: number;
}

/**
 * Writes a tlog of a copter hovering at `altRelM` over a point for `seconds`, nose north, camera
 * straight down: what a ground station logs at 10 Hz (heartbeat, SYSTEM_TIME, GLOBAL_POSITION_INT,
 * ATTITUDE, GIMBAL_DEVICE_ATTITUDE_STATUS), each record stamped when it "arrived".
 */
export function writeHoverTlog(
  file: string,
  opts: {
    startUs: number;
    seconds: number;
    latDeg: number;
    lonDeg: number;
    groundAmslM: number;
    altRelM: number;
  },
): HoverLog {
  const tlog = new TlogWriter(file);
  const vehicle = new FrameEncoder(1, 1);
  const bootUs = opts.startUs - 60e6;
  const steps = Math.round(opts.seconds * 10);
  for (let i = 0; i <= steps; i++) {
    const timeUs = opts.startUs + i * 100_000;
    const timeBootMs = Math.round((timeUs - bootUs) / 1000);
    const messages = [];
    if (i % 10 === 0) {
      const hb = new minimal.Heartbeat();
      hb.type = minimal.MavType.QUADROTOR;
      hb.autopilot = minimal.MavAutopilot.ARDUPILOTMEGA;
      hb.baseMode = 0 as minimal.MavModeFlag;
      hb.systemStatus = minimal.MavState.ACTIVE;
      hb.mavlinkVersion = 3;
      const time = new common.SystemTime();
      time.timeUnixUsec = BigInt(timeUs);
      time.timeBootMs = timeBootMs;
      messages.push(hb, time);
    }
    const position = new common.GlobalPositionInt();
    position.timeBootMs = timeBootMs;
    position.lat = Math.round(opts.latDeg * 1e7);
    position.lon = Math.round(opts.lonDeg * 1e7);
    position.alt = Math.round((opts.groundAmslM + opts.altRelM) * 1000);
    position.relativeAlt = Math.round(opts.altRelM * 1000);
    position.hdg = 0;
    const attitude = new common.Attitude();
    attitude.timeBootMs = timeBootMs;
    const gimbal = new common.GimbalDeviceAttitudeStatus();
    gimbal.timeBootMs = timeBootMs;
    gimbal.flags = common.GimbalDeviceFlags.YAW_IN_VEHICLE_FRAME;
    // Pitch −90° about the y axis: q = [cos(−45°), 0, sin(−45°), 0].
    gimbal.q = [Math.SQRT1_2, 0, -Math.SQRT1_2, 0];
    gimbal.angularVelocityX = gimbal.angularVelocityY = gimbal.angularVelocityZ = Number.NaN;
    messages.push(position, attitude, gimbal);
    for (const message of messages) tlog.write(timeUs, vehicle.encode(message));
  }
  tlog.close();
  return { startUs: opts.startUs, endUs: opts.startUs + steps * 100_000 };
}
