import type { LaunchPoint, PatternKind } from '../sites/index.js';

/** One point of a route, with what the camera should do there. Altitudes above the launch point. */
export interface Waypoint {
  latDeg: number;
  lonDeg: number;
  altRelM: number;
  /** Hover here this long (point watch). */
  holdS?: number;
  /** Where the camera looks from here on (DO_SET_ROI_LOCATION); null cancels a previous one. */
  roi?: { latDeg: number; lonDeg: number; altRelM: number } | null;
  /** Gimbal pitch from here on, degrees, negative down (DO_MOUNT_CONTROL / GIMBAL_MANAGER_PITCHYAW). */
  gimbalPitchDeg?: number;
  /** What the waypoint is for: transit legs and pattern points read differently in exports. */
  role: 'transit' | 'pattern';
  siteId?: string;
}

/** A site's watch pattern as flown from its first waypoint to its last. */
export interface SitePattern {
  siteId: string;
  kind: PatternKind;
  waypoints: Waypoint[];
  /** Path length along the waypoints, metres. */
  lengthM: number;
  /** Time to fly it at the plan's speed, hovers and turns included, seconds. */
  timeS: number;
  /** True when it may be flown last-to-first just as well (the tour picks the better end). */
  reversible: boolean;
  /** True when first and last waypoint coincide (a loop can be entered at any vertex). */
  closed: boolean;
  /** Coverage only: compass direction of the transects, degrees in [0, 180). */
  sweepHeadingDeg?: number;
  /** How the pattern was shaped where that is not obvious (a loop pulled in around a no-fly zone, …). */
  notes?: string[];
}

/** Everything planning depends on, in SI units. Defaults live in src/plan/settings.ts. */
export interface PlanSettings {
  /** Pattern altitude above the launch point. */
  altitudeRelM: number;
  /** Altitude for legs between sites and to and from the launch point. */
  transitAltitudeRelM: number;
  /** Highest any waypoint may be above ground (regulatory, default 120 m). */
  maxAltitudeAglM: number;
  cruiseSpeedMs: number;
  climbSpeedMs: number;
  descentSpeedMs: number;
  /** Flight time a full battery gives. */
  enduranceS: number;
  /** Share of the battery never planned to be used (default 25 %). */
  reservePct: number;
  /** Head-wind the time estimates allow for on every leg. */
  headwindMs: number;
  /** The camera's field of view across the track (CameraSpec.hfovDeg), for the swath spacing. */
  cameraHfovDeg: number;
  /** Side overlap between neighbouring coverage swaths. */
  overlapPct: number;
  /** Distance outside a site's boundary at which the perimeter watch flies. */
  perimeterOffsetM: number;
  /** Hover time of a point watch. */
  pointWatchHoldS: number;
  /** Pattern forced for every site (command line), else by site property, else by size rule. */
  patternOverride: PatternKind | null;
}

/** Where a sortie picks up a site that did not fit in one battery. */
export interface SiteVisit {
  siteId: string;
  kind: PatternKind;
  /**
   * Pattern waypoint indices flown in this sortie, inclusive; a split site resumes at `fromIndex`. A
   * closed loop entered at vertex v is flown v … v + (waypoints − 1): indices past the last wrap
   * round, index i meaning waypoint i mod (waypoints − 1).
   */
  fromIndex: number;
  toIndex: number;
  /** True when the pattern is flown last-to-first. */
  reversed: boolean;
  lengthM: number;
  timeS: number;
}

/** One battery: out from a launch point, some sites, back. */
export interface Sortie {
  index: number;
  launch: LaunchPoint;
  visits: SiteVisit[];
  /** The full route: climb-out, transits, patterns, return. Does not include take-off and landing items. */
  waypoints: Waypoint[];
  distanceM: number;
  timeS: number;
  /** Estimated battery used, percent of a full one (reserve excluded). */
  batteryPct: number;
}

export interface PatrolPlan {
  sorties: Sortie[];
  patterns: SitePattern[];
  settings: PlanSettings;
}
