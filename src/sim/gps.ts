import { common } from 'node-mavlink';

const { GpsFixType } = common;

/** Sim seconds after boot when the receiver reports its first 3D fix. */
const FIRST_FIX_AT_S = 3;
const SATELLITES_WITH_FIX = 10;
/** Correlation time of the position error (a GPS error wanders, it does not jump each sample). */
const NOISE_CORRELATION_S = 10;

export interface GpsOptions {
  /** Standard deviation of the horizontal position error, metres. */
  noiseM: number;
  random: () => number;
}

/** The GPS receiver: first fix after boot, outages on demand, and a slowly wandering position error. */
export class GpsReceiver {
  private lostUntilS = -1;
  private lostFromS = -1;
  errorNorthM = 0;
  errorEastM = 0;

  constructor(private readonly options: GpsOptions) {}

  hasFix(timeS: number): boolean {
    return timeS >= FIRST_FIX_AT_S && !(timeS >= this.lostFromS && timeS < this.lostUntilS);
  }

  fixType(timeS: number): common.GpsFixType {
    return this.hasFix(timeS) ? GpsFixType.GPS_FIX_TYPE_3D_FIX : GpsFixType.NO_FIX;
  }

  satellites(timeS: number): number {
    return this.hasFix(timeS) ? SATELLITES_WITH_FIX : 0;
  }

  /** No fix from `timeS` for `durationS` sim seconds. */
  lose(timeS: number, durationS: number): void {
    this.lostFromS = timeS;
    this.lostUntilS = timeS + durationS;
  }

  step(dtS: number): void {
    if (this.options.noiseM <= 0) return;
    const keep = Math.exp(-dtS / NOISE_CORRELATION_S);
    const drive = this.options.noiseM * Math.sqrt(1 - keep * keep);
    this.errorNorthM = keep * this.errorNorthM + drive * this.gaussian();
    this.errorEastM = keep * this.errorEastM + drive * this.gaussian();
  }

  private gaussian(): number {
    const u = Math.max(this.options.random(), Number.EPSILON);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.options.random());
  }
}
