import { common } from 'node-mavlink';
import type { Clock } from '../clock.js';
import { UserError } from '../errors.js';
import { LINK_TIMING } from '../timing.js';
import type { ReceivedMessage } from './codec.js';
import type { MavLinkConnection } from './link.js';
import { type MissionItem, MissionType } from './mission-item.js';
import {
  decodeMissionItem,
  decodeXY,
  encodeMissionItem,
  isMissionType,
  MISSION_TYPE_NAMES,
  missionAckMessage,
  missionCountMessage,
  missionItemIntMessage,
  missionRequestIntMessage,
  type WireItem,
  wireItemOf,
} from './mission-wire.js';
import { Resender, RoundTripEstimate } from './resend.js';
import type { Target } from './target.js';

export interface MissionServerOptions {
  /** Most items one list may hold (default 700, an ArduPilot board with a 16 KB storage area). */
  capacity?: number;
  /** Called after a ground station changed a list (upload or clear), not after setItems. */
  onChanged?: (type: MissionType, items: MissionItem[]) => void;
  /** Time and timers of the item re-requests (default: the link's clock). */
  clock?: Clock;
  /**
   * While this says false, uploads are refused with MAV_MISSION_NO_SPACE, as ArduPilot refuses them
   * while it boots (default: always ready).
   */
  ready?: () => boolean;
  /**
   * Send items back as ArduPilot's compact mission storage reads them back: unused (NaN) params as 0,
   * and MAV_FRAME_MISSION (no position) as MAV_FRAME_GLOBAL (default false: as sent). Only what a
   * download sees: `items()` and the vehicle flying them keep what was sent.
   */
  readBackLikeArduPilot?: boolean;
}

const Result = common.MavMissionResult;
const MAV_MISSION_TYPE_ALL = 255;
const DEFAULT_CAPACITY = 700;

interface Upload {
  type: MissionType;
  from: Target;
  count: number;
  items: WireItem[];
  resender: Resender;
}

const sameSender = (a: Target, b: Target) => a.sysid === b.sysid && a.compid === b.compid;

/**
 * The vehicle side of the mission protocol for the mission, fence and rally lists (like MAVSDK's
 * mission_raw_server): answers uploads, downloads and clears on `link`, addressed to its system.
 * An upload is committed only when complete; a failed or cancelled one leaves the old list.
 */
