import type { Command } from 'commander';
import { startSimulator } from '../sim/index.js';
import { interruptSignal } from './connect.js';
import { parseLatLonAlt, parseNumberIn, percent } from './options.js';
import { LiveLine } from './output.js';

/** The demo district: Erqi District, Zhengzhou. */
export const DEFAULT_HOME = { latDeg: 34.7245, lonDeg: 113.6302, altAmslM: 110 };
const REFRESH_MS = 1000;

interface SimOptions {
  connect: string;
  home: { latDeg: number; lonDeg: number; altAmslM: number };
  speedup: number;
  loss: number;
  lossIn?: number;
  lossOut?: number;
  duplicate: number;
  latency: number;
  jitter: number;
  windSpeed: number;
  windFrom: number;
  missionCapacity?: number;
  seed: number;
  duration?: number;
}

export function registerSim(program: Command): void {
  program
    .command('sim')
    .description('Run the built-in ArduPilot-like simulated vehicle; any ground station can connect to it')
    .option(
      '--connect <url>',
      'where the vehicle talks: udpout://HOST:PORT, udpin://, tcpin:// (SITL-style)',
      'udpout://127.0.0.1:14550',
    )
    .option('--home <lat,lon,alt>', 'home position in degrees and metres AMSL', parseLatLonAlt, DEFAULT_HOME)
    .option(
      '--speedup <n>',
      'simulated time runs this many times faster than wall time',
      parseNumberIn(0.1, 100),
      1,
    )
    .option('--loss <pct>', 'packet loss each way, percent', percent, 0)
    .option('--loss-in <pct>', 'packet loss towards the vehicle, percent (overrides --loss)', percent)
    .option('--loss-out <pct>', 'packet loss from the vehicle, percent (overrides --loss)', percent)
    .option('--duplicate <pct>', 'packets delivered twice, percent', percent, 0)
    .option('--latency <ms>', 'added latency each way', parseNumberIn(0, 10_000), 0)
    .option('--jitter <ms>', 'random extra latency each way (reorders packets)', parseNumberIn(0, 10_000), 0)
    .option('--wind-speed <m/s>', 'steady wind speed', parseNumberIn(0, 30), 0)
    .option('--wind-from <deg>', 'direction the wind blows from', parseNumberIn(0, 360), 0)
    .option('--mission-capacity <items>', 'mission items the vehicle can hold', parseNumberIn(1, 65_535))
    .option('--seed <n>', 'random seed for faults and GPS noise', parseNumberIn(0, 2 ** 31), 1)
    .option('--duration <s>', 'stop after this many wall-clock seconds', parseNumberIn(1, 86_400))
    .action(async (opts: SimOptions) => {
      const sim = await startSimulator({
        connect: opts.connect,
        home: opts.home,
        speedup: opts.speedup,
        seed: opts.seed,
        missionCapacity: opts.missionCapacity,
        windSpeedMs: opts.windSpeed,
        windFromDeg: opts.windFrom,
        faults: {
          lossIn: (opts.lossIn ?? opts.loss) / 100,
          lossOut: (opts.lossOut ?? opts.loss) / 100,
          duplicate: opts.duplicate / 100,
          latencyMs: opts.latency,
          jitterMs: opts.jitter,
        },
      });
      process.stdout.write(
        `simulated copter on ${opts.connect}, home ${opts.home.latDeg},${opts.home.lonDeg},${opts.home.altAmslM}, ` +
          `speed-up ×${opts.speedup} (Ctrl-C to stop)\n`,
      );
      const line = new LiveLine();
      const timer = setInterval(() => {
        const s = sim.state();
        line.update(
          `t ${s.simTimeS.toFixed(0)} s | ${s.modeName} ${s.armed ? 'ARMED' : 'disarmed'} | ` +
            `${s.latDeg.toFixed(6)},${s.lonDeg.toFixed(6)} alt ${s.altRelM.toFixed(1)} m | bat ${s.batteryPct.toFixed(0)} %`,
          `${s.modeName} ${s.armed}`,
        );
      }, REFRESH_MS);
      const signal = interruptSignal();
      await new Promise<void>((resolve) => {
        signal.addEventListener('abort', () => resolve(), { once: true });
        if (opts.duration !== undefined) setTimeout(resolve, opts.duration * 1000);
      });
      clearInterval(timer);
      line.done();
      await sim.close();
    });
}
