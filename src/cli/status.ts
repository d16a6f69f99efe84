import type { Command } from 'commander';
import { connectVehicle, interruptSignal } from './connect.js';
import { parseNumberIn } from './options.js';
import { LiveLine } from './output.js';
import { formatStatusLine } from './status-line.js';

const REFRESH_MS = 500;

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('Show a live status line for the vehicle on a link (Ctrl-C to stop)')
    .requiredOption('--connect <url>', 'vehicle link: udpin://, udpout://, tcpout://, serial://')
    .option('--duration <s>', 'stop after this many seconds', parseNumberIn(0.5, 86_400))
    .option('--json', 'print the vehicle state as one JSON object per refresh, for machines')
    .action(async (opts: { connect: string; duration?: number; json?: boolean }) => {
      const signal = interruptSignal();
      const { vehicle, link, close } = await connectVehicle(opts.connect, undefined, signal);
      const line = new LiveLine(process.stdout);
      const show = () => {
        if (opts.json) process.stdout.write(`${JSON.stringify({ ...vehicle.state, link: link.stats })}\n`);
        else
          line.update(
            formatStatusLine(vehicle.state, link.stats),
            `${vehicle.state.modeName} ${vehicle.state.armed}`,
          );
      };
      const timer = setInterval(show, REFRESH_MS);
      await new Promise<void>((resolve) => {
        signal.addEventListener('abort', () => resolve(), { once: true });
        if (opts.duration !== undefined) setTimeout(resolve, opts.duration * 1000);
      });
      clearInterval(timer);
      show();
      line.done();
      await close();
    });
}
