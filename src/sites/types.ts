import type { MultiPolygon, Polygon } from 'geojson';

/** What a feature in a site file is, from its `kind` property (absent: a site). */
export type FeatureKind = 'site' | 'no-fly' | 'operating-area' | 'launch';

/** How a site is watched; see src/plan/patterns. */
export type PatternKind = 'perimeter' | 'coverage' | 'point';

export type SiteGeometry = Polygon | MultiPolygon;

/** One construction site under supervision. Geometry is GeoJSON (lon, lat), outer rings counter-clockwise. */
export interface Site {
  id: string;
  name: string;
  contractor: string | null;
  address: string | null;
  riskLevel: string | null;
  /** The pattern the file asks for (`pattern` property), if any. */
  pattern: PatternKind | null;
  geometry: SiteGeometry;
  /** Every property of the feature as it was, unknown ones included. */
  properties: Record<string, unknown>;
  /** Index of the feature in its file, for messages. */
  featureIndex: number;
  source: string;
}

export interface NoFlyZone {
  id: string;
  name: string;
  geometry: SiteGeometry;
  featureIndex: number;
  source: string;
}

export interface LaunchPoint {
  id: string;
  latDeg: number;
  lonDeg: number;
  /** Ground elevation at the launch point, metres AMSL, when the file gives it. */
  altAmslM: number | null;
}

/** Everything the planner needs from site files. */
export interface SiteRegistry {
  sites: Site[];
  noFlyZones: NoFlyZone[];
  /** The geofence every waypoint must stay inside; null: none given. */
  operatingArea: SiteGeometry | null;
  launchPoints: LaunchPoint[];
  sources: string[];
  /** Problems that do not stop loading but that the planner must honour (one line each, naming the feature). */
  warnings: string[];
}
