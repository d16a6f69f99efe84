import { ardupilotmega, common } from 'node-mavlink';
import { type GeoPoint, LocalFrame, type LocalPoint } from '../geo/index.js';
import type { MissionItem } from '../mavlink/index.js';
import { Battery } from './battery.js';
import { Ekf } from './ekf.js';
import { SimFence } from './fence.js';
import {
  FlightModel,
  type MotionCommand,
  type MotionLimits,
  sCurveAverageAccelMs2,
  type Wind,
  windFrom,
} from './flight-model.js';
import { GpsReceiver } from './gps.js';
import {
  GoTo,
  holdHere,
  Land,
  type Maneuver,
  type NavContext,
  type NavSpeeds,
  ReturnToLaunch,
  Takeoff,
} from './maneuvers.js';
import { type MissionActions, MissionRunner } from './mission-runner.js';
import { isSimMode, modeIsArmable, modeName, modeRequiresPosition, type SimMode } from './modes.js';
import { ParamTable } from './params.js';
import { AutoYaw, Gimbal } from './pointing.js';

const { MavResult, MavSeverity, MavCmd, MavLandedState } = common;
/** Copter custom modes. */
const M = ardupilotmega.CopterMode;

/**
 * Sim seconds from start while the heartbeat says MAV_STATE_BOOT and mission uploads are refused
 * (MAV_MISSION_NO_SPACE): SITL 4.7 reports BOOT until "ArduPilot Ready", ~2 sim s (0.4 s at ×5).
 */
const BOOT_S = 2;
/** The vehicle is airborne once this high; it has landed after this long on the ground (Copter's land detector). */
const LIFTOFF_M = 0.2;
const LAND_DETECT_S = 1;
/** param2 of COMPONENT_ARM_DISARM that forces a disarm in flight. */
export const FORCE_DISARM_MAGIC = 21196;
/** MAV_FRAMEs whose altitude is above mean sea level. */
const AMSL_FRAMES: ReadonlySet<number> = new Set([0, 5]);
const DEG = Math.PI / 180;

export interface VehicleOptions {
  home: GeoPoint;
  windSpeedMs: number;
  windFromDeg: number;
  gpsNoiseM: number;
  /** Full-to-empty hover time, sim seconds. */
  batteryEnduranceS: number;
  random: () => number;
  /** The stored mission, item 0 being home. */
  missionItems: () => MissionItem[];
}

/** What the vehicle tells its link. */
export interface VehicleEvents {
  text(severity: common.MavSeverity, text: string): void;
  missionItemReached(seq: number): void;
  missionCurrentChanged(): void;
  homeChanged(): void;
  /** Armed state or mode changed. */
  statusChanged(): void;
}

type SpeedKind = 'horizMs' | 'climbMs' | 'descentMs';

/** What a failsafe asks for; each falls back as Copter's do (RTL without a position lands). */
type FailsafeAction = 'none' | 'rtl' | 'land' | 'brake';

/**
 * FS_GCS_ENABLE (ArduCopter failsafe_gcs_on_event): 2 continues in AUTO, SmartRTL is not simulated
 * (its fallback is taken), nor DO_LAND_START (RTL).
 */
const GCS_FAILSAFE_ACTIONS: Record<number, FailsafeAction> = {
  1: 'rtl',
  2: 'rtl',
  3: 'rtl',
  4: 'land',
  5: 'land',
  6: 'rtl',
  7: 'brake',
};
/** FENCE_ACTION: 0 report only, 1 RTL or land, 2 land, 3 SmartRTL or RTL, 4 brake or land, 5 SmartRTL or land. */
const FENCE_ACTIONS: Record<number, FailsafeAction> = {
  0: 'none',
  1: 'rtl',
  2: 'land',
  3: 'rtl',
  4: 'brake',
  5: 'land',
};
const FS_GCS_CONTINUE_IN_AUTO = 2;

/**
 * An ArduPilot Copter in miniature: boot and EKF timeline, arming rules, flight modes, the mission,
 * failsafes, battery, gimbal, all stepped in sim time by the simulator.
 */
