import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { startSimulator } from '../sim/index.js';
import { runFly } from './fly.js';
import { parseNumberIn } from './options.js';
import { runPlan } from './plan.js';
import { DEFAULT_HOME } from './sim.js';

const DEMO_SITES = fileURLToPath(new URL('../../missions/demo-sites.geojson', import.meta.url));
const DEMO_SPEEDUP = 25;
/** The demo's own loopback port for the simulated vehicle. */
const DEMO_PORT = 14_570;

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('Plan a patrol over the demo sites and fly its first sortie in the built-in simulator')
    .option(
      '--speedup <n>',
      'simulated time runs this many times faster than wall time',
      parseNumberIn(1, 100),
      DEMO_SPEEDUP,
    )
    .option(
      '--port <n>',
      'loopback UDP port for the simulated vehicle',
      parseNumberIn(1024, 65_535),
      DEMO_PORT,
    )
    .action(async (opts: { speedup: number; port: number }) => {
      const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dustpatrol-demo-'));
      process.stdout.write(`demo: planning ${path.relative(process.cwd(), DEMO_SITES)} into ${outDir}\n`);
      // The same path a pilot takes: `dustpatrol plan …`, then `dustpatrol fly sortie-01.plan --connect …`.
      await runPlan([DEMO_SITES], { out: outDir });

      const url = `127.0.0.1:${opts.port}`;
      const sim = await startSimulator({
        connect: `udpin://${url}`,
        home: DEFAULT_HOME,
        speedup: opts.speedup,
      });
      process.stdout.write(
        `demo: simulated copter at ${DEFAULT_HOME.latDeg}, ${DEFAULT_HOME.lonDeg} (Erqi District, Zhengzhou), ` +
          `speed-up ×${opts.speedup}; flying sortie-01\n`,
      );
      try {
        await runFly(path.join(outDir, 'sortie-01.plan'), {
          connect: `udpout://${url}`,
          tlog: path.join(outDir, 'sortie-01.tlog'),
          minBattery: 50,
        });
      } finally {
        await sim.close();
      }
    });
}
