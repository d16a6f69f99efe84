import { connectVehicle } from './connect.js';
import { interruptSignal, stopped } from './interrupt.js';
import { LiveLine } from './output.js';
import type { StatusOptions } from './status.js';
import { formatStatusLine } from './status-line.js';

const REFRESH_MS = 500;

export async function runStatus(opts: StatusOptions): Promise<void> {
  const signal = interruptSignal();
  const { vehicle, link, close } = await connectVehicle(opts.connect, undefined, signal, opts.signingKey);
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
  await stopped(signal, opts.duration);
  clearInterval(timer);
  show();
  line.done();
  await close();
}
