import { minimal } from 'node-mavlink';
import { UserError } from '../errors.js';
import { TelemetryTrack } from '../geotag/index.js';
import { type ReceivedMessage, readTlog } from '../mavlink/index.js';

/** A recorded flight's telemetry: the vehicle's pose track and where it came from. */
export interface FlightTelemetry {
  track: TelemetryTrack;
  /** The vehicle's MAVLink system id (the first autopilot heartbeat in the log). */
  sysid: number;
  /** First and last pose time on the vehicle's clock, µs since the Unix epoch. */
  startUs: number;
  endUs: number;
  /** Records in the log (all systems). */
  records: number;
}

/**
 * Reads a tlog into a pose track of its vehicle. A ground station's log also holds the ground
 * station's own packets, so the vehicle is the first system whose heartbeat says it is an autopilot;
 * packets before that heartbeat are kept and given to the track once the vehicle is known.
 * A tlog cut short (the writer died mid-record) is refused: its last moments cannot be trusted.
 */
export async function loadFlightTelemetry(tlogPath: string, signal?: AbortSignal): Promise<FlightTelemetry> {
  const reader = readTlog(tlogPath, { onTruncatedTail: 'error' });
  let track: TelemetryTrack | null = null;
  let sysid = 0;
  const early: ReceivedMessage[] = [];
  let records = 0;
  for await (const rx of reader) {
    records++;
    if (records % 10_000 === 0) signal?.throwIfAborted();
    if (track) {
      if (rx.sysid === sysid) track.add(rx);
      continue;
    }
    if (isAutopilotHeartbeat(rx)) {
      sysid = rx.sysid;
      track = new TelemetryTrack({ sysid });
      for (const held of early) if (held.sysid === sysid) track.add(held);
      early.length = 0;
    } else {
      early.push(rx);
    }
  }
  if (!track) throw new UserError(`${tlogPath}: no autopilot heartbeat in the log, so no vehicle to follow`);
  const span = track.span();
  if (!span) {
    throw new UserError(
      `${tlogPath}: the log has no position and attitude of vehicle ${sysid} (GLOBAL_POSITION_INT, ATTITUDE)`,
    );
  }
  return { track, sysid, startUs: span.startUs, endUs: span.endUs, records };
}

function isAutopilotHeartbeat(rx: ReceivedMessage): boolean {
  if (!(rx.message instanceof minimal.Heartbeat)) return false;
  return rx.message.autopilot !== minimal.MavAutopilot.INVALID && rx.message.type !== minimal.MavType.GCS;
}
