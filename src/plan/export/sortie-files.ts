import fs from 'node:fs/promises';
import path from 'node:path';
import type { SiteRegistry } from '../../sites/index.js';
import { writeQgcPlan } from '../formats/qgc-plan.js';
import { writeWaypoints } from '../formats/waypoints.js';
import type { PatrolPlan, PlanSettings } from '../types.js';
import { sortieGeoJson } from './geojson.js';
import { sortieKml } from './kml.js';
import { sortieMissionPlan } from './sortie-plan.js';

export interface SortieFiles {
  plan: string;
  waypoints: string;
  geojson: string;
  kml: string;
}

export interface SortieSummary {
  /** 'sortie-01': the stem of its files. */
  name: string;
  launchId: string;
  siteIds: string[];
  distanceM: number;
  timeS: number;
  batteryPct: number;
  /** File names inside the output folder. */
  files: SortieFiles;
}

/** What plan.json holds: the whole plan in brief, per sortie and per site. */
export interface PlanSummary {
  generator: 'dustpatrol';
  settings: PlanSettings;
  sorties: SortieSummary[];
  sites: { siteId: string; pattern: string; lengthM: number; timeS: number }[];
  total: { sorties: number; sites: number; distanceM: number; timeS: number };
}

export const SUMMARY_FILE = 'plan.json';
const SORTIE_FILE = /^sortie-\d+\.(?:plan|waypoints|geojson|kml)$/;

/** 'sortie-01' … with as many digits as the last number needs (two at least), so names sort. */
export function sortieName(position: number, count: number): string {
  const digits = Math.max(2, String(count).length);
  return `sortie-${String(position + 1).padStart(digits, '0')}`;
}

export function planSummary(plan: PatrolPlan): PlanSummary {
  const count = plan.sorties.length;
  const sorties = plan.sorties.map((sortie, i): SortieSummary => {
    const name = sortieName(i, count);
    return {
      name,
      launchId: sortie.launch.id,
      siteIds: [...new Set(sortie.visits.map((visit) => visit.siteId))],
      distanceM: sortie.distanceM,
      timeS: sortie.timeS,
      batteryPct: sortie.batteryPct,
      files: {
        plan: `${name}.plan`,
        waypoints: `${name}.waypoints`,
        geojson: `${name}.geojson`,
        kml: `${name}.kml`,
      },
    };
  });
  return {
    generator: 'dustpatrol',
    settings: plan.settings,
    sorties,
    sites: plan.patterns.map((p) => ({
      siteId: p.siteId,
      pattern: p.kind,
      lengthM: p.lengthM,
      timeS: p.timeS,
    })),
    total: {
      sorties: count,
      sites: plan.patterns.length,
      distanceM: plan.sorties.reduce((sum, s) => sum + s.distanceM, 0),
      timeS: plan.sorties.reduce((sum, s) => sum + s.timeS, 0),
    },
  };
}

/**
 * Writes one file set per sortie (.plan, .waypoints, .geojson, .kml) and plan.json into `outDir`,
 * creating it. Every file is built before any is written, so a sortie that cannot be exported
 * leaves the folder as it was. Sortie files an earlier, longer plan left there are removed, so no
 * pilot flies a sortie that is no longer part of the plan.
 */
export async function writePlanFiles(
  plan: PatrolPlan,
  registry: Pick<SiteRegistry, 'sites' | 'noFlyZones' | 'operatingArea' | 'launchPoints'>,
  outDir: string,
  onProgress?: (done: number, total: number) => void,
): Promise<PlanSummary> {
  const summary = planSummary(plan);
  const contents = plan.sorties.flatMap((sortie, i): [string, string][] => {
    const { name, files } = summary.sorties[i];
    const mission = sortieMissionPlan(sortie, registry, plan.settings, path.join(outDir, files.plan));
    onProgress?.(i + 1, plan.sorties.length);
    return [
      [files.plan, writeQgcPlan(mission)],
      [files.waypoints, writeWaypoints(mission)],
      [files.geojson, `${JSON.stringify(sortieGeoJson(sortie, registry, name), null, 2)}\n`],
      [files.kml, sortieKml(sortie, registry, name)],
    ];
  });
  contents.push([SUMMARY_FILE, `${JSON.stringify(summary, null, 2)}\n`]);
  await fs.mkdir(outDir, { recursive: true });
  for (const [file, text] of contents) await fs.writeFile(path.join(outDir, file), text);
  const written = new Set(contents.map(([file]) => file));
  for (const file of await fs.readdir(outDir)) {
    if (SORTIE_FILE.test(file) && !written.has(file)) await fs.rm(path.join(outDir, file));
  }
  return summary;
}
