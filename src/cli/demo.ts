import type { Command } from 'commander';
import { parseNumberIn } from './options.js';

/**
 * Sped up five times: the camera renders 640×360 at 4 fps of sim time, 20 frames a second of wall
 * time, which two cores render, encode, decode and analyse with room to spare.
 */
const DEMO_SPEEDUP = 5;
/** The demo's own loopback ports for the simulated vehicle and its video. */
const DEMO_PORT = 14_570;
const DEMO_VIDEO_PORT = 5_610;

export interface DemoOptions {
  speedup: number;
  port: number;
  videoPort: number;
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      'The whole job on built-in defaults: the simulator with its camera over the demo sites with dust ' +
        'plumes, a patrol planned and flown, live analytics, alerts printed and stored, and the dashboard',
    )
    .option(
      '--speedup <n>',
      'simulated time runs this many times faster than wall time',
      parseNumberIn(1, 20),
      DEMO_SPEEDUP,
    )
    .option(
      '--port <n>',
      'loopback UDP port for the simulated vehicle',
      parseNumberIn(1024, 65_535),
      DEMO_PORT,
    )
    .option(
      '--video-port <n>',
      'loopback UDP port for its video',
      parseNumberIn(1024, 65_535),
      DEMO_VIDEO_PORT,
    )
    .action(async (opts: DemoOptions) => {
      const { runDemo } = await import('./demo-run.js');
      await runDemo(opts);
    });
}
