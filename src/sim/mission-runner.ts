import { common } from 'node-mavlink';
import type { LocalPoint } from '../geo/index.js';
import { isNavCommand, type MissionItem } from '../mavlink/index.js';
import { GoTo, Land, type Maneuver, type NavContext, ReturnToLaunch, Takeoff } from './maneuvers.js';

const { MavCmd, MissionState, MavSeverity } = common;

/** What the mission runner asks of the vehicle. */
export interface MissionActions {
  text(severity: common.MavSeverity, text: string): void;
  /** MISSION_CURRENT changed. */
  currentChanged(): void;
  reached(seq: number): void;
  /** The last item is done: disarm when on the ground, hold position otherwise. */
  complete(): void;
  /** An item's location in the local frame; lat/lon 0 and altitude 0 mean "where the vehicle is". */
  locate(item: MissionItem, ctx: NavContext): LocalPoint;
  /** DO_CHANGE_SPEED: param1 speed type, speed m/s (-2 back to default). */
  changeSpeed(speedType: number, speedMs: number): void;
  /** DO_SET_ROI_LOCATION / DO_SET_ROI_NONE. */
  setRoi(point: LocalPoint | null): void;
  setGimbal(pitchDeg: number, yawDeg: number, earthFrame: boolean): void;
  /** CONDITION_YAW: start turning; returns a check that says when the heading is reached. */
  turnTo(angleDeg: number, direction: number, relative: boolean): () => boolean;
  /** A new navigation item starts: drop CONDITION_YAW's fixed heading. */
  navStarted(): void;
}

const NAV_NAMES: Partial<Record<number, string>> = {
  [MavCmd.NAV_WAYPOINT]: 'WP',
  [MavCmd.NAV_SPLINE_WAYPOINT]: 'SplineWP',
  [MavCmd.NAV_LOITER_UNLIM]: 'LoitUnlim',
  [MavCmd.NAV_LOITER_TIME]: 'LoitTime',
  [MavCmd.NAV_RETURN_TO_LAUNCH]: 'RTL',
  [MavCmd.NAV_LAND]: 'Land',
  [MavCmd.NAV_TAKEOFF]: 'Takeoff',
};

const DO_NAMES: Partial<Record<number, string>> = {
  [MavCmd.DO_CHANGE_SPEED]: 'ChangeSpeed',
  [MavCmd.DO_SET_ROI_LOCATION]: 'SetROI',
  [MavCmd.DO_SET_ROI_NONE]: 'SetROINone',
  [MavCmd.DO_MOUNT_CONTROL]: 'MountControl',
  [MavCmd.DO_GIMBAL_MANAGER_PITCHYAW]: 'GimbalPitchYaw',
  [MavCmd.CONDITION_YAW]: 'CondYaw',
};

/** GIMBAL_MANAGER_FLAGS_YAW_LOCK: DO_GIMBAL_MANAGER_PITCHYAW's yaw is relative to north. */
const GIMBAL_MANAGER_FLAGS_YAW_LOCK = 16;

/**
 * Runs the stored mission in AUTO the way ArduPilot's AP_Mission does: item 0 is home; each
 * navigation item runs until it is verified, and the DO/CONDITION items after it run alongside it,
 * one at a time. Sends "Mission: N Name" as each item starts, MISSION_ITEM_REACHED as each
 * navigation or condition item completes.
 */
export class MissionRunner {
  /** MISSION_CURRENT: the navigation item in progress (or the one to resume at). */
  seq = 0;
  private status: common.MissionState = MissionState.NOT_STARTED;
  private nav: Maneuver | null = null;
  private doQueue: number[] = [];
  private condition: { seq: number; done: () => boolean } | null = null;

  constructor(
    private readonly items: () => MissionItem[],
    private readonly actions: MissionActions,
  ) {}

  get maneuver(): Maneuver | null {
    return this.nav;
  }

  get state(): common.MissionState {
    return this.items().length <= 1 ? MissionState.NO_MISSION : this.status;
  }

  /** The first navigation item the mission would run from its current item. */
  nextNavCommand(): number | null {
    const items = this.items();
    for (let i = Math.max(1, this.resumeSeq()); i < items.length; i++) {
      if (isNavCommand(items[i].command)) return items[i].command;
    }
    return null;
  }

  /** Entering AUTO: resume at the current item, or start over once the mission was completed. */
  start(ctx: NavContext): void {
    const from = this.resumeSeq();
    this.status = MissionState.ACTIVE;
    this.begin(from, ctx, true);
  }

  /** Leaving AUTO. */
  pause(): void {
    if (this.status === MissionState.ACTIVE) this.status = MissionState.PAUSED;
    this.nav = null;
    this.condition = null;
    this.doQueue = [];
  }

  /**
   * Copter resets the mission on every disarm (AP_Arming_Copter::disarm): the next AUTO starts at the
   * first item. MISSION_CURRENT keeps showing the last item until then (ArduPilot reports 0).
   */
  reset(): void {
    this.pause();
    if (this.status !== MissionState.COMPLETE) this.status = MissionState.NOT_STARTED;
  }

  /** DO_SET_MISSION_CURRENT / MISSION_SET_CURRENT; while running it jumps there at once. */
  setCurrent(seq: number, ctx: NavContext): boolean {
    if (seq < 1 || seq >= this.items().length) return false;
    if (this.status === MissionState.ACTIVE) {
      this.begin(seq, ctx, true);
    } else {
      this.status = MissionState.PAUSED;
      this.seq = seq;
      this.actions.currentChanged();
    }
    return true;
  }

