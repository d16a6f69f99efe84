import { ardupilotmega, common, type MavLinkData } from 'node-mavlink';
import type { MavLinkConnection } from '../mavlink/index.js';

const { MavDataStream } = common;

/** ArduPilot caps a stream at 50 Hz. */
const MAX_RATE_HZ = 50;

/** REQUEST_DATA_STREAM groups as ArduPilot Copter fills them (only the messages the simulator has). */
const STREAM_GROUPS: ReadonlyMap<number, readonly number[]> = new Map([
  [
    MavDataStream.EXTENDED_STATUS,
    [
      common.SysStatus.MSG_ID,
      common.MissionCurrent.MSG_ID,
      common.GpsRawInt.MSG_ID,
      common.FenceStatus.MSG_ID,
    ],
  ],
  [MavDataStream.POSITION, [common.GlobalPositionInt.MSG_ID]],
  [MavDataStream.EXTRA1, [common.Attitude.MSG_ID]],
  [MavDataStream.EXTRA2, [common.VfrHud.MSG_ID]],
  [
    MavDataStream.EXTRA3,
    [
      common.SystemTime.MSG_ID,
      common.BatteryStatus.MSG_ID,
      common.GimbalDeviceAttitudeStatus.MSG_ID,
      ardupilotmega.EkfStatusReport.MSG_ID,
      ardupilotmega.Wind.MSG_ID,
    ],
  ],
]);

interface Scheduled {
  periodMs: number;
  nextMs: number;
}

/**
 * The vehicle's telemetry streams, in rates of the clock it is given (the simulator's): nothing until asked, then REQUEST_DATA_STREAM
 * by group and SET_MESSAGE_INTERVAL per message (which wins over the group), ArduPilot-style.
 */
export class TelemetryStreams {
  private readonly groupRateHz = new Map<number, number>();
  /** SET_MESSAGE_INTERVAL overrides: interval µs, or -1 disabled. */
  private readonly intervalUs = new Map<number, number>();
  private readonly scheduled = new Map<number, Scheduled>();

  constructor(
    private readonly link: MavLinkConnection,
    private readonly build: (msgId: number) => MavLinkData | null,
    private readonly knows: (msgId: number) => boolean,
    private readonly nowMs: () => number,
  ) {}

  /** REQUEST_DATA_STREAM: a group (or MAV_DATA_STREAM_ALL) at `rateHz`; stop or rate 0 turns it off. */
  requestDataStream(streamId: number, rateHz: number, start: boolean): void {
    const groups = streamId === MavDataStream.ALL ? [...STREAM_GROUPS.keys()] : [streamId];
    for (const group of groups) {
      if (!STREAM_GROUPS.has(group)) continue;
      this.groupRateHz.set(group, start ? Math.min(rateHz, MAX_RATE_HZ) : 0);
      for (const msgId of STREAM_GROUPS.get(group) ?? []) this.reschedule(msgId);
    }
  }

  /** SET_MESSAGE_INTERVAL: µs between sends, -1 to stop, 0 back to its stream group's rate. False if unknown. */
  setMessageInterval(msgId: number, intervalUs: number): boolean {
    if (!this.knows(msgId)) return false;
    if (intervalUs === 0) this.intervalUs.delete(msgId);
    else this.intervalUs.set(msgId, intervalUs < 0 ? -1 : Math.max(intervalUs, 1e6 / MAX_RATE_HZ));
    this.reschedule(msgId);
    return true;
  }

  /** GET_MESSAGE_INTERVAL's answer: µs, -1 when not streamed, 0 for a message this vehicle lacks. */
  messageIntervalUs(msgId: number): number {
    if (!this.knows(msgId)) return 0;
    const scheduled = this.scheduled.get(msgId);
    return scheduled ? Math.round(scheduled.periodMs * 1000) : -1;
  }

  /** Sends one message now (REQUEST_MESSAGE); false when it cannot be built (unknown, or no data yet). */
  sendOnce(msgId: number): boolean {
    const message = this.knows(msgId) ? this.build(msgId) : null;
    if (!message) return false;
    this.link.send(message);
    return true;
  }

  /** Sends whatever is due, keeping each message on its own wall-clock grid. */
  tick(): void {
    const now = this.nowMs();
    for (const [msgId, s] of this.scheduled) {
      if (now < s.nextMs) continue;
      s.nextMs = Math.max(s.nextMs + s.periodMs, now);
      const message = this.build(msgId);
      if (message) this.link.send(message);
    }
  }

  private reschedule(msgId: number): void {
    const periodMs = this.periodMs(msgId);
    if (periodMs === null) {
      this.scheduled.delete(msgId);
      return;
    }
    const existing = this.scheduled.get(msgId);
    if (existing) existing.periodMs = periodMs;
    else this.scheduled.set(msgId, { periodMs, nextMs: this.nowMs() });
  }

  private periodMs(msgId: number): number | null {
    const override = this.intervalUs.get(msgId);
    if (override !== undefined) return override < 0 ? null : override / 1000;
    let rateHz = 0;
    for (const [group, ids] of STREAM_GROUPS) {
      if (ids.includes(msgId)) rateHz = Math.max(rateHz, this.groupRateHz.get(group) ?? 0);
    }
    return rateHz > 0 ? 1000 / rateHz : null;
  }
}
