import type { Command } from 'commander';
import { parseNumberIn, SIGNING_KEY_OPTION } from './options.js';

export interface StatusOptions {
  connect: string;
  signingKey?: string;
  duration?: number;
  json?: boolean;
}

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('Show a live status line for the vehicle on a link (Ctrl-C to stop)')
    .requiredOption('--connect <url>', 'vehicle link: udpin://, udpout://, tcpout://, serial://')
    .option(...SIGNING_KEY_OPTION)
    .option('--duration <s>', 'stop after this many seconds', parseNumberIn(0.5, 86_400))
    .option('--json', 'print the vehicle state as one JSON object per refresh, for machines')
    .action(async (opts: StatusOptions) => {
      const { runStatus } = await import('./status-run.js');
      await runStatus(opts);
    });
}
