import type { Feature, FeatureCollection } from 'geojson';
import type {
  AlertStore,
  FlightRecord,
  PatrolRecord,
  Reviewer,
  ReviewInput,
  ReviewResult,
  StoreStatus,
} from '../alerts/index.js';
import { type Clock, sleep, systemClock } from '../clock.js';
import { UserError } from '../errors.js';
import { resumeMission } from '../plan/index.js';
import type { HubEvent, PatrolHub, PlanView, VehicleCommand, VehicleSnapshot } from '../server/index.js';
import type { SiteRegistry } from '../sites/index.js';
import { LINK_TIMING } from '../timing.js';
import { missionOnBoardDiffers } from '../vehicle/index.js';
import { missionOfRecord, routeGeoJson, type SortiePlan, sortiePlanOf } from './patrol-plan.js';
import {
  type PatrolOutcome,
  type SessionContext,
  type VehicleLinkConfig,
  VehicleSession,
} from './vehicle-session.js';

export interface FleetOptions extends Omit<SessionContext, 'onEvent' | 'onProgress' | 'onFault'> {
  registry: SiteRegistry;
  vehicles: VehicleLinkConfig[];
  /** Each vehicle's plan for the 'start' command, by vehicle id. */
  plans: Map<string, SortiePlan>;
  log: (level: 'info' | 'warning' | 'error', text: string) => void;
  /** Time of the waits for a vehicle and of the pauses between tries to connect (default: the system clock). */
  clock?: Clock;
}

/**
 * The daemon's vehicles: each one's link, patrol and live analytics, their events for the
 * dashboard, and the store. A vehicle not answering at start is tried again until the fleet closes;
 * one found in the air on a patrol the store says is unfinished is adopted.
 */
export class PatrolFleet implements PatrolHub {
  private readonly sessions = new Map<string, VehicleSession>();
  private readonly listeners = new Set<(event: HubEvent) => void>();
  private readonly patrols = new Set<Promise<unknown>>();
  private readonly abort = new AbortController();
  private readonly unsubscribeAlerts: () => void;
  private readonly clock: Clock;
  private readonly unsubscribeStore: () => void;
  private readonly unsubscribeReviews: () => void;

  constructor(private readonly opts: FleetOptions) {
    this.clock = opts.clock ?? systemClock;
    this.unsubscribeAlerts = opts.alerts.onAlert(({ alert, change }) => {
      this.log(
        'info',
        `alert ${alert.code} ${change}: ${alert.siteId ?? 'no site'} at ${alert.latDeg.toFixed(6)},` +
          `${alert.lonDeg.toFixed(6)} ±${alert.uncertaintyM.toFixed(0)} m (flight ${alert.flightId})`,
      );
      this.publish({ type: 'alert', change, alert });
    });
    this.unsubscribeReviews = opts.alerts.onReview(({ review, alert }) => {
      this.log('info', `alert ${alert.code} ${review.verdict} (${review.reason}) by ${review.reviewer}`);
      this.publish({ type: 'review', review, alert });
    });
    // A store that takes no writes (a full disk, another process's lock) holds alerts in memory: the
    // pilot and supervisor are told on every channel, and the vehicles fly on.
    this.unsubscribeStore = opts.alerts.onStoreEvent(({ level, text, status }) => {
      if (text) this.log(level, text);
      this.publish({ type: 'store', level, text, status, timeUs: Date.now() * 1000 });
    });
  }

  get store(): AlertStore {
    return this.opts.alerts.store;
  }

  /** Connects every vehicle (in the background; see `connected`). */
  start(): void {
    for (const config of this.opts.vehicles) void this.keepConnecting(config);
  }

  /** Resolves once the vehicle is connected (or rejects after timeoutMs). */
  async connected(vehicleId: string, timeoutMs: number): Promise<VehicleSession> {
    // The clock is monotonic: a wall clock set back must not stretch the wait.
    const untilMs = this.clock.nowMs() + timeoutMs;
    for (;;) {
      const session = this.sessions.get(vehicleId);
      if (session) return session;
      if (this.clock.nowMs() > untilMs)
        throw new UserError(`${vehicleId}: no vehicle after ${timeoutMs / 1000} s`);
      await sleep(this.clock, 100);
    }
  }

  /** Flies a plan on a vehicle; resolves when it has landed. */
  fly(vehicleId: string, plan: SortiePlan): Promise<PatrolOutcome> {
    const session = this.session(vehicleId);
    this.publish({ type: 'plan', plan: this.planView(vehicleId, plan) });
    return this.track(session.fly(plan));
  }

