export { areaFromGeoJson, loadAreaFile } from './area.js';
export { PATTERN_KINDS } from './kinds.js';
export { loadSiteFiles, registryFromFeatures } from './load.js';
export { describeSite } from './problems.js';
export type { SiteFileContent } from './read-file.js';
export { type SiteSummary, summariseSites } from './summary.js';
export type {
  FeatureKind,
  LaunchPoint,
  NoFlyZone,
  PatternKind,
  Site,
  SiteGeometry,
  SiteRegistry,
} from './types.js';
