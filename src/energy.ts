/**
 * The one description of what flying costs a multirotor's battery, for the planner's estimates
 * (plan/tour/flight-cost.ts) and the simulator's battery (sim/): power relative to hover, and the
 * ArduPilot Copter navigator whose speeds, ramps and stages decide how long each part of a sortie
 * takes. Battery is counted in hover-seconds: a full battery holds `--endurance` of them (its hover
 * time, full to empty: capacity over hover current), and flying a second at power ratio r spends r.
 *
 * Every number was measured on ArduPilot Copter SITL (../shared/ardupilot, the real firmware, default
 * quad `+`, copter.parm) by `scripts/bench/energy.ts` and the flights named beside each constant, from
 * SYS_STATUS current_battery (2 Hz) against GLOBAL_POSITION_INT and ATTITUDE in the tlog. SITL draws
 * current in proportion to the thrust its motors make (SIM_Motor: power = hover power per newton ×
 * thrust), so the ratios below are thrust over weight, including the momentum drag of the rotors that
 * SITL models; the pack holds 12.6 V (SIM_BATT_CAP_AH 0), so current and power ratios are the same.
 */

const GRAVITY_MS2 = 9.80665;

export const ENERGY = {
  /**
   * Level flight: thrust over weight = √(1 + (a·v + b·v²)²) at airspeed v, the drag the thrust must
   * tilt against (a: the rotors' momentum drag, b: the airframe's). Fitted to SITL's steady level
   * currents over hover's 28.10 A at 5, 7.5 and 10 m/s (28.35, 28.89, 30.55 A: ratios 1.009, 1.028,
   * 1.087; a speeds mission, calm air, 30 m); b matches SITL's airframe drag (its EK3_DRAG_BCOEF 17.2:
   * ½ρ·areaCd/(m·g) = 0.0035 /m).
   */
  levelDragPerMs: 0.0102,
  levelDragPerMs2: 0.00314,
  /**
   * Vertical: thrust over weight = 1 + c·(climb rate), descending negative. SITL: 30.56 A climbing at
   * 2.5 m/s (1.087), 26.84 A descending at 1.5 m/s (0.955), 27.63 A landing at 0.5 m/s (0.983); the
   * least-squares c over the three.
   */
  climbDragPerMs: 0.0335,
  /**
   * The fastest the copter flies through the air: SITL's default quad pitches 29.9° at 10 m/s in calm
   * air, its ANGLE_MAX (30°); into a 2.1 m/s head wind it held 7.9 m/s over the ground at 29.8°.
   */
  maxAirspeedMs: 10,
  /** Armed on the ground, motors at MOT_SPIN_ARM: SITL draws under 0.1 A (0.00–0.05 A reported). */
  groundIdle: 0,
} as const;

/**
 * ArduPilot Copter 4.7's navigator with its default parameters, as SITL flies a dustpatrol mission;
 * the planner times a sortie with it.
 */
export const ARDUPILOT_NAV = {
  /** WPNAV_ACCEL and WPNAV_JERK: the S-curve every horizontal speed change follows. */
  accelMs2: 2.5,
  jerkMs3: 1,
  /** WPNAV_ACCEL_Z: each climb or descent ramps in and out at it (v / a lost per move). */
  accelZMs2: 1,
  /** LAND_ALT_LOW and LAND_SPEED: the last 10 m of a landing at 0.5 m/s. */
  landAltLowM: 10,
  landSpeedMs: 0.5,
  /**
   * RTL's hover over home before it descends: RTL_LOIT_TIME 5 s plus the 3 s its return stage takes to
   * settle over a home it is already above (SITL: 8.3 s from the RTL item to the descent, perimeter
   * D-01 sortie).
   */
  rtlHoverS: 8,
  /** `dustpatrol fly`: arming to lift-off (GUIDED take-off command, motors spooling), SITL ~4 s. */
  spoolUpS: 4,
  /** Touch-down to disarmed (ArduPilot's land detector, then disarm), SITL ~2 s. */
  touchdownS: 2,
} as const;

/** Thrust over weight, i.e. power over hover power, in steady flight at this airspeed and climb rate. */
export function powerRatio(airspeedMs: number, climbMs = 0): number {
  const { levelDragPerMs: a, levelDragPerMs2: b, climbDragPerMs: c } = ENERGY;
  const v = Math.abs(airspeedMs);
  return Math.hypot(1 + c * climbMs, a * v + b * v * v);
}

/**
 * Thrust over weight while accelerating: the vertical and horizontal force the motors must make for
 * this acceleration (m/s², up positive) against gravity and the drag of the air velocity (m/s).
 */
export function thrustRatio(
  airNorthMs: number,
  airEastMs: number,
  climbMs: number,
  accelNorthMs2: number,
  accelEastMs2: number,
  accelUpMs2: number,
): number {
  const { levelDragPerMs: a, levelDragPerMs2: b, climbDragPerMs: c } = ENERGY;
  const v = Math.hypot(airNorthMs, airEastMs);
  const drag = a + b * v; // per m/s of air velocity, as a share of weight
  const north = accelNorthMs2 / GRAVITY_MS2 + drag * airNorthMs;
  const east = accelEastMs2 / GRAVITY_MS2 + drag * airEastMs;
  const up = 1 + c * climbMs + accelUpMs2 / GRAVITY_MS2;
  return Math.hypot(Math.max(0, up), north, east);
}
