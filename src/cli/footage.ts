import { type Command, Option } from 'commander';
import { isoSince, isoUntil } from './alerts.js';
import { DEFAULT_DB, parseLatLon, repeatable } from './options.js';

export interface FootageCliOptions {
  site?: string;
  area?: string;
  at?: { latDeg: number; lonDeg: number };
  since?: number;
  until?: number;
  clip?: string;
  sites?: string[];
  db: string;
  json?: boolean;
}

const PLACES = ['site', 'area', 'at'];

export function registerFootage(program: Command): void {
  program
    .command('footage')
    .description(
      'Which recorded flights saw a place, and when: time ranges in their videos, and MP4 clips cut from them',
    )
    .addOption(
      new Option('--site <id>', 'the place: a site (from the store, or from --sites)').conflicts([
        'area',
        'at',
      ]),
    )
    .addOption(
      new Option('--area <file>', 'the place: the polygons of a GeoJSON or KML file').conflicts('at'),
    )
    .addOption(new Option('--at <lat,lon>', 'the place: a point, degrees').argParser(parseLatLon))
    .option(
      '--since <iso>',
      'only footage at or after this UTC time (2026-12-08 or 2026-12-08T10:15)',
      isoSince,
    )
    .option(
      '--until <iso>',
      'only footage at or before this UTC time (a date alone: the whole day)',
      isoUntil,
    )
    .option('--clip <dir>', 'cut an MP4 clip of each range into this folder (stream copy, from a keyframe)')
    .option(
      '--sites <file>',
      'site file to find --site in (repeatable; default: the sites in the store)',
      repeatable(String),
    )
    .option('--db <path>', 'alert database holding the footage index', DEFAULT_DB)
    .option('--json', 'print the ranges as one JSON array, for machines')
    .action(async (opts: FootageCliOptions, command: Command) => {
      if (!PLACES.some((p) => opts[p as keyof FootageCliOptions] !== undefined)) {
        command.error('error: give the place: --site ID, --area FILE or --at LAT,LON');
      }
      const { runFootage } = await import('./footage-run.js');
      await runFootage(opts);
    });
}
