import { describe, expect, it } from 'vitest';
import { ArrivalClock, FrameClock } from '../../src/analytics/index.js';
import { seededRandom } from '../../src/random.js';

// Synthetic clocks: this machine's clock ("here", µs), the vehicle's clock (an hour ahead, running
// `rate` times as fast as here: 1 for a real vehicle, the speed-up for a sped-up simulator) and the
// camera's pts (its own steady clock, on the vehicle's time base, starting anywhere).

const HERE0_US = Date.UTC(2024, 4, 3, 8, 0, 0) * 1000;
const HOUR_US = 3_600e6;
const MS = 1000;

interface VehicleClock {
  rate: number;
  /** The vehicle's time when this machine's clock reads hereUs. */
  at(hereUs: number): number;
}

function vehicleClock(rate: number, offsetUs = HOUR_US): VehicleClock {
  return { rate, at: (hereUs) => HERE0_US + offsetUs + rate * (hereUs - HERE0_US) };
}

/** Telemetry sent at 10 Hz from `fromS` to `toS` (s after HERE0), each delayed 0 to `maxDelayMs` on its way. */
function telemetry(vehicle: VehicleClock, fromS: number, toS: number, maxDelayMs: number, seed: number) {
  const random = seededRandom(seed);
  const fixes: { sentUs: number; arrivalUs: number; vehicleUs: number; delayUs: number }[] = [];
  for (let sentUs = HERE0_US + fromS * 1e6; sentUs < HERE0_US + toS * 1e6; sentUs += 100 * MS) {
    const delayUs = random() * maxDelayMs * MS;
    fixes.push({ sentUs, arrivalUs: sentUs + delayUs, vehicleUs: vehicle.at(sentUs), delayUs });
  }
  return fixes;
}

describe('ArrivalClock', () => {
  it('knows nothing before telemetry, and takes the rate as 1 until the fixes span 2 s', () => {
    const clock = new ArrivalClock();
    expect(clock.vehicleUsAt(HERE0_US)).toBeNull();
    const vehicle = vehicleClock(5);
    clock.note(HERE0_US, vehicle.at(HERE0_US));
    clock.note(HERE0_US + 1e6, vehicle.at(HERE0_US + 1e6));
    expect(clock.rate()).toBe(1);
  });

  it('maps arrival times back to a vehicle clock an hour ahead, within the least delay, under 0–80 ms jitter', () => {
    for (const seed of [1, 2, 3]) {
      const vehicle = vehicleClock(1);
      const clock = new ArrivalClock();
      const fixes = telemetry(vehicle, 0, 30, 80, seed);
      let worstUs = 0;
      fixes.forEach((f, i) => {
        clock.note(f.arrivalUs, f.vehicleUs);
        // Once the fixes span 5 s, their rate is known to within a share of 80 ms in 5 s: 1.
        if (f.arrivalUs - fixes[0].arrivalUs < 5e6) return;
        // Between two fixes: where a frame would be asked about.
        const hereUs = f.arrivalUs + 50 * MS;
        const errorUs = (clock.vehicleUsAt(hereUs) as number) - vehicle.at(hereUs);
        // The filter can do no better than the fastest fix it holds (the last 10 s of them).
        const recent = fixes.slice(0, i + 1).filter((g) => f.arrivalUs - g.arrivalUs <= 10e6);
        const leastDelayUs = Math.min(...recent.map((g) => g.delayUs));
        expect(Math.abs(errorUs)).toBeLessThanOrEqual(leastDelayUs + 0.01 * MS);
        worstUs = Math.max(worstUs, Math.abs(errorUs));
      });
      // Against delays of up to 80 ms: a few ms at worst.
      expect(worstUs).toBeLessThan(5 * MS);
      expect(clock.rate()).toBeCloseTo(1, 3);
    }
  });

  it('follows a simulator sped up ×5 (vehicle time runs 5× arrival time)', () => {
    const vehicle = vehicleClock(5);
    const clock = new ArrivalClock();
    const fixes = telemetry(vehicle, 0, 20, 80, 7);
    for (const f of fixes) {
      clock.note(f.arrivalUs, f.vehicleUs);
      if (f.arrivalUs - fixes[0].arrivalUs < 3e6) continue;
      expect(clock.rate()).toBeGreaterThan(4.95);
      expect(clock.rate()).toBeLessThan(5.05);
      const hereUs = f.arrivalUs + 50 * MS;
      // The rate is measured through the jitter, so times are less exact than at rate 1, but still a
      // fraction of the 80 ms (5 vehicle ms per ms here; over 200 seeds, 28 ms at worst).
      expect(Math.abs((clock.vehicleUsAt(hereUs) as number) - vehicle.at(hereUs))).toBeLessThan(5 * 30 * MS);
    }
  });

  it('starts over when the vehicle clock goes back (a reboot): the old fixes describe another clock', () => {
    const before = vehicleClock(1);
    const clock = new ArrivalClock();
    for (const f of telemetry(before, 0, 10, 80, 4)) clock.note(f.arrivalUs, f.vehicleUs);
    // Rebooted: its clock now reads an hour less.
    const after = vehicleClock(1, 0);
    for (const f of telemetry(after, 10, 20, 80, 5)) clock.note(f.arrivalUs, f.vehicleUs);
    const hereUs = HERE0_US + 20e6;
    expect(Math.abs((clock.vehicleUsAt(hereUs) as number) - after.at(hereUs))).toBeLessThan(5 * MS);
  });

  for (const jumpUs of [HOUR_US, -HOUR_US]) {
    it(`starts over when this machine's wall clock jumps ${jumpUs > 0 ? 'an hour forward' : 'an hour back'}: vehicle times stay the vehicle's`, () => {
      // Arrival stamps are Date.now()'s, which an NTP step or an operator moves; the vehicle's clock goes on.
      const vehicle = vehicleClock(1);
      const clock = new ArrivalClock();
      for (const f of telemetry(vehicle, 0, 10, 80, 6)) clock.note(f.arrivalUs, f.vehicleUs);
      const after = telemetry(vehicle, 10, 20, 80, 7);
      for (const f of after) {
        clock.note(f.arrivalUs + jumpUs, f.vehicleUs);
        // A frame between two fixes, stamped on the jumped clock: placed where the vehicle was, from
        // the first fix after the jump on (within that fix's delay, at most 80 ms).
        const hereUs = f.arrivalUs + 50 * MS;
        const errorUs = (clock.vehicleUsAt(hereUs + jumpUs) as number) - vehicle.at(hereUs);
        expect(Math.abs(errorUs)).toBeLessThanOrEqual(80 * MS);
      }
    });
  }
});

