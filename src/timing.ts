/**
 * Every wait on a vehicle or a stream, in one place. Milliseconds unless the name says otherwise.
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
  /**
   * How long a vehicle whose heartbeat says MAV_STATE_BOOT may take to finish booting before an upload.
   * ArduPilot SITL boots in a few hundred ms; a flight controller with many peripherals takes seconds.
   */
  vehicleBootTimeoutMs: 30_000,
  /**
   * A mission refused for lack of space (MAV_MISSION_NO_SPACE) just after boot is sent again this many
   * times, this long apart: ArduPilot refuses uploads until its mission storage is ready, which a
   * vehicle that never reports MAV_STATE_BOOT gives no other sign of. A vehicle truly out of room costs
   * the pilot bootUploadRetries × bootUploadRetryDelayMs before the same error.
   */
  bootUploadRetries: 3,
  bootUploadRetryDelayMs: 1000,

  /**
   * Mission protocol: the longest wait for the next request / item / ack before resending. The first
   * waits follow the measured round trip (see missionMinResendMs) and back off up to this.
   */
  missionItemTimeoutMs: 500,
  /**
   * Mission protocol: resends of one step before giving up. A step fails after
   * (missionRetries + 1) × missionItemTimeoutMs without progress, never sooner.
   */
  missionRetries: 5,
  /**
   * Shortest resend wait in a mission transfer. Waits start at the smoothed round trip plus four
   * deviations (RFC 6298) and double per resend, so a lost packet on a fast link costs a few round trips,
   * not a whole missionItemTimeoutMs; on a slow radio link the measured round trip governs.
   */
  missionMinResendMs: 10,
  /**
   * Vehicle side of an upload: how long it waits for an item before re-requesting it, and how often.
   * Longer than the GCS timeout so both sides do not resend in lockstep. Adaptive like the GCS side:
   * these bound the wait and the give-up time, missionMinResendMs is the floor.
   */
  missionServerItemTimeoutMs: 750,
  missionServerRetries: 6,

  /** Command protocol: wait for COMMAND_ACK before resending with confirmation + 1. */
  commandAckTimeoutMs: 1000,
  commandRetries: 3,
  /** After MAV_RESULT_IN_PROGRESS, wait this long for the final ack. */
  commandInProgressTimeoutMs: 30_000,

  /**
   * Giving a vehicle the signing key (SETUP_SIGNING): each try waits this long for a heartbeat signed
   * with the key (two beats at 1 Hz; ArduPilot signs from its next packet), and is sent again this
   * many times before the setup fails.
   */
  signingSetupTimeoutMs: 3000,
  signingSetupRetries: 2,

  /** Parameter protocol: wait for PARAM_VALUE, and resends. */
  paramTimeoutMs: 1000,
  paramRetries: 3,

  /** TCP client: connect attempts when opening, and the wait between reconnects after a drop. */
  tcpConnectTimeoutMs: 2000,
  tcpConnectAttempts: 3,
  tcpReconnectDelayMs: 500,

  /** Vehicle: a mode change or (dis)arm accepted by the vehicle shows in its heartbeat within this. */
  modeChangeTimeoutMs: 3000,
  armTimeoutMs: 3000,
  /**
   * Vehicle: from connecting until GPS fix, EKF position and home are good. A real ArduPilot needs
   * 35–40 s after boot (ARDUPILOT.md); a cold GPS can take minutes.
   */
  readyToArmTimeoutMs: 180_000,
  /** Vehicle: from takeoff command to the take-off altitude. */
  takeoffTimeoutMs: 120_000,
  /** Vehicle: silence on the link during a flight before dustpatrol gives up waiting. */
  flightLinkLossGiveUpMs: 60_000,
  /**
   * Vehicle: longest wait for a flight to end (disarmed) once it flies its mission; longer than any
   * multirotor battery lasts, so reaching it means the vehicle is not telling us it landed.
   */
  flightMaxDurationMs: 3_600_000,
  /**
   * Patrol: link silence after which the pilot is told what the vehicle's own GCS failsafe does
   * (a patrol's option may change it). Longer than vehicleLostAfterMs, so a lost link is reported first.
   */
  linkLossWarningMs: 10_000,
} as const;

export type LinkTiming = typeof LINK_TIMING;

