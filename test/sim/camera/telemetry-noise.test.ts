import { setTimeout as sleep } from 'node:timers/promises';
import { common } from 'node-mavlink';
import { afterEach, describe, expect, it } from 'vitest';
import { HOME, requestStreams, type SimAndGcs, startSimAndGcs } from '../../helpers/sim-gcs.js';

const M_PER_DEG_LAT = 111_319.5;

describe('reported telemetry noise', () => {
  let s: SimAndGcs | undefined;
  afterEach(async () => {
    await s?.close();
    s = undefined;
  });

  it('puts a slowly wandering error into GLOBAL_POSITION_INT and ATTITUDE while the true pose stays exact', async () => {
    s = await startSimAndGcs({ speedup: 20, positionNoiseM: 4, attitudeNoiseDeg: 2 });
    const errorsM: number[] = [];
    const yawErrorsDeg: number[] = [];
    s.gcs.onMessage(({ message }) => {
      const truth = s?.sim.truePose();
      if (!truth) return;
      if (message instanceof common.GlobalPositionInt && message.lat !== 0) {
        const dN = (message.lat / 1e7 - truth.latDeg) * M_PER_DEG_LAT;
        const dE =
          (message.lon / 1e7 - truth.lonDeg) * M_PER_DEG_LAT * Math.cos((HOME.latDeg * Math.PI) / 180);
        errorsM.push(Math.hypot(dN, dE));
      }
      if (message instanceof common.Attitude) {
        const d = (((message.yaw * 180) / Math.PI - truth.headingDeg + 540) % 360) - 180;
        yawErrorsDeg.push(d);
      }
    });
    requestStreams(s, [
      [common.MavDataStream.POSITION, 20],
      [common.MavDataStream.EXTRA1, 20],
    ]);
    // Sped up 20×: a few seconds of wall time cover a minute of sim time after the EKF origin is set.
    const until = Date.now() + 20_000;
    while (errorsM.length < 40 && Date.now() < until) await sleep(100);
    const truth = s.sim.truePose();
    expect(truth.latDeg).toBeCloseTo(HOME.latDeg, 9);
    expect(truth.lonDeg).toBeCloseTo(HOME.lonDeg, 9);
    const rms = (xs: number[]) => Math.sqrt(xs.reduce((a, x) => a + x * x, 0) / xs.length);
    expect(errorsM.length).toBeGreaterThanOrEqual(40);
    // σ 4 m per axis: the horizontal error's RMS is about 5.7 m; it wanders (about 1.7 m per sim second here).
    expect(rms(errorsM)).toBeGreaterThan(0.5);
    expect(rms(errorsM)).toBeLessThan(20);
    const steps = errorsM.slice(1).map((e, i) => Math.abs(e - errorsM[i]));
    expect(Math.max(...steps)).toBeLessThan(9);
    expect(rms(yawErrorsDeg)).toBeGreaterThan(0.05);
    expect(rms(yawErrorsDeg)).toBeLessThan(10);
  });
});
