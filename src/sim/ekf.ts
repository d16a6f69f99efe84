import { ardupilotmega } from 'node-mavlink';

const { EkfStatusFlags: F } = ardupilotmega;

/**
 * The EKF's boot timeline on ArduPilot Copter 4.7 SITL, in sim seconds after boot: attitude first,
 * the origin (and with it GLOBAL_POSITION_INT's lat/lon) at ~20 s, GPS in use at ~37 s.
 */
const EKF_TIMELINE = {
  attitudeAtS: 2,
  originAtS: 20,
  gpsInUseAtS: 37,
  /** After a GPS outage, the fix must be back this long before the EKF uses it again. */
  gpsRegainS: 5,
  /** Without GPS the EKF dead-reckons this long before it gives up the absolute position. */
  deadReckonS: 5,
} as const;

const GOOD_VARIANCE = 0.05;
const BAD_VARIANCE = 1.2;

/** What the EKF can tell: attitude, an origin, and whether it has an absolute horizontal position. */
export class Ekf {
  attitudeOk = false;
  originSet = false;
  /** Absolute horizontal position from GPS (EKF_STATUS_REPORT's POS_HORIZ_ABS). */
  usesGps = false;
  private hadFix = false;
  private fixSinceS = 0;
  private fixLostAtS = 0;
  private fix = false;

  step(timeS: number, gpsFix: boolean): void {
    this.fix = gpsFix;
    if (gpsFix && !this.hadFix) this.fixSinceS = timeS;
    if (!gpsFix && this.hadFix) this.fixLostAtS = timeS;
    this.hadFix = gpsFix;

    this.attitudeOk = timeS >= EKF_TIMELINE.attitudeAtS;
    if (!this.originSet && gpsFix && timeS >= EKF_TIMELINE.originAtS) this.originSet = true;
    if (gpsFix) {
      if (
        this.originSet &&
        timeS >= EKF_TIMELINE.gpsInUseAtS &&
        timeS - this.fixSinceS >= EKF_TIMELINE.gpsRegainS
      ) {
        this.usesGps = true;
      }
    } else if (this.usesGps && timeS - this.fixLostAtS >= EKF_TIMELINE.deadReckonS) {
      this.usesGps = false;
    }
  }

  /**
   * Copter's `position_ok()`. Disarmed it would take a predicted position, but SITL 4.7 reports none
   * (no PRED_POS_HORIZ_ABS) before the EKF uses GPS: arming in GUIDED is refused with "Need Position
   * Estimate" until then, on the ground as in the air.
   */
  positionOk(): boolean {
    return this.usesGps;
  }

  /** EKF_STATUS_REPORT flags as SITL 4.7 sends them: 167 before GPS is in use, 831 after. */
  flags(): number {
    if (!this.attitudeOk) return F.UNINITIALIZED;
    const flags = F.ATTITUDE | F.VELOCITY_HORIZ | F.VELOCITY_VERT | F.POS_VERT_ABS;
    if (!this.usesGps) return flags | F.CONST_POS_MODE;
    return flags | F.POS_HORIZ_REL | F.POS_HORIZ_ABS | F.PRED_POS_HORIZ_REL | F.PRED_POS_HORIZ_ABS;
  }

  /** Horizontal position and velocity variance as EKF_STATUS_REPORT scales them (1 = failsafe level). */
  horizontalVariance(): number {
    if (this.usesGps) return GOOD_VARIANCE;
    return this.fix && this.originSet ? GOOD_VARIANCE : BAD_VARIANCE;
  }
}
