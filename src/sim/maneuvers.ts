import { horizontalDistanceM, type LocalPoint } from '../geo/index.js';
import type { HorizontalCommand, VerticalCommand } from './flight-model.js';
import type { ParamTable } from './params.js';

/** What a maneuver may read about the vehicle each physics step. */
export interface NavContext {
  timeS: number;
  position: LocalPoint;
  /** The EKF has an absolute horizontal position (without it nothing can hold a point). */
  positionOk: boolean;
  landed: boolean;
  /** Speed over the ground, m/s. */
  groundSpeedMs: number;
  home: LocalPoint;
  params: ParamTable;
  /** Waypoint speeds in force (WPNAV_* or a DO_CHANGE_SPEED override), m/s. */
  speeds: NavSpeeds;
}

export interface NavSpeeds {
  horizMs: number;
  climbMs: number;
  descentMs: number;
}

export type ManeuverStage = 'takeoff' | 'flying' | 'landing';

export interface Motion {
  horizontal: HorizontalCommand;
  vertical: VerticalCommand;
}

/** One thing the autopilot is doing: climbing out, flying to a point, holding, landing, returning. */
export interface Maneuver {
  motion(ctx: NavContext): Motion;
  done(ctx: NavContext): boolean;
  stage(ctx: NavContext): ManeuverStage;
  /** Where the vehicle is heading, for "face the next waypoint"; null while it is not travelling. */
  travelTarget(ctx: NavContext): LocalPoint | null;
}

/** Takeoff completes this close below the target altitude. */
const TAKEOFF_DONE_WITHIN_M = 0.5;
/**
 * From the take-off command to leaving the ground: ArduPilot spools the motors up (MOT_SPOOL_TIME) and
 * slews the take-off throttle (TKOFF_SLEW_TIME) before it climbs; SITL rose 0.3 m 4.1 s after the
 * command, 0.8 s of it climbing (scripts/bench/energy.ts flights).
 */
const TAKEOFF_SPOOL_S = 3.3;
/**
 * RTL over home: ArduPilot's climb and return stages each finish their S-curve even with nowhere to
 * go, and RTL_LOIT_TIME counts from a stop; SITL began its descent 8.3 s after an RTL that started
 * stopped over home at RTL altitude (RTL_LOIT_TIME 5 s).
 */
const RTL_STAGES_S = 3.3;
/** Below this ground speed the copter has stopped over a point (RTL's loiter starts). */
const STOPPED_MS = 0.3;
/** Yaw looks ahead at the destination only while it is farther than this. */
const LOOK_AHEAD_MIN_M = 2;

function holdAt(point: LocalPoint, ctx: NavContext): Motion {
  return {
    horizontal: ctx.positionOk
      ? { kind: 'position', northM: point.northM, eastM: point.eastM, speedMs: ctx.speeds.horizMs }
      : { kind: 'drift' },
    vertical: {
      kind: 'altitude',
      upM: point.upM,
      climbMs: ctx.speeds.climbMs,
      descentMs: ctx.speeds.descentMs,
    },
  };
}

/** Climbs straight up to `altRelM` above home (NAV_TAKEOFF), from the ground after spooling up. */
export class Takeoff implements Maneuver {
  private readonly point: LocalPoint;
  private climbFromS: number | null = null;

  constructor(from: LocalPoint, altRelM: number) {
    this.point = { northM: from.northM, eastM: from.eastM, upM: altRelM };
  }

  motion(ctx: NavContext): Motion {
    this.climbFromS ??= ctx.timeS + (ctx.landed ? TAKEOFF_SPOOL_S : 0);
    if (ctx.timeS < this.climbFromS) {
      return { horizontal: holdAt(this.point, ctx).horizontal, vertical: { kind: 'rate', velUpMs: 0 } };
    }
    return holdAt(this.point, ctx);
  }

  done(ctx: NavContext): boolean {
    return ctx.position.upM >= this.point.upM - TAKEOFF_DONE_WITHIN_M;
  }

  stage(): ManeuverStage {
    return 'takeoff';
  }

  travelTarget(): LocalPoint | null {
    return null;
  }
}

/**
 * Flies to a point and stays there; done once within `radiusM` and `holdS` seconds have passed
 * (NAV_WAYPOINT's hold time, NAV_LOITER_TIME). A hold of Infinity never ends (GUIDED, LOITER).
 */
export class GoTo implements Maneuver {
  private arrivedAtS: number | null = null;

  /** `stop`: arrival also needs the copter stopped (RTL's loiter over home). */
  constructor(
    readonly point: LocalPoint,
    private readonly radiusM: number,
    private readonly holdS = 0,
    private readonly stop = false,
  ) {}

  motion(ctx: NavContext): Motion {
    return holdAt(this.point, ctx);
  }