export class MissionServer {
  private readonly lists = new Map<MissionType, WireItem[]>();
  private readonly capacity: number;
  private readonly roundTrip = new RoundTripEstimate();
  private upload: Upload | undefined;
  /** The last completed upload, to ack again when the ground station did not hear our ack. */
  private completed: { type: MissionType; from: Target; count: number } | undefined;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly link: MavLinkConnection,
    private readonly options: MissionServerOptions = {},
  ) {
    this.capacity = options.capacity ?? DEFAULT_CAPACITY;
    this.unsubscribe = link.onMessage((rx) => this.onMessage(rx));
  }

  items(type: MissionType): MissionItem[] {
    return (this.lists.get(type) ?? []).map(decodeMissionItem);
  }

  setItems(type: MissionType, items: MissionItem[]): void {
    const name = MISSION_TYPE_NAMES[type];
    if (items.length > this.capacity) {
      throw new UserError(`${name} of ${items.length} items exceeds the capacity of ${this.capacity}`);
    }
    this.lists.set(
      type,
      items.map((item, seq) => encodeMissionItem(item, `${name} item ${seq}`)),
    );
  }

  close(): void {
    this.unsubscribe();
    this.abortUpload();
  }

  private onMessage(rx: ReceivedMessage): void {
    const m = rx.message as { targetSystem?: number; targetComponent?: number };
    if (m.targetSystem !== this.link.systemId) return;
    if (m.targetComponent !== 0 && m.targetComponent !== this.link.componentId) return;
    const from = { sysid: rx.sysid, compid: rx.compid };
    const msg = rx.message;
    if (msg instanceof common.MissionCount) this.onCount(from, msg);
    else if (msg instanceof common.MissionItemInt) this.onItem(from, msg);
    else if (msg instanceof common.MissionAck) this.onAck(from, msg);
    else if (msg instanceof common.MissionRequestList) this.onRequestList(from, msg);
    else if (msg instanceof common.MissionRequestInt) this.onRequest(from, msg.missionType, msg.seq, true);
    else if (msg instanceof common.MissionRequest) this.onRequest(from, msg.missionType, msg.seq, false);
    else if (msg instanceof common.MissionClearAll) this.onClearAll(from, msg);
  }

  private ack(to: Target, type: number, result: common.MavMissionResult): void {
    this.link.send(missionAckMessage(to, type, result));
  }

  private abortUpload(): void {
    this.upload?.resender.stop();
    this.upload = undefined;
  }

  private onCount(from: Target, m: common.MissionCount): void {
    const type = m.missionType as number;
    if (!isMissionType(type)) {
      this.ack(from, type, Result.UNSUPPORTED);
      return;
    }
    if (m.count > this.capacity || !(this.options.ready?.() ?? true)) {
      this.ack(from, type, Result.NO_SPACE);
      return;
    }
    // Like ArduPilot, a MISSION_COUNT (re)starts the upload from item 0.
    this.abortUpload();
    this.completed = undefined;
    if (m.count === 0) {
      this.commit(type, from, []);
      return;
    }
    const upload: Upload = {
      type,
      from,
      count: m.count,
      items: [],
      resender: new Resender(
        this.roundTrip,
        LINK_TIMING.missionServerItemTimeoutMs,
        LINK_TIMING.missionServerRetries,
        () => {
          this.upload = undefined;
          this.ack(from, type, Result.OPERATION_CANCELLED);
        },
        this.options.clock ?? this.link.clock,
      ),
    };
    this.upload = upload;
    upload.resender.step(() => this.requestItem(upload));
  }

  private requestItem(upload: Upload): void {
    this.link.send(missionRequestIntMessage(upload.from, upload.type, upload.items.length));
  }

  private onItem(from: Target, m: common.MissionItemInt): void {
    const type = m.missionType as number;
    const upload = this.upload;
    if (upload && sameSender(upload.from, from) && upload.type === type) {
      if (m.seq !== upload.items.length) {
        // What ArduPilot does with a duplicate or early item; the ground station carries on.
        this.ack(from, type, Result.INVALID_SEQUENCE);
        return;
      }
      upload.items.push(wireItemOf(m));
      if (upload.items.length < upload.count) {
        upload.resender.step(() => this.requestItem(upload));
        return;
      }
      this.abortUpload();
      this.commit(upload.type, from, upload.items);
      return;
    }
    const done = this.completed;
    if (done && sameSender(done.from, from) && done.type === type && m.seq === done.count - 1) {
      this.ack(from, type, Result.ACCEPTED);
    }
  }

  private readBack(item: WireItem): WireItem {
    if (!this.options.readBackLikeArduPilot) return item;
    const zeroNaN = (v: number) => (Number.isNaN(v) ? 0 : v);
    return {
      ...item,
      frame: item.frame === common.MavFrame.MISSION ? common.MavFrame.GLOBAL : item.frame,
      param1: zeroNaN(item.param1),
      param2: zeroNaN(item.param2),
      param3: zeroNaN(item.param3),
      param4: zeroNaN(item.param4),
    };
  }

  private commit(type: MissionType, from: Target, items: WireItem[]): void {
    this.lists.set(type, items);
    this.completed = { type, from, count: items.length };
    this.ack(from, type, Result.ACCEPTED);
    this.options.onChanged?.(type, this.items(type));
  }

  private onAck(from: Target, m: common.MissionAck): void {
    const upload = this.upload;
    if (!upload || !sameSender(upload.from, from) || (m.missionType as number) !== upload.type) return;
    if (m.type === Result.OPERATION_CANCELLED) this.abortUpload();
  }

  private onRequestList(from: Target, m: common.MissionRequestList): void {
    const type = m.missionType as number;
    if (!isMissionType(type)) {
      this.ack(from, type, Result.UNSUPPORTED);
      return;
    }
    // The ground station has moved on from an upload it did not finish.
    if (this.upload && sameSender(this.upload.from, from) && this.upload.type === type) this.abortUpload();
    this.link.send(missionCountMessage(from, type, this.lists.get(type)?.length ?? 0));
  }

  private onRequest(from: Target, missionType: number, seq: number, int: boolean): void {
    if (!isMissionType(missionType)) {
      this.ack(from, missionType, Result.UNSUPPORTED);
      return;
    }
    const stored = this.lists.get(missionType)?.[seq];
    if (!stored) {
      this.ack(from, missionType, Result.INVALID_SEQUENCE);
      return;
    }
    const item = this.readBack(stored);
    this.link.send(
      int ? missionItemIntMessage(item, seq, missionType, from) : legacyItem(item, seq, missionType, from),
    );
  }

  private onClearAll(from: Target, m: common.MissionClearAll): void {
    const requested = m.missionType as number;
    const types =
      requested === MAV_MISSION_TYPE_ALL
        ? [MissionType.Mission, MissionType.Fence, MissionType.Rally]
        : [requested];
    if (!types.every(isMissionType)) {
      this.ack(from, requested, Result.UNSUPPORTED);
      return;
    }
    if (this.upload && types.includes(this.upload.type)) this.abortUpload();
    for (const type of types) this.lists.set(type, []);
    this.ack(from, requested, Result.ACCEPTED);
    for (const type of types) this.options.onChanged?.(type, []);
  }
}

/** The float MISSION_ITEM a legacy MISSION_REQUEST asks for: x/y in degrees or metres. */
function legacyItem(item: WireItem, seq: number, type: MissionType, to: Target): common.MissionItem {
  const m = new common.MissionItem();
  m.targetSystem = to.sysid;
  m.targetComponent = to.compid;
  m.seq = seq;
  m.frame = item.frame as common.MavFrame;
  m.command = item.command as common.MavCmd;
  m.current = 0;
  m.autocontinue = item.autocontinue;
  m.param1 = item.param1;
  m.param2 = item.param2;
  m.param3 = item.param3;
  m.param4 = item.param4;
  m.x = decodeXY(item.frame, item.x);
  m.y = decodeXY(item.frame, item.y);
  m.z = item.z;
  m.missionType = type as number as common.MavMissionType;
  return m;
}