  /** A new mission was stored: carry on at the same item if it still exists. */
  missionChanged(ctx: NavContext): void {
    if (this.seq >= this.items().length) {
      this.seq = 0;
      this.status = MissionState.NOT_STARTED;
    }
    if (this.status === MissionState.ACTIVE) this.begin(this.resumeSeq(), ctx, true);
    this.actions.currentChanged();
  }

  step(ctx: NavContext): void {
    if (this.status !== MissionState.ACTIVE) return;
    this.runDoItems(ctx);
    if (this.nav?.done(ctx)) {
      const done = this.seq;
      if (this.items()[done]?.command === MavCmd.NAV_WAYPOINT) {
        this.actions.text(MavSeverity.INFO, `Reached command #${done}`);
      }
      this.actions.reached(done);
      this.begin(done + 1, ctx, false);
    }
  }

  private resumeSeq(): number {
    return this.status === MissionState.COMPLETE || this.status === MissionState.NOT_STARTED || this.seq < 1
      ? 1
      : this.seq;
  }

  /**
   * Starts the first navigation item at or after `from` and queues the DO items after it. The DO
   * items before it are queued too when `runLeading` (a start or a jump lands on them); after a
   * completed navigation item they belonged to that item and were run or dropped with it.
   */
  private begin(from: number, ctx: NavContext, runLeading: boolean): void {
    const items = this.items();
    this.nav = null;
    this.condition = null;
    this.doQueue = [];
    let i = from;
    for (; i < items.length; i++) {
      if (!isNavCommand(items[i].command)) {
        if (runLeading) this.doQueue.push(i);
        continue;
      }
      const maneuver = this.maneuverFor(items[i], ctx);
      if (maneuver) {
        this.nav = maneuver;
        break;
      }
      this.actions.text(MavSeverity.WARNING, `Mission: ${i} skipped unsupported command ${items[i].command}`);
    }
    if (!this.nav) {
      this.runDoItems(ctx);
      this.status = MissionState.COMPLETE;
      this.actions.currentChanged();
      this.actions.complete();
      return;
    }
    this.seq = i;
    this.actions.navStarted();
    this.actions.text(MavSeverity.INFO, `Mission: ${i} ${NAV_NAMES[items[i].command]}`);
    this.actions.currentChanged();
    for (let j = i + 1; j < items.length && !isNavCommand(items[j].command); j++) this.doQueue.push(j);
  }

  private runDoItems(ctx: NavContext): void {
    const items = this.items();
    while (true) {
      if (this.condition) {
        if (!this.condition.done()) return;
        this.actions.reached(this.condition.seq);
        this.condition = null;
      }
      const next = this.doQueue.shift();
      if (next === undefined) return;
      const item = items[next];
      const name = DO_NAMES[item.command];
      if (!name) continue;
      this.actions.text(MavSeverity.INFO, `Mission: ${next} ${name}`);
      this.runDoItem(next, item, ctx);
    }
  }

  private runDoItem(seq: number, item: MissionItem, ctx: NavContext): void {
    switch (item.command) {
      case MavCmd.DO_CHANGE_SPEED:
        this.actions.changeSpeed(item.param1, item.param2);
        break;
      case MavCmd.DO_SET_ROI_LOCATION:
        this.actions.setRoi(item.x === 0 && item.y === 0 ? null : this.actions.locate(item, ctx));
        break;
      case MavCmd.DO_SET_ROI_NONE:
        this.actions.setRoi(null);
        break;
      case MavCmd.DO_MOUNT_CONTROL:
        this.actions.setGimbal(item.param1, item.param3, false);
        break;
      case MavCmd.DO_GIMBAL_MANAGER_PITCHYAW:
        this.actions.setGimbal(item.param1, item.param2, (item.x & GIMBAL_MANAGER_FLAGS_YAW_LOCK) !== 0);
        break;
      case MavCmd.CONDITION_YAW:
        this.condition = { seq, done: this.actions.turnTo(item.param1, item.param3, item.param4 !== 0) };
        break;
    }
  }

  private maneuverFor(item: MissionItem, ctx: NavContext): Maneuver | null {
    const radiusM = ctx.params.get('WPNAV_RADIUS') / 100;
    switch (item.command) {
      case MavCmd.NAV_TAKEOFF:
        return new Takeoff(ctx.position, this.actions.locate(item, ctx).upM);
      case MavCmd.NAV_WAYPOINT:
      case MavCmd.NAV_SPLINE_WAYPOINT:
        return new GoTo(this.actions.locate(item, ctx), item.param2 > 0 ? item.param2 : radiusM, item.param1);
      case MavCmd.NAV_LOITER_TIME:
        return new GoTo(this.actions.locate(item, ctx), radiusM, item.param1);
      case MavCmd.NAV_LOITER_UNLIM:
        return new GoTo(this.actions.locate(item, ctx), radiusM, Number.POSITIVE_INFINITY);
      case MavCmd.NAV_RETURN_TO_LAUNCH:
        return new ReturnToLaunch(ctx);
      case MavCmd.NAV_LAND:
        return new Land(
          ctx.position,
          item.x === 0 && item.y === 0 ? null : this.actions.locate(item, ctx),
          radiusM,
        );
      default:
        return null;
    }
  }
}
