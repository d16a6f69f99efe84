import type { Command } from 'commander';
import { SIGNING_KEY_OPTION } from './options.js';

export interface UploadOptions {
  connect: string;
  signingKey?: string;
}

export interface DownloadOptions {
  connect: string;
  signingKey?: string;
  out?: string;
  type: string;
}

export interface ClearOptions {
  connect: string;
  signingKey?: string;
  type: string;
}

export function registerMission(program: Command): void {
  const mission = program
    .command('mission')
    .description('Upload, download or clear the mission on a vehicle');

  mission
    .command('upload')
    .description('Upload a .plan or .waypoints mission and verify it by reading it back')
    .argument('<file>', 'QGroundControl .plan or Mission Planner .waypoints file')
    .requiredOption('--connect <url>', 'vehicle link')
    .option(...SIGNING_KEY_OPTION)
    .action(async (file: string, opts: UploadOptions) => {
      const { runUpload } = await import('./mission-run.js');
      await runUpload(file, opts);
    });

  mission
    .command('download')
    .description('Read the mission from a vehicle; print it, or write it with --out (.plan or .waypoints)')
    .requiredOption('--connect <url>', 'vehicle link')
    .option(...SIGNING_KEY_OPTION)
    .option('--out <file>', 'write to this .plan or .waypoints file')
    .option('--type <type>', 'mission, fence or rally', 'mission')
    .action(async (opts: DownloadOptions) => {
      const { runDownload } = await import('./mission-run.js');
      await runDownload(opts);
    });

  mission
    .command('clear')
    .description('Clear the mission (or fence, or rally points) on a vehicle')
    .requiredOption('--connect <url>', 'vehicle link')
    .option(...SIGNING_KEY_OPTION)
    .option('--type <type>', 'mission, fence or rally', 'mission')
    .action(async (opts: ClearOptions) => {
      const { runClear } = await import('./mission-run.js');
      await runClear(opts);
    });
}
