/**
 * Live frames on the vehicle's clock. A live stream says when a frame arrived here, not when the
 * camera took it, and the telemetry that places it runs on the vehicle's clock (time_boot_ms through
 * SYSTEM_TIME). Two minimum-delay filters (as NTP's) bridge them:
 * - arrival → vehicle time from telemetry: each fix says "vehicle time v arrived at a". Delays only
 *   ever put a fix below the line v = offset + rate·a that maps arrival to vehicle time, so the line is
 *   taken as the lowest one (at the fixes' mean arrival) lying on or above all the recent fixes: an
 *   edge of their upper convex hull, resting on the fixes that came through fastest. Its slope is the
 *   rate (1 for a real vehicle, the speed-up for a sped-up simulator); a rate from the first and last
 *   fixes alone would carry their delays' difference into every time mapped. Near 1 it is taken as 1,
 *   and the time is then off by the least delay among the recent fixes only;
 * - a frame's pts (the camera's own steady clock) → vehicle time: the frame that arrived soonest after
 *   its pts gives the offset; the decoder's bursts and queues only ever make frames later. The stream's
 *   fixed latency (camera, encoder, link, decoder — measured once per system) is then taken off.
 */

/** Telemetry kept for the arrival → vehicle mapping, µs of arrival time. */
const TELEMETRY_WINDOW_US = 10_000_000;
/** The rate is taken from fixes at least this far apart; before that, 1. */
const MIN_RATE_SPAN_US = 2_000_000;
/**
 * A measured rate this close to 1 is taken as 1: a real vehicle's clock runs at real time (a crystal is
 * off by 100 ppm at worst), and a rate measured through jitter is not that exact; only a sped-up
 * simulator runs at another.
 */
const REAL_TIME_TOLERANCE = 0.01;
/** Frames kept for the pts → vehicle offset. */
const FRAME_WINDOW = 40;
/** A frame this far from the current offset means the stream jumped (a restart): start over. */
const JUMP_US = 3_000_000;
/** Telemetry arriving this much later than the vehicle's clock moved means this machine's clock stepped. */
const WALL_STEP_US = 60_000_000;

interface Fix {
  arrivalUs: number;
  vehicleUs: number;
}

/** Arrival time (this machine's clock) → the vehicle's clock, from telemetry as it arrives. */
export class ArrivalClock {
  private fixes: Fix[] = [];

  /** One telemetry sample: stamped `vehicleUs` by the vehicle, arrived here at `arrivalUs`. */
  note(arrivalUs: number, vehicleUs: number): void {
    const last = this.fixes.at(-1);
    // A reboot or a clock step on the vehicle, or this machine's wall clock set back or forward (NTP,
    // an operator): the old pairs describe another clock. Forward, only a gap no stall explains: a
    // process stalled under load reads queued telemetry seconds late, and those fixes are merely slow.
    const stepped =
      last &&
      (vehicleUs < last.vehicleUs - JUMP_US ||
        arrivalUs < last.arrivalUs ||
        arrivalUs - last.arrivalUs > Math.max(0, vehicleUs - last.vehicleUs) + WALL_STEP_US);
    if (stepped) this.fixes = [];
    this.fixes.push({ arrivalUs, vehicleUs });
    while (this.fixes.length > 2 && arrivalUs - this.fixes[0].arrivalUs > TELEMETRY_WINDOW_US)
      this.fixes.shift();
  }

  /** The vehicle's time when this machine's clock read `arrivalUs`; null before any telemetry. */
  vehicleUsAt(arrivalUs: number): number | null {
    if (this.fixes.length === 0) return null;
    const rate = this.rate();
    // Relative to the first fix, so that no product of two epoch times loses precision.
    const origin = this.fixes[0];
    let offsetUs = Number.NEGATIVE_INFINITY;
    for (const f of this.fixes) {
      offsetUs = Math.max(offsetUs, f.vehicleUs - origin.vehicleUs - rate * (f.arrivalUs - origin.arrivalUs));
    }
    return origin.vehicleUs + offsetUs + rate * (arrivalUs - origin.arrivalUs);
  }

  /** Vehicle seconds per second here. */
  rate(): number {
    const first = this.fixes[0];
    const last = this.fixes.at(-1);
    if (!first || !last || last.arrivalUs - first.arrivalUs < MIN_RATE_SPAN_US) return 1;
    // The upper convex hull of the fixes (arrival ascending; of fixes that arrived together, the highest).
    const hull: Fix[] = [];
    for (const f of this.fixes) {
      const top = hull.at(-1);
      if (top && top.arrivalUs === f.arrivalUs) {
        if (top.vehicleUs >= f.vehicleUs) continue;
        hull.pop();
      }
      while (hull.length >= 2 && !turnsRight(hull[hull.length - 2], hull[hull.length - 1], f)) hull.pop();
      hull.push(f);
    }
    // The hull's edge over the fixes' mean arrival time: the lowest line there above every fix.
    const meanUs = first.arrivalUs + mean(this.fixes.map((f) => f.arrivalUs - first.arrivalUs));
    let i = 0;
    while (i < hull.length - 2 && hull[i + 1].arrivalUs < meanUs) i++;
    const a = hull[i];
    const b = hull[i + 1];
    const rate = b ? (b.vehicleUs - a.vehicleUs) / (b.arrivalUs - a.arrivalUs) : 1;
    return Number.isFinite(rate) && rate > 0 && Math.abs(rate - 1) > REAL_TIME_TOLERANCE ? rate : 1;
  }
}

/** Whether a → b → c turns clockwise (b lies above the line a–c: it stays on the upper hull). */
function turnsRight(a: Fix, b: Fix, c: Fix): boolean {
  const cross =
    (b.arrivalUs - a.arrivalUs) * (c.vehicleUs - a.vehicleUs) -
    (b.vehicleUs - a.vehicleUs) * (c.arrivalUs - a.arrivalUs);
  return cross < 0;
}

function mean(values: number[]): number {
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}

/** One live video stream's frames → the vehicle's clock. */
export class FrameClock {
  private samples: number[] = [];
  private offsetUs: number | null = null;

  /** `latencyMs`: from the camera taking a frame to it arriving here, in this machine's time. */
  constructor(
    private readonly arrival: ArrivalClock,
    private readonly latencyMs: number,
  ) {}

  /** Forget the offset: the stream restarted and its pts no longer continue the old ones. */
  restart(): void {
    this.samples = [];
    this.offsetUs = null;
  }

  /**
   * Notes a frame (its pts and arrival time here, ms) and returns its time on the vehicle's clock,
   * µs; null while no telemetry has arrived.
   */
  frameArrived(ptsS: number, receivedAtMs: number): number | null {
    const takenHereUs = (receivedAtMs - this.latencyMs) * 1000;
    const takenUs = this.arrival.vehicleUsAt(takenHereUs);
    if (takenUs === null) return null;
    const sampleUs = takenUs - ptsS * 1e6;
    if (this.offsetUs !== null && Math.abs(sampleUs - this.offsetUs) > JUMP_US) this.restart();
    this.samples.push(sampleUs);
    if (this.samples.length > FRAME_WINDOW) this.samples.shift();
    // The soonest arrival is the smallest offset (a late frame looks taken later than it was).
    this.offsetUs = Math.min(...this.samples);
    return this.timeUs(ptsS);
  }

  /** A pts on the vehicle's clock, µs (the offset as it stands now). */
  timeUs(ptsS: number): number {
    if (this.offsetUs === null) throw new Error('FrameClock.timeUs before any frame was placed');
    return this.offsetUs + ptsS * 1e6;
  }
}