export class SimVehicle {
  timeS = 0;
  armed = false;
  mode: SimMode = M.STABILIZE;
  landed = true;
  readonly params = new ParamTable();
  readonly frame: LocalFrame;
  readonly model = new FlightModel();
  readonly battery: Battery;
  readonly gps: GpsReceiver;
  readonly ekf = new Ekf();
  readonly gimbal = new Gimbal();
  readonly mission: MissionRunner;
  readonly fence: SimFence;
  /** The geofence's state as FENCE_STATUS reports it (times in sim seconds). */
  readonly fenceState = { breached: false, count: 0, lastBreachS: 0 };
  /** Home in the local frame, null until the EKF origin is set. */
  home: LocalPoint | null = null;
  private readonly autoYaw = new AutoYaw();
  private readonly wind: Wind;
  private maneuver: Maneuver | null = null;
  private speedOverride: Partial<Record<SpeedKind, number>> = {};
  private onGroundS = 0;
  private armedOnGroundS = 0;
  private readonly failsafe = { batteryLow: false, batteryCritical: false, ekf: false, gcs: false };

  constructor(
    options: VehicleOptions,
    private readonly events: VehicleEvents,
  ) {
    this.frame = new LocalFrame(options.home);
    this.wind = windFrom(options.windSpeedMs, options.windFromDeg);
    this.battery = new Battery({
      capacityMah: this.params.get('BATT_CAPACITY'),
      enduranceS: options.batteryEnduranceS,
    });
    this.gps = new GpsReceiver({ noiseM: options.gpsNoiseM, random: options.random });
    this.mission = new MissionRunner(options.missionItems, this.missionActions());
    this.fence = new SimFence(this.frame);
  }

  get position(): LocalPoint {
    return this.model.position;
  }

  get geo(): GeoPoint {
    return this.frame.toGeo(this.model.position);
  }

  get homeGeo(): GeoPoint | null {
    return this.home && this.frame.toGeo(this.home);
  }

  get altRelM(): number {
    return this.model.position.upM - (this.home?.upM ?? 0);
  }

  get windVector(): Wind {
    return this.wind;
  }

  get landedState(): common.MavLandedState {
    if (!this.armed || this.landed) return MavLandedState.ON_GROUND;
    const stage = this.currentManeuver()?.stage(this.navContext());
    if (stage === 'takeoff') return MavLandedState.TAKEOFF;
    if (stage === 'landing') return MavLandedState.LANDING;
    return MavLandedState.IN_AIR;
  }

  /** Still starting up: no mission storage yet, and the heartbeat says MAV_STATE_BOOT. */
  get booting(): boolean {
    return this.timeS < BOOT_S;
  }

  /** A failsafe is active (the heartbeat says MAV_STATE_CRITICAL). */
  get inFailsafe(): boolean {
    return this.failsafe.batteryLow || this.failsafe.ekf || this.failsafe.gcs || this.fenceState.breached;
  }

  /**
   * Copter's arming checks: the GPS and the position estimate only in a mode that needs a position
   * (SITL arms in STABILIZE before its EKF uses GPS, and refuses GUIDED until then).
   */
  arm(): common.MavResult {
    if (this.armed) return MavResult.ACCEPTED;
    const needsPosition = modeRequiresPosition(this.mode);
    const refusal = !modeIsArmable(this.mode)
      ? 'Mode not armable'
      : needsPosition && !this.gps.hasFix(this.timeS)
        ? 'GPS 1: Bad fix'
        : needsPosition && !this.ekf.positionOk()
          ? 'Need Position Estimate'
          : null;
    if (refusal) {
      this.events.text(MavSeverity.CRITICAL, `Arm: ${refusal}`);
      return MavResult.FAILED;
    }
    this.armed = true;
    this.armedOnGroundS = 0;
    this.setHome({ ...this.model.position });
    this.maneuver = holdHere(this.navContext());
    this.events.text(MavSeverity.INFO, 'Arming motors');
    this.events.statusChanged();
    return MavResult.ACCEPTED;
  }

  disarm(force: boolean): common.MavResult {
    if (!this.armed) return MavResult.ACCEPTED;
    if (!this.landed && !force) return MavResult.FAILED;
    this.armed = false;
    this.maneuver = null;
    this.mission.reset();
    this.speedOverride = {};
    this.failsafe.batteryLow = this.failsafe.batteryCritical = this.failsafe.ekf = false;
    this.fenceState.breached = false;
    this.model.rest();
    this.events.text(MavSeverity.INFO, 'Disarming motors');
    this.events.statusChanged();
    return MavResult.ACCEPTED;
  }

