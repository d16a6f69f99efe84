import type { PatrolHub, VehicleCommand } from '../server/index.js';

const KEYS: Record<string, VehicleCommand> = { p: 'pause', r: 'resume', a: 'abort' };
const CTRL_C = '\u0003';

/**
 * The pilot's keys and signals during a patrol. On a terminal: p pause (LOITER), r resume, a abort
 * (RTL). Anywhere: SIGUSR1 pause, SIGUSR2 resume; Ctrl-C / SIGINT aborts (RTL) and keeps following the
 * vehicle home; a second one, or SIGTERM, stops following (`detach`): the vehicle flies on and the
 * next `dustpatrol patrol` on it picks the flight up.
 */
export class PilotKeys {
  private interrupts = 0;
  private readonly onData = (data: Buffer) => {
    const key = data.toString('utf8');
    if (key === CTRL_C) this.onInterrupt();
    else if (KEYS[key.toLowerCase()]) this.send(KEYS[key.toLowerCase()]);
  };
  private readonly onInterrupt = () => {
    this.interrupts++;
    if (this.interrupts === 1) {
      this.say('interrupt: aborting the patrol (RTL); interrupt again to stop following the vehicle');
      this.send('abort');
    } else this.detachNow();
  };
  private readonly onTerm = () => this.detachNow();
  private readonly onPause = () => this.send('pause');
  private readonly onResume = () => this.send('resume');

  constructor(
    private readonly vehicleId: string,
    private readonly hub: PatrolHub,
    private readonly say: (text: string) => void,
    private readonly detach: () => void,
  ) {}

  start(): void {
    process.on('SIGINT', this.onInterrupt);
    process.on('SIGTERM', this.onTerm);
    process.on('SIGUSR1', this.onPause);
    process.on('SIGUSR2', this.onResume);
    if (process.stdin.isTTY) {
      process.stdin.setRawMode(true);
      process.stdin.on('data', this.onData);
      process.stdin.resume();
      this.say('keys: p pause, r resume, a abort (RTL), Ctrl-C abort');
    }
  }

  stop(): void {
    process.off('SIGINT', this.onInterrupt);
    process.off('SIGTERM', this.onTerm);
    process.off('SIGUSR1', this.onPause);
    process.off('SIGUSR2', this.onResume);
    if (process.stdin.isTTY) {
      process.stdin.off('data', this.onData);
      process.stdin.setRawMode(false);
      process.stdin.pause();
    }
  }

  private detachNow(): void {
    this.say('stopping: the vehicle flies on; run the same patrol again to follow it');
    this.detach();
  }

  private send(command: VehicleCommand): void {
    this.hub.command(this.vehicleId, command).then(
      (text) => this.say(text),
      (err: Error) => this.say(`${command}: ${err.message}`),
    );
  }
}