  /**
   * A pilot's patrol on one vehicle: the flight it is already on when the store says it is unfinished
   * (adopted on connecting), else `plan` — continued from its last patrol's last waypoint reached
   * when `resume` — flown now. Resolves when it has landed.
   */
  async patrol(vehicleId: string, plan: SortiePlan, options: { resume: boolean }): Promise<PatrolOutcome> {
    const session = await this.connected(vehicleId, LINK_TIMING.vehicleDiscoveryTimeoutMs);
    if (session.running) return session.running;
    if (!options.resume) return this.fly(vehicleId, plan);
    const last = this.store.lastPatrolOfPlan(plan.digest);
    if (!last)
      throw new UserError(`--resume: ${plan.name} was never flown from this store; nothing to resume`);
    const resumed = { ...plan, items: resumeMission(plan.items, last.lastReachedSeq) };
    this.event(vehicleId, 'info', `resuming ${plan.name} from waypoint ${last.lastReachedSeq ?? 0}`);
    this.publish({ type: 'plan', plan: this.planView(vehicleId, resumed) });
    return this.track(session.fly(resumed, { record: last, planItemCount: plan.items.length }));
  }

  sitesGeoJson(): FeatureCollection {
    return sitesGeoJson(this.opts.registry);
  }

  vehicles(): VehicleSnapshot[] {
    return this.opts.vehicles.map((config) => this.sessions.get(config.id)?.snapshot() ?? offline(config.id));
  }

  plans(): PlanView[] {
    const views: PlanView[] = [];
    for (const config of this.opts.vehicles) {
      const plan = this.sessions.get(config.id)?.patrol?.plan ?? this.opts.plans.get(config.id);
      if (plan) views.push(this.planView(config.id, plan));
    }
    return views;
  }

  flights(): FlightRecord[] {
    return this.store.listFlights();
  }

  storeStatus(): StoreStatus {
    return this.opts.alerts.storeStatus;
  }

  review(alertId: number, input: ReviewInput, by: Reviewer): ReviewResult {
    return this.opts.alerts.review(alertId, input, by);
  }

  async command(vehicleId: string, command: VehicleCommand): Promise<string> {
    const session = this.session(vehicleId);
    if (command !== 'start') return session.command(command);
    const plan = this.opts.plans.get(vehicleId);
    if (!plan) throw new UserError(`${vehicleId}: no plan configured to start`);
    this.fly(vehicleId, plan).catch((err) =>
      this.event(vehicleId, 'error', `patrol failed: ${message(err)}`),
    );
    return `${vehicleId}: starting ${plan.name}`;
  }