  done(ctx: NavContext): boolean {
    if (this.arrivedAtS === null) {
      const dz = this.point.upM - ctx.position.upM;
      if (Math.hypot(horizontalDistanceM(ctx.position, this.point), dz) > this.radiusM) return false;
      if (this.stop && ctx.groundSpeedMs > STOPPED_MS) return false;
      this.arrivedAtS = ctx.timeS;
    }
    return ctx.timeS - this.arrivedAtS >= this.holdS;
  }

  stage(): ManeuverStage {
    return 'flying';
  }

  travelTarget(ctx: NavContext): LocalPoint | null {
    return horizontalDistanceM(ctx.position, this.point) > LOOK_AHEAD_MIN_M ? this.point : null;
  }
}

/** Stays where it is: a point, or on the ground while armed and waiting for a takeoff. */
export function holdHere(ctx: NavContext): GoTo {
  return new GoTo({ ...ctx.position }, 0, Number.POSITIVE_INFINITY);
}

/**
 * Copter's landing: fly to the point (if one is given) at the present altitude, then descend at
 * LAND_SPEED_HIGH (or WPNAV_SPEED_DN) down to LAND_ALT_LOW, and at LAND_SPEED below it.
 * Without a position estimate it drifts with the wind on the way down.
 */
export class Land implements Maneuver {
  private readonly approach: GoTo | null;
  private readonly point: LocalPoint;

  constructor(from: LocalPoint, to: LocalPoint | null, radiusM: number) {
    this.point = { ...(to ?? from), upM: from.upM };
    this.approach = to && horizontalDistanceM(from, to) > radiusM ? new GoTo(this.point, radiusM) : null;
  }

  motion(ctx: NavContext): Motion {
    if (this.approaching(ctx)) return (this.approach as GoTo).motion(ctx);
    if (!ctx.positionOk) {
      this.point.northM = ctx.position.northM;
      this.point.eastM = ctx.position.eastM;
    }
    const p = ctx.params;
    const fastMs = (p.get('LAND_SPEED_HIGH') || p.get('WPNAV_SPEED_DN')) / 100;
    const slowMs = p.get('LAND_SPEED') / 100;
    const velUpMs = ctx.position.upM > p.get('LAND_ALT_LOW') / 100 ? -fastMs : -slowMs;
    return { horizontal: holdAt(this.point, ctx).horizontal, vertical: { kind: 'rate', velUpMs } };
  }

  done(ctx: NavContext): boolean {
    return ctx.landed;
  }

  stage(ctx: NavContext): ManeuverStage {
    return this.approaching(ctx) ? 'flying' : 'landing';
  }

  travelTarget(ctx: NavContext): LocalPoint | null {
    return this.approaching(ctx) ? (this.approach as GoTo).travelTarget(ctx) : null;
  }

  private approaching(ctx: NavContext): boolean {
    return this.approach !== null && !this.approach.done(ctx);
  }
}

/**
 * Copter's RTL: climb to RTL_ALT (or stay higher), fly home, loiter RTL_LOIT_TIME from a stop (after
 * the stages' own settling, RTL_STAGES_S), then land, or descend to RTL_ALT_FINAL and hover there
 * when that is set.
 */
export class ReturnToLaunch implements Maneuver {
  private readonly steps: Maneuver[];

  constructor(ctx: NavContext) {
    const p = ctx.params;
    const radiusM = p.get('WPNAV_RADIUS') / 100;
    const altM = Math.max(ctx.position.upM, p.get('RTL_ALT') / 100);
    const overHome = { northM: ctx.home.northM, eastM: ctx.home.eastM, upM: altM };
    const finalAltM = p.get('RTL_ALT_FINAL') / 100;
    this.steps = [
      new GoTo({ ...ctx.position, upM: altM }, radiusM),
      new GoTo(overHome, radiusM, p.get('RTL_LOIT_TIME') / 1000 + RTL_STAGES_S, true),
      finalAltM > 0
        ? new GoTo({ ...overHome, upM: finalAltM }, radiusM, Number.POSITIVE_INFINITY)
        : new Land(overHome, null, radiusM),
    ];
  }

  motion(ctx: NavContext): Motion {
    return this.current(ctx).motion(ctx);
  }

  done(ctx: NavContext): boolean {
    return this.current(ctx).done(ctx);
  }

  stage(ctx: NavContext): ManeuverStage {
    return this.current(ctx).stage(ctx);
  }

  travelTarget(ctx: NavContext): LocalPoint | null {
    return this.current(ctx).travelTarget(ctx);
  }

  private current(ctx: NavContext): Maneuver {
    while (this.steps.length > 1 && this.steps[0].done(ctx)) this.steps.shift();
    return this.steps[0];
  }
}
