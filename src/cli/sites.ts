import type { Command } from 'commander';

export function registerSites(program: Command): void {
  const sites = program
    .command('sites')
    .description('Site files: sites, no-fly zones, operating area, launch points');
  sites
    .command('check')
    .description(
      'Validate site files (GeoJSON or KML) and summarise them; exits 1 listing the problems found',
    )
    .argument('<files...>', 'site files, read together (no-fly zones or the operating area may be separate)')
    .option('--json', 'print the summary as one JSON object, for machines')
    .action(async (files: string[], opts: { json?: boolean }) => {
      const { checkSites } = await import('./sites-run.js');
      await checkSites(files, opts);
    });
}
