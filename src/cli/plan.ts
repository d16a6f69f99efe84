import { type Command, Option } from 'commander';
import { DEFAULT_PLAN_SETTINGS } from '../plan/light.js';
import type { PatternKind } from '../sites/index.js';
import { PATTERN_KINDS } from '../sites/light.js';
import { parseLatLon, parseNumberIn, repeatable } from './options.js';

export interface PlanOptions {
  out: string;
  launch?: { latDeg: number; lonDeg: number }[];
  altitude?: number;
  speed?: number;
  endurance?: number;
  reserve?: number;
  pattern?: PatternKind;
  cameraHfov?: number;
  overlap?: number;
  json?: boolean;
}

export function registerPlan(program: Command): void {
  const d = DEFAULT_PLAN_SETTINGS;
  program
    .command('plan')
    .description(
      'Plan patrol sorties over site polygons; write a .plan, .waypoints, GeoJSON and KML per sortie',
    )
    .argument('<sites...>', 'site files: sites, no-fly zones, operating area and launch points')
    .requiredOption('--out <dir>', 'folder for the sortie files and plan.json')
    .option(
      '--launch <lat,lon>',
      'launch point, repeatable; replaces those in the site files',
      repeatable(parseLatLon),
    )
    .option(
      '--altitude <m>',
      `pattern altitude above the launch point (default ${d.altitudeRelM})`,
      parseNumberIn(5, d.maxAltitudeAglM),
    )
    .option('--speed <m/s>', `cruise speed (default ${d.cruiseSpeedMs})`, parseNumberIn(1, 25))
    .option(
      '--endurance <min>',
      `flight time of a full battery (default ${d.enduranceS / 60})`,
      parseNumberIn(1, 120),
    )
    .option('--reserve <pct>', `battery kept in reserve (default ${d.reservePct})`, parseNumberIn(0, 90))
    .addOption(new Option('--pattern <kind>', 'one pattern for every site').choices(PATTERN_KINDS))
    .option(
      '--camera-hfov <deg>',
      `camera horizontal field of view (default ${d.cameraHfovDeg})`,
      parseNumberIn(5, 170),
    )
    .option(
      '--overlap <pct>',
      `side overlap of coverage swaths (default ${d.overlapPct})`,
      parseNumberIn(0, 90),
    )
    .option('--json', 'print the plan summary (plan.json) instead of the table')
    .action(async (sites: string[], opts: PlanOptions) => {
      const { runPlan } = await import('./plan-run.js');
      await runPlan(sites, opts);
    });
}
