import { EventEmitter } from 'node:events';
import { common } from 'node-mavlink';
import type { Clock } from '../clock.js';
import { CancelledError, TimeoutError } from '../errors.js';
import {
  LINK_TIMING,
  type MavLinkConnection,
  type Peer,
  type ReceivedMessage,
  sendCommand,
} from '../mavlink/index.js';
import { type Firmware, setModeParams } from './flight-modes.js';
import { applyMessage, initialState, type StatusText, type VehicleState } from './state.js';

const MAV_CMD = common.MavCmd;
const MAV_MODE_FLAG_CUSTOM_MODE_ENABLED = 1;

/**
 * ArduPilot sends almost nothing until asked (ARDUPILOT.md): these REQUEST_DATA_STREAM groups and
 * rates (Hz) are asked for on connect and again whenever the vehicle comes back after a loss.
 */
const DATA_STREAMS_HZ: [streamId: number, rateHz: number][] = [
  [2, 2], // EXTENDED_STATUS: SYS_STATUS, GPS_RAW_INT, MISSION_CURRENT
  [6, 10], // POSITION: GLOBAL_POSITION_INT (10 Hz: geotagging interpolates the pose between fixes)
  [10, 10], // EXTRA1: ATTITUDE
  [11, 4], // EXTRA2: VFR_HUD
  [12, 2], // EXTRA3: EKF_STATUS_REPORT, BATTERY_STATUS
];
/** Messages no stream group carries, asked for by SET_MESSAGE_INTERVAL (message id, Hz). */
const MESSAGE_INTERVALS_HZ: [msgid: number, rateHz: number][] = [
  [common.ExtendedSysState.MSG_ID, 1],
  [common.HomePosition.MSG_ID, 0.5],
  // Geotagging: the camera's pointing, and the vehicle clock against Unix time.
  [common.GimbalDeviceAttitudeStatus.MSG_ID, 10],
  [common.SystemTime.MSG_ID, 1],
];

/**
 * One vehicle on a link: its state from telemetry and the actions a pilot takes. Its waits and its
 * commands' resends run on the link's clock (the system clock in production, a test's fake clock).
 * Events: 'change' (VehicleState), 'statustext' (StatusText), 'reached' (seq), 'lost', 'regained'.
 */
export class Vehicle extends EventEmitter {
  readonly state: VehicleState;
  private readonly unsubscribe: () => void;
  private readonly onPeerLost = (peer: Peer) => this.isMe(peer) && this.emit('lost');
  private readonly onPeerRegained = (peer: Peer) => {
    if (!this.isMe(peer)) return;
    this.requestTelemetry();
    this.emit('regained');
  };

  constructor(
    readonly link: MavLinkConnection,
    peer: Peer,
  ) {
    super();
    this.state = initialState(peer.sysid, peer.compid, peer.autopilot);
    // The heartbeat that found the vehicle may say it is still booting (MAV_STATE_BOOT).
    this.state.systemStatus = peer.systemStatus;
    this.unsubscribe = link.onMessage((rx) => this.onMessage(rx));
    link.on('peer-lost', this.onPeerLost);
    link.on('peer-regained', this.onPeerRegained);
    this.requestTelemetry();
  }

  /** Waits for the first autopilot heartbeat on the link and returns its Vehicle. */
  static async connect(link: MavLinkConnection, signal?: AbortSignal): Promise<Vehicle> {
    const peer = await link.waitForVehicle(LINK_TIMING.vehicleDiscoveryTimeoutMs, signal);
    return new Vehicle(link, peer);
  }

  get target(): { sysid: number; compid: number } {
    return { sysid: this.state.sysid, compid: this.state.compid };
  }

  /** The clock of this vehicle's waits: its link's. */
  get clock(): Clock {
    return this.link.clock;
  }

  get firmware(): Firmware {
    return this.state.firmware;
  }

  /** Asks for the telemetry streams dustpatrol reads (needed by ArduPilot, harmless on PX4). */
  requestTelemetry(): void {
    for (const [streamId, rateHz] of DATA_STREAMS_HZ) {
      const req = new common.RequestDataStream();
      req.targetSystem = this.state.sysid;
      req.targetComponent = this.state.compid;
      req.reqStreamId = streamId;
      req.reqMessageRate = rateHz;
      req.startStop = 1;
      this.link.send(req);
    }
    for (const [msgid, rateHz] of MESSAGE_INTERVALS_HZ) {
      const cmd = new common.CommandLong();
      cmd.targetSystem = this.state.sysid;
      cmd.targetComponent = this.state.compid;
      cmd.command = MAV_CMD.SET_MESSAGE_INTERVAL;
      cmd._param1 = msgid;
      cmd._param2 = 1e6 / rateHz;
      // Fire and forget: an autopilot without the message simply does not send it.
      this.link.send(cmd);
    }
  }