/** Video streams (src/video/): waits on ffmpeg reading a file, a UDP MPEG-TS stream or RTSP. */
export const STREAM_TIMING = {
  /** From starting ffmpeg to its first frame; covers probing a live stream (one GOP at least). */
  firstFrameTimeoutMs: 10_000,
  /** A live source with no frame for this long is treated as dropped and ffmpeg is restarted. */
  stallTimeoutMs: 5000,
  /** Wait before restarting ffmpeg after a live stream dropped. */
  reconnectDelayMs: 1000,
  /** Restarts in a row without a frame before a live source ends. */
  maxReconnects: 5,
  /** How much of a live stream ffmpeg reads to learn its codec and size (its default, 5 s, is slow). */
  liveProbeMs: 1000,
  /** After SIGTERM, ffmpeg gets this long to exit before SIGKILL. */
  killGraceMs: 1000,
  /** Copying a recorded stream into a new file (to stamp its start, or a clip of it); a patrol's hour of video takes seconds. */
  remuxTimeoutMs: 120_000,
} as const;

export type StreamTiming = typeof STREAM_TIMING;

/** The simulator's camera (src/sim/camera/): its ffmpeg encoder (then stopped with STREAM_TIMING.killGraceMs). */
export const SIM_CAMERA_TIMING = {
  /** After the camera closes ffmpeg's stdin, ffmpeg gets this long to encode the rest and finish the files. */
  encoderFinishTimeoutMs: 15_000,
} as const;

export type SimCameraTiming = typeof SIM_CAMERA_TIMING;

/**
 * The camera that follows a vehicle's reported pose (src/sim/camera/follow-camera.ts, `sim-camera`): its
 * telemetry requests, and how far behind the vehicle its rendering may fall.
 */
export const FOLLOW_CAMERA_TIMING = {
  /**
   * Heartbeats but no position for this long (wall time): ask for the streams again. A vehicle sends
   * nothing until asked, forgets after a reboot, and a request may be lost.
   */
  streamRequestRetryMs: 3000,
  /**
   * Frames due further than this behind the newest position fix (vehicle seconds) repeat the last
   * rendered picture instead of being rendered: the video keeps the vehicle's time. A frame rendered
   * late is still right (its pose is the one at its time, and live analytics takes the earliest
   * arrivals for the stream's clock), a repeated one is stale and breaks a plume's track, so the budget
   * is generous: under the 3 s by which live analytics takes a stream for a restarted one
   * (analytics/live-clock.ts), with a margin for the decoder's own delay.
   */
  maxRenderLagS: 2,
  /** A position or attitude whose boot time goes back by more than this (ms): the vehicle rebooted. */
  rebootStepBackMs: 1000,
  /**
   * `sim-camera`: a link that cannot be opened yet is tried again this often until it can or the
   * camera is stopped (SITL opens serial 1 only once a client has connected to serial 0).
   */
  linkOpenRetryMs: 2000,
} as const;

export type FollowCameraTiming = typeof FOLLOW_CAMERA_TIMING;

/** Live analytics (src/analytics/live-analytics.ts): the vehicle's video stream during a patrol. */
export const LIVE_TIMING = {
  /** After the stream could not be opened, wait this long before the next try, doubling per failure… */
  videoReopenDelayMs: 1000,
  /** …up to this. A patrol keeps trying while it flies: the drone may fly back into video range. */
  videoReopenMaxDelayMs: 8000,
  /** A frame waits at most this long for the telemetry fix after its time (10 Hz: 100 ms apart). */
  poseWaitMs: 400,
  posePollMs: 20,
  /** No frame for this long is reported to the pilot (the source itself restarts ffmpeg later, see STREAM_TIMING). */
  videoSilentMs: 2000,
} as const;

/**
 * The alert store (src/alerts/) as the daemon writes it during patrols. SQLite is synchronous: a write
 * waiting on another process's lock holds the whole event loop (heartbeats, telemetry, failsafes)
 * while it waits, so the daemon waits only briefly and holds in memory what it could not write.
 */
export const STORE_TIMING = {
  /**
   * The daemon's SQLite busy_timeout: a write waits this long for another process's lock before it is
   * held in memory. Well under a heartbeat period, so the vehicle never misses the ground station.
   * (Commands that fly nothing, `replay` and `alerts`, wait BUSY_TIMEOUT_MS.)
   */
  daemonBusyTimeoutMs: 200,
  /** After a write failed (full disk, lock, I/O error), the held writes are tried again this long later, doubling per failure… */
  retryDelayMs: 2000,
  /** …up to this. It never gives up while the daemon runs: giving up would lose the alerts. */
  retryMaxDelayMs: 30_000,
} as const;

export type StoreTiming = typeof STORE_TIMING;
