// A PatrolHub over real parts: the built-in simulator on a loopback UDP port with a Vehicle flying a
// short mission, the demo sites, and a real AlertService on a SQLite file whose alerts feed the
// subscribers. The lead's fleet (pipeline/) is replaced by this small hub because the dashboard test is
// about the page, not the patrol.
import path from 'node:path';
import type { FeatureCollection } from 'geojson';
import { common } from 'node-mavlink';
import {
  AlertService,
  type AlertStore,
  type FlightRecord,
  openAlertStore,
  type PlumeSighting,
  type Reviewer,
  type ReviewInput,
  type ReviewResult,
  type StoreStatus,
} from '../../src/alerts/index.js';
import { UserError } from '../../src/errors.js';
import { MavLinkConnection, type MissionItem } from '../../src/mavlink/index.js';
import type { HubEvent, PatrolHub, PlanView, VehicleCommand, VehicleSnapshot } from '../../src/server/hub.js';
import { type Simulator, startSimulator } from '../../src/sim/index.js';
import { loadSiteFiles } from '../../src/sites/index.js';
import { flyMission, Vehicle } from '../../src/vehicle/index.js';
import { freeUdpPort } from '../helpers/ports.js';
import { DEMO_HOME } from '../helpers/sim-flight.js';
import { DEMO_SITES_FILE, demoSitesGeoJson } from './fake-hub.js';

const { MavCmd, MavFrame } = common;
const VEHICLE_ID = 'V1';
const FLIGHT_ID = 'F-SIM';

export class SimHub implements PatrolHub {
  private readonly listeners = new Set<(event: HubEvent) => void>();
  private plan: PlanView | null = null;
  private patrolStatus = 'idle';
  private alertsRaised = 0;
  private connected = true;
  private readonly abort = new AbortController();
  private flight: Promise<void> | null = null;

  private constructor(
    private readonly sim: Simulator,
    private readonly link: MavLinkConnection,
    private readonly vehicle: Vehicle,
    readonly store: AlertStore,
    readonly alerts: AlertService,
  ) {
    vehicle.on('change', () => this.emit({ type: 'telemetry', vehicle: this.snapshot() }));
    vehicle.on('lost', () => {
      this.connected = false;
    });
    vehicle.on('regained', () => {
      this.connected = true;
    });
    alerts.onAlert(({ alert, change }) => {
      if (change === 'created') this.alertsRaised++;
      this.emit({ type: 'alert', change, alert });
    });
    alerts.onReview(({ review, alert }) => this.emit({ type: 'review', review, alert }));
  }

  /** Where `start` flies: take-off, each point at altRelM, RTL. */
  patrol: { points: { latDeg: number; lonDeg: number }[]; altRelM: number } = { points: [], altRelM: 40 };

  static async start(dir: string, speedup: number): Promise<SimHub> {
    const port = await freeUdpPort();
    const sim = await startSimulator({ connect: `udpin://127.0.0.1:${port}`, home: DEMO_HOME, speedup });
    const link = await MavLinkConnection.open(`udpout://127.0.0.1:${port}`);
    const vehicle = await Vehicle.connect(link);
    const store = openAlertStore(path.join(dir, 'alerts.db'));
    const alerts = new AlertService({ store, sites: await loadSiteFiles([DEMO_SITES_FILE]) });
    alerts.registerFlight({
      id: FLIGHT_ID,
      name: 'dashboard test flight',
      vehicleSysid: vehicle.state.sysid,
    });
    return new SimHub(sim, link, vehicle, store, alerts);
  }

  /** Starts flying over the points (take-off, each point, RTL) in the background; publishes the plan. */
  fly(points: { latDeg: number; lonDeg: number }[], altRelM: number): void {
    if (this.flight) throw new UserError(`${VEHICLE_ID} has flown its patrol already`);
    const items = missionOver(points, altRelM);
    this.plan = { vehicleId: VEHICLE_ID, name: 'dashboard test sortie', route: routeOf(items) };
    this.emit({ type: 'plan', plan: this.plan });
    this.flight = flyMission(this.vehicle, items, {
      minBatteryPct: 30,
      signal: this.abort.signal,
      listener: {
        stage: (stage) => {
          this.patrolStatus = stage === 'flying mission' ? 'flying' : stage;
          this.event('info', stage);
        },
        reached: (seq, lastSeq) => this.event('info', `waypoint ${seq} of ${lastSeq} reached`),
      },
    }).then(
      () => {
        this.patrolStatus = 'landed';
      },
      (err: Error) => {
        if (!this.abort.signal.aborted) this.event('error', err.message);
      },
    );
  }

  raise(s: PlumeSighting) {
    return this.alerts.raise({ ...s, flightId: FLIGHT_ID });
  }

  sitesGeoJson(): FeatureCollection {
    return demoSitesGeoJson();
  }

  vehicles(): VehicleSnapshot[] {
    return [this.snapshot()];
  }