// A camera at 30 fps whose frames reach us `LATENCY_MS` after they were taken, plus whatever the decoder
// queues: it delivers them in bursts of BURST, each frame of a burst when its last one is ready.
const FPS = 30;
const LATENCY_MS = 180;
const BURST = 6;

interface Frame {
  ptsS: number;
  receivedAtMs: number;
  /** When the camera took it, on the vehicle's clock (the truth to get back). */
  takenVehicleUs: number;
}

/** Frames taken from `fromS` to `toS` (s after HERE0, here), the first with pts `firstPtsS`. */
function frames(vehicle: VehicleClock, fromS: number, toS: number, firstPtsS: number, seed: number): Frame[] {
  const random = seededRandom(seed);
  const out: Frame[] = [];
  const count = Math.floor((toS - fromS) * FPS);
  for (let k = 0; k < count; k++) {
    const takenHereUs = HERE0_US + (fromS + k / FPS) * 1e6;
    // pts runs on the vehicle's time base (a sped-up simulator's camera is sped up too).
    const ptsS = firstPtsS + (k / FPS) * vehicle.rate;
    const lastOfBurst = Math.min(count - 1, Math.floor(k / BURST) * BURST + BURST - 1);
    const readyHereUs = HERE0_US + (fromS + lastOfBurst / FPS) * 1e6;
    const receivedUs = readyHereUs + LATENCY_MS * MS + random() * 3 * MS;
    out.push({ ptsS, receivedAtMs: receivedUs / MS, takenVehicleUs: vehicle.at(takenHereUs) });
  }
  return out;
}

type Event = { atUs: number; fix?: { arrivalUs: number; vehicleUs: number }; frame?: Frame };

/** Telemetry and frames in the order they arrive here. */
function arrivals(fixes: { arrivalUs: number; vehicleUs: number }[], stream: Frame[]): Event[] {
  return [
    ...fixes.map((fix) => ({ atUs: fix.arrivalUs, fix })),
    ...stream.map((frame) => ({ atUs: frame.receivedAtMs * MS, frame })),
  ].sort((a, b) => a.atUs - b.atUs);
}

/** Feeds the events; returns each frame's placing error (µs), after the stream's first burst. */
function play(arrival: ArrivalClock, clock: FrameClock, events: Event[]): number[] {
  const errors: number[] = [];
  const seenPts: number[] = [];
  for (const e of events) {
    if (e.fix) arrival.note(e.fix.arrivalUs, e.fix.vehicleUs);
    if (!e.frame) continue;
    const timeUs = clock.frameArrived(e.frame.ptsS, e.frame.receivedAtMs);
    if (timeUs === null) continue;
    seenPts.push(e.frame.ptsS);
    if (seenPts.length > BURST) errors.push(timeUs - e.frame.takenVehicleUs);
  }
  return errors;
}