  setMode(customMode: number): common.MavResult {
    if (!isSimMode(customMode)) {
      this.events.text(MavSeverity.WARNING, `Mode change failed: ${modeName(customMode)} is not simulated`);
      return MavResult.FAILED;
    }
    if (customMode === this.mode) return MavResult.ACCEPTED;
    // Copter sets any mode while disarmed (its `ignore_checks`): arming checks the mode instead.
    if (!this.armed) {
      this.enterMode(customMode);
      return MavResult.ACCEPTED;
    }
    if (modeRequiresPosition(customMode) && !this.ekf.positionOk()) {
      this.events.text(MavSeverity.WARNING, `Mode change failed: ${modeName(customMode)} requires position`);
      return MavResult.FAILED;
    }
    if (customMode === M.AUTO) {
      const first = this.mission.nextNavCommand();
      if (first === null) {
        this.events.text(MavSeverity.WARNING, 'Mode change failed: AUTO has no mission');
        return MavResult.FAILED;
      }
      if (this.landed && first !== MavCmd.NAV_TAKEOFF) {
        this.events.text(MavSeverity.CRITICAL, 'Auto: Missing Takeoff Cmd');
        return MavResult.FAILED;
      }
    }
    this.enterMode(customMode);
    return MavResult.ACCEPTED;
  }

  /** NAV_TAKEOFF: GUIDED only, armed, on the ground, and only once the EKF uses GPS. */
  takeoff(altRelM: number): common.MavResult {
    if (this.mode !== M.GUIDED || !this.armed || !this.landed || !this.ekf.usesGps || altRelM <= 0) {
      return MavResult.FAILED;
    }
    this.maneuver = new Takeoff(this.model.position, (this.home?.upM ?? 0) + altRelM);
    return MavResult.ACCEPTED;
  }

  /** MISSION_START: AUTO from `firstSeq` (0: where the mission stands). */
  startMission(firstSeq: number): common.MavResult {
    const ctx = this.navContext();
    if (firstSeq > 0 && !this.mission.setCurrent(firstSeq, ctx)) return MavResult.FAILED;
    if (this.mode !== M.AUTO) return this.setMode(M.AUTO);
    if (this.mission.state !== common.MissionState.ACTIVE) this.mission.start(ctx);
    return MavResult.ACCEPTED;
  }

  /** The stored mission changed (an upload or a clear). */
  missionChanged(): void {
    this.mission.missionChanged(this.navContext());
  }

  setMissionCurrent(seq: number): common.MavResult {
    return this.mission.setCurrent(seq, this.navContext()) ? MavResult.ACCEPTED : MavResult.FAILED;
  }

  /** GUIDED: fly to a point (DO_REPOSITION, SET_POSITION_TARGET_GLOBAL_INT). */
  goTo(latDeg: number, lonDeg: number, alt: number, frame: number): common.MavResult {
    if (this.mode !== M.GUIDED || !this.home) return MavResult.FAILED;
    const point = this.frame.toLocal(latDeg, lonDeg, this.localUpM(alt, frame));
    this.maneuver = new GoTo(point, this.params.get('WPNAV_RADIUS') / 100, Number.POSITIVE_INFINITY);
    return MavResult.ACCEPTED;
  }

  /** DO_CHANGE_SPEED: speed type 0/1 horizontal, 2 climb, 3 descent; -2 restores the default. */
  changeSpeed(speedType: number, speedMs: number): common.MavResult {
    const kind: SpeedKind | undefined = (['horizMs', 'horizMs', 'climbMs', 'descentMs'] as const)[speedType];
    if (!kind) return MavResult.FAILED;
    if (speedMs === -2) delete this.speedOverride[kind];
    else if (speedMs > 0) this.speedOverride[kind] = speedMs;
    return MavResult.ACCEPTED;
  }

  setRoi(point: LocalPoint | null): void {
    this.autoYaw.setRoi(point);
    if (point) this.gimbal.pointAt(point);
    else this.gimbal.hold();
  }

  roiAt(latDeg: number, lonDeg: number, alt: number, frame: number): void {
    this.setRoi(
      latDeg === 0 && lonDeg === 0 ? null : this.frame.toLocal(latDeg, lonDeg, this.localUpM(alt, frame)),
    );
  }

