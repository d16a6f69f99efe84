import { common, type MavLinkData } from 'node-mavlink';
import type { SimVehicle } from './vehicle.js';

/** Correlation times of the reported errors: they wander slowly, as a GPS or an AHRS error does. */
const POSITION_CORRELATION_S = 10;
const ATTITUDE_CORRELATION_S = 5;
const DEG = Math.PI / 180;

/**
 * Errors in what the vehicle reports, not in what it is: GLOBAL_POSITION_INT's latitude and longitude
 * (σ positionNoiseM per axis) and ATTITUDE's roll, pitch and yaw (σ attitudeNoiseDeg per axis, the yaw
 * error also in GLOBAL_POSITION_INT's heading). Each error is a first-order Gauss–Markov process in sim
 * time, advanced when a message is built, so the truth (what the camera renders) stays exact.
 */
export class ReportNoise {
  private readonly errors = new Float64Array(5); // north, east m; roll, pitch, yaw rad
  private lastS: number | null = null;

  constructor(
    private readonly positionNoiseM: number,
    private readonly attitudeNoiseDeg: number,
    private readonly random: () => number,
  ) {}

  get enabled(): boolean {
    return this.positionNoiseM > 0 || this.attitudeNoiseDeg > 0;
  }

  /** The position and heading GLOBAL_POSITION_INT reports: the truth plus the present errors. */
  reportedPosition(vehicle: SimVehicle): { latDeg: number; lonDeg: number; headingDeg: number } {
    if (!this.enabled) {
      const { latDeg, lonDeg } = vehicle.geo;
      return { latDeg, lonDeg, headingDeg: vehicle.model.yawRad / DEG };
    }
    this.advance(vehicle.timeS);
    const p = vehicle.position;
    const { latDeg, lonDeg } = vehicle.frame.toGeo({
      northM: p.northM + this.errors[0],
      eastM: p.eastM + this.errors[1],
      upM: p.upM,
    });
    return { latDeg, lonDeg, headingDeg: (vehicle.model.yawRad + this.errors[4]) / DEG };
  }

  /** Adds the present errors to an ATTITUDE about to be sent. */
  apply(message: MavLinkData, vehicle: SimVehicle): MavLinkData {
    if (!this.enabled) return message;
    if (message instanceof common.Attitude) {
      this.advance(vehicle.timeS);
      message.roll += this.errors[2];
      message.pitch += this.errors[3];
      let yaw = message.yaw + this.errors[4];
      if (yaw > Math.PI) yaw -= 2 * Math.PI;
      if (yaw <= -Math.PI) yaw += 2 * Math.PI;
      message.yaw = yaw;
    }
    return message;
  }

  private advance(timeS: number): void {
    const sigmas = [
      this.positionNoiseM,
      this.positionNoiseM,
      this.attitudeNoiseDeg * DEG,
      this.attitudeNoiseDeg * DEG,
      this.attitudeNoiseDeg * DEG,
    ];
    if (this.lastS === null) {
      // Start from the stationary distribution: the error is already there at boot.
      sigmas.forEach((sigma, i) => {
        this.errors[i] = sigma * this.gaussian();
      });
      this.lastS = timeS;
      return;
    }
    const dtS = timeS - this.lastS;
    if (dtS <= 0) return;
    this.lastS = timeS;
    sigmas.forEach((sigma, i) => {
      const tau = i < 2 ? POSITION_CORRELATION_S : ATTITUDE_CORRELATION_S;
      const keep = Math.exp(-dtS / tau);
      this.errors[i] = keep * this.errors[i] + sigma * Math.sqrt(1 - keep * keep) * this.gaussian();
    });
  }

  private gaussian(): number {
    const u = Math.max(this.random(), Number.EPSILON);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.random());
  }
}