describe('FrameClock', () => {
  it('places frames that arrive in bursts on the camera’s own steady clock, within a few ms', () => {
    const vehicle = vehicleClock(1);
    const arrival = new ArrivalClock();
    const clock = new FrameClock(arrival, LATENCY_MS);
    const stream = frames(vehicle, 3, 13, 41.7, 11);
    const errors = play(arrival, clock, arrivals(telemetry(vehicle, 0, 14, 80, 12), stream));

    expect(errors.length).toBeGreaterThan(250);
    for (const e of errors) expect(Math.abs(e)).toBeLessThan(5 * MS);
    // Any frame, early or late in its burst, by its pts with the offset as it stands now.
    for (const f of stream) expect(Math.abs(clock.timeUs(f.ptsS) - f.takenVehicleUs)).toBeLessThan(5 * MS);
  });

  it('places them on a simulator sped up ×5', () => {
    const vehicle = vehicleClock(5);
    const arrival = new ArrivalClock();
    const clock = new FrameClock(arrival, LATENCY_MS);
    const stream = frames(vehicle, 4, 12, 0, 21);
    const errors = play(arrival, clock, arrivals(telemetry(vehicle, 0, 13, 80, 22), stream));

    expect(errors.length).toBeGreaterThan(200);
    // Within a few ms here: 5 vehicle ms per ms.
    for (const e of errors) expect(Math.abs(e)).toBeLessThan(5 * 5 * MS);
  });

  it('knows no frame time before telemetry arrives', () => {
    const clock = new FrameClock(new ArrivalClock(), LATENCY_MS);
    expect(clock.frameArrived(1.5, HERE0_US / MS)).toBeNull();
    expect(() => clock.timeUs(1.5)).toThrow();
  });

  it('re-anchors after restart() when the stream restarts with its pts back at 0', () => {
    const vehicle = vehicleClock(1);
    const arrival = new ArrivalClock();
    const clock = new FrameClock(arrival, LATENCY_MS);
    const fixes = telemetry(vehicle, 0, 25, 80, 31);
    const first = frames(vehicle, 3, 11, 100, 32);
    const second = frames(vehicle, 14, 24, 0, 33);
    const events = arrivals(fixes, [...first, ...second]);
    const restartAtUs = second[0].receivedAtMs * MS;

    const before = play(
      arrival,
      clock,
      events.filter((e) => e.atUs < restartAtUs),
    );
    expect(before.length).toBeGreaterThan(200);
    clock.restart();
    const after = play(
      arrival,
      clock,
      events.filter((e) => e.atUs >= restartAtUs),
    );

    expect(after.length).toBeGreaterThan(250);
    for (const e of after) expect(Math.abs(e)).toBeLessThan(5 * MS);
    expect(Math.abs(clock.timeUs(second[0].ptsS) - second[0].takenVehicleUs)).toBeLessThan(5 * MS);
  });

  it("places frames right again soon after this machine's wall clock jumps an hour back mid-stream", () => {
    const vehicle = vehicleClock(1);
    const arrival = new ArrivalClock();
    const clock = new FrameClock(arrival, LATENCY_MS);
    const jumped = (atS: number, us: number) => (us >= HERE0_US + atS * 1e6 ? us - HOUR_US : us);
    const fixes = telemetry(vehicle, 0, 20, 20, 8).map((f) => ({ ...f, arrivalUs: jumped(10, f.arrivalUs) }));
    const stream = frames(vehicle, 0.5, 20, 3, 9).map((f) => ({
      ...f,
      receivedAtMs: jumped(10, f.receivedAtMs * MS) / MS,
    }));
    // Fed in the order they arrive (before the jump, then after it).
    const events = [
      ...arrivals(
        fixes.filter((f) => f.arrivalUs >= HERE0_US),
        stream.filter((f) => f.receivedAtMs * MS >= HERE0_US),
      ),
      ...arrivals(
        fixes.filter((f) => f.arrivalUs < HERE0_US),
        stream.filter((f) => f.receivedAtMs * MS < HERE0_US),
      ),
    ];
    const errors = play(arrival, clock, events);
    // After the first second past the jump, every frame is placed within a few ms, as before it.
    const settled = errors.slice(-8 * FPS);
    expect(settled.length).toBeGreaterThan(200);
    for (const e of settled) expect(Math.abs(e)).toBeLessThan(5 * MS);
  });

  it('takes a jump in the pts as a restart, back or forward, without being told', () => {
    for (const nextPtsS of [0, 5_000]) {
      const vehicle = vehicleClock(1);
      const arrival = new ArrivalClock();
      const clock = new FrameClock(arrival, LATENCY_MS);
      const fixes = telemetry(vehicle, 0, 25, 80, 41);
      const first = frames(vehicle, 3, 11, 100, 42);
      const second = frames(vehicle, 12, 24, nextPtsS, 43);
      const restartAtUs = second[0].receivedAtMs * MS;
      const events = arrivals(fixes, [...first, ...second]);

      play(
        arrival,
        clock,
        events.filter((e) => e.atUs < restartAtUs),
      );
      const after = play(
        arrival,
        clock,
        events.filter((e) => e.atUs >= restartAtUs),
      );

      expect(after.length).toBeGreaterThan(300);
      for (const e of after) expect(Math.abs(e)).toBeLessThan(5 * MS);
    }
  });
});
