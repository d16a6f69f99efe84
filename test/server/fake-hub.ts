// A PatrolHub with two fixed vehicles over a real alert store (a SQLite file) and a real AlertService.
// The lead's fleet is replaced by this small hub because these tests are about the server, not the
// patrol: the server reads the hub and forwards commands, so a hub that records them is what to check.
import fs from 'node:fs';
import path from 'node:path';
import type { FeatureCollection } from 'geojson';
import {
  AlertService,
  type AlertStore,
  type FlightRecord,
  openAlertStore,
  type Reviewer,
  type ReviewInput,
  type ReviewResult,
  type StoreStatus,
} from '../../src/alerts/index.js';
import { UserError } from '../../src/errors.js';
import type { HubEvent, PatrolHub, PlanView, VehicleCommand, VehicleSnapshot } from '../../src/server/hub.js';
import { loadSiteFiles } from '../../src/sites/index.js';
import { REPO_ROOT } from '../helpers/cli.js';

export const DEMO_SITES_FILE = path.join(REPO_ROOT, 'missions/demo-sites.geojson');

/** The demo file's features, each with its kind spelt out (a feature without one is a site). */
export function demoSitesGeoJson(): FeatureCollection {
  const fc = JSON.parse(fs.readFileSync(DEMO_SITES_FILE, 'utf8')) as FeatureCollection;
  return {
    type: 'FeatureCollection',
    features: fc.features.map((f) => ({ ...f, properties: { kind: 'site', ...f.properties } })),
  };
}

export function snapshot(id: string, over: Partial<VehicleSnapshot> = {}): VehicleSnapshot {
  return {
    id,
    sysid: 1,
    connected: true,
    armed: false,
    modeName: 'STABILIZE',
    latDeg: 34.7245,
    lonDeg: 113.6302,
    altRelM: 0,
    headingDeg: 0,
    groundSpeedMs: 0,
    batteryPct: 100,
    waypoint: null,
    patrolStatus: 'idle',
    alertsRaised: 0,
    video: null,
    timeUs: Date.now() * 1000,
    ...over,
  };
}

export class FakeHub implements PatrolHub {
  readonly commands: { vehicleId: string; command: VehicleCommand }[] = [];
  /** The next command is refused with this UserError message. */
  refuseNext: string | null = null;
  /** The next plans() throws this plain Error (a bug, for the 500 path). */
  failNext: Error | null = null;
  readonly snapshots: VehicleSnapshot[] = [snapshot('V1'), snapshot('V2', { sysid: 2 })];
  private readonly listeners = new Set<(event: HubEvent) => void>();

  private constructor(
    readonly store: AlertStore,
    readonly alerts: AlertService,
  ) {
    alerts.onAlert(({ alert, change }) => this.emit({ type: 'alert', change, alert }));
    alerts.onReview(({ review, alert }) => this.emit({ type: 'review', review, alert }));
  }

  static async create(dir: string): Promise<FakeHub> {
    const registry = await loadSiteFiles([DEMO_SITES_FILE]);
    const store = openAlertStore(path.join(dir, 'alerts.db'));
    const alerts = new AlertService({ store, sites: registry });
    alerts.registerFlight({ id: 'F-1', name: 'morning patrol', vehicleSysid: 1 });
    return new FakeHub(store, alerts);
  }

  sitesGeoJson(): FeatureCollection {
    return demoSitesGeoJson();
  }

  vehicles(): VehicleSnapshot[] {
    return this.snapshots;
  }

  plans(): PlanView[] {
    if (this.failNext) {
      const err = this.failNext;
      this.failNext = null;
      throw err;
    }
    return [
      {
        vehicleId: 'V1',
        name: 'sortie 1',
        route: {
          type: 'FeatureCollection',
          features: [
            {
              type: 'Feature',
              properties: { kind: 'route' },
              geometry: {
                type: 'LineString',
                coordinates: [
                  [113.6302, 34.7245],
                  [113.6317, 34.7262],
                  [113.6302, 34.7245],
                ],
              },
            },
            {
              type: 'Feature',
              properties: { kind: 'waypoint', seq: 1 },
              geometry: { type: 'Point', coordinates: [113.6317, 34.7262] },
            },
          ],
        },
      },
    ];
  }

  flights(): FlightRecord[] {
    const flight = this.store.getFlight('F-1');
    return flight ? [flight] : [];
  }

  storeStatus(): StoreStatus {
    return this.alerts.storeStatus;
  }

  review(alertId: number, input: ReviewInput, by: Reviewer): ReviewResult {
    return this.alerts.review(alertId, input, by);
  }

  async command(vehicleId: string, command: VehicleCommand): Promise<string> {
    this.commands.push({ vehicleId, command });
    if (this.refuseNext) {
      const message = this.refuseNext;
      this.refuseNext = null;
      throw new UserError(message);
    }
    return `${command} sent to ${vehicleId}`;
  }

  subscribe(listener: (event: HubEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: HubEvent): void {
    for (const l of this.listeners) l(event);
  }

  get subscribers(): number {
    return this.listeners.size;
  }

  close(): void {
    this.store.close();
  }
}
