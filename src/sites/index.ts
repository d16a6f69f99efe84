export { boundaryLapS, siteBoundaryLengthM, siteFitsOneBattery, usableEnduranceS } from './battery.js';
export { loadSiteFiles, registryFromFeatures } from './load.js';
export { PATTERN_KINDS } from './properties.js';
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
