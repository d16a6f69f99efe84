import type { FeatureCollection } from 'geojson';
import type {
  Alert,
  AlertStore,
  FlightRecord,
  Review,
  Reviewer,
  ReviewInput,
  ReviewResult,
  StoreStatus,
} from '../alerts/index.js';

/**
 * What the server shows and commands: the daemon's vehicles, their plans, the store. The server only
 * reads this and forwards commands; the patrol logic lives in fleet/ (PatrolFleet implements it).
 */
export interface PatrolHub {
  /** Sites, no-fly zones and the operating area as GeoJSON (properties.kind: site, no-fly, operating-area, launch). */
  sitesGeoJson(): FeatureCollection;
  vehicles(): VehicleSnapshot[];
  /** Each vehicle's current plan (its route as GeoJSON), if it has one. */
  plans(): PlanView[];
  flights(): FlightRecord[];
  readonly store: AlertStore;
  /** Whether the store takes writes, and what is held in memory until it does. */
  storeStatus(): StoreStatus;
  /**
   * Records a review of an alert in its audit log (and tells the subscribers): a UserError when there
   * is no such alert, an IoError when the store takes no writes now (a review is never held).
   */
  review(alertId: number, input: ReviewInput, by: Reviewer): ReviewResult;
  /** Runs a pilot's command on one vehicle; rejects with a UserError saying why it cannot. */
  command(vehicleId: string, command: VehicleCommand): Promise<string>;
  /** Live events for WebSocket clients; returns the unsubscribe function. */
  subscribe(listener: (event: HubEvent) => void): () => void;
}

/** start: fly the vehicle's configured plan; pause: hold (LOITER); resume: back to the mission; abort: RTL. */
export type VehicleCommand = 'start' | 'pause' | 'resume' | 'abort';
export const VEHICLE_COMMANDS: readonly VehicleCommand[] = ['start', 'pause', 'resume', 'abort'];

export interface VehicleSnapshot {
  id: string;
  /** MAVLink system id, when connected. */
  sysid: number | null;
  connected: boolean;
  armed: boolean;
  modeName: string;
  latDeg: number | null;
  lonDeg: number | null;
  altRelM: number | null;
  headingDeg: number | null;
  groundSpeedMs: number | null;
  batteryPct: number | null;
  /** Mission item the vehicle is on and the number of items (k / n), when flying a plan. */
  waypoint: { current: number; total: number } | null;
  /** What the patrol is doing: 'idle', 'checks', 'uploading', 'flying', 'paused', 'returning', 'landed', … */
  patrolStatus: string;
  alertsRaised: number;
  /** Live video: frames analysed, frames the model failed on (skipped), and whether frames are arriving. */
  video: { live: boolean; framesAnalysed: number; framesSkipped: number } | null;
  timeUs: number;
}

export interface PlanView {
  vehicleId: string;
  name: string;
  /** The route: a LineString of the mission's positions plus Point features per waypoint (properties.seq). */
  route: FeatureCollection;
}

export type HubEvent =
  | { type: 'telemetry'; vehicle: VehicleSnapshot }
  | { type: 'alert'; change: 'created' | 'updated'; alert: Alert }
  /** A reviewer confirmed or dismissed an alert: the review and the alert as it now stands. */
  | { type: 'review'; review: Review; alert: Alert }
  | {
      type: 'event';
      vehicleId: string;
      /** info: progress; warning: a failsafe or link trouble; error: the patrol stopped. */
      level: 'info' | 'warning' | 'error';
      text: string;
      timeUs: number;
    }
  | { type: 'plan'; plan: PlanView }
  | {
      type: 'store';
      /** error: the store stopped taking writes; warning: an alert held or its image dropped; info: back. */
      level: 'info' | 'warning' | 'error';
      /** One line for the pilot; null when only the counts changed. */
      text: string | null;
      status: StoreStatus;
      timeUs: number;
    };
