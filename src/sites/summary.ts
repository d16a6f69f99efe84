import { area } from '@turf/turf';
import type { SiteRegistry } from './types.js';

const M2_PER_HA = 10_000;

/** What `sites check` reports about a registry. */
export interface SiteSummary {
  sources: string[];
  sites: number;
  noFlyZones: number;
  launchPoints: number;
  hasOperatingArea: boolean;
  totalAreaHa: number;
  largestSite: { id: string; areaHa: number };
  smallestSite: { id: string; areaHa: number };
  contractors: number;
  /** Sites per risk level; sites without one count under 'none'. */
  riskLevels: Record<string, number>;
  warnings: string[];
}

export function summariseSites(registry: SiteRegistry): SiteSummary {
  const areas = registry.sites.map((s) => ({ id: s.id, areaHa: area(s.geometry) / M2_PER_HA }));
  const largest = areas.reduce((a, b) => (b.areaHa > a.areaHa ? b : a));
  const smallest = areas.reduce((a, b) => (b.areaHa < a.areaHa ? b : a));
  const riskLevels: Record<string, number> = {};
  for (const s of registry.sites) {
    const level = s.riskLevel ?? 'none';
    riskLevels[level] = (riskLevels[level] ?? 0) + 1;
  }
  return {
    sources: registry.sources,
    sites: registry.sites.length,
    noFlyZones: registry.noFlyZones.length,
    launchPoints: registry.launchPoints.length,
    hasOperatingArea: registry.operatingArea !== null,
    totalAreaHa: areas.reduce((sum, a) => sum + a.areaHa, 0),
    largestSite: largest,
    smallestSite: smallest,
    contractors: new Set(registry.sites.flatMap((s) => (s.contractor === null ? [] : [s.contractor]))).size,
    riskLevels,
    warnings: registry.warnings,
  };
}
