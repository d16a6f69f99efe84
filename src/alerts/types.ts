import type { Site } from '../sites/index.js';
import type { Frame } from '../video/index.js';
import type { ReviewReason, ReviewState, ReviewVerdict } from './review-terms.js';

/** One confirmed dust plume from one flight, already geotagged. */
export interface PlumeSighting {
  flightId: string;
  /** Stable within its flight (e.g. `${trackId}@${firstSeenUs}`): the same sighting stored twice is stored once. */
  sightingKey: string;
  /**
   * A sighting of the same plume track raised earlier in this flight (live: at its confirmation, this
   * one with all its views): this one updates that sighting's alert, wherever it places the plume.
   */
  revisesKey?: string;
  /** µs since the Unix epoch. */
  firstSeenUs: number;
  /** µs since the Unix epoch. */
  lastSeenUs: number;
  frames: number;
  latDeg: number;
  lonDeg: number;
  uncertaintyM: number;
  /** Ground footprint of the plume, m² (null when it could not be projected). */
  areaM2: number | null;
  /** Model probability 0..1 (opacity proxy), mean over the frames. */
  meanScore: number;
  /** Model probability 0..1 (opacity proxy), the best frame's. */
  peakScore: number;
  pose: { latDeg: number; lonDeg: number; altRelM: number; headingDeg: number; gimbalPitchDeg: number };
  /** The best frame and the plume's box on it, in that frame's pixels. */
  evidence: { frame: Frame; box: { x0: number; y0: number; x1: number; y1: number } };
}

export type Severity = 'low' | 'medium' | 'high';

export type AlertPose = PlumeSighting['pose'];

/** What a sighting (or a stored detection) brings to an alert's plume state. */
export type SightingPlume = Pick<
  PlumeSighting,
  | 'latDeg'
  | 'lonDeg'
  | 'uncertaintyM'
  | 'firstSeenUs'
  | 'lastSeenUs'
  | 'frames'
  | 'meanScore'
  | 'peakScore'
  | 'areaM2'
>;

/** The part of an alert that sightings change. */
export interface PlumeState extends SightingPlume {
  severity: Severity;
}

/** A stored alert: one plume at one place, however many times and flights it was seen. */
export interface Alert extends PlumeState {
  id: number;
  /** Public code, `A-000123`. */
  code: string;
  /** The flight that raised it first (later flights that saw it again are in its sightings). */
  flightId: string;
  siteId: string | null;
  siteName: string | null;
  /** The site's contractor when the alert was raised. */
  contractor: string | null;
  /** 0 inside the site; distance to its edge when attributed to the nearest site; null with no site. */
  siteDistanceM: number | null;
  /** How many sightings (per flight track) make up the alert. */
  sightings: number;
  /** The drone's pose for the evidence frame. */
  pose: AlertPose;
  caption: string;
  createdUs: number;
  updatedUs: number;
  /** Its latest review's verdict, or pending while it has none. */
  reviewState: ReviewState;
  /** Its latest review (the earlier ones stay in its history); null while pending. */
  review: Review | null;
}

/** What a reviewer decides about an alert, before it is stored. */
export interface ReviewInput {
  verdict: ReviewVerdict;
  /** `dust` for a confirmation; what it was instead for a dismissal. */
  reason: ReviewReason;
  /** Free text; '' for none. */
  note: string;
}

/** One review of an alert, as the audit log keeps it: never changed, never deleted. */
export interface Review extends ReviewInput {
  id: number;
  alertId: number;
  /** Who: the token's name (HTTP) or the local user's (CLI). */
  reviewer: string;
  /** The token's role (reviewer, pilot) over HTTP; null from the CLI. */
  role: string | null;
  /** Where the review came from. */
  via: 'api' | 'cli';
  /** When it was recorded, µs since the epoch. */
  createdUs: number;
}

/** Which alerts a query returns; every field optional, all given ones must hold. */
export interface AlertFilter {
  siteId?: string;
  /** Case-insensitive exact match. */
  contractor?: string;
  /** Alerts first seen at or after this time, µs since the epoch. */
  sinceUs?: number;
  /** Alerts first seen at or before this time, µs since the epoch. */
  untilUs?: number;
  /** Alerts this flight raised or saw again. */
  flightId?: string;
  /** Alerts in any of these review states. */
  reviewStates?: readonly ReviewState[];
  limit?: number;
}

