import { minimal } from 'node-mavlink';

/** An ArduPilot quadrotor's HEARTBEAT (type 2, autopilot 3), as a vehicle on the link sends it. */
export function autopilotHeartbeat(): minimal.Heartbeat {
  const hb = new minimal.Heartbeat();
  hb.type = minimal.MavType.QUADROTOR;
  hb.autopilot = minimal.MavAutopilot.ARDUPILOTMEGA;
  hb.mavlinkVersion = 3;
  return hb;
}

/** A ground station's HEARTBEAT (type GCS, autopilot INVALID), as MavLinkConnection beats it. */
export function gcsHeartbeat(): minimal.Heartbeat {
  const hb = new minimal.Heartbeat();
  hb.type = minimal.MavType.GCS;
  hb.autopilot = minimal.MavAutopilot.INVALID;
  hb.mavlinkVersion = 3;
  return hb;
}
