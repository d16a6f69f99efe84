import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { startSimulator } from '../sim/index.js';
import { runFly } from './fly.js';
import { parseNumberIn } from './options.js';
import { DEFAULT_HOME } from './sim.js';

const DEMO_PLAN = fileURLToPath(new URL('../../missions/demo.plan', import.meta.url));
const DEMO_SPEEDUP = 10;
/** The demo's own loopback port for the simulated vehicle. */
const DEMO_PORT = 14_570;

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('Fly the demo patrol in the built-in simulator on built-in defaults, with progress')
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
      const url = `127.0.0.1:${opts.port}`;
      const sim = await startSimulator({
        connect: `udpin://${url}`,
        home: DEFAULT_HOME,
        speedup: opts.speedup,
      });
      const tlogPath = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dustpatrol-demo-')), 'demo.tlog');
      process.stdout.write(
        `demo: simulated copter at ${DEFAULT_HOME.latDeg}, ${DEFAULT_HOME.lonDeg} (Erqi District, Zhengzhou), ` +
          `speed-up ×${opts.speedup}; flying ${path.relative(process.cwd(), DEMO_PLAN)}\n`,
      );
      try {
        // The same path a pilot takes: `dustpatrol fly missions/demo.plan --connect udpout://…`.
        await runFly(DEMO_PLAN, { connect: `udpout://${url}`, tlog: tlogPath, minBattery: 50 });
      } finally {
        await sim.close();
      }
    });
}