  /** CONDITION_YAW: angle in degrees, absolute or relative (direction -1 counter-clockwise). */
  turnTo(angleDeg: number, direction: number, relative: boolean): () => boolean {
    const headingRad = relative
      ? this.model.yawRad + (direction < 0 ? -1 : 1) * angleDeg * DEG
      : angleDeg * DEG;
    this.autoYaw.setFixed(headingRad);
    return () => this.autoYaw.reached(this.model.yawRad);
  }

  /** The stored geofence changed (MAV_MISSION_TYPE_FENCE upload). */
  setFence(items: MissionItem[]): void {
    this.fence.load(items);
  }

  /**
   * The simulator's verdict on the ground station's heartbeats (FS_GCS_TIMEOUT, judged on the
   * simulator's clock as a link is). With FS_GCS_ENABLE set, losing them in flight is Copter's GCS
   * failsafe.
   */
  setGcsLost(lost: boolean): void {
    const enable = this.params.get('FS_GCS_ENABLE');
    if (lost === this.failsafe.gcs || (lost && enable === 0)) return;
    this.failsafe.gcs = lost;
    if (!lost) {
      this.events.text(MavSeverity.WARNING, 'GCS Failsafe Cleared');
      return;
    }
    if (!this.armed) return;
    this.events.text(MavSeverity.CRITICAL, 'GCS Failsafe');
    if (enable === FS_GCS_CONTINUE_IN_AUTO && this.mode === M.AUTO && !this.landed) return;
    this.takeFailsafeAction(GCS_FAILSAFE_ACTIONS[enable] ?? 'land');
  }

  loseGps(durationS: number): void {
    this.gps.lose(this.timeS, durationS);
  }

  step(dtS: number): void {
    const wasBooting = this.booting;
    this.timeS += dtS;
    if (wasBooting && !this.booting) {
      this.events.text(MavSeverity.INFO, 'ArduPilot Ready');
      this.events.statusChanged();
    }
    this.gps.step(dtS);
    const usedGps = this.ekf.usesGps;
    this.ekf.step(this.timeS, this.gps.hasFix(this.timeS));
    if (!this.home && this.ekf.originSet) {
      this.setHome({ ...this.model.position });
      this.events.text(MavSeverity.INFO, 'EKF3 IMU0 origin set');
      const homeAmslM = this.frame.origin.altAmslM + this.model.position.upM;
      this.events.text(MavSeverity.INFO, `Field Elevation Set: ${Math.round(homeAmslM)}m`);
    }
    if (this.ekf.usesGps !== usedGps) {
      this.events.text(
        MavSeverity.INFO,
        `EKF3 IMU0 ${this.ekf.usesGps ? 'is using GPS' : 'has stopped aiding'}`,
      );
    }
    this.checkFailsafes();

    if (!this.armed) {
      this.model.rest();
      this.battery.step(dtS, 0);
      this.gimbal.update(this.model.position, this.model.yawRad);
      return;
    }
    const ctx = this.navContext();
    if (this.mode === M.AUTO) this.mission.step(ctx);
    this.finishManeuver(ctx);
    if (!this.armed) return;

    this.model.step(dtS, this.motion(ctx), this.limits(ctx.speeds), this.wind);
    this.battery.step(dtS, this.model.effort);
    this.gimbal.update(this.model.position, this.model.yawRad);
    this.detectLanding(dtS);
  }

  private motion(ctx: NavContext): MotionCommand {
    const maneuver = this.currentManeuver();
    if (!maneuver || (this.landed && maneuver.stage(ctx) !== 'takeoff')) {
      return {
        horizontal: { kind: 'drift' },
        vertical: { kind: 'rate', velUpMs: 0 },
        yawRad: null,
      };
    }
    const { horizontal, vertical } = maneuver.motion(ctx);
    const steered = this.mode === M.AUTO || this.mode === M.GUIDED || this.mode === M.RTL;
    const behaviour = this.params.get('WP_YAW_BEHAVIOR');
    const facesTravel =
      behaviour === 1 || behaviour === 3 || (behaviour === 2 && !(maneuver instanceof ReturnToLaunch));
    return {
      horizontal: this.mode === M.STABILIZE || this.mode === M.ALT_HOLD ? { kind: 'drift' } : horizontal,
      vertical,
      yawRad: steered
        ? this.autoYaw.target(this.model.position, facesTravel ? maneuver.travelTarget(ctx) : null)
        : null,
    };
  }

