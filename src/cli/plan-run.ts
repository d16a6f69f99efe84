import {
  type PlanSettings,
  type PlanSummary,
  planPatrol,
  planSettings,
  writePlanFiles,
} from '../plan/index.js';
import { loadSiteFiles, type SiteRegistry } from '../sites/index.js';
import { LiveLine, progressBar, table } from './output.js';
import type { PlanOptions } from './plan.js';

/** Longest site list the table shows in full. */
const SITE_LIST_CHARS = 40;

function settingsFrom(opts: PlanOptions): PlanSettings {
  const overrides: Partial<PlanSettings> = {
    altitudeRelM: opts.altitude,
    cruiseSpeedMs: opts.speed,
    enduranceS: opts.endurance === undefined ? undefined : opts.endurance * 60,
    reservePct: opts.reserve,
    patternOverride: opts.pattern,
    cameraHfovDeg: opts.cameraHfov,
    overlapPct: opts.overlap,
  };
  return planSettings(Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)));
}

function withLaunchPoints(registry: SiteRegistry, launch: PlanOptions['launch']): SiteRegistry {
  if (!launch) return registry;
  return {
    ...registry,
    launchPoints: launch.map((p, i) => ({ id: `launch-${i + 1}`, ...p, altAmslM: null })),
  };
}

export async function runPlan(siteFiles: string[], opts: PlanOptions): Promise<void> {
  const line = new LiveLine(process.stderr);
  line.update(`loading ${siteFiles.join(', ')}`);
  const registry = withLaunchPoints(await loadSiteFiles(siteFiles), opts.launch);
  line.done();
  for (const warning of registry.warnings) process.stderr.write(`warning: ${warning}\n`);
  line.update(
    `planning ${count(registry.sites.length, 'site')} from ${count(registry.launchPoints.length, 'launch point')}`,
  );
  const plan = planPatrol(registry, settingsFrom(opts));
  const summary = await writePlanFiles(plan, registry, opts.out, (done, total) =>
    line.update(`writing sortie files ${progressBar(done, total)}`, done === total ? 'end' : 'writing'),
  );
  line.done();
  process.stdout.write(
    opts.json ? `${JSON.stringify(summary, null, 2)}\n` : formatSummary(summary, opts.out),
  );
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function siteList(ids: string[]): string {
  let shown = ids.length;
  while (shown > 1 && ids.slice(0, shown).join(',').length > SITE_LIST_CHARS) shown--;
  const more = ids.length - shown;
  return `${ids.length}: ${ids.slice(0, shown).join(',')}${more > 0 ? ` +${more}` : ''}`;
}

function formatSummary(summary: PlanSummary, outDir: string): string {
  const rows = summary.sorties.map((s) => [
    s.name,
    s.launchId,
    siteList(s.siteIds),
    (s.distanceM / 1000).toFixed(2),
    (s.timeS / 60).toFixed(1),
    s.batteryPct.toFixed(0),
  ]);
  const { total } = summary;
  rows.push([
    'total',
    '',
    String(total.sites),
    (total.distanceM / 1000).toFixed(2),
    (total.timeS / 60).toFixed(1),
    '',
  ]);
  return (
    `${table(['sortie', 'launch', 'sites', 'km', 'minutes', 'battery %'], rows)}\n` +
    `${count(total.sorties, 'sortie')} written to ${outDir} (.plan, .waypoints, .geojson, .kml each, and plan.json)\n`
  );
}
