/**
 * Every wait on a vehicle, in one place. Milliseconds unless the name says otherwise.
 * Anchors: MAVSDK waits 0.5 s per mission item with 5 retries; QGroundControl waits 1.5 s for an ack,
 * 0.25 s before re-requesting an item, 5 retries.
 */
export const LINK_TIMING = {
  /** GCS heartbeat period (MAVLink: 1 Hz). */
  heartbeatPeriodMs: 1000,
  /** A vehicle whose heartbeat is silent this long is reported lost. */
  vehicleLostAfterMs: 3500,
  /** How long `waitForVehicle` waits for a first heartbeat. */
  vehicleDiscoveryTimeoutMs: 10_000,

  /** Mission protocol: wait for the next request / item / ack before resending. */
  missionItemTimeoutMs: 500,
  /** Mission protocol: resends of one step before giving up. */
  missionRetries: 5,
  /**
   * Vehicle side of an upload: how long it waits for an item before re-requesting it, and how often.
   * Longer than the GCS timeout so both sides do not resend in lockstep.
   */
  missionServerItemTimeoutMs: 750,
  missionServerRetries: 6,

  /** Command protocol: wait for COMMAND_ACK before resending with confirmation + 1. */
  commandAckTimeoutMs: 1000,
  commandRetries: 3,
  /** After MAV_RESULT_IN_PROGRESS, wait this long for the final ack. */
  commandInProgressTimeoutMs: 30_000,

  /** Parameter protocol: wait for PARAM_VALUE, and resends. */
  paramTimeoutMs: 1000,
  paramRetries: 3,

  /** TCP client: connect attempts when opening, and the wait between reconnects after a drop. */
  tcpConnectTimeoutMs: 2000,
  tcpConnectAttempts: 3,
  tcpReconnectDelayMs: 500,
} as const;

export type LinkTiming = typeof LINK_TIMING;