/** A flight whose sightings the store holds. */
export interface FlightRecord {
  id: string;
  name?: string | null;
  tlogPath?: string | null;
  videoPath?: string | null;
  vehicleSysid?: number | null;
  startedUs?: number | null;
  endedUs?: number | null;
}

/** A patrol flown live: its plan, progress and end (one per flight). */
export interface PatrolRecord {
  flightId: string;
  /** The daemon's name for the vehicle (config), or the CLI's `sys<N>`. */
  vehicleId: string;
  planName: string;
  /** sha256 of the mission as flown first (before any resume), hex: finds the patrol to resume. */
  planDigest: string;
  /** The mission items flown (home at seq 0), JSON. */
  missionJson: string;
  /** 'flying', 'paused', 'returning', 'landed', 'aborted', … (PatrolFlight's status). */
  status: string;
  /** Highest mission seq of the plan (`planDigest`'s items) reached so far; null: none yet. */
  lastReachedSeq: number | null;
  /** How it ended: 'completed', 'aborted', 'battery reserve', …; null while it flies. */
  outcome: string | null;
  startedUs: number;
  updatedUs: number;
  endedUs: number | null;
}

export type HistoryPeriod = 'day' | 'week' | 'month';

/** Alerts at one site (or with no site) in one period. */
export interface SiteHistoryRow {
  siteId: string | null;
  siteName: string | null;
  /** `2024-05-03` (day), `2024-W18` (ISO week), `2024-05` (month), UTC, of the alerts' first sighting. */
  period: string;
  alerts: number;
  high: number;
}

/** One site's line in the supervision ledger (up to the query's `untilUs`). */
export interface SiteLedgerRow {
  siteId: string;
  siteName: string;
  contractor: string | null;
  /** The site's `risk` property (low, medium, high…); null when it has none. */
  risk: string | null;
  /** Patrols that covered the site, as far as the store knows (see patrol-coverage.ts). */
  patrols: number;
  /** When the last of them started, µs since the epoch. */
  lastPatrolUs: number | null;
  /** Alerts by review state. Dismissed alerts count toward nothing else. */
  confirmed: number;
  pending: number;
  dismissed: number;
  /** Confirmed and pending alerts first seen within the window. */
  windowConfirmed: number;
  windowPending: number;
  /** The last sighting of an alert that is not dismissed. */
  lastAlertUs: number | null;
  /** windowConfirmed ≥ the rule's alerts: a candidate for the district's supervision blacklist. */
  flagged: boolean;
  /** Not flagged, but it would be were the window's pending alerts confirmed: review them first. */
  reviewNeeded: boolean;
}

/** The blacklist rule: a site with `confirmedAlerts` or more confirmed alerts first seen within `windowS` is flagged. */
export interface BlacklistRule {
  confirmedAlerts: number;
  windowS: number;
}

export interface LedgerQuery extends BlacklistRule {
  /** End of the window, µs since the epoch; alerts and patrols after it are left out. */
  untilUs: number;
  /**
   * Every site to list, with or without alerts (a district's site file); the store's sites with alerts
   * or patrols are listed besides. Absent: only those.
   */
  sites?: readonly Site[];
}

/** One contractor's line: its sites' ledger rows added up. */
export interface ContractorLedgerRow {
  /** null: sites with no contractor given. */
  contractor: string | null;
  sites: number;
  flaggedSites: number;
  patrols: number;
  confirmed: number;
  pending: number;
  dismissed: number;
  windowConfirmed: number;
  lastAlertUs: number | null;
}

/** A patrol (or a flight known only by its sightings) that covered a site, with what it found there. */
export interface SitePatrol {
  flightId: string;
  /** The vehicle and plan, when the store has the patrol's record (a replayed flight has none). */
  vehicleId: string | null;
  planName: string | null;
  startedUs: number;
  endedUs: number | null;
  /** How the patrol ended ('completed', 'aborted'…); null while flying or unknown. */
  outcome: string | null;
  /** Alerts at the site this flight raised or saw again, by review state. */
  alerts: Record<ReviewState, number>;
}
