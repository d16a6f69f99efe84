import { UserError } from '../errors.js';
import { type ParsedFeature, parseFeature } from './feature.js';
import { type FeatureRef, Problems } from './problems.js';
import { readSiteFile, type SiteFileContent } from './read-file.js';
import { checkDuplicateIds, checkRelations } from './relations.js';
import type { SiteRegistry } from './types.js';

/**
 * Loads site files (GeoJSON or KML) into one registry: sites, no-fly zones, the operating area and
 * launch points may come in one file or several. Any error stops loading with one UserError listing
 * the problems; warnings come back in the registry.
 */
export async function loadSiteFiles(paths: string[]): Promise<SiteRegistry> {
  if (paths.length === 0) throw new UserError('no site files given');
  const contents: SiteFileContent[] = [];
  for (const file of paths) contents.push(await readSiteFile(file));
  return registryFromFeatures(contents);
}

/** The registry for features already read from their files (`source` names each in messages). */
export function registryFromFeatures(contents: SiteFileContent[]): SiteRegistry {
  const sources = contents.map((c) => c.source);
  const problems = new Problems(sources);
  const refs: FeatureRef[] = [];
  const parsed: ParsedFeature[] = [];
  for (const { source, features } of contents) {
    features.forEach((raw, index) => {
      const { ref, feature } = parseFeature(raw, source, index, problems);
      refs.push(ref);
      if (feature) parsed.push(feature);
    });
  }
  checkDuplicateIds(refs, problems);
  checkRelations(parsed, problems);
  problems.throwIfErrors();

  const registry: SiteRegistry = {
    sites: [],
    noFlyZones: [],
    operatingArea: null,
    launchPoints: [],
    sources,
    warnings: problems.warnings,
  };
  for (const f of parsed) {
    if (f.kind === 'site') registry.sites.push(f.site);
    else if (f.kind === 'no-fly') registry.noFlyZones.push(f.zone);
    else if (f.kind === 'launch') registry.launchPoints.push(f.launch);
    else registry.operatingArea = f.geometry;
  }
  if (registry.sites.length === 0) {
    throw new UserError(
      `${sources.join(', ')}: no sites (a feature is a site unless its kind property says otherwise)`,
    );
  }
  return registry;
}
