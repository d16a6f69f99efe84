#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { UserError } from '../errors.js';
import { registerAlerts } from './alerts.js';
import { registerDemo } from './demo.js';
import { registerDetect } from './detect.js';
import { registerFly } from './fly.js';
import { registerFootage } from './footage.js';
import { registerMission } from './mission.js';
import { printable } from './output.js';
import { registerPatrol } from './patrol.js';
import { registerPlan } from './plan.js';
import { registerReplay } from './replay.js';
import { registerReport } from './report.js';
import { registerServe } from './serve.js';
import { registerSigning } from './signing.js';
import { registerSim } from './sim.js';
import { registerSimCamera } from './sim-camera.js';
import { registerSites } from './sites.js';
import { registerStatus } from './status.js';

const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;

const program = new Command()
  .name('dustpatrol')
  .description('Drone patrol mission control and dust-plume video analytics for construction sites')
  .version('0.1.0')
  .showHelpAfterError('(run with --help for usage)')
  // Commander's errors quote the offending argument, which may hold anything.
  .configureOutput({ outputError: (text, write) => write(printable(text, true)) })
  .exitOverride();

registerDemo(program);
registerSites(program);
registerPlan(program);
registerSim(program);
registerSimCamera(program);
registerMission(program);
registerFly(program);
registerPatrol(program);
registerStatus(program);
registerSigning(program);
registerDetect(program);
registerReplay(program);
registerAlerts(program);
registerFootage(program);
registerReport(program);
registerServe(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  // Exit now: a failed command may leave a socket or timer that would keep the process alive.
  process.exit(exitCodeFor(err));
}

function exitCodeFor(err: unknown): number {
  if (err instanceof CommanderError) {
    // Commander has already printed the message (or the help / version asked for).
    return err.exitCode === 0 ? 0 : EXIT_USAGE;
  }
  if (err instanceof UserError) {
    // The one place user errors are printed; many quote a file's content.
    process.stderr.write(`dustpatrol: ${printable(err.message)}\n`);
    return err.exitCode;
  }
  // Not the user's mistake: keep the stack so the bug can be found.
  process.stderr.write(
    `dustpatrol: internal error: ${printable(String((err as Error)?.stack ?? err), true)}\n`,
  );
  return EXIT_FAILURE;
}