  /** What a finished maneuver leads to in the present mode. */
  private finishManeuver(ctx: NavContext): void {
    const maneuver = this.currentManeuver();
    if (this.mode === M.AUTO || !maneuver?.done(ctx)) return;
    if (maneuver instanceof Land || (maneuver instanceof ReturnToLaunch && this.landed)) {
      this.disarm(false);
    } else if (maneuver instanceof Takeoff) {
      this.maneuver = holdHere(ctx);
    }
  }

  private detectLanding(dtS: number): void {
    if (this.landed) {
      if (this.model.position.upM > LIFTOFF_M) {
        this.landed = false;
        this.onGroundS = 0;
      }
    } else if (this.model.onGround) {
      this.onGroundS += dtS;
      if (this.onGroundS >= LAND_DETECT_S) this.landed = true;
    } else {
      this.onGroundS = 0;
    }

    const takingOff = this.currentManeuver()?.stage(this.navContext()) === 'takeoff';
    this.armedOnGroundS = this.landed && !takingOff ? this.armedOnGroundS + dtS : 0;
    const delayS = this.params.get('DISARM_DELAY');
    if (delayS > 0 && this.armedOnGroundS >= delayS) this.disarm(false);
  }

  private checkFailsafes(): void {
    if (!this.armed) return;
    const p = this.params;
    const remaining = this.battery.remainingMah;
    if (!this.failsafe.batteryCritical && p.get('BATT_CRT_MAH') > 0 && remaining <= p.get('BATT_CRT_MAH')) {
      this.failsafe.batteryCritical = this.failsafe.batteryLow = true;
      this.batteryFailsafe('critical', p.get('BATT_FS_CRT_ACT'));
    } else if (!this.failsafe.batteryLow && p.get('BATT_LOW_MAH') > 0 && remaining <= p.get('BATT_LOW_MAH')) {
      this.failsafe.batteryLow = true;
      this.batteryFailsafe('low', p.get('BATT_FS_LOW_ACT'));
    }

    this.checkFence();

    if (this.ekf.usesGps) {
      this.failsafe.ekf = false;
    } else if (!this.failsafe.ekf && !this.landed && modeRequiresPosition(this.mode)) {
      this.failsafe.ekf = true;
      this.events.text(MavSeverity.CRITICAL, 'EKF variance');
      this.enterMode(M.LAND);
    }
  }

  /** Copter's battery failsafe actions: 0 none, 1 LAND, otherwise RTL (LAND without a position). */
  private batteryFailsafe(level: 'low' | 'critical', action: number): void {
    const b = this.battery;
    this.events.text(
      MavSeverity.CRITICAL,
      `Battery 1 is ${level} ${b.voltageV.toFixed(2)}V used ${b.consumedMah.toFixed(0)} mAh`,
    );
    this.takeFailsafeAction(action === 0 ? 'none' : action === 1 ? 'land' : 'rtl');
  }

  /** FENCE_ENABLE: a breach of the uploaded fence in flight is reported and acted on (FENCE_ACTION). */
  private checkFence(): void {
    const breached =
      this.params.get('FENCE_ENABLE') === 1 &&
      !this.landed &&
      !this.fence.empty &&
      this.fence.breached(this.position.northM, this.position.eastM);
    if (breached === this.fenceState.breached) return;
    this.fenceState.breached = breached;
    if (!breached) return;
    this.fenceState.count++;
    this.fenceState.lastBreachS = this.timeS;
    this.events.text(MavSeverity.CRITICAL, 'Fence Breached');
    this.takeFailsafeAction(FENCE_ACTIONS[this.params.get('FENCE_ACTION')] ?? 'rtl');
  }

  /** A failsafe's action: on the ground disarm; never interrupts a landing, nor a return for RTL or BRAKE. */
  private takeFailsafeAction(action: FailsafeAction): void {
    if (action === 'none') return;
    if (this.landed) {
      this.disarm(false);
      return;
    }
    const landing = this.mode === M.LAND || this.currentManeuver()?.stage(this.navContext()) === 'landing';
    const returning = this.mode === M.RTL || this.currentManeuver() instanceof ReturnToLaunch;
    if (action === 'land' || !this.ekf.positionOk()) {
      if (!landing) this.enterMode(M.LAND);
    } else if (!landing && !returning) {
      this.enterMode(action === 'brake' ? M.BRAKE : M.RTL);
    }
  }