  plans(): PlanView[] {
    return this.plan ? [this.plan] : [];
  }

  flights(): FlightRecord[] {
    const f = this.store.getFlight(FLIGHT_ID);
    return f ? [f] : [];
  }

  storeStatus(): StoreStatus {
    return this.alerts.storeStatus;
  }

  review(alertId: number, input: ReviewInput, by: Reviewer): ReviewResult {
    return this.alerts.review(alertId, input, by);
  }

  async command(vehicleId: string, command: VehicleCommand): Promise<string> {
    if (vehicleId !== VEHICLE_ID) throw new UserError(`no vehicle ${vehicleId}`);
    if (command === 'start') {
      this.fly(this.patrol.points, this.patrol.altRelM);
      return `patrol of ${this.patrol.points.length} points started`;
    }
    if (command === 'pause') {
      await this.vehicle.pause();
      this.patrolStatus = 'paused';
      return 'holding position (LOITER)';
    }
    if (command === 'resume') {
      await this.vehicle.setMode('AUTO');
      this.patrolStatus = 'flying';
      return 'mission resumed (AUTO)';
    }
    if (command === 'abort') {
      await this.vehicle.returnToLaunch();
      this.patrolStatus = 'returning';
      return 'returning to launch';
    }
    throw new UserError(`${command}: not a command this hub knows`);
  }

  subscribe(listener: (event: HubEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.abort.abort();
    await this.flight;
    this.vehicle.close();
    await this.link.close();
    await this.sim.close();
    this.store.close();
  }

  /** Hands an event to the subscribers (the server), as the fleet publishes one. */
  emit(event: HubEvent): void {
    for (const l of this.listeners) l(event);
  }

  private event(level: 'info' | 'warning' | 'error', text: string): void {
    this.emit({ type: 'event', vehicleId: VEHICLE_ID, level, text, timeUs: Date.now() * 1000 });
  }

  private snapshot(): VehicleSnapshot {
    const s = this.vehicle.state;
    return {
      id: VEHICLE_ID,
      sysid: s.sysid,
      connected: this.connected,
      armed: s.armed,
      modeName: s.modeName,
      latDeg: s.position?.latDeg ?? null,
      lonDeg: s.position?.lonDeg ?? null,
      altRelM: s.position?.altRelM ?? null,
      headingDeg: s.headingDeg,
      groundSpeedMs: s.groundSpeedMs,
      batteryPct: s.battery?.remainingPct ?? null,
      waypoint:
        s.missionCurrentSeq !== null && s.missionTotal
          ? { current: s.missionCurrentSeq, total: s.missionTotal }
          : null,
      patrolStatus: this.patrolStatus,
      alertsRaised: this.alertsRaised,
      video: null,
      timeUs: s.position?.timeUs ?? Date.now() * 1000,
    };
  }
}

/** Take off at home, each point in turn, return and land. Item 0 is home. */
function missionOver(points: { latDeg: number; lonDeg: number }[], altRelM: number): MissionItem[] {
  const item = (command: number, frame: number, x = 0, y = 0, z = 0): MissionItem => ({
    command,
    frame,
    param1: 0,
    param2: 0,
    param3: 0,
    param4: 0,
    x,
    y,
    z,
    autocontinue: true,
  });
  const relative = MavFrame.GLOBAL_RELATIVE_ALT;
  return [
    item(MavCmd.NAV_WAYPOINT, MavFrame.GLOBAL, DEMO_HOME.latDeg, DEMO_HOME.lonDeg, DEMO_HOME.altAmslM),
    item(MavCmd.NAV_TAKEOFF, relative, DEMO_HOME.latDeg, DEMO_HOME.lonDeg, altRelM),
    ...points.map((p) => item(MavCmd.NAV_WAYPOINT, relative, p.latDeg, p.lonDeg, altRelM)),
    item(MavCmd.NAV_RETURN_TO_LAUNCH, MavFrame.MISSION),
  ];
}

/** The route as PlanView wants it: a LineString through the waypoints and a Point per waypoint (seq). */
function routeOf(items: MissionItem[]): FeatureCollection {
  const home: [number, number] = [DEMO_HOME.lonDeg, DEMO_HOME.latDeg];
  const waypoints = items
    .map((it, seq) => ({ it, seq }))
    .filter(({ it, seq }) => seq > 0 && it.command === MavCmd.NAV_WAYPOINT);
  const line = [home, ...waypoints.map(({ it }) => [it.y, it.x] as [number, number]), home];
  return {
    type: 'FeatureCollection',
    features: [
      { type: 'Feature', properties: { kind: 'route' }, geometry: { type: 'LineString', coordinates: line } },
      ...waypoints.map(({ it, seq }) => ({
        type: 'Feature' as const,
        properties: { kind: 'waypoint', seq },
        geometry: { type: 'Point' as const, coordinates: [it.y, it.x] },
      })),
    ],
  };
}
