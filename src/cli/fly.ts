import type { Command } from 'commander';
import { percent, SIGNING_KEY_OPTION } from './options.js';

const DEFAULT_MIN_BATTERY_PCT = 50;

export function registerFly(program: Command): void {
  program
    .command('fly')
    .description(
      'Upload a mission (.plan or .waypoints), verify it, arm, take off, fly it in AUTO and wait for landing',
    )
    .argument('<file>', 'QGroundControl .plan or Mission Planner .waypoints file')
    .requiredOption('--connect <url>', 'vehicle link: udpin://, udpout://, tcpout://, serial://')
    .option('--tlog <path>', 'write every packet in and out to this telemetry log')
    .option(...SIGNING_KEY_OPTION)
    .option('--min-battery <pct>', 'battery floor for the pre-flight check', percent, DEFAULT_MIN_BATTERY_PCT)
    .action(async (file: string, opts: FlyOptions) => {
      const { runFly } = await import('./fly-run.js');
      await runFly(file, opts);
    });
}

export interface FlyOptions {
  connect: string;
  tlog?: string;
  signingKey?: string;
  minBattery: number;
}