  async setMode(name: string, signal?: AbortSignal): Promise<void> {
    const [customMode, subMode] = setModeParams(this.firmware, name);
    await sendCommand(
      this.link,
      this.target,
      MAV_CMD.DO_SET_MODE,
      [MAV_MODE_FLAG_CUSTOM_MODE_ENABLED, customMode, subMode],
      {
        signal,
      },
    );
    await this.waitUntil(
      (s) => s.customMode === (this.firmware === 'px4' ? pxCustomMode(customMode, subMode) : customMode),
      {
        timeoutMs: LINK_TIMING.modeChangeTimeoutMs,
        what: `mode ${name.toUpperCase()}`,
        signal,
      },
    );
  }

  async arm(signal?: AbortSignal): Promise<void> {
    await sendCommand(this.link, this.target, MAV_CMD.COMPONENT_ARM_DISARM, [1], { signal });
    await this.waitUntil((s) => s.armed, { timeoutMs: LINK_TIMING.armTimeoutMs, what: 'armed', signal });
  }

  async disarm(signal?: AbortSignal): Promise<void> {
    await sendCommand(this.link, this.target, MAV_CMD.COMPONENT_ARM_DISARM, [0], { signal });
    await this.waitUntil((s) => !s.armed, { timeoutMs: LINK_TIMING.armTimeoutMs, what: 'disarmed', signal });
  }

  /** Takes off to `altitudeRelM` above home; resolves once the command is accepted. */
  async takeoff(altitudeRelM: number, signal?: AbortSignal): Promise<void> {
    await sendCommand(
      this.link,
      this.target,
      MAV_CMD.NAV_TAKEOFF,
      [0, 0, 0, Number.NaN, Number.NaN, Number.NaN, altitudeRelM],
      {
        signal,
      },
    );
  }

  async startMission(signal?: AbortSignal): Promise<void> {
    await sendCommand(this.link, this.target, MAV_CMD.MISSION_START, [0, 0], { signal });
  }

  /** Holds position where it is (LOITER on ArduPilot, AUTO.LOITER on PX4). */
  async pause(signal?: AbortSignal): Promise<void> {
    await this.setMode('LOITER', signal);
  }

  async returnToLaunch(signal?: AbortSignal): Promise<void> {
    await sendCommand(this.link, this.target, MAV_CMD.NAV_RETURN_TO_LAUNCH, [], { signal });
  }

  async land(signal?: AbortSignal): Promise<void> {
    await this.setMode('LAND', signal);
  }

  /** Resolves when `condition` holds for the state; checked on every telemetry change. */
  waitUntil(
    condition: (state: VehicleState) => boolean,
    { timeoutMs, what, signal }: { timeoutMs: number; what: string; signal?: AbortSignal },
  ): Promise<VehicleState> {
    return new Promise((resolve, reject) => {
      if (condition(this.state)) return resolve(this.state);
      if (signal?.aborted) return reject(new CancelledError(`waiting for ${what}`));
      const finish = () => {
        this.clock.clearTimeout(timer);
        this.off('change', onChange);
        signal?.removeEventListener('abort', onAbort);
      };
      const onChange = () => {
        if (!condition(this.state)) return;
        finish();
        resolve(this.state);
      };
      const onAbort = () => {
        finish();
        reject(new CancelledError(`waiting for ${what}`));
      };
      const timer = this.clock.setTimeout(() => {
        finish();
        const last = this.lastStatusText();
        reject(
          new TimeoutError(
            `vehicle not ${what} after ${timeoutMs / 1000} s${last ? ` (vehicle says: ${last.text})` : ''}`,
          ),
        );
      }, timeoutMs);
      this.on('change', onChange);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  lastStatusText(): StatusText | undefined {
    return this.state.statusTexts.at(-1);
  }

  close(): void {
    this.unsubscribe();
    this.link.off('peer-lost', this.onPeerLost);
    this.link.off('peer-regained', this.onPeerRegained);
    this.removeAllListeners();
  }

  private isMe(peer: Peer): boolean {
    return peer.sysid === this.state.sysid && peer.compid === this.state.compid;
  }

  private onMessage(rx: ReceivedMessage): void {
    if (rx.sysid !== this.state.sysid) return;
    // The autopilot's own heartbeat; other components of the system (camera, gimbal) have theirs.
    if (rx.msgid === 0 && rx.compid !== this.state.compid) return;
    // An event, not state: who follows a sortie keeps its own list (watchReachedItems).
    if (rx.message instanceof common.MissionItemReached) {
      this.emit('reached', rx.message.seq);
      return;
    }
    if (!applyMessage(this.state, rx)) return;
    if (rx.message instanceof common.StatusText) this.emit('statustext', this.lastStatusText());
    this.emit('change', this.state);
  }
}

function pxCustomMode(main: number, sub: number): number {
  return ((sub << 24) | (main << 16)) >>> 0;
}
