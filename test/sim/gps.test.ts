import { expect, it } from 'vitest';
import { seededRandom } from '../../src/random.js';
import { GpsReceiver } from '../../src/sim/gps.js';

it('wanders with the configured standard deviation, repeatably for a seed, and loses its fix on demand', () => {
  const run = (seed: number) => {
    const gps = new GpsReceiver({ noiseM: 3, random: seededRandom(seed) });
    const samples: number[] = [];
    for (let i = 1; i <= 200_000; i++) {
      gps.step(0.02);
      if (i % 500 === 0) samples.push(gps.errorNorthM, gps.errorEastM);
    }
    return samples;
  };
  const samples = run(1);
  const rms = Math.sqrt(samples.reduce((sum, e) => sum + e * e, 0) / samples.length);
  expect(rms).toBeGreaterThan(2.4);
  expect(rms).toBeLessThan(3.6);
  expect(run(1)).toEqual(samples);

  const gps = new GpsReceiver({ noiseM: 0, random: seededRandom(1) });
  expect(gps.hasFix(1)).toBe(false);
  expect(gps.hasFix(10)).toBe(true);
  gps.lose(10, 30);
  expect(gps.satellites(20)).toBe(0);
  expect(gps.hasFix(40)).toBe(true);
});