  subscribe(listener: (event: HubEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Waits for every patrol to end (landed or failed). */
  async idle(): Promise<void> {
    while (this.patrols.size > 0) await Promise.allSettled([...this.patrols]);
  }

  /** Stops following the vehicles (those in the air fly on) and closes their links. */
  async close(): Promise<void> {
    this.abort.abort();
    this.unsubscribeAlerts();
    this.unsubscribeStore();
    this.unsubscribeReviews();
    await Promise.all([...this.sessions.values()].map((s) => s.close()));
    this.sessions.clear();
  }

  private session(vehicleId: string): VehicleSession {
    const session = this.sessions.get(vehicleId);
    if (session) return session;
    if (this.opts.vehicles.some((v) => v.id === vehicleId))
      throw new UserError(`${vehicleId}: not connected`);
    throw new UserError(`no vehicle '${vehicleId}'`);
  }

  private async keepConnecting(config: VehicleLinkConfig): Promise<void> {
    const { signal } = this.abort;
    while (!signal.aborted) {
      try {
        const session = await VehicleSession.open(config, this.context(config.id), signal);
        if (signal.aborted) {
          await session.close();
          return;
        }
        this.event(config.id, 'info', `connected on ${config.connect}`);
        // Known to commands only once it is clear whether it is on a patrol already.
        await this.adoptIfFlying(session).catch((err) =>
          this.event(config.id, 'warning', `could not tell whether it is on a patrol: ${message(err)}`),
        );
        this.sessions.set(config.id, session);
        return;
      } catch (err) {
        if (signal.aborted) return;
        this.event(config.id, 'warning', `${message(err)}; trying again`);
        await sleep(this.clock, LINK_TIMING.heartbeatPeriodMs, signal);
      }
    }
  }

  /**
   * A patrol the store says is unfinished: adopted if the vehicle is armed and flies its mission, else
   * closed as such.
   */
  private async adoptIfFlying(session: VehicleSession): Promise<void> {
    const record = this.store.unfinishedPatrol(session.id);
    if (!record || !session.vehicle) return;
    // The heartbeat that found the vehicle came before its state was followed: wait for the next.
    await session.vehicle.waitUntil((s) => s.lastHeartbeatUs > 0, {
      timeoutMs: LINK_TIMING.vehicleLostAfterMs,
      what: 'heard (heartbeat)',
    });
    if (!session.vehicle.state.armed) {
      this.closeUnfinished(record, 'ended while dustpatrol was away');
      this.event(
        session.id,
        'info',
        `${record.planName} ended while dustpatrol was away (the vehicle is on the ground)`,
      );
      return;
    }
    const plan = sortiePlanOf(record.planName, missionOfRecord(record), null);
    const difference = await missionOnBoardDiffers(session.vehicle, plan.items);
    if (difference) {
      // Another ground station took the vehicle over: its flight is not this patrol's to follow or record.
      this.closeUnfinished(record, 'another mission was on board when dustpatrol came back');
      this.event(
        session.id,
        'warning',
        `${record.planName} not followed: the mission on board is not this patrol's (${difference})`,
      );
      return;
    }
    this.publish({ type: 'plan', plan: this.planView(session.id, plan) });
    this.track(session.adopt(record, plan)).catch((err) =>
      this.event(session.id, 'error', `patrol failed: ${message(err)}`),
    );
  }

  /** Closes a patrol record the store held open, so that no later start adopts or resumes it wrongly. */
  private closeUnfinished(record: PatrolRecord, outcome: string): void {
    const nowUs = Date.now() * 1000;
    this.opts.alerts.savePatrol({ ...record, outcome, endedUs: nowUs, updatedUs: nowUs });
  }

  private track<T>(patrol: Promise<T>): Promise<T> {
    this.patrols.add(patrol);
    const forget = () => this.patrols.delete(patrol);
    patrol.then(forget, forget);
    return patrol;
  }

  private context(vehicleId: string): SessionContext {
    const { alerts, detector, dataDir, analysis, patrol, openLink } = this.opts;
    return {
      alerts,
      detector,
      dataDir,
      analysis,
      patrol,
      openLink,
      onEvent: (level, text) => this.event(vehicleId, level, text),
      onFault: (what, err) => this.fault(vehicleId, what, err),
      onProgress: () => {
        const session = this.sessions.get(vehicleId);
        if (session) this.publish({ type: 'telemetry', vehicle: session.snapshot() });
      },
    };
  }

  private planView(vehicleId: string, plan: SortiePlan): PlanView {
    return { vehicleId, name: plan.name, route: routeGeoJson(plan.items) };
  }

  private event(vehicleId: string, level: 'info' | 'warning' | 'error', text: string): void {
    this.log(level, `${vehicleId}: ${text}`);
    this.publish({ type: 'event', vehicleId, level, text, timeUs: Date.now() * 1000 });
  }

  /**
   * A part of a vehicle's session threw (a bug): one line for the pilot and the log, the stack in the
   * log alone; the vehicle flies on and the part goes on with its next message or timer.
   */
  private fault(vehicleId: string, what: string, err: unknown): void {
    const line = `${what} failed: ${message(err)} (the vehicle flies on)`;
    const stack = err instanceof Error && err.stack ? `\n${err.stack}` : '';
    this.log('error', `${vehicleId}: ${line}${stack}`);
    this.publish({ type: 'event', vehicleId, level: 'error', text: line, timeUs: Date.now() * 1000 });
  }

  /** The daemon's log; a log that throws (a closed stream) costs the line, not the caller's work. */
  private log(level: 'info' | 'warning' | 'error', text: string): void {
    try {
      this.opts.log(level, text);
    } catch {
      // Nowhere left to say it.
    }
  }

  private publish(event: HubEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        this.log('error', `event listener failed: ${message(err)}`);
      }
    }
  }
}

function offline(id: string): VehicleSnapshot {
  return {
    id,
    sysid: null,
    connected: false,
    armed: false,
    modeName: 'UNKNOWN',
    latDeg: null,
    lonDeg: null,
    altRelM: null,
    headingDeg: null,
    groundSpeedMs: null,
    batteryPct: null,
    waypoint: null,
    patrolStatus: 'offline',
    alertsRaised: 0,
    video: null,
    timeUs: Date.now() * 1000,
  };
}

/** Sites, no-fly zones, the operating area and launch points as one GeoJSON for the map. */
export function sitesGeoJson(registry: SiteRegistry): FeatureCollection {
  const features: Feature[] = [
    ...registry.sites.map(
      (s): Feature => ({
        type: 'Feature',
        geometry: s.geometry,
        properties: { kind: 'site', id: s.id, name: s.name, contractor: s.contractor, risk: s.riskLevel },
      }),
    ),
    ...registry.noFlyZones.map(
      (z): Feature => ({
        type: 'Feature',
        geometry: z.geometry,
        properties: { kind: 'no-fly', id: z.id, name: z.name },
      }),
    ),
    ...registry.launchPoints.map(
      (p): Feature => ({
        type: 'Feature',
        geometry: { type: 'Point', coordinates: [p.lonDeg, p.latDeg] },
        properties: { kind: 'launch', id: p.id },
      }),
    ),
  ];
  if (registry.operatingArea) {
    features.push({
      type: 'Feature',
      geometry: registry.operatingArea,
      properties: { kind: 'operating-area' },
    });
  }
  return { type: 'FeatureCollection', features };
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
