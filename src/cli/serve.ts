import type { Command } from 'commander';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description(
      'Run the daemon: follow the configured vehicles, analyse their video live, raise alerts, and serve ' +
        'the HTTP/WebSocket API and the dashboard',
    )
    .option(
      '--config <file>',
      'daemon config (JSON); without it: one vehicle on udpin://127.0.0.1:14550, video udp://127.0.0.1:5600, the demo sites',
    )
    .action(async (opts: { config?: string }) => {
      const { runServe } = await import('./serve-run.js');
      await runServe(opts.config);
    });
}