  private enterMode(mode: SimMode): void {
    if (this.mode === M.AUTO) this.mission.pause();
    this.mode = mode;
    this.autoYaw.reset();
    this.speedOverride = {};
    const ctx = this.navContext();
    const radiusM = this.params.get('WPNAV_RADIUS') / 100;
    this.maneuver = null;
    // Disarmed, a mode only waits: nothing flies until arming (which AUTO, RTL and LAND refuse).
    if (this.armed) {
      if (mode === M.AUTO) this.mission.start(ctx);
      else if (mode === M.RTL) this.maneuver = new ReturnToLaunch(ctx);
      else if (mode === M.LAND) this.maneuver = new Land(this.model.position, null, radiusM);
      else this.maneuver = holdHere(ctx);
    }
    this.events.missionCurrentChanged();
    this.events.statusChanged();
  }

  private currentManeuver(): Maneuver | null {
    return this.mode === M.AUTO ? (this.mission.maneuver ?? this.maneuver) : this.maneuver;
  }

  private setHome(point: LocalPoint): void {
    this.home = point;
    this.events.homeChanged();
  }

  /** Altitude in a MAV_FRAME (AMSL, or relative to home) as local up metres. */
  private localUpM(alt: number, frame: number): number {
    return AMSL_FRAMES.has(frame) ? alt - this.frame.origin.altAmslM : alt + (this.home?.upM ?? 0);
  }

  private navContext(): NavContext {
    const p = this.params;
    const rtlSpeedMs = p.get('RTL_SPEED') / 100;
    const returning = this.currentManeuver() instanceof ReturnToLaunch && rtlSpeedMs > 0;
    return {
      timeS: this.timeS,
      position: this.model.position,
      positionOk: this.ekf.usesGps,
      landed: this.landed,
      groundSpeedMs: this.model.groundSpeedMs,
      home: this.home ?? { northM: 0, eastM: 0, upM: 0 },
      params: p,
      speeds: {
        horizMs: this.speedOverride.horizMs ?? (returning ? rtlSpeedMs : p.get('WPNAV_SPEED') / 100),
        climbMs: this.speedOverride.climbMs ?? p.get('WPNAV_SPEED_UP') / 100,
        descentMs: this.speedOverride.descentMs ?? p.get('WPNAV_SPEED_DN') / 100,
      },
    };
  }

  private limits(speeds: NavSpeeds): MotionLimits {
    const p = this.params;
    return {
      accelHorizMs2: sCurveAverageAccelMs2(p.get('WPNAV_ACCEL') / 100, p.get('WPNAV_JERK'), speeds.horizMs),
      accelVertMs2: p.get('WPNAV_ACCEL_Z') / 100,
      yawRateRadS: (p.get('ATC_SLEW_YAW') / 100) * DEG,
    };
  }

  private missionActions(): MissionActions {
    return {
      text: (severity, text) => this.events.text(severity, text),
      currentChanged: () => this.events.missionCurrentChanged(),
      reached: (seq) => this.events.missionItemReached(seq),
      complete: () => {
        if (this.landed) this.disarm(false);
        else this.maneuver = holdHere(this.navContext());
      },
      locate: (item, ctx) => {
        const here = item.x === 0 && item.y === 0;
        const upM =
          item.z === 0 && item.command <= MavCmd.NAV_LAST
            ? ctx.position.upM
            : this.localUpM(item.z, item.frame);
        return here
          ? { northM: ctx.position.northM, eastM: ctx.position.eastM, upM }
          : this.frame.toLocal(item.x, item.y, upM);
      },
      changeSpeed: (speedType, speedMs) => {
        this.changeSpeed(speedType, speedMs);
      },
      setRoi: (point) => this.setRoi(point),
      setGimbal: (pitchDeg, yawDeg, earthFrame) => this.gimbal.setAngles(pitchDeg, yawDeg, earthFrame),
      turnTo: (angleDeg, direction, relative) => this.turnTo(angleDeg, direction, relative),
      navStarted: () => this.autoYaw.clearFixed(),
    };
  }
}
